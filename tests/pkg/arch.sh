#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# arch.sh: the package that make arch built: its name, licenses, the mkinitcpio hooks and the
# other paths (tar --zstd -tf), no rebuild in its .INSTALL, a static passthru-claim inside.
# usage: tests/pkg/arch.sh PKG VERSION   (WORK: the scratch folder, build/tests/pkg-arch)
set -u
version=$2
work=${WORK:-build/tests/pkg-arch}
. "$(dirname "$0")/lib.sh"
pkg=$(abspath "$1")

named arch "$pkg" "passthru-$version-*-x86_64.pkg.tar.zst" passthru-VERSION-REV-ARCH.pkg.tar.zst
tar --zstd -tf "$pkg" >"$work/files" 2>"$work/err" || bad "tar --zstd -tf" "$(cat "$work/err")"
has_paths "tar --zstd -tf" "$work/files" usr/bin/passthru-setup usr/lib/passthru/passthru-claim \
    usr/lib/initcpio/install/passthru usr/lib/initcpio/hooks/passthru \
    usr/lib/dracut/modules.d/90passthru/module-setup.sh \
    usr/lib/dracut/modules.d/90passthru/passthru-early.sh \
    usr/lib/dracut/modules.d/90passthru/passthru.service \
    usr/lib/systemd/system/passthru-confirm.service \
    usr/share/bash-completion/completions/passthru-setup \
    usr/share/doc/passthru/passthru.conf.example usr/share/man/man8/passthru-setup.8.gz \
    usr/share/man/man8/passthru-claim.8.gz usr/share/man/man5/passthru.conf.5.gz \
    usr/share/licenses/passthru/LICENSE usr/share/licenses/passthru/COPYING.libkmod \
    usr/share/licenses/passthru/COPYING.pciutils
grep -q -e initramfs-tools -e '^usr/sbin/' "$work/files" &&
    bad "arch: layout" "initramfs-tools files or /usr/sbin in it" ||
    ok "arch: no initramfs-tools files, nothing in /usr/sbin (a link to /usr/bin on Arch)"
tar --zstd -xf "$pkg" -C "$work" .PKGINFO .INSTALL usr/lib/passthru/passthru-claim
grep -q -x 'license = GPL-2.0-or-later' "$work/.PKGINFO" &&
    grep -q -x 'license = LGPL-2.1-or-later' "$work/.PKGINFO" &&
    ok "arch: license = GPL-2.0-or-later, LGPL-2.1-or-later" || bad "arch: license" "not both in .PKGINFO"
grep -q -x "pkgver = $version-[0-9]*" "$work/.PKGINFO" && ok "arch: pkgver $version" ||
    bad "arch: pkgver" "$(grep pkgver "$work/.PKGINFO")"
grep -q -e mkinitcpio -e dracut -e update-initramfs -e post_install -e post_upgrade "$work/.INSTALL" &&
    bad "arch: .INSTALL" "an initramfs rebuild in it" ||
    ok "arch: .INSTALL calls no initramfs generator and has no post_install (mkinitcpio's alpm hook rebuilds)"
grep -q 'passthru-setup uninstall' "$work/.INSTALL" && ok "arch: removal runs passthru-setup uninstall" ||
    bad "arch: removal" "no passthru-setup uninstall in pre_remove"
claim_ok arch "$work/usr/lib/passthru/passthru-claim" "$version"
finish
