#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# truth.sh: every drift status reports, and "installed: reboot to apply", on a root that is its
# own --sysroot: set the drift up, run status (exit 1, the fix named), apply exactly the fix it
# names (its command, with the stand-ins; a reboot where it says reboot), run status again: the
# drift is gone, and the same fix is not named again.
# usage: tests/setup/truth.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
# The fake root and its reboot: tests/setup/fakehost.sh.
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-truth "$@"
kver=6.1.0-13-amd64

# shellcheck source=tests/setup/fakehost.sh
. "$top/tests/setup/fakehost.sh"

# setup ROOT ARGS...: passthru-setup with the stand-ins; after a rebuild, what the image holds
# of the config is kept beside the root (ROOT.imgconf) for boot
setup() {
    s=$1
    shift
    : >"$s/commands.log"
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$s \
        "$bin" "$@" --root "$s" --sysroot "$s" >"$work/out" 2>&1
    code=$?
    # GRUB: the next boot's line is grub-mkconfig's; install prints it
    if [ -f "$s.grub" ] && sed -n 's/^kernel command line now, GRUB .*): //p' "$work/out" | tail -n 1 |
        grep . >"$s.grub.new"; then
        mv "$s.grub.new" "$s.grub"
    fi
    rm -f "$s.grub.new"
    imgconf "$s"
    return $code
}

# st ROOT: status --json to $work/st.json, the text to $work/st.txt; exit code in $code
st() {
    PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$1 "$bin" status --sysroot "$1" >"$work/st.txt" 2>&1
    PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$1 "$bin" status --json --sysroot "$1" \
        >"$work/st.json" 2>"$work/st.err"
    code=$?
}
q() { jq -e "$1" "$work/st.json" >/dev/null 2>&1; }
said() { echo "exit $code: $(tail -n 3 "$work/st.txt"); drift: $(jq -c '[.drift[] | {what, fix}]' "$work/st.json" 2>&1)"; }
# the one drift of kind WHAT whose message matches RE, and its fix (in $fix)
drift_is() {
    fix=$(jq -r --arg w "$1" --arg re "$2" \
        '[.drift[] | select(.what == $w and (.message | test($re)))] | if length == 1 then .[0].fix else empty end' \
        "$work/st.json" 2>/dev/null)
    [ $code -eq 1 ] && [ -n "$fix" ]
}
# not_again FIX: status names no drift with that fix any more
not_again() { jq -e --arg f "$1" '[.drift[] | select(.fix == $f)] | length == 0' "$work/st.json" >/dev/null; }
reboot_to_apply() {
    [ $code -eq 1 ] && q '.reboot_required == true and .drift == [] and (.message | startswith("installed: reboot to apply"))' &&
        tail -n 1 "$work/st.txt" | grep -q '^installed: reboot to apply' && ! grep -q 'fix:' "$work/st.txt"
}
ready() { [ $code -eq 0 ] && q '.ready == true and .reboot_required == false and .drift == []'; }

# --- right after install, not rebooted: "installed: reboot to apply", not a drift ---
r=$(mkroot fresh 'device = 0000:00:05.0')
st "$r"
[ $code -eq 1 ] && q '.reboot_required == false' && ok "before install: not ready, no reboot said" || bad "before install" "$(said)"
setup "$r" install --cpu intel || bad "fresh install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "right after install: 'installed: reboot to apply', no drift, exit 1" || bad "after install" "$(said)"
# the IOMMU is still off (this boot lacks intel_iommu=on): its fix is the reboot, not install again
! grep -q 'install and reboot' "$work/st.txt" && grep -q '^IOMMU: not active: .*passthru-setup install has set it for the next boot: reboot$' "$work/st.txt" &&
    q '.iommu.reason | test("install has set it for the next boot: reboot$")' &&
    ok "right after install: the IOMMU line's fix is the reboot, not install again" ||
    bad "after install, IOMMU fix" "$(grep -i iommu "$work/st.txt")"
boot "$r"
st "$r"
ready && q '[.devices[] | .driver] == ["vfio-pci", "vfio-pci"]' && ok "after the reboot: ready, exit 0" || bad "after the reboot" "$(said)"
# --- a run going on now (passthru-confirm.service rebuilding, a second shell's install): the
# record's commands are not yet run, the lock is held: "changing this host right now", not an
# interrupted run with install as its fix (seen in the Ansible run: the role read status while
# the trial boot's confirm rebuilt the image)
cp -a "$r" "$work/busy"
printf 'pending boot\npending initramfs\n' >>"$work/busy/var/lib/passthru/installed"
(flock 9; sleep 8) 9<"$work/busy" &
lockpid=$!
sleep 1
st "$work/busy"
wait $lockpid
[ $code -eq 1 ] && q '.ready == false and ([.drift[].what] == ["busy"]) and (.message | test("changing this host right now"))' &&
    ! grep -q 'interrupted\|fix: passthru-setup install' "$work/st.txt" &&
    grep -q '^not ready yet: a passthru-setup install, uninstall or confirm .* is changing this host right now' "$work/st.txt" &&
    ok "a run going on now (the lock held): 'changing this host right now', not an interrupted run" ||
    bad "busy" "$(said)"
st "$work/busy"
drift_is interrupted 'did not all run' && [ "$fix" = "passthru-setup install (it runs them again), then reboot" ] &&
    ok "... once it ended with its commands not run: the interrupted run, its fix install" || bad "busy, then ended" "$(said)"
rm -rf "${work:?}/busy"
cp -a "$r" "$work/installed" && cp "$r.imgconf" "$work/installed.imgconf" && mkdir -p "$work/installed.iommu"
# installed ROOT: a fresh copy of the installed and rebooted root
installed() {
    rm -rf "${work:?}/$1" "$work/$1.iommu"
    cp -a "$work/installed" "$work/$1" && cp "$work/installed.imgconf" "$work/$1.imgconf" &&
        mkdir -p "$work/$1.iommu" && echo "$work/$1"
}

# --- a hand edit of the config: its fix is install, then reboot; after the install (before the
# reboot) status says reboot to apply, not install again ---
r=$(installed edit)
echo 'driver = pci-stub' >>"$r/etc/passthru.conf"
st "$r"
drift_is config 'passthru.conf changed since the initramfs was built' && [ "$fix" = "passthru-setup install, then reboot" ] &&
    ok "config edited by hand: drift, fix: $fix" || bad "config edit" "$(said)"
setup "$r" install || bad "edit install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && not_again "passthru-setup install, then reboot" &&
    ok "config edited, install run: 'installed: reboot to apply', install not asked again" || bad "edit, installed" "$(said)"
boot "$r"
st "$r"
ready && q '[.devices[] | .driver] == ["pci-stub", "pci-stub"]' && ok "config edited, install, reboot: ready, the edit applied" ||
    bad "edit rebooted" "$(said)"

# --- a config edited into an error: install refuses it, so the drift's fix starts with the
# error (named with its line above it), not with install ---
r=$(installed badconf)
printf 'devcie = 0000:00:06.0\n' >>"$r/etc/passthru.conf"
st "$r"
drift_is config 'passthru.conf changed since the initramfs was built' &&
    [ "$fix" = "fix the errors in /etc/passthru.conf (each names its line), then passthru-setup install, then reboot" ] &&
    grep -q "^error: /etc/passthru.conf:2: unknown key 'devcie'" "$work/st.txt" &&
    ok "config edited into an error: drift, fix: the error first, then install" || bad "badconf" "$(said)"
sed -i '/^devcie/d' "$r/etc/passthru.conf"
setup "$r" install || bad "badconf install" "$(cat "$work/out")"
boot "$r"
st "$r"
ready && ok "config error fixed, install, reboot: ready" || bad "badconf rebooted" "$(said)"

# --- the config taken away: install, then reboot; after it nothing is claimed, not a drift ---
r=$(installed noconf)
rm "$r/etc/passthru.conf"
st "$r"
drift_is config 'passthru.conf is gone now' && ok "config removed: drift, fix: $fix" || bad "config gone" "$(said)"
setup "$r" install || bad "noconf install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "config removed, install run: reboot to apply" || bad "noconf installed" "$(said)"
boot "$r"
st "$r"
ready && q '.message | test("no device configured yet")' && ok "config removed, install, reboot: no drift, says to add a device" ||
    bad "noconf rebooted" "$(said)"

# --- a hand edit of the next boot's command line: install; with a reboot in between, install,
# then reboot ---
r=$(installed kcmd)
sed -i 's/ iommu=pt//' "$r/etc/kernel/cmdline"
st "$r"
drift_is cmdline "next boot.s command line from /etc/kernel/cmdline.* lacks iommu=pt" && [ "$fix" = "passthru-setup install" ] &&
    ok "next boot's command line edited: drift, fix: $fix" || bad "kcmd" "$(said)"
setup "$r" install || bad "kcmd install" "$(cat "$work/out")"
st "$r"
ready && ok "next boot's command line edited, install: ready (this boot had them)" || bad "kcmd installed" "$(said)"
# install said so too: its last line agrees with status (and with --json's reboot_required)
tail -n 1 "$work/out" | grep -q '^installed: no reboot needed (this boot already runs it' &&
    ok "next boot's command line edited, install: 'no reboot needed', not 'reboot to apply'" ||
    bad "kcmd install said" "$(tail -n 2 "$work/out")"
sed -i 's/ iommu=pt//' "$r/etc/kernel/cmdline"
boot "$r"
st "$r"
drift_is cmdline "running kernel.s command line lacks iommu=pt" && [ "$fix" = "passthru-setup install, then reboot" ] &&
    drift_is cmdline "next boot.s command line from /etc/kernel/cmdline.* lacks iommu=pt" &&
    ok "edited and rebooted: both drifts, fix: install (then reboot)" || bad "kcmd rebooted" "$(said)"
setup "$r" install || bad "kcmd install 2" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "edited, rebooted, install: reboot to apply" || bad "kcmd installed 2" "$(said)"
boot "$r"
st "$r"
ready && ok "edited, rebooted, install, reboot: ready" || bad "kcmd rebooted 2" "$(said)"
# a contradicting word added to the next boot's command line
echo "$(cat "$r/etc/kernel/cmdline") iommu=off" >"$r/etc/kernel/cmdline"
st "$r"
drift_is cmdline "next boot.s command line from /etc/kernel/cmdline.* carries iommu=off" && [ "$fix" = "passthru-setup install" ] &&
    ok "iommu=off added to the next boot's command line: drift, fix: $fix" || bad "kcmd contra" "$(said)"
setup "$r" install || bad "kcmd contra install" "$(cat "$work/out")"
st "$r"
ready && ! grep -q iommu=off "$r/etc/kernel/cmdline" && ok "iommu=off added, install: gone, ready" || bad "kcmd contra installed" "$(said)"

# --- this boot's command line edited at the boot menu (the files are current): the fix is to
# boot the default entry, not install ---
r=$(installed menu)
sed -i 's/$/ intel_iommu=off/' "$r/proc/cmdline"
st "$r"
drift_is cmdline "running kernel.s command line carries intel_iommu=off" && echo "$fix" | grep -q '^reboot into the default boot entry' &&
    ok "booted with intel_iommu=off typed at the menu: drift, fix: reboot into the default entry" || bad "menu" "$(said)"
boot "$r"
st "$r"
ready && ok "menu edit, then a plain reboot: ready" || bad "menu rebooted" "$(said)"
# intel_iommu=on taken out at the menu, the IOMMU off this boot: the IOMMU line's fix (and each
# refusal's) is the default entry too, not the install the drift says has nothing to change
r=$(installed menu2)
sed -i 's/ *intel_iommu=on//' "$r/proc/cmdline"
mv "$r/sys/class/iommu" "$r.iommu/iommu" && mv "$r/sys/kernel/iommu_groups" "$r.iommu/iommu_groups"
st "$r"
drift_is cmdline "running kernel.s command line lacks intel_iommu=on" && echo "$fix" | grep -q '^reboot into the default boot entry' &&
    ! grep -q 'install and reboot' "$work/st.txt" &&
    grep -q '^IOMMU: not active: .*install wrote has it: reboot into the default boot entry$' "$work/st.txt" &&
    ok "booted without intel_iommu=on from the menu: every fix is the default entry, none is install" ||
    bad "menu2" "$(said) $(grep -i -e iommu -e refused "$work/st.txt")"
boot "$r"
st "$r"
ready && ok "intel_iommu=on taken out at the menu, then a plain reboot: ready" || bad "menu2 rebooted" "$(said)"

# --- a kernel installed whose image lacks passthru: install rebuilds it, then reboot ---
r=$(installed kernel)
mkdir -p "$r/usr/lib/modules/6.1.0-14-amd64"
echo usr/bin/busybox >"$r/boot/initrd.img-6.1.0-14-amd64"
st "$r"
drift_is initramfs 'kernel 6.1.0-14-amd64 does not hold passthru-claim' && [ "$fix" = "passthru-setup install, then reboot" ] &&
    ok "a kernel whose image lacks passthru: drift, fix: $fix" || bad "kernel" "$(said)"
setup "$r" install || bad "kernel install" "$(cat "$work/out")"
st "$r"
grep -qx usr/lib/passthru/passthru-claim "$r/boot/initrd.img-6.1.0-14-amd64" && not_again "passthru-setup install, then reboot" &&
    { ready || reboot_to_apply; } && ok "a kernel whose image lacked passthru, install: rebuilt, no drift" || bad "kernel installed" "$(said) $(cat "$work/out")"
boot "$r"
st "$r"
ready && ok "a kernel whose image lacked passthru, install, reboot: ready" || bad "kernel rebooted" "$(said)"

# --- a swapped card: install records it (the config names its address) ---
r=$(installed swap)
echo 0x10de >"$r/sys/bus/pci/devices/0000:00:05.0/vendor"
echo 0x2204 >"$r/sys/bus/pci/devices/0000:00:05.0/device"
boot "$r"
st "$r"
drift_is device '0000:00:05.0 was 1234:1111 at install and is 10de:2204 now' &&
    echo "$fix" | grep -q 'passthru-setup install (it records that card)' && echo "$fix" | grep -q 'change the device line naming 0000:00:05.0' &&
    ok "a swapped card: drift, the fix says what to edit and that install records the card" || bad "swap" "$(said)"
setup "$r" install || bad "swap install" "$(cat "$work/out")"
grep -q 'notes the configured cards as they are now: 0000:00:05.0 10de:2204' "$work/out" &&
    ok "a swapped card, install: says it records the card" || bad "swap install says" "$(cat "$work/out")"
st "$r"
ready && ok "a swapped card, install: the drift is gone, ready" || bad "swap installed" "$(said)"
setup "$r" install
grep -q '^nothing to do: passthru is installed and up to date$' "$work/out" && ok "a swapped card recorded: install again has nothing to do" ||
    bad "swap install again" "$(cat "$work/out")"

# --- the card gone from its address: edit the config (take the line out), install, reboot ---
r=$(installed gone)
rm -rf "$r/sys/bus/pci/devices/0000:00:05.0" "$r/sys/bus/pci/devices/0000:00:05.1" \
    "$r/sys/devices/pci0000:00/0000:00:05.0" "$r/sys/devices/pci0000:00/0000:00:05.1"
find "$r/sys/kernel/iommu_groups" -name '0000:00:05.*' -exec rm -f {} +
boot "$r"
st "$r"
drift_is device '0000:00:05.0 was 1234:1111 at install; there is no device at that address now' &&
    echo "$fix" | grep -q '^edit /etc/passthru.conf: change the device line naming 0000:00:05.0 .*or take it out; then passthru-setup install$' &&
    ok "a card gone: drift, fix: edit the config, then install" || bad "gone" "$(said)"
sed -i '/^device = 0000:00:05.0$/d' "$r/etc/passthru.conf"
setup "$r" install || bad "gone install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "a card gone, its line taken out, install: reboot to apply, no device drift" || bad "gone installed" "$(said)"
boot "$r"
st "$r"
ready && ok "a card gone, its line out, install, reboot: no drift" || bad "gone rebooted" "$(said)"

# --- GRUB (Debian's drop-in): right after install, and a hand edit of the config plus its install ---
r=$(mkroot grub 'device = 0000:00:05.0' grub)
setup "$r" install --cpu intel || bad "grub install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "GRUB: right after install: reboot to apply" || bad "grub installed" "$(said)"
boot "$r"
st "$r"
ready && grep -q 'intel_iommu=on iommu=pt' "$r/proc/cmdline" && ok "GRUB: after the reboot: ready" || bad "grub rebooted" "$(said)"
echo 'driver = pci-stub' >>"$r/etc/passthru.conf"
st "$r"
drift_is config 'passthru.conf changed' && [ "$fix" = "passthru-setup install, then reboot" ] && ok "GRUB: config edited: drift, fix: $fix" ||
    bad "grub edit" "$(said)"
setup "$r" install || bad "grub edit install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "GRUB: config edited, install: reboot to apply" || bad "grub edit installed" "$(said)"
boot "$r"
st "$r"
ready && q '[.devices[] | .driver] == ["pci-stub", "pci-stub"]' && ok "GRUB: config edited, install, reboot: ready" || bad "grub edit rebooted" "$(said)"

# --- the IOMMU first: install with no device, reboot, then the device ---
r=$(mkroot iommu)
st "$r"
[ $code -eq 1 ] && q '.message | test("IOMMU not active")' && ok "IOMMU first, before install: IOMMU not active, exit 1" || bad "iommu before" "$(said)"
setup "$r" install --cpu intel || bad "iommu install" "$(cat "$work/out")"
st "$r"
reboot_to_apply && q '.message | test("add .device = ...")' && ok "IOMMU first, install with no device: reboot to apply, then add a device" ||
    bad "iommu installed" "$(said)"
boot "$r"
st "$r"
ready && q '.iommu.active == true and (.message | test("no device configured yet.*add .device = "))' &&
    ok "IOMMU first, rebooted: no drift, exit 0, says to add a device" || bad "iommu rebooted" "$(said) $(cat "$work/st.txt")"
setup "$r" install --device 0000:00:05.0 || bad "iommu install --device" "$(cat "$work/out")"
st "$r"
reboot_to_apply && ok "IOMMU first, install --device: reboot to apply" || bad "iommu device installed" "$(said)"
boot "$r"
st "$r"
ready && q '[.devices[] | .driver] == ["vfio-pci", "vfio-pci"]' && ok "IOMMU first, the device, reboot: ready" || bad "iommu device rebooted" "$(said)"

# --- a trial pending, this boot not the trial's (the IOMMU off): no fix says install, which
# would make the untried arguments permanent ---
r=$(mkroot trialg 'device = 0000:00:05.0' grub)
grub_linux "$r"
setup "$r" install --trial --cpu intel || bad "trialg install --trial" "$(cat "$work/out")"
st "$r"
[ $code -eq 1 ] && q '.message | test("^not ready: a trial")' && ! grep -q 'install and reboot' "$work/st.txt" &&
    grep -q '^IOMMU: not active: .*the trial boot has it: reboot into the trial (below), or passthru-setup uninstall to drop the trial$' "$work/st.txt" &&
    ok "trial pending, not the trial boot: the IOMMU's fix is the trial boot, not install" ||
    bad "trialg" "$(said) $(grep -i -e iommu -e refused "$work/st.txt")"
# the trial dropped before its boot: the next boot is this one, and uninstall says so (as
# --json's reboot_required does)
setup "$r" uninstall
[ $code -eq 0 ] && tail -n 1 "$work/out" | grep -q '^uninstalled: no reboot needed (this boot does not run passthru' &&
    ok "trial pending, uninstall before its boot: 'uninstalled: no reboot needed'" ||
    bad "trialg uninstall" "exit $code: $(tail -n 2 "$work/out")"

# --- systemd-boot: install --trial, the trial boot, confirm: confirm's last line says what
# status says (this boot runs it: no reboot), not "installed: reboot to apply" ---
r=$(mkroot trialk 'device = 0000:00:05.0' bls)
setup "$r" install --trial --cpu intel || bad "trialk install --trial" "$(cat "$work/out")"
boot "$r"
setup "$r" confirm || bad "trialk confirm" "$(cat "$work/out")"
said_confirm=$(tail -n 1 "$work/out")
st "$r"
[ "$said_confirm" = "confirmed: permanent from now on, as this trial boot runs it (no reboot needed)" ] && ready &&
    ok "trial boot, confirm: 'confirmed ... no reboot needed', and status is ready" ||
    bad "trialk confirm said" "$said_confirm; $(said)"

# --- uninstall after a booted install, before the reboot: this boot still claims, and uninstall
# says to reboot; status is ready for this boot, but says the record is gone and what follows ---
r=$(installed unin)
setup "$r" uninstall
[ $code -eq 0 ] && tail -n 1 "$work/out" | grep -q '^uninstalled: reboot to apply$' &&
    ok "uninstall after a booted install: 'uninstalled: reboot to apply'" || bad "unin uninstall" "exit $code: $(tail -n 2 "$work/out")"
st "$r"
ready && q '.message | test("; but there is no install record [(]/var/lib/passthru/installed[)]: if passthru-setup uninstall ran since this boot started, the next boot claims nothing")' &&
    tail -n 1 "$work/st.txt" | grep -q 'no install record' &&
    ok "uninstalled, not rebooted: status ready for this boot, and says the next boot claims nothing" || bad "unin status" "$(said)"

# --- the install record deleted by hand (GRUB): uninstall does not say "nothing to do" over
# passthru's own files; install takes them into a new record, and uninstall then removes them
# and the arguments ---
r=$(mkroot norecord 'device = 0000:00:05.0' grub)
setup "$r" install --cpu intel || bad "norecord install" "$(cat "$work/out")"
rm "$r/var/lib/passthru/installed"
setup "$r" uninstall
[ $code -eq 1 ] && ! grep -q 'nothing to do' "$work/out" &&
    grep -q 'no install record (/var/lib/passthru/installed), but passthru.s own files are here: /etc/default/grub.d/passthru.cfg, /etc/initramfs-tools/conf.d/passthru; run passthru-setup install' "$work/out" &&
    [ -f "$r/etc/default/grub.d/passthru.cfg" ] && ok "record deleted: uninstall names passthru's files and the fix, exit 1" ||
    bad "norecord uninstall" "exit $code: $(cat "$work/out")"
setup "$r" install || bad "norecord install again" "$(cat "$work/out")"
grep -q '^args intel_iommu=on iommu=pt$' "$r/var/lib/passthru/installed" &&
    grep -q '^created /etc/default/grub.d/passthru.cfg ' "$r/var/lib/passthru/installed" &&
    ok "record deleted, install: passthru's files and arguments in the new record" ||
    bad "norecord record" "$(cat "$r/var/lib/passthru/installed" 2>&1)"
setup "$r" uninstall
[ $code -eq 0 ] && [ ! -e "$r/etc/default/grub.d/passthru.cfg" ] && [ ! -e "$r/etc/initramfs-tools/conf.d/passthru" ] &&
    ! grep -q 'intel_iommu=on' "$r.grub" && grep -q '^uninstalled' "$work/out" &&
    ok "record deleted, install, uninstall: the drop-in and the arguments gone, 'uninstalled' true" ||
    bad "norecord uninstalled" "exit $code: $(cat "$work/out")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
