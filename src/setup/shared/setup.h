/* SPDX-License-Identifier: GPL-2.0-or-later */
/* setup.h: what the passthru-setup files share: options, the root, file transactions, commands run. */
#ifndef PASSTHRU_SETUP_H
#define PASSTHRU_SETUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "util.h"

struct opts {
	const char *root;	/* --root: an installation mounted there, or NULL for / */
	const char *sysroot;	/* --sysroot: where /sys, /proc, /run are read (tests) */
	/* install's choices; NULL: not given (the last install's choice, else found); "auto":
	 * found, and the last install's choice forgotten */
	const char *cpu;	/* intel, amd, other, auto, or NULL: this machine's */
	const char *bootloader;	/* auto, grub, grubby, kernel-install, none */
	const char *initramfs;	/* --initramfs auto|dracut|initramfs-tools|mkinitcpio */
	const char **devices;	/* --device */
	size_t ndevices;
	const char *split;	/* xml --split DIR */
	bool sysroot_given;	/* --sysroot was on the command line */
	bool dry_run, json, no_iommu_pt, allow_unsafe_interrupts, no_initramfs;
	bool diff;		/* --diff (with --json): each file's before and after in the document */
	bool nfd;		/* status --nfd: Node Feature Discovery feature lines */
	bool trial;		/* install --trial: the next boot only, until confirm */
	bool confirming;	/* install run by confirm: only while the trial is still pending */
	bool auto_confirm;	/* install --trial --auto-confirm: no login needed (headless) */
	bool after_login;	/* confirm --after-login: wait for a login session first */
	bool verbose;		/* status --verbose: the boot's status document too */
};

/* --root without --sysroot: the image is for other machines; this machine's /sys and /proc
 * say nothing about them, and nothing read there may go into the image. */
static inline bool opts_foreign_image(const struct opts *o)
{
	return o->root && !o->sysroot_given;
}

/* fsroot.c: paths inside --root resolve as if it were / (openat2 RESOLVE_IN_ROOT). */
struct fsroot {
	int fd;
	char path[4096];
	bool is_host;		/* the root is / */
};
int fsroot_open(struct fsroot *r, const char *dir);
/* The same, saying what went wrong on stderr. */
int fsroot_open_or_say(struct fsroot *r, const char *dir);
void fsroot_close(struct fsroot *r);
int fsroot_openat(const struct fsroot *r, const char *path, int flags, int mode);
/* PATH inside the root is an executable regular file (symlinks resolved inside it). */
bool fsroot_executable(const struct fsroot *r, const char *path);
/* Read a whole file; -ENOENT when missing. */
int fsroot_read(const struct fsroot *r, const char *path, char **ret, size_t *len);
bool fsroot_exists(const struct fsroot *r, const char *path);
/* The folder that holds path, opened inside the root, and the last component. */
int fsroot_parent(const struct fsroot *r, const char *path, bool create, const char **base);
int fsroot_unlink(const struct fsroot *r, const char *path);
/* One install or uninstall at a time per root: flock on the root folder itself (nothing is
 * left behind); waits up to `seconds`, then says who holds it and returns -EWOULDBLOCK. */
int fsroot_lock(const struct fsroot *r, int seconds);
/* Another passthru-setup holds fsroot_lock's lock on this root now (an install, uninstall or
 * confirm is changing it). */
bool fsroot_busy(const struct fsroot *r);

/* txn.c: every edited file is backed up and replaced atomically, or left as it was. */
enum change_kind { CHANGE_WRITE, CHANGE_DELETE };
struct change {
	char path[512];
	enum change_kind kind;
	char *old;		/* NULL when the file does not exist */
	size_t oldlen;
	char *new;
	size_t newlen;
	bool done;
	bool no_backup;		/* the backup that matters exists already (or none is wanted) */
};
struct txn {
	const struct fsroot *root;
	struct change *c;
	size_t n, cap;
};
/* Stage a new content for path (NULL: delete it). Unchanged files are dropped. */
int txn_stage(struct txn *t, const char *path, const char *data, size_t len);
int txn_stage_delete(struct txn *t, const char *path);
size_t txn_count(const struct txn *t);
/* Read path as the transaction would leave it: staged content first, then the file. */
int txn_read(const struct txn *t, const char *path, char **ret, size_t *len);
/* The files in folder dir whose names end in suffix, as the transaction would leave them,
 * sorted as the shell's glob does in the C locale; malloc'd paths, NULL-terminated. */
int txn_list(const struct txn *t, const char *dir, const char *suffix, char ***ret);
void strv_free(char **v);
/* Print a unified diff of every staged change. */
void txn_diff(const struct txn *t, FILE *out);
/* Write path atomically: ".NAME.passthru-tmp" beside it, fsync, rename over, fsync the folder
 * (made, with its parents, when missing); mode 0644 (0755 under /etc/grub.d). */
int fsroot_replace(const struct fsroot *r, const char *path, const char *data, size_t len);
/* Back up, then replace each file atomically; on failure undo what was done. */
int txn_commit(struct txn *t, const char *backup_dir, char *err, size_t errsize);
/* After a commit: every file back as it was before it (backup_dir: the backups it made go
 * too), said on stdout. 0 or -errno (said). */
int txn_undo(const struct txn *t, const char *backup_dir);
void txn_free(struct txn *t);
/* Testing only: PASSTHRU_FAIL_AT=N makes the Nth file operation fail with EIO. */
int fault_point(const char *what);

/* run.c: external commands (update-grub, grubby, dracut). */
int run_cmd(const char *const argv[], bool dry_run);
/* Whether execvp would find name (in $PATH, as run_cmd looks for it). */
bool run_found(const char *name);
/* Run argv with its stdout in *out (malloc'd); the exit status, or -errno. */
int run_capture(const char *const argv[], const char *dir, char **out);
/* child(arg) in a fork whose stdout is a pipe (stdin and stderr /dev/null): its output in
 * *out, its wait status in *status. 0 or -errno. */
int run_piped(void (*child)(void *), void *arg, char **out, int *status);

/* shell_eval.c: a configuration's shell code run where it is safe. `shell -c script shell
 * args...`: with the root the host (/), the host's shell (basename of shell, on PATH); with an
 * image, only inside it: as root, the image's own shell (an absolute path in the image) in new
 * mount, pid, net, ipc and uts namespaces, the image bound read-only as "/", no capability
 * left, at most 10 s. Its stdout in *out; the exit status, or -errno: -ENOEXEC when it was not
 * run (shell_unknown_why() says why). */
int shell_eval(const struct fsroot *fr, const char *shell, const char *script,
	       const char *const args[], size_t nargs, char **out);
const char *shell_unknown_why(void);
void shell_unknown_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* shstatic.c: what an image's configuration sets, read without running it: only blank lines,
 * comments and plain assignments (NAME=VALUE, NAME+=VALUE, bash's NAME=(WORD...), export) are
 * understood; a value with a command's output or an unknown variable in it is not known. */
struct shvar {
	char *name, *value;	/* an array's words joined by blanks */
	bool known;
	bool array;		/* bash: NAME=value then sets only its first element */
};
struct shvars {
	struct shvar v[64];
	size_t n;
};
/* text (from file, named in the reason) read into s: 0, -ENOEXEC when it holds anything else
 * (shell_unknown_why() says where), -ENOMEM, -E2BIG. */
int shstatic_eval(struct shvars *s, const char *text, const char *file);
/* The whole value (array: it is one now, its words joined by blanks). */
int shvars_set(struct shvars *s, const char *name, const char *value, bool array);
/* The value ("" when unset); *known false when it came from a command or an unknown one. */
const char *shvars_get(const struct shvars *s, const char *name, bool *known);
void shvars_free(struct shvars *s);

#endif
