/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonpick.c: pick members and string values out of a JSON document json_valid accepted. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "jsoncheck.h"
#include "jsonpick.h"

/* Past the value at p and the comma after it: the next member or element, NULL at the end. */
static const char *next_item(const char *p)
{
	p = json_skip(p);
	if (!p)
		return NULL;
	p = json_ws(p);
	return *p == ',' ? json_ws(p + 1) : NULL;
}

const char *json_member(const char *obj, const char *key)
{
	const char *p = json_ws(obj);
	size_t n = strlen(key);

	if (*p != '{')
		return NULL;
	for (p = json_ws(p + 1); *p == '"'; ) {
		const char *k = p + 1, *v = json_skip(p);	/* the key: a string */
		bool match;

		if (!v)
			return NULL;
		match = (size_t)(v - k - 1) == n && !strncmp(k, key, n);
		v = json_ws(v);
		if (*v != ':')
			return NULL;
		v = json_ws(v + 1);
		if (match)
			return v;
		p = next_item(v);
		if (!p)
			return NULL;
	}
	return NULL;
}

const char *json_element(const char *arr, size_t i)
{
	const char *p = json_ws(arr);

	if (*p != '[')
		return NULL;
	p = json_ws(p + 1);
	if (*p == ']')
		return NULL;
	for (; i && p; i--)
		p = next_item(p);
	return p;
}

int json_text(const char *v, char *out, size_t size)
{
	size_t n = 0;

	if (!v || *v != '"' || !size)
		return -ENOENT;
	for (v++; *v && *v != '"' && n + 1 < size; v++) {
		char c = *v;

		if (c == '\\') {
			c = *++v;
			switch (c) {
			case 'n': case 'r': case 't': case 'b': case 'f': c = ' '; break;
			case 'u': c = '?'; v += 4; break;	/* a control character: shown as ? */
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}
