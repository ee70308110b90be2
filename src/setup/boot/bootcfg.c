/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootcfg.c: the table of boot configurations, choosing among them, and what they share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "manifest.h"

const struct bootcfg_ops *const bootcfgs[] = {
	&boot_grub,
	&boot_grubby,
	&boot_kernel_install,
	&boot_uki,
	NULL
};

int klines_add(struct klines *k, const char *label, const char *line)
{
	struct kline *l;

	if (grow(&k->v, &k->cap, k->n + 1, sizeof(*k->v)) < 0)
		return -ENOMEM;
	l = &k->v[k->n];
	snprintf(l->label, sizeof(l->label), "%s", label);
	l->fix[0] = '\0';
	l->line = strdup(line);
	if (!l->line)
		return -ENOMEM;
	k->n++;
	return 0;
}

void klines_free(struct klines *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i].line);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

int cmdlist_add(struct cmdlist *c, const char *const argv[])
{
	size_t i;

	if (c->n >= 8)
		return -E2BIG;
	for (i = 0; argv[i] && i < 7; i++) {
		c->argv[c->n][i] = strdup(argv[i]);
		if (!c->argv[c->n][i])
			return -ENOMEM;
	}
	c->argv[c->n][i] = NULL;
	c->n++;
	return 0;
}

void cmdlist_free(struct cmdlist *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++)
		for (j = 0; c->argv[i][j]; j++)
			free(c->argv[i][j]);
	c->n = 0;
}

/* Each command in turn (dry_run: say what would run); 1 when one failed, else 0. */
int cmdlist_run(const struct cmdlist *c, bool dry_run)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < c->n; i++)
		if (run_cmd((const char *const *)c->argv[i], dry_run))
			ret = 1;
	return ret;
}

/* As a shell command line: arguments with blanks or quotes in single quotes. */
void cmdlist_print(const struct cmdlist *c, const char *indent, FILE *out)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		fputs(indent, out);
		for (j = 0; c->argv[i][j]; j++) {
			const char *a = c->argv[i][j];

			const char *eq = !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;

			if (eq && !strpbrk(eq, "\"'$\\`") && strpbrk(eq, " \t*?[];&|<>()"))
				fprintf(out, "%s%.*s\"%s\"", j ? " " : "", (int)(eq + 1 - a), a,
					eq + 1);	/* --args="a b" */
			else if (strpbrk(a, " \t\"'$*?[]\\`;&|<>()"))
				fprintf(out, "%s'%s'", j ? " " : "", a);
			else
				fprintf(out, "%s%s", j ? " " : "", a);
		}
		fputc('\n', out);
	}
}

const struct bootcfg_ops *bootcfg_by_name(const char *name)
{
	size_t i;

	for (i = 0; bootcfgs[i]; i++)
		if (!strcmp(bootcfgs[i]->name, name))
			return bootcfgs[i];
	return NULL;
}

int bootcfg_choose(const struct fsroot *fr, const char *want, const struct bootcfg_ops **ret)
{
	size_t i, n = 0;

	if (want && !strcmp(want, "none"))
		return 0;
	if (want && strcmp(want, "auto")) {
		const struct bootcfg_ops *b = bootcfg_by_name(want);

		if (!b) {
			fprintf(stderr, "passthru-setup: unknown boot configuration '%s'\n", want);
			return -EINVAL;
		}
		if (b->usable(fr) < 0)
			return -EINVAL;
		ret[0] = b;
		return 1;
	}
	for (i = 0; bootcfgs[i]; i++) {
		if (!bootcfgs[i]->detect(fr))
			continue;
		/* a UKI host: the UKI's builder, not the loader entries beside it */
		if (bootcfgs[i] == &boot_kernel_install && boot_uki.detect(fr))
			continue;
		if (bootcfgs[i]->usable(fr) < 0)
			return -EINVAL;
		ret[n++] = bootcfgs[i];
	}
	return (int)n;
}

int bootcfg_effective_now(const struct fsroot *fr, const struct opts *o, struct klines *out)
{
	struct manifest m;
	struct txn t = { .root = fr };
	struct kargs_edit want = { 0 };
	struct bootctx c = { .fr = fr, .o = o, .t = &t, .m = &m, .e = &want };
	const struct bootcfg_ops *b[4];
	int n = 0, i, r = manifest_read(fr, &m);

	if (r < 0)
		return r;
	/* what install wanted, from its arguments: a file that undoes it is named */
	kargs_for_cpu(strstr(m.args, "intel_iommu=on") ? "intel" : strstr(m.args, "iommu=pt") ?
		      "amd" : "other", strstr(m.args, "iommu=pt") != NULL, &want);
	for (i = 0; i < (int)m.nboots; i++)
		if (bootcfg_by_name(m.boots[i]))
			b[n++] = bootcfg_by_name(m.boots[i]);
	if (!m.nboots) {
		for (i = 0; bootcfgs[i]; i++)
			if (bootcfgs[i]->detect(fr) && !(bootcfgs[i] == &boot_kernel_install &&
							 boot_uki.detect(fr)))
				b[n++] = bootcfgs[i];
	}
	for (i = 0; r >= 0 && i < n; i++)
		r = b[i]->effective(&c, true, out);
	manifest_free(&m);
	return r < 0 ? r : 0;
}

bool bootcfg_line_ok(const char *line, const struct kargs_edit *e, struct sbuf *why)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < e->nadd; i++) {
		if (kargs_has(line, e->add[i]))
			continue;
		sbuf_addf(why, "%s%s missing", why->len ? ", " : "", e->add[i]);
		ok = false;
	}
	for (i = 0; i < e->ndrop; i++) {
		if (!kargs_has(line, e->drop[i]))
			continue;
		sbuf_addf(why, "%s%s present", why->len ? ", " : "", e->drop[i]);
		ok = false;
	}
	return ok;
}

void sbuf_add_words(struct sbuf *b, const char *words)
{
	const char *p = words;

	while (p && *p) {
		size_t l;
		char w[128];

		p += strspn(p, " ");
		l = strcspn(p, " ");
		if (!l)
			break;
		snprintf(w, sizeof(w), "%.*s", (int)l, p);
		if (!kargs_has(b->s ? b->s : "", w))
			sbuf_addf(b, "%s%s", b->len ? " " : "", w);
		p += l;
	}
}

bool bootcfg_has_grubby(const struct fsroot *fr)
{
	return fsroot_exists(fr, "/usr/sbin/grubby") || fsroot_exists(fr, "/sbin/grubby") ||
	       fsroot_exists(fr, "/usr/bin/grubby");
}

bool bootcfg_has_bls_entries(const struct fsroot *fr)
{
	struct txn t = { .root = fr };
	char **v = NULL;
	bool any;

	if (txn_list(&t, "/boot/loader/entries", ".conf", &v) < 0)
		return false;
	any = v[0] != NULL;
	strv_free(v);
	return any;
}

bool bootcfg_has_grub(const struct fsroot *fr)
{
	return fsroot_exists(fr, "/etc/default/grub") || fsroot_exists(fr, "/usr/sbin/update-grub") ||
	       fsroot_exists(fr, "/usr/sbin/grub-mkconfig") ||
	       fsroot_exists(fr, "/usr/sbin/grub2-mkconfig");
}

bool bootcfg_has_systemd_boot(const struct fsroot *fr)
{
	return fsroot_exists(fr, "/boot/loader/loader.conf") ||
	       fsroot_exists(fr, "/efi/loader/loader.conf") ||
	       fsroot_exists(fr, "/boot/efi/loader/loader.conf");
}

bool bootcfg_grub_bls(const struct fsroot *fr)
{
	char *text = NULL;
	bool bls = false;

	if (fsroot_read(fr, "/etc/default/grub", &text, NULL) == 0)
		bls = grubfile_is_true(text, "GRUB_ENABLE_BLSCFG");
	free(text);
	return bls || (bootcfg_has_bls_entries(fr) && !bootcfg_has_systemd_boot(fr));
}
