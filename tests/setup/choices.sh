#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# choices.sh: install remembers --bootloader, --initramfs, --cpu, --no-iommu-pt and
# --allow-unsafe-interrupts in its record; a plain install keeps them, uninstall forgets them.
# usage: tests/setup/choices.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-choices "$@"
fixture=$work/sysroot
mkdir -p "$fixture"
tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$fixture"

# setup ROOT ARGS: passthru-setup with the stand-ins, commands allowed inside the root; the
# fixture is an Intel host (DMAR): found, the CPU is intel
setup() {
    r=$1
    shift
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
        "$bin" "$@" --root "$r" --sysroot "$fixture"
}

# newroot NAME: Debian GRUB, /etc/kernel/cmdline, dracut and initramfs-tools: found, install
# edits both boot configurations and enables dracut (the first of the two generators)
newroot() {
    r=$work/$1
    rm -rf "$r"
    mkdir -p "$r/etc/default" "$r/etc/kernel" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru" \
        "$r/etc/initramfs-tools" "$r/usr/lib/dracut/modules.d/90passthru"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
    : >"$r/usr/sbin/mkinitramfs"
    # passthru's initramfs-tools hook files, where make install puts them
    for f in hooks/passthru scripts/init-top/passthru; do
        mkdir -p "$(dirname "$r/usr/share/initramfs-tools/$f")"
        cp "$top/initramfs-tools/$f" "$r/usr/share/initramfs-tools/$f"
    done
    printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
    cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
    : >"$r/usr/sbin/update-grub"
    printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
    m=$r/var/lib/passthru/installed
    drop=$r/etc/default/grub.d/passthru.cfg
}

# found, with nothing remembered: both boot configurations, dracut, intel
newroot found
out=$(setup "$r" install 2>&1)
if [ $? -eq 0 ] && [ -e "$drop" ] && grep -q 'intel_iommu=on iommu=pt' "$r/etc/kernel/cmdline" &&
    [ -e "$r/etc/dracut.conf.d/passthru.conf" ] && ! grep -q '^chose ' "$m" &&
    ! echo "$out" | grep -q remembered; then
    ok "plain install, nothing remembered: found (GRUB and /etc/kernel/cmdline, dracut, intel)"
else
    bad "found" "$out $(cat "$m")"
fi

# install --bootloader kernel-install --initramfs initramfs-tools --cpu amd --no-iommu-pt
# would write no argument at all (AMD without iommu=pt): --cpu intel --no-iommu-pt instead
newroot chosen
out=$(setup "$r" install --bootloader kernel-install --initramfs initramfs-tools --cpu intel \
    --no-iommu-pt --allow-unsafe-interrupts 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ ! -e "$drop" ] && [ "$(cat "$r/etc/kernel/cmdline")" = "root=/dev/vda1 ro quiet intel_iommu=on" ] &&
    [ -e "$r/etc/initramfs-tools/conf.d/passthru" ] && [ ! -e "$r/etc/dracut.conf.d/passthru.conf" ] &&
    grep -qx 'chose bootloader kernel-install' "$m" && grep -qx 'chose initramfs initramfs-tools' "$m" &&
    grep -qx 'chose cpu intel' "$m" && grep -qx 'chose no-iommu-pt' "$m" &&
    grep -qx 'chose allow-unsafe-interrupts' "$m"; then
    ok "install with every choice: exactly those written, each recorded (chose ...)"
else
    bad "chosen install" "rc=$rc $out $(cat "$m")"
fi
# the plain install: the same choices, said; nothing to do
rm -f "$r/etc/modprobe.d/passthru-unsafe-interrupts.conf"
: >"$r/commands.log"
out=$(setup "$r" install 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ ! -e "$drop" ] && [ "$(cat "$r/etc/kernel/cmdline")" = "root=/dev/vda1 ro quiet intel_iommu=on" ] &&
    [ ! -e "$r/etc/dracut.conf.d/passthru.conf" ] && ! grep -q '^dracut' "$r/commands.log" &&
    grep -qx 'options vfio_iommu_type1 allow_unsafe_interrupts=1' "$r/etc/modprobe.d/passthru-unsafe-interrupts.conf" &&
    echo "$out" | grep -q '^boot configuration: .*(remembered from the last install --bootloader kernel-install' &&
    echo "$out" | grep -q '^initramfs: initramfs-tools (remembered from the last install --initramfs initramfs-tools' &&
    echo "$out" | grep -q '^CPU: intel (remembered from the last install --cpu intel; --cpu auto finds it again); kernel arguments: intel_iommu=on (remembered from the last install --no-iommu-pt' &&
    echo "$out" | grep -q 'WARNING: --allow-unsafe-interrupts (remembered from the last install' &&
    grep -qx 'chose bootloader kernel-install' "$m" && grep -qx 'chose no-iommu-pt' "$m"; then
    ok "plain install after the choices: kept and said (remembered from the last install ...), not found again"
else
    bad "plain install keeps the choices" "rc=$rc $out $(cat "$m")"
fi
out=$(setup "$r" install 2>&1)
echo "$out" | grep -q 'nothing to do' && ok "plain install again: nothing to do" ||
    bad "plain install again" "$out"

# an explicit choice on a later install overrides the remembered one and is remembered instead
out=$(setup "$r" install --bootloader grub 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -e "$drop" ] && grep -qx 'chose bootloader grub' "$m" &&
    ! grep -q 'chose bootloader kernel-install' "$m" && grep -qx 'chose no-iommu-pt' "$m" &&
    ! echo "$out" | grep -q 'remembered from the last install --bootloader'; then
    ok "install --bootloader grub after --bootloader kernel-install: grub, remembered instead"
else
    bad "override" "rc=$rc $out $(cat "$m")"
fi
out=$(setup "$r" install 2>&1)
echo "$out" | grep -q '^boot configuration: GRUB.*(remembered from the last install --bootloader grub' &&
    echo "$out" | grep -q 'nothing to do' && ok "plain install after the override: the override kept" ||
    bad "override kept" "$out"
# --bootloader auto forgets it: found again (GRUB and /etc/kernel/cmdline)
out=$(setup "$r" install --bootloader auto --cpu auto 2>&1)
rc=$?
if [ $rc -eq 0 ] && ! grep -q '^chose bootloader' "$m" && ! grep -q '^chose cpu' "$m" &&
    echo "$out" | grep -q '^boot configuration: .*;' && grep -qx 'chose initramfs initramfs-tools' "$m"; then
    ok "install --bootloader auto --cpu auto: found again, forgotten; the other choices kept"
else
    bad "auto forgets" "rc=$rc $out $(cat "$m")"
fi

# the same choice given again on an installed root: nothing to do, but the record keeps it
newroot again
setup "$r" install >/dev/null 2>&1
out=$(setup "$r" install --initramfs dracut 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q 'nothing to do' && grep -qx 'chose initramfs dracut' "$m"; then
    ok "install --initramfs dracut where dracut was found: nothing to do, the choice recorded"
else
    bad "choice alone" "rc=$rc $out $(cat "$m")"
fi
out=$(setup "$r" install --initramfs dracut --dry-run 2>&1)
echo "$out" | grep -q 'nothing to do' && ok "the same choice again: nothing to do" || bad "same choice" "$out"

# uninstall forgets them: the plain install after it finds again
newroot forget
setup "$r" install --bootloader kernel-install --initramfs initramfs-tools --cpu amd >/dev/null 2>&1
out=$(setup "$r" uninstall 2>&1) || bad "forget uninstall" "$out"
out=$(setup "$r" install 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -e "$drop" ] && grep -q 'intel_iommu=on iommu=pt' "$r/etc/kernel/cmdline" &&
    [ -e "$r/etc/dracut.conf.d/passthru.conf" ] && [ ! -e "$r/etc/initramfs-tools/conf.d/passthru" ] &&
    ! grep -q '^chose ' "$m" && ! echo "$out" | grep -q remembered; then
    ok "uninstall forgets the choices: the next plain install finds (GRUB and /etc/kernel/cmdline, dracut, intel)"
else
    bad "uninstall forgets" "rc=$rc $out $(cat "$m")"
fi

# a record of an older passthru-setup (no chose lines): found, as before, and nothing to do
newroot old
setup "$r" install --bootloader kernel-install --cpu intel >/dev/null 2>&1
sed -i '/^chose /d' "$m"
out=$(setup "$r" install --dry-run 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '^+++ b/etc/default/grub.d/passthru.cfg' &&
    ! echo "$out" | grep -q remembered; then
    ok "an older record without chose lines: nothing remembered, found"
else
    bad "old record" "rc=$rc $out"
fi
out=$(setup "$r" install --bootloader kernel-install --cpu intel --dry-run 2>&1)
echo "$out" | grep -q 'nothing to do' && ok "an older record with the same flags given: nothing to do" ||
    bad "old record, flags" "$out"
# a choice this version does not know: as if none
newroot unknown
setup "$r" install --bootloader kernel-install >/dev/null 2>&1
sed -i 's/^chose bootloader .*/chose bootloader lilo/' "$m"
printf 'chose frobnicate yes\n' >>"$m"
out=$(setup "$r" install --dry-run 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '^+++ b/etc/default/grub.d/passthru.cfg'; then
    ok "a choice this version does not know (chose bootloader lilo): found"
else
    bad "unknown choice" "rc=$rc $out"
fi

# a remembered choice that no longer fits says where it came from
newroot gone
setup "$r" install --initramfs initramfs-tools >/dev/null 2>&1
rm "$r/usr/sbin/mkinitramfs"
out=$(setup "$r" install 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q -- '--initramfs initramfs-tools (remembered from the last install; --initramfs auto finds one): it is not installed' &&
    ok "a remembered generator that is gone: install fails and says it was remembered" ||
    bad "remembered gone" "rc=$rc $out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
