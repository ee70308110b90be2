# SPDX-License-Identifier: GPL-2.0-or-later
# checks.sh: PASS/FAIL counting, and readers of a guest's "LIFECYCLE: key=value" console lines,
# sourced by the test drivers (tests/lifecycle/run.sh, tests/uefi/run.sh, tests/uki/run.sh,
# tests/ansible/e2e.sh, tests/setup/initramfs.sh); the guest drivers set LOGS to the folder of
# their phaseN.log files.
# shellcheck shell=sh
pass=0
fail=0

# check NAME GOT EXPECTED
check() {
    if [ "$2" = "$3" ]; then
        echo "PASS $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1: got '$2', expected '$3'"
        fail=$((fail + 1))
    fi
}

# check_match NAME GOT PART: GOT contains PART
check_match() {
    case $2 in
    *"$3"*) echo "PASS $1"; pass=$((pass + 1)) ;;
    *) echo "FAIL $1: '$2' lacks '$3'"; fail=$((fail + 1)) ;;
    esac
}

# val PHASE KEY: the value of the last "LIFECYCLE: KEY=" line of a phase's log
val() {
    tr -d '\r' <"$LOGS/phase$1.log" | sed -n "s/^LIFECYCLE: $2=//p" | tail -n 1
}

# lines PHASE PREFIX: the lines of a phase's log with a "LIFECYCLE: PREFIX" prefix, indented
lines() {
    tr -d '\r' <"$LOGS/phase$1.log" | sed -n "s/^LIFECYCLE: $2/  /p"
}

# boot_said PHASE SECONDS LOG: how long a boot took, when the guest's step began and ended (its
# uptime), and the boot against its target (tests/vm/lib.sh's): BOOT_TARGET_REBUILD for a boot
# whose step rebuilt an image (LOG names an initramfs generator or kernel-install run by
# passthru-setup), else BOOT_TARGET; a boot whose step did not reach its end is a failure, shown
# by LOG's last lines
# shellcheck disable=SC2154 # the targets come from tests/vm/lib.sh, sourced by every booting driver
boot_said() {
    if tr -d '\r' <"$3" | grep -q 'running: \(update-initramfs\|dracut\|mkinitcpio\|kernel-install\)'; then
        t=$BOOT_TARGET_REBUILD target="with an image rebuild: target $BOOT_TARGET_REBUILD s"
    else
        t=$BOOT_TARGET target="without a rebuild: target $BOOT_TARGET s"
    fi
    [ "$2" -le "$t" ] && target="$target, within" || target="$target, over"
    echo "boot $1: $2 s (guest uptime: step began at $(val "$1" step-start) s, ended at" \
        "$(val "$1" step-end) s; $target)"
    [ "$(val "$1" end-of-phase)" != "$1" ] || return 0
    echo "FAIL phase $1 did not finish; last lines of $3:"
    tr -d '\r' <"$3" | tail -n 30 | sed 's/^/  /'
    fail=$((fail + 1))
    return 1
}

# suite_dir DIR: DIR made, its boots' logs (phase*) removed, and held by this run alone (the
# images, logs and firmware variables in it are shared): a second run of the same suite stops
suite_dir() {
    mkdir -p "$1" && rm -f "$1"/phase*.log*
    exec 9>"$1/.lock"
    flock -n 9 || { echo "FAIL another $0 is using $1"; echo "0 passed, 1 failed"; exit 1; }
}

# need_firmware FILE...: each one readable, else the run ends (Debian's ovmf package has them)
need_firmware() {
    for f in "$@"; do
        [ -r "$f" ] || die "no $f (Debian's ovmf package)"
    done
}

# die WHAT: a failure that ends the run before its boots
die() {
    echo "FAIL $1"
    echo "$pass passed, $((fail + 1)) failed"
    exit 1
}
