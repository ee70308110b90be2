#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make-test-uki.sh: the UKI test_pe reads: objcopy puts .osrel, .cmdline, .uname and .linux onto
# systemd's stub, as dracut --uefi does; without the stub or objcopy (a Fedora build root) an
# empty file, and test_pe says it skips.
# usage: tests/unit/make-test-uki.sh OUT STUB
set -eu
out=$1 stub=$2
if [ ! -f "$stub" ] || ! command -v objcopy >/dev/null; then
    echo "make-test-uki.sh: no $stub or objcopy: test_pe skips"
    : >"$out"
    exit 0
fi
parts=$out.parts
mkdir -p "$parts"
printf 'root=UUID=1234-abcd ro quiet "a b"\n\000' >"$parts/cmdline"
printf 'ID=debian\n' >"$parts/osrel"
printf '6.1.0-13-amd64' >"$parts/uname"
{ printf 'MZ'; head -c 4094 /dev/zero; } >"$parts/linux"
objcopy --add-section .osrel="$parts/osrel" --change-section-vma .osrel=0x20000 \
    --add-section .cmdline="$parts/cmdline" --change-section-vma .cmdline=0x30000 \
    --add-section .uname="$parts/uname" --change-section-vma .uname=0x40000 \
    --add-section .linux="$parts/linux" --change-section-vma .linux=0x2000000 \
    "$stub" "$out"
