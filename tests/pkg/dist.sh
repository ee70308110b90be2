#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dist.sh: the release tarball builds with no network at all (unshare -n make), twice in a row,
# into a static passthru-claim that runs; a bundled tarball that is not upstream's stops it.
# usage: tests/pkg/dist.sh TARBALL VERSION   (WORK: the scratch folder, build/tests/pkg-dist)
set -u
tarball=$1
version=$2
work=${WORK:-build/tests/pkg-dist}
pass=0
fail=0
. "$(dirname "$0")/../setup/lib.sh"
top=passthru-$version
rm -rf "$work"
mkdir -p "$work"
log=$(cd "$work" && pwd)/make.log

names=$(tar -tzf "$tarball" | cut -d/ -f1 | sort -u)
[ "$names" = "$top" ] && ok "dist: one top folder, $top/" ||
    bad "dist: one top folder" "the tarball's top names: $(echo "$names" | tr '\n' ' ')"
tar -tzvf "$tarball" | awk '$2 != "0/0" { bad = 1 } END { exit bad }' &&
    ok "dist: every entry owned by 0/0" || bad "dist: owners" "an entry not owned by 0/0"
tar -tzf "$tarball" | grep -q "^$top/build/" && bad "dist: no build/" "build/ is in the tarball" ||
    ok "dist: nothing of build/ in it"
tar -xzf "$tarball" -C "$work"
tree=$work/$top

# no network namespace at all: apt, or anything else that wanted the network, fails
if unshare -n sh -c 'cd "$1" && make -j2' sh "$tree" >"$log" 2>&1; then
    ok "dist: unshare -n make builds the unpacked tarball"
else
    tail -n 30 "$log"
    bad "dist: unshare -n make" "failed (whole log: $log)"
fi
grep -q 'fetch-sources' "$log" && bad "dist: no apt" "the build ran fetch-sources.sh" ||
    ok "dist: the build never ran apt (fetch-sources.sh)"
[ "$(grep -c 'SHA-256 verified, no apt' "$log")" = 2 ] &&
    ok "dist: kmod and pciutils came from sources/, SHA-256 verified" ||
    bad "dist: bundled sources" "not both verified from sources/ (see $log)"
bin=$tree/build/passthru-claim
file "$bin" 2>/dev/null | grep -q 'statically linked' && ok "dist: passthru-claim is static" ||
    bad "dist: static" "$(file "$bin" 2>&1)"
v=$("$bin" --version 2>&1)
[ "$v" = "passthru-claim $version" ] && ok "dist: passthru-claim --version: $v" ||
    bad "dist: --version" "printed '$v', not 'passthru-claim $version'"

# twice in a row: the second make has nothing to build
if unshare -n sh -c 'cd "$1" && make' sh "$tree" >"$log.2" 2>&1 &&
    ! grep -q -e build-deps -e musl-gcc "$log.2"; then
    ok "dist: a second unshare -n make builds nothing again"
else
    bad "dist: second make" "failed or rebuilt (log: $log.2)"
fi

# a bundled tarball that is not upstream's: the build stops and names it
kmod=$(ls "$tree"/sources/kmod_*.orig.tar.*)
printf 'x' >>"$kmod"
if unshare -n sh -c 'cd "$1" && make' sh "$tree" >"$log.3" 2>&1; then
    bad "dist: a changed kmod tarball" "make succeeded"
elif grep -q "${kmod##*/}: SHA-256 .*/sources/SHA256SUMS says" "$log.3"; then
    ok "dist: a changed kmod tarball stops the build, named, SHA-256 mismatch"
else
    bad "dist: a changed kmod tarball" "no SHA-256 error (log: $log.3)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
