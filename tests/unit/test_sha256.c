/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sha256.c: SHA-256 against FIPS 180-4's published vectors and padding edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sha256.h"

struct vec {
	const char *msg;
	size_t repeat;		/* msg repeated this many times (1 for a plain message) */
	const char *hex;
};

static const struct vec vecs[] = {
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "test", 1, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* the padding's edges: 55 bytes fit one block, 56 need two, 64 is one full block */
	{ "a", 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ "a", 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ "a", 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void test_vectors(void **state)
{
	size_t i, k, n;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		char hex[SHA256_HEX_LEN], *buf;

		n = strlen(vecs[i].msg);
		buf = malloc(n * vecs[i].repeat + 1);
		assert_non_null(buf);
		for (k = 0; k < vecs[i].repeat; k++)
			memcpy(buf + k * n, vecs[i].msg, n);
		sha256_hex(buf, n * vecs[i].repeat, hex);
		free(buf);
		assert_string_equal(hex, vecs[i].hex);
	}
}

static void test_binary(void **state)
{
	uint8_t d[32];

	/* the raw digest matches its hex form */
	sha256("abc", 3, d);
	assert_int_equal(d[0], 0xba);
	assert_int_equal(d[31], 0xad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
