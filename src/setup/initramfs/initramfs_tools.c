/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_tools.c: initramfs-tools (Debian, Ubuntu, Proxmox VE) in the generator table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "initramfs.h"
#include "initramfs_list.h"
#include "manifest.h"

/* The switch the hook in /usr/share/initramfs-tools/hooks/passthru looks for. mkinitramfs
 * sources conf.d files, so it is shell: a comment. The hook keeps it out of the image. */
#define SWITCH_PATH "/etc/initramfs-tools/conf.d/passthru"
static const char switch_text[] =
	"# passthru: written by passthru-setup install, removed by passthru-setup uninstall.\n"
	"# While it exists, /usr/share/initramfs-tools/hooks/passthru puts passthru-claim and\n"
	"# /etc/passthru.conf into every image that update-initramfs builds.\n";

static bool detect(const struct fsroot *fr)
{
	return (fsroot_exists(fr, "/usr/sbin/mkinitramfs") ||
		fsroot_exists(fr, "/sbin/mkinitramfs")) &&
	       fsroot_exists(fr, "/etc/initramfs-tools/initramfs.conf");
}

/* update-initramfs records each image it builds in /var/lib/initramfs-tools/KVER (its sha1),
 * right after writing it: an image much newer than that record was rebuilt by another tool
 * (dracut writes the same /boot/initrd.img-KVER on Debian). */
static bool built_image_of(const struct fsroot *fr, const char *kver)
{
	char image[512], state[512];
	long long ti, ts;

	snprintf(image, sizeof(image), "/boot/initrd.img-%s", kver);
	snprintf(state, sizeof(state), "/var/lib/initramfs-tools/%s", kver);
	ti = initramfs_mtime(fr, image);
	ts = initramfs_mtime(fr, state);
	return ti >= 0 && ts >= 0 && ti <= ts + 60;
}

/* What make install puts in INITRAMFSTOOLSDIR (/usr/share/initramfs-tools); mkinitramfs reads
 * /etc/initramfs-tools's hooks and scripts too. */
static const struct initramfs_hook hooks[] = {
	{ "/usr/share/initramfs-tools/hooks/passthru", "/etc/initramfs-tools/hooks/passthru" },
	{ "/usr/share/initramfs-tools/scripts/init-top/passthru",
	  "/etc/initramfs-tools/scripts/init-top/passthru" },
	{ NULL, NULL },
};

static int stage_enable(struct txn *t, struct manifest *m, const struct fsroot *fr)
{
	int r = initramfs_hooks_installed(fr, initramfs_tools.name, hooks);

	if (r < 0)
		return r;
	return manifest_stage(t, m, SWITCH_PATH, switch_text, strlen(switch_text), NULL);
}

static const char *const rebuild[] = { "update-initramfs", "-u", "-k", "all", NULL };

static int image_has(const struct fsroot *fr, const char *kver, const char *file)
{
	char image[512];

	snprintf(image, sizeof(image), "/boot/initrd.img-%s", kver);
	return initramfs_list_has(fr, "lsinitramfs", "/usr/bin/lsinitramfs", image, file);
}

const struct initramfs_gen initramfs_tools = {
	.name = "initramfs-tools",
	.detect = detect,
	.built_image_of = built_image_of,
	.stage_enable = stage_enable,
	.rebuild_argv = rebuild,
	.image_has = image_has,
};
