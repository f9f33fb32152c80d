#!/bin/sh
# The Arduino library (make test-arduino):
#   1. scripts/arduino_lib.sh lays it out; Debian's arduino-builder with arduino-core-avr compiles
#      its example for an Arduino Mega 2560 (ATmega2560) with all warnings on: no warning may
#      come from bmqtt's files (the AVR core's own are not ours);
#   2. port/arduino natively against mosquitto over PosixClient, a POSIX stand-in of Arduino's
#      Client class (build/arduino_test); mosquitto_sub must see the three messages too.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/arduino
FAILS=0
fail() { echo "arduino-test: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "arduino-test: ok: $*"; }
. "$ROOT/tests/integration/broker.sh"

# --- 1. arduino-builder, ATmega2560 -----------------------------------------------------------
rm -rf "$OUT/libs" "$OUT/sketch" "$OUT/avr"
mkdir -p "$OUT/libs" "$OUT/avr"
"$ROOT/scripts/arduino_lib.sh" "$OUT/libs/bmqtt" >/dev/null || fail "scripts/arduino_lib.sh"
for f in library.properties src/bmqtt.h src/bmqtt_arduino.cpp src/bmqtt/client.h; do
    [ -f "$OUT/libs/bmqtt/$f" ] || fail "the library has no $f"
done
grep -q "^version=$(sed -n 's/^BMQTT_VERSION := //p' "$ROOT/bmqtt.mk")\$" "$OUT/libs/bmqtt/library.properties" ||
    fail "library.properties' version is not bmqtt.mk's"
for ex in "$OUT"/libs/bmqtt/examples/*/; do
    name=$(basename "$ex")
    cp -r "$ex" "$OUT/sketch-$name"
    mkdir -p "$OUT/avr/$name"
    # Debian's avr-gcc 5.4 has no DECIMAL_DIG in C++ mode, which the AVR core's WString.cpp needs.
    if arduino-builder -compile -hardware /usr/share/arduino/hardware -hardware /usr/share/arduino-builder \
            -tools /usr/bin -fqbn arduino:avr:mega:cpu=atmega2560 -libraries "$OUT/libs" \
            -build-path "$OUT/avr/$name" -warnings all \
            -prefs='compiler.cpp.extra_flags=-DDECIMAL_DIG=__DECIMAL_DIG__' \
            "$OUT/sketch-$name/$name.ino" >"$OUT/avr/$name.log" 2>&1; then
        w=$(grep 'warning:' "$OUT/avr/$name.log" | grep -v '/cores/arduino/' )
        if [ -n "$w" ]; then fail "$name: warnings from bmqtt's files:"; echo "$w" | sed 's/^/  | /' >&2
        else
            n=$(grep -c 'libs/bmqtt/src/.*\.c' "$OUT/avr/$name.log" 2>/dev/null || true)
            ok "$name: compiled for ATmega2560 with all warnings on, none from bmqtt ($(sed -n 's/^Sketch uses \([0-9]*\) bytes.*/\1 B flash/p' "$OUT/avr/$name.log"), $(sed -n 's/^Global variables use \([0-9]*\) bytes.*/\1 B RAM/p' "$OUT/avr/$name.log"))"
            [ -f "$OUT/avr/$name/$name.ino.hex" ] || fail "$name: no .hex"
        fi
    else
        fail "$name: arduino-builder failed:"; grep -E 'error' "$OUT/avr/$name.log" | head -5 | sed 's/^/  | /' >&2
    fi
done

# --- 2. natively, against mosquitto -------------------------------------------------------
BIN=$BUILD/arduino_test
d=$(mktemp -d)
trap 'broker_stop 2>/dev/null; kill $SUBPID 2>/dev/null; rm -rf "$d"' EXIT
SUBPID=
broker_start "$d" || { fail "mosquitto did not start"; exit 1; }
P=$BROKER_PORT
CLOSED=$(free_port)
mosquitto_sub -h 127.0.0.1 -p "$P" -i arduino-peer -t 'arduino/t/#' -q 2 -C 3 -W 20 -F '%t %q %l' >"$d/peer" 2>&1 &
SUBPID=$!
n=0; while ! grep -q ': arduino-peer [0-2] ' "$d/mosquitto.log" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
if "$BIN" "$P" "$CLOSED" >"$d/out" 2>&1; then echo "$(tail -n 1 "$d/out")"; grep '^arduino-test: [0-9]' "$d/out"
else fail "arduino_test:"; sed 's/^/  | /' "$d/out" >&2; fi
wait $SUBPID; SUBPID=
printf 'arduino/t/0 0 5\narduino/t/1 1 5\narduino/t/2 2 300\n' >"$d/want"
if sort "$d/peer" | cmp -s - "$d/want"; then ok "mosquitto_sub received the three messages at QoS 0, 1, 2 with their lengths"
else fail "mosquitto_sub got: $(cat "$d/peer")"; fi
grep -q '^recv arduino/t/2 qos 2 len 300$' "$d/out" || fail "the 300-byte QoS 2 message did not come back whole"

if [ $FAILS -ne 0 ]; then echo "arduino-test: FAIL: $FAILS check(s)" >&2; exit 1; fi
echo "arduino-test: OK: the library compiles for ATmega2560 warning-free, the Client transport works against mosquitto"
