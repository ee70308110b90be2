/* manifest.c: the record of what install changed (/var/lib/passthru/installed). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"

uint64_t fnv64(const char *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct manifest_entry *find(struct manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

static struct manifest_entry *add(struct manifest *m, const char *path)
{
	struct manifest_entry *e;

	if (grow(&m->e, &m->cap, m->n + 1, sizeof(*m->e)) < 0)
		return NULL;
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	if (strscpy(e->path, path, sizeof(e->path)) < 0)
		return NULL;
	m->n++;
	return e;
}

int manifest_read(const struct fsroot *fr, struct manifest *m)
{
	char *text = NULL, *line, *save = NULL;
	int r;

	memset(m, 0, sizeof(*m));
	r = fsroot_read(fr, MANIFEST_PATH, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	m->exists = true;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char path[512];
		uint64_t h;
		struct manifest_entry *e;

		if (!strncmp(line, "mkdir ", 6) && m->ndirs < 32) {
			strscpy(m->dirs[m->ndirs++], line + 6, sizeof(m->dirs[0]));
		} else if (!strncmp(line, "grubby-args ", 12)) {
			strscpy(m->grubby, line + 12, sizeof(m->grubby));
		} else if (sscanf(line, "created %511s %" SCNx64, path, &h) == 2 ||
			   sscanf(line, "edited %511s %" SCNx64, path, &h) == 2) {
			e = add(m, path);
			if (!e)
				break;
			e->created = line[0] == 'c';
			e->hash = h;
		}
	}
	free(text);
	return 0;
}

/* Note the folders on the way to path that do not exist yet. */
static void note_dirs(const struct fsroot *fr, struct manifest *m, const char *path)
{
	char p[512];
	char *s;
	size_t i;

	if (strscpy(p, path, sizeof(p)) < 0)
		return;
	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!fsroot_exists(fr, p)) {
			for (i = 0; i < m->ndirs && strcmp(m->dirs[i], p); i++)
				;
			if (i == m->ndirs && m->ndirs < 32)
				strscpy(m->dirs[m->ndirs++], p, sizeof(m->dirs[0]));
		}
		*s = '/';
	}
}

void manifest_remove_dirs(const struct fsroot *fr, const struct manifest *m)
{
	size_t i;

	for (i = m->ndirs; i-- > 0;) {
		const char *base;
		int fd = fsroot_parent(fr, m->dirs[i], false, &base);

		if (fd < 0)
			continue;
		unlinkat(fd, base, AT_REMOVEDIR);	/* fails, as it should, when not empty */
		close(fd);
	}
}

int manifest_stage(struct txn *t, struct manifest *m, const char *path, const char *data,
		   size_t len)
{
	bool existed = fsroot_exists(t->root, path);
	size_t before = t->n;
	struct manifest_entry *e;
	int r = txn_stage(t, path, data, len);

	if (r < 0)
		return r;
	e = find(m, path);
	if (!e) {
		if (t->n == before)
			return 0;	/* it was already so: not ours */
		note_dirs(t->root, m, path);
		if (existed) {
			char bak[1100];

			snprintf(bak, sizeof(bak), "%s%s", MANIFEST_BACKUP_DIR, path);
			note_dirs(t->root, m, bak);
		}
		e = add(m, path);
		if (!e)
			return -ENOMEM;
		e->created = !existed;
	}
	e->hash = fnv64(data, len);
	return 0;
}

int manifest_stage_self(struct txn *t, struct manifest *m)
{
	struct sbuf b = { 0 };
	size_t i;
	int r;

	if (!m->n && !m->grubby[0])
		return 0;
	note_dirs(t->root, m, MANIFEST_PATH);
	sbuf_add(&b, "# /var/lib/passthru/installed: what passthru-setup install changed;\n"
		 "# passthru-setup uninstall reverses exactly this. Backups of edited files are in\n"
		 "# /var/lib/passthru/backup/.\n");
	for (i = 0; i < m->n; i++)
		sbuf_addf(&b, "%s %s %016" PRIx64 "\n", m->e[i].created ? "created" : "edited",
			  m->e[i].path, m->e[i].hash);
	if (m->grubby[0])
		sbuf_addf(&b, "grubby-args %s\n", m->grubby);
	for (i = 0; i < m->ndirs; i++)
		sbuf_addf(&b, "mkdir %s\n", m->dirs[i]);
	if (b.err)
		return -ENOMEM;
	r = txn_stage(t, MANIFEST_PATH, b.s, b.len);
	sbuf_free(&b);
	return r;
}

bool manifest_has_grubby(const struct manifest *m, const char *args)
{
	return !strcmp(m->grubby, args);
}

void manifest_set_grubby(struct manifest *m, const char *args)
{
	strscpy(m->grubby, args, sizeof(m->grubby));
}

void manifest_free(struct manifest *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}
