#!/bin/sh
# bmqtt.mk in a Makefile of the shape STM32CubeMX generates (tests/cubemx/project), cross-compiled
# for Cortex-M4 (make test-cubemx). The user's three lines go
#   after_includes: after C_INCLUDES (the last variable they add to), before CubeMX's vpath line;
#   before_vpath:   just before `OBJECTS =` and CubeMX's vpath line;
#   at_end:         appended at the end of the Makefile, where regeneration keeps them;
# each must build the image (elf, hex, bin) with bmqtt's client in it, warning-free under
# CubeMX's -Wall, as the default goal, and a second make must find nothing to do.
# Control: at the end with BMQTT_NO_VPATH=1 (bmqtt.mk's vpath and prerequisite off) the link
# must fail as it did before, so the test can tell.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/cubemx
FAILS=0
fail() { echo "cubemx-test: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "cubemx-test: ok: $*"; }

LINES='include Middlewares/Third_Party/bmqtt/bmqtt.mk\
C_SOURCES += $(BMQTT_SRCS)\
C_INCLUDES += $(addprefix -I,$(BMQTT_INCS))'

# project <name> <marker that gets the lines>
project() {
    d=$OUT/$1
    rm -rf "$d"; mkdir -p "$d/Middlewares/Third_Party"
    cp -r "$ROOT/tests/cubemx/project/." "$d/"
    ln -s "$ROOT" "$d/Middlewares/Third_Party/bmqtt"
    sed -i -e "s|^@$2@\$|$LINES|" -e 's|^@BMQTT_[A-Z_]*@$||' "$d/Makefile"
    grep -q '^include Middlewares/Third_Party/bmqtt/bmqtt.mk' "$d/Makefile" || fail "$1: lines not inserted"
}

for place in after_includes before_vpath at_end; do
    m=BMQTT_$(echo "$place" | tr a-z A-Z)
    project "$place" "$m"
    d=$OUT/$place
    if (cd "$d" && make -j2) >"$d/make.log" 2>&1; then
        elf=$d/build/cubemx_bmqtt.elf
        if ! [ -f "$elf" ] || ! [ -f "$d/build/cubemx_bmqtt.hex" ] || ! [ -f "$d/build/cubemx_bmqtt.bin" ]; then
            fail "$place: make did not build elf, hex and bin (default goal?)"
        elif ! arm-none-eabi-nm "$elf" | grep -q ' T bmqtt_client_poll$'; then
            fail "$place: bmqtt_client_poll is not in the image"
        elif grep -q 'warning:' "$d/make.log"; then
            fail "$place: warnings: $(grep -m3 'warning:' "$d/make.log")"
        else
            n=$(ls "$d/build" | grep -c '^bmqtt_.*\.o$')
            ok "$place: image linked with $n bmqtt objects, $(arm-none-eabi-size "$elf" | awk 'NR==2{print $1+$2 " B flash"}'), no warning"
        fi
        if (cd "$d" && make) 2>&1 | grep -q 'arm-none-eabi-gcc'; then fail "$place: a second make rebuilt something"
        else ok "$place: a second make has nothing to do"; fi
    else
        fail "$place: make failed: $(grep -m3 -E 'error|Error' "$d/make.log")"
    fi
done

project control BMQTT_AT_END
if (cd "$OUT/control" && make -j2 BMQTT_NO_VPATH=1) >"$OUT/control/make.log" 2>&1; then
    fail "control: appended at the end without bmqtt.mk's vpath, the image still linked (the test proves nothing)"
elif grep -q 'cannot find build/bmqtt_' "$OUT/control/make.log" || grep -q "No rule to make target" "$OUT/control/make.log"; then
    ok "control: without bmqtt.mk's vpath the appended lines fail as they did ($(grep -m1 -o 'cannot find build/bmqtt_[a-z_]*\.o' "$OUT/control/make.log"))"
else fail "control: failed for another reason (see $OUT/control/make.log)"; fi

if [ $FAILS -ne 0 ]; then echo "cubemx-test: FAIL: $FAILS check(s)" >&2; exit 1; fi
echo "cubemx-test: OK: bmqtt.mk before and after CubeMX's vpath line"
