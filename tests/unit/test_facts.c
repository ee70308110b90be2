/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_facts.c: the card facts' readers: reset_method, resource, the ReBAR walk, /proc/iomem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "facts.h"
#include "root.h"
#include "scratch.h"

/* a scratch root with sys/bus/pci/devices/0000:01:00.0 */
#define DEV "0000:01:00.0"
static struct scratch s;

static int setup(void **state)
{
	scratch_make(&s, "test_facts", DEV, NULL);
	return 0;
}

static int teardown(void **state)
{
	return scratch_remove(&s);
}

static void put(const char *name, const char *text)
{
	scratch_put(&s, DEV, name, text);
}

static void drop(const char *name)
{
	scratch_drop(&s, DEV, name);
}

static void test_reset(void **state)
{
	struct reset_facts f;

	put("reset_method", "flr bus\n");
	facts_reset_read(&s.r, "0000:01:00.0", "6.1.0-18-amd64", &f);
	assert_int_equal(f.state, RESET_METHODS);
	assert_string_equal(f.methods, "flr bus");
	/* empty: the user switched every method off */
	put("reset_method", "\n");
	facts_reset_read(&s.r, "0000:01:00.0", "6.1.0-18-amd64", &f);
	assert_int_equal(f.state, RESET_DISABLED);
	/* absent on 5.15 and later: no method at all; before, or unknown: cannot tell */
	drop("reset_method");
	facts_reset_read(&s.r, "0000:01:00.0", "5.15.0", &f);
	assert_int_equal(f.state, RESET_NONE);
	facts_reset_read(&s.r, "0000:01:00.0", "6.0", &f);
	assert_int_equal(f.state, RESET_NONE);
	facts_reset_read(&s.r, "0000:01:00.0", "5.14.21", &f);
	assert_int_equal(f.state, RESET_UNKNOWN);
	facts_reset_read(&s.r, "0000:01:00.0", "", &f);
	assert_int_equal(f.state, RESET_UNKNOWN);
	/* an older kernel's reset file: resettable, methods not named */
	put("reset", "");
	facts_reset_read(&s.r, "0000:01:00.0", "5.10.0", &f);
	assert_int_equal(f.state, RESET_UNLISTED);
	drop("reset");
}

static void test_kernel_version(void **state)
{
	int a = 0, b = 0;

	assert_int_equal(facts_kernel_version("6.12.9-amd64", &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 12);
	assert_int_equal(facts_kernel_version("6", &a, &b), -EINVAL);
	assert_int_equal(facts_kernel_version("", &a, &b), -EINVAL);
	assert_int_equal(facts_kernel_version(NULL, &a, &b), -EINVAL);
	assert_int_equal(facts_kernel_version("v6.1", &a, &b), -EINVAL);
}

static void test_bars(void **state)
{
	struct bar_facts b[FACTS_NBARS];

	/* a GPU: BAR 0 16 MiB, BAR 1 256 MiB 64-bit prefetchable (BAR 2 its upper half), BAR 5
	 * I/O; then the ROM line, which is not a BAR */
	assert_int_equal(facts_bars_parse(
		"0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n"
		"0x000000e000000000 0x000000e00fffffff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
		"0x00000000fc000000 0x00000000fc07ffff 0x0000000000046200\n", b), 0);
	assert_true(b[0].size == 16u << 20 && !b[0].mem64 && !b[0].prefetch && !b[0].io);
	assert_true(b[1].size == 256u << 20 && b[1].mem64 && b[1].prefetch);
	assert_true(b[1].start == 0xe000000000ull);
	assert_true(b[2].size == 0 && b[3].size == 0 && b[4].size == 0);
	assert_true(b[5].size == 128 && b[5].io);
	/* a 16 GiB BAR */
	assert_int_equal(facts_bars_parse(
		"0x0000004000000000 0x00000043ffffffff 0x000000000014220c\n"
		"0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n", b), 0);
	assert_true(b[0].size == 16ull << 30);
	/* not a resource file: too short, or not hex */
	assert_int_equal(facts_bars_parse("0x0 0x0 0x0\n", b), -EINVAL);
	assert_int_equal(facts_bars_parse("garbage\n", b), -EINVAL);
	assert_int_equal(facts_bars_parse("", b), -EINVAL);
	assert_true(b[0].size == 0);
}

/* a 4096-byte config space with the capabilities at 0x100 and on */
static void put32(uint8_t *cfg, unsigned at, uint32_t v)
{
	cfg[at] = (uint8_t)v;
	cfg[at + 1] = (uint8_t)(v >> 8);
	cfg[at + 2] = (uint8_t)(v >> 16);
	cfg[at + 3] = (uint8_t)(v >> 24);
}

static void test_rebar(void **state)
{
	static uint8_t cfg[4096];
	struct rebar_facts f;

	/* AER at 0x100 -> ReBAR at 0x200 for BAR 1 (256 MiB now; 256 MiB..16 GiB) and BAR 3 */
	memset(cfg, 0, sizeof(cfg));
	put32(cfg, 0x100, 0x0001 | 1u << 16 | 0x200u << 20);
	put32(cfg, 0x200, 0x0015 | 1u << 16 | 0u << 20);
	put32(cfg, 0x204, 0x7fu << (4 + 8));		/* k 8..14 */
	put32(cfg, 0x208, 1 | 2u << 5 | 8u << 8);	/* BAR 1, 2 BARs, 256 MiB */
	put32(cfg, 0x20c, 1u << (4 + 5));		/* 32 MiB only */
	put32(cfg, 0x210, 3 | 5u << 8);			/* BAR 3, 32 MiB */
	facts_rebar_parse(cfg, sizeof(cfg), &f);
	assert_int_equal(f.state, REBAR_PRESENT);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.bar[0].bar, 1);
	assert_true(f.bar[0].sizes == 0x7full << 8);
	assert_int_equal(f.bar[0].current, 8);
	assert_int_equal(f.bar[1].bar, 3);
	assert_int_equal(f.bar[1].current, 5);
	/* the control register's upper half: 256 TiB and up (k 28..) */
	put32(cfg, 0x208, 1 | 2u << 5 | 8u << 8 | 1u << 16);
	facts_rebar_parse(cfg, sizeof(cfg), &f);
	assert_true(f.bar[0].sizes == (0x7full << 8 | 1ull << 28));
	/* the chain ends without one */
	put32(cfg, 0x100, 0x0001 | 1u << 16);
	facts_rebar_parse(cfg, sizeof(cfg), &f);
	assert_int_equal(f.state, REBAR_NONE);
	/* a chain that loops ends */
	put32(cfg, 0x100, 0x0001 | 0x100u << 20);
	facts_rebar_parse(cfg, sizeof(cfg), &f);
	assert_int_equal(f.state, REBAR_NONE);
	/* a short read that ends inside the capability list: cannot tell */
	put32(cfg, 0x100, 0x0001 | 0x200u << 20);
	facts_rebar_parse(cfg, 0x202, &f);
	assert_int_equal(f.state, REBAR_UNKNOWN);
	facts_rebar_parse(cfg, 0x204, &f);
	assert_int_equal(f.state, REBAR_UNKNOWN);
	assert_non_null(strstr(f.why, "inside the Resizable BAR"));
	/* 64 bytes (not root): cannot tell */
	facts_rebar_parse(cfg, 64, &f);
	assert_int_equal(f.state, REBAR_UNKNOWN);
	assert_non_null(strstr(f.why, "root"));
	/* 256 bytes: conventional PCI has none; PCI Express without extended space: unknown */
	memset(cfg, 0, 256);
	facts_rebar_parse(cfg, 256, &f);
	assert_int_equal(f.state, REBAR_NONE);
	cfg[0x06] = 0x10;			/* capability list */
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x01;			/* power management -> 0x60 */
	cfg[0x41] = 0x60;
	cfg[0x60] = 0x10;			/* PCI Express */
	facts_rebar_parse(cfg, 256, &f);
	assert_int_equal(f.state, REBAR_UNKNOWN);
	facts_rebar_parse(cfg, 0, &f);
	assert_int_equal(f.state, REBAR_UNKNOWN);
}

static void test_size_text(void **state)
{
	char b[32];

	facts_size_text(16ull << 30, b, sizeof(b));
	assert_string_equal(b, "16 GiB");
	facts_size_text(256ull << 20, b, sizeof(b));
	assert_string_equal(b, "256 MiB");
	facts_size_text(4096, b, sizeof(b));
	assert_string_equal(b, "4 KiB");
	facts_size_text(100, b, sizeof(b));
	assert_string_equal(b, "100 bytes");
}

static const char iomem_bootfb[] =
	"00000000-00000fff : Reserved\n"
	"c0000000-febfffff : PCI Bus 0000:00\n"
	"  c0000000-cfffffff : PCI Bus 0000:01\n"
	"    c0000000-cfffffff : 0000:01:00.0\n"
	"      c0000000-c07e8fff : BOOTFB\n"
	"        c0000000-c07e8fff : simpledrm\n"
	"    d0000000-d0ffffff : 0000:01:00.0\n"
	"fec00000-fec003ff : IOAPIC 0\n";

static void test_iomem(void **state)
{
	struct bar_facts b[FACTS_NBARS] = { { 0 } };
	struct fb_facts f;

	b[0].start = 0xd0000000;
	b[0].size = 16 << 20;
	b[1].start = 0xc0000000;
	b[1].size = 256 << 20;
	b[1].prefetch = true;
	facts_iomem_find(iomem_bootfb, b, &f);
	assert_true(f.found && !f.unreadable);
	assert_int_equal(f.bar, 1);
	assert_string_equal(f.name, "BOOTFB");
	assert_string_equal(f.owner, "simpledrm");
	assert_true(f.start == 0xc0000000 && f.end == 0xc07e8fff);
	/* not in this card's BARs */
	b[1].start = 0xe0000000;
	facts_iomem_find(iomem_bootfb, b, &f);
	assert_false(f.found);
	assert_false(f.unreadable);
	/* efifb alone (Debian's 6.1: no BOOTFB), nothing nested: it holds itself */
	facts_iomem_find("  c0000000-c0ffffff : 0000:00:02.0\n    c0000000-c03e7fff : efifb\n"
			 "  c1000000-c1000fff : 0000:01:00.0\n",
			 (struct bar_facts[FACTS_NBARS]){ { .start = 0xc0000000, .size = 16 << 20 } },
			 &f);
	assert_true(f.found);
	assert_string_equal(f.owner, "efifb");
	/* an I/O BAR never holds one */
	facts_iomem_find("c0000000-c03e7fff : vesafb\n",
			 (struct bar_facts[FACTS_NBARS]){ { .start = 0xc0000000, .size = 256,
							    .io = true } }, &f);
	assert_false(f.found);
	/* without root every address is zero: cannot tell */
	b[1].start = 0xc0000000;
	facts_iomem_find("00000000-00000000 : Reserved\n  00000000-00000000 : BOOTFB\n", b, &f);
	assert_true(f.unreadable);
	assert_false(f.found);
	assert_non_null(strstr(f.why, "root"));
	/* lines that are not iomem lines are skipped */
	facts_iomem_find("garbage\n\n-\nc0000000 : x\nc0000000-c0000fff : efifb", b, &f);
	assert_true(f.found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test(test_kernel_version),
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_rebar),
		cmocka_unit_test(test_size_text),
		cmocka_unit_test(test_iomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
