#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# module-setup.sh: dracut module that runs passthru-claim before udev coldplug and before any
# early module load (rd.modules_load=, rd.driver.pre=, force_drivers).
# Included only when asked for (passthru-setup install adds it in /etc/dracut.conf.d/);
# without a config it adds nothing. passthru_claim_bin=, passthru_conf= and passthru_trial=
# (in a dracut.conf) name other sources to install, for tests; passthru_sysroot= the root whose
# sysfs holds the configured devices (default /: this host).

check() {
    [ -x "${passthru_claim_bin:-/usr/lib/passthru/passthru-claim}" ] || return 1
    return 255
}

depends() {
    return 0
}

installkernel() {
    [ -f "${passthru_conf:-/etc/passthru.conf}" ] || return 0
    # the vfio variant drivers the configured devices take with the image's kernel ($srcmods:
    # its module folder, not the running kernel's); passthru-claim says them on stdout
    # shellcheck disable=SC2154 # srcmods is set by dracut
    variants=$("${passthru_claim_bin:-/usr/lib/passthru/passthru-claim}" --variant-modules \
        "$srcmods" --config "${passthru_conf:-/etc/passthru.conf}" \
        --sysroot "${passthru_sysroot:-/}")
    # shellcheck disable=SC2034,SC2086 # one module name a word
    hostonly='' instmods vfio vfio_iommu_type1 vfio-pci pci-stub $variants
}

# shellcheck disable=SC2154 # moddir is set by dracut
install() {
    [ -f "${passthru_conf:-/etc/passthru.conf}" ] || return 0
    inst_simple "${passthru_claim_bin:-/usr/lib/passthru/passthru-claim}" /usr/lib/passthru/passthru-claim
    inst_simple "${passthru_conf:-/etc/passthru.conf}" /etc/passthru.conf
    # install --trial: while it is pending, passthru-claim claims only on the trial boot
    # (rd.passthru.trial=1); the other entries share this image and boot as before
    if [ -f "${passthru_trial:-/etc/passthru.trial}" ]; then
        inst_simple "${passthru_trial:-/etc/passthru.trial}" /etc/passthru.trial
    fi
    inst_simple "$moddir/passthru-early.sh" /usr/lib/passthru/passthru-early.sh
    if dracut_module_included "systemd"; then
        # systemd images: a unit ordered before systemd-modules-load.service (rd.modules_load=,
        # modules-load.d) and dracut-cmdline.service (whose hook loads rd.driver.pre= and
        # force_drivers), not a pre-udev hook: dracut-pre-udev.service runs after both
        inst_simple "$moddir/passthru.service" "$systemdsystemunitdir/passthru.service"
        $SYSTEMCTL -q --root "$initdir" add-wants sysinit.target passthru.service
    else
        # dracut's own init: the first cmdline hook, before 01parse-kernel.sh's rd.driver.pre=
        inst_hook cmdline 00 "$moddir/passthru-early.sh"
    fi
}
