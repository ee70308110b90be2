#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
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

# vm_itools_image OUT [MODULES [CONF [ENABLE [TRIAL]]]]: mkinitramfs's image of the fetched kernel
# with this tree's hook; MODULES is the text of its modules list (early KMS); CONF the config the
# hook copies (default: a placeholder); ENABLE (default 1) writes the conf.d/passthru install
# writes; TRIAL the trial mark the hook copies when it exists (default: none, whatever this
# machine's /etc holds).
vm_itools_image() {
    out=$1 modules=${2-} conf=${3:-$TOP/$VM/base.conf} enable=${4:-1}
    trial_mark=${5:-$TOP/$VM/no-trial-mark}
    kver=$(vm_kver)
    vm_itools_fetch || return 1
    printf '# base image config: every boot replaces it with its own\n' >"$VM/base.conf"
    # /usr/share/initramfs-tools as a minimal Debian host has it: the hooks of udev, kmod,
    # busybox and klibc-utils (their packages are installed here; no other package's hooks, so
    # the image does not depend on what else this machine has), initramfs-tools' own, ours
    share=$TOP/$VM/itools-share
    rm -rf "$share" && mkdir -p "$share/hooks" "$share/conf-hooks.d" \
        "$share/scripts/init-top" "$share/scripts/init-bottom"
    h=/usr/share/initramfs-tools
    for f in hooks/udev hooks/kmod hooks/zz-busybox hooks/klibc-utils conf-hooks.d/busybox \
        scripts/init-top/udev scripts/init-bottom/udev; do
        cp -a "$h/$f" "$share/$f" || { echo "$h/$f is missing (install-deps.sh)" >&2; return 1; }
    done
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
    PASSTHRU_CLAIM_BIN=$TOP/build/passthru-claim PASSTHRU_CONF=$conf PASSTHRU_TRIAL=$trial_mark \
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

# mkinitcpio, from its unmodified upstream source (tests/vendor/README.md), configured into
# build/mkinitcpio/lib as its meson build would configure it for Debian's paths
CPIO=${CPIO:-build/mkinitcpio}
CPIO_TARBALL=${CPIO_TARBALL:-tests/vendor/mkinitcpio-fc8137c.tar.gz}
CPIO_SHA256=39933867ff86ad7322f47b45e6ebe57e03b3f08f1c966f5c27b1205b1564610e

vm_cpio_fetch() {
    [ -f "$CPIO/lib/.configured" ] && [ -z "$(find "$CPIO_TARBALL" -newer "$CPIO/lib/.configured")" ] &&
        return 0
    echo "$CPIO_SHA256  $CPIO_TARBALL" | sha256sum -c --quiet - ||
        { echo "$CPIO_TARBALL: sha256 mismatch" >&2; return 1; }
    rm -rf "$CPIO" && mkdir -p "$CPIO/lib"
    tar -xzf "$CPIO_TARBALL" -C "$CPIO/lib" --strip-components=1 || return 1
    # meson.build's configuration_data with systemd enabled (Arch's build): udevd in
    # systemd_util_dir, systemd-tmpfiles on PATH; BINDIR is only its PATH, where Debian keeps
    # blkid, switch_root and modinfo in /usr/sbin
    util=$(pkg-config --variable=systemd_util_dir systemd 2>/dev/null || echo /lib/systemd)
    find "$CPIO/lib" -type f -exec sed -i \
        -e 's|@VERSION@|41-fc8137c|g' -e 's|@BINDIR@|/usr/bin:/usr/sbin|g' -e 's|@SYSCONFDIR@|/etc|g' \
        -e 's|@INITCPIO_LIBDIR@|/usr/lib/initcpio|g' -e 's|@INITCPIO_SYSCONFDIR@|/etc/initcpio|g' \
        -e 's|@VCONSOLE_CONF@|/etc/vconsole.conf|g' \
        -e 's|@MKINITCPIO_HOOKS@|base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck|g' \
        -e "s|@UDEVD_PATH@|$util/systemd-udevd|g" \
        -e "s|@TMPFILES_PATH@|$(command -v systemd-tmpfiles)|g" {} + || return 1
    if grep -rl '@[A-Z_]*@' "$CPIO/lib" | grep -v -e '\.md$' -e meson; then
        echo "mkinitcpio: placeholders left in the files above" >&2
        return 1
    fi
    touch "$CPIO/lib/.configured"
}

# vm_cpio_image VARIANT OUT [MODULES [CONF [ENABLE [TRIAL]]]]: mkinitcpio's image of the fetched
# kernel with this tree's hooks. VARIANT: mkinitcpio (busybox init: HOOKS=(base udev ...)) or
# mkinitcpio-systemd (HOOKS=(base systemd ...)); MODULES: its MODULES array (early KMS); CONF:
# the config the hook copies; ENABLE (default 1): passthru placed in HOOKS by the drop-in that
# passthru-setup install writes (tests/setup checks that the two agree); TRIAL: the trial mark
# the hook copies when it exists (default: none, whatever this machine's /etc holds).
vm_cpio_image() {
    variant=$1 out=$2 modules=${3-} conf=${4:-$TOP/$VM/base.conf} enable=${5:-1}
    trial_mark=${6:-$TOP/$VM/no-trial-mark}
    kver=$(vm_kver)
    vm_cpio_fetch || return 1
    printf '# base image config: every boot replaces it with its own\n' >"$VM/base.conf"
    # the one path of this machine mkinitcpio insists on (install/base): a copy of Debian's
    # busybox (a symlink would become a link to itself in the image)
    if ! cmp -s /bin/busybox /usr/lib/initcpio/busybox; then
        mkdir -p /usr/lib/initcpio && cp /bin/busybox /usr/lib/initcpio/busybox || return 1
    fi
    case $variant in
    mkinitcpio) hooks="base udev passthru-test" ;;
    *) hooks="base systemd passthru-test" ;;
    esac
    cfg=$TOP/$VM/mkinitcpio.conf
    {
        printf 'MODULES=(%s)\nBINARIES=()\nFILES=()\nHOOKS=(%s)\nCOMPRESSION=cat\n' \
            "$modules" "$hooks"
        [ "$enable" = 1 ] && cat "$TOP/mkinitcpio/passthru.conf"
    } >"$cfg"
    lib=$TOP/$CPIO/lib
    PASSTHRU_CLAIM_BIN=$TOP/build/passthru-claim PASSTHRU_CONF=$conf PASSTHRU_TRIAL=$trial_mark \
        PASSTHRU_TEST_DIR=$TOP/tests/vm/dracut/99passthru-test \
        MKINITCPIO_LIBRARY=$lib MKINITCPIO_CONF=$cfg \
        MKINITCPIO_HOOKS="$TOP/mkinitcpio/hooks:$TOP/tests/vm/mkinitcpio/hooks:$lib/hooks" \
        MKINITCPIO_INSTALL="$TOP/mkinitcpio/install:$TOP/tests/vm/mkinitcpio/install:$lib/install" \
        MKINITCPIO_POST_HOOKS=$TOP/$VM/no-post-hooks \
        bash "$lib/mkinitcpio" -n -k "$kver" -r "$TOP/$KDIR/root" -g "$TOP/$out" \
        >"$out.log" 2>&1
    rc=$?
    # install/udev and install/systemd name files by Arch's paths and systemd's newest: Debian
    # 12 keeps libkmod.so.2 under /usr/lib/x86_64-linux-gnu (add_binary of udevd brings it),
    # hwdb.bin in /usr/lib/udev (added too), sulogin and swapon/swapoff in /usr/sbin (rescue
    # tools), and its systemd 252 has no systemd-executor (255), systemd-validatefs (258) or
    # 20-systemd-stub.conf. With those the only errors, the image is what it needs to be.
    if [ ! -s "$out" ] || grep 'ERROR' "$out.log" | grep -v \
        -e "not found: '/usr/lib/libkmod.so.2'" -e "not found: '/etc/udev/hwdb.bin'" \
        -e "not found: '/usr/bin/sulogin'" -e "not found: '/usr/bin/swapo[nf]f*'" \
        -e "not found: '/usr/lib/systemd/systemd-executor'" \
        -e "not found: '/usr/lib/systemd/systemd-validatefs'" \
        -e "not found: '/usr/lib/tmpfiles.d/20-systemd-stub.conf'" | grep -q .; then
        tail -n 30 "$out.log" >&2
        return 1
    fi
    [ "$rc" -eq 0 ] || grep -q 'errors were encountered during the build' "$out.log"
}

# vm_cpio_list IMAGE: the files of a mkinitcpio image, by its own lsinitcpio
vm_cpio_list() {
    MKINITCPIO_LIBRARY=$TOP/$CPIO/lib bash "$TOP/$CPIO/lib/lsinitcpio" "$1"
}
