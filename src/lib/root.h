/* SPDX-License-Identifier: GPL-2.0-or-later */
/* root.h: every file passthru reads or writes goes through a movable root (--sysroot). */
#ifndef PASSTHRU_ROOT_H
#define PASSTHRU_ROOT_H
#include <stddef.h>

struct root {
	int fd;			/* directory fd of the root */
	char path[4096];	/* what the root is, for messages and libraries */
};

int root_open(struct root *r, const char *dir);
void root_close(struct root *r);

/* Paths are relative to the root ("sys/bus/pci/devices"); a leading '/' is skipped. */
int root_openat(const struct root *r, const char *rel, int flags);
/* Read a whole small file, trailing white space stripped; returns length or -errno. */
int root_read(const struct root *r, const char *rel, char *buf, size_t size);
/* Read a whole file of any size into a malloc'd NUL-terminated buffer. */
int root_slurp(const struct root *r, const char *rel, char **ret, size_t *ret_len);
/* The last component of a symlink's target; returns length or -errno. */
int root_readlink_base(const struct root *r, const char *rel, char *buf, size_t size);
/* One unbuffered write() of s, as sysfs wants it. */
int root_write(const struct root *r, const char *rel, const char *s);
int root_exists(const struct root *r, const char *rel);
/* fn for each entry of a folder but . and ..; stops at fn's first error and returns it. */
int root_each(const struct root *r, const char *rel, int (*fn)(const char *name, void *ud),
	      void *ud);
/* The same against an open folder: name is relative to dfd (openat, readlinkat). */
int dir_read(int dfd, const char *name, char *buf, size_t size);
int dir_readlink_base(int dfd, const char *name, char *buf, size_t size);
int dir_each(int dfd, const char *name, int (*fn)(const char *name, void *ud), void *ud);
/* fn for each entry of the open folder fd from where it stands (once: it ends at the end). */
int fd_each(int fd, int (*fn)(const char *name, void *ud), void *ud);
/* Absolute path of rel under the root, for libraries that want a path. */
int root_path(const struct root *r, const char *rel, char *buf, size_t size);
/* Write a file atomically: temporary file, fsync, rename; makes missing folders. */
int root_write_atomic(const struct root *r, const char *rel, const char *data, size_t len);

#endif
