/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bls.c: Boot Loader Specification entries: their options lines read and edited byte for byte. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"

static bool is_options(const char *line, size_t len)
{
	return len >= 7 && !strncmp(line, "options", 7) &&
	       (len == 7 || line[7] == ' ' || line[7] == '\t');
}

/* The value of an options line starts after the key and its blanks. */
static size_t value_start(const char *line, size_t len)
{
	size_t p = 7;

	while (p < len && (line[p] == ' ' || line[p] == '\t'))
		p++;
	return p;
}

int bls_options(const struct txn *t, const char *text, char **ret)
{
	struct sbuf b = { 0 };
	const char *p = text, *ko;

	sbuf_add(&b, "");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p), v;

		if (is_options(p, len)) {
			v = value_start(p, len);
			sbuf_addf(&b, "%s%.*s", b.len ? " " : "", (int)(len - v), p + v);
		}
		p += len + (nl ? 1 : 0);
	}
	if (b.err)
		return -ENOMEM;
	ko = strstr(b.s, "$kernelopts");
	if (ko) {
		/* Fedora 30-33: the options live in grubenv */
		char *env = NULL, *kl;
		struct sbuf x = { 0 };

		if (t && txn_read(t, "/boot/grub2/grubenv", &env, NULL) < 0)
			txn_read(t, "/boot/grub/grubenv", &env, NULL);
		kl = env ? strstr(env, "kernelopts=") : NULL;
		if (kl && kl != env && kl[-1] != '\n')
			kl = NULL;
		sbuf_addf(&x, "%.*s", (int)(ko - b.s), b.s);
		if (kl) {
			kl += strlen("kernelopts=");
			sbuf_addf(&x, "%.*s", (int)strcspn(kl, "\n"), kl);
		}
		sbuf_add(&x, ko + strlen("$kernelopts"));
		free(env);
		sbuf_free(&b);
		if (x.err)
			return -ENOMEM;
		b = x;
	}
	*ret = b.s;
	return 0;
}

/* Apply fn to the value of options line number `which` (0-based); others copied. */
static int edit_lines(const char *text, int which, const struct kargs_edit *e, const char *words,
		      char **ret, struct sbuf *dropped, struct sbuf *added, bool all)
{
	struct sbuf b = { 0 };
	const char *p = text;
	int idx = 0, r = 0;

	sbuf_add(&b, "");
	while (*p && r >= 0) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (is_options(p, len) && (all || idx == which)) {
			size_t v = value_start(p, len);
			char *val = strndup(p + v, len - v), *out = NULL;

			if (!val) {
				r = -ENOMEM;
				break;
			}
			r = words ? kargs_remove(val, words, &out) :
				    kargs_apply(val, e, &out, dropped, added);
			if (r >= 0)
				sbuf_addf(&b, "%.*s%s%s", (int)v, p, v == 7 && *out ? " " : "", out);
			free(val);
			free(out);
		} else {
			sbuf_addf(&b, "%.*s", (int)len, p);
		}
		if (is_options(p, len))
			idx++;
		if (nl)
			sbuf_add(&b, "\n");
		p += len + (nl ? 1 : 0);
	}
	if (r >= 0 && b.err)
		r = -ENOMEM;
	if (r < 0) {
		sbuf_free(&b);
		return r;
	}
	*ret = b.s;
	return 0;
}

static int count_options(const char *text)
{
	const char *p = text;
	int n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		n += is_options(p, len);
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/* The options line the new words go to: the first that has a standalone "--" (the kernel
 * reads no word after it), else the last. */
static int add_line(const char *text, int n)
{
	const char *p = text;
	int idx = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (is_options(p, len)) {
			size_t v = value_start(p, len);
			char *val = strndup(p + v, len - v);
			bool init = val && kargs_kernel_len(val) < strlen(val);

			free(val);
			if (init)
				return idx;
			idx++;
		}
		p += len + (nl ? 1 : 0);
	}
	return n - 1;
}

int bls_edit(const char *text, const struct kargs_edit *e, char **ret, struct sbuf *dropped,
	     struct sbuf *added)
{
	struct kargs_edit droponly = *e, addonly = { 0 };
	int n = count_options(text), r;
	char *mid = NULL;

	if (!n) {
		struct sbuf b = { 0 };
		char *line = NULL;

		r = kargs_apply("", e, &line, dropped, added);
		if (r < 0)
			return r;
		sbuf_add(&b, text);
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_add(&b, "\n");
		sbuf_addf(&b, "options %s\n", line);
		free(line);
		if (b.err) {
			sbuf_free(&b);
			return -ENOMEM;
		}
		*ret = b.s;
		return 0;
	}
	/* contradictions out of every options line, then what is missing to the last one (or
	 * the first with a "--") */
	droponly.nadd = 0;
	r = edit_lines(text, -1, &droponly, NULL, &mid, dropped, NULL, true);
	if (r < 0)
		return r;
	{
		char *joined = NULL;
		size_t i;

		r = bls_options(NULL, mid, &joined);
		if (r < 0) {
			free(mid);
			return r;
		}
		/* only the words no options line has (the last line's own are kept) */
		for (i = 0; i < e->nadd; i++)
			if (!kargs_has(joined, e->add[i]))
				strcpy(addonly.add[addonly.nadd++], e->add[i]);
		free(joined);
	}
	r = edit_lines(mid, add_line(mid, n), &addonly, NULL, ret, NULL, added, false);
	free(mid);
	return r;
}

int bls_unedit(const char *text, const char *words, char **ret)
{
	char *cur = strdup(text), w[128];
	const char *p = words;
	int n = count_options(text), k, len;

	if (!cur)
		return -ENOMEM;
	while (sscanf(p, "%127s%n", w, &len) == 1) {
		p += len;
		/* the line install added to (add_line), then the last options line that has it */
		for (k = n; k >= 0; k--) {
			char *out = NULL, *before;
			int r, line = k == n ? add_line(cur, n) : k;

			if (k < n && line == add_line(cur, n))
				continue;
			before = strdup(cur);
			if (!before) {
				free(cur);
				return -ENOMEM;
			}
			r = edit_lines(cur, line, NULL, w, &out, NULL, NULL, false);
			if (r < 0) {
				free(before);
				free(cur);
				return r;
			}
			free(cur);
			cur = out;
			r = strcmp(before, cur);
			free(before);
			if (r)
				break;
		}
	}
	*ret = cur;
	return 0;
}

int bls_entries(const struct txn *t, bool esp, char ***ret)
{
	static const char *const dirs[] = { "/boot/loader/entries", "/efi/loader/entries",
					    "/boot/efi/loader/entries" };
	char **all = calloc(1, sizeof(*all));
	size_t n = 0, i, j;
	int r = all ? 0 : -ENOMEM;

	for (i = 0; i < (esp ? 3u : 1u) && r >= 0; i++) {
		char **v = NULL;

		r = txn_list(t, dirs[i], ".conf", &v);
		for (j = 0; r >= 0 && v[j]; j++) {
			char **g = realloc(all, (n + 2) * sizeof(*all));

			if (!g) {
				r = -ENOMEM;
				break;
			}
			all = g;
			all[n] = strdup(v[j]);
			all[n + 1] = NULL;
			if (!all[n])
				r = -ENOMEM;
			else
				n++;
		}
		strv_free(v);
	}
	if (r < 0) {
		strv_free(all);
		return r;
	}
	*ret = all;
	return 0;
}

const char *bls_newest(char *const *v, const char *pattern)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; v && v[i]; i++) {
		const char *base = strrchr(v[i], '/') ? strrchr(v[i], '/') + 1 : v[i];
		size_t bl = strlen(base);
		char id[256];

		/* the entry's id: its file name less .conf */
		if (bl > 5 && !strcmp(base + bl - 5, ".conf"))
			bl -= 5;
		snprintf(id, sizeof(id), "%.*s", (int)bl, base);
		if (!strcmp(id, BLS_TRIAL_ENTRY) || !strcmp(id, BLS_SD_TRIAL_ENTRY) ||
		    (pattern && fnmatch(pattern, base, 0) && fnmatch(pattern, id, 0)))
			continue;
		if (!best || strverscmp(base, strrchr(best, '/') ? strrchr(best, '/') + 1 : best) >= 0)
			best = v[i];
	}
	return best;
}

const char *bls_default(const struct txn *t, char *const *v)
{
	static const char *const confs[] = { "/boot/loader/loader.conf", "/efi/loader/loader.conf",
					     "/boot/efi/loader/loader.conf" };
	char pattern[256] = "", *text = NULL, *line, *save = NULL;
	size_t i;

	for (i = 0; i < 3 && !text; i++)
		if (txn_read(t, confs[i], &text, NULL) < 0)
			text = NULL;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "default", 7) && (line[7] == ' ' || line[7] == '\t') &&
		    sscanf(line + 7, "%255s", pattern) == 1 && pattern[0] == '@')
			pattern[0] = '\0';	/* @saved, @menu-default: chosen at boot */
	free(text);
	if (pattern[0] && bls_newest(v, pattern))
		return bls_newest(v, pattern);
	return bls_newest(v, NULL);
}
