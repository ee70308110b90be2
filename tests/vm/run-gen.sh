#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-gen.sh: the boot scenarios on images that initramfs-tools and mkinitcpio build themselves.
# usage: tests/vm/run-gen.sh GENERATOR [SCENARIO...]   (from the top of the tree)
# GENERATOR: initramfs-tools, mkinitcpio (busybox image: HOOKS=(base udev ...)) or
# mkinitcpio-systemd (HOOKS=(base systemd ...)). The same scenarios as run.sh (judge.sh), plus
# early KMS (bochs in the generator's own module list) and an image built without a config.
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
# shellcheck source=tests/vm/lib-gen.sh
. tests/vm/lib-gen.sh
LIMIT=${PASSTHRU_VM_TIMEOUT:-180}
pass=0
fail=0
gen=${1:?usage: run-gen.sh GENERATOR [SCENARIO...]}
shift
VM=build/vm/$gen
mkdir -p "$VM"

case $gen in
initramfs-tools)
    gen_image() { vm_itools_image "$@"; }
    gen_list() { vm_itools_list "$1"; }
    trial_image() { vm_itools_image "$1" "" "" 1 "$2"; }
    sources="initramfs-tools tests/vm/initramfs-tools"
    ;;
mkinitcpio | mkinitcpio-systemd)
    gen_image() { vm_cpio_image "$gen" "$@"; }
    gen_list() { vm_cpio_list "$1"; }
    trial_image() { vm_cpio_image "$gen" "$1" "" "" 1 "$2"; }
    sources="mkinitcpio tests/vm/mkinitcpio"
    ;;
*)
    echo "run-gen.sh: unknown generator '$gen'" >&2
    exit 2
    ;;
esac

# the image every boot scenario overlays its config on, rebuilt when its sources changed
image=$VM/initrd.img
# shellcheck disable=SC2086
if [ ! -f "$image" ] ||
    [ -n "$(find build/passthru-claim $sources tests/vm/lib-gen.sh -newer "$image" 2>/dev/null)" ]; then
    echo "building the $gen image (kernel $(vm_kver))"
    gen_image "$image" || exit 1
fi

# shellcheck source=tests/vm/judge.sh
. tests/vm/judge.sh
list_image() { gen_list "$1"; }

# bochs in the generator's module list: loaded before udev's coldplug would load it
s_early_kms() {
    name=early-kms
    kms=$VM/early-kms.initrd
    if [ ! -f "$kms" ] || [ -n "$(find "$image" -newer "$kms")" ]; then
        gen_image "$kms" bochs || { why="the generator failed"; finish; return; }
    fi
    saved=$image image=$kms
    # the command line's early loads too: mkinitcpio's earlymodules= (loaded with MODULES, after
    # the early hooks), systemd's rd.modules_load= (systemd-modules-load.service); initramfs-tools
    # has none (its modules list is the early load)
    case $gen in
    mkinitcpio) loads="earlymodules=bochs,snd_hda_intel" ;;
    mkinitcpio-systemd) loads="rd.modules_load=bochs,snd_hda_intel" ;;
    *) loads="" ;;
    esac
    # shellcheck disable=SC2086
    boot early-kms intel "$loads" "device = 0000:00:05.0" $T_GPU_HDA
    image=$saved
    claimed_pair
    expect "00:02.0 (boot display) driver" "$(drv 0000:00:02.0)" bochs-drm
    finish
}

# not a boot: passthru-setup's image_has (tests/setup/initramfs_gen.c) with the
# generator's real lister, on a root whose /boot holds IMAGE for the kernel: yes or no (FILE,
# default usr/lib/passthru/passthru-claim, in the image)
setup_has() {
    sr=$TOP/$VM/setup-root
    rm -rf "$sr" && mkdir -p "$sr/boot" "$sr/usr/bin" "$sr/usr/lib/modules/$(vm_kver)"
    case $gen in
    initramfs-tools)
        cp "$1" "$sr/boot/initrd.img-$(vm_kver)"
        : >"$sr/usr/bin/lsinitramfs"
        PATH=$TOP/$ITOOLS/root/usr/bin:$PATH \
            "$TOP/build/tests/initramfs-gen" initramfs-tools "$sr" has "$(vm_kver)" ${2:+"$2"}
        ;;
    *)
        printf 'linux\n' >"$sr/usr/lib/modules/$(vm_kver)/pkgbase"
        cp "$1" "$sr/boot/initramfs-linux.img"
        : >"$sr/usr/bin/lsinitcpio"
        mkdir -p "$TOP/$VM/lister" && ln -sf "$TOP/$CPIO/lib/lsinitcpio" "$TOP/$VM/lister/"
        PATH=$TOP/$VM/lister:$PATH MKINITCPIO_LIBRARY=$TOP/$CPIO/lib \
            "$TOP/build/tests/initramfs-gen" mkinitcpio "$sr" has "$(vm_kver)" ${2:+"$2"}
        ;;
    esac
    rm -rf "$sr"
}

s_setup_status() {
    name=setup-status why="" log=/dev/null
    expect "passthru-setup: the image holds passthru" "$(setup_has "$image")" yes
    finish
}

# not a boot: the order the generator wrote into the image runs passthru before udev
# (initramfs-tools: scripts/init-top/ORDER, from the scripts' PREREQs; mkinitcpio: EARLYHOOKS)
s_order() {
    name=order why="" log=/dev/null
    d=$TOP/$VM/unpacked
    rm -rf "$d" && mkdir -p "$d"
    case $gen in
    initramfs-tools)
        PATH=$TOP/$ITOOLS/root/usr/bin:$PATH unmkinitramfs "$image" "$d"
        f=$(find "$d" -path '*/scripts/init-top/ORDER' | head -n 1)
        order=$(sed -n 's|^/scripts/init-top/\([^ ]*\) .*|\1|p' "$f" 2>/dev/null | tr '\n' ' ')
        ;;
    mkinitcpio)
        (cd "$d" && MKINITCPIO_LIBRARY=$TOP/$CPIO/lib bash "$TOP/$CPIO/lib/lsinitcpio" -x "$TOP/$image")
        order=$(sed -n 's/^EARLYHOOKS="\(.*\)"$/\1 /p' "$d/config" 2>/dev/null)
        ;;
    *)
        # systemd orders units, not hooks: passthru.service, pulled in by sysinit.target,
        # before the coldplug and the MODULES array (systemd-modules-load)
        (cd "$d" && MKINITCPIO_LIBRARY=$TOP/$CPIO/lib bash "$TOP/$CPIO/lib/lsinitcpio" -x "$TOP/$image")
        u=$d/usr/lib/systemd/system
        expect "sysinit.target.wants/passthru.service" \
            "$(readlink "$u/sysinit.target.wants/passthru.service")" ../passthru.service
        for b in systemd-udev-trigger.service systemd-modules-load.service; do
            expect_match "passthru.service: Before=$b" "$(grep '^Before=' "$u/passthru.service")" "$b"
        done
        rm -rf "$d"
        finish
        return
        ;;
    esac
    first=$(printf '%s\n' $order | grep -x -m 1 -e passthru -e udev)
    expect "passthru before udev in '$order'" "$first" passthru
    expect_match "udev in '$order'" "$order" "udev "
    rm -rf "$d"
    finish
}

# not a boot: without a config the hook adds nothing to the image, not even a trial's mark
s_without_config() {
    name=without-config why="" log=$VM/$name.img.log
    printf '# a trial mark left behind\n' >"$VM/left.mark"
    if ! gen_image "$VM/$name.img" "" "$TOP/$VM/no-such-passthru.conf" 1 "$TOP/$VM/left.mark"; then
        why="the generator failed"
    elif ! gen_list "$VM/$name.img" >"$VM/$name.files"; then
        why="the image cannot be listed"
    elif grep -v passthru-test "$VM/$name.files" | grep -q -e passthru -e vfio; then
        why="the image holds passthru files without a config:$(grep -v passthru-test \
            "$VM/$name.files" | grep -e passthru -e vfio | tr '\n' ' ')"
    elif ! grep -q passthru-test "$VM/$name.files"; then
        why="the listing misses the test hook's files: it cannot be trusted"
    else
        expect "passthru-setup: the image holds passthru" "$(setup_has "$VM/$name.img")" no
    fi
    rm -f "$VM/$name.img"
    finish
}

# not a boot: with a config but not enabled (after uninstall) the hook adds nothing either, not
# even a trial's mark left behind
s_not_enabled() {
    name=not-enabled why="" log=$VM/$name.img.log
    printf 'device = 0000:00:05.0\n' >"$VM/$name.conf"
    printf '# a trial mark left behind\n' >"$VM/left.mark"
    if ! gen_image "$VM/$name.img" "" "$TOP/$VM/$name.conf" 0 "$TOP/$VM/left.mark"; then
        why="the generator failed"
    elif ! gen_list "$VM/$name.img" >"$VM/$name.files"; then
        why="the image cannot be listed"
    elif grep -v passthru-test "$VM/$name.files" | grep -q -e passthru -e vfio; then
        why="the image holds passthru files though passthru is not enabled:$(grep -v \
            passthru-test "$VM/$name.files" | grep -e passthru -e vfio | tr '\n' ' ')"
    fi
    rm -f "$VM/$name.img"
    finish
}

all="without_config not_enabled setup_status order intel_gpu_hda amd_gpu_hda bridge_nic broken_config disabled
early_kms trial_pending"
[ $# -gt 0 ] && all=$*
# shellcheck disable=SC2086 # the scenarios' names, one a word
scenarios $all
echo "$gen: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
