/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts_bars.c: BAR sizes and kinds from a PCI device's sysfs resource file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "facts.h"

/* the kernel's resource flags (include/linux/ioport.h), as resource shows them */
#define IORESOURCE_IO 0x00000100u
#define IORESOURCE_MEM 0x00000200u
#define IORESOURCE_PREFETCH 0x00002000u
#define IORESOURCE_MEM_64 0x00100000u

/* One "0xSTART 0xEND 0xFLAGS" line at *s; moves *s past it. */
static int parse_line(const char **s, uint64_t v[3])
{
	const char *p = *s;
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
			return -EINVAL;
		errno = 0;
		v[i] = strtoull(p, &end, 16);
		if (errno || end == p + 2)
			return -EINVAL;
		p = end;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && *p != '\n')
		return -EINVAL;
	*s = *p ? p + 1 : p;
	return 0;
}

int facts_bars_parse(const char *text, struct bar_facts bar[FACTS_NBARS])
{
	const char *s = text;
	int i;

	memset(bar, 0, sizeof(*bar) * FACTS_NBARS);
	for (i = 0; i < FACTS_NBARS; i++) {
		uint64_t v[3];

		if (parse_line(&s, v) < 0) {
			memset(bar, 0, sizeof(*bar) * FACTS_NBARS);
			return -EINVAL;
		}
		if (!(v[2] & (IORESOURCE_IO | IORESOURCE_MEM)) || v[1] < v[0] ||
		    (v[0] == 0 && v[1] == 0))
			continue;	/* not implemented, or the upper half of a 64-bit BAR */
		bar[i].start = v[0];
		bar[i].size = v[1] - v[0] + 1;
		bar[i].io = (v[2] & IORESOURCE_IO) != 0;
		bar[i].mem64 = (v[2] & IORESOURCE_MEM_64) != 0;
		bar[i].prefetch = (v[2] & IORESOURCE_PREFETCH) != 0;
	}
	return 0;
}
