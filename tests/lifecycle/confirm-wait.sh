# SPDX-License-Identifier: GPL-2.0-or-later
# confirm-wait.sh: sourced by the guests' steps (tests/lifecycle/step.sh, tests/uefi/step.sh):
# what passthru-confirm.service said on this boot, waiting until it waits for a login, and a
# login as a person's (installed in the guest as /usr/local/lib/passthru-confirm-wait.sh).
# shellcheck shell=sh
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
