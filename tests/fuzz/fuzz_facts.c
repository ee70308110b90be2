/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_facts.c: libFuzzer target: any config space, resource and /proc/iomem bytes in, facts within bounds out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "facts.h"

/* The input is the config space; its bytes are also read as resource and iomem text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rebar_facts rb;
	struct bar_facts bar[FACTS_NBARS];
	struct fb_facts fb;
	char *text = malloc(size + 1);
	size_t i;

	if (!text)
		return 0;
	/* an exact-size copy: ASan sees a read past the end of the config space */
	facts_rebar_parse(data, size, &rb);
	if (rb.state > REBAR_PRESENT || rb.n > FACTS_NBARS || strnlen(rb.why, sizeof(rb.why)) ==
	    sizeof(rb.why))
		abort();
	for (i = 0; i < rb.n; i++)
		if (rb.bar[i].bar < 0 || rb.bar[i].bar >= FACTS_NBARS || rb.bar[i].current > 63)
			abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (facts_bars_parse(text, bar) < 0)
		for (i = 0; i < FACTS_NBARS; i++)
			if (bar[i].size)
				abort();
	bar[0].start = 0xc0000000;
	bar[0].size = 1 << 24;
	facts_iomem_find(text, bar, &fb);
	if (fb.found && (fb.unreadable || fb.bar < 0 || fb.bar >= FACTS_NBARS || !fb.name[0] ||
			 !fb.owner[0]))
		abort();
	free(text);
	return 0;
}
