/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs.h: the initramfs generators (dracut, initramfs-tools, mkinitcpio) behind one table. */
#ifndef PASSTHRU_INITRAMFS_H
#define PASSTHRU_INITRAMFS_H
#include <stdbool.h>
#include "setup.h"

struct manifest;

/*
 * One generator: one file each (dracut.c, initramfs_tools.c, mkinitcpio.c),
 * one loop in the callers (install, uninstall, status). Functions return -errno.
 */
struct initramfs_gen {
	const char *name;	/* "dracut", "initramfs-tools", "mkinitcpio": --initramfs NAME */
	/* The generator is installed in the root (its command and configuration exist). */
	bool (*detect)(const struct fsroot *fr);
	/* It made the image of kernel kver (to choose when several are installed); false when
	 * that cannot be told. */
	bool (*built_image_of)(const struct fsroot *fr, const char *kver);
	/* Stage, through the manifest (so uninstall removes exactly them), the files that enable
	 * passthru in this generator's images (a dracut.conf.d or mkinitcpio.conf.d drop-in, ...). */
	int (*stage_enable)(struct txn *t, struct manifest *m, const struct fsroot *fr);
	/* The command that rebuilds every image with this generator, NULL-terminated. */
	const char *const *rebuild_argv;
	/* Whether the image of kernel kver holds file (a path in the image without its leading
	 * slash: IMAGE_CLAIM, IMAGE_TRIAL_MARK): 1 yes, 0 no, -ENOENT no
	 * image, -EOPNOTSUPP the generator's lister is missing, other -errno. */
	int (*image_has)(const struct fsroot *fr, const char *kver, const char *file);
	/* Whether the generator, evaluating its configuration as t would leave it, takes passthru
	 * in (a later file of the user's may take it out again): 1 yes; 0 no, why says which file
	 * and how, fix the edit that fixes it ("" when passthru-setup install does); -ENOEXEC not
	 * known (shell_unknown_why() says why); -errno. NULL: nothing to check (the switch alone
	 * decides). */
	int (*takes_passthru)(const struct txn *t, char *why, size_t wsize, char *fix,
			      size_t fsize);
};

/* One of passthru's hook files for a generator, where make install puts it (path) and where
 * the generator also reads it (alt, the /etc folder of the user's own; NULL: none). */
struct initramfs_hook {
	const char *path;
	const char *alt;
};
/* Every hook file of h (ended by { NULL }) in the root; says which is not on stderr, naming
 * make install and the package: -ENOENT then, else 0. Called by stage_enable, before any file
 * is changed. */
int initramfs_hooks_installed(const struct fsroot *fr, const char *gen,
			      const struct initramfs_hook *h);

/* passthru's files inside an image, as image_has() takes them */
#define IMAGE_CLAIM "usr/lib/passthru/passthru-claim"
#define IMAGE_TRIAL_MARK "etc/passthru.trial"

/* mkinitcpio: passthru's HOOKS drop-in, its text (mkinitcpio/passthru.conf) and where install
 * writes it */
#define MKINITCPIO_DROPIN "/etc/mkinitcpio.conf.d/passthru.conf"
extern const char mkinitcpio_dropin[];
/* mkinitcpio_hooks.c: takes_passthru for mkinitcpio: /etc/mkinitcpio.conf, then
 * /etc/mkinitcpio.conf.d/ *.conf in version order (mkinitcpio's sort -V), HOOKS after each; run
 * by bash as shell_eval allows, else read without running (passthru's drop-in applied as its
 * code does); then mkinitcpio_preset_configs. */
int mkinitcpio_takes_passthru(const struct txn *t, char *why, size_t wsize, char *fix,
			      size_t fsize);
/* HOOKS set by the one file path (what mkinitcpio -c path builds with) into hooks: 1 passthru
 * is in them, 0 not, -errno (-ENOEXEC not known). */
int mkinitcpio_hooks_of(const struct txn *t, const char *path, char *hooks, size_t hsize);
/* mkinitcpio_presets.c: a preset of /etc/mkinitcpio.d/ *.preset that gives an image -c CONFIG
 * (PRESET_config, or ALL_config) whose HOOKS lack passthru: with -c, mkinitcpio reads no
 * drop-in. 1 none; 0 one, said in why and fix; -errno (-ENOEXEC not known). */
int mkinitcpio_preset_configs(const struct txn *t, char *why, size_t wsize, char *fix,
			      size_t fsize);

extern const struct initramfs_gen initramfs_dracut;
extern const struct initramfs_gen initramfs_tools;
extern const struct initramfs_gen initramfs_mkinitcpio;

/* 1 when the image of a kernel under the root's /lib/modules does not hold what install puts in
 * it: passthru-claim when claim (a config exists), the trial's mark when mark (and never
 * otherwise); which (size 0: not wanted) names those kernels. 0 otherwise, and where nothing
 * can tell (no kernel, no image, no lister). Install rebuilds then: a kernel installed while
 * passthru was not enabled, a rebuild that did not run. */
int initramfs_stale(const struct fsroot *fr, const struct initramfs_gen *g, bool claim, bool mark,
		    char *which, size_t size);

/* Every generator, in the order detection prefers them; NULL-terminated. */
extern const struct initramfs_gen *const initramfs_gens[];

/* The generator to use: `want` (--initramfs NAME) when given and present; otherwise the one
 * present, or among several the one that built the running kernel's image. NULL: none (the
 * caller names the supported ones). */
const struct initramfs_gen *initramfs_find(const struct fsroot *fr, const char *want,
					   const char *running_kver);

#endif
