/* fuzz_kargs.c: libFuzzer target: the kernel-argument and /etc/default/grub editors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kargs_edit e;
	char *text, *once, *twice, *removed;
	size_t i;

	if (size < 1)
		return 0;
	kargs_for_cpu(data[0] % 3 == 0 ? "intel" : data[0] % 3 == 1 ? "amd" : "other",
		      data[0] & 4, &e);
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	if (!memchr(text, '\n', strlen(text))) {
		/* a kernel command line: every added argument once, no contradiction left */
		once = kargs_apply(text, &e, NULL);
		if (!once)
			abort();
		for (i = 0; i < e.nadd; i++)
			if (count_word(once, e.add[i]) != 1)
				abort();
		for (i = 0; i < e.ndrop; i++)
			if (count_word(once, e.drop[i]))
				abort();
		twice = kargs_apply(once, &e, NULL);
		if (!twice || strcmp(once, twice))
			abort();	/* install twice changes nothing */
		removed = kargs_remove(once, &e);
		if (!removed)
			abort();
		for (i = 0; i < e.nadd; i++)
			if (count_word(removed, e.add[i]))
				abort();
		free(twice);
		free(removed);
		free(once);
	}
	/* /etc/default/grub: editing twice is editing once (NULL: refused, quoting too odd) */
	once = grubfile_edit(text, "GRUB_CMDLINE_LINUX", &e, false, NULL);
	if (once) {
		twice = grubfile_edit(once, "GRUB_CMDLINE_LINUX", &e, false, NULL);
		if (!twice || strcmp(once, twice))
			abort();
		removed = grubfile_edit(once, "GRUB_CMDLINE_LINUX", &e, true, NULL);
		if (!removed)
			abort();
		free(removed);
		free(twice);
		free(once);
	}
	free(text);
	return 0;
}
