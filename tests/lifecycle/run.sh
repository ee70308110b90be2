#!/bin/sh
# run.sh: the install/reboot lifecycle on a real Debian 12 system booted by real GRUB in QEMU:
# IOMMU first (install with no device, reboot, list, install --device), the claim, a hand edit
# of the config that the next boot uses, uninstall; five boots, checks after each.
# usage: tests/lifecycle/run.sh   (from the top of the tree; make check-lifecycle)
#   PASSTHRU_LIFECYCLE_INITRAMFS=initramfs-tools (default, Debian's) or dracut
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
L=build/lifecycle
LIMIT=${PASSTHRU_LIFECYCLE_TIMEOUT:-900}
t0=$(date +%s)
mkdir -p "$L"

LOGS=$L
# shellcheck source=tests/lifecycle/checks.sh
. tests/lifecycle/checks.sh

gen=${PASSTHRU_LIFECYCLE_INITRAMFS:-initramfs-tools}
echo "lifecycle: Debian 12 with $gen, booted by GRUB"
tests/lifecycle/debootstrap.sh "$L" "$gen" || { echo "FAIL debootstrap"; echo "0 passed, 1 failed"; exit 1; }
echo "image: debian rootfs ready ($(( $(date +%s) - t0 )) s)"

img=$L/img
rm -rf "$img"
mkdir -p "$img"
tar -C "$img" -xf "$L/rootfs-$gen.tar"
kver=$(basename "$(find "$img/lib/modules" -mindepth 1 -maxdepth 1 | head -n 1)")
make -s install DESTDIR="$TOP/$img" PREFIX=/usr >/dev/null || { echo "FAIL make install"; exit 1; }
printf '/dev/vda1 / ext4 defaults 0 1\n' >"$img/etc/fstab"
echo lifecycle >"$img/etc/hostname"
sed -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' -e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0 no_timer_check"/' \
    "$img/usr/share/grub/default/grub" >"$img/etc/default/grub"
printf 'GRUB_TERMINAL=serial\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >>"$img/etc/default/grub"
# small, quickly compressed images keep the generator fast under TCG
if [ "$gen" = dracut ]; then
    printf 'hostonly="yes"\nhostonly_mode="sloppy"\ncompress="cat"\nearly_microcode="no"\n' \
        >"$img/etc/dracut.conf.d/10-lifecycle.conf"
else
    printf 'MODULES=dep\nCOMPRESS=lz4\n' >"$img/etc/initramfs-tools/conf.d/10-lifecycle"
fi
install -m 0755 tests/lifecycle/step.sh "$img/usr/local/sbin/passthru-lifecycle-step"
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
    linux /boot/vmlinuz-$kver root=/dev/vda1 ro console=ttyS0 no_timer_check quiet
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
    normal linux serial terminal echo configfile search
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

# IOMMU first: install with no device sets up the arguments and the integration
if boot 1; then
    check "before install: no IOMMU arguments" "$(val 1 cmdline | grep -c intel_iommu=on)" 0
    check "install with no device exits 0" "$(val 1 install-rc)" 0
    check_match "install again changes nothing" "$(tr -d '\r' <"$L/phase1.log" |
        sed -n 's/^LIFECYCLE: install-again: //p' | tail -n 1) rc=$(val 1 install-again-rc)" \
        "nothing to do"
    echo "  install took $(val 1 install-seconds) s in the guest"
fi
# after the reboot the IOMMU is on: list shows the groups, then the device is chosen
if boot 2; then
    check_match "IOMMU first: /proc/cmdline has intel_iommu=on" "$(val 2 cmdline)" "intel_iommu=on iommu=pt"
    check "IOMMU first: nothing claimed yet (00:05.0 on bochs-drm)" "$(val 2 driver-05.0)" bochs-drm
    check "list exits 0" "$(val 2 list-rc)" 0
    check_match "list shows 00:05.0 and its IOMMU group" \
        "$(tr -d '\r' <"$L/phase2.log" | sed -n 's/^LIFECYCLE: list: //p' | grep -i group | head -n 3)" group
    check "install --device exits 0" "$(val 2 install-rc)" 0
fi
if boot 3; then
    check "after install: 00:05.0 on vfio-pci" "$(val 3 driver-05.0)" vfio-pci
    check "after install: 00:05.1 on vfio-pci" "$(val 3 driver-05.1)" vfio-pci
    check "after install: passthru-setup status exits 0" "$(val 3 status-rc)" 0
    check "after install: the image holds passthru" "$([ "$(val 3 image-passthru-files)" -gt 0 ] && echo yes)" yes
    check "after a hand edit of the config: status exits 1" "$(val 3 status-after-edit-rc)" 1
    check_match "after a hand edit of the config: status names the stale config" \
        "$(tr -d '\r' <"$L/phase3.log" | sed -n 's/^LIFECYCLE: status-after-edit: //p')" "passthru-setup install"
    check "install after the edit exits 0 (rebuilds the images)" "$(val 3 install-rc)" 0
    check_match "install after that changes nothing" "$(tr -d '\r' <"$L/phase3.log" |
        sed -n 's/^LIFECYCLE: install-again: //p' | tail -n 1)" "nothing to do"
fi
if boot 4; then
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
echo "lifecycle: $(( $(date +%s) - t0 )) s in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
