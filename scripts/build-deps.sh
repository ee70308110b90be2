#!/bin/sh
# build-deps.sh: build static libkmod and libpci for musl from Debian's source packages.
#
# usage: build-deps.sh DEPS_DIR
# KMOD_SRC=DIR / PCIUTILS_SRC=DIR: use these unpacked source trees (offline builds).
# Otherwise kmod 30+20221128-1 and pciutils 1:3.9.0-4 are fetched with a private apt
# configuration (deb-src of the machine's own Debian mirror; the system's apt setup is
# not touched). apt checks the files against the signed Sources index; dpkg-source -x
# checks them against the .dsc again.
set -eu
KMOD_VERSION=30+20221128-1
PCIUTILS_VERSION=1:3.9.0-4
deps=$(mkdir -p "$1" && cd "$1" && pwd)
src=$deps/src
out=$deps/musl
MUSL_CC=${MUSL_CC:-musl-gcc}
FLAGS="-Os -ffunction-sections -fdata-sections -isystem $out/uapi"
mkdir -p "$src" "$out/include/pci" "$out/lib" "$out/uapi"

fetch() {
	apt=$deps/apt
	mkdir -p "$apt/sources.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	sources=/etc/apt/sources.list.d/debian.sources
	if [ -f "$sources" ]; then
		sed 's/^Types:.*/Types: deb-src/' "$sources" >"$apt/sources.d/debian-src.sources"
	else
		grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' >"$apt/sources.d/debian-src.list"
	fi
	set -- -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources.d" \
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	apt-get "$@" -q update >"$apt/update.log" 2>&1 || {
		cat "$apt/update.log" >&2
		echo "build-deps: apt-get update (deb-src) failed" >&2
		exit 1
	}
	(cd "$src" && apt-get "$@" -q source --download-only \
		"kmod=$KMOD_VERSION" "pciutils=$PCIUTILS_VERSION") || {
		echo "build-deps: cannot fetch the kmod and pciutils source packages;" \
			"set KMOD_SRC= and PCIUTILS_SRC= to unpacked trees" >&2
		exit 1
	}
	for dsc in "$src/kmod_$KMOD_VERSION.dsc" "$src/pciutils_${PCIUTILS_VERSION#1:}.dsc"; do
		dir=$(basename "$dsc" .dsc | sed 's/_/-/; s/-[^-]*$//')
		rm -rf "${src:?}/$dir"
		# dpkg-source verifies every file against the checksums in the .dsc
		(cd "$src" && dpkg-source -q -x "$dsc" "$dir") || {
			echo "build-deps: $dsc does not verify" >&2
			exit 1
		}
	done
}

if [ -z "${KMOD_SRC:-}" ] || [ -z "${PCIUTILS_SRC:-}" ]; then
	fetch
fi
KMOD_SRC=${KMOD_SRC:-$src/kmod-30+20221128}
PCIUTILS_SRC=${PCIUTILS_SRC:-$src/pciutils-3.9.0}
for d in "$KMOD_SRC/libkmod/libkmod.h" "$PCIUTILS_SRC/lib/pci.h"; do
	[ -f "$d" ] || { echo "build-deps: $d not found" >&2; exit 1; }
done

# musl-gcc has no kernel headers of its own: give it the uapi ones on a path of their own
for d in linux asm-generic mtd; do
	[ -d "/usr/include/$d" ] && ln -sfn "/usr/include/$d" "$out/uapi/$d"
done
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
ln -sfn "/usr/include/$arch/asm" "$out/uapi/asm"

# kmod: its configure refuses --enable-static, but the normal build leaves static archives
kb=$deps/build-kmod
rm -rf "$kb" && cp -a "$KMOD_SRC" "$kb"
(
	cd "$kb"
	if [ ! -x configure ]; then
		mkdir -p libkmod/docs && touch libkmod/docs/gtk-doc.make
		autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log >&2; exit 1; }
	fi
	./configure -q CC="$MUSL_CC" CFLAGS="$FLAGS" --disable-manpages --disable-test-modules \
		--disable-tools --disable-python --disable-debug --without-zstd --without-xz \
		--without-zlib --without-openssl >configure.log 2>&1 ||
		{ tail -n 30 configure.log >&2; exit 1; }
	make -s libkmod/libkmod-internal.la shared/libshared.la >make.log 2>&1 ||
		{ tail -n 30 make.log >&2; exit 1; }
)
cp "$kb/libkmod/.libs/libkmod-internal.a" "$kb/shared/.libs/libshared.a" "$out/lib/"
cp "$kb/libkmod/libkmod.h" "$out/include/"

# pciutils builds libpci.a itself; only the sysfs and /proc methods matter here
pb=$deps/build-pciutils
rm -rf "$pb" && cp -a "$PCIUTILS_SRC" "$pb"
make -s -C "$pb" lib/libpci.a CC="$MUSL_CC" ZLIB=no DNS=no LIBKMOD=no HWDB=no SHARED=no \
	OPT="$FLAGS" >"$pb/make.log" 2>&1 || { tail -n 30 "$pb/make.log" >&2; exit 1; }
cp "$pb/lib/libpci.a" "$out/lib/"
for h in pci.h header.h config.h types.h; do
	cp "$pb/lib/$h" "$out/include/pci/"
done
echo "build-deps: static libkmod and libpci for musl are in $out"
