#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh: passthru-setup's command line, JSON, XML, status drift and install's device checks,
# on temporary roots with captured sysfs trees (tests/fixtures/*/tree.tar.gz) as --sysroot.
# usage: tests/setup/cli.sh BIN     (make check-setup; BIN is build/passthru-setup or its ASan copy)
# JSON is checked with jq, XML with xmllint (a real parser), never by grep alone.
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-cli "$@"

# run ARGS...: stdout to $work/out, stderr to $work/err, exit code in $code
run() {
    "$bin" "$@" >"$work/out" 2>"$work/err"
    code=$?
}
has() { grep -q -- "$1" "$2"; }
# json: stdout is exactly one valid JSON document
json() { jq -e -s 'length == 1' "$work/out" >/dev/null 2>&1; }

intel=$(tree intel intel-gpu-hda)
two=$(tree two two-gpus)
noiommu=$(tree noiommu no-iommu)

# --- 1. options: each command takes its own, and only those ---
run status --root /tmp --sysroot "$intel"
[ $code -eq 2 ] && has "status: option '--root' does not apply" "$work/err" && has 'status takes' "$work/err" &&
    ok "status --root: usage error naming the option and the command" || bad "status --root" "exit $code: $(cat "$work/err")"
run uninstall --device 01:00.0 --root "$work/none"
[ $code -eq 2 ] && has "uninstall: option '--device' does not apply" "$work/err" &&
    ok "uninstall --device: usage error" || bad "uninstall --device" "exit $code: $(cat "$work/err")"
for c in "list --dry-run" "plan --root=/x" "xml --json 01:00.0" "status --device 01:00.0" \
    "install --diff" "confirm --diff" "status --nfd --diff" "uninstall --cpu intel" \
    "status --frobnicate" "list extra"; do
    # shellcheck disable=SC2086
    run $c
    cmd=${c%% *}
    [ $code -eq 2 ] && has "passthru-setup: $cmd: " "$work/err" && [ ! -s "$work/out" ] ||
        { bad "usage error: $c" "exit $code: $(cat "$work/err")"; continue; }
    ok "usage error (exit 2, names the command): $c"
done
for c in install uninstall status list plan xml confirm; do
    run "$c" --help
    [ $code -eq 0 ] && head -n 1 "$work/out" | grep -q "^usage: passthru-setup $c" && [ ! -s "$work/err" ] ||
        { bad "$c --help" "exit $code: $(cat "$work/out" "$work/err")"; continue; }
    ok "$c --help: its own usage on stdout, exit 0"
done
# --help says what each of install's choices takes, and what a device selector looks like
# (the values set_option accepts, the forms selector_parse accepts); so do install --help,
# xml --help (SEL) and the man page
sel_forms="0000:01:00.0 01:00.0 pci_0000_01_00_0 10de:2204 10de:2204@0000:01:00.0"
values="--cpu auto|intel|amd|other
--bootloader auto|grub|grubby|kernel-install|uki|none
--initramfs auto|dracut|initramfs-tools|mkinitcpio"
help_says() {
    missing=
    for w in --device --no-iommu-pt --allow-unsafe-interrupts --no-initramfs --trial SEL $sel_forms; do
        grep -qF -- "$w" "$1" || missing="$missing $w"
    done
    echo "$values" | while IFS= read -r v; do
        opt=${v%% *}
        grep -qF -- "$v" "$1" || { echo " $v"; continue; }
        # each value is explained on the lines under the option (not only listed)
        for val in $(echo "${v#* }" | tr '|' ' '); do
            sed -n "/^  $opt /,/^  --/p" "$1" | sed 1d | grep -q -- "$val" || echo " $opt $val (meaning)"
        done
    done | tr -d '\n'
    printf '%s' "$missing"
}
run --help
miss=$(help_says "$work/out")
[ $code -eq 0 ] && [ -z "$miss" ] && ok "--help: install's choices with their values and what they mean, SEL's forms" ||
    bad "--help" "missing:$miss"
run install --help
miss=$(help_says "$work/out")
[ $code -eq 0 ] && [ -z "$miss" ] && ok "install --help: the choices' values and SEL's forms" || bad "install --help" "missing:$miss"
run xml --help
miss=
for w in $sel_forms; do grep -qF -- "$w" "$work/out" || miss="$miss $w"; done
[ $code -eq 0 ] && [ -z "$miss" ] && ok "xml --help: SEL's forms" || bad "xml --help" "missing:$miss"
man=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' docs/man/passthru-setup.8)
miss=
for w in $sel_forms "SELECTORS" "--cpu auto|intel|amd|other" "--bootloader auto|grub|grubby|kernel-install|uki|none" \
    "--initramfs auto|dracut|initramfs-tools|mkinitcpio"; do
    case $man in *"$w"*) ;; *) miss="$miss $w" ;; esac
done
[ -z "$miss" ] && ok "passthru-setup(8): the choices' values and a DEVICE SELECTORS section" || bad "man page" "missing:$miss"
# the bash completion offers each command exactly the options its --help shows
for c in install uninstall status list plan xml confirm; do
    want=$("$bin" "$c" --help | grep -o -- '--[a-z-]*' | grep -v -- '^--help$' | sort -u | tr '\n' ' ')
    got=$(awk -v c="$c" '$0 ~ "^    ([a-z]+ [|] )*" c "( [|] [a-z]+)*[)]" { on = 1 } on { print } on && /;;/ { on = 0 }' \
        docs/passthru-setup.bash | grep -o -- '--[a-z-]*' | grep -v -e '^--help$' -e '^--$' | sort -u | tr '\n' ' ')
    [ -n "$want" ] && [ "$want" = "$got" ] && ok "bash completion for $c: $want" ||
        bad "bash completion $c" "help: $want; completion: $got"
done
run --version
[ $code -eq 0 ] && grep -Eq '^passthru-setup [0-9]+\.[0-9]+' "$work/out" && ok "--version" || bad "--version" "$(cat "$work/out")"
run status --trial
[ $code -eq 2 ] && has "option '--trial' does not apply" "$work/err" && ok "status --trial: install's option only, exit 2" ||
    bad "--trial" "exit $code"
mkdir -p "$work/notrial"
run confirm --root "$work/notrial"
[ $code -eq 1 ] && has 'no trial is pending' "$work/err" && ok "confirm with no trial pending: exit 1, says so" ||
    bad "confirm" "exit $code"
run install --initramfs foo
[ $code -eq 2 ] && has 'initramfs takes auto, dracut' "$work/err" && ok "install --initramfs: checked" || bad "--initramfs" "$code"
# an unknown short option inside a cluster is named, not the word before it
run status --json -xyz
[ $code -eq 2 ] && has "status: unknown option '-x'" "$work/err" && ! has "option 'status'" "$work/err" &&
    ok "status -xyz: names -x" || bad "status -xyz" "exit $code: $(cat "$work/err")"
run status --json=1
[ $code -eq 2 ] && has "option '--json' takes no value" "$work/err" && ok "status --json=1: takes no value" ||
    bad "status --json=1" "exit $code: $(cat "$work/err")"
# a usage error under --json: exit 2, the words on stderr, still one JSON document on stdout
for c in "status --json --frobnicate" "plan --json -x" "list --json --root /" "status --json extra" \
    "install --json --frobnicate" "install --json --cpu arm" "uninstall --json --device 1" \
    "confirm --json extra" "install --json --bootloader x" "status --json --nfd"; do
    # shellcheck disable=SC2086
    run $c
    [ $code -eq 2 ] && json && [ -s "$work/err" ] &&
        { [ "${c%% *}" = list ] || jq -e '(.errors | length == 1) and .iommu == null' "$work/out" >/dev/null; } &&
        case ${c%% *} in
        install | uninstall | confirm) jq -e --arg c "${c%% *}" '.command == $c and .changed == false and
            .reboot_required == false and .exit_code == 2 and .files == [] and .commands == [] and
            (.message | test("^" + $c + ": "))' "$work/out" >/dev/null ;;
        esac &&
        ok "usage error under --json: one JSON document: $c" || bad "json usage error: $c" "exit $code: $(cat "$work/out")"
done
# a single-valued option given twice with different values is refused (the last must not win:
# install --root /mnt --root / would be the live host); the same value twice is fine
for c in "install --root $work/none --root=/" "plan --sysroot $intel --sysroot $noiommu" "xml --split a --split b 00:05.0"; do
    # shellcheck disable=SC2086
    run $c
    [ $code -eq 2 ] && has "given twice with different values" "$work/err" &&
        ok "option twice, two values: usage error: ${c%% *}" || bad "option twice: $c" "exit $code: $(cat "$work/err")"
done
run list --sysroot "$intel" --sysroot="$intel"
[ $code -eq 0 ] && ok "option twice with the same value: accepted" || bad "option twice same" "exit $code: $(cat "$work/err")"
# output that cannot be written (a full disk) is a failure, not exit 0 with a lost document
if [ -w /dev/full ]; then
    for c in "list" "plan --json" "xml 00:05.0"; do
        # shellcheck disable=SC2086
        "$bin" $c --sysroot "$intel" >/dev/full 2>"$work/err"; code=$?
        [ $code -ne 0 ] && has "cannot write the output" "$work/err" && ok "$c into /dev/full: exit $code, said" ||
            bad "$c > /dev/full" "exit $code: $(cat "$work/err")"
    done
fi
# an empty value is a usage error: --sysroot= would read the current directory as the host
for c in "list --sysroot=" "plan --json --sysroot=" "xml --split= 00:05.0"; do
    # shellcheck disable=SC2086
    (cd "$intel" && exec "$bin" $c) >"$work/out" 2>"$work/err"; code=$?
    [ $code -eq 2 ] && has "needs a value" "$work/err" && { [ ! -s "$work/out" ] || json; } &&
        ok "empty option value is a usage error: $c" || bad "empty value: $c" "exit $code: $(cat "$work/err")"
done

# --- 2. JSON: one document on stdout, on errors too; plan's exit codes ---
run plan --json --sysroot "$intel"
[ $code -eq 0 ] && json && jq -e '.devices == [] and .errors == [] and .iommu.active == true' "$work/out" >/dev/null &&
    ok "plan --json without a config: only the JSON, exit 0" || bad "plan --json no config" "exit $code: $(cat "$work/out")"
printf 'device = 0000:00:05.0\nfoo = bar\n' >"$intel/etc/passthru.conf"
run plan --json --sysroot "$intel"
[ $code -eq 2 ] && json && jq -e '.errors | length == 1 and (.[0] | test("passthru.conf:2: unknown key"))' \
    "$work/out" >/dev/null && ok "plan --json, config error: JSON on stdout with the error inside, exit 2" ||
    bad "plan --json config error" "exit $code: $(cat "$work/out")"
planexit() { # CONFIG SYSROOT WANT NAME
    printf '%b' "$1" >"$2/etc/passthru.conf"
    run plan --json --sysroot "$2"
    [ $code -eq "$3" ] && json && ok "plan exit $3: $4" || bad "plan exit $4" "exit $code, wanted $3: $(cat "$work/out" "$work/err")"
}
planexit 'device = 0000:00:05.0\n' "$intel" 0 "all planned"
planexit '# nothing\n' "$intel" 0 "nothing selected"
planexit 'device = 0000:00:05.0\ndevice = 0000:00:09.0\n' "$intel" 1 "an address that is absent"
planexit 'device = 0000:00:02.0\n' "$intel" 1 "the boot display refused"
planexit 'device = 0000:00:05.0\n' "$noiommu" 3 "IOMMU not active"
printf 'device = 0000:00:05.0\n' >"$intel/etc/passthru.conf"
run status --json --sysroot "$intel"
[ $code -eq 1 ] && json && jq -e '.version == 1 and (.iommu.active | type) == "boolean" and
    (.devices | length == 2) and (.devices[0] | has("driver") and has("state") and has("address")) and
    .errors == [] and .ready == false and (.message | type) == "string" and .drift == [] and .boot == null' \
    "$work/out" >/dev/null && ok "status --json: the contract's shape" || bad "status --json shape" "$(cat "$work/out")"
rm -f "$intel/etc/passthru.conf"
run status --json --sysroot "$intel"
[ $code -eq 1 ] && json && jq -e '.devices == [] and .ready == false and (.message | test("no device is configured"))' \
    "$work/out" >/dev/null && ok "status --json without a config" || bad "status --json no config" "$(cat "$work/out")"
# IOMMU first: with no device and the IOMMU off, the next step is the IOMMU, then the groups
rm -f "$noiommu/etc/passthru.conf"
run status --json --sysroot "$noiommu"
[ $code -eq 1 ] && json && jq -e '(.message | test("^IOMMU not active: ")) and (.message | test("passthru-setup list"))' \
    "$work/out" >/dev/null && ok "status, no device, IOMMU off: says the IOMMU first, then list" ||
    bad "status no device no iommu" "$(cat "$work/out")"
printf 'device = bogus\n' >"$intel/etc/passthru.conf"
run status --json --sysroot "$intel"
[ $code -eq 1 ] && json && jq -e '.errors | length == 1' "$work/out" >/dev/null &&
    ok "status --json with a config error: one document, the error inside" || bad "status --json config error" "$(cat "$work/out")"
for c in status plan; do
    run "$c" --json --sysroot "$work/missing"
    [ $code -eq 1 ] && json && jq -e '.iommu == null and (.errors | length == 1)' "$work/out" >/dev/null &&
        ok "$c --json on an unreadable sysroot: one JSON document, iommu unknown (null), the error inside" ||
        bad "$c --json error" "exit $code: $(cat "$work/out")"
done
run list --json --sysroot "$work/missing"
[ $code -eq 1 ] && json && ok "list --json on an unreadable sysroot: still one JSON document" || bad "list --json error" "$code"

# --- 3. status: drift, each with the command that fixes it; exit 0 only when all is well ---
claimed=$(tree claimed intel-gpu-hda)
for f in 0 1; do
    ln -s ../../../bus/pci/drivers/vfio-pci "$claimed/sys/devices/pci0000:00/0000:00:05.$f/driver"
done
printf 'device = 0000:00:05.0\n' >"$claimed/etc/passthru.conf"
sum=$(sha256sum "$claimed/etc/passthru.conf" | cut -d ' ' -f 1)
mkdir -p "$claimed/run/passthru"
printf '{"version": 1, "config_sha256": "%s", "devices": [], "errors": []}\n' "$sum" >"$claimed/run/passthru/status.json"
run status --json --sysroot "$claimed"
[ $code -eq 0 ] && json && jq -e '.ready == true and .drift == [] and .boot.config_sha256 != null and
    ([.devices[] | .state] == ["claimed", "claimed"]) and ([.devices[] | .driver] == ["vfio-pci", "vfio-pci"])' \
    "$work/out" >/dev/null && ok "status: claimed, config as booted: ready, exit 0" || bad "status ready" "exit $code: $(cat "$work/out")"
printf 'device = 0000:00:05.0\nboot_vga = allow\n' >"$claimed/etc/passthru.conf"
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '.ready == false and (.drift | length == 1) and .drift[0].what == "config" and
    (.drift[0].fix | test("passthru-setup install"))' "$work/out" >/dev/null &&
    ok "status: /etc/passthru.conf edited after the boot's initramfs: drift, fix is install, exit 1" ||
    bad "status config drift" "exit $code: $(cat "$work/out")"
run status --sysroot "$claimed"
[ $code -eq 1 ] && has '^drift: /etc/passthru.conf changed' "$work/out" && has '^  fix: passthru-setup install' "$work/out" &&
    ok "status (text): the drift and its fix" || bad "status text drift" "$(cat "$work/out")"
# the short table: the boot's state of each device, its driver now, one sentence per problem;
# the boot's document itself only with --verbose (a failed claim is never shown as planned)
failed=$(tree failed intel-gpu-hda)
ln -s ../../../bus/pci/drivers/bochs-drm "$failed/sys/devices/pci0000:00/0000:00:05.0/driver"
printf 'device = 0000:00:05.0\n' >"$failed/etc/passthru.conf"
mkdir -p "$failed/run/passthru"
printf '{"version": 1, "config_sha256": "%s", "devices": [
 {"address": "0000:00:05.0", "id": "1234:1111", "class": "0x030000", "group": 2, "role": "selected",
  "driver": "vfio-pci", "state": "failed", "reason": "vfio-pci did not bind: \\"probe\\" failed (-22)"},
 {"address": "0000:00:05.1", "id": "8086:293e", "class": "0x040300", "group": 2, "role": "companion",
  "driver": "vfio-pci", "state": "failed", "reason": "its unit failed: given back"}], "errors": []}\n' \
    "$(sha256sum <"$failed/etc/passthru.conf" | cut -d ' ' -f 1)" >"$failed/run/passthru/status.json"
run status --sysroot "$failed"
[ $code -eq 1 ] && [ "$(wc -l <"$work/out")" -le 8 ] && ! has '"version"' "$work/out" &&
    has '^0000:00:05.0  1234:1111  selected   failed     bochs-drm$' "$work/out" &&
    has '^0000:00:05.1  8086:293e  companion  failed     ' "$work/out" &&
    has '^0000:00:05.0: the boot failed to claim it: vfio-pci did not bind: "probe" failed (-22)$' "$work/out" &&
    has '^0000:00:05.1: the boot failed to claim it: its unit failed: given back$' "$work/out" &&
    ! has planned "$work/out" &&
    ok "status: a failed claim: a short table with the boot's state, the boot's reason, no document" ||
    bad "status failed claim" "$(cat "$work/out")"
run status --verbose --sysroot "$failed"
[ $code -eq 1 ] && has '^boot: passthru-claim ran this boot; its /run/passthru/status.json:$' "$work/out" &&
    has '^  |  {"address": "0000:00:05.0"' "$work/out" && has '^0000:00:05.0: the boot failed' "$work/out" &&
    ok "status --verbose: the boot's document too" || bad "status --verbose" "$(cat "$work/out")"
printf '{"version": 1, "config_sha256": null}\n' >"$claimed/run/passthru/status.json"
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '.drift[0].what == "config"' "$work/out" >/dev/null &&
    ok "status: the boot had no config, there is one now: drift" || bad "status null sha" "$(cat "$work/out")"
printf '{"version": 1, "truncated' >"$claimed/run/passthru/status.json"
run status --json --sysroot "$claimed"
json && jq -e '.boot == null and (.errors[0] | test("not valid JSON"))' "$work/out" >/dev/null &&
    ok "status --json: a broken boot document is reported, the output stays valid" || bad "status broken boot" "$(cat "$work/out")"
printf '{"version": 1, "errors": ["\377\376"]}\n' >"$claimed/run/passthru/status.json"
run status --json --sysroot "$claimed"
json && jq -e '.boot == null' "$work/out" >/dev/null && ok "status --json: a boot document with bytes that are not UTF-8 is not embedded" ||
    bad "status non-UTF-8 boot" "$(cat "$work/out")"
printf '{"version": 1, "errors": ["caf\303\251 \\u00e9"], "x": [1.5e3, -0, true, null]}\n' >"$claimed/run/passthru/status.json"
run status --json --sysroot "$claimed"
json && jq -e '.boot.errors[0] == "café é" and .boot.x[0] == 1500' "$work/out" >/dev/null &&
    ok "status --json: a valid boot document with UTF-8 is embedded as it is" || bad "status utf8 boot" "$(cat "$work/out")"
# an ID@address selector whose address holds another card: the card is there, so not "not found"
printf 'device = 10de:2204@0000:00:05.0\n' >"$work/idmis.conf"
idmis=$(tree idmis intel-gpu-hda) && cp "$work/idmis.conf" "$idmis/etc/passthru.conf"
run plan --sysroot "$idmis"
[ $code -eq 1 ] && has '^0000:00:05.0 not claimed: 0000:00:05.0 is 1234:1111, not 10de:2204' "$work/out" &&
    ! has 'not found' "$work/out" && ok "plan: an ID mismatch at an address is 'not claimed', not 'not found'" ||
    bad "plan id mismatch" "exit $code: $(cat "$work/out")"
# several selected devices that will not be claimed: the message names the first and says
# how many more, and where their reasons are (the text table has none)
printf 'device = 00:1f.2\ndevice = 00:02.0\ndevice = 00:05.0\ndevice = 00:09.0\n' >"$idmis/etc/passthru.conf"
run status --sysroot "$idmis"
[ $code -eq 1 ] && tail -n 1 "$work/out" | grep -q '2 more selected devices will not be claimed either: passthru-setup plan gives each reason' &&
    ok "status: more than one unclaimable device: counted, and plan named for the reasons" ||
    bad "status several refused" "exit $code: $(tail -n 1 "$work/out")"
run plan --sysroot "$idmis"
! grep -q ' :' "$work/out" && ! grep -q ' $' "$work/out" && has '^0000:00:02.0 \[1234:1111\] selected  refused: ' "$work/out" &&
    ok "plan (text): 'refused: why', no blank before the colon or at line ends" || bad "plan text spacing" "$(cat "$work/out")"
printf '[]\n' >"$claimed/run/passthru/status.json"
run status --json --sysroot "$claimed"
json && jq -e '.boot == null and (.errors[0] | test("not an object"))' "$work/out" >/dev/null &&
    ok "status --json: a boot document that is valid JSON but not an object is not embedded" ||
    bad "status array boot" "$(cat "$work/out")"
# a FIFO in place of the boot's document (or the config) must not hang status
fifo=$(tree fifo intel-gpu-hda)
printf 'device = 0000:00:05.0\n' >"$fifo/etc/passthru.conf"
mkdir -p "$fifo/run/passthru" && mkfifo "$fifo/run/passthru/status.json"
timeout 20 "$bin" status --json --sysroot "$fifo" >"$work/out" 2>"$work/err"; code=$?
[ $code -eq 1 ] && json && jq -e '.boot == null and (.errors[0] | test("not a regular file"))' "$work/out" >/dev/null &&
    ok "status: a FIFO as /run/passthru/status.json is an error, never a hang" ||
    bad "status fifo" "exit $code: $(cat "$work/out" "$work/err")"
# a FIFO or a directory as the config: install says so and exits 2, as plan does
for kind in fifo dir; do
    cr=$work/conf-$kind
    rm -rf "$cr" && mkdir -p "$cr/etc"
    if [ $kind = fifo ]; then mkfifo "$cr/etc/passthru.conf"; else mkdir "$cr/etc/passthru.conf"; fi
    timeout 20 "$bin" install --root "$cr" --sysroot "$intel" --cpu intel >"$work/out" 2>"$work/err"; code=$?
    [ $code -eq 2 ] && has '/etc/passthru.conf: not a regular file' "$work/err" &&
        has 'nothing was changed' "$work/err" && [ ! -e "$cr/var/lib/passthru" ] &&
        ok "install: a $kind as /etc/passthru.conf: a config error naming it, exit 2 (as plan)" ||
        bad "install $kind config" "exit $code: $(cat "$work/err")"
done
# a damaged boot document is not where to look for why a device is not claimed
rm "$fifo/run/passthru/status.json" && printf '{"version": 1, "trunc' >"$fifo/run/passthru/status.json"
run status --json --sysroot "$fifo"
[ $code -eq 1 ] && json && jq -e '(.message | test("damaged")) and (.message | test("says why") | not)' "$work/out" >/dev/null &&
    ok "status: a damaged boot document is not said to explain anything" || bad "status damaged says why" "$(cat "$work/out")"
run status --sysroot "$intel"
grep -Eq 'see (below|above)|(above|below)[):]' "$work/out" && bad "status" "points up or down: $(cat "$work/out")" ||
    ok "status: no 'see below' or 'above' (JSON has no above)"

# status against the install record (/var/lib/passthru/installed under the sysroot)
mkdir -p "$claimed/var/lib/passthru"
printf 'device = 0000:00:05.0\n' >"$claimed/etc/passthru.conf"
sum=$(sha256sum "$claimed/etc/passthru.conf" | cut -d ' ' -f 1)
printf '{"version": 1, "config_sha256": "%s"}\n' "$sum" >"$claimed/run/passthru/status.json"
record() { printf '%s\n' "$@" >"$claimed/var/lib/passthru/installed"; }
cp "$claimed/proc/cmdline" "$work/cmdline.orig"
record 'args intel_iommu=on iommu=pt' 'device 0000:00:05.0 1234:1111' 'device 0000:00:05.1 8086:293e'
run status --json --sysroot "$claimed"
[ $code -eq 0 ] && json && jq -e '.ready == true and .drift == []' "$work/out" >/dev/null &&
    ok "status with an install record that matches: ready, exit 0" || bad "status record ok" "exit $code: $(cat "$work/out")"
sed 's/ iommu=pt//' "$work/cmdline.orig" >"$claimed/proc/cmdline"
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '.ready == false and (.drift | length == 1) and .drift[0].what == "cmdline" and
    (.drift[0].message | test("lacks iommu=pt")) and (.drift[0].fix | test("passthru-setup install"))' "$work/out" >/dev/null &&
    ok "status: /proc/cmdline lacks an installed argument: drift with its fix, exit 1" || bad "cmdline lacks" "exit $code: $(cat "$work/out")"
sed 's/$/ intel_iommu=off/' "$work/cmdline.orig" >"$claimed/proc/cmdline"
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '[.drift[] | select(.what == "cmdline" and (.message | test("carries intel_iommu=off")))] | length == 1' \
    "$work/out" >/dev/null && ok "status: a contradicting argument on /proc/cmdline: drift" || bad "cmdline contra" "exit $code: $(cat "$work/out")"
cp "$work/cmdline.orig" "$claimed/proc/cmdline"
record 'args intel_iommu=on iommu=pt' 'device 0000:00:05.0 10de:2204' 'device 0000:00:09.0 1234:1111'
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '[.drift[] | select(.what == "device")] | length == 2 and
    (.[0].message | test("0000:00:05.0 was 10de:2204 at install and is 1234:1111 now")) and
    (.[1].message | test("no device at that address"))' "$work/out" >/dev/null &&
    ok "status: a swapped card and a moved one: drift naming both IDs" || bad "device drift" "exit $code: $(cat "$work/out")"
run status --sysroot "$claimed"
[ $code -eq 1 ] && has '^drift: 0000:00:05.0 was 10de:2204' "$work/out" && has '^  fix: if the card at 0000:00:05.0 now (1234:1111) is the one to pass through: passthru-setup install (it records that card); if not: change the device line naming 0000:00:05.0 in /etc/passthru.conf' "$work/out" &&
    has '^  fix: passthru-setup install (/etc/passthru.conf no longer names 0000:00:09.0' "$work/out" &&
    ok "status (text): device drift and its fix" || bad "device drift text" "$(cat "$work/out")"
# the next boot's command line, from the boot configuration's files as they are now
record 'args intel_iommu=on iommu=pt' 'boot kernel-install'
mkdir -p "$claimed/etc/kernel"
echo 'root=/dev/sda1 ro intel_iommu=on iommu=pt' >"$claimed/etc/kernel/cmdline"
run status --json --sysroot "$claimed"
[ $code -eq 0 ] && json && jq -e '.drift == [] and .ready' "$work/out" >/dev/null &&
    ok "status: /etc/kernel/cmdline still gives the arguments: no drift" || bad "next boot ok" "exit $code: $(cat "$work/out")"
echo 'root=/dev/sda1 ro intel_iommu=on' >"$claimed/etc/kernel/cmdline"
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '(.drift | length == 1) and (.drift[0].message | test("next boot.s command line from /etc/kernel/cmdline.* lacks iommu=pt"))' \
    "$work/out" >/dev/null && ok "status: a hand edit took an argument out of /etc/kernel/cmdline: drift" ||
    bad "next boot lacks" "exit $code: $(cat "$work/out")"
echo 'root=/dev/sda1 ro intel_iommu=on iommu=pt iommu=off' >"$claimed/etc/kernel/cmdline"
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '(.drift | length == 1) and (.drift[0].message | test("carries iommu=off"))' \
    "$work/out" >/dev/null && ok "status: a contradicting argument added to /etc/kernel/cmdline: drift" ||
    bad "next boot contra" "exit $code: $(cat "$work/out")"
rm -rf "${claimed:?}/etc/kernel"
# kernels whose images dracut's lsinitrd lists: one with passthru, one without, one with no image
mkdir -p "$claimed/usr/bin" "$claimed/boot" "$work/img/with/usr/lib/passthru" "$work/img/without/usr/bin"
: >"$claimed/usr/bin/dracut"
echo claim >"$work/img/with/usr/lib/passthru/passthru-claim"
echo sh >"$work/img/without/usr/bin/sh"
for k in 6.1.0-a 6.1.0-b 6.1.0-c; do mkdir -p "$claimed/lib/modules/$k"; done
(cd "$work/img/with" && find . | cpio -o -H newc --quiet) >"$claimed/boot/initrd.img-6.1.0-a"
(cd "$work/img/without" && find . | cpio -o -H newc --quiet) >"$claimed/boot/initramfs-6.1.0-b.img"
record 'args intel_iommu=on iommu=pt' 'initramfs dracut' 'device 0000:00:05.0 1234:1111'
run status --json --sysroot "$claimed"
[ $code -eq 1 ] && json && jq -e '(.drift | length == 1) and .drift[0].what == "initramfs" and
    (.drift[0].message | test("kernel 6.1.0-b does not hold passthru-claim")) and (.drift[0].fix | test("passthru-setup install"))' \
    "$work/out" >/dev/null && ok "status: a kernel whose initramfs lacks passthru (lsinitrd): drift, exit 1" ||
    bad "initramfs drift" "exit $code: $(cat "$work/out" "$work/err")"
(cd "$work/img/with" && find . | cpio -o -H newc --quiet) >"$claimed/boot/initramfs-6.1.0-b.img"
run status --json --sysroot "$claimed"
[ $code -eq 0 ] && json && jq -e '.drift == [] and .ready == true' "$work/out" >/dev/null &&
    ok "status: every kernel's initramfs holds passthru: ready" || bad "initramfs ok" "exit $code: $(cat "$work/out")"
rm -rf "${claimed:?}/lib/modules" "${claimed:?}/boot" "${claimed:?}/usr/bin/dracut"
rm -f "$claimed/var/lib/passthru/installed"

# --- 4. xml: one well-formed document, the config's policies, --split, the 64 limit ---
xml_ok() { xmllint --noout "$1" 2>"$work/xmlerr"; }
rm -f "$intel/etc/passthru.conf"
run xml --sysroot "$intel" 0000:00:05.0
[ $code -eq 0 ] && xml_ok "$work/out" && [ "$(xmllint --xpath 'count(/devices/hostdev)' "$work/out")" = 2 ] &&
    [ "$(xmllint --xpath 'count(/devices/hostdev/driver[@name="vfio"])' "$work/out")" = 2 ] &&
    [ "$(xmllint --xpath 'string(/devices/hostdev[2]/source/address/@function)' "$work/out")" = 0x1 ] &&
    ok "xml: a GPU and its audio: <devices> around two <hostdev>, well-formed" || bad "xml two" "$(cat "$work/out" "$work/xmlerr")"
run xml --sysroot "$two" pci_0000_00_05_0
[ $code -eq 0 ] && xml_ok "$work/out" && [ "$(xmllint --xpath 'count(/hostdev[@mode="subsystem"][@type="pci"][@managed="yes"])' "$work/out")" = 1 ] &&
    ok "xml: one device: the <hostdev> itself" || bad "xml one" "$(cat "$work/out" "$work/xmlerr")"
run xml --sysroot "$two" 1234:1111
[ $code -eq 0 ] && xml_ok "$work/out" && [ "$(xmllint --xpath 'count(/devices/hostdev)' "$work/out")" = 2 ] &&
    xmllint --xpath '/devices/comment()' "$work/out" | grep -q 'maxphysaddr' &&
    ok "xml: two GPUs: an XML comment about the 64-bit MMIO window and maxphysaddr" || bad "xml mmio" "$(cat "$work/out")"
run xml --sysroot "$intel" 0000:00:02.0
[ $code -eq 1 ] && [ ! -s "$work/out" ] && has 'boot display' "$work/err" && ok "xml: the boot display refused (boot_vga = refuse)" ||
    bad "xml boot vga" "exit $code: $(cat "$work/out")"
printf 'boot_vga = allow\n' >"$intel/etc/passthru.conf"
run xml --sysroot "$intel" 0000:00:02.0
[ $code -eq 0 ] && xml_ok "$work/out" && ok "xml: boot_vga = allow in the config applies" || bad "xml boot_vga allow" "exit $code: $(cat "$work/err")"
printf 'companions = none\n' >"$intel/etc/passthru.conf"
run xml --sysroot "$intel" 0000:00:05.0
[ $code -eq 1 ] && has 'unsafe_group = force' "$work/err" && ok "xml: companions = none applies (the audio is in the way)" ||
    bad "xml companions none" "exit $code: $(cat "$work/out" "$work/err")"
printf 'companions = none\nunsafe_group = force\n' >"$intel/etc/passthru.conf"
run xml --sysroot "$intel" 0000:00:05.0
[ $code -eq 0 ] && xml_ok "$work/out" && [ "$(xmllint --xpath 'count(/devices/hostdev)' "$work/out")" = 2 ] &&
    ok "xml: unsafe_group = force applies" || bad "xml force" "exit $code: $(cat "$work/out" "$work/err")"
rm -f "$intel/etc/passthru.conf"
rm -rf "$work/split"
run xml --sysroot "$intel" --split "$work/split" 00:05.0
n=0
for f in "$work"/split/*.xml; do
    xml_ok "$f" && [ "$(xmllint --xpath 'count(/hostdev)' "$f")" = 1 ] && n=$((n + 1))
done
[ $code -eq 0 ] && [ $n -eq 2 ] && [ "$(wc -l <"$work/out")" -eq 2 ] &&
    ok "xml --split: one well-formed <hostdev> file per device, paths printed" || bad "xml --split" "exit $code, $n files"
run xml --sysroot "$noiommu" 00:05.0
[ $code -eq 0 ] && xml_ok "$work/out" && xmllint --xpath '/devices/comment()' "$work/out" | grep -q 'IOMMU is not active' &&
    ok "xml without an IOMMU: the note is a well-formed comment" || bad "xml no iommu" "$(cat "$work/out" "$work/xmlerr")"
# a vfio variant driver for the GPU (the tree's kernel: its modules.alias and modules.dep):
# libvirt's <driver model='...'/>, vfio-pci's plain <driver name='vfio'/> for the audio
var=$(tree variant intel-gpu-hda)
sh tests/fixtures/variant-tree.sh "$var" passthru_test_vfio_pci \
    'vfio_pci:v00001234d00001111sv*sd*bc*sc*i* passthru_test_vfio_pci'
run xml --sysroot "$var" 0000:00:05.0
[ $code -eq 0 ] && xml_ok "$work/out" &&
    [ "$(xmllint --xpath 'string(/devices/hostdev[1]/driver/@model)' "$work/out")" = passthru_test_vfio_pci ] &&
    [ "$(xmllint --xpath 'string(/devices/hostdev[1]/driver/@name)' "$work/out")" = vfio ] &&
    [ "$(xmllint --xpath 'count(/devices/hostdev[2]/driver/@model)' "$work/out")" = 0 ] &&
    ok "xml: a variant driver is named as libvirt takes it, <driver name='vfio' model='...'/>" ||
    bad "xml variant" "$(cat "$work/out" "$work/err")"
printf 'device = 0000:00:05.0\n' >"$var/etc/passthru.conf"
run plan --sysroot "$var" --json
[ $code -eq 0 ] && json &&
    [ "$(jq -r '.devices[0].driver + " " + .devices[0].variant + " " + .devices[1].driver' "$work/out")" = \
        "passthru_test_vfio_pci passthru_test_vfio_pci vfio-pci" ] &&
    run plan --sysroot "$var" && has '0000:00:05.0 \[1234:1111\] selected  planned   -> passthru_test_vfio_pci (vfio variant driver)' "$work/out" &&
    ok "plan: the GPU's variant driver is what the next boot binds (JSON and text)" ||
    bad "plan variant" "$(cat "$work/out" "$work/err")"
run list --sysroot "$var" --json
[ $code -eq 0 ] && json &&
    [ "$(jq -r '.[] | select(.address == "0000:00:05.0") | .vfio_driver' "$work/out")" = \
        passthru_test_vfio_pci ] &&
    ok "list: the vfio driver that would bind is the card's variant" ||
    bad "list variant" "$(cat "$work/out" "$work/err")"
printf 'variant = off\n' >"$var/etc/passthru.conf"
run xml --sysroot "$var" 0000:00:05.0
[ $code -eq 0 ] && [ "$(xmllint --xpath 'count(//driver/@model)' "$work/out")" = 0 ] &&
    ok "xml: variant = off names no variant" || bad "xml variant off" "$(cat "$work/out" "$work/err")"
run list --sysroot "$var" --json
[ $code -eq 0 ] && json &&
    [ "$(jq -r '.[] | select(.address == "0000:00:05.0") | .vfio_driver' "$work/out")" = vfio-pci ] &&
    ok "list: variant = off: vfio-pci would bind" || bad "list variant off" "$(cat "$work/out" "$work/err")"
sh tests/fixtures/variant-tree.sh "$var" "" 'vfio_pci:v00001234d00001111sv*sd*bc*sc*i* passthru_test_vfio_pci'
rm -f "$var/etc/passthru.conf"
run xml --sysroot "$var" 0000:00:05.0
[ $code -eq 0 ] && [ "$(xmllint --xpath 'count(//driver/@model)' "$work/out")" = 0 ] &&
    ok "xml: a variant whose module is not installed is not named (the boot binds vfio-pci)" ||
    bad "xml variant missing" "$(cat "$work/out" "$work/err")"
big=$work/big && rm -rf "$big" && "$top/build/gentree" "$big" 17
run xml --sysroot "$big" 1234:1111
[ $code -eq 1 ] && [ ! -s "$work/out" ] && has '68 devices, but one guest can be assigned at most 64' "$work/err" &&
    ok "xml: more than 64 devices refused" || bad "xml 64" "exit $code: $(cat "$work/err")"

# --- 5. install's devices (devices.c) ---
# iroot NAME: a root with a kernel-install command line; install runs stand-ins only
iroot() {
    r=$work/$1
    rm -rf "$r" && mkdir -p "$r/etc/kernel" "$r/usr/bin" "$r/usr/lib/passthru" &&
        echo 'root=/dev/sda1 ro' >"$r/etc/kernel/cmdline"
    # what the package installs: the claimer, and the generator install looks for
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    mkdir -p "$r/usr/lib/dracut/modules.d/90passthru"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
}
inst() { # ROOT ARGS...: install into ROOT with the intel tree as the host view
    ir=$1
    shift
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$ir \
        "$bin" install --root "$ir" --cpu intel --bootloader kernel-install "$@" >"$work/out" 2>"$work/err"
    code=$?
}
iroot example
printf '# for example:\n#   device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
inst "$r" --sysroot "$intel" --device 0000:00:05.0
[ $code -eq 0 ] && grep -qx 'device = 0000:00:05.0' "$r/etc/passthru.conf" &&
    ok "--device: a commented-out 'device = SEL' does not count" || bad "--device comment" "exit $code: $(cat "$r/etc/passthru.conf" "$work/err")"
iroot twoways
printf 'device = 00:05.0\n' >"$r/etc/passthru.conf"
inst "$r" --sysroot "$intel" --device 0000:00:05.0 --device pci_0000_00_05_0
[ $code -eq 0 ] && [ "$(cat "$r/etc/passthru.conf")" = 'device = 00:05.0' ] &&
    ok "--device: the same address written another way is not added again" || bad "--device two ways" "$(cat "$r/etc/passthru.conf")"
iroot twice
: >"$r/etc/passthru.conf"
inst "$r" --sysroot "$intel" --device 0000:00:05.0 --device 00:05.0
[ "$(grep -c device "$r/etc/passthru.conf")" = 1 ] && ok "--device given twice, two ways: added once" ||
    bad "--device twice" "$(cat "$r/etc/passthru.conf")"
iroot baddev
printf 'device = 00:05.0\n' >"$r/etc/passthru.conf"
inst "$r" --sysroot "$intel" --device 99:zz.0
[ $code -eq 2 ] && has '^passthru-setup: --device 99:zz.0: not a device selector' "$work/err" &&
    ! has 'passthru.conf:' "$work/err" && ok "a bad --device is blamed on --device, not on the config" ||
    bad "bad --device" "$(cat "$work/err")"
iroot nodev
inst "$r" --sysroot "$intel"
[ $code -eq 0 ] && has 'nothing will be claimed until a device is configured' "$work/out" &&
    has 'passthru-setup list' "$work/out" && grep -q intel_iommu=on "$r/etc/kernel/cmdline" &&
    ok "install with no device: allowed, says nothing is claimed and how to look at the groups" ||
    bad "install no device" "exit $code: $(cat "$work/out" "$work/err")"
iroot other
printf 'device = 0000:7f:1f.7\n' >"$r/etc/passthru.conf"
PATH=$here/bin:$PATH "$bin" install --root "$r" --cpu intel --bootloader kernel-install --no-initramfs \
    >"$work/out" 2>"$work/err"
code=$?
[ $code -eq 0 ] && has 'checked for syntax only' "$work/out" && ok "--root without --sysroot: syntax only, and it says so" ||
    bad "--root syntax only" "exit $code: $(cat "$work/out" "$work/err")"
iroot sata
printf 'device = 0000:00:1f.2\nunsafe_group = force\n' >"$r/etc/passthru.conf"
inst "$r" --sysroot "$intel" --dry-run
[ $code -eq 0 ] && has '0000:00:1f.2 \[8086:2922\] is not a display controller: class 0x010601 (mass storage controller), driver now: none' "$work/out" &&
    ok "a selected device that is not a GPU: its class and driver named" || bad "non-GPU note" "exit $code: $(cat "$work/out" "$work/err")"
# the root disk: a mounted filesystem, an active swap, a device-mapper volume on a disk under 00:1f.2
disk=$(tree disk intel-gpu-hda)
ata=../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda
mkdir -p "$disk/sys/dev/block" "$disk/proc/self" "$disk/sys/devices/virtual/block/dm-0/slaves"
for p in 2 3; do
    ln -s "$ata/sda$p" "$disk/sys/dev/block/8:$p"
    mkdir -p "$disk/sys/class/block/sda$p" && echo "8:$p" >"$disk/sys/class/block/sda$p/dev"
done
ln -s ../../devices/virtual/block/dm-0 "$disk/sys/dev/block/253:0"
: >"$disk/sys/devices/virtual/block/dm-0/slaves/sda2"
mounts() { printf '%s\n' "$@" >"$disk/proc/self/mountinfo"; }
tmpfs='25 1 0:22 / /run rw - tmpfs tmpfs rw'
printf 'device = 0000:00:1f.2\nunsafe_group = force\n' >"$disk/etc/passthru.conf"
iroot rootdisk
cp "$disk/etc/passthru.conf" "$r/etc/passthru.conf"
mounts "$tmpfs" '22 1 8:2 / / rw,relatime - ext4 /dev/sda2 rw'
before=$(cat "$r/etc/kernel/cmdline")
inst "$r" --sysroot "$disk"
[ $code -eq 1 ] && has '0000:00:1f.2 \[8086:2922\] holds the filesystem mounted on / (/dev/sda2, 8:2)' "$work/err" &&
    [ "$(cat "$r/etc/kernel/cmdline")" = "$before" ] && ok "the root disk's controller refused, naming the mount; nothing changed" ||
    bad "root disk" "exit $code: $(cat "$work/err")"
# xml refuses what install refuses: libvirt's managed='yes' would detach the root disk at VM start
run xml --sysroot "$disk" 0000:00:1f.2
[ $code -eq 1 ] && [ ! -s "$work/out" ] &&
    has '^passthru-setup: 0000:00:1f.2 \[8086:2922\] holds the filesystem mounted on / (/dev/sda2, 8:2)' "$work/err" &&
    has 'xml refused, no XML written' "$work/err" &&
    ok "xml: the root disk's controller refused as install refuses it (exit 1, the mount named, no <hostdev>)" ||
    bad "xml root disk" "exit $code: $(cat "$work/out" "$work/err")"
run xml --sysroot "$disk" 0000:00:05.0
[ $code -eq 0 ] && xml_ok "$work/out" && ok "xml: a GPU with no disk under it, on the same host: its <hostdev>" ||
    bad "xml gpu beside the root disk" "exit $code: $(cat "$work/err")"
mounts "$tmpfs" '22 1 253:0 / / rw - xfs /dev/mapper/vg-root rw'
inst "$r" --sysroot "$disk"
[ $code -eq 1 ] && has 'holds the filesystem mounted on / (/dev/mapper/vg-root, 253:0)' "$work/err" &&
    ok "root on device-mapper over a disk under the device: refused" || bad "root on dm" "exit $code: $(cat "$work/err")"
rm "$disk/proc/self/mountinfo"
printf 'tmpfs /run tmpfs rw 0 0\n/dev/sda2 /home ext4 rw 0 0\n' >"$disk/proc/mounts"
inst "$r" --sysroot "$disk"
[ $code -eq 1 ] && has 'holds the filesystem mounted on /home (/dev/sda2, 8:2)' "$work/err" &&
    ok "without mountinfo, /proc/mounts: refused, naming the mount" || bad "proc/mounts" "exit $code: $(cat "$work/err")"
rm "$disk/proc/mounts"
mounts "$tmpfs"
printf 'Filename\tType\tSize\tUsed\tPriority\n/dev/sda3\tpartition\t1048572\t0\t-2\n' >"$disk/proc/swaps"
inst "$r" --sysroot "$disk"
[ $code -eq 1 ] && has 'holds the active swap /dev/sda3 (8:3)' "$work/err" && ok "an active swap under the device: refused" ||
    bad "swap" "exit $code: $(cat "$work/err")"
run xml --sysroot "$disk" --split "$work/split-swap" 00:1f.2
[ $code -eq 1 ] && has 'holds the active swap /dev/sda3 (8:3)' "$work/err" && [ ! -e "$work/split-swap" ] &&
    ok "xml --split: an active swap under the device: refused, no file written" || bad "xml swap" "exit $code: $(cat "$work/err")"
rm -f "$disk/proc/swaps"
printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
inst "$r" --sysroot "$disk"
[ $code -eq 0 ] && ! has 'holds' "$work/err" && ok "a GPU with no disk under it is not refused" || bad "gpu not disk" "$(cat "$work/err")"

# interrupt remapping off (no-intremap): list and install give the warning plan and status give
noir=$(tree noir no-intremap)
run plan --sysroot "$noir"
want=$(sed -n 's/^warning: //p' "$work/out")
run list --sysroot "$noir"
case $want in "interrupt remapping is off: vfio will refuse"*"--allow-unsafe-interrupts"*) true ;; *) false ;; esac &&
    grep -qxF "  warning: $want" "$work/out" && has '^  claimable: yes' "$work/out" &&
    [ "$(grep -c '^  warning: ' "$work/out")" = "$(grep -c '^  claimable: ' "$work/out")" ] &&
    ok "list, interrupt remapping off: every display controller carries plan's warning, word for word" ||
    bad "list no-intremap" "plan: $want // list: $(cat "$work/out")"
run list --json --sysroot "$noir"
[ $code -eq 0 ] && json && jq -e --arg w "$want" 'length > 0 and all(.[]; .warning == $w)' "$work/out" >/dev/null &&
    ok "list --json, interrupt remapping off: each element's warning is plan's" || bad "list --json no-intremap" "$(cat "$work/out")"
run list --json --sysroot "$intel"
jq -e 'length > 0 and all(.[]; .warning == null)' "$work/out" >/dev/null &&
    ok "list --json, interrupt remapping on: warning null" || bad "list --json warning null" "$(cat "$work/out")"
iroot noir-root
printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
inst "$r" --sysroot "$noir"
[ $code -eq 0 ] && [ -n "$want" ] && grep -qxF "warning: $want" "$work/out" &&
    ok "install, interrupt remapping off: plan's warning, word for word" || bad "install no-intremap" "exit $code: $(cat "$work/out" "$work/err")"
iroot noir-nodev
inst "$r" --sysroot "$noir"
[ $code -eq 0 ] && [ -n "$want" ] && grep -qxF "warning: $want" "$work/out" &&
    ok "install with no device yet, interrupt remapping off: the same warning" || bad "install no-intremap no device" "exit $code: $(cat "$work/out" "$work/err")"
iroot noir-allow
inst "$r" --sysroot "$noir" --allow-unsafe-interrupts
[ $code -eq 0 ] && ! has '^warning: interrupt remapping' "$work/out" && has 'WARNING: --allow-unsafe-interrupts' "$work/err" &&
    ok "install --allow-unsafe-interrupts: its own warning, not the one it fixes" || bad "install allow unsafe" "exit $code: $(cat "$work/out" "$work/err")"

# --- 6. messages ---
printf 'device = 1234:1111\n' >"$intel/etc/passthru.conf"
run plan --sysroot "$intel"
[ $code -eq 1 ] && has 'device = 1234:1111@0000:00:05.0' "$work/out" && ! has 'set boot_vga = allow' "$work/out" &&
    ok "two identical cards by ID: advice is ID@address, not boot_vga = allow" || bad "twin advice" "$(cat "$work/out")"
run list --sysroot "$intel"
has 'other cards have the same ID 1234:1111: select them by ID and address (device = 1234:1111@0000:00:05.0)' "$work/out" &&
    ! has 'boot_vga: -' "$work/out" && ok "list: the boot display's twin named as ID@address" || bad "list twin" "$(cat "$work/out")"
# list calls a card selected only when the config selects it; the others are candidates
lt=$(tree listroles two-gpus)
run list --json --sysroot "$lt"
jq -e '[.[].members[] | select(.role == "selected")] == [] and
    [.[].members[] | select(.role == "candidate") | .address] == ["0000:00:02.0", "0000:00:05.0", "0000:00:06.0"]' \
    "$work/out" >/dev/null && ok "list, no config: every card a candidate, none selected" ||
    bad "list roles no config" "$(cat "$work/out")"
printf 'device = 0000:00:05.0\n' >"$lt/etc/passthru.conf"
run list --sysroot "$lt"
has '^    selected   0000:00:05.0 ' "$work/out" && has '^    candidate  0000:00:06.0 ' "$work/out" &&
    has '^    candidate  0000:00:02.0 ' "$work/out" &&
    ok "list: the configured card selected, the others candidates" || bad "list roles" "$(cat "$work/out")"
printf 'device = 0000:00:02.0\n' >"$intel/etc/passthru.conf"
run plan --sysroot "$intel"
has 'boot_vga = allow' "$work/out" && ok "the boot display selected by address: boot_vga = allow is the advice" ||
    bad "boot display by address" "$(cat "$work/out")"
printf 'device = 10de:2204\ndevice = 0000:00:09.0\n' >"$intel/etc/passthru.conf"
run plan --sysroot "$intel"
[ $code -eq 1 ] && has '^not found: no device has ID 10de:2204' "$work/out" && has '^0000:00:09.0 not found' "$work/out" &&
    ! has '0000:0000' "$work/out" && ! grep -q '^- ' "$work/out" && ! has ' - ' "$work/out" &&
    ok "plan: what is missing in words, no '-' or [0000:0000] placeholders" || bad "placeholders" "$(cat "$work/out")"
run status --sysroot "$intel"
! has '0000:0000' "$work/out" && ! grep -q '^- ' "$work/out" && has '^not found: no device has ID 10de:2204' "$work/out" &&
    ok "status: no placeholders" || bad "status placeholders" "$(cat "$work/out")"
printf '\357\273\277device = 0000:00:05.0\n' >"$intel/etc/passthru.conf"
run plan --json --sysroot "$intel"
[ $code -eq 0 ] && json && jq -e '.errors == [] and (.devices | length == 2)' "$work/out" >/dev/null &&
    ok "a UTF-8 BOM at the start of /etc/passthru.conf is skipped" || bad "BOM" "exit $code: $(cat "$work/out")"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
