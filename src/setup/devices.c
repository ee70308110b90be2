/* devices.c: the devices install is asked for: --device merged into the config, checked against the host view. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "devices.h"
#include "iommu.h"
#include "model.h"
#include "plan.h"

#define PASSTHRU_CONF "/etc/passthru.conf"

/* The config with --device lines added; the new text in *ret (or NULL: unchanged). */
static int config_with_devices(const struct fsroot *fr, const struct opts *o, char **ret_text,
			       struct config *c)
{
	char *text = NULL;
	struct sbuf b = { 0 };
	struct errlist errs = { 0 };
	size_t i;
	int r = fsroot_read(fr, PASSTHRU_CONF, &text, NULL);

	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", PASSTHRU_CONF, strerror(-r));
		return 1;
	}
	sbuf_add(&b, text ? text : "");
	for (i = 0; i < o->ndevices; i++) {
		struct selector s;
		char line[128];

		if (selector_parse(o->devices[i], &s) < 0) {
			fprintf(stderr, "passthru-setup: --device %s: not a device selector (expected "
				"0000:01:00.0, 10de:2204, 10de:2204@0000:01:00.0 or pci_0000_01_00_0)\n",
				o->devices[i]);
			free(text);
			sbuf_free(&b);
			return 2;
		}
		snprintf(line, sizeof(line), "device = %s", o->devices[i]);
		if (text && strstr(text, line))
			continue;
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_add(&b, "\n");
		sbuf_addf(&b, "%s\n", line);
	}
	config_init(c);
	if (config_parse(c, b.s ? b.s : "", b.len, PASSTHRU_CONF, &errs) < 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "passthru-setup: %s\n", errs.msg[i]);
		errlist_free(&errs);
		free(text);
		sbuf_free(&b);
		return 2;
	}
	*ret_text = (!text || strcmp(text, b.s ? b.s : "")) ? b.s : (sbuf_free(&b), NULL);
	free(text);
	return 0;
}

/* Refuse what the planner would refuse at boot (groups only when the IOMMU is on now). */
static int validate(const struct opts *o, const struct config *c)
{
	struct root r;
	struct model m;
	struct iommu_verdict v;
	struct plan p;
	struct config cc = *c;
	char err[300], *cmdline = NULL;
	size_t i;
	int bad = 0, ret;

	if (!c->nsel) {
		fprintf(stderr, "passthru-setup: no device is configured: add 'device = ...' to "
			"%s or give --device\n", PASSTHRU_CONF);
		return 2;
	}
	ret = root_open(&r, o->sysroot);
	if (ret < 0) {
		fprintf(stderr, "passthru-setup: cannot open %s: %s\n", o->sysroot, strerror(-ret));
		return 1;
	}
	ret = model_scan(&m, &r, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "passthru-setup: cannot read this host's PCI devices: %s\n", err);
		root_close(&r);
		return 1;
	}
	root_slurp(&r, "proc/cmdline", &cmdline, NULL);
	iommu_verdict_read(&r, cmdline ? cmdline : "", &v);
	if (!v.active) {
		/* before the reboot there are no groups: check the rest, groups at boot */
		cc.no_iommu = NO_IOMMU_STUB;
		printf("note: the IOMMU is not active yet; group safety is checked at boot\n");
	}
	ret = plan_build(&cc, &m, &v, &p);
	for (i = 0; !ret && i < p.n; i++) {
		const struct plan_entry *e = &p.e[i];
		char a[ADDR_LEN] = "-";

		if (e->state != STATE_REFUSED && e->state != STATE_ABSENT)
			continue;
		if (e->addr != ADDR_NONE)
			addr_format(e->addr, a);
		fprintf(stderr, "passthru-setup: %s %s: %s\n", a, state_name(e->state), e->reason);
		bad = 1;
	}
	if (bad)
		fprintf(stderr, "passthru-setup: install refused: the boot would not claim these "
			"devices; fix %s (passthru-setup plan shows the whole plan)\n", PASSTHRU_CONF);
	plan_free(&p);
	model_free(&m);
	free(cmdline);
	root_close(&r);
	return ret < 0 ? 1 : bad;
}

int devices_prepare(const struct fsroot *fr, const struct opts *o, char **ret_text,
		    struct config *ret)
{
	int r = config_with_devices(fr, o, ret_text, ret);

	return r ? r : validate(o, ret);
}
