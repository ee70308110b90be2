/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostview.c: this host as the read-only commands see it: devices, IOMMU verdict, plan. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostview.h"
#include "variant.h"
#include "report.h"

struct hostview_cache {
	bool variants_read;
	struct variant_db variants;	/* the running kernel's aliases, read once */
	bool variants_ok;		/* they could be read */
	bool groups_built;		/* groups holds the model's groups, sorted */
	struct plan_groups groups;
};

int hostview_open(struct hostview *h, const char *sysroot)
{
	char err[300];
	int r;

	memset(h, 0, sizeof(*h));
	h->cache = calloc(1, sizeof(*h->cache));
	if (!h->cache) {
		fprintf(stderr, "passthru-setup: out of memory\n");
		return -ENOMEM;
	}
	r = root_open(&h->r, sysroot);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot open %s: %s\n", sysroot, strerror(-r));
		free(h->cache);
		h->cache = NULL;
		return r;
	}
	if (root_slurp(&h->r, "proc/cmdline", &h->cmdline, NULL) < 0)
		h->cmdline = strdup("");
	iommu_verdict_read(&h->r, h->cmdline ? h->cmdline : "", &h->v);
	r = model_scan(&h->m, &h->r, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read the PCI devices: %s\n", err);
		root_close(&h->r);
		free(h->cmdline);
		free(h->cache);
		h->cache = NULL;
		return r;
	}
	return 0;
}

void hostview_close(struct hostview *h)
{
	if (h->cache) {
		variant_db_free(&h->cache->variants);
		plan_groups_free(&h->cache->groups);
		free(h->cache);
		h->cache = NULL;
	}
	model_free(&h->m);
	root_close(&h->r);
	free(h->cmdline);
}

const struct variant_db *hostview_variants(const struct hostview *h)
{
	struct hostview_cache *k = h->cache;

	if (!k->variants_read) {
		k->variants_read = true;
		k->variants_ok = variant_db_load_running(&k->variants, &h->r) == 0;
	}
	return k->variants_ok ? &k->variants : NULL;
}

int hostview_plan(const struct hostview *h, const struct config *c, struct plan *ret)
{
	struct hostview_cache *k = h->cache;
	const struct variant_db *db;
	int r;

	/* the model's groups, sorted once: list plans every card on its own */
	if (!k->groups_built) {
		r = plan_groups_build(&h->m, &k->groups);
		if (r < 0)
			return r;
		k->groups_built = true;
	}
	r = plan_build_grouped(c, &h->m, &k->groups, &h->v, ret);
	/* the vfio variant drivers, as the boot chooses them: the running kernel's aliases */
	if (r < 0 || c->variant == VARIANT_OFF || !(db = hostview_variants(h)))
		return r;
	return variant_apply(ret, c, db, &h->r);
}

/* The other display controllers with d's ID that are not the boot display, as ID@ADDR. */
size_t hostview_twins(const struct model *m, const struct pdev *d, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < m->n; i++) {
		const struct pdev *o = &m->dev[i];
		size_t len = strlen(buf);

		if (o == d || o->vendor != d->vendor || o->device != d->device ||
		    !pdev_is_display(o) || o->boot_vga == 1)
			continue;
		snprintf(buf + len, size - len, "%sdevice = %04x:%04x@%s", n ? ", " : "",
			 o->vendor, o->device, o->name);
		n++;
	}
	return n;
}

/* An ID selector (not an address) chose d: the user named the model, not this card. */
static bool chosen_by_id(const struct config *c, const struct pdev *d)
{
	size_t i;

	for (i = 0; c && i < c->nsel; i++)
		if (c->sel[i].kind == SEL_ID && c->sel[i].vendor == d->vendor &&
		    c->sel[i].device == d->device)
			return true;
	return false;
}

void hostview_reason(const struct model *m, const struct config *c, const struct plan_entry *e,
		     char *buf, size_t size)
{
	static const char allow[] = "; set boot_vga = allow to claim it";
	const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(m, e->addr);
	char other[400];
	char *cut;

	strscpy(buf, e->reason, size);
	if (!d || d->boot_vga != 1 || e->role != ROLE_SELECTED || !chosen_by_id(c, d) ||
	    !hostview_twins(m, d, other, sizeof(other)))
		return;
	/* an ID selector caught both cards: the user wants the other one, not the console */
	cut = strstr(buf, allow);
	if (cut)
		*cut = '\0';
	snprintf(buf + strlen(buf), size - strlen(buf), "; another card has the same ID "
		 "%04x:%04x: to claim only that one, select it by ID and address (%s); "
		 "boot_vga = allow would take the host's console", d->vendor, d->device, other);
}

void hostview_entry_line(const struct model *m, const struct config *c,
			 const struct plan_entry *e, char *buf, size_t size)
{
	char a[ADDR_LEN], why[1024];

	hostview_reason(m, c, e, why, sizeof(why));
	if (e->addr == ADDR_NONE) {
		snprintf(buf, size, "not found: %s", why);
		return;
	}
	addr_format(e->addr, a);
	if (e->state == STATE_ABSENT && model_find(m, e->addr))	/* there, with another ID */
		snprintf(buf, size, "%s not claimed: %s", a, why);
	else if (e->state == STATE_ABSENT)
		snprintf(buf, size, "%s not found: %s", a, why);
	else
		snprintf(buf, size, "%s [%04x:%04x] %s%s%s", a, e->vendor, e->device,
			 state_name(e->state), why[0] ? ": " : "", why);
}

void hostview_plan_human(struct sbuf *b, const struct hostview *h, const struct config *c,
			 const struct plan *p, const struct errlist *errs)
{
	const struct iommu_verdict *v = &h->v;
	size_t i;

	report_iommu_human(b, v, errs);
	for (i = 0; p && i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		char line[1600], why[1024];

		if (e->state == STATE_ABSENT) {
			hostview_entry_line(&h->m, c, e, line, sizeof(line));
			sbuf_addf(b, "%s\n", line);
			continue;
		}
		hostview_reason(&h->m, c, e, why, sizeof(why));
		report_entry_head(b, e);
		/* the padding only lines up the columns: "refused: why", no trailing blanks */
		while (b->s && b->len && b->s[b->len - 1] == ' ')
			b->s[--b->len] = '\0';
		if (why[0])
			sbuf_addf(b, ": %s", why);
		sbuf_add(b, "\n");
	}
	if (!errs || !errs->n) {
		if (!p || !p->n)
			sbuf_add(b, "no devices selected: nothing would be claimed\n");
		sbuf_add(b, "plan only: nothing was written\n");
	}
}

bool hostview_is_companion(const struct model *m, const struct pdev *d)
{
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		const struct pdev *o = &m->dev[i];

		if (o == d || !pdev_is_display(o))
			continue;
		if (addr_slot(o->addr) == addr_slot(d->addr))
			return true;
		for (k = 0; k < o->nconsumers; k++)
			if (o->consumers[k] == d->addr)
				return true;
	}
	return false;
}
