/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_config.c: the config parser: every key, every value, every error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"

struct parsed {
	struct config c;
	struct errlist e;
	int ret;
};

static void parse(struct parsed *p, const char *text)
{
	config_init(&p->c);
	memset(&p->e, 0, sizeof(p->e));
	p->ret = config_parse(&p->c, text, strlen(text), "t.conf", &p->e);
}

static void done(struct parsed *p)
{
	config_free(&p->c);
	errlist_free(&p->e);
}

static void test_defaults(void **state)
{
	struct parsed p;

	parse(&p, "");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.c.nsel, 0);
	assert_int_equal(p.c.companions, COMPANIONS_SLOT);
	assert_int_equal(p.c.boot_vga, BOOT_VGA_REFUSE);
	assert_int_equal(p.c.unsafe_group, UNSAFE_GROUP_REFUSE);
	assert_string_equal(p.c.driver, "vfio-pci");
	assert_int_equal(p.c.no_iommu, NO_IOMMU_SKIP);
	assert_int_equal(p.c.variant, VARIANT_AUTO);
	done(&p);
}

static void test_every_key(void **state)
{
	struct parsed p;

	parse(&p, "# a comment\n\n  device = 0000:01:00.0   # trailing comment\n"
		  "device=10de:2204\r\n\tcompanions\t=\tnone\nboot_vga = allow\n"
		  "unsafe_group = force\ndriver = pci-stub\nno_iommu = stub\nvariant = off");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.e.n, 0);
	assert_int_equal(p.c.nsel, 2);
	assert_int_equal(p.c.sel[0].kind, SEL_ADDR);
	assert_int_equal(p.c.sel[0].addr, 0x0100);
	assert_string_equal(p.c.sel[0].origin, "t.conf:3");
	assert_int_equal(p.c.sel[1].kind, SEL_ID);
	assert_int_equal(p.c.sel[1].vendor, 0x10de);
	assert_int_equal(p.c.sel[1].device, 0x2204);
	assert_string_equal(p.c.sel[1].origin, "t.conf:4");
	assert_int_equal(p.c.companions, COMPANIONS_NONE);
	assert_int_equal(p.c.boot_vga, BOOT_VGA_ALLOW);
	assert_int_equal(p.c.unsafe_group, UNSAFE_GROUP_FORCE);
	assert_string_equal(p.c.driver, "pci-stub");
	assert_int_equal(p.c.no_iommu, NO_IOMMU_STUB);
	assert_int_equal(p.c.variant, VARIANT_OFF);
	done(&p);
}

static void test_first_values(void **state)
{
	struct parsed p;

	parse(&p, "companions = slot\nboot_vga = refuse\nunsafe_group = refuse\n"
		  "driver = vfio-pci\nno_iommu = skip\n");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.c.companions, COMPANIONS_SLOT);
	assert_string_equal(p.c.driver, "vfio-pci");
	done(&p);
}

struct bad {
	const char *text;
	const char *error;	/* exact first message */
};

static const struct bad bad_cases[] = {
	{ "frob = 1\n", "t.conf:1: unknown key 'frob' (known: device, companions, boot_vga, "
	  "unsafe_group, driver, no_iommu, variant)" },
	{ "\n\ndevice 01:00.0\n", "t.conf:3: expected 'key = value', got 'device 01:00.0'" },
	{ "device =\n", "t.conf:1: 'device' has no value" },
	{ "companions = all\n", "t.conf:1: bad value 'all' for 'companions' (expected slot or none)" },
	{ "boot_vga = yes\n", "t.conf:1: bad value 'yes' for 'boot_vga' (expected refuse or allow)" },
	{ "unsafe_group = on\n", "t.conf:1: bad value 'on' for 'unsafe_group' (expected refuse or "
	  "force)" },
	{ "driver = nouveau\n", "t.conf:1: bad value 'nouveau' for 'driver' (expected vfio-pci or "
	  "pci-stub)" },
	{ "no_iommu = force\n", "t.conf:1: bad value 'force' for 'no_iommu' (expected skip or stub)" },
	{ "variant = mlx5_vfio_pci\n", "t.conf:1: bad value 'mlx5_vfio_pci' for 'variant' (expected "
	  "auto or off)" },
	{ "boot_vga = allow\n# x\nboot_vga = allow\n", "t.conf:3: 'boot_vga' given twice (first on "
	  "line 1)" },
	{ "device = 01:00.0 02:00.0\n", "t.conf:1: one selector per 'device' line, got '01:00.0 "
	  "02:00.0'" },
	{ "device = 01:00.0,02:00.0\n", "t.conf:1: one selector per 'device' line, got "
	  "'01:00.0,02:00.0'" },
	{ "device = 01:20.0\n", "t.conf:1: bad device selector '01:20.0' (expected 0000:01:00.0, "
	  "01:00.0, 10de:2204, 10de:2204@0000:01:00.0 or pci_0000_01_00_0)" },
	{ "Device = 01:00.0\n", "t.conf:1: unknown key 'Device' (known: device, companions, "
	  "boot_vga, unsafe_group, driver, no_iommu, variant)" },
	{ "device = 01:00.0\x01\n", "t.conf:1: control character in line" },
	{ "companions = none\x7f\n", "t.conf:1: control character in line" },
};

static void test_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct parsed p;

		parse(&p, bad_cases[i].text);
		assert_int_equal(p.ret, -22);
		assert_true(p.e.n >= 1);
		assert_string_equal(p.e.msg[0], bad_cases[i].error);
		done(&p);
	}
}

static void test_nul_and_long_lines(void **state)
{
	struct parsed p;
	char *big = malloc(3000);
	static const char nul[] = "device = 01:00.0\ndev\0ice = 02:00.0\n";

	config_init(&p.c);
	memset(&p.e, 0, sizeof(p.e));
	p.ret = config_parse(&p.c, nul, sizeof(nul) - 1, "t.conf", &p.e);
	assert_int_equal(p.ret, -22);
	assert_string_equal(p.e.msg[0], "t.conf:2: NUL byte in line");
	done(&p);

	memset(big, 'a', 2999);
	big[2999] = '\0';
	memcpy(big, "device = ", 9);
	parse(&p, big);
	assert_int_equal(p.ret, -22);
	assert_string_equal(p.e.msg[0], "t.conf:1: line longer than 1024 characters");
	done(&p);
	free(big);
}

static void test_every_bad_line_reported(void **state)
{
	struct parsed p;

	parse(&p, "device = 01:00.0\nbogus\ndevice = 02:00.0\ndriver = x\n");
	assert_int_equal(p.ret, -22);
	assert_int_equal(p.e.n, 2);
	assert_non_null(strstr(p.e.msg[0], "t.conf:2:"));
	assert_non_null(strstr(p.e.msg[1], "t.conf:4:"));
	done(&p);
}

/* a file name far longer than any fixed buffer still gets its ":LINE" */
static void test_long_file_name(void **state)
{
	char name[600], want[700];
	struct config c;
	struct errlist e = { 0 };

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	config_init(&c);
	assert_int_equal(config_parse(&c, "device = 01:00.0\nbogus\n", 23, name, &e), -22);
	snprintf(want, sizeof(want), "%s:2: expected 'key = value', got 'bogus'", name);
	assert_string_equal(e.msg[0], want);
	assert_int_equal(c.nsel, 1);
	assert_non_null(strstr(c.sel[0].origin, "aaa:1"));
	config_free(&c);
	errlist_free(&e);
}

/* a UTF-8 byte order mark opens the file, not the first key; elsewhere it is still an error */
static void test_utf8_bom(void **state)
{
	struct parsed p;

	parse(&p, "\xef\xbb\xbf" "device = 01:00.0\nboot_vga = allow\n");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.e.n, 0);
	assert_int_equal(p.c.nsel, 1);
	assert_int_equal(p.c.sel[0].addr, 0x0100);
	assert_string_equal(p.c.sel[0].origin, "t.conf:1");
	assert_int_equal(p.c.boot_vga, BOOT_VGA_ALLOW);
	done(&p);
	parse(&p, "\xef\xbb\xbf# only a comment\n");
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.c.nsel, 0);
	done(&p);
	parse(&p, "device = 01:00.0\n\xef\xbb\xbf" "boot_vga = allow\n");
	assert_int_equal(p.ret, -22);
	assert_int_equal(p.e.n, 1);
	assert_non_null(strstr(p.e.msg[0], "t.conf:2: unknown key"));
	done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_first_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_and_long_lines),
		cmocka_unit_test(test_every_bad_line_reported),
		cmocka_unit_test(test_long_file_name),
		cmocka_unit_test(test_utf8_bom),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
