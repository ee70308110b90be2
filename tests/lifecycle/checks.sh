# SPDX-License-Identifier: GPL-2.0-or-later
# checks.sh: PASS/FAIL counting, and readers of a guest's "LIFECYCLE: key=value" console lines,
# sourced by the test drivers (tests/lifecycle/run.sh, tests/uefi/run.sh, tests/setup/initramfs.sh);
# the guest drivers set LOGS to the folder of their phaseN.log files.
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

# boot_said PHASE SECONDS LOG: how long a boot took and when the guest's step began and ended
# (its uptime); a boot whose step did not reach its end is a failure, shown by LOG's last lines
boot_said() {
    echo "boot $1: $2 s (guest uptime: step began at $(val "$1" step-start) s, ended at $(val "$1" step-end) s)"
    [ "$(val "$1" end-of-phase)" != "$1" ] || return 0
    echo "FAIL phase $1 did not finish; last lines of $3:"
    tr -d '\r' <"$3" | tail -n 30 | sed 's/^/  /'
    fail=$((fail + 1))
    return 1
}

# die WHAT: a failure that ends the run before its boots
die() {
    echo "FAIL $1"
    echo "$pass passed, $((fail + 1)) failed"
    exit 1
}
