#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# facts.sh: what list, plan and status say of each card (reset methods, BARs, Resizable BAR, a
# boot framebuffer in a BAR, the vfio driver that would bind), human and --json, on fixture trees.
# usage: tests/setup/facts.sh BIN   (make check-setup; BIN is build/passthru-setup or its ASan copy)
# Trees: ovmf-bootfb (captured under OVMF: efifb in the VGA's BAR 0, a VGA with no reset method,
# a virtio GPU with "flr pm bus"), bootfb-simpledrm and rebar-gpu (derived from it by
# tests/fixtures/derive.sh: BOOTFB held by simpledrm on a 5.19 kernel; a 16 GiB Resizable BAR
# and every reset method switched off), intel-gpu-hda (captured before these facts were:
# nothing known, nothing said).
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-facts "$@"

# run OUT ARGS...: the binary, its stdout in $work/OUT (valid JSON checked by the caller)
run() {
    o=$1
    shift
    timeout 60 "$bin" "$@" >"$work/$o" 2>"$work/$o.err"
    code=$?
}
# json OUT FILTER: jq -e FILTER holds on $work/OUT (which must be one JSON document)
json() {
    jq -e "$2" "$work/$1" >/dev/null 2>&1
}
# block OUT ADDR: the lines of one card in list's human output
block() {
    awk -v a="$2" '/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ { on = (index($0, a) == 1) } on' "$work/$1"
}

vga=0000:00:02.0 gpu=0000:01:00.0
ob=$(tree ob ovmf-bootfb)

run list.txt list --sysroot "$ob"
block list.txt $vga >"$work/vga.txt"
block list.txt $gpu >"$work/gpu.txt"
if [ $code = 0 ] && grep -q '^  reset: none: the kernel cannot reset this card' "$work/vga.txt" &&
    grep -q '^  may not work: the kernel has no reset method for this card: once a VM that used the card shuts down, the card cannot be reset, and the host needs a reboot' "$work/vga.txt"; then
    ok "list: a card with no reset method says it needs a host reboot after a VM"
else
    bad "list: no reset method" "$(cat "$work/vga.txt")"
fi
if grep -q '^  reset: flr pm bus$' "$work/gpu.txt" && ! grep -q 'may not work' "$work/gpu.txt" &&
    grep -q '^  vfio driver that would bind: vfio-pci$' "$work/gpu.txt" &&
    grep -q '^  BARs: BAR 1: 4 KiB, BAR 4: 16 KiB (64-bit, prefetchable)$' "$work/gpu.txt" &&
    grep -q '^  Resizable BAR: no (no Resizable BAR capability)$' "$work/gpu.txt"; then
    ok "list: a card with flr pm bus: its methods and BARs, no \"may not work\" line"
else
    bad "list: flr pm bus" "$(cat "$work/gpu.txt")"
fi
# efifb in the VGA's BAR 0 on 6.1: vfio-pci removes it, so it is not a reason it may not work
if grep -q '^  boot framebuffer: efifb (held by the efifb driver) at 0xc0000000-0xc03e7fff in BAR 0: vfio-pci on this kernel (6.1.0-57-amd64, 6.0 or later) removes it' "$work/vga.txt" &&
    ! grep -q 'may not work:.*framebuffer' "$work/vga.txt"; then
    ok "list: efifb in BAR 0 of the VGA, removed by vfio-pci on 6.1"
else
    bad "list: efifb" "$(cat "$work/vga.txt")"
fi

run list.json list --sysroot "$ob" --json
if [ $code = 0 ] && json list.json "
    (.[] | select(.address == \"$vga\") | .vfio_driver == \"vfio-pci\" and
        .facts.reset == \"none\" and .facts.reset_methods == [] and
        .facts.boot_framebuffer.name == \"efifb\" and .facts.boot_framebuffer.owner == \"efifb\"
        and .facts.boot_framebuffer.bar == 0 and .facts.kernel == \"6.1.0-57-amd64\" and
        .facts.bars[0].size == 16777216 and .facts.bars[0].prefetchable and
        .facts.resizable_bar == \"none\" and (.facts.may_not_work | test(\"reboot\"))) and
    (.[] | select(.address == \"$gpu\") | .facts.reset == \"methods\" and
        .facts.reset_methods == [\"flr\", \"pm\", \"bus\"] and .facts.boot_framebuffer == null and
        .facts.may_not_work == null and .facts.bars[1].index == 4 and .facts.bars[1].\"64bit\")"
then
    ok "list --json: reset methods, BARs, the framebuffer and its owner, vfio_driver"
else
    bad "list --json" "$(cat "$work/list.json")"
fi

# a kernel before 6.0 and BOOTFB held by simpledrm: vfio-pci leaves it; the argument to give
sd=$(tree sd bootfb-simpledrm)
run sd.txt list --sysroot "$sd"
block sd.txt $vga >"$work/sd-vga.txt"
run sd.json list --sysroot "$sd" --json
if grep -q "^  may not work: .*a boot framebuffer (BOOTFB, held by simpledrm) sits in BAR 0: vfio-pci on this kernel (5.19.0-1-amd64) leaves it in place .*can't reserve.*initcall_blacklist=sysfb_init" "$work/sd-vga.txt" &&
    json sd.json ".[] | select(.address == \"$vga\") | .facts.boot_framebuffer |
        .name == \"BOOTFB\" and .owner == \"simpledrm\" and (.vfio_pci | test(\"leaves it\"))"
then
    ok "list: BOOTFB held by simpledrm on 5.19: vfio-pci leaves it, the kernel argument named"
else
    bad "list: BOOTFB on 5.19" "$(cat "$work/sd-vga.txt")"
fi

# Resizable BAR, a 16 GiB BAR, every reset method switched off
rb=$(tree rb rebar-gpu)
run rb.txt list --sysroot "$rb"
block rb.txt $gpu >"$work/rb-gpu.txt"
run rb.json list --sysroot "$rb" --json
if grep -q '^  Resizable BAR: BAR 4 now 16 GiB, supports 256 MiB to 16 GiB$' "$work/rb-gpu.txt" &&
    grep -q "^  may not work: every reset method of this card was switched off .*BAR 4 is 16 GiB: the VM needs a 64-bit MMIO window .*turn Resizable BAR off" "$work/rb-gpu.txt" &&
    json rb.json ".[] | select(.address == \"$gpu\") | .facts | .resizable_bar == \"present\" and
        .reset == \"disabled\" and .reset_methods == [] and
        (.bars[] | select(.index == 4) | .size == 17179869184 and
            .resizable.current == 17179869184 and .resizable.sizes[0] == 268435456 and
            (.resizable.sizes | length) == 7)"; then
    ok "list: a Resizable BAR of 16 GiB (256 MiB to 16 GiB), reset methods switched off"
else
    bad "list: Resizable BAR" "$(cat "$work/rb-gpu.txt")"
fi

# a size code past what 64 bits hold (control bits 13:8 = 50): said, never shifted
cp -r "$rb" "$work/rb50"
printf '\0\062' | dd of="$work/rb50/sys/bus/pci/devices/$gpu/config" bs=1 seek=264 conv=notrunc \
    2>/dev/null
printf '\044' | dd of="$work/rb50/sys/bus/pci/devices/$gpu/config" bs=1 seek=264 conv=notrunc \
    2>/dev/null
run rb50.txt list --sysroot "$work/rb50"
run rb50.json list --sysroot "$work/rb50" --json
if [ $code = 0 ] && grep -q '^  Resizable BAR: BAR 4 now size code 50, supports 256 MiB to 16 GiB$' "$work/rb50.txt" &&
    json rb50.json ".[] | select(.address == \"$gpu\") | .facts.bars[1].resizable.current == null"
then
    ok "list: a Resizable BAR size code past 64 bits is said as a code (JSON: null)"
else
    bad "list: size code 50" "$(cat "$work/rb50.txt" "$work/rb50.txt.err")"
fi

# plan and status: the facts of the devices the plan hands over, human and --json
mkdir -p "$rb/etc" "$rb/run"
printf 'device = %s\n' $gpu >"$rb/etc/passthru.conf"
run plan.txt plan --sysroot "$rb"
run plan.json plan --sysroot "$rb" --json
if grep -q '^0000:01:00.0 \[1af4:1050\]:$' "$work/plan.txt" &&
    grep -q '^  Resizable BAR: BAR 4 now 16 GiB' "$work/plan.txt" &&
    ! grep -q "^$vga \[" "$work/plan.txt" &&
    json plan.json ".devices[0] | .address == \"$gpu\" and .vfio_driver == \"vfio-pci\" and
        .facts.resizable_bar == \"present\""; then
    ok "plan: the selected card's facts, human and --json"
else
    bad "plan" "$(cat "$work/plan.txt" "$work/plan.json")"
fi
run status.txt status --sysroot "$rb"
run status-v.txt status --sysroot "$rb" --verbose
run status.json status --sysroot "$rb" --json
# status's short table: one sentence for the card's problem; the whole block with --verbose
if grep -q "^$gpu may not work: every reset method of this card was switched off" "$work/status.txt" &&
    ! grep -q '^  reset: ' "$work/status.txt" &&
    grep -q '^  reset: none: every method was switched off' "$work/status-v.txt" &&
    json status.json ".devices[0] | .address == \"$gpu\" and .facts.reset == \"disabled\" and
        (.facts.bars | length) == 2"; then
    ok "status: the card's problem in one sentence, its facts with --verbose and --json"
else
    bad "status" "$(cat "$work/status.txt" "$work/status-v.txt" "$work/status.json")"
fi
# the config's driver is the one that would bind (until a variant driver is matched)
printf 'device = %s\ndriver = pci-stub\n' $gpu >"$rb/etc/passthru.conf"
run stub.json plan --sysroot "$rb" --json
if json stub.json '.devices[0].vfio_driver == "pci-stub"'; then
    ok "plan --json: vfio_driver follows the config's driver key"
else
    bad "vfio_driver from the config" "$(cat "$work/stub.json")"
fi

# not root: /proc/iomem's addresses read as zero; a config space cut short
sed 's/^\( *\)[0-9a-f]*-[0-9a-f]* :/\100000000-00000000 :/' "$ob/proc/iomem" >"$work/iomem"
cp "$work/iomem" "$ob/proc/iomem"
head -c 258 "$ob/sys/bus/pci/devices/$gpu/config" >"$work/config"
cp "$work/config" "$ob/sys/bus/pci/devices/$gpu/config"
run user.txt list --sysroot "$ob"
run user.json list --sysroot "$ob" --json
if grep -q '^  boot framebuffer: cannot tell (/proc/iomem shows addresses to root only)$' "$work/user.txt" &&
    grep -q '^  Resizable BAR: cannot tell (the config space ends at 258 bytes, inside its extended capabilities)$' "$work/user.txt" &&
    json user.json ".[] | select(.address == \"$gpu\") | .facts.boot_framebuffer == \"unknown\" and
        .facts.resizable_bar == \"unknown\""; then
    ok "list: /proc/iomem without addresses and a short config space: cannot tell, and why"
else
    bad "list: unreadable" "$(cat "$work/user.txt")"
fi

# a tree with none of these files: nothing known, nothing said
ig=$(tree ig intel-gpu-hda)
run ig.txt list --sysroot "$ig"
run ig.json list --sysroot "$ig" --json
if ! grep -q 'may not work' "$work/ig.txt" &&
    grep -q '^  reset: not reported (no reset_method file: a kernel before 5.15, or its release unknown)$' "$work/ig.txt" &&
    grep -q '^  boot framebuffer: cannot tell (no /proc/iomem to read)$' "$work/ig.txt" &&
    json ig.json 'all(.[]; .facts.reset == "unknown" and .facts.reset_methods == null and
        .facts.boot_framebuffer == "unknown" and .facts.may_not_work == null)'; then
    ok "list: no reset_method, release or iomem: not reported, no \"may not work\" line"
else
    bad "list: nothing known" "$(cat "$work/ig.txt")"
fi

for f in "$work"/*.json; do
    iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 && jq -e . "$f" >/dev/null 2>&1 ||
        bad "valid JSON" "$f"
done
echo "facts.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
