/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_variant.c: the vfio variant driver choice: modules.alias's vfio_pci: lines, libvirt's rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "util.h"
#include "variant.h"
#include "scratch.h"

/* QEMU's stdvga and its HDA companion, as the kernel writes their modalias */
#define GPU "pci:v00001234d00001111sv00001AF4sd00001100bc03sc00i00"
#define HDA "pci:v00008086d0000293Esv00001AF4sd00001100bc04sc03i00"
#define GENERIC "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
#define HOSTDRV "alias pci:v00001234d00001111sv*sd*bc03sc*i* bochs\n"

static void pick(const char *alias, const char *dep, const char *modalias,
		 struct variant_choice *c)
{
	struct variant_db db;

	assert_int_equal(variant_db_parse(&db, alias, strlen(alias), dep, dep ? strlen(dep) : 0,
					  NULL, 0), 0);
	variant_pick(&db, modalias, c);
	variant_db_free(&db);
}

static void test_one_match(void **state)
{
	struct variant_choice c;
	const char *alias = HOSTDRV GENERIC
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* passthru_test_vfio_pci\n";

	pick(alias, "extra/passthru_test_vfio_pci.ko: kernel/vfio-pci-core.ko\n", GPU, &c);
	assert_string_equal(c.module, "passthru_test_vfio_pci");
	assert_int_equal(c.wildcards, 5);
	assert_string_equal(c.missing, "");
	assert_string_equal(c.tie, "");
	/* the generic alias (vfio_pci itself) and a host driver's alias are never variants */
	pick(HOSTDRV GENERIC, "", GPU, &c);
	assert_string_equal(c.module, "");
	assert_int_equal(c.wildcards, -1);
}

static void test_fewest_wildcards(void **state)
{
	struct variant_choice c;
	/* the narrow one stands between two wider ones: order does not decide, '*' count does */
	const char *alias = GENERIC
		"alias vfio_pci:v00001234d*sv*sd*bc03sc*i* wide_vfio_pci\n"
		"alias vfio_pci:v00001234d00001111sv*sd*bc03sc00i* narrow_vfio_pci\n"
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* middle_vfio_pci\n";

	pick(alias, NULL, GPU, &c);
	assert_string_equal(c.module, "narrow_vfio_pci");
	assert_int_equal(c.wildcards, 3);
	assert_string_equal(c.tie, "");
}

static void test_tie_takes_first(void **state)
{
	struct variant_choice c;
	const char *alias =
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* first_vfio_pci\n"
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* second_vfio_pci\n"
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* first_vfio_pci\n";

	pick(alias, NULL, GPU, &c);
	assert_string_equal(c.module, "first_vfio_pci");
	assert_string_equal(c.tie, "second_vfio_pci");
}

static void test_one_function_only(void **state)
{
	struct variant_choice c;
	const char *alias = GENERIC
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* passthru_test_vfio_pci\n";

	pick(alias, NULL, GPU, &c);
	assert_string_equal(c.module, "passthru_test_vfio_pci");
	pick(alias, NULL, HDA, &c);
	assert_string_equal(c.module, "");
}

static void test_missing_module(void **state)
{
	struct variant_choice c;
	const char *alias =
		"alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* passthru_test_vfio_pci\n";

	/* named by the alias, absent from modules.dep: vfio-pci, and the name is kept */
	pick(alias, "kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/pci/"
	     "vfio-pci-core.ko\n", GPU, &c);
	assert_string_equal(c.module, "");
	assert_string_equal(c.missing, "passthru_test_vfio_pci");
	/* a compressed module with dashes in its file name is the same module */
	pick(alias, "updates/passthru-test-vfio-pci.ko.zst:\n", GPU, &c);
	assert_string_equal(c.module, "passthru_test_vfio_pci");
}

static void test_glob_as_kmod(void **state)
{
	struct variant_choice c;

	/* fnmatch: '?' one character, '[...]' a set; a literal pattern matches only itself */
	pick("alias vfio_pci:v00001234d0000111[0-3]sv*sd*bc0?sc*i* set_vfio_pci\n", NULL, GPU,
	     &c);
	assert_string_equal(c.module, "set_vfio_pci");
	assert_int_equal(c.wildcards, 4);
	pick("alias vfio_pci:v00001234d0000111[2-3]sv*sd*bc*sc*i* set_vfio_pci\n", NULL, GPU,
	     &c);
	assert_string_equal(c.module, "");
	pick("alias vfio_pci:v00001234d00001111sv00001AF4sd00001100bc03sc00i00 exact_vfio_pci\n"
	     "alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* x_vfio_pci\n", NULL, GPU, &c);
	assert_string_equal(c.module, "exact_vfio_pci");
	assert_int_equal(c.wildcards, 0);
	/* hex case as the kernel writes it: upper */
	pick("alias vfio_pci:v00008086d0000293esv*sd*bc*sc*i* lower_vfio_pci\n", NULL, HDA, &c);
	assert_string_equal(c.module, "");
	/* junk lines and a missing module name are no aliases */
	pick("alias vfio_pci:v*\nalias\nalias vfio_pci:\n# x\n", NULL, GPU, &c);
	assert_string_equal(c.module, "");
	pick(GENERIC, NULL, "not-a-modalias", &c);
	assert_int_equal(c.wildcards, -1);
}

static void test_modalias_and_apply(void **state)
{
	char buf[256];
	const char *alias = "alias vfio_pci:v00001234d00001111sv*sd*bc*sc*i* t_vfio_pci\n";
	struct variant_db db;
	struct scratch s;
	struct config c;
	struct plan_entry e[2] = { { .addr = 5 << 3, .bind = true, .driver = "vfio-pci" },
				   { .addr = 6 << 3, .bind = true, .driver = "vfio-pci" } };
	struct plan p = { e, 2, 2 };

	scratch_make(&s, "test_variant", "0000:00:05.0", "0000:00:06.0", NULL);
	/* no modalias file: made from the ID files as the kernel makes it */
	scratch_put(&s, "0000:00:05.0", "vendor", "0x1234\n");
	scratch_put(&s, "0000:00:05.0", "device", "0x1111\n");
	scratch_put(&s, "0000:00:05.0", "subsystem_vendor", "0x1af4\n");
	scratch_put(&s, "0000:00:05.0", "subsystem_device", "0x1100\n");
	scratch_put(&s, "0000:00:05.0", "class", "0x030000\n");
	assert_int_equal(variant_modalias(&s.r, "0000:00:05.0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, GPU);
	scratch_put(&s, "0000:00:06.0", "modalias", HDA "\n");
	assert_int_equal(variant_db_parse(&db, alias, strlen(alias), NULL, 0, NULL, 0), 0);
	config_init(&c);
	c.variant = VARIANT_OFF;
	assert_int_equal(variant_apply(&p, &c, &db, &s.r), 0);
	assert_string_equal(e[0].driver, "vfio-pci");
	assert_string_equal(e[0].variant, "");
	c.variant = VARIANT_AUTO;
	assert_int_equal(variant_apply(&p, &c, &db, &s.r), 0);
	assert_string_equal(e[0].driver, "t_vfio_pci");
	assert_string_equal(e[0].variant, "t_vfio_pci");
	assert_string_equal(e[1].driver, "vfio-pci");
	assert_string_equal(e[1].variant, "");
	variant_db_free(&db);
	assert_int_equal(scratch_remove(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_match),
		cmocka_unit_test(test_fewest_wildcards),
		cmocka_unit_test(test_tie_takes_first),
		cmocka_unit_test(test_one_function_only),
		cmocka_unit_test(test_missing_module),
		cmocka_unit_test(test_glob_as_kmod),
		cmocka_unit_test(test_modalias_and_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
