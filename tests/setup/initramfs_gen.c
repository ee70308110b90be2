/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs_gen.c: test driver: one entry of the initramfs generator table on a temporary root.
 * usage: initramfs-gen initramfs-tools|mkinitcpio ROOT detect|built KVER|stage|argv|has KVER [FILE]
 * (has: FILE in the image, default usr/lib/passthru/passthru-claim) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "initramfs.h"
#include "manifest.h"

int main(int argc, char **argv)
{
	const struct initramfs_gen *g;
	struct fsroot fr;
	int r = 0, i;

	if (argc < 4)
		return 2;
	if (!strcmp(argv[1], initramfs_tools.name))
		g = &initramfs_tools;
	else if (!strcmp(argv[1], initramfs_mkinitcpio.name))
		g = &initramfs_mkinitcpio;
	else
		return 2;
	if (fsroot_open_or_say(&fr, argv[2]) < 0)
		return 2;
	if (!strcmp(argv[3], "detect")) {
		printf("%s\n", g->detect(&fr) ? "yes" : "no");
	} else if (!strcmp(argv[3], "built") && argc == 5) {
		printf("%s\n", g->built_image_of(&fr, argv[4]) ? "yes" : "no");
	} else if (!strcmp(argv[3], "has") && (argc == 5 || argc == 6)) {
		r = g->image_has(&fr, argv[4], argc == 6 ? argv[5] : "usr/lib/passthru/passthru-claim");
		printf("%s\n", r == 1 ? "yes" : r == 0 ? "no" : r == -ENOENT ? "no-image" :
		       r == -EOPNOTSUPP ? "no-lister" : strerror(-r));
		r = 0;
	} else if (!strcmp(argv[3], "argv")) {
		for (i = 0; g->rebuild_argv[i]; i++)
			printf("%s%s", i ? " " : "", g->rebuild_argv[i]);
		printf("\n");
	} else if (!strcmp(argv[3], "stage")) {
		struct txn t = { .root = &fr };
		struct manifest m = { 0 };
		char err[256] = "";

		r = manifest_read(&fr, &m);
		if (r >= 0)
			r = g->stage_enable(&t, &m, &fr);
		if (r >= 0)
			r = manifest_stage_self(&t, &m);
		if (r >= 0)
			r = txn_commit(&t, MANIFEST_BACKUP_DIR, err, sizeof(err));
		for (i = 0; r >= 0 && i < (int)m.n; i++)
			printf("%s\n", m.e[i].path);
		if (r < 0)
			fprintf(stderr, "initramfs-gen: %s: %s\n", strerror(-r), err);
		txn_free(&t);
		manifest_free(&m);
	} else {
		r = -EINVAL;
	}
	fsroot_close(&fr);
	return r < 0 ? 1 : 0;
}
