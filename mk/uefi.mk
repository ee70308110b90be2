# SPDX-License-Identifier: GPL-2.0-or-later
# mk/uefi.mk: a real UEFI guest (OVMF) booted by real systemd-boot (bootctl, kernel-install).
# make check runs the short set (the trial: failed, fallback, confirmed, uninstall: 5 boots);
# the full set (install, claim, the boot display on efifb, uninstall first: 9 boots) is part
# of make check-slow.
.PHONY: check-uefi check-uefi-full
check-uefi: all
	PASSTHRU_UEFI_SET=short tests/uefi/run.sh
check-uefi-full: all
	PASSTHRU_UEFI_SET=full tests/uefi/run.sh
