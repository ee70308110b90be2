/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shstatic.c: a shell configuration's plain assignments read without running anything (an image's code when it cannot run inside the image). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "setup.h"

struct parser {
	const char *p, *file;
	unsigned line;
	struct shvars *s;
	struct sbuf val;
	bool known;		/* the value holds no command's output, no unknown variable */
};

static struct shvar *find(const struct shvars *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i].name) == len && !memcmp(s->v[i].name, name, len))
			return (struct shvar *)&s->v[i];
	return NULL;
}

/* bash's assignment: an array's first element only, when a plain value goes to an array */
static int set(struct shvars *s, const char *name, size_t len, const char *value, bool known,
	       bool append, bool array)
{
	struct shvar *v = find(s, name, len);
	char *nv;

	if (!v) {
		if (s->n >= ARRAY_SIZE(s->v))
			return -E2BIG;
		v = &s->v[s->n];
		v->name = strndup(name, len);
		v->value = NULL;
		v->known = true;
		v->array = false;
		if (!v->name)
			return -ENOMEM;
		s->n++;
	}
	if (v->array && !array && append) {
		known = false;	/* onto the first element: not modelled */
		nv = strdup("");
	} else if (v->array && !array && v->value) {
		const char *rest = v->value + strcspn(v->value, " ");

		nv = malloc(strlen(value) + strlen(rest) + 1);
		if (nv)
			sprintf(nv, "%s%s", value, rest);
		array = true;
	} else if (append && v->value) {
		nv = malloc(strlen(v->value) + strlen(value) + 1);
		if (nv)
			sprintf(nv, "%s%s", v->value, value);
	} else {
		nv = strdup(value);
	}
	if (!nv)
		return -ENOMEM;
	free(v->value);
	v->value = nv;
	v->known = known && (!append || v->known);
	v->array = array || (append && v->array);
	return 0;
}

int shvars_set(struct shvars *s, const char *name, const char *value, bool array)
{
	struct shvar *v = find(s, name, strlen(name));

	if (v)
		v->array = false;	/* the whole value, not bash's first element */
	return set(s, name, strlen(name), value, true, false, array);
}

const char *shvars_get(const struct shvars *s, const char *name, bool *known)
{
	const struct shvar *v = find(s, name, strlen(name));

	*known = !v || v->known;
	return v && v->value ? v->value : "";
}

void shvars_free(struct shvars *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].value);
	}
	s->n = 0;
}

static int unknown(const struct parser *ps, const char *what)
{
	shell_unknown_set("%s line %u %s", ps->file, ps->line, what);
	return -ENOEXEC;
}

static size_t name_len(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* A command substitution at ps->p ($( or `), skipped: its output is not known. */
static int skip_cmdsub(struct parser *ps)
{
	const char *p = ps->p;
	int depth = 1;

	ps->known = false;
	if (*p == '`') {
		for (p++; *p && *p != '`'; p++) {
			if (*p == '\\' && p[1])
				p++;
			ps->line += *p == '\n';
		}
	} else {
		for (p += 2; *p && depth; p++) {
			if (*p == '\'' || *p == '"') {
				char q = *p;

				for (p++; *p && *p != q; p++) {
					if (q == '"' && *p == '\\' && p[1])
						p++;
					ps->line += *p == '\n';
				}
				if (!*p)
					break;
			} else if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '(') {
				depth++;
			} else if (*p == ')') {
				depth--;
			}
			ps->line += *p == '\n';
		}
		if (depth)
			return unknown(ps, "has a command substitution that does not end");
		p--;
	}
	if (!*p)
		return unknown(ps, "has a command substitution that does not end");
	ps->p = p + 1;
	return 0;
}

/* $NAME, ${NAME}, a command substitution, or a lone $; at ps->p. */
static int expand(struct parser *ps)
{
	const char *p = ps->p + 1;
	size_t n;
	bool braces = *p == '{', known;
	char name[128];

	if (*p == '(' || *p == '`')
		return skip_cmdsub(ps);
	if (braces)
		p++;
	n = name_len(p);
	if (!n && *p && strchr("@*#?-$!0123456789", *p))
		return unknown(ps, "uses a special parameter");
	if (!n) {
		if (braces)
			return unknown(ps, "has a ${...} expansion");
		sbuf_add(&ps->val, "$");
		ps->p++;
		return 0;
	}
	if (braces && p[n] != '}')
		return unknown(ps, "has a ${...} expansion with an operator");
	if (n >= sizeof(name))
		return unknown(ps, "has a name too long");
	memcpy(name, p, n);
	name[n] = '\0';
	sbuf_add(&ps->val, shvars_get(ps->s, name, &known));
	ps->known &= known;
	ps->p = p + n + braces;
	return 0;
}

/* A backslash at ps->p and the character it quotes: a newline joins lines, any other is kept. */
static void escaped(struct parser *ps)
{
	if (ps->p[1] == '\n')
		ps->line++;
	else
		sbuf_addf(&ps->val, "%c", ps->p[1]);
	ps->p += 2;
}

/* A $ expansion or a ` command substitution at ps->p. */
static int substitution(struct parser *ps)
{
	return *ps->p == '$' ? expand(ps) : skip_cmdsub(ps);
}

/* A '...' string at ps->p, its text kept as it is. */
static int single_quoted(struct parser *ps)
{
	const char *e = strchr(ps->p + 1, '\'');

	if (!e)
		return unknown(ps, "has a quote that does not end");
	for (const char *q = ps->p; q < e; q++)
		ps->line += *q == '\n';
	sbuf_addf(&ps->val, "%.*s", (int)(e - ps->p - 1), ps->p + 1);
	ps->p = e + 1;
	return 0;
}

/* A "..." string at ps->p: backslash quotes only $ ` " \ and newline; expansions inside. */
static int double_quoted(struct parser *ps)
{
	int r;

	for (ps->p++; *ps->p != '"'; ) {
		char c = *ps->p;

		if (!c)
			return unknown(ps, "has a quote that does not end");
		if (c == '\\' && ps->p[1] && strchr("$`\"\\\n", ps->p[1])) {
			escaped(ps);
		} else if (c == '$' || c == '`') {
			r = substitution(ps);
			if (r < 0)
				return r;
		} else {
			ps->line += c == '\n';
			sbuf_addf(&ps->val, "%c", c);
			ps->p++;
		}
	}
	ps->p++;
	return 0;
}

/* One word of an assignment's value at ps->p, appended to ps->val; stops at an unquoted blank,
 * newline, ; or operator (and ')' in an array). */
static int word(struct parser *ps, bool in_array)
{
	int r = 0;

	for (;;) {
		char c = *ps->p;

		if (!c || strchr(" \t\n;&|<>", c) || (c == ')' && in_array))
			return 0;
		if (c == '(' || c == ')')
			return unknown(ps, "has a parenthesis outside quotes");
		if (c == '\'') {
			r = single_quoted(ps);
		} else if (c == '"') {
			r = double_quoted(ps);
		} else if (c == '\\') {
			if (!ps->p[1])
				return unknown(ps, "ends in a backslash");
			escaped(ps);
		} else if (c == '$' || c == '`') {
			r = substitution(ps);
		} else {
			sbuf_addf(&ps->val, "%c", c);
			ps->p++;
		}
		if (r < 0)
			return r;
	}
}

static void skip_blanks(struct parser *ps, bool newlines)
{
	for (;;) {
		if (*ps->p == ' ' || *ps->p == '\t' || (newlines && *ps->p == '\n')) {
			ps->line += *ps->p == '\n';
			ps->p++;
		} else if (*ps->p == '\\' && ps->p[1] == '\n') {
			ps->line++;
			ps->p += 2;
		} else if (newlines && *ps->p == '#') {
			ps->p += strcspn(ps->p, "\n");
		} else {
			return;
		}
	}
}

/* NAME=VALUE, NAME+=VALUE, NAME=(WORD...) at ps->p (a name followed by = was seen). */
static int assignment(struct parser *ps, size_t n)
{
	const char *name = ps->p;
	bool append = ps->p[n] == '+', array;
	int r;

	ps->p += n + 1 + append;
	sbuf_free(&ps->val);
	sbuf_add(&ps->val, "");
	ps->known = true;
	array = *ps->p == '(';
	if (array) {
		size_t words = 0;

		ps->p++;
		for (;;) {
			skip_blanks(ps, true);
			if (*ps->p == ')')
				break;
			if (!*ps->p)
				return unknown(ps, "has an array that does not end");
			if (words++ || (append && ps->s && find(ps->s, name, n)))
				sbuf_add(&ps->val, " ");
			r = word(ps, true);
			if (r < 0)
				return r;
			if (!strchr(" \t\n)", *ps->p) && *ps->p != '#')
				return unknown(ps, "has an operator in an array");
		}
		ps->p++;
	} else {
		r = word(ps, false);
		if (r < 0)
			return r;
	}
	if (ps->val.err)
		return -ENOMEM;
	return set(ps->s, name, n, ps->val.s, ps->known, append, array);
}

int shstatic_eval(struct shvars *s, const char *text, const char *file)
{
	struct parser ps = { .p = text, .file = file, .line = 1, .s = s };
	int r = 0;

	while (r == 0) {
		size_t n;
		bool any = false;

		while (*ps.p == ';' || *ps.p == ' ' || *ps.p == '\t' || *ps.p == '\n' ||
		       *ps.p == '#') {
			skip_blanks(&ps, true);
			ps.p += *ps.p == ';';
		}
		if (!*ps.p)
			break;
		if (!strncmp(ps.p, "export", 6) && (ps.p[6] == ' ' || ps.p[6] == '\t')) {
			ps.p += 6;
			skip_blanks(&ps, false);
			any = true;	/* export NAME alone changes no value */
		}
		for (;;) {
			n = name_len(ps.p);
			if (!n || (ps.p[n] != '=' && strncmp(ps.p + n, "+=", 2))) {
				if (any && n && strchr(" \t\n;#", ps.p[n])) {
					ps.p += n;	/* export NAME */
					skip_blanks(&ps, false);
					continue;
				}
				break;
			}
			r = assignment(&ps, n);
			if (r < 0)
				break;
			any = true;
			skip_blanks(&ps, false);
		}
		if (r < 0)
			break;
		if (!any)
			r = unknown(&ps, "runs a command");
		else if (*ps.p && !strchr("\n;#", *ps.p))
			r = unknown(&ps, "runs a command with assignments before it");
		else if (*ps.p == '#')
			ps.p += strcspn(ps.p, "\n");
	}
	sbuf_free(&ps.val);
	return r;
}
