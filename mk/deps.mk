# mk/deps.mk: static libkmod and libpci for musl, built from Debian's source packages.
MUSL_CC ?= musl-gcc
DEPS_DIR := $(B)/deps
DEPS_STAMP := $(DEPS_DIR)/.stamp
DEPS_CFLAGS := -isystem $(DEPS_DIR)/musl/uapi -I$(DEPS_DIR)/musl/include
DEPS_LIBS := $(DEPS_DIR)/musl/lib/libkmod-internal.a $(DEPS_DIR)/musl/lib/libshared.a \
	$(DEPS_DIR)/musl/lib/libpci.a

.PHONY: deps deps-clean
$(DEPS_STAMP): scripts/build-deps.sh
	MUSL_CC=$(MUSL_CC) KMOD_SRC=$(KMOD_SRC) PCIUTILS_SRC=$(PCIUTILS_SRC) \
		sh scripts/build-deps.sh $(DEPS_DIR)
	touch $@

deps: $(DEPS_STAMP)

deps-clean:
	rm -rf $(DEPS_DIR)
