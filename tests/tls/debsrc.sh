#!/bin/sh
# Fetch and unpack a Debian source package into a directory, with apt's own
# private configuration: its own source list, list directory and cache, so the
# system's package lists are never touched (an `apt-get update` with only a
# deb-src list in the system's list directory would drop the binary lists and
# break every later `apt-get install`).
#
#   tests/tls/debsrc.sh <suite> <package> <outdir>
#
# Prints the unpacked source directory on its last line. The mirror is the one
# the system's own apt sources name (deb.debian.org when none is found). Needs
# dpkg-dev (dpkg-source) and network access to that mirror; no root.
set -eu
SUITE=${1:?usage: debsrc.sh <suite> <package> <outdir>}
PKG=${2:?usage: debsrc.sh <suite> <package> <outdir>}
OUT=${3:?usage: debsrc.sh <suite> <package> <outdir>}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
A=$OUT/.apt-$SUITE
mkdir -p "$A/parts.d" "$A/lists/partial" "$A/cache/archives/partial" "$A/prefs.d"

mirror=$(grep -hoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 | sed -E 's/^(URIs:|deb) +//; s/ *$//; s#/$##') || true
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb-src [signed-by=$keyring] $mirror $SUITE main" >"$A/sources.list"

APT="-o Dir::Etc::SourceList=$A/sources.list -o Dir::Etc::SourceParts=$A/parts.d \
 -o Dir::Etc::Preferences=$A/prefs -o Dir::Etc::PreferencesParts=$A/prefs.d \
 -o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache -o APT::Sandbox::User=root -q"
# shellcheck disable=SC2086
apt-get $APT update >"$A/update.log" 2>&1 || { cat "$A/update.log" >&2; exit 1; }
cd "$OUT"
# shellcheck disable=SC2086
apt-get $APT source --only-source "$PKG/$SUITE" >"$A/source.log" 2>&1 || { cat "$A/source.log" >&2; exit 1; }
dir=$(sed -n 's/^dpkg-source: info: extracting .* in \(.*\)$/\1/p' "$A/source.log" | tail -1)
if [ -z "$dir" ]; then
    # Fetched and unpacked before (by another test): apt-get skips both and says only which version
    # it selected; the tree is PKG-UPSTREAM (the version without epoch and Debian revision).
    v=$(sed -n "s/^Selected version '\(.*\)' .*/\1/p" "$A/source.log" | tail -1)
    v=${v#*:}
    dir=$PKG-${v%-*}
fi
[ -n "$dir" ] && [ -d "$OUT/$dir" ] || { echo "debsrc: no source tree for $PKG ($SUITE)" >&2; cat "$A/source.log" >&2; exit 1; }
echo "$OUT/$dir"
