#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-fixture.sh: boot a QEMU guest and save its sysfs, as passthru-claim sees it, as a fixture.
# usage: tests/vm/capture-fixture.sh NAME IOMMU "KERNEL ARGS" QEMU-DEVICE-ARGS...
#   IOMMU: intel, intel-nointremap, amd, none (see lib.sh). Writes tests/fixtures/NAME/.
set -eu
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
name=$1 iommu=$2 append=$3
shift 3
fxdir=tests/fixtures/$name  # not $out: vm_image (lib.sh) sets that
mkdir -p "$VM" "$fxdir"
[ -f "$VM/initrd.img" ] || vm_image "$VM/initrd.img"
log=$VM/capture-$name.log
vm_boot "$VM/initrd.img" "$log" 180 "$iommu" "passthru.capture=1 $append" "$@" || {
    echo "capture-fixture: the guest did not power off in time; see $log" >&2
    exit 1
}
tr -d '\r' <"$log" | sed -n '/===PASSTHRU-CAPTURE-BEGIN===/,/===PASSTHRU-CAPTURE-END===/p' |
    sed '1d;$d' | base64 -d >"$fxdir/tree.tar.gz"
tar -tzf "$fxdir/tree.tar.gz" >/dev/null
cat >"$fxdir/README" <<EOT
Captured by tests/vm/capture-fixture.sh at the pre-udev moment (what passthru-claim sees)
in a QEMU guest: kernel $(vm_kver), IOMMU: $iommu
kernel arguments added: $append
QEMU devices: $*
EOT
echo "capture-fixture: $fxdir/tree.tar.gz ($(wc -c <"$fxdir/tree.tar.gz") bytes)"
