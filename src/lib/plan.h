/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.h: what to claim, decided purely from config, model and IOMMU verdict. */
#ifndef PASSTHRU_PLAN_H
#define PASSTHRU_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "iommu.h"
#include "model.h"

enum role { ROLE_SELECTED, ROLE_COMPANION, ROLE_BRIDGE, ROLE_OTHER };
enum state { STATE_CLAIMED, STATE_PLANNED, STATE_REFUSED, STATE_FAILED, STATE_UNTOUCHED,
	     STATE_ABSENT };

struct plan_entry {
	pci_addr_t addr;	/* ADDR_NONE for an ID selector that matched nothing */
	uint16_t vendor, device;
	uint32_t class;
	int group;
	enum role role;
	enum state state;	/* the planner says planned, refused, untouched or absent */
	char driver[64];	/* target driver when planned, current driver otherwise */
	char reason[512];
	char variant[64];	/* the vfio variant driver modules.alias names for it, or "" */
	char variant_error[256];	/* why that variant is not the driver, or "" */
	char variant_tie[200];	/* another variant matched as closely, or "" */
	bool bind;		/* the claimer acts on this entry */
	size_t unit;		/* entries of one unit are claimed whole or given back */
};

struct plan {
	struct plan_entry *e;
	size_t n, cap;
};

/* One device in one IOMMU group: by its iommu_group link, or by the kernel's group list. */
struct plan_member {
	int group;
	size_t dev;		/* index into the model's dev[] */
};

/* Every group membership of a model, sorted by (group, device): what the planner looks groups
 * up in. Built once, it serves every plan of that model (list plans each card on its own). */
struct plan_groups {
	struct plan_member *m;
	size_t n;
};

int plan_groups_build(const struct model *m, struct plan_groups *g);
void plan_groups_free(struct plan_groups *g);
int plan_build(const struct config *c, const struct model *m, const struct iommu_verdict *v,
	       struct plan *ret);
/* plan_build with the model's groups built already (plan_groups_build of the same model). */
int plan_build_grouped(const struct config *c, const struct model *m, const struct plan_groups *g,
		       const struct iommu_verdict *v, struct plan *ret);
void plan_free(struct plan *p);
const char *role_name(enum role r);
const char *state_name(enum state s);
/* Exit code per the contract, from a finished (or dry-run) plan. */
int plan_exit_code(const struct plan *p, const struct iommu_verdict *v, const struct config *c);

#endif
