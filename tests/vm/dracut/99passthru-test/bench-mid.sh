#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-mid.sh: test-only pre-udev hook (after passthru's, before the shell hook): see bench-start.sh.
[ -n "${PASSTHRU_BENCH-}" ] && echo "passthru-bench: mid" >/dev/kmsg
:
