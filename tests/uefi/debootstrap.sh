#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# debootstrap.sh: a minimal Debian 12 system for the UEFI guests: a kernel, systemd-boot
# (bootctl, kernel-install) and its EFI binaries, and initramfs-tools (the systemd-boot guest,
# OUT/rootfs.tar) or dracut with binutils and sbsigntool (the UKI guest, OUT/rootfs-uki.tar:
# dracut --uefi builds and signs unified kernel images with objcopy and sbsign), cached as a
# tarball in OUT (a rerun skips it). Nothing touches the host's boot.
# usage: debootstrap.sh OUT [uki]
set -eu
out=${1:-build/uefi}
variant=${2:-}
mkdir -p "$out"
case $variant in
'')
    tar=$out/rootfs.tar
    pkgs=linux-image-amd64,initramfs-tools,lz4
    ;;
uki)
    # dracut (not dracut-core) provides linux-initramfs-tool and conflicts with
    # initramfs-tools, which debootstrap picks for the kernel's dependency whatever it is
    # told: the kernel and dracut are installed afterwards by apt in the new root
    tar=$out/rootfs-uki.tar
    pkgs=lz4,binutils,sbsigntool
    ;;
*) echo "debootstrap.sh: unknown variant '$variant'" >&2; exit 2 ;;
esac
[ -f "$tar" ] && exit 0
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
dir=${tar%.tar}
rm -rf "$dir"
log=$out/debootstrap${variant:+-$variant}.log
debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,$pkgs,systemd-boot,systemd-boot-efi,pciutils,pci.ids,libkmod2,libpci3,diffutils \
    bookworm "$dir" "$mirror" >"$log" 2>&1 || {
    tail -n 30 "$log" >&2
    exit 1
}
if [ "$variant" = uki ]; then
    # in a private mount namespace (the host's mount table never sees /proc there)
    unshare -m --propagation private sh -exc 'mount -t proc proc "$1/proc"
        chroot "$1" apt-get update
        DEBIAN_FRONTEND=noninteractive chroot "$1" apt-get install -y --no-install-recommends \
            dracut linux-image-amd64
        chroot "$1" apt-get clean' sh "$dir" >>"$log" 2>&1 || {
        tail -n 30 "$log" >&2
        exit 1
    }
fi
tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
rm -rf "$dir"
