#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh: make arch: makepkg on packaging/arch/PKGBUILD and the release tarball, in
# build/pkg/arch; the package is copied to build/pkg/.
# usage: packaging/arch/build.sh TARBALL VERSION   (from the top of the tree)
# makepkg refuses to run as root: as root it runs as nobody (setpriv), in a folder nobody owns,
# so that no user is created on the machine. --nodeps: Debian has no pacman database to check
# the depends against (the tools they name are Debian packages, scripts/install-deps.sh).
set -eu
me=arch
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 TARBALL VERSION"
tarball=$1
version=$2
pkgbuild=packaging/arch/PKGBUILD
command -v makepkg >/dev/null 2>&1 || die "makepkg not found (Debian package makepkg)"
pkgver=$(sed -n 's/^pkgver=//p' "$pkgbuild")
pkgrel=$(sed -n 's/^pkgrel=//p' "$pkgbuild")
[ "$pkgver" = "$version" ] || die "$pkgbuild says pkgver=$pkgver, src/lib/version.h says" \
	"$version: set its pkgver to $version (and pkgrel=1)"
top=$(pwd)/build/pkg/arch
rm -rf "$top"
mkdir -p "$top/src" "$top/out"
cp "$tarball" "$top/src/"
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
sed "s/^sha256sums=('SKIP')$/sha256sums=('$sum')/" "$pkgbuild" >"$top/src/PKGBUILD"
grep -q "^sha256sums=('$sum')$" "$top/src/PKGBUILD" || die "$pkgbuild has no sha256sums=('SKIP') line"
cp packaging/arch/passthru.install "$top/src/"
log=$top/makepkg.log
# MAKEFLAGS: the machine's rule, two jobs at the most; zstd whatever makepkg.conf says
export HOME="$top" PKGEXT=.pkg.tar.zst MAKEFLAGS=-j2 PKGDEST="$top/out" SRCDEST="$top/src" \
	BUILDDIR="$top/build"
export PACKAGER='Seed 478aa450 maintainers <maintainers@users.noreply.r-seed-478aa450.example>'
as=""
if [ "$(id -u)" = 0 ]; then
	chown -R nobody "$top"
	as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	$as sh -c ': >/dev/null' 2>/dev/null ||
		die "nobody cannot write /dev/null here (ls -l /dev/null: crw-rw-rw- expected)"
fi
# shellcheck disable=SC2086 # as is a command line, or nothing
if ! (cd "$top/src" && $as makepkg --nodeps --noconfirm -f) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "makepkg failed (whole log: $log)"
fi
carch=$(sed -n 's/^CARCH="\(.*\)"/\1/p' /etc/makepkg.conf 2>/dev/null)
pkg=$top/out/passthru-$version-$pkgrel-${carch:-$(uname -m)}.pkg.tar.zst
[ -f "$pkg" ] || die "makepkg made no $pkg (log: $log)"
cp "$pkg" build/pkg/
echo "$me: build/pkg/${pkg##*/} ($(wc -c <"$pkg") bytes; check() passed: $(grep -c '^PASS' "$log")" \
	"PASS lines); install it with: pacman -U ${pkg##*/}"
