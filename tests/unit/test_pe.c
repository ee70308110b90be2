/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pe.c: the PE section reader on a UKI objcopy made from systemd's stub, and on every truncation and corruption of it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "pe.h"

/* made by unit.mk: objcopy --add-section .osrel .cmdline .uname .linux onto linuxx64.efi.stub */
#ifndef TEST_UKI
#define TEST_UKI "build/tests/unit/test-uki.efi"
#endif
#define CMDLINE "root=UUID=1234-abcd ro quiet \"a b\"\n"

static unsigned char *uki;
static size_t ukilen;

static int load(void **state)
{
	FILE *f = fopen(TEST_UKI, "rb");
	long n;

	(void)state;
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	uki = malloc((size_t)n);
	ukilen = fread(uki, 1, (size_t)n, f);
	fclose(f);
	return ukilen == (size_t)n ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	free(uki);
	return 0;
}

static void test_sections(void **state)
{
	const unsigned char *p;
	size_t n;
	char *text = NULL;

	(void)state;
	assert_int_equal(pe_section_mem(uki, ukilen, ".cmdline", &p, &n), 0);
	assert_int_equal(pe_cmdline_text(p, n, &text), 0);
	assert_string_equal(text, "root=UUID=1234-abcd ro quiet \"a b\"");	/* NUL, newline gone */
	free(text);
	assert_int_equal(pe_section_mem(uki, ukilen, ".osrel", &p, &n), 0);
	assert_int_equal(n, strlen("ID=debian\n"));
	assert_memory_equal(p, "ID=debian\n", n);
	assert_int_equal(pe_section_mem(uki, ukilen, ".uname", &p, &n), 0);
	assert_memory_equal(p, "6.1.0-13-amd64", n);
	assert_int_equal(pe_section_mem(uki, ukilen, ".linux", &p, &n), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(p[0], 0x4d);
	/* the stub's own sections are there; a missing one is -ENOENT, a prefix is not a match */
	assert_int_equal(pe_section_mem(uki, ukilen, ".sdmagic", &p, &n), 0);
	assert_int_equal(pe_section_mem(uki, ukilen, ".initrd", &p, &n), -ENOENT);
	assert_int_equal(pe_section_mem(uki, ukilen, ".cmd", &p, &n), -ENOENT);
	assert_int_equal(pe_section_mem(uki, ukilen, ".cmdline9", &p, &n), -EINVAL);
}

static void test_fd(void **state)
{
	int fd = open(TEST_UKI, O_RDONLY);
	char *s = NULL;
	size_t n = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(pe_section_fd(fd, ".cmdline", 4096, &s, &n), 0);
	assert_int_equal(n, strlen(CMDLINE) + 1);
	assert_string_equal(s, CMDLINE);
	free(s);
	assert_int_equal(pe_section_fd(fd, ".linux", 100, &s, &n), -EFBIG);
	close(fd);
}

/* Every prefix of the file: a section whole in it, or -EBADMSG; never a read past it. */
static void test_truncated(void **state)
{
	const unsigned char *p;
	size_t len, n, cmd_end;
	unsigned char *copy;

	(void)state;
	assert_int_equal(pe_section_mem(uki, ukilen, ".cmdline", &p, &n), 0);
	cmd_end = (size_t)(p - uki) + n;
	for (len = 0; len < ukilen; len += len < 2048 ? 1 : 97) {
		int r;

		copy = malloc(len ? len : 1);	/* exact size: ASan sees a read past it */
		memcpy(copy, uki, len);
		r = pe_section_mem(copy, len, ".cmdline", &p, &n);
		if (len >= cmd_end)
			assert_int_equal(r, 0);
		else
			assert_int_equal(r, -EBADMSG);
		free(copy);
	}
}

/* Hostile headers: a PE offset, a section count, a section pointer and size out of bounds. */
static void test_hostile(void **state)
{
	unsigned char *c = malloc(ukilen);
	const unsigned char *p;
	size_t n, pe, nsec_at, table, i;

	(void)state;
	memcpy(c, uki, ukilen);
	pe = c[0x3c] | c[0x3d] << 8 | (size_t)c[0x3e] << 16 | (size_t)c[0x3f] << 24;
	nsec_at = pe + 6;
	table = pe + 24 + (c[pe + 20] | c[pe + 21] << 8);
	c[0] = 'X';
	assert_int_equal(pe_section_mem(c, ukilen, ".cmdline", &p, &n), -EBADMSG);
	c[0] = 'M';
	memset(c + 0x3c, 0xff, 4);
	assert_int_equal(pe_section_mem(c, ukilen, ".cmdline", &p, &n), -EBADMSG);
	memcpy(c + 0x3c, uki + 0x3c, 4);
	c[pe + 1] = 'X';
	assert_int_equal(pe_section_mem(c, ukilen, ".cmdline", &p, &n), -EBADMSG);
	c[pe + 1] = 'E';
	c[nsec_at] = 0xff, c[nsec_at + 1] = 0xff;
	assert_int_equal(pe_section_mem(c, ukilen, ".cmdline", &p, &n), -EBADMSG);
	memcpy(c + nsec_at, uki + nsec_at, 2);
	/* the .cmdline entry's raw pointer and sizes past the end */
	for (i = 0; memcmp(c + table + i * 40, ".cmdline", 8); i++)
		;
	memset(c + table + i * 40 + 20, 0xff, 4);
	assert_int_equal(pe_section_mem(c, ukilen, ".cmdline", &p, &n), -EBADMSG);
	memcpy(c + table + i * 40 + 20, uki + table + i * 40 + 20, 4);
	memset(c + table + i * 40 + 8, 0xff, 4);
	memset(c + table + i * 40 + 16, 0xff, 4);
	assert_int_equal(pe_section_mem(c, ukilen, ".cmdline", &p, &n), -EBADMSG);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_fd),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
