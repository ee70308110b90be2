#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# step.sh: runs inside the UEFI guest at each boot (passthru-lifecycle.service): says how the
# guest booted (firmware, systemd-boot's EFI variables, the entry, /proc/cmdline), then
# phase 1 installs; 2 checks the claim; 3 (the card is the firmware's boot display) checks the
# default boot_vga refused it, allows it, installs; 4 checks the claim and uninstalls; 5 checks
# it is gone, snapshots the boot files and installs a trial; 6 (the trial boot, no IOMMU) sees
# confirm fail; 7 (the fallback) compares the default boot's files and installs a trial again;
# 8 (the trial boot) sees confirm succeed; 9 checks it is permanent, uninstalls and compares
# every snapshotted file.
# Every result is a "LIFECYCLE: ..." line on the serial console; then the guest powers off.
state=/var/lib/passthru-lifecycle/phase
mkdir -p /var/lib/passthru-lifecycle
phase=$(cat "$state" 2>/dev/null || echo 1)
vendor=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
# say, driver, confirm_said, wait_waiting, login_now, confirm_end: shared by the guests' steps
# shellcheck source=tests/vm/guest-step.sh
. /usr/local/lib/passthru-guest-step.sh
# what /proc/iomem shows inside 00:05.0's BAR 0 besides the BAR itself: "name@start" words
bar0_holders() {
    read -r s e _ </sys/bus/pci/devices/0000:00:05.0/resource || return
    [ $((s)) -ne 0 ] || return
    while IFS= read -r line; do
        line=${line#"${line%%[! ]*}"}
        range=${line%% : *}
        name=${line#* : }
        lo=${range%-*}
        hi=${range#*-}
        if [ $((0x$lo >= s && 0x$hi <= e)) -eq 1 ] && [ "$name" != 0000:00:05.0 ]; then
            printf '%s@%s ' "$name" "$lo"
        fi
    done </proc/iomem
}
# run NAME CMD...: CMD's output as "LIFECYCLE: NAME: " lines while it runs, its status in /tmp/rc
run() {
    name=$1
    shift
    { "$@" 2>&1; echo $? >/tmp/rc; } | sed -u "s/^/LIFECYCLE: $name: /" >/dev/ttyS0
}
# an EFI variable of the boot loader interface: 4 bytes of attributes, then UTF-16LE text
efivar() {
    f=/sys/firmware/efi/efivars/$1-$vendor
    if [ -r "$f" ]; then cat "$f" | tail -c +5 | tr -d '\000'; else echo none; fi
}
# the options line of the loader entry systemd-boot booted
entry_options() {
    e=$(efivar LoaderEntrySelected)
    for f in /boot/efi/loader/entries/"$e" /boot/efi/loader/entries/"$e".conf; do
        [ -f "$f" ] && sed -n 's/^options[[:space:]]*//p' "$f" && return
    done
    echo none
}
# the boot-relevant files and EFI variables, one "NAME SHA256" line each (absent: "-")
snapshot() {
    for f in /etc/kernel/cmdline /etc/passthru.conf /boot/efi/loader/loader.conf \
        /boot/efi/loader/entries/*.conf; do
        if [ -f "$f" ]; then echo "$f $(sha256sum <"$f" | cut -d' ' -f1)"; else echo "$f -"; fi
    done
    # the file lists without the DRM drivers: with MODULES=dep, initramfs-tools adds the
    # graphics class's drivers when no firmware framebuffer is bound, so they follow the
    # display of the boot that rebuilt the image (boot 4: 00:05.0 on vfio-pci, none; boot 9:
    # 00:02.0 on bochs-drm, bochs.ko and drm), not passthru
    for f in /boot/initrd.img-* /boot/efi/debian/*/initrd.img-*; do
        [ -f "$f" ] && echo "$f:list $(lsinitramfs "$f" | grep -v /drivers/gpu | sort |
            sha256sum | cut -d' ' -f1)"
    done
    for v in LoaderEntryOneShot LoaderEntryDefault; do
        echo "efivar:$v $(efivar "$v")"
    done
}
# compare NAME [PATTERN]: the snapshot taken before the first trial against now (the lines
# matching PATTERN only): "NAME-same=yes|no", the differing lines
compare() {
    snapshot >/tmp/snap-now
    grep -e "${2:-.}" "$snap" >/tmp/snap-a
    grep -e "${2:-.}" /tmp/snap-now >/tmp/snap-b
    if cmp -s /tmp/snap-a /tmp/snap-b; then say "$1-same=yes"; else say "$1-same=no"; fi
    diff /tmp/snap-a /tmp/snap-b | sed "s/^/LIFECYCLE: $1-diff: /" >/dev/ttyS0
}
# the trial's files: the mark, the copied entry, the record's trial line
trial_files() {
    n=0
    for f in /etc/passthru.trial /boot/efi/loader/entries/_-passthru-trial.conf; do
        [ -e "$f" ] && n=$((n + 1))
    done
    grep -q '^trial ' /var/lib/passthru/installed 2>/dev/null && n=$((n + 1))
    echo "$n"
}
# install_trial NAME [OPTION]: install --trial, then what it armed: the one-shot EFI variable,
# the service, the copy, the record's trial line
install_trial() {
    start=$(date +%s)
    # shellcheck disable=SC2086 # the option is one word or none
    run "$1" passthru-setup install --trial ${2:-} --device 0000:00:05.0
    say "$1-record=$(sed -n 's/^trial //p' /var/lib/passthru/installed 2>/dev/null)"
    say "$1-rc=$(cat /tmp/rc)"
    say "$1-seconds=$(( $(date +%s) - start ))"
    say "$1-oneshot=$(efivar LoaderEntryOneShot)"
    say "$1-confirm-enabled=$(systemctl is-enabled passthru-confirm.service 2>/dev/null)"
    say "$1-trial-files=$(trial_files)"
    sed "s|^|LIFECYCLE: $1-entry: |" /boot/efi/loader/entries/_-passthru-trial.conf >/dev/ttyS0
}
# the trial boot: passthru-confirm.service's end (confirm_end), the trial's files and the logins
confirm_outcome() {
    confirm_end
    say "trial-files=$(trial_files)"
    # utmp's user sessions (no getty, no ssh in this guest: only login_now's)
    say "logins=$(who | wc -l)"
}
snap=/var/lib/passthru-lifecycle/snapshot
# the drivers are read below: udev's coldplug (module loads such as bochs-drm in the real
# root) must have ended, or a device reads "none" only because its driver is still loading
step_begin "$phase"
say "loader-info=$(efivar LoaderInfo)"
say "loader-entry=$(efivar LoaderEntrySelected)"
say "entry-options=$(entry_options)"
say "kernel-cmdline-file=$(cat /etc/kernel/cmdline 2>/dev/null)"
bootctl status --no-pager 2>&1 | sed -n '/^Current Boot Loader:/,/^$/p' | sed 's/^/LIFECYCLE: bootctl: /' >/dev/ttyS0
for f in /boot/efi/loader/entries/*.conf; do
    [ -f "$f" ] && sed "s|^|LIFECYCLE: entry ${f##*/}: |" "$f" >/dev/ttyS0
done
say "driver-05.0=$(driver 0000:00:05.0)"
say "driver-05.1=$(driver 0000:00:05.1)"
# the initramfs systemd-boot loaded (the entry's initrd line, on the ESP): passthru in it?
initrd=$(sed -n 's/^initrd[[:space:]]*//p' /boot/efi/loader/entries/*.conf 2>/dev/null | head -n 1)
if [ -n "$initrd" ] && [ -f "/boot/efi$initrd" ]; then
    say "esp-initrd-claim=$(lsinitramfs "/boot/efi$initrd" | grep -c 'passthru/passthru-claim$')"
else
    say "esp-initrd-claim=no initrd ($initrd)"
fi
say "fb=$(cat /proc/fb 2>/dev/null | tr '\n' ';')"
say "boot-vga-05.0=$(cat /sys/bus/pci/devices/0000:00:05.0/boot_vga 2>/dev/null)"
say "iomem-fb=$(grep -c -i -e efifb -e BOOTFB -e simple-framebuffer -e simpledrm /proc/iomem)"
grep -i -e efifb -e BOOTFB -e framebuffer -e vfio /proc/iomem | sed 's/^/LIFECYCLE: iomem: /' >/dev/ttyS0
say "efifb-bar=$(dmesg | sed -n 's/.*pci \([0-9a-f:.]*\): BAR \([0-9]*\): assigned to efifb.*/\1 BAR \2/p')"
say "bar0-holders=$(bar0_holders)"
say "cant-reserve=$(dmesg | grep -c "can't reserve")"
dmesg | grep -i -e "can't reserve" -e efifb -e simple-framebuffer -e simpledrm -e vfio |
    sed 's/^/LIFECYCLE: dmesg: /' >/dev/ttyS0
passthru-setup status >/tmp/status.txt 2>&1
say "status-rc=$?"
sed 's/^/LIFECYCLE: status: /' /tmp/status.txt >/dev/ttyS0
say "oneshot=$(efivar LoaderEntryOneShot)"
say "trial-files=$(trial_files)"
say "trial-pending=$(grep -c '"trial_pending": true' /run/passthru/status.json 2>/dev/null)"
sed 's/^/LIFECYCLE: status.json: /' /run/passthru/status.json >/dev/ttyS0 2>/dev/null
case $phase in
1)
    start=$(date +%s)
    run install passthru-setup install --device 0000:00:05.0
    say "install-rc=$(cat /tmp/rc)"
    say "install-seconds=$(( $(date +%s) - start ))"
    for f in /boot/efi/loader/entries/*.conf; do
        [ -f "$f" ] && sed "s|^|LIFECYCLE: entry-after-install ${f##*/}: |" "$f" >/dev/ttyS0
    done
    ;;
3)
    # the card is the firmware's boot display now: refused with the default boot_vga;
    # allowed for the next boot (install rebuilds the image: the config changed)
    printf 'boot_vga = allow\n' >>/etc/passthru.conf
    start=$(date +%s)
    run install-allow passthru-setup install
    say "install-allow-rc=$(cat /tmp/rc)"
    say "install-allow-seconds=$(( $(date +%s) - start ))"
    ;;
4)
    start=$(date +%s)
    run uninstall passthru-setup uninstall
    say "uninstall-rc=$(cat /tmp/rc)"
    say "uninstall-seconds=$(( $(date +%s) - start ))"
    ;;
5)
    n=0
    for f in /etc/initramfs-tools/conf.d/passthru /etc/dracut.conf.d/passthru.conf \
        /var/lib/passthru/installed; do
        [ -e "$f" ] && n=$((n + 1))
    done
    say "passthru-files=$n"
    # before the first trial: the boot files as they are, then install --trial
    snapshot >"$snap"
    sed 's/^/LIFECYCLE: snapshot: /' "$snap" >/dev/ttyS0
    install_trial install-trial
    ;;
6)
    # the trial boot on a platform without an IOMMU: confirm must refuse
    confirm_outcome
    ;;
7)
    # the fallback: the default entry, its files as before the trial; then a second trial
    compare default '^/etc/kernel/cmdline \|^/boot/efi/loader/loader.conf \|/debian-'
    install_trial install-trial2
    ;;
8)
    # the trial is ready: confirm waits for a person; nothing is confirmed until one logs in
    wait_waiting
    sleep 5
    say "before-login-state=$(systemctl show -p ActiveState --value passthru-confirm.service)"
    say "before-login-trial-files=$(trial_files)"
    say "before-login-logins=$(who | wc -l)"
    login_now
    confirm_outcome
    ;;
9)
    start=$(date +%s)
    run uninstall2 passthru-setup uninstall
    say "uninstall2-rc=$(cat /tmp/rc)"
    say "uninstall2-seconds=$(( $(date +%s) - start ))"
    say "uninstall2-trial-files=$(trial_files)"
    compare all
    ;;
esac
echo $((phase + 1)) >"$state"
step_end "$phase"
