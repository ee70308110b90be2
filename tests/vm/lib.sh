#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: the QEMU rig: one dracut image with passthru, per-boot config overlays, serial output.
# Sourced by run.sh, capture.sh and bench.sh from the top of the tree. Everything lives in build/.
# shellcheck disable=SC2034 # the T_* topologies are used by the scripts that source this file
VM=${VM:-build/vm}
KDIR=build/kernel
TOP=$(pwd)
# the per-boot targets (issue 14), said by judge.sh's boots_said and lifecycle/checks.sh's
# boot_said: a boot without an image rebuild at most 45 s, one whose step rebuilt one at most 120 s
BOOT_TARGET=45 BOOT_TARGET_REBUILD=120

vm_kver() {
    cat "$KDIR/version"
}

# vm_stale IMAGE [PATH...]: true when IMAGE is missing or older than what it is built from (the
# claim binary, passthru's and passthru-test's dracut modules, this file, and PATH...)
vm_stale() {
    stale_img=$1
    shift
    [ ! -f "$stale_img" ] || [ -n "$(find build/passthru-claim dracut tests/vm/dracut \
        tests/vm/lib.sh "$@" -newer "$stale_img" 2>/dev/null | head -n 1)" ]
}

# A private dracut base: the machine's dracut with our modules from this working tree.
# One per process (removed after use), so that runs one after the other or side by side never
# meet; a passthru module installed on the machine itself is left out for the tree's own.
vm_dracut_base() {
    base=$VM/dracut-base.$$
    rm -rf "$base" "$base.conf"
    mkdir -p "$base/modules.d"
    for f in /usr/lib/dracut/*; do
        [ "${f##*/}" = modules.d ] || ln -s "$f" "$base/"
    done
    for m in /usr/lib/dracut/modules.d/*; do
        case ${m##*/} in
        90passthru | 99passthru-test) ;;
        *) ln -s "$m" "$base/modules.d/" ;;
        esac
    done
    ln -s "$TOP/dracut/90passthru" "$base/modules.d/90passthru"
    ln -s "$TOP/tests/vm/dracut/99passthru-test" "$base/modules.d/99passthru-test"
}

# vm_image OUT [MODULES [CONF [TRIAL]]]: a generic image of the fetched kernel; MODULES default
# "passthru passthru-test"; CONF is the config the module installs (default: a placeholder);
# TRIAL the trial mark it installs when it exists (default: none, whatever this machine has).
# VM_DRACUT_CONF: more lines for the image's dracut config (force_drivers=, ...).
# The image holds the modules a host-only image of a small host would (--drivers: its disk's
# ahci, sd_mod and ext4), the ones passthru's module adds (vfio and the variants) and the host
# drivers passthru-test adds (the ones that would take the test's devices), not every driver
# dracut's generic image carries (131 MB: unpacking it and udev loading the modules it matched,
# watchdogs, HID, crypto, ..., cost about 3 s of each boot under TCG).
vm_image() {
    out=$1
    kver=$(vm_kver)
    mkdir -p "$VM/empty-confdir"
    vm_dracut_base
    printf '# base image config: every boot replaces it with its own\n' >"$VM/base.conf"
    cat >"$base.conf" <<EOT
passthru_claim_bin="$TOP/build/passthru-claim"
passthru_conf="${3:-$TOP/$VM/base.conf}"
passthru_trial="${4:-$TOP/$VM/no-trial-mark}"
${VM_DRACUT_CONF-}
passthru_sysroot="${PASSTHRU_SYSROOT:-/}"
EOT
    dracutbasedir="$TOP/$base" dracut -q --force --no-hostonly --no-early-microcode --no-compress \
        --drivers "ahci sd_mod ext4" --conf "$base.conf" --confdir "$VM/empty-confdir" \
        --kver "$kver" --kmoddir "$TOP/$KDIR/root/lib/modules/$kver" \
        -m "systemd systemd-initrd dracut-systemd kernel-modules base ${2-passthru passthru-test}" \
        "$out" >"$out.log" 2>&1 || { tail -n 30 "$out.log" >&2; rm -rf "$base" "$base.conf"; return 1; }
    rm -rf "$base" "$base.conf"
}

# vm_overlay BASE OUT CONF: BASE plus an uncompressed cpio whose /etc/passthru.conf is CONF
# (and the files of the folder VM_OVERLAY names, when set: they replace the image's).
vm_overlay() {
    ov=$VM/overlay.$$
    rm -rf "$ov"
    mkdir -p "$ov/etc"
    [ -n "${VM_OVERLAY:-}" ] && cp -a "$VM_OVERLAY/." "$ov/"
    cp "$3" "$ov/etc/passthru.conf"
    cp "$1" "$2"
    # the kernel wants each archive 4-byte aligned
    pad=$(( (4 - $(wc -c <"$2") % 4) % 4 ))
    [ "$pad" -gt 0 ] && head -c "$pad" /dev/zero >>"$2"
    (cd "$ov" && find . ! -name . | sed 's|^\./||' | cpio -o -H newc --quiet) >>"$2"
    rm -rf "$ov"
}

# vm_boot INITRD LOG TIMEOUT IOMMU APPEND [QEMU DEVICE ARGS...]
# IOMMU: intel, intel-nointremap, amd, none. Returns 0 when the guest powered off in time.
vm_boot() {
    initrd=$1 log=$2 limit=$3 iommu=$4 append=$5
    shift 5
    kver=$(vm_kver)
    accel=${PASSTHRU_VM_ACCEL:-tcg}
    case $iommu in
    intel) set -- -device intel-iommu,intremap=on "$@"; append="intel_iommu=on iommu=pt $append" ;;
    intel-nointremap) set -- -device intel-iommu,intremap=off "$@"; append="intel_iommu=on iommu=pt $append" ;;
    amd) set -- -device amd-iommu "$@"; append="iommu=pt $append" ;;
    none) append="intel_iommu=on $append" ;;
    esac
    timeout "$limit" qemu-system-x86_64 -accel "$accel" -m 1024 -smp 1 -nographic -no-reboot \
        -machine q35,kernel-irqchip=split -vga none -net none -audiodev none,id=a0 \
        -kernel "$KDIR/root/boot/vmlinuz-$kver" -initrd "$initrd" \
        -append "console=ttyS0 no_timer_check panic=-1 rd.shell=0 quiet loglevel=3 systemd.show_status=0 $append" \
        "$@" </dev/null >"$log" 2>&1
}

# vm_section LOG NAME: the lines of one ---NAME--- section of the report.
vm_section() {
    tr -d '\r' <"$1" | sed -n '/===PASSTHRU-BEGIN===/,/===PASSTHRU-END===/p' |
        awk -v s="---$2---" '/^---[a-z]*---$/ { on = ($0 == s); next } /^===/ { on = 0 } on'
}

# Topologies shared by the fixture captures and the boot scenarios (word-split on purpose).
T_BOOTVGA="-device VGA,bus=pcie.0,addr=02.0"
T_HDA="-device ich9-intel-hda,bus=pcie.0,addr=05.1 -device hda-duplex,audiodev=a0"
T_GPU_HDA="$T_BOOTVGA -device VGA,bus=pcie.0,addr=05.0,multifunction=on $T_HDA"
T_FOUR="$T_GPU_HDA -device qemu-xhci,bus=pcie.0,addr=05.2 -device pci-serial,bus=pcie.0,addr=05.3"
T_BRIDGE="$T_BOOTVGA -device pcie-pci-bridge,id=br1,bus=pcie.0,addr=06.0 -device secondary-vga,bus=br1,addr=01.0"
T_BRIDGE_NIC="$T_BRIDGE -device e1000,bus=br1,addr=02.0"
T_BRIDGE_STORAGE="$T_BRIDGE -device lsi53c895a,bus=br1,addr=02.0"
T_TWO="-device virtio-vga,bus=pcie.0,addr=02.0 -device secondary-vga,bus=pcie.0,addr=05.0 -device secondary-vga,bus=pcie.0,addr=06.0"
T_BRIDGE_BOOT="-device pcie-pci-bridge,id=br1,bus=pcie.0,addr=06.0 -device VGA,bus=br1,addr=01.0 -device secondary-vga,bus=br1,addr=02.0"

# guest_config_itools ROOT: the guest's initramfs-tools configured as a small host is: the
# modules it boots from listed (MODULES=list: a virtio disk with ext4), lz4, no resume device,
# the root filesystem's type given (FSTYPE=ext4: in a chroot the fsck hook cannot probe the
# guest's disk and would leave fsck out of the first image only).
# Every image of the guest, the first one built here and the ones the guest rebuilds, is then
# made from the same configuration (MODULES=dep would differ between a chroot on this machine,
# which sees this machine's disks, and the guest).
guest_config_itools() {
    printf 'virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n' >>"$1/etc/initramfs-tools/modules"
    printf 'MODULES=list\nCOMPRESS=lz4\nCOMPRESSLEVEL=1\nRESUME=none\nFSTYPE=ext4\n' \
        >"$1/etc/initramfs-tools/conf.d/10-test-guest"
}

# guest_first_image ROOT: the guest's first initramfs, built on this machine by the guest's own
# update-initramfs and configuration in a chroot of ROOT (a private mount namespace: the host's
# mounts never see it), instead of debootstrap's MODULES=most, zstd image: the first boot then
# loads and unpacks a third of it, and it is the image the guest itself would build.
guest_first_image() {
    unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" &&
        chroot "$1" update-initramfs -u -k all' sh "$1" >"$1.first-image.log" 2>&1 ||
        { tail -n 20 "$1.first-image.log" >&2; return 1; }
    rm -f "$1.first-image.log"
}

# guest_quiet ROOT: units a test guest's boot waits for or runs, masked, none of them part of
# what the boots prove: getty-static's and getty@'s terminals (no one logs in at them; the
# steps' logins are their own, login(1) on a pty), e2scrub_reap (multi-user.target waited
# for it), the daily and weekly timers (apt, dpkg, e2scrub, fstrim, man-db). Under TCG every
# process start costs 60-80 ms: these were about 20 s of each boot before the step.
guest_quiet() {
    for u in getty-static.service getty@.service e2scrub_reap.service apt-daily.timer \
        apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer man-db.timer; do
        ln -sf /dev/null "$1/etc/systemd/system/$u" || return 1
    done
}

# guest_step_unit ROOT STEP [PASSWORD]: the boot guests' test step: STEP run by
# passthru-lifecycle.service at every boot once multi-user is reached, the helpers it sources
# (tests/vm/guest-step.sh), the serial console left to the step's lines (no getty on it), and
# root's PASSWORD for a person at the guest's screen
guest_step_unit() {
    guest_quiet "$1" &&
        install -m 0755 "$2" "$1/usr/local/sbin/passthru-lifecycle-step" &&
        install -D -m 0644 tests/vm/guest-step.sh "$1/usr/local/lib/passthru-guest-step.sh" &&
        install -m 0644 tests/lifecycle/passthru-lifecycle.service "$1/etc/systemd/system/" &&
        ln -sf /etc/systemd/system/passthru-lifecycle.service \
            "$1/etc/systemd/system/multi-user.target.wants/passthru-lifecycle.service" &&
        ln -sf /dev/null "$1/etc/systemd/system/serial-getty@ttyS0.service" || return 1
    [ -z "${3-}" ] || echo "root:$3" | chroot "$1" chpasswd 2>/dev/null || true
}

# guest_grub_default ROOT: GRUB on the guest's serial console with no menu wait (its own
# /etc/default/grub, from the package's), and the environment block grub-install would make
# (the one-time choice, grub-reboot, is written there; GRUB is not installed to the disk)
guest_grub_default() {
    sed -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' \
        -e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0 no_timer_check"/' \
        "$1/usr/share/grub/default/grub" >"$1/etc/default/grub" &&
        printf 'GRUB_TERMINAL=serial\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' \
            >>"$1/etc/default/grub" &&
        mkdir -p "$1/boot/grub" && grub-editenv "$1/boot/grub/grubenv" create
}

# guest_grub_first_cfg ROOT KVER TITLE: the first grub.cfg (update-grub in the guest writes its
# own later): one entry TITLE booting KVER with the initramfs found in ROOT/boot
guest_grub_first_cfg() {
    initrd=$(basename "$(find "$1/boot" -maxdepth 1 -name "initrd.img-*" | head -n 1)")
    [ -n "$initrd" ] || { echo "no initramfs in the image's /boot" >&2; return 1; }
    mkdir -p "$1/boot/grub"
    cat >"$1/boot/grub/grub.cfg" <<EOT
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry '$3' {
    linux /boot/vmlinuz-$2 root=/dev/vda1 ro console=ttyS0 no_timer_check quiet
    initrd /boot/$initrd
}
EOT
}

# guest_grub_disk DIR ROOT: DIR/disk.img, an MBR disk whose one partition is an ext4 made of the
# tree ROOT (removed once copied), and DIR/grub.lnx, GRUB's i386-pc core that QEMU's -kernel
# starts and that reads /boot/grub from that partition
guest_grub_disk() {
    rm -f "$1/root.img" "$1/disk.img"
    mkfs.ext4 -q -F -d "$2" "$1/root.img" 2000M >/dev/null || { echo "mkfs.ext4 failed" >&2; return 1; }
    rm -rf "$2"
    truncate -s 2100M "$1/disk.img" &&
        echo 'start=2048,type=83,bootable' | sfdisk -q "$1/disk.img" &&
        dd if="$1/root.img" of="$1/disk.img" bs=1M seek=1 conv=notrunc status=none ||
        { echo "the MBR disk (sfdisk, dd) failed" >&2; return 1; }
    rm -f "$1/root.img"
    grub-mkimage -O i386-pc -o "$1/core.img" -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos ext2 \
        normal linux serial terminal echo configfile search test loadenv &&
        cat /usr/lib/grub/i386-pc/lnxboot.img "$1/core.img" >"$1/grub.lnx" ||
        { echo "grub-mkimage failed" >&2; return 1; }
}

# guest_gpt_disk DIR ROOT ESP_MB ROOT_MB: DIR/disk.img, a GPT disk of the ESP the caller made as
# DIR/esp.img (ESP_MB) and an ext4 root (ROOT_MB) made of the tree ROOT (removed once copied)
guest_gpt_disk() {
    mkfs.ext4 -q -F -d "$2" "$1/root.img" "${4}M" >/dev/null || { echo "mkfs.ext4 failed" >&2; return 1; }
    rm -rf "$2"
    rm -f "$1/disk.img"
    truncate -s $((1 + $3 + $4 + 1))M "$1/disk.img" &&
        sfdisk -q "$1/disk.img" <<EOT &&
label: gpt
start=2048, size=$(($3 * 2048)), type=U, name=ESP
start=$(((1 + $3) * 2048)), size=$(($4 * 2048)), type=L, name=root
EOT
        dd if="$1/esp.img" of="$1/disk.img" bs=1M seek=1 conv=notrunc status=none &&
        dd if="$1/root.img" of="$1/disk.img" bs=1M seek=$((1 + $3)) conv=notrunc status=none ||
        { echo "the GPT disk (sfdisk, dd) failed" >&2; return 1; }
    rm -f "$1/esp.img" "$1/root.img"
}

# guest_unpack TAR ROOT: ROOT (emptied first) holds the debootstrapped root TAR; prints the
# version of its kernel
guest_unpack() {
    rm -rf "$2" && mkdir -p "$2" && tar -C "$2" -xf "$1" || return 1
    basename "$(find "$2/lib/modules" -mindepth 1 -maxdepth 1 | head -n 1)"
}
