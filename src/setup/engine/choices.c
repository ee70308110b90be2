/* SPDX-License-Identifier: GPL-2.0-or-later */
/* choices.c: the user's install choices, remembered in the record and applied to later installs. */
#include <stdio.h>
#include <string.h>
#include "bootcfg.h"
#include "choices.h"
#include "initramfs.h"

static const char *const cpus[] = { "intel", "amd", "other", NULL };

/* name in list, as the list's own string (o's strings outlive the record), else NULL */
static const char *known(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return *list;
	return NULL;
}

static const char *known_gen(const char *name)
{
	for (size_t i = 0; initramfs_gens[i]; i++)
		if (!strcmp(initramfs_gens[i]->name, name))
			return initramfs_gens[i]->name;
	return NULL;
}

static const char *known_boot(const char *name)
{
	const struct bootcfg_ops *b = bootcfg_by_name(name);

	return b ? b->name : !strcmp(name, "none") ? "none" : NULL;
}

/* One valued choice: o's replaces rec ("auto": forgotten); without o's, rec's (when this
 * version knows it). *changed when rec changed. */
static void one(const char **o, char *rec, size_t size, const char *value, bool confirming,
		bool *remembered, bool *changed)
{
	if (*o && !confirming) {
		const char *keep = strcmp(*o, "auto") ? *o : "";

		*changed |= strcmp(rec, keep) != 0;
		strscpy(rec, keep, size);
	} else if (!*o && value) {
		*o = value;
		*remembered = true;
	}
	if (*o && !strcmp(*o, "auto"))
		*o = NULL;
}

static void flag(bool *o, bool *rec, bool confirming, bool *remembered, bool *changed)
{
	if (*o && !confirming) {
		*changed |= !*rec;
		*rec = true;
	} else if (!*o && *rec) {
		*o = true;
		*remembered = true;
	}
}

bool choices_apply(struct opts *o, struct manifest *m, struct remembered *r)
{
	bool changed = false, c = o->confirming;

	memset(r, 0, sizeof(*r));
	one(&o->bootloader, m->chose_bootloader, sizeof(m->chose_bootloader),
	    known_boot(m->chose_bootloader), c, &r->bootloader, &changed);
	one(&o->initramfs, m->chose_initramfs, sizeof(m->chose_initramfs),
	    known_gen(m->chose_initramfs), c, &r->initramfs, &changed);
	one(&o->cpu, m->chose_cpu, sizeof(m->chose_cpu), known(m->chose_cpu, cpus), c, &r->cpu,
	    &changed);
	flag(&o->no_iommu_pt, &m->chose_no_iommu_pt, c, &r->no_iommu_pt, &changed);
	flag(&o->allow_unsafe_interrupts, &m->chose_unsafe_interrupts, c, &r->unsafe_interrupts,
	     &changed);
	return changed;
}

const char *choices_said(bool remembered, const char *flag, const char *value, char *buf,
			 size_t size)
{
	if (!remembered)
		return "";
	if (value)
		snprintf(buf, size, " (remembered from the last install %s %s; %s auto finds it "
			 "again)", flag, value, flag);
	else
		snprintf(buf, size, " (remembered from the last install %s; uninstall forgets it)",
			 flag);
	return buf;
}
