#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh: boot a QEMU guest (real Debian kernel, dracut image with passthru) whose GPU is claimed.
set -eu
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
mkdir -p "$VM"
image=$VM/initrd.img
if vm_stale "$image"; then
    echo "== building a dracut image with passthru for kernel $(vm_kver) (about 30 s)"
    vm_image "$image"
fi
printf 'device = 0000:00:05.0\n' >"$VM/demo.conf"
vm_overlay "$image" "$VM/demo.img" "$VM/demo.conf"
echo "== booting the guest under QEMU (TCG, about 30 s): Intel IOMMU, boot display at 00:02.0,"
echo "   a GPU at 00:05.0 with its HDMI audio at 00:05.1; /etc/passthru.conf says:"
sed 's/^/     /' "$VM/demo.conf"
# shellcheck disable=SC2086
vm_boot "$VM/demo.img" "$VM/demo.log" 180 intel "" $T_GPU_HDA || {
    echo "demo: the guest did not finish; see $VM/demo.log" >&2
    exit 1
}
echo
echo "== inside the guest: what passthru-claim logged (dmesg)"
vm_section "$VM/demo.log" kmsg | grep 'passthru: ' | sed 's/^/   /'
echo
echo "== inside the guest: /run/passthru/status.json"
vm_section "$VM/demo.log" status | sed 's/^/   /'
echo
echo "== inside the guest: where each PCI device went after udev coldplug"
vm_section "$VM/demo.log" drivers | awk '{ printf "   %s  %s  class %s  ->  %s\n", $1, $2, $3, $4 }'
echo "   /dev/vfio: $(vm_section "$VM/demo.log" vfio | tr '\n' ' ')"
echo
if [ "$(vm_section "$VM/demo.log" drivers | awk '$1 ~ /00:05\.[01]$/ && $4 == "vfio-pci"' | wc -l)" -eq 2 ]; then
    echo "demo: the GPU and its audio function are on vfio-pci; the host's bochs-drm only has 00:02.0"
else
    echo "demo: the GPU was NOT claimed" >&2
    exit 1
fi
