/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kargs.c: the IOMMU kernel arguments for a CPU, and byte-preserving edits of argument lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kargs.h"
#include "setup.h"

void kargs_for_cpu(const char *cpu, bool iommu_pt, struct kargs_edit *ret)
{
	struct kargs_edit e = { 0 };

	if (!strcmp(cpu, "intel")) {
		strcpy(e.add[e.nadd++], "intel_iommu=on");
		strcpy(e.drop[e.ndrop++], "intel_iommu=off");
	}
	if (!strcmp(cpu, "amd")) {
		/* AMD-Vi is on by default; amd_iommu=on is not a valid value */
		strcpy(e.drop[e.ndrop++], "amd_iommu=on");
		strcpy(e.drop[e.ndrop++], "amd_iommu=off");
	}
	if (strcmp(cpu, "other")) {
		strcpy(e.drop[e.ndrop++], "iommu=off");
		if (iommu_pt) {
			strcpy(e.add[e.nadd++], "iommu=pt");
			strcpy(e.drop[e.ndrop++], "iommu=nopt");
			strcpy(e.drop[e.ndrop++], "iommu.passthrough=0");
		}
	}
	*ret = e;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The next word of line from *pos, as the kernel splits it (blanks outside double quotes):
 * [*ws, *we). False at the end; *unbalanced when a quote runs to the end of the line.
 */
static bool next_word(const char *line, size_t *pos, size_t *ws, size_t *we, bool *unbalanced)
{
	size_t p = *pos;
	bool q = false;

	while (line[p] && blank(line[p]))
		p++;
	if (!line[p])
		return false;
	*ws = p;
	for (; line[p] && (q || !blank(line[p])); p++)
		if (line[p] == '"')
			q = !q;
	*we = p;
	*pos = p;
	if (q && unbalanced)
		*unbalanced = true;
	return true;
}

size_t kargs_kernel_len(const char *line)
{
	size_t pos = 0, s, e;

	while (next_word(line, &pos, &s, &e, NULL))
		if (e - s == 2 && !strncmp(line + s, "--", 2))
			return s;
	return strlen(line);
}

/* Where the last (or first) word equal to w is, among the words that start before end;
 * false when none. */
static bool find_word(const char *line, size_t end, const char *w, size_t wl, bool last,
		      size_t *ws, size_t *we)
{
	size_t pos = 0, s, e;
	bool found = false;

	while (next_word(line, &pos, &s, &e, NULL) && s < end) {
		if (e - s == wl && !strncmp(line + s, w, wl)) {
			*ws = s;
			*we = e;
			found = true;
			if (!last)
				break;
		}
	}
	return found;
}

/* Only the kernel's words: what follows a standalone "--" is init's. */
bool kargs_has(const char *line, const char *arg)
{
	size_t s, e;

	return find_word(line, kargs_kernel_len(line), arg, strlen(arg), false, &s, &e);
}

/* Cut [ws, we) out of line with one blank next to it: the one before, else the one after. */
static void cut_word(char *line, size_t ws, size_t we)
{
	size_t len = strlen(line);

	if (ws > 0 && blank(line[ws - 1]))
		ws--;
	else if (line[we] && blank(line[we]))
		we++;
	memmove(line + ws, line + we, len - we + 1);
}

int kargs_apply(const char *line, const struct kargs_edit *e, char **ret, struct sbuf *dropped,
		struct sbuf *added)
{
	struct sbuf b = { 0 };
	size_t pos = 0, s, we, i, end, ins;
	bool unbalanced = false, any = false;
	char *l;

	while (next_word(line, &pos, &s, &we, &unbalanced))
		;
	if (unbalanced)
		return -EINVAL;	/* what we append would land inside the user's quote */
	l = strdup(line);
	if (!l)
		return -ENOMEM;
	for (i = 0; i < e->ndrop; i++) {
		size_t wl = strlen(e->drop[i]);

		/* anywhere: init has no use for them either */
		while (find_word(l, strlen(l), e->drop[i], wl, false, &s, &we)) {
			cut_word(l, s, we);
			if (dropped && !kargs_has(dropped->s ? dropped->s : "", e->drop[i]))
				sbuf_addf(dropped, "%s%s", dropped->len ? " " : "", e->drop[i]);
		}
	}
	/* the new words go before a standalone "--" (" WORD" before the blank in front of it),
	 * else last: what follows "--" is init's, never the kernel's */
	end = kargs_kernel_len(l);
	ins = end > 0 && end < strlen(l) ? end - 1 : end;
	sbuf_addf(&b, "%.*s", (int)ins, l);
	for (i = 0; i < e->nadd; i++) {
		if (kargs_has(l, e->add[i]))
			continue;	/* the user's own, or already there */
		sbuf_addf(&b, "%s%s", b.len || ins < end ? " " : "", e->add[i]);
		any = true;
		if (added && !kargs_has(added->s ? added->s : "", e->add[i]))
			sbuf_addf(added, "%s%s", added->len ? " " : "", e->add[i]);
	}
	if (any && l[ins] && !blank(l[ins]))
		sbuf_add(&b, " ");	/* the line began with "--" */
	sbuf_add(&b, l + ins);
	free(l);
	if (b.err) {
		sbuf_free(&b);
		return -ENOMEM;
	}
	*ret = b.s;
	return 0;
}

int kargs_remove(const char *line, const char *words, char **ret)
{
	char *l = strdup(line);
	size_t pos = 0, s, e;

	if (!l)
		return -ENOMEM;
	/* for each of words, its last occurrence among the kernel's: install put it there; else
	 * the last after "--", where an older install appended it */
	while (next_word(words, &pos, &s, &e, NULL)) {
		size_t ws, we;

		if (find_word(l, kargs_kernel_len(l), words + s, e - s, true, &ws, &we) ||
		    find_word(l, strlen(l), words + s, e - s, true, &ws, &we))
			cut_word(l, ws, we);
	}
	*ret = l;
	return 0;
}
