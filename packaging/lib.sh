#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: what make dist, rpm and arch's scripts share: their start, the version check, the
# builder run with its log, the package copied to build/pkg/. Sourced after me= is set.

# shellcheck disable=SC2154 # me: set by the script that sources this
die() { echo "$me: $*" >&2; exit 1; }

# pkg_args COUNT USAGE "$@": exactly COUNT arguments, else the usage; run from the tree's top
pkg_args() {
	n=$1 usage=$2
	shift 2
	[ $# -eq "$n" ] || die "usage: $0 $usage"
	[ -f src/lib/version.h ] || die "run it from the top of the passthru tree (make $me)"
}

# same_version FILE SAYS VERSION FIX: the packaging file's version is the program's
same_version() {
	[ "$2" = "$3" ] || die "$1 says $2, src/lib/version.h says $3: $4"
}

# run_logged LOG WHAT COMMAND...: the command's output to LOG; on failure its end and the path
run_logged() {
	log=$1 what=$2
	shift 2
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "$what failed (whole log: $log)"
	fi
}

# deliver PKG LOG CHECK HOW: copy PKG to build/pkg/ and say what it is and how to install it
deliver() {
	[ -f "$1" ] || die "no $1 was made (log: $2)"
	cp "$1" build/pkg/
	echo "$me: build/pkg/${1##*/} ($(wc -c <"$1") bytes; $3 passed: $(grep -c '^PASS' "$2")" \
		"PASS lines); install it with: $4${1##*/}"
}
