#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-kernel.sh: unpack Debian's current kernel package into DIR for the QEMU tests.
# Nothing is installed on the machine: the package is downloaded and unpacked with dpkg -x.
# usage: fetch-kernel.sh DIR    -> DIR/root/boot/vmlinuz-V, DIR/root/lib/modules/V, DIR/version
set -eu
dir=$(mkdir -p "$1" && cd "$1" && pwd)
if [ -f "$dir/version" ] && [ -f "$dir/root/boot/vmlinuz-$(cat "$dir/version")" ]; then
	exit 0
fi
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	apt-get update -q >/dev/null 2>&1 || true
	pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot tell which kernel linux-image-amd64 names" >&2; exit 1; }
version=${pkg#linux-image-}
rm -rf "$dir/root" "$dir"/*.deb
(cd "$dir" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
	(cd "$dir" && chmod 777 "$dir" && apt-get download -q "$pkg") ||
	{ echo "fetch-kernel: cannot download $pkg" >&2; exit 1; }
dpkg -x "$dir"/"$pkg"_*.deb "$dir/root"
depmod -b "$dir/root" "$version"
echo "$version" >"$dir/version"
echo "fetch-kernel: $pkg unpacked in $dir/root"
