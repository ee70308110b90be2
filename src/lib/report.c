/* report.c: the status document (JSON) and the human summary of what passthru did. */
#include <stdio.h>
#include <string.h>
#include "report.h"

void json_str(struct sbuf *b, const char *s)
{
	if (!s || !*s) {
		sbuf_add(b, "null");
		return;
	}
	sbuf_add(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sbuf_addf(b, "\\%c", c);
		else if (c == '\n')
			sbuf_add(b, "\\n");
		else if (c < 0x20 || c == 0x7f)
			sbuf_addf(b, "\\u%04x", c);
		else
			sbuf_addf(b, "%c", c);
	}
	sbuf_add(b, "\"");
}

static const char *tf(bool v)
{
	return v ? "true" : "false";
}

static void json_iommu(struct sbuf *b, const struct iommu_verdict *v)
{
	sbuf_addf(b, "  \"iommu\": {\"active\": %s, \"vendor\": ", tf(v->active));
	json_str(b, v->vendor);
	sbuf_addf(b, ", \"firmware_table\": %s,\n            \"interrupt_remapping\": %s, "
		  "\"default_domain\": ", tf(v->firmware_table), tf(v->interrupt_remapping));
	json_str(b, v->default_domain);
	sbuf_addf(b, ",\n            \"unsafe_interrupts_allowed\": %s, \"reason\": ",
		  tf(v->unsafe_interrupts_allowed));
	json_str(b, v->reason);
	sbuf_add(b, ", \"warning\": ");
	json_str(b, v->warning);
	sbuf_add(b, "},\n");
}

static void json_entry(struct sbuf *b, const struct plan_entry *e)
{
	char a[ADDR_LEN], id[10];

	addr_format(e->addr, a);
	snprintf(id, sizeof(id), "%04x:%04x", e->vendor, e->device);
	sbuf_add(b, "    {\"address\": ");
	json_str(b, e->addr == ADDR_NONE ? NULL : a);
	sbuf_add(b, ", \"id\": ");
	json_str(b, e->vendor || e->device ? id : NULL);
	if (e->state == STATE_ABSENT)
		sbuf_add(b, ", \"class\": null, \"group\": null");
	else if (e->group == GROUP_NONE)
		sbuf_addf(b, ", \"class\": \"0x%06x\", \"group\": null", e->class);
	else
		sbuf_addf(b, ", \"class\": \"0x%06x\", \"group\": %d", e->class, e->group);
	sbuf_addf(b, ",\n     \"role\": \"%s\", \"driver\": ", role_name(e->role));
	json_str(b, e->driver);
	sbuf_addf(b, ", \"state\": \"%s\", \"reason\": ", state_name(e->state));
	json_str(b, e->reason);
	sbuf_add(b, "}");
}

void report_json(struct sbuf *b, const struct report *rep)
{
	size_t i;

	sbuf_addf(b, "{\n  \"version\": 1,\n  \"dry_run\": %s,\n  \"disabled\": %s,\n",
		  tf(rep->dry_run), tf(rep->disabled));
	if (rep->timing) {
		const struct claim_timing *t = rep->timing;

		sbuf_addf(b, "  \"timing\": {\"scan_plan_ms\": %.3f, \"load_ms\": %.3f, "
			  "\"write_ms\": %.3f, \"verify_ms\": %.3f, \"total_ms\": %.3f},\n",
			  t->scan_plan_ms, t->load_ms, t->write_ms, t->verify_ms, t->total_ms);
	}
	json_iommu(b, rep->iommu);
	sbuf_add(b, "  \"devices\": [");
	for (i = 0; rep->plan && i < rep->plan->n; i++) {
		sbuf_add(b, i ? ",\n" : "\n");
		json_entry(b, &rep->plan->e[i]);
	}
	sbuf_add(b, rep->plan && rep->plan->n ? "\n  ],\n  \"errors\": [" : "],\n  \"errors\": [");
	for (i = 0; rep->errors && i < rep->errors->n; i++) {
		sbuf_add(b, i ? ", " : "");
		json_str(b, rep->errors->msg[i]);
	}
	sbuf_add(b, "]");
	sbuf_add(b, "\n}\n");
}

void report_human(struct sbuf *b, const struct report *rep)
{
	const struct iommu_verdict *v = rep->iommu;
	size_t i;

	if (rep->disabled) {
		sbuf_add(b, "passthru: disabled by rd.passthru=0; nothing touched\n");
		return;
	}
	if (v->active)
		sbuf_addf(b, "IOMMU: active (%s, interrupt remapping %s, default domain %s)\n",
			  v->vendor, v->interrupt_remapping ? "on" : "off",
			  v->default_domain[0] ? v->default_domain : "unknown");
	else
		sbuf_addf(b, "IOMMU: not active: %s\n", v->reason);
	if (v->warning[0])
		sbuf_addf(b, "warning: %s\n", v->warning);
	for (i = 0; rep->errors && i < rep->errors->n; i++)
		sbuf_addf(b, "error: %s\n", rep->errors->msg[i]);
	for (i = 0; rep->plan && i < rep->plan->n; i++) {
		const struct plan_entry *e = &rep->plan->e[i];
		char a[ADDR_LEN] = "-";

		if (e->addr != ADDR_NONE)
			addr_format(e->addr, a);
		sbuf_addf(b, "%-12s [%04x:%04x] %-9s %-9s", a, e->vendor, e->device,
			  role_name(e->role), state_name(e->state));
		if (e->state == STATE_CLAIMED || e->state == STATE_PLANNED)
			sbuf_addf(b, " -> %s", e->driver);
		else if (e->driver[0])
			sbuf_addf(b, " (on %s)", e->driver);
		if (e->reason[0])
			sbuf_addf(b, ": %s", e->reason);
		sbuf_add(b, "\n");
	}
	if (!rep->plan || !rep->plan->n)
		sbuf_add(b, "no devices selected\n");
	if (rep->dry_run)
		sbuf_add(b, "dry run: nothing was written\n");
}
