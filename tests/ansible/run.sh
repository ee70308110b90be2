#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: the collection passthru.host (the built tarball) run by the real ansible-playbook
# against fake hosts on this machine: connection local, each host a root that is its own
# --sysroot (tests/setup/fakehost.sh), the stand-ins of tests/setup/bin for the boot loader and
# initramfs commands. Never this machine's /etc or /boot; the play never reboots (the test
# reboots a fake host with fakehost.sh's boot).
# usage: tests/ansible/run.sh SETUP_BIN CLAIM_BIN COLLECTION_TARBALL   (make check-ansible)
set -u
top=$(pwd)
bin=$1
pkg=$3
case $bin in /*) ;; *) bin=$top/$bin ;; esac
case $pkg in /*) ;; *) pkg=$top/$pkg ;; esac
here=$top/tests/setup
t=$top/tests/ansible
work=${WORK:-$top/build/tests/ansible}
case $work in /*) ;; *) work=$top/$work ;; esac
kver=6.1.0-13-amd64 # fakehost.sh's kernel
export kver
pass=0
fail=0
rm -rf "$work"
mkdir -p "$work/bin" "$work/results" "$work/home" "$work/tmp"
start=$(date +%s)

# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
# shellcheck source=tests/setup/fakehost.sh
. "$top/tests/setup/fakehost.sh"

# the managed hosts find passthru-setup on their PATH: the build's
ln -s "$bin" "$work/bin/passthru-setup"
if ! ansible-galaxy collection install -p "$work/collections" "$pkg" >"$work/galaxy.log" 2>&1; then
    bad "ansible-galaxy collection install $pkg" "$(tail -n 3 "$work/galaxy.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_HOME="$work/home" \
    ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_REMOTE_TMP="$work/tmp" ANSIBLE_NOCOLOR=1 \
    ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_INVENTORY="$work/inventory.yml"

# --- ansible-doc shows each module's DOCUMENTATION, EXAMPLES and RETURN, and the role's options ---
ansible_doc() {
    for m in passthru passthru_info; do
        out=$(ansible-doc "passthru.host.$m" 2>&1)
        { echo "$out" | grep -q "^> PASSTHRU.HOST.$(echo "$m" | tr a-z A-Z) " && echo "$out" | grep -q '^OPTIONS' &&
            echo "$out" | grep -q '^EXAMPLES:' && echo "$out" | grep -q '^RETURN VALUES:' &&
            echo "$out" | grep -q '^- sysroot'; } && ok "ansible-doc passthru.host.$m: options, examples, return values" ||
            bad "ansible-doc $m" "$(echo "$out" | head -n 5)"
    done
    out=$(ansible-doc passthru.host.passthru 2>&1)
    for o in state devices trial auto_confirm bootloader initramfs cpu iommu_pt allow_unsafe_interrupts root; do
        echo "$out" | grep -q "^[-=] $o\$" || bad "ansible-doc passthru" "option $o not shown"
    done
    out=$(ansible-doc -t role passthru.host.vfio 2>&1)
    echo "$out" | grep -q '^- passthru_reboot_ok' && echo "$out" | grep -q '^- passthru_trial' &&
        ok "ansible-doc -t role passthru.host.vfio: its variables" || bad "ansible-doc role" "$(echo "$out" | head -n 5)"
}

# inventory HOST...: the fake hosts (their roots under $work), connection local
inventory() {
    {
        printf 'all:\n  vars:\n    ansible_connection: local\n    result_dir: %s/results\n' "$work"
        printf '    passthru_test_top: %s\n    passthru_test_kver: %s\n' "$top" "$kver"
        printf '    passthru_test_env:\n      PATH: "%s/bin:%s/bin:%s"\n' "$work" "$here" "$PATH"
        printf '      PASSTHRU_TEST_RUN_COMMANDS: "1"\n'
        printf '      PASSTHRU_TEST_ROOT: "{{ passthru_tree }}"\n  hosts:\n'
        for h in "$@"; do printf '    %s:\n      passthru_tree: %s/%s\n' "$h" "$work" "$h"; done
    } >"$work/inventory.yml"
}
inventory hosta hostb hostc hostd hoste hostf hostg

# play PLAYBOOK HOST [ansible-playbook options]: $out (the output), $code, $res (the saved
# result); after a rebuild, what the images hold of the config (fakehost.sh's imgconf)
play() {
    pb=$1 on=$2
    shift 2
    : >"$work/$on/commands.log"
    rm -f "$work/results/$on.json"
    out=$(${runner:-command} ansible-playbook -l "$on" "$t/$pb" "$@" 2>&1)
    code=$?
    echo "$out" >>"$work/$on.log"
    imgconf "$work/$on"
    res=$work/results/$on.json
}
r_is() { jq -e "$1" "$res" >/dev/null 2>&1; }
recap() { echo "$out" | grep -q "^$1 .*changed=$2 .*failed=$3 "; }
said() { echo "exit $code: $(echo "$out" | grep -E 'FAILED|fatal|msg|changed=' | head -n 6)"; }
same() { [ "$(snapshot "$1")" = "$2" ]; }

# --- the module: check mode, diff, apply, again, absent ---
module_host() {
    h=$(mkroot hosta)
    cp -a "$h" "$h.pristine"
    s0=$(snapshot "$h")
    play module.yml hosta --check
    [ $code -eq 0 ] && r_is '.changed == true and .reboot_required == true' && recap hosta 1 0 && same "$h" "$s0" &&
        ok "check mode: changed, reboot_required, no byte changed" || bad "check mode" "$(said)"
    play module.yml hosta --check --diff
    { [ $code -eq 0 ] && same "$h" "$s0" && echo "$out" | grep -q '^+root=/dev/vda1 ro quiet intel_iommu=on iommu=pt' &&
        echo "$out" | grep -q '^+device = 0000:00:05.0' && echo "$out" | grep -q '^+++ after: /etc/kernel/cmdline'; } &&
        ok "check mode with --diff: each file's before and after (the arguments), no byte changed" ||
        bad "check --diff" "$(said); $(echo "$out" | grep '^[-+]' | head -n 8)"
    play module.yml hosta
    { [ $code -eq 0 ] && r_is '.changed == true and .reboot_required == true and .rc == 0' &&
        r_is '[.kernel_cmdlines[].line | test("intel_iommu=on iommu=pt")] | all and length > 0' &&
        grep -q 'intel_iommu=on iommu=pt' "$h/etc/kernel/cmdline" && grep -qx 'device = 0000:00:05.0' "$h/etc/passthru.conf" &&
        grep -q '^update-initramfs' "$h/commands.log" && recap hosta 1 0; } &&
        ok "apply: changed, reboot_required, the kernel command line, the config written, images rebuilt" || bad "apply" "$(said)"
    s1=$(snapshot "$h")
    play module.yml hosta
    [ $code -eq 0 ] && r_is '.changed == false' && recap hosta 0 0 && same "$h" "$s1" &&
        ok "apply again: changed false, no byte changed" || bad "apply again" "$(said)"
    play module.yml hosta -e want_state=absent --check
    [ $code -eq 0 ] && r_is '.changed == true' && same "$h" "$s1" && ok "state absent, check mode: changed, no byte changed" ||
        bad "absent check" "$(said)"
    play module.yml hosta -e want_state=absent
    rm -f "$h/commands.log"
    [ $code -eq 0 ] && r_is '.changed == true' && recap hosta 1 0 && diff -r --no-dereference "$h" "$h.pristine" >/dev/null &&
        ok "state absent: changed, every byte as before" ||
        bad "absent" "$(said); $(diff -r --no-dereference "$h" "$h.pristine" | head -n 5)"
    play module.yml hosta -e want_state=absent
    [ $code -eq 0 ] && r_is '.changed == false' && recap hosta 0 0 && ok "state absent again: changed false" ||
        bad "absent again" "$(said)"
}

# --- a refusal: the task fails with passthru-setup's words, nothing changed ---
refusal_host() {
    h=$(mkroot hostb)
    s0=$(snapshot "$h")
    direct=$(PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$h \
        "$bin" install --device 0000:00:02.0 --cpu intel --dry-run --root "$h" --sysroot "$h" 2>&1)
    play module.yml hostb -e '{"want_devices": ["0000:00:02.0"]}'
    { [ $code -ne 0 ] && recap hostb 0 1 && same "$h" "$s0" &&
        echo "$out" | grep -q '"msg": "passthru-setup: 0000:00:02.0 \[1234:1111\] refused: 0000:00:02.0 is the boot display' &&
        echo "$out" | grep -q 'install refused, nothing was changed' && echo "$direct" | grep -q 'is the boot display'; } &&
        ok "a refused device (the boot display): the task fails with passthru-setup's reason, nothing changed" ||
        bad "refusal" "$(said)"
    play module.yml hostb -e want_state=present -e want_state=absent
    [ $code -eq 0 ] && r_is '.changed == false' && same "$h" "$s0" &&
        ok "state absent on a host never installed: changed false, nothing changed" || bad "absent never installed" "$(said)"

    play args.yml hostb
    [ $code -eq 0 ] && recap hostb 0 0 && same "$h" "$s0" &&
        ok "state absent with devices, auto_confirm without trial: the task fails saying why, nothing run" ||
        bad "option checks" "$(said)"
}

# --- passthru_info: status as facts, not ready is no failure; read-only, also in check mode ---
info_host() {
    h=$(mkroot hostc)
    play module.yml hostc
    s1=$(snapshot "$h")
    play info.yml hostc --check
    { [ $code -eq 0 ] && r_is '.result.changed == false and .result.ready == false' &&
        r_is '.fact.message | startswith("installed: reboot to apply")' && r_is '.fact == .result.status' &&
        r_is '.fact.reboot_required == true' && same "$h" "$s1"; } &&
        ok "passthru_info after install (check mode): ready false, 'installed: reboot to apply', no failure, read-only" ||
        bad "info installed" "$(said)"
    boot "$h"
    s1=$(snapshot "$h")
    play info.yml hostc
    st=$(PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$h "$bin" status --json --sysroot "$h" 2>/dev/null)
    { [ $code -eq 0 ] && r_is '.result.ready == true' &&
        r_is '[.fact.devices[] | .driver] == ["vfio-pci", "vfio-pci"]' &&
        [ "$(jq -S -c .fact "$res")" = "$(echo "$st" | jq -S -c .)" ] && same "$h" "$s1"; } &&
        ok "passthru_info after the reboot: ready, both functions on vfio-pci, the fact is status --json" ||
        bad "info ready" "$(said)"
    play module.yml hostc
    [ $code -eq 0 ] && r_is '.changed == false and .reboot_required == false' &&
        ok "after the reboot, the same task: changed false, reboot_required false" || bad "rebooted again" "$(said)"
}

# --- the role: installs, says the reboot is left to the owner; after the reboot, ready ---
role_host() {
    h=$(mkroot hostd)
    play role.yml hostd
    { [ $code -eq 0 ] && recap hostd 1 0 && echo "$out" | grep -q 'passthru_reboot_ok is false, so the host was not rebooted' &&
        ! echo "$out" | grep -q 'Reboot into the new setup.*changed'; } &&
        ok "role, a reboot needed and not allowed: installed, says so, not failed, not rebooted" || bad "role no reboot" "$(said)"
    boot "$h"
    play role.yml hostd --check
    [ $code -eq 0 ] && recap hostd 0 0 && ok "role after the reboot, check mode: no change" || bad "role check" "$(said)"
    play role.yml hostd
    [ $code -eq 0 ] && recap hostd 0 0 && echo "$out" | grep -q '"msg": "passthru on hostd: ready' &&
        ok "role after the reboot: changed=0, asserts ready" || bad "role ready" "$(said)"
    # the claim did not happen this boot (the GPU left on no driver): the role fails with status's words
    for d in 0000:00:05.0 0000:00:05.1; do rm -f "$h/sys/bus/pci/devices/$d/driver"; done
    msg=$(PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$h "$bin" status --json --sysroot "$h" 2>/dev/null | jq -r .message)
    play role.yml hostd
    { [ $code -ne 0 ] && recap hostd 0 1 && [ -n "$msg" ] &&
        echo "$out" | grep -qF "passthru on hostd is not ready: $msg"; } &&
        ok "role on a host whose claim did not happen: fails with status's message ($msg)" || bad "role not ready" "$(said)"
}

# --- the role with passthru_reboot_ok: install, ansible.builtin.reboot (the fake host's reboot,
# tests/ansible/fakereboot.sh, through the connection fakehost), ready; again: nothing to do ---
# guarded CMD...: CMD where systemctl (and so shutdown, reboot, halt) is /bin/false
guarded() { unshare -m sh -c 'mount --bind /bin/false /usr/bin/systemctl && exec "$@"' sh "$@"; }
reboot_host() {
    h=$(mkroot hoste)
    # never unguarded: without the namespace the play does not run
    if ! guarded sh -c '! /usr/sbin/shutdown --help && ! /usr/sbin/reboot --help' >/dev/null 2>&1; then
        bad "role with passthru_reboot_ok" "no mount namespace to run it in with shutdown and reboot made /bin/false"
        bad "role with passthru_reboot_ok, again" "not run"
        return
    fi
    runner=guarded
    play role_reboot.yml hoste -e ansible_connection=fakehost
    st=$(PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$h "$bin" status --json --sysroot "$h" 2>/dev/null)
    { [ $code -eq 0 ] && recap hoste 2 0 && echo "$out" | grep -q '^changed: \[hoste\]' &&
        echo "$out" | grep -A1 'TASK \[passthru.host.vfio : Reboot into the new setup' | grep -q '^changed' &&
        echo "$out" | grep -q '"msg": "passthru on hoste: ready' && grep -q 'intel_iommu=on iommu=pt' "$h/proc/cmdline" &&
        [ "$(echo "$st" | jq -c '[.ready, [.devices[].driver]]')" = '[true,["vfio-pci","vfio-pci"]]' ]; } &&
        ok "role with passthru_reboot_ok: install, reboot, ready asserted (changed=2: install and reboot)" ||
        bad "role with reboot" "$(said)"
    play role_reboot.yml hoste -e ansible_connection=fakehost
    { [ $code -eq 0 ] && recap hoste 0 0 && echo "$out" | grep -q '"msg": "passthru on hoste: ready' &&
        echo "$out" | grep -A1 'TASK \[passthru.host.vfio : Reboot into the new setup' | grep -q '^skipping'; } &&
        ok "role with passthru_reboot_ok again: changed=0, no reboot, ready" || bad "role with reboot again" "$(said)"
}

# --- the role's trial (systemd-boot's one-time entry, booted once by the fake reboot): a good
# trial confirmed; a bad one (the boot claims nothing) rebooted back and failed in status's words ---
trial_host() {
    runner=guarded
    trial='{"passthru_trial": true, "passthru_ready_retries": 1, "passthru_ready_delay": 1}'
    h=$(mkroot hostf "" bls)
    play role_reboot.yml hostf -e ansible_connection=fakehost -e "$trial"
    st=$(PATH=$here/bin:$PATH PASSTHRU_TEST_ROOT=$h "$bin" status --json --sysroot "$h" 2>/dev/null)
    { [ $code -eq 0 ] && recap hostf 3 0 && echo "$out" | grep -q '"msg": "passthru on hostf: ready' &&
        echo "$out" | grep -A1 'TASK \[passthru.host.vfio : Confirm the trial' | grep -q '^changed' &&
        ! grep -q 'rd.passthru.trial=1' "$h/boot/loader/entries/abc-$kver.conf" &&
        grep -qx 'root=/dev/vda1 ro quiet intel_iommu=on iommu=pt' "$h/etc/kernel/cmdline" &&
        [ "$(echo "$st" | jq -c '[.ready, .trial]')" = '[true,null]' ] && [ ! -e "$h/boot/loader/entries/_-passthru-trial.conf" ]; } &&
        ok "role, trial: install --trial, reboot into the trial, ready, confirmed (changed=3), permanent, no trial entry left" ||
        bad "role trial" "$(said)"
    play role_reboot.yml hostf -e ansible_connection=fakehost -e "$trial"
    [ $code -eq 0 ] && recap hostf 0 0 && echo "$out" | grep -q '"msg": "passthru on hostf: ready' &&
        ok "role, trial, again on the confirmed host: a plain install, changed=0, ready" || bad "role trial again" "$(said)"
    # the bad trial: selected by ID and address, which the fake boot does not claim (as a card
    # that does not come up)
    h=$(mkroot hostg "" bls)
    play role_reboot.yml hostg -e ansible_connection=fakehost -e "$trial" -e '{"passthru_devices": ["1234:1111@0000:00:05.0"]}'
    msg=$(sed -n 's/.*The trial boot said: \(.*\)"}*$/\1/p' "$work/hostg.log" | head -n 1)
    { [ $code -ne 0 ] && echo "$out" | grep -q "^hostg .*failed=1 .*rescued=1" &&
        echo "$out" | grep -q 'the trial boot was not confirmed and the host is back on its old setup. The trial boot said: .*not vfio-pci' &&
        [ "$(cat "$h/proc/cmdline")" = 'root=/dev/vda1 ro quiet' ] && grep -qx 'root=/dev/vda1 ro quiet' "$h/etc/kernel/cmdline"; } &&
        ok "role, a trial that is not ready: rebooted back to the old setup, fails with the trial boot's status ($msg)" ||
        bad "role bad trial" "$(said)"
}

# the seven lanes side by side (each its own host), their PASS/FAIL lines in this order
all="ansible_doc module_host refusal_host info_host role_host reboot_host trial_host"
lanes=${LANES:-$all}     # LANES=reboot_host: one lane, while working on it
for l in $lanes; do
    "$l" >"$work/$l.out" 2>&1 &
done
wait
for l in $lanes; do cat "$work/$l.out"; done
pass=$(cat "$work"/*.out | grep -c "^PASS")
fail=$(cat "$work"/*.out | grep -c "^FAIL")
# a lane that stopped early prints fewer lines: every check's line is counted
[ "$lanes" != "$all" ] || [ $((pass + fail)) -eq 25 ] || { echo "FAIL the lanes printed $((pass + fail)) results, not 25"; fail=$((fail + 1)); }
echo "tests/ansible: $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
