/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.c: decide what to claim from config, model and IOMMU verdict; a pure function. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plan.h"
#include "util.h"

#define NOT_CLAIMED (-1)

struct ctx {
	const struct config *c;
	const struct model *m;
	const struct iommu_verdict *v;
	struct plan *p;
	int *role;		/* per device: NOT_CLAIMED, ROLE_SELECTED, ROLE_COMPANION */
	size_t *parent;		/* union-find over devices */
	const struct plan_member *bygroup;	/* every group membership, by (group, address) */
	size_t nbygroup;
	size_t *seen;		/* per device: the unit that last judged it (1-based), 0 none */
	size_t unit;
};

const char *role_name(enum role r)
{
	static const char *const n[] = { "selected", "companion", "bridge", "other" };

	return n[r];
}

const char *state_name(enum state s)
{
	static const char *const n[] = { "claimed", "planned", "refused", "failed",
					 "untouched", "absent" };

	return n[s];
}

static size_t find(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static void unite(size_t *parent, size_t a, size_t b)
{
	a = find(parent, a);
	b = find(parent, b);
	if (a != b)
		parent[a < b ? b : a] = a < b ? a : b;
}

static struct plan_entry *add_entry(struct plan *p)
{
	if (grow(&p->e, &p->cap, p->n + 1, sizeof(*p->e)) < 0)
		return NULL;
	return memset(&p->e[p->n++], 0, sizeof(*p->e));
}

static struct plan_entry *add_dev(struct ctx *x, const struct pdev *d, enum role role,
				  enum state state)
{
	struct plan_entry *e = add_entry(x->p);

	if (!e)
		return NULL;
	e->addr = d->addr;
	e->vendor = d->vendor;
	e->device = d->device;
	e->class = d->class;
	e->group = d->group;
	e->role = role;
	e->state = state;
	strscpy(e->driver, d->driver, sizeof(e->driver));
	return e;
}

static int add_absent(struct ctx *x, const struct selector *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int add_absent(struct ctx *x, const struct selector *s, const char *fmt, ...)
{
	struct plan_entry *e = add_entry(x->p);
	va_list ap;
	size_t n;

	if (!e)
		return -ENOMEM;
	e->addr = s->kind == SEL_ID ? ADDR_NONE : s->addr;
	e->vendor = s->vendor;
	e->device = s->device;
	e->group = GROUP_NONE;
	e->role = ROLE_SELECTED;
	e->state = STATE_ABSENT;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	n = strlen(e->reason);
	snprintf(e->reason + n, sizeof(e->reason) - n, " (selector '%s' from %s)", s->text,
		 s->origin[0] ? s->origin : "the command line");
	return 0;
}

static int select_devices(struct ctx *x)
{
	const struct model *m = x->m;
	size_t i, j;

	for (i = 0; i < x->c->nsel; i++) {
		const struct selector *s = &x->c->sel[i];
		const struct pdev *d;
		char a[ADDR_LEN];
		bool any = false;

		switch (s->kind) {
		case SEL_ID:
			for (j = 0; j < m->n; j++)
				if (m->dev[j].vendor == s->vendor && m->dev[j].device == s->device) {
					x->role[j] = ROLE_SELECTED;
					any = true;
				}
			if (!any && add_absent(x, s, "no device has ID %04x:%04x", s->vendor,
					       s->device) < 0)
				return -ENOMEM;
			break;
		case SEL_ADDR:
		case SEL_ID_AT_ADDR:
			addr_format(s->addr, a);
			d = model_find(m, s->addr);
			if (!d) {
				if (add_absent(x, s, "no device at %s", a) < 0)
					return -ENOMEM;
			} else if (s->kind == SEL_ID_AT_ADDR &&
				   (d->vendor != s->vendor || d->device != s->device)) {
				if (add_absent(x, s, "%s is %04x:%04x, not %04x:%04x: nothing "
					       "claimed there", a, d->vendor, d->device,
					       s->vendor, s->device) < 0)
					return -ENOMEM;
			} else {
				x->role[d - m->dev] = ROLE_SELECTED;
			}
			break;
		}
	}
	return 0;
}

/*
 * A bridge, a storage controller or an SR-IOV virtual function is never somebody's
 * companion: virtual functions are separate devices that merely share a slot number.
 */
static bool may_be_companion(const struct pdev *d)
{
	return !pdev_is_bridge(d) && !pdev_is_storage(d) && (d->class >> 16) != 0x06 &&
	       !d->virtfn;
}

static void add_companions(struct ctx *x)
{
	const struct model *m = x->m;
	size_t i, j, k;

	for (i = 0; i < m->n; i++) {
		const struct pdev *d = &m->dev[i];

		if (x->role[i] != ROLE_SELECTED)
			continue;
		/*
		 * the other functions of the slot are neighbours in the sorted model; a virtual
		 * function is no function of its slot's device, so it has no slot companions
		 */
		for (j = i; j > 0 && addr_slot(m->dev[j - 1].addr) == addr_slot(d->addr); j--)
			;
		for (; !d->virtfn && j < m->n && addr_slot(m->dev[j].addr) == addr_slot(d->addr);
		     j++) {
			if (j == i || !may_be_companion(&m->dev[j]))
				continue;
			if (x->role[j] == NOT_CLAIMED)
				x->role[j] = ROLE_COMPANION;
			unite(x->parent, i, j);
		}
		for (k = 0; k < d->nconsumers; k++) {
			const struct pdev *c = model_find(m, d->consumers[k]);

			if (!c || !may_be_companion(c))
				continue;
			j = (size_t)(c - m->dev);
			if (x->role[j] == NOT_CLAIMED)
				x->role[j] = ROLE_COMPANION;
			unite(x->parent, i, j);
		}
	}
}

static int cmp_member(const void *a, const void *b)
{
	const struct plan_member *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/*
 * A group's members are the devices whose iommu_group link names it and the devices the
 * kernel's own list names (a device there without a matching link is still a member).
 */
int plan_groups_build(const struct model *m, struct plan_groups *g)
{
	size_t i;

	g->n = 0;
	g->m = malloc((m->n + m->nforeign + 1) * sizeof(*g->m));
	if (!g->m)
		return -ENOMEM;
	for (i = 0; i < m->n; i++)
		if (m->dev[i].group != GROUP_NONE)
			g->m[g->n++] = (struct plan_member){ m->dev[i].group, i };
	for (i = 0; i < m->nforeign; i++) {
		const struct pdev *d = m->foreign[i].addr == ADDR_NONE ? NULL :
				       model_find(m, m->foreign[i].addr);

		if (d && d->group != m->foreign[i].group)
			g->m[g->n++] = (struct plan_member){ m->foreign[i].group,
							     (size_t)(d - m->dev) };
	}
	if (g->n)
		qsort(g->m, g->n, sizeof(*g->m), cmp_member);
	return 0;
}

void plan_groups_free(struct plan_groups *g)
{
	free(g->m);
	memset(g, 0, sizeof(*g));
}

/* Range [*lo, *hi) of bygroup holding group g. */
static void group_range(const struct ctx *x, int g, size_t *lo, size_t *hi)
{
	size_t a = 0, b = x->nbygroup;

	while (a < b) {
		size_t mid = (a + b) / 2;

		if (x->bygroup[mid].group < g)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (a < x->nbygroup && x->bygroup[a].group == g)
		a++;
	*hi = a;
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* Record group g as one the unit touches; false when there are too many to check. */
static bool touch_group(int *groups, int *ngroups, int max, int g)
{
	int k;

	for (k = 0; k < *ngroups; k++)
		if (groups[k] == g)
			return true;
	if (*ngroups == max)
		return false;
	groups[(*ngroups)++] = g;
	return true;
}

/*
 * Why even unsafe_group = force must leave an endpoint of group g alone, or NULL: an
 * unselected mass-storage controller, the boot display while boot_vga = refuse, or a
 * device whose own iommu_group link does not name g (binding it would reach past g).
 */
static const char *unforceable(const struct ctx *x, const struct pdev *d, int g, char *buf,
			       size_t size)
{
	if (d->group != g) {
		if (d->group == GROUP_NONE)
			snprintf(buf, size, "which the kernel lists in the group but which has no "
				 "iommu_group link");
		else
			snprintf(buf, size, "which the kernel lists in the group but whose "
				 "iommu_group link names group %d", d->group);
		return buf;
	}
	if (pdev_is_storage(d))
		return "a mass-storage controller that is not selected";
	if (d->boot_vga == 1 && x->c->boot_vga == BOOT_VGA_REFUSE)
		return "the firmware's boot display (boot_vga=1), which is not selected, while "
		       "boot_vga = refuse";
	return NULL;
}

/* Why the unit's own devices cannot go: bridges, the boot display, no group, no IOMMU. */
static void member_reasons(struct ctx *x, const size_t *mem, size_t nmem, bool stub,
			   char *reason, size_t rsize)
{
	const struct config *c = x->c;
	bool active = x->v->active;
	size_t i;

	for (i = 0; i < nmem; i++) {
		const struct pdev *d = &x->m->dev[mem[i]];

		if (pdev_is_bridge(d))
			appendf(reason, rsize, "%s%s is a bridge, and bridges are never "
				"bound", *reason ? "; " : "", d->name);
		if (d->boot_vga == 1 && c->boot_vga == BOOT_VGA_REFUSE)
			appendf(reason, rsize, "%s%s is the boot display (boot_vga=1); set "
				"boot_vga = allow to claim it", *reason ? "; " : "", d->name);
		if (active && d->group == GROUP_NONE)
			appendf(reason, rsize, "%s%s has no IOMMU group",
				*reason ? "; " : "", d->name);
	}
	if (!active && !stub)
		appendf(reason, rsize, "%sIOMMU not active: %s", *reason ? "; " : "",
			x->v->reason);
}

/* The unit's own entries, and the groups it touches: by each member's link, and the groups
 * whose kernel list names a member that its link does not. */
static int member_entries(struct ctx *x, size_t root, const size_t *mem, size_t nmem,
			  int *groups, int *ngroups, int maxgroups, char *reason, size_t rsize)
{
	const struct model *m = x->m;
	bool active = x->v->active;
	size_t i;

	for (i = 0; i < nmem; i++) {
		const struct pdev *d = &m->dev[mem[i]];
		struct plan_entry *e = add_dev(x, d, x->role[mem[i]], STATE_PLANNED);

		if (!e)
			return -ENOMEM;
		if (!active)
			e->group = GROUP_NONE;
		/* never claim a group that was not checked */
		if (active && d->group != GROUP_NONE &&
		    !touch_group(groups, ngroups, maxgroups, d->group))
			appendf(reason, rsize, "%sthe devices span more than %d IOMMU "
				"groups", *reason ? "; " : "", maxgroups);
	}
	for (i = 0; active && i < m->nforeign; i++) {
		const struct pdev *d = m->foreign[i].addr == ADDR_NONE ? NULL :
				       model_find(m, m->foreign[i].addr);
		size_t di = d ? (size_t)(d - m->dev) : 0;

		if (d && x->role[di] != NOT_CLAIMED && find(x->parent, di) == root &&
		    !touch_group(groups, ngroups, maxgroups, m->foreign[i].group))
			appendf(reason, rsize, "%sthe devices span more than %d IOMMU "
				"groups", *reason ? "; " : "", maxgroups);
	}
	return 0;
}

/* One device of the unit's group that is not the unit's: its entry, and why it stops the
 * unit (nothing when it is a bridge, already held for passthrough, or forced). */
static int judge_other(struct ctx *x, size_t di, int group, char *reason, size_t rsize)
{
	const struct config *c = x->c;
	const struct pdev *d = &x->m->dev[di];
	struct plan_entry *e = NULL;
	const char *why;
	char cls[96], buf[128];

	/* a device judged by another unit already has its entry */
	if (!x->seen[di]) {
		e = add_dev(x, d, pdev_is_bridge(d) ? ROLE_BRIDGE : ROLE_OTHER, STATE_UNTOUCHED);
		if (!e)
			return -ENOMEM;
	}
	x->seen[di] = x->unit;
	if (pdev_is_bridge(d))
		return 0;
	snprintf(cls, sizeof(cls), "%s [%04x:%04x] class 0x%06x", d->name, d->vendor,
		 d->device, d->class);
	/* already held for passthrough: the host does not use it */
	if (!strcmp(d->driver, "vfio-pci") || !strcmp(d->driver, "pci-stub"))
		return 0;
	why = unforceable(x, d, group, buf, sizeof(buf));
	/* another unit saw it first: another group's kernel list names it too */
	if (!why && !e)
		why = "which the kernel's list of another group names too";
	if (c->unsafe_group == UNSAFE_GROUP_FORCE && !why && e) {
		e->state = STATE_PLANNED;
		return 0;
	}
	if (why)
		appendf(reason, rsize, "%sIOMMU group %d also holds %s, %s "
			"(refused even under unsafe_group = force)",
			*reason ? "; " : "", group, cls, why);
	else
		appendf(reason, rsize, "%sIOMMU group %d also holds %s, "
			"which is not selected%s", *reason ? "; " : "", group,
			cls, c->unsafe_group == UNSAFE_GROUP_FORCE ? "" :
			" (unsafe_group = force would claim it too)");
	return 0;
}

/* The rest of one group the unit touches: every other device, and what is not PCI. */
static int judge_group_rest(struct ctx *x, size_t root, int group, char *reason, size_t rsize)
{
	const struct model *m = x->m;
	size_t lo, hi, j;
	int rc;

	group_range(x, group, &lo, &hi);
	for (j = lo; j < hi; j++) {
		size_t di = x->bygroup[j].dev;

		if (x->role[di] != NOT_CLAIMED && find(x->parent, di) == root)
			continue;
		/* in two groups of this unit (by link and by list): judged once */
		if (x->seen[di] == x->unit)
			continue;
		rc = judge_other(x, di, group, reason, rsize);
		if (rc < 0)
			return rc;
	}
	for (j = 0; j < m->nforeign; j++)
		if (m->foreign[j].group == group && m->foreign[j].addr == ADDR_NONE)
			appendf(reason, rsize, "%sIOMMU group %d also holds %s, "
				"which is not a PCI device", *reason ? "; " : "", group,
				m->foreign[j].name);
	return 0;
}

/* Judge one unit (a selected device, its companions, and what shares their groups). */
static int judge_unit(struct ctx *x, size_t root, const size_t *mem, size_t nmem)
{
	const struct config *c = x->c;
	bool stub = !x->v->active && c->no_iommu == NO_IOMMU_STUB;
	char reason[512] = "";
	size_t i, k, first = x->p->n;
	int groups[64], ngroups = 0, rc;

	member_reasons(x, mem, nmem, stub, reason, sizeof(reason));
	rc = member_entries(x, root, mem, nmem, groups, &ngroups, (int)ARRAY_SIZE(groups),
			    reason, sizeof(reason));
	if (rc < 0)
		return rc;
	x->unit++;
	for (k = 0; k < (size_t)ngroups; k++) {
		rc = judge_group_rest(x, root, groups[k], reason, sizeof(reason));
		if (rc < 0)
			return rc;
	}
	for (i = first; i < x->p->n; i++) {
		struct plan_entry *e = &x->p->e[i];

		e->unit = root;
		if (*reason) {
			if (e->state == STATE_PLANNED)
				e->state = e->role == ROLE_OTHER ? STATE_UNTOUCHED : STATE_REFUSED;
			if (e->state == STATE_REFUSED)
				strscpy(e->reason, reason, sizeof(e->reason));
		} else if (e->state == STATE_PLANNED) {
			e->bind = true;
			strscpy(e->driver, stub ? "pci-stub" : c->driver, sizeof(e->driver));
		}
	}
	return 0;
}

static const size_t *sort_parent;

/* after path compression every claimed device points straight at its unit's root */
static int cmp_unit(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t rx = sort_parent[x], ry = sort_parent[y];

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct plan_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int plan_build(const struct config *c, const struct model *m, const struct iommu_verdict *v,
	       struct plan *ret)
{
	struct plan_groups g;
	int r = plan_groups_build(m, &g);

	if (r == 0)
		r = plan_build_grouped(c, m, &g, v, ret);
	plan_groups_free(&g);
	return r;
}

int plan_build_grouped(const struct config *c, const struct model *m, const struct plan_groups *g,
		       const struct iommu_verdict *v, struct plan *ret)
{
	struct plan p = { 0 };
	struct ctx x = { .c = c, .m = m, .v = v, .p = &p, .bygroup = g->m, .nbygroup = g->n };
	size_t i, j, n = m->n, *mem = NULL, nmem;
	int r = -ENOMEM;

	x.role = malloc((n + 1) * sizeof(*x.role));
	x.parent = malloc((n + 1) * sizeof(*x.parent));
	x.seen = calloc(n + 1, sizeof(*x.seen));
	mem = malloc((n + 1) * sizeof(*mem));
	if (!x.role || !x.parent || !x.seen || !mem)
		goto out;
	for (i = 0; i < n; i++) {
		x.role[i] = NOT_CLAIMED;
		x.parent[i] = i;
	}
	r = select_devices(&x);
	if (r < 0)
		goto out;
	if (c->companions == COMPANIONS_SLOT)
		add_companions(&x);
	/* vfio takes whole groups: the claimed devices of one group stand or fall together */
	if (v->active) {
		size_t last = SIZE_MAX;

		for (i = 0; i < x.nbygroup; i++) {
			size_t b = x.bygroup[i].dev;

			if (i && x.bygroup[i - 1].group != x.bygroup[i].group)
				last = SIZE_MAX;
			if (x.role[b] == NOT_CLAIMED)
				continue;
			if (last != SIZE_MAX)
				unite(x.parent, last, b);
			last = b;
		}
	}
	/* bucket the claimed devices by unit, in address order within each */
	for (nmem = 0, i = 0; i < n; i++)
		if (x.role[i] != NOT_CLAIMED)
			mem[nmem++] = i;
	for (i = 0; i < nmem; i++)
		x.parent[mem[i]] = find(x.parent, mem[i]);
	sort_parent = x.parent;
	qsort(mem, nmem, sizeof(*mem), cmp_unit);
	for (i = 0; i < nmem; i = j) {
		size_t root = x.parent[mem[i]];

		for (j = i; j < nmem && x.parent[mem[j]] == root; j++)
			;
		r = judge_unit(&x, root, mem + i, j - i);
		if (r < 0)
			goto out;
	}
	if (p.n)
		qsort(p.e, p.n, sizeof(*p.e), cmp_entry);
	*ret = p;
	p.e = NULL;
	r = 0;
out:
	free(x.role);
	free(x.parent);
	free(x.seen);
	free(mem);
	free(p.e);
	return r;
}

void plan_free(struct plan *p)
{
	free(p->e);
	memset(p, 0, sizeof(*p));
}

int plan_exit_code(const struct plan *p, const struct iommu_verdict *v, const struct config *c)
{
	size_t i;
	bool any = false, bad = false;

	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];

		if (e->role == ROLE_BRIDGE || (e->role == ROLE_OTHER && !e->bind))
			continue;
		any = true;
		bad |= e->state == STATE_REFUSED || e->state == STATE_FAILED ||
		       e->state == STATE_ABSENT;
	}
	if (!any)
		return 0;
	if (!v->active && !(c->no_iommu == NO_IOMMU_STUB && !bad))
		return 3;
	return bad ? 1 : 0;
}
