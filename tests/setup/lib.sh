#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: what the passthru-setup test scripts share: PASS/FAIL counting and a tree's snapshot.
# Sourced by tests/setup/*.sh after they set pass=0 fail=0.

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# snapshot DIR: every file, link and folder under DIR (commands.log aside), files with cksum
snapshot() {
    (cd "$1" && find . -path ./commands.log -prune -o \( -type f -o -type l -o -type d \) -print |
        sort | while read -r f; do
            if [ -f "$f" ] && [ ! -L "$f" ]; then echo "$f $(cksum <"$f")"; else echo "$f"; fi
        done)
}
