/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shell_eval.c: run a configuration's shell code where it is safe: the host's own with the host's shell, an image's only inside the image (private namespaces, read-only, no capabilities). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "setup.h"

#define EXIT_NO_JAIL 125	/* the namespaces, the mounts or the capabilities failed */
#define EXIT_NO_EXEC 127	/* the image's shell did not start */
#define SECONDS 10		/* the image's code runs at most this long */

static char why_unknown[400];

const char *shell_unknown_why(void)
{
	return why_unknown;
}

void shell_unknown_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_unknown, sizeof(why_unknown), fmt, ap);
	va_end(ap);
}


/* In the child, in its own mount namespace: the root, bound read-only on itself, becomes "/"
 * (pivot_root; the host's tree is detached; chroot where pivot_root is refused); then every
 * capability goes, so that root in there can neither leave nor mount nor make devices. */
static int enter(const char *root)
{
	int c;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0 || chdir(root) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0)
			return -errno;
	} else if (chroot(".") < 0) {
		return -errno;
	}
	if (chdir("/") < 0)
		return -errno;
	for (c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* The first child: new namespaces, then the shell as their pid 1; it exits with the shell's
 * status. After SECONDS, SIGALRM ends it, and PDEATHSIG the whole namespace with it. */
static void jail_child(const char *root, const char *const argv[])
{
	static char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
				     "/sbin:/bin", "LC_ALL=C", NULL };
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
		_exit(EXIT_NO_JAIL);
	alarm(SECONDS);
	pid = fork();
	if (pid < 0)
		_exit(EXIT_NO_JAIL);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (enter(root) < 0)
			_exit(EXIT_NO_JAIL);
		execve(argv[0], (char *const *)argv, env);
		_exit(EXIT_NO_EXEC);
	}
	if (waitpid(pid, &status, 0) < 0)
		_exit(EXIT_NO_JAIL);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

struct jailed {
	const char *root;
	const char *const *argv;
};

static void jailed_child(void *arg)
{
	const struct jailed *j = arg;

	syscall(SYS_close_range, 3U, ~0U, 0U);
	jail_child(j->root, j->argv);
}

/* argv run inside the root; its stdout in *out. The exit status, or -errno. */
static int run_jailed(const char *root, const char *const argv[], char **out)
{
	struct jailed j = { root, argv };
	int status, r = run_piped(jailed_child, &j, out, &status);

	if (r < 0)
		return r;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return -ETIME;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int shell_eval(const struct fsroot *fr, const char *shell, const char *script,
	       const char *const args[], size_t nargs, char **out)
{
	const char *argv[48];
	size_t i;
	int r;

	*out = NULL;
	if (nargs > ARRAY_SIZE(argv) - 5)
		return -E2BIG;
	argv[0] = fr->is_host ? strrchr(shell, '/') + 1 : shell;
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = argv[0];
	for (i = 0; i < nargs; i++)
		argv[4 + i] = args[i];
	argv[4 + nargs] = NULL;
	if (fr->is_host)	/* the host's own configuration, as its own tools run it */
		return run_capture(argv, NULL, out);
	/* another machine's code never runs on this one: only inside its image */
	if (geteuid() != 0) {
		shell_unknown_set("the image's shell code was not run (passthru-setup runs it only "
				  "inside the image, which needs root)");
		return -ENOEXEC;
	}
	if (!fsroot_executable(fr, shell)) {
		shell_unknown_set("the image's shell code was not run (it has no executable %s to "
				  "run it inside the image)", shell);
		return -ENOEXEC;
	}
	r = run_jailed(fr->path, argv, out);
	if (r == -ETIME) {
		shell_unknown_set("the image's shell code did not end within %d s inside the "
				  "image: stopped", SECONDS);
		return -ENOEXEC;
	}
	if (r == EXIT_NO_JAIL || r == EXIT_NO_EXEC) {
		free(*out);
		*out = NULL;
		shell_unknown_set("the image's shell code was not run (%s)", r == EXIT_NO_JAIL ?
				  "private namespaces for the image, unshare and a read-only mount, "
				  "were refused" : "its shell did not start inside the image");
		return -ENOEXEC;
	}
	return r;
}
