/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.h: the PCI devices and IOMMU groups of a system, as sysfs shows them. */
#ifndef PASSTHRU_MODEL_H
#define PASSTHRU_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "root.h"

#define GROUP_NONE (-1)

struct pdev {
	pci_addr_t addr;
	char name[ADDR_LEN];	/* "0000:01:00.0" */
	uint16_t vendor, device;
	uint32_t class;		/* 24 bits: base, sub, prog-if */
	int header_type;	/* low 7 bits; -1 unknown */
	char driver[64];	/* bound driver, "" when none */
	int group;		/* IOMMU group or GROUP_NONE */
	int boot_vga;		/* 1, 0, or -1 when the file is absent */
	bool virtfn;		/* an SR-IOV virtual function (it has a physfn link) */
	pci_addr_t physfn;	/* then its physical function; ADDR_NONE when unreadable */
	pci_addr_t *consumers;	/* consumer:pci:* device links */
	size_t nconsumers;
};

/*
 * A device /sys/kernel/iommu_groups/N/devices lists that its own iommu_group link does not
 * put in group N: not a PCI device at all (addr ADDR_NONE; it can never be bound), or a PCI
 * device whose link is missing or names another group. Either way a member of group N.
 */
struct foreign {
	int group;
	pci_addr_t addr;	/* the PCI device, or ADDR_NONE */
	char name[64];
};

struct model {
	struct pdev *dev;
	size_t n, cap;		/* sorted by address */
	struct foreign *foreign;
	size_t nforeign, capforeign;
};

/* Scan sysfs under the root: libpci enumerates, sysfs gives the rest. */
int model_scan(struct model *m, const struct root *r, char *err, size_t errsize);
void model_free(struct model *m);
/* Add a device by hand (tests build models this way); keeps the order. */
int model_add(struct model *m, const struct pdev *d);
struct pdev *model_find(const struct model *m, pci_addr_t a);
/* Note that the kernel lists NAME in group g; call after the devices are in the model. */
int model_add_listed(struct model *m, int group, const char *name);

static inline bool pdev_is_bridge(const struct pdev *d)
{
	return d->header_type == 1 || d->header_type == 2 || (d->class >> 8) == 0x0600 ||
	       (d->header_type < 0 && ((d->class >> 8) == 0x0604 || (d->class >> 8) == 0x0607));
}
static inline bool pdev_is_storage(const struct pdev *d) { return (d->class >> 16) == 0x01; }
static inline bool pdev_is_display(const struct pdev *d) { return (d->class >> 16) == 0x03; }

#endif
