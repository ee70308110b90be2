/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.c: passthru-setup plan: what the next boot would do with the config, touching nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "factsview.h"
#include "hostview.h"
#include "report.h"
#include "setup.h"

int cmd_plan(struct opts *o)
{
	struct hostview h;
	struct config c;
	struct errlist errs = { 0 };
	struct plan p = { 0 };
	struct report rep = { 0 };
	struct factsview_hook hook = { &h, &c };
	struct sbuf out = { 0 };
	bool have_plan = false;
	int r, code;

	if (hostview_open(&h, o->sysroot) < 0) {
		if (o->json)
			printf("{\n  \"version\": 1,\n  \"iommu\": null,\n  \"devices\": [],\n"
			       "  \"errors\": [\"cannot read the host view under --sysroot\"]\n}\n");
		return 1;
	}
	config_init(&c);
	r = config_load(&c, &h.r, NULL, &errs);
	rep.iommu = &h.v;
	rep.errors = &errs;
	rep.dry_run = true;
	rep.entry_extra = factsview_entry_json;
	rep.entry_extra_ud = &hook;
	if (errs.n) {
		code = 2;
	} else if (hostview_plan(&h, &c, &p) < 0) {
		errlist_add(&errs, "out of memory while planning");
		code = 1;
	} else {
		rep.plan = &p;
		have_plan = true;
		code = plan_exit_code(&p, &h.v, &c);
	}
	if (o->json) {
		report_json(&out, &rep);
		fputs(out.s ? out.s : "", stdout);
	} else {
		if (r == -ENOENT)
			sbuf_add(&out, "no /etc/passthru.conf: nothing is selected\n");
		hostview_plan_human(&out, &h, &c, have_plan ? &p : NULL, &errs);
		if (have_plan)
			factsview_plan_human(&out, &h, &c, &p, true);
		fputs(out.s ? out.s : "", code == 2 ? stderr : stdout);
	}
	sbuf_free(&out);
	plan_free(&p);
	config_free(&c);
	errlist_free(&errs);
	hostview_close(&h);
	return code;
}
