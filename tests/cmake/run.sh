#!/bin/sh
# bmqtt as CMake and pkg-config consumers meet it (make test-cmake).
#
# Three programs in tests/cmake/consumer: consumer (the codec: bmqtt::bmqtt), readme_client
# (README.md's client example, cut from README.md: bmqtt::posix) and at_cloud (bmqtt::at +
# bmqtt::cloud), each built by every path below and run; firmware.elf (bmqtt::at for Cortex-M4,
# cmake/arm-none-eabi.cmake) by add_subdirectory, FetchContent and find_package.
#
#   1. add_subdirectory(bmqtt): tests/cmake/consumer built against the source tree; bmqtt's
#      sources compile without -Werror there (it is not the top-level project), while bmqtt's
#      own top-level build has it (so the check can fail);
#   2. find_package(bmqtt CONFIG): bmqtt built alone, `cmake --install` into $BUILD/cmake-prefix,
#      the consumer configured with CMAKE_PREFIX_PATH only; it must find the installed package,
#      not the source tree;
#   3. pkg-config: `cc main.c $(pkg-config --cflags --libs bmqtt)` with PKG_CONFIG_PATH at the
#      prefix; the .pc's version must be bmqtt.mk's.
#   4. FetchContent from a local archive of the tree (no network);
#   5. Cortex-M4: the toolchain file; bmqtt's tests are off by themselves; no POSIX port.
# Each consumer binary is run: it encodes a CONNECT and its exit code says whether the bytes are
# the expected ones; this script also compares the hex it prints.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/cmake-test
PREFIX=$BUILD/cmake-prefix
CONSUMER=$ROOT/tests/cmake/consumer
JOBS=${JOBS:-2}
VERSION=$(sed -n 's/^BMQTT_VERSION := //p' bmqtt.mk)
WANT="consumer: bmqtt $VERSION CONNECT 10 14 00 04 4D 51 54 54 04 02 00 3C 00 08 63 6F 6E 73 75 6D 65 72"

FAILS=0
fail() { echo "cmake-test: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "cmake-test: ok: $*"; }
# step <log> <command...>: run quietly, show the log when it fails.
step() {
    log=$1; shift
    if "$@" >"$log" 2>&1; then return 0; fi
    echo "cmake-test: \`$*\` failed:" >&2; tail -n 30 "$log" | sed 's/^/  | /' >&2
    return 1
}
# run_consumer <what> <binary>
run_consumer() {
    got=$("$2" 2>&1); rc=$?
    if [ $rc -ne 0 ]; then fail "$1: the consumer exited $rc: $got"; return; fi
    if [ "$got" != "$WANT" ]; then fail "$1: printed '$got', expected '$WANT'"; return; fi
    ok "$1: the consumer encodes the expected 22-byte CONNECT"
}
# run_all <what> <dir>: the three host programs of one build.
run_all() {
    run_consumer "$1" "$2/consumer"
    got=$("$2/readme_client" 2>&1)
    if [ "$got" = "readme_client: linked" ]; then ok "$1: README.md's client example builds with bmqtt::posix and runs"
    else fail "$1: readme_client printed '$got'"; fi
    got=$("$2/at_cloud" 2>&1); rc=$?
    if [ $rc -eq 0 ]; then ok "$1: at_cloud: $got"
    else fail "$1: at_cloud exited $rc: $got"; fi
}
# firmware_ok <what> <elf>: an Arm ELF with bmqtt's AT interpreter linked in.
firmware_ok() {
    if ! [ -f "$2" ]; then fail "$1: no $2"; return; fi
    mach=$(arm-none-eabi-readelf -h "$2" | sed -n 's/^ *Machine: *//p')
    if [ "$mach" != "ARM" ]; then fail "$1: $2 is for '$mach'"; return; fi
    if ! arm-none-eabi-nm "$2" | grep -q ' T bmqtt_at_poll$'; then fail "$1: bmqtt_at_poll not in $2"; return; fi
    ok "$1: Cortex-M4 firmware.elf links bmqtt::at ($(arm-none-eabi-size "$2" | awk 'NR==2{print $1+$2 " B flash"}'))"
}
# commands_for <compile_commands.json> <path fragment>: the compile commands of those files.
commands_for() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
for e in json.load(open(sys.argv[1])):
    if sys.argv[2] in e["file"]:
        print(e.get("command") or " ".join(e.get("arguments", [])))
EOF
}

rm -rf "$OUT" "$PREFIX" "$PREFIX-m4"
mkdir -p "$OUT"
# README.md's client example, the ```c block that includes bmqtt_posix.h, as a user copies it.
README_CLIENT=$OUT/readme_client.c
awk '/^```c$/ {inb=1; buf=""; next} /^```$/ && inb {inb=0; if (buf ~ /bmqtt_posix.h/) {printf "%s", buf; exit}} inb {buf = buf $0 "\n"}' \
    README.md >"$README_CLIENT"
if ! grep -q 'bmqtt_posix_connect' "$README_CLIENT"; then fail "no client example with bmqtt_posix.h in README.md"; fi
HOSTDEF="-DBMQTT_README_CLIENT=$README_CLIENT"
TOOLCHAIN=$ROOT/cmake/arm-none-eabi.cmake

# --- 0. bmqtt at the top level: -Werror is on (the control for check 1) ---------------------
if step "$OUT/top.log" cmake -S "$ROOT" -B "$OUT/top" -DBUILD_TESTING=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON; then
    n=$(commands_for "$OUT/top/compile_commands.json" "/src/codec/" | grep -c -- '-Werror')
    if [ "$n" -ge 1 ]; then ok "top level: bmqtt's sources compile with -Werror ($n files)"
    else fail "top level: no -Werror on bmqtt's sources (the add_subdirectory check below proves nothing)"; fi
else fail "top-level configure"; fi

# --- 1. add_subdirectory(bmqtt) -----------------------------------------------------------
B=$OUT/subdirectory
if step "$OUT/sub-configure.log" cmake -S "$CONSUMER" -B "$B" -DBMQTT_CONSUMER_MODE=subdirectory \
        -DBMQTT_SOURCE_DIR="$ROOT" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$HOSTDEF" &&
   step "$OUT/sub-build.log" cmake --build "$B" -j "$JOBS"; then
    lib_cmds=$(commands_for "$B/compile_commands.json" "/src/")
    nlib=$(printf '%s\n' "$lib_cmds" | grep -c 'bmqtt_')
    if [ "$nlib" -lt 1 ]; then fail "add_subdirectory: bmqtt's sources not in compile_commands.json"
    elif printf '%s\n' "$lib_cmds" | grep -q -- '-Werror'; then
        fail "add_subdirectory: bmqtt gives its sources -Werror inside a consumer's build"
    else ok "add_subdirectory: $nlib bmqtt sources compile without -Werror in the consumer's build"; fi
    if commands_for "$B/compile_commands.json" "consumer/main.c" | grep -q -- '-W'; then
        fail "add_subdirectory: bmqtt's warning flags reach the consumer's main.c"
    else ok "add_subdirectory: the consumer's main.c gets none of bmqtt's warning flags"; fi
    run_all "add_subdirectory" "$B"
    # Every list of bmqtt.mk reaches the parent project, with as many files as bmqtt.mk names.
    bad=""
    for l in $(sed -n 's/^\(BMQTT_[A-Z0-9_]*_SRCS\) += .*/\1/p' bmqtt.mk | sort -u); do
        want=$(grep -c "^$l += " bmqtt.mk)
        got=$(sed -n "s/^$l //p" "$B/bmqtt_lists.txt")
        [ "$got" = "$want" ] || bad="$bad $l($got/$want)"
    done
    if [ -n "$bad" ]; then fail "add_subdirectory: source lists not visible to the parent:$bad"
    else ok "add_subdirectory: $(wc -l <"$B/bmqtt_lists.txt") lists of bmqtt.mk visible to the parent project"; fi
else fail "add_subdirectory build"; fi

# --- 2. cmake --install, then find_package(bmqtt CONFIG) ------------------------------------
if step "$OUT/lib-configure.log" cmake -S "$ROOT" -B "$OUT/lib" -DBUILD_TESTING=OFF &&
   step "$OUT/lib-build.log" cmake --build "$OUT/lib" -j "$JOBS" &&
   step "$OUT/install.log" cmake --install "$OUT/lib" --prefix "$PREFIX"; then
    for l in at posix mbedtls websocket cloud lwip lwip_raw; do
        pc=$(echo "$l" | tr _ -)
        [ -f "$PREFIX/lib/libbmqtt_$l.a" ] || fail "install: lib/libbmqtt_$l.a missing (bmqtt::$l)"
        [ -f "$PREFIX/lib/pkgconfig/bmqtt-$pc.pc" ] || fail "install: lib/pkgconfig/bmqtt-$pc.pc missing"
    done
    for f in lib/libbmqtt.a include/bmqtt/codec.h include/bmqtt/client.h lib/cmake/bmqtt/bmqttConfig.cmake \
             lib/cmake/bmqtt/bmqttConfigVersion.cmake lib/cmake/bmqtt/bmqttTargets.cmake lib/pkgconfig/bmqtt.pc \
             include/bmqtt/at.h include/bmqtt/cloud.h include/bmqtt/aliyun.h include/bmqtt_posix.h include/bmqtt_tls.h \
             include/bmqtt_ws.h include/bmqtt_lwip.h include/bmqtt_lwip_raw.h; do
        [ -f "$PREFIX/$f" ] || fail "install: $f missing under the prefix"
    done
    ok "install: $(find "$PREFIX" -type f | wc -l) files in $PREFIX"
    B=$OUT/package
    if step "$OUT/pkg-configure.log" cmake -S "$CONSUMER" -B "$B" -DBMQTT_CONSUMER_MODE=package \
            -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$HOSTDEF" &&
       step "$OUT/pkg-build.log" cmake --build "$B" -j "$JOBS"; then
        dir=$(sed -n 's/^bmqtt_DIR:[A-Z]*=//p' "$B/CMakeCache.txt")
        if [ "$dir" != "$PREFIX/lib/cmake/bmqtt" ]; then fail "find_package: found '$dir', not the installed package"
        elif commands_for "$B/compile_commands.json" "consumer/main.c" | grep -q -- "-I$ROOT/include"; then
            fail "find_package: main.c compiles against the source tree's headers"
        else ok "find_package: bmqtt::bmqtt from $dir (headers and library from the prefix)"; fi
        run_all "find_package" "$B"
    else fail "find_package build"; fi
    # A version the package is not compatible with is refused (bmqttConfigVersion.cmake).
    if cmake -S "$CONSUMER" -B "$OUT/package-9.0" -DBMQTT_CONSUMER_MODE=package -DBMQTT_CONSUMER_VERSION=9.0 \
            -DCMAKE_PREFIX_PATH="$PREFIX" >"$OUT/package-9.0.log" 2>&1; then
        fail "find_package(bmqtt 9.0) accepted the installed $VERSION"
    elif grep -q "version: $VERSION" "$OUT/package-9.0.log"; then
        ok "find_package(bmqtt 9.0) refused: the installed $VERSION is not compatible"
    else fail "find_package(bmqtt 9.0) failed for another reason (see $OUT/package-9.0.log)"; fi

    # --- 3. pkg-config ----------------------------------------------------------------------
    export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
    mkdir -p "$OUT/pc"
    pcv=$(pkg-config --modversion bmqtt 2>&1)
    if [ "$pcv" != "$VERSION" ]; then fail "pkg-config: version '$pcv', bmqtt.mk says $VERSION"
    else ok "pkg-config: bmqtt $pcv, $(pkg-config --cflags --libs bmqtt)"; fi
    # shellcheck disable=SC2046
    if step "$OUT/pc-build.log" ${CC:-cc} -std=c99 -Wall -Wextra -Werror "$CONSUMER/main.c" \
            $(pkg-config --cflags --libs bmqtt) -o "$OUT/consumer-pc"; then :
    else fail "pkg-config build"; fi
    # README.md's client (bmqtt-posix) and the AT + cloud program (bmqtt-at, bmqtt-cloud).
    # shellcheck disable=SC2046
    if step "$OUT/pc-readme.log" ${CC:-cc} -std=c99 -Wall -Wextra -Werror "$CONSUMER/readme_main.c" "$README_CLIENT" \
            $(pkg-config --cflags --libs bmqtt-posix) -o "$OUT/pc/readme_client" &&
       step "$OUT/pc-at.log" ${CC:-cc} -std=c99 -Wall -Wextra -Werror "$CONSUMER/at_cloud.c" \
            $(pkg-config --cflags --libs bmqtt-at bmqtt-cloud) -o "$OUT/pc/at_cloud"; then
        cp "$OUT/consumer-pc" "$OUT/pc/consumer"
        run_all "pkg-config" "$OUT/pc"
    else fail "pkg-config: README client or AT + cloud build"; fi
    # Every layer's .pc resolves (Requires: bmqtt and what the layer needs).
    for l in at posix mbedtls websocket cloud lwip lwip-raw; do
        pkg-config --exists --print-errors "bmqtt-$l" >"$OUT/pc-$l.log" 2>&1 || fail "pkg-config bmqtt-$l: $(cat "$OUT/pc-$l.log")"
    done
else fail "bmqtt build or install"; fi

# --- 4. FetchContent from a local archive of the tree (what a release URL would serve) -----
ARCHIVE=$OUT/bmqtt-src.tar.gz
if command -v git >/dev/null && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$ROOT" ls-files -co --exclude-standard >"$OUT/files"
else
    (cd "$ROOT" && find . -path ./build -prune -o -type f -print | sed 's|^\./||') >"$OUT/files"
fi
grep -v '^build/' "$OUT/files" | (cd "$ROOT" && tar -czf "$ARCHIVE" --transform 's|^|bmqtt/|' -T -) || fail "archive"
B=$OUT/fetch
if step "$OUT/fetch-configure.log" cmake -S "$CONSUMER" -B "$B" -DBMQTT_CONSUMER_MODE=fetch \
        -DBMQTT_FETCH_URL="file://$ARCHIVE" -DFETCHCONTENT_FULLY_DISCONNECTED=OFF "$HOSTDEF" &&
   step "$OUT/fetch-build.log" cmake --build "$B" -j "$JOBS"; then
    if [ -f "$B/_deps/bmqtt-src/bmqtt.mk" ]; then run_all "FetchContent" "$B"
    else fail "FetchContent: the sources were not fetched into _deps"; fi
else fail "FetchContent build"; fi

# --- 5. Cortex-M4 with cmake/arm-none-eabi.cmake -------------------------------------------
if command -v arm-none-eabi-gcc >/dev/null; then
    B=$OUT/m4-subdirectory
    if step "$OUT/m4-sub.log" cmake -S "$CONSUMER" -B "$B" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
            -DBMQTT_CONSUMER_FIRMWARE=ON -DBMQTT_SOURCE_DIR="$ROOT" &&
       step "$OUT/m4-sub-build.log" cmake --build "$B" -j "$JOBS"; then
        firmware_ok "add_subdirectory" "$B/firmware.elf"
        grep -q 'bmqtt::posix not built: no <sys/socket.h>' "$OUT/m4-sub.log" &&
            ok "Cortex-M4: bmqtt::posix left out, and said why" || fail "Cortex-M4: no word on bmqtt::posix"
    else fail "Cortex-M4 add_subdirectory build"; fi
    B=$OUT/m4-fetch
    if step "$OUT/m4-fetch.log" cmake -S "$CONSUMER" -B "$B" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
            -DBMQTT_CONSUMER_FIRMWARE=ON -DBMQTT_CONSUMER_MODE=fetch -DBMQTT_FETCH_URL="file://$ARCHIVE" &&
       step "$OUT/m4-fetch-build.log" cmake --build "$B" -j "$JOBS"; then
        firmware_ok "FetchContent" "$B/firmware.elf"
    else fail "Cortex-M4 FetchContent build"; fi
    # bmqtt alone as the top-level project, cross: no -DBUILD_TESTING=OFF needed; installed.
    if step "$OUT/m4-lib.log" cmake -S "$ROOT" -B "$OUT/m4-lib" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" &&
       step "$OUT/m4-lib-build.log" cmake --build "$OUT/m4-lib" -j "$JOBS" &&
       step "$OUT/m4-install.log" cmake --install "$OUT/m4-lib" --prefix "$PREFIX-m4"; then
        if grep -q '^BUILD_TESTING:BOOL=OFF' "$OUT/m4-lib/CMakeCache.txt"; then ok "Cortex-M4: tests off by themselves"
        else fail "Cortex-M4: BUILD_TESTING is not off"; fi
        B=$OUT/m4-package
        if step "$OUT/m4-pkg.log" cmake -S "$CONSUMER" -B "$B" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
                -DBMQTT_CONSUMER_FIRMWARE=ON -DBMQTT_CONSUMER_MODE=package -DCMAKE_PREFIX_PATH="$PREFIX-m4" &&
           step "$OUT/m4-pkg-build.log" cmake --build "$B" -j "$JOBS"; then
            firmware_ok "find_package" "$B/firmware.elf"
        else fail "Cortex-M4 find_package build"; fi
    else fail "Cortex-M4 bmqtt build or install (top level)"; fi
else fail "arm-none-eabi-gcc not installed"; fi

if [ $FAILS -ne 0 ]; then echo "cmake-test: FAIL: $FAILS check(s) failed (logs in $OUT)" >&2; exit 1; fi
echo "cmake-test: OK: add_subdirectory, FetchContent, find_package and pkg-config consumers (host and Cortex-M4) built and run"
