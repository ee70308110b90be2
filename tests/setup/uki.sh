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
uki=$esp/linux-$kver-5e1f0c2a9b3d4e6f8a7b6c5d4e3f2a1b.efi
hostline='root=UUID=1234-abcd rootflags=subvol=@ rw quiet'
EFI_GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c
EFI_LOADER=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f

# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"

# the builders' stand-ins sign with sbsign and check with sbverify (sbsigntool), build with
# objcopy (binutils), make the test key with openssl: a host without one is told which
for t in sbsign sbverify objcopy openssl iconv; do
    command -v "$t" >/dev/null 2>&1 ||
        { echo "FAIL uki.sh: $t not found (sh scripts/install-deps.sh installs it)"; exit 1; }
done

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
has_args() {
    case " $1 " in *" intel_iommu=on "*) ;; *) return 1 ;; esac
    case " $1 " in *" iommu=pt "*) return 0 ;; esac
    return 1
}

# --- dracut --uefi, hostonly_cmdline=yes (no kernel_cmdline): root= and every word kept ---
r=$(mkroot dracut dracut)
before=$(snapshot "$r")
line0=$(cmdline_of "$r")
setup "$r" install --cpu intel
line=$(cmdline_of "$r")
[ $code -eq 0 ] && [ "$line" = "$hostline intel_iommu=on iommu=pt" ] &&
    grep -q '^UKI: built by dracut (uefi=yes' "$work/out" &&
    grep -qx "dracut -f --uefi $uki $kver" "$r/commands.log" &&
    ! grep -q -- '--regenerate-all' "$r/commands.log" &&
    grep -qx "kernel command line now, UKI $uki (its .cmdline, the running UKI; passthru-setup install rebuilds it with dracut): $line" "$work/out" &&
    grep -qx "kernel_cmdline=\"$hostline intel_iommu=on iommu=pt\"" "$r/etc/dracut.conf.d/zz-passthru-uki.conf" &&
    [ ! -e "$r/var/lib/passthru/uki-backup" ] &&
    ok "dracut --uefi: the UKI rebuilt at its own path, its .cmdline the old one (root= kept) plus the arguments" ||
    bad "dracut install" "$(said); was: $line0; now: $line"
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q '^nothing to do' "$work/out" && [ ! -s "$r/commands.log" ] &&
    ok "dracut: a second install: nothing to do, nothing rebuilt" || bad "second install" "$(said)"
# status: a UKI rebuilt without passthru's arguments is drift, and its fix rebuilds it
cp "$r/proc/cmdline" "$work/cmdline.keep"
printf 'BOOT_IMAGE=/vmlinuz %s\n' "$line" >"$r/proc/cmdline"
PASSTHRU_TEST_ROOT=$r "$ukibin/passthru-test-mkuki" "$r$uki" "$kver" "$hostline"
st() {
    PATH=$ukibin:$here/bin:$PATH PASSTHRU_TEST_ROOT=$1 "$bin" status --json --sysroot "$1" \
        >"$work/st.json" 2>"$work/st.err"
    code=$?
}
st "$r"
fix=$(jq -r '[.drift[] | select(.what == "cmdline" and (.message | test("UKI /boot/efi/EFI/Linux/linux-6.1.0-13-amd64-5e1f0c2a9b3d4e6f8a7b6c5d4e3f2a1b.efi .*the running UKI.* lacks intel_iommu=on")))] | .[0].fix // empty' "$work/st.json")
[ $code -eq 1 ] && [ "$fix" = "passthru-setup install" ] &&
    ok "status: the running UKI's .cmdline lacks the arguments: drift, fix '$fix'" ||
    bad "status drift" "exit $code: $(jq -c .drift "$work/st.json")"
PATH=$ukibin:$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
    "$bin" install --cpu intel --json --root "$r" --sysroot "$r" >"$work/out" 2>"$work/err"
code=$?
st "$r"
[ $code -eq 0 ] && [ "$(cmdline_of "$r")" = "$line" ] && [ "$(jq '[.drift[] | select(.what == "cmdline")] | length' "$work/st.json")" = 0 ] &&
    ok "status: its fix (install) rebuilt the UKI; the drift is gone" ||
    bad "status fix" "exit $code: $(cat "$work/err"); $(jq -c .drift "$work/st.json")"
jq -e --arg l "$line" --arg u "$uki" '[.kernel_cmdlines[] | select(.line == $l and (.label | startswith("UKI " + $u + " (its .cmdline, the running UKI")))] | length == 1' "$work/out" >/dev/null &&
    ok "install --json: kernel_cmdlines holds the rebuilt UKI's .cmdline (read by the PE reader)" ||
    bad "--json" "$(jq -c .kernel_cmdlines "$work/out" 2>&1)"
cp "$work/cmdline.keep" "$r/proc/cmdline"

setup "$r" uninstall
after=$(snapshot "$r")
[ $code -eq 0 ] && [ "$before" = "$after" ] && [ "$(cmdline_of "$r")" = "$line0" ] &&
    ok "dracut: uninstall rebuilds the UKI without the arguments; every byte as before install" ||
    bad "dracut uninstall" "$(said); $(printf '%s\n' "$before" >"$work/a"; printf '%s\n' "$after" >"$work/b"; diff "$work/a" "$work/b")"

# --- a builder that fails, or drops a word: the old UKI and every file back, exit 1 ---
for how in fail drop; do
    r=$(mkroot "dracut-$how" dracut)
    before=$(snapshot "$r")
    if [ $how = fail ]; then
        PASSTHRU_TEST_FAIL_CMD=dracut setup "$r" install --cpu intel
    else
        PASSTHRU_TEST_UKI_DROP=rootflags=subvol=@ setup "$r" install --cpu intel
    fi
    [ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] &&
        grep -q 'putting the UKIs and every file back' "$work/out" &&
        { [ $how = fail ] || grep -q "lacks rootflags=subvol=@" "$work/out"; } &&
        ok "dracut that ${how}s: exit 1, the old UKI and every file as before" ||
        bad "dracut $how" "$(said); $(snapshot "$r" | diff - "$(printf '%s\n' "$before" >"$work/a"; echo "$work/a")")"
done

# uninstall with a builder that fails: the UKI with the arguments and every file stay
r=$(mkroot dracut-unfail dracut)
setup "$r" install --cpu intel
installed=$(snapshot "$r")
PASSTHRU_TEST_FAIL_CMD=dracut setup "$r" uninstall
[ $code -eq 1 ] && [ "$installed" = "$(snapshot "$r")" ] && has_args "$(cmdline_of "$r")" &&
    grep -q 'uninstall failed: the UKI.s builder failed: putting the UKIs and every file back' "$work/out" &&
    ok "uninstall, dracut fails: exit 1, the UKI and every file as after install" ||
    bad "uninstall fail" "$(said); $(snapshot "$r" | diff - "$(printf '%s\n' "$installed" >"$work/a"; echo "$work/a")")"
setup "$r" uninstall
[ $code -eq 0 ] && ! has_args "$(cmdline_of "$r")" && [ "$(cmdline_of "$r")" = "$hostline" ] &&
    ok "... and uninstall again: done" || bad "uninstall again" "$(said)"

# a rebuild a power cut ended: the UKI half written, its copy and the index left; the next
# install puts it back first, then rebuilds
r=$(mkroot powercut dracut)
mkdir -p "$r/var/lib/passthru/uki-backup"
cp "$r$uki" "$r/var/lib/passthru/uki-backup/0.efi"
printf '0 %s\n' "$uki" >"$r/var/lib/passthru/uki-backup/index"
head -c 100 "$r/var/lib/passthru/uki-backup/0.efi" >"$r$uki"
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q "^$uki: a rebuild was cut short (a power cut?): put back" "$work/out" &&
    [ "$(cmdline_of "$r")" = "$hostline intel_iommu=on iommu=pt" ] && [ ! -e "$r/var/lib/passthru/uki-backup" ] &&
    ok "a rebuild cut short: the next install puts the UKI back from its copy, then rebuilds it" ||
    bad "power cut" "$(said)"

# --- Secure Boot ---
r=$(mkroot sb-unsigned dracut)
sb "$r" on
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] && grep -q 'Secure Boot is on' "$work/out" &&
    grep -q 'uefi_secureboot_cert= and uefi_secureboot_key=' "$work/out" && grep -q '.cmdline add-on' "$work/out" &&
    ! grep -q 'reboot to apply' "$work/out" &&
    ok "Secure Boot on, dracut does not sign: refused, every byte the same, the setting named" ||
    bad "sb unsigned" "$(said)"
setup "$r" install --cpu intel --bootloader kernel-install
[ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] && grep -q 'ignores loader entry options' "$work/out" &&
    ok "Secure Boot on, --bootloader kernel-install on a UKI host: refused (the firmware would ignore it)" ||
    bad "sb kernel-install" "$(said)"
keys "$r"
printf 'uefi_secureboot_cert=/etc/test-sb/db.crt\nuefi_secureboot_key=/etc/test-sb/db.key\n' >"$r/etc/dracut.conf.d/20-sign.conf"
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q 'signs the rebuilt UKI with the host.s own key: /etc/test-sb/db.crt' "$work/out" &&
    has_args "$(cmdline_of "$r")" && sbverify --cert "$r/etc/test-sb/db.crt" "$r$uki" >/dev/null 2>&1 &&
    ok "Secure Boot on, dracut signs: installed, the rebuilt UKI verifies with the host's db.crt" ||
    bad "sb signed" "$(said)"

mv "$r/etc/dracut.conf.d/20-sign.conf" "$work/20-sign.conf"
installed=$(snapshot "$r")
setup "$r" uninstall
[ $code -eq 1 ] && [ "$installed" = "$(snapshot "$r")" ] && grep -q 'uninstall refused: Secure Boot is on, and dracut does not sign' "$work/out" &&
    ok "Secure Boot on, the signing key taken out of dracut's configuration: uninstall refused, nothing changed" ||
    bad "sb uninstall unsigned" "$(said)"
mv "$work/20-sign.conf" "$r/etc/dracut.conf.d/20-sign.conf"
setup "$r" uninstall
[ $code -eq 0 ] && [ "$(cmdline_of "$r")" = "$hostline" ] && sbverify --cert "$r/etc/test-sb/db.crt" "$r$uki" >/dev/null 2>&1 &&
    ok "... signing again: uninstall rebuilds the UKI, signed, without the arguments" || bad "sb uninstall" "$(said)"

# --- a user's own kernel_cmdline: kept, passthru's added ---
r=$(mkroot user-cmdline dracut)
printf 'kernel_cmdline="root=/dev/sda2 ro intel_iommu=off"\n' >"$r/etc/dracut.conf.d/50-mine.conf"
PASSTHRU_TEST_ROOT=$r "$ukibin/dracut" -f --uefi "$uki" "$kver"
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 0 ] && [ "$(cmdline_of "$r")" = "root=/dev/sda2 ro intel_iommu=on iommu=pt" ] &&
    grep -q 'contradicting arguments replaced: intel_iommu=off' "$work/out" &&
    ok "dracut with the user's kernel_cmdline: its words kept, intel_iommu=off replaced" ||
    bad "user kernel_cmdline" "$(said); $(cmdline_of "$r")"
setup "$r" uninstall
[ $code -eq 0 ] && [ "$before" = "$(snapshot "$r")" ] && ok "... and uninstall: every byte as before" ||
    bad "user kernel_cmdline uninstall" "$(said)"

# --- mkinitcpio presets with default_uki= ---
uki=/boot/efi/EFI/Linux/arch-linux.efi
r=$(mkroot mkinitcpio mkinitcpio)
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q "^UKI: built by mkinitcpio (/etc/mkinitcpio.d/linux.preset sets default_uki=$uki)" "$work/out" &&
    [ "$(cat "$r/etc/kernel/cmdline")" = "$hostline intel_iommu=on iommu=pt" ] &&
    [ "$(cmdline_of "$r")" = "$hostline intel_iommu=on iommu=pt" ] && grep -qx 'mkinitcpio -P' "$r/commands.log" &&
    [ "$(grep -c . "$r/commands.log")" = 1 ] &&
    ok "mkinitcpio PRESET_uki=: /etc/kernel/cmdline from the UKI's .cmdline, mkinitcpio -P once, the UKI has the arguments" ||
    bad "mkinitcpio" "$(said); $(cat "$r/commands.log")"
setup "$r" uninstall
[ $code -eq 0 ] && [ "$before" = "$(snapshot "$r")" ] && ok "mkinitcpio: uninstall, every byte as before" ||
    bad "mkinitcpio uninstall" "$(said)"
sb "$r" on
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] && grep -q "sbctl's /usr/lib/initcpio/post/sbctl" "$work/out" &&
    ok "mkinitcpio, Secure Boot on, no signing post hook: refused, every byte the same" || bad "mkinitcpio sb" "$(said)"
keys "$r"
mkdir -p "$r/etc/initcpio/post"
printf '#!/bin/sh\nsbsign --key /etc/test-sb/db.key --cert /etc/test-sb/db.crt --output "$3" "$3"\n' >"$r/etc/initcpio/post/sign"
chmod 755 "$r/etc/initcpio/post/sign"
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q "signs the rebuilt UKI with the host's own key: the keys of mkinitcpio's post hook /etc/initcpio/post/sign" "$work/out" &&
    sbverify --cert "$r/etc/test-sb/db.crt" "$r$uki" >/dev/null 2>&1 &&
    ok "mkinitcpio, Secure Boot on, a post hook that signs: installed, the UKI signed" || bad "mkinitcpio sb signed" "$(said)"

# --- kernel-install layout=uki (ukify) ---
uki=$esp/test-$kver.efi
r=$(mkroot kernel-install kernel-install)
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q '^UKI: built by kernel-install (layout=uki in /etc/kernel/install.conf)' "$work/out" &&
    [ "$(cat "$r/etc/kernel/cmdline")" = "$hostline intel_iommu=on iommu=pt" ] &&
    [ "$(cmdline_of "$r")" = "$hostline intel_iommu=on iommu=pt" ] &&
    grep -qx "kernel-install add $kver /boot/vmlinuz-$kver" "$r/commands.log" &&
    ok "kernel-install layout=uki: /etc/kernel/cmdline, kernel-install add, the UKI has the arguments" ||
    bad "kernel-install" "$(said); $(cat "$r/commands.log")"
setup "$r" uninstall
[ $code -eq 0 ] && [ "$before" = "$(snapshot "$r")" ] && ok "kernel-install: uninstall, every byte as before" ||
    bad "kernel-install uninstall" "$(said)"
sb "$r" on
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] && grep -q 'SecureBootPrivateKey= and SecureBootCertificate=' "$work/out" &&
    ok "kernel-install, Secure Boot on, ukify does not sign: refused, every byte the same" || bad "ki sb" "$(said)"
keys "$r"
printf '[UKI]\nSecureBootPrivateKey=/etc/test-sb/db.key\nSecureBootCertificate=/etc/test-sb/db.crt\n' >"$r/etc/kernel/uki.conf"
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q "own key: /etc/test-sb/db.crt (ukify's SecureBootCertificate" "$work/out" &&
    sbverify --cert "$r/etc/test-sb/db.crt" "$r$uki" >/dev/null 2>&1 &&
    ok "kernel-install, Secure Boot on, uki.conf signs: installed, the UKI signed" || bad "ki sb signed" "$(said)"

# layout=uki in /usr/lib/kernel/install.conf; /etc's wins when it exists
r=$(mkroot ki-usr kernel-install)
mkdir -p "$r/usr/lib/kernel"
mv "$r/etc/kernel/install.conf" "$r/usr/lib/kernel/install.conf"
setup "$r" install --cpu intel --dry-run
grep -q '^UKI: built by kernel-install (layout=uki in /usr/lib/kernel/install.conf)' "$work/out" &&
    ok "layout=uki in /usr/lib/kernel/install.conf: found" || bad "usr install.conf" "$(said)"

# dracut's configuration as dracut sources it: /etc/dracut.conf, then the conf.d files of
# /usr/lib and /etc by name, /etc's hiding /usr/lib's of the same name
uki=$esp/debian-$kver.efi
r=$(mkroot dracut-conf dracut)
rm "$r/etc/dracut.conf.d/10-uki.conf"
mkdir -p "$r/usr/lib/dracut/dracut.conf.d"
printf 'uefi=yes\n' >"$r/etc/dracut.conf"
setup "$r" install --cpu intel --dry-run
grep -q '^UKI: built by dracut' "$work/out" && ok "dracut: uefi=yes in /etc/dracut.conf" || bad "dracut.conf" "$(said)"
printf 'uefi=no\n' >"$r/etc/dracut.conf"
printf 'uefi=yes\n' >"$r/usr/lib/dracut/dracut.conf.d/50-uki.conf"
setup "$r" install --cpu intel --dry-run
grep -q '^UKI: built by dracut' "$work/out" && ok "dracut: uefi=yes in /usr/lib/dracut/dracut.conf.d wins over /etc/dracut.conf" ||
    bad "usr conf.d" "$(said)"
printf 'uefi=no\n' >"$r/etc/dracut.conf.d/50-uki.conf"
rm -f "$r/boot/efi$esp"/*.efi
setup "$r" install --cpu intel --dry-run
! grep -q '^UKI:' "$work/out" && ok "dracut: /etc/dracut.conf.d/50-uki.conf (uefi=no) hides /usr/lib's of that name" ||
    bad "etc hides usr" "$(said)"

# the running UKI: the stub started by the firmware itself names its own path; no StubInfo: not known
r=$(mkroot running dracut)
rm "$r/sys/firmware/efi/efivars/LoaderEntrySelected-$EFI_LOADER"
efistr "$r" "LoaderImageIdentifier-$EFI_LOADER" '\EFI\Linux\debian-6.1.0-13-amd64.efi'
setup "$r" install --cpu intel --dry-run
grep -q "^kernel command line for the next boot, UKI $uki (its .cmdline, the running UKI;" "$work/out" &&
    ok "the running UKI from LoaderImageIdentifier (the firmware started the stub)" || bad "LoaderImageIdentifier" "$(said)"
rm "$r/sys/firmware/efi/efivars/StubInfo-$EFI_LOADER"
setup "$r" install --cpu intel --dry-run
grep -q "^kernel command line for the next boot, UKI $uki (its .cmdline; passthru-setup" "$work/out" &&
    ok "no StubInfo: the running UKI is not known (and not named)" || bad "no StubInfo" "$(said)"

# --- type 2 entries that no configured builder makes: refused; type 1 entries beside ---
uki=$esp/debian-$kver.efi
r=$(mkroot type2 dracut)
rm "$r/etc/dracut.conf.d/10-uki.conf"
mkdir -p "$r/boot/efi/loader/entries"
printf 'title Debian\nlinux /vmlinuz\noptions root=/dev/sda1\n' >"$r/boot/efi/loader/entries/debian.conf"
before=$(snapshot "$r")
setup "$r" install --cpu intel
[ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] && grep -q 'there are UKIs (ESP/EFI/Linux/\*.efi).*no builder' "$work/out" &&
    ok "type 2 entries (type 1 beside them) and no builder set up: refused, nothing changed" || bad "type2" "$(said)"

printf 'uefi=yes\n' >"$r/etc/dracut.conf.d/10-uki.conf"
setup "$r" install --cpu intel
[ $code -eq 0 ] && grep -q '^loader entries (type 1) beside the UKIs, such as /boot/efi/loader/entries/debian.conf: not edited' "$work/out" &&
    grep -qx 'options root=/dev/sda1' "$r/boot/efi/loader/entries/debian.conf" && has_args "$(cmdline_of "$r")" &&
    ok "type 2 and type 1 entries, dracut uefi=yes: the UKI rebuilt, the type 1 entry left and said so" || bad "type1+2" "$(said)"

# --- --trial on a UKI host: refused ---
r=$(mkroot trial dracut)
before=$(snapshot "$r")
setup "$r" install --cpu intel --trial
[ $code -eq 1 ] && [ "$before" = "$(snapshot "$r")" ] && grep -q 'install --trial refused: this host boots a unified kernel image' "$work/out" &&
    ok "--trial on a UKI host: refused, nothing changed" || bad "trial" "$(said)"

# --- --root of another machine: no EFI variables read, commands printed ---
r=$(mkroot image dracut)
sb "$r" on
PATH=$ukibin:$here/bin:$PATH PASSTHRU_TEST_ROOT=$r "$bin" install --cpu intel --root "$r" >"$work/out" 2>&1
code=$?
[ $code -eq 0 ] && grep -q '^Secure Boot: not known for an image of other machines' "$work/out" &&
    grep -qx "  dracut -f --uefi $uki $kver" "$work/out" && [ ! -s "$r/commands.log" ] &&
    grep -qx "kernel_cmdline=\"$hostline intel_iommu=on iommu=pt\"" "$r/etc/dracut.conf.d/zz-passthru-uki.conf" &&
    ok "--root of another machine: its EFI variables not read (Secure Boot not known, said), the rebuild printed" ||
    bad "--root image" "$(said)"

echo "uki.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
