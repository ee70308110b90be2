#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# uevent.sh: passthru-claim reads the same devices from each device's uevent file as from its
# vendor, device, class files and driver link (trees captured before uevent was read have none).
# usage: uevent.sh PASSTHRU-CLAIM PASSTHRU-SETUP GENTREE
set -u
bin=$1
setup=$2
gentree=$3
work=${WORK:-build/tests/uevent}
pass=0
fail=0
rm -rf "$work"
mkdir -p "$work"
t=$work/with
"$gentree" "$t" 4 || exit 1
# one display bound to a driver, as the kernel shows it: a link and a DRIVER= line
d=$t/sys/devices/pci0000:00/0000:00:01.0
mkdir -p "$t/sys/bus/pci/drivers/bochs-drm"
ln -s ../../../bus/pci/drivers/bochs-drm "$d/driver"
{ echo DRIVER=bochs-drm; cat "$d/uevent"; } >"$work/u" && mv "$work/u" "$d/uevent"
cp -a "$t" "$work/without"
find "$work/without/sys/devices" -name uevent -exec rm {} +
cp -a "$t" "$work/broken"
find "$work/broken/sys/devices" -name uevent -exec sh -c 'echo PCI_ID=zz >"$1"' sh {} \;
# the claim's dry run and passthru-setup list (which shows each display's driver)
run() {
	{
		"$bin" --sysroot "$work/$1" --dry-run --json | grep -v '"timing"'
		"$setup" list --sysroot "$work/$1" --json
	} >"$work/$1.json"
}
check() {
	if eval "$2"; then
		echo "PASS $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		fail=$((fail + 1))
	fi
}
run with && run without && run broken
check "uevent and the separate files give the same document" \
	'cmp -s "$work/with.json" "$work/without.json"'
check "a uevent that does not parse falls back to the files" \
	'cmp -s "$work/with.json" "$work/broken.json"'
check "the driver is read (bochs-drm in passthru-setup list)" \
	'grep -q "\"driver\": \"bochs-drm\"" "$work/with.json"'
# uevent is what is read when it is there: make every vendor file disagree
cp "$work/with.json" "$work/before.json"
find "$work/with/sys/devices" "$work/without/sys/devices" -name vendor \
	-exec sh -c 'echo 0x9999 >"$1"' sh {} \;
run with
run without
check "uevent's PCI_ID wins over a disagreeing vendor file" \
	'cmp -s "$work/with.json" "$work/before.json"'
check "without uevent the vendor file counts (nothing matches 1234:1111)" \
	'grep -q "9999:1111" "$work/without.json" && ! grep -q "\"planned\"" "$work/without.json"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
