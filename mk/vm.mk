# SPDX-License-Identifier: GPL-2.0-or-later
# mk/vm.mk: end-to-end boots under QEMU: check-vm, demo, bench-vm, fixture captures.
KERNEL_STAMP := $(B)/kernel/version
.PHONY: kernel check-vm check-vm-initramfs-tools check-vm-mkinitcpio demo bench-vm fixtures-capture

$(KERNEL_STAMP): scripts/fetch-kernel.sh
	sh scripts/fetch-kernel.sh $(B)/kernel

kernel: $(KERNEL_STAMP)

# every claim scenario on dracut images but two whose captured trees the fixture tests replay
# (two GPUs, four functions: make check-vm-slow, part of make check-slow)
VM_SLOW := two_gpus four_function
# (variant_bound and variant_fallback boot the image with tests/vm/variant's test vfio variant
# driver; variant-images.sh, no boot, checks that initramfs-tools and mkinitcpio put it in theirs)
check-vm: $(B)/passthru-claim $(KERNEL_STAMP)
	PASSTHRU_VM_SKIP="$(VM_SLOW)" tests/vm/run.sh
	tests/vm/variant-images.sh
.PHONY: check-vm-slow
check-vm-slow: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/run.sh $(VM_SLOW)

# images that initramfs-tools and mkinitcpio build themselves, booted (tests/vm/run-gen.sh):: every scenario that is about the generator (its hook's order,
# the switch, the config, rd.passthru=0, early KMS, the trial mark); the claim's scenarios that
# check-vm proves with the same binary (AMD GPU, NIC group) are in make check-slow
GEN_SLOW := amd_gpu_hda bridge_nic
check-vm-initramfs-tools: $(B)/passthru-claim $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	PASSTHRU_VM_SKIP="$(GEN_SLOW)" tests/vm/run-gen.sh initramfs-tools

# busybox images: as initramfs-tools'; systemd images: the ones that differ there (the unit's
# order, rd.passthru=0 by its condition, a broken config, early KMS, the trial mark read by the
# unit's passthru-claim); the rest are in check-vm-gen-slow (make check-slow)
check-vm-mkinitcpio: $(B)/passthru-claim $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	PASSTHRU_VM_SKIP="$(GEN_SLOW)" tests/vm/run-gen.sh mkinitcpio
	tests/vm/run-gen.sh mkinitcpio-systemd order broken_config disabled early_kms trial_pending
.PHONY: check-vm-gen-slow
check-vm-gen-slow: $(B)/passthru-claim $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	tests/vm/run-gen.sh initramfs-tools $(GEN_SLOW)
	tests/vm/run-gen.sh mkinitcpio $(GEN_SLOW)
	tests/vm/run-gen.sh mkinitcpio-systemd intel_gpu_hda $(GEN_SLOW)

demo: install-tools
	$(MAKE) --no-print-directory $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/demo.sh

bench-vm: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/bench.sh

# recapture tests/fixtures/*/tree.tar.gz from QEMU guests (review the diff before committing)
fixtures-capture: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/capture-all.sh
