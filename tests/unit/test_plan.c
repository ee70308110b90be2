/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_plan.c: the planner, table-driven on models built in memory (no disk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "plan.h"

#define A(b, d, f) ((pci_addr_t)(b) << 8 | (d) << 3 | (f))

struct devspec {
	pci_addr_t addr;
	unsigned vendor, device, class;
	int hdr, group, boot_vga;
	const char *driver;
	pci_addr_t consumer;	/* 0: none */
	pci_addr_t physfn;	/* 0: not an SR-IOV virtual function */
};

#define GPU(a, g) { a, 0x10de, 0x2204, 0x030000, 0, g, 0, "", 0 }
#define HDA(a, g) { a, 0x10de, 0x1aef, 0x040300, 0, g, -1, "", 0 }
#define NIC(a, g) { a, 0x8086, 0x100e, 0x020000, 0, g, -1, "e1000", 0 }
#define NVME(a, g) { a, 0x144d, 0xa808, 0x010802, 0, g, -1, "", 0 }
#define BRIDGE(a, g) { a, 0x1022, 0x1483, 0x060400, 1, g, -1, "pcieport", 0 }
#define HOSTBR(a, g) { a, 0x1022, 0x1482, 0x060000, 0, g, -1, "", 0 }
#define BOOTGPU(a, g) { a, 0x1234, 0x1111, 0x030000, 0, g, 1, "bochs-drm", 0 }
#define IGPU(a, g) { a, 0x8086, 0xa7a0, 0x030000, 0, g, 0, "", 0 }
#define VF(a, g, pf) { a, 0x8086, 0xa7a0, 0x030000, 0, g, 0, "", 0, pf }
#define END { ADDR_NONE, 0, 0, 0, 0, 0, 0, NULL, 0 }

/* an entry of /sys/kernel/iommu_groups/GROUP/devices */
struct listed {
	int group;
	const char *name;
};

struct expect {
	pci_addr_t addr;
	enum role role;
	enum state state;
	bool bind;
	const char *reason;	/* substring, or NULL for none */
};

struct pcase {
	const char *name;
	const char *conf;
	bool inactive;
	struct devspec devs[10];
	struct expect want[10];
	int exit_code;
	struct listed listed[4];	/* the kernel's group lists, beyond the links */
};

static const struct pcase cases[] = {
	{ "gpu+hda", "device = 01:00.0", false,
	  { BRIDGE(A(0, 1, 1), 5), GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "companions none, hda in the group refuses", "device = 01:00.0\ncompanions = none", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "also holds 0000:01:00.1 [10de:1aef]" },
	    { A(1, 0, 1), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "companions none, hda in its own group", "device = 01:00.0\ncompanions = none", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 7), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "consumer link pulls a function of another slot", "device = 01:00.0", false,
	  { { A(1, 0, 0), 0x10de, 0x2204, 0x030000, 0, 6, 0, "", A(2, 0, 0) },
	    { A(2, 0, 0), 0x10de, 0x1ada, 0x0c0330, 0, 9, -1, "xhci_hcd", 0 }, END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(2, 0, 0), ROLE_COMPANION, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "NIC in the group", "device = 01:00.0", false,
	  { BRIDGE(A(0, 1, 0), 2), GPU(A(1, 0, 0), 2), NIC(A(1, 1, 0), 2), END },
	  { { A(0, 1, 0), ROLE_BRIDGE, STATE_UNTOUCHED, false, NULL },
	    { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 2 also holds 0000:01:01.0 [8086:100e] class 0x020000, which is not selected" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "NIC in the group, force", "device = 01:00.0\nunsafe_group = force", false,
	  { BRIDGE(A(0, 1, 0), 2), GPU(A(1, 0, 0), 2), NIC(A(1, 1, 0), 2), END },
	  { { A(0, 1, 0), ROLE_BRIDGE, STATE_UNTOUCHED, false, NULL },
	    { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 1, 0), ROLE_OTHER, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "storage in the group, force", "device = 01:00.0\nunsafe_group = force", false,
	  { GPU(A(1, 0, 0), 2), NVME(A(1, 1, 0), 2), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "mass-storage controller" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "selected storage is claimed", "device = 01:01.0", false,
	  { NVME(A(1, 1, 0), 3), END },
	  { { A(1, 1, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "AMD host bridge shares the group", "device = 01:00.0", false,
	  { HOSTBR(A(0, 1, 0), 4), BRIDGE(A(0, 1, 1), 4), GPU(A(1, 0, 0), 4), HDA(A(1, 0, 1), 4), END },
	  { { A(0, 1, 0), ROLE_BRIDGE, STATE_UNTOUCHED, false, NULL },
	    { A(0, 1, 1), ROLE_BRIDGE, STATE_UNTOUCHED, false, NULL },
	    { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "boot VGA refused", "device = 01:00.0", false,
	  { { A(1, 0, 0), 0x10de, 0x2204, 0x030000, 0, 6, 1, "", 0 }, HDA(A(1, 0, 1), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "boot display (boot_vga=1)" },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_REFUSED, false, "boot display" }, { ADDR_NONE } }, 1 },
	{ "boot VGA allowed", "device = 01:00.0\nboot_vga = allow", false,
	  { { A(1, 0, 0), 0x10de, 0x2204, 0x030000, 0, 6, 1, "", 0 }, HDA(A(1, 0, 1), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "two identical, by address", "device = 02:00.0", false,
	  { GPU(A(1, 0, 0), 6), GPU(A(2, 0, 0), 7), END },
	  { { A(2, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "two identical, by ID", "device = 10de:2204", false,
	  { GPU(A(1, 0, 0), 6), GPU(A(2, 0, 0), 7), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "ID-pinned mismatch", "device = 10de:2206@01:00.0", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_ABSENT, false, "is 10de:2204, not 10de:2206" },
	    { ADDR_NONE } }, 1 },
	{ "absent address and ID", "device = 05:00.0\ndevice = 1002:73bf", false,
	  { GPU(A(1, 0, 0), 6), END },
	  { { A(5, 0, 0), ROLE_SELECTED, STATE_ABSENT, false, "no device at 0000:05:00.0" },
	    { ADDR_NONE, ROLE_SELECTED, STATE_ABSENT, false, "no device has ID 1002:73bf" },
	    { ADDR_NONE } }, 1 },
	{ "IOMMU off, skip", "device = 01:00.0", true,
	  { GPU(A(1, 0, 0), GROUP_NONE), HDA(A(1, 0, 1), GROUP_NONE), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "IOMMU not active: test reason" },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_REFUSED, false, "IOMMU not active" }, { ADDR_NONE } }, 3 },
	{ "IOMMU off, stub", "device = 01:00.0\nno_iommu = stub", true,
	  { GPU(A(1, 0, 0), GROUP_NONE), HDA(A(1, 0, 1), GROUP_NONE), NIC(A(1, 1, 0), GROUP_NONE), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "companions span two groups, one unsafe", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 7), NIC(A(1, 1, 0), 7), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "IOMMU group 7 also holds 0000:01:01.0" },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_REFUSED, false, "0000:01:01.0" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "two selected share a group: one unit", "device = 01:00.0\ndevice = 01:01.0", false,
	  { GPU(A(1, 0, 0), 6), GPU(A(1, 1, 0), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 1, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "no group while the IOMMU is on", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), GROUP_NONE), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "has no IOMMU group" }, { ADDR_NONE } }, 1 },
	{ "selected bridge", "device = 00:01.0", false,
	  { BRIDGE(A(0, 1, 0), 2), END },
	  { { A(0, 1, 0), ROLE_SELECTED, STATE_REFUSED, false, "bridges are never bound" },
	    { ADDR_NONE } }, 1 },
	{ "slot storage and ISA bridge are no companions", "device = 00:1f.3", false,
	  { { A(0, 31, 0), 0x8086, 0x2918, 0x060100, 0, 3, -1, "", 0 }, NVME(A(0, 31, 2), 3),
	    { A(0, 31, 3), 0x8086, 0x2930, 0x040300, 0, 3, -1, "", 0 }, END },
	  { { A(0, 31, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(0, 31, 2), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(0, 31, 3), ROLE_SELECTED, STATE_REFUSED, false, "0000:00:1f.0 [8086:2918] class 0x060100" },
	    { ADDR_NONE } }, 1 },
	{ "an endpoint already on vfio-pci is not in the way", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), 2), { A(1, 1, 0), 0x8086, 0x100e, 0x020000, 0, 2, -1, "vfio-pci", 0 }, END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 0 },
	{ "driver pci-stub", "device = 01:00.0\ndriver = pci-stub", false,
	  { GPU(A(1, 0, 0), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "nothing selected", "", false, { GPU(A(1, 0, 0), 6), END }, { { ADDR_NONE } }, 0 },

	/* force never takes the firmware's boot display */
	{ "force meets the boot display", "device = 02:00.0\nunsafe_group = force", false,
	  { BRIDGE(A(0, 1, 0), 2), BOOTGPU(A(1, 0, 0), 2), HDA(A(1, 0, 1), 2), GPU(A(2, 0, 0), 2),
	    END },
	  { { A(0, 1, 0), ROLE_BRIDGE, STATE_UNTOUCHED, false, NULL },
	    { A(1, 0, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(1, 0, 1), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 2 also holds 0000:01:00.0 [1234:1111] class 0x030000, the firmware's "
	      "boot display (boot_vga=1), which is not selected, while boot_vga = refuse "
	      "(refused even under unsafe_group = force)" }, { ADDR_NONE } }, 1 },
	{ "force and boot_vga = allow take the boot display",
	  "device = 02:00.0\nunsafe_group = force\nboot_vga = allow", false,
	  { BRIDGE(A(0, 1, 0), 2), BOOTGPU(A(1, 0, 0), 2), HDA(A(1, 0, 1), 2), GPU(A(2, 0, 0), 2),
	    END },
	  { { A(0, 1, 0), ROLE_BRIDGE, STATE_UNTOUCHED, false, NULL },
	    { A(1, 0, 0), ROLE_OTHER, STATE_PLANNED, true, NULL },
	    { A(1, 0, 1), ROLE_OTHER, STATE_PLANNED, true, NULL },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "boot display in the group without force: force would not help", "device = 02:00.0",
	  false, { BOOTGPU(A(1, 0, 0), 2), GPU(A(2, 0, 0), 2), END },
	  { { A(1, 0, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "boot display (boot_vga=1), which is not selected, while boot_vga = refuse "
	      "(refused even under unsafe_group = force)" }, { ADDR_NONE } }, 1 },
	{ "force: boot display and storage are both named", "device = 02:00.0\nunsafe_group = force",
	  false, { BOOTGPU(A(1, 0, 0), 2), GPU(A(2, 0, 0), 2), NVME(A(3, 0, 0), 2), END },
	  { { A(1, 0, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "0000:01:00.0 [1234:1111] class 0x030000, the firmware's boot display (boot_vga=1)" },
	    { A(3, 0, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "force: a boot display already on vfio-pci is not in the way",
	  "device = 02:00.0\nunsafe_group = force", false,
	  { { A(1, 0, 0), 0x1234, 0x1111, 0x030000, 0, 2, 1, "vfio-pci", 0 }, GPU(A(2, 0, 0), 2),
	    END },
	  { { A(1, 0, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },

	/* the kernel's group list counts */
	{ "a device the group lists but without its link is in the way", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), NIC(A(1, 1, 0), GROUP_NONE), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 6 also holds 0000:01:01.0 [8086:100e] class 0x020000, which the kernel "
	      "lists in the group but which has no iommu_group link" },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_REFUSED, false, "0000:01:01.0" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1,
	  { { 6, "0000:01:01.0" } } },
	{ "a device the group lists but without its link, force", "device = 01:00.0\n"
	  "unsafe_group = force", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), NIC(A(1, 1, 0), GROUP_NONE), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "which has no iommu_group link (refused even under unsafe_group = force)" },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_REFUSED, false, "0000:01:01.0" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1,
	  { { 6, "0000:01:01.0" } } },
	{ "a device the group lists whose link names another group, force", "device = 01:00.0\n"
	  "unsafe_group = force", false,
	  { GPU(A(1, 0, 0), 6), NIC(A(1, 1, 0), 9), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 6 also holds 0000:01:01.0 [8086:100e] class 0x020000, which the kernel "
	      "lists in the group but whose iommu_group link names group 9 (refused even under "
	      "unsafe_group = force)" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1,
	  { { 6, "0000:01:01.0" } } },
	{ "the list agreeing with the links changes nothing", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), NIC(A(1, 1, 0), 7), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0,
	  { { 6, "0000:01:00.0" }, { 6, "0000:01:00.1" }, { 7, "0000:01:01.0" } } },
	{ "a companion another group lists brings that group in", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), 6), HDA(A(1, 0, 1), 6), NIC(A(1, 1, 0), 7), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 7 also holds 0000:01:01.0 [8086:100e] class 0x020000, which is not "
	      "selected" },
	    { A(1, 0, 1), ROLE_COMPANION, STATE_REFUSED, false, "IOMMU group 7" },
	    { A(1, 1, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1,
	  { { 7, "0000:01:00.1" } } },
	{ "a selected device without its link but on the list", "device = 01:00.0", false,
	  { GPU(A(1, 0, 0), GROUP_NONE), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false, "0000:01:00.0 has no IOMMU group" },
	    { ADDR_NONE } }, 1, { { 6, "0000:01:00.0" } } },
	{ "a group member that is not PCI is named", "device = 01:00.0\nunsafe_group = force", false,
	  { GPU(A(1, 0, 0), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 6 also holds idma64.0, which is not a PCI device" }, { ADDR_NONE } }, 1,
	  { { 6, "idma64.0" } } },

	{ "force: a device two groups hold (link and list) is in the way of both",
	  "device = 01:00.0\ndevice = 02:00.0\nunsafe_group = force", false,
	  { GPU(A(1, 0, 0), 7), GPU(A(2, 0, 0), 6), NIC(A(3, 0, 0), 6), END },
	  { { A(1, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 7 also holds 0000:03:00.0 [8086:100e] class 0x020000, which the kernel "
	      "lists in the group but whose iommu_group link names group 6" },
	    { A(2, 0, 0), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 6 also holds 0000:03:00.0 [8086:100e] class 0x020000, which the "
	      "kernel's list of another group names too (refused even under unsafe_group = force)" },
	    { A(3, 0, 0), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1,
	  { { 7, "0000:03:00.0" } } },

	/* SR-IOV virtual functions are never companions */
	{ "a virtual function selected alone", "device = 00:02.1", false,
	  { IGPU(A(0, 2, 0), 0), VF(A(0, 2, 1), 1, A(0, 2, 0)), VF(A(0, 2, 2), 2, A(0, 2, 0)), END },
	  { { A(0, 2, 1), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "a physical function selected: its VFs are no companions", "device = 00:02.0", false,
	  { IGPU(A(0, 2, 0), 0), VF(A(0, 2, 1), 1, A(0, 2, 0)), VF(A(0, 2, 2), 2, A(0, 2, 0)), END },
	  { { A(0, 2, 0), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "a VF whose physfn cannot be read is still a VF", "device = 00:02.1", false,
	  { IGPU(A(0, 2, 0), 0), VF(A(0, 2, 1), 1, ADDR_NONE), HDA(A(0, 2, 3), 3), END },
	  { { A(0, 2, 1), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "a VF sharing the group of the selected VF is in the way", "device = 00:02.1", false,
	  { IGPU(A(0, 2, 0), 0), VF(A(0, 2, 1), 1, A(0, 2, 0)), VF(A(0, 2, 2), 1, A(0, 2, 0)), END },
	  { { A(0, 2, 1), ROLE_SELECTED, STATE_REFUSED, false,
	      "IOMMU group 1 also holds 0000:00:02.2 [8086:a7a0] class 0x030000, which is not "
	      "selected (unsafe_group = force would claim it too)" },
	    { A(0, 2, 2), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "a VF sharing the group, force: claimed as an other endpoint, not a companion",
	  "device = 00:02.1\nunsafe_group = force", false,
	  { IGPU(A(0, 2, 0), 0), VF(A(0, 2, 1), 1, A(0, 2, 0)), VF(A(0, 2, 2), 1, A(0, 2, 0)), END },
	  { { A(0, 2, 1), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(0, 2, 2), ROLE_OTHER, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
	{ "a PF and its VFs in one group: the VFs are in the way", "device = 00:02.0", false,
	  { IGPU(A(0, 2, 0), 0), VF(A(0, 2, 1), 0, A(0, 2, 0)), END },
	  { { A(0, 2, 0), ROLE_SELECTED, STATE_REFUSED, false, "also holds 0000:00:02.1" },
	    { A(0, 2, 1), ROLE_OTHER, STATE_UNTOUCHED, false, NULL }, { ADDR_NONE } }, 1 },
	{ "a VF by ID selects every VF, each alone", "device = 8086:a7a0\ncompanions = slot", false,
	  { { A(0, 2, 0), 0x8086, 0xa780, 0x030000, 0, 0, 0, "i915", 0 },
	    VF(A(0, 2, 1), 1, A(0, 2, 0)), VF(A(0, 2, 2), 2, A(0, 2, 0)), END },
	  { { A(0, 2, 1), ROLE_SELECTED, STATE_PLANNED, true, NULL },
	    { A(0, 2, 2), ROLE_SELECTED, STATE_PLANNED, true, NULL }, { ADDR_NONE } }, 0 },
};

static void build_model(struct model *m, const struct devspec *ds, const struct listed *l)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (; ds->driver; ds++) {
		struct pdev d = { .addr = ds->addr, .vendor = (uint16_t)ds->vendor,
				  .device = (uint16_t)ds->device, .class = ds->class,
				  .header_type = ds->hdr, .group = ds->group, .boot_vga = ds->boot_vga,
				  .virtfn = ds->physfn != 0, .physfn = ds->physfn };

		strcpy(d.driver, ds->driver);
		if (ds->consumer) {
			d.consumers = malloc(sizeof(*d.consumers));
			d.consumers[0] = ds->consumer;
			d.nconsumers = 1;
		}
		assert_int_equal(model_add(m, &d), 0);
	}
	for (i = 0; i < 4 && l[i].name; i++)
		assert_int_equal(model_add_listed(m, l[i].group, l[i].name), 0);
}

static size_t count_want(const struct pcase *pc)
{
	size_t n = 0;

	while (n < 10 && (pc->want[n].addr != ADDR_NONE || pc->want[n].reason))
		n++;
	return n;
}

static void test_cases(void **state)
{
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *pc = &cases[i];
		struct iommu_verdict v = { .active = !pc->inactive };
		struct config c;
		struct errlist e = { 0 };
		struct model m;
		struct plan p;
		size_t nwant = count_want(pc);

		strcpy(v.reason, pc->inactive ? "test reason" : "");
		config_init(&c);
		assert_int_equal(config_parse(&c, pc->conf, strlen(pc->conf), "t.conf", &e), 0);
		build_model(&m, pc->devs, pc->listed);
		assert_int_equal(plan_build(&c, &m, &v, &p), 0);
		if (p.n != nwant)
			fail_msg("%s: %zu entries, expected %zu", pc->name, p.n, nwant);
		for (j = 0; j < nwant; j++) {
			const struct expect *w = &pc->want[j];
			const struct plan_entry *g = &p.e[j];

			if (g->addr != w->addr || g->role != w->role || g->state != w->state ||
			    g->bind != w->bind)
				fail_msg("%s: entry %zu: addr %llx role %s state %s bind %d; expected "
					 "%llx %s %s %d", pc->name, j, (unsigned long long)g->addr,
					 role_name(g->role), state_name(g->state), g->bind,
					 (unsigned long long)w->addr, role_name(w->role),
					 state_name(w->state), w->bind);
			if (w->reason && !strstr(g->reason, w->reason))
				fail_msg("%s: entry %zu: reason '%s' lacks '%s'", pc->name, j, g->reason,
					 w->reason);
			if (!w->reason && g->reason[0])
				fail_msg("%s: entry %zu: unexpected reason '%s'", pc->name, j, g->reason);
			if (g->bind)
				assert_string_equal(g->driver, pc->inactive ? "pci-stub" : c.driver);
		}
		if (plan_exit_code(&p, &v, &c) != pc->exit_code)
			fail_msg("%s: exit %d, expected %d", pc->name, plan_exit_code(&p, &v, &c),
				 pc->exit_code);
		plan_free(&p);
		model_free(&m);
		config_free(&c);
		errlist_free(&e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
