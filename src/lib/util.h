/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h: small helpers shared by every part of passthru (strings, growth, cleanup). */
#ifndef PASSTHRU_UTIL_H
#define PASSTHRU_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)

void freep(void *p);

/* Grow *arr (element size elsize) so that it holds at least n elements. */
int grow(void *arr, size_t *cap, size_t n, size_t elsize);

/* Copy src into dst (size bytes), always NUL-terminated; -ENAMETOOLONG if cut. */
int strscpy(char *dst, const char *src, size_t size);

/* Strip trailing white space in place; return s. */
char *rstrip(char *s);

/* Parse a hexadecimal number of at most maxdigits digits spanning all of s. */
int parse_hex(const char *s, size_t maxdigits, uint32_t *ret);

/* Read all of fd into a malloc'd NUL-terminated buffer (fd stays open). */
int slurp_fd(int fd, char **ret, size_t *ret_len);

/* Bytes of s to print with "%.*s" so that at most max are shown and no character is cut. */
int utf8_clip(const char *s, size_t max);
/* buf (size bytes) was filled by snprintf: if it was cut, drop a character cut in half. */
void utf8_trim_cut(char *buf, size_t size);

/* A growable string buffer. */
struct sbuf {
	char *s;
	size_t len, cap;
	int err;	/* first allocation error, sticky */
};
void sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_free(struct sbuf *b);

#endif
