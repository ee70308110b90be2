# bash completion for passthru-setup
_passthru_setup() {
    local cur prev words cword
    _init_completion || return
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "install uninstall status list plan xml --help" -- "$cur"))
        return
    fi
    case $prev in
    --root) _filedir -d; return ;;
    --cpu) COMPREPLY=($(compgen -W "intel amd other" -- "$cur")); return ;;
    --bootloader) COMPREPLY=($(compgen -W "auto grub grubby kernel-install none" -- "$cur")); return ;;
    --device) COMPREPLY=($(compgen -W "$(ls /sys/bus/pci/devices 2>/dev/null)" -- "$cur")); return ;;
    esac
    case ${words[1]} in
    install) COMPREPLY=($(compgen -W "--root --cpu --dry-run --device --no-iommu-pt
        --allow-unsafe-interrupts --bootloader --no-initramfs" -- "$cur")) ;;
    uninstall) COMPREPLY=($(compgen -W "--root --dry-run" -- "$cur")) ;;
    status | list | plan) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
    xml) COMPREPLY=($(compgen -W "$(ls /sys/bus/pci/devices 2>/dev/null)" -- "$cur")) ;;
    esac
} &&
    complete -F _passthru_setup passthru-setup
