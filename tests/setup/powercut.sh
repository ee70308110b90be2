#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# powercut.sh: install, uninstall and confirm killed (SIGKILL, as a power cut ends them) at each of their file-changing system calls in turn; the next run must converge.
# usage: tests/setup/powercut.sh SETUP_BIN CLAIM_BIN [STEP]
#   STEP 1 (the default; make check-setup-powercut, in check-slow): every call; STEP N: the
#   first, every Nth and the last (make check-setup). An ASan build needs detect_leaks=0:
#   LeakSanitizer does not run under ptrace.
# The file-changing calls (strace names; see docs/decisions.md "Power cuts"): openat/openat2
# with O_WRONLY, O_RDWR, O_CREAT or O_TRUNC; write (not to stdout or stderr); fsync,
# fdatasync; rename, renameat, renameat2; unlink, unlinkat; mkdir, mkdirat; rmdir; symlink,
# link; utimensat; fchmod, ftruncate. strace -e inject=NAME:signal=SIGKILL:when=K kills the
# process on entering the K-th call named NAME (strace counts each name apart, per process),
# so that call never runs: kill k of a run is "everything before call k done, nothing after".
# Only passthru-setup itself is traced (no -f): the stand-in commands it runs are children.
# After each kill:
#   - the state is recorded as "before" (as the pre-state), "after" (as a complete run leaves
#     it) or "between" (an interrupted run that the next one finishes or undoes);
#   - the same command run again leaves exactly what one uninterrupted run leaves (every file,
#     folder and link, by content and mode);
#   - install: uninstall then gives back every byte of the root before install; and an
#     uninstall straight after the killed install does too;
#   - status names a "between" state (the journal, or the record's commands pending) with its
#     fix; a state with neither may differ from "before" or "after" only by passthru's empty
#     folder or the journal's temporary file (the next run removes them).
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-powercut "$@"
step=${3:-1}

# one line per failure
bad() { echo "FAIL $1: $(printf '%s' "$2" | tr '\n' ' ' | cut -c1-1500)"; fail=$((fail + 1)); }

command -v strace >/dev/null || { echo "FAIL powercut: strace is not installed (scripts/install-deps.sh)"; exit 1; }

# the host view: a captured tree with the config; $work/trialsys: the trial boot, ready
sys=$work/sysroot
mkdir -p "$sys"
tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$sys"
tsys=$work/trialsys
mkdir -p "$tsys/etc"
tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$tsys"
printf 'device = 0000:00:05.0\n' >"$tsys/etc/passthru.conf"
for d in 0000:00:05.0 0000:00:05.1; do
    ln -sfn ../../../bus/pci/drivers/vfio-pci "$tsys/sys/bus/pci/devices/$d/driver"
done
mkdir -p "$tsys/run/passthru"
"$claim" --sysroot "$tsys" --dry-run --json >"$tsys/run/passthru/status.json"
printf '%s rd.passthru.trial=1\n' "$(cat "$tsys/proc/cmdline")" >"$tsys/proc/cmdline.new"
mv "$tsys/proc/cmdline.new" "$tsys/proc/cmdline"

# state DIR: every file, link and folder under DIR with its mode, files with their cksum
# (commands.log, where the stand-ins note what ran, aside)
state() {
    snapshot "$1"
    (cd "$1" && find . -path ./commands.log -prune -o -printf '%p %y %m\n' | sort)
}

# newroot DIR KIND: a Debian GRUB root (grub) or a systemd-boot root (kernel-install) with
# dracut and the claimer; /var/lib exists, as on every host
newroot() {
    r=$1
    rm -rf "$r"
    mkdir -p "$r/etc/default" "$r/etc/grub.d" "$r/etc/kernel" "$r/usr/sbin" "$r/usr/bin" \
        "$r/usr/lib/passthru" "$r/var/lib" "$r/usr/lib/dracut/modules.d/90passthru"
    printf 'device = 0000:00:05.0\n' >"$r/etc/passthru.conf"
    printf 'claim v1\n' >"$r/usr/lib/passthru/passthru-claim"
    chmod 755 "$r/usr/lib/passthru/passthru-claim"
    : >"$r/usr/lib/dracut/modules.d/90passthru/module-setup.sh"
    : >"$r/usr/bin/dracut"
    if [ "$2" = grub ]; then
        mkdir -p "$r/boot/grub"
        cp "$here/corpus/contradicting.grub" "$r/etc/default/grub"
        : >"$r/usr/sbin/update-grub"
        /usr/bin/grub-editenv "$r/boot/grub/grubenv" create
        grub_linux "$r"	# 10_linux and its grub.cfg: install --trial copies its entry
    else
        mkdir -p "$r/boot/loader/entries"
        printf 'root=/dev/vda1 ro quiet\n' >"$r/etc/kernel/cmdline"
        printf 'timeout 3\n' >"$r/boot/loader/loader.conf"
        for v in 6.1.0-12 6.1.0-13; do
            printf 'title Debian GNU/Linux 12\nversion %s-amd64\nmachine-id abc\noptions root=/dev/vda1 ro quiet\nlinux /abc/%s-amd64/linux\ninitrd /abc/%s-amd64/initrd.img-%s-amd64\n' \
                "$v" "$v" "$v" "$v" >"$r/boot/loader/entries/abc-$v-amd64.conf"
        done
    fi
}

# status_of ROOT: passthru-setup status of a copy of ROOT with the host view's /sys, /proc
# and /run in it (status reads the host it runs on: --sysroot)
status_of() {
    rm -rf "$work/st"
    cp -a "$1" "$work/st"
    for x in sys proc run; do
        rm -rf "${work:?}/st/$x"
        [ ! -e "$sys/$x" ] || cp -a "$sys/$x" "$work/st/$x"
    done
    "$bin" status --sysroot "$work/st" 2>&1
}

# run ROOT SYSROOT ARGS...: passthru-setup with the stand-ins, commands allowed in the root
run() {
    rr=$1 ss=$2
    shift 2
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$rr \
        "$bin" "$@" --root "$rr" --sysroot "$ss"
}

# copy FROM TO: a root and the files beside it (the stand-ins' EFI variable, unit states)
copy() {
    rm -rf "$2" "$2.units" "$2.oneshot"
    cp -a "$1" "$2"
    for x in units oneshot; do [ ! -e "$1.$x" ] || cp -a "$1.$x" "$2.$x"; done
}

# events LOG: "NAME K" for each file-changing call in an strace log, K its count among the
# calls named NAME (every call of that name counts: strace's when= counts them all)
events() {
    awk '
    match($0, /^[a-z0-9_]+\(/) {
        name = substr($0, 1, RLENGTH - 1)
        n[name]++
        if (name == "openat" || name == "openat2") {
            if ($0 !~ /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/) next
        } else if (name == "write" || name == "pwrite64") {
            if ($0 ~ /^p?write(64)?\([12],/) next
        } else if (name !~ /^(creat|fsync|fdatasync|rename|renameat|renameat2|unlink|unlinkat|mkdir|mkdirat|rmdir|symlink|symlinkat|link|linkat|utimensat|fchmod|fchmodat|ftruncate|truncate)$/) {
            next
        }
        print name, n[name]
    }' "$1"
}
TRACE=openat,openat2,creat,write,pwrite64,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,symlink,symlinkat,link,linkat,utimensat,fchmod,fchmodat,ftruncate,truncate

# sweep NAME PRE SYSROOT FINAL ARGS...: the command ARGS on a copy of PRE, killed at each of its
# file-changing calls in turn; FINAL: the root after one uninterrupted run (and pristine: the
# root before passthru, which uninstall must give back)
sweep() {
    name=$1 pre=$2 ss=$3 final=$4
    shift 4
    r=$work/root
    copy "$pre" "$r"
    run "$r" "$ss" "$@" >/dev/null 2>&1 || :
    copy "$pre" "$r"
    PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
        strace -qq -o "$work/trace.log" -e trace="$TRACE" "$bin" "$@" --root "$r" --sysroot "$ss" \
        >"$work/out" 2>&1
    rc=$?
    [ $rc = 0 ] || { bad "$name" "the uninterrupted run failed ($rc): $(cat "$work/out")"; return; }
    events "$work/trace.log" >"$work/events"
    total=$(wc -l <"$work/events")
    [ "$(state "$r")" = "$(state "$final")" ] ||
        { bad "$name" "the traced run did not leave what an untraced one does"; return; }
    before=$(state "$pre") after=$(state "$final") pristine_state=$(state "$pristine")
    k=0 nk=0 nb=0 na=0 nm=0 nl=0 failed=0
    while read -r call nth; do
        k=$((k + 1))
        [ $((k % step)) = 0 ] || [ "$k" = 1 ] || [ "$k" = "$total" ] || continue
        nk=$((nk + 1))
        copy "$pre" "$r"
        PATH=$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
            strace -qq -o /dev/null -e trace="$call" -e inject="$call:signal=SIGKILL:when=$nth" \
            "$bin" "$@" --root "$r" --sysroot "$ss" >/dev/null 2>&1
        rc=$?
        if [ $rc != 137 ]; then
            bad "$name kill $k ($call #$nth)" "not killed (exit $rc): the run is not the traced one"
            failed=1
            break
        fi
        now=$(state "$r")
        if [ "$now" = "$before" ]; then
            nb=$((nb + 1))
        elif [ "$now" = "$after" ]; then
            na=$((na + 1))
        elif [ -e "$r/var/lib/passthru/journal" ] || grep -q '^pending ' "$r/var/lib/passthru/installed" 2>/dev/null; then
            nm=$((nm + 1))
            # status names the interrupted run, and its fix
            st=$(status_of "$r")
            case $st in
            *"interrupted"*"fix: passthru-setup "*) ;;
            *) bad "$name kill $k ($call #$nth)" "between states, status does not name it: $st"
                failed=1 ;;
            esac
        else
            # no journal, nothing pending: at most the journal's temporary file or passthru's
            # empty folder, which the next run removes; otherwise as before or as done
            nl=$((nl + 1))
            rm -rf "$work/litter"
            cp -a "$r" "$work/litter"
            rm -f "$work/litter/var/lib/passthru/.journal.passthru-tmp"
            rmdir "$work/litter/var/lib/passthru" 2>/dev/null
            now=$(state "$work/litter")
            [ "$now" = "$before" ] || [ "$now" = "$after" ] || {
                bad "$name kill $k ($call #$nth)" "neither as before nor as done, and neither the journal nor the record says so: $(printf '%s\n' "$before" >"$work/a"; state "$r" | diff "$work/a" - | head -n 10)"
                failed=1
            }
        fi
        copy "$r" "$work/killed"
        # the same command again converges to what one uninterrupted run leaves (confirm: it
        # undoes a cut run first; once the record no longer names the trial, it says to run
        # install, the fix status names too)
        out=$(run "$r" "$ss" "$@" 2>&1)
        case $1:$out in
        confirm:*"run passthru-setup install to run them"*) out=$(run "$r" "$ss" install 2>&1) ;;
        esac
        if [ "$(state "$r")" != "$after" ]; then
            bad "$name kill $k ($call #$nth)" "run again, the root is not as one uninterrupted run leaves it: $(echo "$out" | tail -n 3); $(diff -r "$r" "$final" 2>&1 | grep -v commands.log | head -n 8; printf '%s\n' "$after" >"$work/a"; state "$r" | diff "$work/a" - | head -n 10)"
            failed=1
            continue
        fi
        case $name in
        *install*) [ "${name#*uninstall}" = "$name" ] || continue ;;
        *) continue ;;
        esac
        # then uninstall gives back every byte
        run "$r" "$sys" uninstall >/dev/null 2>&1
        if [ "$(state "$r")" != "$pristine_state" ]; then
            bad "$name kill $k ($call #$nth)" "run again and uninstalled, not byte for byte the root before install: $(printf '%s\n' "$pristine_state" >"$work/a"; state "$r" | diff "$work/a" - | head -n 10)"
            failed=1
            continue
        fi
        # and an uninstall straight after the kill does too
        copy "$work/killed" "$r"
        run "$r" "$sys" uninstall >/dev/null 2>&1
        if [ "$(state "$r")" != "$pristine_state" ]; then
            bad "$name kill $k ($call #$nth)" "uninstalled right after the kill, not byte for byte the root before install: $(printf '%s\n' "$pristine_state" >"$work/a"; state "$r" | diff "$work/a" - | head -n 10)"
            failed=1
        fi
    done <"$work/events"
    [ $failed = 0 ] && ok "$name: killed at $nk of its $total file-changing calls: $nb left it as before, $na as done, $nm between (named by status), $nl with only an empty folder or temporary file of passthru's; each converged on the next run"
}

for kind in grub kernel-install; do
    pristine=$work/$kind.pristine
    newroot "$pristine" "$kind"
    installed=$work/$kind.installed
    copy "$pristine" "$installed"
    run "$installed" "$sys" install --cpu intel --bootloader "$kind" >/dev/null 2>&1 ||
        bad "$kind install" "the uninterrupted install failed"
    rm -f "$installed/commands.log"
    sweep "$kind install" "$pristine" "$sys" "$installed" install --cpu intel --bootloader "$kind"
    # a second install that changes passthru's own files (the record, the drop-in)
    changed=$work/$kind.changed
    copy "$installed" "$changed"
    run "$changed" "$sys" install --no-iommu-pt >/dev/null 2>&1 ||
        bad "$kind install --no-iommu-pt" "the uninterrupted install failed"
    rm -f "$changed/commands.log"
    sweep "$kind install again --no-iommu-pt" "$installed" "$sys" "$changed" install --no-iommu-pt
    sweep "$kind uninstall" "$installed" "$sys" "$pristine" uninstall
done

# confirm: install --trial on a GRUB root, confirmed on its (ready) trial boot
pristine=$work/grub.pristine
trial=$work/trial
copy "$pristine" "$trial"
run "$trial" "$sys" install --trial --cpu intel --bootloader grub >/dev/null 2>&1 ||
    bad "install --trial" "the uninterrupted install --trial failed"
rm -f "$trial/commands.log"
confirmed=$work/confirmed
copy "$trial" "$confirmed"
out=$(run "$confirmed" "$tsys" confirm 2>&1) || bad "confirm" "the uninterrupted confirm failed: $out"
rm -f "$confirmed/commands.log"
sweep "grub confirm" "$trial" "$tsys" "$confirmed" confirm

# a shutdown during passthru-confirm.service: systemd sends SIGTERM to confirm alone
# (KillMode=mixed) while the rebuild runs; confirm goes on to the end, and the root is as one
# uninterrupted confirm leaves it (the unit's TimeoutStopSec bounds the wait)
slow=$work/slowbin
mkdir -p "$slow"
cat >"$slow/dracut" <<'EOS'
#!/bin/sh
# dracut stand-in that takes its time (a real rebuild takes a minute): says when it started
: >"${PASSTHRU_TEST_ROOT:?}.rebuilding"
sleep 2
echo "dracut $*" >>"$PASSTHRU_TEST_ROOT/commands.log"
EOS
chmod 755 "$slow/dracut"
r=$work/term
copy "$trial" "$r"
rm -f "$r.rebuilding"
PATH=$slow:$here/bin:$PATH PASSTHRU_TEST_RUN_COMMANDS=1 PASSTHRU_TEST_ROOT=$r \
    "$bin" confirm --root "$r" --sysroot "$tsys" >"$work/term.out" 2>&1 &
pid=$!
i=0
while [ ! -e "$r.rebuilding" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"
rc=$?
rm -f "$r/commands.log"
if [ $rc = 0 ] && [ "$(state "$r")" = "$(state "$confirmed")" ]; then
    ok "confirm: SIGTERM (a shutdown) during its rebuild: it finishes, the root as one uninterrupted confirm leaves it"
else
    bad "confirm: SIGTERM during its rebuild" "exit $rc; $(tail -n 3 "$work/term.out"); $(state "$confirmed" >"$work/a"; state "$r" | diff "$work/a" - | head -n 8)"
fi

echo "powercut: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
