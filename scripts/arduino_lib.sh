#!/bin/sh
# Lay bmqtt out as an Arduino library (1.5 format) in DIR (default build/arduino/bmqtt):
#   library.properties   version from bmqtt.mk
#   src/bmqtt.h          the one header a sketch includes
#   src/bmqtt/*.h        the public headers, so the sources' "bmqtt/client.h" resolves in src/
#   src/codec, src/client  BMQTT_SRCS (codec + client) and their internal headers
#   src/bmqtt_arduino.*  the transport over any Arduino Client (port/arduino)
#   examples/            examples/arduino/*
# Zip DIR's parent for Sketch > Include Library > Add .ZIP Library, or copy DIR into
# ~/Arduino/libraries. Usage: scripts/arduino_lib.sh [DIR]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/arduino/bmqtt}
VERSION=$(sed -n 's/^BMQTT_VERSION := //p' "$ROOT/bmqtt.mk")
SRCS=$(make -s --no-print-directory -C "$ROOT" -f - print-srcs <<'MK'
BMQTT_DIR :=
include bmqtt.mk
print-srcs: ; @echo $(BMQTT_SRCS)
MK
)
rm -rf "$OUT"
mkdir -p "$OUT/src/bmqtt" "$OUT/examples"
sed "s/@VERSION@/$VERSION/" "$ROOT/port/arduino/library.properties.in" >"$OUT/library.properties"
# The public headers of what is in the library (at.h, cloud.h, aliyun.h need sources it leaves out).
for h in "$ROOT"/include/bmqtt/*.h; do
    case ${h##*/} in at.h|cloud.h|aliyun.h) ;; *) cp "$h" "$OUT/src/bmqtt/" ;; esac
done
for f in $SRCS; do
    mkdir -p "$OUT/$(dirname "$f")"
    cp "$ROOT/$f" "$OUT/$f"
    for h in "$ROOT/$(dirname "$f")"/*.h; do [ -f "$h" ] && cp "$h" "$OUT/$(dirname "$f")/"; done
done
cp "$ROOT/port/arduino/bmqtt.h" "$ROOT/port/arduino/bmqtt_arduino.h" "$ROOT/port/arduino/bmqtt_arduino.cpp" "$OUT/src/"
cp -r "$ROOT"/examples/arduino/* "$OUT/examples/"
cp "$ROOT/LICENSE" "$OUT/"
echo "arduino: bmqtt $VERSION laid out in $OUT ($(find "$OUT/src" -name '*.c' -o -name '*.cpp' | wc -l) sources)"
