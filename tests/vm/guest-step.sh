# SPDX-License-Identifier: GPL-2.0-or-later
# guest-step.sh: the helpers every boot guest's step sources (tests/lifecycle/step.sh,
# tests/uefi/step.sh, tests/uki/step.sh; installed in the guest as
# /usr/local/lib/passthru-guest-step.sh by guest_step_unit in tests/vm/lib.sh): a result line on
# the serial console, a device's driver, what passthru-confirm.service said and how it ended,
# and a login as a person's.
# shellcheck shell=sh
# say WORDS...: one "LIFECYCLE: ..." result line on the serial console
say() {
    printf 'LIFECYCLE: %s\n' "$*" >/dev/ttyS0
}
# driver BDF: the guest's driver of a device, none when unbound
driver() {
    d=/sys/bus/pci/devices/$1/driver
    if [ -L "$d" ]; then basename "$(readlink "$d")"; else echo none; fi
}
# step_begin PHASE: once udev's coldplug has ended (module loads such as bochs-drm in the real
# root: a device would read "none" only because its driver is still loading), the boot's first
# lines: its phase, the uptime the step began at, the kernel command line and the firmware
step_begin() {
    udevadm settle --timeout=120 || true
    say "phase=$1"
    say "step-start=$(cut -d" " -f1 /proc/uptime)"
    say "cmdline=$(cat /proc/cmdline)"
    if [ -d /sys/firmware/efi ]; then say "firmware=uefi"; else say "firmware=bios"; fi
}
# step_end PHASE: the boot's last lines (the uptime the step ended at, the phase done: the
# host's sign that the step ran to its end), after a sync, then the power-off
step_end() {
    sync
    say "step-end=$(cut -d" " -f1 /proc/uptime)"
    say "end-of-phase=$1"
    systemctl poweroff
}
# confirm_said: the lines passthru-confirm.service wrote to the journal on this boot
confirm_said() {
    journalctl -b -u passthru-confirm.service --no-pager -o cat 2>/dev/null
}
# wait_waiting: until passthru-confirm.service says it waits for a login (or ends: 300 s at most)
wait_waiting() {
    n=0
    until confirm_said | grep -q 'waiting for a login session' ||
        ! systemctl -q is-active passthru-confirm.service || [ $n -ge 300 ]; do
        sleep 2
        n=$((n + 2))
    done
}
# login_now: a login on a terminal, as getty's autologin does it (agetty --autologin root runs
# login -f root): login(1) on a pty of its own (script), kept open; login records it in utmp
login_now() {
    (sleep 1200) | script -qfc 'login -f root' /dev/null >/tmp/login.txt 2>&1 &
    n=0
    until [ "$(who | wc -l)" -gt 0 ] || [ $n -ge 60 ]; do
        sleep 1
        n=$((n + 1))
    done
    say "who=$(who | head -n 1)"
    # no login: say why, and end the wait (it would last the boot's time limit)
    if [ "$(who | wc -l)" -eq 0 ]; then
        sed 's/^/LIFECYCLE: login: /' /tmp/login.txt >/dev/ttyS0
        systemctl stop passthru-confirm.service
    fi
}
# confirm_end: wait for passthru-confirm.service to end (it rebuilds the images when it
# confirms: a poweroff now would cut the generator; 1200 s at most), then say its state, result,
# condition, whether it is still enabled, and what it wrote to the journal
confirm_end() {
    n=0
    # Type=simple: active while it judges, waits or rebuilds, then inactive or failed
    while case $(systemctl is-active passthru-confirm.service) in activating | active) ;;
        *) false ;; esac && [ $n -lt 1200 ]; do
        sleep 2
        n=$((n + 2))
    done
    say "confirm-state=$(systemctl show -p ActiveState --value passthru-confirm.service)"
    say "confirm-result=$(systemctl show -p Result --value passthru-confirm.service)"
    say "confirm-condition=$(systemctl show -p ConditionResult --value passthru-confirm.service)"
    say "confirm-enabled=$(systemctl is-enabled passthru-confirm.service 2>/dev/null)"
    # passthru's own lines whole; a generator's output (dracut's runs to 100 lines and more)
    # only its count: the last 40 lines of it all once hid the service's first words
    confirm_said >/tmp/confirm-said.txt
    gen_line='^\(dracut\|update-initramfs\|W\): '
    grep -v "$gen_line" /tmp/confirm-said.txt | tail -n 80 | sed 's/^/LIFECYCLE: confirm: /' \
        >/dev/ttyS0
    say "confirm: ($(grep -c "$gen_line" /tmp/confirm-said.txt) lines of the generator's" \
        "output left out)"
}
