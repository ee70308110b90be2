# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for passthru-setup: each command's own options (as passthru-setup COMMAND --help)
# Works with the bash-completion package (_init_completion) and without it (plain `complete`).

# _passthru_setup_words: cur, prev, words, cword from the line up to the cursor, split at
# blanks only (an address's colons stay in its word); without bash-completion
_passthru_setup_words() {
    local line=${COMP_LINE:0:COMP_POINT}
    read -ra words <<<"$line"
    if [[ -z $line || $line == *[[:blank:]] ]]; then
        words+=("")
    fi
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}
    prev=
    if ((cword > 0)); then
        prev=${words[cword - 1]}
    fi
}

# _passthru_setup_reply WORDS...: COMPREPLY, the words that start with $cur
_passthru_setup_reply() {
    mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur")
}

# _passthru_setup_devices: the PCI functions `passthru-setup list` shows as candidates (every
# display controller and its companions), from the --sysroot on the line if there is one
_passthru_setup_devices() {
    local bin=passthru-setup i sysroot=()
    if [[ ${words[0]} == */* && -x ${words[0]} ]]; then
        bin=${words[0]}
    fi
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --sysroot) sysroot=(--sysroot "${words[i + 1]}") ;;
        --sysroot=?*) sysroot=("${words[i]}") ;;
        esac
    done
    "$bin" list --json "${sysroot[@]}" 2>/dev/null |
        grep -oE '\{"address": "[^"]*", "id": "[^"]*", "class": "[^"]*", "role": "(candidate|selected|companion)"\}' |
        cut -d'"' -f4 | sort -u
}

# _passthru_setup_dirs: directories for --root, --sysroot, --split
_passthru_setup_dirs() {
    if declare -F _filedir >/dev/null; then
        _filedir -d
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    fi
}

# _passthru_setup_colons: bash inserts only what follows the last colon of the word (a
# COMP_WORDBREAKS character): the replies lose the part of the word up to it
_passthru_setup_colons() {
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local pre=${cur%"${cur##*:}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
        done
    fi
}

_passthru_setup() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n : || return
    else
        _passthru_setup_words
    fi
    if [[ $cword -eq 1 ]]; then
        _passthru_setup_reply install confirm uninstall status list plan xml --help --version
        return
    fi
    case $prev in
    --root | --sysroot | --split) _passthru_setup_dirs; return ;;
    --cpu) _passthru_setup_reply auto intel amd other; return ;;
    --bootloader) _passthru_setup_reply auto grub grubby kernel-install uki none; return ;;
    --initramfs) _passthru_setup_reply auto dracut initramfs-tools mkinitcpio; return ;;
    --device) _passthru_setup_reply "$(_passthru_setup_devices)"; _passthru_setup_colons; return ;;
    esac
    case ${words[1]} in
    install) _passthru_setup_reply --root --sysroot --cpu --dry-run --device --no-iommu-pt \
        --allow-unsafe-interrupts --bootloader --no-initramfs --initramfs --trial --auto-confirm \
        --json --diff --help ;;
    confirm) _passthru_setup_reply --root --sysroot --dry-run --json --diff --after-login --help ;;
    uninstall) _passthru_setup_reply --root --sysroot --dry-run --json --diff --help ;;
    status) _passthru_setup_reply --sysroot --json --nfd --verbose --help ;;
    list | plan) _passthru_setup_reply --sysroot --json --help ;;
    xml) _passthru_setup_reply --sysroot --split --help "$(_passthru_setup_devices)" ;;
    esac
    _passthru_setup_colons
} &&
    complete -F _passthru_setup passthru-setup
