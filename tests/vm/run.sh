#!/bin/sh
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

# boot NAME IOMMU "KERNEL ARGS" "CONFIG TEXT" QEMU-ARGS...
boot() {
    name=$1 iommu=$2 append=$3
    printf '%s\n' "$4" >"$VM/$name.conf"
    shift 4
    why=""
    log=$VM/$name.log
    vm_overlay "$image" "$VM/$name.img" "$VM/$name.conf"
    if ! vm_boot "$VM/$name.img" "$log" "$LIMIT" "$iommu" "$append" "$@"; then
        why="the guest did not power off within ${LIMIT}s"
    elif ! grep -q "===PASSTHRU-END===" "$log"; then
        why="no report from the guest"
    fi
    vm_section "$log" status >"$VM/$name.json"
    vm_section "$log" drivers >"$VM/$name.drivers"
    vm_section "$log" vfio >"$VM/$name.vfio"
    vm_section "$log" kmsg >"$VM/$name.kmsg"
    rm -f "$VM/$name.img"
}

# the driver the guest's sysfs shows for ADDR at the end
drv() {
    awk -v a="$1" '$1 == a { print $4 }' "$VM/$name.drivers"
}

# jq on the guest's own status document
st() {
    jq -r "$1" "$VM/$name.json" 2>/dev/null
}

state() {
    st ".devices[] | select(.address == \"$1\") | .state"
}

expect() {
    [ -n "$why" ] && return 0
    if [ "$2" != "$3" ]; then
        why="$1: got '$2', expected '$3'"
    fi
}

expect_match() {
    [ -n "$why" ] && return 0
    case $2 in
    *"$3"*) ;;
    *) why="$1: '$2' does not contain '$3'" ;;
    esac
}

expect_no_kmsg() {
    [ -n "$why" ] && return 0
    if grep -E "$1" "$VM/$name.kmsg" >/dev/null; then
        why="dmesg shows: $(grep -E "$1" "$VM/$name.kmsg" | head -n 1)"
    fi
}

finish() {
    if [ -n "$why" ]; then
        echo "FAIL $name: $why"
        echo "  --- last lines of $log ---"
        tr -d '\r' <"$log" | tail -n 25 | sed 's/^/  /'
        fail=$((fail + 1))
    else
        echo "PASS $name"
        pass=$((pass + 1))
    fi
}

claimed_pair() {
    expect "05.0 driver" "$(drv 0000:00:05.0)" vfio-pci
    expect "05.1 driver" "$(drv 0000:00:05.1)" vfio-pci
    expect "05.0 state" "$(state 0000:00:05.0)" claimed
    expect "05.1 state" "$(state 0000:00:05.1)" claimed
    group=$(st '.devices[] | select(.address == "0000:00:05.0") | .group')
    expect "/dev/vfio/$group" "$(grep -cx "$group" "$VM/$name.vfio")" 1
    expect_no_kmsg "(bochs-drm|snd_hda_intel) 0000:00:05\.[01]"
}

s_intel_gpu_hda() {
    # shellcheck disable=SC2086
    boot intel-gpu-hda intel "" "device = 0000:00:05.0" $T_GPU_HDA
    claimed_pair
    expect "iommu.vendor" "$(st .iommu.vendor)" intel
    expect "interrupt_remapping" "$(st .iommu.interrupt_remapping)" true
    finish
}

s_amd_gpu_hda() {
    # shellcheck disable=SC2086
    boot amd-gpu-hda amd "" "device = 0000:00:05.0" $T_GPU_HDA
    claimed_pair
    expect "iommu.vendor" "$(st .iommu.vendor)" amd
    finish
}

s_four_function() {
    # shellcheck disable=SC2086
    boot four-function intel "" "device = 1234:1111@0000:00:05.0" $T_FOUR
    for f in 0 1 2 3; do
        expect "05.$f driver" "$(drv "0000:00:05.$f")" vfio-pci
        expect "05.$f state" "$(state "0000:00:05.$f")" claimed
    done
    expect "00:02.0 (boot display) driver" "$(drv 0000:00:02.0)" bochs-drm
    finish
}

s_no_iommu() {
    # shellcheck disable=SC2086
    boot no-iommu none "" "device = 0000:00:05.0" $T_GPU_HDA
    expect "iommu.active" "$(st .iommu.active)" false
    expect_match "iommu.reason" "$(st .iommu.reason)" "no IOMMU (no DMAR or IVRS"
    expect "05.0 state" "$(state 0000:00:05.0)" refused
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    finish
}

s_no_intremap() {
    # shellcheck disable=SC2086
    boot no-intremap intel-nointremap "" "device = 0000:00:05.0" $T_GPU_HDA
    claimed_pair
    expect "interrupt_remapping" "$(st .iommu.interrupt_remapping)" false
    expect_match "iommu.warning" "$(st .iommu.warning)" "--allow-unsafe-interrupts"
    finish
}

s_bridge_nic() {
    # shellcheck disable=SC2086
    boot bridge-nic intel "" "device = 0000:01:01.0" $T_BRIDGE_NIC
    expect "01:01.0 state" "$(state 0000:01:01.0)" refused
    expect_match "reason" "$(st '.devices[] | select(.address == "0000:01:01.0") | .reason')" \
        "0000:01:02.0 [8086:100e] class 0x020000"
    expect "NIC state" "$(state 0000:01:02.0)" untouched
    expect "NIC driver" "$(drv 0000:01:02.0)" e1000
    expect "display driver (host's)" "$(drv 0000:01:01.0)" bochs-drm
    finish
}

s_boot_vga() {
    # shellcheck disable=SC2086
    boot boot-vga-refused intel "" "device = 0000:00:02.0" $T_GPU_HDA
    expect "02.0 state" "$(state 0000:00:02.0)" refused
    expect_match "reason" "$(st '.devices[0].reason')" "boot display (boot_vga=1)"
    expect "02.0 driver (host's)" "$(drv 0000:00:02.0)" bochs-drm
    finish
    # shellcheck disable=SC2086
    boot boot-vga-allowed intel "" "device = 0000:00:02.0
boot_vga = allow" $T_GPU_HDA
    expect "02.0 state" "$(state 0000:00:02.0)" claimed
    expect "02.0 driver" "$(drv 0000:00:02.0)" vfio-pci
    expect_no_kmsg "bochs-drm 0000:00:02\.0"
    finish
}

s_broken_config() {
    # shellcheck disable=SC2086
    boot broken-config intel "" "device = 0000:00:05.0
companions = sometimes" $T_GPU_HDA
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    expect "devices in the status" "$(st '.devices | length')" 0
    expect_match "kmsg" "$(grep 'passthru: ' "$VM/$name.kmsg" | tr '\n' ' ')" \
        "passthru: /etc/passthru.conf:2: bad value 'sometimes' for 'companions'"
    finish
}

s_disabled() {
    # shellcheck disable=SC2086
    boot rd-passthru-0 intel "rd.passthru=0" "device = 0000:00:05.0" $T_GPU_HDA
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    expect "passthru lines in dmesg" "$(grep -c 'passthru: ' "$VM/$name.kmsg")" 0
    finish
}

s_two_gpus() {
    # shellcheck disable=SC2086
    boot two-gpus intel "" "device = 0000:00:06.0" $T_TWO
    expect "06.0 driver" "$(drv 0000:00:06.0)" vfio-pci
    expect "05.0 driver (same ID, not selected)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.0 in the status" "$(state 0000:00:05.0)" ""
    finish
}

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
broken_config disabled two_gpus force_boot_vga"
[ $# -gt 0 ] && all=$*
for s in $all; do
    "s_$s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
