#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# capture.sh: test-only pre-udev hook: with passthru.capture=1, print a sysfs capture and power off.
# What passthru-claim sees at this moment: PCI devices, drivers, IOMMU groups and units,
# ACPI IOMMU tables, /proc/interrupts and /proc/cmdline. Sysfs files show a size of 4096,
# so each is copied with cat into a tmpfs tree, which is printed as base64 of a tar.gz.
getargbool 0 passthru.capture || return 0
cap=/run/passthru-capture
mkdir -p "$cap/proc" "$cap/sys/bus/pci/devices" "$cap/sys/class/iommu" "$cap/sys/kernel/iommu_groups"
for d in /sys/bus/pci/devices/*; do
    real=$(readlink -f "$d")
    mkdir -p "$cap$real"
    ln -s "$(readlink "$d")" "$cap$d"
    for f in vendor device class config revision subsystem_vendor subsystem_device irq \
        resource boot_vga driver_override enable; do
        [ -f "$real/$f" ] && cat "$real/$f" >"$cap$real/$f" 2>/dev/null
    done
    for l in "$real"/driver "$real"/iommu_group "$real"/consumer:* "$real"/supplier:*; do
        [ -L "$l" ] && ln -s "$(readlink "$l")" "$cap$l"
    done
done
for d in /sys/bus/pci/drivers/*; do
    mkdir -p "$cap$d"
done
for g in /sys/kernel/iommu_groups/*; do
    [ -d "$g" ] || continue
    mkdir -p "$cap$g/devices"
    cat "$g/type" >"$cap$g/type" 2>/dev/null
    for m in "$g"/devices/*; do
        [ -L "$m" ] && ln -s "$(readlink "$m")" "$cap$m"
    done
done
for u in /sys/class/iommu/*; do
    [ -L "$u" ] && ln -s "$(readlink "$u")" "$cap$u"
done
for t in DMAR IVRS; do
    if [ -f "/sys/firmware/acpi/tables/$t" ]; then
        mkdir -p "$cap/sys/firmware/acpi/tables"
        cat "/sys/firmware/acpi/tables/$t" >"$cap/sys/firmware/acpi/tables/$t"
    fi
done
for p in /sys/module/vfio*/parameters/*; do
    [ -f "$p" ] || continue
    mkdir -p "$cap${p%/*}"
    cat "$p" >"$cap$p"
done
cat /proc/interrupts >"$cap/proc/interrupts"
cat /proc/cmdline >"$cap/proc/cmdline"
{
    echo "===PASSTHRU-CAPTURE-BEGIN==="
    (cd "$cap" && tar -czf - .) | base64
    echo "===PASSTHRU-CAPTURE-END==="
} >/dev/ttyS0 2>&1
echo o >/proc/sysrq-trigger
sleep 30
