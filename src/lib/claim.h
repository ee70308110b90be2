/* claim.h: carry out a plan: driver_override, unbind, load the driver, probe, verify. */
#ifndef PASSTHRU_CLAIM_H
#define PASSTHRU_CLAIM_H
#include <stdbool.h>
#include "plan.h"
#include "root.h"

struct claim_timing {
	double scan_plan_ms, load_ms, write_ms, verify_ms, total_ms;
};

double now_ms(void);

/* Logs one line per action through logf (may be NULL). */
typedef void (*claim_log_fn)(void *ud, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int claim_run(const struct root *r, struct plan *p, claim_log_fn logf, void *ud,
	      struct claim_timing *t);

/* Load a driver's module (libkmod, honouring modprobe.d) unless it is already there. */
int modload(const struct root *r, const char *driver, char *err, size_t errsize);

#endif
