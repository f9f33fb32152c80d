#!/bin/sh
# bmqtt as CMake and pkg-config consumers meet it (make test-cmake).
#
#   1. add_subdirectory(bmqtt): tests/cmake/consumer built against the source tree; bmqtt's
#      sources compile without -Werror there (it is not the top-level project), while bmqtt's
#      own top-level build has it (so the check can fail);
#   2. find_package(bmqtt CONFIG): bmqtt built alone, `cmake --install` into $BUILD/cmake-prefix,
#      the consumer configured with CMAKE_PREFIX_PATH only; it must find the installed package,
#      not the source tree;
#   3. pkg-config: `cc main.c $(pkg-config --cflags --libs bmqtt)` with PKG_CONFIG_PATH at the
#      prefix; the .pc's version must be bmqtt.mk's.
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
# commands_for <compile_commands.json> <path fragment>: the compile commands of those files.
commands_for() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
for e in json.load(open(sys.argv[1])):
    if sys.argv[2] in e["file"]:
        print(e.get("command") or " ".join(e.get("arguments", [])))
EOF
}

rm -rf "$OUT" "$PREFIX"
mkdir -p "$OUT"

# --- 0. bmqtt at the top level: -Werror is on (the control for check 1) ---------------------
if step "$OUT/top.log" cmake -S "$ROOT" -B "$OUT/top" -DBUILD_TESTING=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON; then
    n=$(commands_for "$OUT/top/compile_commands.json" "/src/codec/" | grep -c -- '-Werror')
    if [ "$n" -ge 1 ]; then ok "top level: bmqtt's sources compile with -Werror ($n files)"
    else fail "top level: no -Werror on bmqtt's sources (the add_subdirectory check below proves nothing)"; fi
else fail "top-level configure"; fi

# --- 1. add_subdirectory(bmqtt) -----------------------------------------------------------
B=$OUT/subdirectory
if step "$OUT/sub-configure.log" cmake -S "$CONSUMER" -B "$B" -DBMQTT_CONSUMER_MODE=subdirectory \
        -DBMQTT_SOURCE_DIR="$ROOT" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON &&
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
    run_consumer "add_subdirectory" "$B/consumer"
else fail "add_subdirectory build"; fi

# --- 2. cmake --install, then find_package(bmqtt CONFIG) ------------------------------------
if step "$OUT/lib-configure.log" cmake -S "$ROOT" -B "$OUT/lib" -DBUILD_TESTING=OFF &&
   step "$OUT/lib-build.log" cmake --build "$OUT/lib" -j "$JOBS" &&
   step "$OUT/install.log" cmake --install "$OUT/lib" --prefix "$PREFIX"; then
    for f in lib/libbmqtt.a include/bmqtt/codec.h include/bmqtt/client.h lib/cmake/bmqtt/bmqttConfig.cmake \
             lib/cmake/bmqtt/bmqttConfigVersion.cmake lib/cmake/bmqtt/bmqttTargets.cmake lib/pkgconfig/bmqtt.pc; do
        [ -f "$PREFIX/$f" ] || fail "install: $f missing under the prefix"
    done
    ok "install: $(find "$PREFIX" -type f | wc -l) files in $PREFIX"
    B=$OUT/package
    if step "$OUT/pkg-configure.log" cmake -S "$CONSUMER" -B "$B" -DBMQTT_CONSUMER_MODE=package \
            -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON &&
       step "$OUT/pkg-build.log" cmake --build "$B" -j "$JOBS"; then
        dir=$(sed -n 's/^bmqtt_DIR:[A-Z]*=//p' "$B/CMakeCache.txt")
        if [ "$dir" != "$PREFIX/lib/cmake/bmqtt" ]; then fail "find_package: found '$dir', not the installed package"
        elif commands_for "$B/compile_commands.json" "consumer/main.c" | grep -q -- "-I$ROOT/include"; then
            fail "find_package: main.c compiles against the source tree's headers"
        else ok "find_package: bmqtt::bmqtt from $dir (headers and library from the prefix)"; fi
        run_consumer "find_package" "$B/consumer"
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
    pcv=$(pkg-config --modversion bmqtt 2>&1)
    if [ "$pcv" != "$VERSION" ]; then fail "pkg-config: version '$pcv', bmqtt.mk says $VERSION"
    else ok "pkg-config: bmqtt $pcv, $(pkg-config --cflags --libs bmqtt)"; fi
    # shellcheck disable=SC2046
    if step "$OUT/pc-build.log" ${CC:-cc} -std=c99 -Wall -Wextra -Werror "$CONSUMER/main.c" \
            $(pkg-config --cflags --libs bmqtt) -o "$OUT/consumer-pc"; then
        run_consumer "pkg-config" "$OUT/consumer-pc"
    else fail "pkg-config build"; fi
else fail "bmqtt build or install"; fi

if [ $FAILS -ne 0 ]; then echo "cmake-test: FAIL: $FAILS check(s) failed (logs in $OUT)" >&2; exit 1; fi
echo "cmake-test: OK: add_subdirectory, find_package and pkg-config consumers built and run"
