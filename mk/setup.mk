# mk/setup.mk: passthru-setup tests on temporary roots, plain and with ASan/UBSan.
.PHONY: check-setup
check-setup: $(B)/passthru-setup $(B)/asan/passthru-setup $(B)/gentree \
	$(B)/tests/initramfs-gen $(B)/tests/asan/initramfs-gen
	tests/setup/run.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 tests/setup/run.sh $(B)/asan/passthru-setup
	tests/setup/cli.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-cli-asan tests/setup/cli.sh \
		$(B)/asan/passthru-setup
	tests/setup/initramfs.sh $(B)/tests/initramfs-gen $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 tests/setup/initramfs.sh $(B)/tests/asan/initramfs-gen \
		$(B)/asan/passthru-setup

# the initramfs-tools and mkinitcpio entries of the generator table, driven on temporary roots
GEN_TEST_OBJ := setup/initramfs_tools.o setup/initramfs_mkinitcpio.o setup/initramfs_list.o \
	setup/fsroot.o setup/txn.o setup/manifest.o setup/kargs.o
$(B)/tests/initramfs-gen: tests/setup/initramfs_gen.c $(addprefix $(B)/host/,$(GEN_TEST_OBJ)) \
	$(B)/host/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc/setup -o $@ $^ $(HOST_LIBS)
$(B)/tests/asan/initramfs-gen: tests/setup/initramfs_gen.c \
	$(addprefix $(B)/asan/,$(GEN_TEST_OBJ)) $(B)/asan/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -Isrc/lib -Isrc/setup $(ASAN_FLAGS) -o $@ $^ $(HOST_LIBS)
