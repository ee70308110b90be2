#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# step.sh: runs inside the UKI guest at each boot (passthru-lifecycle.service): says how it
# booted (firmware, Secure Boot, systemd-boot's and systemd-stub's EFI variables, /proc/cmdline,
# the UKI's .cmdline, size and signature), then
# 1: with Secure Boot on, install with dracut's signing configuration moved away must refuse
#    and change no file of the ESP, /etc or /var/lib/passthru; with it back (or Secure Boot
#    off), install;
# 2: the claim, status, the rebuilt UKI's signature; uninstall;
# 3: nothing left.
# Every result is a "LIFECYCLE: ..." line on the serial console; then the guest powers off.
state=/var/lib/passthru-lifecycle/phase
mkdir -p /var/lib/passthru-lifecycle
phase=$(cat "$state" 2>/dev/null || echo 1)
global=8be4df61-93ca-11d2-aa0d-00e098032b8c
loader=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
keys=/etc/passthru-test-keys
sign=/etc/dracut.conf.d/50-uki-sign.conf
# say, driver, confirm_said, wait_waiting, login_now, confirm_end: shared by the guests' steps
# shellcheck source=tests/vm/guest-step.sh
. /usr/local/lib/passthru-guest-step.sh
# run NAME CMD...: CMD's output as "LIFECYCLE: NAME: " lines, its status in /tmp/rc, its
# output in /tmp/NAME.out
run() {
    name=$1
    shift
    { "$@" 2>&1; echo $? >/tmp/rc; } | tee "/tmp/$name.out" |
        sed -u "s/^/LIFECYCLE: $name: /" >/dev/ttyS0
}
# an EFI variable of the boot loader interface: 4 bytes of attributes, then UTF-16LE text
efistr() {
    f=/sys/firmware/efi/efivars/$1-$loader
    # efivarfs files are read whole (cat), not by seeking
    if [ -r "$f" ]; then cat "$f" | tail -c +5 | tr -d "\000"; else echo none; fi
}
# a one-byte EFI global variable (SecureBoot, SetupMode) as a number
efibyte() {
    f=/sys/firmware/efi/efivars/$1-$global
    if [ -r "$f" ]; then cat "$f" | od -An -tu1 -j4 -N1 | tr -d " "; else echo none; fi
}
# the UKIs systemd-boot lists (type 2 entries)
ukis() {
    ls /boot/efi/EFI/Linux/*.efi 2>/dev/null
}
# uki_cmdline FILE: its .cmdline section, without the trailing NUL
uki_cmdline() {
    rm -f /tmp/cmdline.sec
    objcopy -O binary --only-section=.cmdline "$1" /tmp/cmdline.sec 2>/dev/null
    tr -d '\000' </tmp/cmdline.sec 2>/dev/null
}
# describe WHEN: each UKI's .cmdline, size and whether it verifies with the enrolled db cert
describe() {
    n=0
    for u in $(ukis); do
        n=$((n + 1))
        say "$1-uki-$n=${u##*/}"
        say "$1-uki-$n-size=$(wc -c <"$u")"
        say "$1-uki-$n-cmdline=$(uki_cmdline "$u")"
        sbverify --cert "$keys/db.crt" "$u" >/tmp/sbverify.out 2>&1
        say "$1-uki-$n-sbverify=$?"
        sed "s/^/LIFECYCLE: $1-uki-$n-sbverify: /" /tmp/sbverify.out >/dev/ttyS0
    done
    say "$1-ukis=$n"
}
# the files install must leave alone when it refuses: one "sha256  path" line each
snapshot() {
    find /boot/efi /etc /var/lib/passthru -xdev -type f 2>/dev/null | sort |
        xargs -d '\n' sha256sum 2>/dev/null
}
# the "kernel command line ..., LABEL: LINE" lines install printed: LINE
printed_lines() {
    sed -n 's/^kernel command line [^,]*, [^:]*: //p' "/tmp/$1.out"
}
step_begin "$phase"
say "secureboot=$(efibyte SecureBoot)"
say "setupmode=$(efibyte SetupMode)"
say "lockdown=$(cat /sys/kernel/security/lockdown 2>/dev/null)"
say "loader-info=$(efistr LoaderInfo)"
say "loader-entry=$(efistr LoaderEntrySelected)"
say "stub-info=$(efistr StubInfo)"
say "type1-entries=$(find /boot/efi/loader/entries -name '*.conf' 2>/dev/null | wc -l)"
say "driver-05.0=$(driver 0000:00:05.0)"
say "driver-05.1=$(driver 0000:00:05.1)"
dmesg | grep -i -e 'secure boot' -e lockdown | sed 's/^/LIFECYCLE: dmesg: /' >/dev/ttyS0
describe now
run status passthru-setup status
say "status-rc=$(cat /tmp/rc)"
case $phase in
1)
    if [ "$(efibyte SecureBoot)" = 1 ]; then
        # a builder that does not sign: refused, nothing changed
        mv "$sign" /root/
        snapshot >/tmp/before
        run install-unsigned passthru-setup install --device 0000:00:05.0
        say "install-unsigned-rc=$(cat /tmp/rc)"
        snapshot >/tmp/after
        if cmp -s /tmp/before /tmp/after; then say "unsigned-same=yes"; else say "unsigned-same=no"; fi
        say "unsigned-files=$(wc -l </tmp/before)"
        diff /tmp/before /tmp/after | sed 's/^/LIFECYCLE: unsigned-diff: /' >/dev/ttyS0
        mv "/root/${sign##*/}" "$sign"
    fi
    start=$(date +%s)
    run install passthru-setup install --device 0000:00:05.0
    say "install-rc=$(cat /tmp/rc)"
    say "install-seconds=$(( $(date +%s) - start ))"
    printed_lines install | sed 's/^/LIFECYCLE: install-next=/' >/dev/ttyS0
    cat /etc/dracut.conf.d/*passthru* 2>/dev/null | sed 's/^/LIFECYCLE: dropin: /' >/dev/ttyS0
    describe installed
    ;;
2)
    start=$(date +%s)
    run uninstall passthru-setup uninstall
    say "uninstall-rc=$(cat /tmp/rc)"
    say "uninstall-seconds=$(( $(date +%s) - start ))"
    printed_lines uninstall | sed 's/^/LIFECYCLE: uninstall-next=/' >/dev/ttyS0
    describe uninstalled
    ;;
3)
    n=0
    for f in /etc/dracut.conf.d/*passthru* /var/lib/passthru/installed; do
        [ -e "$f" ] && n=$((n + 1)) && say "left: $f"
    done
    say "passthru-files=$n"
    ;;
esac
echo $((phase + 1)) >"$state"
step_end "$phase"
