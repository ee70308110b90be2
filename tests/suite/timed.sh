#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# timed.sh: run one suite of make check, pass its output through, and record the suite's row of
# the summary table (results, seconds, exit status) in DIR/NAME.row.
# usage: tests/suite/timed.sh DIR NAME COMMAND...
# results: the sums of the suite's "N passed, M failed" lines, else the count of its PASS and
# FAIL lines and cmocka's "[  PASSED  ] N test(s)" / "[  FAILED  ] N test(s)".
set -u
dir=$1 name=$2
shift 2
mkdir -p "$dir"
log=$dir/$name.log
rm -f "$dir/$name.row" "$log.rc"
s=$(date +%s)
# the command's own exit status, not tee's (POSIX sh has no pipefail)
{ "$@"; echo $? >"$log.rc"; } 2>&1 | tee "$log"
rc=$(cat "$log.rc" 2>/dev/null || echo 1)
secs=$(( $(date +%s) - s ))
res=$(tr -d '\r' <"$log" | awk '
    match($0, /[0-9]+ passed, [0-9]+ failed/) {
        split(substr($0, RSTART, RLENGTH), w, " "); p += w[1]; f += w[3]; n++ }
    /^PASS/ { pp++ } /^FAIL/ { ff++ }
    /^\[  PASSED  \] [0-9]+ test/ { split($0, w, " "); pp += w[4] }
    /^\[  FAILED  \] [0-9]+ test/ { split($0, w, " "); ff += w[4] }
    END {
        if (n) printf "%d passed, %d failed", p, f
        else printf "%d passed, %d failed", pp, ff
    }')
printf '%s\t%s\t%s\t%s\n' "$name" "$res" "$secs" "$rc" >"$dir/$name.row"
exit "$rc"
