/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status_nfd.c: status --nfd: passthru.ready, passthru.claimed, passthru.iommu as NFD local-source feature lines. */
#include <stdio.h>
#include "judge.h"
#include "status_nfd.h"

/*
 * The IOMMU verdict as one label value: "on" (active, and vfio will take devices), "off" (not
 * active: the kernel arguments or the firmware), "no-interrupt-remapping" (active, but vfio
 * refuses devices until interrupt remapping is on, or unsafe interrupts are allowed),
 * "unknown" (no host view). Label values: [A-Za-z0-9][-A-Za-z0-9_.]*, at most 63 characters.
 */
static const char *iommu_value(const struct judgement *j)
{
	if (!j)
		return "unknown";
	if (!j->h.v.active)
		return "off";
	if (!j->h.v.interrupt_remapping && !j->h.v.unsafe_interrupts_allowed)
		return "no-interrupt-remapping";
	return "on";
}

/*
 * NFD's local feature source (nfd-worker reads /etc/kubernetes/node-feature-discovery/
 * features.d/): one NAME=VALUE per line; lines starting with '#' are comments (and "# +"
 * directives, none used here); a name without a prefix becomes the label
 * feature.node.kubernetes.io/NAME.
 */
void status_print_nfd(const struct judgement *j, FILE *f)
{
	size_t claimed = 0;

	for (size_t i = 0; j && i < j->p.n; i++)
		if (j->p.e[i].state == STATE_CLAIMED)
			claimed++;
	fputs("# passthru-setup status --nfd: for /etc/kubernetes/node-feature-discovery/"
	      "features.d/passthru\n", f);
	fprintf(f, "passthru.ready=%s\n", j && j->ready ? "true" : "false");
	fprintf(f, "passthru.claimed=%zu\n", claimed);
	fprintf(f, "passthru.iommu=%s\n", iommu_value(j));
}
