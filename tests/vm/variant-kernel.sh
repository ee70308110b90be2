#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# variant-kernel.sh: the fetched kernel plus passthru's test vfio variant driver
# (tests/vm/variant/), built against that kernel's own headers: Debian's linux-headers and
# linux-kbuild packages, downloaded and unpacked under build/ (never installed), as
# scripts/fetch-kernel.sh does with the kernel. The result, build/vm-variant/root, is the
# kernel's root with extra/passthru_test_vfio_pci.ko and depmod's files for it; the kernel's
# own root (build/kernel) is left as it is.
# usage: tests/vm/variant-kernel.sh   (from the top of the tree, after make kernel)
set -eu
top=$(pwd)
kver=$(cat build/kernel/version)
out=build/vm-variant
mods=$out/root/lib/modules/$kver
ko=$mods/extra/passthru_test_vfio_pci.ko
if [ -f "$ko" ] && [ -z "$(find tests/vm/variant tests/vm/variant-kernel.sh build/kernel/version \
    -newer "$ko")" ]; then
    exit 0
fi
hdr=$out/headers
src=$hdr/root/usr/src/linux-headers-$kver
if [ ! -f "$src/.passthru-ready" ]; then
    rm -rf "$hdr" && mkdir -p "$hdr/debs"
    deps=$(apt-cache depends "linux-headers-$kver" |
        sed -n 's/^ *Depends: \(linux-headers-[^ ]*-common\|linux-kbuild-[0-9.]*\)$/\1/p')
    # apt's download user (_apt) writes into the folder
    chmod 777 "$hdr/debs"
    # shellcheck disable=SC2086 # one package name a word
    (cd "$hdr/debs" && apt-get download -q "linux-headers-$kver" $deps >/dev/null) ||
        { echo "variant-kernel: cannot download linux-headers-$kver $deps" >&2; exit 1; }
    for d in "$hdr"/debs/*.deb; do
        dpkg -x "$d" "$hdr/root"
    done
    # the flavour's Makefile includes the common tree by its absolute /usr/src path
    sed -i "s#/usr/src/#$top/$hdr/root/usr/src/#" "$src/Makefile"
    : >"$src/.passthru-ready"
fi
rm -rf "$out/src" "$out/root"
mkdir -p "$out/src" "$out/root/boot" "$mods/extra"
cp tests/vm/variant/passthru_test_vfio_pci.c tests/vm/variant/Kbuild "$out/src/"
make -s -C "$src" M="$top/$out/src" modules >"$out/build.log" 2>&1 ||
    { tail -n 20 "$out/build.log" >&2; exit 1; }
# the kernel's modules as links to build/kernel's files; depmod's files as copies (rewritten)
cp -al "build/kernel/root/lib/modules/$kver/kernel" "$mods/kernel"
cp "build/kernel/root/lib/modules/$kver"/modules.* "$mods/"
# the kernel, its config and System.map (initramfs-tools reads the config)
cp -al build/kernel/root/boot/. "$out/root/boot/"
cp build/kernel/version "$out/version"
cp "$out/src/passthru_test_vfio_pci.ko" "$ko"
depmod -b "$out/root" "$kver"
grep -q '^alias vfio_pci:v00001234d00001111sv\*sd\*bc\*sc\*i\* passthru_test_vfio_pci$' \
    "$mods/modules.alias" || { echo "variant-kernel: depmod wrote no vfio_pci: alias" >&2; exit 1; }
echo "variant-kernel: $ko built for $kver"
