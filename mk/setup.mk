# SPDX-License-Identifier: GPL-2.0-or-later
# mk/setup.mk: passthru-setup tests on temporary roots, plain and with ASan/UBSan.
.PHONY: check-setup
check-setup: $(B)/passthru-setup $(B)/asan/passthru-setup $(B)/gentree $(B)/passthru-claim \
	$(B)/tests/initramfs-gen $(B)/tests/asan/initramfs-gen
	tests/setup/run.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 tests/setup/run.sh $(B)/asan/passthru-setup
	tests/setup/trial.sh $(B)/passthru-setup $(B)/passthru-claim
	ASAN_OPTIONS=detect_leaks=1 tests/setup/trial.sh $(B)/asan/passthru-setup $(B)/passthru-claim
	tests/setup/cli.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-cli-asan tests/setup/cli.sh \
		$(B)/asan/passthru-setup
	tests/setup/initramfs.sh $(B)/tests/initramfs-gen $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 tests/setup/initramfs.sh $(B)/tests/asan/initramfs-gen \
		$(B)/asan/passthru-setup
	tests/setup/choices.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-choices-asan tests/setup/choices.sh \
		$(B)/asan/passthru-setup
	tests/setup/image.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-image-asan tests/setup/image.sh \
		$(B)/asan/passthru-setup
	tests/setup/completion.sh $(B)/passthru-setup
	tests/setup/truth.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-truth-asan tests/setup/truth.sh \
		$(B)/asan/passthru-setup

# the initramfs-tools and mkinitcpio entries of the generator table, driven on temporary roots
GEN_TEST_OBJ := setup/initramfs/initramfs_tools.o setup/initramfs/mkinitcpio.o \
	setup/initramfs/initramfs_list.o setup/initramfs/initramfs_hooks.o setup/shared/fsroot.o \
	setup/shared/txn.o setup/shared/manifest.o setup/boot/kargs.o \
	setup/initramfs/mkinitcpio_hooks.o setup/initramfs/mkinitcpio_presets.o \
	setup/shared/shell_eval.o setup/shared/shstatic.o \
	setup/shared/run.o
$(B)/tests/initramfs-gen: tests/setup/initramfs_gen.c $(addprefix $(B)/host/,$(GEN_TEST_OBJ)) \
	$(B)/host/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SETUP_INC) -o $@ $^ $(HOST_LIBS)
$(B)/tests/asan/initramfs-gen: tests/setup/initramfs_gen.c \
	$(addprefix $(B)/asan/,$(GEN_TEST_OBJ)) $(B)/asan/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -Isrc/lib $(SETUP_INC) $(ASAN_FLAGS) -o $@ $^ $(HOST_LIBS)
