/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel_install.c: systemd-boot and UKIs: /etc/kernel/cmdline and the existing loader entries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "manifest.h"
#include "root.h"
#include "uki.h"

#define CMDLINE "/etc/kernel/cmdline"

static bool detect(const struct fsroot *fr)
{
	return fsroot_exists(fr, CMDLINE) || bootcfg_has_systemd_boot(fr);
}

static int usable(const struct fsroot *fr)
{
	(void)fr;
	return 0;
}

/* A word /etc/kernel/cmdline never gets from a command line it is seeded from: BOOT_IMAGE=
 * and initrd= (kernel-install leaves them out too), and the trial's marker (rd.passthru.trial,
 * with or without a value): on the trial boot, the file would make every later boot the
 * trial's. */
static bool unseeded(const char *w, size_t l)
{
	static const char trial[] = "rd.passthru.trial";
	size_t t = sizeof(trial) - 1;

	return !strncmp(w, "BOOT_IMAGE=", 11) || !strncmp(w, "initrd=", 7) ||
	       (l >= t && !strncmp(w, trial, t) && (l == t || w[t] == '='));
}

/* A command line as kernel-install takes one: its words less the ones above, one line. */
static int loader_words_out(const char *line, char **ret)
{
	struct sbuf b = { 0 };
	const char *p;

	sbuf_add(&b, "");
	for (p = line; *p;) {
		size_t l = 0;
		bool q = false;

		p += strspn(p, " \t\n");
		/* a word as the kernel splits it: blanks inside double quotes stay */
		for (; p[l] && (q || (p[l] != ' ' && p[l] != '\t' && p[l] != '\n')); l++)
			if (p[l] == '"')
				q = !q;
		if (!l)
			break;
		if (!unseeded(p, l))
			sbuf_addf(&b, "%s%.*s", b.len ? " " : "", (int)l, p);
		p += l;
	}
	sbuf_add(&b, "\n");
	if (b.err)
		return -ENOMEM;
	*ret = b.s;
	return 0;
}

/* The running kernel's command line: the host view's /proc/cmdline. */
static int seed_running(const struct opts *o, char **ret)
{
	struct root r;
	char *line = NULL;
	int err = root_open(&r, o->sysroot);

	if (err < 0)
		return err;
	err = root_slurp(&r, "proc/cmdline", &line, NULL);
	root_close(&r);
	if (err == 0)
		err = loader_words_out(line, ret);
	free(line);
	return err;
}

/* --root without --sysroot: the image's own, never this machine's: /usr/lib/kernel/cmdline
 * (what kernel-install reads next), else the options of the image's default loader entry.
 * -ENOENT: none (or empty); where it came from in from. */
static int seed_image(const struct bootctx *c, char **ret, char *from, size_t size)
{
	char **v = NULL, *text = NULL, *opts = NULL;
	const char *entry;
	int r = txn_read(c->t, "/usr/lib/kernel/cmdline", &text, NULL);

	snprintf(from, size, "the image's /usr/lib/kernel/cmdline");
	if (r == -ENOENT && (r = bls_entries(c->t, true, &v)) == 0) {
		entry = bls_default(c->t, v);
		r = entry ? txn_read(c->t, entry, &opts, NULL) : -ENOENT;
		if (r == 0)
			r = bls_options(c->t, opts, &text);
		snprintf(from, size, "the options of the image's default loader entry %s",
			 entry ? entry : "");
		free(opts);
	}
	strv_free(v);
	if (r == 0)
		r = loader_words_out(text, ret);
	free(text);
	if (r == 0 && !strcmp(*ret, "\n")) {
		free(*ret);
		r = -ENOENT;	/* no argument at all: not a command line to boot the image with */
	}
	return r;
}

/* /etc/kernel/cmdline is missing: what kernel-install would read instead, said so. */
static int seed(const struct bootctx *c, char **ret)
{
	char from[600] = "the running kernel's command line";
	int r;

	if (!opts_foreign_image(c->o)) {
		r = seed_running(c->o, ret);
		if (r < 0)
			fprintf(stderr, "passthru-setup: %s does not exist, and the running kernel's "
				"command line (%s/proc/cmdline) to create it from cannot be read: "
				"%s; nothing was changed\n", CMDLINE,
				strcmp(c->o->sysroot, "/") ? c->o->sysroot : "", strerror(-r));
	} else {
		r = seed_image(c, ret, from, sizeof(from));
		if (r == -ENOENT)
			fprintf(stderr, "passthru-setup: %s does not exist in %s, and the image has no "
				"/usr/lib/kernel/cmdline or loader entry with options to create it "
				"from (this machine's command line is not the image's): write %s in "
				"the image with the kernel arguments its hosts boot with, or give "
				"--sysroot with the image's host view; nothing was changed\n", CMDLINE,
				c->fr->path, CMDLINE);
		else if (r < 0)
			fprintf(stderr, "passthru-setup: %s does not exist in %s, and %s cannot be "
				"read: %s; nothing was changed\n", CMDLINE, c->fr->path, from,
				strerror(-r));
	}
	if (r == 0)
		printf("%s: created from %s (less BOOT_IMAGE=, initrd= and the trial's "
		       "rd.passthru.trial=1), as kernel-install would read it\n", CMDLINE, from);
	return r;
}

/* Edit the first line of text (kernel-install joins the lines; install appends to the first). */
static int edit_first_line(const char *text, const struct kargs_edit *e, const char *words,
			   char **ret, struct sbuf *dropped, struct sbuf *added)
{
	size_t l = strcspn(text, "\n");
	char *first = strndup(text, l), *out = NULL;
	int r;

	if (!first)
		return -ENOMEM;
	r = words ? kargs_remove(first, words, &out) : kargs_apply(first, e, &out, dropped, added);
	free(first);
	if (r < 0)
		return r;
	*ret = malloc(strlen(out) + strlen(text + l) + 2);
	if (*ret)
		sprintf(*ret, "%s%s", out, text + l);
	free(out);
	return *ret ? 0 : -ENOMEM;
}

/* The contradicting words taken out of path: for the report, and in the record (uninstall
 * gives them back to a file it cannot restore from the backup). */
static int note_dropped(struct bootctx *c, const char *path, struct sbuf *dropped)
{
	if (dropped->err)
		return -ENOMEM;
	if (dropped->s) {
		if (c->dropped)
			sbuf_add_words(c->dropped, dropped->s);
		manifest_add_replaced(c->m, path, dropped->s);
	}
	sbuf_free(dropped);
	return 0;
}

static int stage(struct bootctx *c)
{
	struct sbuf added = { 0 }, dropped = { 0 };
	char *text = NULL, *edited = NULL, **v = NULL;
	size_t i;
	int r;

	/* a signed UKI under Secure Boot ignores the loader's options: an edit the firmware
	 * would ignore is never said to reach the next boot */
	if (boot_uki.detect(c->fr) && uki_secure_boot(c->o) == 1) {
		fprintf(stderr, "passthru-setup: --bootloader kernel-install: this host boots "
			"unified kernel images with Secure Boot on, and a signed UKI ignores loader "
			"entry options: the edit would not reach the next boot; use --bootloader uki "
			"(it rebuilds the UKI with its builder); nothing was changed\n");
		return -EPERM;
	}
	r = txn_read(c->t, CMDLINE, &text, NULL);

	if (r == -ENOENT) {
		r = seed(c, &text);
		if (r < 0)
			return r;
	}
	if (r == 0)
		r = edit_first_line(text, c->e, NULL, &edited, &dropped, &added);
	if (r == -EINVAL)
		fprintf(stderr, "passthru-setup: %s has an unbalanced double quote: an added "
			"argument would land inside it; close it first; nothing was changed\n",
			CMDLINE);
	if (r == 0)
		r = manifest_stage(c->t, c->m, CMDLINE, edited, strlen(edited), added.s);
	if (r == 0)
		r = note_dropped(c, CMDLINE, &dropped);
	free(text);
	free(edited);
	/* the entries already installed; on a grubby host grubby owns them */
	if (r == 0 && !boot_grubby.detect(c->fr))
		r = bls_entries(c->t, true, &v);
	for (i = 0; r == 0 && v && v[i]; i++) {
		sbuf_free(&added);
		text = edited = NULL;
		r = txn_read(c->t, v[i], &text, NULL);
		if (r == 0)
			r = bls_edit(text, c->e, &edited, &dropped, &added);
		if (r == -EINVAL)
			fprintf(stderr, "passthru-setup: %s: an options line has an unbalanced "
				"double quote; close it first; nothing was changed\n", v[i]);
		if (r == 0)
			r = manifest_stage(c->t, c->m, v[i], edited, strlen(edited), added.s);
		if (r == 0)
			r = note_dropped(c, v[i], &dropped);
		free(text);
		free(edited);
	}
	strv_free(v);
	sbuf_free(&added);
	sbuf_free(&dropped);
	manifest_add_boot(c->m, "kernel-install");
	return r;
}

static int effective(const struct bootctx *c, bool done, struct klines *out)
{
	char *text = NULL, **v = NULL, label[200];
	size_t i;
	int r = txn_read(c->t, CMDLINE, &text, NULL);

	(void)done;
	if (r == 0) {
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = ' ';
		rstrip(text);
		r = klines_add(out, CMDLINE " (kernel-install, for kernels installed from now on)",
			       text);
	} else if (r == -ENOENT) {
		r = 0;
	}
	free(text);
	if (r == 0)
		r = bls_entries(c->t, true, &v);
	for (i = 0; r == 0 && v[i]; i++) {
		char *opts = NULL;

		text = NULL;
		r = txn_read(c->t, v[i], &text, NULL);
		if (r == 0)
			r = bls_options(c->t, text, &opts);
		snprintf(label, sizeof(label), "loader entry %s", v[i]);
		if (r == 0)
			r = klines_add(out, label, opts);
		free(opts);
		free(text);
	}
	strv_free(v);
	return r;
}

static int commands(const struct bootctx *c, bool uninstall, struct cmdlist *out)
{
	(void)c, (void)uninstall, (void)out;
	return 0;	/* the files are what the boot reads */
}

/* The words of back that the kernel's words of the options (or the line) lack, given back. */
static int give_back(const char *path, char *text, const char *back, char **ret)
{
	struct kargs_edit e = { 0 };
	const char *p = back;
	char *res = NULL;
	int n, r;

	while (back && e.nadd < 8 && sscanf(p, "%63s%n", e.add[e.nadd], &n) == 1) {
		p += n;
		e.nadd++;
	}
	if (!e.nadd) {
		*ret = text;
		return 0;
	}
	r = strstr(path, "/loader/entries/") ? bls_edit(text, &e, &res, NULL, NULL) :
					       edit_first_line(text, &e, NULL, &res, NULL, NULL);
	free(text);
	*ret = r < 0 ? NULL : res;
	return r;
}

static int unedit(const struct manifest_entry *me, const char *text, char **ret)
{
	char *out = NULL;
	int r;

	if (!strcmp(me->path, CMDLINE))
		r = edit_first_line(text, NULL, me->added, &out, NULL, NULL);
	else if (strstr(me->path, "/loader/entries/"))
		r = bls_unedit(text, me->added, &out);
	else
		return -ENOENT;
	return r < 0 ? r : give_back(me->path, out, me->replaced, ret);
}

/* Whether the options of entry text carry one of the words among the kernel's. */
static bool carries(const char *text, const char *words)
{
	char *opts = NULL, w[128];
	const char *p = words;
	bool has = false;
	int n;

	if (bls_options(NULL, text, &opts) < 0)
		return false;
	while (!has && sscanf(p, "%127s%n", w, &n) == 1) {
		p += n;
		has = kargs_has(opts, w);
	}
	free(opts);
	return has;
}

/*
 * Uninstall: a loader entry install never saw (kernel-install made it after install, from
 * /etc/kernel/cmdline as install left it) loses the words install added to /etc/kernel/cmdline
 * and gets back the ones install replaced there: the entry kernel-install would have made
 * from the file uninstall gives back. Entries there before the first install keep theirs.
 */
static int leftovers(struct bootctx *c)
{
	const struct manifest_entry *cl = manifest_find_const(c->m, CMDLINE);
	char **v = NULL;
	size_t i;
	int r;

	if (!cl || !cl->added[0] || boot_grubby.detect(c->fr))
		return 0;	/* nothing of passthru's to copy; on a grubby host grubby's own */
	r = bls_entries(c->t, true, &v);
	for (i = 0; r == 0 && v[i]; i++) {
		char *text = NULL, *out = NULL;

		if (manifest_find_const(c->m, v[i]) ||
		    (c->m->entries_known && manifest_entry_before(c->m, v[i])))
			continue;
		r = txn_read(c->t, v[i], &text, NULL);
		if (r == 0 && !carries(text, cl->added)) {
			free(text);
			continue;
		}
		if (r == 0)
			r = bls_unedit(text, cl->added, &out);
		if (r == 0) {
			r = give_back(v[i], out, cl->replaced, &out);
			if (r == 0)
				printf("%s: made after install (a kernel update copied %s): taking "
				       "out passthru's arguments (%s)%s%s\n", v[i], CMDLINE, cl->added,
				       cl->replaced[0] ? "; giving back " : "", cl->replaced);
		}
		if (r == 0)
			r = txn_stage(c->t, v[i], out, strlen(out));
		free(text);
		free(out);
	}
	strv_free(v);
	return r;
}

const struct bootcfg_ops boot_kernel_install = {
	.name = "kernel-install",
	.what = CMDLINE " and the loader entries",
	.detect = detect,
	.usable = usable,
	.stage = stage,
	.effective = effective,
	.commands = commands,
	.unedit = unedit,
	.leftovers = leftovers,
};
