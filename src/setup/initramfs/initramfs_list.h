/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_list.h: whether a generator's lister shows a file in an image. */
#ifndef PASSTHRU_INITRAMFS_LIST_H
#define PASSTHRU_INITRAMFS_LIST_H
#include <stdbool.h>
#include "setup.h"

/*
 * Run `lister IMAGE` (lsinitramfs, lsinitcpio; found on PATH) on the image at `image` inside
 * the root and look for `file` (a path without its leading "/") among the lines it prints.
 * The lister must also exist in the root at `lister_path` (the generator's own tool).
 * 1 listed, 0 not, -ENOENT no image, -EOPNOTSUPP no lister, -EIO the lister failed.
 */
int initramfs_list_has(const struct fsroot *fr, const char *lister, const char *lister_path,
		       const char *image, const char *file);

/* The modification time of path inside the root, or -1 when it does not exist. */
long long initramfs_mtime(const struct fsroot *fr, const char *path);

#endif
