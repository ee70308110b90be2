/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uki_text.c: the small text formats of UKI hosts: KEY=VALUE files (install.conf, uki.conf) and passthru's dracut drop-in value, quoted and read back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "uki.h"

/* s with the shell's quotes around it taken off (a plain assignment's value read by hand). */
static void unquote(char *s)
{
	size_t l = strlen(s);

	if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0]) {
		memmove(s, s + 1, l - 2);
		s[l - 2] = '\0';
	}
}

/* "KEY=VALUE" lines of an ini-like or plain assignment file (no shell): the last value of key,
 * outside comments, quotes off; "" when not set. */
void uki_conf_value(const char *text, const char *key, char *val, size_t size)
{
	const char *p = text;
	size_t kl = strlen(key);

	val[0] = '\0';
	while (p && *p) {
		const char *line = p + strspn(p, " \t");
		size_t ll = strcspn(line, "\n");

		if (!strncmp(line, key, kl) && (line[kl] == '=' || line[kl] == ' ')) {
			const char *v = line + kl + strspn(line + kl, " \t");

			if (*v == '=') {
				v++;
				v += strspn(v, " \t");
				snprintf(val, size, "%.*s", (int)(line + ll - v), v);
				rstrip(val);
				unquote(val);
			}
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

/* A dracut.conf value in double quotes: ", $, ` and \ escaped. */
void uki_sh_quote(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"");
	for (; *s; s++)
		sbuf_addf(b, "%s%c", strchr("\"$`\\", *s) ? "\\" : "", *s);
	sbuf_add(b, "\"");
}

/* The value of the drop-in's kernel_cmdline="..." line, unescaped; -EBADMSG none. */
int uki_dropin_value(const char *text, char **ret, size_t *start, size_t *end)
{
	const char *p = strstr(text, "\nkernel_cmdline=\"");
	struct sbuf b = { 0 };

	if (!p)
		return -EBADMSG;
	p += strlen("\nkernel_cmdline=\"");
	*start = (size_t)(p - text) - strlen("kernel_cmdline=\"");
	sbuf_add(&b, "");
	for (; *p && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p[1])
			p++;
		sbuf_addf(&b, "%c", *p);
	}
	if (*p != '"' || b.err) {
		sbuf_free(&b);
		return -EBADMSG;
	}
	*end = (size_t)(p + 1 - text);
	*ret = b.s;
	return 0;
}

