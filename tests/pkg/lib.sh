#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: what tests/pkg/*.sh share: ok/bad (tests/setup/lib.sh), a fresh WORK folder, the
# static passthru-claim check, and a package's file list checked for paths.
# Sourced after work= is set.
. "$(dirname "$0")/../setup/lib.sh"
pass=0
fail=0
# shellcheck disable=SC2154 # work: set by the script that sources this
rm -rf "$work"
mkdir -p "$work"

# abspath FILE: FILE with an absolute folder (the tests cd elsewhere)
abspath() { echo "$(cd "$(dirname "$1")" && pwd)/${1##*/}"; }

# claim_ok WHAT BIN VERSION: BIN is statically linked and prints "passthru-claim VERSION"
claim_ok() {
    v=$("$2" --version 2>&1)
    if file "$2" 2>/dev/null | grep -q 'statically linked' && [ "$v" = "passthru-claim $3" ]; then
        ok "$1: passthru-claim is static and prints $v"
    else
        bad "$1: passthru-claim" "$(file "$2" 2>&1); --version printed '$v', not 'passthru-claim $3'"
    fi
}

# has_paths WHAT LIST PATH...: each PATH is a line of the file LIST
has_paths() {
    what=$1 list=$2
    shift 2
    for f; do
        grep -q -x -e "$f" "$list" && ok "$what: $f" || bad "$what" "no $f"
    done
}

# named WHAT FILE PATTERN FORM: FILE's name matches the shell PATTERN (the contract's FORM)
named() {
    # shellcheck disable=SC2254 # PATTERN is a pattern
    case ${2##*/} in
    $3) ok "$1: named $4 (${2##*/})" ;;
    *) bad "$1: name" "${2##*/} is not $4" ;;
    esac
}

# finish: the count, and the exit status: 0 when nothing failed
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
