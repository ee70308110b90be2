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

check-valgrind: $(B)/passthru-claim-dyn
	WORK=$(B)/tests/fixtures-valgrind tests/fixtures/run.sh "$(VALGRIND) $(CURDIR)/$(B)/passthru-claim-dyn"

check-fuzz: check-fuzz-config

fuzz: fuzz-config

check-shell:
	shellcheck -S warning $$(find dracut tests scripts -name '*.sh' -o -name 'module-setup.sh' | sort -u) \
		$$(grep -rl '^#!/bin/sh' tests scripts dracut .ci 2>/dev/null | sort -u)
	@echo "PASS shellcheck"

bench: $(B)/passthru-claim $(B)/gentree
	tests/bench/bench.sh $(B)/passthru-claim $(B)/gentree
	$(MAKE) --no-print-directory bench-vm
