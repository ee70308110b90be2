/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkinitcpio_hooks.c: the HOOKS mkinitcpio builds with, evaluated as it does, and the file that takes passthru out of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "initramfs.h"

#define MAXFILES 33
#define CONF "/etc/mkinitcpio.conf"
#define CONF_D "/etc/mkinitcpio.conf.d"

/* mkinitcpio's order: `find ... -name '*.conf' | sort -zVu`, version order of the names */
static int by_version(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return strverscmp(strrchr(x, '/') + 1, strrchr(y, '/') + 1);
}

static bool has_word(const char *words, const char *w)
{
	size_t l = strlen(w);

	for (const char *p = words; (p = strstr(p, w)); p += l)
		if ((p == words || strchr(" \t\n", p[-1])) && (!p[l] || strchr(" \t\n", p[l])))
			return true;
	return false;
}

/* What passthru's drop-in does to HOOKS: passthru out, then in before the first udev or
 * systemd, else at the end. */
static int apply_dropin(struct shvars *s)
{
	bool known, done = false;
	const char *v = shvars_get(s, "HOOKS", &known);
	struct sbuf b = { 0 };
	char *copy = strdup(v), *w, *save = NULL;
	int r;

	if (!known) {
		free(copy);
		return 0;	/* stays unknown */
	}
	sbuf_add(&b, "");
	for (w = copy ? strtok_r(copy, " \t\n", &save) : NULL; w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(w, "passthru"))
			continue;
		if (!done && (!strcmp(w, "udev") || !strcmp(w, "systemd"))) {
			sbuf_addf(&b, "%spassthru", b.len ? " " : "");
			done = true;
		}
		sbuf_addf(&b, "%s%s", b.len ? " " : "", w);
	}
	if (!done)
		sbuf_addf(&b, "%spassthru", b.len ? " " : "");
	r = !copy || b.err ? -ENOMEM : shvars_set(s, "HOOKS", b.s, true);
	free(copy);
	sbuf_free(&b);
	return r;
}

/* HOOKS after each file, read without running anything; into after[i] (malloc'd). */
static int statically(const char *const names[], const char *const texts[], size_t n,
		      char **after)
{
	struct shvars s = { .n = 0 };
	char before[400];
	size_t i;
	int r = 0;

	strscpy(before, shell_unknown_why(), sizeof(before));
	for (i = 0; r == 0 && i < n; i++) {
		bool known;

		r = !strcmp(texts[i], mkinitcpio_dropin) ? apply_dropin(&s) :
			shstatic_eval(&s, texts[i], names[i]);
		if (r == 0) {
			after[i] = strdup(shvars_get(&s, "HOOKS", &known));
			if (!after[i])
				r = -ENOMEM;
			else if (!known)
				r = -EDOM;
		}
	}
	shvars_free(&s);
	if (r == -ENOEXEC || r == -EDOM) {
		char why[400];

		if (r == -EDOM)
			snprintf(why, sizeof(why), "%s: HOOKS cannot be known without running it (a "
				 "command's output, or an edit of one array element)",
				 names[i - 1]);
		else
			strscpy(why, shell_unknown_why(), sizeof(why));
		shell_unknown_set("%s, and read without running it (plain assignments only), %s",
				  before, why);
		r = -ENOEXEC;
	}
	return r;
}

/* The texts of mkinitcpio.conf and its drop-ins, in mkinitcpio's order, as t would leave them. */
static int gather(const struct txn *t, char **names, char **texts, size_t *n)
{
	char **files = NULL;
	size_t i, k = 0;
	int r = txn_list(t, CONF_D, ".conf", &files);

	*n = 0;
	if (r < 0)
		return r;
	while (files[k])
		k++;
	qsort(files, k, sizeof(*files), by_version);
	for (i = 0; r >= 0 && i <= k && *n < MAXFILES; i++) {
		const char *p = i == 0 ? CONF : files[i - 1];

		r = txn_read(t, p, &texts[*n], NULL);
		if (r == -ENOENT || r == -EISDIR) {
			r = 0;	/* mkinitcpio cats what it finds: -xtype f */
			continue;
		}
		if (r < 0)
			break;
		names[*n] = strdup(p);
		if (!names[*n]) {
			free(texts[*n]);
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	strv_free(files);
	return r < 0 ? r : 0;
}

/* HOOKS after each of the n texts (after[i], malloc'd): bash as shell_eval allows, else read
 * without running. */
static int evaluate(const struct txn *t, char **names, char **texts, size_t n, char **after)
{
	/* bash, as mkinitcpio is: each file in turn, HOOKS (an array or a string) after it */
	static const char script[] =
		"for passthru_f do eval \"$passthru_f\"; printf '%s\\037' \"${HOOKS[*]}\"; done";
	char *out = NULL, *p;
	size_t i;
	int r = shell_eval(t->root, "/bin/bash", script, (const char *const *)texts, n, &out);

	if (r == -ENOEXEC)
		return statically((const char *const *)names, (const char *const *)texts, n, after);
	if (r > 0)
		r = -EINVAL;	/* bash cannot source them: mkinitcpio would fail the same way */
	for (i = 0, p = out; r == 0 && i < n; i++) {
		char *e = p ? strchr(p, '\037') : NULL;

		after[i] = e ? strndup(p, (size_t)(e - p)) : NULL;
		if (!after[i])
			r = e ? -ENOMEM : -EINVAL;
		p = e ? e + 1 : NULL;
	}
	free(out);
	return r;
}

int mkinitcpio_hooks_of(const struct txn *t, const char *path, char *hooks, size_t hsize)
{
	char *names[1] = { (char *)path }, *texts[1] = { NULL }, *after[1] = { NULL };
	int r = txn_read(t, path, &texts[0], NULL);

	hooks[0] = '\0';
	if (r == 0)
		r = evaluate(t, names, texts, 1, after);
	if (r == 0) {
		strscpy(hooks, after[0], hsize);
		r = has_word(after[0], "passthru");
	}
	free(texts[0]);
	free(after[0]);
	return r;
}

int mkinitcpio_takes_passthru(const struct txn *t, char *why, size_t wsize, char *fix,
			      size_t fsize)
{
	char *names[MAXFILES], *texts[MAXFILES], *after[MAXFILES] = { 0 };
	size_t n = 0, i, own = MAXFILES;
	int r = gather(t, names, texts, &n);

	why[0] = fix[0] = '\0';
	if (r == 0)
		r = evaluate(t, names, texts, n, after);
	for (i = 0; i < n; i++)
		if (!strcmp(names[i], MKINITCPIO_DROPIN))
			own = i;
	/* passthru's drop-in missing: not taken in at all (fix ""); else the first file from it
	 * on after which passthru is not in HOOKS took it out */
	if (r == 0 && own >= n)
		snprintf(why, wsize, "passthru's drop-in %s is not there", MKINITCPIO_DROPIN);
	if (r == 0)
		r = own < n;
	for (i = own; r == 1 && i < n; i++) {
		if (has_word(after[i], "passthru"))
			continue;
		snprintf(why, wsize, "%s sets HOOKS after %s and leaves passthru out (HOOKS: %s)",
			 names[i], MKINITCPIO_DROPIN, after[n - 1]);
		snprintf(fix, fsize, "in %s put passthru before udev (or systemd) in HOOKS, or take "
			 "HOOKS out of it", names[i]);
		r = 0;
	}
	for (i = 0; i < n; i++) {
		free(names[i]);
		free(texts[i]);
		free(after[i]);
	}
	/* and every preset that builds with -c, which reads no drop-in */
	return r == 1 ? mkinitcpio_preset_configs(t, why, wsize, fix, fsize) : r;
}
