#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# variant-images.sh: the image generators put the vfio variant driver in the image (no boot):
# initramfs-tools and mkinitcpio (busybox) build their images of the kernel that carries
# tests/vm/variant's passthru_test_vfio_pci (tests/vm/variant-kernel.sh), with the intel-gpu-hda
# tree as the build host's sysfs (PASSTHRU_SYSROOT) and its GPU configured; each image's own
# lister must show the module, and dracut's image with variant = off must not hold it (dracut's
# image with the module is run.sh's variant scenarios' own).
# usage: tests/vm/variant-images.sh   (from the top of the tree; make check-vm runs it)
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
# shellcheck source=tests/vm/lib-gen.sh
. tests/vm/lib-gen.sh
VM=build/vm/variant-images
pass=0
fail=0
rm -rf "$VM" && mkdir -p "$VM/sysroot"
sh tests/vm/variant-kernel.sh || exit 1
tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$VM/sysroot" || exit 1
KDIR=build/vm-variant
PASSTHRU_SYSROOT=$TOP/$VM/sysroot
export PASSTHRU_SYSROOT
printf 'device = 0000:00:05.0\n' >"$VM/auto.conf"
printf 'device = 0000:00:05.0\nvariant = off\n' >"$VM/off.conf"

# judge NAME IMAGE RC LISTING WANT: WANT 1 (the module is in the image) or 0
judge() {
    if [ "$3" != 0 ]; then
        echo "FAIL $1: the generator failed (see $2.log)"
        fail=$((fail + 1))
    elif [ "$(printf '%s\n' "$4" | grep -c 'passthru_test_vfio_pci\.ko')" != "$5" ]; then
        echo "FAIL $1: passthru_test_vfio_pci.ko $( [ "$5" = 1 ] && echo "missing from" ||
            echo "in") the image"
        fail=$((fail + 1))
    else
        echo "PASS $1: passthru_test_vfio_pci.ko $( [ "$5" = 1 ] && echo "in" ||
            echo "not in") the image"
        pass=$((pass + 1))
    fi
}

vm_itools_image "$VM/itools.img" "" "$TOP/$VM/auto.conf"
rc=$?
judge initramfs-tools "$VM/itools.img" "$rc" "$(vm_itools_list "$VM/itools.img" 2>/dev/null)" 1
vm_cpio_image mkinitcpio "$VM/cpio.img" "" "$TOP/$VM/auto.conf"
rc=$?
judge mkinitcpio "$VM/cpio.img" "$rc" "$(vm_cpio_list "$TOP/$VM/cpio.img" 2>/dev/null)" 1
vm_image "$VM/dracut-off.img" "passthru passthru-test" "$TOP/$VM/off.conf"
rc=$?
judge "dracut, variant = off" "$VM/dracut-off.img" "$rc" "$(lsinitrd "$VM/dracut-off.img" 2>/dev/null)" 0
rm -f "$VM"/*.img
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
