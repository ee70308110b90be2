/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scratch.h: a scratch sysroot for the unit tests: device folders, their files, removal. */
#ifndef PASSTHRU_TEST_SCRATCH_H
#define PASSTHRU_TEST_SCRATCH_H
/* include after <cmocka.h>: the helpers assert as the tests do */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "root.h"

struct scratch {
	char dir[64];	/* /tmp/NAME.XXXXXX */
	struct root r;	/* opened on dir */
};

/* A fresh /tmp/NAME.XXXXXX with sys/bus/pci/devices/ADDR for each ADDR (the list ends in
 * NULL), opened as a root in s->r. */
static inline void scratch_make(struct scratch *s, const char *name, ...)
{
	char cmd[1024];
	const char *a;
	size_t n;
	va_list ap;

	snprintf(s->dir, sizeof(s->dir), "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(s->dir));
	n = (size_t)snprintf(cmd, sizeof(cmd), "mkdir -p");
	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) && n < sizeof(cmd))
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " %s/sys/bus/pci/devices/%s",
				      s->dir, a);
	va_end(ap);
	assert_true(n < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(root_open(&s->r, s->dir), 0);
}

/* The device ADDR's FILE under the scratch root, with TEXT in it. */
static inline void scratch_put(const struct scratch *s, const char *addr, const char *file,
			       const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/%s", s->dir, addr, file);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The device ADDR's FILE gone. */
static inline void scratch_drop(const struct scratch *s, const char *addr, const char *file)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/%s", s->dir, addr, file);
	unlink(p);
}

/* Close the root and remove the folder: 0, or system()'s status. */
static inline int scratch_remove(struct scratch *s)
{
	char cmd[128];

	root_close(&s->r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	return system(cmd);
}

#endif
