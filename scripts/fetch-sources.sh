#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-sources.sh: fetch Debian source packages at exact versions and unpack them,
# through a private apt configuration (the system's apt setup is never touched).
#
# usage: fetch-sources.sh APT_DIR SRC_DIR PACKAGE=VERSION...
#
# APT_DIR receives the private configuration and apt's state: a deb-src copy of the
# machine's own Debian sources, lists/ and cache/. SRC_DIR receives the downloaded
# files and one unpacked tree per package, SRC_DIR/PACKAGE.
#
# Verification, and any failure stops with a non-zero status:
# - apt-get source checks every file against the Sources index, whose hash is in the
#   Release file that apt checked against the Debian archive keyring;
# - dpkg-source -x checks every file again against the sizes and checksums in the .dsc
#   (unpacked into a temporary folder first, so a failed check leaves no tree behind).
set -eu
me=fetch-sources
die() { echo "$me: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: $0 APT_DIR SRC_DIR PACKAGE=VERSION..."
mkdir -p "$1" "$2"
apt=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
shift 2

mkdir -p "$apt/sources.d" "$apt/lists/partial" "$apt/cache/archives/partial"
rm -f "$apt/sources.d/"*
found=0
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	# deb822: every stanza becomes a source stanza for the same mirror and suites
	sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.d/${f##*/}"
	found=1
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	n=${f##*/}
	out=$apt/sources.d/$n.src.list
	sed -n -E 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >"$out"
	if [ -s "$out" ]; then found=1; else rm -f "$out"; fi
done
[ "$found" = 1 ] || die "no Debian apt sources found in /etc/apt to derive deb-src from"

# apt-get with the private configuration; its output goes to LOG, shown on failure
apt_private() {
	log=$1
	shift
	if ! apt-get -q -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources.d" \
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		return 1
	fi
}

apt_private "$apt/update.log" update || die "apt-get update (deb-src) failed"
(cd "$src" && apt_private "$apt/source.log" source --download-only "$@") ||
	die "cannot download the source packages $* (offline? give unpacked trees" \
		"instead, see docs/building.md)"

for p in "$@"; do
	name=${p%%=*}
	ver=${p#*=}
	ver=${ver#*:} # the epoch is not part of the file name
	dsc=$src/${name}_$ver.dsc
	[ -f "$dsc" ] || die "$dsc missing after download"
	tmp=$src/.unpack-$name
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# dpkg-source verifies every file against the checksums in the .dsc
	if ! (cd "$src" && dpkg-source --no-copy -x "$dsc" "$tmp/tree") >"$tmp.log" 2>&1; then
		cat "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		die "$dsc does not verify: stopping"
	fi
	rm -rf "${src:?}/$name"
	mv "$tmp/tree" "$src/$name"
	rm -rf "$tmp" "$tmp.log"
	echo "$me: $name $ver verified and unpacked in $src/$name"
done
