/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_stale.c: does every kernel's image hold what install would put in it (status's initramfs drift, install's rebuild). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "initramfs.h"

int initramfs_stale(const struct fsroot *fr, const struct initramfs_gen *g, bool claim, bool mark,
		    char *which, size_t size)
{
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	if (size)
		which[0] = '\0';
	if (!g->image_has)
		return 0;
	fd = fsroot_openat(fr, "/lib/modules", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return 0;	/* no kernels: no image to rebuild */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		int has = de->d_name[0] == '.' ? -ENOENT : g->image_has(fr, de->d_name, IMAGE_CLAIM);
		size_t n = size ? strlen(which) : 0;

		/* no image (a kernel without one), or no lister: nothing to tell */
		if (has < 0)
			continue;
		if (has == (int)claim && (!has || g->image_has(fr, de->d_name, IMAGE_TRIAL_MARK) ==
					  (int)mark))
			continue;
		if (size)
			snprintf(which + n, size - n, "%s%s", n ? ", " : "", de->d_name);
		ret = 1;
	}
	closedir(d);
	return ret;
}
