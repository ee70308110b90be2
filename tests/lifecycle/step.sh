#!/bin/sh
# step.sh: runs inside the lifecycle guest at each boot (passthru-lifecycle.service): the
# IOMMU-first install, the claim, a hand edit of the config, uninstall, each after a reboot.
# Every result is a "LIFECYCLE: ..." line on the serial console; then the guest powers off.
#   1: install with no device (IOMMU first)        2: list the groups, install --device
#   3: claimed; edit the config, status sees it    4: the edited config is what the boot used
#   5: after uninstall: arguments, claim and files gone
state=/var/lib/passthru-lifecycle/phase
mkdir -p /var/lib/passthru-lifecycle
phase=$(cat "$state" 2>/dev/null || echo 1)
say() {
    echo "LIFECYCLE: $*" >/dev/ttyS0
}
driver() {
    d=/sys/bus/pci/devices/$1/driver
    if [ -L "$d" ]; then basename "$(readlink "$d")"; else echo none; fi
}
# run NAME COMMAND...: its output on the console, its exit status as NAME-rc
run() {
    name=$1
    shift
    start=$(date +%s)
    "$@" >"/tmp/$name.txt" 2>&1
    rc=$?
    sed "s/^/LIFECYCLE: $name: /" "/tmp/$name.txt" >/dev/ttyS0
    say "$name-rc=$rc"
    say "$name-seconds=$(( $(date +%s) - start ))"
}
# how many files of the running kernel's initramfs are passthru's
in_image() {
    img=/boot/initrd.img-$(uname -r)
    if command -v lsinitramfs >/dev/null; then
        lsinitramfs "$img" 2>/dev/null | grep -c passthru
    else
        lsinitrd "$img" 2>/dev/null | grep -c passthru
    fi
}
say "phase=$phase"
say "cmdline=$(cat /proc/cmdline)"
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
    run install passthru-setup install
    run install-again passthru-setup install
    echo 2 >"$state"
    ;;
2)
    run list passthru-setup list
    run install passthru-setup install --device 0000:00:05.0
    echo 3 >"$state"
    ;;
3)
    # the user's own edit: pci-stub instead of vfio-pci from the next boot on
    echo 'driver = pci-stub' >>/etc/passthru.conf
    run status-after-edit passthru-setup status
    run install passthru-setup install
    run install-again passthru-setup install
    echo 4 >"$state"
    ;;
4)
    run uninstall passthru-setup uninstall
    echo 5 >"$state"
    ;;
*)
    n=0
    for f in /etc/default/grub.d/passthru.cfg /var/lib/passthru/installed \
        /etc/dracut.conf.d/passthru.conf /etc/initramfs-tools/conf.d/passthru \
        /etc/mkinitcpio.conf.d/passthru.conf; do
        [ -e "$f" ] && n=$((n + 1))
    done
    say "passthru-files=$n"
    ;;
esac
sync
say "end-of-phase=$phase"
systemctl poweroff
