/* run.c: run an external command (update-grub, grubby, dracut), or say what would run.
 * Testing only: PASSTHRU_TEST_RUN_COMMANDS=1 runs them even with --root (stand-ins on PATH
 * read PASSTHRU_TEST_ROOT); without it, --root never runs a command. */
#include <errno.h>
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
