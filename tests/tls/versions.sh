#!/bin/sh
# port/mbedtls on mbedTLS built from Debian's source packages: 2.28 LTS (bookworm)
# and 3.6 LTS (trixie), each
#  1. with its own default configuration: the TLS suite of tests/tls/run.sh (the port
#     and tls_test linked against that build; under valgrind too where TLS_VALGRIND_ON
#     names the suite);
#  2. with port/mbedtls/bmqtt_mbedtls_config.h (the MCU configuration) on mbedTLS's
#     buffer allocator: real handshakes, and the pool peaks of the ECDSA, mutual and
#     RSA-2048 handshakes (MBEDTLS_MEMORY_DEBUG counters);
#  3. with the MCU configuration for Cortex-M4 (-Os): the flash a --gc-sections link of
#     a firmware's use of the port (tests/tls/link_tls.c) keeps of mbedTLS, from its map.
#
#   tests/tls/versions.sh [suite...]        (make test-tls-versions; default: bookworm trixie)
#
# Sources are fetched with tests/tls/debsrc.sh (the script's own apt configuration)
# into $BUILD/debsrc, built under $BUILD/mbedtls/<version>/ once per version (a second
# run reuses them). Each version's figures go to $BUILD/mbedtls/<version>/report.txt.
# Prints PASS/FAIL lines; exits non-zero when anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
OUT=$BUILD/mbedtls
LIB=${BMQTT_LIB:-$BUILD/libbmqtt.a}
CROSS=${CROSS:-arm-none-eabi-}
WARN=${LIB_WARN:--std=c99 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes -Wundef -Werror}
VG_ON=${TLS_VALGRIND_ON:-trixie}
SUITES=${*:-bookworm trixie}
CFG="-DMBEDTLS_CONFIG_FILE=\"bmqtt_mbedtls_config.h\""
FAILS=0
ko() { FAILS=$((FAILS + 1)); echo "FAIL $1"; }
ok() { echo "PASS $1"; }
[ -f "$LIB" ] || { echo "FAIL tls-versions: $LIB not built (make lib)"; exit 1; }
mkdir -p "$OUT"

# One version, start to end; returns the number of failures. Versions run side by side.
one() {
    suite=$1
    # 0. the source, once
    if [ -s "$OUT/$suite.src" ] && [ -d "$(cat "$OUT/$suite.src")/library" ]; then
        src=$(cat "$OUT/$suite.src")
    elif src=$("$here/debsrc.sh" "$suite" mbedtls "$BUILD/debsrc" 2>"$OUT/$suite.log" | tail -1) && [ -d "$src/library" ]; then
        echo "$src" >"$OUT/$suite.src"
    else
        ko "mbedTLS source of $suite: $(tail -3 "$OUT/$suite.log")"; return $FAILS
    fi
    ver=$(sed -n 's/^#define MBEDTLS_VERSION_STRING  *"\(.*\)".*/\1/p' "$src/include/mbedtls/build_info.h" \
        "$src/include/mbedtls/version.h" 2>/dev/null | head -1)
    V=$OUT/$ver
    echo "== mbedTLS $ver (Debian $suite source package) in $V"
    t0=$(date +%s)
    libs=""
    for variant in default mcu m4; do
        l=$("$here/mbedtls_build.sh" "$src" "$V" "$variant" 2>"$V.$variant.log" | tail -1)
        if [ ! -f "$l" ]; then ko "mbedTLS $ver $variant build"; sed 's/^/    /' "$V.$variant.log" | head -20; return $FAILS; fi
        libs="$libs $l"
    done
    # shellcheck disable=SC2086
    set -- $libs
    L_DEF=$1; L_MCU=$2; L_M4=$3
    echo "   libraries built or reused in $(( $(date +%s) - t0 )) s"
    : >"$V/report.txt"

    # 1. the port (library warnings) and tls_test against the default build
    HOST="-I$src/include -Iinclude -Iport/posix -Iport/mbedtls -Itests/tls"
    # shellcheck disable=SC2086
    if cc -O2 -g $WARN -D_POSIX_C_SOURCE=200809L $HOST -c port/mbedtls/bmqtt_tls.c -o "$V/bmqtt_tls.o" 2>"$V/cc.log" &&
        cc -O2 -g $WARN -D_POSIX_C_SOURCE=200809L $HOST -c port/mbedtls/bmqtt_tls_session.c -o "$V/bmqtt_tls_session.o" 2>>"$V/cc.log" &&
        cc -O2 -g $WARN -D_POSIX_C_SOURCE=200809L $HOST -c port/posix/bmqtt_posix.c -o "$V/bmqtt_posix.o" 2>>"$V/cc.log" &&
        cc -O2 -g -std=c11 -D_GNU_SOURCE $HOST tests/tls/tls_test.c tests/tls/pool.c "$V/bmqtt_tls.o" "$V/bmqtt_tls_session.o" "$V/bmqtt_posix.o" \
            "$LIB" "$L_DEF" -Wl,--wrap=calloc -Wl,--wrap=free -lpthread -o "$V/tls_test" 2>>"$V/cc.log" &&
        cc -O2 -g -std=c11 -D_GNU_SOURCE $HOST tests/tls/resume_test.c tests/tls/pool.c "$V/bmqtt_tls.o" \
            "$V/bmqtt_tls_session.o" "$V/bmqtt_posix.o" "$LIB" "$L_DEF" -Wl,--wrap=calloc -Wl,--wrap=free -lpthread \
            -o "$V/resume_test" 2>>"$V/cc.log"; then
        ok "mbedTLS $ver: port/mbedtls builds with the library warnings (-Werror), tls_test links"
    else
        ko "mbedTLS $ver: build of the port or tls_test"; sed 's/^/    /' "$V/cc.log" | head -30; return $FAILS
    fi
    vg=0; for s in $VG_ON; do [ "$s" = "$suite" ] && vg=1; done
    RESUME_BIN=$V/resume_test TLS_SUITE=core TLS_VALGRIND=$vg "$here/run.sh" "$V/tls_test" >"$V/suite.log" 2>&1
    rc=$?
    grep -E '^(FAIL|NOTE|tls:)' "$V/suite.log" | sed 's/^/    /'
    if [ $rc = 0 ]; then ok "mbedTLS $ver: the TLS suite$([ $vg = 1 ] && echo ', natively and under valgrind')"
    else ko "mbedTLS $ver: the TLS suite (log: $V/suite.log)"; fi

    # 2. the MCU configuration on mbedTLS's buffer allocator
    # shellcheck disable=SC2086
    if cc -O2 -g -std=c11 -D_GNU_SOURCE $CFG -DMBEDTLS_MEMORY_DEBUG $HOST tests/tls/tls_test.c tests/tls/pool.c \
            port/mbedtls/bmqtt_tls.c port/mbedtls/bmqtt_tls_session.c port/posix/bmqtt_posix.c "$LIB" "$L_MCU" -o "$V/tls_test-mcu" 2>"$V/cc-mcu.log" &&
        cc -O2 -g -std=c11 -D_GNU_SOURCE $CFG -DMBEDTLS_MEMORY_DEBUG $HOST tests/tls/resume_test.c tests/tls/pool.c \
            port/mbedtls/bmqtt_tls.c port/mbedtls/bmqtt_tls_session.c port/posix/bmqtt_posix.c "$LIB" "$L_MCU" \
            -o "$V/resume_test-mcu" 2>>"$V/cc-mcu.log"; then :
    else ko "mbedTLS $ver: tls_test on the MCU configuration"; sed 's/^/    /' "$V/cc-mcu.log" | head -30; return $FAILS; fi
    # Only platform.o may name calloc/free: its defaults before bmqtt_tls_pool_init() replaces them.
    if nm -A "$L_MCU" | grep -wE 'U (calloc|malloc|realloc|free)' | grep -v ':platform.o:'; then
        ko "mbedTLS $ver MCU configuration calls the system heap"
    else ok "mbedTLS $ver on bmqtt_mbedtls_config.h: only platform.o names calloc/free (its defaults before pool init)"; fi
    RESUME_BIN=$V/resume_test-mcu TLS_SUITE=mcu TLS_VALGRIND=0 "$here/run.sh" "$V/tls_test-mcu" >"$V/mcu.log" 2>&1
    rc=$?
    grep -E '^(PASS|FAIL)|mbedtls pool:' "$V/mcu.log" | sed 's/^/    /'
    grep 'mbedtls pool:' "$V/mcu.log" | sed "s/^ */pool $ver: /" >>"$V/report.txt"
    if [ $rc = 0 ]; then ok "mbedTLS $ver: handshakes and round trips on the MCU configuration"
    else ko "mbedTLS $ver: the MCU suite (log: $V/mcu.log)"; fi

    # 3. Cortex-M4 flash of the MCU configuration, from a --gc-sections link map
    XF="-Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections"
    # shellcheck disable=SC2086
    if ${CROSS}gcc $XF $WARN $CFG -isystem $src/include -Iinclude -Iport/mbedtls -c port/mbedtls/bmqtt_tls.c \
            -o "$V/bmqtt_tls-m4.o" 2>"$V/m4.log" &&
        ${CROSS}gcc $XF $WARN $CFG -isystem $src/include -Iinclude -Iport/mbedtls -c port/mbedtls/bmqtt_tls_session.c \
            -o "$V/bmqtt_tls_session-m4.o" 2>>"$V/m4.log" &&
        ${CROSS}gcc $XF $WARN $CFG -isystem $src/include -Iinclude -Iport/mbedtls -c tests/tls/link_tls.c \
            -o "$V/link_tls-m4.o" 2>>"$V/m4.log" &&
        ${CROSS}gcc $XF $WARN -Iinclude -c src/codec/bmqtt_status.c -o "$V/bmqtt_status-m4.o" 2>>"$V/m4.log" &&
        ${CROSS}gcc -mcpu=cortex-m4 -mthumb -nostartfiles --specs=nosys.specs -Wl,--gc-sections -Wl,-e,main \
            -Wl,-Map="$V/link_tls.map" "$V/link_tls-m4.o" "$V/bmqtt_tls-m4.o" "$V/bmqtt_tls_session-m4.o" "$V/bmqtt_status-m4.o" "$L_M4" \
            -o "$V/link_tls.elf" 2>>"$V/m4.log"; then
        f=$(python3 "$here/map_flash.py" "$V/link_tls.map" libmbedtls-all.a bmqtt_tls-m4.o bmqtt_tls_session-m4.o)
        mt=$(echo "$f" | awk '$1 == "libmbedtls-all.a" { print $2 + $3 }')
        pt=$(echo "$f" | awk '$1 ~ /^bmqtt_tls(_session)?-m4.o$/ { s += $2 + $3 } END { print s }')
        echo "flash $ver: Cortex-M4 -Os --gc-sections, bmqtt_mbedtls_config.h: mbedTLS $mt B, port/mbedtls $pt B (text+rodata+data)" \
            >>"$V/report.txt"
        ok "mbedTLS $ver Cortex-M4 link (tests/tls/link_tls.c): mbedTLS keeps $mt B of flash, port/mbedtls $pt B"
    else
        ko "mbedTLS $ver Cortex-M4 build/link"; sed 's/^/    /' "$V/m4.log" | head -30
    fi
    echo "   mbedTLS $ver done in $(( $(date +%s) - t0 )) s; figures in $V/report.txt"
    return $FAILS
}

T0=$(date +%s)
pids=""
for suite in $SUITES; do
    one "$suite" >"$OUT/$suite.out" 2>&1 &
    pids="$pids $!"
done
total=0
set -- $pids
for suite in $SUITES; do
    wait "$1"; total=$((total + $?)); shift
    cat "$OUT/$suite.out"
done
echo "tls-versions: $total failed ($(( $(date +%s) - T0 )) s)"
[ "$total" = 0 ]
