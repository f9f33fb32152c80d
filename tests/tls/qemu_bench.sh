#!/bin/sh
# The handshake figures of docs/TLS.md (make tls-bench): tests/tls/qemu_tls_bench.c on
# QEMU mps2-an386 with -icount shift=0, against mbedTLS 2.28 (bookworm) and 3.6 (trixie)
# built from Debian's source packages with tests/tls/bench_mbedtls_config.h for Cortex-M4 -Os.
#
#   tests/tls/qemu_bench.sh [suite...]        (default: bookworm trixie)
#
# Sources and libraries as tests/tls/versions.sh keeps them (build/mbedtls/); the table of
# each version goes to build/mbedtls/<version>/bench.md. Exits non-zero when a handshake did
# not do what it should (full / resumed) or an image failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
OUT=$BUILD/mbedtls
CROSS=${CROSS:-arm-none-eabi-}
QEMU=${QEMU:-qemu-system-arm}
SUITES=${*:-bookworm trixie}
FAILS=0
mkdir -p "$OUT"
certs=$OUT/bench-certs
if [ ! -s "$certs/server.key" ]; then
    "$here/certs.sh" "$certs" >"$OUT/bench-certs.log" 2>&1 || { echo "FAIL tls-bench: certificates"; exit 1; }
fi
for suite in $SUITES; do
    if [ -s "$OUT/$suite.src" ] && [ -d "$(cat "$OUT/$suite.src")/library" ]; then src=$(cat "$OUT/$suite.src")
    elif src=$("$here/debsrc.sh" "$suite" mbedtls "$BUILD/debsrc" 2>"$OUT/$suite.log" | tail -1) && [ -d "$src/library" ]; then
        echo "$src" >"$OUT/$suite.src"
    else echo "FAIL tls-bench: mbedTLS source of $suite"; FAILS=$((FAILS + 1)); continue; fi
    ver=$(sed -n 's/^#define MBEDTLS_VERSION_STRING  *"\(.*\)".*/\1/p' "$src/include/mbedtls/build_info.h" \
        "$src/include/mbedtls/version.h" 2>/dev/null | head -1)
    V=$OUT/$ver
    mkdir -p "$V"
    lib=$("$here/mbedtls_build.sh" "$src" "$V" m4srv 2>"$V/m4srv.log" | tail -1)
    if [ ! -f "$lib" ]; then echo "FAIL tls-bench: mbedTLS $ver m4srv build"; head -20 "$V/m4srv.log"; FAILS=$((FAILS + 1)); continue; fi
    CC_="${CROSS}gcc -Os -g -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections"
    # shellcheck disable=SC2086
    if ! $CC_ -std=c99 -Wall -Wextra -Werror -DMBEDTLS_CONFIG_FILE='"bench_mbedtls_config.h"' -Itests/tls -Iport/mbedtls \
            -Iinclude -isystem "$src/include" -DBENCH_CERTS="\"$certs\"" tests/tls/qemu_tls_bench.c port/mbedtls/bmqtt_tls.c \
            port/mbedtls/bmqtt_tls_session.c src/codec/bmqtt_status.c tests/qemu/startup.c "$lib" \
            --specs=rdimon.specs -nostartfiles -Ttests/qemu/mps2.ld -Wl,--gc-sections -o "$V/tls-bench.elf" 2>"$V/bench-cc.log"; then
        echo "FAIL tls-bench: image for mbedTLS $ver"; head -30 "$V/bench-cc.log"; FAILS=$((FAILS + 1)); continue
    fi
    if timeout 900 "$QEMU" -nographic -monitor none -serial none -semihosting-config enable=on,target=native \
            -M mps2-an386 -icount shift=0 -kernel "$V/tls-bench.elf" >"$V/bench.log" 2>&1; then
        echo "PASS tls-bench: mbedTLS $ver"
    else
        echo "FAIL tls-bench: mbedTLS $ver (log: $V/bench.log)"; FAILS=$((FAILS + 1))
    fi
    grep '^|' "$V/bench.log" >"$V/bench.md"
    cat "$V/bench.log"
done
[ "$FAILS" = 0 ]
