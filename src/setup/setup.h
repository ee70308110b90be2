/* setup.h: what the passthru-setup files share: options, the root, file transactions. */
#ifndef PASSTHRU_SETUP_H
#define PASSTHRU_SETUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "util.h"

struct opts {
	const char *root;	/* --root: an installation mounted there, or NULL for / */
	const char *sysroot;	/* --sysroot: where /sys, /proc, /run are read (tests) */
	const char *cpu;	/* intel, amd, other, or NULL: this machine's */
	const char *bootloader;	/* auto, grub, grubby, kernel-install, none */
	const char *initramfs;	/* --initramfs dracut|initramfs-tools|mkinitcpio, or NULL: found */
	const char **devices;	/* --device */
	size_t ndevices;
	const char *split;	/* xml --split DIR */
	bool sysroot_given;	/* --sysroot was on the command line */
	bool dry_run, json, no_iommu_pt, allow_unsafe_interrupts, no_initramfs;
};

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
/* Read a whole file; -ENOENT when missing. */
int fsroot_read(const struct fsroot *r, const char *path, char **ret, size_t *len);
bool fsroot_exists(const struct fsroot *r, const char *path);
/* The folder that holds path, opened inside the root, and the last component. */
int fsroot_parent(const struct fsroot *r, const char *path, bool create, const char **base);
int fsroot_unlink(const struct fsroot *r, const char *path);

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
/* Print a unified diff of every staged change. */
void txn_diff(const struct txn *t, FILE *out);
/* Back up, then replace each file atomically; on failure undo what was done. */
int txn_commit(struct txn *t, const char *backup_dir, char *err, size_t errsize);
void txn_free(struct txn *t);
/* Testing only: PASSTHRU_FAIL_AT=N makes the Nth file operation fail with EIO. */
int fault_point(const char *what);

/* kargs.c: kernel argument lists as text. */
struct kargs_edit {
	char add[8][64];
	size_t nadd;
	char drop[8][64];	/* exact arguments that contradict (intel_iommu=off ...) */
	size_t ndrop;
};
void kargs_for_cpu(const char *cpu, bool iommu_pt, struct kargs_edit *ret);
/* Apply to a space-separated list; returns a malloc'd string. Notes what it dropped. */
char *kargs_apply(const char *line, const struct kargs_edit *e, struct sbuf *dropped);
/* Remove the arguments e adds (uninstall); malloc'd. */
char *kargs_remove(const char *line, const struct kargs_edit *e);
bool kargs_has(const char *line, const char *arg);

/* grubfile.c: GRUB_CMDLINE_LINUX in /etc/default/grub, edited in place. */
char *grubfile_edit(const char *text, const char *var, const struct kargs_edit *e, bool remove,
		    struct sbuf *dropped);
/* The drop-in for /etc/default/grub.d/ that Debian's grub-mkconfig sources. */
char *grub_dropin(const struct kargs_edit *e);

/* run.c: external commands (update-grub, grubby, dracut). */
int run_cmd(const char *const argv[], bool dry_run);
struct bootcmds {
	bool grub, grubby, initramfs;
	const char *grubby_args;	/* grubby --args, or NULL/"" */
	const char *grubby_remove;	/* grubby --remove-args, or NULL/"" */
};
/* Regenerate what the boot reads: grubby, update-grub, dracut; with --root only say so. */
struct opts;
int run_boot_commands(const struct fsroot *fr, const struct opts *o, const struct bootcmds *b);

int cmd_install(struct opts *o);
int cmd_uninstall(struct opts *o);
int cmd_status(struct opts *o);
int cmd_list(struct opts *o);
int cmd_plan(struct opts *o);
int cmd_xml(struct opts *o, int argc, char **argv);

#endif
