#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: print the size of passthru-claim and its plan + dry-run time on generated trees.
# usage: bench.sh BIN GENTREE [RUNS [CPUTIME]]   (CPUTIME: build/cputime, for CPU time per run)
set -eu
bin=$1
gentree=$2
runs=${3:-7}
cputime=${4:-}
work=build/bench
mkdir -p "$work"
size=$(wc -c <"$bin")
echo "passthru-claim stripped size: $size bytes ($((size / 1024)) KiB; limit 256 KiB)"
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other work inflates every time)"
printf '%8s %7s %10s %13s %17s %12s %11s\n' devices groups "wall ms" "scan+plan ms" \
	"scan+plan us/dev" "wall us/dev" "cpu us/dev"
for cards in 16 256 2048; do
	t=$work/tree-$cards
	# a tree from an older gentree is made again
	if [ ! -d "$t" ] || [ -n "$(find "$gentree" -newer "$t")" ]; then
		rm -rf "$t"
		"$gentree" "$t" "$cards"
	fi
	: >"$work/wall" && : >"$work/plan" && : >"$work/cpus"
	i=0
	while [ "$i" -lt "$runs" ]; do
		s=$(date +%s%N)
		if [ -n "$cputime" ]; then
			"$cputime" "$work/cpu" "$bin" --sysroot "$t" --dry-run --json >"$work/out.json"
			cat "$work/cpu" >>"$work/cpus"
		else
			"$bin" --sysroot "$t" --dry-run --json >"$work/out.json"
		fi
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$work/wall"
		sed -n 's/.*"scan_plan_ms": \([0-9.]*\).*/\1/p' "$work/out.json" >>"$work/plan"
		i=$((i + 1))
	done
	grep -q '"state": "planned"' "$work/out.json" || { echo "bench: nothing planned" >&2; exit 1; }
	wall=$(median <"$work/wall")
	plan=$(median <"$work/plan")
	cpu=-
	[ -s "$work/cpus" ] && cpu=$(median <"$work/cpus" | awk -v n=$((cards * 4)) '{printf "%.2f", $1 / n}')
	printf '%8d %7d %10.3f %13s %17.2f %12.2f %11s\n' $((cards * 4)) "$cards" \
		"$(echo "$wall" | awk '{print $1/1000}')" "$plan" \
		"$(echo "$plan $cards" | awk '{print $1*1000/($2*4)}')" \
		"$(echo "$wall $cards" | awk '{print $1/($2*4)}')" "$cpu"
done
echo "(medians of $runs runs each; dry run: scan, plan and report, nothing written to sysfs;"
echo " scan+plan is passthru-claim's own timing.scan_plan_ms, wall adds exec, report and exit;"
echo " cpu: user + system time of the whole run, which other work on the machine inflates less)"
