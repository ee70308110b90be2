# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/unit.mk: cmocka unit tests, built plain and with ASan/UBSan, and run under valgrind.
UNIT_NAMES := test_config test_selector test_cmdline test_plan test_sha256 test_utf8 test_facts test_variant test_pe
UNIT_TESTS := $(addprefix $(B)/tests/unit/,$(UNIT_NAMES))
UNIT_ASAN := $(addprefix $(B)/tests/unit-asan/,$(UNIT_NAMES))

$(B)/tests/unit/%: tests/unit/%.c $(B)/host/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-field-initializers -o $@ $< $(B)/host/libpassthru.a $(HOST_LIBS) -lcmocka
$(B)/tests/unit-asan/%: tests/unit/%.c $(B)/asan/libpassthru.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Wno-missing-field-initializers -std=gnu11 -D_GNU_SOURCE -Isrc/lib $(ASAN_FLAGS) -o $@ $< \
		$(B)/asan/libpassthru.a $(HOST_LIBS) -lcmocka

# test_pe: the PE reader (passthru-setup's, src/setup/boot/pe.c) on a UKI that objcopy makes from
# systemd's stub (systemd-boot-efi), as dracut --uefi does
UKI_STUB ?= /usr/lib/systemd/boot/efi/linuxx64.efi.stub
$(B)/tests/unit/test-uki.efi: $(UKI_STUB)
	@mkdir -p $(B)/tests/unit/uki-parts
	printf 'root=UUID=1234-abcd ro quiet "a b"\n\0' >$(B)/tests/unit/uki-parts/cmdline
	printf 'ID=debian\n' >$(B)/tests/unit/uki-parts/osrel
	printf '6.1.0-13-amd64' >$(B)/tests/unit/uki-parts/uname
	{ printf 'MZ'; head -c 4094 /dev/zero; } >$(B)/tests/unit/uki-parts/linux
	objcopy --add-section .osrel=$(B)/tests/unit/uki-parts/osrel --change-section-vma .osrel=0x20000 \
		--add-section .cmdline=$(B)/tests/unit/uki-parts/cmdline --change-section-vma .cmdline=0x30000 \
		--add-section .uname=$(B)/tests/unit/uki-parts/uname --change-section-vma .uname=0x40000 \
		--add-section .linux=$(B)/tests/unit/uki-parts/linux --change-section-vma .linux=0x2000000 \
		$(UKI_STUB) $@
TEST_PE_DEFS := -DTEST_UKI='"$(CURDIR)/$(B)/tests/unit/test-uki.efi"' -Isrc/setup/boot
$(B)/tests/unit/test_pe: tests/unit/test_pe.c src/setup/boot/pe.c src/setup/boot/pe.h $(B)/tests/unit/test-uki.efi
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_PE_DEFS) -o $@ tests/unit/test_pe.c src/setup/boot/pe.c -lcmocka
$(B)/tests/unit-asan/test_pe: tests/unit/test_pe.c src/setup/boot/pe.c src/setup/boot/pe.h $(B)/tests/unit/test-uki.efi
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE $(ASAN_FLAGS) $(TEST_PE_DEFS) -o $@ tests/unit/test_pe.c \
		src/setup/boot/pe.c -lcmocka

.PHONY: check-unit check-unit-valgrind
check-unit: $(UNIT_TESTS) $(UNIT_ASAN)
	@set -e; for t in $^; do echo "== $$t"; $$t; done

check-unit-valgrind: $(UNIT_TESTS)
	@set -e; for t in $^; do $(VALGRIND) $$t >/dev/null; done; echo "PASS unit tests under valgrind"

# the config fuzzer's binary alone (its run targets come from fuzz_rules in mk/tests.mk)
.PHONY: fuzz-config-bin
fuzz-config-bin: $(B)/fuzz/fuzz_config
