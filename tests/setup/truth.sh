#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# truth.sh: every drift status reports, and "installed: reboot to apply", on a root that is its
# own --sysroot: set the drift up, run status (exit 1, the fix named), apply exactly the fix it
# names (its command, with the stand-ins; a reboot where it says reboot), run status again: the
# drift is gone, and the same fix is not named again.
# usage: tests/setup/truth.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
# The root: the captured intel-gpu-hda host view, kernel-install's /etc/kernel/cmdline (the next
# boot's command line is that file; or GRUB's drop-in, the line install says it made),
# initramfs-tools (the stand-ins run the tree's own hook and
# list each image's files; lsinitramfs reads them back). boot ROOT is the reboot: the command
# line from /etc/kernel/cmdline (GRUB: the last one install printed), the IOMMU on when it has intel_iommu=on, and when the image holds
# passthru-claim and a config, the claim: the status.json it writes and the configured pair
# (00:05.0 and its audio 00:05.1) on the config's driver.
set -u
top=$(pwd)
bin=$1
case $bin in /*) ;; *) bin=$top/$bin ;; esac
here=$top/tests/setup
work=${WORK:-$top/build/tests/setup-truth}
pass=0
fail=0
rm -rf "$work"
mkdir -p "$work"
kver=6.1.0-13-amd64

# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"

# mkroot NAME [CONFIG [grub]]: a root before install (no config without CONFIG, or with an
# empty one), booted without the IOMMU arguments (the IOMMU off), nothing claimed; grub: Debian's
# GRUB (the drop-in) instead of /etc/kernel/cmdline; prints its path
mkroot() {
    r=$work/$1
    rm -rf "$r" "$r.iommu" "$r.imgconf" "$r.grub"
    mkdir -p "$r/etc/kernel" "$r/etc/initramfs-tools" "$r/usr/sbin" "$r/usr/bin" \
        "$r/usr/lib/passthru" "$r/usr/lib/modules/$kver" "$r/boot" "$r.iommu"
    ln -s usr/lib "$r/lib"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$r"
    [ $# -lt 2 ] || [ -z "$2" ] || printf '%s\n' "$2" >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    for f in hooks/passthru scripts/init-top/passthru; do
        mkdir -p "$(dirname "$r/usr/share/initramfs-tools/$f")"
        cp "initramfs-tools/$f" "$r/usr/share/initramfs-tools/$f"
    done
    : >"$r/usr/sbin/mkinitramfs"
    : >"$r/usr/bin/lsinitramfs"
    printf 'MODULES=most\n' >"$r/etc/initramfs-tools/initramfs.conf"
    if [ "${3:-}" = grub ]; then
        mkdir -p "$r/etc/default" "$r/boot/grub"
        cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
        : >"$r/usr/sbin/update-grub"
        printf 'quiet\n' >"$r.grub"
        rmdir "$r/etc/kernel"
    else
        printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
    fi
    PASSTHRU_TEST_ROOT=$r "$here/bin/update-initramfs" -u -k all >/dev/null
    rm -f "$r/commands.log"
    boot "$r" >/dev/null
    echo "$r"
}

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
    if grep -q '^update-initramfs' "$s/commands.log"; then
        if grep -qx etc/passthru.conf "$s/boot/initrd.img-$kver"; then
            cp "$s/etc/passthru.conf" "$s.imgconf"
        else
            rm -f "$s.imgconf"
        fi
    fi
    return $code
}

# boot ROOT: the reboot (see the head of this file); a second later than anything before it
boot() {
    b=$1
    sleep 1
    if [ -f "$b.grub" ]; then cp "$b.grub" "$b/proc/cmdline"; else cp "$b/etc/kernel/cmdline" "$b/proc/cmdline"; fi
    printf 'cpu 0 0 0 0\nbtime %s\n' "$(date +%s)" >"$b/proc/stat"
    if grep -q 'intel_iommu=on' "$b/proc/cmdline"; then
        [ -z "$(ls "$b.iommu")" ] || mv "$b.iommu/iommu" "$b/sys/class/iommu"
        [ -d "$b.iommu/iommu_groups" ] && mv "$b.iommu/iommu_groups" "$b/sys/kernel/iommu_groups"
        on=yes
    else
        [ -d "$b/sys/class/iommu" ] && mv "$b/sys/class/iommu" "$b.iommu/iommu"
        [ -d "$b/sys/kernel/iommu_groups" ] && mv "$b/sys/kernel/iommu_groups" "$b.iommu/iommu_groups"
        on=no
    fi
    rm -rf "$b/run/passthru"
    for d in 0000:00:05.0 0000:00:05.1; do rm -f "$b/sys/bus/pci/devices/$d/driver"; done
    if grep -qx usr/lib/passthru/passthru-claim "$b/boot/initrd.img-$kver" 2>/dev/null &&
        [ -f "$b.imgconf" ]; then
        mkdir -p "$b/run/passthru"
        printf '{"version": 1, "config_sha256": "%s", "devices": [], "errors": []}\n' \
            "$(sha256sum <"$b.imgconf" | cut -d ' ' -f 1)" >"$b/run/passthru/status.json"
        drv=$(sed -n 's/^driver *= *//p' "$b.imgconf")
        [ "$on" = yes ] || drv=pci-stub
        if grep -q '^device *= *0000:00:05.0' "$b.imgconf" && [ -e "$b/sys/bus/pci/devices/0000:00:05.0" ]; then
            for d in 0000:00:05.0 0000:00:05.1; do
                ln -s "../../../bus/pci/drivers/${drv:-vfio-pci}" "$b/sys/bus/pci/devices/$d/driver"
            done
        fi
    fi
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
boot "$r"
st "$r"
ready && q '[.devices[] | .driver] == ["vfio-pci", "vfio-pci"]' && ok "after the reboot: ready, exit 0" || bad "after the reboot" "$(said)"
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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
