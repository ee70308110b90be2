/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_report.c: libFuzzer target: any config bytes and messages in, strict UTF-8 JSON out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "iommu.h"
#include "plan.h"
#include "report.h"
#include "sha256.h"
#include "util.h"

/* --- a strict checker: RFC 8259 grammar, RFC 3629 UTF-8, no lone surrogates --- */

struct in {
	const unsigned char *p, *end;
	int depth;
};

/* Length of the valid UTF-8 character at p, or 0: written apart from report.c's on purpose. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	uint32_t cp;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void ws(struct in *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\n' || *x->p == '\t' || *x->p == '\r'))
		x->p++;
}

static int hex4(struct in *x, unsigned *ret)
{
	unsigned v = 0;
	int i;

	if (x->end - x->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char c = *x->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*ret = v;
	return 0;
}

static int string(struct in *x)
{
	x->p++;	/* '"' */
	while (x->p < x->end) {
		unsigned char c = *x->p;
		unsigned u, lo;
		size_t n;

		if (c == '"') {
			x->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			n = utf8_len(x->p, x->end);
			if (!n)
				return -1;
			x->p += n;
			continue;
		}
		if (++x->p >= x->end)
			return -1;
		c = *x->p++;
		if (strchr("\"\\/bfnrt", c) && c)
			continue;
		if (c != 'u' || hex4(x, &u) < 0)
			return -1;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (x->end - x->p < 6 || x->p[0] != '\\' || x->p[1] != 'u')
				return -1;
			x->p += 2;
			if (hex4(x, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				return -1;
		}
	}
	return -1;
}

static int number(struct in *x)
{
	const unsigned char *s = x->p;

	if (x->p < x->end && *x->p == '-')
		x->p++;
	if (x->p >= x->end)
		return -1;
	if (*x->p == '0')
		x->p++;
	else if (*x->p >= '1' && *x->p <= '9')
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	else
		return -1;
	if (x->p < x->end && *x->p == '.') {
		x->p++;
		if (x->p >= x->end || *x->p < '0' || *x->p > '9')
			return -1;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	}
	if (x->p < x->end && (*x->p == 'e' || *x->p == 'E')) {
		x->p++;
		if (x->p < x->end && (*x->p == '+' || *x->p == '-'))
			x->p++;
		if (x->p >= x->end || *x->p < '0' || *x->p > '9')
			return -1;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	}
	return x->p > s ? 0 : -1;
}

static int value(struct in *x);

/* '{' members '}' or '[' elements ']' */
static int compound(struct in *x, char close)
{
	if (++x->depth > 32)
		return -1;
	x->p++;
	ws(x);
	if (x->p < x->end && *x->p == close) {
		x->p++;
		x->depth--;
		return 0;
	}
	for (;;) {
		ws(x);
		if (close == '}') {
			if (x->p >= x->end || *x->p != '"' || string(x) < 0)
				return -1;
			ws(x);
			if (x->p >= x->end || *x->p++ != ':')
				return -1;
		}
		if (value(x) < 0)
			return -1;
		ws(x);
		if (x->p >= x->end)
			return -1;
		if (*x->p == ',') {
			x->p++;
			continue;
		}
		if (*x->p++ != close)
			return -1;
		x->depth--;
		return 0;
	}
}

static int literal(struct in *x, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(x->end - x->p) < n || memcmp(x->p, w, n))
		return -1;
	x->p += n;
	return 0;
}

static int value(struct in *x)
{
	ws(x);
	if (x->p >= x->end)
		return -1;
	switch (*x->p) {
	case '{': return compound(x, '}');
	case '[': return compound(x, ']');
	case '"': return string(x);
	case 't': return literal(x, "true");
	case 'f': return literal(x, "false");
	case 'n': return literal(x, "null");
	default: return number(x);
	}
}

static int json_valid(const char *s, size_t len)
{
	struct in x = { (const unsigned char *)s, (const unsigned char *)s + len, 0 };

	if (value(&x) < 0)
		return 0;
	ws(&x);
	return x.p == x.end;
}

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n;

	for (; p < end; p += n)
		if (!(n = utf8_len(p, end)))
			return 0;
	return 1;
}

/* The checker itself must reject what is wrong, or the target proves nothing. */
static void self_test(void)
{
	static const char *const bad[] = {
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "[\"\\ud800\"]",
		"[\"\x01\"]", "[\"a]", "{\"a\" 1}", "[1,]", "[01]", "{\"a\":1}x", "[\"\\x\"]",
		"[\"\xc0\xaf\"]", "[\"\xf4\x90\x80\x80\"]", "[tru]", "",
	};
	static const char *const good[] = {
		"{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\ud83d\\ude00\xe2\x82\xac\"]}", "[]",
		"{}", "\"\"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_valid(bad[i], strlen(bad[i])))
			abort();
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!json_valid(good[i], strlen(good[i])))
			abort();
}

/* --- the target --- */

/* plan.c comes for role_name()/state_name(); the report never plans, so never calls this */
struct pdev *model_find(const struct model *m, pci_addr_t addr)
{
	(void)m;
	(void)addr;
	abort();
}

/* Next NUL-separated field of the input (the last runs to the end), or "". */
static const char *field(char **p, char *end)
{
	char *s = *p;

	if (s >= end)
		return "";
	*p = s + strlen(s) + 1;
	return s;
}

/* Fill a fixed buffer as the claimer does (snprintf, then keep whole characters). */
static void fill(char *dst, size_t size, const char *fmt, const char *s)
{
	snprintf(dst, size, fmt, s);
	utf8_trim_cut(dst, size);
	if (utf8_valid(s) && !utf8_valid(dst))
		abort();	/* a cut split a character */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tested;
	struct iommu_verdict v = { 0 };
	struct plan_entry e[4] = { 0 };
	struct plan p = { .e = e, .n = 4, .cap = 4 };
	struct errlist errs = { 0 };
	struct report rep = { .iommu = &v, .plan = &p, .errors = &errs };
	struct config c;
	struct sbuf out = { 0 };
	size_t clen, i;
	char *buf, *q, *end, hex[SHA256_HEX_LEN];
	const char *file;

	if (!tested++)
		self_test();
	if (size < 2)
		return 0;
	/* the first two bytes: how much of the rest is the config; then NUL-separated messages */
	clen = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = '\0';
	q = buf + clen;
	end = buf + size - 2;
	file = clen < size - 2 ? field(&q, end) : "f.conf";	/* the name errors start with */
	config_init(&c);
	if (config_parse(&c, buf, clen, *file ? file : "f.conf", &errs) == -12)
		goto out;
	sha256_hex(buf, clen, hex);
	rep.config_sha256 = hex;
	v.active = data[0] & 1;
	fill(v.vendor, sizeof(v.vendor), "%s", field(&q, end));
	fill(v.default_domain, sizeof(v.default_domain), "%s", field(&q, end));
	fill(v.reason, sizeof(v.reason), "IOMMU not active: %s", field(&q, end));
	fill(v.warning, sizeof(v.warning), "%s", field(&q, end));
	for (i = 0; i < 4; i++) {
		e[i].addr = i == 3 ? ADDR_NONE : (pci_addr_t)data[1] << 8 | i;
		e[i].vendor = (uint16_t)(data[0] * 257);
		e[i].group = i == 2 ? GROUP_NONE : (int)i;
		e[i].role = (enum role)((data[1] + i) % 4);
		e[i].state = (enum state)((data[0] + i) % 6);
		fill(e[i].driver, sizeof(e[i].driver), "%s", field(&q, end));
		fill(e[i].reason, sizeof(e[i].reason), "cannot unbind: %s", field(&q, end));
	}
	while (q < end)
		errlist_add(&errs, "%s", field(&q, end));
	if (data[1] & 1) {
		rep.gave_up = field(&q, end);
		rep.timeout_s = data[0];
		rep.finished_late = data[1] & 2;
	}
	rep.dry_run = data[1] & 4;
	report_json(&out, &rep);
	if (out.err)
		goto out;
	if (!utf8_valid(out.s) || !json_valid(out.s, out.len)) {
		fprintf(stderr, "invalid JSON:\n%s\n", out.s);
		abort();
	}
out:
	sbuf_free(&out);
	config_free(&c);
	errlist_free(&errs);
	free(buf);
	return 0;
}
