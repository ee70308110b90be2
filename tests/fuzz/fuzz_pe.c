/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pe.c: libFuzzer target: any bytes as a UKI: a section within the input, or an error; never a read past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { ".cmdline", ".osrel", ".uname", ".linux" };
	/* an exact-size copy: ASan sees a read past the end */
	unsigned char *copy = malloc(size ? size : 1);
	size_t i;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (i = 0; i < 4; i++) {
		const unsigned char *p;
		size_t n;
		char *text = NULL;

		if (pe_section_mem(copy, size, names[i], &p, &n) < 0)
			continue;
		if (p < copy || n > size || (size_t)(p - copy) > size - n)
			abort();
		if (pe_cmdline_text(p, n, &text) == 0) {
			if (strlen(text) > n)
				abort();
			free(text);
		}
	}
	free(copy);
	return 0;
}
