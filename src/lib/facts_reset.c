/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts_reset.c: the reset methods the kernel offers for a PCI device (reset_method). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "facts.h"
#include "util.h"

/*
 * Linux 5.15 added reset_method and shows it only when the device has at least one method
 * (pci_dev_reset_method_attr_is_visible: pci_reset_supported); an empty file means the user
 * switched every method off. Older kernels only have "reset", shown when a reset works.
 */
void facts_reset_read(const struct root *r, const char *name, const char *release,
		      struct reset_facts *ret)
{
	char rel[128];
	int major = 0, minor = 0, n;

	memset(ret, 0, sizeof(*ret));
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/reset_method", name);
	n = root_read(r, rel, ret->methods, sizeof(ret->methods));
	if (n > 0) {
		ret->state = RESET_METHODS;
		return;
	}
	ret->methods[0] = '\0';
	if (n == 0) {
		ret->state = RESET_DISABLED;
		return;
	}
	if (n != -ENOENT) {
		ret->state = RESET_UNKNOWN;	/* there, but unreadable */
		return;
	}
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/reset", name);
	if (root_exists(r, rel) == 1) {
		ret->state = RESET_UNLISTED;
		return;
	}
	if (facts_kernel_version(release, &major, &minor) == 0 &&
	    (major > 5 || (major == 5 && minor >= 15)))
		ret->state = RESET_NONE;
	else
		ret->state = RESET_UNKNOWN;
}
