#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-start.sh: test-only pre-udev hook (before passthru's, 10): opens the passthru window.
# make bench-vm times one hook each: passthru's (from here to bench-mid.sh) or the shell hook
# (from bench-mid.sh to bench-end.sh), by the kernel's timestamps of these kmsg lines. The
# command line is read here, outside both windows; the later hooks test shell variables only.
# shellcheck disable=SC2034 # read by bench-mid.sh, shell-hook.sh and bench-end.sh
PASSTHRU_BENCH=
PASSTHRU_SHELLHOOK=
getargbool 0 passthru.bench || return 0
PASSTHRU_BENCH=1
getargbool 0 passthru.shellhook && PASSTHRU_SHELLHOOK=1
echo "passthru-bench: start" >/dev/kmsg
