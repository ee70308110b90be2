/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostview.h: this host as the read-only commands see it: devices, IOMMU, config, plan. */
#ifndef PASSTHRU_HOSTVIEW_H
#define PASSTHRU_HOSTVIEW_H
#include "config.h"
#include "iommu.h"
#include "model.h"
#include "plan.h"
#include "root.h"
#include "util.h"

struct hostview_cache;		/* what a command reads once and uses for every card */
struct variant_db;

struct hostview {
	struct root r;
	struct model m;
	struct iommu_verdict v;
	char *cmdline;
	struct hostview_cache *cache;
};

/* Open the sysroot and read devices and the IOMMU verdict; prints its own errors. */
int hostview_open(struct hostview *h, const char *sysroot);
void hostview_close(struct hostview *h);
/* Plan a config on this host (what the next boot would do). */
int hostview_plan(const struct hostview *h, const struct config *c, struct plan *ret);
/* The running kernel's vfio variant aliases under the root (modules.alias, modules.dep),
 * read on first use and kept until hostview_close; NULL when there are none to read. */
const struct variant_db *hostview_variants(const struct hostview *h);

/*
 * Why an entry was refused or not found, for a person: the planner's reason, and where an ID
 * selector chose two identical cards and the refused one is the boot display, the advice to
 * select the other one as ID@ADDRESS (boot_vga = allow would take the console).
 */
void hostview_reason(const struct model *m, const struct config *c, const struct plan_entry *e,
		     char *buf, size_t size);
/* The other display controllers with d's ID that are not the boot display, as
 * "device = ID@ADDRESS" selectors in buf; returns how many. */
size_t hostview_twins(const struct model *m, const struct pdev *d, char *buf, size_t size);
/* One line for a refused, failed or absent entry: "0000:01:00.0 [10de:2204] refused: ...",
 * or "not found: ..." for a selector that matched nothing (no address, no ID placeholders). */
void hostview_entry_line(const struct model *m, const struct config *c,
			 const struct plan_entry *e, char *buf, size_t size);
/* The human form of a plan (passthru-setup plan). */
void hostview_plan_human(struct sbuf *b, const struct hostview *h, const struct config *c,
			 const struct plan *p, const struct errlist *errs);
/* True when d is a companion of a display controller: another function of its slot is one,
 * or a display controller links to it as a consumer. */
bool hostview_is_companion(const struct model *m, const struct pdev *d);

#endif
