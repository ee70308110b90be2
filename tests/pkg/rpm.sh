#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rpm.sh: the rpm that make rpm built: its name, license, bundled libraries, Fedora's paths
# (rpm -qlp), no initramfs rebuild in its scriptlets, and a static passthru-claim inside.
# usage: tests/pkg/rpm.sh RPM VERSION   (WORK: the scratch folder, build/tests/pkg-rpm)
set -u
version=$2
work=${WORK:-build/tests/pkg-rpm}
. "$(dirname "$0")/lib.sh"
rpm=$(abspath "$1")

named rpm "$rpm" "passthru-$version-*.$(rpm --eval '%{_arch}').rpm" passthru-VERSION-REV.ARCH.rpm
rpm -qlp "$rpm" >"$work/files" 2>"$work/err" || bad "rpm -qlp" "$(cat "$work/err")"
# Fedora's rpmbuild compresses man pages, Debian's does not
sed 's/\.gz$//' "$work/files" >"$work/names"
has_paths "rpm -qlp" "$work/names" /usr/sbin/passthru-setup /usr/lib/passthru/passthru-claim \
    /usr/lib/dracut/modules.d/90passthru/module-setup.sh \
    /usr/lib/dracut/modules.d/90passthru/passthru-early.sh \
    /usr/lib/dracut/modules.d/90passthru/passthru.service \
    /usr/lib/systemd/system/passthru-confirm.service \
    /usr/share/bash-completion/completions/passthru-setup \
    /usr/share/doc/passthru/passthru.conf.example \
    /usr/share/man/man8/passthru-setup.8 /usr/share/man/man8/passthru-claim.8 \
    /usr/share/man/man5/passthru.conf.5
grep -q -e initramfs-tools -e /initcpio/ "$work/files" &&
    bad "rpm: Fedora's layout" "initramfs-tools or mkinitcpio files in it" ||
    ok "rpm: no initramfs-tools or mkinitcpio files (dracut only)"
grep -q '/LICENSE$' "$work/files" && grep -q 'COPYING.libkmod$' "$work/files" &&
    grep -q 'COPYING.pciutils$' "$work/files" && ok "rpm: the three licenses" ||
    bad "rpm: licenses" "LICENSE, COPYING.libkmod or COPYING.pciutils missing"
lic=$(rpm -qp --qf '%{LICENSE}' "$rpm")
[ "$lic" = "GPL-2.0-or-later AND LGPL-2.1-or-later" ] && ok "rpm: License: $lic" ||
    bad "rpm: License" "$lic"
prov=$(rpm -qp --provides "$rpm")
echo "$prov" | grep -q -x 'bundled(kmod) = 30' && echo "$prov" | grep -q -x 'bundled(pciutils) = 3.9.0' &&
    ok "rpm: Provides bundled(kmod) = 30, bundled(pciutils) = 3.9.0" ||
    bad "rpm: bundled Provides" "$(echo "$prov" | tr '\n' ' ')"
rpm -qp --scripts "$rpm" >"$work/scripts"
grep -q -e 'dracut' -e 'update-initramfs' -e mkinitcpio "$work/scripts" &&
    bad "rpm: scriptlets" "an initramfs rebuild in them" || ok "rpm: no dracut -f in the scriptlets"
grep -q 'passthru-setup uninstall' "$work/scripts" && ok "rpm: removal runs passthru-setup uninstall" ||
    bad "rpm: removal" "no passthru-setup uninstall in %preun"

# the files themselves: the static binary runs
mkdir -p "$work/root"
(cd "$work/root" && rpm2cpio "$rpm" | cpio -idm --quiet) 2>"$work/err" ||
    bad "rpm2cpio" "$(cat "$work/err")"
claim_ok rpm "$work/root/usr/lib/passthru/passthru-claim" "$version"
finish
