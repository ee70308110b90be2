#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# report.sh: test-only, after udev coldplug settled: print what happened, power off.
udevadm settle --timeout=30
sleep 1
{
    echo "===PASSTHRU-BEGIN==="
    echo "---status---"
    cat /run/passthru/status.json 2>/dev/null || echo "{}"
    echo "---drivers---"
    for d in /sys/bus/pci/devices/*; do
        drv=none
        [ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
        echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class") $drv"
    done
    echo "---vfio---"
    ls -1 /dev/vfio 2>/dev/null
    echo "---kmsg---"
    dmesg
    echo "---cmdline---"
    cat /proc/cmdline
    echo "===PASSTHRU-END==="
} >/dev/ttyS0 2>&1
echo o >/proc/sysrq-trigger
sleep 30
