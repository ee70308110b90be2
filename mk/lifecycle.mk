# mk/lifecycle.mk: install, reboot, uninstall on a real Debian 12 guest booted by real GRUB.
.PHONY: check-lifecycle
check-lifecycle: all
	tests/lifecycle/run.sh

# install --trial, the one-time GRUB entry, passthru-confirm.service, on the same guest
.PHONY: check-lifecycle-trial
check-lifecycle-trial: all
	tests/lifecycle/trial.sh
