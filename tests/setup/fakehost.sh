#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fakehost.sh: a fake host on this machine, a root that is its own --sysroot (the captured
# intel-gpu-hda host view), its reboot and what its images hold; sourced by tests/setup/truth.sh
# and tests/ansible/run.sh after they set top, here (tests/setup), work and kver.
# The root: kernel-install's /etc/kernel/cmdline (the next boot's command line is that file; or
# GRUB's drop-in, the line install says it made), initramfs-tools (the stand-ins run the tree's
# own hook and list each image's files; lsinitramfs reads them back). boot ROOT is the reboot:
# the command line from /etc/kernel/cmdline (GRUB: the last one install printed; a one-time
# entry of systemd-boot: its options, once), the IOMMU on
# when it has intel_iommu=on, and when the image holds passthru-claim and a config, the claim:
# the status.json it writes and the configured pair (00:05.0 and its audio 00:05.1) on the
# config's driver.

: "${here:?}" "${work:?}" "${kver:?}"

# mkroot NAME [CONFIG [grub|bls]]: a root before install (no config without CONFIG, or with an
# empty one), booted without the IOMMU arguments (the IOMMU off), nothing claimed; grub: Debian's
# GRUB (the drop-in) instead of /etc/kernel/cmdline; bls: systemd-boot's loader entry too (a
# trial's one-time entry is then booted once); prints its path
mkroot() {
    r=$work/$1
    rm -rf "$r" "$r.iommu" "$r.imgconf" "$r.grub" "$r.oneshot" "$r.units"
    mkdir -p "$r/etc/kernel" "$r/etc/initramfs-tools" "$r/usr/sbin" "$r/usr/bin" \
        "$r/usr/lib/passthru" "$r/usr/lib/modules/$kver" "$r/boot" "$r.iommu"
    ln -s usr/lib "$r/lib"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$r"
    [ $# -lt 2 ] || [ -z "$2" ] || printf '%s\n' "$2" >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    for f in hooks/passthru scripts/init-top/passthru; do
        mkdir -p "$(dirname "$r/usr/share/initramfs-tools/$f")"
        cp "initramfs-tools/$f" "$r/usr/share/initramfs-tools/$f"
    done
    : >"$r/usr/sbin/mkinitramfs"
    : >"$r/usr/bin/lsinitramfs"
    printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
    if [ "${3:-}" = grub ]; then
        mkdir -p "$r/etc/default" "$r/boot/grub"
        cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
        : >"$r/usr/sbin/update-grub"
        printf 'quiet\n' >"$r.grub"
        rmdir "$r/etc/kernel"
    else
        printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
    fi
    if [ "${3:-}" = bls ]; then
        # systemd-boot: its loader entry, and what a trial's one-time choice needs
        mkdir -p "$r/boot/loader/entries"
        printf 'timeout 3\n' >"$r/boot/loader/loader.conf"
        printf 'title Debian GNU/Linux 12\nversion %s\nmachine-id abc\noptions root=/dev/vda1 ro quiet\nlinux /abc/%s/linux\ninitrd /abc/%s/initrd.img-%s\n' \
            "$kver" "$kver" "$kver" "$kver" >"$r/boot/loader/entries/abc-$kver.conf"
    fi
    PASSTHRU_TEST_ROOT=$r "$here/bin/update-initramfs" -u -k all >/dev/null
    rm -f "$r/commands.log"
    boot "$r" >/dev/null
    echo "$r"
}

# imgconf ROOT: after a passthru-setup run, when it rebuilt the images, what they hold of the
# config, kept beside the root (ROOT.imgconf) for boot
imgconf() {
    if grep -q '^update-initramfs' "$1/commands.log"; then
        if grep -qx etc/passthru.conf "$1/boot/initrd.img-$kver"; then
            cp "$1/etc/passthru.conf" "$1.imgconf"
        else
            rm -f "$1.imgconf"
        fi
    fi
}

# boot ROOT: the reboot (see the head of this file); a second later than anything before it
boot() {
    b=$1
    sleep 1
    if [ -f "$b.oneshot" ]; then
        # systemd-boot's one-time choice (bootctl set-oneshot, the stand-in's file): that
        # entry's options, once
        sed -n 's/^options //p' "$b/boot/loader/entries/$(sed 's/\.conf$//' "$b.oneshot").conf" >"$b/proc/cmdline"
        rm -f "$b.oneshot"
    elif [ -f "$b.grub" ]; then
        cp "$b.grub" "$b/proc/cmdline"
    else
        cp "$b/etc/kernel/cmdline" "$b/proc/cmdline"
    fi
    printf 'cpu 0 0 0 0\nbtime %s\n' "$(date +%s)" >"$b/proc/stat"
    if grep -q 'intel_iommu=on' "$b/proc/cmdline"; then
        [ -z "$(ls "$b.iommu")" ] || mv "$b.iommu/iommu" "$b/sys/class/iommu"
        [ -d "$b.iommu/iommu_groups" ] && mv "$b.iommu/iommu_groups" "$b/sys/kernel/iommu_groups"
        on=yes
    else
        [ -d "$b/sys/class/iommu" ] && mv "$b/sys/class/iommu" "$b.iommu/iommu"
        [ -d "$b/sys/kernel/iommu_groups" ] && mv "$b/sys/kernel/iommu_groups" "$b.iommu/iommu_groups"
        on=no
    fi
    rm -rf "$b/run/passthru"
    for d in 0000:00:05.0 0000:00:05.1; do rm -f "$b/sys/bus/pci/devices/$d/driver"; done
    if grep -qx usr/lib/passthru/passthru-claim "$b/boot/initrd.img-$kver" 2>/dev/null &&
        [ -f "$b.imgconf" ]; then
        mkdir -p "$b/run/passthru"
        printf '{"version": 1, "config_sha256": "%s", "devices": [], "errors": []}\n' \
            "$(sha256sum <"$b.imgconf" | cut -d ' ' -f 1)" >"$b/run/passthru/status.json"
        drv=$(sed -n 's/^driver *= *//p' "$b.imgconf")
        [ "$on" = yes ] || drv=pci-stub
        if grep -q '^device *= *0000:00:05.0' "$b.imgconf" && [ -e "$b/sys/bus/pci/devices/0000:00:05.0" ]; then
            for d in 0000:00:05.0 0000:00:05.1; do
                ln -s "../../../bus/pci/drivers/${drv:-vfio-pci}" "$b/sys/bus/pci/devices/$d/driver"
            done
        fi
    fi
}

