/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.c: the rd.passthru* arguments on the kernel command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdline.h"
#include "util.h"

/* Split like the kernel's next_arg(): spaces separate, double quotes group. */
int cmdline_each(const char *text, int (*fn)(const char *key, const char *val, void *ud),
		 void *ud)
{
	_cleanup_free_ char *buf = strdup(text);
	char *p = buf;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		char *start, *out, *eq = NULL;
		bool inq = false;
		int r;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		start = out = p;
		for (; *p; p++) {
			if (*p == '"') {
				inq = !inq;
				continue;
			}
			if (!inq && (*p == ' ' || *p == '\t' || *p == '\n'))
				break;
			if (*p == '=' && !eq)
				eq = out;
			*out++ = *p;
		}
		if (*p)
			p++;
		*out = '\0';
		if (eq)
			*eq = '\0';
		r = fn(start, eq ? eq + 1 : NULL, ud);
		if (r)
			return r;
	}
}

struct parse_ctx {
	struct cmdline *cl;
	struct config *c;
	struct errlist *errs;
	int err;
};

static bool is_false(const char *v)
{
	return !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "false");
}

static int on_arg(const char *key, const char *val, void *ud)
{
	struct parse_ctx *x = ud;

	if (!strcmp(key, "rd.passthru")) {
		x->cl->disabled = val && is_false(val);
	} else if (!strcmp(key, "rd.passthru.dry_run")) {
		x->cl->dry_run = !val || !is_false(val);
	} else if (!strcmp(key, "rd.passthru.trial")) {
		x->cl->trial = !val || !is_false(val);
	} else if (!strcmp(key, "rd.passthru.device")) {
		_cleanup_free_ char *list = strdup(val ? val : "");
		char *save = NULL, *tok;

		if (!list)
			return -ENOMEM;
		if (!val || !*val) {
			errlist_add(x->errs, "kernel command line: rd.passthru.device= has no value");
			x->err = -EINVAL;
		}
		if (val && *val && (val[0] == ',' || val[strlen(val) - 1] == ',' || strstr(val, ",,"))) {
			errlist_add(x->errs, "kernel command line: empty selector in "
				    "rd.passthru.device=%.*s", utf8_clip(val, 60), val);
			x->err = -EINVAL;
		}
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			struct selector s;

			if (selector_parse(tok, &s) < 0) {
				errlist_add(x->errs, "kernel command line: bad selector '%.*s' in "
					    "rd.passthru.device=", utf8_clip(tok, 60), tok);
				x->err = -EINVAL;
				continue;
			}
			strcpy(s.origin, "kernel command line");
			if (x->c && config_add_selector(x->c, &s) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int cmdline_parse(const char *text, struct cmdline *ret, struct config *c, struct errlist *errs)
{
	struct cmdline cl = { 0 };
	struct parse_ctx x = { .cl = &cl, .c = c, .errs = errs };
	int r = cmdline_each(text, on_arg, &x);

	if (r < 0)
		return r;
	*ret = cl;
	return x.err;
}

struct get_ctx {
	const char *key;
	char *buf;
	size_t size;
	bool found;
};

static int on_get(const char *key, const char *val, void *ud)
{
	struct get_ctx *g = ud;

	if (!strcmp(key, g->key)) {
		g->found = true;
		strscpy(g->buf, val ? val : "", g->size);
	}
	return 0;
}

bool cmdline_get(const char *text, const char *key, char *buf, size_t size)
{
	struct get_ctx g = { key, buf, size, false };

	cmdline_each(text, on_get, &g);
	return g.found;
}
