#!/bin/sh
# debootstrap.sh: a minimal Debian 12 system with a kernel, GRUB tools and dracut-core,
# cached as a tarball in build/lifecycle/ (a rerun skips it). Nothing touches the host's boot.
set -eu
out=${1:-build/lifecycle}
mkdir -p "$out"
[ -f "$out/rootfs.tar" ] && exit 0
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
dir=$out/rootfs
rm -rf "$dir"
debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,linux-image-amd64,dracut-core,grub-pc-bin,grub2-common,pciutils,pci.ids,libkmod2,libpci3,diffutils \
    bookworm "$dir" "$mirror" >"$out/debootstrap.log" 2>&1 || {
    tail -n 30 "$out/debootstrap.log" >&2
    exit 1
}
tar -C "$dir" -cf "$out/rootfs.tar.tmp" . && mv "$out/rootfs.tar.tmp" "$out/rootfs.tar"
rm -rf "$dir"
