/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iommu.c: decide from sysfs and procfs whether the IOMMU is really on, and why not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdline.h"
#include "iommu.h"
#include "util.h"

struct units {
	int n, intel, amd;
};

static int on_unit(const char *name, void *ud)
{
	struct units *u = ud;

	u->n++;
	u->intel += !strncmp(name, "dmar", 4);
	u->amd += !strncmp(name, "ivhd", 4);
	return 0;
}

struct domains {
	const struct root *r;
	int ngroups;
	char types[8][16];
	int counts[8];
};

static int on_group(const char *name, void *ud)
{
	struct domains *d = ud;
	char p[300], t[16];
	int i;

	d->ngroups++;
	snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%s/type", name);
	if (root_read(d->r, p, t, sizeof(t)) <= 0)
		return 0;
	for (i = 0; i < 8 && d->types[i][0]; i++)
		if (!strcmp(d->types[i], t))
			break;
	if (i == 8)
		return 0;
	strcpy(d->types[i], t);
	d->counts[i]++;
	return 0;
}

int iommu_verdict_read(const struct root *r, const char *cmdline, struct iommu_verdict *ret)
{
	struct iommu_verdict v = { 0 };
	struct units u = { 0 };
	struct domains dom = { .r = r };
	char buf[8];
	_cleanup_free_ char *irq = NULL;
	int i, best = -1;

	root_each(r, "sys/class/iommu", on_unit, &u);
	root_each(r, "sys/kernel/iommu_groups", on_group, &dom);
	v.active = u.n > 0 && dom.ngroups > 0;
	if (root_exists(r, "sys/firmware/acpi/tables/DMAR"))
		strcpy(v.firmware_table_name, "DMAR");
	else if (root_exists(r, "sys/firmware/acpi/tables/IVRS"))
		strcpy(v.firmware_table_name, "IVRS");
	v.firmware_table = v.firmware_table_name[0] != '\0';
	if (u.intel)
		strcpy(v.vendor, "intel");
	else if (u.amd)
		strcpy(v.vendor, "amd");
	else if (u.n)
		strcpy(v.vendor, "other");
	else if (!strcmp(v.firmware_table_name, "DMAR"))
		strcpy(v.vendor, "intel");
	else if (!strcmp(v.firmware_table_name, "IVRS"))
		strcpy(v.vendor, "amd");
	for (i = 0; i < 8 && dom.types[i][0]; i++)
		if (best < 0 || dom.counts[i] > dom.counts[best])
			best = i;
	if (best >= 0)
		strcpy(v.default_domain, dom.types[best]);
	if (root_slurp(r, "proc/interrupts", &irq, NULL) == 0)
		v.interrupt_remapping = strstr(irq, "IR-") != NULL;
	if (root_read(r, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", buf,
		      sizeof(buf)) > 0)
		v.unsafe_interrupts_allowed = buf[0] == 'Y' || buf[0] == '1';
	iommu_verdict_explain(&v, cmdline ? cmdline : "");
	*ret = v;
	return 0;
}

void iommu_verdict_explain(struct iommu_verdict *v, const char *cmdline)
{
	char val[64];
	const char *off = NULL;

	v->reason[0] = v->warning[0] = '\0';
	if (v->active) {
		if (!v->interrupt_remapping && !v->unsafe_interrupts_allowed)
			snprintf(v->warning, sizeof(v->warning),
				 "interrupt remapping is off: vfio will refuse these devices at VM "
				 "start unless unsafe interrupts are allowed; "
				 "'passthru-setup install --allow-unsafe-interrupts' allows them "
				 "(for trusted guests only)");
		return;
	}
	if (cmdline_get(cmdline, "intel_iommu", val, sizeof(val)) && !strncmp(val, "off", 3))
		off = "intel_iommu=off";
	else if (cmdline_get(cmdline, "amd_iommu", val, sizeof(val)) && !strcmp(val, "off"))
		off = "amd_iommu=off";
	else if (cmdline_get(cmdline, "iommu", val, sizeof(val)) && !strcmp(val, "off"))
		off = "iommu=off";
	if (off) {
		snprintf(v->reason, sizeof(v->reason),
			 "the kernel command line has %s, which turns the IOMMU off: remove it "
			 "(passthru-setup install replaces it) and reboot", off);
	} else if (!v->firmware_table) {
		snprintf(v->reason, sizeof(v->reason),
			 "the firmware offers no IOMMU (no DMAR or IVRS ACPI table): enable VT-d "
			 "(Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup, then reboot");
	} else if (!strcmp(v->firmware_table_name, "DMAR") &&
		   !(cmdline_get(cmdline, "intel_iommu", val, sizeof(val)) &&
		     !strncmp(val, "on", 2))) {
		snprintf(v->reason, sizeof(v->reason),
			 "the firmware offers DMAR but the kernel was booted without "
			 "intel_iommu=on; run passthru-setup install and reboot");
	} else {
		snprintf(v->reason, sizeof(v->reason),
			 "the firmware offers %s but the kernel did not enable the IOMMU: check "
			 "'dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU' for the error, and that "
			 "the kernel is built with IOMMU support", v->firmware_table_name);
	}
}
