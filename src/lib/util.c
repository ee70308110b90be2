/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c: small helpers shared by every part of passthru (strings, growth, cleanup). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"

void freep(void *p)
{
	free(*(void **)p);
}

int grow(void *arr, size_t *cap, size_t n, size_t elsize)
{
	void **a = arr;
	size_t c = *cap;
	void *p;

	if (n <= c)
		return 0;
	c = c ? c : 8;
	while (c < n)
		c *= 2;
	p = realloc(*a, c * elsize);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * elsize, 0, (c - *cap) * elsize);
	*a = p;
	*cap = c;
	return 0;
}

int strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (!size)
		return -ENAMETOOLONG;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

char *rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int parse_hex(const char *s, size_t maxdigits, uint32_t *ret)
{
	uint32_t v = 0;
	size_t i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (i = 0; s[i]; i++) {
		int c = s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		if (i >= maxdigits)
			return -ERANGE;
		v = v << 4 | (uint32_t)d;
	}
	if (!i)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->err)
		return;
	va_copy(aq, ap);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		if (grow(&b->s, &b->cap, b->len + (size_t)n + 1, 1) < 0) {
			b->err = -ENOMEM;
			return;
		}
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addf(b, "%s", s);
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

int slurp_fd(int fd, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (grow(&buf, &cap, len + 4097, 1) < 0) {
			free(buf);
			return -ENOMEM;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

/* Where a character that starts before n and runs past it starts, or n. */
static size_t char_start_before(const char *s, size_t n)
{
	size_t j = n;
	unsigned char c;

	while (j > 0 && n - j < 3 && ((unsigned char)s[j - 1] & 0xc0) == 0x80)
		j--;
	if (j == 0)
		return n;
	c = (unsigned char)s[j - 1];
	if (c >= 0xc0 && j - 1 + (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) > n)
		return j - 1;
	return n;
}

int utf8_clip(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return (int)(s[n] ? char_start_before(s, n) : n);
}

void utf8_trim_cut(char *buf, size_t size)
{
	size_t n = strlen(buf);

	if (size && n + 1 >= size)	/* full: snprintf may have cut it */
		buf[char_start_before(buf, n)] = '\0';
}
