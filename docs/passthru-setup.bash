# bash completion for passthru-setup: each command's own options (as passthru-setup COMMAND --help)
_passthru_setup() {
    local cur prev words cword
    _init_completion || return
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "install confirm uninstall status list plan xml --help --version" -- "$cur"))
        return
    fi
    case $prev in
    --root | --sysroot | --split) _filedir -d; return ;;
    --cpu) COMPREPLY=($(compgen -W "auto intel amd other" -- "$cur")); return ;;
    --bootloader) COMPREPLY=($(compgen -W "auto grub grubby kernel-install none" -- "$cur")); return ;;
    --initramfs) COMPREPLY=($(compgen -W "auto dracut initramfs-tools mkinitcpio" -- "$cur")); return ;;
    --device) COMPREPLY=($(compgen -W "$(ls /sys/bus/pci/devices 2>/dev/null)" -- "$cur")); return ;;
    esac
    case ${words[1]} in
    install) COMPREPLY=($(compgen -W "--root --sysroot --cpu --dry-run --device --no-iommu-pt
        --allow-unsafe-interrupts --bootloader --no-initramfs --initramfs --trial --help" -- "$cur")) ;;
    confirm) COMPREPLY=($(compgen -W "--root --sysroot --help" -- "$cur")) ;;
    uninstall) COMPREPLY=($(compgen -W "--root --sysroot --dry-run --help" -- "$cur")) ;;
    status | list | plan) COMPREPLY=($(compgen -W "--sysroot --json --help" -- "$cur")) ;;
    xml) COMPREPLY=($(compgen -W "--sysroot --split --help
        $(ls /sys/bus/pci/devices 2>/dev/null)" -- "$cur")) ;;
    esac
} &&
    complete -F _passthru_setup passthru-setup
