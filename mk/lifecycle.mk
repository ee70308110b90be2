# mk/lifecycle.mk: install, reboot, uninstall and the GRUB trial on a real Debian 12 guest booted
# by real GRUB.
.PHONY: check-lifecycle
check-lifecycle: all
	tests/lifecycle/run.sh

# the same nine boots on a dracut guest (not in make check: dracut's boot path is in check-vm)
.PHONY: check-lifecycle-trial check-lifecycle-dracut
check-lifecycle-trial check-lifecycle-dracut: all
	PASSTHRU_LIFECYCLE_INITRAMFS=dracut tests/lifecycle/run.sh
