/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status_print.c: the judge's verdict printed: status's report, human or JSON (confirm prints the human one). */
#include <stdio.h>
#include <string.h>
#include "factsview.h"
#include "judge.h"
#include "report.h"
#include "status_print.h"

/* The trial, pending or not, as the document's "trial" field. */
static void json_trial(struct sbuf *out, const struct judgement *s)
{
	char *k, *save = NULL, kernels[sizeof(s->trial.unmarked)];

	if (!s->trial.pending) {
		sbuf_add(out, "null");
		return;
	}
	sbuf_addf(out, "{\"this_boot\": %s, \"unmarked_images\": [",
		  s->trial.this_boot ? "true" : "false");
	strscpy(kernels, s->trial.unmarked, sizeof(kernels));
	for (k = strtok_r(kernels, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
		sbuf_add(out, k == kernels ? "" : ", ");
		json_str(out, k);
	}
	sbuf_add(out, "], \"message\": ");
	json_str(out, s->trial.message);
	sbuf_add(out, "}");
}

void status_print_json(struct judgement *s, FILE *f)
{
	struct factsview_hook hook = { &s->h, &s->c };
	struct report rep = { .iommu = &s->h.v, .errors = &s->errs, .plan = &s->p,
			      .entry_extra = factsview_entry_json, .entry_extra_ud = &hook };
	struct sbuf out = { 0 };
	size_t i;

	report_json(&out, &rep);
	/* the status document's fields, then status's own */
	while (out.len && (out.s[out.len - 1] == '\n' || out.s[out.len - 1] == '}'))
		out.s[--out.len] = '\0';
	sbuf_addf(&out, ",\n  \"ready\": %s,\n  \"reboot_required\": %s,\n  \"message\": ",
		  s->ready ? "true" : "false", s->reboot_pending ? "true" : "false");
	json_str(&out, s->message);
	sbuf_add(&out, ",\n  \"drift\": [");
	for (i = 0; i < s->ndrift; i++) {
		sbuf_addf(&out, "%s\n    {\"what\": \"%s\", \"message\": ", i ? "," : "",
			  s->drift[i].what);
		json_str(&out, s->drift[i].message);
		sbuf_add(&out, ", \"fix\": ");
		json_str(&out, s->drift[i].fix);
		sbuf_add(&out, "}");
	}
	sbuf_add(&out, s->ndrift ? "\n  ],\n  \"trial\": " : "],\n  \"trial\": ");
	json_trial(&out, s);
	sbuf_add(&out, ",\n  \"boot\": ");
	if (s->boot) {
		rstrip(s->boot);
		sbuf_add(&out, s->boot);
	} else {
		sbuf_add(&out, "null");
	}
	sbuf_add(&out, "\n}\n");
	fputs(out.s ? out.s : "", f);
	sbuf_free(&out);
}

void status_print_no_host_json(FILE *f)
{
	fputs("{\n  \"version\": 1,\n  \"iommu\": null,\n  \"devices\": [],\n"
	      "  \"errors\": [\"cannot read the host view under --sysroot\"],\n"
	      "  \"ready\": false,\n  \"reboot_required\": false,\n"
	      "  \"message\": \"cannot read the host view\",\n"
	      "  \"drift\": [],\n  \"boot\": null\n}\n", f);
}

void status_print_human(struct judgement *s, bool verbose, FILE *f)
{
	struct sbuf out = { 0 };
	size_t i;

	report_iommu_human(&out, &s->h.v, &s->errs);
	if (s->boot && verbose) {
		const char *line, *nl;

		sbuf_add(&out, "boot: passthru-claim ran this boot; its /run/passthru/status.json:\n");
		for (line = s->boot; *line; line = nl + (*nl == '\n')) {
			nl = line + strcspn(line, "\n");
			if (nl > line)
				sbuf_addf(&out, "  | %.*s\n", (int)(nl - line), line);
		}
	} else if (!s->boot) {
		sbuf_addf(&out, "boot: %s\n", s->booted ? "/run/passthru/status.json is there "
			  "but not a readable JSON file (passthru-claim ran, its report is "
			  "damaged)" : "no /run/passthru/status.json: passthru-claim did not run "
			  "this boot");
	}
	status_table(&out, s);
	factsview_plan_human(&out, &s->h, &s->c, &s->p, verbose);	/* the cards' facts */
	for (i = 0; i < s->ndrift; i++)
		sbuf_addf(&out, "drift: %s\n  fix: %s\n", s->drift[i].message, s->drift[i].fix);
	if (s->trial.pending && (s->trial.this_boot || s->trial.unmarked[0]))
		sbuf_addf(&out, "trial: %s\n", s->trial.message);
	sbuf_addf(&out, "%s\n", s->message);
	fputs(out.s ? out.s : "", f);
	sbuf_free(&out);
}
