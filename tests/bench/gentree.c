/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gentree.c: write a synthetic sysfs tree of N four-function GPU-like cards, for make bench. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gentree: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void mkdirs(const char *rel)
{
	char p[4096], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("mkdir", p);
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("mkdir", p);
}

static void put(const char *rel, const void *data, size_t len)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die("write", p);
}

static void puts_(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static void link_(const char *target, const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p) < 0 && errno != EEXIST)
		die("symlink", p);
}

int main(int argc, char **argv)
{
	static const struct { const char *vendor, *device, *class; } fn[4] = {
		{ "0x1234", "0x1111", "0x030000" },	/* display */
		{ "0x8086", "0x293e", "0x040300" },	/* HDA */
		{ "0x1b36", "0x000d", "0x0c0330" },	/* xHCI */
		{ "0x1b36", "0x0002", "0x0c8000" },	/* UCSI-like serial bus */
	};
	long cards, c;
	int f;

	if (argc != 3 || (cards = atol(argv[2])) <= 0 || cards > 65536) {
		fprintf(stderr, "usage: gentree DIR CARDS (each card has 4 functions)\n");
		return 2;
	}
	root = argv[1];
	if (mkdir(root, 0755) < 0 && errno != EEXIST)
		die("mkdir", root);
	mkdirs("sys/bus/pci/devices");
	mkdirs("sys/bus/pci/drivers/vfio-pci");
	mkdirs("sys/class/iommu/dmar0");
	mkdirs("sys/kernel/iommu_groups");
	mkdirs("sys/firmware/acpi/tables");
	mkdirs("proc");
	mkdirs("etc");
	mkdirs("run");
	puts_("sys/firmware/acpi/tables/DMAR", "DMAR");
	puts_("sys/bus/pci/drivers_probe", "");
	puts_("proc/interrupts", " 24:  0  IR-PCI-MSI 81920-edge  vfio\n");
	puts_("proc/cmdline", "intel_iommu=on iommu=pt\n");
	puts_("etc/passthru.conf", "device = 1234:1111\nboot_vga = allow\n");
	for (c = 0; c < cards; c++) {
		unsigned dom = (unsigned)(c / (256 * 32)), bus = (unsigned)(c / 32 % 256),
			 slot = (unsigned)(c % 32);
		char grp[64];

		snprintf(grp, sizeof(grp), "sys/kernel/iommu_groups/%ld", c);
		mkdirs(grp);
		snprintf(grp, sizeof(grp), "sys/kernel/iommu_groups/%ld/devices", c);
		mkdirs(grp);
		snprintf(grp, sizeof(grp), "sys/kernel/iommu_groups/%ld/type", c);
		puts_(grp, "DMA\n");
		for (f = 0; f < 4; f++) {
			char a[32], d[256], p[512], t[512];
			unsigned char config[64] = { 0 };

			snprintf(a, sizeof(a), "%04x:%02x:%02x.%d", dom, bus, slot, f);
			snprintf(d, sizeof(d), "sys/devices/pci%04x:00/%s", dom, a);
			mkdirs(d);
#define FILE_(name, val) snprintf(p, sizeof(p), "%s/" name, d), puts_(p, val)
			FILE_("vendor", fn[f].vendor);
			FILE_("device", fn[f].device);
			FILE_("class", fn[f].class);
			FILE_("driver_override", "(null)\n");
			FILE_("irq", "0\n");
			FILE_("resource", "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
			if (f == 0)
				FILE_("boot_vga", "0\n");
			{
				/* as the kernel writes it: driver core's lines, then pci_uevent's */
				unsigned long v = strtoul(fn[f].vendor, NULL, 16),
					      dv = strtoul(fn[f].device, NULL, 16),
					      cl = strtoul(fn[f].class, NULL, 16);

				snprintf(t, sizeof(t), "PCI_CLASS=%04lX\nPCI_ID=%04lX:%04lX\n"
					 "PCI_SUBSYS_ID=1AF4:1100\nPCI_SLOT_NAME=%s\nMODALIAS=pci:"
					 "v%08lXd%08lXsv00001AF4sd00001100bc%02lXsc%02lXi%02lX\n",
					 cl, v, dv, a, v, dv, cl >> 16, cl >> 8 & 0xff, cl & 0xff);
				FILE_("uevent", t);
			}
			config[0] = (unsigned char)strtoul(fn[f].vendor + 4, NULL, 16);
			config[1] = (unsigned char)(strtoul(fn[f].vendor, NULL, 16) >> 8);
			config[2] = (unsigned char)strtoul(fn[f].device + 4, NULL, 16);
			config[3] = (unsigned char)(strtoul(fn[f].device, NULL, 16) >> 8);
			config[14] = f == 0 ? 0x80 : 0;	/* multifunction */
			snprintf(p, sizeof(p), "%s/config", d);
			put(p, config, sizeof(config));
			snprintf(p, sizeof(p), "%s/iommu_group", d);
			snprintf(t, sizeof(t), "../../../kernel/iommu_groups/%ld", c);
			link_(t, p);
			snprintf(p, sizeof(p), "sys/bus/pci/devices/%s", a);
			snprintf(t, sizeof(t), "../../../devices/pci%04x:00/%s", dom, a);
			link_(t, p);
			snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%ld/devices/%s", c, a);
			snprintf(t, sizeof(t), "../../../../devices/pci%04x:00/%s", dom, a);
			link_(t, p);
		}
	}
	return 0;
}
