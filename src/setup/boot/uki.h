/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uki.h: unified kernel images: which builder makes them, where they are, Secure Boot, and the rebuild guard. */
#ifndef PASSTHRU_UKI_H
#define PASSTHRU_UKI_H
#include <stdbool.h>
#include "setup.h"

struct bootctx;

enum uki_builder { UKI_NONE, UKI_DRACUT, UKI_MKINITCPIO, UKI_KERNEL_INSTALL };

/* What makes this root's UKIs (uki_host.c). */
struct uki_host {
	enum uki_builder builder;
	char why[400];		/* what says so: "uefi=yes in dracut's configuration" */
	char **ukis;		/* the UKIs the builder makes (paths in the root), NULL-terminated;
				 * dracut, kernel-install: those under ESP/EFI/Linux; mkinitcpio: the
				 * presets' *_uki= */
	bool type2;		/* there are ESP/EFI/Linux/ *.efi */
	/* dracut's configuration as dracut evaluates it (as t would leave it) */
	bool has_kernel_cmdline;
	char *kernel_cmdline;
	/* signing: the builder signs what it builds, with what (a cert or a hook file) */
	bool signs;
	char signer[600];	/* "uefi_secureboot_cert=/etc/keys/db.crt (dracut)" */
	char sign_how[600];	/* the setting that would make it sign */
};

/* The root's UKI setup read through t (staged content wins). 0 (builder UKI_NONE: none) or
 * -errno. */
int uki_host_read(const struct txn *t, struct uki_host *h);
void uki_host_free(struct uki_host *h);
const char *uki_builder_name(enum uki_builder b);
/* This root boots UKIs: a builder makes them, or type 2 entries are there. */
bool uki_detect(const struct fsroot *fr);
/* The .cmdline of the UKI at path in the root (NUL and trailing blanks gone). -ENOENT: no
 * such file; -EBADMSG: not a PE file; -ENODATA: no .cmdline section. */
int uki_cmdline(const struct fsroot *fr, const char *path, char **ret);
/* The kernel version a UKI is for: its .uname, else the /lib/modules/KVER whose name its file
 * name holds (the longest). -ENOENT: cannot tell. */
int uki_kver(const struct fsroot *fr, const char *path, char *kver, size_t size);

/* EFI variables, from the host view (--sysroot; never for an image of other machines):
 * Secure Boot enforced (SecureBoot=1 and SetupMode=0): 1, off 0, -ENOENT not known. */
int uki_secure_boot(const struct opts *o);
/* The UKI this boot started from, as the loader and stub said (LoaderEntrySelected of a type 2
 * entry, else the stub's LoaderImageIdentifier; StubInfo: the stub ran): its path in the root
 * (under the ESP holding it). 1 known, 0 not known. */
int uki_running(const struct fsroot *fr, const struct opts *o, char *path, size_t size);

/* The rebuild guard (uki.c): each UKI kept before the builder runs, its words checked after;
 * put back when a word went missing. */
struct uki_guard {
	size_t n;
	char **paths;		/* the UKIs the builder rewrites */
	char **old;		/* each one's .cmdline before (NULL: it did not exist) */
	char **data;		/* each one's bytes before */
	size_t *len;
};
/* Keep each UKI of c's root (bytes and .cmdline). 0 or -errno. */
int uki_guard_begin(const struct bootctx *c, struct uki_guard *g);
/* After the builder ran: each UKI's new .cmdline holds every old word, less the contradicting
 * ones and less removed (uninstall: passthru's), plus c->e's arguments. true when so; else
 * says which UKI lacks which word on stderr. */
bool uki_guard_check(const struct bootctx *c, const struct uki_guard *g, const char *removed);
/* Put every UKI back as it was (atomically); 0 or -errno (said). */
int uki_guard_restore(const struct bootctx *c, const struct uki_guard *g);
/* The copies on disk go too (fr NULL: kept). */
void uki_guard_free(const struct fsroot *fr, struct uki_guard *g);
/* A UKI's .cmdline lacks an argument of c->e or carries a contradicting one: the builder must
 * run again even when no file changed. */
bool uki_stale(const struct bootctx *c);

#endif
