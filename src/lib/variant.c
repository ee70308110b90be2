/* SPDX-License-Identifier: GPL-2.0-or-later */
/* variant.c: which vfio driver a device takes: the best vfio_pci: alias of modules.alias. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "util.h"
#include "variant.h"

#define ALIAS_PREFIX "alias vfio_pci:"

/* One "alias vfio_pci:PATTERN MODULE" line (split in place), or nothing. */
static int add_alias(struct variant_db *db, char *line)
{
	char *pat = line + 6, *mod, *end;	/* past "alias " */
	const char *s;
	int stars = 0;

	mod = strpbrk(pat, " \t");
	if (!mod)
		return 0;
	*mod++ = '\0';
	mod += strspn(mod, " \t");
	end = mod + strcspn(mod, " \t\r");
	*end = '\0';
	/* vfio_pci's own alias matches every device: it is the default, not a variant */
	if (!*mod || !strcmp(mod, "vfio_pci"))
		return 0;
	for (s = pat; *s; s++)
		stars += *s == '*';
	if (grow(&db->a, &db->cap, db->n + 1, sizeof(*db->a)) < 0)
		return -ENOMEM;
	db->a[db->n++] = (struct variant_alias){ pat, mod, stars, true };
	return 0;
}

/* Whether text (a modules.dep or modules.builtin) holds a line for module mod: a path whose
 * file is MOD.ko*, where the file name may write each '_' of the name as '-'. */
static bool names_module(const char *text, size_t len, const char *mod)
{
	char want[72];
	size_t n = strlen(mod), i;
	const char *s = text, *end = text + len;

	if (n + 4 > sizeof(want))
		return false;
	/* the search is for the name's last 4+ bytes with '.ko': rare enough to check each hit */
	snprintf(want, sizeof(want), "%s.ko", mod);
	for (i = 0; i < n; i++)
		if (want[i] == '-')
			want[i] = '_';
	while (s < end) {
		const char *hit = memmem(s, (size_t)(end - s), ".ko", 3), *start;
		size_t k;

		if (!hit)
			return false;
		/* the file name before ".ko": back to the '/' or the line's start */
		for (start = hit; start > text && start[-1] != '/' && start[-1] != '\n' &&
		     start[-1] != ' '; start--)
			;
		if ((size_t)(hit - start) == n) {
			for (k = 0; k < n && (start[k] == want[k] ||
					      (start[k] == '-' && want[k] == '_')); k++)
				;
			if (k == n)
				return true;
		}
		s = hit + 3;
	}
	return false;
}

/* Mark the aliases whose module modules.dep or modules.builtin names. */
static void mark_installed(struct variant_db *db, const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (!db->a[i].installed)
			db->a[i].installed = names_module(text, len, db->a[i].module);
}

int variant_db_parse(struct variant_db *db, const char *alias, size_t alen, const char *dep,
		     size_t dlen, const char *builtin, size_t blen)
{
	size_t pos = 0, i, keep = 0;

	memset(db, 0, sizeof(*db));
	db->text = malloc(alen + 1);
	if (!db->text)
		return -ENOMEM;
	/* only the vfio_pci: lines are kept (a handful among thousands): found by memmem */
	while (pos < alen) {
		const char *line = memmem(alias + pos, alen - pos, ALIAS_PREFIX, strlen(ALIAS_PREFIX)),
			   *nl;
		size_t n;

		if (!line)
			break;
		nl = memchr(line, '\n', alen - (size_t)(line - alias));
		n = nl ? (size_t)(nl - line) : alen - (size_t)(line - alias);
		if ((line == alias || line[-1] == '\n') && !memchr(line, '\0', n)) {
			memcpy(db->text + keep, line, n);
			db->text[keep + n] = '\0';
			keep += n + 1;
		}
		pos = (size_t)(line - alias) + n + 1;
	}
	for (pos = 0; pos < keep; pos += strlen(db->text + pos) + 1)
		if (add_alias(db, db->text + pos) < 0) {
			variant_db_free(db);
			return -ENOMEM;
		}
	db->have_dep = dep != NULL;
	if (!dep)
		return 0;
	for (i = 0; i < db->n; i++)
		db->a[i].installed = false;
	mark_installed(db, dep, dlen);
	if (builtin)
		mark_installed(db, builtin, blen);
	return 0;
}

/* A module folder's file, mapped read-only (they are large and read once); NULL when absent. */
struct mapped {
	char *p;
	size_t len;
};

static int map_file(const struct root *r, const char *dir, const char *name, struct mapped *m)
{
	char path[4200];
	struct stat st;
	int fd, ret = 0;

	m->p = NULL;
	m->len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = root_openat(r, path, O_RDONLY);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else if (st.st_size > 0) {
		m->p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m->p == MAP_FAILED) {
			ret = -errno;
			m->p = NULL;
		} else {
			m->len = (size_t)st.st_size;
		}
	}
	close(fd);
	return ret;
}

static void unmap_file(struct mapped *m)
{
	if (m->p)
		munmap(m->p, m->len);
}

int variant_db_load(struct variant_db *db, const struct root *r, const char *dir)
{
	struct mapped alias, dep, builtin;
	int ret;

	memset(db, 0, sizeof(*db));
	ret = map_file(r, dir, "modules.alias", &alias);
	if (ret < 0)
		return ret;
	/* without modules.dep nothing is installed: a variant would not load */
	if (map_file(r, dir, "modules.dep", &dep) < 0)
		dep.p = NULL;
	if (map_file(r, dir, "modules.builtin", &builtin) < 0)
		builtin.p = NULL;
	ret = variant_db_parse(db, alias.p ? alias.p : "", alias.len, dep.p ? dep.p : "",
			       dep.len, builtin.p, builtin.len);
	unmap_file(&alias);
	unmap_file(&dep);
	unmap_file(&builtin);
	return ret;
}

int variant_db_load_running(struct variant_db *db, const struct root *r)
{
	char rel[128], dir[200];
	int ret = kernel_release(r, rel, sizeof(rel));

	memset(db, 0, sizeof(*db));
	if (ret < 0)
		return ret;
	snprintf(dir, sizeof(dir), "lib/modules/%s", rel);
	return variant_db_load(db, r, dir);
}

void variant_db_free(struct variant_db *db)
{
	free(db->text);
	free(db->a);
	memset(db, 0, sizeof(*db));
}

void variant_pick(const struct variant_db *db, const char *modalias, struct variant_choice *c)
{
	const struct variant_alias *best = NULL;
	char key[256];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->wildcards = -1;
	/* "pci:v..." is matched as "vfio_pci:v...", the way the alias is written */
	if (!modalias || strncmp(modalias, "pci:", 4) ||
	    snprintf(key, sizeof(key), "vfio_%s", modalias) >= (int)sizeof(key))
		return;
	for (i = 0; i < db->n; i++) {
		const struct variant_alias *a = &db->a[i];

		if (fnmatch(a->pattern, key, 0) != 0)
			continue;
		if (!best || a->wildcards < best->wildcards) {
			best = a;
			c->tie[0] = '\0';
		} else if (a->wildcards == best->wildcards && strcmp(a->module, best->module) &&
			   !c->tie[0]) {
			strscpy(c->tie, a->module, sizeof(c->tie));
		}
	}
	if (!best)
		return;
	c->wildcards = best->wildcards;
	if (best->installed)
		strscpy(c->module, best->module, sizeof(c->module));
	else
		strscpy(c->missing, best->module, sizeof(c->missing));
}

/* One hexadecimal sysfs file of the device ("0x1af4"), as a number. */
static int read_hex_file(const struct root *r, const char *addr, const char *file, long *v)
{
	char path[128], buf[32], *end;
	int n;

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/%s", addr, file);
	n = root_read(r, path, buf, sizeof(buf));
	if (n < 0)
		return n;
	*v = strtol(buf, &end, 16);
	return end == buf || *end ? -EINVAL : 0;
}

int variant_modalias(const struct root *r, const char *addr, char *buf, size_t size)
{
	static const char *const files[] = { "vendor", "device", "subsystem_vendor",
					     "subsystem_device", "class" };
	char path[128];
	long v[5];
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/modalias", addr);
	ret = root_read(r, path, buf, size);
	if (ret > 0)
		return 0;
	/* a captured tree without the file: the kernel's own format (pci_uevent) */
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		ret = read_hex_file(r, addr, files[i], &v[i]);
		if (ret < 0)
			return ret;
	}
	snprintf(buf, size, "pci:v%08lXd%08lXsv%08lXsd%08lXbc%02lXsc%02lXi%02lX", v[0], v[1],
		 v[2], v[3], (v[4] >> 16) & 0xff, (v[4] >> 8) & 0xff, v[4] & 0xff);
	return 0;
}

int variant_for_device(const struct variant_db *db, const struct root *r, const char *addr,
		       struct variant_choice *c)
{
	char modalias[256];
	int ret = variant_modalias(r, addr, modalias, sizeof(modalias));

	if (ret < 0) {
		memset(c, 0, sizeof(*c));
		c->wildcards = -1;
		return ret;
	}
	variant_pick(db, modalias, c);
	return 0;
}

int kernel_release(const struct root *r, char *buf, size_t size)
{
	struct utsname u;

	if (strcmp(r->path, "/") && root_read(r, "proc/sys/kernel/osrelease", buf, size) > 0)
		return 0;
	if (uname(&u) < 0)
		return -errno;
	return strscpy(buf, u.release, size);
}

int variant_apply(struct plan *p, const struct config *c, const struct variant_db *db,
		  const struct root *r)
{
	size_t i;

	if (c->variant == VARIANT_OFF)
		return 0;
	for (i = 0; i < p->n; i++) {
		struct plan_entry *e = &p->e[i];
		struct variant_choice v;
		char a[ADDR_LEN];

		if (!e->bind || strcmp(e->driver, "vfio-pci"))
			continue;
		addr_format(e->addr, a);
		if (variant_for_device(db, r, a, &v) < 0)
			continue;
		if (v.module[0]) {
			strscpy(e->variant, v.module, sizeof(e->variant));
			strscpy(e->driver, v.module, sizeof(e->driver));
		} else if (v.missing[0]) {
			strscpy(e->variant, v.missing, sizeof(e->variant));
			snprintf(e->variant_error, sizeof(e->variant_error), "modules.alias names "
				 "%s for this device but the module is not installed", v.missing);
		}
		if (v.tie[0])
			snprintf(e->variant_tie, sizeof(e->variant_tie), "%s matches as closely; "
				 "the first alias, %s, was taken", v.tie, e->variant);
	}
	return 0;
}

/* Whether the module is already a line of out. */
static bool listed(const struct sbuf *out, const char *mod)
{
	size_t n = strlen(mod);
	const char *s = out->s;

	for (; s && (s = strstr(s, mod)); s += n)
		if ((s == out->s || s[-1] == '\n') && s[n] == '\n')
			return true;
	return false;
}

int variant_image_modules(const struct plan *p, const struct config *c,
			  const struct variant_db *db, const struct root *r, struct sbuf *out,
			  struct sbuf *notes)
{
	size_t i;

	if (c->variant == VARIANT_OFF || strcmp(c->driver, "vfio-pci"))
		return 0;
	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		struct variant_choice v;
		char a[ADDR_LEN];

		/* whatever the IOMMU says today: the image is for the boot after it is on */
		if (e->state == STATE_ABSENT || (e->role != ROLE_SELECTED &&
						 e->role != ROLE_COMPANION && !e->bind))
			continue;
		addr_format(e->addr, a);
		if (variant_for_device(db, r, a, &v) < 0)
			continue;
		if (v.module[0] && !listed(out, v.module))
			sbuf_addf(out, "%s\n", v.module);
		if (v.missing[0])
			sbuf_addf(notes, "%s: modules.alias names the vfio variant driver %s, which "
				  "is not installed for this kernel: the image gets vfio-pci for it\n",
				  a, v.missing);
		if (v.tie[0])
			sbuf_addf(notes, "%s: %s and %s match as closely; %s (the first alias) is "
				  "taken\n", a, v.module[0] ? v.module : v.missing, v.tie,
				  v.module[0] ? v.module : v.missing);
	}
	return out->err || notes->err ? -ENOMEM : 0;
}
