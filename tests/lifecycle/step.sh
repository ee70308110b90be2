#!/bin/sh
# step.sh: runs inside the lifecycle guest at each boot (passthru-lifecycle.service):
# phase 1 installs, phase 2 checks the claim and uninstalls, phase 3 checks it is gone.
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
case $phase in
1)
    start=$(date +%s)
    passthru-setup install >/tmp/install.txt 2>&1
    rc=$?
    sed 's/^/LIFECYCLE: install: /' /tmp/install.txt >/dev/ttyS0
    say "install-rc=$rc"
    say "install-seconds=$(( $(date +%s) - start ))"
    passthru-setup install >/tmp/install2.txt 2>&1
    say "install-again-rc=$? $(tail -n 1 /tmp/install2.txt)"
    echo 2 >"$state"
    ;;
2)
    start=$(date +%s)
    passthru-setup uninstall >/tmp/uninstall.txt 2>&1
    rc=$?
    sed 's/^/LIFECYCLE: uninstall: /' /tmp/uninstall.txt >/dev/ttyS0
    say "uninstall-rc=$rc"
    say "uninstall-seconds=$(( $(date +%s) - start ))"
    echo 3 >"$state"
    ;;
*)
    n=0
    for f in /etc/default/grub.d/passthru.cfg /etc/dracut.conf.d/passthru.conf \
        /var/lib/passthru/installed; do
        [ -e "$f" ] && n=$((n + 1))
    done
    say "passthru-files=$n"
    ;;
esac
sync
say "end-of-phase=$phase"
systemctl poweroff
