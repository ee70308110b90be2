/* list.c: passthru-setup list: display controllers, their groups, and whether each can go. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>
#include "cmd.h"
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

int cmd_list(struct opts *o)
{
	struct hostview h;
	struct sbuf out = { 0 };
	struct pci_access *pa;
	size_t i, j, shown = 0;

	if (hostview_open(&h, o->sysroot) < 0) {
		if (o->json)
			puts("[]");	/* still one JSON document; the words went to stderr */
		return 1;
	}
	pa = pci_alloc();
	if (o->json)
		sbuf_add(&out, "[");
	for (i = 0; i < h.m.n; i++) {
		const struct pdev *d = &h.m.dev[i];
		struct config c;
		struct plan p;
		struct selector s = { .kind = SEL_ADDR, .addr = d->addr };
		char name[256], why[600] = "";
		bool ok = true;

		if (!pdev_is_display(d))
			continue;
		name_of(pa, d, name, sizeof(name));
		config_init(&c);
		strcpy(s.text, d->name);
		config_add_selector(&c, &s);
		if (hostview_plan(&h, &c, &p) < 0) {
			config_free(&c);
			continue;
		}
		for (j = 0; j < p.n; j++)
			if (p.e[j].state == STATE_REFUSED && p.e[j].role == ROLE_SELECTED) {
				ok = false;
				strscpy(why, p.e[j].reason, sizeof(why));
			}
		if (d->boot_vga == 1) {
			char other[400];
			size_t l = strlen(why);

			/* an ID selector would catch the console too: name the others exactly */
			if (hostview_twins(&h.m, d, other, sizeof(other)))
				snprintf(why + l, sizeof(why) - l, "%sother cards have the same ID "
					 "%04x:%04x: select them by ID and address (%s), so that the "
					 "console stays with the host", l ? "; " : "", d->vendor,
					 d->device, other);
		}
		if (o->json) {
			sbuf_addf(&out, "%s\n  {\"address\": \"%s\", \"id\": \"%04x:%04x\", \"name\": ",
				  shown ? "," : "", d->name, d->vendor, d->device);
			json_str(&out, name);
			sbuf_add(&out, ", \"driver\": ");
			json_str(&out, d->driver);
			if (d->boot_vga < 0)
				sbuf_add(&out, ", \"boot_vga\": null");
			else
				sbuf_addf(&out, ", \"boot_vga\": %s", d->boot_vga ? "true" : "false");
			if (d->group == GROUP_NONE)
				sbuf_add(&out, ", \"group\": null");
			else
				sbuf_addf(&out, ", \"group\": %d", d->group);
			sbuf_addf(&out, ", \"claimable\": %s, \"reason\": ", ok ? "true" : "false");
			json_str(&out, why);
			sbuf_add(&out, ",\n   \"members\": [");
			for (j = 0; j < p.n; j++) {
				char a[ADDR_LEN];

				addr_format(p.e[j].addr, a);
				sbuf_addf(&out, "%s{\"address\": \"%s\", \"id\": \"%04x:%04x\", "
					  "\"class\": \"0x%06x\", \"role\": \"%s\"}", j ? ", " : "", a,
					  p.e[j].vendor, p.e[j].device, p.e[j].class,
					  role_name(p.e[j].role));
			}
			sbuf_add(&out, "]}");
		} else {
			sbuf_addf(&out, "%s [%04x:%04x] %s\n  driver: %s, boot_vga: %s, IOMMU group: ",
				  d->name, d->vendor, d->device, name, d->driver[0] ? d->driver : "none",
				  d->boot_vga < 0 ? "not reported" : d->boot_vga ? "1 (boot display)" : "0");
			if (d->group == GROUP_NONE)
				sbuf_add(&out, "none\n");
			else
				sbuf_addf(&out, "%d\n", d->group);
			for (j = 0; j < p.n; j++) {
				const struct pdev *g = model_find(&h.m, p.e[j].addr);
				char gname[256];

				if (!g)
					continue;
				name_of(pa, g, gname, sizeof(gname));
				sbuf_addf(&out, "    %-10s %s [%04x:%04x] class 0x%06x %s\n",
					  role_name(p.e[j].role), g->name, g->vendor, g->device,
					  g->class, gname);
			}
			sbuf_addf(&out, "  claimable: %s%s\n\n", ok ? "yes" : "no: ", why);
		}
		shown++;
		plan_free(&p);
		config_free(&c);
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
	hostview_close(&h);
	return 0;
}
