/* kargs.c: the IOMMU kernel arguments for a CPU, and editing space-separated lists of them. */
#include <stdlib.h>
#include <string.h>
#include "setup.h"

void kargs_for_cpu(const char *cpu, bool iommu_pt, struct kargs_edit *ret)
{
	struct kargs_edit e = { 0 };

	if (!strcmp(cpu, "intel")) {
		strcpy(e.add[e.nadd++], "intel_iommu=on");
		strcpy(e.drop[e.ndrop++], "intel_iommu=off");
	}
	if (!strcmp(cpu, "amd")) {
		/* AMD-Vi is on by default; amd_iommu=on is not a valid value */
		strcpy(e.drop[e.ndrop++], "amd_iommu=on");
		strcpy(e.drop[e.ndrop++], "amd_iommu=off");
	}
	if (strcmp(cpu, "other")) {
		strcpy(e.drop[e.ndrop++], "iommu=off");
		if (iommu_pt) {
			strcpy(e.add[e.nadd++], "iommu=pt");
			strcpy(e.drop[e.ndrop++], "iommu=nopt");
		}
	}
	*ret = e;
}

static bool in(const char (*list)[64], size_t n, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], w, len))
			return true;
	return false;
}

/* Keep the words not in the lists; quoting is left as it is (our words never need it). */
static char *filter(const char *line, const struct kargs_edit *e, bool drop_contra,
		    struct sbuf *dropped)
{
	struct sbuf b = { 0 };
	const char *p = line;

	sbuf_add(&b, "");
	while (*p) {
		const char *w;
		size_t len;
		bool q = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (w = p; *p && (q || (*p != ' ' && *p != '\t')); p++)
			if (*p == '"')
				q = !q;
		len = (size_t)(p - w);
		if (in(e->add, e->nadd, w, len))
			continue;
		if (drop_contra && in(e->drop, e->ndrop, w, len)) {
			if (dropped)
				sbuf_addf(dropped, "%s%.*s", dropped->len ? " " : "", (int)len, w);
			continue;
		}
		/* an unbalanced quote runs to the end of the line, as in the kernel: close it,
		 * so that what we append stays out of it */
		sbuf_addf(&b, "%s%.*s%s", b.len ? " " : "", (int)len, w, q ? "\"" : "");
	}
	if (b.err) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

char *kargs_apply(const char *line, const struct kargs_edit *e, struct sbuf *dropped)
{
	char *kept = filter(line, e, true, dropped);
	struct sbuf b = { 0 };
	size_t i;

	if (!kept)
		return NULL;
	sbuf_add(&b, kept);
	for (i = 0; i < e->nadd; i++)
		sbuf_addf(&b, "%s%s", b.len ? " " : "", e->add[i]);
	free(kept);
	if (b.err) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

char *kargs_remove(const char *line, const struct kargs_edit *e)
{
	return filter(line, e, false, NULL);
}

bool kargs_has(const char *line, const char *arg)
{
	size_t n = strlen(arg);
	const char *p = line;

	while ((p = strstr(p, arg))) {
		if ((p == line || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '"') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\t' || p[n] == '"' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}
