#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh: install the Debian packages that building and testing passthru need.
# Tools only, no recommends: dracut-core (not dracut, which would replace initramfs-tools;
# and not its recommends lvm2/mdadm/cryptsetup, which hook into the machine's initramfs).
# busybox, klibc-utils: what the initramfs-tools and mkinitcpio test images are built from;
# libarchive-tools: bsdtar, which mkinitcpio and lsinitcpio pack and list images with.
# systemd-boot: its bootctl lists fixture ESPs in sd-boot's own order (tests/setup/trial.sh);
# its postinst and kernel hooks act only where an ESP with systemd-boot is installed.
# rpm (rpmbuild), rpm2cpio, makepkg, fakeroot: make rpm and make arch (Fedora's and Arch's
# package builders, run with --nodeps: Debian has neither's package database);
# pacman-package-manager: makepkg looks pacman up first thing (type -P) and, without it, stops
# with "An unknown error has occurred" (its ERR trap), --nodeps or not.
PKGS_PKG="rpm rpm2cpio makepkg fakeroot pacman-package-manager"
# sbsigntool: sbsign and sbverify sign and check the test UKIs when Secure Boot is on
# (tests/setup/uki.sh's signing builders).
# efitools: cert-to-efi-sig-list and sign-efi-sig-list make the Secure Boot key lists that
# make check-uki enrolls into OVMF (tests/uki/enroll.sh).
# strace: kills passthru-setup at each file-changing system call (tests/setup/powercut.sh).
# ansible-core: ansible-galaxy builds the collection (make ansible), ansible-playbook runs it
# against fake hosts, ansible-doc and ansible-test check it (make check-ansible); ansible-lint
# lints its role; python3-voluptuous, python3-pycodestyle: what ansible-test's validate-modules
# and pep8 import (its own venvs need pip from the internet).
set -eu
PKGS="build-essential pkg-config musl-tools musl-dev linux-libc-dev
libcmocka-dev libkmod-dev libpci-dev pciutils pci.ids
autoconf automake libtool dpkg-dev
dracut-core cpio qemu-system-x86 kmod busybox klibc-utils libarchive-tools
debootstrap fdisk grub-pc-bin grub2-common e2fsprogs
ovmf dosfstools mtools systemd-boot
shellcheck clang libclang-rt-14-dev valgrind zstd xz-utils systemd udev file jq libxml2-utils procps debian-archive-keyring
strace sbsigntool efitools ansible-core ansible-lint python3-voluptuous python3-pycodestyle
debhelper lintian"
missing=""
for p in $PKGS $PKGS_PKG; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
