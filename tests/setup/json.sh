#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# json.sh: install, uninstall and confirm --json [--diff] on fixture roots: one document each,
# changed and reboot_required true to what the run did, files' before/after the real bytes,
# dry runs change no byte, a refusal is a document with its words; status --nfd's lines.
# usage: tests/setup/json.sh BIN CLAIM  (make check-setup; BIN: build/passthru-setup or its ASan
# copy; CLAIM: build/passthru-claim, for the trial boot's status document)
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-json "$@"

# setup ROOT ARGS: passthru-setup with the stand-ins; the root is also the host view (its own
# sys/ and proc/), as / is on a real host: stdout in $work/out, stderr in $work/err, exit in $code
setup() {
    r=$1
    shift
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
        "$bin" "$@" --root "$r" --sysroot "$r" >"$work/out" 2>"$work/err"
    code=$?
}

# doc: stdout is exactly one JSON document (jq reads one value, and nothing else)
doc() { jq -e -s 'length == 1 and (.[0] | type == "object")' "$work/out" >/dev/null 2>&1; }
# q FILTER: jq -e on the document (exit 0 when FILTER is true)
q() { jq -e "$@" "$work/out" >/dev/null 2>&1; }
# field PATH KEY: the exact bytes of files[path].KEY (KEY_base64 when there is one) on stdout
field() {
    jq -j --arg p "$1" --arg k "$2" '.files[] | select(.path == $p) |
        if has($k + "_base64") then .[$k + "_base64"] else .[$k] end' "$work/out" |
        if jq -e --arg p "$1" --arg k "$2" '.files[] | select(.path == $p) | has($k + "_base64")' \
            "$work/out" >/dev/null; then base64 -d; else cat; fi
}
# same_bytes PATH KEY FILE: files[PATH].KEY holds exactly FILE's bytes
same_bytes() { field "$1" "$2" >"$work/field" && cmp -s "$work/field" "$3"; }

# newroot NAME: the intel-gpu-hda host view, Debian GRUB, /etc/kernel/cmdline, dracut; the root
# is its own host view; $r.orig keeps its files as they were
newroot() {
    r=$work/$1
    rm -rf "$r"
    mkdir -p "$r"
    tar -xzf "$top/tests/fixtures/intel-gpu-hda/tree.tar.gz" -C "$r"
    mkdir -p "$r/etc/default" "$r/etc/kernel" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib/passthru" \
        "$r/usr/lib/dracut/modules.d/90passthru"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
    cp "$here/corpus/debian-default.grub" "$r/etc/default/grub"
    : >"$r/usr/sbin/update-grub"
    printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
    rm -rf "$r.orig"
    cp -a "$r" "$r.orig"
}

# --- install: first run ---
newroot a
setup "$r" install --json --diff
if [ $code -eq 0 ] && doc && q '.command == "install" and .changed == true and .exit_code == 0 and
    .dry_run == false and .errors == [] and .message == "installed: reboot to apply"' &&
    q '[.files[] | select(.path == "/etc/kernel/cmdline" and .action == "updated")] | length == 1' &&
    q '[.files[] | select(.path == "/etc/default/grub.d/passthru.cfg" and .action == "created" and
        .before == null)] | length == 1' &&
    q '.commands == [{"argv": ["update-grub"], "ran": true, "exit_status": 0},
        {"argv": ["dracut", "-f", "--regenerate-all"], "ran": true, "exit_status": 0}]' &&
    q '[.kernel_cmdlines[] | select(.line | test("intel_iommu=on iommu=pt"))] | length == 2'; then
    ok "install --json: one document, changed, the files, the commands (ran), the command lines"
else
    bad "install --json" "exit $code: $(cat "$work/out" "$work/err")"
fi
# every file's before and after are the bytes it had and has (the real files)
good=1
for p in /etc/kernel/cmdline /etc/default/grub.d/passthru.cfg /etc/dracut.conf.d/passthru.conf \
    /var/lib/passthru/installed; do
    same_bytes "$p" after "$r$p" || { good=0; echo "  after of $p differs"; }
done
same_bytes /etc/kernel/cmdline before "$r.orig/etc/kernel/cmdline" || good=0
[ $good -eq 1 ] && q '(.files | length) == 4' &&
    ok "install --json --diff: each file's before and after are its real bytes" ||
    bad "install --diff" "$(cat "$work/out")"
# the words went to stderr, none to stdout (the document is all there is)
grep -q '^installed: reboot to apply$' "$work/err" && grep -q '^running: update-grub$' "$work/err" &&
    ok "install --json: the human words (and the commands' lines) on stderr" ||
    bad "words on stderr" "$(cat "$work/err")"
# not rebooted since: the next boot differs from this one
q '.reboot_required == true' && ok "install --json: reboot_required after the first install" ||
    bad "reboot_required" "$(cat "$work/out")"

# --- install again: nothing to do, not rebooted yet ---
snapshot "$r" >"$work/before.snap"
setup "$r" install --json
snapshot "$r" >"$work/after.snap"
if [ $code -eq 0 ] && doc && q '.changed == false and .commands == [] and
    ([.files[] | select(.action != "kept")] | length == 0) and (.files | length) == 4 and
    (.message | startswith("nothing to do"))' && cmp -s "$work/before.snap" "$work/after.snap"; then
    ok "install --json again: changed false, every file kept, no command, no byte changed"
else
    bad "second install" "exit $code: $(cat "$work/out")"
fi
q '.reboot_required == true' &&
    ok "install --json again before a reboot: reboot_required (status: installed: reboot to apply)" ||
    bad "reboot_required, not rebooted" "$(cat "$work/out")"
# --diff on a run that changes nothing: no before/after (nothing changed)
setup "$r" install --json --diff
q '.changed == false and ([.files[] | select(has("before") or has("after"))] | length == 0)' &&
    ok "install --json --diff with nothing to do: no before/after" || bad "diff, nothing" "$(cat "$work/out")"

# --- after the reboot: this boot started after the install (proc/stat's btime) ---
printf 'cpu 0 0 0 0\nbtime %s\n' "$(($(date +%s) + 60))" >"$r/proc/stat"
setup "$r" install --json
q '.changed == false and .reboot_required == false' &&
    ok "install --json after the reboot: changed false, reboot_required false" ||
    bad "after the reboot" "$(cat "$work/out" "$work/err")"
# a config edit: the images are rebuilt (changed), the record rewritten
printf '# a comment\n' >>"$r/etc/passthru.conf"
setup "$r" install --json
q '.changed == true and ([.commands[].argv[0]] == ["dracut"]) and
    ([.files[] | select(.action == "updated") | .path] == ["/var/lib/passthru/installed"])' &&
    ok "install --json after a config edit: changed, the rebuild ran, the record updated" ||
    bad "config edit" "$(cat "$work/out")"

# --- uninstall ---
setup "$r" uninstall --json --diff
if [ $code -eq 0 ] && doc && q '.command == "uninstall" and .changed == true and .errors == [] and
    ([.files[] | select(.path == "/etc/kernel/cmdline" and .action == "updated")] | length == 1) and
    ([.files[] | select(.path == "/etc/default/grub.d/passthru.cfg" and .action == "removed" and
      .after == null)] | length == 1) and
    ([.files[] | select(.path == "/var/lib/passthru/installed" and .action == "removed")] | length == 1) and
    (.message == "uninstalled: reboot to apply")' &&
    same_bytes /etc/kernel/cmdline after "$r.orig/etc/kernel/cmdline" &&
    cmp -s "$r/etc/kernel/cmdline" "$r.orig/etc/kernel/cmdline" && [ ! -e "$r/etc/default/grub.d/passthru.cfg" ]; then
    ok "uninstall --json --diff: restored and removed files reported, after = the restored bytes"
else
    bad "uninstall --json" "exit $code: $(cat "$work/out" "$work/err")"
fi
# this boot (started after the install) ran passthru; the next one will not
q '.reboot_required == true' && ok "uninstall --json after a booted install: reboot_required" ||
    bad "uninstall reboot_required" "$(cat "$work/out")"
setup "$r" uninstall --json
q '.changed == false and .files == [] and .commands == [] and (.message | startswith("nothing to do"))' &&
    ok "uninstall --json again: changed false, nothing listed" || bad "uninstall again" "$(cat "$work/out")"

# --- dry runs change no byte and say what would change ---
newroot dry
snapshot "$r" >"$work/before.snap"
setup "$r" install --json --dry-run --diff
snapshot "$r" >"$work/after.snap"
if [ $code -eq 0 ] && doc && cmp -s "$work/before.snap" "$work/after.snap" &&
    q '.dry_run == true and .changed == true and .reboot_required == true and
       ([.commands[] | select(.ran)] | length == 0) and (.commands | length) == 2 and
       (.message == "dry run: nothing was changed")' &&
    same_bytes /etc/kernel/cmdline before "$r/etc/kernel/cmdline"; then
    ok "install --json --dry-run: no byte changed, changed true, commands not run"
else
    bad "install --dry-run" "exit $code: $(cat "$work/out" "$work/err")"
fi
cp "$work/out" "$work/dry.json"
setup "$r" install --json
cp "$work/out" "$work/real.json"
good=1
for p in /etc/kernel/cmdline /etc/default/grub.d/passthru.cfg /etc/dracut.conf.d/passthru.conf; do
    cp "$work/dry.json" "$work/out"
    same_bytes "$p" after "$r$p" || { good=0; echo "  dry-run's after of $p is not what install wrote"; }
done
[ $good -eq 1 ] && [ "$(jq -c '[.files[] | [.path, .action]]' "$work/dry.json")" = \
    "$(jq -c '[.files[] | [.path, .action]]' "$work/real.json")" ] &&
    ok "install --json --dry-run: the same files and actions as the install, after = what it wrote" ||
    bad "dry-run vs install" "$(cat "$work/dry.json" "$work/real.json")"
snapshot "$r" >"$work/before.snap"
setup "$r" uninstall --json --dry-run --diff
snapshot "$r" >"$work/after.snap"
cmp -s "$work/before.snap" "$work/after.snap" && q '.changed == true and .dry_run == true and
    ([.files[] | select(.action == "removed")] | length) >= 2' &&
    same_bytes /etc/kernel/cmdline after "$r.orig/etc/kernel/cmdline" &&
    ok "uninstall --json --dry-run: no byte changed; the files it would restore, their bytes" ||
    bad "uninstall --dry-run" "$(cat "$work/out")"
# not booted since the install, and no claim ran this boot: the next boot is like this one
q '.reboot_required == false' &&
    ok "uninstall --json --dry-run before any reboot: reboot_required false" ||
    bad "uninstall, never booted" "$(cat "$work/out")"
# passthru-claim ran this boot (its status document): the next boot, without it, differs
mkdir -p "$r/run/passthru"
printf '{}\n' >"$r/run/passthru/status.json"
setup "$r" uninstall --json --dry-run
q '.reboot_required == true' && ok "uninstall --json --dry-run on a claimed boot: reboot_required" ||
    bad "uninstall, claimed boot" "$(cat "$work/out")"

# --- a refusal: exit 1, one document with the refusal's words, nothing changed ---
newroot refused
snapshot "$r" >"$work/before.snap"
setup "$r" install --json --device 0000:99:00.0
snapshot "$r" >"$work/after.snap"
if [ $code -eq 1 ] && doc && cmp -s "$work/before.snap" "$work/after.snap" &&
    q '.changed == false and .exit_code == 1 and .files == [] and .commands == [] and
       ([.errors[] | select(test("0000:99:00.0 not found"))] | length == 1) and
       ([.errors[] | select(test("install refused, nothing was changed"))] | length == 1) and
       (.message | test("not found"))' && grep -q 'install refused' "$work/err"; then
    ok "install --json, a refused device: exit 1, one document, the refusal's words in errors"
else
    bad "refusal" "exit $code: $(cat "$work/out" "$work/err")"
fi

# --- odd bytes: a loader entry named a"b<0xff>c.conf holding bytes that are not UTF-8 ---
newroot odd
rm -f "$r/etc/default/grub" "$r/usr/sbin/update-grub"
mkdir -p "$r/boot/loader/entries"
odd=$(printf 'a"b\377c.conf')
printf 'title Debian \376\377 "q"\\\001\nversion 6.1\noptions root=/dev/vda1 ro quiet\nlinux /vmlinuz\n' \
    >"$r/boot/loader/entries/$odd"
cp "$r/boot/loader/entries/$odd" "$work/odd-entry.orig"
setup "$r" install --json --diff
p=$(jq -r '.files[] | select(has("path_base64")) | .path_base64' "$work/out" | base64 -d)
if [ $code -eq 0 ] && doc && [ "$p" = "/boot/loader/entries/$odd" ] &&
    q '[.files[] | select(.path == "/boot/loader/entries/a\"b\ufffdc.conf" and .action == "updated" and
        has("before_base64") and has("after_base64"))] | length == 1' &&
    same_bytes "/boot/loader/entries/a\"b$(printf '\357\277\275')c.conf" before "$work/odd-entry.orig" &&
    same_bytes "/boot/loader/entries/a\"b$(printf '\357\277\275')c.conf" after "$r/boot/loader/entries/$odd" &&
    grep -q 'options root=/dev/vda1 ro quiet intel_iommu=on iommu=pt' "$r/boot/loader/entries/$odd"; then
    ok "install --json --diff, odd bytes: path and contents as U+FFFD text and exact base64"
else
    bad "odd bytes" "exit $code, path $p: $(cat "$work/out" "$work/err")"
fi
# the text fields are valid UTF-8 JSON with the quote and the control byte escaped
grep -q '\\u0001' "$work/out" && grep -q 'a\\"b' "$work/out" && iconv -f UTF-8 -t UTF-8 "$work/out" >/dev/null &&
    ok "install --json, odd bytes: valid UTF-8, quote and control bytes escaped" ||
    bad "escaping" "$(cat "$work/out")"

# --- confirm --json: no trial pending: exit 1, one document, the words ---
setup "$r" confirm --json
doc && [ $code -eq 1 ] && q '.command == "confirm" and .changed == false and .exit_code == 1 and
    ([.errors[] | select(test("no trial is pending"))] | length == 1)' &&
    ok "confirm --json with no trial: exit 1, one document, the reason in errors" ||
    bad "confirm --json" "exit $code: $(cat "$work/out" "$work/err")"

# --- install --trial, then confirm on the trial boot ---
newroot trial
rm "$r/etc/kernel/cmdline"
mkdir -p "$r/etc/grub.d" "$r/boot/grub"
grub_linux "$r"	# install --trial needs the 10_linux entry the trial entry copies
/usr/bin/grub-editenv "$r/boot/grub/grubenv" create
setup "$r" install --trial --json
doc && [ $code -eq 0 ] && q '.changed == true and .reboot_required == true and
    ([.commands[] | select(.argv[0] == "grub-reboot" and .ran)] | length == 1) and
    ([.kernel_cmdlines[] | select(.label | startswith("trial boot: "))] | length >= 1)' &&
    ok "install --trial --json: changed, reboot_required, grub-reboot ran, the trial boot's line" ||
    bad "install --trial --json" "exit $code: $(cat "$work/out" "$work/err")"
# the trial boot: rd.passthru.trial=1, the GPU and its audio on vfio-pci, the claim's document
printf '%s rd.passthru.trial=1\n' "$(cat "$r/proc/cmdline")" >"$r/proc/cmdline.new"
mv "$r/proc/cmdline.new" "$r/proc/cmdline"
for d in 0000:00:05.0 0000:00:05.1; do
    ln -sfn ../../../bus/pci/drivers/vfio-pci "$r/sys/bus/pci/devices/$d/driver"
done
mkdir -p "$r/run/passthru"
"$claim" --sysroot "$r" --dry-run --json >"$r/run/passthru/status.json"
snapshot "$r" >"$work/before.snap"
setup "$r" confirm --json --dry-run --diff
snapshot "$r" >"$work/after.snap"
doc && [ $code -eq 0 ] && cmp -s "$work/before.snap" "$work/after.snap" &&
    q '.command == "confirm" and .dry_run == true and .changed == true and .reboot_required == false and
       ([.files[] | select(.path == "/etc/default/grub.d/passthru.cfg" and .action == "created")] | length == 1)' &&
    ok "confirm --json --dry-run on the trial boot: no byte changed, changed, no reboot needed" ||
    bad "confirm --dry-run" "exit $code: $(cat "$work/out" "$work/err")"
setup "$r" confirm --json --diff
doc && [ $code -eq 0 ] && q '.changed == true and .reboot_required == false and .errors == [] and
    ([.files[] | select(.path == "/etc/default/grub.d/passthru.cfg" and .action == "created")] | length == 1)' &&
    same_bytes /etc/default/grub.d/passthru.cfg after "$r/etc/default/grub.d/passthru.cfg" &&
    ok "confirm --json on the trial boot: changed, the files, and no reboot (the next boot is this one)" ||
    bad "confirm --json" "exit $code: $(cat "$work/out" "$work/err")"
setup "$r" confirm --json
doc && [ $code -eq 1 ] && q '.changed == false and ([.errors[] | select(test("no trial is pending"))] | length == 1)' &&
    ok "confirm --json again: exit 1, nothing changed, no trial pending in errors" ||
    bad "confirm again" "exit $code: $(cat "$work/out" "$work/err")"

# --- status --nfd: NFD local-source feature lines ---
r=$work/dry
"$bin" status --nfd --sysroot "$r" >"$work/out" 2>"$work/err"
code=$?
# every line: a comment, or NAME=VALUE with NFD's label syntax (name and value: at most 63
# characters of [A-Za-z0-9._-], starting and ending alphanumeric)
bad_lines=$(grep -v -E '^(#.*|[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?=([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?)$' "$work/out")
if [ $code -eq 0 ] && [ -z "$bad_lines" ] && grep -qx 'passthru.ready=false' "$work/out" &&
    grep -qx 'passthru.claimed=0' "$work/out" && grep -qx 'passthru.iommu=on' "$work/out" &&
    [ "$(grep -vc '^#' "$work/out")" -eq 3 ]; then
    ok "status --nfd: three NFD feature lines (ready, claimed, iommu), NFD's label syntax"
else
    bad "status --nfd" "exit $code: $(cat "$work/out" "$work/err") [$bad_lines]"
fi
# claimed: a configured device on vfio-pci now; ready when all are, the IOMMU on, no drift
s=$work/nfd
rm -rf "$s"
mkdir -p "$s"
tar -xzf "$top/tests/fixtures/intel-gpu-hda/tree.tar.gz" -C "$s"
mkdir -p "$s/etc"
printf 'device = 0000:00:05.0\n' >"$s/etc/passthru.conf"
for d in 0000:00:05.0 0000:00:05.1; do
    mkdir -p "$s/sys/bus/pci/drivers/vfio-pci"
    rm -f "$s/sys/bus/pci/devices/$d/driver"
    ln -s ../../../../bus/pci/drivers/vfio-pci "$s/sys/bus/pci/devices/$d/driver" 2>/dev/null ||
        ln -sfn "$s/sys/bus/pci/drivers/vfio-pci" "$(readlink -f "$s/sys/bus/pci/devices/$d")/driver"
done
"$bin" status --nfd --sysroot "$s" >"$work/out" 2>"$work/err"
code=$?
"$bin" status --sysroot "$s" >"$work/human" 2>&1
if [ $code -eq 0 ] && grep -qx 'passthru.claimed=2' "$work/out" && grep -qx 'passthru.ready=true' "$work/out"; then
    ok "status --nfd: both devices on vfio-pci: passthru.claimed=2, passthru.ready=true"
else
    bad "status --nfd claimed" "exit $code: $(cat "$work/out" "$work/err" "$work/human")"
fi
# the IOMMU verdict: off (no-iommu), active without interrupt remapping (no-intremap)
for f in no-iommu:off no-intremap:no-interrupt-remapping; do
    name=${f%%:*}
    s=$work/fixture-$name
    rm -rf "$s"
    mkdir -p "$s"
    tar -xzf "$top/tests/fixtures/$name/tree.tar.gz" -C "$s"
    "$bin" status --nfd --sysroot "$s" >"$work/out" 2>"$work/err"
    grep -qx "passthru.iommu=${f#*:}" "$work/out" && grep -qx 'passthru.ready=false' "$work/out" &&
        ok "status --nfd on $name: passthru.iommu=${f#*:}, not ready" ||
        bad "status --nfd $name" "$(cat "$work/out" "$work/err")"
done
"$bin" status --nfd --sysroot "$work/none" >"$work/out" 2>"$work/err"
code=$?
[ $code -eq 1 ] && grep -qx 'passthru.ready=false' "$work/out" && grep -qx 'passthru.iommu=unknown' "$work/out" &&
    ok "status --nfd without a host view: ready=false, iommu=unknown, exit 1" ||
    bad "status --nfd, no host" "exit $code: $(cat "$work/out" "$work/err")"

echo "json: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
