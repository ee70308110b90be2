#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: passthru-setup tests on temporary roots (--root), never on this machine's /etc or /boot.
# usage: tests/setup/run.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
# Stand-ins for update-grub, dracut and grubby (tests/setup/bin) record what would have run;
# the real tools run in tests/lifecycle.
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup "$@"
fixture=$work/sysroot
mkdir -p "$fixture"
tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$fixture"

# setup ROOT: run passthru-setup with stand-ins, commands allowed inside the root
setup() {
    r=$1
    shift
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
        "$bin" "$@" --root "$r" --sysroot "$fixture"
}

# uninstall_exact WHAT: uninstall the root $r; byte-identical to $r.pristine is a PASS of WHAT
uninstall_exact() {
    setup "$r" uninstall >/dev/null 2>&1
    rm -f "$r/commands.log"
    diff -r "$r" "$r.pristine" >/dev/null && ok "$1" || bad "$1: uninstall" "$(diff -r "$r" "$r.pristine" | head -n 5)"
}

# newroot NAME KIND FILE: a root holding /etc/passthru.conf and the bootloader file
newroot() {
    r=$work/$1
    rm -rf "$r"
    mkdir -p "$r/etc/default" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru" "$r/etc/kernel" \
        "$r/boot/loader/entries"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    # what the package installs: the claimer, and the generator install looks for
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    mkdir -p "$r/usr/lib/dracut/modules.d/90passthru"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
    case $2 in
    grub) cp "$3" "$r/etc/default/grub"; : >"$r/usr/sbin/update-grub" ;;
    grubby) cp "$3" "$r/etc/default/grub"; : >"$r/usr/sbin/grubby"
        cp "$here/corpus/fedora.bls" "$r/boot/loader/entries/f39.conf" ;;
    cmdline) cp "$3" "$r/etc/kernel/cmdline" ;;
    esac
}

# mkconfig_line: in the root, what grub-mkconfig gives the kernel: /etc/default/grub, then
# /etc/default/grub.d/*.cfg in order, sourced by sh (in a folder with files in it, so that
# an unquoted glob would show); 10_linux's "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}"
mkconfig_line() {
    sh -c 'for x in ./etc/default/grub ./etc/default/grub.d/*.cfg; do
            if [ -e "$x" ]; then . "$x"; fi
        done
        printf "%s %s\n" "$GRUB_CMDLINE_LINUX" "$GRUB_CMDLINE_LINUX_DEFAULT"' 2>/dev/null
}

effective() {
    case $2 in
    grub) mkconfig_line ;;
    grubby) sh -c '. ./etc/default/grub; echo "$GRUB_CMDLINE_LINUX"' 2>/dev/null
        sed -n 's/^options //p' boot/loader/entries/f39.conf ;;
    cmdline) cat etc/kernel/cmdline ;;
    esac
}

# lifecycle_case NAME KIND FILE: install, install again, uninstall, byte for byte
lifecycle_case() {
    name=$1 kind=$2
    newroot "$name" "$kind" "$3"
    cp -a "$r" "$r.pristine"
    before=$(snapshot "$r")
    out=$(setup "$r" install --cpu intel --bootloader "$([ "$kind" = cmdline ] && echo kernel-install || echo "$kind")" 2>&1)
    [ $? -eq 0 ] || { bad "$name install" "$out"; return; }
    args=$(cd "$r" && effective "$r" "$kind")
    for want in intel_iommu=on iommu=pt; do
        case " $args " in *" $want "*) ;; *) bad "$name install" "no $want in: $args"; return ;; esac
    done
    for no in intel_iommu=off iommu=off; do
        case " $args " in *" $no "*) bad "$name install" "$no still in: $args"; return ;; esac
    done
    case $kind in
    grub) grep -q '^update-grub' "$r/commands.log" || { bad "$name" "update-grub did not run"; return; } ;;
    grubby) grep -q '^grubby --update-kernel=ALL --args=intel_iommu=on iommu=pt' "$r/commands.log" ||
        { bad "$name" "grubby did not run: $(cat "$r/commands.log")"; return; } ;;
    esac
    grep -q '^dracut -f --regenerate-all' "$r/commands.log" || { bad "$name" "dracut did not run"; return; }
    grep -q 'add_dracutmodules+=" passthru "' "$r/etc/dracut.conf.d/passthru.conf" ||
        { bad "$name" "dracut module not enabled"; return; }
    once=$(snapshot "$r")
    out=$(setup "$r" install --cpu intel --bootloader "$([ "$kind" = cmdline ] && echo kernel-install || echo "$kind")" 2>&1)
    case $out in *"nothing to do"*) ;; *) bad "$name install again" "$out"; return ;; esac
    [ "$(snapshot "$r")" = "$once" ] || { bad "$name install again" "files changed"; return; }
    out=$(setup "$r" uninstall 2>&1) || { bad "$name uninstall" "$out"; return; }
    rm -f "$r/commands.log"
    if [ "$kind" = grubby ]; then
        # grubby itself edited the BLS entry back
        cmp -s "$r/boot/loader/entries/f39.conf" "$r.pristine/boot/loader/entries/f39.conf" ||
            { bad "$name uninstall" "BLS entry differs"; return; }
    fi
    [ "$(snapshot "$r")" = "$before" ] && diff -r "$r" "$r.pristine" >/dev/null ||
        { bad "$name uninstall" "not byte-identical: $(diff -r "$r" "$r.pristine" | head -n 5)"; return; }
    ok "$name: install, install again (no change), uninstall (byte-identical)"
}

for f in "$here"/corpus/*.grub; do
    n=$(basename "$f" .grub)
    # a BLS host (GRUB_ENABLE_BLSCFG=true) never gets the Debian drop-in: tested below
    grep -q '^GRUB_ENABLE_BLSCFG=true' "$f" || lifecycle_case "grub-$n" grub "$f"
    # backslashes in GRUB_CMDLINE_LINUX: the in-place edit refuses (tested below)
    grep -q '\\' "$f" || lifecycle_case "grubby-$n" grubby "$f"
done
for f in "$here"/corpus/*.cmdline; do
    lifecycle_case "kernel-cmdline-$(basename "$f" .cmdline)" cmdline "$f"
done

# AMD: no intel_iommu=on; amd_iommu=on (not a valid value) is dropped
newroot amd cmdline "$here/corpus/plain.cmdline"
printf 'root=/dev/sda1 amd_iommu=on\n' >"$r/etc/kernel/cmdline"
setup "$r" install --cpu amd --bootloader kernel-install >/dev/null 2>&1
[ "$(cat "$r/etc/kernel/cmdline")" = "root=/dev/sda1 iommu=pt" ] && ok "AMD: iommu=pt only, amd_iommu=on dropped" ||
    bad "AMD" "$(cat "$r/etc/kernel/cmdline")"
newroot nopt cmdline "$here/corpus/plain.cmdline"
setup "$r" install --cpu intel --no-iommu-pt --bootloader kernel-install >/dev/null 2>&1
[ "$(cat "$r/etc/kernel/cmdline")" = "root=UUID=0b7c2a4e-1 ro quiet intel_iommu=on" ] &&
    ok "--no-iommu-pt: intel_iommu=on only" || bad "--no-iommu-pt" "$(cat "$r/etc/kernel/cmdline")"

# without --cpu, the firmware's IOMMU table decides: DMAR -> Intel, IVRS -> AMD
newroot detect cmdline "$here/corpus/plain.cmdline"
out=$(setup "$r" install --bootloader kernel-install --dry-run 2>&1)
amd=$work/amd-sysroot && rm -rf "$amd" && mkdir -p "$amd" && tar -xzf tests/fixtures/amd-gpu-hda/tree.tar.gz -C "$amd"
out2=$(PATH=$here/bin:$PATH "$bin" install --root "$r" --sysroot "$amd" --bootloader kernel-install --dry-run 2>&1)
if echo "$out" | grep -q '^CPU: intel; kernel arguments: intel_iommu=on iommu=pt' &&
    echo "$out2" | grep -q '^CPU: amd; kernel arguments: iommu=pt'; then
    ok "CPU from the firmware's IOMMU table (DMAR: intel, IVRS: amd)"
else
    bad "CPU detection" "$out $out2"
fi

# --allow-unsafe-interrupts: only when asked, with a warning; uninstall removes it
newroot unsafe cmdline "$here/corpus/plain.cmdline"
cp -a "$r" "$r.pristine"
out=$(setup "$r" install --cpu intel --bootloader kernel-install --allow-unsafe-interrupts 2>&1)
if grep -qx 'options vfio_iommu_type1 allow_unsafe_interrupts=1' \
    "$r/etc/modprobe.d/passthru-unsafe-interrupts.conf" 2>/dev/null &&
    echo "$out" | grep -q 'WARNING: --allow-unsafe-interrupts' &&
    setup "$r" uninstall >/dev/null 2>&1 && rm -f "$r/commands.log" &&
    diff -r "$r" "$r.pristine" >/dev/null; then
    ok "--allow-unsafe-interrupts: modprobe.d option with a warning, removed by uninstall"
else
    bad "--allow-unsafe-interrupts" "$out"
fi
newroot safe cmdline "$here/corpus/plain.cmdline"
setup "$r" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
[ ! -e "$r/etc/modprobe.d/passthru-unsafe-interrupts.conf" ] && ok "no unsafe interrupts unless asked" ||
    bad "unsafe interrupts" "written without being asked"

# --dry-run prints a diff and the commands, and changes nothing
newroot dry grub "$here/corpus/debian-default.grub"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel --dry-run 2>&1)
if [ "$(snapshot "$r")" = "$before" ] && [ ! -e "$r/commands.log" ] &&
    echo "$out" | grep -q '^+++ b/etc/default/grub.d/passthru.cfg' &&
    echo "$out" | grep -q '^would run: dracut -f --regenerate-all'; then
    ok "--dry-run: a diff, the commands, no change"
else
    bad "--dry-run" "$out"
fi

# --device is written into /etc/passthru.conf, and uninstall takes it out again
newroot device grub "$here/corpus/debian-default.grub"
: >"$r/etc/passthru.conf"
cp -a "$r" "$r.pristine"
setup "$r" install --cpu intel --device 0000:00:05.0 >/dev/null 2>&1
grep -qx 'device = 0000:00:05.0' "$r/etc/passthru.conf" && setup "$r" uninstall >/dev/null 2>&1 &&
    rm -f "$r/commands.log" && diff -r "$r" "$r.pristine" >/dev/null &&
    ok "--device: written to the config, removed by uninstall" || bad "--device" "$(cat "$r/etc/passthru.conf")"

# what the planner refuses, install refuses, and changes nothing
newroot refuse grub "$here/corpus/debian-default.grub"
printf 'device = 0000:00:02.0\n' >"$r/etc/passthru.conf"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
code=$?
[ $code -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q 'boot display' &&
    ok "install refuses the boot display, naming why" || bad "refuse boot display" "exit $code: $out"
printf 'device = 0000:00:05.0\nboot_vga = sometimes\n' >"$r/etc/passthru.conf"
out=$(setup "$r" install --cpu intel 2>&1)
code=$?
[ $code -eq 2 ] && echo "$out" | grep -q '/etc/passthru.conf:2: bad value' &&
    ok "install: config error names file and line, exit 2" || bad "config error" "exit $code: $out"
out=$(setup "$r" install --cpu intel --device 99:zz.0 2>&1)
[ $? -eq 2 ] && ok "install: a bad --device is a usage error" || bad "bad --device" "$out"

# fault injection: each file operation fails in turn; every file stays old or new, never half
newroot faults grub "$here/corpus/contradicting.grub"
cp "$here/corpus/contradicting.cmdline" "$r/etc/kernel/cmdline"
cp -a "$r" "$work/faults.pristine"
cp -a "$r" "$work/faults.intended"
setup "$work/faults.intended" install --cpu intel --bootloader grub >/dev/null 2>&1
setup "$work/faults.intended" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
n=1 failures=0
while [ $n -lt 60 ]; do
    rm -rf "$r" && cp -a "$work/faults.pristine" "$r"
    out=$(PASSTHRU_FAIL_AT=$n setup "$r" install --cpu intel --bootloader grub 2>&1)
    code=$?
    [ $code -eq 0 ] && break
    failures=$((failures + 1))
    if echo "$out" | grep -q "cannot update /var/lib/passthru/installed: Input/output error"; then
        # the files are in place and the commands ran, but the record of it failed: it
        # still says the commands are pending, so the next install runs them again
        out=$(setup "$r" install --cpu intel --bootloader grub 2>&1)
        [ "$(grep -c '^dracut' "$r/commands.log")" = 2 ] && [ "$(grep -c '^update-grub' "$r/commands.log")" = 2 ] &&
            echo "$out" | grep -q '^installed' || { bad "fault $n" "late failure not retried: $out"; break; }
        late=yes
        code=0
        break
    fi
    echo "$out" | grep -q 'install failed: cannot .*: Input/output error' ||
        { bad "fault $n" "message: $out"; break; }
    if [ -n "$(find "$r" -name '*.passthru-tmp')" ]; then bad "fault $n" "temporary file left"; break; fi
    rm -f "$r/commands.log"
    diff -r "$r" "$work/faults.pristine" >/dev/null || { bad "fault $n" "files changed after a failure"; break; }
    n=$((n + 1))
done
[ $code -eq 0 ] && [ $failures -gt 3 ] && [ "${late:-}" = yes ] &&
    ok "fault injection: $failures failing operations, each undone (or, after the commands, retried), messages name them" ||
    [ $fail -gt 0 ] || bad "fault injection" "never succeeded"
# and uninstall: each failure leaves the installed files as they were
cp -a "$r" "$work/faults.installed"
n=1 failures=0
while [ $n -lt 60 ]; do
    rm -rf "$r" && cp -a "$work/faults.installed" "$r"
    out=$(PASSTHRU_FAIL_AT=$n setup "$r" uninstall 2>&1)
    code=$?
    [ $code -eq 0 ] && break
    failures=$((failures + 1))
    rm -f "$r/commands.log" "$work/faults.installed/commands.log"
    diff -r "$r" "$work/faults.installed" >/dev/null || { bad "uninstall fault $n" "files changed: $out"; break; }
    n=$((n + 1))
done
[ $code -eq 0 ] && ok "uninstall fault injection: $failures failing operations, each undone" ||
    bad "uninstall fault injection" "never succeeded"

# --root: absolute symlinks planted in the image never reach this host's files
esc=$work/escape-host
rm -rf "$esc" && mkdir -p "$esc/grub.d" && echo HOST >"$esc/cmdline"
newroot escape cmdline "$here/corpus/plain.cmdline"
rm -f "$r/etc/kernel/cmdline"
ln -s "$esc/cmdline" "$r/etc/kernel/cmdline"
: >"$r/usr/sbin/update-grub"
cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
ln -s "$esc/grub.d" "$r/etc/default/grub.d"
ln -s ../../../../../../../../.. "$r/etc/dracut.conf.d"
setup "$r" install --cpu intel --bootloader kernel-install >"$work/escape.out" 2>&1
setup "$r" install --cpu intel --bootloader grub >>"$work/escape.out" 2>&1
if [ "$(cat "$esc/cmdline")" = HOST ] && [ -z "$(ls -A "$esc/grub.d")" ] && [ ! -e /passthru.conf ] &&
    [ -f "$r/etc/kernel/cmdline" ] && [ ! -L "$r/etc/kernel/cmdline" ] &&
    grep -q intel_iommu=on "$r/etc/kernel/cmdline"; then
    ok "--root: planted symlinks (absolute and ../..) stay inside the image"
else
    bad "--root symlink escape" "$(cat "$work/escape.out")"
fi

# ---- install converges, and says only what is true ----
count() { if [ -f "$r/commands.log" ]; then grep -c "^$1" "$r/commands.log"; else echo 0; fi; }
newroot conv grub "$here/corpus/debian-default.grub"
setup "$r" install --cpu intel >/dev/null 2>&1
printf '# a comment\ndevice = 0000:00:05.0\n' >"$r/etc/passthru.conf"
out=$(setup "$r" install --cpu intel 2>&1)
conf_sha=$(sha256sum <"$r/etc/passthru.conf" | cut -d' ' -f1)
if [ "$(count dracut)" = 2 ] && echo "$out" | grep -q '^installed' &&
    grep -qx "config-sha256 $conf_sha" "$r/var/lib/passthru/installed"; then
    ok "a hand edit of /etc/passthru.conf: install rebuilds the images, records the new hash"
else
    bad "config edit" "$out"
fi
printf 'claim v2\n' >"$r/usr/lib/passthru/passthru-claim"
out=$(setup "$r" install --cpu intel 2>&1)
[ "$(count dracut)" = 3 ] && grep -qx "claim-sha256 $(sha256sum <"$r/usr/lib/passthru/passthru-claim" | cut -d' ' -f1)" \
    "$r/var/lib/passthru/installed" && ok "a new passthru-claim: install rebuilds the images" ||
    bad "claim change" "$out"
out=$(setup "$r" install --cpu intel 2>&1)
[ "$(count dracut)" = 3 ] && [ "$(echo "$out" | tail -n 1)" = "nothing to do: passthru is installed and up to date" ] &&
    ok "then nothing to do" || bad "converged" "$out"
grep -qx 'device 0000:00:05.0 1234:1111' "$r/var/lib/passthru/installed" && grep -qx 'initramfs dracut' "$r/var/lib/passthru/installed" &&
    ok "the record: the generator, each address's vendor:device" || bad "record" "$(cat "$r/var/lib/passthru/installed")"
for cmd in update-grub dracut; do
    newroot "fail-$cmd" grub "$here/corpus/debian-default.grub"
    out=$(PASSTHRU_TEST_FAIL_CMD=$cmd setup "$r" install --cpu intel 2>&1)
    code=$?
    out2=$(setup "$r" install --cpu intel 2>&1)
    code2=$?
    if [ $code -eq 1 ] && ! echo "$out" | grep -q '^installed' && [ $code2 -eq 0 ] &&
        [ "$(count "$cmd")" = 2 ] && echo "$out2" | grep -q '^installed'; then
        ok "a failed $cmd: exit 1, and the next install runs it again"
    else
        bad "failed $cmd" "exit $code/$code2: $out // $out2"
    fi
done

newroot nogen grub "$here/corpus/debian-default.grub"
rm "$r/usr/bin/dracut"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q 'no supported initramfs generator.*supported: dracut' &&
    ok "no supported initramfs generator: exit 1, nothing changed, the supported ones named" || bad "no generator" "$out"
newroot noclaim grub "$here/corpus/debian-default.grub"
rm "$r/usr/lib/passthru/passthru-claim"
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && [ ! -e "$r/var/lib/passthru" ] && echo "$out" | grep -q 'passthru-claim is not installed' &&
    ok "no passthru-claim in the root: exit 1, nothing changed" || bad "no claim" "$out"
newroot nomodule grub "$here/corpus/debian-default.grub"
rm -r "$r/usr/lib/dracut"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q "dracut module .* is not installed" &&
    ok "no passthru dracut module in the root: exit 1, nothing changed" || bad "no module" "$out"
newroot noboot none
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q 'no boot configuration found' &&
    ok "no boot configuration: exit 1, nothing changed" || bad "no boot configuration" "$out"
out=$(setup "$r" install --cpu intel --bootloader none 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q 'add to the kernel command line yourself: intel_iommu=on iommu=pt' &&
    ok "--bootloader none: exit 0, the exact arguments to add" || bad "--bootloader none" "$out"
newroot noinit grub "$here/corpus/debian-default.grub"
out=$(setup "$r" install --cpu intel --no-initramfs 2>&1)
if [ $? -eq 0 ] && [ "$(count dracut)" = 0 ] && echo "$out" | grep -q '^  dracut -f --regenerate-all' &&
    echo "$out" | grep -q 'nothing is claimed until it has run' && ! echo "$out" | grep -q '^installed'; then
    out=$(setup "$r" install --cpu intel 2>&1)
    [ "$(count dracut)" = 1 ] && echo "$out" | grep -q '^installed' &&
        ok "--no-initramfs: exit 0, the command to run, nothing claimed; the next install rebuilds" ||
        bad "--no-initramfs then install" "$out"
else
    bad "--no-initramfs" "$out"
fi
newroot rootonly grub "$here/corpus/debian-default.grub"
out=$(PATH=$here/bin:$PATH "$bin" install --cpu intel --root "$r" --sysroot "$fixture" 2>&1)
[ $? -eq 0 ] && [ ! -e "$r/commands.log" ] && echo "$out" | grep -q '^  update-grub' &&
    echo "$out" | grep -q '^  dracut -f --regenerate-all' && echo "$out" | grep -q 'nothing is claimed until they have run' &&
    ok "--root: exit 0, runs nothing, prints the commands" || bad "--root" "$out"
newroot rootgrubby grubby "$here/corpus/fedora.grub"
out=$(PATH=$here/bin:$PATH "$bin" install --cpu intel --root "$r" --sysroot "$fixture" 2>&1)
echo "$out" | grep -qx '  grubby --update-kernel=ALL --args="intel_iommu=on iommu=pt"' &&
    out=$(PATH=$here/bin:$PATH "$bin" uninstall --root "$r" 2>&1) &&
    echo "$out" | grep -qx '  grubby --update-kernel=ALL --remove-args="intel_iommu=on iommu=pt"' &&
    ok "printed grubby commands are whole shell commands" || bad "printed grubby" "$out"

newroot other grub "$here/corpus/debian-default.grub"
out=$(setup "$r" install --cpu other 2>&1)
[ $? -eq 0 ] && [ ! -e "$r/etc/default/grub.d/passthru.cfg" ] && [ "$(count dracut)" = 1 ] &&
    echo "$out" | grep -q '^CPU: other; kernel arguments: (none needed)' &&
    ok "--cpu other: no argument, no boot configuration edited, the initramfs still set up" || bad "cpu other" "$out"

# ---- the user's bytes ----
newroot bytes grub "$here/corpus/glob-spaces.grub"
touch "$r/a.txt" "$r/b.txt"
want=$(cd "$r" && mkconfig_line)
setup "$r" install --cpu intel >"$work/bytes.out" 2>&1
got=$(cd "$r" && mkconfig_line)
[ "$got" = "$(printf '%s' "$want" | sed 's/ quiet$/ intel_iommu=on iommu=pt quiet/')" ] &&
    case $got in *'console=ttyS0  dyndbg="module * +p"  root= '*) true ;; *) false ;; esac &&
    grep -qF "GRUB (grub-mkconfig sources" "$work/bytes.out" &&
    grep -qF "$got" "$work/bytes.out" &&
    ok "GRUB drop-in: globs, \$ and double blanks reach the command line byte for byte; install printed it" ||
    bad "drop-in bytes" "want $want got $got: $(cat "$work/bytes.out")"
newroot bsl grubby "$here/corpus/glob-spaces.grub"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q 'cannot safely edit /etc/default/grub' &&
    ok "grubby host, backslashes in GRUB_CMDLINE_LINUX: refused, nothing changed" || bad "backslash refusal" "$out"
echo "$out" | grep -qF 'add intel_iommu=on iommu=pt by hand to GRUB_CMDLINE_LINUX in /etc/default/grub' &&
    ok "grubby host, quoting refused: the message names the arguments to add and where" || bad "refusal names" "$out"
# escaped quotes, the arguments added by hand: nothing to edit in /etc/default/grub (issue 19)
newroot escq grubby "$here/corpus/fedora.grub"
printf '%s\n' 'GRUB_TIMEOUT=5' 'GRUB_ENABLE_BLSCFG=true' \
    'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash acpi_osi=\"Windows 2015\""' \
    'GRUB_CMDLINE_LINUX="rhgb acpi_osi=\"Windows 2015\" intel_iommu=on iommu=pt"' >"$r/etc/default/grub"
cp -a "$r" "$r.pristine"
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 0 ] && cmp -s "$r/etc/default/grub" "$r.pristine/etc/default/grub" &&
    grep -q '^grubby --update-kernel=ALL --args=intel_iommu=on iommu=pt' "$r/commands.log" &&
    ok "grubby host, escaped quotes with the arguments added by hand: installed, the file untouched" ||
    bad "escaped quotes, arguments by hand" "$out"
uninstall_exact "grubby host, escaped quotes: uninstall byte-identical"
sed -i 's/ intel_iommu=on iommu=pt"/ intel_iommu=off"/' "$r/etc/default/grub"
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -qF 'add intel_iommu=on iommu=pt by hand to GRUB_CMDLINE_LINUX in /etc/default/grub (inside its quotes) and take intel_iommu=off out of GRUB_CMDLINE_LINUX' &&
    ok "grubby host, escaped quotes, intel_iommu=off: refused, naming what to add and to take out" ||
    bad "escaped quotes, contradiction" "$out"
newroot sq grubby "$here/corpus/single-dollar.grub"
setup "$r" install --cpu intel >/dev/null 2>&1
grep -qxF "GRUB_CMDLINE_LINUX='quiet root=\$ROOTDEV intel_iommu=on iommu=pt'" "$r/etc/default/grub" &&
    ok "grubby host: single quotes stay single, \$ROOTDEV literal" || bad "single quotes" "$(cat "$r/etc/default/grub")"
newroot pt0 cmdline "$here/corpus/plain.cmdline"
printf 'root=/dev/sda1 iommu.passthrough=0 intel_iommu=off\n' >"$r/etc/kernel/cmdline"
out=$(setup "$r" install --cpu intel --bootloader kernel-install 2>&1)
[ "$(cat "$r/etc/kernel/cmdline")" = "root=/dev/sda1 intel_iommu=on iommu=pt" ] &&
    echo "$out" | grep -q 'contradicting arguments replaced: intel_iommu=off iommu.passthrough=0' &&
    ok "contradicting arguments (iommu.passthrough=0 with iommu=pt) replaced and named" || bad "contradictions" "$out"

# ---- the effective command line, per configuration ----
newroot later grub "$here/corpus/debian-default.grub"
mkdir -p "$r/etc/default/grub.d" && echo 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=off"' \
    >"$r/etc/default/grub.d/zz-local.cfg"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
[ $? -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q 'intel_iommu=off present' &&
    ok "a later drop-in (zz-local.cfg: intel_iommu=off): install refuses, nothing changed" || bad "zz-local" "$out"
newroot blsnogrubby grubby "$here/corpus/fedora.grub"
rm "$r/usr/sbin/grubby"
before=$(snapshot "$r")
out=$(setup "$r" install --cpu intel 2>&1)
code=$?
out2=$(setup "$r" install --cpu intel --bootloader grub 2>&1)
code2=$?
[ $code -eq 1 ] && [ $code2 -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q 'grubby, which updates them, is not installed' &&
    echo "$out2" | grep -q 'would not reach them' && ok "BLS without grubby: an error, never the Debian drop-in" ||
    bad "BLS without grubby" "$out // $out2"
newroot blsout grubby "$here/corpus/fedora.grub"
out=$(setup "$r" install --cpu intel 2>&1)
echo "$out" | grep -q '^kernel command line for the next boot, BLS entry /boot/loader/entries/f39.conf (grubby): root=/dev/mapper/fedora-root ro rd.lvm.lv=fedora/root rhgb quiet intel_iommu=on iommu=pt$' &&
    echo "$out" | grep -q '^kernel command line now, BLS entry' &&
    ok "grubby: each entry's command line, before (as grubby will make it) and after" || bad "BLS effective" "$out"

newroot kernelopts grubby "$here/corpus/fedora.grub"
sed -i 's/^options .*/options $kernelopts/' "$r/boot/loader/entries/f39.conf"
mkdir -p "$r/boot/grub2" && printf '# GRUB Environment Block\nkernelopts=root=/dev/vda3 ro quiet\n' >"$r/boot/grub2/grubenv"
out=$(setup "$r" install --cpu intel 2>&1)
echo "$out" | grep -q '^kernel command line for the next boot, BLS entry .*: root=/dev/vda3 ro quiet intel_iommu=on iommu=pt$' &&
    ok "BLS: \$kernelopts read from grubenv" || bad "kernelopts" "$out"

# ---- uninstall is exact ----
newroot hand cmdline "$here/corpus/plain.cmdline"
setup "$r" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
sed -i 's/ quiet / quiet splash /' "$r/etc/kernel/cmdline"
sed -i 's/ intel_iommu=on//' "$r/etc/kernel/cmdline"
setup "$r" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
cmp -s "$r/var/lib/passthru/backup/etc/kernel/cmdline" "$here/corpus/plain.cmdline" &&
    grep -q '^merged /etc/kernel/cmdline ' "$r/var/lib/passthru/installed" &&
    ok "a second install keeps the first backup, and notes the file was changed by hand" ||
    bad "first backup" "$(cat "$r/var/lib/passthru/backup/etc/kernel/cmdline" "$r/var/lib/passthru/installed")"
before=$(snapshot "$r")
out=$(setup "$r" uninstall --dry-run 2>&1)
[ "$(snapshot "$r")" = "$before" ] && echo "$out" | grep -q '^would run: dracut -f --regenerate-all' &&
    echo "$out" | grep -q '^-root=UUID=0b7c2a4e-1 ro quiet splash iommu=pt intel_iommu=on' &&
    ok "uninstall --dry-run: the diff and the commands, no change" || bad "uninstall --dry-run" "$out"
setup "$r" uninstall >/dev/null 2>&1
[ "$(cat "$r/etc/kernel/cmdline")" = "root=UUID=0b7c2a4e-1 ro quiet splash" ] && [ ! -e "$r/var/lib/passthru" ] &&
    ok "install, hand edit, install, uninstall: the hand edit stays, passthru's arguments go, nothing left" ||
    bad "hand edit round trip" "$(cat "$r/etc/kernel/cmdline")"
newroot handgrub grubby "$here/corpus/debian-default.grub"
cp -a "$r" "$r.pristine"
setup "$r" install --cpu intel >/dev/null 2>&1
sed -i 's/^GRUB_TIMEOUT=5/GRUB_TIMEOUT=7/' "$r/etc/default/grub"
setup "$r" install --cpu intel >/dev/null 2>&1
setup "$r" uninstall >/dev/null 2>&1
sed -i 's/^GRUB_TIMEOUT=5/GRUB_TIMEOUT=7/' "$r.pristine/etc/default/grub"
rm -f "$r/commands.log"
diff -r "$r" "$r.pristine" >/dev/null && ok "grubby host: the same round trip, byte-identical but for the hand edit" ||
    bad "grubby hand edit" "$(diff -r "$r" "$r.pristine" | head -n 8)"
newroot had cmdline "$here/corpus/plain.cmdline"
printf 'root=/dev/sda1 iommu=pt\n' >"$r/etc/kernel/cmdline"
setup "$r" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
echo ' # edited' >>"$r/etc/kernel/cmdline"
setup "$r" uninstall >/dev/null 2>&1
[ "$(cat "$r/etc/kernel/cmdline")" = "root=/dev/sda1 iommu=pt
 # edited" ] && ok "an argument the user had (iommu=pt) stays after uninstall" || bad "user's iommu=pt" "$(cat "$r/etc/kernel/cmdline")"
# ---- uninstall gives back what install took (issue 19, truth round 2) ----
# a loader entry made after install (a kernel update: kernel-install copies /etc/kernel/cmdline)
newroot kupdate cmdline "$here/corpus/plain.cmdline"
printf 'root=UUID=0b7c2a4e-1 ro intel_iommu=off quiet\n' >"$r/etc/kernel/cmdline"
printf 'title Old\nversion 6.1\nlinux /vmlinuz-6.1\noptions root=UUID=0b7c2a4e-1 ro intel_iommu=off quiet\n' \
    >"$r/boot/loader/entries/m-6.1.conf"
printf 'title Mine\nversion 6.0\nlinux /vmlinuz-6.0\noptions root=UUID=0b7c2a4e-1 intel_iommu=on iommu=pt\n' \
    >"$r/boot/loader/entries/m-6.0.conf"
cp -a "$r" "$r.pristine"
setup "$r" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
printf 'title New\nversion 6.2\nlinux /vmlinuz-6.2\noptions %s\n' "$(cat "$r/etc/kernel/cmdline")" \
    >"$r/boot/loader/entries/m-6.2.conf"
out=$(setup "$r" uninstall 2>&1)
code=$?
[ $code -eq 0 ] && [ "$(sed -n 's/^options //p' "$r/boot/loader/entries/m-6.2.conf")" = \
    "root=UUID=0b7c2a4e-1 ro quiet intel_iommu=off" ] &&
    echo "$out" | grep -q 'm-6.2.conf: made after install' &&
    cmp -s "$r/boot/loader/entries/m-6.1.conf" "$r.pristine/boot/loader/entries/m-6.1.conf" &&
    cmp -s "$r/boot/loader/entries/m-6.0.conf" "$r.pristine/boot/loader/entries/m-6.0.conf" &&
    cmp -s "$r/etc/kernel/cmdline" "$r.pristine/etc/kernel/cmdline" && [ ! -e "$r/var/lib/passthru" ] &&
    ok "uninstall: a loader entry made after install loses passthru's words and gets intel_iommu=off back; the user's own entry keeps its" ||
    bad "entry made after install" "exit $code: $out $(cat "$r/boot/loader/entries/m-6.2.conf")"
# the same, /etc/kernel/cmdline edited by hand since install: its replaced word comes back too
newroot kupdate2 cmdline "$here/corpus/plain.cmdline"
printf 'root=UUID=0b7c2a4e-1 ro intel_iommu=off quiet\n' >"$r/etc/kernel/cmdline"
setup "$r" install --cpu intel --bootloader kernel-install >/dev/null 2>&1
sed -i 's/ quiet/ quiet splash/' "$r/etc/kernel/cmdline"
out=$(setup "$r" uninstall 2>&1)
[ "$(cat "$r/etc/kernel/cmdline")" = "root=UUID=0b7c2a4e-1 ro quiet splash intel_iommu=off" ] &&
    ok "uninstall of a hand-edited /etc/kernel/cmdline gives back the intel_iommu=off install replaced" ||
    bad "replaced word back" "$out $(cat "$r/etc/kernel/cmdline")"
# GRUB: the drop-in edited by hand
newroot dropedit grub "$here/corpus/debian-default.grub"
cp -a "$r" "$r.pristine"
setup "$r" install --cpu intel >/dev/null 2>&1
printf '# mine\nGRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX mine=1"\n' >>"$r/etc/default/grub.d/passthru.cfg"
before=$(cat "$r/etc/default/grub.d/passthru.cfg")
out=$(setup "$r" install --cpu intel --no-iommu-pt 2>&1)
code=$?
[ $code -eq 1 ] && [ "$(cat "$r/etc/default/grub.d/passthru.cfg")" = "$before" ] &&
    echo "$out" | grep -q '/etc/default/grub.d/passthru.cfg was edited' &&
    ok "install over a hand-edited GRUB drop-in: refused, naming it; the edit kept" ||
    bad "install over edited drop-in" "exit $code: $out"
out=$(setup "$r" uninstall 2>&1)
code=$?
line=$(cd "$r" && mkconfig_line)
[ $code -eq 0 ] && [ "$(cat "$r/etc/default/grub.d/passthru.cfg")" = '# mine
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX mine=1"' ] && ! echo "$line" | grep -q iommu &&
    echo "$line" | grep -q 'mine=1' &&
    ok "uninstall of a hand-edited GRUB drop-in: passthru's lines go, the user's stay" ||
    bad "edited drop-in uninstall" "exit $code: $out; $line; $(cat "$r/etc/default/grub.d/passthru.cfg")"
newroot dropedit2 grub "$here/corpus/debian-default.grub"
setup "$r" install --cpu intel >/dev/null 2>&1
sed -i 's/^passthru_add="intel_iommu=on iommu=pt"/passthru_add="intel_iommu=on iommu=pt pcie_aspm=off"/' \
    "$r/etc/default/grub.d/passthru.cfg"
before=$(cat "$r/etc/default/grub.d/passthru.cfg")
out=$(setup "$r" uninstall 2>&1)
code=$?
[ $code -eq 1 ] && [ "$(cat "$r/etc/default/grub.d/passthru.cfg")" = "$before" ] &&
    echo "$out" | grep -q '/etc/default/grub.d/passthru.cfg.*intel_iommu=on iommu=pt' &&
    ! echo "$out" | grep -q '^uninstalled' &&
    ok "uninstall of a drop-in whose own lines were edited: kept, exit 1, the file and its arguments named" ||
    bad "drop-in own lines edited" "exit $code: $out"
newroot hadbls grubby "$here/corpus/fedora.grub"
sed -i 's/^options .*/& iommu=pt/' "$r/boot/loader/entries/f39.conf"
setup "$r" install --cpu intel >/dev/null 2>&1
setup "$r" uninstall >/dev/null 2>&1
grep -q '^grubby --update-kernel=ALL --args=intel_iommu=on$' "$r/commands.log" &&
    grep -q '^grubby --update-kernel=ALL --remove-args=intel_iommu=on$' "$r/commands.log" &&
    grep -q '^options .* iommu=pt$' "$r/boot/loader/entries/f39.conf" &&
    ok "grubby: --args and --remove-args name only what passthru added" || bad "grubby user args" "$(cat "$r/commands.log")"
newroot nobak grub "$here/corpus/debian-default.grub"
setup "$r" install --cpu intel >/dev/null 2>&1
printf 'device = 0000:00:05.1\n' >>"$r/etc/passthru.conf"
setup "$r" install --cpu intel >/dev/null 2>&1
[ ! -e "$r/var/lib/passthru/backup/var" ] && ok "no backup of the install record" ||
    bad "record backup" "$(find "$r/var/lib/passthru")"

# ---- kernel-install / systemd-boot ----
sb=$work/sb-sysroot
rm -rf "$sb" && cp -a "$fixture" "$sb"
printf 'BOOT_IMAGE=/vmlinuz-6.1 root=UUID=77 ro initrd=\\initrd.img quiet dyndbg="a  b"\n' >"$sb/proc/cmdline"
newroot sdboot none
mkdir -p "$r/efi/loader/entries"
: >"$r/efi/loader/loader.conf"
printf 'title Debian\nlinux /vmlinuz-6.1\noptions root=UUID=77 ro quiet\n' >"$r/efi/loader/entries/debian-6.1.conf"
cp -a "$r" "$r.pristine"
out=$(PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r "$bin" install --cpu intel --root "$r" --sysroot "$sb" 2>&1)
code=$?
if [ $code -eq 0 ] && [ "$(cat "$r/etc/kernel/cmdline")" = 'root=UUID=77 ro quiet dyndbg="a  b" intel_iommu=on iommu=pt' ] &&
    grep -qx 'options root=UUID=77 ro quiet intel_iommu=on iommu=pt' "$r/efi/loader/entries/debian-6.1.conf"; then
    setup "$r" uninstall >/dev/null 2>&1
    rm -f "$r/commands.log"
    diff -r "$r" "$r.pristine" >/dev/null &&
        ok "systemd-boot: /etc/kernel/cmdline from the running one (less BOOT_IMAGE=, initrd=), entries updated, uninstall exact" ||
        bad "systemd-boot uninstall" "$(diff -r "$r" "$r.pristine" | head -n 5)"
else
    bad "systemd-boot" "exit $code: $out"
fi

# ---- --root without --sysroot: nothing of this machine goes into the image (issue 19) ----
# image NAME: a root with systemd-boot and no /etc/kernel/cmdline; install it with --root alone
image() {
    newroot "$1" none
    rmdir "$r/etc/kernel"
    mkdir -p "$r/efi/loader/entries"
    : >"$r/efi/loader/loader.conf"
}
image_install() { PATH=$here/bin:$PATH "$bin" install --root "$r" --bootloader kernel-install "$@" 2>&1; }
image seedentry
printf 'default debian-6.1*\n' >"$r/efi/loader/loader.conf"
printf 'title Debian\nlinux /vmlinuz-6.1\noptions root=UUID=img ro quiet -- single\n' >"$r/efi/loader/entries/debian-6.1.conf"
printf 'title Debian\nlinux /vmlinuz-6.2\noptions root=UUID=newer ro\n' >"$r/efi/loader/entries/debian-6.2.conf"
out=$(image_install --cpu intel)
code=$?
if [ $code -eq 0 ] && [ "$(cat "$r/etc/kernel/cmdline")" = 'root=UUID=img ro quiet intel_iommu=on iommu=pt -- single' ] &&
    echo "$out" | grep -q "created from the options of the image's default loader entry /efi/loader/entries/debian-6.1.conf"; then
    ok "--root alone: /etc/kernel/cmdline from the image's default loader entry (loader.conf default), arguments before --"
else
    bad "--root seed from the default entry" "exit $code: $(cat "$r/etc/kernel/cmdline" 2>&1) $out"
fi
# no loader.conf default: the newest entry, never systemd-boot's trial copy
# (_-passthru-trial.conf), which sorts after entries named by machine id ('_' after digits)
image seedsdtrial
printf 'title Debian\nlinux /vmlinuz-6.1\noptions root=UUID=mid ro\n' >"$r/efi/loader/entries/0123456789abcdef-6.1.conf"
printf 'title passthru trial\nlinux /vmlinuz-6.1\noptions root=UUID=trial ro intel_iommu=on rd.passthru.trial=1\n' \
    >"$r/efi/loader/entries/_-passthru-trial.conf"
out=$(image_install --cpu intel)
code=$?
[ $code -eq 0 ] && [ "$(cat "$r/etc/kernel/cmdline")" = 'root=UUID=mid ro intel_iommu=on iommu=pt' ] &&
    echo "$out" | grep -q "created from the options of the image's default loader entry /efi/loader/entries/0123456789abcdef-6.1.conf" &&
    ok "--root alone: the seed's default entry is never systemd-boot's trial copy (_-passthru-trial.conf)" ||
    bad "--root seed skips the sd-boot trial copy" "exit $code: $(cat "$r/etc/kernel/cmdline" 2>&1) $out"
image seedvendor
mkdir -p "$r/usr/lib/kernel" && printf 'root=LABEL=img rw\n' >"$r/usr/lib/kernel/cmdline"
printf 'title Debian\nlinux /vmlinuz-6.1\noptions root=UUID=entry ro\n' >"$r/efi/loader/entries/debian-6.1.conf"
out=$(image_install --cpu amd)
[ "$(cat "$r/etc/kernel/cmdline")" = 'root=LABEL=img rw iommu=pt' ] &&
    echo "$out" | grep -q "created from the image's /usr/lib/kernel/cmdline" &&
    ok "--root alone: /etc/kernel/cmdline from the image's /usr/lib/kernel/cmdline, as kernel-install reads it" ||
    bad "--root seed from /usr/lib/kernel/cmdline" "$(cat "$r/etc/kernel/cmdline" 2>&1) $out"
image seednone
before=$(snapshot "$r")
out=$(image_install --cpu intel)
code=$?
[ $code -eq 1 ] && [ "$(snapshot "$r")" = "$before" ] &&
    echo "$out" | grep -q "this machine's command line is not the image's): write /etc/kernel/cmdline in the image" &&
    echo "$out" | grep -q 'or give --sysroot' &&
    ok "--root alone, no command line in the image: refused, nothing changed, says to write /etc/kernel/cmdline or give --sysroot" ||
    bad "--root seed refused" "exit $code: $out"
image cpunote
mkdir -p "$r/etc/kernel" && printf 'root=/dev/sda1 ro\n' >"$r/etc/kernel/cmdline"
out=$(image_install --dry-run)
out2=$(image_install --dry-run --cpu amd)
echo "$out" | grep -q "^CPU: [a-z]* (this machine's; give --cpu for the image's hosts); kernel arguments: " &&
    echo "$out2" | grep -q '^CPU: amd; kernel arguments: iommu=pt$' &&
    ok "--root alone: the CPU line says the CPU is this machine's (--cpu for the image's); not with --cpu" ||
    bad "--root CPU line" "$out // $out2"
if [ -e /sys/bus/pci/devices/0000:00:00.0 ]; then
    image norecord
    mkdir -p "$r/etc/kernel" && printf 'root=/dev/sda1 ro\n' >"$r/etc/kernel/cmdline"
    printf 'device = 0000:00:00.0\n' >"$r/etc/passthru.conf"
    out=$(image_install --cpu intel)
    [ $? -eq 0 ] && [ -f "$r/var/lib/passthru/installed" ] && ! grep -q '^device ' "$r/var/lib/passthru/installed" &&
        ok "--root alone: the record holds no vendor:device read from this machine" ||
        bad "--root record" "$(cat "$r/var/lib/passthru/installed" 2>&1) $out"
fi

# ---- arguments go before a standalone "--" (what follows it is init's), and come out again ----
newroot dashes cmdline "$here/corpus/plain.cmdline"
printf 'root=/dev/sda1 ro  --  single "x y"\n' >"$r/etc/kernel/cmdline"
mkdir -p "$r/efi/loader/entries" && : >"$r/efi/loader/loader.conf"
printf 'title D\nlinux /vmlinuz\noptions -- emergency\n' >"$r/efi/loader/entries/d.conf"
cp -a "$r" "$r.pristine"
setup "$r" install --cpu intel --bootloader kernel-install >"$work/dashes.out" 2>&1
code=$?
if [ $code -eq 0 ] && [ "$(cat "$r/etc/kernel/cmdline")" = 'root=/dev/sda1 ro  intel_iommu=on iommu=pt --  single "x y"' ] &&
    grep -qx 'options intel_iommu=on iommu=pt -- emergency' "$r/efi/loader/entries/d.conf"; then
    uninstall_exact "kernel-install and loader entries: arguments before --, uninstall byte for byte"
else
    bad "-- in /etc/kernel/cmdline" "exit $code: $(cat "$r/etc/kernel/cmdline" "$r/efi/loader/entries/d.conf" "$work/dashes.out")"
fi
newroot dashgrub grub "$here/corpus/debian-default.grub"
printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=ttyS0 -- single"\n' >"$r/etc/default/grub"
setup "$r" install --cpu intel >"$work/dashgrub.out" 2>&1
got=$(cd "$r" && mkconfig_line)
[ "$got" = 'console=ttyS0 intel_iommu=on iommu=pt -- single quiet' ] &&
    ok "GRUB drop-in: arguments before the -- in GRUB_CMDLINE_LINUX" || bad "-- in GRUB" "$got $(cat "$work/dashgrub.out")"
newroot dashgrubby grubby "$here/corpus/fedora.grub"
sed -i 's/^GRUB_CMDLINE_LINUX="\(.*\)"/GRUB_CMDLINE_LINUX="\1 -- single"/' "$r/etc/default/grub"
setup "$r" install --cpu intel >"$work/dashgrubby.out" 2>&1
grep -q '^GRUB_CMDLINE_LINUX=".* intel_iommu=on iommu=pt -- single"$' "$r/etc/default/grub" &&
    ok "/etc/default/grub (grubby host): arguments before the --" ||
    bad "-- in /etc/default/grub" "$(grep GRUB_CMDLINE_LINUX "$r/etc/default/grub") $(cat "$work/dashgrubby.out")"

# ---- one install at a time ----
newroot race grub "$here/corpus/debian-default.grub"
cp -a "$r" "$r.pristine"
setup "$r" install --cpu intel >"$work/race1.out" 2>&1 &
p1=$!
setup "$r" install --cpu intel --allow-unsafe-interrupts >"$work/race2.out" 2>&1 &
p2=$!
wait $p1; c1=$?
wait $p2; c2=$?
rec=$r/var/lib/passthru/installed
if [ $c1 -eq 0 ] && [ $c2 -eq 0 ] && grep -q '^created /etc/default/grub.d/passthru.cfg' "$rec" &&
    grep -q '^created /etc/dracut.conf.d/passthru.conf' "$rec" &&
    grep -q '^created /etc/modprobe.d/passthru-unsafe-interrupts.conf' "$rec"; then
    uninstall_exact "two installs racing: one record with every file; uninstall leaves nothing"
else
    bad "race" "exit $c1/$c2: $(cat "$rec" "$work/race1.out" "$work/race2.out")"
fi
(flock 9; sleep 8) 9<"$r" &
p1=$!
sleep 1
out=$(setup "$r" install --cpu intel 2>&1)
code=$?
wait $p1
[ $code -eq 1 ] && echo "$out" | grep -q 'still working on .* after 5 s: nothing was changed' &&
    ok "the lock: a second one waits, then fails with a clear message" || bad "lock timeout" "exit $code: $out"

# read-only commands on captured trees
out=$("$bin" plan --sysroot "$fixture" 2>&1)
code=$?
[ $code -eq 0 ] && echo "$out" | grep -q 'no /etc/passthru.conf' && ok "plan without a config" || bad "plan" "$out"
mkdir -p "$fixture/etc" && printf 'device = 0000:00:05.0\nfoo = bar\n' >"$fixture/etc/passthru.conf"
"$bin" plan --sysroot "$fixture" >/dev/null 2>"$work/plan.err"
code=$?
[ $code -eq 2 ] && grep -q '/etc/passthru.conf:2: unknown key' "$work/plan.err" && ok "plan: config error, exit 2" ||
    bad "plan config error" "exit $code"
printf 'device = 0000:00:05.0\n' >"$fixture/etc/passthru.conf"
out=$("$bin" plan --json --sysroot "$fixture")
echo "$out" | jq -e '.devices | map(.state) == ["planned", "planned"]' >/dev/null && ok "plan --json" || bad "plan --json" "$out"
out=$("$bin" status --sysroot "$fixture")
code=$?
[ $code -eq 1 ] && echo "$out" | tail -n 1 | grep -q 'passthru-claim did not run this boot' &&
    ok "status: not ready, says what to do" || bad "status" "exit $code: $out"
# the same tree after a boot that claimed: the driver links point at vfio-pci
claimed=$work/claimed
rm -rf "$claimed" && cp -a "$fixture" "$claimed"
for f in 0 1; do
    ln -s ../../../bus/pci/drivers/vfio-pci "$claimed/sys/devices/pci0000:00/0000:00:05.$f/driver"
done
mkdir -p "$claimed/run/passthru" && echo '{"version": 1}' >"$claimed/run/passthru/status.json"
out=$("$bin" status --json --sysroot "$claimed")
code=$?
[ $code -eq 0 ] && echo "$out" | jq -e '.ready == true and .boot.version == 1' >/dev/null &&
    ok "status --json: ready, exit 0" || bad "status ready" "exit $code: $out"
out=$("$bin" list --sysroot "$fixture")
echo "$out" | grep -q 'claimable: no: 0000:00:02.0 is the boot display' && echo "$out" | grep -q 'HD Audio Controller' &&
    ok "list: groups, roles, pci.ids names, why not" || bad "list" "$out"
"$bin" list --json --sysroot "$fixture" | jq -e 'length == 2 and .[1].claimable == true' >/dev/null &&
    ok "list --json" || bad "list --json" ""
out=$("$bin" xml 0000:00:05.0 --sysroot "$fixture")
[ "$(echo "$out" | grep -c "<hostdev mode='subsystem' type='pci' managed='yes'>")" = 2 ] &&
    echo "$out" | grep -q "<address domain='0x0000' bus='0x00' slot='0x05' function='0x1'/>" &&
    ok "xml: the GPU and its companion" || bad "xml" "$out"
two=$work/two && rm -rf "$two" && mkdir -p "$two" && tar -xzf tests/fixtures/two-gpus/tree.tar.gz -C "$two"
"$bin" xml 1234:1111 --sysroot "$two" | grep -q 'more than one GPU' && ok "xml: two GPUs get the MMIO note" ||
    bad "xml two GPUs" ""
big=$work/big && rm -rf "$big" && "$top/build/gentree" "$big" 17
out=$("$bin" xml 1234:1111 --sysroot "$big" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q '68 devices, but one guest can be assigned at most 64' &&
    ok "xml: more than 64 devices refused" || bad "xml 64" "$out"
"$bin" frobnicate >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown command: exit 2" || bad "usage" ""

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
