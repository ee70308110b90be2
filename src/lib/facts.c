/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts.c: read every fact of one device (reset, BARs, Resizable BAR, boot framebuffer) under a root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "facts.h"
#include "util.h"

void facts_release(const struct root *r, char *buf, size_t size)
{
	if (root_read(r, "proc/sys/kernel/osrelease", buf, size) < 0)
		buf[0] = '\0';
}

int facts_kernel_version(const char *release, int *major, int *minor)
{
	char *end;
	long a, b;

	if (!release || release[0] < '0' || release[0] > '9')
		return -EINVAL;
	a = strtol(release, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	b = strtol(end + 1, &end, 10);
	if (a > 1000 || b > 1000)
		return -EINVAL;
	*major = (int)a;
	*minor = (int)b;
	return 0;
}

/* Up to size bytes of the config space; short reads are read on, an error ends it. */
static size_t read_config(const struct root *r, const char *name, uint8_t *buf, size_t size)
{
	char rel[128];
	size_t got = 0;
	int fd;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/config", name);
	fd = root_openat(r, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got;
}

void facts_read(const struct root *r, const struct pdev *d, const char *release,
		struct devfacts *ret)
{
	char rel[128], *text = NULL;
	uint8_t cfg[4096];
	size_t len;

	memset(ret, 0, sizeof(*ret));
	facts_reset_read(r, d->name, release, &ret->reset);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/resource", d->name);
	if (root_slurp(r, rel, &text, NULL) >= 0)
		facts_bars_parse(text, ret->bar);
	free(text);
	text = NULL;
	len = read_config(r, d->name, cfg, sizeof(cfg));
	facts_rebar_parse(cfg, len, &ret->rebar);
	if (root_slurp(r, "proc/iomem", &text, NULL) >= 0) {
		facts_iomem_find(text, ret->bar, &ret->fb);
	} else {
		ret->fb.unreadable = true;
		ret->fb.bar = -1;
		strscpy(ret->fb.why, "no /proc/iomem to read", sizeof(ret->fb.why));
	}
	free(text);
}
