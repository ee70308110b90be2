/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cmdline.c: the rd.passthru* kernel arguments, quoting, and cmdline_get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "cmdline.h"

static int run(const char *text, struct cmdline *cl, struct config *c, struct errlist *e)
{
	config_init(c);
	memset(e, 0, sizeof(*e));
	return cmdline_parse(text, cl, c, e);
}

static void test_disabled(void **state)
{
	static const struct { const char *text; bool disabled; } cases[] = {
		{ "quiet rd.passthru=0 splash", true }, { "rd.passthru=no", true },
		{ "rd.passthru=off", true }, { "rd.passthru=false", true },
		{ "rd.passthru=1", false }, { "rd.passthru", false }, { "rd.passthru=0 rd.passthru=1", false },
		{ "passthru=0", false }, { "xrd.passthru=0", false }, { "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmdline cl;
		struct config c;
		struct errlist e;

		assert_int_equal(run(cases[i].text, &cl, &c, &e), 0);
		if (cl.disabled != cases[i].disabled)
			fail_msg("'%s': disabled=%d", cases[i].text, cl.disabled);
		config_free(&c);
		errlist_free(&e);
	}
}

static void test_dry_run_and_devices(void **state)
{
	struct cmdline cl;
	struct config c;
	struct errlist e;

	assert_int_equal(run("BOOT_IMAGE=/vmlinuz rd.passthru.dry_run=1 "
			     "rd.passthru.device=01:00.0,10de:2204 \"rd.passthru.device=02:00.0\" ro",
			     &cl, &c, &e), 0);
	assert_true(cl.dry_run);
	assert_false(cl.disabled);
	assert_int_equal(c.nsel, 3);
	assert_int_equal(c.sel[0].addr, 0x100);
	assert_int_equal(c.sel[1].kind, SEL_ID);
	assert_int_equal(c.sel[2].addr, 0x200);
	assert_string_equal(c.sel[2].origin, "kernel command line");
	config_free(&c);
	errlist_free(&e);

	assert_int_equal(run("rd.passthru.dry_run=0", &cl, &c, &e), 0);
	assert_false(cl.dry_run);
	config_free(&c);
	errlist_free(&e);
}

static void test_bad_device(void **state)
{
	struct cmdline cl;
	struct config c;
	struct errlist e;

	assert_int_equal(run("rd.passthru.device=01:00.0,zz:00.0", &cl, &c, &e), -22);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "kernel command line: bad selector 'zz:00.0' in "
			    "rd.passthru.device=");
	config_free(&c);
	errlist_free(&e);
	assert_int_equal(run("rd.passthru.device=01:00.0,,02:00.0", &cl, &c, &e), -22);
	assert_string_equal(e.msg[0], "kernel command line: empty selector in "
			    "rd.passthru.device=01:00.0,,02:00.0");
	config_free(&c);
	errlist_free(&e);
	assert_int_equal(run("rd.passthru.device=,", &cl, &c, &e), -22);
	config_free(&c);
	errlist_free(&e);
	assert_int_equal(run("rd.passthru.device=", &cl, &c, &e), -22);
	assert_string_equal(e.msg[0], "kernel command line: rd.passthru.device= has no value");
	config_free(&c);
	errlist_free(&e);
}

static void test_trial(void **state)
{
	static const struct { const char *text; bool trial; } cases[] = {
		{ "quiet rd.passthru.trial=1 splash", true }, { "rd.passthru.trial", true },
		{ "rd.passthru.trial=0", false }, { "rd.passthru.trial=1 rd.passthru.trial=no", false },
		{ "passthru.trial=1", false }, { "rd.passthru.trials=1", false }, { "", false },
		{ "a=\"rd.passthru.trial=1\"", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmdline cl;
		struct config c;
		struct errlist e;

		assert_int_equal(run(cases[i].text, &cl, &c, &e), 0);
		if (cl.trial != cases[i].trial)
			fail_msg("'%s': trial=%d", cases[i].text, cl.trial);
		assert_false(cl.disabled);
		config_free(&c);
		errlist_free(&e);
	}
}

static void test_get_last_value(void **state)
{
	char buf[32];

	assert_true(cmdline_get("intel_iommu=off a=\"b c\" intel_iommu=on", "intel_iommu", buf,
				sizeof(buf)));
	assert_string_equal(buf, "on");
	assert_true(cmdline_get("a=\"b c\" d", "a", buf, sizeof(buf)));
	assert_string_equal(buf, "b c");
	assert_true(cmdline_get("quiet", "quiet", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(cmdline_get("iommu=pt", "intel_iommu", buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_dry_run_and_devices),
		cmocka_unit_test(test_bad_device),
		cmocka_unit_test(test_trial),
		cmocka_unit_test(test_get_last_value),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
