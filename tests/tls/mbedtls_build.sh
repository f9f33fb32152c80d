#!/bin/sh
# Build mbedTLS from a source tree into one static archive, once per version and
# variant (a later run with the same version finds the archive and returns at once).
#
#   tests/tls/mbedtls_build.sh <mbedtls-source-dir> <outdir> <variant>
#
#   default  the tree's own configuration, host compiler, -O2 -g (the TLS suite)
#   mcu      port/mbedtls/bmqtt_mbedtls_config.h + MBEDTLS_MEMORY_DEBUG, host
#            (handshakes on mbedTLS's buffer allocator, with its peak counters)
#   m4       port/mbedtls/bmqtt_mbedtls_config.h, arm-none-eabi-gcc -Os Cortex-M4,
#            -ffunction-sections -fdata-sections (the flash a firmware link keeps)
#   m4srv    the same with tests/tls/bench_mbedtls_config.h (the MCU configuration plus
#            a server with tickets and a session cache): make tls-bench
#
# Prints the archive's path on its last line. Objects are compiled two at a time
# per core (xargs -P).
set -eu
SRC=${1:?usage: mbedtls_build.sh <src> <outdir> <default|mcu|m4>}
OUT=${2:?usage}
VAR=${3:?usage}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SRC=$(cd "$SRC" && pwd)
D=$OUT/$VAR
LIB=$D/libmbedtls-all.a
if [ -f "$LIB" ] && [ -f "$D/.done" ]; then echo "$LIB"; exit 0; fi
rm -rf "$D"
mkdir -p "$D/obj"
CFG="-DMBEDTLS_CONFIG_FILE=\"bmqtt_mbedtls_config.h\" -I$root/port/mbedtls"
case $VAR in
    default) CC_="${HOSTCC:-cc} -O2 -g"; FLAGS="" ;;
    mcu) CC_="${HOSTCC:-cc} -O2 -g"; FLAGS="$CFG -DMBEDTLS_MEMORY_DEBUG" ;;
    m4) CC_="${CROSS:-arm-none-eabi-}gcc -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections"; FLAGS="$CFG" ;;
    m4srv) CC_="${CROSS:-arm-none-eabi-}gcc -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections"
        FLAGS="-DMBEDTLS_CONFIG_FILE=\"bench_mbedtls_config.h\" -I$root/tests/tls -I$root/port/mbedtls" ;;
    *) echo "mbedtls_build: unknown variant $VAR" >&2; exit 2 ;;
esac
AR_=ar
case $VAR in m4*) AR_="${CROSS:-arm-none-eabi-}ar" ;; esac
# 3.x keeps PSA's private headers next to the sources, and some trees a 3rdparty directory.
INC="-I$SRC/include -I$SRC/library"
[ -d "$SRC/3rdparty/everest/include" ] && INC="$INC -I$SRC/3rdparty/everest/include"
[ -d "$SRC/tf-psa-crypto/include" ] && INC="$INC -I$SRC/tf-psa-crypto/include"
jobs=$(( $(nproc 2>/dev/null || echo 2) * 2 ))
export CC_ FLAGS INC D
# shellcheck disable=SC2016
if ! ls "$SRC"/library/*.c | xargs -P "$jobs" -I{} sh -c \
    'o="$D/obj/$(basename {} .c).o"; $CC_ $FLAGS $INC -c {} -o "$o" 2>"$o.log" || { cat "$o.log" >&2; exit 255; }'; then
    echo "mbedtls_build: $VAR build of $SRC failed" >&2
    exit 1
fi
$AR_ rcs "$LIB" "$D"/obj/*.o
touch "$D/.done"
echo "$LIB"
