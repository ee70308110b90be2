#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: the install/reboot lifecycle on a real Debian 12 system booted by real GRUB in QEMU:
# IOMMU first (install with no device, reboot, list, install --device), the claim, a hand edit
# of the config that the next boot uses, uninstall; then the GRUB trial (install --trial): a
# trial boot without the card (confirm fails), the fallback boot (as before), the retry with the
# card and nobody logging in (not confirmed; the next boot is the old one), the trial with
# --auto-confirm (confirmed with no login), the default entry for good, uninstall; eleven boots.
# usage: tests/lifecycle/run.sh   (from the top of the tree; make check-lifecycle)
#   PASSTHRU_LIFECYCLE_INITRAMFS=initramfs-tools (default, Debian's) or dracut
#   PASSTHRU_LIFECYCLE_DEB=build/pkg/passthru_*.deb (make check-deb): the deb set: passthru
#   installed by apt-get in a chroot (tests/deb/chroot.sh: install, purge, install), then the
#   short set's boots with apt-get purge instead of uninstall, every boot file as before install
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
LIMIT=${PASSTHRU_LIFECYCLE_TIMEOUT:-900}
t0=$(date +%s)

# shellcheck source=tests/lifecycle/checks.sh
. tests/lifecycle/checks.sh

gen=${PASSTHRU_LIFECYCLE_INITRAMFS:-initramfs-tools}
# short (make check): install --device, claimed, uninstall: boots 1, 3, 5; IOMMU first (boot 2),
# the trial on GRUB and the hand edit are in the full set (make check-lifecycle-full, part of
# make check-slow); PASSTHRU_LIFECYCLE_FROM=5 starts the full set at boot 5 (the trial on a host
# without passthru), to run the trial's boots alone while developing
set=${PASSTHRU_LIFECYCLE_SET:-short}
from=${PASSTHRU_LIFECYCLE_FROM:-1}
case $set in short | full | deb) ;; *) echo "FAIL PASSTHRU_LIFECYCLE_SET=$set (short, full or deb)"; exit 1 ;; esac
deb=${PASSTHRU_LIFECYCLE_DEB:-}
[ "$set" != deb ] || [ -f "$deb" ] || { echo "FAIL the deb set needs PASSTHRU_LIFECYCLE_DEB"; exit 1; }
# each generator's guest has its own disk and logs: the runs may go side by side
L=build/lifecycle
[ "$gen" = initramfs-tools ] || L=build/lifecycle-$gen
# the debootstrapped root (cached): the deb set boots the lifecycle's on a disk of its own
R=build/lifecycle
[ "$gen" = initramfs-tools ] || R=build/lifecycle-$gen
[ "$set" != deb ] || L=build/deb
LOGS=$L
mkdir -p "$L"
rm -f "$L"/phase*.log
echo "lifecycle: Debian 12 with $gen, booted by GRUB ($set set)"
tests/lifecycle/debootstrap.sh "$R" "$gen" || { echo "FAIL debootstrap"; echo "0 passed, 1 failed"; exit 1; }
echo "image: debian rootfs ready ($(( $(date +%s) - t0 )) s)"

img=$L/img
kver=$(guest_unpack "$R/rootfs-$gen.tar" "$img") ||
    { echo "FAIL unpacking the root"; echo "0 passed, 1 failed"; exit 1; }
if [ "$set" != deb ]; then
    make -s install DESTDIR="$TOP/$img" PREFIX=/usr >/dev/null || { echo "FAIL make install"; exit 1; }
fi
printf '/dev/vda1 / ext4 defaults 0 1\n' >"$img/etc/fstab"
echo "$set" >"$img/etc/passthru-lifecycle.set"
if [ "$from" != 1 ]; then
    mkdir -p "$img/var/lib/passthru-lifecycle" && echo "$from" >"$img/var/lib/passthru-lifecycle/phase"
fi
echo lifecycle >"$img/etc/hostname"
guest_grub_default "$img" || { echo "FAIL GRUB's configuration"; exit 1; }
# small, quickly compressed images keep the generator fast under TCG
if [ "$gen" = dracut ]; then
    printf 'hostonly="yes"\nhostonly_mode="sloppy"\ncompress="cat"\nearly_microcode="no"\n' \
        >"$img/etc/dracut.conf.d/10-lifecycle.conf"
else
    guest_config_itools "$img"
fi
guest_step_unit "$img" tests/lifecycle/step.sh lifecycle || { echo "FAIL the test step"; exit 1; }
if [ "$set" = deb ]; then
    # the package's update-initramfs trigger builds the guest's first image
    # shellcheck source=tests/deb/chroot.sh
    . tests/deb/chroot.sh
    deb_chroot "$img" "$deb"
elif [ "$gen" = initramfs-tools ]; then
    guest_first_image "$img" || { echo "FAIL the first initramfs"; echo "0 passed, 1 failed"; exit 1; }
fi
guest_grub_first_cfg "$img" "$kver" "Debian (lifecycle, before install)" ||
    { echo "FAIL the first grub.cfg"; echo "0 passed, 1 failed"; exit 1; }

guest_grub_disk "$L" "$img" || { echo "FAIL the disk"; exit 1; }
echo "image: disk ready ($(( $(date +%s) - t0 )) s)"

# boot PHASE [TOPOLOGY]: one boot of the guest (default topology: the card at 00:05.0 with its
# HDA function at 00:05.1)
boot() {
    s=$(date +%s)
    topo=${2:-$T_GPU_HDA}
    # shellcheck disable=SC2086 # the topology is a word list
    timeout "$LIMIT" qemu-system-x86_64 -accel "${PASSTHRU_VM_ACCEL:-tcg}" -m 2048 -smp 1 \
        -nographic -no-reboot -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on \
        -vga none -net none -audiodev none,id=a0 -kernel "$L/grub.lnx" \
        -drive file="$L/disk.img",format=raw,if=virtio,cache=unsafe $topo </dev/null >"$L/phase$1.log" 2>&1
    boot_said "$1" "$(( $(date +%s) - s ))" "$L/phase$1.log"
}

# full: IOMMU first: install with no device sets up the arguments and the integration;
# short: install --device at once (one rebuild fewer), the IOMMU-first boot is full's
if [ "$from" -le 1 ] && boot 1; then
    check "before install: no IOMMU arguments" "$(val 1 cmdline | grep -c intel_iommu=on)" 0
    if [ "$set" != full ]; then
        check "install --device exits 0" "$(val 1 install-rc)" 0
    else
        check "install with no device exits 0" "$(val 1 install-rc)" 0
    fi
    check_match "install again changes nothing" "$(tr -d '\r' <"$L/phase1.log" |
        sed -n 's/^LIFECYCLE: install-again: //p' | tail -n 1) rc=$(val 1 install-again-rc)" \
        "nothing to do"
    echo "  install took $(val 1 install-seconds) s in the guest"
    if [ "$set" = full ]; then
        check "IOMMU first, installed, not rebooted: status exits 1" "$(val 1 status-after-install-rc)" 1
        check_match "IOMMU first, installed, not rebooted: status says reboot to apply" \
            "$(tr -d '\r' <"$L/phase1.log" | sed -n 's/^LIFECYCLE: status-after-install: //p' | tail -n 1)" \
            "installed: reboot to apply"
    fi
fi
# after the reboot the IOMMU is on: list shows the groups, then the device is chosen
if [ "$set" = full ] && [ "$from" -le 2 ] && boot 2; then
    check_match "IOMMU first: /proc/cmdline has intel_iommu=on" "$(val 2 cmdline)" "intel_iommu=on iommu=pt"
    check "IOMMU first: nothing claimed yet (00:05.0 on bochs-drm)" "$(val 2 driver-05.0)" bochs-drm
    check "IOMMU first, rebooted, no device yet: status exits 0 (not a drift)" "$(val 2 status-rc)" 0
    check "list exits 0" "$(val 2 list-rc)" 0
    check_match "list shows 00:05.0 and its IOMMU group" \
        "$(tr -d '\r' <"$L/phase2.log" | sed -n 's/^LIFECYCLE: list: //p' | grep -i group | head -n 3)" group
    check "install --device exits 0" "$(val 2 install-rc)" 0
fi
if [ "$from" -le 3 ] && boot 3; then
    check "after install: 00:05.0 on vfio-pci" "$(val 3 driver-05.0)" vfio-pci
    check "after install: 00:05.1 on vfio-pci" "$(val 3 driver-05.1)" vfio-pci
    check "after install: passthru-setup status exits 0" "$(val 3 status-rc)" 0
    check "after install: the image holds passthru" "$([ "$(val 3 image-passthru-files)" -gt 0 ] && echo yes)" yes
    if [ "$set" = short ]; then
        check "uninstall exits 0" "$(val 3 uninstall-rc)" 0
        echo "  uninstall took $(val 3 uninstall-seconds) s in the guest"
    elif [ "$set" = deb ]; then
        check "apt-get purge passthru exits 0" "$(val 3 purge-rc)" 0
        check_match "purge: prerm ran passthru-setup uninstall, and said so" \
            "$(lines 3 "purge: " | tr '\n' ' ')" "passthru: taking passthru out of the boot (passthru-setup uninstall)"
        echo "  apt-get purge took $(val 3 purge-seconds) s in the guest"
    else
        check "after a hand edit of the config: status exits 1" "$(val 3 status-after-edit-rc)" 1
        check_match "after a hand edit of the config: status names the stale config" \
            "$(tr -d '\r' <"$L/phase3.log" | sed -n 's/^LIFECYCLE: status-after-edit: //p')" "passthru-setup install"
        check "install after the edit exits 0 (rebuilds the images)" "$(val 3 install-rc)" 0
        check "after the edit's install, not rebooted: status exits 1" "$(val 3 status-after-install-rc)" 1
        check_match "after the edit's install, not rebooted: status says reboot to apply, not install" \
            "$(tr -d '\r' <"$L/phase3.log" | sed -n 's/^LIFECYCLE: status-after-install: //p' | tail -n 1)" \
            "installed: reboot to apply"
        check_match "install after that changes nothing" "$(tr -d '\r' <"$L/phase3.log" |
            sed -n 's/^LIFECYCLE: install-again: //p' | tail -n 1)" "nothing to do"
    fi
fi
if [ "$set" = full ] && [ "$from" -le 4 ] && boot 4; then
    check "the edited config is what the boot used (config_sha256)" "$(val 4 boot-config-sha256)" "$(val 4 config-sha256)"
    check "edited config (driver = pci-stub): 00:05.0 on pci-stub" "$(val 4 driver-05.0)" pci-stub
    check "edited config (driver = pci-stub): 00:05.1 on pci-stub" "$(val 4 driver-05.1)" pci-stub
    check "edited config: status exits 0" "$(val 4 status-rc)" 0
    check "uninstall exits 0" "$(val 4 uninstall-rc)" 0
    echo "  uninstall took $(val 4 uninstall-seconds) s in the guest"
fi
if boot 5; then
    check "after uninstall: no intel_iommu=on" "$(val 5 cmdline | grep -c intel_iommu=on)" 0
    check "after uninstall: 00:05.0 back on the host driver" "$(val 5 driver-05.0)" bochs-drm
    check "after uninstall: the image holds nothing of passthru" "$(val 5 image-passthru-files)" 0
    check "after uninstall: passthru's files gone" "$(val 5 passthru-files)" 0
fi
if [ "$set" = deb ]; then
    check "after purge: dpkg knows no passthru, passthru-setup is gone" \
        "$(val 5 dpkg-status) $(val 5 setup-binary)" " 0"
    check "after purge: every boot file byte for byte as before install (grub.cfg: update-grub's)" \
        "$(val 5 deb-diffs)" 0
    [ "$(val 5 deb-diffs)" = 0 ] || lines 5 "deb-diff: "
    check "after purge: grub.cfg has no IOMMU argument" "$(val 5 grubcfg-passthru-args)" 0
fi
if [ "$set" = full ]; then
    check "install --trial exits 0" "$(val 5 install-rc)" 0
    check "install --trial: grubenv next_entry" "$(val 5 next-entry)" "passthru trial"
    check "install --trial: one 'passthru trial' entry in grub.cfg" "$(val 5 trial-entries)" 1
    check "install --trial: the trial mark /etc/passthru.trial" "$(val 5 trial-mark)" 1
    check "install --trial: no permanent drop-in" "$(val 5 dropin)" 0
    check "install --trial: passthru-confirm.service enabled" "$(val 5 confirm-enabled)" enabled
fi
# the trial boot, the card gone (removed, or moved): the configured device cannot be claimed
if [ "$set" = full ] && boot 6 "$T_BOOTVGA"; then
    check_match "bad trial: /proc/cmdline has the arguments and the marker" "$(val 6 cmdline)" \
        "intel_iommu=on iommu=pt rd.passthru.trial=1"
    check "bad trial: no 00:05.0" "$(val 6 driver-05.0)" none
    check "bad trial: passthru-setup status exits 1" "$(val 6 status-rc)" 1
    check "bad trial: passthru-confirm.service ran" "$(val 6 confirm-condition)" yes
    check "bad trial: passthru-confirm.service failed" "$(val 6 confirm-result)" exit-code
    check_match "bad trial: its journal says why" "$(lines 6 "confirm: ")" "not ready"
    check "bad trial: its journal has the status report before the 'see above'" \
        "$(lines 6 "confirm: " | grep -n -e 'IOMMU: ' -e 'not ready (see above)' | head -n 1 |
            grep -c 'IOMMU: ')" 1
    check "bad trial: still pending (no permanent drop-in)" "$(val 6 dropin)" 0
    check "bad trial: still pending (/etc/passthru.trial)" "$(val 6 trial-mark)" 1
    check "bad trial: confirm stays enabled" "$(val 6 confirm-enabled)" enabled
    check "bad trial: GRUB cleared next_entry" "$(val 6 next-entry)" ""
fi
# the fallback: the card back, nobody at the keyboard: the default entry, as before the trial
if [ "$set" = full ] && boot 7; then
    check "fallback: no intel_iommu=on" "$(val 7 cmdline | grep -c intel_iommu=on)" 0
    check "fallback: no rd.passthru.trial" "$(val 7 cmdline | grep -c rd.passthru.trial)" 0
    check "fallback: 00:05.0 on its host driver" "$(val 7 driver-05.0)" "$(val 5 driver-05.0)"
    check "fallback: 00:05.1 on its host driver" "$(val 7 driver-05.1)" "$(val 5 driver-05.1)"
    check "fallback: the claim says a trial is pending (kmsg)" \
        "$([ "$(val 7 kmsg-trial-pending)" -gt 0 ] && echo yes)" yes
    check "fallback: the claim's status says trial_pending" "$(val 7 status-trial-pending)" 1
    check "fallback: passthru-confirm.service skipped (its condition)" "$(val 7 confirm-condition)" no
    check "fallback: the default boot's files as before install --trial" "$(val 7 default-diffs)" 0
    check "retry: install --trial exits 0" "$(val 7 install-rc)" 0
    check "retry: grubenv next_entry" "$(val 7 retry-next-entry)" "passthru trial"
fi
# a ready trial that nobody logs in to (the black screen the trial exists for): not confirmed
if [ "$set" = full ] && boot 8; then
    check_match "ready trial, no login: /proc/cmdline has the arguments and the marker" \
        "$(val 8 cmdline)" "intel_iommu=on iommu=pt rd.passthru.trial=1"
    check "ready trial, no login: 00:05.0 on vfio-pci" "$(val 8 driver-05.0)" vfio-pci
    check "ready trial, no login: passthru-setup status exits 0" "$(val 8 status-rc)" 0
    check "ready trial, no login: nobody logged in (utmp)" "$(val 8 logins)" 0
    check "ready trial, no login: passthru-confirm.service still waiting" "$(val 8 confirm-state)" active
    check_match "ready trial, no login: its journal says it waits for a login" \
        "$(lines 8 "confirm: ")" "waiting for a login session"
    check "ready trial, no login: not confirmed (no permanent drop-in)" "$(val 8 dropin)" 0
    check "ready trial, no login: still pending (/etc/passthru.trial)" "$(val 8 trial-mark)" 1
fi
# powered off with nobody logged in: the next boot is the old one
if [ "$set" = full ] && boot 9; then
    check "after the unconfirmed trial: no intel_iommu=on" "$(val 9 cmdline | grep -c intel_iommu=on)" 0
    check "after the unconfirmed trial: no rd.passthru.trial" "$(val 9 cmdline | grep -c rd.passthru.trial)" 0
    check "after the unconfirmed trial: 00:05.0 on its host driver" "$(val 9 driver-05.0)" "$(val 5 driver-05.0)"
    check "after the unconfirmed trial: passthru-confirm.service skipped" "$(val 9 confirm-condition)" no
    check "after the unconfirmed trial: the default boot's files as before install --trial" \
        "$(val 9 default-diffs)" 0
    check "install --trial --auto-confirm exits 0" "$(val 9 install-rc)" 0
    check "install --trial once more: grubenv next_entry" "$(val 9 retry-next-entry)" "passthru trial"
fi
# the trial again, --auto-confirm (a headless host): confirmed with nobody logged in
if [ "$set" = full ] && boot 10; then
    check_match "trial boot: /proc/cmdline has the arguments and the marker" "$(val 10 cmdline)" \
        "intel_iommu=on iommu=pt rd.passthru.trial=1"
    check "trial boot: 00:05.0 on vfio-pci" "$(val 10 driver-05.0)" vfio-pci
    check "trial boot: 00:05.1 on vfio-pci" "$(val 10 driver-05.1)" vfio-pci
    check "trial boot: GRUB cleared next_entry" "$(val 10 next-entry)" ""
    check "trial boot (--auto-confirm): nobody logged in (utmp)" "$(val 10 logins)" 0
    check_match "trial boot (--auto-confirm): its journal says no login is needed" \
        "$(lines 10 "confirm: ")" "installed with --auto-confirm: no login needed"
    check "trial boot: passthru-confirm.service ran to its end" "$(val 10 confirm-state)" inactive
    check "trial boot: passthru-confirm.service succeeded" "$(val 10 confirm-result)" success
    check "trial boot: confirmed (the permanent drop-in)" "$(val 10 dropin)" 1
    check "trial boot: confirm disabled the service" "$(val 10 confirm-enabled)" disabled
fi
if [ "$set" = full ] && boot 11; then
    check_match "after confirm: the default entry has the arguments" "$(val 11 cmdline)" "intel_iommu=on iommu=pt"
    check "after confirm: no trial marker" "$(val 11 cmdline | grep -c rd.passthru.trial)" 0
    check "after confirm: 00:05.0 on vfio-pci" "$(val 11 driver-05.0)" vfio-pci
    check "after confirm: 00:05.1 on vfio-pci" "$(val 11 driver-05.1)" vfio-pci
    check "after confirm: passthru-setup status exits 0" "$(val 11 status-rc)" 0
    check "after confirm: no trial mark, no trial entry, no trial script" \
        "$(val 11 trial-mark) $(val 11 trial-entries) $(val 11 trial-script)" "0 0 "
    check "after confirm: no one-time choice left in grubenv" "$(val 11 next-entry)" ""
    check "uninstall exits 0" "$(val 11 uninstall-rc)" 0
    check "after uninstall: every snapshot file byte for byte as before install --trial" \
        "$(val 11 full-diffs)" 0
    [ "$(val 11 full-diffs)" = 0 ] || lines 11 "full-diff: "
fi
echo "lifecycle: $(( $(date +%s) - t0 )) s in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
