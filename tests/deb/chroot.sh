#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# chroot.sh: the deb's lifecycle in a Debian 12 root, by apt in a chroot: install (the
# update-initramfs trigger rebuilds the image, passthru-setup runs, the unit is not enabled,
# the boot configuration is untouched), purge (every file of the package gone, the boot
# configuration untouched), install again; the root is left with the package installed.
# usage: . tests/deb/chroot.sh; deb_chroot ROOT DEB   (sourced by tests/lifecycle/run.sh after
# tests/lifecycle/checks.sh: its check and check_match count the results)
# The chroot is entered in a private mount namespace (proc, dev): the host's mounts never see it.
# shellcheck shell=sh

# in_root COMMAND...: COMMAND in the chroot, with /proc and /dev
in_root() {
    unshare -m --propagation private sh -c 'r=$1; shift; mount -t proc proc "$r/proc" &&
        mount --rbind /dev "$r/dev" && exec chroot "$r" "$@"' sh "$dc_root" "$@"
}
# boot_config: every file and link of the boot configuration, one "path sha256" a line
boot_config() {
    (cd "$dc_root" && find etc/default/grub etc/default/grub.d boot/grub 2>/dev/null | sort |
        while read -r f; do
            if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
            elif [ -f "$f" ]; then echo "$f $(sha256sum <"$f" | cut -c1-16)"
            else echo "$f/"; fi
        done)
}
initrd_sum() {
    cat "$dc_root"/boot/initrd.img-* | sha256sum | cut -c1-16
}
# apt_run NAME ARGS...: apt-get in the chroot, its output in $dc_work/NAME.log
apt_run() {
    name=$1
    shift
    DEBIAN_FRONTEND=noninteractive in_root apt-get -y -q "$@" >"$dc_work/$name.log" 2>&1
}
# trigger NAME: the update-initramfs trigger ran in apt's run NAME and rebuilt the image
trigger() {
    check "$1: the update-initramfs trigger ran" \
        "$(grep -c 'Processing triggers for initramfs-tools' "$dc_work/$1.log")" 1
    check_match "$1: update-initramfs rebuilt the image" "$(cat "$dc_work/$1.log")" \
        "update-initramfs: Generating /boot/initrd.img-"
}

# same_as_make_install: the package's files are what make install PREFIX=/usr installs, but
# mkinitcpio's hooks (Debian has no mkinitcpio); man pages gzipped, Debian's own docs added
same_as_make_install() {
    rm -rf "$dc_work/make-install"
    make -s install DESTDIR="$TOP/$dc_work/make-install" PREFIX=/usr UNITDIR=/lib/systemd/system \
        DRACUTMODDIR=/usr/lib/dracut/modules.d >/dev/null || { check "make install" fail ok; return; }
    (cd "$dc_work/make-install" && find . ! -type d | sed -e 's|^\.||' -e 's|\(/man/.*\.[58]\)$|\1.gz|' |
        grep -v '^/usr/lib/initcpio/' | sort) >"$dc_work/files-make-install"
    dpkg-deb -c "$dc_deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\.||' | grep -v -e \
        '^/usr/share/doc/passthru/\(copyright\|changelog.Debian.gz\)$' -e '^/usr/share/lintian/' |
        sort >"$dc_work/files-deb"
    diff "$dc_work/files-make-install" "$dc_work/files-deb" | sed -n 's/^[<>]/  &/p'
    check "the package's files are make install's (mkinitcpio's hooks left out)" \
        "$(diff "$dc_work/files-make-install" "$dc_work/files-deb" | grep -c '^[<>]')" 0
}

# deb_chroot ROOT DEB
deb_chroot() {
    dc_root=$1
    dc_deb=$2
    dc_t0=$(date +%s)
    dc_work=$dc_root.deb-logs
    rm -rf "$dc_work"
    mkdir -p "$dc_work"
    cp "$dc_deb" "$dc_root/tmp/"
    debname=$(basename "$dc_deb")
    # no service starts inside a chroot (passthru's unit is not started by dpkg anyway)
    printf '#!/bin/sh\nexit 101\n' >"$dc_root/usr/sbin/policy-rc.d"
    chmod 0755 "$dc_root/usr/sbin/policy-rc.d"
    same_as_make_install
    boot_config >"$dc_work/boot-before"
    image_before=$(initrd_sum)

    apt_run install install "/tmp/$debname"
    check "apt-get install ./$debname exits 0" "$?" 0
    trigger install
    check "install: the image was rebuilt" "$([ "$(initrd_sum)" != "$image_before" ] && echo yes)" yes
    check "install: the image holds nothing of passthru until passthru-setup install" \
        "$(in_root lsinitramfs "$(cd "$dc_root" && ls boot/initrd.img-* | head -n 1 | sed 's|^|/|')" |
            grep -c passthru)" 0
    check "install: no maintainer script runs update-initramfs" \
        "$(dpkg-deb --ctrl-tarfile "$dc_deb" | tar -xOf - --wildcards './*inst' './*rm' | grep -c update-initramfs)" 0
    check_match "install: passthru-setup --version" "$(in_root passthru-setup --version 2>&1)" "passthru-setup "
    check "install: passthru-confirm.service not enabled" \
        "$(in_root systemctl is-enabled passthru-confirm.service 2>&1)" disabled
    boot_config >"$dc_work/boot-after-install"
    check "install: /etc/default/grub, grub.d and /boot/grub byte for byte as before" \
        "$(diff "$dc_work/boot-before" "$dc_work/boot-after-install" | grep -c '^[<>]')" 0
    in_root dpkg -L passthru >"$dc_work/files"

    apt_run purge purge passthru
    check "apt-get purge passthru (never set up) exits 0" "$?" 0
    trigger purge
    check "purge: dpkg knows no passthru" \
        "$(in_root dpkg-query -W -f='${Status}' passthru 2>/dev/null | grep -c 'ok installed')" 0
    left=0
    while read -r f; do
        [ -d "$dc_root$f" ] && continue
        [ -e "$dc_root$f" ] || [ -L "$dc_root$f" ] || continue
        echo "  left: $f"
        left=$((left + 1))
    done <"$dc_work/files"
    check "purge: none of the package's files is left" "$left" 0
    check "purge: no /etc/passthru.conf, no /var/lib/passthru" \
        "$(ls -d "$dc_root/etc/passthru.conf" "$dc_root/var/lib/passthru" 2>/dev/null | wc -l)" 0
    boot_config >"$dc_work/boot-after-purge"
    check "purge: /etc/default/grub, grub.d and /boot/grub byte for byte as before" \
        "$(diff "$dc_work/boot-before" "$dc_work/boot-after-purge" | grep -c '^[<>]')" 0

    apt_run reinstall install "/tmp/$debname"
    check "apt-get install ./$debname again exits 0" "$?" 0
    rm -f "$dc_root/usr/sbin/policy-rc.d" "$dc_root/tmp/$debname"
    echo "deb in a chroot: $(( $(date +%s) - dc_t0 )) s (logs: $dc_work)"
}
