/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_selector.c: every selector form, and the ones that must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"

struct good {
	const char *text;
	enum sel_kind kind;
	pci_addr_t addr;
	unsigned vendor, device;
};

static const struct good good_cases[] = {
	{ "0000:01:00.0", SEL_ADDR, 0x0100, 0, 0 },
	{ "01:00.0", SEL_ADDR, 0x0100, 0, 0 },
	{ "0000:0A:1f.7", SEL_ADDR, 0x0aff, 0, 0 },
	{ "0001:00:02.1", SEL_ADDR, 0x10011, 0, 0 },
	{ "10000:e1:00.0", SEL_ADDR, 0x100000000ULL | 0xe100, 0, 0 },
	{ "10de:2204", SEL_ID, ADDR_NONE, 0x10de, 0x2204 },
	{ "10DE:22AF", SEL_ID, ADDR_NONE, 0x10de, 0x22af },
	{ "10de:2204@0000:01:00.0", SEL_ID_AT_ADDR, 0x0100, 0x10de, 0x2204 },
	{ "10de:2204@01:00.1", SEL_ID_AT_ADDR, 0x0101, 0x10de, 0x2204 },
	{ "pci_0000_01_00_0", SEL_ADDR, 0x0100, 0, 0 },
	{ "pci_0000_00_1f_3", SEL_ADDR, 0xfb, 0, 0 },
	{ "10de:2204@pci_0000_01_00_0", SEL_ID_AT_ADDR, 0x0100, 0x10de, 0x2204 },
};

static const char *const bad_cases[] = {
	"", "@", "1:2:3", "01:20.0", "01:00.8", "10de:22044", "0x10de:2204", "pci_0000_01_00",
	"01:00.0x", "01:00.0 ", "0000:01:00", "0000:01:00.0.0", "10de:2204@", "@01:00.0",
	"10de:2204@10de:2204", "g0de:2204", "100:00.0", "123456789:00:00.0", "pci_0000_01_00_0_0",
	"01:00", "01.00.0", "10de", "10de:", ":2204", "0000::00.0",
};

static void test_good(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good *g = &good_cases[i];
		struct selector s;

		assert_int_equal(selector_parse(g->text, &s), 0);
		assert_int_equal(s.kind, g->kind);
		if (g->kind != SEL_ID)
			assert_int_equal(s.addr, g->addr);
		assert_int_equal(s.vendor, g->vendor);
		assert_int_equal(s.device, g->device);
		assert_string_equal(s.text, g->text);
	}
}

static void test_bad(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct selector s;

		if (selector_parse(bad_cases[i], &s) == 0)
			fail_msg("accepted bad selector '%s'", bad_cases[i]);
	}
}

static void test_format_roundtrip(void **state)
{
	char buf[ADDR_LEN];
	pci_addr_t a;

	addr_format(0xfb, buf);
	assert_string_equal(buf, "0000:00:1f.3");
	addr_format(0x100000000ULL | 0xe100, buf);
	assert_string_equal(buf, "10000:e1:00.0");
	assert_int_equal(addr_parse(buf, &a), 0);
	assert_int_equal(a, 0x100000000ULL | 0xe100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format_roundtrip),
	};

	return cmocka_run_group_tests_name("selector", tests, NULL, NULL);
}
