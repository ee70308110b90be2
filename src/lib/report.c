/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.c: the status document (JSON) and the human summary of what passthru did. */
#include <stdio.h>
#include <string.h>
#include "report.h"

static const char *tf(bool v)
{
	return v ? "true" : "false";
}

/* Length of the valid UTF-8 character at s, within the avail bytes there (RFC 3629: no
 * overlong, surrogate, > U+10FFFF), or 0. Reads no byte past avail. */
static size_t utf8_char(const unsigned char *s, size_t avail)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 :
		   s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	unsigned char lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80,
		      hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;

	if (n <= 1 || n > avail)
		return n > avail ? 0 : n;
	/* the second byte's range excludes overlong forms, surrogates and > U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

bool utf8_valid_bytes(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, k;

	for (i = 0; i < len; i += k)
		if (!(k = utf8_char(s + i, len - i)))
			return false;
	return true;
}

/*
 * Valid UTF-8 is copied as it is; control characters (NUL included), '"' and '\\' are
 * escaped; each byte that is not part of a valid UTF-8 character becomes U+FFFD, written
 * "\\ufffd".
 */
void json_strn(struct sbuf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;
	char buf[256];
	size_t n = 0, k;

	buf[n++] = '"';
	for (; s < end; s += k) {
		if (n > sizeof(buf) - 16) {
			buf[n] = '\0';
			sbuf_add(b, buf);
			n = 0;
		}
		k = utf8_char(s, (size_t)(end - s));
		if (k == 0) {
			memcpy(buf + n, "\\ufffd", 6);
			n += 6;
			k = 1;
		} else if (*s == '"' || *s == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)*s;
		} else if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else if (*s == '\t') {
			buf[n++] = '\\';
			buf[n++] = 't';
		} else if (*s < 0x20 || *s == 0x7f) {
			n += (size_t)snprintf(buf + n, 7, "\\u%04x", *s);
		} else {
			memcpy(buf + n, s, k);
			n += k;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
	sbuf_add(b, buf);
}

void json_str(struct sbuf *b, const char *str)
{
	if (!str || !*str)
		sbuf_add(b, "null");
	else
		json_strn(b, str, strlen(str));
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

static void json_entry(struct sbuf *b, const struct report *rep, const struct plan_entry *e)
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
	/* the vfio variant driver modules.alias named, and why it is not the driver */
	if (e->variant[0]) {
		sbuf_add(b, ",\n     \"variant\": ");
		json_str(b, e->variant);
		sbuf_add(b, ", \"variant_error\": ");
		json_str(b, e->variant_error);
	}
	if (e->variant_tie[0]) {
		sbuf_add(b, ", \"variant_tie\": ");
		json_str(b, e->variant_tie);
	}
	if (rep->entry_extra && e->addr != ADDR_NONE && e->state != STATE_ABSENT) {
		sbuf_add(b, ",\n     ");
		rep->entry_extra(b, e, rep->entry_extra_ud);
	}
	sbuf_add(b, "}");
}


void report_entry_head(struct sbuf *b, const struct plan_entry *e)
{
	char a[ADDR_LEN] = "-";

	if (e->addr != ADDR_NONE)
		addr_format(e->addr, a);
	sbuf_addf(b, "%-12s [%04x:%04x] %-9s %-9s", a, e->vendor, e->device,
		  role_name(e->role), state_name(e->state));
	if (e->state == STATE_CLAIMED || e->state == STATE_PLANNED)
		sbuf_addf(b, " -> %s", e->driver);
	else if (e->driver[0])
		sbuf_addf(b, " (on %s)", e->driver);
	if (e->variant[0] && e->variant_error[0])
		sbuf_addf(b, " (variant %s failed: %s; %s)", e->variant, e->variant_error,
			  e->state == STATE_CLAIMED ? "vfio-pci bound" :
			  e->state == STATE_PLANNED ? "vfio-pci instead" : "vfio-pci tried");
	else if (e->variant[0] && (e->state == STATE_CLAIMED || e->state == STATE_PLANNED))
		sbuf_add(b, " (vfio variant driver)");
}

void report_json(struct sbuf *b, const struct report *rep)
{
	size_t i;

	sbuf_add(b, "{\n  \"version\": 1,\n  \"config_sha256\": ");
	json_str(b, rep->config_sha256);
	sbuf_addf(b, ",\n  \"dry_run\": %s,\n  \"disabled\": %s,\n",
		  tf(rep->dry_run), tf(rep->disabled));
	/* only while an install --trial is pending and this boot is not the trial boot */
	if (rep->untried)
		sbuf_add(b, "  \"trial_pending\": true,\n");
	if (rep->gave_up || rep->finished_late) {
		sbuf_addf(b, "  \"watchdog\": {\"gave_up_after_s\": %d, \"step\": ",
			  rep->timeout_s);
		json_str(b, rep->gave_up);
		sbuf_addf(b, ", \"finished_after_giving_up\": %s},\n", tf(rep->finished_late));
	}
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
		json_entry(b, rep, &rep->plan->e[i]);
	}
	sbuf_add(b, rep->plan && rep->plan->n ? "\n  ],\n  \"errors\": [" : "],\n  \"errors\": [");
	for (i = 0; rep->errors && i < rep->errors->n; i++) {
		sbuf_add(b, i ? ", " : "");
		json_str(b, rep->errors->msg[i]);
	}
	sbuf_add(b, "]");
	sbuf_add(b, "\n}\n");
}

void report_iommu_warning(struct sbuf *b, const char *indent, const struct iommu_verdict *v)
{
	if (v->warning[0])
		sbuf_addf(b, "%swarning: %s\n", indent, v->warning);
}

/* The IOMMU verdict, its warning and the errors: the head of every human report. */
void report_iommu_human(struct sbuf *b, const struct iommu_verdict *v, const struct errlist *errs)
{
	size_t i;

	if (v->active)
		sbuf_addf(b, "IOMMU: active (%s, interrupt remapping %s, default domain %s)\n",
			  v->vendor, v->interrupt_remapping ? "on" : "off",
			  v->default_domain[0] ? v->default_domain : "not reported");
	else
		sbuf_addf(b, "IOMMU: not active: %s\n", v->reason);
	report_iommu_warning(b, "", v);
	for (i = 0; errs && i < errs->n; i++)
		sbuf_addf(b, "error: %s\n", errs->msg[i]);
}

void report_human(struct sbuf *b, const struct report *rep)
{
	const struct iommu_verdict *v = rep->iommu;
	size_t i;

	if (rep->disabled) {
		sbuf_add(b, "passthru: disabled by rd.passthru=0; nothing touched\n");
		return;
	}
	if (rep->untried) {
		sbuf_add(b, "passthru: a trial is pending (/etc/passthru.trial) and this boot is not "
			 "the trial boot (no rd.passthru.trial=1); nothing touched\n");
		return;
	}
	report_iommu_human(b, v, rep->errors);
	if (rep->gave_up)
		sbuf_addf(b, "watchdog: gave up after %d s; still running: %s\n", rep->timeout_s,
			  rep->gave_up);
	if (rep->finished_late)
		sbuf_addf(b, "watchdog: this claim finished after the watchdog had given up "
			  "(%d s)\n", rep->timeout_s);
	for (i = 0; rep->plan && i < rep->plan->n; i++) {
		const struct plan_entry *e = &rep->plan->e[i];

		report_entry_head(b, e);
		if (e->reason[0])
			sbuf_addf(b, ": %s", e->reason);
		sbuf_add(b, "\n");
	}
	if (!rep->plan || !rep->plan->n)
		sbuf_add(b, "no devices selected\n");
	if (rep->dry_run)
		sbuf_add(b, "dry run: nothing was written\n");
}
