/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootcfg.h: the boot configurations that keep the kernel command line, behind one table. */
#ifndef PASSTHRU_BOOTCFG_H
#define PASSTHRU_BOOTCFG_H
#include <stdbool.h>
#include "kargs.h"
#include "setup.h"

struct manifest;
struct manifest_entry;

/* What install and uninstall give each boot configuration. */
struct bootctx {
	const struct fsroot *fr;
	const struct opts *o;
	struct txn *t;			/* files are read through it: staged content wins */
	struct manifest *m;
	const struct kargs_edit *e;	/* the arguments to add, the contradicting ones */
	struct sbuf *dropped;		/* contradicting arguments replaced, for the report */
};

/* A kernel command line the next boot gets, and where it comes from. */
struct kline {
	char label[320];
	char *line;
	char fix[160];		/* the edit that fixes it when a file undoes passthru's; "" */
};
struct klines {
	struct kline *v;
	size_t n, cap;
};
int klines_add(struct klines *k, const char *label, const char *line);
void klines_free(struct klines *k);

/* Commands to run after the files are in place; each argv NULL-terminated, strings owned. */
struct cmdlist {
	char *argv[8][8];
	size_t n;
};
int cmdlist_add(struct cmdlist *c, const char *const argv[]);
void cmdlist_free(struct cmdlist *c);
void cmdlist_print(const struct cmdlist *c, const char *indent, FILE *out);
/* Run each command (dry_run: say what would run); 1 when one failed, else 0. */
int cmdlist_run(const struct cmdlist *c, bool dry_run);

/*
 * One boot configuration: one file each in boot/ (grub.c, grubby.c, kernel_install.c).
 * Functions return 0 or -errno; `usable` and `stage` say why on stderr when they fail.
 */
struct bootcfg_ops {
	const char *name;	/* --bootloader NAME */
	const char *what;	/* for the report: "GRUB drop-in /etc/default/grub.d/passthru.cfg" */
	/* This root uses it (--bootloader auto). */
	bool (*detect)(const struct fsroot *fr);
	/* It can be used here (its tool exists, the host is not of another kind). */
	int (*usable)(const struct fsroot *fr);
	/* Stage, through the manifest, the edits that give the next boot c->e's arguments. */
	int (*stage)(struct bootctx *c);
	/* The command lines the next boot gets from it, as its own tool computes them; before
	 * its commands ran (done false) with what they will change, after them as they are. */
	int (*effective)(const struct bootctx *c, bool done, struct klines *out);
	/* The commands that make the boot read the files (install, or uninstall). */
	int (*commands)(const struct bootctx *c, bool uninstall, struct cmdlist *out);
	/* Uninstall, for a file that changed since install (me: its record): text less the words
	 * passthru added (me->added), with the ones it replaced (me->replaced) given back where
	 * it can; *ret NULL: nothing of the user's is left, the file goes. -ENOENT: not one of
	 * its files; -EINVAL: quoting an edit cannot keep; -EBADMSG: passthru's part and the
	 * user's cannot be told apart (both: the file is kept, and uninstall exits 1). */
	int (*unedit)(const struct manifest_entry *me, const char *text, char **ret);
	/* Uninstall (NULL: none): stage passthru's words out of the files install never edited
	 * that carry them (a loader entry made after install by a kernel update); said on
	 * stdout. 0 or -errno. */
	int (*leftovers)(struct bootctx *c);
};

extern const struct bootcfg_ops boot_grub;
extern const struct bootcfg_ops boot_grubby;
extern const struct bootcfg_ops boot_kernel_install;
extern const struct bootcfg_ops boot_uki;
/* NULL-terminated. */
extern const struct bootcfg_ops *const bootcfgs[];

const struct bootcfg_ops *bootcfg_by_name(const char *name);
/* The configurations to use for --bootloader want (auto, a name, none): in ret (up to 3),
 * their count; -errno after saying why on stderr (an asked-for one that cannot be used). */
int bootcfg_choose(const struct fsroot *fr, const char *want, const struct bootcfg_ops **ret);
/* Whether a command line carries every argument of e and none that contradicts; the missing
 * or contradicting ones in why. */
bool bootcfg_line_ok(const char *line, const struct kargs_edit *e, struct sbuf *why);

/* For status: the command lines the next boot gets, as the configurations install used (or,
 * without an install record, those found) compute them from the files as they are now. */
int bootcfg_effective_now(const struct fsroot *fr, const struct opts *o, struct klines *out);

/* Helpers the configurations share (bootcfg.c). */
/* Append to b the words of words it does not have, space-separated. */
void sbuf_add_words(struct sbuf *b, const char *words);
bool bootcfg_has_grubby(const struct fsroot *fr);
bool bootcfg_has_bls_entries(const struct fsroot *fr);
/* GRUB is installed (its configuration or its tools). */
bool bootcfg_has_grub(const struct fsroot *fr);
/* GRUB reads BLS entries here (Fedora, RHEL): GRUB_ENABLE_BLSCFG=true, or entries under
 * /boot/loader/entries without systemd-boot's loader.conf. */
bool bootcfg_grub_bls(const struct fsroot *fr);
/* systemd-boot's loader.conf in /boot, /efi or /boot/efi. */
bool bootcfg_has_systemd_boot(const struct fsroot *fr);
/* The values grub-mkconfig would see: /etc/default/grub, then /etc/default/grub.d/ *.cfg in
 * order, sourced by sh (skip: a file left out, or NULL); read through t (grubeval.c). The host's
 * by the host's sh; an image's only inside the image (shell_eval), else read without running
 * (shstatic, passthru's own drop-in applied as its code does): -ENOEXEC when that cannot tell
 * (shell_unknown_why() says why), -EINVAL when sh fails on them. */
int grub_source(const struct txn *t, const char *skip, char **linux_, char **linux_default);
/* The file that undoes passthru's drop-in: the first one from dropin on after which the line
 * lacks an argument of e or carries a contradicting one; 1 (its path in file), 0 none, -errno. */
int grub_overrider(const struct txn *t, const char *dropin, const struct kargs_edit *e,
		   char *file, size_t size);
/* bls.c: a BLS entry's options lines, joined; $kernelopts from grubenv when it is used
 * (t NULL: not expanded). */
int bls_options(const struct txn *t, const char *text, char **ret);
/* Edit every options line of a BLS entry (contradictions out, missing words to the last). */
int bls_edit(const char *text, const struct kargs_edit *e, char **ret, struct sbuf *dropped,
	     struct sbuf *added);
int bls_unedit(const char *text, const char *words, char **ret);
/* The BLS entries: /boot/loader/entries, and with esp also /efi and /boot/efi. */
int bls_entries(const struct txn *t, bool esp, char ***ret);
/* The trial's entry (engine/trial.c): BLS_TRIAL_ENTRY.conf (grubby), BLS_SD_TRIAL_ENTRY.conf
 * (systemd-boot): never a default, never a seed. */
#define BLS_TRIAL_ENTRY "passthru-trial"
#define BLS_SD_TRIAL_ENTRY "_-passthru-trial"
/* Of the entries v whose file name (with or without .conf) matches the glob pattern (NULL:
 * any), the one whose name sorts last in version order (6.1.0-10 after 6.1.0-9): the newest
 * kernel's; never the trial's. NULL when none. */
const char *bls_newest(char *const *v, const char *pattern);
/* The loaders' default among v: systemd-boot's `default` glob in loader.conf, else (or when
 * it is @saved, or matches none) the newest. NULL when none. */
const char *bls_default(const struct txn *t, char *const *v);

#endif
