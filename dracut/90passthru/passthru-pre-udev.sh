#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# passthru-pre-udev.sh: dracut pre-udev hook: hand the configured devices to vfio-pci.
# Sourced by dracut: never exit, never fail; rd.passthru=0 skips it. --timeout: the claim
# runs in a child and the binary returns after 10 s even if the kernel blocks in an unbind
# or a probe (rd.passthru.timeout=SECONDS changes the bound; 0 waits for ever).
# rd.passthru is read the way dracut's getargbool reads it (/etc/cmdline.d, /etc/cmdline,
# then /proc/cmdline; the last one counts; 0, no and off are false), but with builtins only:
# getargbool forks twice, which costs more than passthru-claim itself in an emulated guest.
_passthru_on=1
for _passthru_f in /etc/cmdline.d/*.conf /etc/cmdline /proc/cmdline; do
    [ -f "$_passthru_f" ] || continue
    while read -r _passthru_l || [ -n "$_passthru_l" ]; do
        for _passthru_o in $_passthru_l; do
            case $_passthru_o in
            rd.passthru=0 | rd.passthru=no | rd.passthru=off) _passthru_on=0 ;;
            rd.passthru | rd.passthru=*) _passthru_on=1 ;;
            esac
        done
    done <"$_passthru_f"
done
# --json: its output goes nowhere; the status document is the one rendering it then makes
if [ "$_passthru_on" = 1 ]; then
    /usr/lib/passthru/passthru-claim --timeout 10 --json >/dev/null 2>&1 || :
fi
unset _passthru_on _passthru_f _passthru_l _passthru_o
