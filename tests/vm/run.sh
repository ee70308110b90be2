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
if vm_stale "$image"; then
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

# early module loads name the host drivers of the card and its HDA function: force_drivers in the
# image's dracut config (its cmdline hook modprobes them as rd.driver.pre=), rd.driver.pre= and
# rd.modules_load= (systemd-modules-load.service) on the command line. passthru runs before all
# of them: no host driver's line names the pair, and the boot display gets its bochs-drm.
s_early_drivers() {
    img=$VM/early-drivers.initrd
    if vm_stale "$img"; then
        if ! VM_DRACUT_CONF='force_drivers+=" bochs "' \
            vm_image "$img" "passthru passthru-test systemd-modules-load"; then
            name=early-drivers why="dracut failed" && finish && return
        fi
    fi
    saved=$image image=$img
    # shellcheck disable=SC2086
    boot early-drivers intel "rd.modules_load=bochs rd.driver.pre=snd_hda_intel" \
        "device = 0000:00:05.0" $T_GPU_HDA
    image=$saved
    claimed_pair
    expect "00:02.0 (boot display) driver" "$(drv 0000:00:02.0)" bochs-drm
    expect "the image's force_drivers" "$(lsinitrd -f etc/cmdline.d/20-force_drivers.conf "$img" |
        tr -d ' \n')" "rd.driver.pre=bochs"
    finish
}

# not a boot: the module adds nothing to an image when there is no config
s_module_without_config() {
    name=module-without-config why="" log=$VM/$name.img.log
    if ! vm_image "$VM/$name.img" "passthru" "$TOP/$VM/no-such-passthru.conf"; then
        why="dracut failed"
    elif lsinitrd "$VM/$name.img" 2>/dev/null | grep -q -e passthru-claim -e passthru-early -e passthru.service; then
        why="the image holds passthru files without a config"
    fi
    rm -f "$VM/$name.img"
    finish
}

# The vfio variant driver: tests/vm/variant's passthru_test_vfio_pci (vfio-pci's core under its
# own name, offered for QEMU's stdvga 1234:1111 by a vfio_pci: alias), built against the guest
# kernel's headers (tests/vm/variant-kernel.sh). The image is built from that kernel's modules
# with the intel-gpu-hda tree (captured from this topology) as the build host's sysfs, so the
# module goes in because the configured GPU takes it.
variant_image() {
    vimg=$VM/variant.img
    sh tests/vm/variant-kernel.sh || return 1
    vm_stale "$vimg" build/vm-variant/root/lib/modules || return 0
    rm -rf "$VM/variant-sysroot" && mkdir -p "$VM/variant-sysroot"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$VM/variant-sysroot" || return 1
    printf 'device = 0000:00:05.0\n' >"$VM/variant-build.conf"
    # dracut's module reads the devices from PASSTHRU_SYSROOT, the modules from KDIR's kernel
    PASSTHRU_SYSROOT=$TOP/$VM/variant-sysroot KDIR=build/vm-variant
    vm_image "$vimg" "passthru passthru-test" "$TOP/$VM/variant-build.conf"
    rc=$?
    PASSTHRU_SYSROOT="" KDIR=build/kernel
    [ "$rc" -eq 0 ] && lsinitrd "$vimg" 2>/dev/null | grep -q 'passthru_test_vfio_pci\.ko' ||
        { echo "the variant image lacks passthru_test_vfio_pci.ko" >&2; return 1; }
}

# the GPU is bound to its variant (the one function of its unit that has one), its audio to
# vfio-pci, and the group's /dev/vfio node is there
s_variant_bound() {
    name=variant-bound why=""
    variant_image || { why="cannot build the variant image"; finish; return; }
    saved=$image image=$vimg
    # shellcheck disable=SC2086
    boot variant-bound intel "" "device = 0000:00:05.0" $T_GPU_HDA
    image=$saved
    expect "05.0 driver" "$(drv 0000:00:05.0)" passthru_test_vfio_pci
    expect "05.1 driver" "$(drv 0000:00:05.1)" vfio-pci
    expect "05.0 state" "$(state 0000:00:05.0)" claimed
    expect "05.0 status driver" "$(st '.devices[] | select(.address == "0000:00:05.0") | .driver')" \
        passthru_test_vfio_pci
    expect "05.0 variant" "$(st '.devices[] | select(.address == "0000:00:05.0") | .variant')" \
        passthru_test_vfio_pci
    expect "05.1 state" "$(state 0000:00:05.1)" claimed
    group=$(st '.devices[] | select(.address == "0000:00:05.0") | .group')
    expect "/dev/vfio/$group" "$(grep -cx "$group" "$VM/$name.vfio")" 1
    expect_match "kmsg" "$(cat "$VM/$name.kmsg")" \
        "passthru: 0000:00:05.0: claimed by passthru_test_vfio_pci"
    finish
}

# the fallback, both ways in one boot: the GPU's variant refuses the device (its refuse=1 from
# the kernel command line, which libkmod passes at load), so the unit is given back and claimed
# with vfio-pci; the audio's alias (added by the overlay) names a module the image does not hold
s_variant_fallback() {
    name=variant-fallback why=""
    variant_image || { why="cannot build the variant image"; finish; return; }
    kver=$(vm_kver)
    ov=$VM/variant-overlay
    rm -rf "$ov" && mkdir -p "$ov/usr/lib/modules/$kver"
    { cat "build/vm-variant/root/lib/modules/$kver/modules.alias"
        echo 'alias vfio_pci:v00008086d0000293Esv*sd*bc04sc03i* absent_vfio_pci'; } \
        >"$ov/usr/lib/modules/$kver/modules.alias"
    saved=$image image=$vimg
    # shellcheck disable=SC2086
    VM_OVERLAY=$ov
    # shellcheck disable=SC2086
    boot variant-fallback intel "passthru_test_vfio_pci.refuse=1" "device = 0000:00:05.0" \
        $T_GPU_HDA
    VM_OVERLAY="" image=$saved
    expect "05.0 driver" "$(drv 0000:00:05.0)" vfio-pci
    expect "05.1 driver" "$(drv 0000:00:05.1)" vfio-pci
    expect "05.0 state" "$(state 0000:00:05.0)" claimed
    expect "05.1 state" "$(state 0000:00:05.1)" claimed
    expect "05.0 status driver" "$(st '.devices[] | select(.address == "0000:00:05.0") | .driver')" \
        vfio-pci
    expect_match "05.0 variant_error" \
        "$(st '.devices[] | select(.address == "0000:00:05.0") | .variant_error')" \
        "passthru_test_vfio_pci refused the device"
    expect "05.1 variant" "$(st '.devices[] | select(.address == "0000:00:05.1") | .variant')" \
        absent_vfio_pci
    expect_match "05.1 variant_error" \
        "$(st '.devices[] | select(.address == "0000:00:05.1") | .variant_error')" "not installed"
    expect_match "kmsg" "$(cat "$VM/$name.kmsg")" \
        "passthru: 0000:00:05.0: variant passthru_test_vfio_pci did not bind"
    group=$(st '.devices[] | select(.address == "0000:00:05.0") | .group')
    expect "/dev/vfio/$group" "$(grep -cx "$group" "$VM/$name.vfio")" 1
    finish
}

all="module_without_config intel_gpu_hda amd_gpu_hda four_function no_iommu no_intremap bridge_nic boot_vga
broken_config disabled two_gpus force_boot_vga trial_pending early_drivers
variant_bound variant_fallback"
[ $# -gt 0 ] && all=$*
# shellcheck disable=SC2086 # the scenarios' names, one a word
scenarios $all
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
