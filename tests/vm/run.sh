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

# shellcheck source=tests/vm/judge.sh
. tests/vm/judge.sh

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
broken_config disabled two_gpus"
[ $# -gt 0 ] && all=$*
for s in $all; do
    "s_$s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
