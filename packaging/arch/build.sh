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
. packaging/lib.sh
pkg_args 2 "TARBALL VERSION" "$@"
tarball=$1 version=$2
pkgbuild=packaging/arch/PKGBUILD
command -v makepkg >/dev/null 2>&1 || die "makepkg not found (Debian package makepkg)"
# makepkg's first step is type -P pacman; without it: "An unknown error has occurred"
command -v pacman >/dev/null 2>&1 ||
	die "pacman not found: makepkg stops without it (Debian package pacman-package-manager)"
pkgrel=$(sed -n 's/^pkgrel=//p' "$pkgbuild")
same_version "$pkgbuild" "$(sed -n 's/^pkgver=//p' "$pkgbuild")" "$version" \
	"set its pkgver to $version (and pkgrel=1)"
top=$(pwd)/build/pkg/arch
rm -rf "$top"
mkdir -p "$top/src" "$top/out"
cp "$tarball" "$top/src/"
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
sed "s/^sha256sums=('SKIP')$/sha256sums=('$sum')/" "$pkgbuild" >"$top/src/PKGBUILD"
grep -q "^sha256sums=('$sum')$" "$top/src/PKGBUILD" || die "$pkgbuild has no sha256sums=('SKIP') line"
cp packaging/arch/passthru.install "$top/src/"
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
run_logged "$top/makepkg.log" makepkg \
	sh -c 'cd "$1" && shift && exec "$@"' sh "$top/src" $as makepkg --nodeps --noconfirm -f
carch=$(sed -n 's/^CARCH="\(.*\)"/\1/p' /etc/makepkg.conf 2>/dev/null)
deliver "$top/out/passthru-$version-$pkgrel-${carch:-$(uname -m)}.pkg.tar.zst" "$top/makepkg.log" \
	"check()" "pacman -U "
