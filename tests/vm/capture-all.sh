#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-all.sh: recapture every fixture tree from QEMU guests (make fixtures-capture).
set -eu
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
c=tests/vm/capture-fixture.sh
# shellcheck disable=SC2086 # the topologies are word lists
{
    $c intel-gpu-hda intel "" $T_GPU_HDA
    $c amd-gpu-hda amd "" $T_GPU_HDA
    $c four-function intel "" $T_FOUR
    $c bridge-nic intel "" $T_BRIDGE_NIC
    $c bridge-storage intel "" $T_BRIDGE_STORAGE
    $c two-gpus intel "" $T_TWO
    $c no-iommu none "" $T_GPU_HDA
    $c no-intremap intel-nointremap "" $T_GPU_HDA
    $c bridge-boot-vga intel "" $T_BRIDGE_BOOT
    # UEFI firmware (OVMF): efifb in the VGA's BAR 0; a virtio GPU behind a root port has FLR
    cp /usr/share/OVMF/OVMF_VARS.fd "$VM/ovmf-vars.fd"
    $c ovmf-bootfb intel "" -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
        -drive if=pflash,format=raw,file="$VM/ovmf-vars.fd" $T_BOOTVGA \
        -device pcie-root-port,id=rp1,bus=pcie.0,addr=06.0,chassis=1 \
        -device virtio-gpu-pci,bus=rp1,addr=00.0
}
# the trees QEMU cannot show, edited from the captured ones
tests/fixtures/derive.sh
