#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# debootstrap.sh: a minimal Debian 12 system for the UEFI guest: a kernel, initramfs-tools,
# systemd-boot (bootctl, kernel-install) and its EFI binaries, cached as a tarball in OUT
# (a rerun skips it). Nothing touches the host's boot.
# usage: debootstrap.sh OUT   -> OUT/rootfs.tar
set -eu
out=${1:-build/uefi}
mkdir -p "$out"
tar=$out/rootfs.tar
[ -f "$tar" ] && exit 0
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
dir=$out/rootfs
rm -rf "$dir"
debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,lz4,systemd-boot,systemd-boot-efi,pciutils,pci.ids,libkmod2,libpci3,diffutils \
    bookworm "$dir" "$mirror" >"$out/debootstrap.log" 2>&1 || {
    tail -n 30 "$out/debootstrap.log" >&2
    exit 1
}
tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
rm -rf "$dir"
