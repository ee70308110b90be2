/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ukitext.c: libFuzzer target: install.conf/uki.conf KEY=VALUE reading, and passthru's dracut drop-in value: any first line quoted and read back is the same line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "uki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), val[64], *back = NULL;
	struct sbuf q = { 0 };
	size_t s = 0, e = 0, l;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* KEY=VALUE: the value fits, NUL-terminated */
	uki_conf_value(text, "layout", val, sizeof(val));
	if (strnlen(val, sizeof(val)) >= sizeof(val))
		abort();
	/* any text: a value within it, or none */
	if (uki_dropin_value(text, &back, &s, &e) == 0) {
		if (s >= e || e > strlen(text) || strlen(back) > e - s)
			abort();
		free(back);
		back = NULL;
	}
	/* the first line, quoted as the drop-in writes it, reads back the same */
	l = strcspn(text, "\n");
	text[l] = '\0';
	sbuf_add(&q, "# head\nkernel_cmdline=");
	uki_sh_quote(&q, text);
	sbuf_add(&q, "\n");
	if (!q.err) {
		if (uki_dropin_value(q.s, &back, &s, &e) != 0 || strcmp(back, text))
			abort();
		free(back);
	}
	sbuf_free(&q);
	free(text);
	return 0;
}
