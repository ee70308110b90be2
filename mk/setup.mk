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
	tests/setup/facts.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-facts-asan tests/setup/facts.sh \
		$(B)/asan/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-truth-asan tests/setup/truth.sh \
		$(B)/asan/passthru-setup
	tests/setup/json.sh $(B)/passthru-setup $(B)/passthru-claim
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-json-asan tests/setup/json.sh \
		$(B)/asan/passthru-setup $(B)/passthru-claim
	tests/setup/uki.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-uki-asan tests/setup/uki.sh \
		$(B)/asan/passthru-setup
	tests/setup/powercut.sh $(B)/passthru-setup $(B)/passthru-claim 5
	ASAN_OPTIONS=detect_leaks=0 WORK=$(B)/tests/setup-powercut-asan tests/setup/powercut.sh \
		$(B)/asan/passthru-setup $(B)/passthru-claim 13

# install, uninstall and confirm killed at every one of their file-changing system calls
# (make check-slow; check-setup kills at every 5th, and every 13th with ASan; LeakSanitizer
# does not run under ptrace: the other suites look for leaks)
.PHONY: check-setup-powercut
check-setup-powercut: $(B)/passthru-setup $(B)/asan/passthru-setup $(B)/passthru-claim
	tests/setup/powercut.sh $(B)/passthru-setup $(B)/passthru-claim 1
	ASAN_OPTIONS=detect_leaks=0 WORK=$(B)/tests/setup-powercut-asan tests/setup/powercut.sh \
		$(B)/asan/passthru-setup $(B)/passthru-claim 1

# the initramfs-tools and mkinitcpio entries of the generator table, driven on temporary roots
GEN_TEST_OBJ := setup/initramfs/initramfs_tools.o setup/initramfs/mkinitcpio.o \
	setup/initramfs/initramfs_list.o setup/initramfs/initramfs_hooks.o setup/shared/fsroot.o \
	setup/shared/txn.o setup/shared/manifest.o setup/boot/kargs.o \
	setup/initramfs/mkinitcpio_hooks.o setup/initramfs/mkinitcpio_presets.o \
	setup/shared/shell_eval.o setup/shared/shstatic.o \
	setup/shared/run.o setup/shared/outcome.o
$(B)/tests/initramfs-gen: tests/setup/initramfs_gen.c $(addprefix $(B)/host/,$(GEN_TEST_OBJ)) \
	$(B)/host/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SETUP_INC) -o $@ $^ $(HOST_LIBS)
$(B)/tests/asan/initramfs-gen: tests/setup/initramfs_gen.c \
	$(addprefix $(B)/asan/,$(GEN_TEST_OBJ)) $(B)/asan/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -Isrc/lib $(SETUP_INC) $(ASAN_FLAGS) -o $@ $^ $(HOST_LIBS)
