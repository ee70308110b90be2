#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build-deb.sh: make deb: dpkg-buildpackage -b on a copy of the source with packaging/debian as
# its debian/, the .deb copied to build/pkg/, then lintian (no error, no warning allowed).
# usage: scripts/build-deb.sh [TARBALL]   (from the top of the tree)
#   TARBALL: the release tarball (make dist), unpacked and built offline; without it, the
#   tree's own files (git ls-files) with the static dependencies already in build/deps.
set -eu
pkg=build/pkg
work=$pkg/deb
version=$(sed -n 's/^#define PASSTHRU_VERSION "\(.*\)"$/\1/p' src/lib/version.h)
debver=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
case $debver in
"$version"-*) ;;
*)
	echo "make deb: packaging/debian/changelog is at $debver, src/lib/version.h at $version:" \
		"add a changelog entry $version-1 (dch -v $version-1)" >&2
	exit 1
	;;
esac
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=passthru_${debver}_$arch.deb
src=$work/passthru-$version
rm -rf "$work"
mkdir -p "$work"
if [ $# -ge 1 ]; then
	tar -C "$work" -xzf "$1"
	[ -d "$src" ] || { echo "make deb: $1 has no passthru-$version/ folder" >&2; exit 1; }
else
	mkdir -p "$src/build"
	git ls-files -z -co --exclude-standard | xargs -0 sh -c 'for f; do [ -e "$f" ] && \
		printf "%s\n" "$f"; done' sh | tar -cf - -T - | tar -C "$src" -xf -
	[ -f build/deps/.stamp ] || { echo "make deb: no build/deps (run make deps first)" >&2; exit 1; }
	cp -a build/deps "$src/build/deps"
	# the copied sources are newer than the stamp: keep it, or the build would fetch again
	touch "$src/build/deps/.inputs" "$src/build/deps/.stamp"
fi
# packaging/debian's links (the initramfs-tools hook) become the files they name
cp -rL packaging/debian "$src/debian"
t0=$(date +%s)
echo "make deb: dpkg-buildpackage -b -us -uc in $src (log: $work/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	echo "make deb: dpkg-buildpackage failed; the whole log is $work/build.log" >&2
	exit 1
fi
cp "$work/$deb" "$pkg/$deb"
echo "make deb: $pkg/$deb, $(wc -c <"$pkg/$deb") bytes, built in $(( $(date +%s) - t0 )) s"
# every tag lintian finds, info ones too; errors and warnings fail (overrides: packaging/debian)
lintian --display-info --fail-on error,warning "$work/passthru_${debver}_$arch.changes" || {
	echo "make deb: lintian found errors or warnings (above)" >&2
	exit 1
}
echo "make deb: lintian: no error, no warning"
