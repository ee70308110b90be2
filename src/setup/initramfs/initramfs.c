/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs.c: the table of initramfs generators and choosing the host's. */
#include <stdio.h>
#include <string.h>
#include "initramfs.h"

const struct initramfs_gen *const initramfs_gens[] = {
	&initramfs_dracut,
	&initramfs_tools,
	&initramfs_mkinitcpio,
	NULL
};

const struct initramfs_gen *initramfs_find(const struct fsroot *fr, const char *want,
					   const char *running_kver)
{
	const struct initramfs_gen *found = NULL;
	size_t i, n = 0;

	for (i = 0; initramfs_gens[i]; i++) {
		const struct initramfs_gen *g = initramfs_gens[i];

		if (want) {
			if (!strcmp(g->name, want))
				return g->detect(fr) ? g : NULL;
			continue;
		}
		if (!g->detect(fr))
			continue;
		n++;
		if (!found)
			found = g;
		/* among several, the one that made the running kernel's image */
		if (n > 1 && running_kver && g->built_image_of(fr, running_kver) &&
		    !found->built_image_of(fr, running_kver))
			found = g;
	}
	return found;
}
