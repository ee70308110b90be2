#!/bin/sh
# trial.sh: install --trial on a real Debian 12 system booted by real GRUB in QEMU: install
# --trial, reboot into the one-time "passthru trial" entry (the arguments, the claim, then
# passthru-confirm.service makes it permanent), reboot: the default entry has it for good.
# usage: tests/lifecycle/trial.sh   (from the top of the tree; make check-lifecycle-trial)
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
L=build/lifecycle-trial
LIMIT=${PASSTHRU_LIFECYCLE_TIMEOUT:-900}
t0=$(date +%s)
mkdir -p "$L"

LOGS=$L
# shellcheck source=tests/lifecycle/checks.sh
. tests/lifecycle/checks.sh

tests/lifecycle/debootstrap.sh build/lifecycle dracut || { echo "FAIL debootstrap"; echo "0 passed, 1 failed"; exit 1; }
echo "image: debian rootfs ready ($(( $(date +%s) - t0 )) s)"

img=$L/img
rm -rf "$img"
mkdir -p "$img"
tar -C "$img" -xf build/lifecycle/rootfs-dracut.tar
kver=$(basename "$(find "$img/lib/modules" -mindepth 1 -maxdepth 1 | head -n 1)")
make -s install DESTDIR="$TOP/$img" PREFIX=/usr >/dev/null || { echo "FAIL make install"; exit 1; }
printf 'device = 0000:00:05.0\n' >"$img/etc/passthru.conf"
printf '/dev/vda1 / ext4 defaults 0 1\n' >"$img/etc/fstab"
echo lifecycle >"$img/etc/hostname"
sed -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' -e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0"/' \
    "$img/usr/share/grub/default/grub" >"$img/etc/default/grub"
printf 'GRUB_TERMINAL=serial\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >>"$img/etc/default/grub"
# a hostonly, uncompressed initramfs keeps dracut fast under TCG
printf 'hostonly="yes"\nhostonly_mode="sloppy"\ncompress="cat"\nearly_microcode="no"\n' >"$img/etc/dracut.conf.d/10-lifecycle.conf"
install -m 0755 tests/lifecycle/step-trial.sh "$img/usr/local/sbin/passthru-lifecycle-step"
install -m 0644 tests/lifecycle/passthru-lifecycle.service "$img/etc/systemd/system/"
ln -sf /etc/systemd/system/passthru-lifecycle.service \
    "$img/etc/systemd/system/multi-user.target.wants/passthru-lifecycle.service"
ln -sf /dev/null "$img/etc/systemd/system/serial-getty@ttyS0.service"
echo "root:lifecycle" | chroot "$img" chpasswd 2>/dev/null || true
initrd=$(basename "$(find "$img/boot" -maxdepth 1 -name "initrd.img-*" | head -n 1)")
[ -n "$initrd" ] || { echo "FAIL no initramfs in the image's /boot"; echo "0 passed, 1 failed"; exit 1; }
# the first grub.cfg, until update-grub inside the guest writes its own
mkdir -p "$img/boot/grub"
cat >"$img/boot/grub/grub.cfg" <<EOT
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry 'Debian (lifecycle, before install)' {
    linux /boot/vmlinuz-$kver root=/dev/vda1 ro console=ttyS0 quiet
    initrd /boot/$initrd
}
EOT

rm -f "$L/root.img" "$L/disk.img"
mkfs.ext4 -q -F -d "$img" "$L/root.img" 2000M || { echo "FAIL mkfs.ext4"; exit 1; }
rm -rf "$img"
truncate -s 2100M "$L/disk.img"
echo 'start=2048,type=83,bootable' | sfdisk -q "$L/disk.img"
dd if="$L/root.img" of="$L/disk.img" bs=1M seek=1 conv=notrunc status=none
rm -f "$L/root.img"
grub-mkimage -O i386-pc -o "$L/core.img" -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos ext2 \
    normal linux serial terminal echo configfile search test loadenv
cat /usr/lib/grub/i386-pc/lnxboot.img "$L/core.img" >"$L/grub.lnx"
echo "image: disk ready ($(( $(date +%s) - t0 )) s)"

boot() {
    s=$(date +%s)
    # shellcheck disable=SC2086 # the topology is a word list
    timeout "$LIMIT" qemu-system-x86_64 -accel "${PASSTHRU_VM_ACCEL:-tcg}" -m 2048 -smp 2 \
        -nographic -no-reboot -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on \
        -vga none -net none -audiodev none,id=a0 -kernel "$L/grub.lnx" \
        -drive file="$L/disk.img",format=raw,if=virtio $T_GPU_HDA </dev/null >"$L/phase$1.log" 2>&1
    echo "boot $1: $(( $(date +%s) - s )) s (install/uninstall included)"
    if [ "$(val "$1" end-of-phase)" != "$1" ]; then
        echo "FAIL phase $1 did not finish; last lines of $L/phase$1.log:"
        tr -d '\r' <"$L/phase$1.log" | tail -n 30 | sed 's/^/  /'
        fail=$((fail + 1))
        return 1
    fi
}

if boot 1; then
    check "before install: no IOMMU arguments" "$(val 1 cmdline | grep -c intel_iommu=on)" 0
    check "install --trial exits 0" "$(val 1 install-rc)" 0
    check "install --trial: grubenv next_entry" "$(val 1 next-entry)" "passthru trial"
    check "install --trial: passthru-confirm.service enabled" "$(val 1 confirm-enabled)" enabled
    check "install --trial: no permanent drop-in" "$(val 1 dropin)" 0
fi
if boot 2; then
    check_match "trial boot: /proc/cmdline has the arguments and the marker" "$(val 2 cmdline)" \
        "intel_iommu=on iommu=pt rd.passthru.trial=1"
    check "trial boot: 00:05.0 on vfio-pci" "$(val 2 driver-05.0)" vfio-pci
    check "trial boot: 00:05.1 on vfio-pci" "$(val 2 driver-05.1)" vfio-pci
    check "trial boot: GRUB cleared next_entry" "$(val 2 next-entry)" ""
    check "trial boot: passthru-confirm.service ran to its end" "$(val 2 confirm-state)" inactive
    check "trial boot: passthru-confirm.service succeeded" "$(val 2 confirm-result)" success
    check "trial boot: confirmed (the permanent drop-in)" "$(val 2 dropin)" 1
    check "trial boot: confirm disabled the service" "$(val 2 confirm-enabled)" disabled
fi
if boot 3; then
    check_match "after confirm: the default entry has the arguments" "$(val 3 cmdline)" "intel_iommu=on iommu=pt"
    check "after confirm: no trial marker" "$(val 3 cmdline | grep -c rd.passthru.trial)" 0
    check "after confirm: 00:05.0 on vfio-pci" "$(val 3 driver-05.0)" vfio-pci
    check "after confirm: passthru-setup status exits 0" "$(val 3 status-rc)" 0
    check "after confirm: the trial's files are gone" "$(val 3 trial-files)" 0
fi
echo "lifecycle trial: $(( $(date +%s) - t0 )) s in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
