/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devices.c: the devices install is asked for: --device merged into the config, checked against the host view. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "devices.h"
#include "hostview.h"
#include "iommu.h"
#include "model.h"
#include "plan.h"
#include "report.h"

#define PASSTHRU_CONF "/etc/passthru.conf"

/* Two selectors name the same devices (01:00.0, 0000:01:00.0 and pci_0000_01_00_0 are one). */
static bool same_selector(const struct selector *a, const struct selector *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case SEL_ADDR: return a->addr == b->addr;
	case SEL_ID: return a->vendor == b->vendor && a->device == b->device;
	case SEL_ID_AT_ADDR:
		return a->addr == b->addr && a->vendor == b->vendor && a->device == b->device;
	}
	return false;
}

static void say_errors(const struct errlist *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "passthru-setup: %s\n", errs->msg[i]);
}

/* The config with --device lines added; the new text in *ret (or NULL: unchanged). */
static int config_with_devices(const struct fsroot *fr, const struct opts *o, char **ret_text,
			       struct config *c)
{
	char *text = NULL;
	size_t len = 0, i;
	struct sbuf b = { 0 };
	struct errlist errs = { 0 };
	bool added = false;
	int r;

	*ret_text = NULL;
	config_init(c);
	/* every --device first: a bad one is the command line's fault, not the file's */
	for (i = 0; i < o->ndevices; i++) {
		struct selector s;

		if (selector_parse(o->devices[i], &s) < 0) {
			fprintf(stderr, "passthru-setup: --device %s: not a device selector (expected "
				"0000:01:00.0, 01:00.0, 10de:2204, 10de:2204@0000:01:00.0 or "
				"pci_0000_01_00_0); nothing was changed\n", o->devices[i]);
			return 2;
		}
	}
	r = fsroot_read(fr, PASSTHRU_CONF, &text, &len);
	if (r == -EISDIR || r == -EINVAL) {
		/* a config error, as plan says (exit 2); never a hang on a FIFO */
		fprintf(stderr, "passthru-setup: %s: not a regular file (%s): the config must be a "
			"regular file of 'key = value' lines; move it away and write one (device = "
			"...); nothing was changed\n", PASSTHRU_CONF, r == -EISDIR ? "a directory" :
			"a FIFO, a device or a socket");
		return 2;
	}
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", PASSTHRU_CONF, strerror(-r));
		return 1;
	}
	if (text && config_parse(c, text, len, PASSTHRU_CONF, &errs) < 0) {
		say_errors(&errs);
		errlist_free(&errs);
		free(text);
		return 2;
	}
	if (text)
		sbuf_add(&b, text);
	for (i = 0; i < o->ndevices; i++) {
		struct selector s;
		size_t k;
		bool have = false;

		selector_parse(o->devices[i], &s);
		for (k = 0; k < c->nsel && !have; k++)
			have = same_selector(&c->sel[k], &s);
		if (have)
			continue;
		snprintf(s.origin, sizeof(s.origin), "--device %s", o->devices[i]);
		if (config_add_selector(c, &s) < 0) {
			sbuf_free(&b);
			free(text);
			return 1;
		}
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_add(&b, "\n");
		sbuf_addf(&b, "device = %s\n", o->devices[i]);
		added = true;
	}
	free(text);
	if (b.err) {
		sbuf_free(&b);
		return 1;
	}
	if (added)
		*ret_text = b.s;
	else
		sbuf_free(&b);
	return 0;
}

/* The block devices that hold a mounted filesystem or an active swap, and what they hold. */
struct holder {
	char majmin[24];
	char what[600];
};
struct holders {
	struct holder *h;
	size_t n, cap;
};

static void add_holder(struct holders *hs, const char *majmin, const char *what)
{
	if (grow(&hs->h, &hs->cap, hs->n + 1, sizeof(*hs->h)) < 0)
		return;
	strscpy(hs->h[hs->n].majmin, majmin, sizeof(hs->h[0].majmin));
	strscpy(hs->h[hs->n].what, what, sizeof(hs->h[0].what));
	hs->n++;
}

/* MAJ:MIN of a /dev path in the sysroot (through a /dev/mapper symlink), or "" */
static void majmin_of(const struct root *r, const char *dev, char *buf, size_t size)
{
	char link[256], rel[300];
	const char *base;
	int n;

	buf[0] = '\0';
	if (strncmp(dev, "/dev/", 5))
		return;
	base = strrchr(dev, '/') + 1;
	n = (int)readlinkat(r->fd, dev + 1, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	}
	snprintf(rel, sizeof(rel), "sys/class/block/%s/dev", base);
	if (root_read(r, rel, buf, size) < 0)
		buf[0] = '\0';
}

/* /proc/mounts, where there is no mountinfo: "/dev/sda2 / ext4 rw 0 0" */
static void read_proc_mounts(const struct root *r, struct holders *hs)
{
	char *text = NULL, *line, *save = NULL;

	if (root_slurp(r, "proc/mounts", &text, NULL) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char source[256], mnt[256], majmin[24], what[600];

		if (sscanf(line, "%255s %255s", source, mnt) != 2)
			continue;
		majmin_of(r, source, majmin, sizeof(majmin));
		if (!majmin[0])
			continue;
		snprintf(what, sizeof(what), "the filesystem mounted on %s (%s, %s)", mnt, source,
			 majmin);
		add_holder(hs, majmin, what);
	}
	free(text);
}

/* mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
static void read_mounts(const struct root *r, struct holders *hs)
{
	char *text = NULL, *line, *save = NULL;

	if (root_slurp(r, "proc/self/mountinfo", &text, NULL) < 0) {
		read_proc_mounts(r, hs);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char majmin[24], mnt[256], what[600], *dash = strstr(line, " - ");
		char fstype[64] = "", source[256] = "";
		unsigned maj = 0, mn = 0;

		if (sscanf(line, "%*s %*s %23s %*s %255s", majmin, mnt) != 2 ||
		    sscanf(majmin, "%u:%u", &maj, &mn) != 2)
			continue;
		if (dash)
			sscanf(dash + 3, "%63s %255s", fstype, source);
		if (!maj)	/* btrfs and others: an anonymous device; the source names the disk */
			majmin_of(r, source, majmin, sizeof(majmin));
		if (!majmin[0])
			continue;
		snprintf(what, sizeof(what), "the filesystem mounted on %s (%s%s%s)", mnt,
			 source[0] ? source : fstype, source[0] ? ", " : "", majmin);
		add_holder(hs, majmin, what);
	}
	free(text);
}

/* /proc/swaps: "Filename Type Size Used Priority" */
static void read_swaps(const struct root *r, struct holders *hs)
{
	char *text = NULL, *line, *save = NULL;

	if (root_slurp(r, "proc/swaps", &text, NULL) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], type[32], majmin[24], what[600];

		if (sscanf(line, "%255s %31s", name, type) != 2 || strcmp(type, "partition"))
			continue;	/* a swap file sits on a mounted filesystem, seen above */
		majmin_of(r, name, majmin, sizeof(majmin));
		if (!majmin[0])
			continue;
		snprintf(what, sizeof(what), "the active swap %s (%s)", name, majmin);
		add_holder(hs, majmin, what);
	}
	free(text);
}

struct under {
	const struct root *r;
	pci_addr_t dev;
	int depth;
	bool hit;
};
static bool block_under(const struct root *r, const char *majmin, pci_addr_t dev, int depth);

static int each_slave(const char *name, void *ud)
{
	struct under *u = ud;
	char rel[300], majmin[24];

	snprintf(rel, sizeof(rel), "sys/class/block/%s/dev", name);
	if (root_read(u->r, rel, majmin, sizeof(majmin)) < 0)
		return 0;
	if (block_under(u->r, majmin, u->dev, u->depth + 1)) {
		u->hit = true;
		return 1;
	}
	return 0;
}

/* Whether the PCI device dev is an ancestor of block device MAJ:MIN (through dm/md slaves). */
static bool block_under(const struct root *r, const char *majmin, pci_addr_t dev, int depth)
{
	char rel[128], target[1024], *tok, *save = NULL;
	struct under u = { r, dev, depth, false };
	int n;

	if (depth > 8)
		return false;
	snprintf(rel, sizeof(rel), "sys/dev/block/%s", majmin);
	n = (int)readlinkat(r->fd, rel, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	for (tok = strtok_r(target, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		pci_addr_t a;

		if (strlen(tok) == 12 && addr_parse(tok, &a) == 0 && a == dev)
			return true;
	}
	snprintf(rel, sizeof(rel), "sys/dev/block/%s/slaves", majmin);
	root_each(r, rel, each_slave, &u);
	return u.hit;
}

static const char *class_name(uint32_t class)
{
	switch (class >> 16) {
	case 0x00: return "unclassified device";
	case 0x01: return "mass storage controller";
	case 0x02: return "network controller";
	case 0x04: return "multimedia controller";
	case 0x05: return "memory controller";
	case 0x06: return "bridge";
	case 0x07: return "communication controller";
	case 0x08: return "system peripheral";
	case 0x09: return "input device controller";
	case 0x0c: return "serial bus controller (USB, SMBus, ...)";
	case 0x0d: return "wireless controller";
	case 0x12: return "processing accelerator";
	}
	return "device that is not a display controller";
}

bool devices_refused(const struct hostview *h, const struct config *c, const struct plan *p)
{
	struct holders hs = { 0 };
	size_t i, k;
	bool bad = false;

	read_mounts(&h->r, &hs);
	read_swaps(&h->r, &hs);
	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);
		char line[1600];

		if (e->state == STATE_REFUSED || e->state == STATE_ABSENT) {
			hostview_entry_line(&h->m, c, e, line, sizeof(line));
			fprintf(stderr, "passthru-setup: %s\n", line);
			bad = true;
		}
		/* what the boot would take: the unit, even where this plan refuses it */
		if (!d || !(e->bind || e->role == ROLE_SELECTED || e->role == ROLE_COMPANION))
			continue;
		for (k = 0; k < hs.n; k++)
			if (block_under(&h->r, hs.h[k].majmin, d->addr, 0)) {
				fprintf(stderr, "passthru-setup: %s [%04x:%04x] holds %s: claiming it "
					"would take that disk from the host; remove it from the "
					"devices\n", d->name, d->vendor, d->device, hs.h[k].what);
				bad = true;
				break;
			}
	}
	free(hs.h);
	return bad;
}

/* Name the selected devices that are not display controllers (nor their companions). */
static void note_not_gpus(const struct hostview *h, const struct config *c, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);

		if (!d || e->role != ROLE_SELECTED || pdev_is_display(d) ||
		    hostview_is_companion(&h->m, d))
			continue;
		printf("note: %s [%04x:%04x] is not a display controller: class 0x%06x "
		       "(%s), driver now: %s%s%s\n", d->name, d->vendor, d->device,
		       d->class, class_name(d->class), d->driver[0] ? d->driver : "none",
		       e->bind ? "; the boot would hand it to " : "", e->bind ? c->driver : "");
	}
}

/* Refuse what devices_refused refuses (groups only when the IOMMU is on now); name selected
 * devices that are not GPUs. */
static int validate(const struct hostview *h, const struct config *c)
{
	struct plan p;
	struct config cc = *c;
	int bad;

	if (!h->v.active) {
		/* before the reboot there are no groups: check the rest, groups at boot */
		cc.no_iommu = NO_IOMMU_STUB;
		printf("note: the IOMMU is not active yet; group safety is checked at boot "
		       "(passthru-setup plan after the reboot shows it)\n");
	}
	if (hostview_plan(h, &cc, &p) < 0) {
		fprintf(stderr, "passthru-setup: out of memory\n");
		return 1;
	}
	bad = devices_refused(h, &cc, &p);
	note_not_gpus(h, c, &p);
	if (bad)
		fprintf(stderr, "passthru-setup: install refused, nothing was changed: the boot "
			"would not claim these devices as configured; fix %s or --device "
			"(passthru-setup plan shows the whole plan)\n", PASSTHRU_CONF);
	plan_free(&p);
	return bad;
}

int devices_prepare(const struct fsroot *fr, const struct opts *o, char **ret_text,
		    struct config *ret)
{
	struct hostview h;
	struct sbuf warning = { 0 };
	int r = config_with_devices(fr, o, ret_text, ret);

	if (r)
		return r;
	if (opts_foreign_image(o)) {
		if (ret->nsel)
			printf("note: --root without --sysroot: the devices were checked for "
			       "syntax only (the image is for another machine); run passthru-setup "
			       "plan on that machine to check them against its devices\n");
		return 0;
	}
	if (hostview_open(&h, o->sysroot) < 0)
		return ret->nsel ? 1 : 0;	/* no device: nothing to check it for */
	/* interrupt remapping off: what status and plan say (--allow-unsafe-interrupts is
	 * its fix, and says its own warning) */
	if (!o->allow_unsafe_interrupts)
		report_iommu_warning(&warning, "", &h.v);
	fputs(warning.s ? warning.s : "", stdout);
	sbuf_free(&warning);
	/* no device is fine: install says so once it is done (report_done) */
	r = ret->nsel ? validate(&h, ret) : 0;
	hostview_close(&h);
	return r;
}
