#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# summary.sh: make check's last words: one table of its suites (results, seconds, ok or not),
# in the order they started, and the whole run's time.
# usage: tests/suite/summary.sh DIR START_EPOCH SUITE...
set -u
dir=$1 start=$2
shift 2
bad=0
printf "\nsummary: every suite, its results and its time\n"
printf '%-28s %-26s %8s  %s\n' suite results seconds verdict
for s in "$@"; do
    if [ -f "$dir/$s.row" ]; then
        IFS=$(printf '\t') read -r _ res secs rc <"$dir/$s.row"
    else
        res="did not run" secs=- rc=1
    fi
    v=ok
    [ "$rc" = 0 ] || { v="FAILED (exit $rc; log: $dir/$s.log)"; bad=1; }
    printf '%-28s %-26s %8s  %s\n' "$s" "$res" "$secs" "$v"
done
total=$(( $(date +%s) - start ))
printf '%-28s %-26s %8s  %s\n' "all" "" "$total" \
    "$([ $bad = 0 ] && echo ok || echo FAILED) ($((total / 60)) min $((total % 60)) s wall)"
exit "$bad"
