/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.c: run an external command (update-grub, grubby, dracut) or say what would run; capture output.
 * Testing only: PASSTHRU_TEST_RUN_COMMANDS=1 runs them even with --root (stand-ins on PATH
 * read PASSTHRU_TEST_ROOT); without it, --root never runs a command. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "setup.h"

int run_cmd(const char *const argv[], bool dry_run)
{
	pid_t pid;
	int status, i;

	printf("%s", dry_run ? "would run:" : "running:");
	for (i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	if (dry_run)
		return 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "passthru-setup: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "passthru-setup: %s failed (exit %d)\n", argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -ECHILD;
	}
	return 0;
}

bool run_found(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char full[4200];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	for (p = path && *path ? path : "/bin:/usr/bin"; ; p = end + 1) {
		end = strchrnul(p, ':');
		snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p), end > p ? p : ".", name);
		if (end - p < 4000 && access(full, X_OK) == 0)
			return true;
		if (!*end)
			return false;
	}
}

int run_piped(void (*child)(void *), void *arg, char **out, int *status)
{
	int p[2], r;
	pid_t pid;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(p[1], 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		child(arg);
		_exit(127);
	}
	close(p[1]);
	r = slurp_fd(p[0], out, NULL);
	close(p[0]);
	if (waitpid(pid, status, 0) < 0 && !r)
		r = -errno;
	if (r < 0) {
		free(*out);
		*out = NULL;
	}
	return r;
}

struct capture {
	const char *const *argv;
	const char *dir;
};

/* run_capture's child: in dir, argv with a fixed PATH (the tests': the caller's) */
static void capture_child(void *arg)
{
	static char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
				     "/sbin:/bin", "LC_ALL=C", NULL };
	const struct capture *c = arg;

	if (c->dir && chdir(c->dir) < 0)
		_exit(127);
	/* the tests' stand-ins are found on the caller's PATH */
	execvpe(c->argv[0], (char *const *)c->argv, getenv("PASSTHRU_TEST_ROOT") ? environ : env);
}

int run_capture(const char *const argv[], const char *dir, char **out)
{
	struct capture c = { argv, dir };
	int status, r = run_piped(capture_child, &c, out, &status);

	if (r < 0)
		return r;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
