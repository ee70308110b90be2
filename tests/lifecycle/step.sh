#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# step.sh: runs inside the lifecycle guest at each boot (passthru-lifecycle.service): the
# IOMMU-first install, the claim, a hand edit of the config, uninstall, then the GRUB trial
# (install --trial) failed, fallen back from, retried and confirmed, each after a reboot.
# Every result is a "LIFECYCLE: ..." line on the serial console; then the guest powers off.
#   1: install with no device (IOMMU first)        2: list the groups, install --device
#   3: claimed; edit the config, status sees it    4: the edited config is what the boot used
#   5: after uninstall: arguments, claim and files gone; snapshot; install --trial
#   6: the trial boot without the card: confirm fails, the trial stays pending
#   7: the fallback boot: as before the trial; install --trial again (the retry)
#   8: the trial boot with the card, ready, nobody logs in: confirm waits, confirms nothing
#   9: the fallback again (the old boot); install --trial --auto-confirm (a headless host)
#  10: the trial boot with the card, nobody logs in: --auto-confirm: confirm makes it permanent
#  11: the default entry has it for good; uninstall: every snapshot file as at phase 5
state=/var/lib/passthru-lifecycle/phase
mkdir -p /var/lib/passthru-lifecycle
phase=$(cat "$state" 2>/dev/null || echo 1)
# which boots: short (make check): 1 (install --device), 3 (claimed, then uninstall), 5 (after
# uninstall, the end); full (make check-lifecycle-full): all nine; deb (make check-deb): short's,
# with a snapshot of every boot file before install and apt-get purge instead of uninstall
set=$(cat /etc/passthru-lifecycle.set 2>/dev/null || echo full)
# say, driver, confirm_said, wait_waiting, login_now, confirm_end: shared by the guests' steps
# shellcheck source=tests/vm/guest-step.sh
. /usr/local/lib/passthru-guest-step.sh
# run NAME COMMAND...: its output on the console, its exit status as NAME-rc
run() {
    name=$1
    shift
    start=$(date +%s)
    # streamed to the console as it comes: a boot that runs out of time shows where it stopped
    { "$@" 2>&1; echo $? >"/tmp/$name.rc"; } | tee "/tmp/$name.txt" |
        sed -u "s/^/LIFECYCLE: $name: /" >/dev/ttyS0
    rc=$(cat "/tmp/$name.rc")
    say "$name-rc=$rc"
    say "$name-seconds=$(( $(date +%s) - start ))"
}
# the file names in the running kernel's initramfs: lsinitramfs (initramfs-tools), or for the
# dracut guest's uncompressed image (compress="cat") one cpio pass in 1 MiB reads: lsinitrd
# reads the whole image seven times, 512 bytes a read (700,000 reads for the guest's 50 MB
# image: 15 minutes of a boot under TCG, where a system call costs about a millisecond)
# (Debian's dracut has an lsinitramfs too, a wrapper of lsinitrd: the generator decides)
image_names() {
    img=/boot/initrd.img-$(uname -r)
    if ! command -v dracut >/dev/null; then
        lsinitramfs "$img"
    elif [ "$(head -c 6 "$img")" = 070701 ]; then
        cpio -t --quiet -C 1048576 <"$img"
    else
        lsinitrd "$img" | awk '$1 ~ /^[-dlcbps][-rwxsStT]+$/ { print $9 }'
    fi 2>/dev/null
}
# how many files of the running kernel's initramfs are passthru's
in_image() {
    image_names | grep -c passthru
}
# the file list of the running kernel's initramfs
image_list() {
    image_names | sort
}
sum() {
    if [ -e "$1" ]; then sha256sum <"$1" | cut -c1-16; else echo absent; fi
}
# grub.cfg without the trial script's section and the blank line grub-mkconfig puts before it:
# what every entry but the trial's is made of
grubcfg_default() {
    awk -v b='### BEGIN /etc/grub.d/42_passthru_trial ###' \
        -v e='### END /etc/grub.d/42_passthru_trial ###' '
        pend { if ($0 != b) print ""; pend = 0 }
        $0 == b { skip = 1 }
        skip { if ($0 == e) skip = 0; next }
        /^$/ { pend = 1; next }
        { print }
        END { if (pend) print "" }' /boot/grub/grub.cfg
}
# snapshot_default: the files that decide the default boot's command line, one "name sum" a line
snapshot_default() {
    echo "/etc/default/grub $(sum /etc/default/grub)"
    for f in /etc/default/grub.d/*; do [ -e "$f" ] && echo "$f $(sum "$f")"; done
    echo "grub.cfg-without-the-trial-entry $(grubcfg_default | sha256sum | cut -c1-16)"
}
# snapshot_full: every boot-relevant file passthru may touch, byte for byte
snapshot_full() {
    snapshot_default
    for f in /etc/grub.d/*; do [ -e "$f" ] && echo "$f $(sum "$f")"; done
    for f in /boot/grub/grub.cfg /boot/grub/grubenv /etc/passthru.conf /etc/passthru.trial; do
        echo "$f $(sum "$f")"
    done
    for f in /etc/initramfs-tools/conf.d/* /etc/dracut.conf.d/*; do
        [ -e "$f" ] && echo "$f $(sum "$f")"
    done
    # the enabled units as their links: systemctl's list talks to PID 1 and timed out on a busy
    # TCG guest (an empty list, seen in check-deb with three guests on two cores)
    echo "enabled-units $(find /etc/systemd/system -type l -exec ls -l {} + 2>/dev/null |
        awk '{ print $9, $11 }' | sort | sha256sum | cut -c1-16)"
    echo "initramfs-file-list $(image_list | sha256sum | cut -c1-16)"
}
# snapshot_deb: snapshot_full but grub.cfg: before install it is the test's own (update-grub
# takes 90 s under TCG), after purge update-grub's; the inputs it is made from are compared
snapshot_deb() {
    snapshot_full | grep -v -e '^grub.cfg-without-the-trial-entry ' -e '^/boot/grub/grub.cfg '
}
# compare KIND: this boot's snapshot against phase 5's; the differing lines and their count
compare() {
    "snapshot_$1" >"/tmp/snap-$1"
    diff /var/lib/passthru-lifecycle/snap-"$1" "/tmp/snap-$1" >/tmp/snap-diff
    grep '^[<>]' /tmp/snap-diff | sed "s/^/LIFECYCLE: $1-diff: /" >/dev/ttyS0
    say "$1-diffs=$(grep -c '^[<>]' /tmp/snap-diff)"
}
trial_state() {
    say "next-entry=$(grub-editenv /boot/grub/grubenv list 2>/dev/null | sed -n 's/^next_entry=//p')"
    n=0
    [ -e /etc/default/grub.d/passthru.cfg ] && n=1
    say "dropin=$n"
    n=0
    [ -e /etc/passthru.trial ] && n=1
    say "trial-mark=$n"
    say "trial-entries=$(grep -c "^menuentry 'passthru trial'" /boot/grub/grub.cfg)"
    say "status-trial-pending=$(grep -c '"trial_pending": *true' /run/passthru/status.json 2>/dev/null)"
    say "kmsg-trial-pending=$(dmesg | grep -c 'a trial is pending')"
}
# the drivers are read below: udev's coldplug (module loads such as bochs-drm in the real
# root) must have ended, or a device reads "none" only because its driver is still loading
step_begin "$phase"
say "driver-05.0=$(driver 0000:00:05.0)"
say "driver-05.1=$(driver 0000:00:05.1)"
say "image-passthru-files=$(in_image)"
run status passthru-setup status
if [ -f /run/passthru/status.json ]; then
    say "boot-config-sha256=$(sed -n 's/.*"config_sha256": *"\([0-9a-f]*\)".*/\1/p' \
        /run/passthru/status.json | head -n 1)"
fi
[ -f /etc/passthru.conf ] && say "config-sha256=$(sha256sum </etc/passthru.conf | cut -d' ' -f1)"
case $phase in
1)
    [ "$set" != deb ] || snapshot_deb >/var/lib/passthru-lifecycle/snap-deb
    if [ "$set" != full ]; then
        # the short set: the device chosen at the first install (boot 2's IOMMU first is full's)
        run install passthru-setup install --device 0000:00:05.0
        run install-again passthru-setup install
        echo 3 >"$state"
    else
        run install passthru-setup install
        run install-again passthru-setup install
        # installed with no device, not rebooted: "installed: reboot to apply", not a drift
        run status-after-install passthru-setup status
        echo 2 >"$state"
    fi
    ;;
2)
    run list passthru-setup list
    run install passthru-setup install --device 0000:00:05.0
    echo 3 >"$state"
    ;;
3)
    if [ "$set" = short ]; then
        run uninstall passthru-setup uninstall
        echo 5 >"$state"
    elif [ "$set" = deb ]; then
        export DEBIAN_FRONTEND=noninteractive
        run purge apt-get purge -y -q passthru
        echo 5 >"$state"
    else
        # the user's own edit: pci-stub instead of vfio-pci from the next boot on
        echo 'driver = pci-stub' >>/etc/passthru.conf
        run status-after-edit passthru-setup status
        run install passthru-setup install
        run install-again passthru-setup install
        # the install status asked for, before the reboot: reboot to apply, not install again
        run status-after-install passthru-setup status
        echo 4 >"$state"
    fi
    ;;
4)
    run uninstall passthru-setup uninstall
    echo 5 >"$state"
    ;;
5)
    n=0
    for f in /etc/default/grub.d/passthru.cfg /var/lib/passthru/installed \
        /etc/dracut.conf.d/passthru.conf /etc/initramfs-tools/conf.d/passthru \
        /etc/mkinitcpio.conf.d/passthru.conf; do
        [ -e "$f" ] && n=$((n + 1))
    done
    say "passthru-files=$n"
    if [ "$set" = deb ]; then
        say "dpkg-status=$(dpkg-query -W -f='${Status}' passthru 2>/dev/null)"
        say "setup-binary=$(ls /usr/sbin/passthru-setup /usr/lib/passthru 2>/dev/null | wc -l)"
        compare deb
        say "grubcfg-passthru-args=$(grep -c -e intel_iommu=on -e amd_iommu=on -e iommu=pt \
            /boot/grub/grub.cfg)"
    fi
    # the short set ends here: the trial is check-uefi's (systemd-boot) in make check
    if [ "$set" = full ]; then
        # the trial: back to vfio-pci (the hand edit of phase 3 goes), then the snapshot of the
        # files a trial must leave as they are, then the trial of the card at 00:05.0
        [ -f /etc/passthru.conf ] && sed -i '/^driver = pci-stub$/d' /etc/passthru.conf
        snapshot_default >/var/lib/passthru-lifecycle/snap-default
        snapshot_full >/var/lib/passthru-lifecycle/snap-full
        sed 's/^/LIFECYCLE: snapshot: /' /var/lib/passthru-lifecycle/snap-full >/dev/ttyS0
        run install passthru-setup install --trial --device 0000:00:05.0
        trial_state
        say "confirm-enabled=$(systemctl is-enabled passthru-confirm.service 2>/dev/null)"
        grep -A3 "^menuentry 'passthru trial'" /boot/grub/grub.cfg | sed 's/^/LIFECYCLE: grub.cfg: /' >/dev/ttyS0
        echo 6 >"$state"
    fi
    ;;
6)
    confirm_end
    trial_state
    echo 7 >"$state"
    ;;
7)
    confirm_end
    trial_state
    compare default
    run install passthru-setup install --trial
    say "retry-next-entry=$(grub-editenv /boot/grub/grubenv list 2>/dev/null | sed -n 's/^next_entry=//p')"
    echo 8 >"$state"
    ;;
8)
    # the trial is ready, but nobody logs in (a black screen): confirm waits and confirms nothing
    wait_waiting
    sleep 10
    say "logins=$(who | wc -l)"
    say "confirm-state=$(systemctl show -p ActiveState --value passthru-confirm.service)"
    confirm_said | sed 's/^/LIFECYCLE: confirm: /' >/dev/ttyS0
    trial_state
    echo 9 >"$state"
    ;;
9)
    # powered off with nobody logged in: the old boot again; then the trial once more
    confirm_end
    trial_state
    compare default
    # a headless host's trial: confirmed with nobody logged in (the login itself: check-uefi)
    run install passthru-setup install --trial --auto-confirm
    say "retry-next-entry=$(grub-editenv /boot/grub/grubenv list 2>/dev/null | sed -n 's/^next_entry=//p')"
    echo 10 >"$state"
    ;;
10)
    confirm_end
    say "logins=$(who | wc -l)"
    trial_state
    echo 11 >"$state"
    ;;
*)
    trial_state
    [ -e /etc/grub.d/42_passthru_trial ] && say "trial-script=1"
    run uninstall passthru-setup uninstall
    compare full
    ;;
esac
step_end "$phase"
