/* hostview.h: this host as the read-only commands see it: devices, IOMMU, config, plan. */
#ifndef PASSTHRU_HOSTVIEW_H
#define PASSTHRU_HOSTVIEW_H
#include "config.h"
#include "iommu.h"
#include "model.h"
#include "plan.h"
#include "root.h"

struct hostview {
	struct root r;
	struct model m;
	struct iommu_verdict v;
	char *cmdline;
};

/* Open the sysroot and read devices and the IOMMU verdict; prints its own errors. */
int hostview_open(struct hostview *h, const char *sysroot);
void hostview_close(struct hostview *h);
/* Plan a config on this host (what the next boot would do). */
int hostview_plan(const struct hostview *h, const struct config *c, struct plan *ret);

#endif
