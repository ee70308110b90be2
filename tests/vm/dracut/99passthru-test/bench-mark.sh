#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-mark.sh: test-only: with passthru.bench=1, a kmsg line around passthru.service (make bench-vm).
# Run by the unit's drop-in (bench.conf) as ExecStartPre (start) and ExecStartPost (mid).
read -r cmdline </proc/cmdline
case " $cmdline " in
*" passthru.bench=1 "*) echo "passthru-bench: $1" >/dev/kmsg ;;
esac
:
