# SPDX-License-Identifier: GPL-2.0-or-later
# mk/lifecycle.mk: install, reboot, uninstall and the GRUB trial on a real Debian 12 guest booted
# by real GRUB. make check runs the short set (IOMMU first, claim, uninstall: 4 boots); the full
# set (the hand edit and the GRUB trial too: 11 boots) is part of make check-slow.
.PHONY: check-lifecycle check-lifecycle-full
check-lifecycle: all
	PASSTHRU_LIFECYCLE_SET=short tests/lifecycle/run.sh
check-lifecycle-full: all
	PASSTHRU_LIFECYCLE_SET=full tests/lifecycle/run.sh

# the eleven boots on a dracut guest (make check-slow: dracut's boot path is in check-vm);
# a boot's limit 1,500 s, not 900: its boot 3 runs dracut once and four passthru-setup commands
# that each check the image with lsinitrd (status, install, install again, status); beside
# another guest it reached 900 s
.PHONY: check-lifecycle-trial check-lifecycle-dracut
check-lifecycle-trial check-lifecycle-dracut: all
	PASSTHRU_LIFECYCLE_TIMEOUT=$${PASSTHRU_LIFECYCLE_TIMEOUT:-1500} PASSTHRU_LIFECYCLE_SET=full \
		PASSTHRU_LIFECYCLE_INITRAMFS=dracut tests/lifecycle/run.sh
