/* SPDX-License-Identifier: GPL-2.0-or-later */
/* manifest.h: the record of what install changed, so that uninstall removes exactly that. */
#ifndef PASSTHRU_MANIFEST_H
#define PASSTHRU_MANIFEST_H
#include <stdint.h>
#include "setup.h"

#define MANIFEST_PATH "/var/lib/passthru/installed"
#define MANIFEST_BACKUP_DIR "/var/lib/passthru/backup"

struct manifest_entry {
	char path[512];
	bool created;		/* the file did not exist before install */
	uint64_t hash;		/* of what install last wrote */
	bool merged;		/* someone else changed it between installs: never restore the
				 * backup over it, take passthru's words out instead */
	char added[256];	/* the words passthru added to it (not those the user had) */
	char replaced[256];	/* the contradicting words install took out of it, for uninstall
				 * to give back when it cannot restore the backup */
};

/* A configured address and the vendor:device it had at install (status: a swapped card). */
struct manifest_device {
	char addr[16];		/* 0000:01:00.0 */
	char id[10];		/* 10de:2204 */
};

struct manifest {
	struct manifest_entry *e;
	size_t n, cap;
	char grubby[600];	/* arguments given to grubby --args */
	char dirs[32][512];	/* folders install made, parents first */
	size_t ndirs;
	bool exists;
	/* What went into the images: install rebuilds them when either changed since. */
	char config_sha256[65];	/* of /etc/passthru.conf, "" when none */
	char claim_sha256[65];	/* of /usr/lib/passthru/passthru-claim */
	char initramfs[32];	/* the generator enabled: dracut, initramfs-tools, mkinitcpio */
	char args[600];		/* the kernel arguments passthru added (not those the user had) */
	struct manifest_device devices[64];
	size_t ndevices;
	char boots[4][16];	/* the boot configurations edited: grub, grubby, kernel-install */
	size_t nboots;
	/* Commands staged but not yet run successfully: the next install runs them again. */
	bool pending_boot, pending_initramfs;
	/* install --trial pending: "CPU pt|nopt KIND GENERATOR [auto-confirm]" (CPU "-": this
	 * machine's; KIND the boot configuration; auto-confirm: no login needed), "" none */
	char trial[80];
	/* A trial ended (confirm, install, uninstall) whose commands have not all run yet (a
	 * power cut): its line as "trial" had it; the next run ends it again. "" none. */
	char trial_ending[80];
	/* The loader entries there were before passthru's first install (entries_known: the
	 * list was taken; a record of an older passthru-setup has none): any other entry was
	 * made after install (a kernel update) and loses passthru's words at uninstall. */
	char **entries_before;
	size_t nentries_before;
	bool entries_known;
	/* What the user chose on the command line, kept for every later install until another
	 * choice (install --bootloader/--initramfs/--cpu auto: detect again) or uninstall: ""
	 * none (detected) */
	char chose_bootloader[16];	/* grub, grubby, kernel-install, none */
	char chose_initramfs[32];	/* dracut, initramfs-tools, mkinitcpio */
	char chose_cpu[8];		/* intel, amd, other */
	bool chose_no_iommu_pt, chose_unsafe_interrupts;
};

uint64_t fnv64(const char *data, size_t len);
int manifest_read(const struct fsroot *fr, struct manifest *m);
/* Stage a file through t and record it when it really changes; added: the words passthru
 * added to it (NULL: none). The backup made is the one of the file before passthru first
 * touched it: a file already in the record is not backed up again. */
int manifest_stage(struct txn *t, struct manifest *m, const char *path, const char *data,
		   size_t len, const char *added);
/* passthru's own files (those install writes whole, which say so in their head) that are
 * under the root, as "PATH, PATH" in buf: what a lost record leaves. Returns how many. */
size_t manifest_orphans(const struct fsroot *fr, char *buf, size_t size);
struct manifest_entry *manifest_find(struct manifest *m, const char *path);
const struct manifest_entry *manifest_find_const(const struct manifest *m, const char *path);
/* Note that install took the contradicting words out of path (it must be in the record). */
void manifest_add_replaced(struct manifest *m, const char *path, const char *words);
/* The loader entries before the first install (v NULL-terminated, copied). */
int manifest_set_entries_before(struct manifest *m, char *const *v);
bool manifest_entry_before(const struct manifest *m, const char *path);
void manifest_add_boot(struct manifest *m, const char *name);
/* Append to the space-separated list dst the words of words it does not have. */
void manifest_add_words(char *dst, size_t size, const char *words);
/* Stage the manifest itself (last). */
int manifest_stage_self(struct txn *t, struct manifest *m);
bool manifest_has_grubby(const struct manifest *m, const char *args);
void manifest_set_grubby(struct manifest *m, const char *args);
void manifest_free(struct manifest *m);
/* Set the record's mtime to now (an install that changed something, though not the record's
 * text): status compares it with the boot's time. */
void manifest_touch(const struct fsroot *fr);
/* Remove the folders install made, deepest first, where they are empty. */
void manifest_remove_dirs(const struct fsroot *fr, const struct manifest *m);

#endif
