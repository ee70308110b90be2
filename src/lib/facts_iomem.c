/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts_iomem.c: a boot framebuffer of /proc/iomem (BOOTFB, efifb, ...) inside a card's BARs, and who holds it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "facts.h"
#include "util.h"

/* One line of /proc/iomem: "  e0000000-e02fffff : BOOTFB", two spaces per level of nesting. */
struct iomem_line {
	int depth;
	uint64_t start, end;
	char name[48];
};

/* Parse the line at s (up to its newline); -1 when it is not an iomem line. */
static int parse_line(const char *s, struct iomem_line *l)
{
	const char *p = s, *colon;
	char *end;
	size_t n;

	while (*p == ' ')
		p++;
	l->depth = (int)(p - s) / 2;
	l->start = strtoull(p, &end, 16);
	if (end == p || *end != '-')
		return -1;
	p = end + 1;
	l->end = strtoull(p, &end, 16);
	if (end == p || strncmp(end, " : ", 3))
		return -1;
	colon = end + 3;
	n = strcspn(colon, "\n");
	if (n >= sizeof(l->name))
		n = sizeof(l->name) - 1;
	memcpy(l->name, colon, n);
	l->name[n] = '\0';
	rstrip(l->name);
	return l->name[0] ? 0 : -1;	/* a region always has a name */
}

/* The names firmware framebuffers and their drivers give their memory. */
static bool is_framebuffer(const char *name)
{
	return !strcmp(name, "BOOTFB") || !strncmp(name, "simple-framebuffer", 18) ||
	       !strcmp(name, "efifb") || !strcmp(name, "vesafb") || !strcmp(name, "simpledrm");
}

static const char *next_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? nl + 1 : s + strlen(s);
}

/* The BAR of bar[] that [start, end] overlaps, or -1. */
static int bar_of(const struct bar_facts bar[FACTS_NBARS], uint64_t start, uint64_t end)
{
	int i;

	for (i = 0; i < FACTS_NBARS; i++)
		if (bar[i].size && !bar[i].io && start <= bar[i].start + bar[i].size - 1 &&
		    end >= bar[i].start)
			return i;
	return -1;
}

/* The innermost entry nested under the one that ends at s (its depth is depth): its owner. */
static void owner_of(const char *s, int depth, char *owner, size_t size)
{
	struct iomem_line l;
	int best = depth;

	for (; *s && parse_line(s, &l) == 0 && l.depth > depth; s = next_line(s))
		if (l.depth > best) {
			best = l.depth;
			strscpy(owner, l.name, size);
		}
}

void facts_iomem_find(const char *iomem, const struct bar_facts bar[FACTS_NBARS],
		      struct fb_facts *ret)
{
	const char *s;
	bool any_address = false;

	memset(ret, 0, sizeof(*ret));
	ret->bar = -1;
	for (s = iomem; *s; s = next_line(s)) {
		struct iomem_line l;
		int b;

		if (parse_line(s, &l) < 0)
			continue;
		if (l.start || l.end)
			any_address = true;
		if (ret->found || !is_framebuffer(l.name) || !(l.start || l.end))
			continue;
		b = bar_of(bar, l.start, l.end);
		if (b < 0)
			continue;
		ret->found = true;
		ret->bar = b;
		ret->start = l.start;
		ret->end = l.end;
		strscpy(ret->name, l.name, sizeof(ret->name));
		strscpy(ret->owner, l.name, sizeof(ret->owner));
		owner_of(next_line(s), l.depth, ret->owner, sizeof(ret->owner));
	}
	/* without root the kernel shows every address as zero */
	ret->unreadable = !any_address;
	if (ret->unreadable) {
		ret->found = false;
		strscpy(ret->why, "/proc/iomem shows addresses to root only", sizeof(ret->why));
	}
}
