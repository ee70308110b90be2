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
}
# the trees QEMU cannot show, edited from the captured ones
tests/fixtures/derive.sh
