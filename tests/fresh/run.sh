#!/bin/sh
# The README's commands on a fresh Debian 12 with nothing installed but make.
#
#   tests/fresh/run.sh            (as root; make test-fresh)
#   FRESH_SOURCE=HEAD tests/fresh/run.sh    a commit (git archive) instead of the working tree
#
# 1. A minimal bookworm (debootstrap --variant=minbase --include=make) is built once into
#    build/fresh/base from the mirror this machine's apt uses (FRESH_MIRROR=... overrides).
# 2. Each run copies it to build/fresh/root, copies the working tree in (without build/ and
#    .git/), and in a chroot runs the README's two commands, `make demo` and `make test`, whole;
#    each must install what it needs itself. The tests that need the host's network namespaces
#    and TAP devices (make test-lwip, test-lwip-raw) skip in the chroot when it cannot create
#    them; CI runs them on the host (.ci/run). FRESH_COMMANDS="make demo|make test-unit" is the
#    short form (about 2 minutes instead of 20-30).
# 3. /proc, /sys, /dev and the apt download cache (build/fresh/apt-archives: .deb files only,
#    nothing is installed from it unless a command asks apt) are mounted for the chroot and
#    unmounted on every exit path.
#
# Exit 0 only if both commands succeed; otherwise the failing command and its status are named.
set -eu

ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$ROOT_DIR"
FRESH=${FRESH_DIR:-$ROOT_DIR/build/fresh}
BASE=$FRESH/base
CHROOT=$FRESH/root
ARCHIVES=$FRESH/apt-archives
SUITE=bookworm
# The README's commands, in order, each run in the chroot from the tree's root.
FRESH_COMMANDS=${FRESH_COMMANDS:-"make demo|make test"}

say() { echo "fresh: $*"; }
die() { echo "fresh: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"

# The Debian mirror this machine's apt uses: the first URI serving $SUITE (deb822 or one-line).
find_mirror() {
    suite=$1
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        case $f in
        *.sources)
            awk -v s="$suite" '
                /^[ \t]*$/ { if (u != "" && ok) { print u; exit } u = ""; ok = 0; next }
                /^URIs:/   { u = $2 }
                /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
                END        { if (u != "" && ok) print u }' "$f" ;;
        *)
            awk -v s="$suite" '$1 == "deb" {
                i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == s) { print $i; exit } }' "$f" ;;
        esac
    done | head -n 1
}
MIRROR=${FRESH_MIRROR:-$(find_mirror "$SUITE")}
[ -n "$MIRROR" ] || die "no apt source for $SUITE in /etc/apt/sources.list*; set FRESH_MIRROR"
SECURITY=${FRESH_SECURITY_MIRROR:-$(find_mirror "$SUITE-security")}

# --- mounts: recorded in order, undone in reverse on every exit --------------------------
MOUNTS=""
mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts; }
kill_chroot_procs() {
    # Only processes whose root is our chroot: the demo's broker, a hung apt, etc.
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$CHROOT" ] || continue
        pid=${p#/proc/}
        say "stopping process $pid left in the chroot ($(tr '\0' ' ' <"$p/cmdline" | cut -c1-60))"
        kill "$pid" 2>/dev/null || true
    done
    sleep 0.2
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$CHROOT" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    return 0
}
unmount_all() {
    kill_chroot_procs
    for m in $(mounted_under "$CHROOT" | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" || echo "fresh: could not unmount $m" >&2
    done
    MOUNTS=""
}
do_mount() { # do_mount <mount args...> <target>
    eval "target=\${$#}"
    mkdir -p "$target"
    mount "$@"
    MOUNTS="$MOUNTS $target"
}
cleanup() {
    rc=$?
    trap - EXIT INT TERM HUP
    unmount_all
    [ -z "$(mounted_under "$CHROOT")" ] || echo "fresh: WARNING: mounts remain under $CHROOT" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A run killed with SIGKILL may have left mounts: never delete through a bind mount of /dev.
remove_root() {
    unmount_all
    [ -z "$(mounted_under "$CHROOT")" ] || die "mounts remain under $CHROOT; not removing it"
    rm -rf --one-file-system "$CHROOT"
}

# --- the cached base: minbase + make, nothing else ----------------------------------------
T0=$(date +%s)
mkdir -p "$FRESH" "$ARCHIVES/partial"
if [ ! -f "$BASE/.bmqtt-fresh-base" ]; then
    say "debootstrap --variant=minbase --include=make $SUITE from $MIRROR (once; cached in $BASE)"
    [ -z "$(mounted_under "$BASE")" ] || die "mounts remain under $BASE"
    rm -rf --one-file-system "$BASE"
    debootstrap --variant=minbase --include=make "$SUITE" "$BASE" "$MIRROR" \
        >"$FRESH/debootstrap.log" 2>&1 || { tail -n 30 "$FRESH/debootstrap.log" >&2; die "debootstrap failed"; }
    {
        echo "deb $MIRROR $SUITE main"
        echo "deb $MIRROR $SUITE-updates main"
        [ -n "$SECURITY" ] && echo "deb $SECURITY $SUITE-security main"
    } >"$BASE/etc/apt/sources.list"
    # No init runs in a chroot: packages must not start services (mosquitto would take
    # port 1883 of this machine). The demo starts its own broker on a free loopback port.
    printf '#!/bin/sh\nexit 101\n' >"$BASE/usr/sbin/policy-rc.d"
    chmod 755 "$BASE/usr/sbin/policy-rc.d"
    # Keep downloaded .deb files in the (bind-mounted) cache for the next run.
    echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$BASE/etc/apt/apt.conf.d/90bmqtt-fresh-keep"
    rm -f "$BASE"/var/cache/apt/archives/*.deb
    touch "$BASE/.bmqtt-fresh-base"
    say "base ready in $(( $(date +%s) - T0 )) s"
fi
chroot "$BASE" sh -c 'command -v make >/dev/null' || die "the base has no make"

# --- this run's root: a copy of the base and of the tree ----------------------------------
remove_root
cp -a "$BASE" "$CHROOT"
for p in build-essential gcc mosquitto libmbedtls-dev libcmocka-dev; do
    if chroot "$CHROOT" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        die "the fresh root already has $p: it would hide a missing install step"
    fi
done
mkdir -p "$CHROOT/root/bmqtt"
if [ -n "${FRESH_SOURCE:-}" ]; then
    # A commit (FRESH_SOURCE=HEAD, a tag, a hash): exactly what a clone of it would hold.
    git -C "$ROOT_DIR" archive --format=tar "$FRESH_SOURCE" | tar -C "$CHROOT/root/bmqtt" -xf - ||
        die "git archive $FRESH_SOURCE failed"
    say "tree: git archive $FRESH_SOURCE ($(git -C "$ROOT_DIR" rev-parse --short "$FRESH_SOURCE"))"
else
    tar -C "$ROOT_DIR" --exclude=./build --exclude=./.git -cf - . | tar -C "$CHROOT/root/bmqtt" -xf -
    say "tree: the working tree without build/ and .git/"
fi
cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
# localhost must resolve (mosquitto's and RabbitMQ's tests connect to it by name).
grep -q 'localhost' "$CHROOT/etc/hosts" 2>/dev/null || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' >>"$CHROOT/etc/hosts"

say "root ready in $(( $(date +%s) - T0 )) s: $(du -sm "$CHROOT" | cut -f1) MB, make only"
do_mount -t proc proc "$CHROOT/proc"
do_mount -t sysfs sysfs "$CHROOT/sys"
do_mount --bind /dev "$CHROOT/dev"
do_mount --bind /dev/pts "$CHROOT/dev/pts"
# /dev/shm and /run are the host's own mounts, which a bind of /dev does not carry: fresh ones.
do_mount -t tmpfs -o mode=1777 tmpfs "$CHROOT/dev/shm"
do_mount -t tmpfs -o mode=755 tmpfs "$CHROOT/run"
do_mount --bind "$ARCHIVES" "$CHROOT/var/cache/apt/archives"

# --- the README's commands ----------------------------------------------------------------
i=0
IFS='|'
set -- $FRESH_COMMANDS
unset IFS
for cmd in "$@"; do
    t=$(date +%s)
    say "== $cmd (in the chroot, nothing installed but make before it)"
    i=$((i + 1))
    log=$FRESH/command$i.log
    rc=0
    chroot "$CHROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 TERM=dumb sh -c "cd /root/bmqtt && $cmd" </dev/null >"$log" 2>&1 &
    # In the background, so that a signal to this script interrupts the wait at once and the
    # EXIT trap stops what runs in the chroot and unmounts.
    wait $! || rc=$?
    # What the user would read: the demo's lines, apt's install line, the test verdicts.
    grep -E '^(demo|deps|docs|==)|PASSED|FAILED|FAIL|rror' "$log" | grep -v '^docs: ok' | sed 's/^/  | /' || true
    if [ $rc -ne 0 ]; then
        echo "fresh: the last 40 lines of $log:" >&2
        tail -n 40 "$log" | sed 's/^/  | /' >&2
        echo "fresh: FAIL: \`$cmd\` exited with $rc on a fresh Debian $SUITE (a README command)" >&2
        exit 1
    fi
    say "ok: $cmd ($(( $(date +%s) - t )) s; log $log)"
done
say "OK: ${FRESH_COMMANDS} passed on a fresh $SUITE root in $(( $(date +%s) - T0 )) s"
