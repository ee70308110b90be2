/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h: the status document (JSON) and the human summary. */
#ifndef PASSTHRU_REPORT_H
#define PASSTHRU_REPORT_H
#include "claim.h"
#include "config.h"
#include "iommu.h"
#include "plan.h"
#include "util.h"

struct report {
	const struct iommu_verdict *iommu;
	const struct plan *plan;	/* may be NULL */
	const struct errlist *errors;
	bool dry_run;
	bool disabled;			/* rd.passthru=0 */
	bool untried;			/* a trial is pending and this boot is not it */
	const struct claim_timing *timing;	/* may be NULL */
	const char *config_sha256;	/* of the config read; NULL or "" without one */
	const char *gave_up;		/* the step the watchdog found running, or NULL */
	bool finished_late;		/* the claim finished after the watchdog gave up */
	int timeout_s;			/* the watchdog's bound */
};

/* A JSON string (valid UTF-8 whatever s holds: see json_str()), or null for NULL/"". */
void json_str(struct sbuf *b, const char *s);
void report_json(struct sbuf *b, const struct report *rep);
/* The verdict's warning (interrupt remapping off: vfio will refuse the devices at VM start,
 * and the fix), "INDENTwarning: ...\n", or nothing: the words status, plan, list and install
 * all give. */
void report_iommu_warning(struct sbuf *b, const char *indent, const struct iommu_verdict *v);
/* The IOMMU verdict, its warning and the errors, as the head of a human report. */
void report_iommu_human(struct sbuf *b, const struct iommu_verdict *v, const struct errlist *errs);
/* one device's line up to its reason: address, ids, role, state, driver */
void report_entry_head(struct sbuf *b, const struct plan_entry *e);
void report_human(struct sbuf *b, const struct report *rep);

#endif
