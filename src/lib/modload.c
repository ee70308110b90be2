/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modload.c: load a driver's module with libkmod, honouring modprobe.d, unless it is there. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libkmod.h>
#include "claim.h"
#include "util.h"
#include "variant.h"

struct logbuf {
	char *buf;
	size_t size;
};

static void on_kmod_log(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	struct logbuf *l = data;

	if (priority <= 3)	/* LOG_ERR */
		vsnprintf(l->buf, l->size, format, args);
}

int modload(const struct root *r, const char *driver, char *err, size_t errsize)
{
	char p[256], modname[64], dir[4400], cfg[4][4400];
	const char *cfgv[5];
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL, *it;
	struct logbuf lb = { err, errsize };
	bool sysroot = strcmp(r->path, "/") != 0;
	char release[128] = "";
	size_t i;
	int ret = 0, n = 0;

	snprintf(p, sizeof(p), "sys/bus/pci/drivers/%s", driver);
	if (root_exists(r, p))
		return 0;
	strscpy(modname, driver, sizeof(modname));
	for (i = 0; modname[i]; i++)
		if (modname[i] == '-')
			modname[i] = '_';
	snprintf(p, sizeof(p), "sys/module/%s", modname);
	if (root_exists(r, p))
		return 0;
	err[0] = '\0';
	if (sysroot) {
		static const char *const dirs[] = { "etc/modprobe.d", "run/modprobe.d",
						    "usr/local/lib/modprobe.d", "lib/modprobe.d" };

		/* the sysroot's kernel: its proc/sys/kernel/osrelease */
		kernel_release(r, release, sizeof(release));
		snprintf(p, sizeof(p), "lib/modules/%s", release);
		root_path(r, p, dir, sizeof(dir));
		for (i = 0; i < 4; i++) {
			root_path(r, dirs[i], cfg[i], sizeof(cfg[i]));
			cfgv[i] = cfg[i];
		}
		cfgv[4] = NULL;
	}
	ctx = kmod_new(sysroot ? dir : NULL, sysroot ? cfgv : NULL);
	if (!ctx) {
		snprintf(err, errsize, "libkmod could not start");
		return -ENOMEM;
	}
	kmod_set_log_fn(ctx, on_kmod_log, &lb);
	ret = kmod_module_new_from_lookup(ctx, driver, &list);
	if (ret < 0) {
		snprintf(err, errsize, "module lookup failed: %s", strerror(-ret));
		goto out;
	}
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);

		ret = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
		kmod_module_unref(mod);
		if (ret < 0) {
			if (!err[0])
				snprintf(err, errsize, "%s", strerror(-ret));
			break;
		}
		n++;
	}
	if (!ret && !n) {
		snprintf(err, errsize, "no module named %s for kernel %s", driver,
			 sysroot ? release : "in use");
		ret = -ENOENT;
	}
out:
	kmod_module_unref_list(list);
	kmod_unref(ctx);
	return ret < 0 ? ret : 0;
}
