#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# trial.sh: install --trial and confirm on temporary roots (--root) and captured trees
# (--sysroot), never on this machine's /etc or /boot.
# usage: tests/setup/trial.sh SETUP_BIN CLAIM_BIN  (make check-setup; plain or ASan builds)
# Stand-ins (tests/setup/bin): update-grub, dracut, systemctl record what ran; grub-reboot and
# grub-editenv edit the root's /boot/grub/grubenv with the real grub-editenv; grub-probe says
# what $PASSTHRU_TEST_GRUB_ABSTRACTION and $PASSTHRU_TEST_GRUB_FS tell it.
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-trial "$@"

# sysroot NAME READY TRIAL: a captured host view (intel-gpu-hda) with the config; READY yes:
# the GPU and its audio on vfio-pci and a boot status document; TRIAL yes: the marker on the
# command line
sysroot() {
    s=$work/$1
    rm -rf "$s"
    mkdir -p "$s/etc"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$s"
    printf 'device = 0000:00:05.0\n' >"$s/etc/passthru.conf"
    if [ "$2" = yes ]; then
        for d in 0000:00:05.0 0000:00:05.1; do
            ln -sfn ../../../bus/pci/drivers/vfio-pci "$s/sys/bus/pci/devices/$d/driver"
        done
        mkdir -p "$s/run/passthru"
        "$claim" --sysroot "$s" --dry-run --json >"$s/run/passthru/status.json"
    fi
    if [ "$3" = yes ]; then
        printf '%s rd.passthru.trial=1\n' "$(cat "$s/proc/cmdline")" >"$s/proc/cmdline.new"
        mv "$s/proc/cmdline.new" "$s/proc/cmdline"
    fi
}

# setup ROOT SYSROOT ARGS...: passthru-setup with stand-ins, commands allowed inside the root
setup() {
    r=$1 s=$2
    shift 2
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
        "$bin" "$@" --root "$r" --sysroot "$s"
}

# newroot NAME: a Debian GRUB root with dracut, the claimer, a grubenv as grub-install left it
newroot() {
    r=$work/$1
    rm -rf "$r" "$r.units"
    mkdir -p "$r/etc/default" "$r/etc/grub.d" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru" \
        "$r/boot/grub"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    mkdir -p "$r/usr/lib/dracut/modules.d/90passthru"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
    cp "$here/corpus/${2:-debian-default}.grub" "$r/etc/default/grub"
    : >"$r/usr/sbin/update-grub"
    /usr/bin/grub-editenv "$r/boot/grub/grubenv" create
    grub_linux "$r"
}

# hooks ROOT GEN: passthru's hook files of initramfs-tools or mkinitcpio where make install puts
# them (the Makefile's INITRAMFSTOOLSDIR, INITCPIODIR)
hooks() {
    case $2 in
    initramfs-tools) d=/usr/share/initramfs-tools fs="hooks/passthru scripts/init-top/passthru" ;;
    *) d=/usr/lib/initcpio fs="install/passthru hooks/passthru" ;;
    esac
    for f in $fs; do
        mkdir -p "$(dirname "$1$d/$f")"
        cp "$top/$2/$f" "$1$d/$f"
    done
}

ready=$work/sys-ready-trial
sysroot sys-ready-trial yes yes
sysroot sys-ready-plain yes no
sysroot sys-notready-trial no yes
plainsys=$work/sys-plain
sysroot sys-plain no no

# --- passthru-claim: the mark in the image keeps every boot but the trial boot claim-free
s=$work/sys-claim
sysroot sys-claim no no
printf 'trial pending\n' >"$s/etc/passthru.trial"
out=$("$claim" --sysroot "$s" --dry-run --json)
echo "$out" | jq -e '.trial_pending == true and (.devices | length) == 0' >/dev/null &&
    ok "claim: trial pending, no marker on the command line: nothing touched" ||
    bad "claim untried" "$out"
printf 'quiet rd.passthru.trial=1\n' >"$work/trial.cmdline"
out=$("$claim" --sysroot "$s" --cmdline "$work/trial.cmdline" --dry-run --json)
echo "$out" | jq -e '.trial_pending == null and ([.devices[] | select(.state == "planned")] |
    length) == 2' >/dev/null && ok "claim: the trial boot (rd.passthru.trial=1) claims" ||
    bad "claim trial" "$out"
rm "$s/etc/passthru.trial"
out=$("$claim" --sysroot "$s" --dry-run --json)
echo "$out" | jq -e '.trial_pending == null and (.devices | length) == 2' >/dev/null &&
    ok "claim: no trial pending: claims on every boot" || bad "claim plain" "$out"

# --- the trial script itself: 10_linux's newest entry, retitled, with the arguments
newroot script
r=$work/script
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1) || bad "install --trial" "$out"
fake_10_linux >"$work/10_linux" && chmod 755 "$work/10_linux"
sed "s|/etc/grub.d/10_linux|$work/10_linux|g" "$r/etc/grub.d/42_passthru_trial" >"$work/42.sh"
[ -x "$r/etc/grub.d/42_passthru_trial" ] && ok "trial script is executable (grub-mkconfig runs it)" ||
    bad "trial script mode" "$(ls -l "$r/etc/grub.d/42_passthru_trial")"
gen=$(GRUB_CMDLINE_LINUX='quiet "a b"' GRUB_CMDLINE_LINUX_DEFAULT=splash sh "$work/42.sh")
want="menuentry 'passthru trial' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option 'passthru-trial-simple-1234-abcd' {"
[ "$(echo "$gen" | head -n1)" = "$want" ] &&
    echo "$gen" | grep -q 'linux	/boot/vmlinuz-6.1.0-13-amd64 root=UUID=1234-abcd ro quiet "a b" intel_iommu=on iommu=pt rd.passthru.trial=1 splash$' &&
    [ "$(echo "$gen" | grep -c '^menuentry')" = 1 ] && [ "$(echo "$gen" | tail -n1)" = "}" ] &&
    ! echo "$gen" | grep -q 'submenu\|gnulinux' &&
    ok "trial script: one entry 'passthru trial', own id, the arguments and the marker" ||
    bad "trial script" "$gen"

# --- install --trial: the entry, the mark, the one-time choice, the service; no drop-in
newroot trial
r=$work/trial
cp -a "$r" "$r.pristine"
before=$(snapshot "$r")
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
rc=$?
log=$(cat "$r/commands.log")
if [ $rc -eq 0 ] && [ ! -e "$r/etc/default/grub.d/passthru.cfg" ] &&
    [ -f "$r/etc/passthru.trial" ] && grep -q 'intel_iommu=on iommu=pt rd.passthru.trial=1' \
        "$r/etc/grub.d/42_passthru_trial" &&
    /usr/bin/grub-editenv "$r/boot/grub/grubenv" list | grep -qx 'next_entry=passthru trial' &&
    grep -qx 'passthru-confirm.service' "$r.units" &&
    echo "$log" | grep -q '^update-grub' && echo "$log" | grep -q '^dracut -f --regenerate-all' &&
    echo "$out" | grep -q "trial boot .*: .*intel_iommu=on iommu=pt rd.passthru.trial=1" &&
    echo "$out" | grep -q 'trial installed'; then
    ok "install --trial: entry, mark, grubenv next_entry, service enabled, no permanent drop-in"
else
    bad "install --trial" "rc=$rc $out $log"
fi
# every later boot: the default entry is as before (mkconfig sees no passthru argument)
lx=$(cd "$r" && sh -c 'for x in ./etc/default/grub ./etc/default/grub.d/*.cfg; do
        if [ -e "$x" ]; then . "$x"; fi; done; echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"')
case " $lx " in *intel_iommu=on*) bad "install --trial" "default entry has the args: $lx" ;;
*) ok "install --trial: the default entry's command line is unchanged ($lx)" ;; esac
# again: arms the trial again (grub-reboot runs again), nothing else changes
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=
once=$(snapshot "$r" | grep -v grubenv)
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
[ $? -eq 0 ] && [ "$(snapshot "$r" | grep -v grubenv)" = "$once" ] &&
    /usr/bin/grub-editenv "$r/boot/grub/grubenv" list | grep -qx 'next_entry=passthru trial' &&
    ok "install --trial again: the one-time choice again, no file changed" ||
    bad "install --trial again" "$out"

# --- uninstall of a trial never confirmed (after the trial boot cleared next_entry): byte exact
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=
out=$(setup "$r" "$plainsys" uninstall 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(snapshot "$r")" = "$before" ] && ! grep -q . "$r.units" &&
    diff -r -x commands.log "$r" "$r.pristine" >/dev/null; then
    ok "uninstall of an unconfirmed trial: every file as before, byte for byte; service disabled"
else
    bad "uninstall trial" "rc=$rc $out $(diff -r "$r" "$r.pristine")"
fi

# --- a GRUB host without /boot/grub/grubenv (grub-install makes it; a host may lack it):
# grub-reboot cannot choose the trial there, so install --trial makes the block first, as
# grub-editenv create does, and uninstall of the unconfirmed trial takes it away again
newroot noenv
r=$work/noenv
rm "$r/boot/grub/grubenv"
/usr/bin/grub-editenv "$work/grubenv.created" create
cp -a "$r" "$r.pristine"
before=$(snapshot "$r")
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
rc=$?
if [ $rc -eq 0 ] && ! echo "$out" | grep -q 'canonical path' &&
    /usr/bin/grub-editenv "$r/boot/grub/grubenv" list | grep -qx 'next_entry=passthru trial' &&
    grep -q '^created /boot/grub/grubenv ' "$r/var/lib/passthru/installed" &&
    echo "$out" | grep -q 'trial installed'; then
    ok "install --trial, no grubenv: made as grub-editenv create makes it, next_entry chosen"
else
    bad "install --trial no grubenv" "rc=$rc $out $(cat "$r/var/lib/passthru/installed")"
fi
/usr/bin/grub-editenv "$r/boot/grub/grubenv" unset next_entry
cmp -s "$r/boot/grub/grubenv" "$work/grubenv.created" &&
    ok "install --trial, no grubenv: the block is grub-editenv create's, byte for byte" ||
    bad "grubenv block" "$(od -c "$r/boot/grub/grubenv" | head -n 3)"
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=	# GRUB did at the trial boot
out=$(setup "$r" "$plainsys" uninstall 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(snapshot "$r")" = "$before" ] &&
    diff -r -x commands.log "$r" "$r.pristine" >/dev/null &&
    ! grep -q '^grub-editenv.*unset' "$r/commands.log"; then
    ok "install --trial, no grubenv, uninstall unconfirmed: the block goes, every file as before"
else
    bad "uninstall trial no grubenv" "rc=$rc $out $(diff -r "$r" "$r.pristine")"
fi
# with the user's own variable saved in it since (grub-set-default): the block stays
setup "$r" "$plainsys" install --trial --cpu intel >/dev/null 2>&1 || bad "noenv again" ""
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set saved_entry=1
out=$(setup "$r" "$plainsys" uninstall 2>&1)
[ $? -eq 0 ] && /usr/bin/grub-editenv "$r/boot/grub/grubenv" list | grep -qx 'saved_entry=1' &&
    ! /usr/bin/grub-editenv "$r/boot/grub/grubenv" list | grep -q next_entry &&
    ok "install --trial, no grubenv, a variable saved since: uninstall keeps the block" ||
    bad "uninstall keeps used grubenv" "$out"
# install --trial, confirm, uninstall: the block passthru made goes too
newroot noenv2
r=$work/noenv2
rm "$r/boot/grub/grubenv"
before=$(snapshot "$r")
setup "$r" "$plainsys" install --trial --cpu intel >/dev/null 2>&1 || bad "noenv2 install" ""
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=
out=$(setup "$r" "$ready" confirm 2>&1) || bad "noenv2 confirm" "$out"
[ -f "$r/boot/grub/grubenv" ] &&
    ok "install --trial, no grubenv, confirm: the block stays (confirm's grub-editenv uses it)" ||
    bad "noenv2 confirm grubenv" "$out"
out=$(setup "$r" "$plainsys" uninstall 2>&1)
[ $? -eq 0 ] && [ "$(snapshot "$r")" = "$before" ] &&
    ok "install --trial, no grubenv, confirm, uninstall: every file as before install --trial" ||
    bad "noenv2 uninstall" "$out $(snapshot "$r")"

# --- refusals: grubenv where GRUB cannot write it; another boot configuration
for case in "lvm ext2" "diskfilter mdraid1x ext2" "cryptodisk luks ext2" " btrfs" " xfs"; do
    newroot refuse
    r=$work/refuse
    before=$(snapshot "$r")
    set -- $case
    if [ $# -eq 2 ]; then a=$1 fs=$2; elif [ $# -eq 3 ]; then a="$1 $2" fs=$3; else a="" fs=$1; fi
    out=$(PASSTHRU_TEST_GRUB_ABSTRACTION=$a PASSTHRU_TEST_GRUB_FS=$fs \
        setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
    rc=$?
    [ $rc -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] &&
        echo "$out" | grep -q "install --trial refused: .*/boot/grub .* ${a:-$fs}" &&
        ! grep -q 'update-grub\|grub-reboot\|dracut' "$r/commands.log" &&
        ok "install --trial refused, nothing changed: /boot/grub on ${a:+$a, }$fs" ||
        bad "refuse $case" "rc=$rc $out"
done
# the plan names the boot configuration, but --trial edits none of it; a failed command's
# advice keeps --trial (a plain install would make passthru permanent, untried)
newroot failcmd
r=$work/failcmd
out=$(PASSTHRU_TEST_FAIL_CMD=update-grub setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'a command failed: .*run passthru-setup install --trial again' &&
    echo "$out" | grep -q '^boot configuration: GRUB .*(--trial: not edited; a one-time trial entry' &&
    ok "install --trial, update-grub fails: exit 1, the advice says install --trial again" ||
    bad "trial failed command" "$out"
# --trial --dry-run: writes nothing, runs nothing, lists every file and every command
newroot dry
r=$work/dry
before=$(snapshot "$r")
out=$(setup "$r" "$plainsys" install --trial --cpu intel --dry-run 2>&1)
rc=$?
ran=$(grep -v '^grub-probe' "$r/commands.log" 2>/dev/null)
[ $rc -eq 0 ] && [ "$(snapshot "$r")" = "$before" ] && [ -z "$ran" ] &&
    [ "$(echo "$out" | grep -c '^+++ b/etc/grub.d/42_passthru_trial$\|^+++ b/etc/passthru.trial$\|^+++ b/etc/dracut.conf.d/passthru.conf$\|^+++ b/var/lib/passthru/installed$')" = 4 ] &&
    echo "$out" | grep -qx 'would run: update-grub' &&
    echo "$out" | grep -qx 'would run: grub-reboot passthru trial' &&
    echo "$out" | grep -qx 'would run: systemctl enable passthru-confirm.service' &&
    echo "$out" | grep -qx 'would run: dracut -f --regenerate-all' &&
    ok "install --trial --dry-run: nothing written or run; every file and command listed" ||
    bad "trial dry-run" "rc=$rc $out $ran"
# the one-time tool missing: refused before anything changes, naming the tool; part-bin has
# the stand-ins and this machine's own tools less those two (a build host may have systemd-boot)
mkdir -p "$work/part-bin"
for tool in "$here"/bin/* /usr/bin/* /bin/*; do
    case ${tool##*/} in grub-reboot|bootctl) ;; *)
        [ -e "$work/part-bin/${tool##*/}" ] || ln -s "$tool" "$work/part-bin/" ;;
    esac
done
newroot notool
r=$work/notool
before=$(snapshot "$r")
out=$(PATH=$work/part-bin PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
    "$bin" install --trial --cpu intel --root "$r" --sysroot "$plainsys" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'install --trial refused: grub-reboot is not installed' &&
    [ "$(snapshot "$r")" = "$before" ] &&
    ok "install --trial without grub-reboot: refused, names it, nothing changed" ||
    bad "trial no grub-reboot" "$out $(snapshot "$r")"
out=$(PATH=$work/part-bin PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
    "$bin" install --trial --cpu intel --dry-run --root "$r" --sysroot "$plainsys" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'install --trial refused: grub-reboot is not installed' &&
    ! echo "$out" | grep -q 'would run' && [ "$(snapshot "$r")" = "$before" ] &&
    ok "install --trial --dry-run without grub-reboot: says the install would be refused" ||
    bad "trial dry-run no grub-reboot" "$out"
# --root (no command runs): the list is complete, and its advice keeps --trial
newroot rootonly
r=$work/rootonly
out=$(PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$r "$bin" install --trial --cpu intel --root "$r" \
    --sysroot "$plainsys" 2>&1)
rc=$?
ran=$(grep 'reboot\|update-grub\|dracut\|systemctl' "$r/commands.log" 2>/dev/null)
[ $rc -eq 0 ] && [ -z "$ran" ] && echo "$out" | grep -qx "  update-grub" && echo "$out" | grep -qx "  grub-reboot 'passthru trial'" &&
    echo "$out" | grep -qx "  systemctl enable passthru-confirm.service" &&
    echo "$out" | grep -qx "  dracut -f --regenerate-all" &&
    echo "$out" | grep -q '(install --trial inside the image runs them too)' &&
    ok "install --trial --root: every command listed, nothing run, the advice says install --trial" ||
    bad "trial --root" "$out"
# --no-initramfs: the one-time choice is armed, so the rebuild must run before the reboot
newroot noinit
r=$work/noinit
out=$(setup "$r" "$plainsys" install --trial --cpu intel --no-initramfs 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -qx '  dracut -f --regenerate-all' &&
    echo "$out" | grep -q 'run it before you reboot (the next boot is the trial' &&
    ! grep -q '^dracut' "$r/commands.log" &&
    ok "install --trial --no-initramfs: the rebuild is listed, to run before the trial boot" ||
    bad "trial --no-initramfs" "$out"
# a plain install while a trial is pending ends the trial: it says so
newroot overtrial
r=$work/overtrial
setup "$r" "$plainsys" install --trial --cpu intel >/dev/null 2>&1 || bad "overtrial --trial" ""
out=$(setup "$r" "$plainsys" install --cpu intel 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q 'a trial (install --trial) is pending: this install ends it' &&
    [ -e "$r/etc/default/grub.d/passthru.cfg" ] && [ ! -e "$r/etc/passthru.trial" ] &&
    ok "install over a pending trial: it says the trial ends and every boot gets passthru, untried" ||
    bad "install over trial" "$out"
# a CPU that needs no argument (POWER, arm64): no boot entry to copy; the refusal says so
newroot other
r=$work/other
before=$(snapshot "$r")
out=$(setup "$r" "$plainsys" install --trial --cpu other 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'install --trial is not supported here: this CPU (other) needs no kernel argument' &&
    ! echo "$out" | grep -q 'give --bootloader' && [ "$(snapshot "$r")" = "$before" ] &&
    ok "install --trial, a CPU that needs no argument: refused, says why (not 'give --bootloader')" ||
    bad "trial other cpu" "$out"
"$bin" uninstall --trial >/dev/null 2>&1
[ $? -eq 2 ] && ok "--trial on uninstall: usage error" || bad "--trial usage" ""

# --- confirm: refused off the trial boot, refused when not ready; then a plain install's state
newroot conf
r=$work/conf
setup "$r" "$plainsys" install --trial --cpu intel >/dev/null 2>&1 || bad "conf install" ""
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=	# GRUB did at the trial boot
mid=$(snapshot "$r")
out=$(setup "$r" "$work/sys-ready-plain" confirm 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'not the trial boot' && [ "$(snapshot "$r")" = "$mid" ] &&
    ok "confirm on a boot without rd.passthru.trial=1: refused, nothing changed" ||
    bad "confirm not trial" "$out"
out=$(setup "$r" "$work/sys-notready-trial" confirm 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'not ready' && echo "$out" | grep -q 'passthru-claim did not run' &&
    [ "$(snapshot "$r")" = "$mid" ] && grep -qx passthru-confirm.service "$r.units" &&
    ok "confirm on a trial boot whose status is not ready: refused, says why, nothing changed" ||
    bad "confirm not ready" "$out"
# the journal's order (stdout a pipe, as under systemd): the report, then "see above"
out=$(setup "$r" "$work/sys-notready-trial" confirm 2>&1 | cat)
report=$(echo "$out" | grep -n 'passthru-claim did not run' | head -n 1 | cut -d: -f1)
why=$(echo "$out" | grep -n 'not ready (see above)' | head -n 1 | cut -d: -f1)
[ -n "$report" ] && [ -n "$why" ] && [ "$report" -lt "$why" ] &&
    ok "confirm not ready, output to a pipe: the status report comes before 'see above'" ||
    bad "confirm not ready order" "$out"
# a config edited after install --trial was never booted: confirm must not make it permanent
cp "$r/etc/passthru.conf" "$work/conf.keep"
printf '# edited after install --trial\n' >>"$r/etc/passthru.conf"
mid2=$(snapshot "$r")
out=$(setup "$r" "$ready" confirm 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'passthru.conf changed since install --trial' &&
    echo "$out" | grep -q 'install --trial again' && [ "$(snapshot "$r")" = "$mid2" ] &&
    grep -qx passthru-confirm.service "$r.units" &&
    ok "confirm after the config changed since install --trial: refused, nothing changed" ||
    bad "confirm changed config" "$out"
# but after install --trial --no-initramfs the record cannot tell what the images hold (the
# rebuild ran by hand): no refusal from the record (status compares the boot's config)
cp -a "$r" "$r.noinit"
out=$(setup "$r.noinit" "$plainsys" install --trial --cpu intel --no-initramfs 2>&1) ||
    bad "confirm noinit --trial" "$out"
out=$(setup "$r.noinit" "$ready" confirm 2>&1)
[ $? -eq 0 ] && ! grep -q '^trial' "$r.noinit/var/lib/passthru/installed" &&
    ok "confirm after install --trial --no-initramfs with an edited config: the boot decides" ||
    bad "confirm noinit" "$out"
rm -rf "$r.noinit" "$r.noinit.units"
cp "$work/conf.keep" "$r/etc/passthru.conf"
# an uninstall between confirm's checks and its lock: confirm must not install passthru for
# every boot (the holder takes the root's lock, waits for confirm to wait on it, then takes
# the install record away, as uninstall does, and lets go)
cp -a "$r" "$r.race"
rm -f "$work/race.locked" "$work/race.err"
flock "$r.race" sh -c ': >"$1/race.locked"; i=0
    until grep -q "waiting up to" "$1/race.err" 2>/dev/null || [ $i -ge 300 ]; do
        sleep 0.1; i=$((i + 1)); done
    mv "$2/var/lib/passthru/installed" "$1/race.installed"' sh "$work" "$r.race" &
holder=$!
i=0
until [ -e "$work/race.locked" ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
out=$(setup "$r.race" "$ready" confirm 2>"$work/race.err")
rc=$?
wait $holder
[ $rc -eq 1 ] && grep -q 'confirm: the trial is no longer pending' "$work/race.err" &&
    [ ! -e "$r.race/etc/default/grub.d/passthru.cfg" ] &&
    [ ! -e "$r.race/var/lib/passthru/installed" ] &&
    ok "confirm racing an uninstall: the trial gone when it gets the lock: refused, nothing installed" ||
    bad "confirm race" "rc=$rc $out $(cat "$work/race.err")"
rm -rf "$r.race"
# --- confirm --after-login (passthru-confirm.service): a ready trial boot is confirmed only
# once someone has logged in (logind's sessions, else utmp); confirm by hand (below) needs none
# session DIR ID CLASS TYPE SEAT REMOTE: a logind session file as logind writes it
session() {
    mkdir -p "$1/run/systemd/sessions"
    printf 'UID=1000\nUSER=alice\nACTIVE=1\nSTATE=active\nREMOTE=%s\nTYPE=%s\nCLASS=%s\nSEAT=%s\nTTY=%s\n' \
        "$6" "$4" "$3" "$5" "$([ "$4" = tty ] && echo tty1)" >"$1/run/systemd/sessions/$2"
    mkfifo "$1/run/systemd/sessions/$2.ref" 2>/dev/null || :
}
R=$r
ls_=$work/sys-login
rm -rf "$ls_"
cp -a "$ready" "$ls_"
cp -a "$R" "$R.login"
cp "$R.units" "$R.login.units"
mid=$(snapshot "$R.login")
out=$(timeout 7 sh -c 'PATH=$1:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$2 "$3" confirm --after-login --root "$2" --sysroot "$4"' \
    sh "$here/bin" "$R.login" "$bin" "$ls_" 2>&1)
rc=$?
[ $rc -eq 124 ] && echo "$out" | grep -q 'waiting for a login session' &&
    [ "$(snapshot "$R.login")" = "$mid" ] && grep -qx passthru-confirm.service "$R.login.units" &&
    ok "confirm --after-login, ready, nobody logged in: waits, confirms nothing" ||
    bad "confirm no login" "rc=$rc $out"
# a display manager's greeter, a lock screen, a session without a seat, terminal or remote
# login (su from a service), a closing one: no person's login
session "$ls_" 1 greeter x11 seat0 0
session "$ls_" 2 user unspecified "" 0
session "$ls_" 3 background unspecified "" 0
session "$ls_" 4 user tty seat0 0
sed -i 's/^STATE=.*/STATE=closing/' "$ls_/run/systemd/sessions/4"
out=$(timeout 7 sh -c 'PATH=$1:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$2 "$3" confirm --after-login --root "$2" --sysroot "$4"' \
    sh "$here/bin" "$R.login" "$bin" "$ls_" 2>&1)
rc=$?
[ $rc -eq 124 ] && [ "$(snapshot "$R.login")" = "$mid" ] &&
    ok "confirm --after-login: a greeter, a seatless or closing session, a background one are no login" ||
    bad "confirm greeter" "rc=$rc $out"
# a person logs in on seat0 while confirm waits: confirmed
(PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$R.login \
    timeout 60 "$bin" confirm --after-login --root "$R.login" --sysroot "$ls_" >"$work/login.out" 2>&1
    echo $? >"$work/login.rc") &
waiter=$!
sleep 2
session "$ls_" 5 user x11 seat0 0
wait $waiter
out=$(cat "$work/login.out")
[ "$(cat "$work/login.rc")" = 0 ] && echo "$out" | grep -q 'waiting for a login session' &&
    echo "$out" | grep -q 'a login session on the trial boot (logind session 5: user alice, x11 on seat0)' &&
    grep -q 'intel_iommu=on iommu=pt' "$R.login/etc/default/grub.d/passthru.cfg" &&
    ! grep -q . "$R.login.units" &&
    ok "confirm --after-login: a login on seat0 while it waits: confirmed, service disabled" ||
    bad "confirm after login" "rc=$(cat "$work/login.rc") $out"
rm -rf "$R.login" "$R.login.units"
# a remote login (ssh: REMOTE=1, no seat); and without logind, utmp's USER_PROCESS entry
for how in remote utmp; do
    cp -a "$R" "$R.login"
cp "$R.units" "$R.login.units"
    rm -rf "$ls_/run/systemd"
    if [ $how = remote ]; then
        session "$ls_" 7 user unspecified "" 1
    else
        printf '[7] [04242] [ts/0] [bob     ] [pts/0       ] [192.0.2.7           ] [192.0.2.7      ] [2026-12-03T06:00:00,000000+00:00]\n' |
            utmpdump -r -o "$ls_/run/utmp" 2>/dev/null
    fi
    out=$(PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$R.login \
        timeout 60 "$bin" confirm --after-login --root "$R.login" --sysroot "$ls_" 2>&1)
    rc=$?
    want='logind session 7: user alice, remote, unspecified'
    [ $how = utmp ] && want='utmp: user bob on pts/0 from 192.0.2.7'
    [ $rc -eq 0 ] && echo "$out" | grep -qF "a login session on the trial boot ($want)" &&
        ! echo "$out" | grep -q 'waiting for a login' && [ -f "$R.login/etc/default/grub.d/passthru.cfg" ] &&
        ok "confirm --after-login: a $how login: confirmed at once" || bad "confirm $how login" "rc=$rc $out"
    rm -rf "$R.login" "$R.login.units" "$ls_/run/utmp"
done
# install --trial --auto-confirm (a headless host): confirmed with nobody logged in
cp -a "$R" "$R.auto"
cp "$R.units" "$R.auto.units"
out=$(setup "$R.auto" "$plainsys" install --trial --auto-confirm --cpu intel 2>&1)
[ $? -eq 0 ] && grep -q '^trial .* auto-confirm$' "$R.auto/var/lib/passthru/installed" &&
    echo "$out" | grep -q 'auto-confirm: no login needed' &&
    ok "install --trial --auto-confirm: recorded with the trial, said" || bad "auto-confirm install" "$out"
out=$(PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$R.auto \
    timeout 60 "$bin" confirm --after-login --root "$R.auto" --sysroot "$ls_" 2>&1)
rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q 'installed with --auto-confirm: no login needed' &&
    [ -f "$R.auto/etc/default/grub.d/passthru.cfg" ] && ! grep -q '^trial' "$R.auto/var/lib/passthru/installed" &&
    ok "confirm --after-login after --auto-confirm, nobody logged in: confirmed" ||
    bad "auto-confirm confirm" "rc=$rc $out"
# the choice is the trial's: install --trial again without it waits for a login again
rm -rf "$R.auto" "$R.auto.units"
cp -a "$R" "$R.auto"
cp "$R.units" "$R.auto.units"
setup "$R.auto" "$plainsys" install --trial --auto-confirm --cpu intel >/dev/null 2>&1
setup "$R.auto" "$plainsys" install --trial --cpu intel >/dev/null 2>&1
grep -q '^trial ' "$R.auto/var/lib/passthru/installed" &&
    ! grep -q '^trial .*auto-confirm' "$R.auto/var/lib/passthru/installed" &&
    ok "install --trial after --trial --auto-confirm: a login needed again" ||
    bad "auto-confirm kept" "$(cat "$R.auto/var/lib/passthru/installed")"
rm -rf "$R.auto" "$R.auto.units"
"$bin" install --auto-confirm >/dev/null 2>&1
[ $? -eq 2 ] && ok "--auto-confirm without --trial: usage error" || bad "--auto-confirm usage" ""
"$bin" confirm --auto-confirm >/dev/null 2>&1
[ $? -eq 2 ] && ok "--auto-confirm on confirm: usage error" || bad "--auto-confirm confirm usage" ""
r=$R
: >"$r/commands.log"
out=$(setup "$r" "$ready" confirm 2>&1)
rc=$?
log=$(cat "$r/commands.log")
[ $rc -eq 0 ] && [ ! -e "$r/etc/grub.d/42_passthru_trial" ] && [ ! -e "$r/etc/passthru.trial" ] &&
    grep -q 'intel_iommu=on iommu=pt' "$r/etc/default/grub.d/passthru.cfg" &&
    echo "$log" | grep -q '^update-grub' && echo "$log" | grep -q '^dracut -f --regenerate-all' &&
    echo "$log" | grep -q '^systemctl disable passthru-confirm.service' &&
    ! grep -q . "$r.units" && ! grep -q '^trial' "$r/var/lib/passthru/installed" &&
    ok "confirm on a ready trial boot: drop-in, trial entry and mark gone, images rebuilt, service disabled" ||
    bad "confirm" "rc=$rc $out $log"
# the same end state as a plain install
newroot plain
p=$work/plain
setup "$p" "$plainsys" install --cpu intel >/dev/null 2>&1 || bad "plain install" ""
# (the install record lists the same lines; their order follows the order of the edits)
m=var/lib/passthru/installed
diff -r -x commands.log -x installed "$r" "$p" >"$work/confirm.diff" &&
    [ "$(sort "$r/$m")" = "$(sort "$p/$m")" ] &&
    ok "confirm's end state equals a plain install's, file for file" ||
    bad "confirm end state" "$(cat "$work/confirm.diff")"
out=$(setup "$r" "$ready" confirm 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'no trial is pending' && ok "confirm again: no trial pending" ||
    bad "confirm again" "$out"
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'installed for every boot already' &&
    ok "install --trial over a permanent install: refused" || bad "trial over install" "$out"

# --- BLS: grubby (Fedora) and systemd-boot (kernel-install): a copied entry, chosen once
# blsroot NAME KIND: two entries (an older kernel's and the newest one's)
blsroot() {
    r=$work/$1
    rm -rf "$r" "$r.units" "$r.oneshot"
    mkdir -p "$r/etc/default" "$r/etc/kernel" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru" \
        "$r/boot/loader/entries" "$r/boot/grub2"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    mkdir -p "$r/usr/lib/dracut/modules.d/90passthru"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
    e=$r/boot/loader/entries
    if [ "$2" = grubby ]; then
        cp "$here/corpus/fedora.grub" "$r/etc/default/grub"
        : >"$r/usr/sbin/grubby"
        sed 's/6\.5\.6-300/6.4.1-100/g' "$here/corpus/fedora.bls" >"$e/f39-6.4.conf"
        cp "$here/corpus/fedora.bls" "$e/f39-6.5.conf"
        /usr/bin/grub-editenv "$r/boot/grub2/grubenv" create
        newest="linux /vmlinuz-6.5.6-300.fc39.x86_64"
    else
        printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
        printf 'timeout 3\n' >"$r/boot/loader/loader.conf"
        for v in 6.1.0-12 6.1.0-13; do
            printf 'title Debian GNU/Linux 12\nversion %s-amd64\nmachine-id abc\noptions root=/dev/vda1 ro quiet\nlinux /abc/%s-amd64/linux\ninitrd /abc/%s-amd64/initrd.img-%s-amd64\n' \
                "$v" "$v" "$v" "$v" >"$e/abc-$v-amd64.conf"
        done
        newest="linux /abc/6.1.0-13-amd64/linux"
    fi
}

bls_case() {
    name=$1 kind=$2
    blsroot "$name" "$kind"
    r=$work/$name
    cp -a "$r" "$r.pristine"
    out=$(setup "$r" "$plainsys" install --trial --cpu intel --bootloader "$kind" 2>&1)
    rc=$?
    # the copy's name: grubby: passthru-trial.conf (its BLS id); systemd-boot: one that sorts
    # last in sd-boot's order (see "systemd-boot's own order" below)
    tn=passthru-trial.conf
    [ "$kind" = grubby ] || tn=_-passthru-trial.conf
    t=$r/boot/loader/entries/$tn
    log=$(cat "$r/commands.log")
    if [ "$kind" = grubby ]; then
        chosen=$(/usr/bin/grub-editenv "$r/boot/grub2/grubenv" list | sed -n 's/^next_entry=//p')
    else
        chosen=$(cat "$r.oneshot" 2>/dev/null)
    fi
    # every other entry as it was (grubenv: the one-time choice, checked below)
    diff -r -x "$tn" -x grubenv "$r/boot" "$r.pristine/boot" >/dev/null
    same=$?
    if [ $rc -eq 0 ] && [ $same -eq 0 ] && grep -qx 'title passthru trial' "$t" &&
        grep -qx 'version 0~passthru.trial' "$t" && grep -qx "$newest" "$t" &&
        grep -q '^options .*intel_iommu=on iommu=pt rd.passthru.trial=1' "$t"; then
        :
    else
        bad "$name install --trial" "rc=$rc $out $(cat "$t" 2>&1)"
        return
    fi
    if cmp -s "$r/etc/kernel/cmdline" "$r.pristine/etc/kernel/cmdline" 2>/dev/null ||
        cmp -s "$r/etc/default/grub" "$r.pristine/etc/default/grub"; then :; else
        bad "$name install --trial" "the permanent configuration changed"; return
    fi
    case $chosen in "${tn%.conf}"|"$tn") ;; *) bad "$name one-time choice" "'$chosen' $log"; return ;; esac
    echo "$log" | grep -q '^grubby' && { bad "$name install --trial" "grubby ran: $log"; return; }
    grep -qx passthru-confirm.service "$r.units" || { bad "$name service" "$log"; return; }
    ok "$kind: install --trial copies the newest entry (own title, low version, args + marker), chooses it once ($chosen)"
    [ "$kind" = grubby ] && /usr/bin/grub-editenv "$r/boot/grub2/grubenv" set next_entry=
    out=$(setup "$r" "$plainsys" uninstall 2>&1)
    if [ $? -eq 0 ] && diff -r -x commands.log "$r" "$r.pristine" >/dev/null && [ ! -e "$r.oneshot" ] &&
        ! grep -q . "$r.units"; then
        ok "$kind: uninstall of an unconfirmed trial: byte for byte as before"
    else
        bad "$name uninstall" "$out $(diff -r "$r" "$r.pristine")"
        return
    fi
    setup "$r" "$plainsys" install --trial --cpu intel --bootloader "$kind" >/dev/null 2>&1
    [ "$kind" = grubby ] && /usr/bin/grub-editenv "$r/boot/grub2/grubenv" set next_entry=
    rm -f "$r.oneshot"	# the firmware consumed it at the trial boot
    out=$(setup "$r" "$ready" confirm 2>&1) || { bad "$name confirm" "$out"; return; }
    blsroot "$name-plain" "$kind"
    p=$work/$name-plain
    setup "$p" "$plainsys" install --cpu intel --bootloader "$kind" >/dev/null 2>&1 ||
        { bad "$name plain install" ""; return; }
    m=var/lib/passthru/installed
    if diff -r -x commands.log -x installed "$r" "$p" >"$work/$name.diff" &&
        [ "$(sort "$r/$m")" = "$(sort "$p/$m")" ] && [ ! -e "$r/boot/loader/entries/$tn" ]; then
        ok "$kind: confirm's end state equals a plain install's, file for file"
    else
        bad "$name confirm end state" "$out $(cat "$work/$name.diff")"
    fi
}
bls_case bls-grubby grubby
bls_case sdboot kernel-install
blsroot sdnotool kernel-install
r=$work/sdnotool
before=$(snapshot "$r")
out=$(PATH=$work/part-bin PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
    "$bin" install --trial --cpu intel --bootloader kernel-install --root "$r" \
    --sysroot "$plainsys" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'install --trial refused: bootctl is not installed' &&
    [ "$(snapshot "$r")" = "$before" ] &&
    ok "install --trial without bootctl: refused, names it, nothing changed" ||
    bad "trial no bootctl" "$out $(snapshot "$r")"
# entries of kernels 6.1.0-9 and 6.1.0-10 (names with a space), options with quotes, $ and a
# contradicting argument: the copy is of the newest kernel in version order (as the loaders
# sort), the user's words byte for byte, the contradicting one replaced and named
blsroot sdodd kernel-install
r=$work/sdodd
e=$r/boot/loader/entries
rm -f "$e"/*.conf
for v in 6.1.0-9 6.1.0-10; do
    printf '%s\n' 'title Debian GNU/Linux 12' "version $v-amd64" 'machine-id abc' \
        "options root=/dev/vda1 ro foo='a b' x=\$y \"q r\" intel_iommu=off" \
        "linux /abc/$v-amd64/linux" "initrd /abc/$v-amd64/initrd.img-$v-amd64" >"$e/abc $v-amd64.conf"
done
cp -a "$r" "$r.pristine"
out=$(setup "$r" "$plainsys" install --trial --cpu intel --bootloader kernel-install 2>&1)
rc=$?
t=$e/_-passthru-trial.conf
want="options root=/dev/vda1 ro foo='a b' x=\$y \"q r\" intel_iommu=on iommu=pt rd.passthru.trial=1"
[ $rc -eq 0 ] && grep -qx 'linux /abc/6.1.0-10-amd64/linux' "$t" && grep -qx "$want" "$t" &&
    echo "$out" | grep -qx 'contradicting arguments replaced: intel_iommu=off' &&
    ok "kernel-install: the trial copies 6.1.0-10's entry, not 6.1.0-9's; odd quoting kept; intel_iommu=off named" ||
    bad "sdodd install --trial" "rc=$rc $out $(cat "$t")"
out=$(setup "$r" "$plainsys" uninstall 2>&1)
[ $? -eq 0 ] && diff -r -x commands.log "$r" "$r.pristine" >/dev/null &&
    ok "kernel-install: odd entry names and quoting: uninstall byte for byte" ||
    bad "sdodd uninstall" "$out $(diff -r "$r" "$r.pristine")"
blsroot bls-lvm grubby
out=$(PASSTHRU_TEST_GRUB_ABSTRACTION=lvm setup "$work/bls-lvm" "$plainsys" install --trial --cpu intel --bootloader grubby 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'refused: .*/boot/grub2 lies on lvm' &&
    [ ! -e "$work/bls-lvm/boot/loader/entries/passthru-trial.conf" ] &&
    ok "grubby: install --trial refused when /boot/grub2 is on LVM" || bad "bls lvm" "$out"

# --- systemd-boot's own order, read by the real bootctl (Debian 12's systemd-boot, 252): with
# no `default` in loader.conf, sd-boot boots the first entry in its order, and `bootctl list`
# orders and marks "(default)" with the same rules (src/boot/efi/boot.c config_entry_compare,
# src/shared/bootspec.c boot_entry_compare). The trial's copy must sort after every entry of the
# user's, whatever their style: kernel-install's <machine-id>-<kver>.conf with a machine-id
# that starts with a letter, with or without sort-key, one that starts with a digit, a mix,
# Arch's arch.conf. bootctl --root reads no EFI variable (nor the one-shot).
# sd_entry ROOT FILE VERSION SORTKEY MACHINEID: an entry (empty fields left out) and its files
sd_entry() {
    d=${5:-arch}/${3:-linux}
    {
        echo "title Debian GNU/Linux 12${3:+ ($3)}"
        [ -z "$3" ] || echo "version $3"
        [ -z "$4" ] || echo "sort-key $4"
        [ -z "$5" ] || echo "machine-id $5"
        echo "options root=/dev/vda1 ro quiet"
        echo "linux /$d/linux"
        echo "initrd /$d/initrd.img"
    } >"$1/boot/loader/entries/$2.conf"
    mkdir -p "$1/boot/$d"
    : >"$1/boot/$d/linux"
    : >"$1/boot/$d/initrd.img"
}
# sd_list ROOT: the entries' ids in sd-boot's order, the default one marked "* " (the ESP and
# XBOOTLDR named by environment, which bootctl takes without asking whether they are mount
# points: --esp-path insists on the root of a file system, even with --root)
sd_list() {
    SYSTEMD_ESP_PATH=/boot SYSTEMD_XBOOTLDR_PATH=/boot SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat \
        /usr/bin/bootctl --root="$1" list 2>"$work/bootctl.err" |
        awk '/^ *title:/ { d = / \(default\)/ } /^ *id:/ { print (d ? "* " : "  ") $2 }'
}
if [ ! -x /usr/bin/bootctl ]; then
    bad "systemd-boot order" "/usr/bin/bootctl is missing: make install-tools installs systemd-boot"
fi
mida=ab12cd34ef56ab12cd34ef56ab12cd34
midn=0123456789abcdef0123456789abcdef
for style in sort-key no-sort-key digit mixed arch; do
    [ -x /usr/bin/bootctl ] || break
    blsroot "sdorder-$style" kernel-install
    r=$work/sdorder-$style
    rm -f "$r/boot/loader/entries/"*.conf
    case $style in
    sort-key) for v in 6.1.0-12-amd64 6.1.0-13-amd64; do sd_entry "$r" "$mida-$v" "$v" debian "$mida"; done ;;
    no-sort-key) for v in 6.1.0-12-amd64 6.1.0-13-amd64; do sd_entry "$r" "$mida-$v" "$v" "" "$mida"; done ;;
    digit) for v in 6.1.0-12-amd64 6.1.0-13-amd64; do sd_entry "$r" "$midn-$v" "$v" "" "$midn"; done ;;
    mixed) sd_entry "$r" "$mida-6.1.0-12-amd64" 6.1.0-12-amd64 "" "$mida"
        sd_entry "$r" "$mida-6.1.0-13-amd64" 6.1.0-13-amd64 debian "$mida" ;;
    arch) sd_entry "$r" arch "" "" ""
        sd_entry "$r" arch-fallback "" "" "" ;;
    esac
    was=$(sd_list "$r")
    def=$(echo "$was" | sed -n 's/^\* //p')
    out=$(setup "$r" "$plainsys" install --trial --cpu intel --bootloader kernel-install 2>&1)
    rc=$?
    now=$(sd_list "$r")
    if [ $rc -eq 0 ] && [ -n "$def" ] && [ "$(echo "$now" | sed -n 's/^\* //p')" = "$def" ] &&
        [ "$(echo "$now" | tail -n 1)" = "  _-passthru-trial.conf" ] &&
        [ "$(echo "$now" | sed '$d')" = "$was" ] &&
        [ "$(cat "$r.oneshot" 2>/dev/null)" = _-passthru-trial.conf ]; then
        ok "systemd-boot ($style): bootctl lists the trial's copy last, the default stays $def, the one-shot names the copy"
    else
        bad "systemd-boot order ($style)" "rc=$rc before: $was; after: $now; $(cat "$work/bootctl.err") $out"
    fi
done

# --- confirm on a systemd-boot host without /etc/kernel/cmdline: the file is seeded from the
# trial boot's /proc/cmdline, less the trial's marker (else every later boot would be marked)
blsroot sdseed kernel-install
r=$work/sdseed
rm "$r/etc/kernel/cmdline"
setup "$r" "$plainsys" install --trial --cpu intel --bootloader kernel-install >/dev/null 2>&1 ||
    bad "sdseed install --trial" ""
rm -f "$r.oneshot"
out=$(setup "$r" "$ready" confirm 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q 'intel_iommu=on iommu=pt' "$r/etc/kernel/cmdline" &&
    grep -q 'console=ttyS0' "$r/etc/kernel/cmdline" &&
    ! grep -rq 'rd.passthru.trial' "$r/etc/kernel/cmdline" "$r/boot/loader/entries"; then
    ok "confirm, no /etc/kernel/cmdline: seeded from the trial boot's command line without rd.passthru.trial=1"
else
    bad "confirm seeds the marker" "rc=$rc $out $(cat "$r/etc/kernel/cmdline" 2>&1)"
fi

# --- confirm makes permanent the boot configuration and the generator the trial booted:
# install --trial --bootloader grub --initramfs initramfs-tools on a host that also has
# /etc/kernel/cmdline and dracut; confirm edits neither
newroot chosen
r=$work/chosen
mkdir -p "$r/etc/kernel" "$r/etc/initramfs-tools"
printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
: >"$r/usr/sbin/mkinitramfs"
printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
hooks "$r" initramfs-tools
cp "$r/etc/kernel/cmdline" "$work/chosen.cmdline"
out=$(setup "$r" "$plainsys" install --trial --cpu intel --bootloader grub \
    --initramfs initramfs-tools 2>&1) || bad "chosen install --trial" "$out"
/usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=
: >"$r/commands.log"
out=$(setup "$r" "$ready" confirm 2>&1)
rc=$?
log=$(cat "$r/commands.log")
m=$r/var/lib/passthru/installed
if [ $rc -eq 0 ] && cmp -s "$r/etc/kernel/cmdline" "$work/chosen.cmdline" &&
    [ -e "$r/etc/default/grub.d/passthru.cfg" ] && [ -e "$r/etc/initramfs-tools/conf.d/passthru" ] &&
    [ ! -e "$r/etc/dracut.conf.d/passthru.conf" ] &&
    echo "$log" | grep -qx 'update-initramfs -u -k all' && ! echo "$log" | grep -q '^dracut' &&
    [ "$(grep '^boot ' "$m")" = "boot grub" ] && grep -qx 'initramfs initramfs-tools' "$m" &&
    grep -qx 'chose bootloader grub' "$m" && grep -qx 'chose initramfs initramfs-tools' "$m"; then
    ok "confirm after install --trial --bootloader grub --initramfs initramfs-tools: exactly those, /etc/kernel/cmdline and dracut untouched, the choices still remembered"
else
    bad "confirm: what the trial tried" "rc=$rc $out $log $(cat "$m") $(diff "$work/chosen.cmdline" "$r/etc/kernel/cmdline")"
fi

# --- install --trial, confirm, uninstall: nothing of the trial is left, backups included: every
# file under the root as before install --trial (commands.log apart), byte for byte
for kind in grub kernel-install; do
    if [ "$kind" = grub ]; then newroot "left-$kind"; else blsroot "left-$kind" kernel-install; fi
    r=$work/left-$kind
    snapshot "$r" >"$work/left-$kind.before"
    setup "$r" "$plainsys" install --trial --cpu intel --bootloader "$kind" >/dev/null 2>&1 ||
        bad "left-$kind install --trial" ""
    [ "$kind" = grub ] && /usr/bin/grub-editenv "$r/boot/grub/grubenv" set next_entry=
    rm -f "$r.oneshot"
    out=$(setup "$r" "$ready" confirm 2>&1) || bad "left-$kind confirm" "$out"
    out=$(setup "$r" "$plainsys" uninstall 2>&1) || bad "left-$kind uninstall" "$out"
    snapshot "$r" >"$work/left-$kind.after"
    diff "$work/left-$kind.before" "$work/left-$kind.after" >"$work/left-$kind.diff" &&
        ok "$kind: install --trial, confirm, uninstall: every file as before install --trial, no backup left" ||
        bad "left-$kind" "$(cat "$work/left-$kind.diff")"
done

# --- install --trial with initramfs-tools and mkinitcpio: the stand-ins of update-initramfs and
# mkinitcpio run the tree's own hooks and write each image's file list to /boot; lsinitramfs and
# lsinitcpio stand-ins read it back for status. The root is its own --sysroot (status reads both).
# genroot NAME GEN: a Debian GRUB root with GEN, kernel 6.1.0-13-amd64 and its image without
# passthru, the captured intel-gpu-hda host view
genroot() {
    r=$work/$1
    rm -rf "$r" "$r.units"
    mkdir -p "$r/etc/default" "$r/etc/grub.d" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru" \
        "$r/boot/grub" "$r/usr/lib/modules/6.1.0-13-amd64"
    ln -s usr/lib "$r/lib"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$r"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    cp "$claim" "$r/usr/lib/passthru/passthru-claim"
    cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
    : >"$r/usr/sbin/update-grub"
    /usr/bin/grub-editenv "$r/boot/grub/grubenv" create
    grub_linux "$r"
    hooks "$r" "$2"
    case $2 in
    initramfs-tools)
        mkdir -p "$r/etc/initramfs-tools"
        : >"$r/usr/sbin/mkinitramfs"
        : >"$r/usr/bin/lsinitramfs"
        printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
        ;;
    mkinitcpio)
        : >"$r/usr/bin/mkinitcpio"
        : >"$r/usr/bin/lsinitcpio"
        printf 'HOOKS=(base udev autodetect block filesystems)\n' >"$r/etc/mkinitcpio.conf"
        printf 'linux\n' >"$r/usr/lib/modules/6.1.0-13-amd64/pkgbase"
        ;;
    esac
    # shellcheck disable=SC2046 # the command's words
    set -- $(gen_cmd "$2")
    c=$1
    shift
    PASSTHRU_TEST_ROOT=$r "$here/bin/$c" "$@" >/dev/null
    rm -f "$r/commands.log"
}

# gen_cmd GEN: its rebuild command (the stand-in's name first); gen_img GEN KVER: the image
gen_cmd() {
    case $1 in initramfs-tools) echo "update-initramfs -u -k all" ;; *) echo "mkinitcpio -P" ;; esac
}
gen_img() {
    case $1 in initramfs-tools) echo "boot/initrd.img-$2" ;; *) echo "boot/initramfs-linux.img" ;; esac
}

# boot_as ROOT trial|untried|plain: the root's view of a boot: the command line (the trial's
# marker or not) and passthru-claim's own status document for it; trial and plain: the pair on
# vfio-pci, as the claim left it
boot_as() {
    b=$1
    sed 's/ rd\.passthru\.trial=1//' "$b/proc/cmdline" >"$b/proc/cmdline.new"
    [ "$2" = trial ] && sed -i 's/$/ rd.passthru.trial=1/' "$b/proc/cmdline.new"
    mv "$b/proc/cmdline.new" "$b/proc/cmdline"
    for d in 0000:00:05.0 0000:00:05.1; do
        rm -f "$b/sys/bus/pci/devices/$d/driver"
        [ "$2" = untried ] ||
            ln -sfn ../../../bus/pci/drivers/vfio-pci "$b/sys/bus/pci/devices/$d/driver"
    done
    mkdir -p "$b/run/passthru"
    "$claim" --sysroot "$b" --dry-run --json >"$b/run/passthru/status.json"
}

gstatus() {
    PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$1 "$bin" status --json --sysroot "$1" 2>&1
}

gen_case() {
    g=$1
    genroot "gen-$g" "$g"
    r=$work/gen-$g
    cp -a "$r" "$r.pristine"
    img=$(gen_img "$g" 6.1.0-13-amd64)
    out=$(setup "$r" "$r" install --trial --cpu intel 2>&1)
    rc=$?
    log=$(cat "$r/commands.log" 2>/dev/null)
    if [ $rc -eq 0 ] && echo "$out" | grep -q "^initramfs: $g\$" && [ -f "$r/etc/passthru.trial" ] &&
        echo "$log" | grep -qx "$(gen_cmd "$g")" && ! echo "$log" | grep -q '^dracut' &&
        grep -qx etc/passthru.trial "$r/$img" &&
        grep -qx usr/lib/passthru/passthru-claim "$r/$img" &&
        echo "$out" | grep -q 'trial installed'; then
        ok "$g: install --trial: exit 0, $(gen_cmd "$g") ran, /etc/passthru.trial in /etc and in the image"
    else
        bad "$g install --trial" "rc=$rc $out $log $(cat "$r/$img")"
        return
    fi
    # a boot of another entry: the image's mark keeps passthru-claim off; status says why
    boot_as "$r" untried
    out=$(gstatus "$r")
    echo "$out" | jq -e '.ready == false and .trial.this_boot == false and
        (.trial.unmarked_images | length) == 0 and .boot.trial_pending == true and
        (.message | test("not ready: a trial .* is pending and this boot is not the trial boot")) and
        ([.drift[] | select(.what == "initramfs")] | length) == 0' >/dev/null &&
        ok "$g: status on a boot that is not the trial's: not ready, says a trial is pending" ||
        bad "$g status untried" "$out"
    # a kernel upgrade while the trial is pending: the new kernel's image carries the mark too
    mkdir -p "$r/usr/lib/modules/6.1.0-14-amd64"
    if [ "$g" = mkinitcpio ]; then
        printf 'linux-lts\n' >"$r/usr/lib/modules/6.1.0-14-amd64/pkgbase"
        PASSTHRU_TEST_ROOT=$r "$here/bin/mkinitcpio" -P
        img2=boot/initramfs-linux-lts.img
    else
        PASSTHRU_TEST_ROOT=$r "$here/bin/update-initramfs" -c -k 6.1.0-14-amd64
        img2=boot/initrd.img-6.1.0-14-amd64
    fi
    grep -qx etc/passthru.trial "$r/$img2" &&
        ok "$g: a kernel installed while the trial is pending gets the mark in its image" ||
        bad "$g kernel upgrade" "$(cat "$r/$img2")"
    # an image built without the mark (an older hook): it claims on every boot; status says so
    cp "$r/$img2" "$r/$img2.marked"
    grep -vx etc/passthru.trial "$r/$img2.marked" >"$r/$img2"
    out=$(gstatus "$r")
    echo "$out" | jq -e '.trial.unmarked_images == ["6.1.0-14-amd64"] and
        ([.drift[] | select(.what == "initramfs" and
            (.message | test("6.1.0-14-amd64 holds passthru-claim without its mark")))] | length) == 1' \
        >/dev/null && ok "$g: status names an image without the trial's mark (it claims on every boot)" ||
        bad "$g status unmarked" "$out"
    mv "$r/$img2.marked" "$r/$img2"
    # the trial boot: ready, confirm may go on
    boot_as "$r" trial
    out=$(gstatus "$r")
    echo "$out" | jq -e '.ready == true and .trial.this_boot == true and .drift == [] and
        (.message | test("the trial boot: passthru-setup confirm"))' >/dev/null &&
        ok "$g: status on the trial boot: ready, says confirm makes it permanent" ||
        bad "$g status trial" "$out"
    # the config edited during the trial: the drift's fix re-arms the trial (a plain install
    # would confirm it untried)
    cp "$r/etc/passthru.conf" "$r.conf.keep"
    printf '# edited during the trial\n' >>"$r/etc/passthru.conf"
    out=$(gstatus "$r")
    echo "$out" | jq -e '.ready == false and ([.drift[] | select(.what == "config")] | length) == 1
        and ([.drift[] | select(.fix | test("passthru-setup install($| [^-]|, )"))] | length) == 0
        and ([.drift[] | select(.fix == "passthru-setup install --trial, then reboot")] |
            length) == 1' >/dev/null &&
        ok "$g: status during a trial, config edited: its fix is install --trial, not install" ||
        bad "$g status trial config" "$out"
    mv "$r.conf.keep" "$r/etc/passthru.conf"
    # uninstall of the trial never confirmed: the mark leaves /etc and every image
    boot_as "$r" untried
    rm -rf "$r/usr/lib/modules/6.1.0-14-amd64" "$r/${img2:?}"
    : >"$r/commands.log"
    out=$(setup "$r" "$r" uninstall 2>&1)
    rc=$?
    log=$(cat "$r/commands.log")
    if [ $rc -eq 0 ] && [ ! -e "$r/etc/passthru.trial" ] && echo "$log" | grep -qx "$(gen_cmd "$g")" &&
        ! grep -q passthru "$r/$img" &&
        diff -r -x commands.log -x sys -x proc -x run "$r" "$r.pristine" >/dev/null; then
        ok "$g: uninstall of an unconfirmed trial: mark gone from /etc and the image, root as before"
    else
        bad "$g uninstall trial" "rc=$rc $out $log $(diff -r -x sys -x proc -x run "$r" "$r.pristine")"
    fi
    # install --trial again, the trial boot, confirm: the images lose the mark, keep the claim
    setup "$r" "$r" install --trial --cpu intel >/dev/null 2>&1 || bad "$g install --trial 2" ""
    boot_as "$r" trial
    : >"$r/commands.log"
    out=$(setup "$r" "$r" confirm 2>&1)
    rc=$?
    log=$(cat "$r/commands.log")
    if [ $rc -eq 0 ] && [ ! -e "$r/etc/passthru.trial" ] && echo "$log" | grep -qx "$(gen_cmd "$g")" &&
        ! grep -qx etc/passthru.trial "$r/$img" && grep -qx usr/lib/passthru/passthru-claim "$r/$img"
    then
        ok "$g: confirm: the mark leaves /etc and the image, passthru-claim stays"
    else
        bad "$g confirm" "rc=$rc $out $log $(cat "$r/$img")"
    fi
    boot_as "$r" plain
    out=$(gstatus "$r")
    echo "$out" | jq -e '.ready == true and .trial == null and .drift == []' >/dev/null &&
        ok "$g: status after confirm: ready, no trial" || bad "$g status confirmed" "$out"
    # confirm's rebuild never ran (power lost): the image keeps the mark; status says so
    echo etc/passthru.trial >>"$r/$img"
    out=$(gstatus "$r")
    echo "$out" | jq -e '.ready == false and .trial == null and ([.drift[] | select(.what ==
        "initramfs" and (.message | test("still holds the mark of a trial .*none is pending.*'"$(gen_cmd "$g")"'")))] |
        length) == 1' >/dev/null &&
        ok "$g: status names an image that still holds the mark with no trial pending" ||
        bad "$g status stale mark" "$out"
    # its fix, applied: install rebuilds that image (the mark goes) and status names it no more
    : >"$r/commands.log"
    setup "$r" "$r" install >/dev/null 2>&1
    out=$(gstatus "$r")
    if ! grep -qx etc/passthru.trial "$r/$img" && grep -qx "$(gen_cmd "$g")" "$r/commands.log" &&
        echo "$out" | jq -e '.ready == true and .drift == []' >/dev/null; then
        ok "$g: the stale mark's fix (install): the image rebuilt without it, status ready"
    else
        bad "$g stale mark fix" "$out $(cat "$r/commands.log")"
    fi
    # a generator whose passthru hook is older than --trial: install --trial says so, exit 1
    genroot "old-$g" "$g"
    r=$work/old-$g
    cp -a "$r" "$r.pristine"
    out=$(PASSTHRU_TEST_OLD_HOOK=1 setup "$r" "$r" install --trial --cpu intel 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && grep -qx usr/lib/passthru/passthru-claim "$r/$img" &&
        echo "$out" | grep -q "install --trial: the initramfs of kernel 6.1.0-13-amd64 holds passthru-claim but not the trial's mark /etc/passthru.trial (listed with $g's tools)"
    then
        ok "$g: install --trial with a hook that copies no mark: exit 1, names the image"
    else
        bad "$g old hook" "rc=$rc $out"
    fi
    out=$(PASSTHRU_TEST_OLD_HOOK=1 setup "$r" "$r" uninstall 2>&1)
    [ $? -eq 0 ] && diff -r -x commands.log -x sys -x proc -x run "$r" "$r.pristine" >/dev/null &&
        ok "$g: uninstall after it: the root as before" ||
        bad "$g old hook uninstall" "$out $(diff -r -x sys -x proc -x run "$r" "$r.pristine")"
}
gen_case initramfs-tools
gen_case mkinitcpio

# --- GRUB: the trial entry drops the contradicting arguments as the drop-in does, and install
# prints its line as 10_linux builds it (GRUB_CMDLINE_LINUX, then GRUB_CMDLINE_LINUX_DEFAULT)
newroot contra
r=$work/contra
sed -e 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=off"/' \
    -e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0 iommu=off"/' \
    "$here/corpus/debian-default.grub" >"$r/etc/default/grub"
PASSTHRU_TEST_ROOT=$r "$here/bin/update-grub" && rm -f "$r/commands.log"
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
rc=$?
# the trial's linux line in grub.cfg (what update-grub made of 42_passthru_trial), after "ro "
cfg=$(awk "/^menuentry 'passthru trial'/ { t = 1 } t && /^	linux/ { print; exit }" "$r/boot/grub/grub.cfg" |
    sed 's/.* ro //')
said=$(echo "$out" | sed -n "s/^kernel command line for the trial boot (GRUB entry 'passthru trial' .*): //p" | tail -n 1)
def=$(awk "/^menuentry 'Debian GNU\/Linux'/ { t = 1 } t && /^	linux/ { print; exit }" "$r/boot/grub/grub.cfg" |
    sed 's/.* ro //')
[ $rc -eq 0 ] && [ "$cfg" = "console=ttyS0 intel_iommu=on iommu=pt rd.passthru.trial=1 quiet" ] &&
    [ "$said" = "$cfg" ] && [ "$def" = "console=ttyS0 iommu=off quiet intel_iommu=off" ] &&
    ok "GRUB trial: no intel_iommu=off/iommu=off in the trial entry; printed as 10_linux builds it ($said)" ||
    bad "GRUB trial contradicting" "rc=$rc grub.cfg: '$cfg', said: '$said', default: '$def'; $out"
# a host whose 10_linux is not executable gets no trial entry: refused, nothing changed
newroot nolinux
r=$work/nolinux
chmod 644 "$r/etc/grub.d/10_linux"
before=$(snapshot "$r")
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q '10_linux is missing or not executable' &&
    echo "$out" | grep -q 'nothing was changed' && [ "$(snapshot "$r")" = "$before" ] &&
    [ ! -e "$r/commands.log" ] && [ ! -e "$r.units" ] &&
    ok "GRUB trial: /etc/grub.d/10_linux not executable: refused, nothing changed" ||
    bad "GRUB trial no 10_linux" "$out"
# update-grub made no trial entry (10_linux found no kernel): grub-reboot is not run, the
# service not enabled, and install says so (exit 1)
chmod 755 "$r/etc/grub.d/10_linux"
printf '#!/bin/sh\n' >"$r/etc/grub.d/10_linux"
out=$(setup "$r" "$plainsys" install --trial --cpu intel 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "update-grub made no 'passthru trial' entry" &&
    ! grep -q '^grub-reboot' "$r/commands.log" && ! grep -q passthru "$r.units" 2>/dev/null &&
    ! /usr/bin/grub-editenv "$r/boot/grub/grubenv" list | grep -q next_entry &&
    ! echo "$out" | grep -q 'trial installed' &&
    ok "GRUB trial: no entry after update-grub: grub-reboot not run, exit 1, says why" ||
    bad "GRUB trial no entry" "rc=$rc $out $(cat "$r/commands.log")"

# --- install --dry-run on a host without diff (diffutils): says so and shows each file whole
newroot nodiff
r=$work/nodiff
before=$(snapshot "$r")
out=$(PATH=$here/bin PASSTHRU_TEST_ROOT=$r "$bin" install --dry-run --root "$r" --sysroot "$plainsys" \
    --cpu intel 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q 'diff (diffutils) is not installed: each changed file is shown whole' &&
    echo "$out" | grep -qx '+++ b/etc/default/grub.d/passthru.cfg' &&
    echo "$out" | grep -qx '+passthru_add="intel_iommu=on iommu=pt"' &&
    [ "$(snapshot "$r")" = "$before" ] &&
    ok "install --dry-run without diff: says so, every change shown whole, nothing changed" ||
    bad "dry-run no diff" "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
