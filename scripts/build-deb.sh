#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build-deb.sh: make deb: dpkg-buildpackage on the unpacked release tarball (also the .orig)
# with packaging/debian as its debian/: the source package and the .deb, copied to build/pkg/;
# then lintian on both (no error, no warning allowed but the overrides the package carries).
# usage: scripts/build-deb.sh TARBALL   (from the top of the tree; make deb)
#   TARBALL: the release tarball (make dist), built with no network at all (unshare -n: its
#   sources/ carry kmod and pciutils, so the static build needs no apt).
set -eu
[ $# -eq 1 ] && [ -f "$1" ] ||
	{ echo "make deb: usage: $0 build/pkg/passthru-VERSION.tar.gz (make dist)" >&2; exit 2; }
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
tar -C "$work" -xzf "$1"
cp "$1" "$work/passthru_$version.orig.tar.gz"
[ -d "$src" ] || { echo "make deb: $1 has no passthru-$version/ folder" >&2; exit 1; }
# packaging/debian's links (the initramfs-tools hook) become the files they name
cp -rL packaging/debian "$src/debian"
t0=$(date +%s)
echo "make deb: unshare -n dpkg-buildpackage -us -uc in $src (no network; log: $work/build.log)"
if ! (cd "$src" && unshare -n dpkg-buildpackage -us -uc) >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	echo "make deb: dpkg-buildpackage failed; the whole log is $work/build.log" >&2
	exit 1
fi
cp "$work/$deb" "$pkg/$deb"
echo "make deb: $pkg/$deb, $(wc -c <"$pkg/$deb") bytes, built in $(( $(date +%s) - t0 )) s"
# every tag lintian finds in the .dsc and the .deb, info ones too; errors and warnings fail
lintian --display-info --fail-on error,warning "$work/passthru_${debver}_$arch.changes" || {
	echo "make deb: lintian found errors or warnings (above): fix them, or override one in" \
		"packaging/debian/passthru.lintian-overrides with a comment saying why" >&2
	exit 1
}
echo "make deb: lintian: no error, no warning"
