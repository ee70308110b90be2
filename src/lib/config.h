/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.h: /etc/passthru.conf and its selectors. */
#ifndef PASSTHRU_CONFIG_H
#define PASSTHRU_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_NONE UINT64_MAX
#define ADDR_LEN 20

/* A PCI address packed as domain<<16 | bus<<8 | device<<3 | function (domains may pass 0xffff). */
typedef uint64_t pci_addr_t;
int addr_parse(const char *s, pci_addr_t *ret);
void addr_format(pci_addr_t a, char buf[static ADDR_LEN]);
static inline pci_addr_t addr_slot(pci_addr_t a) { return a & ~(pci_addr_t)7; }

enum sel_kind { SEL_ADDR, SEL_ID, SEL_ID_AT_ADDR };

struct selector {
	enum sel_kind kind;
	pci_addr_t addr;
	uint16_t vendor, device;
	char text[64];		/* as written */
	char origin[320];	/* "FILE:LINE" or "kernel command line" */
};

/* Parse one selector ("01:00.0", "10de:2204", "10de:2204@0000:01:00.0", "pci_0000_01_00_0"). */
int selector_parse(const char *s, struct selector *ret);

enum companions_mode { COMPANIONS_SLOT, COMPANIONS_NONE };
enum boot_vga_mode { BOOT_VGA_REFUSE, BOOT_VGA_ALLOW };
enum unsafe_group_mode { UNSAFE_GROUP_REFUSE, UNSAFE_GROUP_FORCE };
enum no_iommu_mode { NO_IOMMU_SKIP, NO_IOMMU_STUB };
enum variant_mode { VARIANT_AUTO, VARIANT_OFF };

struct config {
	struct selector *sel;
	size_t nsel, capsel;
	enum companions_mode companions;
	enum boot_vga_mode boot_vga;
	enum unsafe_group_mode unsafe_group;
	char driver[16];	/* "vfio-pci" or "pci-stub" */
	enum no_iommu_mode no_iommu;
	enum variant_mode variant;	/* auto: a vfio variant driver instead of vfio-pci */
	char sha256[65];	/* of the bytes config_load read; "" when it read none */
};

/* Errors: each names where it came from. */
struct errlist {
	char **msg;
	size_t n, cap;
};
void errlist_add(struct errlist *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errlist_free(struct errlist *e);

void config_init(struct config *c);
void config_free(struct config *c);
int config_add_selector(struct config *c, const struct selector *s);

/*
 * Parse config text. Every bad line adds an error ("FILE:LINE: problem") to
 * errs; returns -EINVAL if there was any, 0 otherwise, -ENOMEM on allocation failure.
 */
int config_parse(struct config *c, const char *text, size_t len, const char *file,
		 struct errlist *errs);

/*
 * Load a config file: path as given when not NULL, else etc/passthru.conf under the root.
 * A missing default file is -ENOENT with no error added (the caller decides what that
 * means); a missing FILE given by path, or one that is not a regular file, is an error.
 */
struct root;
int config_load(struct config *c, const struct root *r, const char *path, struct errlist *errs);

#endif
