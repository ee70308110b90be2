#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: end-to-end scenarios: a real Debian kernel boots a dracut image with passthru in QEMU.
# usage: tests/vm/run.sh [SCENARIO...]   (from the top of the tree; make check-vm)
# Each scenario boots the one image plus a cpio overlay with its /etc/passthru.conf, and
# judges the guest's own status document, driver links, /dev/vfio and dmesg.
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
LIMIT=${PASSTHRU_VM_TIMEOUT:-180}
pass=0
fail=0
mkdir -p "$VM"

image=$VM/initrd.img
if [ ! -f "$image" ] || [ -n "$(find build/passthru-claim dracut tests/vm/dracut -newer "$image" 2>/dev/null)" ]; then
    echo "building the dracut image (kernel $(vm_kver))"
    vm_image "$image" || exit 1
fi

# shellcheck source=tests/vm/judge.sh
. tests/vm/judge.sh
# for s_trial_pending: dracut's image with the trial mark, and its listing by lsinitrd
trial_image() { vm_image "$1" "passthru passthru-test" "" "$2"; }
list_image() { lsinitrd "$1" 2>/dev/null; }

# force meets the boot display: both displays sit behind one PCIe-to-PCI bridge (one group)
s_force_boot_vga() {
    # shellcheck disable=SC2086
    boot force-boot-vga intel "" "device = 0000:01:02.0
unsafe_group = force" $T_BRIDGE_BOOT
    expect "01:02.0 state" "$(state 0000:01:02.0)" refused
    g=$(st '.devices[] | select(.address == "0000:01:02.0") | .group')
    r=$(st '.devices[] | select(.address == "0000:01:02.0") | .reason')
    expect_match "reason" "$r" "IOMMU group $g also holds 0000:01:01.0 [1234:1111] class 0x030000"
    expect_match "reason" "$r" "boot display (boot_vga=1), which is not selected, while boot_vga = \
refuse (refused even under unsafe_group = force)"
    expect "01:01.0 (boot display) state" "$(state 0000:01:01.0)" untouched
    expect "01:01.0 (boot display) driver" "$(drv 0000:01:01.0)" bochs-drm
    expect "01:02.0 driver (host's)" "$(drv 0000:01:02.0)" bochs-drm
    expect "the claim's exit status" \
        "$(sed -n 's/.*passthru: done (exit \([0-9]*\)).*/\1/p' "$VM/$name.kmsg")" 1
    expect "/dev/vfio groups" "$(grep -c '^[0-9]' "$VM/$name.vfio")" 0
    expect_no_kmsg "vfio-pci 0000:01:0[12]\.0"
    finish
}

# not a boot: the module adds nothing to an image when there is no config
s_module_without_config() {
    name=module-without-config why="" log=$VM/$name.img.log
    if ! vm_image "$VM/$name.img" "passthru" "$TOP/$VM/no-such-passthru.conf"; then
        why="dracut failed"
    elif lsinitrd "$VM/$name.img" 2>/dev/null | grep -q -e passthru-claim -e passthru-pre-udev; then
        why="the image holds passthru files without a config"
    fi
    rm -f "$VM/$name.img"
    finish
}

all="module_without_config intel_gpu_hda amd_gpu_hda four_function no_iommu no_intremap bridge_nic boot_vga
broken_config disabled two_gpus force_boot_vga trial_pending"
[ $# -gt 0 ] && all=$*
# PASSTHRU_VM_SKIP: scenarios left to make check-slow
for s in $all; do
    case " ${PASSTHRU_VM_SKIP:-} " in *" $s "*) continue ;; esac
    "s_$s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
