/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status_print.h: status's report of the judge's verdict (status_print.c); confirm prints it too. */
#ifndef PASSTHRU_STATUS_PRINT_H
#define PASSTHRU_STATUS_PRINT_H
#include <stdbool.h>
#include <stdio.h>
#include "judge.h"

/* The status document: passthru-claim's fields, then ready, message, drift, trial, boot. The
 * boot's report is embedded as it is (its trailing white space cut in s->boot). */
void status_print_json(struct judgement *s, FILE *f);
/* The document when the host view cannot be read: still one JSON object of the same shape. */
void status_print_no_host_json(FILE *f);
/* The human report: IOMMU, the short device table (status_table) and one sentence per
 * problem, each drift with its fix, the trial, the verdict last; verbose: the boot's report
 * itself too (s->boot is cut into lines). */
void status_print_human(struct judgement *s, bool verbose, FILE *f);
/* status_table.c: each device of the plan (role, the boot's state, its driver now), then one
 * sentence for each device problem (a failed claim's reason is the boot's). */
void status_table(struct sbuf *out, const struct judgement *s);

#endif
