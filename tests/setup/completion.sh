#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# completion.sh: docs/passthru-setup.bash in plain bash (no bash-completion package) and with a
# stand-in for bash-completion's _init_completion; devices come from passthru-setup list on a
# captured sysfs tree (--sysroot on the line being completed).
# usage: tests/setup/completion.sh BIN     (make check-setup; BIN is build/passthru-setup)
set -u
top=$(pwd)
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"
suite_begin setup-completion "$@"
mkdir -p "$work/sys" "$work/bin" "$work/two"
tar -xzf tests/fixtures/intel-gpu-hda/tree.tar.gz -C "$work/sys"
tar -xzf tests/fixtures/two-gpus/tree.tar.gz -C "$work/two"
ln -s "$bin" "$work/bin/passthru-setup"

# complete_line MODE LINE: what the completion offers for LINE (the cursor at its end), one
# [reply] each in sorted order (bash shows them sorted), on stdout; bash's own words on stderr ($work/err). MODE plain: bash alone;
# stub: with _init_completion and _filedir as bash-completion gives them (words whole: -n :)
complete_line() {
    PATH=$work/bin:$PATH bash --norc --noprofile -c '
        if [ "$1" = stub ]; then
            _init_completion() {
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
                cur=${words[cword]}
                prev=${words[cword - 1]}
            }
            _filedir() { COMPREPLY=("filedir$*"); }
        fi
        . "$3"
        complete -p passthru-setup >/dev/null || exit 1
        COMP_LINE=$2
        COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<<"$COMP_LINE"
        case $COMP_LINE in *" ") COMP_WORDS+=("") ;; esac
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _passthru_setup
        printf "[%s]\n" "${COMPREPLY[@]}"' sh "$1" "$2" "$top/docs/passthru-setup.bash" \
        2>"$work/err" | LC_ALL=C sort | tr -d '\n'
    echo
}

# expect MODE LINE WANT: the replies are exactly WANT, and bash said nothing on stderr
expect() {
    got=$(complete_line "$1" "$2")
    [ "$got" = "$3" ] && [ ! -s "$work/err" ] && ok "$1: '$2' offers $3" ||
        bad "$1: '$2'" "want $3, got $got; stderr: $(cat "$work/err")"
}

s=$work/sys
gpu='[0000:00:02.0][0000:00:05.0][0000:00:05.1]'
for m in plain stub; do
    expect $m "passthru-setup " '[--help][--version][confirm][install][list][plan][status][uninstall][xml]'
    expect $m "passthru-setup ins" '[install]'
    expect $m "passthru-setup install --cpu " '[amd][auto][intel][other]'
    expect $m "passthru-setup install --bootloader " '[auto][grub][grubby][kernel-install][none][uki]'
    expect $m "passthru-setup install --initramfs " '[auto][dracut][initramfs-tools][mkinitcpio]'
    expect $m "passthru-setup install --no" '[--no-initramfs][--no-iommu-pt]'
    # the display controllers and their companions; never the host bridge (00:00.0), the ISA
    # bridge, the SATA or SMBus controller (00:1f.*)
    expect $m "passthru-setup install --sysroot $s --device " "$gpu"
    expect $m "passthru-setup xml --sysroot=$s 0000:00:05" '[05.0][05.1]'
    expect $m "passthru-setup xml --sysroot $s " "[--help][--split][--sysroot]$gpu"
    expect $m "passthru-setup plan --sysroot $s --j" '[--json]'
    # after a colon bash inserts only what follows it: the replies say only that part
    expect $m "passthru-setup install --sysroot $s --device 0000:00:0" '[02.0][05.0][05.1]'
    expect $m "passthru-setup install --sysroot $work/two --device " \
        "$(PATH=$work/bin:$PATH passthru-setup list --sysroot "$work/two" --json |
            jq -r '[.[].members[] | select(.role == "candidate" or .role == "selected" or .role == "companion") | .address] |
                unique | map("[" + . + "]") | join("")')"
done
# the same devices list shows (its JSON is the source): a change of list's is seen here
want=$(passthru_list=$("$bin" list --sysroot "$s" --json) &&
    echo "$passthru_list" | jq -r '[.[].members[] | select(.role != "bridge" and .role != "other") | .address] |
        unique | map("[" + . + "]") | join("")')
[ "$want" = "$gpu" ] && ok "list --json's display controllers and companions are $gpu" || bad "list --json" "$want"
mkdir -p "$work/dirs/sub"
got=$(cd "$work/dirs" && complete_line plain "passthru-setup install --root s")
[ "$got" = "[sub]" ] && [ ! -s "$work/err" ] && ok "plain: --root offers directories" || bad "plain --root" "$got $(cat "$work/err")"
got=$(complete_line stub "passthru-setup install --root s")
[ "$got" = "[filedir-d]" ] && ok "stub: --root uses bash-completion's _filedir -d" || bad "stub --root" "$got"
# no device list without a sysfs: nothing offered, nothing said
expect plain "passthru-setup install --sysroot $work/none --device " '[]'

echo "completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
