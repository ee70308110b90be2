/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dracut.c: dracut: the passthru module enabled by a dracut.conf.d drop-in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "initramfs.h"
#include "manifest.h"

#define DRACUT_CONF "/etc/dracut.conf.d/passthru.conf"

static const char dracut_conf[] =
	"# /etc/dracut.conf.d/passthru.conf: written by passthru-setup install, removed by\n"
	"# passthru-setup uninstall: put passthru-claim in every initramfs.\n"
	"add_dracutmodules+=\" passthru \"\n";

static bool detect(const struct fsroot *fr)
{
	return fsroot_exists(fr, "/usr/bin/dracut") || fsroot_exists(fr, "/usr/sbin/dracut") ||
	       fsroot_exists(fr, "/sbin/dracut");
}

/* Fedora's name for the image is dracut's alone; Debian's initrd.img- is shared. */
static bool built_image_of(const struct fsroot *fr, const char *kver)
{
	char p[300];

	snprintf(p, sizeof(p), "/boot/initramfs-%s.img", kver);
	return fsroot_exists(fr, p);
}

#define MODULE "/usr/lib/dracut/modules.d/90passthru/module-setup.sh"

static int stage_enable(struct txn *t, struct manifest *m, const struct fsroot *fr)
{
	if (!fsroot_exists(fr, MODULE)) {
		fprintf(stderr, "passthru-setup: passthru's dracut module %s is not installed in "
			"%s: dracut would fail to add it (install passthru first: make install)\n",
			MODULE, fr->path);
		return -ENOENT;
	}
	return manifest_stage(t, m, DRACUT_CONF, dracut_conf, strlen(dracut_conf), NULL);
}

static const char *const rebuild[] = { "dracut", "-f", "--regenerate-all", NULL };

/* lsinitrd's listing (ls -l lines: "... etc/passthru.conf") names file as a whole word: not
 * etc/passthru.trial.bak for etc/passthru.trial */
static bool listing_has(const char *out, const char *file)
{
	size_t n = strlen(file);
	const char *p = out;

	while ((p = strstr(p, file))) {
		if ((p == out || p[-1] == ' ' || p[-1] == '/') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}

static int image_has(const struct fsroot *fr, const char *kver, const char *file)
{
	char p[300], link[64], real[4096], *out = NULL;
	const char *argv[] = { "lsinitrd", real, NULL };
	ssize_t n;
	int fd, r;

	snprintf(p, sizeof(p), "/boot/initramfs-%s.img", kver);
	fd = fsroot_openat(fr, p, O_RDONLY, 0);
	if (fd == -ENOENT) {
		snprintf(p, sizeof(p), "/boot/initrd.img-%s", kver);
		fd = fsroot_openat(fr, p, O_RDONLY, 0);
	}
	if (fd < 0)
		return fd;
	/* the image as resolved inside the root (a planted absolute symlink stays in it), by
	 * the path the kernel gives that file: lsinitrd's zstd does not follow /proc/self/fd */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	real[n] = '\0';
	r = run_capture(argv, NULL, &out);
	if (r == 127)
		r = -EOPNOTSUPP;
	else if (r == 0)
		r = out && listing_has(out, file);
	else if (r > 0)
		r = -EIO;
	free(out);
	return r;
}

const struct initramfs_gen initramfs_dracut = {
	.name = "dracut",
	.detect = detect,
	.built_image_of = built_image_of,
	.stage_enable = stage_enable,
	.rebuild_argv = rebuild,
	.image_has = image_has,
};
