/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_utf8.c: JSON strings are valid UTF-8 whatever the bytes; cut text keeps whole characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "report.h"
#include "util.h"

static void expect_json(const char *in, const char *want)
{
	struct sbuf b = { 0 };

	json_str(&b, in);
	assert_int_equal(b.err, 0);
	assert_string_equal(b.s, want);
	sbuf_free(&b);
}

static void test_json_str(void **state)
{
	expect_json(NULL, "null");
	expect_json("", "null");
	expect_json("plain", "\"plain\"");
	expect_json("q\"b\\", "\"q\\\"b\\\\\"");
	expect_json("a\nb\tc\001\037\177", "\"a\\nb\\tc\\u0001\\u001f\\u007f\"");
	/* valid UTF-8 of every length stays as it is */
	expect_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac "
		    "\xf0\x9f\x98\x80\"");
	/* every byte that is not part of a valid character is U+FFFD */
	expect_json("\xff", "\"\\ufffd\"");
	expect_json("a\xc3", "\"a\\ufffd\"");			/* cut at the end */
	expect_json("\xe2\x82x", "\"\\ufffd\\ufffdx\"");	/* cut in the middle */
	expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	expect_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong */
	expect_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* a surrogate */
	expect_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	expect_json("\x80z", "\"\\ufffdz\"");			/* a lone continuation */
	expect_json("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF itself */
}

static void test_long_json_str(void **state)
{
	char in[2000], want[4000];
	struct sbuf b = { 0 };
	size_t i;

	/* longer than json_str's chunk, with escapes across its edges */
	for (i = 0; i < 600; i++)
		memcpy(in + 3 * i, i % 2 ? "\xe2\x82\xac" : "\"\xff\n", 3);
	in[1800] = '\0';
	strcpy(want, "\"");
	for (i = 0; i < 600; i++)
		strcat(want, i % 2 ? "\xe2\x82\xac" : "\\\"\\ufffd\\n");
	strcat(want, "\"");
	json_str(&b, in);
	assert_string_equal(b.s, want);
	sbuf_free(&b);
}

static void test_clip(void **state)
{
	const char *euro = "x\xe2\x82\xac\xe2\x82\xac";	/* 7 bytes */

	assert_int_equal(utf8_clip(euro, 60), 7);
	assert_int_equal(utf8_clip(euro, 7), 7);
	assert_int_equal(utf8_clip(euro, 6), 4);
	assert_int_equal(utf8_clip(euro, 5), 4);
	assert_int_equal(utf8_clip(euro, 4), 4);
	assert_int_equal(utf8_clip(euro, 3), 1);
	assert_int_equal(utf8_clip(euro, 1), 1);
	assert_int_equal(utf8_clip(euro, 0), 0);
	/* not UTF-8 at the cut: nothing to keep whole */
	assert_int_equal(utf8_clip("ab\x80\x80\x80\x80", 4), 4);
}

static void test_trim_cut(void **state)
{
	char buf[6];

	snprintf(buf, sizeof(buf), "abc%s", "\xe2\x82\xac");	/* "abc" and 2 of 3 bytes */
	utf8_trim_cut(buf, sizeof(buf));
	assert_string_equal(buf, "abc");
	snprintf(buf, sizeof(buf), "ab%s", "\xe2\x82\xac");	/* fits exactly */
	utf8_trim_cut(buf, sizeof(buf));
	assert_string_equal(buf, "ab\xe2\x82\xac");
	snprintf(buf, sizeof(buf), "abcd%s", "\xc3\xa9");
	utf8_trim_cut(buf, sizeof(buf));
	assert_string_equal(buf, "abcd");
	snprintf(buf, sizeof(buf), "%s", "ab");			/* not full */
	utf8_trim_cut(buf, sizeof(buf));
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_long_json_str),
		cmocka_unit_test(test_clip),
		cmocka_unit_test(test_trim_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
