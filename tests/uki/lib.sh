# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: QEMU with OVMF for the UKI suite: a firmware boot that ends when the guest powers
# off, when a line of the console matches a pattern (a refused image leaves the firmware or
# systemd-boot waiting at a menu forever), or at a time limit. Sourced from the top of the tree.
# shellcheck shell=sh

# fw_qemu LOG LIMIT PATTERN CODE VARS QEMU-ARGS...: QEMU with the firmware CODE (read-only)
# and the variable store VARS (written), its console in LOG (carriage returns and terminal
# escapes removed in LOG.txt); stopped when the console matches PATTERN (grep -E; empty: never)
# or after LIMIT seconds. Returns 0 when QEMU ended by itself, 1 when it was stopped.
fw_qemu() {
    log=$1 limit=$2 pattern=$3 code=$4 vars=$5
    shift 5
    # Secure Boot firmware (the secboot builds) needs SMM and a secure flash
    sb=
    case $code in *secboot*) sb="-global driver=cfi.pflash01,property=secure,value=on" ;; esac
    # shellcheck disable=SC2086 # $sb is one option pair or none
    qemu-system-x86_64 -accel "${PASSTHRU_VM_ACCEL:-tcg}" -nographic -no-reboot \
        -machine q35,smm=on,kernel-irqchip=split $sb \
        -drive if=pflash,format=raw,readonly=on,file="$code" \
        -drive if=pflash,format=raw,file="$vars" \
        -vga none -net none -audiodev none,id=a0 "$@" </dev/null >"$log" 2>&1 &
    qpid=$!
    waited=0
    stopped=0
    while kill -0 "$qpid" 2>/dev/null; do
        if [ -n "$pattern" ] && tr -d '\r' <"$log" | grep -q -E "$pattern"; then
            stopped=1
        elif [ "$waited" -ge "$limit" ]; then
            stopped=1
            echo "fw_qemu: stopped after $limit s" >>"$log"
        fi
        if [ "$stopped" = 1 ]; then
            kill "$qpid" 2>/dev/null
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
    wait "$qpid" 2>/dev/null
    tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >"$log.txt"
    [ "$stopped" = 0 ]
}
