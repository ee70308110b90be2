/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.c: passthru-setup list: display controllers, their groups, and whether each can go. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>
#include "cmd.h"
#include "factsview.h"
#include "hostview.h"
#include "report.h"
#include "setup.h"

static jmp_buf ids_jmp;

/* libpci's error handler must not return: give up on names instead */
static void __attribute__((noreturn)) ids_error(char *msg, ...)
{
	longjmp(ids_jmp, 1);
}

static void ids_quiet(char *msg, ...)
{
}

/* The name from pci.ids, as lspci shows it. */
static void name_of(struct pci_access *pa, const struct pdev *d, char *buf, size_t size)
{
	snprintf(buf, size, "unknown device");
	if (!pa || setjmp(ids_jmp))
		return;
	pa->error = ids_error;
	pa->warning = ids_quiet;
	pa->debug = ids_quiet;
	if (!pci_lookup_name(pa, buf, (int)size, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
			     d->vendor, d->device))
		snprintf(buf, size, "unknown device");
}

/* Whether d can go alone (its group checked by the planner), and if not why, in why; the plan
 * of its group in p (plan_free it). -ENOMEM: no plan. */
static int judge_one(const struct hostview *h, const struct pdev *d, struct plan *p, char *why,
		     size_t size, bool *ok)
{
	struct config c;
	struct selector s = { .kind = SEL_ADDR, .addr = d->addr };
	size_t j;

	config_init(&c);
	strcpy(s.text, d->name);
	config_add_selector(&c, &s);
	if (hostview_plan(h, &c, p) < 0) {
		config_free(&c);
		return -ENOMEM;
	}
	*ok = true;
	for (j = 0; j < p->n; j++)
		if (p->e[j].state == STATE_REFUSED && p->e[j].role == ROLE_SELECTED) {
			*ok = false;
			strscpy(why, p->e[j].reason, size);
		}
	if (d->boot_vga == 1) {
		char other[400];
		size_t l = strlen(why);

		/* an ID selector would catch the console too: name the others exactly */
		if (hostview_twins(&h->m, d, other, sizeof(other)))
			snprintf(why + l, size - l, "%sother cards have the same ID %04x:%04x: "
				 "select them by ID and address (%s), so that the console stays "
				 "with the host", l ? "; " : "", d->vendor, d->device, other);
	}
	config_free(&c);
	return 0;
}

/* The displays /etc/passthru.conf (under the host view) selects: its plan's selected
 * entries, in sel (a plan); empty without a config or with a broken one. */
static void configured(const struct hostview *h, struct plan *sel)
{
	struct config c;
	struct errlist errs = { 0 };

	memset(sel, 0, sizeof(*sel));
	config_init(&c);
	if (config_load(&c, &h->r, NULL, &errs) == 0 && c.nsel)
		hostview_plan(h, &c, sel);
	config_free(&c);
	errlist_free(&errs);
}

/* The role of plan entry e of the listed card d: the card itself is "selected" only when the
 * config selects it; otherwise it is a "candidate" (list plans each card as if selected). */
static const char *role_of(const struct plan_entry *e, const struct pdev *d,
			   const struct plan *sel)
{
	if (e->role != ROLE_SELECTED)
		return role_name(e->role);
	for (size_t k = 0; k < sel->n; k++)
		if (sel->e[k].addr == d->addr && sel->e[k].role == ROLE_SELECTED)
			return "selected";
	return "candidate";
}

/* One display controller as an element of list's JSON array. */
static void json_one(struct sbuf *out, const struct pdev *d, const char *name,
		     const struct plan *p, const struct plan *sel, bool ok, const char *why,
		     const char *warning, const struct factsview *fv, bool first)
{
	size_t j;

	sbuf_addf(out, "%s\n  {\"address\": \"%s\", \"id\": \"%04x:%04x\", \"name\": ",
		  first ? "" : ",", d->name, d->vendor, d->device);
	json_str(out, name);
	sbuf_add(out, ", \"driver\": ");
	json_str(out, d->driver);
	if (d->boot_vga < 0)
		sbuf_add(out, ", \"boot_vga\": null");
	else
		sbuf_addf(out, ", \"boot_vga\": %s", d->boot_vga ? "true" : "false");
	if (d->group == GROUP_NONE)
		sbuf_add(out, ", \"group\": null");
	else
		sbuf_addf(out, ", \"group\": %d", d->group);
	sbuf_addf(out, ", \"claimable\": %s, \"reason\": ", ok ? "true" : "false");
	json_str(out, why);
	sbuf_add(out, ", \"warning\": ");	/* the IOMMU's, as status and plan give it */
	json_str(out, warning);
	sbuf_add(out, ",\n   ");
	factsview_json(out, fv);
	sbuf_add(out, ",\n   \"members\": [");
	for (j = 0; j < p->n; j++) {
		char a[ADDR_LEN];

		addr_format(p->e[j].addr, a);
		sbuf_addf(out, "%s{\"address\": \"%s\", \"id\": \"%04x:%04x\", "
			  "\"class\": \"0x%06x\", \"role\": \"%s\"}", j ? ", " : "", a,
			  p->e[j].vendor, p->e[j].device, p->e[j].class, role_of(&p->e[j], d, sel));
	}
	sbuf_add(out, "]}");
}

/* One display controller for a person: the device, its group's members, the verdict. */
static void human_one(struct sbuf *out, struct pci_access *pa, const struct hostview *h,
		      const struct pdev *d, const char *name, const struct plan *p,
		      const struct plan *sel, bool ok, const char *why, const struct factsview *fv)
{
	char may[1500];
	size_t j;

	sbuf_addf(out, "%s [%04x:%04x] %s\n  driver: %s, boot_vga: %s, IOMMU group: ",
		  d->name, d->vendor, d->device, name, d->driver[0] ? d->driver : "none",
		  d->boot_vga < 0 ? "not reported" : d->boot_vga ? "1 (boot display)" : "0");
	if (d->group == GROUP_NONE)
		sbuf_add(out, "none\n");
	else
		sbuf_addf(out, "%d\n", d->group);
	for (j = 0; j < p->n; j++) {
		const struct pdev *g = model_find(&h->m, p->e[j].addr);
		char gname[256];

		if (!g)
			continue;
		name_of(pa, g, gname, sizeof(gname));
		sbuf_addf(out, "    %-10s %s [%04x:%04x] class 0x%06x %s\n",
			  role_of(&p->e[j], d, sel), g->name, g->vendor, g->device, g->class, gname);
	}
	sbuf_addf(out, "  claimable: %s%s\n", ok ? "yes" : "no: ", why);
	factsview_human(out, "  ", fv);
	/* only when there is something to say */
	factsview_why(fv, may, sizeof(may));
	if (may[0])
		sbuf_addf(out, "  may not work: %s\n", may);
	/* claimable at boot, but vfio may still refuse it at VM start: say so, and the fix */
	report_iommu_warning(out, "  ", &h->v);
	sbuf_add(out, "\n");
}

int cmd_list(struct opts *o)
{
	struct hostview h;
	struct sbuf out = { 0 };
	struct pci_access *pa;
	struct config conf;	/* its driver key: the driver that would bind */
	struct errlist conf_errs = { 0 };
	struct plan sel;
	size_t i, shown = 0;

	if (hostview_open(&h, o->sysroot) < 0) {
		if (o->json)
			puts("[]");	/* still one JSON document; the words went to stderr */
		return 1;
	}
	config_init(&conf);
	config_load(&conf, &h.r, NULL, &conf_errs);	/* plan reports its errors */
	pa = pci_alloc();
	configured(&h, &sel);
	if (o->json)
		sbuf_add(&out, "[");
	for (i = 0; i < h.m.n; i++) {
		const struct pdev *d = &h.m.dev[i];
		struct plan p;
		struct factsview fv;
		char name[256], why[600] = "";
		bool ok;

		if (!pdev_is_display(d))
			continue;
		name_of(pa, d, name, sizeof(name));
		if (judge_one(&h, d, &p, why, sizeof(why), &ok) < 0)
			continue;
		factsview_get(&h, &conf, d, &fv);
		if (o->json)
			json_one(&out, d, name, &p, &sel, ok, why, h.v.warning, &fv, !shown);
		else
			human_one(&out, pa, &h, d, name, &p, &sel, ok, why, &fv);
		shown++;
		plan_free(&p);
	}
	if (o->json)
		sbuf_add(&out, shown ? "\n]\n" : "]\n");
	else if (!shown)
		sbuf_add(&out, "no display controllers (class 0x03xx) found\n");
	if (!o->json && !h.v.active)
		sbuf_addf(&out, "note: the IOMMU is not active, so no group can be checked: %s\n",
			  h.v.reason);
	fputs(out.s ? out.s : "", stdout);
	sbuf_free(&out);
	if (pa)
		pci_cleanup(pa);
	config_free(&conf);
	errlist_free(&conf_errs);
	plan_free(&sel);
	hostview_close(&h);
	return 0;
}
