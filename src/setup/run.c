/* run.c: run an external command (update-grub, grubby, dracut), or say what would run.
 * Testing only: PASSTHRU_TEST_RUN_COMMANDS=1 runs them even with --root (stand-ins on PATH
 * read PASSTHRU_TEST_ROOT); without it, --root never runs a command. */
#include <errno.h>
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

int run_boot_commands(const struct fsroot *fr, const struct opts *o, const struct bootcmds *b)
{
	bool update_grub = fsroot_exists(fr, "/usr/sbin/update-grub") ||
			   fsroot_exists(fr, "/usr/bin/update-grub");
	char a1[640], a2[640];
	int ret = 0;

	if (!fr->is_host && !getenv("PASSTHRU_TEST_RUN_COMMANDS")) {
		printf("--root: nothing was run against this host. Inside %s, run:\n", fr->path);
		if (b->grubby)
			printf("  grubby --update-kernel=ALL%s%s%s%s%s\n",
			       b->grubby_args && *b->grubby_args ? " --args=\"" : "",
			       b->grubby_args && *b->grubby_args ? b->grubby_args : "",
			       b->grubby_remove && *b->grubby_remove ? "\" --remove-args=\"" : "",
			       b->grubby_remove && *b->grubby_remove ? b->grubby_remove : "", "\"");
		if (b->grub)
			printf("  %s\n", update_grub ? "update-grub" : "grub-mkconfig -o /boot/grub/grub.cfg");
		if (b->initramfs)
			printf("  dracut -f --regenerate-all\n");
		return 0;
	}
	if (b->grubby) {
		const char *argv[5] = { "grubby", "--update-kernel=ALL" };
		int n = 2;

		if (b->grubby_args && *b->grubby_args) {
			snprintf(a1, sizeof(a1), "--args=%s", b->grubby_args);
			argv[n++] = a1;
		}
		if (b->grubby_remove && *b->grubby_remove) {
			snprintf(a2, sizeof(a2), "--remove-args=%s", b->grubby_remove);
			argv[n++] = a2;
		}
		if (n > 2)
			ret |= run_cmd(argv, o->dry_run);
	}
	if (b->grub) {
		const char *argv[] = { "update-grub", NULL };
		const char *alt[] = { "grub-mkconfig", "-o", "/boot/grub/grub.cfg", NULL };

		ret |= run_cmd(update_grub ? argv : alt, o->dry_run);
	}
	if (b->initramfs) {
		const char *argv[] = { "dracut", "-f", "--regenerate-all", NULL };

		ret |= run_cmd(argv, o->dry_run);
	}
	return ret ? 1 : 0;
}
