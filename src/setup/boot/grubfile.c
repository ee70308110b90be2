/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grubfile.c: GRUB_CMDLINE_LINUX in /etc/default/grub edited in place, its quoting kept; the grub.d drop-in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kargs.h"
#include "setup.h"

/* the comment on a line install added; uninstall removes the line with it */
#define ADDED_MARK "  # added by passthru-setup"

/* The last "VAR=..." assignment that is not commented out: [*start, *end) of the line. */
static bool find_assign(const char *text, const char *var, const char **start, const char **end)
{
	const char *p = text, *found = NULL, *fend = NULL;
	size_t vl = strlen(var);

	while (*p) {
		const char *nl = strchr(p, '\n'), *q = p;

		if (!nl)
			nl = p + strlen(p);
		while (q < nl && (*q == ' ' || *q == '\t'))
			q++;
		if (!strncmp(q, "export ", 7))
			q += 7;
		if ((size_t)(nl - q) > vl && !strncmp(q, var, vl) && q[vl] == '=') {
			found = p;
			fend = nl;
		}
		p = *nl ? nl + 1 : nl;
	}
	*start = found;
	*end = fend;
	return found != NULL;
}

/*
 * The value of the assignment in [ls, le): [*v, *vend) inside its quotes, *quote the quote
 * character or 0. -EINVAL when the shell would read it in a way an edit cannot keep: the
 * value goes on past the line, concatenates several quoted parts, or holds escapes.
 */
static int split_value(const char *ls, const char *le, const char **v, const char **vend,
		       char *quote)
{
	const char *p = strchr(ls, '=') + 1, *end, *c;

	*quote = 0;
	if (*p == '"' || *p == '\'') {
		end = memchr(p + 1, *p, (size_t)(le - p - 1));
		if (!end)
			return -EINVAL;
		*quote = *p;
		*v = p + 1;
		*vend = end;
		end++;
	} else {
		for (end = p; end < le && *end != ' ' && *end != '\t' && *end != '\r'; end++)
			;
		*v = p;
		*vend = end;
	}
	if (end < le && *end != ' ' && *end != '\t' && *end != '\r' && *end != ';')
		return -EINVAL;	/* 'a'"b" or a'b': several parts */
	if (!*quote && *vend > *v)
		return -EINVAL;	/* unquoted: quoting it would change the user's bytes */
	for (c = *v; c < *vend; c++) {
		if (*quote == '\'')
			continue;	/* nothing is special inside single quotes */
		if (*c == '\\' || *c == '`' || *c == '"' || *c == '\'')
			return -EINVAL;
	}
	return 0;
}

static int edit(const char *text, const char *var, const struct kargs_edit *e, const char *words,
		char **ret, struct sbuf *dropped, struct sbuf *added)
{
	const char *ls, *le, *v, *vend;
	struct sbuf b = { 0 };
	char *inner, *edited = NULL, quote;
	int r;

	if (!find_assign(text, var, &ls, &le)) {
		if (words) {
			*ret = strdup(text);
			return *ret ? 0 : -ENOMEM;
		}
		r = kargs_apply("", e, &edited, dropped, added);
		if (r < 0)
			return r;
		sbuf_add(&b, text);
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_add(&b, "\n");
		sbuf_addf(&b, "%s=\"%s\"%s\n", var, edited, ADDED_MARK);
		free(edited);
		goto out;
	}
	r = split_value(ls, le, &v, &vend, &quote);
	if (r < 0)
		return r;
	inner = strndup(v, (size_t)(vend - v));
	if (!inner)
		return -ENOMEM;
	r = words ? kargs_remove(inner, words, &edited) :
		    kargs_apply(inner, e, &edited, dropped, added);
	if (r < 0) {
		free(inner);
		return r;
	}
	if (words && !*edited && le - ls >= (long)strlen(ADDED_MARK) &&
	    !strncmp(le - strlen(ADDED_MARK), ADDED_MARK, strlen(ADDED_MARK))) {
		/* the line install added, now empty: gone */
		sbuf_addf(&b, "%.*s", (int)(ls - text), text);
		sbuf_add(&b, *le ? le + 1 : le);
	} else if (!strcmp(inner, edited)) {
		sbuf_add(&b, text);	/* no change: not even the quoting */
	} else {
		/* the same quotes as before; an unquoted value gets double quotes, which read
		 * it the same way (split_value refused anything they would change) */
		char q = quote ? quote : '"';

		sbuf_addf(&b, "%.*s%c%s%c", (int)(v - text - (quote ? 1 : 0)), text, q, edited, q);
		sbuf_add(&b, vend + (quote ? 1 : 0));
	}
	free(inner);
	free(edited);
out:
	if (b.err) {
		sbuf_free(&b);
		return -ENOMEM;
	}
	*ret = b.s;
	return 0;
}

int grubfile_edit(const char *text, const char *var, const struct kargs_edit *e, char **ret,
		  struct sbuf *dropped, struct sbuf *added)
{
	return edit(text, var, e, NULL, ret, dropped, added);
}

int grubfile_unedit(const char *text, const char *var, const char *words, char **ret)
{
	return edit(text, var, NULL, words, ret, NULL, NULL);
}

bool grubfile_is_true(const char *text, const char *var)
{
	const char *ls, *le, *v, *vend;
	char quote;

	if (!find_assign(text, var, &ls, &le) || split_value(ls, le, &v, &vend, &quote) < 0)
		return false;
	return vend - v == 4 && !strncmp(v, "true", 4);
}

void grub_sh_edit(struct sbuf *b, const struct kargs_edit *e, const char *also)
{
	size_t i;

	sbuf_add(b, "passthru_add=\"");
	for (i = 0; i < e->nadd; i++)
		sbuf_addf(b, "%s%s", i ? " " : "", e->add[i]);
	if (also)
		sbuf_addf(b, "%s%s", e->nadd ? " " : "", also);
	sbuf_add(b, "\"\npassthru_drop=\"");
	for (i = 0; i < e->ndrop; i++)
		sbuf_addf(b, "%s%s", i ? " " : "", e->drop[i]);
	sbuf_add(b, "\"\n"
		 "# passthru_without VALUE: VALUE less every word of passthru_drop, in passthru_v\n"
		 "passthru_without() {\n"
		 "\tpassthru_v=\" $1 \"\n"
		 "\tfor passthru_w in $passthru_drop; do\n"
		 "\t\twhile :; do\n"
		 "\t\t\tcase $passthru_v in\n"
		 "\t\t\t*\" $passthru_w \"*)\n"
		 "\t\t\t\tpassthru_v=\"${passthru_v%%\" $passthru_w \"*} "
		 "${passthru_v#*\" $passthru_w \"}\" ;;\n"
		 "\t\t\t*) break ;;\n"
		 "\t\t\tesac\n"
		 "\t\tdone\n"
		 "\tdone\n"
		 "\tpassthru_v=${passthru_v# }\n"
		 "\tpassthru_v=${passthru_v% }\n"
		 "}\n"
		 "passthru_without \"$GRUB_CMDLINE_LINUX_DEFAULT\"\n"
		 "GRUB_CMDLINE_LINUX_DEFAULT=$passthru_v\n"
		 KARGS_SH_INSERT
		 "passthru_without \"$GRUB_CMDLINE_LINUX\"\n"
		 "for passthru_w in $passthru_add; do\n"
		 "\tpassthru_insert \"$passthru_w\"\n"
		 "done\n"
		 "GRUB_CMDLINE_LINUX=$passthru_v\n");
}

/*
 * The drop-in works on the values as strings, never on words the shell split: no glob is
 * expanded and no blank squeezed, so the user's arguments reach grub.cfg byte for byte.
 */
char *grub_dropin(const struct kargs_edit *e)
{
	struct sbuf b = { 0 };

	sbuf_add(&b, "# /etc/default/grub.d/passthru.cfg: written by passthru-setup install, removed by\n"
		 "# passthru-setup uninstall. It gives every kernel the IOMMU arguments and drops\n"
		 "# the ones that would contradict them; /etc/default/grub itself is not edited.\n"
		 "# The values are edited as strings: the other arguments stay byte for byte.\n");
	grub_sh_edit(&b, e, NULL);
	sbuf_add(&b, "unset passthru_v passthru_w passthru_k\n");
	return b.err ? (sbuf_free(&b), NULL) : b.s;
}
