#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e.sh: the collection passthru.host run by the real ansible-playbook over SSH against the
# lifecycle's guest (Debian 12, GRUB, initramfs-tools, the emulated IOMMU, a GPU with its audio
# function) with openssh-server and python3: check mode changes no byte; the role installs and
# reboots (ansible.builtin.reboot), the GPU is on vfio-pci; the same play again changes nothing;
# state: absent and a reboot leave the guest as before; a trial through the role is confirmed.
# One QEMU for the whole run (guest reboots stay in it), SSH forwarded to 127.0.0.1 only.
# usage: tests/ansible/e2e.sh COLLECTION_TARBALL   (from the top of the tree; make check-ansible-e2e;
#   by hand: flock /work/qemu.lock tests/ansible/e2e.sh build/pkg/passthru-host-*.tar.gz)
set -u
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
# shellcheck source=tests/lifecycle/checks.sh
. tests/lifecycle/checks.sh
pkg=${1:?usage: tests/ansible/e2e.sh COLLECTION_TARBALL}
case $pkg in /*) ;; *) pkg=$TOP/$pkg ;; esac
# the whole QEMU session (five plays, each initramfs rebuild and update-grub minutes under TCG)
LIMIT=${PASSTHRU_E2E_TIMEOUT:-5400}
# one ansible-playbook run
PLAY_LIMIT=${PASSTHRU_E2E_PLAY_TIMEOUT:-2400}
L=build/ansible-e2e
W=$L/run
t0=$(date +%s)
qpid=

# the guest's QEMU goes on every way out
cleanup() {
    if [ -n "$qpid" ]; then
        kill "$qpid" 2>/dev/null
        [ -f "$W/qemu.pid" ] && kill "$(cat "$W/qemu.pid")" 2>/dev/null
        wait "$qpid" 2>/dev/null
        qpid=
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "ansible-e2e: the role passthru.host.vfio over SSH on a Debian 12 guest booted by GRUB"
rm -rf "$W"
mkdir -p "$W" || die "mkdir $W"
tests/lifecycle/debootstrap.sh "$L" initramfs-tools openssh-server,python3,dbus || die "debootstrap"
echo "image: debian rootfs ready ($(( $(date +%s) - t0 )) s)"

# --- the guest's disk: the lifecycle's, with root's SSH key, sshd by key only, DHCP ---
ssh-keygen -q -t ed25519 -N '' -C passthru-e2e -f "$W/key" || die "ssh-keygen"
img=$W/img
kver=$(guest_unpack "$L/rootfs-initramfs-tools.tar" "$img") || die "unpacking the root"
make -s install DESTDIR="$TOP/$img" PREFIX=/usr >/dev/null || die "make install"
printf '/dev/vda1 / ext4 defaults 0 1\n' >"$img/etc/fstab"
echo ansible-e2e >"$img/etc/hostname"
guest_grub_default "$img" || die "GRUB's configuration"
guest_config_itools "$img"
install -d -m 0700 "$img/root/.ssh"
install -m 0600 "$W/key.pub" "$img/root/.ssh/authorized_keys"
printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUseDNS no\n' \
    >"$img/etc/ssh/sshd_config.d/passthru-e2e.conf"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n' >"$img/etc/systemd/network/20-e2e.network"
chroot "$img" systemctl -q enable ssh.service systemd-networkd.service || die "enabling ssh and networkd"
ln -sf /dev/null "$img/etc/systemd/system/serial-getty@ttyS0.service"
guest_quiet "$img" || die "masking the units the test needs not"
guest_first_image "$img" || die "the first initramfs"
guest_grub_first_cfg "$img" "$kver" "Debian (ansible-e2e, first boot)" || die "the first grub.cfg"
guest_grub_disk "$W" "$img" || die "the disk"
echo "image: disk ready ($(( $(date +%s) - t0 )) s)"

# --- QEMU: one session, guest reboots inside it (no -no-reboot), SSH on 127.0.0.1:PORT ---
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
    die "no free port"
# shellcheck disable=SC2086 # the topology is a word list
timeout "$LIMIT" qemu-system-x86_64 -accel "${PASSTHRU_VM_ACCEL:-tcg}" -m 2048 -smp 1 -nographic \
    -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on -vga none -audiodev none,id=a0 \
    -kernel "$W/grub.lnx" -drive file="$W/disk.img",format=raw,if=virtio,cache=unsafe \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0,bus=pcie.0,addr=03.0 \
    -pidfile "$W/qemu.pid" $T_GPU_HDA </dev/null >"$W/console.log" 2>&1 &
qpid=$!

gssh() {
    ssh -F /dev/null -i "$W/key" -p "$port" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile="$TOP/$W/known_hosts" -o LogLevel=ERROR root@127.0.0.1 "$@"
}
s=$(date +%s)
until gssh true 2>/dev/null; do
    kill -0 "$qpid" 2>/dev/null || { tr -d '\r' <"$W/console.log" | tail -n 20; die "QEMU ended before SSH answered"; }
    [ $(( $(date +%s) - s )) -lt 900 ] || { tr -d '\r' <"$W/console.log" | tail -n 20; die "no SSH in 900 s"; }
    sleep 5
done
echo "boot: SSH on 127.0.0.1:$port after $(( $(date +%s) - s )) s"

# driver BDF: the guest's driver of a device, none when unbound
driver() {
    gssh "d=/sys/bus/pci/devices/$1/driver; if [ -L \$d ]; then basename \$(readlink \$d); else echo none; fi"
}
snapshot() { gssh sh -s <tests/ansible/e2e-snapshot.sh; }

# the guest as a host is before passthru: grub.cfg written by its own update-grub
s=$(date +%s)
gssh update-grub >"$W/update-grub.log" 2>&1 || die "update-grub in the guest: $(tail -n 3 "$W/update-grub.log")"
echo "setup: update-grub in the guest: $(( $(date +%s) - s )) s"
cmdline0=$(gssh cat /proc/cmdline)
drv0="$(driver 0000:00:05.0) $(driver 0000:00:05.1)"
snapshot >"$W/snap-before" || die "the snapshot before install"
echo "before install: drivers $drv0; /proc/cmdline: $cmdline0"

# --- ansible-playbook: the collection from make ansible, an inventory of the guest ---
ansible-galaxy collection install -p "$W/collections" "$pkg" >"$W/galaxy.log" 2>&1 ||
    die "ansible-galaxy collection install $pkg: $(tail -n 3 "$W/galaxy.log")"
mkdir -p "$W/home" "$W/tmp"
# ServerAlive: QEMU's user network keeps a connection's host side open when the guest reboots
# under it; an SSH session cut by the reboot then hangs without them (seen on the trial reboot)
cat >"$W/inventory.yml" <<EOT
all:
  hosts:
    guest:
      ansible_host: 127.0.0.1
      ansible_port: $port
      ansible_user: root
      ansible_ssh_private_key_file: $TOP/$W/key
      ansible_ssh_common_args: -F /dev/null -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=$TOP/$W/known_hosts -o ServerAliveInterval=15 -o ServerAliveCountMax=4
      ansible_python_interpreter: /usr/bin/python3
EOT
export ANSIBLE_COLLECTIONS_PATH="$TOP/$W/collections" ANSIBLE_HOME="$TOP/$W/home" \
    ANSIBLE_LOCAL_TEMP="$TOP/$W/tmp" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
    ANSIBLE_INVENTORY="$TOP/$W/inventory.yml" ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_TIMEOUT=60 \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$TOP/$W/cp"

# play N NAME PLAYBOOK [options]: ansible-playbook, its time, $out (its output), $code
play() {
    n=$1 name=$2 pb=$3
    shift 3
    s=$(date +%s)
    timeout "$PLAY_LIMIT" ansible-playbook "tests/ansible/$pb" "$@" >"$W/play$n.log" 2>&1
    code=$?
    out=$(cat "$W/play$n.log")
    echo "play $n ($name): $(( $(date +%s) - s )) s, exit $code"
    echo "  $(echo "$out" | grep '^guest ' | tail -n 1 | tr -s ' ')"
}
recap() { echo "$out" | grep '^guest ' | tail -n 1 | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
task_was() { echo "$out" | grep -A1 "TASK \[.*$1" | sed -n 2p | cut -d: -f1; }
# the failed play's output, to read without opening the log
tell() { [ "$1" -eq 0 ] || echo "$out" | grep -E -A3 '^(fatal|failed):' | head -n 20 | sed 's/^/  /'; }

# --- check mode on the live guest: changed reported, no byte changed ---
play 0 "the role in check mode" e2e-role.yml --check
check "check mode: the play succeeds" "$code" 0
check "check mode: the install task reports changed" "$(task_was 'Install passthru for the devices')" changed
check "check mode: changed reported in the recap" "$([ "$(recap changed)" -ge 1 ] 2>/dev/null && echo yes)" yes
snapshot >"$W/snap-check" || echo "(no snapshot after check mode)"
check "check mode: no byte of the boot files changed (sha256 list)" "$(diff "$W/snap-before" "$W/snap-check" | grep -c '^[<>]')" 0
check "check mode: the GPU still on $drv0" "$(driver 0000:00:05.0) $(driver 0000:00:05.1)" "$drv0"
tell "$code"

# --- play 1: the role installs, reboots, asserts ready ---
play 1 "the role: install, reboot, ready" e2e-role.yml
check "play 1: the play succeeds" "$code" 0
check "play 1: the install task changed" "$(task_was 'Install passthru for the devices')" changed
check "play 1: ansible.builtin.reboot rebooted" "$(task_was 'Reboot into the new setup')" changed
check_match "play 1: the role asserted ready" "$out" '"msg": "passthru on guest: ready'
check "play 1: failed=0 in the recap" "$(recap failed)" 0
tell "$code"
check "after play 1: 00:05.0 (the GPU) on vfio-pci" "$(driver 0000:00:05.0)" vfio-pci
check "after play 1: 00:05.1 (its audio) on vfio-pci" "$(driver 0000:00:05.1)" vfio-pci
cmdline1=$(gssh cat /proc/cmdline)
check_match "after play 1: /proc/cmdline has the IOMMU arguments" "$cmdline1" "intel_iommu=on iommu=pt"
check "after play 1: passthru-setup status exits 0" "$(gssh passthru-setup status >/dev/null 2>&1; echo $?)" 0

# --- play 2: the same play again: every task ok, nothing changed ---
play 2 "the same role play again" e2e-role.yml
check "play 2: the play succeeds" "$code" 0
check "play 2: changed=0 in the recap" "$(recap changed)" 0
check "play 2: failed=0 in the recap" "$(recap failed)" 0
check "play 2: no reboot" "$(task_was 'Reboot into the new setup')" skipping
tell "$code"

# --- play 3: state: absent and a reboot: the guest as before install ---
play 3 "the module, state absent, reboot" e2e-absent.yml
check "play 3: the play succeeds" "$code" 0
check "play 3: uninstall changed" "$(task_was 'Uninstall passthru')" changed
check "play 3: rebooted" "$(task_was 'Reboot without passthru')" changed
tell "$code"
# the first boot's grub.cfg was the test's (root=/dev/vda1), update-grub's says root=UUID=...
noroot() { echo "$1" | sed 's/ root=[^ ]*//'; }
cmdline3=$(gssh cat /proc/cmdline)
check "after play 3: no IOMMU argument and no trial marker in /proc/cmdline" \
    "$(echo "$cmdline3" | grep -c -e intel_iommu -e iommu=pt -e rd.passthru)" 0
check "after play 3: /proc/cmdline as before install (but root=, update-grub's)" \
    "$(noroot "$cmdline3")" "$(noroot "$cmdline0")"
check "after play 3: the GPU and its audio on their drivers of before install" \
    "$(driver 0000:00:05.0) $(driver 0000:00:05.1)" "$drv0"
snapshot >"$W/snap-absent" || echo "(no snapshot after state absent)"
# the initramfs was rebuilt: its bytes differ (the times in it), its file list may not
diff "$W/snap-before" "$W/snap-absent" | grep '^[<>]' | grep -v '^[<>] /boot/initrd\.img-' >"$W/snap-absent.diff"
check "after play 3: every boot file as before install (sha256 list; the initramfs by its file list)" \
    "$(wc -l <"$W/snap-absent.diff")" 0
sed 's/^/  /' "$W/snap-absent.diff"

# --- play 4: a trial through the role: install --trial, reboot into it, confirm, ready ---
play 4 "the role with passthru_trial" e2e-role.yml -e '{"passthru_trial": true}'
check "play 4: the play succeeds" "$code" 0
check "play 4: the install task changed" "$(task_was 'Install passthru for the devices')" changed
check "play 4: rebooted into the trial" "$(task_was 'Reboot into the new setup')" changed
# the role's own SSH connection is a login (a pty: utmp's "root on pts/N from the host"), and a
# login is what passthru-confirm.service waits for: it may confirm the ready trial boot while the
# role waits for status to be ready; the role's confirm then finds nothing pending (ok, not
# changed). Either way the trial was confirmed on the trial boot and no earlier.
confirmed_by=$(task_was 'Confirm the trial')
if [ "$confirmed_by" = ok ]; then
    said=$(gssh journalctl -b -u passthru-confirm.service --no-pager -o cat 2>/dev/null)
    check_match "play 4: the role's SSH login confirmed the trial (passthru-confirm.service)" "$said" \
        "a login session on the trial boot (utmp: user root on pts/"
    check_match "play 4: ... and the service made it permanent" "$said" "the trial boot is ready: making it permanent"
else
    check "play 4: the trial confirmed by the role" "$confirmed_by" changed
fi
check_match "play 4: the role asserted ready" "$out" '"msg": "passthru on guest: ready'
tell "$code"
check_match "after play 4: the trial boot's /proc/cmdline has the arguments and the marker" \
    "$(gssh cat /proc/cmdline)" "intel_iommu=on iommu=pt rd.passthru.trial=1"
check "after play 4: 00:05.0 on vfio-pci" "$(driver 0000:00:05.0)" vfio-pci
st=$(gssh passthru-setup status --json 2>/dev/null)
check "after play 4: status --json: ready, no trial pending" "$(echo "$st" | jq -c '[.ready, .trial]')" '[true,null]'
check_match "after play 4: status says ready" "$(gssh passthru-setup status 2>&1)" "ready"
check "after play 4: the default entry's drop-in written (confirmed for good)" \
    "$(gssh 'test -e /etc/default/grub.d/passthru.cfg && test ! -e /etc/passthru.trial && echo yes')" yes

cleanup
echo "ansible-e2e: $(( $(date +%s) - t0 )) s in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
