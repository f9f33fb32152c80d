#!/bin/sh
# bmqtt as an ESP-IDF component (make test-esp-idf), without ESP-IDF itself:
#   1. CMakeLists.txt run as ESP-IDF's early expansion does (tests/esp-idf/component.cmake,
#      script mode): it must register, with REQUIRES lwip and mbedtls, and nothing else may run;
#   2. the registration: every source of the layers ESP-IDF builds (core, AT, lwIP sockets, TLS,
#      WebSocket, cloud) and their include directories;
#   3. each registered source compiled as ESP-IDF compiles a component for an ESP32-C3 (RV32IMC:
#      riscv64-unknown-elf-gcc -march=rv32imc_zicsr -mabi=ilp32, ESP-IDF 5's warning and code
#      flags, -Werror): lwIP's headers (Debian's liblwip-dev, lwIP 2.1 as ESP-IDF's fork) with
#      examples/stm32-lwip's options, mbedTLS's headers with port/mbedtls's configuration;
#   4. examples/esp-idf: its main component's early expansion REQUIRES bmqtt, and its manifest
#      points at this repository.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/esp-idf
FAILS=0
fail() { echo "esp-idf-test: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "esp-idf-test: ok: $*"; }
field() { sed -n "s/^$1=//p" "$2"; }
rm -rf "$OUT"; mkdir -p "$OUT/obj" "$OUT/inc"

# --- 1. early expansion -----------------------------------------------------------------
if cmake -DPHASE=early -DCOMPONENT_DIR="$ROOT" -DOUT="$OUT/early.txt" -P "$ROOT/tests/esp-idf/component.cmake" \
        >"$OUT/early.log" 2>&1 && [ -f "$OUT/early.txt" ]; then
    req=$(field REQUIRES "$OUT/early.txt")
    if [ "$req" = "lwip;mbedtls" ]; then ok "early expansion: registers with REQUIRES $req"
    else fail "early expansion: REQUIRES '$req', expected lwip;mbedtls"; fi
else fail "early expansion: $(tail -n 5 "$OUT/early.log")"; fi

# --- 2. registration ------------------------------------------------------------------
if cmake -DPHASE=full -DCOMPONENT_DIR="$ROOT" -DOUT="$OUT/full.txt" -P "$ROOT/tests/esp-idf/component.cmake" \
        >"$OUT/full.log" 2>&1 && [ -f "$OUT/full.txt" ]; then
    srcs=$(field SRCS "$OUT/full.txt" | tr ';' ' ')
    incs=$(field INCLUDE_DIRS "$OUT/full.txt" | tr ';' ' ')
    n=$(echo "$srcs" | wc -w)
    want=$(make -s --no-print-directory -C "$ROOT" -f - list <<'MK'
BMQTT_DIR :=
include bmqtt.mk
list: ; @echo $(BMQTT_SRCS) $(BMQTT_AT_SRCS) $(BMQTT_LWIP_SRCS) $(BMQTT_TLS_SRCS) $(BMQTT_WS_SRCS) $(BMQTT_CLOUD_SRCS)
MK
)
    got=$(for s in $srcs; do echo "${s#"$ROOT"/}"; done | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then ok "registration: $n sources (core, AT, lwIP sockets, TLS, WebSocket, cloud)"
    else fail "registration: SRCS are '$got', bmqtt.mk's lists are '$want'"; fi
else fail "registration: $(tail -n 5 "$OUT/full.log")"; srcs=""; incs=""; fi

# --- 3. ESP-IDF's flags for an ESP32-C3 ---------------------------------------------------
LWIP_INCDIR=$(pkg-config --variable=includedir lwip)
ln -sfn "$LWIP_INCDIR/lwip" "$OUT/inc/lwip"
ln -sfn "$LWIP_INCDIR/netif" "$OUT/inc/netif"
ln -sfn "$(dirname "$(echo '#include <mbedtls/version.h>' | cc -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')")" "$OUT/inc/mbedtls"
# ESP-IDF 5.1's compile options for C on RISC-V targets (tools/cmake/build.cmake, toolchain file),
# with -Werror for everything rather than only -Werror=all.
IDF_FLAGS="-march=rv32imc_zicsr -mabi=ilp32 --specs=picolibc.specs -ffunction-sections -fdata-sections
  -Wall -Werror -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-enum-conversion -gdwarf-4 -ggdb
  -nostartfiles -Os -freorder-blocks -fstrict-volatile-bitfields -fno-jump-tables -fno-tree-switch-conversion
  -std=gnu17 -Wno-old-style-declaration -D_GNU_SOURCE -DESP_PLATFORM -DIDF_VER=\"v5.1\"
  -DMBEDTLS_CONFIG_FILE=\"bmqtt_mbedtls_config.h\""
compiled=0
for s in $srcs; do
    o=$OUT/obj/$(basename "$s" .c).o
    # shellcheck disable=SC2086
    if riscv64-unknown-elf-gcc $IDF_FLAGS $(for i in $incs; do echo "-I$i"; done) \
            -I"$ROOT/examples/stm32-lwip" -I"$OUT/inc" -c "$s" -o "$o" >"$o.log" 2>&1; then
        compiled=$((compiled + 1))
    else fail "$(basename "$s"):"; head -n 8 "$o.log" | sed 's/^/  | /' >&2; fi
done
if [ -n "$srcs" ] && [ "$compiled" -eq "$(echo "$srcs" | wc -w)" ]; then
    ok "RV32IMC: all $compiled registered sources compile with ESP-IDF's flags and -Werror ($(riscv64-unknown-elf-size -t "$OUT"/obj/*.o | awk 'END{print $1+$2 " B of text+data"}'))"
fi
# Every source that includes lwIP's or mbedTLS's headers is covered by a REQUIRES.
for s in $srcs; do
    if grep -q '#include "lwip/' "$s" && ! echo ";$req;" | grep -q ';lwip;'; then fail "$s includes lwIP without REQUIRES lwip"; fi
    if grep -q '#include "mbedtls/' "$s" && ! echo ";$req;" | grep -q ';mbedtls;'; then fail "$s includes mbedTLS without REQUIRES mbedtls"; fi
done

# --- 4. the example project ------------------------------------------------------------
EX=$ROOT/examples/esp-idf
for f in CMakeLists.txt sdkconfig.defaults main/CMakeLists.txt main/main.c main/idf_component.yml; do
    [ -f "$EX/$f" ] || fail "examples/esp-idf/$f missing"
done
if cmake -DPHASE=early -DCOMPONENT_DIR="$EX/main" -DOUT="$OUT/main-early.txt" -P "$ROOT/tests/esp-idf/component.cmake" \
        >"$OUT/main-early.log" 2>&1 && echo ";$(field REQUIRES "$OUT/main-early.txt");" | grep -q ';bmqtt;'; then
    ok "examples/esp-idf: main's early expansion REQUIRES $(field REQUIRES "$OUT/main-early.txt")"
else fail "examples/esp-idf: main does not REQUIRE bmqtt"; fi
path=$(sed -n 's/^ *override_path: *"\(.*\)"$/\1/p' "$EX/main/idf_component.yml")
if [ "$(cd "$EX/main/$path" 2>/dev/null && pwd)" = "$ROOT" ]; then ok "examples/esp-idf: main/idf_component.yml points at this repository"
else fail "examples/esp-idf: override_path '$path' is not the repository"; fi
grep -q '^CONFIG_IDF_TARGET="esp32c3"$' "$EX/sdkconfig.defaults" || fail "sdkconfig.defaults: no ESP32-C3 target"

if [ $FAILS -ne 0 ]; then echo "esp-idf-test: FAIL: $FAILS check(s)" >&2; exit 1; fi
echo "esp-idf-test: OK: the component's CMakeLists as ESP-IDF runs it, its sources for RV32IMC"
