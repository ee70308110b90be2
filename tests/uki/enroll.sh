#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# enroll.sh: Secure Boot keys of our own (PK, KEK, db made with openssl) enrolled into a copy
# of OVMF's empty variable store (setup mode) by systemd-boot's own enrollment (loader.conf
# "secure-boot-enroll force": db, KEK, then PK, the last ending setup mode), checked by a
# second firmware boot in which the unsigned systemd-boot must be refused. Cached in OUT: keys/{PK,KEK,db}.{key,crt}, OVMF_VARS_4M.enrolled.fd.
# usage: tests/uki/enroll.sh OUT   (it boots the firmware: PASSTHRU_QEMU_LOCK, tests/uki/lib.sh)
set -eu
# shellcheck source=tests/uki/lib.sh
. tests/uki/lib.sh
out=${1:-build/uki}
code=${OVMF_SB_CODE:-/usr/share/OVMF/OVMF_CODE_4M.secboot.fd}
empty=${OVMF_SB_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
sdboot=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
vars=$out/OVMF_VARS_4M.enrolled.fd
[ -f "$vars" ] && [ -f "$out/keys/db.key" ] && exit 0
for f in "$code" "$empty" "$sdboot"; do
    [ -r "$f" ] || { echo "enroll.sh: no $f (packages ovmf, systemd-boot-efi)" >&2; exit 1; }
done
for t in openssl cert-to-efi-sig-list sign-efi-sig-list mkfs.vfat mcopy sfdisk; do
    command -v "$t" >/dev/null ||
        { echo "enroll.sh: no $t (sh scripts/install-deps.sh installs it)" >&2; exit 1; }
done
k=$out/keys
w=$out/enroll
rm -rf "$k" "$w" "$vars"
mkdir -p "$k" "$w/fs"
owner=$(cat /proc/sys/kernel/random/uuid)
for n in PK KEK db; do
    openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -subj "/CN=passthru test $n/" -keyout "$k/$n.key" -out "$k/$n.crt" 2>/dev/null
    cert-to-efi-sig-list -g "$owner" "$k/$n.crt" "$w/$n.esl"
done
# each list signed by the key above it: PK by itself, KEK by PK, db by KEK
sign-efi-sig-list -k "$k/PK.key" -c "$k/PK.crt" PK "$w/PK.esl" "$w/fs/PK.auth" >/dev/null
sign-efi-sig-list -k "$k/PK.key" -c "$k/PK.crt" KEK "$w/KEK.esl" "$w/fs/KEK.auth" >/dev/null
sign-efi-sig-list -k "$k/KEK.key" -c "$k/KEK.crt" db "$w/db.esl" "$w/fs/db.auth" >/dev/null
# the enrolling ESP: systemd-boot with "secure-boot-enroll force" enrolls loader/keys/*/
# {db,KEK,PK}.auth in that order when the firmware is in setup mode, then resets (QEMU's
# -no-reboot: exits). A second boot of the same ESP on the enrolled store must then refuse
# the unsigned systemd-boot: OVMF says "Access Denied" (its built-in shell, unsigned as well,
# is refused too: "Security Violation", and OVMF waits at "No bootable option").
mkdir -p "$w/fs/EFI/BOOT" "$w/fs/loader/keys/passthru"
cp "$sdboot" "$w/fs/EFI/BOOT/BOOTX64.EFI"
printf 'timeout 0\nsecure-boot-enroll force\n' >"$w/fs/loader/loader.conf"
for n in PK KEK db; do mv "$w/fs/$n.auth" "$w/fs/loader/keys/passthru/"; done
mkfs.vfat -C -F 32 "$w/fs.img" 65536 >/dev/null
(cd "$w/fs" && mcopy -s -Q -i ../fs.img ./* ::/)
truncate -s 66M "$w/disk.img"
printf 'label: gpt\nstart=2048, size=131072, type=U\n' | sfdisk -q "$w/disk.img"
dd if="$w/fs.img" of="$w/disk.img" bs=1M seek=1 conv=notrunc status=none
cp "$empty" "$w/vars.fd"
fail() {
    echo "enroll.sh: $1 ($w/$2.log):" >&2
    tail -n 20 "$w/$2.log.txt" >&2
    exit 1
}
fw() {
    fw_qemu "$w/$1.log" 300 "$2" "$code" "$w/vars.fd" -m 512 -smp 1 \
        -drive file="$w/disk.img",format=raw,if=virtio || true
}
# the enrolling boot ends with systemd-boot's reset, or stops at its first complaint
fw enroll 'Failed|Error'
grep -q 'Enrolling secure boot keys from directory' "$w/enroll.log.txt" ||
    fail "systemd-boot did not start enrolling" enroll
grep -q -E 'Failed|Error' "$w/enroll.log.txt" && fail "systemd-boot failed to enroll" enroll
fw check 'No bootable option|Shell>|Enrolling secure boot keys'
grep -q 'failed to load Boot[0-9A-F]* "UEFI Misc Device".*: Access Denied' "$w/check.log.txt" ||
    fail "after enrolling, OVMF did not refuse the unsigned systemd-boot" check
mv "$w/vars.fd" "$vars"
echo "enroll.sh: PK, KEK, db (CN=passthru test ...) enrolled in $vars"
