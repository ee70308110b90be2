/* SPDX-License-Identifier: GPL-2.0-or-later */
/* claim.h: carry out a plan, one whole unit at a time: overrides, unbind, probe, verify. */
#ifndef PASSTHRU_CLAIM_H
#define PASSTHRU_CLAIM_H
#include <stdbool.h>
#include "plan.h"
#include "root.h"

struct claim_timing {
	double scan_plan_ms, load_ms, write_ms, verify_ms, total_ms;
};

double now_ms(void);

#define CLAIM_STEP_LEN 160		/* room for one step's words */
#define CLAIM_NO_ENTRY ((size_t)-1)	/* a step that is not about one entry */

struct claim_ops {
	/* one line per action done (may be NULL) */
	void (*log)(void *ud, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* what is about to be written, before the write (may be NULL): a watchdog's clue */
	void (*step)(void *ud, size_t idx, const char *what);
	/* a unit is settled (may be NULL); false: start no other unit */
	bool (*unit_done)(void *ud, const struct plan *p, const size_t *mem, size_t nmem);
	void *ud;
};

/*
 * Claim each unit of the plan (entries with bind and the same unit) whole: every
 * driver_override first, then unbind and probe, then verify; on any failure the unit is
 * given back (overrides cleared, moved devices re-probed) and each of its entries failed.
 */
int claim_run(const struct root *r, struct plan *p, const struct claim_ops *o,
	      struct claim_timing *t);

/* Load a driver's module (libkmod, honouring modprobe.d) unless it is already there. */
int modload(const struct root *r, const char *driver, char *err, size_t errsize);

#endif
