/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status_table.c: status's short table (each device: role, what the boot did, its driver now) and one sentence per device problem. */
#include <stdio.h>
#include <string.h>
#include "jsonpick.h"
#include "status_print.h"

/* What the boot's report says of one address: its state and reason ("" when it says none). */
struct boot_dev {
	char state[16];
	char reason[512];
};

/* The boot report's entry for address a (as "0000:00:05.0"); false when it has none. */
static bool boot_entry(const char *boot, const char *a, struct boot_dev *d)
{
	const char *devs = boot ? json_member(boot, "devices") : NULL, *el;
	char addr[32];

	for (size_t i = 0; devs && (el = json_element(devs, i)); i++) {
		if (json_text(json_member(el, "address"), addr, sizeof(addr)) < 0 ||
		    strcmp(addr, a))
			continue;
		if (json_text(json_member(el, "state"), d->state, sizeof(d->state)) < 0)
			strscpy(d->state, "?", sizeof(d->state));
		if (json_text(json_member(el, "reason"), d->reason, sizeof(d->reason)) < 0)
			d->reason[0] = '\0';
		return true;
	}
	return false;
}

/* The one sentence for entry e's problem, or nothing when it has none: what the boot said
 * first (a failed claim's reason is the boot's), else what stands in the way now. */
static void problem(struct sbuf *out, const char *a, const struct plan_entry *e,
		    const struct boot_dev *b, bool in_boot)
{
	if (in_boot && !strcmp(b->state, "failed"))
		sbuf_addf(out, "%s: the boot failed to claim it: %s\n", a, b->reason);
	else if (in_boot && !strcmp(b->state, "refused"))
		sbuf_addf(out, "%s: the boot refused it: %s\n", a, b->reason);
	else if (in_boot && !strcmp(b->state, "absent"))
		sbuf_addf(out, "%s: the boot did not find it: %s\n", a, b->reason);
	else if (e->state == STATE_REFUSED)
		sbuf_addf(out, "%s: refused: %s\n", a, e->reason);
	else if (e->bind && e->state == STATE_PLANNED)
		sbuf_addf(out, "%s: %s\n", a, e->reason);
}

void status_table(struct sbuf *out, const struct judgement *s)
{
	const struct plan *p = &s->p;
	struct sbuf why = { 0 };
	size_t i;

	if (p->n)
		sbuf_addf(out, "%-13s %-10s %-10s %-10s %s\n", "DEVICE", "ID", "ROLE",
			  "BOOT", "DRIVER NOW");
	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		struct boot_dev b = { "", "" };
		char a[ADDR_LEN];
		bool in_boot;

		if (e->addr == ADDR_NONE) {
			sbuf_addf(&why, "not found: %s\n", e->reason);
			continue;
		}
		addr_format(e->addr, a);
		if (e->state == STATE_ABSENT) {
			sbuf_addf(&why, "%s not found: %s\n", a, e->reason);
			continue;
		}
		in_boot = boot_entry(s->boot, a, &b);
		sbuf_addf(out, "%-13s %04x:%04x  %-10s %-10s %s\n", a, e->vendor, e->device,
			  role_name(e->role), in_boot ? b.state : "-",
			  e->driver[0] ? e->driver : "none");
		problem(&why, a, e, &b, in_boot);
	}
	if (why.s)
		sbuf_add(out, why.s);
	if (why.err)
		out->err = why.err;
	sbuf_free(&why);
}
