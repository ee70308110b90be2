#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-end.sh: test-only pre-udev hook (after the shell hook): closes its window, see bench-start.sh.
[ -n "${PASSTHRU_BENCH-}" ] && echo "passthru-bench: end" >/dev/kmsg
:
