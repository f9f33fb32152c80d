#!/bin/sh
# Build mbedTLS from its source with port/mbedtls/bmqtt_mbedtls_config.h and
#  1. measure real handshakes on mbedTLS's own static buffer allocator
#     (MBEDTLS_MEMORY_BUFFER_ALLOC_C, + MBEDTLS_MEMORY_DEBUG for the peak):
#     tests/tls/run.sh runs its "mcu" subset with a tls_test linked to that build;
#  2. cross-compile the same library for Cortex-M4 and print its flash size.
#
# Not part of `make test` (it needs an mbedTLS source tree, which Debian's
# libmbedtls-dev does not ship). Usage:
#   git clone --branch v2.28.3 https://github.com/Mbed-TLS/mbedtls /tmp/mbedtls   (or any 2.28 tree)
#   tests/tls/mcu_config.sh /tmp/mbedtls
set -eu
SRC=${1:?usage: tests/tls/mcu_config.sh <mbedtls-source-dir>}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
OUT=${BUILD:-build}/tls-mcu
CROSS=${CROSS:-arm-none-eabi-}
CFG="-DMBEDTLS_CONFIG_FILE=\"bmqtt_mbedtls_config.h\" -Iport/mbedtls -I$SRC/include"
mkdir -p "$OUT/host" "$OUT/m4"

echo "== mbedTLS $(sed -n 's/.*MBEDTLS_VERSION_STRING  *"\(.*\)".*/\1/p' "$SRC/include/mbedtls/version.h") with bmqtt_mbedtls_config.h"
# 1. host library (with the allocator's statistics) and a tls_test on it
for f in "$SRC"/library/*.c; do
    o="$OUT/host/$(basename "$f" .c).o"
    # shellcheck disable=SC2086
    cc -O2 -g $CFG -DMBEDTLS_MEMORY_DEBUG -c "$f" -o "$o"
done
rm -f "$OUT/libmbedtls-mcu.a" && ar rcs "$OUT/libmbedtls-mcu.a" "$OUT"/host/*.o
make -s lib
# shellcheck disable=SC2086
cc -O2 -g -std=c11 -D_GNU_SOURCE $CFG -DMBEDTLS_MEMORY_DEBUG -Iinclude -Iport/posix -Itests/tls \
    tests/tls/tls_test.c tests/tls/pool.c port/mbedtls/bmqtt_tls.c port/posix/bmqtt_posix.c \
    build/libbmqtt.a "$OUT/libmbedtls-mcu.a" -o "$OUT/tls_test"
# Only platform.o may name calloc/free: its initial pointers, replaced by bmqtt_tls_pool_init().
if nm -A "$OUT/libmbedtls-mcu.a" | grep -wE 'U (calloc|malloc|realloc|free)' | grep -v ':platform.o:'; then
    echo "FAIL mcu: the MCU build of mbedTLS calls the system heap"; exit 1
fi
echo "PASS mcu: mbedTLS on bmqtt_mbedtls_config.h: only platform.o names calloc/free (its defaults before pool init)"

# 2. Cortex-M4 flash size of the same configuration (no MEMORY_DEBUG)
mkdir -p "$OUT/inc"
for f in "$SRC"/library/*.c; do
    o="$OUT/m4/$(basename "$f" .c).o"
    # shellcheck disable=SC2086
    ${CROSS}gcc -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections $CFG -c "$f" -o "$o"
done
# shellcheck disable=SC2086
${CROSS}gcc -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections -std=c99 -Wall -Wextra -Wconversion \
    -Werror $CFG -Iinclude -c port/mbedtls/bmqtt_tls.c -o "$OUT/m4/bmqtt_tls.o"
echo "== Cortex-M4 -Os, text/data/bss per object (whole library: every object is linked only if used)"
${CROSS}size -t "$OUT"/m4/*.o | tail -1
${CROSS}size "$OUT/m4/bmqtt_tls.o" | tail -1

# 3. real handshakes on the buffer allocator
TLS_SUITE=mcu TLS_VALGRIND=0 "$here/run.sh" "$OUT/tls_test"
