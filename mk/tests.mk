# mk/tests.mk: the test targets; `make check` runs them all, `make check-quick` skips the VMs.
-include tests/unit/unit.mk

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite

$(B)/gentree: tests/bench/gentree.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $(WARN) -o $@ $<

check-all: check-quick check-vm check-lifecycle
	@echo "make check: all suites passed"

check-quick: check-static check-unit check-fixtures check-valgrind check-fuzz check-setup \
	check-shell

# the real binary: static, within its size limit
check-static: $(B)/passthru-claim
	@file $< | grep -q 'statically linked' || { file $<; echo "FAIL: not static"; exit 1; }
	@s=$$(wc -c <$<); [ $$s -le 262144 ] || { echo "FAIL: $$s bytes > 256 KiB"; exit 1; }; \
		echo "PASS passthru-claim is static, $$s bytes stripped"

check-fixtures: $(B)/passthru-claim $(B)/asan/passthru-claim
	tests/fixtures/run.sh $(B)/passthru-claim
	WORK=$(B)/tests/fixtures-asan tests/fixtures/run.sh $(B)/asan/passthru-claim

check-valgrind: $(B)/passthru-claim-dyn check-unit-valgrind
	WORK=$(B)/tests/fixtures-valgrind tests/fixtures/run.sh "$(VALGRIND) $(CURDIR)/$(B)/passthru-claim-dyn"

check-fuzz: check-fuzz-config check-fuzz-kargs

fuzz: fuzz-config fuzz-kargs

check-shell:
	shellcheck -S warning $$(find dracut tests scripts -name '*.sh' -o -name 'module-setup.sh' | sort -u) \
		$$(grep -rl '^#!/bin/sh' tests scripts dracut .ci 2>/dev/null | sort -u)
	@echo "PASS shellcheck"

bench: $(B)/passthru-claim $(B)/gentree
	tests/bench/bench.sh $(B)/passthru-claim $(B)/gentree
	$(MAKE) --no-print-directory bench-vm

# libFuzzer: the config parser and the kernel command line reader
FUZZ_SECONDS ?= 600
FUZZ_LIB := src/lib/config.c src/lib/cmdline.c src/lib/util.c src/lib/root.c
$(B)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc/lib -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ tests/fuzz/fuzz_config.c $(FUZZ_LIB)

.PHONY: check-fuzz-config fuzz-config
check-fuzz-config: $(B)/fuzz/fuzz_config
	@mkdir -p $(B)/fuzz/corpus-config && cp tests/fuzz/corpus/config/* $(B)/fuzz/corpus-config/
	$(B)/fuzz/fuzz_config -max_total_time=20 -print_final_stats=1 $(B)/fuzz/corpus-config \
		2>$(B)/fuzz/config.log || { tail -n 40 $(B)/fuzz/config.log; exit 1; }
	@grep -E 'stat::number_of_executed_units' $(B)/fuzz/config.log; echo "PASS fuzz_config (20 s)"

fuzz-config: $(B)/fuzz/fuzz_config
	@mkdir -p $(B)/fuzz/corpus-config && cp tests/fuzz/corpus/config/* $(B)/fuzz/corpus-config/
	$(B)/fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/corpus-config

# libFuzzer: passthru-setup's kernel-argument and GRUB file editors
FUZZ_SETUP := src/setup/kargs.c src/setup/grubfile.c src/lib/util.c
$(B)/fuzz/fuzz_kargs: tests/fuzz/fuzz_kargs.c $(FUZZ_SETUP) $(HDRS)
	@mkdir -p $(dir $@)
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc/lib -Isrc/setup -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ tests/fuzz/fuzz_kargs.c $(FUZZ_SETUP)

.PHONY: check-fuzz-kargs fuzz-kargs
check-fuzz-kargs: $(B)/fuzz/fuzz_kargs
	@mkdir -p $(B)/fuzz/corpus-kargs && cp tests/fuzz/corpus/kargs/* $(B)/fuzz/corpus-kargs/
	$(B)/fuzz/fuzz_kargs -max_total_time=20 -print_final_stats=1 $(B)/fuzz/corpus-kargs \
		2>$(B)/fuzz/kargs.log || { tail -n 40 $(B)/fuzz/kargs.log; exit 1; }
	@grep -E 'stat::number_of_executed_units' $(B)/fuzz/kargs.log; echo "PASS fuzz_kargs (20 s)"

fuzz-kargs: $(B)/fuzz/fuzz_kargs
	@mkdir -p $(B)/fuzz/corpus-kargs && cp tests/fuzz/corpus/kargs/* $(B)/fuzz/corpus-kargs/
	$(B)/fuzz/fuzz_kargs -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/corpus-kargs
