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

static int stage(struct bootctx *c)
{
	struct sbuf added = { 0 };
	char *text = grub_dropin(c->e), *lx = NULL, *ldef = NULL;
	size_t i;
	int r;

	if (!text)
		return -ENOMEM;
	/* what the host has without passthru: to name what it adds and what it replaces */
	r = grub_source(c->t, DROPIN, &lx, &ldef);
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

static int unedit(const char *path, const char *text, const char *words, char **ret)
{
	(void)path, (void)text, (void)words, (void)ret;
	return -ENOENT;	/* the drop-in is passthru's own: removed, or kept when edited */
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
