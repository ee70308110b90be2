#!/bin/sh
# step.sh: runs inside the UEFI guest at each boot (passthru-lifecycle.service): says how the
# guest booted (firmware, systemd-boot's EFI variables, the entry, /proc/cmdline), then
# phase 1 installs; 2 checks the claim; 3 (the card is the firmware's boot display) checks the
# default boot_vga refused it, allows it, installs; 4 checks the claim and uninstalls; 5 checks
# it is gone.
# Every result is a "LIFECYCLE: ..." line on the serial console; then the guest powers off.
state=/var/lib/passthru-lifecycle/phase
mkdir -p /var/lib/passthru-lifecycle
phase=$(cat "$state" 2>/dev/null || echo 1)
vendor=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
say() {
    printf 'LIFECYCLE: %s\n' "$*" >/dev/ttyS0
}
driver() {
    d=/sys/bus/pci/devices/$1/driver
    if [ -L "$d" ]; then basename "$(readlink "$d")"; else echo none; fi
}
# what /proc/iomem shows inside 00:05.0's BAR 0 besides the BAR itself: "name@start" words
bar0_holders() {
    read -r s e _ </sys/bus/pci/devices/0000:00:05.0/resource || return
    [ $((s)) -ne 0 ] || return
    while IFS= read -r line; do
        line=${line#"${line%%[! ]*}"}
        range=${line%% : *}
        name=${line#* : }
        lo=${range%-*}
        hi=${range#*-}
        if [ $((0x$lo >= s && 0x$hi <= e)) -eq 1 ] && [ "$name" != 0000:00:05.0 ]; then
            printf '%s@%s ' "$name" "$lo"
        fi
    done </proc/iomem
}
# run NAME CMD...: CMD's output as "LIFECYCLE: NAME: " lines while it runs, its status in /tmp/rc
run() {
    name=$1
    shift
    { "$@" 2>&1; echo $? >/tmp/rc; } | sed -u "s/^/LIFECYCLE: $name: /" >/dev/ttyS0
}
# an EFI variable of the boot loader interface: 4 bytes of attributes, then UTF-16LE text
efivar() {
    f=/sys/firmware/efi/efivars/$1-$vendor
    if [ -r "$f" ]; then cat "$f" | tail -c +5 | tr -d '\000'; else echo none; fi
}
# the options line of the loader entry systemd-boot booted
entry_options() {
    e=$(efivar LoaderEntrySelected)
    for f in /boot/efi/loader/entries/"$e" /boot/efi/loader/entries/"$e".conf; do
        [ -f "$f" ] && sed -n 's/^options[[:space:]]*//p' "$f" && return
    done
    echo none
}
say "phase=$phase"
say "cmdline=$(cat /proc/cmdline)"
if [ -d /sys/firmware/efi ]; then say "firmware=uefi"; else say "firmware=bios"; fi
say "loader-info=$(efivar LoaderInfo)"
say "loader-entry=$(efivar LoaderEntrySelected)"
say "entry-options=$(entry_options)"
say "kernel-cmdline-file=$(cat /etc/kernel/cmdline 2>/dev/null)"
bootctl status --no-pager 2>&1 | sed -n '/^Current Boot Loader:/,/^$/p' | sed 's/^/LIFECYCLE: bootctl: /' >/dev/ttyS0
for f in /boot/efi/loader/entries/*.conf; do
    [ -f "$f" ] && sed "s|^|LIFECYCLE: entry ${f##*/}: |" "$f" >/dev/ttyS0
done
say "driver-05.0=$(driver 0000:00:05.0)"
say "driver-05.1=$(driver 0000:00:05.1)"
# the initramfs systemd-boot loaded (the entry's initrd line, on the ESP): passthru in it?
initrd=$(sed -n 's/^initrd[[:space:]]*//p' /boot/efi/loader/entries/*.conf 2>/dev/null | head -n 1)
if [ -n "$initrd" ] && [ -f "/boot/efi$initrd" ]; then
    say "esp-initrd-claim=$(lsinitramfs "/boot/efi$initrd" | grep -c 'passthru/passthru-claim$')"
else
    say "esp-initrd-claim=no initrd ($initrd)"
fi
say "fb=$(cat /proc/fb 2>/dev/null | tr '\n' ';')"
say "boot-vga-05.0=$(cat /sys/bus/pci/devices/0000:00:05.0/boot_vga 2>/dev/null)"
say "iomem-fb=$(grep -c -i -e efifb -e BOOTFB -e simple-framebuffer -e simpledrm /proc/iomem)"
grep -i -e efifb -e BOOTFB -e framebuffer -e vfio /proc/iomem | sed 's/^/LIFECYCLE: iomem: /' >/dev/ttyS0
say "efifb-bar=$(dmesg | sed -n 's/.*pci \([0-9a-f:.]*\): BAR \([0-9]*\): assigned to efifb.*/\1 BAR \2/p')"
say "bar0-holders=$(bar0_holders)"
say "cant-reserve=$(dmesg | grep -c "can't reserve")"
dmesg | grep -i -e "can't reserve" -e efifb -e simple-framebuffer -e simpledrm -e vfio |
    sed 's/^/LIFECYCLE: dmesg: /' >/dev/ttyS0
passthru-setup status >/tmp/status.txt 2>&1
say "status-rc=$?"
sed 's/^/LIFECYCLE: status: /' /tmp/status.txt >/dev/ttyS0
case $phase in
1)
    start=$(date +%s)
    run install passthru-setup install --device 0000:00:05.0
    say "install-rc=$(cat /tmp/rc)"
    say "install-seconds=$(( $(date +%s) - start ))"
    for f in /boot/efi/loader/entries/*.conf; do
        [ -f "$f" ] && sed "s|^|LIFECYCLE: entry-after-install ${f##*/}: |" "$f" >/dev/ttyS0
    done
    ;;
3)
    # the card is the firmware's boot display now: refused with the default boot_vga;
    # allowed for the next boot (install rebuilds the image: the config changed)
    printf 'boot_vga = allow\n' >>/etc/passthru.conf
    start=$(date +%s)
    run install-allow passthru-setup install
    say "install-allow-rc=$(cat /tmp/rc)"
    say "install-allow-seconds=$(( $(date +%s) - start ))"
    ;;
4)
    start=$(date +%s)
    run uninstall passthru-setup uninstall
    say "uninstall-rc=$(cat /tmp/rc)"
    say "uninstall-seconds=$(( $(date +%s) - start ))"
    ;;
5)
    n=0
    for f in /etc/initramfs-tools/conf.d/passthru /etc/dracut.conf.d/passthru.conf \
        /var/lib/passthru/installed; do
        [ -e "$f" ] && n=$((n + 1))
    done
    say "passthru-files=$n"
    ;;
esac
echo $((phase + 1)) >"$state"
sync
say "end-of-phase=$phase"
systemctl poweroff
