# SPDX-License-Identifier: GPL-2.0-or-later
# mk/deps.mk: static libkmod and libpci for musl, built from the upstream releases (Debian's
# .orig tarballs of kmod 30+20221128-1, pciutils 1:3.9.0-4) by scripts/build-deps.sh; docs/building.md.
#
#   make deps                    fetch (private apt config) or take sources/*.orig.tar.*,
#                                verify (sources/SHA256SUMS), build; once
#   make KMOD_SRC=DIR PCIUTILS_SRC=DIR ...   use unpacked source trees instead (offline)
#   make deps-clean              remove build/deps (make clean keeps it)
#
# Everything lands in build/deps/; the Makefile links with $(DEPS_CFLAGS)/$(DEPS_LIBS).
MUSL_CC ?= musl-gcc
KMOD_SRC ?=
PCIUTILS_SRC ?=
DEPS_DIR := $(abspath $(B)/deps)
DEPS_MUSL := $(DEPS_DIR)/musl
DEPS_STAMP := $(DEPS_DIR)/.stamp
# the kernel uapi headers (linux/, asm/, asm-generic/) on an -isystem path of their own
DEPS_CFLAGS := -I$(DEPS_MUSL)/include -isystem $(DEPS_MUSL)/uapi
DEPS_LIBS := $(DEPS_MUSL)/lib/libkmod-internal.a $(DEPS_MUSL)/lib/libshared.a \
	$(DEPS_MUSL)/lib/libpci.a

# What the stamp was built from; rewritten only when that changes, so that giving
# (or dropping) KMOD_SRC/PCIUTILS_SRC or another MUSL_CC rebuilds, and nothing else does.
DEPS_INPUTS := MUSL_CC=$(MUSL_CC) KMOD_SRC=$(abspath $(KMOD_SRC)) \
	PCIUTILS_SRC=$(abspath $(PCIUTILS_SRC))
$(DEPS_DIR)/.inputs: FORCE-deps-inputs
	@mkdir -p $(@D)
	@printf '%s\n' '$(DEPS_INPUTS)' | cmp -s - $@ 2>/dev/null || \
		printf '%s\n' '$(DEPS_INPUTS)' >$@
.PHONY: FORCE-deps-inputs
FORCE-deps-inputs:

# sources/: the list the upstream tarballs are checked against, and in a release tarball
# (make dist) the two tarballs themselves, which the build then uses instead of apt
$(DEPS_STAMP): $(DEPS_DIR)/.inputs scripts/build-deps.sh scripts/fetch-sources.sh \
	sources/SHA256SUMS $(wildcard sources/*.orig.tar.*)
	@rm -f $@
	MUSL_CC='$(MUSL_CC)' KMOD_SRC='$(abspath $(KMOD_SRC))' \
		PCIUTILS_SRC='$(abspath $(PCIUTILS_SRC))' sh scripts/build-deps.sh $(DEPS_DIR)
	@touch $@

.PHONY: deps deps-clean
deps: $(DEPS_STAMP)

deps-clean:
	rm -rf $(DEPS_DIR)
