/* grubfile.c: /etc/default/grub's GRUB_CMDLINE_LINUX edited in place, and the grub.d drop-in. */
#include <stdlib.h>
#include <string.h>
#include "setup.h"

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

/* NULL when the assignment uses quoting that cannot be rewritten safely (or no memory). */
char *grubfile_edit(const char *text, const char *var, const struct kargs_edit *e, bool remove,
		    struct sbuf *dropped)
{
	const char *ls, *le, *v, *vend;
	struct sbuf b = { 0 };
	char *inner, *edited;
	char quote = 0;

	if (!find_assign(text, var, &ls, &le)) {
		if (remove)
			return strdup(text);
		edited = kargs_apply("", e, dropped);
		if (!edited)
			return NULL;
		sbuf_add(&b, text);
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_add(&b, "\n");
		sbuf_addf(&b, "%s=\"%s\"\n", var, edited);
		free(edited);
		return b.err ? (sbuf_free(&b), NULL) : b.s;
	}
	v = strchr(ls, '=') + 1;
	vend = le;
	while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t' || vend[-1] == '\r'))
		vend--;
	if (*v == '"' || *v == '\'') {
		const char *close = memchr(v + 1, *v, (size_t)(vend - v - 1));

		quote = *v;
		if (!close)
			return NULL;	/* the value goes on past the line: not ours to rewrite */
		vend = close;
		v++;
	} else {
		/* unquoted: up to the first blank (a comment may follow) */
		const char *sp = v;

		while (sp < vend && *sp != ' ' && *sp != '\t')
			sp++;
		vend = sp;
	}
	/* quotes, escapes and command substitutions inside: leave the file to its author */
	for (const char *c = v; c < vend; c++)
		if (*c == '"' || *c == '\'' || *c == '\\' || *c == '`')
			return NULL;
	inner = strndup(v, (size_t)(vend - v));
	if (!inner)
		return NULL;
	edited = remove ? kargs_remove(inner, e) : kargs_apply(inner, e, dropped);
	free(inner);
	if (!edited)
		return NULL;
	sbuf_addf(&b, "%.*s", (int)(v - text - (quote ? 1 : 0)), text);
	sbuf_addf(&b, "\"%s\"", edited);
	sbuf_add(&b, vend + (quote && *vend == quote ? 1 : 0));
	free(edited);
	return b.err ? (sbuf_free(&b), NULL) : b.s;
}

char *grub_dropin(const struct kargs_edit *e)
{
	struct sbuf b = { 0 };
	size_t i;

	sbuf_add(&b, "# /etc/default/grub.d/passthru.cfg: written by passthru-setup install, removed by\n"
		 "# passthru-setup uninstall. It gives every kernel the IOMMU arguments and drops\n"
		 "# the ones that would contradict them; /etc/default/grub itself is not edited.\n");
	sbuf_add(&b, "passthru_add=\"");
	for (i = 0; i < e->nadd; i++)
		sbuf_addf(&b, "%s%s", i ? " " : "", e->add[i]);
	sbuf_add(&b, "\"\npassthru_drop=\"");
	for (i = 0; i < e->ndrop; i++)
		sbuf_addf(&b, "%s%s", i ? " " : "", e->drop[i]);
	sbuf_add(&b, "\"\n"
		 "passthru_filter() {\n"
		 "\tpassthru_kept=\"\"\n"
		 "\tfor passthru_a in $1; do\n"
		 "\t\tcase \" $passthru_add $passthru_drop \" in\n"
		 "\t\t*\" $passthru_a \"*) ;;\n"
		 "\t\t*) passthru_kept=\"${passthru_kept:+$passthru_kept }$passthru_a\" ;;\n"
		 "\t\tesac\n"
		 "\tdone\n"
		 "\techo \"$passthru_kept\"\n"
		 "}\n"
		 "GRUB_CMDLINE_LINUX_DEFAULT=\"$(passthru_filter \"$GRUB_CMDLINE_LINUX_DEFAULT\")\"\n"
		 "GRUB_CMDLINE_LINUX=\"$(passthru_filter \"$GRUB_CMDLINE_LINUX\")"
		 "${passthru_add:+ $passthru_add}\"\n"
		 "GRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX# }\"\n");
	return b.err ? (sbuf_free(&b), NULL) : b.s;
}
