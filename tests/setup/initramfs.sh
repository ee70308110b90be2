#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs.sh: the initramfs-tools and mkinitcpio entries of the generator table on temporary
# roots: detection, which generator built an image, the files install stages (the mkinitcpio
# drop-in really sourced by bash after mkinitcpio.conf), the rebuild commands, image listings.
# With SETUP (passthru-setup), also install and uninstall with --root on an initramfs-tools and a
# mkinitcpio root: the switch and the drop-in come and go, the root ends byte for byte as before.
# usage: tests/setup/initramfs.sh BIN [SETUP]   (make check-setup; BIN: build/tests/initramfs-gen)
set -u
top=$(pwd)
bin=$1
case $bin in /*) ;; *) bin=$top/$bin ;; esac
work=$top/build/tests/initramfs
rm -rf "$work"
mkdir -p "$work"
# shellcheck source=tests/lifecycle/checks.sh
. "$top/tests/lifecycle/checks.sh"

gen() {
    PATH=$top/tests/setup/bin:$PATH "$bin" "$@" 2>&1
}

# --- initramfs-tools ---
r=$work/debian
mkdir -p "$r/usr/sbin" "$r/etc/initramfs-tools/conf.d" "$r/boot" "$r/var/lib/initramfs-tools" \
    "$r/usr/bin"
check "initramfs-tools: not detected without mkinitramfs" "$(gen initramfs-tools "$r" detect)" no
: >"$r/usr/sbin/mkinitramfs"
check "initramfs-tools: not detected without initramfs.conf" "$(gen initramfs-tools "$r" detect)" no
printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
check "initramfs-tools: detected" "$(gen initramfs-tools "$r" detect)" yes
check "mkinitcpio: not detected on it" "$(gen mkinitcpio "$r" detect)" no
check "initramfs-tools: rebuild" "$(gen initramfs-tools "$r" argv)" "update-initramfs -u -k all"

printf 'usr/lib/passthru/passthru-claim\netc/passthru.conf\n' >"$r/boot/initrd.img-6.1.0-9-amd64"
check "initramfs-tools: no record of update-initramfs: not its image" \
    "$(gen initramfs-tools "$r" built 6.1.0-9-amd64)" no
touch -d '2026-01-01 10:00:00' "$r/boot/initrd.img-6.1.0-9-amd64"
touch -d '2026-01-01 10:00:01' "$r/var/lib/initramfs-tools/6.1.0-9-amd64"
check "initramfs-tools: its image" "$(gen initramfs-tools "$r" built 6.1.0-9-amd64)" yes
touch -d '2026-01-01 11:00:00' "$r/boot/initrd.img-6.1.0-9-amd64"
check "initramfs-tools: image rebuilt by another tool since" \
    "$(gen initramfs-tools "$r" built 6.1.0-9-amd64)" no

check "initramfs-tools: no lsinitramfs in the root" \
    "$(gen initramfs-tools "$r" has 6.1.0-9-amd64)" no-lister
: >"$r/usr/bin/lsinitramfs"
check "initramfs-tools: image holds passthru" "$(gen initramfs-tools "$r" has 6.1.0-9-amd64)" yes
printf './usr/lib/passthru\n./etc/passthru.conf\n' >"$r/boot/initrd.img-6.1.0-8-amd64"
check "initramfs-tools: image without passthru-claim" \
    "$(gen initramfs-tools "$r" has 6.1.0-8-amd64)" no
check "initramfs-tools: no image" "$(gen initramfs-tools "$r" has 6.1.0-7-amd64)" no-image
# an absolute symlink in the root points into the root, never at this machine's /boot
ln -s /boot/initrd.img-6.1.0-9-amd64 "$r/boot/initrd.img-6.1.0-6-amd64"
check "initramfs-tools: image through an absolute symlink in the root" \
    "$(gen initramfs-tools "$r" has 6.1.0-6-amd64)" yes

# passthru's hook and boot script, where make install puts them (or /etc's folders), must be there
# before the switch is written: without them, the images would get nothing of passthru
check "initramfs-tools: stage refused without passthru's hook, names it and make install" \
    "$(gen initramfs-tools "$r" stage | grep -c "initramfs-tools hook file /usr/share/initramfs-tools/hooks/passthru is not installed in .*make install, or passthru's package")" 1
check "initramfs-tools: ... nothing written" \
    "$(test -e "$r/etc/initramfs-tools/conf.d/passthru" || test -e "$r/var/lib/passthru" ||
        echo none)" none
mkdir -p "$r/usr/share/initramfs-tools/hooks" "$r/etc/initramfs-tools/scripts/init-top"
: >"$r/usr/share/initramfs-tools/hooks/passthru"
check "initramfs-tools: stage refused without the boot script, names it" \
    "$(gen initramfs-tools "$r" stage | grep -c "hook file /usr/share/initramfs-tools/scripts/init-top/passthru is not installed in .* (nor /etc/initramfs-tools/scripts/init-top/passthru)")" 1
: >"$r/etc/initramfs-tools/scripts/init-top/passthru"
check "initramfs-tools: stage" "$(gen initramfs-tools "$r" stage)" /etc/initramfs-tools/conf.d/passthru
check "initramfs-tools: the switch is a comment (mkinitramfs sources it)" \
    "$(sh -c 'set -eu; . "$1"; echo sourced' sh "$r/etc/initramfs-tools/conf.d/passthru")" sourced
check "initramfs-tools: the switch is recorded for uninstall" \
    "$(grep -c '/etc/initramfs-tools/conf.d/passthru' "$r/var/lib/passthru/installed")" 1
check "initramfs-tools: a second stage changes nothing" \
    "$(cksum <"$r/etc/initramfs-tools/conf.d/passthru"; gen initramfs-tools "$r" stage >/dev/null;
    cksum <"$r/etc/initramfs-tools/conf.d/passthru")" \
    "$(cksum <"$r/etc/initramfs-tools/conf.d/passthru"; cksum <"$r/etc/initramfs-tools/conf.d/passthru")"

# --- mkinitcpio ---
r=$work/arch
mkdir -p "$r/usr/bin" "$r/etc/mkinitcpio.d" "$r/boot" "$r/usr/lib/modules/6.9.1-arch1-1"
check "mkinitcpio: not detected without mkinitcpio" "$(gen mkinitcpio "$r" detect)" no
: >"$r/usr/bin/mkinitcpio"
check "mkinitcpio: not detected without mkinitcpio.conf" "$(gen mkinitcpio "$r" detect)" no
printf 'HOOKS=(base udev autodetect)\n' >"$r/etc/mkinitcpio.conf"
check "mkinitcpio: detected" "$(gen mkinitcpio "$r" detect)" yes
check "initramfs-tools: not detected on it" "$(gen initramfs-tools "$r" detect)" no
check "mkinitcpio: rebuild" "$(gen mkinitcpio "$r" argv)" "mkinitcpio -P"
check "mkinitcpio: no pkgbase: cannot tell" "$(gen mkinitcpio "$r" built 6.9.1-arch1-1)" no
printf 'linux\n' >"$r/usr/lib/modules/6.9.1-arch1-1/pkgbase"
check "mkinitcpio: no preset: not its image" "$(gen mkinitcpio "$r" built 6.9.1-arch1-1)" no
printf "PRESETS=('default')\n" >"$r/etc/mkinitcpio.d/linux.preset"
check "mkinitcpio: its image (linux.preset)" "$(gen mkinitcpio "$r" built 6.9.1-arch1-1)" yes
check "mkinitcpio: no image" "$(gen mkinitcpio "$r" has 6.9.1-arch1-1)" no-image
printf 'usr/lib/passthru/passthru-claim\nhooks/passthru\n' >"$r/boot/initramfs-linux.img"
check "mkinitcpio: no lsinitcpio in the root" "$(gen mkinitcpio "$r" has 6.9.1-arch1-1)" no-lister
: >"$r/usr/bin/lsinitcpio"
check "mkinitcpio: image holds passthru" "$(gen mkinitcpio "$r" has 6.9.1-arch1-1)" yes
printf 'hooks/udev\n' >"$r/boot/initramfs-linux.img"
check "mkinitcpio: image without passthru" "$(gen mkinitcpio "$r" has 6.9.1-arch1-1)" no

check "mkinitcpio: stage refused without passthru's install hook, names it and make install" \
    "$(gen mkinitcpio "$r" stage | grep -c "mkinitcpio hook file /usr/lib/initcpio/install/passthru is not installed in .* (nor /etc/initcpio/install/passthru).*make install, or passthru's package")" 1
check "mkinitcpio: ... nothing written" \
    "$(test -e "$r/etc/mkinitcpio.conf.d" || test -e "$r/var/lib/passthru" || echo none)" none
mkdir -p "$r/usr/lib/initcpio/install" "$r/etc/initcpio/hooks"
: >"$r/usr/lib/initcpio/install/passthru"
check "mkinitcpio: stage refused without the runtime hook, names it" \
    "$(gen mkinitcpio "$r" stage | grep -c "hook file /usr/lib/initcpio/hooks/passthru is not installed")" 1
: >"$r/etc/initcpio/hooks/passthru"
check "mkinitcpio: stage" "$(gen mkinitcpio "$r" stage)" /etc/mkinitcpio.conf.d/passthru.conf
check "mkinitcpio: the drop-in is mkinitcpio/passthru.conf" \
    "$(cmp "$r/etc/mkinitcpio.conf.d/passthru.conf" mkinitcpio/passthru.conf && echo same)" same

# hooks CONF: HOOKS after mkinitcpio.conf and the drop-in, sourced by bash as mkinitcpio does
hooks() {
    printf '%s\n' "$1" >"$work/mkinitcpio.conf"
    bash -c 'set -u; . "$1"; . "$2"; declare -p HOOKS | sed "s/^declare -a HOOKS=//";
        compgen -v _passthru || :' sh "$work/mkinitcpio.conf" \
        "$r/etc/mkinitcpio.conf.d/passthru.conf"
}
check "mkinitcpio: busybox image (array)" \
    "$(hooks 'HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)')" \
    '([0]="base" [1]="passthru" [2]="udev" [3]="autodetect" [4]="microcode" [5]="modconf" [6]="kms" [7]="keyboard" [8]="keymap" [9]="consolefont" [10]="block" [11]="filesystems" [12]="fsck")'
check "mkinitcpio: systemd image (array, v40's default)" \
    "$(hooks 'HOOKS=(base systemd autodetect microcode modconf kms keyboard sd-vconsole block filesystems fsck)')" \
    '([0]="base" [1]="passthru" [2]="systemd" [3]="autodetect" [4]="microcode" [5]="modconf" [6]="kms" [7]="keyboard" [8]="sd-vconsole" [9]="block" [10]="filesystems" [11]="fsck")'
check "mkinitcpio: old string style" "$(hooks 'HOOKS="base udev autodetect block"')" \
    '([0]="base" [1]="passthru" [2]="udev" [3]="autodetect" [4]="block")'
check "mkinitcpio: systemd image without base" "$(hooks 'HOOKS=(systemd autodetect)')" \
    '([0]="passthru" [1]="systemd" [2]="autodetect")'
check "mkinitcpio: passthru the user put after udev moves before it" \
    "$(hooks 'HOOKS=(base udev passthru block)')" '([0]="base" [1]="passthru" [2]="udev" [3]="block")'
check "mkinitcpio: neither udev nor systemd: passthru last" "$(hooks 'HOOKS=(base block)')" \
    '([0]="base" [1]="block" [2]="passthru")'

# --- passthru-setup install/uninstall (--root: the rebuild commands are printed, not run) ---
if [ $# -ge 2 ]; then
    setup=$2
    case $setup in /*) ;; *) setup=$top/$setup ;; esac
    sys=$work/sysroot
    mkdir -p "$sys"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$sys"
    snap() {
        (cd "$1" && find . -type f -exec cksum {} + | sort)
    }
    for g in initramfs-tools mkinitcpio; do
        r=$work/setup-$g
        rm -rf "$r" && mkdir -p "$r/etc/default" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru"
        printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
        printf 'GRUB_CMDLINE_LINUX="quiet"\n' >"$r/etc/default/grub"
        : >"$r/usr/sbin/update-grub"
        cp "$top/build/passthru-claim" "$r/usr/lib/passthru/"
        case $g in
        initramfs-tools)
            mkdir -p "$r/etc/initramfs-tools"
            : >"$r/usr/sbin/mkinitramfs"
            printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
            file=/etc/initramfs-tools/conf.d/passthru cmd="update-initramfs -u -k all"
            hookdir=/usr/share/initramfs-tools hook=/usr/share/initramfs-tools/hooks/passthru
            ;;
        mkinitcpio)
            : >"$r/usr/bin/mkinitcpio"
            printf 'HOOKS=(base systemd autodetect block filesystems)\n' >"$r/etc/mkinitcpio.conf"
            file=/etc/mkinitcpio.conf.d/passthru.conf cmd="mkinitcpio -P"
            hookdir=/usr/lib/initcpio hook=/usr/lib/initcpio/install/passthru
            ;;
        esac
        # passthru's hook files missing (never installed, make install): refused, nothing changed
        before=$(snap "$r")
        out=$("$setup" install --root "$r" --sysroot "$sys" 2>&1)
        rc=$?
        check "setup $g: without passthru's hook files: exit 1, names $hook and make install" \
            "$rc $(echo "$out" | grep -c "passthru's $g hook file $hook is not installed in .*make install")" "1 1"
        check "setup $g: ... nothing changed" "$(snap "$r")" "$before"
        # the files make install puts there (the Makefile's INITRAMFSTOOLSDIR, INITCPIODIR)
        case $g in
        initramfs-tools) src="hooks/passthru scripts/init-top/passthru" ;;
        mkinitcpio) src="install/passthru hooks/passthru" ;;
        esac
        for f in $src; do
            mkdir -p "$(dirname "$r$hookdir/$f")"
            cp "$top/$g/$f" "$r$hookdir/$f"
        done
        before=$(snap "$r")
        out=$("$setup" install --root "$r" --sysroot "$sys" 2>&1)
        check "setup $g: install finds it" "$(echo "$out" | grep -c "^initramfs: $g\$")" 1
        check "setup $g: install enables it" "$(test -f "$r$file" && echo yes)" yes
        check "setup $g: install names its rebuild" "$(echo "$out" | grep -c "^  $cmd\$")" 1
        out=$("$setup" uninstall --root "$r" 2>&1)
        check "setup $g: uninstall names its rebuild" "$(echo "$out" | grep -c "^  $cmd\$")" 1
        check "setup $g: uninstall leaves the root as it was" "$(snap "$r")" "$before"
    done
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
