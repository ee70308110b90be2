# mk/vm.mk: end-to-end boots under QEMU: check-vm, demo, bench-vm, fixture captures.
KERNEL_STAMP := $(B)/kernel/version
.PHONY: kernel check-vm demo bench-vm fixtures-capture

$(KERNEL_STAMP): scripts/fetch-kernel.sh
	sh scripts/fetch-kernel.sh $(B)/kernel

kernel: $(KERNEL_STAMP)

check-vm: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/run.sh

demo: install-tools
	$(MAKE) --no-print-directory $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/demo.sh

bench-vm: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/bench.sh

# recapture tests/fixtures/*/tree.tar.gz from QEMU guests (review the diff before committing)
fixtures-capture: $(B)/passthru-claim $(KERNEL_STAMP)
	tests/vm/capture-all.sh
