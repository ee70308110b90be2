/* cmd_xml.c: passthru-setup xml: libvirt <hostdev> elements for devices and their companions. */
#include <stdio.h>
#include <string.h>
#include "hostview.h"
#include "setup.h"

#define MAX_HOSTDEVS 64

int cmd_xml(struct opts *o, int argc, char **argv)
{
	struct hostview h;
	struct config c;
	struct plan p;
	struct sbuf out = { 0 };
	size_t i, n = 0, gpus = 0;
	int k, ret = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: passthru-setup xml SELECTOR...\n");
		return 2;
	}
	config_init(&c);
	for (k = 0; k < argc; k++) {
		struct selector s;

		if (selector_parse(argv[k], &s) < 0) {
			fprintf(stderr, "passthru-setup: '%s' is not a device selector\n", argv[k]);
			config_free(&c);
			return 2;
		}
		strcpy(s.origin, "the command line");
		config_add_selector(&c, &s);
	}
	if (hostview_open(&h, o->sysroot) < 0) {
		config_free(&c);
		return 1;
	}
	if (!h.v.active) {
		/* no groups to check here: list the devices and their companions */
		c.no_iommu = NO_IOMMU_STUB;
		sbuf_addf(&out, "<!-- the IOMMU is not active on this host (%s); the guest cannot "
			  "start until it is -->\n", h.v.reason);
	}
	if (hostview_plan(&h, &c, &p) < 0) {
		hostview_close(&h);
		config_free(&c);
		return 1;
	}
	for (i = 0; i < p.n; i++) {
		const struct plan_entry *e = &p.e[i];
		char a[ADDR_LEN] = "-";

		if (e->addr != ADDR_NONE)
			addr_format(e->addr, a);
		if (e->state == STATE_REFUSED || e->state == STATE_ABSENT) {
			fprintf(stderr, "passthru-setup: %s %s: %s\n", a, state_name(e->state),
				e->reason);
			ret = 1;
		}
		if (!e->bind)
			continue;
		n++;
		gpus += (e->class >> 16) == 0x03;
	}
	if (n > MAX_HOSTDEVS) {
		fprintf(stderr, "passthru-setup: %zu devices, but one guest can be assigned at most "
			"%d\n", n, MAX_HOSTDEVS);
		ret = 1;
	}
	if (!ret && gpus > 1)
		sbuf_add(&out, "<!-- more than one GPU: the guest needs a larger 64-bit MMIO window "
			 "and enough physical address bits: add <pcihole64 unit='KiB'>...</pcihole64> "
			 "to its PCIe root controller and <maxphysaddr mode='passthrough'/> to <cpu> -->\n");
	for (i = 0; !ret && i < p.n; i++) {
		const struct plan_entry *e = &p.e[i];

		if (!e->bind)
			continue;
		sbuf_addf(&out, "<hostdev mode='subsystem' type='pci' managed='yes'>\n"
			  "  <driver name='vfio'/>\n  <source>\n"
			  "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
			  "  </source>\n</hostdev>\n", (unsigned)(e->addr >> 16),
			  (unsigned)(e->addr >> 8) & 0xff, (unsigned)(e->addr >> 3) & 0x1f,
			  (unsigned)e->addr & 7);
	}
	if (!ret)
		fputs(out.s ? out.s : "", stdout);
	sbuf_free(&out);
	plan_free(&p);
	config_free(&c);
	hostview_close(&h);
	return ret;
}
