#!/bin/sh
# step-trial.sh: runs inside the lifecycle guest at each boot (passthru-lifecycle.service) for
# tests/lifecycle/trial.sh: phase 1 installs a trial, phase 2 (the trial boot) checks the claim
# and that passthru-confirm.service confirmed it, phase 3 checks it is permanent.
# Every result is a "LIFECYCLE: ..." line on the serial console; then the guest powers off.
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
say "phase=$phase"
say "cmdline=$(cat /proc/cmdline)"
say "driver-05.0=$(driver 0000:00:05.0)"
say "driver-05.1=$(driver 0000:00:05.1)"
passthru-setup status >/tmp/status.txt 2>&1
say "status-rc=$?"
sed 's/^/LIFECYCLE: status: /' /tmp/status.txt >/dev/ttyS0
say "next-entry=$(grub-editenv /boot/grub/grubenv list 2>/dev/null | sed -n 's/^next_entry=//p')"
say "confirm-enabled=$(systemctl is-enabled passthru-confirm.service 2>/dev/null)"
dropin=0
[ -e /etc/default/grub.d/passthru.cfg ] && dropin=1
say "dropin=$dropin"
case $phase in
1)
    passthru-setup install --trial >/tmp/install.txt 2>&1
    rc=$?
    sed 's/^/LIFECYCLE: install: /' /tmp/install.txt >/dev/ttyS0
    say "install-rc=$rc"
    say "next-entry=$(grub-editenv /boot/grub/grubenv list 2>/dev/null | sed -n 's/^next_entry=//p')"
    say "confirm-enabled=$(systemctl is-enabled passthru-confirm.service 2>/dev/null)"
    grep -A3 "passthru trial" /boot/grub/grub.cfg | sed 's/^/LIFECYCLE: grub.cfg: /' >/dev/ttyS0
    echo 2 >"$state"
    ;;
2)
    # confirm rebuilds the images: wait until it has ended (a poweroff now would cut dracut)
    n=0
    while [ "$(systemctl is-active passthru-confirm.service)" = activating ] && [ $n -lt 1200 ]; do
        sleep 2
        n=$((n + 2))
    done
    say "confirm-state=$(systemctl show -p ActiveState --value passthru-confirm.service)"
    say "confirm-result=$(systemctl show -p Result --value passthru-confirm.service)"
    journalctl -b -u passthru-confirm.service --no-pager 2>/dev/null | tail -n 40 |
        sed 's/^/LIFECYCLE: confirm: /' >/dev/ttyS0
    echo 3 >"$state"
    ;;
*)
    n=0
    for f in /etc/grub.d/42_passthru_trial /etc/passthru.trial; do
        [ -e "$f" ] && n=$((n + 1))
    done
    grep -c "passthru trial" /boot/grub/grub.cfg >/dev/null && n=$((n + 1))
    say "trial-files=$n"
    ;;
esac
sync
say "end-of-phase=$phase"
systemctl poweroff
