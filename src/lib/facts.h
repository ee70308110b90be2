/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts.h: what decides whether passthrough of a card will work, read from sysfs and procfs. */
#ifndef PASSTHRU_FACTS_H
#define PASSTHRU_FACTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "root.h"

/*
 * These facts are for the host-side commands (list, plan, status): passthru-claim never reads
 * them, so the static binary does not grow (its --gc-sections drops what it does not call).
 */

#define FACTS_NBARS 6		/* standard BARs 0..5 */

/* The reset methods, as sys/bus/pci/devices/ADDR/reset_method lists them (Linux 5.15+). */
enum reset_state {
	RESET_UNKNOWN,		/* no reset_method (nor reset) file on a kernel older than 5.15,
				 * or the release is unknown: cannot tell */
	RESET_NONE,		/* Linux 5.15+ shows no reset_method file: no method at all */
	RESET_DISABLED,		/* the file is there but empty: every method was switched off */
	RESET_METHODS,		/* methods listed in methods */
	RESET_UNLISTED,		/* an older kernel's reset file: resettable, methods not named */
};
struct reset_facts {
	enum reset_state state;
	char methods[128];	/* "flr bus", space separated, as the kernel lists them */
};

/* One BAR, from sys/bus/pci/devices/ADDR/resource. */
struct bar_facts {
	uint64_t start, size;	/* size 0: the BAR is not implemented (or the upper half of
				 * the 64-bit BAR before it) */
	bool io, mem64, prefetch;
};

/* The Resizable BAR extended capability (PCI_EXT_CAP_ID_REBAR, 0x15) of the config space. */
enum rebar_state {
	REBAR_UNKNOWN,		/* the extended config space could not be read: see why */
	REBAR_NONE,		/* read, and no such capability */
	REBAR_PRESENT,
};
struct rebar_bar {
	int bar;		/* BAR index 0..5 */
	uint64_t sizes;		/* bit k set: a size of 2^k MiB is supported (k 0..43) */
	int current;		/* the size now, as k (2^k MiB) */
};
struct rebar_facts {
	enum rebar_state state;
	char why[160];		/* REBAR_UNKNOWN and REBAR_NONE: why, for a person */
	size_t n;
	struct rebar_bar bar[FACTS_NBARS];
};

/* A boot framebuffer (/proc/iomem) inside one of the card's memory BARs. */
struct fb_facts {
	bool found;
	bool unreadable;	/* /proc/iomem showed only zero addresses (not root) or was
				 * missing: cannot tell */
	int bar;		/* the BAR it sits in */
	uint64_t start, end;
	char name[48];		/* BOOTFB, simple-framebuffer, efifb, vesafb, ... */
	char owner[48];		/* the innermost entry under it (the driver that holds it),
				 * or name when nothing is nested under it */
	char why[64];		/* unreadable: why, for a person */
};

struct devfacts {
	struct reset_facts reset;
	struct bar_facts bar[FACTS_NBARS];
	struct rebar_facts rebar;
	struct fb_facts fb;
};

/* facts.c: every fact of device d under the root; release as facts_release gives it. */
void facts_read(const struct root *r, const struct pdev *d, const char *release,
		struct devfacts *ret);
/* The kernel release of the root (proc/sys/kernel/osrelease), "" when unknown. */
void facts_release(const struct root *r, char *buf, size_t size);
/* The release's major and minor number; -EINVAL when it does not start with "N.N". */
int facts_kernel_version(const char *release, int *major, int *minor);

/* facts_reset.c: reset_method under sys/bus/pci/devices/NAME. */
void facts_reset_read(const struct root *r, const char *name, const char *release,
		      struct reset_facts *ret);

/* facts_bars.c: the text of a resource file into bar[] (-EINVAL: not a resource file). */
int facts_bars_parse(const char *text, struct bar_facts bar[FACTS_NBARS]);

/* facts_rebar.c: walk the extended capabilities of len bytes of config space. */
void facts_rebar_parse(const uint8_t *cfg, size_t len, struct rebar_facts *ret);
/* "256 MiB", "16 GiB" for 2^k MiB */
void facts_size_text(uint64_t bytes, char *buf, size_t size);

/* facts_iomem.c: a boot framebuffer of /proc/iomem's text inside one of the BARs. */
void facts_iomem_find(const char *iomem, const struct bar_facts bar[FACTS_NBARS],
		      struct fb_facts *ret);

#endif
