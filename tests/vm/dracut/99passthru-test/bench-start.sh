#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-start.sh: test-only pre-udev hook (before the shell hook): opens the shell hook's window.
# make bench-vm times passthru's unit (bench-mark.sh's start and mid lines, from the unit's
# drop-in) or the shell hook (from here to bench-end.sh), by the kernel's timestamps of these
# kmsg lines. The command line is read here, outside the window; the later hooks test shell
# variables only.
# shellcheck disable=SC2034 # read by shell-hook.sh and bench-end.sh
PASSTHRU_SHELLHOOK=
getargbool 0 passthru.bench || return 0
getargbool 0 passthru.shellhook || return 0
PASSTHRU_SHELLHOOK=1
echo "passthru-bench: shell-start" >/dev/kmsg
