/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c: parse /etc/passthru.conf and its selectors; every error names file and line. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "config.h"
#include "root.h"
#include "sha256.h"
#include "util.h"

#define MAX_LINE 1024

static int parse_field(const char *s, size_t len, size_t maxdigits, uint32_t *ret)
{
	char buf[16];

	if (len == 0 || len > maxdigits || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		return -EINVAL;
	return parse_hex(buf, maxdigits, ret);
}

/* "DDDD:BB:DD.F" or "BB:DD.F"; the domain may have up to 8 hex digits. */
int addr_parse(const char *s, pci_addr_t *ret)
{
	const char *c1 = strchr(s, ':'), *c2, *dot;
	uint32_t dom = 0, bus, dev, fn;

	if (!c1)
		return -EINVAL;
	c2 = strchr(c1 + 1, ':');
	if (c2) {
		if (strchr(c2 + 1, ':') || parse_field(s, (size_t)(c1 - s), 8, &dom) < 0)
			return -EINVAL;
		s = c1 + 1;
		c1 = c2;
	}
	dot = strchr(c1 + 1, '.');
	if (!dot || strchr(dot + 1, '.'))
		return -EINVAL;
	if (parse_field(s, (size_t)(c1 - s), 2, &bus) < 0 ||
	    parse_field(c1 + 1, (size_t)(dot - c1 - 1), 2, &dev) < 0 ||
	    parse_field(dot + 1, strlen(dot + 1), 1, &fn) < 0 || dev > 0x1f || fn > 7)
		return -EINVAL;
	*ret = (pci_addr_t)dom << 16 | bus << 8 | dev << 3 | fn;
	return 0;
}

void addr_format(pci_addr_t a, char buf[static ADDR_LEN])
{
	snprintf(buf, ADDR_LEN, "%04x:%02x:%02x.%x", (unsigned)(a >> 16), (unsigned)(a >> 8) & 0xff,
		 (unsigned)(a >> 3) & 0x1f, (unsigned)a & 7);
}

static int id_parse(const char *s, uint16_t *vendor, uint16_t *device)
{
	const char *c = strchr(s, ':');
	uint32_t v, d;

	if (!c || c - s != 4 || strlen(c + 1) != 4 || parse_field(s, 4, 4, &v) < 0 ||
	    parse_field(c + 1, 4, 4, &d) < 0)
		return -EINVAL;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return 0;
}

/* libvirt's node-device name: pci_DDDD_BB_DD_F. */
static int nodedev_parse(const char *s, pci_addr_t *ret)
{
	char buf[32];
	size_t i;

	if (strncmp(s, "pci_", 4) || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s + 4);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = ':';
	/* DDDD:BB:DD:F -> DDDD:BB:DD.F */
	{
		char *last = strrchr(buf, ':');
		int colons = 0;

		for (i = 0; buf[i]; i++)
			colons += buf[i] == ':';
		if (!last || colons != 3)
			return -EINVAL;
		*last = '.';
	}
	return addr_parse(buf, ret);
}

int selector_parse(const char *s, struct selector *ret)
{
	struct selector sel = { .addr = ADDR_NONE };
	const char *at = strchr(s, '@');

	if (strscpy(sel.text, s, sizeof(sel.text)) < 0)
		return -EINVAL;
	if (at) {
		char id[16];

		if ((size_t)(at - s) >= sizeof(id))
			return -EINVAL;
		memcpy(id, s, (size_t)(at - s));
		id[at - s] = '\0';
		if (id_parse(id, &sel.vendor, &sel.device) < 0 ||
		    (addr_parse(at + 1, &sel.addr) < 0 && nodedev_parse(at + 1, &sel.addr) < 0))
			return -EINVAL;
		sel.kind = SEL_ID_AT_ADDR;
	} else if (nodedev_parse(s, &sel.addr) == 0 || addr_parse(s, &sel.addr) == 0) {
		sel.kind = SEL_ADDR;
	} else if (id_parse(s, &sel.vendor, &sel.device) == 0) {
		sel.kind = SEL_ID;
	} else {
		return -EINVAL;
	}
	*ret = sel;
	return 0;
}

void errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (grow(&e->msg, &e->cap, e->n + 1, sizeof(*e->msg)) < 0)
		return;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	if (m)
		e->msg[e->n++] = m;
}

void errlist_free(struct errlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = e->cap = 0;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->driver, "vfio-pci");
}

void config_free(struct config *c)
{
	free(c->sel);
	c->sel = NULL;
	c->nsel = c->capsel = 0;
}

int config_add_selector(struct config *c, const struct selector *s)
{
	if (grow(&c->sel, &c->capsel, c->nsel + 1, sizeof(*c->sel)) < 0)
		return -ENOMEM;
	c->sel[c->nsel++] = *s;
	return 0;
}

struct keydef {
	const char *key;
	const char *values[3];	/* allowed values, in enum order */
};

static const struct keydef keys[] = {
	{ "device", { NULL } },
	{ "companions", { "slot", "none" } },
	{ "boot_vga", { "refuse", "allow" } },
	{ "unsafe_group", { "refuse", "force" } },
	{ "driver", { "vfio-pci", "pci-stub" } },
	{ "no_iommu", { "skip", "stub" } },
	{ "variant", { "auto", "off" } },
};

static void set_key(struct config *c, size_t k, int v)
{
	switch (k) {
	case 1: c->companions = v; break;
	case 2: c->boot_vga = v; break;
	case 3: c->unsafe_group = v; break;
	case 4: strcpy(c->driver, keys[4].values[v]); break;
	case 5: c->no_iommu = v; break;
	case 6: c->variant = v; break;
	}
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return rstrip(s);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

/* "FILE:LINE" for an origin field, keeping the line number when the path is long. */
static void set_origin(char *dst, size_t size, const char *where)
{
	size_t n = strlen(where);

	if (n < size)
		memcpy(dst, where, n + 1);
	else {
		/* keep the tail, starting on a character's first byte */
		where += n - (size - 4);
		while ((*where & 0xc0) == 0x80)
			where++;
		snprintf(dst, size, "...%s", where);
	}
}

/* One line; returns 0, -EINVAL with an error added, or -ENOMEM. */
static int parse_line(struct config *c, char *line, const char *where, int seen[],
		      int lineno, struct errlist *errs)
{
	char *hash = strchr(line, '#'), *eq, *key, *val;
	size_t k;

	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	if (!printable(line)) {
		errlist_add(errs, "%s: control character in line", where);
		return -EINVAL;
	}
	eq = strchr(line, '=');
	if (!eq) {
		errlist_add(errs, "%s: expected 'key = value', got '%.*s'", where,
			    utf8_clip(line, 60), line);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	for (k = 0; k < ARRAY_SIZE(keys); k++)
		if (!strcmp(key, keys[k].key))
			break;
	if (k == ARRAY_SIZE(keys)) {
		errlist_add(errs, "%s: unknown key '%.*s' (known: device, companions, boot_vga, "
			    "unsafe_group, driver, no_iommu, variant)", where, utf8_clip(key, 60), key);
		return -EINVAL;
	}
	if (!*val) {
		errlist_add(errs, "%s: '%s' has no value", where, key);
		return -EINVAL;
	}
	if (k == 0) {
		struct selector s;

		if (strpbrk(val, " \t,")) {
			errlist_add(errs, "%s: one selector per 'device' line, got '%.*s'", where,
				    utf8_clip(val, 60), val);
			return -EINVAL;
		}
		if (selector_parse(val, &s) < 0) {
			errlist_add(errs, "%s: bad device selector '%.*s' (expected 0000:01:00.0, "
				    "01:00.0, 10de:2204, 10de:2204@0000:01:00.0 or pci_0000_01_00_0)",
				    where, utf8_clip(val, 60), val);
			return -EINVAL;
		}
		set_origin(s.origin, sizeof(s.origin), where);
		return config_add_selector(c, &s);
	}
	if (seen[k]) {
		errlist_add(errs, "%s: '%s' given twice (first on line %d)", where, key, seen[k]);
		return -EINVAL;
	}
	seen[k] = lineno;
	for (int v = 0; v < 2; v++)
		if (!strcmp(val, keys[k].values[v])) {
			set_key(c, k, v);
			return 0;
		}
	errlist_add(errs, "%s: bad value '%.*s' for '%s' (expected %s or %s)", where,
		    utf8_clip(val, 60), val, key,
		    keys[k].values[0], keys[k].values[1]);
	return -EINVAL;
}

int config_parse(struct config *c, const char *text, size_t len, const char *file,
		 struct errlist *errs)
{
	int seen[ARRAY_SIZE(keys)] = { 0 };
	size_t pos = 0;
	int lineno = 0, r;
	bool bad = false;
	/* the whole file name and the line number, however long the name */
	_cleanup_free_ char *where = malloc(strlen(file) + 16);

	if (!where)
		return -ENOMEM;
	/* a UTF-8 byte order mark, as some Windows editors write, is not part of the first key */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		char line[MAX_LINE + 1];

		lineno++;
		sprintf(where, "%s:%d", file, lineno);
		if (n > MAX_LINE) {
			errlist_add(errs, "%s: line longer than %d characters", where, MAX_LINE);
			bad = true;
		} else if (memchr(text + pos, '\0', n)) {
			errlist_add(errs, "%s: NUL byte in line", where);
			bad = true;
		} else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			r = parse_line(c, line, where, seen, lineno, errs);
			if (r == -ENOMEM)
				return r;
			bad |= r < 0;
		}
		pos += n + 1;
	}
	/* a bad line is an error even when its message could not be allocated */
	return bad ? -EINVAL : 0;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ?
	       "a character device" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" :
	       "not a regular file";
}

/*
 * Read a config file. O_NONBLOCK: a FIFO with no writer must not hold boot; whatever is
 * not a regular file is refused before a byte is read.
 */
static int read_config(const struct root *r, const char *rel, const char *path,
		       char **ret, size_t *ret_len, struct errlist *errs)
{
	struct stat st;
	int fd = root_openat(r, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY), err;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		errlist_add(errs, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		close(fd);
		return -EINVAL;
	}
	err = slurp_fd(fd, ret, ret_len);
	close(fd);
	return err;
}

int config_load(struct config *c, const struct root *r, const char *path, struct errlist *errs)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int ret;

	if (path) {
		struct root base;

		ret = root_open(&base, path[0] == '/' ? "/" : ".");
		if (ret < 0) {
			errlist_add(errs, "%s: cannot read: %s", path, strerror(-ret));
			return ret;
		}
		ret = read_config(&base, path, path, &text, &len, errs);
		root_close(&base);
		/* a file named on purpose must be there */
		if (ret == -ENOENT) {
			errlist_add(errs, "%s: cannot read: %s", path, strerror(-ret));
			return ret;
		}
	} else {
		path = "/etc/passthru.conf";
		ret = read_config(r, path, path, &text, &len, errs);
	}
	if (ret == -ENOENT || ret == -EINVAL)
		return ret;
	if (ret < 0) {
		errlist_add(errs, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	sha256_hex(text, len, c->sha256);
	return config_parse(c, text, len, path, errs);
}
