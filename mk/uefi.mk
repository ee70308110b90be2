# mk/uefi.mk: a real UEFI guest (OVMF) booted by real systemd-boot (bootctl, kernel-install):
# install, reboot, uninstall, reboot, as check-lifecycle does on GRUB.
.PHONY: check-uefi
check-uefi: all
	tests/uefi/run.sh
