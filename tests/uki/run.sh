#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: a UEFI guest that boots a unified kernel image: OVMF with Secure Boot keys of our own
# (tests/uki/enroll.sh) starts systemd-boot signed with the db key, which starts the type 2
# entry EFI/Linux/linux-KVER-MACHINEID.efi that the guest's own dracut --uefi built and signed
# (kernel, initramfs and command line in one signed PE file). Boot 0: the firmware refuses an
# unsigned systemd-boot, and systemd-boot cannot start an unsigned UKI (Secure Boot enforced).
# Boot 1: install with the signing configuration moved away refuses and changes nothing; with
# it, install rebuilds the UKI with the arguments in its .cmdline. Boot 2: the arguments on
# /proc/cmdline, the card on vfio-pci, the rebuilt UKI verifies; uninstall. Boot 3: gone.
# PASSTHRU_UKI_SB=off: the same boots on OVMF without Secure Boot, and a dracut that does not
# sign (no boot 0, no refusal). The disk image is built without mounting anything.
# usage: tests/uki/run.sh   (from the top of the tree; make check-uki, make check-uki-nosb)
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
# shellcheck source=tests/uki/lib.sh
. tests/uki/lib.sh
U=${PASSTHRU_UKI_OUT:-build/uki}
LIMIT=${PASSTHRU_UKI_TIMEOUT:-1800}
sb=${PASSTHRU_UKI_SB:-on}
case $sb in
on) CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd ;;
off) CODE=/usr/share/OVMF/OVMF_CODE_4M.fd ;;
*) echo "FAIL PASSTHRU_UKI_SB=$sb (on or off)"; echo "0 passed, 1 failed"; exit 1 ;;
esac
EMPTY_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
ESP_MB=256
ROOT_MB=2000
# the guest's machine id: dracut names the UKI after it
MACHINE_ID=5e1f0c2a9b3d4e6f8a7b6c5d4e3f2a1b
t0=$(date +%s)
LOGS=$U
# shellcheck source=tests/lifecycle/checks.sh
. tests/lifecycle/checks.sh
suite_dir "$U"
need_firmware "$CODE" "$EMPTY_VARS"
echo "uki: Secure Boot $sb"
tests/uefi/debootstrap.sh "$U" uki || die "debootstrap (the UKI guest's root)"
echo "image: debian rootfs with dracut and systemd-boot ready ($(( $(date +%s) - t0 )) s)"
if [ "$sb" = on ]; then
    tests/uki/enroll.sh "$U" || die "enrolling our Secure Boot keys (tests/uki/enroll.sh)"
    VARS=$U/OVMF_VARS_4M.enrolled.fd
    echo "firmware: our PK, KEK and db enrolled ($(( $(date +%s) - t0 )) s)"
else
    VARS=$EMPTY_VARS
fi

img=$U/img
kver=$(guest_unpack "$U/rootfs-uki.tar" "$img") || die "unpacking the root"
make -s install DESTDIR="$TOP/$img" PREFIX=/usr >/dev/null || die "make install"
printf '/dev/vda2 / ext4 defaults 0 1\n/dev/vda1 /boot/efi vfat umask=0077 0 2\n' >"$img/etc/fstab"
echo uki >"$img/etc/hostname"
echo "$MACHINE_ID" >"$img/etc/machine-id"
# the UKI carries its own initramfs: debootstrap's generic one is not booted
rm -f "$img/boot/initrd.img-$kver"
# dracut makes UKIs (uefi=yes), quickly compressed (lz4 -1), hostonly in the guest (about
# half the size); the first UKI is built in a chroot on this machine, where dracut turns
# hostonly off ('/run' and '/dev' are not mounted there); the disk's drivers are named for
# it. The command line is the UKI's own (no_timer_check: see tests/uefi/run.sh)
cat >"$img/etc/dracut.conf.d/10-uki-guest.conf" <<EOT
uefi="yes"
hostonly="yes"
hostonly_mode="sloppy"
hostonly_cmdline="no"
early_microcode="no"
compress="lz4 -l -1"
add_drivers+=" virtio_pci virtio_blk ext4 crc32c_generic "
kernel_cmdline="root=/dev/vda2 ro console=ttyS0 no_timer_check quiet"
EOT
if [ "$sb" = on ]; then
    # the host signs its own UKIs: the db key and certificate are the guest's
    install -d -m 0700 "$img/etc/passthru-test-keys"
    install -m 0600 "$U/keys/db.key" "$U/keys/db.crt" "$img/etc/passthru-test-keys/"
    printf 'uefi_secureboot_cert="/etc/passthru-test-keys/db.crt"\nuefi_secureboot_key="/etc/passthru-test-keys/db.key"\n' \
        >"$img/etc/dracut.conf.d/50-uki-sign.conf"
fi
guest_step_unit "$img" tests/uki/step.sh || die "the test step"

# The ESP is made in a chroot of the image, on a tmpfs at its /boot/efi in a private mount
# namespace (as in tests/uefi/run.sh): systemd-boot signed with the db key by the guest's
# sbsign (bootctl installs systemd-bootx64.efi.signed when it is there), installed by bootctl;
# no type 1 entry; the UKI built (and signed) by the guest's dracut --uefi at its default path.
# Then copied into the FAT image with mcopy.
rm -f "$U/esp.img" "$U/root.img" "$U/disk.img"
rm -rf "$U/esp-files"
mkfs.vfat -C -F 32 -n ESP "$U/esp.img" $((ESP_MB * 1024)) >/dev/null || die mkfs.vfat
mkdir -p "$img/boot/efi" "$U/esp-files"
SYSTEMD_RELAX_ESP_CHECKS=1 unshare -m --propagation private sh -exc '
    esp=$1/boot/efi
    mount -t tmpfs -o mode=0700 esp "$esp"
    mount -t proc proc "$1/proc"
    mount -t sysfs sys "$1/sys"
    sd=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
    if [ "$4" = on ]; then
        chroot "$1" sbsign --key /etc/passthru-test-keys/db.key \
            --cert /etc/passthru-test-keys/db.crt --output "$sd.signed" "$sd"
    fi
    chroot "$1" bootctl install --esp-path=/boot/efi --no-variables
    rm -f "$1$sd.signed"
    printf "timeout 0\n" >"$esp/loader/loader.conf"
    chroot "$1" dracut -f --uefi --kver "$2"
    find "$esp" -type f | sort
    [ -z "$(find "$esp/loader/entries" -name "*.conf" 2>/dev/null)" ]
    cp "$esp"/EFI/Linux/*.efi "$esp/EFI/BOOT/BOOTX64.EFI" "$5/"
    cd "$esp" && mcopy -s -Q -i "$3" ./* ::/' \
    sh "$img" "$kver" "$TOP/$U/esp.img" "$sb" "$TOP/$U/esp-files" >"$U/esp.log" 2>&1 ||
    { tail -n 40 "$U/esp.log"; die "the ESP: bootctl install, dracut --uefi, mcopy"; }
uki=$(cd "$U/esp-files" && ls linux-*.efi 2>/dev/null)
[ "$uki" = "linux-$kver-$MACHINE_ID.efi" ] || die "dracut's UKI: '$uki', expected linux-$kver-$MACHINE_ID.efi"
echo "image: the ESP (bootctl install, dracut --uefi):"
mdir -/ -b -i "$U/esp.img" :: | sed 's/^::/  /'
echo "image: the UKI built in the chroot: $(wc -c <"$U/esp-files/$uki") bytes"
guest_gpt_disk "$U" "$img" "$ESP_MB" "$ROOT_MB" || die "the GPT disk"
cp "$VARS" "$U/OVMF_VARS.fd"
echo "image: GPT disk ready ($(( $(date +%s) - t0 )) s)"

# esp_disk NAME FILE...: a small GPT disk whose ESP holds FILE=PATH pairs' files at PATH
esp_disk() {
    d=$U/$1
    shift
    rm -f "$d.fat" "$d.img"
    mkfs.vfat -C -F 32 "$d.fat" 131072 >/dev/null
    mmd -i "$d.fat" ::/EFI ::/EFI/BOOT ::/EFI/Linux ::/loader
    printf 'timeout 0\n' >"$d.loader.conf"
    mcopy -Q -i "$d.fat" "$d.loader.conf" ::/loader/loader.conf
    for pair in "$@"; do
        mcopy -Q -i "$d.fat" "${pair%%=*}" "::/${pair#*=}"
    done
    truncate -s 130M "$d.img"
    printf 'label: gpt\nstart=2048, size=262144, type=U\n' | sfdisk -q "$d.img"
    dd if="$d.fat" of="$d.img" bs=1M seek=1 conv=notrunc status=none
    rm -f "$d.fat" "$d.loader.conf"
}

# boot N TOPOLOGY: one boot of the guest, to its power-off
boot() {
    # shellcheck disable=SC2086 # the topology is a word list
    fw_qemu "$U/phase$1.log" "$LIMIT" "" "$CODE" "$U/OVMF_VARS.fd" -m 2048 -smp 1 \
        -device intel-iommu,intremap=on \
        -drive file="$U/disk.img",format=raw,if=virtio,cache=unsafe $2
    boot_said "$1" "$fq_seconds" "$U/phase$1.log.txt"
}

# booted_uki N: UEFI, Secure Boot as asked, systemd-boot started the type 2 entry (the UKI)
# whose stub ran, no type 1 entry; the kernel's command line is the UKI's .cmdline
booted_uki() {
    check "boot $1: UEFI firmware" "$(val "$1" firmware)" uefi
    if [ "$sb" = on ]; then
        check "boot $1: the SecureBoot EFI variable is 1" "$(val "$1" secureboot)" 1
        check "boot $1: SetupMode is 0 (our PK enrolled)" "$(val "$1" setupmode)" 0
        check_match "boot $1: the kernel is locked down (Secure Boot)" "$(val "$1" lockdown)" "[integrity]"
    else
        check "boot $1: Secure Boot off" "$(val "$1" secureboot | sed 's/none/0/')" 0
    fi
    check_match "boot $1: LoaderInfo names systemd-boot" "$(val "$1" loader-info)" systemd-boot
    check "boot $1: systemd-boot chose the UKI (type 2 entry)" "$(val "$1" loader-entry)" "$uki"
    check_match "boot $1: StubInfo names systemd-stub" "$(val "$1" stub-info)" systemd-stub
    check "boot $1: no type 1 entries" "$(val "$1" type1-entries)" 0
    check "boot $1: one UKI on the ESP" "$(val "$1" now-ukis)" 1
    check "boot $1: /proc/cmdline is the UKI's .cmdline" "$(val "$1" cmdline)" \
        "$(val "$1" now-uki-1-cmdline)"
    if [ "$sb" = on ]; then
        check "boot $1: the UKI verifies with our db certificate (sbverify --cert)" \
            "$(val "$1" now-uki-1-sbverify)" 0
    fi
    echo "  boot $1: the UKI is $(val "$1" now-uki-1-size) bytes"
}

if [ "$sb" = on ]; then
    # boot 0: enforcement. An unsigned systemd-boot: OVMF refuses it (and its own shell,
    # unsigned too) and waits at "No bootable option". The signed systemd-boot and the
    # guest's UKI with its signature removed: systemd-boot cannot start it.
    esp_disk enforce-loader /usr/lib/systemd/boot/efi/systemd-bootx64.efi=EFI/BOOT/BOOTX64.EFI
    cp "$VARS" "$U/enforce.vars"
    fw_qemu "$U/phase0a.log" 300 'No bootable option|Shell>|systemd-boot' "$CODE" \
        "$U/enforce.vars" -m 512 -smp 1 -drive file="$U/enforce-loader.img",format=raw,if=virtio
    echo "boot 0a (unsigned systemd-boot): $fq_seconds s"
    check "Secure Boot: OVMF refuses an unsigned systemd-boot (Access Denied)" \
        "$(grep -c 'failed to load Boot[0-9A-F]* "UEFI Misc Device".*Access Denied' "$U/phase0a.log.txt")" 1
    grep -e 'BdsDxe' "$U/phase0a.log.txt" | sed 's/^/  /'
    sbattach --remove "$U/esp-files/$uki" >/dev/null 2>&1
    if sbverify --list "$U/esp-files/$uki" 2>&1 | grep -q 'No signature table present'; then
        esp_disk enforce-uki "$U/esp-files/BOOTX64.EFI=EFI/BOOT/BOOTX64.EFI" \
            "$U/esp-files/$uki=EFI/Linux/$uki"
        cp "$VARS" "$U/enforce.vars"
        fw_qemu "$U/phase0b.log" 300 'Error loading|Failed to load image|Linux version|EFI stub' \
            "$CODE" "$U/enforce.vars" -m 1024 -smp 1 \
            -drive file="$U/enforce-uki.img",format=raw,if=virtio
        echo "boot 0b (signed systemd-boot, unsigned UKI): $fq_seconds s"
        check_match "Secure Boot: systemd-boot cannot start the UKI without its signature" \
            "$(grep -E 'Error loading|Failed to load image' "$U/phase0b.log.txt")" "$uki"
        grep -E 'BdsDxe: starting|Error loading|Failed to load image|Linux version|EFI stub' \
            "$U/phase0b.log.txt" | sed 's/^/  /'
    else
        echo "FAIL sbattach --remove left a signature on the copy of $uki"
        fail=$((fail + 1))
    fi
    rm -f "$U"/enforce-*.img "$U/enforce.vars"
fi

if boot 1 "$T_GPU_HDA"; then
    booted_uki 1
    check "before install: no IOMMU arguments" "$(val 1 cmdline | grep -c intel_iommu=on)" 0
    check "before install: 00:05.0 on its host driver" "$(val 1 driver-05.0)" bochs-drm
    if [ "$sb" = on ]; then
        check "dracut does not sign (its configuration moved away): install exits 1" \
            "$(val 1 install-unsigned-rc)" 1
        check "the refusal says Secure Boot is on and how to make dracut sign" \
            "$(lines 1 'install-unsigned: ' | grep -c 'Secure Boot is on.*uefi_secureboot_cert')" 1
        check "the refusal changed no file of the ESP, /etc, /var/lib/passthru" \
            "$(val 1 unsigned-same)" yes
        echo "  (sha256 of $(val 1 unsigned-files) files compared)"
        lines 1 "unsigned-diff: "
        echo "  install (dracut does not sign) printed:"
        lines 1 "install-unsigned: "
    fi
    check "install exits 0" "$(val 1 install-rc)" 0
    echo "  install printed (dracut's own lines left out):"
    lines 1 "install: " | grep -v '^  dracut: '
    echo "  install took $(val 1 install-seconds) s in the guest"
    next=$(val 1 install-next)
    check_match "install: the next boot's command line has intel_iommu=on" "$next" "intel_iommu=on"
    check "install: the printed command line is the rebuilt UKI's .cmdline" \
        "$(val 1 installed-uki-1-cmdline)" "$next"
    check_match "install: the UKI's own words kept" "$next" "root=/dev/vda2 ro console=ttyS0"
    [ "$sb" = on ] && check "install: the rebuilt UKI verifies with our db certificate" \
        "$(val 1 installed-uki-1-sbverify)" 0
    echo "  the rebuilt UKI: $(val 1 installed-uki-1-size) bytes"
fi
if boot 2 "$T_GPU_HDA"; then
    booted_uki 2
    check "after install: /proc/cmdline is what install printed" "$(val 2 cmdline)" "$next"
    check "after install: 00:05.0 on vfio-pci" "$(val 2 driver-05.0)" vfio-pci
    check "after install: 00:05.1 on vfio-pci" "$(val 2 driver-05.1)" vfio-pci
    check "after install: passthru-setup status exits 0" "$(val 2 status-rc)" 0
    lines 2 "status: " | head -n 12
    check "uninstall exits 0" "$(val 2 uninstall-rc)" 0
    echo "  uninstall printed (dracut's own lines left out):"
    lines 2 "uninstall: " | grep -v '^  dracut: '
    echo "  uninstall took $(val 2 uninstall-seconds) s in the guest"
    check "uninstall: the rebuilt UKI's .cmdline is the one before install" \
        "$(val 2 uninstalled-uki-1-cmdline)" "$(val 1 now-uki-1-cmdline)"
    [ "$sb" = on ] && check "uninstall: the rebuilt UKI verifies with our db certificate" \
        "$(val 2 uninstalled-uki-1-sbverify)" 0
fi
if boot 3 "$T_GPU_HDA"; then
    booted_uki 3
    check "after uninstall: no intel_iommu=on on /proc/cmdline" "$(val 3 cmdline | grep -c intel_iommu=on)" 0
    check "after uninstall: /proc/cmdline as before install" "$(val 3 cmdline)" "$(val 1 cmdline)"
    check "after uninstall: 00:05.0 on its host driver" "$(val 3 driver-05.0)" bochs-drm
    check "after uninstall: 00:05.1 on its host driver" "$(val 3 driver-05.1)" snd_hda_intel
    check "after uninstall: passthru's files gone" "$(val 3 passthru-files)" 0
    lines 3 "left: "
fi
echo "uki: $(( $(date +%s) - t0 )) s in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
