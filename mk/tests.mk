# SPDX-License-Identifier: GPL-2.0-or-later
# mk/tests.mk: the test targets; `make check` runs them all, `make check-quick` skips the VMs.
-include tests/unit/unit.mk

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite

$(B)/gentree: tests/bench/gentree.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $(WARN) -o $@ $<

# the boot suites share nothing (each has its own folder under build/): they run
# $(CHECK_JOBS) at a time (two QEMU guests on two cores finish in about 60% of the serial time);
# each suite's output is printed whole when it ends. CHECK_JOBS=1 runs them one by one.
# Every suite runs even when one before it failed (make -k); make check ends with one table
# (tests/suite/summary.sh: suite, results, seconds) and fails when any suite failed.
CHECK_JOBS ?= 2
# check-pkg (mk/pkg.mk): dist, rpm and arch built and checked, no QEMU; the longest, so first
QUICK_SUITES := check-pkg check-static check-unit check-fixtures check-valgrind check-fuzz \
	check-setup check-shell check-ansible
# longest first (make -j starts them in this order): the two lanes end close together.
# check-deb is the lifecycle's short set (install --device, the claim, removal: three boots by
# real GRUB) with passthru installed from the deb and removed by apt-get purge (prerm runs
# uninstall); check-lifecycle (the same boots from make install) is a subset of
# check-lifecycle-full, in make check-slow
BOOT_SUITES := check-uefi check-vm check-deb check-vm-mkinitcpio check-vm-initramfs-tools
SUMMARY := $(B)/check-summary

# Every program the suites run is built first, in one make (the suites then run side by side
# without two makes building the same file); the quick suites run $(CHECK_JOBS) at a time
# (each has its own folders under build/tests), and meanwhile debootstrap makes the Debian
# roots the lifecycle and UEFI guests boot (cached in build/ across runs), which their suites
# would otherwise make first.
CHECK_BINS = all $(B)/tests/initramfs-gen $(B)/tests/asan/initramfs-gen $(B)/asan/passthru-claim \
	$(B)/asan/passthru-setup $(B)/passthru-claim-dyn $(B)/gentree $(UNIT_TESTS) $(UNIT_ASAN) \
	$(B)/fuzz/fuzz_config $(B)/fuzz/fuzz_kargs $(B)/fuzz/fuzz_report $(B)/fuzz/fuzz_facts $(B)/fuzz/fuzz_pe $(B)/fuzz/fuzz_ukitext \
	$(KERNEL_STAMP)
PREFETCH = { tests/lifecycle/debootstrap.sh $(B)/lifecycle initramfs-tools & \
	tests/uefi/debootstrap.sh $(B)/uefi; u=$$?; wait $$! && [ $$u = 0 ]; }

check-all:
	@rm -rf $(SUMMARY) && mkdir -p $(SUMMARY) && date +%s >$(SUMMARY)/.start
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) $(CHECK_BINS)
	@{ $(PREFETCH); echo $$? >$(SUMMARY)/.prefetch-rc; } >$(SUMMARY)/prefetch.log 2>&1 & \
	$(MAKE) --no-print-directory -k -j$(CHECK_JOBS) --output-sync=target \
		$(addprefix timed-,$(QUICK_SUITES)); \
	while [ ! -f $(SUMMARY)/.prefetch-rc ]; do sleep 2; done; \
	[ "$$(cat $(SUMMARY)/.prefetch-rc)" = 0 ] || { echo "make check: making the Debian roots" \
		"failed ($(SUMMARY)/prefetch.log); the suites will try again:"; \
		tail -n 5 $(SUMMARY)/prefetch.log; }; \
	echo "make check: the boot suites, $(CHECK_JOBS) at a time (each prints when it ends):" \
		"$(BOOT_SUITES)"; \
	$(MAKE) --no-print-directory -k -j$(CHECK_JOBS) --output-sync=target \
		$(addprefix timed-,$(BOOT_SUITES)); \
	tests/suite/summary.sh $(SUMMARY) "$$(cat $(SUMMARY)/.start)" $(QUICK_SUITES) $(BOOT_SUITES)

# timed-SUITE: make SUITE, its row of the summary table recorded
timed-%:
	@tests/suite/timed.sh $(SUMMARY) $* $(MAKE) --no-print-directory $*

check-boots: $(BOOT_SUITES)

# the boots make check leaves out to fit CI's time (at least one boot of every generator,
# boot loader and lifecycle stays in make check): run before resolving an issue that touches
# their path; the same summary table at the end
SLOW_SUITES := check-lifecycle-full check-uefi-full check-lifecycle-dracut check-vm-slow \
	check-vm-gen-slow check-setup-powercut check-uki check-ansible-e2e
.PHONY: check-slow
check-slow: install-tools
	@rm -rf $(SUMMARY) && mkdir -p $(SUMMARY) && date +%s >$(SUMMARY)/.start
	@$(MAKE) --no-print-directory all $(B)/tests/initramfs-gen $(KERNEL_STAMP)
	@$(MAKE) --no-print-directory -k -j$(CHECK_JOBS) --output-sync=target \
		$(addprefix timed-,$(SLOW_SUITES)); \
	tests/suite/summary.sh $(SUMMARY) "$$(cat $(SUMMARY)/.start)" $(SLOW_SUITES)

check-quick: $(QUICK_SUITES)

# the real binary: static, within its size limit
check-static: $(B)/passthru-claim
	@file $< | grep -q 'statically linked' || { file $<; echo "FAIL: not static"; exit 1; }
	@s=$$(wc -c <$<); [ $$s -le 262144 ] || { echo "FAIL: $$s bytes > 256 KiB"; exit 1; }; \
		echo "PASS passthru-claim is static, $$s bytes stripped"
	@tests/suite/spdx.sh

check-fixtures: $(B)/passthru-claim $(B)/asan/passthru-claim $(B)/passthru-setup $(B)/gentree
	tests/fixtures/run.sh $(B)/passthru-claim
	WORK=$(B)/tests/fixtures-asan tests/fixtures/run.sh $(B)/asan/passthru-claim
	tests/fixtures/cli.sh $(B)/passthru-claim
	tests/fixtures/hook.sh $(B)/passthru-claim
	tests/bench/uevent.sh $(B)/passthru-claim $(B)/passthru-setup $(B)/gentree
	WORK=$(B)/tests/fixtures-asan tests/fixtures/cli.sh $(B)/asan/passthru-claim

check-valgrind: $(B)/passthru-claim-dyn check-unit-valgrind
	WORK=$(B)/tests/fixtures-valgrind tests/fixtures/run.sh "$(VALGRIND) $(CURDIR)/$(B)/passthru-claim-dyn"
	WORK=$(B)/tests/fixtures-valgrind tests/fixtures/cli.sh "$(VALGRIND) $(CURDIR)/$(B)/passthru-claim-dyn"

check-fuzz: check-fuzz-config check-fuzz-kargs check-fuzz-report check-fuzz-facts check-fuzz-pe check-fuzz-ukitext

fuzz: fuzz-config fuzz-kargs fuzz-report fuzz-facts fuzz-pe fuzz-ukitext

check-shell:
	shellcheck -S warning \
		$$(find dracut tests scripts packaging -name '*.sh' -o -name 'module-setup.sh' | sort -u) \
		$$(grep -rl '^#!/bin/sh' tests scripts dracut initramfs-tools .ci packaging 2>/dev/null | \
			sort -u)
	shellcheck -S warning packaging/arch/PKGBUILD packaging/arch/passthru.install
	shellcheck -S warning -s bash mkinitcpio/install/* mkinitcpio/passthru.conf tests/vm/mkinitcpio/install/* \
		tests/setup/bin/mkinitcpio tests/setup/uki-bin/dracut docs/passthru-setup.bash
	shellcheck -S warning -s sh mkinitcpio/hooks/* tests/vm/mkinitcpio/hooks/*
	@echo "PASS shellcheck"

$(B)/cputime: tests/bench/cputime.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $(WARN) -o $@ $<

bench: $(B)/passthru-claim $(B)/gentree $(B)/cputime $(B)/passthru-setup
	tests/bench/bench.sh $(B)/passthru-claim $(B)/gentree 7 $(B)/cputime $(B)/passthru-setup
	$(MAKE) --no-print-directory bench-vm

# libFuzzer targets: 20 s each in make check, FUZZ_SECONDS each with make fuzz
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc/lib $(SETUP_INC) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# $(call fuzz_rules,NAME,SOURCES): build/fuzz/fuzz_NAME, check-fuzz-NAME, fuzz-NAME
define fuzz_rules
$(B)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(2) $(HDRS)
	@mkdir -p $$(dir $$@)
	clang $(FUZZ_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c $(2)

.PHONY: check-fuzz-$(1) fuzz-$(1)
check-fuzz-$(1): $(B)/fuzz/fuzz_$(1)
	@mkdir -p $(B)/fuzz/corpus-$(1) && cp tests/fuzz/corpus/$(1)/* $(B)/fuzz/corpus-$(1)/
	$(B)/fuzz/fuzz_$(1) -max_total_time=20 -print_final_stats=1 $(B)/fuzz/corpus-$(1) \
		2>$(B)/fuzz/$(1).log || { tail -n 40 $(B)/fuzz/$(1).log; exit 1; }
	@grep -E 'stat::number_of_executed_units' $(B)/fuzz/$(1).log; echo "PASS fuzz_$(1) (20 s)"

fuzz-$(1): $(B)/fuzz/fuzz_$(1)
	@mkdir -p $(B)/fuzz/corpus-$(1) && cp tests/fuzz/corpus/$(1)/* $(B)/fuzz/corpus-$(1)/
	$(B)/fuzz/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/corpus-$(1)
endef

# the config parser and kernel command line reader; passthru-setup's argument editors
$(eval $(call fuzz_rules,config,src/lib/config.c src/lib/cmdline.c src/lib/util.c src/lib/root.c \
	src/lib/sha256.c))
$(eval $(call fuzz_rules,kargs,src/setup/boot/kargs.c src/setup/boot/grubfile.c \
	src/setup/boot/bls.c src/setup/shared/txn.c src/setup/shared/fsroot.c \
	src/setup/shared/outcome.c src/lib/util.c))
# the status document: any config bytes and messages in, strict UTF-8 JSON out
$(eval $(call fuzz_rules,report,src/lib/report.c src/lib/config.c src/lib/plan.c src/lib/sha256.c \
	src/lib/util.c src/lib/root.c))
# the card facts: the config space's extended capability walk, resource and /proc/iomem text
$(eval $(call fuzz_rules,facts,src/lib/facts_rebar.c src/lib/facts_bars.c src/lib/facts_iomem.c \
	src/lib/util.c))
# a unified kernel image's PE headers and section table (boot/pe.c)
$(eval $(call fuzz_rules,pe,src/setup/boot/pe.c))
# install.conf/uki.conf values and passthru's dracut drop-in value, quoted and read back
$(eval $(call fuzz_rules,ukitext,src/setup/boot/uki_text.c src/lib/util.c))
