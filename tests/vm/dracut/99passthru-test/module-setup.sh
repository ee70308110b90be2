#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# module-setup.sh: test-only dracut module: capture sysfs, or report what happened and power off.

check() {
    return 255
}

depends() {
    return 0
}

installkernel() {
    # the host drivers that would take the devices if passthru did not
    # shellcheck disable=SC2034
    hostonly='' instmods bochs snd-hda-intel e1000 xhci-pci 8250_pci sym53c8xx ahci nvme
}

# shellcheck disable=SC2154 # moddir is set by dracut
install() {
    inst_multiple tar gzip base64 basename head tr cat ls sleep find udevadm date modprobe
    inst_hook pre-udev 05 "$moddir/capture.sh"
    inst_hook pre-udev 09 "$moddir/bench-start.sh"
    inst_hook pre-udev 11 "$moddir/bench-mid.sh"
    inst_hook pre-udev 12 "$moddir/shell-hook.sh"
    inst_hook pre-udev 13 "$moddir/bench-end.sh"
    inst_simple "$moddir/report.sh" /usr/lib/passthru-test/report.sh
    inst_simple "$moddir/passthru-test-report.service" \
        "$systemdsystemunitdir/passthru-test-report.service"
    $SYSTEMCTL -q --root "$initdir" add-wants initrd.target passthru-test-report.service
}
