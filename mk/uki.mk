# SPDX-License-Identifier: GPL-2.0-or-later
# mk/uki.mk: a UEFI guest that boots a unified kernel image built and signed by its own
# dracut --uefi, listed by systemd-boot, under Secure Boot with keys of our own (or without:
# PASSTHRU_UKI_SB=off); install, claim, uninstall across three boots. Part of make check-slow.
.PHONY: check-uki check-uki-nosb
check-uki: all
	tests/uki/run.sh
check-uki-nosb: all
	PASSTHRU_UKI_SB=off tests/uki/run.sh
