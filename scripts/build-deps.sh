#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build-deps.sh: static libkmod and libpci for musl, from Debian's source packages.
#
# usage: build-deps.sh DEPS_DIR
#
# Environment:
#   MUSL_CC       the musl compiler driver (default musl-gcc)
#   KMOD_SRC      an unpacked kmod source tree to use instead of downloading one
#   PCIUTILS_SRC  an unpacked pciutils source tree to use instead of downloading one
# A package without a *_SRC tree comes from its upstream tarball, checked against
# sources/SHA256SUMS: the one in sources/ (the release tarball, make dist, carries both:
# no apt, no network), or else Debian's .orig tarball that scripts/fetch-sources.sh
# fetches (kmod 30+20221128-1, pciutils 1:3.9.0-4) into DEPS_DIR/src/, with apt's private
# state in DEPS_DIR/apt/. The given trees are copied, never modified.
#
# Result, DEPS_DIR/musl/:
#   include/libkmod.h, include/pci/{pci,header,config,types}.h
#   lib/libkmod-internal.a, lib/libshared.a, lib/libpci.a
#   uapi/{linux,asm,asm-generic,mtd} -> the system's kernel uapi headers (for -isystem)
# It is built in DEPS_DIR/musl.new and renamed into place only when complete, so a
# failed build never leaves a half-made DEPS_DIR/musl behind.
set -eu
me=build-deps
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DEPS_DIR"
KMOD_VERSION=30+20221128-1
PCIUTILS_VERSION=1:3.9.0-4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
deps=$(cd "$1" && pwd)
MUSL_CC=${MUSL_CC:-musl-gcc}
command -v "$MUSL_CC" >/dev/null 2>&1 || die "$MUSL_CC not found (Debian package musl-tools)"
# one set of flags for the libraries and for passthru-claim, so --gc-sections can drop
# every function that passthru-claim does not reach
OPT="-Os -ffunction-sections -fdata-sections"

# --- sources: the given trees, or the upstream tarballs (bundled, or fetched through apt) ---
KMOD_ORIG=kmod_30+20221128.orig.tar.xz
PCIUTILS_ORIG=pciutils_3.9.0.orig.tar.gz
bundled=$(cd "$here/.." && pwd)/sources
sums=$bundled/SHA256SUMS
[ -f "$sums" ] || die "$sums missing (the list the upstream tarballs are checked against)"

# verify FILE: its SHA-256 is the one sources/SHA256SUMS gives for its name
verify() {
	want=$(awk -v n="${1##*/}" '$2 == n { print $1 }' "$sums")
	[ -n "$want" ] || die "$sums has no line for ${1##*/}"
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$1: SHA-256 $got, but $sums says $want: not the upstream" \
		"release; stopping (fetch it again, or take it from the release tarball)"
}

# unpack NAME TARBALL: verified, into DEPS_DIR/src-bundled/NAME (its one top folder stripped)
unpack() {
	verify "$2"
	t=$deps/src-bundled/$1
	rm -rf "$t" && mkdir -p "$t"
	tar -xf "$2" -C "$t" --strip-components=1 || die "cannot unpack $2"
	echo "$me: $1 from $2 (SHA-256 verified, no apt)" >&2
}

fetch=""
if [ -z "${KMOD_SRC:-}" ] && [ -f "$bundled/$KMOD_ORIG" ]; then
	unpack kmod "$bundled/$KMOD_ORIG"
	KMOD_SRC=$deps/src-bundled/kmod
fi
if [ -z "${PCIUTILS_SRC:-}" ] && [ -f "$bundled/$PCIUTILS_ORIG" ]; then
	unpack pciutils "$bundled/$PCIUTILS_ORIG"
	PCIUTILS_SRC=$deps/src-bundled/pciutils
fi
[ -n "${KMOD_SRC:-}" ] || fetch="$fetch kmod=$KMOD_VERSION"
[ -n "${PCIUTILS_SRC:-}" ] || fetch="$fetch pciutils=$PCIUTILS_VERSION"
if [ -n "$fetch" ]; then
	# shellcheck disable=SC2086 # one word per package
	sh "$here/fetch-sources.sh" "$deps/apt" "$deps/src" $fetch
	# the .orig tarball in each is the one make dist bundles: the same list checks it
	case $fetch in *kmod=*) verify "$deps/src/$KMOD_ORIG" ;; esac
	case $fetch in *pciutils=*) verify "$deps/src/$PCIUTILS_ORIG" ;; esac
fi
KMOD_SRC=${KMOD_SRC:-$deps/src/kmod}
PCIUTILS_SRC=${PCIUTILS_SRC:-$deps/src/pciutils}
if [ ! -f "$KMOD_SRC/libkmod/libkmod.h" ] || [ ! -f "$KMOD_SRC/configure.ac" ]; then
	die "KMOD_SRC=$KMOD_SRC is not a kmod source tree (no libkmod/libkmod.h, configure.ac)"
fi
if [ ! -f "$PCIUTILS_SRC/lib/pci.h" ] || [ ! -f "$PCIUTILS_SRC/Makefile" ]; then
	die "PCIUTILS_SRC=$PCIUTILS_SRC is not a pciutils source tree (no lib/pci.h, Makefile)"
fi

out=$deps/musl.new
rm -rf "$out"
mkdir -p "$out/include/pci" "$out/lib" "$out/uapi"

# --- kernel uapi headers: musl-gcc has none, and must not see glibc's /usr/include ---
# asm/ is in the multiarch folder on Debian, in /usr/include itself on Fedora and Arch
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
asm=/usr/include/$multiarch/asm
[ -d "$asm" ] || asm=/usr/include/asm
if [ ! -f /usr/include/linux/version.h ] || [ ! -d "$asm" ]; then
	die "kernel uapi headers missing (Debian: linux-libc-dev; Fedora: kernel-headers;" \
		"Arch: linux-api-headers)"
fi
for d in linux asm-generic mtd; do
	[ -d "/usr/include/$d" ] && ln -s "/usr/include/$d" "$out/uapi/$d"
done
ln -s "$asm" "$out/uapi/asm"
CFLAGS="$OPT -isystem $out/uapi"

log_fail() { tail -n 40 "$1" >&2; die "$2 failed (whole log: $1)"; }

# --- kmod: configure refuses --enable-static, but the normal build of the two
# convenience libraries leaves static archives in .libs/ ---
kb=$deps/build-kmod
rm -rf "$kb"
cp -R "$KMOD_SRC" "$kb"
(
	cd "$kb"
	if [ ! -x configure ]; then
		# the tarball has no configure; gtk-doc.make is only included, never used here
		mkdir -p libkmod/docs
		[ -f libkmod/docs/gtk-doc.make ] || : >libkmod/docs/gtk-doc.make
		command -v autoreconf >/dev/null 2>&1 || die "kmod's tarball has no configure:" \
			"autoreconf is needed (install autoconf, automake, libtool and pkg-config)"
		autoreconf -fi >autoreconf.log 2>&1 || log_fail "$kb/autoreconf.log" "kmod autoreconf"
	fi
	# Debian 12's kernel modules are plain .ko (checked: linux-image-6.1.0-56-amd64 has
	# no .ko.xz/.ko.zst/.ko.gz), so no decompression libraries are linked in
	./configure CC="$MUSL_CC" CFLAGS="$CFLAGS" --disable-manpages --disable-test-modules \
		--disable-tools --disable-python --disable-debug --disable-coverage \
		--disable-experimental --without-zstd --without-xz --without-zlib --without-openssl \
		--sysconfdir=/etc >configure.log 2>&1 || log_fail "$kb/configure.log" "kmod configure"
	make libkmod/libkmod-internal.la shared/libshared.la >make.log 2>&1 ||
		log_fail "$kb/make.log" "kmod make"
)
cp "$kb/libkmod/.libs/libkmod-internal.a" "$kb/shared/.libs/libshared.a" "$out/lib/"
cp "$kb/libkmod/libkmod.h" "$out/include/"

# --- pciutils: builds lib/libpci.a itself; only the sysfs and /proc methods matter ---
pb=$deps/build-pciutils
rm -rf "$pb"
cp -R "$PCIUTILS_SRC" "$pb"
make -C "$pb" lib/libpci.a CC="$MUSL_CC" OPT="$CFLAGS" ZLIB=no DNS=no LIBKMOD=no HWDB=no \
	SHARED=no PREFIX=/usr IDSDIR=/usr/share/misc >"$pb/make.log" 2>&1 ||
	log_fail "$pb/make.log" "pciutils make"
cp "$pb/lib/libpci.a" "$out/lib/"
for h in pci.h header.h config.h types.h; do
	cp "$pb/lib/$h" "$out/include/pci/"
done

# --- into place ---
rm -rf "$deps/musl.old"
[ ! -e "$deps/musl" ] || mv "$deps/musl" "$deps/musl.old"
mv "$out" "$deps/musl"
rm -rf "$deps/musl.old"
echo "$me: static libkmod and libpci for musl are in $deps/musl"
