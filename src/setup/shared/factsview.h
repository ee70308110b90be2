/* SPDX-License-Identifier: GPL-2.0-or-later */
/* factsview.h: the per-card facts (facts.h) said to a person and in --json, for list, plan and status. */
#ifndef PASSTHRU_FACTSVIEW_H
#define PASSTHRU_FACTSVIEW_H
#include "config.h"
#include "facts.h"
#include "hostview.h"
#include "plan.h"
#include "util.h"

struct factsview {
	const struct pdev *d;
	struct devfacts f;
	char release[64];	/* the kernel's, "" when unknown */
	char vfio_driver[64];	/* the driver the claim would bind */
};

/* Read d's facts on the host h, under config c (its driver key). */
void factsview_get(const struct hostview *h, const struct config *c, const struct pdev *d,
		   struct factsview *ret);
/* `"vfio_driver": "...", "facts": {...}` (no comma around it), for a device's JSON object. */
void factsview_json(struct sbuf *b, const struct factsview *v);
/* The facts, one "INDENTname: ..." line each. */
void factsview_human(struct sbuf *b, const char *indent, const struct factsview *v);
/* Why passthrough of the card may not work, "; " between reasons; "" when nothing is to say. */
void factsview_why(const struct factsview *v, char *buf, size_t size);

/* The facts of each device a plan hands over (selected and companions), as plan and status
 * print them after their table: full, one block per device (plan, status --verbose); else only
 * a device's "may not work" sentence, when it has one (status: a short table, one sentence
 * per problem). */
void factsview_plan_human(struct sbuf *b, const struct hostview *h, const struct config *c,
			  const struct plan *p, bool full);

/* For report_json's entry hook (report.h): ud is a struct factsview_hook. */
struct factsview_hook {
	const struct hostview *h;
	const struct config *c;
};
void factsview_entry_json(struct sbuf *b, const struct plan_entry *e, void *ud);

#endif
