#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e-snapshot.sh: runs in the Ansible end-to-end guest (ssh ... sh -s <e2e-snapshot.sh): every
# boot file passthru may touch, one "name sha256" a line (absent when missing), the enabled units'
# links and the file list of each initramfs; tests/ansible/e2e.sh compares the lists.
sum() {
    if [ -e "$1" ]; then echo "$1 $(sha256sum <"$1" | cut -d' ' -f1)"; else echo "$1 absent"; fi
}
for f in /etc/default/grub /etc/default/grub.d/* /etc/grub.d/* /boot/grub/grub.cfg \
    /boot/grub/grubenv /etc/passthru.conf /etc/passthru.trial /etc/initramfs-tools/modules \
    /etc/initramfs-tools/initramfs.conf /etc/initramfs-tools/conf.d/* /var/lib/passthru/* \
    /etc/kernel/cmdline /boot/vmlinuz-* /boot/initrd.img-*; do
    case $f in *'*') continue ;; esac
    sum "$f"
done
for f in /boot/initrd.img-*; do
    [ -e "$f" ] && echo "list:$f $(lsinitramfs "$f" 2>/dev/null | sort | sha256sum | cut -d' ' -f1)"
done
# the enabled units as their links (systemctl's list can time out on a busy TCG guest)
echo "enabled-units $(find /etc/systemd/system -type l -exec ls -l {} + 2>/dev/null |
    awk '{ print $9, $11 }' | sort | sha256sum | cut -d' ' -f1)"
