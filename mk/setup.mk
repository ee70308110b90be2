# mk/setup.mk: passthru-setup tests on temporary roots, plain and with ASan/UBSan.
.PHONY: check-setup
check-setup: $(B)/passthru-setup $(B)/asan/passthru-setup $(B)/gentree
	tests/setup/run.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 tests/setup/run.sh $(B)/asan/passthru-setup
	tests/setup/cli.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 WORK=$(B)/tests/setup-cli-asan tests/setup/cli.sh \
		$(B)/asan/passthru-setup
