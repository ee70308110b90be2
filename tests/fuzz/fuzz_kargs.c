/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_kargs.c: libFuzzer target: the kernel-argument, /etc/default/grub and BLS entry editors:
 * install then uninstall gives the input back byte for byte, or install refuses. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "setup.h"

/* Each word of s, as the editors split it (blanks outside double quotes). */
static size_t count_word(const char *s, const char *w)
{
	size_t n = 0, wl = strlen(w);
	const char *p = s;

	while (*p) {
		const char *start;
		bool q = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (start = p; *p && (q || (*p != ' ' && *p != '\t')); p++)
			if (*p == '"')
				q = !q;
		n += (size_t)(p - start) == wl && !strncmp(start, w, wl);
	}
	return n;
}

/* uninstall's result is the original; for /etc/default/grub also allowed: an empty unquoted
 * value that install had to quote (""), and the newline install put before its own line;
 * for a BLS entry, the blank after a bare "options". */
static void check_round_trip(const char *orig, const char *back, int kind)
{
	size_t i = 0, ol = strlen(orig), bl = strlen(back);

	if (!strcmp(orig, back))
		return;
	if (!kind)
		abort();
	while (orig[i] && orig[i] == back[i])
		i++;
	if (kind == 2) {
		/* a bare "options" line keeps the blank install put after the key */
		if (bl == ol + 1 && back[i] == ' ' && i >= 7 && !strncmp(back + i - 7, "options", 7) &&
		    !strcmp(back + i + 1, orig + i))
			return;
		abort();
	}
	if (bl == ol + 2 && !strncmp(back + i, "\"\"", 2) && !strcmp(back + i + 2, orig + i))
		return;
	if (bl == ol + 1 && i == ol && back[i] == '\n')
		return;
	abort();
}

static void kernel_line(const char *text, const struct kargs_edit *e)
{
	struct sbuf added = { 0 }, dropped = { 0 };
	char *once = NULL, *twice = NULL, *removed = NULL;
	size_t i;
	int r = kargs_apply(text, e, &once, &dropped, &added);

	if (r == -EINVAL) {
		sbuf_free(&added);	/* an unbalanced quote: refused */
		sbuf_free(&dropped);
		return;
	}
	if (r < 0)
		abort();
	/* every added argument there, no contradiction left, the rest untouched */
	for (i = 0; i < e->nadd; i++)
		if (count_word(once, e->add[i]) < 1)
			abort();
	for (i = 0; i < e->ndrop; i++)
		if (count_word(once, e->drop[i]))
			abort();
	if (kargs_apply(once, e, &twice, NULL, NULL) < 0 || strcmp(once, twice))
		abort();	/* install twice changes nothing */
	if (kargs_remove(once, added.s ? added.s : "", &removed) < 0)
		abort();
	if (!dropped.len)
		check_round_trip(text, removed, 0);
	for (i = 0; i < e->nadd; i++)
		if (count_word(removed, e->add[i]) != count_word(text, e->add[i]))
			abort();	/* the user's own copies stay */
	free(once);
	free(twice);
	free(removed);
	sbuf_free(&added);
	sbuf_free(&dropped);
}

static void grub_file(const char *text, const struct kargs_edit *e)
{
	struct sbuf added = { 0 }, dropped = { 0 };
	char *once = NULL, *twice = NULL, *removed = NULL;
	int r = grubfile_edit(text, "GRUB_CMDLINE_LINUX", e, &once, &dropped, &added);

	if (r == -EINVAL) {
		sbuf_free(&added);	/* quoting too odd: refused, nothing written */
		sbuf_free(&dropped);
		return;
	}
	if (r < 0)
		abort();
	if (grubfile_edit(once, "GRUB_CMDLINE_LINUX", e, &twice, NULL, NULL) < 0 ||
	    strcmp(once, twice))
		abort();
	if (grubfile_unedit(once, "GRUB_CMDLINE_LINUX", added.s ? added.s : "", &removed) < 0)
		abort();
	if (!dropped.len)
		check_round_trip(text, removed, 1);
	free(once);
	free(twice);
	free(removed);
	sbuf_free(&added);
	sbuf_free(&dropped);
}

static bool has_options_line(const char *text)
{
	const char *p = text;

	for (; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "options", 7) && (!p[7] || strchr(" \t\n", p[7])))
			return true;
	return false;
}

static void bls_entry(const char *text, const struct kargs_edit *e)
{
	struct sbuf added = { 0 }, dropped = { 0 };
	char *once = NULL, *twice = NULL, *removed = NULL;
	int r = bls_edit(text, e, &once, &dropped, &added);

	if (r == -EINVAL) {
		sbuf_free(&added);
		sbuf_free(&dropped);
		return;
	}
	if (r < 0)
		abort();
	if (bls_edit(once, e, &twice, NULL, NULL) < 0 || strcmp(once, twice))
		abort();
	if (bls_unedit(once, added.s ? added.s : "", &removed) < 0)
		abort();
	/* an entry without an options line gets one: only entries that had one come back */
	if (!dropped.len && has_options_line(text))
		check_round_trip(text, removed, 2);
	free(once);
	free(twice);
	free(removed);
	sbuf_free(&added);
	sbuf_free(&dropped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kargs_edit e;
	char *text;

	if (size < 1)
		return 0;
	kargs_for_cpu(data[0] % 3 == 0 ? "intel" : data[0] % 3 == 1 ? "amd" : "other",
		      data[0] & 4, &e);
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (!memchr(text, '\n', strlen(text)))
		kernel_line(text, &e);
	grub_file(text, &e);
	bls_entry(text, &e);
	free(text);
	return 0;
}
