/* cmd_status.c: passthru-setup status: is this host ready, and what to do if not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostview.h"
#include "report.h"
#include "setup.h"

struct verdict {
	bool ready;
	char message[700];
};

static void judge(const struct hostview *h, const struct config *c, const struct plan *p,
		  bool config_ok, bool booted, struct verdict *v)
{
	size_t i;
	const char *want = h->v.active ? c->driver : "pci-stub";

	v->ready = false;
	if (!config_ok) {
		snprintf(v->message, sizeof(v->message), "config error in /etc/passthru.conf: fix it "
			 "(passthru-setup plan shows the errors), then rebuild the initramfs");
		return;
	}
	if (!c->nsel) {
		snprintf(v->message, sizeof(v->message), "no device is configured in "
			 "/etc/passthru.conf: add 'device = ...' and run passthru-setup install");
		return;
	}
	if (!h->v.active) {
		snprintf(v->message, sizeof(v->message), "IOMMU not active: %s", h->v.reason);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);
		char a[ADDR_LEN] = "-";

		if (e->role == ROLE_BRIDGE || (e->role == ROLE_OTHER && !e->bind))
			continue;
		if (e->addr != ADDR_NONE)
			addr_format(e->addr, a);
		if (e->state == STATE_ABSENT || e->state == STATE_REFUSED) {
			snprintf(v->message, sizeof(v->message), "%s %s: %s", a,
				 state_name(e->state), e->reason);
			return;
		}
		if (!d || strcmp(d->driver, want)) {
			snprintf(v->message, sizeof(v->message), "%s is on %s, not %s: %s", a,
				 d && d->driver[0] ? d->driver : "no driver", want, booted ?
				 "see the boot's status below and 'journalctl -b | grep passthru:'" :
				 "passthru-claim did not run this boot: run passthru-setup install "
				 "(it puts passthru in the initramfs) and reboot");
			return;
		}
	}
	v->ready = true;
	snprintf(v->message, sizeof(v->message), "ready: every configured device is on %s", want);
}

int cmd_status(struct opts *o)
{
	struct hostview h;
	struct config c;
	struct errlist errs = { 0 };
	struct plan p = { 0 };
	struct verdict v;
	struct sbuf out = { 0 };
	char *boot = NULL;
	size_t i;
	int r;

	if (hostview_open(&h, o->sysroot) < 0)
		return 1;
	config_init(&c);
	r = config_load(&c, &h.r, NULL, &errs);
	if (r != -ENOENT && !errs.n && hostview_plan(&h, &c, &p) < 0) {
		hostview_close(&h);
		return 1;
	}
	root_slurp(&h.r, "run/passthru/status.json", &boot, NULL);
	judge(&h, &c, &p, errs.n == 0, boot != NULL, &v);

	if (o->json) {
		struct report rep = { .iommu = &h.v, .errors = &errs };

		sbuf_addf(&out, "{\n  \"ready\": %s,\n  \"message\": ", v.ready ? "true" : "false");
		json_str(&out, v.message);
		sbuf_add(&out, ",\n  \"devices\": [");
		for (i = 0; i < p.n; i++) {
			const struct plan_entry *e = &p.e[i];
			const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h.m, e->addr);
			char a[ADDR_LEN];

			addr_format(e->addr, a);
			sbuf_addf(&out, "%s\n    {\"address\": ", i ? "," : "");
			json_str(&out, e->addr == ADDR_NONE ? NULL : a);
			sbuf_addf(&out, ", \"id\": \"%04x:%04x\", \"role\": \"%s\", \"driver\": ",
				  e->vendor, e->device, role_name(e->role));
			json_str(&out, d ? d->driver : NULL);
			sbuf_add(&out, "}");
		}
		sbuf_add(&out, p.n ? "\n  ],\n  \"boot\": " : "],\n  \"boot\": ");
		sbuf_add(&out, boot ? boot : "null\n");
		sbuf_add(&out, ",\n  \"now\": ");
		rep.plan = NULL;
		report_json(&out, &rep);
		sbuf_add(&out, "}\n");
	} else {
		if (h.v.active)
			sbuf_addf(&out, "IOMMU: active (%s, interrupt remapping %s, default domain "
				  "%s)\n", h.v.vendor, h.v.interrupt_remapping ? "on" : "off",
				  h.v.default_domain[0] ? h.v.default_domain : "unknown");
		else
			sbuf_addf(&out, "IOMMU: not active: %s\n", h.v.reason);
		if (h.v.warning[0])
			sbuf_addf(&out, "warning: %s\n", h.v.warning);
		for (i = 0; i < errs.n; i++)
			sbuf_addf(&out, "error: %s\n", errs.msg[i]);
		sbuf_addf(&out, "boot: %s\n", boot ? "passthru-claim ran this boot; its "
			  "/run/passthru/status.json:" : "no /run/passthru/status.json: "
			  "passthru-claim did not run this boot");
		if (boot) {
			char *line, *save = NULL;

			for (line = strtok_r(boot, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				sbuf_addf(&out, "  | %s\n", line);
		}
		if (p.n)
			sbuf_addf(&out, "%-13s %-10s %-10s %s\n", "DEVICE", "ID", "ROLE", "DRIVER NOW");
		for (i = 0; i < p.n; i++) {
			const struct plan_entry *e = &p.e[i];
			const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h.m, e->addr);
			char a[ADDR_LEN] = "-";

			if (e->addr != ADDR_NONE)
				addr_format(e->addr, a);
			sbuf_addf(&out, "%-13s %04x:%04x  %-10s %s\n", a, e->vendor, e->device,
				  role_name(e->role), d && d->driver[0] ? d->driver : "-");
		}
		sbuf_addf(&out, "%s\n", v.message);
	}
	fputs(out.s ? out.s : "", stdout);
	sbuf_free(&out);
	free(boot);
	plan_free(&p);
	config_free(&c);
	errlist_free(&errs);
	hostview_close(&h);
	return v.ready ? 0 : 1;
}
