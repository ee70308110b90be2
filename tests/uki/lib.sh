# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: QEMU with OVMF for the UKI suite: a firmware boot that ends when the guest powers
# off, when a line of the console matches a pattern (a refused image leaves the firmware or
# systemd-boot waiting at a menu forever), or at a time limit. Sourced from the top of the tree.
# shellcheck shell=sh

# fw_qemu LOG LIMIT PATTERN CODE VARS QEMU-ARGS...: QEMU with the firmware CODE (read-only)
# and the variable store VARS (written), its console in LOG (carriage returns and terminal
# escapes removed in LOG.txt); stopped when the console matches PATTERN (grep -E; empty: never)
# or after LIMIT seconds. Returns 0 when QEMU ended by itself, 1 when it was stopped; sets
# fq_seconds to the seconds QEMU ran (a wait for the lock below not counted).
# PASSTHRU_QEMU_LOCK: a file locked (flock) while QEMU runs, on a machine whose users take
# turns with their guests.
fw_qemu() {
    fq_log=$1 fq_limit=$2 fq_pattern=$3 fq_code=$4 fq_vars=$5
    shift 5
    # Secure Boot firmware (the secboot builds) needs SMM and a secure flash
    fq_sb=
    case $fq_code in *secboot*) fq_sb="-global driver=cfi.pflash01,property=secure,value=on" ;; esac
    if [ -n "${PASSTHRU_QEMU_LOCK:-}" ]; then
        exec 8>>"$PASSTHRU_QEMU_LOCK"
        flock 8
    fi
    fq_t=$(date +%s)
    # the log exists before the loop reads it (QEMU's redirection happens in its own process)
    : >"$fq_log"
    # shellcheck disable=SC2086 # $fq_sb is one option pair or none
    qemu-system-x86_64 -accel "${PASSTHRU_VM_ACCEL:-tcg}" -nographic -no-reboot \
        -machine q35,smm=on,kernel-irqchip=split $fq_sb \
        -drive if=pflash,format=raw,readonly=on,file="$fq_code" \
        -drive if=pflash,format=raw,file="$fq_vars" \
        -vga none -net none -audiodev none,id=a0 "$@" </dev/null >"$fq_log" 2>&1 &
    fq_pid=$!
    fq_waited=0
    fq_stopped=0
    while kill -0 "$fq_pid" 2>/dev/null; do
        if [ -n "$fq_pattern" ] && tr -d '\r' <"$fq_log" | grep -q -E "$fq_pattern"; then
            fq_stopped=1
        elif [ "$fq_waited" -ge "$fq_limit" ]; then
            fq_stopped=1
            echo "fw_qemu: stopped after $fq_limit s" >>"$fq_log"
        fi
        if [ "$fq_stopped" = 1 ]; then
            kill "$fq_pid" 2>/dev/null
            break
        fi
        sleep 1
        fq_waited=$((fq_waited + 1))
    done
    wait "$fq_pid" 2>/dev/null
    # shellcheck disable=SC2034 # read by the callers
    fq_seconds=$(($(date +%s) - fq_t))
    [ -n "${PASSTHRU_QEMU_LOCK:-}" ] && exec 8>&-
    tr -d '\r' <"$fq_log" | sed 's/\x1b\[[0-9;?=]*[a-zA-Z]//g' >"$fq_log.txt"
    [ "$fq_stopped" = 0 ]
}
