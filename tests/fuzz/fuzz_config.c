/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_config.c: libFuzzer target: any bytes as a config and as a kernel command line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdline.h"
#include "config.h"

static void check_selectors(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nsel; i++) {
		const struct selector *s = &c->sel[i];
		char buf[ADDR_LEN];
		pci_addr_t back;

		if (s->kind != SEL_ADDR && s->kind != SEL_ID && s->kind != SEL_ID_AT_ADDR)
			abort();
		if (s->kind == SEL_ID)
			continue;
		addr_format(s->addr, buf);
		if (addr_parse(buf, &back) != 0 || back != s->addr)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct errlist e = { 0 };
	struct cmdline cl;
	size_t i;
	char *text;
	int r;

	config_init(&c);
	r = config_parse(&c, (const char *)data, size, "f.conf", &e);
	if (r == 0) {
		if (e.n)
			abort();
		check_selectors(&c);
	} else {
		if (r != -22 || !e.n)
			abort();
		for (i = 0; i < e.n; i++) {
			/* every message names the file and a line: "f.conf:N: " */
			const char *p = e.msg[i] + 7;

			if (strncmp(e.msg[i], "f.conf:", 7) || *p < '1' || *p > '9')
				abort();
			while (*p >= '0' && *p <= '9')
				p++;
			if (strncmp(p, ": ", 2))
				abort();
		}
	}
	config_free(&c);
	errlist_free(&e);

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_init(&c);
	r = cmdline_parse(text, &cl, &c, &e);
	if (r == 0)
		check_selectors(&c);
	else if (r != -22 || !e.n)
		abort();
	config_free(&c);
	errlist_free(&e);
	free(text);
	return 0;
}
