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
	size_t *bygroup;	/* device indices sorted by (group, address) */
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

/* A bridge or a storage controller is never somebody's companion. */
static bool may_be_companion(const struct pdev *d)
{
	return !pdev_is_bridge(d) && !pdev_is_storage(d) && (d->class >> 16) != 0x06;
}

static void add_companions(struct ctx *x)
{
	const struct model *m = x->m;
	size_t i, j, k;

	for (i = 0; i < m->n; i++) {
		const struct pdev *d = &m->dev[i];

		if (x->role[i] != ROLE_SELECTED)
			continue;
		/* the other functions of the slot are neighbours in the sorted model */
		for (j = i; j > 0 && addr_slot(m->dev[j - 1].addr) == addr_slot(d->addr); j--)
			;
		for (; j < m->n && addr_slot(m->dev[j].addr) == addr_slot(d->addr); j++) {
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

static const struct model *sort_model;

static int cmp_group(const void *a, const void *b)
{
	const struct pdev *x = &sort_model->dev[*(const size_t *)a];
	const struct pdev *y = &sort_model->dev[*(const size_t *)b];

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Range [*lo, *hi) of bygroup holding group g. */
static void group_range(const struct ctx *x, int g, size_t *lo, size_t *hi)
{
	size_t a = 0, b = x->m->n;

	while (a < b) {
		size_t mid = (a + b) / 2;

		if (x->m->dev[x->bygroup[mid]].group < g)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (a < x->m->n && x->m->dev[x->bygroup[a]].group == g)
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

/* Judge one unit (a selected device, its companions, and what shares their groups). */
static int judge_unit(struct ctx *x, size_t root, const size_t *mem, size_t nmem)
{
	const struct config *c = x->c;
	const struct model *m = x->m;
	bool active = x->v->active, stub = !active && c->no_iommu == NO_IOMMU_STUB;
	char reason[512] = "";
	size_t i, k, first = x->p->n;
	int groups[64], ngroups = 0;

	for (i = 0; i < nmem; i++) {
		const struct pdev *d = &m->dev[mem[i]];

		if (pdev_is_bridge(d))
			appendf(reason, sizeof(reason), "%s%s is a bridge, and bridges are never "
				"bound", *reason ? "; " : "", d->name);
		if (d->boot_vga == 1 && c->boot_vga == BOOT_VGA_REFUSE)
			appendf(reason, sizeof(reason), "%s%s is the boot display (boot_vga=1); set "
				"boot_vga = allow to claim it", *reason ? "; " : "", d->name);
		if (active && d->group == GROUP_NONE)
			appendf(reason, sizeof(reason), "%s%s has no IOMMU group",
				*reason ? "; " : "", d->name);
	}
	if (!active && !stub)
		appendf(reason, sizeof(reason), "%sIOMMU not active: %s", *reason ? "; " : "",
			x->v->reason);
	for (i = 0; i < nmem; i++) {
		const struct pdev *d = &m->dev[mem[i]];
		struct plan_entry *e = add_dev(x, d, x->role[mem[i]], STATE_PLANNED);

		if (!e)
			return -ENOMEM;
		if (!active)
			e->group = GROUP_NONE;
		if (active && d->group != GROUP_NONE) {
			for (k = 0; k < (size_t)ngroups; k++)
				if (groups[k] == d->group)
					break;
			if (k < (size_t)ngroups)
				continue;
			if (ngroups == (int)ARRAY_SIZE(groups)) {
				/* never claim a group that was not checked */
				appendf(reason, sizeof(reason), "%sthe devices span more than %zu "
					"IOMMU groups", *reason ? "; " : "", ARRAY_SIZE(groups));
				continue;
			}
			groups[ngroups++] = d->group;
		}
	}
	/* the rest of every group the unit touches */
	for (k = 0; k < (size_t)ngroups; k++) {
		size_t lo, hi, j;

		group_range(x, groups[k], &lo, &hi);
		for (j = lo; j < hi; j++) {
			size_t di = x->bygroup[j];
			const struct pdev *d = &m->dev[di];
			struct plan_entry *e;
			char cls[96];

			if (x->role[di] != NOT_CLAIMED && find(x->parent, di) == root)
				continue;
			if (pdev_is_bridge(d)) {
				if (!add_dev(x, d, ROLE_BRIDGE, STATE_UNTOUCHED))
					return -ENOMEM;
				continue;
			}
			e = add_dev(x, d, ROLE_OTHER, STATE_UNTOUCHED);
			if (!e)
				return -ENOMEM;
			snprintf(cls, sizeof(cls), "%s [%04x:%04x] class 0x%06x", d->name, d->vendor,
				 d->device, d->class);
			/* already held for passthrough: the host does not use it */
			if (!strcmp(d->driver, "vfio-pci") || !strcmp(d->driver, "pci-stub"))
				continue;
			if (c->unsafe_group == UNSAFE_GROUP_FORCE && !pdev_is_storage(d) &&
			    x->role[di] == NOT_CLAIMED) {
				e->state = STATE_PLANNED;
				continue;
			}
			if (pdev_is_storage(d))
				appendf(reason, sizeof(reason), "%sIOMMU group %d also holds %s, a "
					"mass-storage controller that is not selected (refused even "
					"under unsafe_group = force)", *reason ? "; " : "",
					groups[k], cls);
			else
				appendf(reason, sizeof(reason), "%sIOMMU group %d also holds %s, "
					"which is not selected%s", *reason ? "; " : "", groups[k],
					cls, c->unsafe_group == UNSAFE_GROUP_FORCE ? "" :
					" (unsafe_group = force would claim it too)");
		}
		for (j = 0; j < m->nforeign; j++)
			if (m->foreign[j].group == groups[k])
				appendf(reason, sizeof(reason), "%sIOMMU group %d also holds %s, "
					"which is not a PCI device", *reason ? "; " : "", groups[k],
					m->foreign[j].name);
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
	struct plan p = { 0 };
	struct ctx x = { .c = c, .m = m, .v = v, .p = &p };
	size_t i, j, n = m->n, *mem = NULL, nmem;
	int r = -ENOMEM;

	x.role = malloc((n + 1) * sizeof(*x.role));
	x.parent = malloc((n + 1) * sizeof(*x.parent));
	x.bygroup = malloc((n + 1) * sizeof(*x.bygroup));
	mem = malloc((n + 1) * sizeof(*mem));
	if (!x.role || !x.parent || !x.bygroup || !mem)
		goto out;
	for (i = 0; i < n; i++) {
		x.role[i] = NOT_CLAIMED;
		x.parent[i] = i;
		x.bygroup[i] = i;
	}
	sort_model = m;
	qsort(x.bygroup, n, sizeof(*x.bygroup), cmp_group);
	r = select_devices(&x);
	if (r < 0)
		goto out;
	if (c->companions == COMPANIONS_SLOT)
		add_companions(&x);
	/* vfio takes whole groups: the claimed devices of one group stand or fall together */
	if (v->active) {
		size_t last = SIZE_MAX;

		for (i = 0; i < n; i++) {
			size_t b = x.bygroup[i];

			if (i && m->dev[x.bygroup[i - 1]].group != m->dev[b].group)
				last = SIZE_MAX;
			if (x.role[b] == NOT_CLAIMED || m->dev[b].group == GROUP_NONE)
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
	free(x.bygroup);
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
