/* SPDX-License-Identifier: GPL-2.0-or-later */
/* variant.h: which vfio driver a device takes: a vfio variant driver or vfio-pci. */
#ifndef PASSTHRU_VARIANT_H
#define PASSTHRU_VARIANT_H
#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "plan.h"
#include "root.h"

/*
 * A vfio variant driver (nvgrace_gpu_vfio_pci, xe_vfio_pci, mlx5_vfio_pci, ...) binds only
 * through driver_override: its modules.alias lines read "alias vfio_pci:v...d...sv*sd*... MOD".
 * The one whose pattern matches "vfio_" + the device's modalias (fnmatch, as kmod matches
 * aliases) with the fewest '*' wins: libvirt's rule (virPCIDeviceFindBestVFIOVariant).
 */
struct variant_alias {
	const char *pattern;	/* "vfio_pci:v00001234d00001111sv*sd*bc*sc*i*" */
	const char *module;	/* as modules.alias names it (underscores) */
	int wildcards;		/* how many '*' the pattern holds */
	bool installed;		/* modules.dep or modules.builtin names the module */
};

/* The vfio_pci: aliases of one kernel's module folder. */
struct variant_db {
	char *text;		/* the alias lines, split in place; the aliases point into it */
	struct variant_alias *a;
	size_t n, cap;
	bool have_dep;		/* modules.dep was read: installed means something */
};

/* What decides a device's vfio driver. */
struct variant_choice {
	char module[64];	/* the variant that binds; "" for vfio-pci */
	char missing[64];	/* the best match when its module is not installed ("" if none) */
	char tie[64];		/* another module matched with as few '*'; the first one won */
	int wildcards;		/* of the winning pattern; -1 when nothing matched */
};

/* From the texts of modules.alias, modules.dep and modules.builtin (dep, builtin may be
 * NULL: then every module counts as installed). -ENOMEM or 0. */
int variant_db_parse(struct variant_db *db, const char *alias, size_t alen, const char *dep,
		     size_t dlen, const char *builtin, size_t blen);
/* The same read from DIR (a kernel's module folder, relative to the root): -ENOENT when it
 * has no modules.alias (db stays empty: every device takes vfio-pci). */
int variant_db_load(struct variant_db *db, const struct root *r, const char *dir);
/* The same for the running kernel: lib/modules/RELEASE under the root (kernel_release). */
int variant_db_load_running(struct variant_db *db, const struct root *r);
void variant_db_free(struct variant_db *db);

/* The choice for one modalias ("pci:v0000...i00"): pure. */
void variant_pick(const struct variant_db *db, const char *modalias, struct variant_choice *c);

/* The device's modalias: its sysfs modalias file, or one made as the kernel makes it from
 * vendor, device, subsystem_vendor, subsystem_device and class. -errno when unreadable. */
int variant_modalias(const struct root *r, const char *addr, char *buf, size_t size);

/* variant_pick for the device at ADDR ("0000:01:00.0") under the root: the function the
 * planner, list, status and xml call. -errno when its modalias cannot be read. */
int variant_for_device(const struct variant_db *db, const struct root *r, const char *addr,
		       struct variant_choice *c);

/* The running kernel's release: the root's proc/sys/kernel/osrelease (a --sysroot), else
 * uname's. */
int kernel_release(const struct root *r, char *buf, size_t size);

/*
 * Give each entry the plan binds to vfio-pci its variant (driver = the variant, variant = its
 * name), when c->variant is auto; a variant that is not installed is named in variant with
 * variant_error set, and the entry keeps vfio-pci. -ENOMEM or 0.
 */
int variant_apply(struct plan *p, const struct config *c, const struct variant_db *db,
		  const struct root *r);

/*
 * For image builders: the variant modules (one a line, once each, into out) that the plan's
 * selected devices and companions take by db, whatever the IOMMU says today; notes gets a
 * line for each variant that is not installed and each tie. -ENOMEM or 0.
 */
struct sbuf;
int variant_image_modules(const struct plan *p, const struct config *c,
			  const struct variant_db *db, const struct root *r, struct sbuf *out,
			  struct sbuf *notes);

#endif
