#!/bin/sh
# Every C code block of the docs compiles as written.
#
#   tests/docs/run.sh [file.md...]    (make test-docs; default: README.md docs/*.md examples/*/README.md)
#
# Convention (docs/TESTING.md): each ```c block is one complete translation unit. It is compiled
# alone with `cc -c` (no main needed) and these flags; whatever the block uses - a header, a
# variable, a function your system provides such as now_ms() - the block includes or declares.
# A compile error is reported at the line of the .md file (#line), e.g. "README.md:61:5: error".
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
OUT=$BUILD/docs-test
CC=${CC:-cc}
DOC_CFLAGS="-std=c99 -Wall -Wextra -Werror -Wimplicit-function-declaration"
# The include paths a user of the library and its ports has; mbedTLS's headers are the system's.
DOC_INCS="-Iinclude"
for d in port/*/; do DOC_INCS="$DOC_INCS -I${d%/}"; done
# FreeRTOS's queue API, declared (tests/docs/freertos), for the RTOS patterns of docs/PORTING.md.
DOC_INCS="$DOC_INCS -Itests/docs/freertos"
# littlefs's file API, declared (tests/docs/littlefs), for the session store of docs/PORTING.md.
DOC_INCS="$DOC_INCS -Itests/docs/littlefs"

rm -rf "$OUT"
mkdir -p "$OUT"

# extract <file.md> <dir>: one <dir>/<n>.c per ```c block, starting with a #line directive that
# points at the block's first line; prints "<n> <line>" per block.
extract() {
    awk -v md="$1" -v dir="$2" '
        function flush() { close(f) }
        !inblk && /^[ \t]*```c[ \t]*$/ {
            inblk = 1; n++; ind = match($0, /[^ \t]/) - 1
            f = dir "/" n ".c"
            printf "#line %d \"%s\"\n", NR + 1, md > f
            print n, NR + 1
            next
        }
        inblk && /^[ \t]*```[ \t]*$/ { inblk = 0; flush(); next }
        inblk { line = $0; if (ind > 0 && substr(line, 1, ind) ~ /^[ \t]*$/) line = substr(line, ind + 1); print line > f }
        END { if (inblk) { printf "%s:%d: unterminated ```c block\n", md, NR > "/dev/stderr"; exit 2 } }
    ' "$1"
}

# check <file.md>: compile its blocks; counts into PASS/FAIL.
PASS=0; FAIL=0; BLOCKS=0
check() {
    md=$1
    dir=$OUT/$(echo "$md" | tr '/.' '__')
    mkdir -p "$dir"
    list=$(extract "$md" "$dir") || { FAIL=$((FAIL + 1)); return; }
    [ -n "$list" ] || return 0
    echo "$list" | {
        p=0; f=0
        while read -r n line; do
            if $CC $DOC_CFLAGS $DOC_INCS -c "$dir/$n.c" -o "$dir/$n.o" >"$dir/$n.log" 2>&1; then
                echo "docs: ok    $md:$line"
                p=$((p + 1))
            else
                echo "docs: FAIL  $md:$line (the \`\`\`c block starting there does not compile):"
                sed 's/^/    /' "$dir/$n.log"
                f=$((f + 1))
            fi
        done
        echo "$p $f" >"$dir/counts"
    }
    read -r p f <"$dir/counts"
    PASS=$((PASS + p)); FAIL=$((FAIL + f)); BLOCKS=$((BLOCKS + p + f))
}

# Self-check first: the extraction and the flags must catch a block that calls an undeclared
# function, report the .md line, and pass a correct one; otherwise this test proves nothing.
mkdir -p "$OUT/self"
printf 'Text.\n\n```c\nint f(void);\nint f(void) { return puts("x"); }\n```\n\n  ```c\n  #include <stdio.h>\n  int g(void);\n  int g(void) { return puts("x"); }\n  ```\n' >"$OUT/self/self.md"
extract "$OUT/self/self.md" "$OUT/self" >"$OUT/self/list"
if [ "$(tr '\n' ' ' <"$OUT/self/list")" != "1 4 2 9 " ]; then
    echo "docs: FAIL: self-check: blocks found at '$(cat "$OUT/self/list")', expected lines 4 and 9" >&2; exit 1
fi
if $CC $DOC_CFLAGS -c "$OUT/self/1.c" -o "$OUT/self/1.o" >"$OUT/self/1.log" 2>&1 ||
   ! grep -q "self.md:5:.*puts" "$OUT/self/1.log"; then
    echo "docs: FAIL: self-check: puts without <stdio.h> was not refused at self.md:5" >&2
    cat "$OUT/self/1.log" >&2; exit 1
fi
$CC $DOC_CFLAGS -c "$OUT/self/2.c" -o "$OUT/self/2.o" 2>"$OUT/self/2.log" ||
    { echo "docs: FAIL: self-check: a correct indented block did not compile" >&2; cat "$OUT/self/2.log" >&2; exit 1; }

if [ $# -eq 0 ]; then set -- README.md docs/*.md examples/*/README.md; fi
for md in "$@"; do
    [ -f "$md" ] || { echo "docs: FAIL: $md not found" >&2; FAIL=$((FAIL + 1)); continue; }
    check "$md"
done

if [ "$BLOCKS" -eq 0 ] && [ "$FAIL" -eq 0 ]; then
    echo "docs: FAIL: no \`\`\`c block found in $*" >&2; exit 1
fi
if [ "$FAIL" -ne 0 ]; then
    echo "docs: FAIL: $FAIL of $BLOCKS C blocks do not compile ($CC $DOC_CFLAGS)" >&2; exit 1
fi
echo "docs: OK: all $BLOCKS C blocks of $# files compile ($CC $DOC_CFLAGS $DOC_INCS)"
