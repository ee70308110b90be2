#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# debootstrap.sh: a minimal Debian 12 system with a kernel, GRUB tools and one initramfs
# generator (initramfs-tools, Debian's default, or dracut-core), cached as a tarball in
# build/lifecycle/ (a rerun skips it). Nothing touches the host's boot.
# usage: debootstrap.sh OUT [initramfs-tools|dracut [EXTRA]]   -> OUT/rootfs-GEN.tar
#   EXTRA: more packages, comma-separated (the Ansible guest's openssh-server,python3)
set -eu
out=${1:-build/lifecycle}
gen=${2:-initramfs-tools}
extra=${3:+,$3}
case $gen in
initramfs-tools) pkgs=initramfs-tools,lz4 ;;
dracut) pkgs=dracut-core ;;
*) echo "debootstrap.sh: unknown generator '$gen'" >&2; exit 2 ;;
esac
mkdir -p "$out"
tar=$out/rootfs-$gen.tar
# a root made with other extra packages is made again (OUT/rootfs-GEN.extra names them)
[ -f "$tar" ] && [ "$(cat "$tar.extra" 2>/dev/null)" = "$extra" ] && exit 0
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
dir=$out/rootfs-$gen
rm -rf "$dir"
debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,linux-image-amd64,$pkgs,grub-pc-bin,grub2-common,pciutils,pci.ids,libkmod2,libpci3,diffutils"$extra" \
    bookworm "$dir" "$mirror" >"$out/debootstrap.log" 2>&1 || {
    tail -n 30 "$out/debootstrap.log" >&2
    exit 1
}
if [ -n "$extra" ]; then echo "$extra" >"$tar.extra"; else rm -f "$tar.extra"; fi
tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
rm -rf "$dir"
