/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml.c: passthru-setup xml: libvirt <hostdev> elements for devices and their companions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "devices.h"
#include "hostview.h"
#include "setup.h"
#include "variant.h"

#define MAX_HOSTDEVS 64		/* the most PCI devices one guest can be assigned */

/* An XML comment: "--" may not appear inside one, nor "-" at its end. */
static void comment(struct sbuf *b, const char *indent, const char *text)
{
	sbuf_addf(b, "%s<!-- ", indent);
	for (; *text; text++) {
		char c[2] = { *text, 0 };

		sbuf_add(b, c);
		if (*text == '-' && (text[1] == '-' || !text[1]))
			sbuf_add(b, " ");
	}
	sbuf_add(b, " -->\n");
}

/*
 * One <hostdev>; inner (comments) goes right after its opening tag. A vfio variant driver is
 * named as libvirt (10.0 and later) takes it, <driver model='mlx5_vfio_pci'/>: libvirt then
 * binds that driver, as the boot does; older libvirt ignores the attribute.
 */
static void hostdev(struct sbuf *b, const char *indent, const struct plan_entry *e,
		    const char *inner)
{
	pci_addr_t a = e->addr;

	sbuf_addf(b, "%s<hostdev mode='subsystem' type='pci' managed='yes'>\n%s", indent,
		  inner ? inner : "");
	if (e->variant[0] && !e->variant_error[0])
		sbuf_addf(b, "%s  <driver name='vfio' model='%s'/>\n", indent, e->variant);
	else
		sbuf_addf(b, "%s  <driver name='vfio'/>\n", indent);
	sbuf_addf(b, "%s  <source>\n"
		  "%s    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
		  "%s  </source>\n%s</hostdev>\n", indent, indent,
		  (unsigned)(a >> 16), (unsigned)(a >> 8) & 0xff, (unsigned)(a >> 3) & 0x1f,
		  (unsigned)a & 7, indent, indent);
}

static const char mmio_note[] =
	"more than one GPU: the guest needs a larger 64-bit MMIO window and enough physical "
	"address bits: <pcihole64 unit='KiB'>...</pcihole64> in its pcie-root <controller> "
	"and <maxphysaddr mode='passthrough'/> in <cpu>";

/* The devices the boot would claim for these selectors, with the config's policies. */
static int decide(const struct hostview *h, struct config *c, int argc, char **argv,
		  struct plan *p)
{
	int k;

	c->nsel = 0;	/* the selectors are the command line's; the policies stay */
	for (k = 0; k < argc; k++) {
		struct selector s;

		if (selector_parse(argv[k], &s) < 0) {
			fprintf(stderr, "passthru-setup: xml: '%s' is not a device selector (expected "
				"0000:01:00.0, 01:00.0, 10de:2204, 10de:2204@0000:01:00.0 or "
				"pci_0000_01_00_0)\n", argv[k]);
			return 2;
		}
		strcpy(s.origin, "the command line");
		if (config_add_selector(c, &s) < 0)
			return 1;
	}
	if (!h->v.active)
		c->no_iommu = NO_IOMMU_STUB;	/* no groups to check here: devices and companions */
	if (hostview_plan(h, c, p) < 0)
		return 1;
	/* what install refuses, xml refuses: libvirt would detach the device at VM start */
	if (!devices_refused(h, c, p))
		return 0;
	fprintf(stderr, "passthru-setup: xml refused, no XML written: install refuses these "
		"devices too (passthru-setup plan shows the whole plan)\n");
	return 1;
}

static int write_file(const char *dir, const char *name, const struct sbuf *b)
{
	char path[4096], tmp[4200];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	n = write(fd, b->s, b->len);
	if (n != (ssize_t)b->len || fsync(fd) < 0) {
		if (n >= 0)
			errno = EIO;
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		goto fail;
	}
	printf("%s\n", path);
	return 0;
fail:
	fprintf(stderr, "passthru-setup: xml: cannot write %s: %s\n", path, strerror(errno));
	return 1;
}

/* --split DIR: one file per device, hostdev-DDDD_BB_SS_F.xml, each with the notes. */
static int write_split(const char *dir, const struct plan *p, size_t gpus, const char *note)
{
	struct sbuf notes = { 0 }, out = { 0 };
	size_t i;
	int ret = 0;

	if (gpus > 1)
		comment(&notes, "  ", mmio_note);
	if (note[0])
		comment(&notes, "  ", note);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "passthru-setup: xml: cannot make %s: %s\n", dir, strerror(errno));
		ret = 1;
	}
	for (i = 0; !ret && i < p->n; i++) {
		char a[ADDR_LEN], name[64];

		if (!p->e[i].bind)
			continue;
		addr_format(p->e[i].addr, a);
		snprintf(name, sizeof(name), "hostdev-%.4s_%.2s_%.2s_%.1s.xml", a, a + 5, a + 8,
			 a + 11);
		hostdev(&out, "", &p->e[i], notes.s);
		ret = out.err ? 1 : write_file(dir, name, &out);
		sbuf_free(&out);
	}
	sbuf_free(&notes);
	return ret;
}

/* On stdout: one <hostdev>, or several inside <devices> with the notes first. */
static void print_xml(const struct plan *p, size_t n, size_t gpus, const char *note)
{
	struct sbuf out = { 0 };
	size_t i;

	if (n > 1) {
		sbuf_add(&out, "<devices>\n");
		if (gpus > 1)
			comment(&out, "  ", mmio_note);
		if (note[0])
			comment(&out, "  ", note);
		for (i = 0; i < p->n; i++)
			if (p->e[i].bind)
				hostdev(&out, "  ", &p->e[i], NULL);
		sbuf_add(&out, "</devices>\n");
	} else {
		struct sbuf notes = { 0 };

		if (note[0])
			comment(&notes, "  ", note);
		for (i = 0; i < p->n; i++)
			if (p->e[i].bind)
				hostdev(&out, "", &p->e[i], notes.s);
		sbuf_free(&notes);
	}
	fputs(out.s ? out.s : "", stdout);
	sbuf_free(&out);
}

/* The vfio variant driver of each device (variant = auto, driver = vfio-pci), by the running
 * kernel's modules.alias, as the boot chooses it: a variant that is not installed is left out. */
static void name_variants(const struct hostview *h, const struct config *c, struct plan *p)
{
	const struct variant_db *db;
	size_t i;

	if (c->variant == VARIANT_OFF || strcmp(c->driver, "vfio-pci") ||
	    !(db = hostview_variants(h)))
		return;
	for (i = 0; i < p->n; i++) {
		struct variant_choice v;
		char a[ADDR_LEN];

		if (!p->e[i].bind)
			continue;
		addr_format(p->e[i].addr, a);
		if (variant_for_device(db, &h->r, a, &v) == 0 && v.module[0])
			strscpy(p->e[i].variant, v.module, sizeof(p->e[i].variant));
	}
}

int cmd_xml(struct opts *o, int argc, char **argv)
{
	struct hostview h;
	struct config c;
	struct errlist errs = { 0 };
	struct plan p = { 0 };
	size_t i, n = 0, gpus = 0;
	char note[700] = "";
	int ret;

	if (argc < 1) {
		fprintf(stderr, "usage: passthru-setup xml [--sysroot DIR] [--split DIR] SEL...\n");
		return 2;
	}
	if (hostview_open(&h, o->sysroot) < 0)
		return 1;
	config_init(&c);
	/* the config's boot_vga, unsafe_group, companions and driver apply, as at boot */
	if (config_load(&c, &h.r, NULL, &errs) < 0 && errs.n) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "passthru-setup: %s\n", errs.msg[i]);
		ret = 2;
		goto out;
	}
	ret = decide(&h, &c, argc, argv, &p);
	if (ret)
		goto out;
	for (i = 0; i < p.n; i++)
		if (p.e[i].bind) {
			n++;
			gpus += (p.e[i].class >> 16) == 0x03;
		}
	if (n > MAX_HOSTDEVS) {
		fprintf(stderr, "passthru-setup: xml: %zu devices, but one guest can be assigned at "
			"most %d\n", n, MAX_HOSTDEVS);
		ret = 1;
		goto out;
	}
	name_variants(&h, &c, &p);
	if (!h.v.active)
		snprintf(note, sizeof(note), "the IOMMU is not active on this host (%s); the guest "
			 "cannot start until it is", h.v.reason);
	if (o->split)
		ret = write_split(o->split, &p, gpus, note);
	else
		print_xml(&p, n, gpus, note);
out:
	plan_free(&p);
	config_free(&c);
	errlist_free(&errs);
	hostview_close(&h);
	return ret;
}
