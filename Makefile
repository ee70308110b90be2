# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile: builds passthru-claim (static, musl) and passthru-setup, runs every test.
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
PTLIBDIR ?= $(PREFIX)/lib/passthru
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
DRACUTMODDIR ?= $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null || echo $(PREFIX)/lib/dracut/modules.d)
UNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
UNITDIR := $(if $(UNITDIR),$(UNITDIR),/lib/systemd/system)
DRACUTMODDIR := $(if $(DRACUTMODDIR),$(DRACUTMODDIR),$(PREFIX)/lib/dracut/modules.d)
INITRAMFSTOOLSDIR ?= $(DATADIR)/initramfs-tools
INITCPIODIR ?= $(PREFIX)/lib/initcpio

B := build
CC ?= cc
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -Isrc/lib

LIB_SRC := $(wildcard src/lib/*.c)
# passthru-setup: main.c, then a folder per concern (cmd, engine, boot, initramfs, shared)
SETUP_DIRS := src/setup $(patsubst %/,%,$(sort $(dir $(wildcard src/setup/*/*.[ch]))))
SETUP_SRC := $(wildcard $(addsuffix /*.c,$(SETUP_DIRS)))
SETUP_INC := $(addprefix -I,$(SETUP_DIRS))
HDRS := $(wildcard src/lib/*.h $(addsuffix /*.h,$(SETUP_DIRS)))

.PHONY: all claim setup check check-unit check-fixtures check-asan check-fuzz \
	check-shell fuzz bench install clean check-quick install-tools check-all check-boots

all: $(B)/passthru-claim $(B)/passthru-setup

# the README's two commands install the Debian tools they need first (tools only)
install-tools:
	sh scripts/install-deps.sh
check: install-tools
	$(MAKE) --no-print-directory check-all

# --- static musl dependencies (libkmod, libpci) built from Debian sources ---
include mk/deps.mk
include mk/pkg.mk

# --- host (glibc) build: library archive, passthru-setup, a dynamic passthru-claim ---
HOST_OBJ := $(patsubst src/%.c,$(B)/host/%.o,$(LIB_SRC))
$(B)/host/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/host/libpassthru.a: $(HOST_OBJ)
	rm -f $@ && ar rcs $@ $^
HOST_LIBS := $(shell pkg-config --libs libkmod libpci 2>/dev/null || echo -lkmod -lpci)

# mkinitcpio/passthru.conf, the drop-in install writes, as a C string for initramfs/mkinitcpio.c
$(B)/gen/mkinitcpio_dropin.h: mkinitcpio/passthru.conf
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $< >$@
$(B)/host/setup/initramfs/mkinitcpio.o $(B)/asan/setup/initramfs/mkinitcpio.o: \
	$(B)/gen/mkinitcpio_dropin.h
$(B)/host/setup/initramfs/mkinitcpio.o: CFLAGS += -I$(B)/gen
$(B)/asan/setup/initramfs/mkinitcpio.o: ASAN_FLAGS += -I$(B)/gen
# passthru-setup's files include each other's headers by name, whatever their folder
$(B)/host/setup/%.o: CFLAGS += $(SETUP_INC)
$(B)/asan/setup/%.o: ASAN_FLAGS += $(SETUP_INC)

$(B)/passthru-setup: $(patsubst src/%.c,$(B)/host/%.o,$(SETUP_SRC)) $(B)/host/libpassthru.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)
$(B)/passthru-claim-dyn: $(B)/host/claim/main.o $(B)/host/libpassthru.a
	$(CC) $(CFLAGS) -o $@ $^ $(HOST_LIBS)

# --- static build with musl ---
MUSL_OBJ := $(patsubst src/%.c,$(B)/musl/%.o,$(LIB_SRC) src/claim/main.c)
$(B)/musl/%.o: src/%.c $(HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -Isrc/lib $(DEPS_CFLAGS) -Os \
		-ffunction-sections -fdata-sections -c -o $@ $<
# a build-id note (musl-gcc's specs give none): Fedora's rpmbuild stops on a binary without one
$(B)/passthru-claim: $(MUSL_OBJ) $(DEPS_STAMP)
	$(MUSL_CC) -static -Os -Wl,--gc-sections -Wl,--build-id=sha1 -o $@.unstripped \
		$(MUSL_OBJ) $(DEPS_LIBS)
	strip -o $@ $@.unstripped

# --- sanitizer build: every test also runs on this copy ---
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ := $(patsubst src/%.c,$(B)/asan/%.o,$(LIB_SRC))
$(B)/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -Isrc/lib $(ASAN_FLAGS) -c -o $@ $<
$(B)/asan/libpassthru.a: $(ASAN_OBJ)
	rm -f $@ && ar rcs $@ $^
$(B)/asan/passthru-claim: $(B)/asan/claim/main.o $(B)/asan/libpassthru.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(HOST_LIBS)
$(B)/asan/passthru-setup: $(patsubst src/%.c,$(B)/asan/%.o,$(SETUP_SRC)) $(B)/asan/libpassthru.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(HOST_LIBS)

include mk/tests.mk
include mk/vm.mk
include mk/setup.mk
include mk/lifecycle.mk
include mk/uefi.mk
include mk/uki.mk
include mk/ansible.mk
include mk/deb.mk

install: all
	install -D -m 0755 $(B)/passthru-claim $(DESTDIR)$(PTLIBDIR)/passthru-claim
	install -D -m 0755 $(B)/passthru-setup $(DESTDIR)$(SBINDIR)/passthru-setup
	install -D -m 0755 dracut/90passthru/module-setup.sh $(DESTDIR)$(DRACUTMODDIR)/90passthru/module-setup.sh
	install -D -m 0755 dracut/90passthru/passthru-early.sh $(DESTDIR)$(DRACUTMODDIR)/90passthru/passthru-early.sh
	install -D -m 0644 dracut/90passthru/passthru.service $(DESTDIR)$(DRACUTMODDIR)/90passthru/passthru.service
	install -D -m 0755 initramfs-tools/hooks/passthru $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/passthru
	install -D -m 0755 initramfs-tools/scripts/init-top/passthru \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/passthru
	install -D -m 0755 mkinitcpio/install/passthru $(DESTDIR)$(INITCPIODIR)/install/passthru
	install -D -m 0755 mkinitcpio/hooks/passthru $(DESTDIR)$(INITCPIODIR)/hooks/passthru
	install -D -m 0644 conf/passthru.conf $(DESTDIR)$(DATADIR)/doc/passthru/passthru.conf.example
	install -D -m 0644 systemd/passthru-confirm.service $(DESTDIR)$(UNITDIR)/passthru-confirm.service
	for m in docs/man/*.[58]; do [ -f "$$m" ] || continue; \
		s=$${m##*.}; install -D -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	[ ! -f docs/passthru-setup.bash ] || install -D -m 0644 docs/passthru-setup.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/passthru-setup

clean:
	rm -rf $(B)/host $(B)/musl $(B)/asan $(B)/tests $(B)/passthru-* $(B)/fuzz $(B)/gen
