#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: passthru-claim's time in a real guest, phase by phase, against a plain shell hook.
# Prints numbers (median of RUNS boots each); asserts nothing about them.
set -eu
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
runs=${RUNS:-3}
mkdir -p "$VM"
image=$VM/initrd.img
if vm_stale "$image"; then
    vm_image "$image"
fi
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
        else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# eight four-function cards: 32 devices
T_EIGHT="$T_BOOTVGA"
conf8=""
for s in 08 09 0a 0b 0c 0d 0e 0f; do
    T_EIGHT="$T_EIGHT -device secondary-vga,bus=pcie.0,addr=$s.0,multifunction=on"
    T_EIGHT="$T_EIGHT -device ich9-intel-hda,bus=pcie.0,addr=$s.1"
    T_EIGHT="$T_EIGHT -device qemu-xhci,bus=pcie.0,addr=$s.2 -device pci-serial,bus=pcie.0,addr=$s.3"
    for f in 0 1 2 3; do
        conf8="${conf8}device = 0000:00:$s.$f
"
    done
done
conf1="device = 0000:00:05.0
device = 0000:00:05.1"

# run NAME CONF TOPOLOGY-VAR MODE: MODE is passthru or shell
run() {
    printf '%s\n' "$2" >"$VM/bench.conf"
    vm_overlay "$image" "$VM/bench.img" "$VM/bench.conf"
    : >"$VM/bench-$1-$4.txt"
    i=0
    tries=0
    while [ "$i" -lt "$runs" ]; do
        # no_timer_check: on a busy host an emulated guest can fail the kernel's IO-APIC
        # timer check and panic before it starts; a boot that leaves no report is tried again
        append="passthru.bench=1 no_timer_check"
        [ "$4" = shell ] && append="$append passthru.shellhook=1 rd.passthru=0"
        # shellcheck disable=SC2086
        vm_boot "$VM/bench.img" "$VM/bench.log" "${PASSTHRU_VM_TIMEOUT:-240}" intel "$append" $3 || {
            echo "bench-vm: boot failed, see $VM/bench.log" >&2
            exit 1
        }
        # the kernel's timestamps of the unit's bench-mark.sh lines (start, mid) or the shell hook's (shell-start, end)
        from=start to=mid
        [ "$4" = shell ] && from=shell-start to=end
        hook=$(vm_section "$VM/bench.log" kmsg | awk -v a="passthru-bench: $from" \
            -v b="passthru-bench: $to" '
            { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t) }
            index($0, a) { s = t } index($0, b) { e = t }
            END { if (s != "" && e != "") printf "%d\n", (e - s) * 1000000 }')
        if [ -z "$hook" ]; then
            tries=$((tries + 1))
            [ "$tries" -lt 3 ] || { echo "bench-vm: no hook timestamps in $VM/bench.log" >&2; exit 1; }
            echo "bench-vm: a boot left no report ($(grep -m1 -o 'Kernel panic.*' "$VM/bench.log" ||
                echo "see $VM/bench.log")); booting again" >&2
            continue
        fi
        json=$(vm_section "$VM/bench.log" status)
        t() { printf '%s' "$json" | jq -r ".timing.$1 // \"-\"" 2>/dev/null || echo -; }
        echo "$hook $(t scan_plan_ms) $(t load_ms) $(t write_ms) $(t verify_ms) $(t total_ms)" \
            >>"$VM/bench-$1-$4.txt"
        i=$((i + 1))
    done
    rm -f "$VM/bench.img"
}
col() {
    awk -v c="$1" '{ print $c }' "$2" | median
}
echo "passthru-claim in a QEMU guest (TCG), kernel $(vm_kver); median of $runs boots"
printf '%-22s %10s %10s %10s %10s %10s %12s %12s %7s\n' guest "scan+plan" load "write+probe" verify \
    "claim total" "passthru hook" "shell hook" ratio
for g in 1 8; do
    if [ "$g" = 1 ]; then name="1 card (2 devices)"; conf=$conf1; topo=$T_GPU_HDA
    else name="8 cards (32 devices)"; conf=$conf8; topo=$T_EIGHT; fi
    run "$g" "$conf" "$topo" passthru
    run "$g" "$conf" "$topo" shell
    p=$VM/bench-$g-passthru.txt
    ph=$(col 1 "$p")
    sh_=$(col 1 "$VM/bench-$g-shell.txt")
    printf '%-22s %8s ms %8s ms %8s ms %8s ms %8s ms %9s ms %9s ms %7s\n' "$name" \
        "$(col 2 "$p")" "$(col 3 "$p")" "$(col 4 "$p")" "$(col 5 "$p")" "$(col 6 "$p")" \
        "$(echo "$ph" | awk '{ printf "%.1f", $1 / 1000 }')" \
        "$(echo "$sh_" | awk '{ printf "%.1f", $1 / 1000 }')" \
        "$(echo "$ph $sh_" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }')"
done
echo "(hook: one hook's time, exec included, from the kernel's timestamps of kmsg lines written just"
echo " before and after it by test hooks that read nothing; ratio = passthru hook / shell hook)"

# what the module adds to the initramfs: the same generic image with and without it
vm_image "$VM/size-with.img" "passthru"
vm_image "$VM/size-without.img" ""
with=$(wc -c <"$VM/size-with.img")
without=$(wc -c <"$VM/size-without.img")
echo "initramfs (zstd/gzip as dracut chose): $without bytes without passthru, $with with it:" \
    "the module adds $((with - without)) bytes ($(( (with - without) / 1024 )) KiB, binary, hook," \
    "config and the vfio modules)"
rm -f "$VM/size-with.img" "$VM/size-without.img"
