/* SPDX-License-Identifier: GPL-2.0-or-later */
/* root.c: every file passthru reads or writes goes through a movable root (--sysroot). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "root.h"
#include "util.h"

int root_open(struct root *r, const char *dir)
{
	if (!dir || !*dir)
		dir = "/";
	if (strscpy(r->path, dir, sizeof(r->path)) < 0)
		return -ENAMETOOLONG;
	r->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

void root_close(struct root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static const char *rel_of(const char *rel)
{
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

int root_openat(const struct root *r, const char *rel, int flags)
{
	int fd = openat(r->fd, rel_of(rel), flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int dir_read(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return (int)strlen(rstrip(buf));
}

int root_read(const struct root *r, const char *rel, char *buf, size_t size)
{
	return dir_read(r->fd, rel_of(rel), buf, size);
}

int root_slurp(const struct root *r, const char *rel, char **ret, size_t *ret_len)
{
	int fd = root_openat(r, rel, O_RDONLY), err;

	if (fd < 0)
		return fd;
	err = slurp_fd(fd, ret, ret_len);
	close(fd);
	return err;
}

int dir_readlink_base(int dfd, const char *name, char *buf, size_t size)
{
	char target[4096];
	const char *base;
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strscpy(buf, base, size) < 0)
		return -ENAMETOOLONG;
	return (int)strlen(buf);
}

int root_readlink_base(const struct root *r, const char *rel, char *buf, size_t size)
{
	return dir_readlink_base(r->fd, rel_of(rel), buf, size);
}

int root_write(const struct root *r, const char *rel, const char *s)
{
	/* O_APPEND: sysfs ignores it, and a captured tree then keeps every write in order */
	int fd = root_openat(r, rel, O_WRONLY | O_APPEND);
	size_t len = strlen(s);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return fd;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int root_exists(const struct root *r, const char *rel)
{
	return faccessat(r->fd, rel_of(rel), F_OK, 0) == 0;
}

/* the kernel's record; neither libc declares it under one name */
struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * getdents64 straight into a buffer on the stack: readdir would add an fstat, two fcntl and
 * an allocation per folder, and passthru lists one folder per PCI device.
 */
int fd_each(int fd, int (*fn)(const char *name, void *ud), void *ud)
{
	char buf[8192] __attribute__((aligned(8)));
	int ret = 0;

	while (!ret) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		long off;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (off = 0; off < n && !ret; ) {
			struct dirent64_raw *de = (struct dirent64_raw *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				ret = fn(de->d_name, ud);
		}
	}
	return ret;
}

int dir_each(int dfd, const char *name, int (*fn)(const char *name, void *ud), void *ud)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = fd_each(fd, fn, ud);
	close(fd);
	return ret;
}

int root_each(const struct root *r, const char *rel, int (*fn)(const char *name, void *ud),
	      void *ud)
{
	return dir_each(r->fd, rel_of(rel), fn, ud);
}

int root_path(const struct root *r, const char *rel, char *buf, size_t size)
{
	int n;
	const char *sep = r->path[strlen(r->path) - 1] == '/' ? "" : "/";

	n = snprintf(buf, size, "%s%s%s", r->path, sep, rel_of(rel));
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int mkdir_parents(const struct root *r, const char *rel)
{
	char path[4096];
	char *p;

	if (strscpy(path, rel_of(rel), sizeof(path)) < 0)
		return -ENAMETOOLONG;
	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdirat(r->fd, path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int root_write_atomic(const struct root *r, const char *rel, const char *data, size_t len)
{
	char tmp[4200];
	int fd, err = 0;
	size_t off = 0;

	rel = rel_of(rel);
	err = mkdir_parents(r, rel);
	if (err < 0)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", rel, (int)getpid());
	fd = openat(r->fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && renameat(r->fd, tmp, r->fd, rel) < 0)
		err = -errno;
	if (err)
		unlinkat(r->fd, tmp, 0);
	return err;
}
