# mk/vm.mk: end-to-end boots under QEMU: check-vm, demo, bench-vm, fixture captures.
KERNEL_STAMP := $(B)/kernel/version
.PHONY: kernel check-vm check-vm-initramfs-tools check-vm-mkinitcpio demo bench-vm fixtures-capture

$(KERNEL_STAMP): scripts/fetch-kernel.sh
	sh scripts/fetch-kernel.sh $(B)/kernel

kernel: $(KERNEL_STAMP)

check-vm: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/run.sh

# images that initramfs-tools and mkinitcpio build themselves, booted (tests/vm/run-gen.sh)
check-vm-initramfs-tools: $(B)/passthru-claim $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	tests/vm/run-gen.sh initramfs-tools

# busybox images: every scenario; systemd images: the ones that differ there (the unit's order,
# rd.passthru=0 by its condition, a broken config, early KMS, the trial mark read by the unit's
# passthru-claim), to keep make check's time; the claim's own scenarios on systemd images
# (the same binary as on busybox images) are in check-vm-mkinitcpio-slow (make check-slow)
check-vm-mkinitcpio: $(B)/passthru-claim $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	tests/vm/run-gen.sh mkinitcpio
	tests/vm/run-gen.sh mkinitcpio-systemd order broken_config disabled early_kms trial_pending
.PHONY: check-vm-mkinitcpio-slow
check-vm-mkinitcpio-slow: $(B)/passthru-claim $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	tests/vm/run-gen.sh mkinitcpio-systemd intel_gpu_hda bridge_nic

demo: install-tools
	$(MAKE) --no-print-directory $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/demo.sh

bench-vm: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/bench.sh

# recapture tests/fixtures/*/tree.tar.gz from QEMU guests (review the diff before committing)
fixtures-capture: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/capture-all.sh
