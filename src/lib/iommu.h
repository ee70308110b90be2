/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iommu.h: is the IOMMU really on, and what should the user do if not. */
#ifndef PASSTHRU_IOMMU_H
#define PASSTHRU_IOMMU_H
#include <stdbool.h>
#include "root.h"

struct iommu_verdict {
	bool active;
	char vendor[16];		/* "intel", "amd", "other", "" unknown */
	bool firmware_table;
	char firmware_table_name[8];	/* "DMAR", "IVRS", "" */
	bool interrupt_remapping;
	char default_domain[16];	/* group type, "" when no groups */
	bool unsafe_interrupts_allowed;
	char reason[512];		/* when not active */
	char warning[512];		/* active, but vfio will still object */
};

/* Read the verdict from sysfs and procfs under the root; cmdline explains "why not". */
int iommu_verdict_read(const struct root *r, const char *cmdline, struct iommu_verdict *ret);
/* Fill reason and warning from the facts already in v. */
void iommu_verdict_explain(struct iommu_verdict *v, const char *cmdline);

#endif
