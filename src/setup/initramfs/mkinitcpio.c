/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkinitcpio.c: Arch Linux's mkinitcpio (busybox and systemd images) in the table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "initramfs.h"
#include "initramfs_list.h"
#include "manifest.h"

#define DROPIN_PATH MKINITCPIO_DROPIN
/* mkinitcpio/passthru.conf as a C string (generated at build time: one text, also the one the
 * VM tests build their images with) */
const char mkinitcpio_dropin[] =
#include "mkinitcpio_dropin.h"
	;

static bool detect(const struct fsroot *fr)
{
	return (fsroot_exists(fr, "/usr/bin/mkinitcpio") || fsroot_exists(fr, "/bin/mkinitcpio")) &&
	       fsroot_exists(fr, "/etc/mkinitcpio.conf");
}

/* The package name of the kernel (Arch: /usr/lib/modules/KVER/pkgbase, e.g. "linux-lts"): its
 * preset /etc/mkinitcpio.d/NAME.preset makes /boot/initramfs-NAME.img. 0, or -errno. */
static int pkgbase(const struct fsroot *fr, const char *kver, char *name, size_t size)
{
	char path[512], *text = NULL;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "/usr/lib/modules/%s/pkgbase", kver);
	r = fsroot_read(fr, path, &text, &len);
	if (r < 0)
		return r;
	rstrip(text);
	if (!*text || strchr(text, '/') || strlen(text) >= size) {
		free(text);
		return -EINVAL;
	}
	strscpy(name, text, size);
	free(text);
	return 0;
}

static bool built_image_of(const struct fsroot *fr, const char *kver)
{
	char name[128], preset[256];

	if (pkgbase(fr, kver, name, sizeof(name)) < 0)
		return false;
	snprintf(preset, sizeof(preset), "/etc/mkinitcpio.d/%s.preset", name);
	return fsroot_exists(fr, preset);
}

/* What make install puts in INITCPIODIR (/usr/lib/initcpio); mkinitcpio reads /etc/initcpio's
 * install and hooks folders too. */
static const struct initramfs_hook hooks[] = {
	{ "/usr/lib/initcpio/install/passthru", "/etc/initcpio/install/passthru" },
	{ "/usr/lib/initcpio/hooks/passthru", "/etc/initcpio/hooks/passthru" },
	{ NULL, NULL },
};

static int stage_enable(struct txn *t, struct manifest *m, const struct fsroot *fr)
{
	int r = initramfs_hooks_installed(fr, initramfs_mkinitcpio.name, hooks);

	char why[1200], fix[400];

	if (r < 0)
		return r;
	r = manifest_stage(t, m, DROPIN_PATH, mkinitcpio_dropin, strlen(mkinitcpio_dropin), NULL);
	if (r < 0)
		return r;
	/* a later drop-in of the user's, or a preset's -c, wins over passthru's drop-in */
	r = mkinitcpio_takes_passthru(t, why, sizeof(why), fix, sizeof(fix));
	if (r == -ENOEXEC) {
		printf("mkinitcpio HOOKS: unknown: %s; not checked: check them inside the image "
		       "(passthru-setup status there)\n", shell_unknown_why());
		return 0;
	}
	if (r == -EINVAL)
		fprintf(stderr, "passthru-setup: bash cannot source /etc/mkinitcpio.conf, "
			"/etc/mkinitcpio.conf.d/*.conf or a preset (mkinitcpio would fail the same "
			"way): fix them first\n");
	else if (r < 0)
		fprintf(stderr, "passthru-setup: cannot evaluate mkinitcpio's HOOKS: %s\n",
			strerror(-r));
	else if (r == 0)
		fprintf(stderr, "passthru-setup: install refused: %s: mkinitcpio would build images "
			"without passthru-claim; %s\n", why, fix);
	return r == 1 ? 0 : r < 0 ? r : -EINVAL;
}

static const char *const rebuild[] = { "mkinitcpio", "-P", NULL };

static int image_has(const struct fsroot *fr, const char *kver, const char *file)
{
	char name[128], image[256];
	int r = pkgbase(fr, kver, name, sizeof(name));

	if (r < 0)
		return r == -ENOENT ? -ENOENT : r;
	snprintf(image, sizeof(image), "/boot/initramfs-%s.img", name);
	return initramfs_list_has(fr, "lsinitcpio", "/usr/bin/lsinitcpio", image, file);
}

const struct initramfs_gen initramfs_mkinitcpio = {
	.name = "mkinitcpio",
	.detect = detect,
	.built_image_of = built_image_of,
	.stage_enable = stage_enable,
	.rebuild_argv = rebuild,
	.image_has = image_has,
	.takes_passthru = mkinitcpio_takes_passthru,
};
