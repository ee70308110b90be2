#!/bin/sh
# lib-gen.sh: images of the Debian kernel built by initramfs-tools and mkinitcpio themselves.
# Sourced after lib.sh by run-gen.sh. Neither generator is installed on this machine: each runs
# from build/ in a private mount namespace (unshare -m) whose bind mounts are seen by nothing else.

# initramfs-tools, from Debian's own packages, unpacked into build/itools/root
ITOOLS=${ITOOLS:-build/itools}

vm_itools_fetch() {
    [ -x "$ITOOLS/root/usr/sbin/mkinitramfs" ] && return 0
    rm -rf "$ITOOLS" && mkdir -p "$ITOOLS/debs"
    (cd "$ITOOLS/debs" && apt-get download initramfs-tools-core initramfs-tools) ||
        { echo "apt-get download initramfs-tools-core initramfs-tools failed" >&2; return 1; }
    for d in "$ITOOLS"/debs/*.deb; do
        dpkg-deb -x "$d" "$ITOOLS/root" || return 1
    done
}

# vm_itools_image OUT [MODULES [CONF [ENABLE]]]: mkinitramfs's image of the fetched kernel with
# this tree's hook; MODULES is the text of its modules list (early KMS); CONF the config the hook
# copies (default: a placeholder); ENABLE (default 1) writes the conf.d/passthru install writes.
vm_itools_image() {
    out=$1 modules=${2-} conf=${3:-$TOP/$VM/base.conf} enable=${4:-1}
    kver=$(vm_kver)
    vm_itools_fetch || return 1
    printf '# base image config: every boot replaces it with its own\n' >"$VM/base.conf"
    # /usr/share/initramfs-tools as a Debian host has it: the hooks of udev, kmod, busybox and
    # klibc-utils (their packages are installed here), then initramfs-tools' own, then ours
    share=$TOP/$VM/itools-share
    rm -rf "$share" && mkdir -p "$share"
    cp -a /usr/share/initramfs-tools/. "$share/"
    cp -a "$ITOOLS/root/usr/share/initramfs-tools/." "$share/"
    # mkinitramfs copies regular files only (find -type f): copies, not symlinks
    cp initramfs-tools/hooks/passthru tests/vm/initramfs-tools/hooks/passthru-test "$share/hooks/"
    cp initramfs-tools/scripts/init-top/passthru "$share/scripts/init-top/"
    mkdir -p "$share/scripts/init-premount"
    cp tests/vm/initramfs-tools/scripts/init-premount/passthru-test "$share/scripts/init-premount/"
    conf_dir=$TOP/$VM/itools-conf
    rm -rf "$conf_dir" && mkdir -p "$conf_dir/conf.d" "$conf_dir/scripts" "$conf_dir/hooks"
    sed -e 's/^MODULES=.*/MODULES=list/' "$ITOOLS/root/etc/initramfs-tools/initramfs.conf" \
        >"$conf_dir/initramfs.conf"
    printf '%s\n' "$modules" >"$conf_dir/modules"
    [ "$enable" = 1 ] && printf '# passthru: enabled by passthru-setup install\n' >"$conf_dir/conf.d/passthru"
    [ -d /usr/lib/modules ] || mkdir -p /usr/lib/modules
    PASSTHRU_CLAIM_BIN=$TOP/build/passthru-claim PASSTHRU_CONF=$conf \
        PASSTHRU_TEST_REPORT=$TOP/tests/vm/dracut/99passthru-test/report.sh \
        unshare -m sh -c 'set -e
            mount --make-rprivate /
            mount --bind "$1" /usr/share/initramfs-tools
            mount --bind "$2/boot" /boot
            mount --bind "$2/lib/modules" /usr/lib/modules
            exec "$3/usr/sbin/mkinitramfs" -d "$4" -o "$5" "$6"' sh \
        "$share" "$TOP/$KDIR/root" "$TOP/$ITOOLS/root" "$conf_dir" "$TOP/$out" "$kver" \
        >"$out.log" 2>&1 || { tail -n 30 "$out.log" >&2; return 1; }
}

# vm_itools_list IMAGE: the files of an initramfs-tools image, by its own lsinitramfs
vm_itools_list() {
    PATH=$TOP/$ITOOLS/root/usr/bin:$PATH lsinitramfs "$1"
}
