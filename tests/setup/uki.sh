#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# uki.sh: install, status and uninstall on UKI hosts (fixture roots, each its own --sysroot):
# every way of finding the builder, Secure Boot refusals, dracut's hostonly command line kept,
# a failing or word-dropping builder undone, every byte back after uninstall. The builders'
# stand-ins (tests/setup/uki-bin) make real UKIs with objcopy from systemd's stub, so
# passthru-setup's PE reader reads real files.
# usage: tests/setup/uki.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
set -u
top=$(pwd)
bin=$1
case $bin in /*) ;; *) bin=$top/$bin ;; esac
here=$top/tests/setup
ukibin=$here/uki-bin
work=${WORK:-$top/build/tests/setup-uki}
pass=0
fail=0
rm -rf "$work"
mkdir -p "$work"
kver=6.1.0-13-amd64
esp=/boot/efi/EFI/Linux
uki=$esp/debian-$kver.efi
hostline='root=UUID=1234-abcd rootflags=subvol=@ rw quiet'
EFI_GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c
EFI_LOADER=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f

# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"

# efivar ROOT NAME-GUID: an EFI variable: 4 attribute bytes, then stdin
efivar() {
    mkdir -p "$1/sys/firmware/efi/efivars"
    { printf '\007\000\000\000'; cat; } >"$1/sys/firmware/efi/efivars/$2"
}
# efistr ROOT NAME-GUID TEXT: a UTF-16LE string variable, NUL-terminated
efistr() { printf '%s\000' "$3" | iconv -f ASCII -t UTF-16LE | efivar "$1" "$2"; }
# sb ROOT on|off: the SecureBoot variable (and SetupMode 0)
sb() {
    if [ "$2" = on ]; then printf '\001' | efivar "$1" "SecureBoot-$EFI_GLOBAL"; else printf '\000' | efivar "$1" "SecureBoot-$EFI_GLOBAL"; fi
    printf '\000' | efivar "$1" "SetupMode-$EFI_GLOBAL"
}
# booted_from ROOT FILE: systemd-boot started the type 2 entry FILE (the stub ran)
booted_from() {
    efistr "$1" "StubInfo-$EFI_LOADER" "systemd-stub 252.39-1~deb12u2"
    efistr "$1" "LoaderEntrySelected-$EFI_LOADER" "$2"
}
# keys ROOT: a test db key and certificate under /etc/test-sb
keys() {
    mkdir -p "$1/etc/test-sb"
    if [ ! -f "$work/db.key" ]; then
        openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=passthru-test-db \
            -keyout "$work/db.key" -out "$work/db.crt" >/dev/null 2>&1
    fi
    cp "$work/db.key" "$work/db.crt" "$1/etc/test-sb/"
}

# mkroot NAME dracut|mkinitcpio|kernel-install: a root whose UKI that builder made, booted from
# it (Secure Boot off), dracut the generator (mkinitcpio: mkinitcpio); prints its path
mkroot() {
    r=$work/$1
    rm -rf "$r"
    mkdir -p "$r/usr/lib/passthru" "$r/usr/bin" "$r/etc/cmdline.d" "$r/lib/modules/$kver" \
        "$r/proc" "$r/boot/efi/loader" "$r/boot/efi$esp"
    tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$r"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    printf 'timeout 3\n' >"$r/boot/efi/loader/loader.conf"
    printf '%s\n' "$hostline" >"$r/etc/cmdline.d/90-root.conf"
    printf 'BOOT_IMAGE=/vmlinuz %s\n' "$hostline" >"$r/proc/cmdline"
    case $2 in
    dracut | kernel-install)
        : >"$r/usr/bin/dracut"
        chmod 755 "$r/usr/bin/dracut"
        mkdir -p "$r/usr/lib/dracut/modules.d/90passthru" "$r/etc/dracut.conf.d"
        : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh" ;;
    esac
    case $2 in
    dracut)
        printf 'uefi=yes\nhostonly=yes\nhostonly_cmdline=yes\n' >"$r/etc/dracut.conf.d/10-uki.conf"
        PASSTHRU_TEST_ROOT=$r "$ukibin/dracut" -f --uefi "$uki" "$kver" ;;
    kernel-install)
        mkdir -p "$r/etc/kernel"
        printf 'layout=uki\n' >"$r/etc/kernel/install.conf"
        printf '%s\n' "$hostline" >"$r/etc/kernel/cmdline"
        PASSTHRU_TEST_ROOT=$r "$ukibin/kernel-install" add "$kver" "/boot/vmlinuz-$kver" ;;
    mkinitcpio)
        uki=/boot/efi/EFI/Linux/arch-linux.efi
        mkdir -p "$r/etc/mkinitcpio.d" "$r/etc/mkinitcpio.conf.d" "$r/usr/lib/initcpio/install" \
            "$r/usr/lib/initcpio/hooks"
        : >"$r/usr/bin/mkinitcpio"
        chmod 755 "$r/usr/bin/mkinitcpio"
        printf 'HOOKS=(base udev autodetect modconf block filesystems fsck)\n' >"$r/etc/mkinitcpio.conf"
        cp mkinitcpio/install/passthru "$r/usr/lib/initcpio/install/passthru"
        cp mkinitcpio/hooks/passthru "$r/usr/lib/initcpio/hooks/passthru"
        printf "ALL_kver='/boot/vmlinuz-linux'\nPRESETS=('default')\ndefault_uki=\"%s\"\n" "$uki" \
            >"$r/etc/mkinitcpio.d/linux.preset"
        PASSTHRU_TEST_ROOT=$r "$ukibin/mkinitcpio" -P ;;
    esac
    booted_from "$r" "$(basename "$uki")"
    sb "$r" off
    rm -f "$r/commands.log"
    echo "$r"
}

# setup ROOT ARGS...: passthru-setup with the stand-ins, output in $work/out, exit code in $code
setup() {
    s=$1
    shift
    : >"$s/commands.log"
    PATH=$ukibin:$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$s \
        "$bin" "$@" --root "$s" --sysroot "$s" >"$work/out" 2>&1
    code=$?
}
# cmdline_of ROOT [UKI]: the .cmdline section objcopy dumps (NUL gone)
cmdline_of() {
    objcopy -O binary --only-section=.cmdline "$1${2:-$uki}" "$work/cmdline.bin" 2>/dev/null &&
        tr -d '\000' <"$work/cmdline.bin"
}
said() { echo "exit $code: $(tail -n 8 "$work/out")"; }
