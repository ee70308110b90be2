#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# image.sh: an image's shell code (--root, status --sysroot) never runs on this host: GRUB's
# /etc/default/grub and grub.d, mkinitcpio's conf and conf.d run only inside the image (private
# namespaces, read-only, its own shell) or are read without running; and mkinitcpio's HOOKS are
# evaluated as mkinitcpio does: a later drop-in that takes passthru out is refused by install and
# reported by status, with a fix that fixes it.
# usage: tests/setup/image.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-image "$@"
# what an image's code would leave on this host if it ran here
evil=/tmp/passthru-evil-$$
rm -f "$evil" "$evil-mk"

# newroot NAME KIND: the fixture's host view (an Intel host) with an installed system in it:
# passthru's files, and GRUB with update-grub (grub) or mkinitcpio with passthru's hooks
newroot() {
    r=$work/$1
    rm -rf "$r" && mkdir -p "$r"
    tar -xzf "$top/tests/fixtures/intel-gpu-hda/tree.tar.gz" -C "$r"
    mkdir -p "$r/etc/default" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    case $2 in
    grub)
        mkdir -p "$r/usr/lib/dracut/modules.d/90passthru"
        : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
        : >"$r/usr/bin/dracut"
        : >"$r/usr/sbin/update-grub" ;;
    mkinitcpio)
        : >"$r/usr/bin/mkinitcpio"
        mkdir -p "$r/etc/kernel" && printf 'root=/dev/vda1 rw\n' >"$r/etc/kernel/cmdline"
        mkdir -p "$r/etc/mkinitcpio.conf.d" "$r/usr/lib/initcpio/install" \
            "$r/usr/lib/initcpio/hooks"
        cp "$top/mkinitcpio/install/passthru" "$r/usr/lib/initcpio/install/passthru"
        cp "$top/mkinitcpio/hooks/passthru" "$r/usr/lib/initcpio/hooks/passthru"
        printf 'HOOKS=(base udev autodetect block filesystems)\n' >"$r/etc/mkinitcpio.conf" ;;
    esac
}

# with_shell PATH: this machine's shell (dash for /bin/sh, bash for /bin/bash) and its libraries
# copied into the root $r at PATH: the image has its own shell
with_shell() {
    src=$(command -v "$(basename "$1")")
    [ "$1" = /bin/sh ] && src=$(command -v dash)
    mkdir -p "$r/bin"
    cp "$src" "$r$1"
    for l in $(ldd "$src" | grep -o '/[^ ]*'); do
        mkdir -p "$r$(dirname "$l")"
        cp "$l" "$r$l"
    done
}

# setup ROOT ARGS: passthru-setup on the image, the image's own host view; commands printed
setup() {
    r=$1
    shift
    PATH=$here/bin:$PATH "$bin" "$@" --root "$r" --sysroot "$r"
}

# the image's code can run inside it only as root with namespaces (else: read without running)
jail=no
[ "$(id -u)" = 0 ] && unshare -m -p -n -f true 2>/dev/null && jail=yes

# ---- GRUB: /etc/default/grub with a command that leaves a file on the host if run here ----
grub_evil() {
    cat >"$r/etc/default/grub" <<EOF
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
touch $evil
GRUB_CMDLINE_LINUX="\$(echo root=/dev/vda1)"
EOF
}
newroot grub-static grub
grub_evil
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel --dry-run 2>&1)
code=$?
[ $code -eq 0 ] && [ ! -e "$evil" ] && [ "$(snapshot "$r")" = "$before" ] &&
    echo "$out" | grep -q "^kernel command line for the next boot, GRUB drop-in /etc/default/grub.d/passthru.cfg: unknown: the image's shell code was not run (it has no executable /bin/sh .*/etc/default/grub line 3 runs a command; not checked" &&
    ok "GRUB, image without /bin/sh: install --root --dry-run runs none of its code, says the line is unknown and why" ||
    bad "grub static" "exit $code, $(ls "$evil" 2>&1): $out"
out=$(setup "$r" install --cpu intel 2>&1)
code=$?
[ $code -eq 0 ] && [ ! -e "$evil" ] && [ -f "$r/etc/default/grub.d/passthru.cfg" ] &&
    ok "GRUB, image without /bin/sh: install --root runs none of its code either" ||
    bad "grub static install" "exit $code, $(ls "$evil" 2>&1): $out"
out=$("$bin" status --sysroot "$r" 2>&1)
[ ! -e "$evil" ] && ok "GRUB, image without /bin/sh: status --sysroot runs none of its code" ||
    bad "grub static status" "$out"
rm -f "$evil"

if [ $jail = yes ]; then
    newroot grub-jail grub
    grub_evil
    with_shell /bin/sh
    before=$(snapshot "$r")
    out=$(setup "$r" install --cpu intel --dry-run 2>&1)
    code=$?
    [ $code -eq 0 ] && [ ! -e "$evil" ] && [ "$(snapshot "$r")" = "$before" ] &&
        echo "$out" | grep -qxF "kernel command line for the next boot, GRUB (grub-mkconfig sources /etc/default/grub, /etc/default/grub.d/*.cfg): root=/dev/vda1 intel_iommu=on iommu=pt quiet" &&
        ok "GRUB, image with /bin/sh: its code runs inside it (its command's output counted), nothing on this host, the image unchanged" ||
        bad "grub jail" "exit $code, $(ls "$evil" 2>&1): $out"
    out=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    out2=$("$bin" status --sysroot "$r" 2>&1)
    [ $code -eq 0 ] && [ ! -e "$evil" ] && [ ! -e "$r$evil" ] &&
        ! echo "$out2" | grep -q 'next boot.s command line' &&
        ok "GRUB, image with /bin/sh: install --root and status --sysroot run its code only inside it" ||
        bad "grub jail install/status" "exit $code, $(ls "$evil" 2>&1): $out // $out2"
    rm -f "$evil"
    # a later grub.d file of the image's that takes an argument out is still caught
    mkdir -p "$r/etc/default/grub.d"
    echo 'GRUB_CMDLINE_LINUX="$(echo root=/dev/vda1) intel_iommu=off"' >"$r/etc/default/grub.d/zz-local.cfg"
    out=$("$bin" status --sysroot "$r" 2>&1)
    echo "$out" | grep -qF "drift: the next boot's command line from GRUB (/etc/default/grub.d/zz-local.cfg, sourced after /etc/default/grub.d/passthru.cfg, undoes it) carries intel_iommu=off" &&
        echo "$out" | grep -qxF "  fix: in /etc/default/grub.d/zz-local.cfg keep passthru's arguments (it is sourced after passthru.cfg), then update-grub; reboot" &&
        ok "GRUB, image with /bin/sh: status names the later grub.d file (run inside the image) and the edit that fixes it" ||
        bad "grub jail drift" "$out"
    echo 'GRUB_CMDLINE_LINUX="$(echo root=/dev/vda1) $GRUB_CMDLINE_LINUX"' >"$r/etc/default/grub.d/zz-local.cfg"
    out=$("$bin" status --sysroot "$r" 2>&1)
    ! echo "$out" | grep -q "next boot's command line" &&
        ok "GRUB, image with /bin/sh: the edit made, passthru's arguments kept: no drift" ||
        bad "grub jail fixed" "$out"
else
    echo "SKIP GRUB inside the image: not root, or no namespaces here"
fi

# a later grub.d file that undoes passthru's drop-in: install refuses and names it (read
# without running, as the tests' roots have no shell)
newroot grub-later grub
cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
mkdir -p "$r/etc/default/grub.d"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=off"' >"$r/etc/default/grub.d/zz-local.cfg"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
code=$?
[ $code -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] &&
    echo "$out" | grep -qxF "passthru-setup: GRUB (/etc/default/grub.d/zz-local.cfg, sourced after /etc/default/grub.d/passthru.cfg, undoes it): intel_iommu=off present" &&
    ok "GRUB: a later grub.d file that undoes passthru's: install refuses, naming it" ||
    bad "grub later" "exit $code: $out"

# ---- mkinitcpio: HOOKS as mkinitcpio evaluates them ----
# mk_cases LABEL: on a root made by mk_root, install refuses a later drop-in that takes passthru
# out and names it; one before passthru's is fine; status reports it with a fix that fixes it
mk_cases() {
    label=$1
    mk_root mk-refuse
    printf 'HOOKS=(base udev block filesystems)\n' >"$r/etc/mkinitcpio.conf.d/zz-hooks.conf"
    before=$(snapshot "$r")
    out=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    [ $code -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] &&
        echo "$out" | grep -qF "install refused: /etc/mkinitcpio.conf.d/zz-hooks.conf sets HOOKS after /etc/mkinitcpio.conf.d/passthru.conf and leaves passthru out (HOOKS: base udev block filesystems): mkinitcpio would build images without passthru-claim; in /etc/mkinitcpio.conf.d/zz-hooks.conf put passthru before udev (or systemd) in HOOKS, or take HOOKS out of it" &&
        ok "mkinitcpio ($label): a later drop-in without passthru: install refuses, names it, nothing changed" ||
        bad "mkinitcpio refuse ($label)" "exit $code: $out"
    # bash: a plain value given to an array sets its first element only; passthru's drop-in
    # made HOOKS an array, so a later HOOKS="..." replaces whatever is first (here passthru)
    mk_root mk-scalar
    printf 'HOOKS=(systemd autodetect)\n' >"$r/etc/mkinitcpio.conf"
    printf 'HOOKS="systemd block"\n' >"$r/etc/mkinitcpio.conf.d/zz-hooks.conf"
    out=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    [ $code -eq 1 ] && echo "$out" | grep -qF "zz-hooks.conf sets HOOKS after /etc/mkinitcpio.conf.d/passthru.conf and leaves passthru out (HOOKS: systemd block systemd autodetect)" &&
        ok "mkinitcpio ($label): a later HOOKS=\"...\" replaces the array's first element, passthru: refused" ||
        bad "mkinitcpio scalar ($label)" "exit $code: $out"
    mk_root mk-before
    printf 'HOOKS=(base udev block filesystems)\n' >"$r/etc/mkinitcpio.conf.d/10-hooks.conf"
    # Arch's preset as its kernel packages install it (mkinitcpio.d/hook.preset): no -c
    mkdir -p "$r/etc/mkinitcpio.d"
    cat >"$r/etc/mkinitcpio.d/linux.preset" <<'EOF'
# mkinitcpio preset file for the 'linux' package

#ALL_config="/etc/mkinitcpio.conf"
ALL_kver="/boot/vmlinuz-linux"
#ALL_kerneldest="/boot/vmlinuz-linux"

PRESETS=('default')
#PRESETS=('default' 'fallback')

#default_config="/etc/mkinitcpio.conf"
default_image="/boot/initramfs-linux.img"
#default_uki="/efi/EFI/Linux/arch-linux.efi"
#default_options="--splash /usr/share/systemd/bootctl/splash-arch.bmp"
EOF
    out=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    [ $code -eq 0 ] && [ -f "$r/etc/mkinitcpio.conf.d/passthru.conf" ] &&
        ok "mkinitcpio ($label): a drop-in before passthru's (10-hooks.conf): installed" ||
        bad "mkinitcpio before ($label)" "exit $code: $out"
    # installed, then a later drop-in takes passthru out: status says so, and the fix fixes it
    printf 'HOOKS=(base udev block)\n' >"$r/etc/mkinitcpio.conf.d/zz-hooks.conf"
    out=$("$bin" status --sysroot "$r" 2>&1)
    echo "$out" | grep -qxF "drift: /etc/mkinitcpio.conf.d/zz-hooks.conf sets HOOKS after /etc/mkinitcpio.conf.d/passthru.conf and leaves passthru out (HOOKS: base udev block): mkinitcpio builds the next images without passthru-claim (passthru-setup install refuses until it is fixed)" &&
        echo "$out" | grep -qxF "  fix: in /etc/mkinitcpio.conf.d/zz-hooks.conf put passthru before udev (or systemd) in HOOKS, or take HOOKS out of it; then mkinitcpio -P; reboot" &&
        ok "mkinitcpio ($label): status: the later drop-in is drift, named, with its fix" ||
        bad "mkinitcpio status ($label)" "$out"
    printf 'HOOKS=(base passthru udev block)\n' >"$r/etc/mkinitcpio.conf.d/zz-hooks.conf"
    out=$("$bin" status --sysroot "$r" 2>&1)
    out2=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    ! echo "$out" | grep -q 'zz-hooks.conf' && [ $code -eq 0 ] &&
        ok "mkinitcpio ($label): the fix done: no drift, install accepts" ||
        bad "mkinitcpio fixed ($label)" "exit $code: $out // $out2"
    # a preset with ALL_config: mkinitcpio -P runs with -c, which reads no drop-in at all
    sed -i 's|^#ALL_config=|ALL_config=|' "$r/etc/mkinitcpio.d/linux.preset"
    out=$("$bin" status --sysroot "$r" 2>&1)
    echo "$out" | grep -qxF "drift: /etc/mkinitcpio.d/linux.preset sets ALL_config=/etc/mkinitcpio.conf: mkinitcpio -P builds its 'default' image with -c /etc/mkinitcpio.conf, which reads no drop-in (nor /etc/mkinitcpio.conf.d/passthru.conf), and HOOKS there lack passthru (HOOKS: base udev autodetect block filesystems): mkinitcpio builds the next images without passthru-claim (passthru-setup install refuses until it is fixed)" &&
        echo "$out" | grep -qxF "  fix: in /etc/mkinitcpio.d/linux.preset comment out ALL_config; then mkinitcpio -P; reboot" &&
        ok "mkinitcpio ($label): status: a preset's ALL_config (-c, no drop-ins) is drift, named, with its fix" ||
        bad "mkinitcpio preset status ($label)" "$out"
    before=$(snapshot "$r")
    out=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    [ $code -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] &&
        echo "$out" | grep -qF "install refused: /etc/mkinitcpio.d/linux.preset sets ALL_config=/etc/mkinitcpio.conf: mkinitcpio -P builds its 'default' image with -c /etc/mkinitcpio.conf" &&
        ok "mkinitcpio ($label): a preset's ALL_config: install refuses, nothing changed" ||
        bad "mkinitcpio preset install ($label)" "exit $code: $out"
    sed -i 's|^ALL_config=|#ALL_config=|' "$r/etc/mkinitcpio.d/linux.preset"
    out=$("$bin" status --sysroot "$r" 2>&1)
    ! echo "$out" | grep -q 'linux.preset' && ok "mkinitcpio ($label): ALL_config commented out: no drift" ||
        bad "mkinitcpio preset fixed ($label)" "$out"
}
mk_root() {
    newroot "$1" mkinitcpio
}
mk_cases "read without running"
# HOOKS from a command's output cannot be read without running: said, not refused
mk_root mk-cmd
printf 'HOOKS=($(echo base udev))\n' >"$r/etc/mkinitcpio.conf.d/zz-hooks.conf"
printf 'touch %s-mk\n' "$evil" >"$r/etc/mkinitcpio.conf.d/zz-more.conf"
out=$(setup "$r" install --cpu intel --dry-run 2>&1)
code=$?
[ $code -eq 0 ] && [ ! -e "$evil-mk" ] &&
    echo "$out" | grep -q "^mkinitcpio HOOKS: unknown: the image's shell code was not run (it has no executable /bin/bash .*zz-hooks.conf: HOOKS cannot be known without running it (a command's output, or an edit of one array element); not checked" &&
    ok "mkinitcpio, image without bash: HOOKS from a command: unknown, said; none of its code ran" ||
    bad "mkinitcpio unknown" "exit $code, $(ls "$evil-mk" 2>&1): $out"
rm -f "$evil-mk"

if [ $jail = yes ]; then
    mk_root() {
        newroot "$1" mkinitcpio
        with_shell /bin/bash
    }
    mk_cases "bash inside the image"
    mk_root mk-cmd-jail
    printf 'HOOKS=($(echo base udev))\n' >"$r/etc/mkinitcpio.conf.d/zz-hooks.conf"
    printf 'touch %s-mk\n' "$evil" >"$r/etc/mkinitcpio.conf.d/zz-more.conf"
    before=$(snapshot "$r")
    out=$(setup "$r" install --cpu intel 2>&1)
    code=$?
    [ $code -eq 1 ] && [ ! -e "$evil-mk" ] && [ "$(snapshot "$r")" = "$before" ] &&
        echo "$out" | grep -q "install refused: /etc/mkinitcpio.conf.d/zz-hooks.conf sets HOOKS after .* (HOOKS: base udev)" &&
        ok "mkinitcpio, image with bash: HOOKS from a command, run inside the image: refused; nothing ran here" ||
        bad "mkinitcpio jail cmd" "exit $code, $(ls "$evil-mk" 2>&1): $out"
    rm -f "$evil-mk"
else
    echo "SKIP mkinitcpio inside the image: not root, or no namespaces here"
fi

echo "image: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
