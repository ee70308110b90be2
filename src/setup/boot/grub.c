/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grub.c: Debian/Ubuntu GRUB: a drop-in under /etc/default/grub.d/ and update-grub. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "manifest.h"

#define DROPIN "/etc/default/grub.d/passthru.cfg"

static bool detect(const struct fsroot *fr)
{
	return bootcfg_has_grub(fr) && !bootcfg_grub_bls(fr);
}

static int usable(const struct fsroot *fr)
{
	if (!bootcfg_has_grub(fr)) {
		fprintf(stderr, "passthru-setup: --bootloader grub: no GRUB here (no "
			"/etc/default/grub, update-grub or grub-mkconfig); nothing was changed\n");
		return -ENOENT;
	}
	if (bootcfg_grub_bls(fr)) {
		fprintf(stderr, "passthru-setup: this host's GRUB boots BLS entries "
			"(GRUB_ENABLE_BLSCFG=true or /boot/loader/entries): a drop-in under "
			"/etc/default/grub.d would not reach them; use --bootloader grubby "
			"(it needs grubby); nothing was changed\n");
		return -EINVAL;
	}
	return 0;
}

/* The drop-in changed by hand since install wrote it, and not to what install writes now:
 * install would lose the edit; refused, saying so. */
static int edited(struct bootctx *c, const char *text)
{
	const struct manifest_entry *me = manifest_find_const(c->m, DROPIN);
	char *cur = NULL;
	size_t len = 0;
	bool changed;

	if (!me || txn_read(c->t, DROPIN, &cur, &len) < 0)
		return 0;
	changed = fnv64(cur, len) != me->hash && strcmp(cur, text);
	free(cur);
	if (!changed)
		return 0;
	fprintf(stderr, "passthru-setup: %s was edited since passthru-setup wrote it: install "
		"would lose the edit; move your lines to a file of your own under "
		"/etc/default/grub.d/ and delete %s (install writes it again); nothing was "
		"changed\n", DROPIN, DROPIN);
	return -EEXIST;
}

static int stage(struct bootctx *c)
{
	struct sbuf added = { 0 };
	char *text = grub_dropin(c->e), *lx = NULL, *ldef = NULL;
	size_t i;
	int r;

	if (!text)
		return -ENOMEM;
	r = edited(c, text);
	if (r < 0) {
		free(text);
		return r;
	}
	/* what the host has without passthru: to name what it adds and what it replaces */
	r = grub_source(c->t, DROPIN, &lx, &ldef);
	if (r == -ENOEXEC) {	/* an image's code not run: every argument counts as added */
		lx = strdup("");
		ldef = strdup("");
		r = lx && ldef ? 0 : -ENOMEM;
	}
	if (r < 0) {
		fprintf(stderr, "passthru-setup: sh cannot source /etc/default/grub and "
			"/etc/default/grub.d/*.cfg (grub-mkconfig would fail the same way): fix "
			"them first; nothing was changed\n");
		free(text);
		return r;
	}
	for (i = 0; i < c->e->nadd; i++)
		if (!kargs_has(lx, c->e->add[i]))
			sbuf_addf(&added, "%s%s", added.len ? " " : "", c->e->add[i]);
	for (i = 0; i < c->e->ndrop; i++)
		if (kargs_has(lx, c->e->drop[i]) || kargs_has(ldef, c->e->drop[i]))
			sbuf_add_words(c->dropped, c->e->drop[i]);
	r = added.err ? -ENOMEM :
		manifest_stage(c->t, c->m, DROPIN, text, strlen(text), added.s);
	manifest_add_boot(c->m, "grub");
	sbuf_free(&added);
	free(text);
	free(lx);
	free(ldef);
	return r;
}

/* A later file that undoes passthru's drop-in is named in the label, with the edit that
 * fixes it (passthru-setup install would only refuse). */
static void name_overrider(const struct bootctx *c, const char *line, struct kline *k)
{
	struct sbuf why = { 0 };
	char file[256];
	bool ok = bootcfg_line_ok(line, c->e, &why);

	sbuf_free(&why);
	if (ok || grub_overrider(c->t, DROPIN, c->e, file, sizeof(file)) != 1)
		return;
	snprintf(k->label, sizeof(k->label), "GRUB (%.80s, sourced after %s, undoes it)", file,
		 DROPIN);
	snprintf(k->fix, sizeof(k->fix), "in %.60s keep passthru's arguments (it is sourced "
		 "after passthru.cfg), then update-grub; reboot", file);
}

static int effective(const struct bootctx *c, bool done, struct klines *out)
{
	char *lx = NULL, *ldef = NULL, *line;
	int r = grub_source(c->t, NULL, &lx, &ldef);

	(void)done;
	if (r < 0)
		return r;
	/* 10_linux: linux ... ${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT} */
	line = malloc(strlen(lx) + strlen(ldef) + 2);
	if (line) {
		sprintf(line, "%s%s%s", lx, *lx && *ldef ? " " : "", ldef);
		r = klines_add(out, "GRUB (grub-mkconfig sources /etc/default/grub, "
			       "/etc/default/grub.d/*.cfg)", line);
	} else {
		r = -ENOMEM;
	}
	if (r == 0)
		name_overrider(c, line, &out->v[out->n - 1]);
	free(line);
	free(lx);
	free(ldef);
	return r;
}

static int commands(const struct bootctx *c, bool uninstall, struct cmdlist *out)
{
	static const char *const update[] = { "update-grub", NULL };
	static const char *const mkconfig[] = { "grub-mkconfig", "-o", "/boot/grub/grub.cfg", NULL };

	(void)uninstall;
	return cmdlist_add(out, fsroot_exists(c->fr, "/usr/sbin/update-grub") ||
			   fsroot_exists(c->fr, "/usr/bin/update-grub") ? update : mkconfig);
}

/* What install wrote, found by the record's hash among the drop-ins it can write (every CPU,
 * with and without iommu=pt); NULL when none matches (an older passthru-setup's, say). */
static char *written(uint64_t hash)
{
	static const char *const cpus[] = { "intel", "amd", "other" };
	size_t i;

	for (i = 0; i < 6; i++) {
		struct kargs_edit e;
		char *text;

		kargs_for_cpu(cpus[i / 2], i % 2 == 0, &e);
		text = grub_dropin(&e);
		if (text && fnv64(text, strlen(text)) == hash)
			return text;
		free(text);
	}
	return NULL;
}

/* The next line of text at *p, [*p, end) without its newline; false at the end. */
static bool next_line(const char **p, const char **start, size_t *len)
{
	if (!**p)
		return false;
	*start = *p;
	*len = strcspn(*p, "\n");
	*p += *len + ((*p)[*len] ? 1 : 0);
	return true;
}

/*
 * The drop-in edited by hand: what install wrote must still be there, its lines whole and in
 * one block, with the user's lines before or after it (never inside passthru's code, never
 * using its passthru_ names); those lines are kept, the block goes. -EBADMSG otherwise.
 */
static int unedit(const struct manifest_entry *me, const char *text, char **ret)
{
	char *orig;
	const char *o, *p = text, *ls, *os;
	size_t ll, ol;
	struct sbuf user = { 0 };
	bool in_block = false, block_done = false, only_comments = true, ok = true;

	if (strcmp(me->path, DROPIN))
		return -ENOENT;
	orig = written(me->hash);
	if (!orig)
		return -EBADMSG;
	o = orig;
	sbuf_add(&user, "");
	while (ok && next_line(&p, &ls, &ll)) {
		const char *save = o;

		if (!block_done && next_line(&o, &os, &ol) && ol == ll && !memcmp(os, ls, ll)) {
			in_block = true;
			block_done = !*o;
			continue;
		}
		o = save;
		if (in_block && !block_done) {
			ok = false;	/* a line of the user's inside passthru's */
			break;
		}
		if (memmem(ls, ll, "passthru_", 9))
			ok = false;	/* it uses passthru's code: not the user's alone */
		sbuf_addf(&user, "%.*s\n", (int)ll, ls);
		while (ll && (*ls == ' ' || *ls == '\t')) {
			ls++;
			ll--;
		}
		if (ll && *ls != '#')
			only_comments = false;
	}
	ok = ok && block_done;
	free(orig);
	if (!ok || user.err) {
		sbuf_free(&user);
		return user.err ? -ENOMEM : -EBADMSG;
	}
	if (only_comments) {
		sbuf_free(&user);
		*ret = NULL;	/* nothing of the user's that does anything: the file goes */
		return 0;
	}
	*ret = user.s;
	return 0;
}

const struct bootcfg_ops boot_grub = {
	.name = "grub",
	.what = "GRUB drop-in " DROPIN,
	.detect = detect,
	.usable = usable,
	.stage = stage,
	.effective = effective,
	.commands = commands,
	.unedit = unedit,
};
