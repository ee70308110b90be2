/* SPDX-License-Identifier: GPL-2.0-or-later */
/* factsview.c: the per-card facts (reset, BARs, Resizable BAR, boot framebuffer, vfio driver) in words and JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "factsview.h"
#include "report.h"
#include "variant.h"

#define GIB (UINT64_C(1) << 30)

/*
 * The driver the claim would bind: the vfio variant driver the running kernel's modules.alias
 * names for the device (the boot's own rule, src/lib/variant.c), else the config's driver key.
 * A variant that is named but not installed is not the answer: the boot falls back too.
 */
static void vfio_driver_of(const struct hostview *h, const struct config *c, const struct pdev *d,
			   char *buf, size_t size)
{
	const struct variant_db *db;
	struct variant_choice v = { .wildcards = -1 };

	strscpy(buf, c && c->driver[0] ? c->driver : "vfio-pci", size);
	if ((c && c->variant == VARIANT_OFF) || !(db = hostview_variants(h)))
		return;
	if (variant_for_device(db, &h->r, d->name, &v) == 0 && v.module[0])
		strscpy(buf, v.module, size);
}

void factsview_get(const struct hostview *h, const struct config *c, const struct pdev *d,
		   struct factsview *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->d = d;
	facts_release(&h->r, ret->release, sizeof(ret->release));
	facts_read(&h->r, d, ret->release, &ret->f);
	vfio_driver_of(h, c, d, ret->vfio_driver, sizeof(ret->vfio_driver));
}

static const char *reset_word(enum reset_state s)
{
	switch (s) {
	case RESET_NONE: return "none";
	case RESET_DISABLED: return "disabled";
	case RESET_METHODS: return "methods";
	case RESET_UNLISTED: return "unlisted";
	case RESET_UNKNOWN: break;
	}
	return "unknown";
}

/* Who holds the framebuffer, for a person. */
static const char *fb_holder(const struct fb_facts *fb)
{
	static char buf[80];

	if (strcmp(fb->owner, fb->name))
		snprintf(buf, sizeof(buf), "held by %s", fb->owner);
	else if (!strcmp(fb->name, "efifb") || !strcmp(fb->name, "vesafb") ||
		 !strcmp(fb->name, "simpledrm"))
		snprintf(buf, sizeof(buf), "held by the %s driver", fb->name);
	else
		snprintf(buf, sizeof(buf), "no driver holds it yet");
	return buf;
}

/* vfio-pci will remove the framebuffer itself: nothing for a user to do. */
static bool fb_removed(const struct factsview *v)
{
	int major = 0, minor = 0;

	return (v->d->class >> 8) == 0x0300 &&
	       facts_kernel_version(v->release, &major, &minor) == 0 && major >= 6;
}

/* The kernel argument that keeps this framebuffer's driver off the card. */
static const char *fb_argument(const struct fb_facts *fb)
{
	if (!strcmp(fb->owner, "efifb"))
		return "video=efifb:off";
	if (!strcmp(fb->owner, "vesafb"))
		return "video=vesafb:off";
	return "initcall_blacklist=sysfb_init";
}

/*
 * What vfio-pci does about the framebuffer on this kernel. Linux 6.0 ("vfio/pci: Remove
 * console drivers") calls aperture_remove_conflicting_pci_devices() from vfio_pci_vga_init()
 * when it binds a VGA-class device (class 0x0300): the firmware framebuffer's driver goes.
 * Before 6.0, and for other display classes, nothing removes it.
 */
static void fb_vfio_note(const struct factsview *v, char *buf, size_t size)
{
	const struct fb_facts *fb = &v->f.fb;
	bool vga = (v->d->class >> 8) == 0x0300;
	int major = 0, minor = 0;
	bool known = facts_kernel_version(v->release, &major, &minor) == 0;

	if (fb_removed(v))
		snprintf(buf, size, "vfio-pci on this kernel (%s, 6.0 or later) removes it when "
			 "it binds the card; the host's console on this card ends then", v->release);
	else if (vga && !known)
		snprintf(buf, size, "vfio-pci removes it when it binds the card on Linux 6.0 and "
			 "later; an older kernel leaves it and QEMU cannot map BAR %d (\"BAR %d: "
			 "can't reserve\"): there, add the kernel argument %s", fb->bar, fb->bar,
			 fb_argument(fb));
	else
		snprintf(buf, size, "vfio-pci on this kernel%s%s%s leaves it in place (%s), and "
			 "QEMU cannot map BAR %d (\"BAR %d: can't reserve\"): add the kernel "
			 "argument %s", known ? " (" : "", known ? v->release : "", known ? ")" : "",
			 vga ? "it removes framebuffers only since Linux 6.0" :
			 "it removes framebuffers only from VGA-class cards", fb->bar, fb->bar,
			 fb_argument(fb));
}

static void json_bars(struct sbuf *b, const struct factsview *v)
{
	size_t i, k, shown = 0;

	sbuf_add(b, "\"bars\": [");
	for (i = 0; i < FACTS_NBARS; i++) {
		const struct bar_facts *bar = &v->f.bar[i];
		const struct rebar_bar *rb = NULL;

		if (!bar->size)
			continue;
		for (k = 0; k < v->f.rebar.n; k++)
			if (v->f.rebar.bar[k].bar == (int)i)
				rb = &v->f.rebar.bar[k];
		sbuf_addf(b, "%s{\"index\": %zu, \"size\": %" PRIu64 ", \"type\": \"%s\", "
			  "\"64bit\": %s, \"prefetchable\": %s, \"resizable\": ", shown++ ? ", " : "",
			  i, bar->size, bar->io ? "io" : "mem", bar->mem64 ? "true" : "false",
			  bar->prefetch ? "true" : "false");
		if (!rb) {
			sbuf_add(b, "null}");
			continue;
		}
		if (rb->current < 44)
			sbuf_addf(b, "{\"current\": %" PRIu64 ", \"sizes\": [",
				  UINT64_C(1) << (rb->current + 20));
		else
			sbuf_add(b, "{\"current\": null, \"sizes\": [");
		for (k = 0; k < 44; k++)
			if (rb->sizes >> k & 1)
				sbuf_addf(b, "%s%" PRIu64, rb->sizes & ((UINT64_C(1) << k) - 1) ?
					  ", " : "", UINT64_C(1) << (k + 20));
		sbuf_add(b, "]}}");
	}
	sbuf_add(b, "]");
}

void factsview_json(struct sbuf *b, const struct factsview *v)
{
	const struct devfacts *f = &v->f;
	char why[1500], *m, *save = NULL, methods[sizeof(f->reset.methods)];
	static const char *const rebar_word[] = { "unknown", "none", "present" };

	sbuf_add(b, "\"vfio_driver\": ");
	json_str(b, v->vfio_driver);
	sbuf_addf(b, ", \"facts\": {\"reset\": \"%s\", \"reset_methods\": ",
		  reset_word(f->reset.state));
	if (f->reset.state == RESET_UNKNOWN || f->reset.state == RESET_UNLISTED) {
		sbuf_add(b, "null");
	} else {
		sbuf_add(b, "[");
		strscpy(methods, f->reset.methods, sizeof(methods));
		for (m = strtok_r(methods, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
			sbuf_add(b, m == methods ? "" : ", ");
			json_str(b, m);
		}
		sbuf_add(b, "]");
	}
	sbuf_add(b, ", ");
	json_bars(b, v);
	sbuf_addf(b, ", \"resizable_bar\": \"%s\", \"resizable_bar_note\": ",
		  rebar_word[f->rebar.state]);
	json_str(b, f->rebar.why);
	sbuf_add(b, ", \"boot_framebuffer\": ");
	if (f->fb.unreadable) {
		sbuf_add(b, "\"unknown\"");
	} else if (!f->fb.found) {
		sbuf_add(b, "null");
	} else {
		char note[600];

		fb_vfio_note(v, note, sizeof(note));
		sbuf_add(b, "{\"name\": ");
		json_str(b, f->fb.name);
		sbuf_add(b, ", \"owner\": ");
		json_str(b, f->fb.owner);
		sbuf_addf(b, ", \"bar\": %d, \"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
			  "\", \"vfio_pci\": ", f->fb.bar, f->fb.start, f->fb.end);
		json_str(b, note);
		sbuf_add(b, "}");
	}
	sbuf_add(b, ", \"kernel\": ");
	json_str(b, v->release);
	factsview_why(v, why, sizeof(why));
	sbuf_add(b, ", \"may_not_work\": ");
	json_str(b, why);
	sbuf_add(b, "}");
}

/* "BAR 0: 16 MiB, BAR 2: 4 KiB (64-bit, prefetchable)" */
static void human_bars(struct sbuf *b, const struct devfacts *f)
{
	size_t i, shown = 0;
	char size[32];

	for (i = 0; i < FACTS_NBARS; i++) {
		const struct bar_facts *bar = &f->bar[i];

		if (!bar->size)
			continue;
		facts_size_text(bar->size, size, sizeof(size));
		sbuf_addf(b, "%sBAR %zu: %s%s%s%s%s", shown++ ? ", " : "", i, size,
			  bar->io ? " I/O" : "", bar->mem64 || bar->prefetch ? " (" : "",
			  bar->mem64 ? (bar->prefetch ? "64-bit, " : "64-bit") : "",
			  bar->prefetch ? "prefetchable)" : bar->mem64 ? ")" : "");
	}
	if (!shown)
		sbuf_add(b, "none reported");
}

static void human_rebar(struct sbuf *b, const struct rebar_facts *rb)
{
	size_t i;

	if (rb->state != REBAR_PRESENT) {
		sbuf_addf(b, "%s (%s)", rb->state == REBAR_NONE ? "no" : "cannot tell", rb->why);
		return;
	}
	for (i = 0; i < rb->n; i++) {
		char now[32], lo[32] = "", hi[32] = "";
		int k;

		if (rb->bar[i].current < 44)	/* 6 bits: 1 MiB << 0..63; past 8 EiB undefined */
			facts_size_text(UINT64_C(1) << (rb->bar[i].current + 20), now, sizeof(now));
		else
			snprintf(now, sizeof(now), "size code %d", rb->bar[i].current);
		for (k = 0; k < 44; k++)
			if (rb->bar[i].sizes >> k & 1) {
				if (!lo[0])
					facts_size_text(UINT64_C(1) << (k + 20), lo, sizeof(lo));
				facts_size_text(UINT64_C(1) << (k + 20), hi, sizeof(hi));
			}
		sbuf_addf(b, "%sBAR %d now %s, supports %s%s%s", i ? "; " : "", rb->bar[i].bar,
			  now, lo[0] ? lo : "no size", strcmp(lo, hi) ? " to " : "",
			  strcmp(lo, hi) ? hi : "");
	}
}

void factsview_human(struct sbuf *b, const char *indent, const struct factsview *v)
{
	const struct devfacts *f = &v->f;

	sbuf_addf(b, "%sreset: ", indent);
	switch (f->reset.state) {
	case RESET_METHODS: sbuf_addf(b, "%s\n", f->reset.methods); break;
	case RESET_NONE: sbuf_add(b, "none: the kernel cannot reset this card between VM runs\n");
		break;
	case RESET_DISABLED: sbuf_add(b, "none: every method was switched off (reset_method "
				      "is empty)\n"); break;
	case RESET_UNLISTED: sbuf_add(b, "yes (this kernel does not name the methods)\n"); break;
	case RESET_UNKNOWN: sbuf_add(b, "not reported (no reset_method file: a kernel before "
				     "5.15, or its release unknown)\n"); break;
	}
	sbuf_addf(b, "%sBARs: ", indent);
	human_bars(b, f);
	sbuf_addf(b, "\n%sResizable BAR: ", indent);
	human_rebar(b, &f->rebar);
	sbuf_addf(b, "\n%sboot framebuffer: ", indent);
	if (f->fb.unreadable) {
		sbuf_addf(b, "cannot tell (%s)\n", f->fb.why);
	} else if (!f->fb.found) {
		sbuf_add(b, "none in its BARs\n");
	} else {
		char note[600];

		fb_vfio_note(v, note, sizeof(note));
		sbuf_addf(b, "%s (%s) at 0x%" PRIx64 "-0x%" PRIx64 " in BAR %d: %s\n",
			  f->fb.name, fb_holder(&f->fb), f->fb.start, f->fb.end, f->fb.bar, note);
	}
	sbuf_addf(b, "%svfio driver that would bind: %s\n", indent, v->vfio_driver);
}

/* A memory BAR of 4 GiB or more: it fits only a 64-bit MMIO window of the VM. */
static void why_bars(const struct factsview *v, char *buf, size_t size)
{
	size_t i, k, l;

	for (i = 0; i < FACTS_NBARS; i++) {
		const struct bar_facts *bar = &v->f.bar[i];
		char sz[32];
		bool resizable = false;

		if (!bar->size || bar->io || bar->size < 4 * GIB)
			continue;
		for (k = 0; k < v->f.rebar.n; k++)
			resizable |= v->f.rebar.bar[k].bar == (int)i &&
				     (v->f.rebar.bar[k].sizes & ((UINT64_C(1) << 12) - 1));
		facts_size_text(bar->size, sz, sizeof(sz));
		l = strlen(buf);
		snprintf(buf + l, size - l, "%sBAR %zu is %s: the VM needs a 64-bit MMIO window "
			 "that holds it (libvirt: <pcihole64> and <maxphysaddr mode='passthrough'/>)"
			 "%s", l ? "; " : "", i, sz, resizable ? ", or turn Resizable BAR off in the "
			 "firmware setup to make it smaller" : "");
	}
}

void factsview_why(const struct factsview *v, char *buf, size_t size)
{
	const struct devfacts *f = &v->f;
	size_t l;

	buf[0] = '\0';
	if (f->reset.state == RESET_NONE || f->reset.state == RESET_DISABLED)
		snprintf(buf, size, "%s: once a VM that used the card shuts down, the card "
			 "cannot be reset, and the host needs a reboot before it can use it again "
			 "(in a VM or on the host)%s%s%s", f->reset.state == RESET_NONE ?
			 "the kernel has no reset method for this card" :
			 "every reset method of this card was switched off (reset_method is empty)",
			 f->reset.state == RESET_DISABLED ? "; to give them back: echo default > "
			 "/sys/bus/pci/devices/" : v->d->vendor == 0x1002 ? "; for some AMD "
			 "generations (Polaris, Vega, Navi 10/12/14) the vendor-reset module adds one" : "",
			 f->reset.state == RESET_DISABLED ? v->d->name : "",
			 f->reset.state == RESET_DISABLED ? "/reset_method" : "");
	if (f->fb.found && !fb_removed(v)) {
		char note[600];

		fb_vfio_note(v, note, sizeof(note));
		l = strlen(buf);
		snprintf(buf + l, size - l, "%sa boot framebuffer (%s, %s) sits in BAR %d: %s",
			 l ? "; " : "", f->fb.name, fb_holder(&f->fb), f->fb.bar, note);
	}
	why_bars(v, buf, size);
}

/* Whether a plan entry is one the VM gets (its facts are worth showing). */
static bool handed_over(const struct plan_entry *e)
{
	return e->addr != ADDR_NONE && e->state != STATE_ABSENT &&
	       (e->role == ROLE_SELECTED || e->role == ROLE_COMPANION);
}

void factsview_plan_human(struct sbuf *b, const struct hostview *h, const struct config *c,
			  const struct plan *p, bool full)
{
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		const struct pdev *d;
		struct factsview v;
		char why[1500];

		if (!handed_over(&p->e[i]) || !(d = model_find(&h->m, p->e[i].addr)))
			continue;
		factsview_get(h, c, d, &v);
		factsview_why(&v, why, sizeof(why));
		if (!full) {
			if (why[0])
				sbuf_addf(b, "%s may not work: %s\n", d->name, why);
			continue;
		}
		sbuf_addf(b, "%s [%04x:%04x]:\n", d->name, d->vendor, d->device);
		factsview_human(b, "  ", &v);
		if (why[0])
			sbuf_addf(b, "  may not work: %s\n", why);
	}
}

void factsview_entry_json(struct sbuf *b, const struct plan_entry *e, void *ud)
{
	const struct factsview_hook *hk = ud;
	const struct pdev *d = model_find(&hk->h->m, e->addr);
	struct factsview v;

	if (!d) {
		sbuf_add(b, "\"vfio_driver\": null, \"facts\": null");
		return;
	}
	factsview_get(hk->h, hk->c, d, &v);
	factsview_json(b, &v);
}
