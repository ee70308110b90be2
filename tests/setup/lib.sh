#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: what the passthru-setup test scripts share: their start, PASS/FAIL counting, fixture
# trees and a tree's snapshot. Sourced by tests/setup/*.sh right after top=$(pwd).

# suite_begin NAME BIN [CLAIM [...]]: a script's common start: $bin (and $claim, when given)
# made absolute against $top, $here the scripts' folder, $work ($WORK, else build/tests/NAME)
# emptied and made, the PASS/FAIL counters at 0
suite_begin() {
    work=${WORK:-$top/build/tests/$1}
    here=$top/tests/setup
    bin=$2
    case $bin in /*) ;; *) bin=$top/$bin ;; esac
    claim=${3:-}
    case $claim in /* | "") ;; *) claim=$top/$claim ;; esac
    pass=0
    fail=0
    rm -rf "$work"
    mkdir -p "$work"
}

# tree NAME FIXTURE: a fresh copy of a captured sysfs tree (tests/fixtures/FIXTURE) in
# $work/NAME, with an empty etc/; prints its path
tree() {
    t=$work/$1
    rm -rf "$t" && mkdir -p "$t/etc" && tar -xzf "$top/tests/fixtures/$2/tree.tar.gz" -C "$t" &&
        echo "$t"
}

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# snapshot DIR: every file, link and folder under DIR (commands.log aside), files with cksum
snapshot() {
    (cd "$1" && find . -path ./commands.log -prune -o \( -type f -o -type l -o -type d \) -print |
        sort | while read -r f; do
            if [ -f "$f" ] && [ ! -L "$f" ]; then echo "$f $(cksum <"$f")"; else echo "$f"; fi
        done)
}

# grub_linux ROOT: Debian's 10_linux (one kernel) and the grub.cfg update-grub made of it
# ($here: tests/setup, whose bin/update-grub stands in for the real one)
grub_linux() {
    mkdir -p "$1/etc/grub.d"
    fake_10_linux >"$1/etc/grub.d/10_linux"
    chmod 755 "$1/etc/grub.d/10_linux"
    PASSTHRU_TEST_ROOT=$1 "$here/bin/update-grub"
    rm -f "$1/commands.log"
}

# what Debian's 10_linux prints for one kernel: the simple entry, then the advanced submenu
fake_10_linux() {
    cat <<'EOF'
#!/bin/sh
cat <<EOT
function gfxmode {
	set gfxpayload="\${1}"
}
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option 'gnulinux-simple-1234-abcd' {
	load_video
	insmod ext2
	echo	'Loading Linux 6.1.0-13-amd64 ...'
	linux	/boot/vmlinuz-6.1.0-13-amd64 root=UUID=1234-abcd ro ${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}
	initrd	/boot/initrd.img-6.1.0-13-amd64
}
submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-1234-abcd' {
	menuentry 'Debian GNU/Linux, with Linux 6.1.0-13-amd64' --class debian \$menuentry_id_option 'gnulinux-6.1.0-13-amd64-advanced-1234-abcd' {
		linux	/boot/vmlinuz-6.1.0-13-amd64 root=UUID=1234-abcd ro ${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}
	}
}
EOT
EOF
}
