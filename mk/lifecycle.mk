# mk/lifecycle.mk: install, reboot, uninstall on a real Debian 12 guest booted by real GRUB.
.PHONY: check-lifecycle
check-lifecycle: all
	tests/lifecycle/run.sh
