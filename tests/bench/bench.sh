#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: print the size of passthru-claim and its plan + dry-run time on generated trees.
# usage: bench.sh BIN GENTREE [RUNS [CPUTIME [SETUP]]]   (CPUTIME: build/cputime, for CPU time
# per run; SETUP: passthru-setup, whose list --json, which reads every card's facts, is timed too)
set -eu
bin=$1
gentree=$2
runs=${3:-7}
cputime=${4:-}
setup=${5:-}
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
[ -n "$setup" ] || exit 0
# A kernel's module index as large as Debian 12's (26,000 aliases, 1.3 MB; its only vfio alias
# the catch-all of vfio_pci): list reads it for the vfio driver of each card, once a command.
modules() {
	mkdir -p "$1/proc/sys/kernel" "$1/lib/modules/bench"
	echo bench >"$1/proc/sys/kernel/osrelease"
	awk 'BEGIN { for (i = 0; i < 26000; i++)
		printf "alias pci:v%08Xd%08Xsv*sd*bc*sc*i* bench_%d\n", 4096 + i % 97, i, i % 3000
		print "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci" }' >"$1/lib/modules/bench/modules.alias"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "kernel/bench/bench_%d.ko:\n", i
		print "kernel/drivers/vfio/pci/vfio-pci.ko:" }' >"$1/lib/modules/bench/modules.dep"
}
# list reads each display controller's facts (reset_method, resource, config, /proc/iomem)
printf '%8s %14s %10s %15s\n' cards modules.alias "wall ms" "wall us/card"
for cards in 16 256 2048 2048m; do
	t=$work/tree-${cards%m}
	alias=none
	if [ "$cards" = 2048m ]; then
		modules "$t"
		alias="26000 lines"
	fi
	: >"$work/wall"
	i=0
	while [ "$i" -lt "$runs" ]; do
		s=$(date +%s%N)
		"$setup" list --sysroot "$t" --json >"$work/list.json"
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$work/wall"
		i=$((i + 1))
	done
	# the claim's own rows above are measured without the module index
	rm -rf "$t/lib/modules/bench" "$t/proc/sys"
	n=$(jq length "$work/list.json")
	[ "$n" -gt 0 ] || { echo "bench: list found no card" >&2; exit 1; }
	wall=$(median <"$work/wall")
	printf '%8d %14s %10.3f %15.2f\n' "$n" "$alias" "$(echo "$wall" | awk '{print $1/1000}')" \
		"$(echo "$wall $n" | awk '{print $1/$2}')"
done
echo "(passthru-setup list --json, medians of $runs runs: every card's group plan and facts;"
echo " with modules.alias, each card's vfio driver too, from the index read once a command)"
