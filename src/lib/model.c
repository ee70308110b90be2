/* model.c: the PCI devices and IOMMU groups of a system, read through libpci and sysfs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>
#include "model.h"
#include "util.h"

static jmp_buf pci_jmp;
static char pci_errmsg[256];

/* libpci's error handler must not return: jump back to model_scan. */
static void __attribute__((noreturn)) pci_on_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_errmsg, sizeof(pci_errmsg), msg, ap);
	va_end(ap);
	longjmp(pci_jmp, 1);
}

static void pci_on_quiet(char *msg, ...)
{
}

static int cmp_dev(const void *a, const void *b)
{
	const struct pdev *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct pdev *model_find(const struct model *m, pci_addr_t a)
{
	struct pdev key = { .addr = a };

	if (!m->n)
		return NULL;
	return bsearch(&key, m->dev, m->n, sizeof(*m->dev), cmp_dev);
}

int model_add(struct model *m, const struct pdev *d)
{
	size_t i;

	if (model_find(m, d->addr))
		return -EEXIST;
	if (grow(&m->dev, &m->cap, m->n + 1, sizeof(*m->dev)) < 0)
		return -ENOMEM;
	for (i = m->n; i > 0 && m->dev[i - 1].addr > d->addr; i--)
		m->dev[i] = m->dev[i - 1];
	m->dev[i] = *d;
	addr_format(d->addr, m->dev[i].name);
	m->n++;
	return 0;
}

void model_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->dev[i].consumers);
	free(m->dev);
	free(m->foreign);
	memset(m, 0, sizeof(*m));
}

struct consumers {
	struct pdev *d;
	size_t cap;
	bool physfn;
};

/* consumer:pci:ADDR links: the kernel's device links from a GPU to its functions */
static int add_consumer(const char *name, void *ud)
{
	struct consumers *c = ud;
	pci_addr_t a;

	if (!strcmp(name, "physfn"))
		c->physfn = true;
	if (strncmp(name, "consumer:pci:", 13) || addr_parse(name + 13, &a) < 0)
		return 0;
	if (grow(&c->d->consumers, &c->cap, c->d->nconsumers + 1, sizeof(*c->d->consumers)) < 0)
		return -ENOMEM;
	c->d->consumers[c->d->nconsumers++] = a;
	return 0;
}

/* What libpci does not give: driver, override, group, boot_vga, class, device links, physfn. */
static int read_sysfs_facts(const struct root *r, struct pdev *d)
{
	struct consumers c = { d, 0, false };
	char p[256], buf[64];
	uint32_t v;
	int ret;

	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/class", d->name);
	if (root_read(r, p, buf, sizeof(buf)) > 0 && parse_hex(buf, 6, &v) == 0)
		d->class = v;
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver", d->name);
	if (root_readlink_base(r, p, d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver_override", d->name);
	if (root_read(r, p, d->driver_override, sizeof(d->driver_override)) < 0 ||
	    !strcmp(d->driver_override, "(null)"))
		d->driver_override[0] = '\0';
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/iommu_group", d->name);
	d->group = GROUP_NONE;
	if (root_readlink_base(r, p, buf, sizeof(buf)) > 0) {
		char *end;
		long g = strtol(buf, &end, 10);

		if (!*end && g >= 0 && g < 1L << 30)
			d->group = (int)g;
	}
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/boot_vga", d->name);
	d->boot_vga = root_read(r, p, buf, sizeof(buf)) > 0 ? buf[0] == '1' : -1;

	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s", d->name);
	ret = root_each(r, p, add_consumer, &c);
	if (ret == -ENOMEM)
		return ret;
	/* a virtual function whose physfn link cannot be read is still one */
	d->virtfn = c.physfn;
	d->physfn = ADDR_NONE;
	if (c.physfn) {
		snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/physfn", d->name);
		if (root_readlink_base(r, p, buf, sizeof(buf)) < 0 || addr_parse(buf, &d->physfn) < 0)
			d->physfn = ADDR_NONE;
	}
	return 0;
}

int model_add_listed(struct model *m, int group, const char *name)
{
	struct foreign *f;
	const struct pdev *d;
	pci_addr_t a;

	d = addr_parse(name, &a) == 0 ? model_find(m, a) : NULL;
	if (d && d->group == group)
		return 0;
	if (grow(&m->foreign, &m->capforeign, m->nforeign + 1, sizeof(*m->foreign)) < 0)
		return -ENOMEM;
	f = &m->foreign[m->nforeign++];
	f->group = group;
	f->addr = d ? d->addr : ADDR_NONE;
	strscpy(f->name, name, sizeof(f->name));
	return 0;
}

struct foreign_ctx {
	const struct root *r;
	struct model *m;
	int group;
};

static int add_foreign(const char *name, void *ud)
{
	struct foreign_ctx *x = ud;

	return model_add_listed(x->m, x->group, name);
}

static int scan_group(const char *name, void *ud)
{
	struct foreign_ctx x = *(struct foreign_ctx *)ud;
	char p[300], *end;
	long gid = strtol(name, &end, 10);
	int ret;

	if (*end || end == name || gid < 0 || gid >= 1L << 30)
		return 0;
	x.group = (int)gid;
	snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%s/devices", name);
	ret = root_each(x.r, p, add_foreign, &x);
	return ret == -ENOMEM ? ret : 0;
}

/* The kernel's own lists of group members: note whom the iommu_group links leave out. */
static int read_foreign_members(const struct root *r, struct model *m)
{
	struct foreign_ctx x = { r, m, 0 };
	int ret = root_each(r, "sys/kernel/iommu_groups", scan_group, &x);

	return ret == -ENOMEM ? ret : 0;
}

int model_scan(struct model *m, const struct root *r, char *err, size_t errsize)
{
	struct pci_access *pa;
	struct pci_dev *pd;
	char path[4200];
	size_t i;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!root_exists(r, "sys/bus/pci/devices")) {
		snprintf(err, errsize, "%s/sys/bus/pci/devices does not exist", r->path);
		return -ENOENT;
	}
	ret = root_path(r, "sys/bus/pci", path, sizeof(path));
	if (ret < 0)
		return ret;
	pa = pci_alloc();
	if (!pa)
		return -ENOMEM;
	pa->error = pci_on_error;
	pa->warning = pci_on_quiet;
	pa->debug = pci_on_quiet;
	pa->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(pa, (char *)"sysfs.path", path);
	if (setjmp(pci_jmp)) {
		snprintf(err, errsize, "libpci: %s", pci_errmsg);
		pci_cleanup(pa);
		model_free(m);
		return -EIO;
	}
	pci_init(pa);
	pci_scan_bus(pa);
	for (pd = pa->devices; pd; pd = pd->next) {
		struct pdev *d;

		if (grow(&m->dev, &m->cap, m->n + 1, sizeof(*m->dev)) < 0) {
			pci_cleanup(pa);
			model_free(m);
			return -ENOMEM;
		}
		pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_CLASS);
		d = &m->dev[m->n++];
		d->addr = (pci_addr_t)(unsigned)pd->domain << 16 | (unsigned)pd->bus << 8 |
			  (unsigned)pd->dev << 3 | (unsigned)pd->func;
		addr_format(d->addr, d->name);
		d->vendor = pd->vendor_id;
		d->device = pd->device_id;
		d->class = (uint32_t)pd->device_class << 8;
		d->header_type = pci_read_byte(pd, PCI_HEADER_TYPE);
		d->header_type = d->header_type == 0xff ? -1 : d->header_type & 0x7f;
	}
	pci_cleanup(pa);
	if (m->n)
		qsort(m->dev, m->n, sizeof(*m->dev), cmp_dev);
	for (i = 0; i < m->n; i++) {
		ret = read_sysfs_facts(r, &m->dev[i]);
		if (ret < 0) {
			model_free(m);
			return ret;
		}
	}
	ret = read_foreign_members(r, m);
	if (ret < 0)
		model_free(m);
	return ret;
}
