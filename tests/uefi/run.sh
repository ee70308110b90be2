#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: a real UEFI guest: OVMF boots systemd-boot (installed by bootctl), which boots the
# Debian kernel and initramfs from a loader entry written by kernel-install; then install,
# reboot, check the claim; with the card as the firmware's boot display: refused by default,
# claimed with boot_vga = allow and its framebuffer released; uninstall, reboot, check it is gone.
# Then the trial (install --trial: systemd-boot's one-shot entry): booted on a platform without
# an IOMMU, confirm fails; the next boot is the old one, its files as before; a second trial
# is confirmed and stays; uninstall leaves every boot file as before the first trial.
# The disk image is built without mounting anything: mkfs.vfat + mcopy, mkfs.ext4 -d, sfdisk.
# usage: tests/uefi/run.sh   (from the top of the tree; make check-uefi)
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
U=build/uefi
LIMIT=${PASSTHRU_UEFI_TIMEOUT:-900}
# short (make check): the trial on a host without passthru (boots 5 to 9); full (make
# check-uefi-full, part of make check-slow): install, claim, the boot display, uninstall first
set=${PASSTHRU_UEFI_SET:-short}
case $set in short | full) ;; *) echo "FAIL PASSTHRU_UEFI_SET=$set (short or full)"; exit 1 ;; esac
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS.fd}
ESP_MB=256
ROOT_MB=2000
t0=$(date +%s)
LOGS=$U
# shellcheck source=tests/lifecycle/checks.sh
. tests/lifecycle/checks.sh
suite_dir "$U"
need_firmware "$OVMF_CODE" "$OVMF_VARS"
tests/uefi/debootstrap.sh "$U" || die debootstrap
echo "uefi: $set set"
echo "image: debian rootfs with systemd-boot ready ($(( $(date +%s) - t0 )) s)"

img=$U/img
kver=$(guest_unpack "$U/rootfs.tar" "$img") || die "unpacking the root"
make -s install DESTDIR="$TOP/$img" PREFIX=/usr >/dev/null || die "make install"
printf '/dev/vda2 / ext4 defaults 0 1\n/dev/vda1 /boot/efi vfat umask=0077 0 2\n' >"$img/etc/fstab"
echo uefi >"$img/etc/hostname"
# the short set begins at the trial (phase 5), on a host where passthru was never installed
if [ "$set" = short ]; then
    mkdir -p "$img/var/lib/passthru-lifecycle" && echo 5 >"$img/var/lib/passthru-lifecycle/phase"
fi
# the entry token names the folder of the kernels on the ESP and the entries' file names
echo debian >"$img/etc/kernel/entry-token"
# no_timer_check: under TCG on a busy machine the kernel's check of the timer through the
# interrupt-remapped IO-APIC fails now and then and panics the guest before its initramfs
# (seen in a make check with two guests side by side); the check says nothing about passthru
echo "root=/dev/vda2 ro console=ttyS0 no_timer_check quiet" >"$img/etc/kernel/cmdline"
# images the guest builds hold the modules its disk needs, quickly compressed: a rebuild under
# TCG then takes a few minutes instead of ten; the first one is built on this machine
guest_config_itools "$img"
guest_step_unit "$img" tests/uefi/step.sh uefi || die "the test step"
[ -f "$img/boot/vmlinuz-$kver" ] && [ -f "$img/boot/initrd.img-$kver" ] ||
    die "no kernel or initramfs for $kver in the image's /boot"

guest_first_image "$img" || die "the first initramfs"

# The ESP's files are made by the image's own bootctl and kernel-install in a chroot, on a
# tmpfs at the image's /boot/efi in a private mount namespace (unshare -m: the host's mount
# table never sees it, and it vanishes with the namespace), then copied into the FAT image
# with mcopy. Both tools want the ESP at the top of a mount of its own (bootctl checks it;
# kernel-install writes the entry's paths relative to that mount, found with stat -c %m),
# and bootctl wants /proc. SYSTEMD_RELAX_ESP_CHECKS lets the ESP be something other than a
# FAT partition; --no-variables leaves every EFI variable alone (the firmware then finds
# \EFI\BOOT\BOOTX64.EFI, which bootctl also installs).
rm -f "$U/esp.img" "$U/root.img" "$U/disk.img"
mkfs.vfat -C -F 32 -n ESP "$U/esp.img" $((ESP_MB * 1024)) >/dev/null || die mkfs.vfat
mkdir -p "$img/boot/efi"
SYSTEMD_RELAX_ESP_CHECKS=1 unshare -m --propagation private sh -exc '
    esp=$1/boot/efi
    mount -t tmpfs -o mode=0700 esp "$esp"
    mount -t proc proc "$1/proc"
    chroot "$1" bootctl install --esp-path=/boot/efi --no-variables
    printf "timeout 0\n" >"$esp/loader/loader.conf"
    chroot "$1" kernel-install -v add "$2" "/boot/vmlinuz-$2" "/boot/initrd.img-$2"
    entry=$esp/loader/entries/debian-$2.conf
    cat "$entry"
    grep -q "^linux */debian/$2/linux\$" "$entry"
    cd "$esp" && mcopy -s -Q -i "$3" ./* ::/' \
    sh "$img" "$kver" "$TOP/$U/esp.img" >"$U/bootctl.log" 2>&1 ||
    { cat "$U/bootctl.log"; die "the ESP: bootctl install, kernel-install add, mcopy"; }
echo "image: the ESP (bootctl install, kernel-install add):"
mdir -/ -b -i "$U/esp.img" :: | sed 's/^::/  /' 
guest_gpt_disk "$U" "$img" "$ESP_MB" "$ROOT_MB" || die "the GPT disk"
cp "$OVMF_VARS" "$U/OVMF_VARS.fd"
echo "image: GPT disk ready ($(( $(date +%s) - t0 )) s)"

# the claimed card alone: the firmware's display (efifb on its BAR), boot_vga = 1
T_FB="-device VGA,bus=pcie.0,addr=05.0,multifunction=on $T_HDA"

# boot N TOPOLOGY [noiommu]: noiommu: a platform without an IOMMU (no intel-iommu device)
boot() {
    s=$(date +%s)
    iommu="-device intel-iommu,intremap=on"
    [ "${3:-}" = noiommu ] && iommu=
    # shellcheck disable=SC2086 # the topology is a word list
    timeout "$LIMIT" qemu-system-x86_64 -accel "${PASSTHRU_VM_ACCEL:-tcg}" -m 2048 -smp 1 \
        -nographic -no-reboot -machine q35,kernel-irqchip=split $iommu \
        -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
        -drive if=pflash,format=raw,file="$U/OVMF_VARS.fd" \
        -vga none -net none -audiodev none,id=a0 \
        -drive file="$U/disk.img",format=raw,if=virtio,cache=unsafe $2 </dev/null >"$U/phase$1.log" 2>&1
    boot_said "$1" "$(( $(date +%s) - s ))" "$U/phase$1.log"
}

# booted_by_sdboot N [ENTRY [OPTIONS]]: booted by UEFI through systemd-boot, which chose
# ENTRY (the default debian-KVER), with the entry's own options (or OPTIONS, when the entry
# is gone) on the kernel command line
booted_by_sdboot() {
    e=${2:-debian-$kver}
    check "boot $1: UEFI firmware" "$(val "$1" firmware)" uefi
    check_match "boot $1: LoaderInfo names systemd-boot" "$(val "$1" loader-info)" "systemd-boot"
    check_match "boot $1: systemd-boot chose $e" "$(val "$1" loader-entry)" "$e"
    opts=$(val "$1" entry-options)
    # a confirmed trial: confirm removed the copied entry before the step could read it
    [ "$opts" = none ] && [ -n "${3:-}" ] && opts=$3
    [ -n "$opts" ] && [ "$opts" != none ] ||
        { echo "FAIL boot $1: no options in the chosen entry"; fail=$((fail + 1)); return; }
    check_match "boot $1: /proc/cmdline carries the entry's options" "$(val "$1" cmdline)" "$opts"
}

if [ "$set" = full ] && boot 1 "$T_GPU_HDA"; then
    booted_by_sdboot 1
    check "before install: no IOMMU arguments" "$(val 1 cmdline | grep -c intel_iommu=on)" 0
    check "before install: the booted initramfs has no passthru-claim" "$(val 1 esp-initrd-claim)" 0
    check "install exits 0" "$(val 1 install-rc)" 0
    echo "  install printed:"
    lines 1 "install: "
    echo "  install took $(val 1 install-seconds) s in the guest"
fi
if [ "$set" = full ] && boot 2 "$T_GPU_HDA"; then
    booted_by_sdboot 2
    check_match "after install: /proc/cmdline has intel_iommu=on" "$(val 2 cmdline)" "intel_iommu=on iommu=pt"
    check "after install: the booted initramfs (on the ESP) has passthru-claim" \
        "$(val 2 esp-initrd-claim)" 1
    check "after install: 00:05.0 on vfio-pci" "$(val 2 driver-05.0)" vfio-pci
    check "after install: 00:05.1 on vfio-pci" "$(val 2 driver-05.1)" vfio-pci
    check "after install: passthru-setup status exits 0" "$(val 2 status-rc)" 0
fi
# the boot display: 00:05.0 alone, so the firmware's framebuffer is on its BAR
if [ "$set" = full ] && boot 3 "$T_FB"; then
    booted_by_sdboot 3
    check "boot display: 00:05.0 is the boot VGA" "$(val 3 boot-vga-05.0)" 1
    check "boot_vga = refuse: 00:05.0 stays on bochs-drm" "$(val 3 driver-05.0)" bochs-drm
    check "boot display: efifb is on 00:05.0's BAR" "$(val 3 efifb-bar)" "0000:00:05.0 BAR 0"
    check "boot_vga = refuse: the claim refused it, naming the boot display" \
        "$(tr -d '\r' <"$U/phase3.log" | grep -q 'refused: 0000:00:05.0 is the boot display' && echo yes)" yes
    check_match "boot_vga = refuse: the console keeps a framebuffer" "$(val 3 fb)" "0 "
    check "install with boot_vga = allow exits 0" "$(val 3 install-allow-rc)" 0
    echo "  install (boot_vga = allow) printed:"
    lines 3 "install-allow: "
fi
if [ "$set" = full ] && boot 4 "$T_FB"; then
    booted_by_sdboot 4
    check "boot_vga = allow: 00:05.0 on vfio-pci" "$(val 4 driver-05.0)" vfio-pci
    check "boot_vga = allow: 00:05.1 on vfio-pci" "$(val 4 driver-05.1)" vfio-pci
    check "boot_vga = allow: the firmware framebuffer released (/proc/fb empty)" "$(val 4 fb)" ""
    check "boot_vga = allow: no framebuffer in /proc/iomem" "$(val 4 iomem-fb)" 0
    check "boot_vga = allow: nothing holds 00:05.0's BAR 0 (vfio-pci can reserve it)" \
        "$(val 4 bar0-holders)" ""
    check "boot_vga = allow: no \"can't reserve\" in dmesg" "$(val 4 cant-reserve)" 0
    echo "  the framebuffer's dmesg and iomem lines:"
    lines 4 "dmesg: "
    lines 4 "iomem: "
    check "uninstall exits 0" "$(val 4 uninstall-rc)" 0
    echo "  uninstall printed:"
    lines 4 "uninstall: "
    echo "  uninstall took $(val 4 uninstall-seconds) s in the guest"
fi
if boot 5 "$T_GPU_HDA"; then
    booted_by_sdboot 5
    w="after uninstall"
    [ "$set" = short ] && w="before any install"
    check "$w: no intel_iommu=on" "$(val 5 cmdline | grep -c intel_iommu=on)" 0
    check "$w: the booted initramfs has no passthru-claim" "$(val 5 esp-initrd-claim)" 0
    check "$w: 00:05.0 on the host driver" "$(val 5 driver-05.0)" bochs-drm
    check "$w: passthru's files absent" "$(val 5 passthru-files)" 0
    echo "  the boot files before the first trial:"
    lines 5 "snapshot: "
    check "install --trial exits 0" "$(val 5 install-trial-rc)" 0
    echo "  install --trial printed:"
    lines 5 "install-trial: "
    echo "  install --trial took $(val 5 install-trial-seconds) s in the guest"
    check "install --trial: LoaderEntryOneShot names _-passthru-trial.conf" \
        "$(val 5 install-trial-oneshot)" _-passthru-trial.conf
    check "install --trial: passthru-confirm.service enabled" \
        "$(val 5 install-trial-confirm-enabled)" enabled
    check "install --trial: the mark, the copied entry, the record's trial line" \
        "$(val 5 install-trial-trial-files)" 3
    lines 5 "install-trial-entry: "
fi
# the trial boot on a platform without an IOMMU (the feared failure): not confirmed
if boot 6 "$T_GPU_HDA" noiommu; then
    booted_by_sdboot 6 _-passthru-trial
    check_match "failed trial: /proc/cmdline has the arguments" "$(val 6 cmdline)" \
        "intel_iommu=on iommu=pt"
    check_match "failed trial: /proc/cmdline has rd.passthru.trial=1" "$(val 6 cmdline)" \
        "rd.passthru.trial=1"
    check "failed trial: the one-shot choice was consumed" "$(val 6 oneshot)" none
    check "failed trial: 00:05.0 not on vfio-pci (no IOMMU)" "$(val 6 driver-05.0)" bochs-drm
    check "failed trial: passthru-confirm.service failed" "$(val 6 confirm-result)" exit-code
    echo "  passthru-confirm.service's journal:"
    lines 6 "confirm: "
    check "failed trial: the journal has confirm's reason" \
        "$(tr -d '\r' <"$U/phase6.log" | grep -c 'LIFECYCLE: confirm: .*trial boot is not ready')" 1
    check "failed trial: the trial still pending (mark, entry, record)" "$(val 6 trial-files)" 3
    check "failed trial: passthru-confirm.service still enabled" "$(val 6 confirm-enabled)" enabled
fi
# the fallback: the next boot is the old one, with nobody typing anything
if boot 7 "$T_GPU_HDA"; then
    booted_by_sdboot 7
    check "fallback: no IOMMU arguments" "$(val 7 cmdline | grep -c intel_iommu=on)" 0
    check "fallback: no rd.passthru.trial" "$(val 7 cmdline | grep -c rd.passthru.trial)" 0
    check "fallback: 00:05.0 on its host driver" "$(val 7 driver-05.0)" bochs-drm
    check "fallback: 00:05.1 on its host driver" "$(val 7 driver-05.1)" snd_hda_intel
    check "fallback: passthru-claim claimed nothing (trial_pending)" "$(val 7 trial-pending)" 1
    check "fallback: /etc/kernel/cmdline, loader.conf, the default entry as before the trial" \
        "$(val 7 default-same)" yes
    lines 7 "default-diff: "
    check "second install --trial exits 0" "$(val 7 install-trial2-rc)" 0
    echo "  install --trial printed:"
    lines 7 "install-trial2: "
    check "second install --trial: LoaderEntryOneShot names _-passthru-trial.conf" \
        "$(val 7 install-trial2-oneshot)" _-passthru-trial.conf
    check "second install --trial: the record's trial line needs a login (no auto-confirm)" \
        "$(val 7 install-trial2-record | grep -c auto-confirm)" 0
fi
# the good trial: claimed and ready, but nothing is confirmed until a person logs in; then
# passthru-confirm.service confirms
if boot 8 "$T_GPU_HDA"; then
    booted_by_sdboot 8 _-passthru-trial \
        "$(lines 7 'install-trial2-entry: options' | sed 's/^[[:space:]]*//')"
    check_match "trial: /proc/cmdline has rd.passthru.trial=1" "$(val 8 cmdline)" rd.passthru.trial=1
    check "trial: 00:05.0 on vfio-pci" "$(val 8 driver-05.0)" vfio-pci
    check "trial: 00:05.1 on vfio-pci" "$(val 8 driver-05.1)" vfio-pci
    check "trial, nobody logged in yet: confirm waits, the trial still pending" \
        "$(val 8 before-login-logins) $(val 8 before-login-state) $(val 8 before-login-trial-files)" "0 active 3"
    check "trial: its journal says it waits for a login" \
        "$(tr -d '\r' <"$U/phase8.log" | grep -c 'LIFECYCLE: confirm: .*waiting for a login session')" 1
    check_match "trial: a login (login -f root on a pty, as getty's autologin)" "$(val 8 who)" root
    check "trial: its journal names the login" \
        "$(tr -d '\r' <"$U/phase8.log" | grep -c 'LIFECYCLE: confirm: a login session on the trial boot (utmp: user root')" 1
    check "trial: passthru-confirm.service succeeded" "$(val 8 confirm-result)" success
    check "trial: confirm disabled passthru-confirm.service" "$(val 8 confirm-enabled)" disabled
    check "trial: confirm removed the mark, the copied entry, the trial line" \
        "$(val 8 trial-files)" 0
    echo "  passthru-confirm.service's journal:"
    lines 8 "confirm: "
fi
# permanent: the default entry has the arguments for good; uninstall puts every file back
if boot 9 "$T_GPU_HDA"; then
    booted_by_sdboot 9
    check_match "confirmed: the default entry gives the arguments" "$(val 9 cmdline)" \
        "intel_iommu=on iommu=pt"
    check "confirmed: no rd.passthru.trial" "$(val 9 cmdline | grep -c rd.passthru.trial)" 0
    check "confirmed: 00:05.0 on vfio-pci" "$(val 9 driver-05.0)" vfio-pci
    check "confirmed: passthru-setup status exits 0" "$(val 9 status-rc)" 0
    check "confirmed: no trial files" "$(val 9 trial-files)" 0
    check "uninstall after the trial exits 0" "$(val 9 uninstall2-rc)" 0
    echo "  uninstall took $(val 9 uninstall2-seconds) s in the guest"
    check "after uninstall: every boot file and EFI variable as before the first trial" \
        "$(val 9 all-same)" yes
    lines 9 "all-diff: "
fi
echo "uefi: $(( $(date +%s) - t0 )) s in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
