# mk/setup.mk: passthru-setup tests on temporary roots, plain and with ASan/UBSan.
.PHONY: check-setup
check-setup: $(B)/passthru-setup $(B)/asan/passthru-setup $(B)/gentree $(B)/passthru-claim
	tests/setup/run.sh $(B)/passthru-setup
	ASAN_OPTIONS=detect_leaks=1 tests/setup/run.sh $(B)/asan/passthru-setup
	tests/setup/trial.sh $(B)/passthru-setup $(B)/passthru-claim
	ASAN_OPTIONS=detect_leaks=1 tests/setup/trial.sh $(B)/asan/passthru-setup $(B)/passthru-claim
