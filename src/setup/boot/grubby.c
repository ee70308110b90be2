/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grubby.c: Fedora/RHEL GRUB with BLS entries: grubby for the entries, /etc/default/grub for new kernels. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "manifest.h"

#define GRUBFILE "/etc/default/grub"

static bool detect(const struct fsroot *fr)
{
	return bootcfg_has_grub(fr) && bootcfg_grub_bls(fr);
}

static int usable(const struct fsroot *fr)
{
	if (!bootcfg_has_grubby(fr)) {
		fprintf(stderr, "passthru-setup: this host's GRUB boots BLS entries "
			"(GRUB_ENABLE_BLSCFG=true or /boot/loader/entries), and grubby, which "
			"updates them, is not installed: install grubby, then run this again; "
			"nothing was changed\n");
		return -ENOENT;
	}
	return 0;
}

/* The words of e->add some entry lacks (grubby --args) and of e->drop some entry has. */
static int entry_words(const struct txn *t, const struct kargs_edit *e, struct sbuf *add,
		       struct sbuf *remove)
{
	char **v = NULL;
	size_t i, j;
	int r = bls_entries(t, false, &v);

	for (i = 0; r >= 0 && v[i]; i++) {
		char *text = NULL, *opts = NULL;

		r = txn_read(t, v[i], &text, NULL);
		if (r >= 0)
			r = bls_options(t, text, &opts);
		free(text);
		for (j = 0; r >= 0 && j < e->nadd; j++)
			if (!kargs_has(opts, e->add[j]) && !kargs_has(add->s ? add->s : "", e->add[j]))
				sbuf_addf(add, "%s%s", add->len ? " " : "", e->add[j]);
		for (j = 0; r >= 0 && j < e->ndrop; j++)
			if (kargs_has(opts, e->drop[j]) &&
			    !kargs_has(remove->s ? remove->s : "", e->drop[j]))
				sbuf_addf(remove, "%s%s", remove->len ? " " : "", e->drop[j]);
		free(opts);
	}
	strv_free(v);
	return r < 0 ? r : add->err || remove->err ? -ENOMEM : 0;
}

/*
 * GRUB_CMDLINE_LINUX's quoting cannot be kept by an edit (escaped quotes, say). When its
 * value as sh reads it (what `effective` checks: the kernels installed from now on) has every
 * argument and no contradicting one (the user added them by hand), there is nothing to edit
 * in the file: 0. Else -EINVAL, naming the words to add and to take out, and where.
 */
static int unquotable(struct bootctx *c)
{
	struct sbuf add = { 0 }, out = { 0 };
	char *lx = NULL, *ldef = NULL;
	bool sourced = grub_source(c->t, NULL, &lx, &ldef) == 0;
	const char *line = sourced ? lx : NULL;
	size_t i;
	int r = -EINVAL;

	for (i = 0; i < c->e->nadd; i++)
		if (!line || !kargs_has(line, c->e->add[i]))
			sbuf_addf(&add, "%s%s", add.len ? " " : "", c->e->add[i]);
	for (i = 0; line && i < c->e->ndrop; i++)
		if (kargs_has(line, c->e->drop[i]))
			sbuf_addf(&out, "%s%s", out.len ? " " : "", c->e->drop[i]);
	if (line && !add.len && !out.len) {
		r = 0;	/* the user's own arguments: nothing to edit in it */
	} else {
		fprintf(stderr, "passthru-setup: cannot safely edit %s: its GRUB_CMDLINE_LINUX "
			"uses quoting an edit cannot keep (a value continued on the next line, "
			"backslashes, backquotes, or several quoted parts)%s; ", GRUBFILE,
			sourced ? "" : " and sh cannot source it");
		if (add.len)
			fprintf(stderr, "add %s by hand to GRUB_CMDLINE_LINUX in %s (inside its "
				"quotes)%s", add.s, GRUBFILE, out.len ? " and " : "");
		if (out.len)
			fprintf(stderr, "take %s out of GRUB_CMDLINE_LINUX in %s by hand",
				out.s, GRUBFILE);
		fprintf(stderr, ", then run install again (it leaves that file as it is when "
			"it has them); nothing was changed\n");
	}
	free(lx);
	free(ldef);
	sbuf_free(&add);
	sbuf_free(&out);
	return r;
}

static int stage(struct bootctx *c)
{
	struct sbuf added = { 0 }, add = { 0 }, remove = { 0 };
	char *text = NULL, *edited = NULL;
	int r = txn_read(c->t, GRUBFILE, &text, NULL);

	if (r == 0) {
		r = grubfile_edit(text, "GRUB_CMDLINE_LINUX", c->e, &edited, c->dropped, &added);
		if (r == -EINVAL)
			r = unquotable(c);
		if (r == 0 && edited)
			r = manifest_stage(c->t, c->m, GRUBFILE, edited, strlen(edited), added.s);
	} else if (r == -ENOENT) {
		r = 0;	/* the entries alone */
	}
	if (r == 0)
		r = entry_words(c->t, c->e, &add, &remove);
	if (r == 0 && add.len) {
		/* what grubby --args adds is passthru's, for uninstall's --remove-args */
		manifest_add_words(c->m->grubby, sizeof(c->m->grubby), add.s);
		manifest_add_words(c->m->args, sizeof(c->m->args), add.s);
	}
	if (r == 0 && remove.len)
		sbuf_add_words(c->dropped, remove.s);
	manifest_add_boot(c->m, "grubby");
	sbuf_free(&added);
	sbuf_free(&add);
	sbuf_free(&remove);
	free(text);
	free(edited);
	return r;
}

static int effective(const struct bootctx *c, bool done, struct klines *out)
{
	char **v = NULL, *lx = NULL, *ldef = NULL, label[200];
	size_t i;
	int r = bls_entries(c->t, false, &v);

	for (i = 0; r >= 0 && v[i]; i++) {
		char *text = NULL, *opts = NULL, *after = NULL;

		r = txn_read(c->t, v[i], &text, NULL);
		if (r >= 0)
			r = bls_options(c->t, text, &opts);
		/* before grubby ran: what its --args/--remove-args will make of it */
		if (r >= 0 && !done)
			r = kargs_apply(opts, c->e, &after, NULL, NULL);
		snprintf(label, sizeof(label), "BLS entry %s (grubby)", v[i]);
		if (r >= 0)
			r = klines_add(out, label, after ? after : opts);
		free(text);
		free(opts);
		free(after);
	}
	strv_free(v);
	if (r >= 0 && fsroot_exists(c->fr, GRUBFILE) &&
	    grub_source(c->t, NULL, &lx, &ldef) == 0)
		r = klines_add(out, "kernels installed from now on (GRUB_CMDLINE_LINUX)", lx);
	free(lx);
	free(ldef);
	return r < 0 ? r : 0;
}

static int commands(const struct bootctx *c, bool uninstall, struct cmdlist *out)
{
	struct sbuf add = { 0 }, remove = { 0 }, a1 = { 0 }, a2 = { 0 };
	const char *argv[5] = { "grubby", "--update-kernel=ALL" };
	int n = 2, r = 0;

	if (uninstall) {
		if (c->m->grubby[0])
			sbuf_addf(&a2, "--remove-args=%s", c->m->grubby);
	} else {
		r = entry_words(c->t, c->e, &add, &remove);
		if (add.len)
			sbuf_addf(&a1, "--args=%s", add.s);
		if (remove.len)
			sbuf_addf(&a2, "--remove-args=%s", remove.s);
	}
	if (a1.len)
		argv[n++] = a1.s;
	if (a2.len)
		argv[n++] = a2.s;
	argv[n] = NULL;
	if (r == 0 && n > 2)
		r = cmdlist_add(out, argv);
	sbuf_free(&add);
	sbuf_free(&remove);
	sbuf_free(&a1);
	sbuf_free(&a2);
	return r;
}

static int unedit(const struct manifest_entry *me, const char *text, char **ret)
{
	if (strcmp(me->path, GRUBFILE))
		return -ENOENT;
	return grubfile_unedit(text, "GRUB_CMDLINE_LINUX", me->added, ret);
}

const struct bootcfg_ops boot_grubby = {
	.name = "grubby",
	.what = "grubby (BLS entries) and GRUB_CMDLINE_LINUX in " GRUBFILE,
	.detect = detect,
	.usable = usable,
	.stage = stage,
	.effective = effective,
	.commands = commands,
	.unedit = unedit,
};
