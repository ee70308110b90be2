#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# judge.sh: the boot scenarios: one boot per scenario with its config overlay on $image, judged by
# the guest's own status document, driver links, /dev/vfio and dmesg. Sourced after lib.sh by
# run.sh (dracut) and run-gen.sh (initramfs-tools, mkinitcpio); they set image, LIMIT, pass, fail.
# shellcheck disable=SC2154 # image and LIMIT come from the sourcing script

# boot NAME IOMMU "KERNEL ARGS" "CONFIG TEXT" QEMU-ARGS...
boot() {
    name=$1 iommu=$2 append=$3
    printf '%s\n' "$4" >"$VM/$name.conf"
    shift 4
    why=""
    log=$VM/$name.log
    vm_overlay "$image" "$VM/$name.img" "$VM/$name.conf"
    t0=$(date +%s)
    if ! vm_boot "$VM/$name.img" "$log" "$LIMIT" "$iommu" "$append" "$@"; then
        why="the guest did not power off within ${LIMIT}s"
    elif ! grep -q "===PASSTHRU-END===" "$log"; then
        why="no report from the guest"
    fi
    boot_timed "$(($(date +%s) - t0))" "$log"
    vm_section "$log" status >"$VM/$name.json"
    vm_section "$log" drivers >"$VM/$name.drivers"
    vm_section "$log" vfio >"$VM/$name.vfio"
    vm_section "$log" kmsg >"$VM/$name.kmsg"
    rm -f "$VM/$name.img"
}

# boot_timed SECONDS LOG: a boot's seconds (this machine's clock, QEMU started to powered off) and
# the guest's uptime at its last kernel line, said by finish and counted for boots_said
# (against lib.sh's BOOT_TARGET, the target for a boot without an image rebuild)
booted="" nboots=0 boot_min="" boot_max=0 boot_over=0
boot_timed() {
    up=$(tr -d '\r' <"$2" | sed -n 's/^\[ *\([0-9]*\.[0-9]\)[0-9]*\].*/\1/p' | tail -n 1)
    booted="boot $1 s, powered off at ${up:-?} s of guest uptime"
    nboots=$((nboots + 1))
    [ "$1" -le "$boot_max" ] || boot_max=$1
    [ -n "$boot_min" ] && [ "$1" -ge "$boot_min" ] || boot_min=$1
    [ "$1" -le "$BOOT_TARGET" ] || boot_over=$((boot_over + 1))
}

# boots_said: the run's boots against BOOT_TARGET
boots_said() {
    [ "$nboots" -gt 0 ] || return 0
    echo "boots: $nboots, $boot_min-$boot_max s each; target at most $BOOT_TARGET s:" \
        "$((nboots - boot_over)) within, $boot_over over"
}

# scenarios NAME...: each s_NAME in turn, but those PASSTHRU_VM_SKIP leaves to make check-slow,
# then the boots' times
scenarios() {
    for s in "$@"; do
        case " ${PASSTHRU_VM_SKIP:-} " in *" $s "*) continue ;; esac
        "s_$s"
    done
    boots_said
}

# the driver the guest's sysfs shows for ADDR at the end
drv() {
    awk -v a="$1" '$1 == a { print $4 }' "$VM/$name.drivers"
}

# jq on the guest's own status document
st() {
    jq -r "$1" "$VM/$name.json" 2>/dev/null
}

state() {
    st ".devices[] | select(.address == \"$1\") | .state"
}

expect() {
    [ -n "$why" ] && return 0
    if [ "$2" != "$3" ]; then
        why="$1: got '$2', expected '$3'"
    fi
}

expect_match() {
    [ -n "$why" ] && return 0
    case $2 in
    *"$3"*) ;;
    *) why="$1: '$2' does not contain '$3'" ;;
    esac
}

expect_no_kmsg() {
    [ -n "$why" ] && return 0
    if grep -E "$1" "$VM/$name.kmsg" >/dev/null; then
        why="dmesg shows: $(grep -E "$1" "$VM/$name.kmsg" | head -n 1)"
    fi
}

finish() {
    if [ -n "$why" ]; then
        echo "FAIL $name: $why${booted:+ ($booted)}"
        echo "  --- last lines of $log ---"
        tr -d '\r' <"$log" | tail -n 25 | sed 's/^/  /'
        fail=$((fail + 1))
    else
        echo "PASS $name${booted:+ ($booted)}"
        pass=$((pass + 1))
    fi
    booted=""
}

# no kernel line from a host driver about ADDR...: every kmsg line that names the address must be
# the PCI core's, vfio-pci's or passthru's own (a host driver that bound first, even for a moment,
# names it: "[drm] Initialized bochs-drm ... for 0000:00:05.0", "snd_hda_intel 0000:00:05.1: ...")
expect_no_host_driver() {
    [ -n "$why" ] && return 0
    for a in "$@"; do
        l=$(grep -F "$a" "$VM/$name.kmsg" |
            grep -Ev "^\[ *[0-9.]+\] ((pci|vfio-pci) $a: |passthru: )" | head -n 1)
        if [ -n "$l" ]; then
            why="a host driver touched $a before passthru: $l"
            return 0
        fi
    done
}

claimed_pair() {
    expect "05.0 driver" "$(drv 0000:00:05.0)" vfio-pci
    expect "05.1 driver" "$(drv 0000:00:05.1)" vfio-pci
    expect "05.0 state" "$(state 0000:00:05.0)" claimed
    expect "05.1 state" "$(state 0000:00:05.1)" claimed
    group=$(st '.devices[] | select(.address == "0000:00:05.0") | .group')
    expect "/dev/vfio/$group" "$(grep -cx "$group" "$VM/$name.vfio")" 1
    expect_no_host_driver 0000:00:05.0 0000:00:05.1
}

s_intel_gpu_hda() {
    # shellcheck disable=SC2086
    boot intel-gpu-hda intel "" "device = 0000:00:05.0" $T_GPU_HDA
    claimed_pair
    expect "iommu.vendor" "$(st .iommu.vendor)" intel
    expect "interrupt_remapping" "$(st .iommu.interrupt_remapping)" true
    finish
}

s_amd_gpu_hda() {
    # shellcheck disable=SC2086
    boot amd-gpu-hda amd "" "device = 0000:00:05.0" $T_GPU_HDA
    claimed_pair
    expect "iommu.vendor" "$(st .iommu.vendor)" amd
    finish
}

s_four_function() {
    # shellcheck disable=SC2086
    boot four-function intel "" "device = 1234:1111@0000:00:05.0" $T_FOUR
    for f in 0 1 2 3; do
        expect "05.$f driver" "$(drv "0000:00:05.$f")" vfio-pci
        expect "05.$f state" "$(state "0000:00:05.$f")" claimed
    done
    expect "00:02.0 (boot display) driver" "$(drv 0000:00:02.0)" bochs-drm
    finish
}

s_no_iommu() {
    # shellcheck disable=SC2086
    boot no-iommu none "" "device = 0000:00:05.0" $T_GPU_HDA
    expect "iommu.active" "$(st .iommu.active)" false
    expect_match "iommu.reason" "$(st .iommu.reason)" "no IOMMU (no DMAR or IVRS"
    expect "05.0 state" "$(state 0000:00:05.0)" refused
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    finish
}

s_no_intremap() {
    # shellcheck disable=SC2086
    boot no-intremap intel-nointremap "" "device = 0000:00:05.0" $T_GPU_HDA
    claimed_pair
    expect "interrupt_remapping" "$(st .iommu.interrupt_remapping)" false
    expect_match "iommu.warning" "$(st .iommu.warning)" "--allow-unsafe-interrupts"
    finish
}

s_bridge_nic() {
    # shellcheck disable=SC2086
    boot bridge-nic intel "" "device = 0000:01:01.0" $T_BRIDGE_NIC
    expect "01:01.0 state" "$(state 0000:01:01.0)" refused
    expect_match "reason" "$(st '.devices[] | select(.address == "0000:01:01.0") | .reason')" \
        "0000:01:02.0 [8086:100e] class 0x020000"
    expect "NIC state" "$(state 0000:01:02.0)" untouched
    expect "NIC driver" "$(drv 0000:01:02.0)" e1000
    expect "display driver (host's)" "$(drv 0000:01:01.0)" bochs-drm
    finish
}

s_boot_vga() {
    # shellcheck disable=SC2086
    boot boot-vga-refused intel "" "device = 0000:00:02.0" $T_GPU_HDA
    expect "02.0 state" "$(state 0000:00:02.0)" refused
    expect_match "reason" "$(st '.devices[0].reason')" "boot display (boot_vga=1)"
    expect "02.0 driver (host's)" "$(drv 0000:00:02.0)" bochs-drm
    finish
    # shellcheck disable=SC2086
    boot boot-vga-allowed intel "" "device = 0000:00:02.0
boot_vga = allow" $T_GPU_HDA
    expect "02.0 state" "$(state 0000:00:02.0)" claimed
    expect "02.0 driver" "$(drv 0000:00:02.0)" vfio-pci
    expect_no_kmsg "bochs-drm 0000:00:02\.0"
    finish
}

s_broken_config() {
    # shellcheck disable=SC2086
    boot broken-config intel "" "device = 0000:00:05.0
companions = sometimes" $T_GPU_HDA
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    expect "devices in the status" "$(st '.devices | length')" 0
    expect_match "kmsg" "$(grep 'passthru: ' "$VM/$name.kmsg" | tr '\n' ' ')" \
        "passthru: /etc/passthru.conf:2: bad value 'sometimes' for 'companions'"
    finish
}

s_disabled() {
    # shellcheck disable=SC2086
    boot rd-passthru-0 intel "rd.passthru=0" "device = 0000:00:05.0" $T_GPU_HDA
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    expect "passthru lines in dmesg" "$(grep -c 'passthru: ' "$VM/$name.kmsg")" 0
    finish
}

s_two_gpus() {
    # shellcheck disable=SC2086
    boot two-gpus intel "" "device = 0000:00:06.0" $T_TWO
    expect "06.0 driver" "$(drv 0000:00:06.0)" vfio-pci
    expect "05.0 driver (same ID, not selected)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.0 in the status" "$(state 0000:00:05.0)" ""
    finish
}


# install --trial (docs/decisions.md, "Trial boot"): an image built while the trial mark exists
# holds /etc/passthru.trial; booted without rd.passthru.trial=1 (every entry but the trial's
# shares it) it claims nothing, with it the pair is claimed. The base image, built without the
# mark, holds none. The runner defines trial_image OUT MARK (its generator's image built with
# the mark) and list_image IMAGE (its generator's own lister).
has_trial_mark() {
    grep -Eq '(^|[ ./])etc/passthru\.trial$' "$1"
}

s_trial_pending() {
    name=trial-image why="" log=$VM/trial.initrd.log
    printf '# written by passthru-setup install --trial (test mark)\n' >"$VM/trial.mark"
    timg=$VM/trial.initrd
    rm -f "$timg"
    if ! list_image "$image" >"$VM/base.files"; then
        why="the base image cannot be listed"
    elif ! grep -Eq '(^|[ ./])etc/passthru\.conf$' "$VM/base.files"; then
        why="the base image's listing lacks /etc/passthru.conf: it cannot be trusted"
    elif has_trial_mark "$VM/base.files"; then
        why="the image built without the mark holds /etc/passthru.trial"
    elif ! trial_image "$timg" "$TOP/$VM/trial.mark"; then
        why="the generator failed"
    elif ! list_image "$timg" >"$VM/trial.files"; then
        why="the trial image cannot be listed"
    elif ! has_trial_mark "$VM/trial.files"; then
        why="the image built while the mark exists lacks /etc/passthru.trial"
    elif command -v setup_has >/dev/null; then
        # run-gen.sh: what passthru-setup status asks the generator's lister
        expect "passthru-setup: the trial image holds the mark" \
            "$(setup_has "$timg" etc/passthru.trial)" yes
        expect "passthru-setup: the base image holds the mark" \
            "$(setup_has "$image" etc/passthru.trial)" no
    fi
    finish
    [ -s "$timg" ] || return 0
    tsaved=$image image=$timg
    # shellcheck disable=SC2086
    boot trial-untried intel "" "device = 0000:00:05.0" $T_GPU_HDA
    expect "05.0 driver (host's)" "$(drv 0000:00:05.0)" bochs-drm
    expect "05.1 driver (host's)" "$(drv 0000:00:05.1)" snd_hda_intel
    expect "trial_pending" "$(st .trial_pending)" true
    expect "devices in the status" "$(st '.devices | length')" 0
    expect "/dev/vfio groups" "$(grep -c '^[0-9]' "$VM/$name.vfio")" 0
    expect_match "kmsg" "$(grep 'passthru: ' "$VM/$name.kmsg" | tr '\n' ' ')" \
        "passthru: a trial is pending (/etc/passthru.trial) and this boot is not the trial boot"
    expect_no_kmsg "vfio-pci 0000:00:05\.[01]"
    finish
    # shellcheck disable=SC2086
    boot trial-boot intel "rd.passthru.trial=1" "device = 0000:00:05.0" $T_GPU_HDA
    image=$tsaved
    claimed_pair
    expect "trial_pending" "$(st .trial_pending)" null
    finish
    rm -f "$timg"
}
