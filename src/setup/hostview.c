/* hostview.c: this host as the read-only commands see it: devices, IOMMU verdict, plan. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostview.h"

int hostview_open(struct hostview *h, const char *sysroot)
{
	char err[300];
	int r;

	memset(h, 0, sizeof(*h));
	r = root_open(&h->r, sysroot);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot open %s: %s\n", sysroot, strerror(-r));
		return r;
	}
	if (root_slurp(&h->r, "proc/cmdline", &h->cmdline, NULL) < 0)
		h->cmdline = strdup("");
	iommu_verdict_read(&h->r, h->cmdline ? h->cmdline : "", &h->v);
	r = model_scan(&h->m, &h->r, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read the PCI devices: %s\n", err);
		root_close(&h->r);
		free(h->cmdline);
		return r;
	}
	return 0;
}

void hostview_close(struct hostview *h)
{
	model_free(&h->m);
	root_close(&h->r);
	free(h->cmdline);
}

int hostview_plan(const struct hostview *h, const struct config *c, struct plan *ret)
{
	return plan_build(c, &h->m, &h->v, ret);
}
