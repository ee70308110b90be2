#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dist.sh: make dist: the release tarball passthru-VERSION.tar.gz, the project's files (git
# ls-files) and the upstream kmod and pciutils tarballs in sources/, built offline from it.
#
# usage: packaging/dist.sh VERSION OUT.tar.gz    (from the top of a git checkout)
#
# The upstream tarballs are taken from sources/ or build/deps/src/ (where make deps left
# them) and checked against sources/SHA256SUMS. The tarball is reproducible: names sorted,
# every mtime the last commit's time, owner and group 0, gzip without a name or time.
set -eu
me=dist
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 VERSION OUT.tar.gz"
version=$1
out=$2
[ -n "$version" ] || die "no version (src/lib/version.h defines PASSTHRU_VERSION)"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
	die "not a git checkout: make dist takes the project's files from git ls-files"
top=passthru-$version
stage=build/pkg/dist
rm -rf "$stage"
mkdir -p "$stage/$top" "$(dirname "$out")"

# the tracked files as they are in the working tree (a deleted one is left out)
git ls-files -z | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh \
	>"$stage/files"
tar -cf - -T "$stage/files" | tar -xf - -C "$stage/$top"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	echo "$me: the working tree has uncommitted changes: the tarball carries them" >&2

# the upstream tarballs, verified against the list the build checks them with again
while read -r sum name; do
	f=""
	for d in sources build/deps/src; do
		[ -f "$d/$name" ] && f=$d/$name && break
	done
	[ -n "$f" ] || die "$name is in neither sources/ nor build/deps/src/: run" \
		"'make deps-clean deps' (it fetches it through apt) and make dist again"
	echo "$sum  $f" | sha256sum -c --quiet - >/dev/null 2>&1 ||
		die "$f does not match sources/SHA256SUMS: run 'make deps-clean deps' to fetch it again"
	mkdir -p "$stage/$top/sources"
	cp "$f" "$stage/$top/sources/$name"
done <sources/SHA256SUMS

# reproducible: the same commit and files give the same bytes
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
tar -C "$stage" --sort=name --mtime="@$mtime" --owner=0 --group=0 --numeric-owner \
	--mode='u+rw,go=rX' --format=gnu -cf - "$top" | gzip -9 -n >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "$me: $out ($(wc -c <"$out") bytes, $(tar -tzf "$out" | grep -vc '/$') files;" \
	"builds offline: tar xf it, cd $top, make)"
