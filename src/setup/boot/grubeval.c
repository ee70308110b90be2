/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grubeval.c: GRUB_CMDLINE_LINUX(_DEFAULT) as grub-mkconfig computes them: run where that is safe, else read without running. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"

#define MAXFILES 33

/* passthru_without: value less every word of e->drop, as the drop-in's shell function does it
 * (each " WORD " becomes " ", then one blank off each end). */
static char *without(const char *value, const struct kargs_edit *e)
{
	char *v = malloc(strlen(value) + 3), *p;
	size_t i, l;

	if (!v)
		return NULL;
	sprintf(v, " %s ", value);
	for (i = 0; i < e->ndrop; i++) {
		char w[80];

		snprintf(w, sizeof(w), " %s ", e->drop[i]);
		while ((p = strstr(v, w)))
			memmove(p + 1, p + strlen(w), strlen(p + strlen(w)) + 1);
	}
	l = strlen(v);
	if (l && v[l - 1] == ' ')
		v[--l] = '\0';
	memmove(v, v + (v[0] == ' '), l + (v[0] == ' ' ? 0 : 1));
	return v;
}

/* passthru_insert (KARGS_SH_INSERT): word into *v before a standalone "--", else at the end;
 * not when the kernel's words have it already. */
static int insert(char **v, const char *word)
{
	size_t vl = strlen(*v), wl = strlen(word), kl;
	char *k = malloc(vl + 3), *dd, *nv, *w = malloc(wl + 3);
	int r = 0;

	if (!k || !w) {
		free(k);
		free(w);
		return -ENOMEM;
	}
	sprintf(k, " %s ", *v);
	sprintf(w, " %s ", word);
	nv = malloc(vl + wl + 3);
	dd = strstr(k, " -- ");
	if (!nv) {
		r = -ENOMEM;
	} else if (!dd) {
		if (strstr(k, w)) {
			free(nv);
			nv = NULL;
		} else {
			sprintf(nv, "%s%s%s", *v, vl ? " " : "", word);
		}
	} else {
		*dd = '\0';		/* k: " " and the kernel's words */
		kl = strlen(k);
		k[kl] = ' ';
		k[kl + 1] = '\0';
		if (strstr(k, w)) {
			free(nv);
			nv = NULL;
		} else if (kl == 0) {
			sprintf(nv, "%s %s", word, *v);
		} else {
			/* "${k# } WORD${v#"${k# }"}" */
			kl--;
			sprintf(nv, "%.*s %s%s", (int)kl, k + 1, word,
				!strncmp(*v, k + 1, kl) ? *v + kl : *v);
		}
	}
	if (nv) {
		free(*v);
		*v = nv;
	}
	free(k);
	free(w);
	return r;
}

/* One of the drop-ins install writes (any CPU, with or without iommu=pt): its edit in e. */
static bool own_dropin(const char *text, struct kargs_edit *e)
{
	static const char *const cpus[] = { "intel", "amd", "other" };

	for (size_t i = 0; i < 6; i++) {
		char *mine;
		bool same;

		kargs_for_cpu(cpus[i / 2], i % 2 == 0, e);
		mine = grub_dropin(e);
		same = mine && !strcmp(mine, text);
		free(mine);
		if (same)
			return true;
	}
	return false;
}

/* What passthru's drop-in does to the two values (only to known ones). */
static int apply_dropin(struct shvars *s, const struct kargs_edit *e)
{
	bool kd, kl;
	char *d = without(shvars_get(s, "GRUB_CMDLINE_LINUX_DEFAULT", &kd), e);
	char *l = without(shvars_get(s, "GRUB_CMDLINE_LINUX", &kl), e);
	int r = d && l ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < e->nadd; i++)
		r = insert(&l, e->add[i]);
	if (r == 0 && kd)
		r = shvars_set(s, "GRUB_CMDLINE_LINUX_DEFAULT", d, false);
	if (r == 0 && kl)
		r = shvars_set(s, "GRUB_CMDLINE_LINUX", l, false);
	free(d);
	free(l);
	return r;
}

/* The reason the code was not run, then why reading it without running could not tell. */
static void unknown_too(const char *before)
{
	char why[400];

	strscpy(why, shell_unknown_why(), sizeof(why));
	shell_unknown_set("%s, and read without running it (plain assignments only), %s", before,
			  why);
}

/* Without running anything: plain assignments, and passthru's own drop-in. */
static int statically(const char *const names[], const char *const texts[], size_t n,
		      char **lx, char **ldef)
{
	struct shvars s = { .n = 0 };
	char before[400];
	bool kl, kd;
	size_t i;
	int r = 0;

	strscpy(before, shell_unknown_why(), sizeof(before));
	for (i = 0; r == 0 && i < n; i++) {
		struct kargs_edit e;

		r = own_dropin(texts[i], &e) ? apply_dropin(&s, &e) :
			shstatic_eval(&s, texts[i], names[i]);
	}
	*lx = strdup(shvars_get(&s, "GRUB_CMDLINE_LINUX", &kl));
	*ldef = strdup(shvars_get(&s, "GRUB_CMDLINE_LINUX_DEFAULT", &kd));
	shvars_free(&s);
	if (r == 0 && (!*lx || !*ldef))
		r = -ENOMEM;
	if (r == 0 && (!kl || !kd))
		shell_unknown_set("%s, and %s comes from a command's output", before,
				  kl ? "GRUB_CMDLINE_LINUX_DEFAULT" : "GRUB_CMDLINE_LINUX");
	else if (r == -ENOEXEC)
		unknown_too(before);
	if (r == 0 && (!kl || !kd))
		r = -ENOEXEC;
	if (r < 0) {
		free(*lx);
		free(*ldef);
		*lx = *ldef = NULL;
	}
	return r;
}

/* The script's output: the two values, each ended by \037. */
static int split(char *out, char **lx, char **ldef)
{
	char *sep = out ? strchr(out, '\037') : NULL, *sep2 = sep ? strchr(sep + 1, '\037') : NULL;

	if (!sep2)
		return -EINVAL;
	*sep = *sep2 = '\0';
	*lx = strdup(out);
	*ldef = strdup(sep + 1);
	return *lx && *ldef ? 0 : -ENOMEM;
}

/* The texts grub-mkconfig sources, in its order (skip: one left out), as t would leave them. */
static int gather(const struct txn *t, const char *skip, const char **names, char **texts,
		  size_t *n, char ***files)
{
	size_t i;
	int r = txn_list(t, "/etc/default/grub.d", ".cfg", files);

	*n = 0;
	if (r < 0)
		return r;
	for (i = 0; r >= 0 && *n < MAXFILES && (i == 0 || (*files)[i - 1]); i++) {
		const char *p = i == 0 ? "/etc/default/grub" : (*files)[i - 1];

		if (skip && !strcmp(p, skip))
			continue;
		r = txn_read(t, p, &texts[*n], NULL);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r >= 0)
			names[(*n)++] = p;
	}
	return r < 0 ? r : 0;
}

/* The values after the n texts: run where that is safe, else read without running. */
static int source(const struct txn *t, const char **names, char **texts, size_t n, char **lx,
		  char **ldef)
{
	/* eval, not ".": the texts are the transaction's (staged edits in them), not the files */
	static const char script[] =
		"for passthru_f do eval \"$passthru_f\"; done; "
		"printf '%s\\037%s\\037' \"$GRUB_CMDLINE_LINUX\" \"$GRUB_CMDLINE_LINUX_DEFAULT\"";
	char *out = NULL;
	int r = shell_eval(t->root, "/bin/sh", script, (const char *const *)texts, n, &out);

	*lx = *ldef = NULL;
	if (r == -ENOEXEC)
		r = statically(names, (const char *const *)texts, n, lx, ldef);
	else if (r > 0)
		r = -EINVAL;	/* a file the shell cannot source: grub-mkconfig would fail */
	else if (r == 0)
		r = split(out, lx, ldef);
	free(out);
	if (r < 0) {
		free(*lx);
		free(*ldef);
		*lx = *ldef = NULL;
	}
	return r;
}

int grub_source(const struct txn *t, const char *skip, char **linux_, char **linux_default)
{
	char **files = NULL, *texts[MAXFILES];
	const char *names[MAXFILES];
	size_t i, n = 0;
	int r = gather(t, skip, names, texts, &n, &files);

	*linux_ = *linux_default = NULL;
	if (r == 0)
		r = source(t, names, texts, n, linux_, linux_default);
	for (i = 0; i < n; i++)
		free(texts[i]);
	strv_free(files);
	return r;
}

int grub_overrider(const struct txn *t, const char *dropin, const struct kargs_edit *e,
		   char *file, size_t size)
{
	char **files = NULL, *texts[MAXFILES];
	const char *names[MAXFILES];
	size_t i, k, n = 0;
	int r = gather(t, NULL, names, texts, &n, &files), found = 0;

	for (k = 0; k < n && strcmp(names[k], dropin); k++)
		;
	/* from passthru's drop-in on: the first file after which the line is not right */
	for (; r == 0 && !found && k < n; k++) {
		char *lx = NULL, *ldef = NULL;
		struct sbuf line = { 0 }, why = { 0 };

		r = source(t, names, texts, k + 1, &lx, &ldef);
		if (r == 0) {
			sbuf_addf(&line, "%s %s", lx, ldef);
			r = line.err ? -ENOMEM : 0;
		}
		if (r == 0 && !bootcfg_line_ok(line.s, e, &why)) {
			strscpy(file, names[k], size);
			found = 1;
		}
		sbuf_free(&line);
		sbuf_free(&why);
		free(lx);
		free(ldef);
	}
	for (i = 0; i < n; i++)
		free(texts[i]);
	strv_free(files);
	return r < 0 ? r : found;
}
