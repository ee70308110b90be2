/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.c: the PCI devices and IOMMU groups of a system, read through libpci and sysfs. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

static int cmp_addr(const void *a, const void *b)
{
	pci_addr_t x = *(const pci_addr_t *)a, y = *(const pci_addr_t *)b;

	return x < y ? -1 : x > y;
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

/* What one listing of a device's folder tells: links and which files are there at all. */
struct listing {
	struct pdev *d;
	size_t cap;
	bool physfn, driver, iommu_group, boot_vga, uevent;
};

/* consumer:pci:ADDR links: the kernel's device links from a GPU to its functions */
static int add_consumer(const char *name, void *ud)
{
	struct listing *c = ud;
	pci_addr_t a;

	if (!strcmp(name, "physfn"))
		c->physfn = true;
	else if (!strcmp(name, "driver"))
		c->driver = true;
	else if (!strcmp(name, "iommu_group"))
		c->iommu_group = true;
	else if (!strcmp(name, "boot_vga"))
		c->boot_vga = true;
	else if (!strcmp(name, "uevent"))
		c->uevent = true;
	if (strncmp(name, "consumer:pci:", 13) || addr_parse(name + 13, &a) < 0)
		return 0;
	if (grow(&c->d->consumers, &c->cap, c->d->nconsumers + 1, sizeof(*c->d->consumers)) < 0)
		return -ENOMEM;
	c->d->consumers[c->d->nconsumers++] = a;
	return 0;
}

/*
 * vendor, device and class the way libpci's sysfs method reads them (the kernel's view, so
 * that virtual functions, whose config space says 0xffff, have their IDs): strtol of the file,
 * which must be there.
 */
static int read_value(int dfd, const char *name, char *buf, size_t size, long *ret)
{
	int n = dir_read(dfd, name, buf, size);

	if (n < 0)
		return n;
	if ((size_t)n >= size - 1)
		return -EOVERFLOW;
	*ret = strtol(buf, NULL, 0);
	return 0;
}

/* The low 7 bits of the header type from config space; -1 when it cannot be read. */
static int read_header_type(int dfd)
{
	int fd = openat(dfd, "config", O_RDONLY | O_CLOEXEC);
	unsigned char b;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &b, 1, PCI_HEADER_TYPE);
	close(fd);
	return n != 1 || b == 0xff ? -1 : b & 0x7f;
}

/*
 * The kernel's uevent file says in one read what four files say: PCI_ID=VVVV:DDDD (the vendor
 * and device files), PCI_CLASS= (the class file, %04X), DRIVER= (the driver link's name).
 * 0 when it had IDs and class; anything else and the files are read one by one.
 */
static int read_uevent(int dfd, struct pdev *d)
{
	char buf[4096], *line, *next;
	bool id = false, cls = false;
	uint32_t v, dv;

	if (dir_read(dfd, "uevent", buf, sizeof(buf)) <= 0)
		return -ENOENT;
	d->driver[0] = '\0';
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "DRIVER=", 7)) {
			if (strscpy(d->driver, line + 7, sizeof(d->driver)) < 0)
				d->driver[0] = '\0';	/* as a link too long to read */
		} else if (!strncmp(line, "PCI_CLASS=", 10)) {
			if (parse_hex(line + 10, 6, &v) < 0)
				return -EINVAL;
			d->class = v;
			cls = true;
		} else if (!strncmp(line, "PCI_ID=", 7)) {
			char *colon = strchr(line + 7, ':');

			if (!colon)
				return -EINVAL;
			*colon = '\0';
			if (parse_hex(line + 7, 4, &v) < 0 || parse_hex(colon + 1, 4, &dv) < 0)
				return -EINVAL;
			d->vendor = (uint16_t)v;
			d->device = (uint16_t)dv;
			id = true;
		}
	}
	return id && cls ? 0 : -EINVAL;
}

/* vendor, device, class and driver from their own files, as libpci's sysfs method reads them */
static int read_id_files(int dfd, const struct listing *c, struct pdev *d, char *err,
			 size_t errsize)
{
	static const char *const idfile[3] = { "vendor", "device", "class" };
	char buf[1025];
	long val[3];
	uint32_t v;
	int ret, i;

	for (i = 0; i < 3; i++) {
		ret = read_value(dfd, idfile[i], buf, sizeof(buf), &val[i]);
		if (ret < 0) {
			snprintf(err, errsize, "cannot read sys/bus/pci/devices/%s/%s: %s", d->name,
				 idfile[i], ret == -EOVERFLOW ? "value too long" : strerror(-ret));
			return ret == -ENOMEM ? ret : -EIO;
		}
	}
	d->vendor = (uint16_t)val[0];
	d->device = (uint16_t)val[1];
	/* the full class with its programming interface (buf holds the class file), else
	 * libpci's 16 bits */
	if (!(*rstrip(buf) && parse_hex(buf, 6, &v) == 0))
		v = (uint32_t)(uint16_t)((int)val[2] >> 8) << 8;
	d->class = v;
	if (!c->driver || dir_readlink_base(dfd, "driver", d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	return 0;
}

/*
 * Everything about one device that libpci's enumeration does not give, read relative to the
 * device's own folder (one path lookup each) and only for files its listing shows.
 */
static int read_sysfs_facts(int devs, struct pdev *d, char *err, size_t errsize)
{
	struct listing c = { .d = d };
	char buf[64];
	int dfd, ret;

	dfd = openat(devs, d->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		snprintf(err, errsize, "cannot open sys/bus/pci/devices/%s: %s", d->name,
			 strerror(-ret));
		return ret == -ENOMEM ? ret : -EIO;
	}
	ret = fd_each(dfd, add_consumer, &c);
	if (ret == -ENOMEM)
		goto out;
	if (!c.uevent || read_uevent(dfd, d) < 0) {
		ret = read_id_files(dfd, &c, d, err, errsize);
		if (ret < 0)
			goto out;
	}
	ret = 0;
	/*
	 * Only the bridge classes (0x06xx) hold PCI-to-PCI and CardBus bridges (header types 1
	 * and 2); config space is read for them alone. Any other device counts as an endpoint
	 * (header type 0): were one ever to carry a bridge header, it would stand in its group's
	 * way, the safe side. One open, pread and close fewer for nearly every device.
	 */
	d->header_type = (d->class >> 16) == 0x06 ? read_header_type(dfd) : 0;

	d->group = GROUP_NONE;
	if (c.iommu_group && dir_readlink_base(dfd, "iommu_group", buf, sizeof(buf)) > 0) {
		char *end;
		long g = strtol(buf, &end, 10);

		if (!*end && g >= 0 && g < 1L << 30)
			d->group = (int)g;
	}
	d->boot_vga = c.boot_vga && dir_read(dfd, "boot_vga", buf, sizeof(buf)) > 0 ?
		      buf[0] == '1' : -1;

	/* a virtual function whose physfn link cannot be read is still one */
	d->virtfn = c.physfn;
	d->physfn = ADDR_NONE;
	if (c.physfn) {
		if (dir_readlink_base(dfd, "physfn", buf, sizeof(buf)) < 0 ||
		    addr_parse(buf, &d->physfn) < 0)
			d->physfn = ADDR_NONE;
	}
out:
	close(dfd);
	return ret;
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
	int groups;		/* sys/kernel/iommu_groups */
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
	snprintf(p, sizeof(p), "%s/devices", name);
	ret = dir_each(x.groups, p, add_foreign, &x);
	return ret == -ENOMEM ? ret : 0;
}

/* The kernel's own lists of group members: note whom the iommu_group links leave out. */
static int read_foreign_members(const struct root *r, struct model *m)
{
	struct foreign_ctx x = { -1, m, 0 };
	int ret;

	x.groups = root_openat(r, "sys/kernel/iommu_groups", O_RDONLY | O_DIRECTORY);
	if (x.groups < 0)
		return 0;
	ret = fd_each(x.groups, scan_group, &x);
	close(x.groups);
	return ret == -ENOMEM ? ret : 0;
}

int model_scan(struct model *m, const struct root *r, char *err, size_t errsize)
{
	struct pci_access *pa;
	struct pci_dev *pd;
	char path[4200];
	pci_addr_t *addrs;
	size_t i, n = 0;
	int ret, devs;

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
	/* libpci enumerates; each device's files are read below, from its own folder */
	pci_scan_bus(pa);
	for (pd = pa->devices; pd; pd = pd->next)
		n++;
	addrs = malloc((n ? n : 1) * sizeof(*addrs));
	if (!addrs) {
		pci_cleanup(pa);
		return -ENOMEM;
	}
	for (pd = pa->devices, n = 0; pd; pd = pd->next)
		addrs[n++] = (pci_addr_t)(unsigned)pd->domain << 16 | (unsigned)pd->bus << 8 |
			     (unsigned)pd->dev << 3 | (unsigned)pd->func;
	pci_cleanup(pa);
	/* sort the addresses, not the (large) devices */
	qsort(addrs, n, sizeof(*addrs), cmp_addr);
	if (grow(&m->dev, &m->cap, n, sizeof(*m->dev)) < 0) {
		free(addrs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		m->dev[i].addr = addrs[i];
		addr_format(addrs[i], m->dev[i].name);
	}
	m->n = n;
	free(addrs);
	devs = root_openat(r, "sys/bus/pci/devices", O_RDONLY | O_DIRECTORY);
	if (devs < 0) {
		snprintf(err, errsize, "cannot open %s/sys/bus/pci/devices: %s", r->path,
			 strerror(-devs));
		model_free(m);
		return -EIO;
	}
	for (i = 0; i < m->n; i++) {
		ret = read_sysfs_facts(devs, &m->dev[i], err, errsize);
		if (ret < 0) {
			close(devs);
			model_free(m);
			return ret;
		}
	}
	close(devs);
	ret = read_foreign_members(r, m);
	if (ret < 0)
		model_free(m);
	return ret;
}
