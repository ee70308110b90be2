/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsroot.c: paths inside --root resolve as if it were /, so no symlink leads out of it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "setup.h"

int fsroot_open(struct fsroot *r, const char *dir)
{
	char real[4096];

	if (!dir || !*dir)
		dir = "/";
	if (!realpath(dir, real))
		return -errno;
	if (strscpy(r->path, real, sizeof(r->path)) < 0)
		return -ENAMETOOLONG;
	r->is_host = !strcmp(real, "/");
	r->fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

int fsroot_open_or_say(struct fsroot *r, const char *dir)
{
	int ret = fsroot_open(r, dir);

	if (ret < 0)
		fprintf(stderr, "passthru-setup: cannot open --root %s: %s\n", dir, strerror(-ret));
	return ret;
}

void fsroot_close(struct fsroot *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* openat2 with RESOLVE_IN_ROOT: "..", absolute symlinks and "/" all stay inside the root. */
int fsroot_openat(const struct fsroot *r, const char *path, int flags, int mode)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_CLOEXEC,
		.mode = (flags & O_CREAT) ? (unsigned)mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, r->fd, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* Only a regular file is read: a FIFO or a device in its place must not hang or flood us. */
int fsroot_read(const struct fsroot *r, const char *path, char **ret, size_t *len)
{
	int fd = fsroot_openat(r, path, O_RDONLY | O_NONBLOCK, 0), err;
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		err = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else
		err = slurp_fd(fd, ret, len);
	close(fd);
	return err;
}

bool fsroot_exists(const struct fsroot *r, const char *path)
{
	int fd = fsroot_openat(r, path, O_PATH, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Open (and with create, make) the folder holding path; *base is its last component. */
int fsroot_parent(const struct fsroot *r, const char *path, bool create, const char **base)
{
	char dir[512], *slash;
	int fd;

	if (strscpy(dir, path, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	*base = path + (slash ? slash - dir + 1 : 0);
	if (slash)
		*slash = '\0';
	fd = fsroot_openat(r, slash ? dir : ".", O_PATH | O_DIRECTORY, 0);
	if (fd != -ENOENT || !create)
		return fd;
	/* make the missing folders one at a time, each inside the root */
	for (char *p = dir + 1; ; p++) {
		char save = *p;
		int pfd;
		const char *b;

		if (*p != '/' && *p != '\0')
			continue;
		*p = '\0';
		pfd = fsroot_parent(r, dir, false, &b);
		if (pfd < 0)
			return pfd;
		if (mkdirat(pfd, b, 0755) < 0 && errno != EEXIST) {
			int e = -errno;

			close(pfd);
			return e;
		}
		close(pfd);
		*p = save;
		if (!save)
			break;
	}
	return fsroot_openat(r, dir, O_PATH | O_DIRECTORY, 0);
}

int fsroot_unlink(const struct fsroot *r, const char *path)
{
	const char *base;
	int fd = fsroot_parent(r, path, false, &base), err = 0;

	if (fd < 0)
		return fd;
	if (unlinkat(fd, base, 0) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The root folder this process holds fsroot_lock's lock on (an install's own judging of the
 * host must not see itself as another run). */
static struct {
	bool held;
	dev_t dev;
	ino_t ino;
} lock_here;

int fsroot_lock(const struct fsroot *r, int seconds)
{
	struct stat st;
	int i;

	for (i = 0; i <= seconds * 10; i++) {
		if (flock(r->fd, LOCK_EX | LOCK_NB) == 0) {
			if (fstat(r->fd, &st) == 0) {
				lock_here.held = true;
				lock_here.dev = st.st_dev;
				lock_here.ino = st.st_ino;
			}
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (i == 0)
			fprintf(stderr, "passthru-setup: another passthru-setup install, uninstall or "
				"confirm is working on %s: waiting up to %d s\n", r->path, seconds);
		usleep(100000);
	}
	fprintf(stderr, "passthru-setup: another passthru-setup install, uninstall or confirm is "
		"still working on %s after %d s: nothing was changed; run this again when it is done\n",
		r->path, seconds);
	return -EWOULDBLOCK;
}

bool fsroot_busy(const struct fsroot *r)
{
	/* a second open: flock conflicts between open file descriptions, never within one */
	struct stat st;
	int fd;
	bool busy;

	if (lock_here.held && fstat(r->fd, &st) == 0 && st.st_dev == lock_here.dev &&
	    st.st_ino == lock_here.ino)
		return false;
	fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

bool fsroot_executable(const struct fsroot *r, const char *path)
{
	struct stat st;
	int fd = fsroot_openat(r, path, O_RDONLY | O_NONBLOCK, 0);
	bool x;

	if (fd < 0)
		return false;
	x = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
	close(fd);
	return x;
}
