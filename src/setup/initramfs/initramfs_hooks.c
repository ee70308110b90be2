/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_hooks.c: whether passthru's own hook files for a generator are installed in the root. */
#include <errno.h>
#include <stdio.h>
#include "initramfs.h"

int initramfs_hooks_installed(const struct fsroot *fr, const char *gen,
			      const struct initramfs_hook *h)
{
	int ret = 0;

	for (; h->path; h++) {
		if (fsroot_exists(fr, h->path) || (h->alt && fsroot_exists(fr, h->alt)))
			continue;
		fprintf(stderr, "passthru-setup: passthru's %s hook file %s is not installed in %s",
			gen, h->path, fr->path);
		if (h->alt)
			fprintf(stderr, " (nor %s)", h->alt);
		fprintf(stderr, ": %s would build images without passthru-claim (install passthru "
			"first: make install, or passthru's package)\n", gen);
		ret = -ENOENT;
	}
	return ret;
}
