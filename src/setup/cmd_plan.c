/* cmd_plan.c: passthru-setup plan: what the next boot would do with the config, touching nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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
	struct sbuf out = { 0 };
	int r, code = 0;

	if (hostview_open(&h, o->sysroot) < 0)
		return 1;
	config_init(&c);
	r = config_load(&c, &h.r, NULL, &errs);
	if (r == -ENOENT)
		printf("no /etc/passthru.conf: nothing is selected\n");
	rep.iommu = &h.v;
	rep.errors = &errs;
	rep.dry_run = true;
	if (errs.n) {
		code = 2;
	} else if (hostview_plan(&h, &c, &p) < 0) {
		fprintf(stderr, "passthru-setup: out of memory\n");
		code = 1;
	} else {
		rep.plan = &p;
	}
	if (o->json)
		report_json(&out, &rep);
	else
		report_human(&out, &rep);
	fputs(out.s ? out.s : "", code == 2 ? stderr : stdout);
	sbuf_free(&out);
	plan_free(&p);
	config_free(&c);
	errlist_free(&errs);
	hostview_close(&h);
	return code;
}
