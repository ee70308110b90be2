#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shell-hook.sh: test-only: what a plain shell hook does instead of passthru-claim (bench-vm).
# driver_override, unbind, modprobe vfio-pci, drivers_probe, and a readlink check per device.
# switched on by bench-start.sh (passthru.shellhook=1), so that no getargbool is timed here
[ -n "${PASSTHRU_SHELLHOOK-}" ] || return 0
devs=$(sed -n 's/^device = //p' /etc/passthru.conf)
for d in $devs; do
    echo vfio-pci >"/sys/bus/pci/devices/$d/driver_override"
    [ -e "/sys/bus/pci/devices/$d/driver" ] && echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
done
modprobe vfio-pci
for d in $devs; do
    echo "$d" >/sys/bus/pci/drivers_probe
done
for d in $devs; do
    [ "$(basename "$(readlink "/sys/bus/pci/devices/$d/driver")")" = vfio-pci ] ||
        echo "passthru-shell: $d not claimed" >/dev/kmsg
done
