/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_list.c: ask a generator's lister (lsinitramfs, lsinitcpio) what an image holds. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "initramfs_list.h"

/* "./usr/lib/x", "/usr/lib/x" and "usr/lib/x" name the same file of an archive */
static bool same_member(const char *line, const char *file)
{
	if (line[0] == '.' && line[1] == '/')
		line += 2;
	while (*line == '/')
		line++;
	return !strcmp(line, file);
}

static int scan(FILE *f, const char *file)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int found = 0;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (same_member(line, file))
			found = 1;
	}
	free(line);
	return found;
}

int initramfs_list_has(const struct fsroot *fr, const char *lister, const char *lister_path,
		       const char *image, const char *file)
{
	char link[64], arg[4096];
	int img, p[2], status, found;
	ssize_t n;
	pid_t pid;
	FILE *f;

	img = fsroot_openat(fr, image, O_RDONLY, 0);
	if (img < 0)
		return img;
	if (!fsroot_exists(fr, lister_path)) {
		close(img);
		return -EOPNOTSUPP;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(img);
		return -errno;
	}
	/* the image is resolved inside the root (an absolute symlink stays in it); the lister gets
	 * the path the kernel gives that file (not /dev/fd/N: zstd ignores symlinks) */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", img);
	n = readlink(link, arg, sizeof(arg) - 1);
	if (n < 0 || n >= (ssize_t)sizeof(arg) - 1) {
		int err = n < 0 ? -errno : -ENAMETOOLONG;

		close(img);
		close(p[0]);
		close(p[1]);
		return err;
	}
	close(img);
	arg[n] = '\0';
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (dup2(p[1], STDOUT_FILENO) < 0 || null < 0 || dup2(null, STDERR_FILENO) < 0)
			_exit(127);
		execlp(lister, lister, arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f) {
		close(p[0]);
		waitpid(pid, &status, 0);
		return -ENOMEM;
	}
	found = scan(f, file);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (found)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -EOPNOTSUPP : -EIO;
	return 0;
}

long long initramfs_mtime(const struct fsroot *fr, const char *path)
{
	struct stat st;
	int fd = fsroot_openat(fr, path, O_PATH, 0);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return (long long)st.st_mtime;
}
