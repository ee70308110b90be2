/* SPDX-License-Identifier: GPL-2.0-or-later */
/* manifest.c: the record of what install changed (/var/lib/passthru/installed). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kargs.h"
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

struct manifest_entry *manifest_find(struct manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

const struct manifest_entry *manifest_find_const(const struct manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].path, path))
			return &m->e[i];
	return NULL;
}

void manifest_add_replaced(struct manifest *m, const char *path, const char *words)
{
	struct manifest_entry *e = manifest_find(m, path);

	if (e && words)
		manifest_add_words(e->replaced, sizeof(e->replaced), words);
}

static int add_before(struct manifest *m, const char *path)
{
	char **g = realloc(m->entries_before, (m->nentries_before + 2) * sizeof(*g));

	if (!g)
		return -ENOMEM;
	m->entries_before = g;
	g[m->nentries_before] = strdup(path);
	if (!g[m->nentries_before])
		return -ENOMEM;
	g[++m->nentries_before] = NULL;
	return 0;
}

int manifest_set_entries_before(struct manifest *m, char *const *v)
{
	size_t i;
	int r = 0;

	m->entries_known = true;
	for (i = 0; v && v[i] && r == 0; i++)
		r = add_before(m, v[i]);
	return r;
}

bool manifest_entry_before(const struct manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nentries_before; i++)
		if (!strcmp(m->entries_before[i], path))
			return true;
	return false;
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

/* "chose bootloader grub", "chose no-iommu-pt": a choice the user made (an older record has
 * none; a name this version does not know is left out, as if none) */
static void read_choice(struct manifest *m, const char *what)
{
	char key[32] = "", val[32] = "";

	if (sscanf(what, "%31s %31s", key, val) < 1)
		return;
	if (!strcmp(key, "bootloader"))
		strscpy(m->chose_bootloader, val, sizeof(m->chose_bootloader));
	else if (!strcmp(key, "initramfs"))
		strscpy(m->chose_initramfs, val, sizeof(m->chose_initramfs));
	else if (!strcmp(key, "cpu"))
		strscpy(m->chose_cpu, val, sizeof(m->chose_cpu));
	else if (!strcmp(key, "no-iommu-pt"))
		m->chose_no_iommu_pt = true;
	else if (!strcmp(key, "allow-unsafe-interrupts"))
		m->chose_unsafe_interrupts = true;
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

		int n = 0;

		if (!strncmp(line, "mkdir ", 6) && m->ndirs < 32) {
			strscpy(m->dirs[m->ndirs++], line + 6, sizeof(m->dirs[0]));
		} else if (!strncmp(line, "grubby-args ", 12)) {
			strscpy(m->grubby, line + 12, sizeof(m->grubby));
		} else if (!strncmp(line, "args ", 5)) {
			strscpy(m->args, line + 5, sizeof(m->args));
		} else if (!strncmp(line, "config-sha256 ", 14)) {
			strscpy(m->config_sha256, line + 14, sizeof(m->config_sha256));
		} else if (!strncmp(line, "claim-sha256 ", 13)) {
			strscpy(m->claim_sha256, line + 13, sizeof(m->claim_sha256));
		} else if (!strncmp(line, "initramfs ", 10)) {
			strscpy(m->initramfs, line + 10, sizeof(m->initramfs));
		} else if (!strncmp(line, "boot ", 5)) {
			manifest_add_boot(m, line + 5);
		} else if (!strcmp(line, "pending boot")) {
			m->pending_boot = true;
		} else if (!strcmp(line, "entries-before")) {
			m->entries_known = true;
		} else if (!strncmp(line, "entry-before ", 13)) {
			if (add_before(m, line + 13) < 0)
				break;
		} else if (sscanf(line, "replaced %511s%n", path, &n) == 1) {
			while (line[n] == ' ')
				n++;
			manifest_add_replaced(m, path, line + n);
		} else if (!strncmp(line, "trial-ending ", 13)) {
			strscpy(m->trial_ending, line + 13, sizeof(m->trial_ending));
		} else if (!strncmp(line, "trial ", 6)) {
			strscpy(m->trial, line + 6, sizeof(m->trial));
		} else if (!strncmp(line, "chose ", 6)) {
			read_choice(m, line + 6);
		} else if (!strcmp(line, "pending initramfs")) {
			m->pending_initramfs = true;
		} else if (!strncmp(line, "device ", 7) && m->ndevices < 64) {
			struct manifest_device *d = &m->devices[m->ndevices];

			if (sscanf(line + 7, "%15s %9s", d->addr, d->id) == 2)
				m->ndevices++;
		} else if (sscanf(line, "created %511s %" SCNx64 "%n", path, &h, &n) == 2 ||
			   sscanf(line, "edited %511s %" SCNx64 "%n", path, &h, &n) == 2 ||
			   sscanf(line, "merged %511s %" SCNx64 "%n", path, &h, &n) == 2) {
			e = add(m, path);
			if (!e)
				break;
			e->created = line[0] == 'c';
			e->merged = line[0] == 'm';
			e->hash = h;
			while (line[n] == ' ')
				n++;
			strscpy(e->added, line + n, sizeof(e->added));
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

void manifest_add_words(char *dst, size_t size, const char *words)
{
	char w[128];
	const char *p = words;
	int n;

	while (p && sscanf(p, "%127s%n", w, &n) == 1) {
		p += n;
		if (!kargs_has(dst, w)) {
			size_t l = strlen(dst);

			snprintf(dst + l, size - l, "%s%s", l ? " " : "", w);
		}
	}
}

void manifest_add_boot(struct manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nboots; i++)
		if (!strcmp(m->boots[i], name))
			return;
	if (m->nboots < 4)
		strscpy(m->boots[m->nboots++], name, sizeof(m->boots[0]));
}

/* What every file passthru writes whole says in its first lines (and no user's file does). */
#define OWNED_MARK "written by passthru-setup install"

/* The files install writes whole, each with OWNED_MARK in its head. */
static const char *const owned_paths[] = {
	"/etc/default/grub.d/passthru.cfg",
	"/etc/initramfs-tools/conf.d/passthru",
	"/etc/dracut.conf.d/passthru.conf",
	"/etc/mkinitcpio.conf.d/passthru.conf",
	"/etc/modprobe.d/passthru-unsafe-interrupts.conf",
	"/etc/grub.d/42_passthru_trial",
	"/etc/passthru.trial",
};

/* DATA is a file passthru writes whole: OWNED_MARK in its first 400 bytes. */
static bool owned(const char *data, size_t len)
{
	return memmem(data, len < 400 ? len : 400, OWNED_MARK, strlen(OWNED_MARK)) != NULL;
}

size_t manifest_orphans(const struct fsroot *fr, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(owned_paths) / sizeof(owned_paths[0]); i++) {
		char *data = NULL;
		size_t len = 0;

		if (fsroot_read(fr, owned_paths[i], &data, &len) == 0 && owned(data, len)) {
			size_t l = strlen(buf);

			snprintf(buf + l, size - l, "%s%s", n++ ? ", " : "", owned_paths[i]);
		}
		free(data);
	}
	return n;
}

int manifest_stage(struct txn *t, struct manifest *m, const char *path, const char *data,
		   size_t len, const char *added)
{
	bool existed = fsroot_exists(t->root, path);
	size_t before = t->n;
	struct manifest_entry *e;
	int r = txn_stage(t, path, data, len);

	if (r < 0)
		return r;
	e = manifest_find(m, path);
	if (t->n == before && (e || !owned(data, len)))
		return 0;	/* it is so already: the record stays as it is */
	if (t->n == before) {
		/* passthru's own file, as install writes it, but not in the record (the record
		 * was lost or deleted): it is passthru's, for uninstall to remove */
		e = add(m, path);
		if (!e)
			return -ENOMEM;
		e->created = true;
		manifest_add_words(e->added, sizeof(e->added), added);
		manifest_add_words(m->args, sizeof(m->args), added);
		e->hash = fnv64(data, len);
		return 0;
	}
	if (e) {
		/* touched before: the first backup stays; a change by someone else since
		 * install means the backup is no longer the file minus passthru's part */
		t->c[t->n - 1].no_backup = true;
		if (t->c[t->n - 1].old && fnv64(t->c[t->n - 1].old, t->c[t->n - 1].oldlen) != e->hash)
			e->merged = true;
	} else {
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
	manifest_add_words(e->added, sizeof(e->added), added);
	manifest_add_words(m->args, sizeof(m->args), added);
	e->hash = fnv64(data, len);
	return 0;
}

int manifest_stage_self(struct txn *t, struct manifest *m)
{
	struct sbuf b = { 0 };
	size_t i;
	int r;

	if (!m->n && !m->grubby[0] && !m->initramfs[0])
		return 0;
	note_dirs(t->root, m, MANIFEST_PATH);
	sbuf_add(&b, "# /var/lib/passthru/installed: what passthru-setup install changed;\n"
		 "# passthru-setup uninstall reverses exactly this. Backups of edited files are in\n"
		 "# /var/lib/passthru/backup/ (as they were before passthru first touched them).\n");
	for (i = 0; i < m->n; i++)
		sbuf_addf(&b, "%s %s %016" PRIx64 "%s%s\n", m->e[i].merged ? "merged" :
			  m->e[i].created ? "created" : "edited", m->e[i].path, m->e[i].hash,
			  m->e[i].added[0] ? " " : "", m->e[i].added);
	for (i = 0; i < m->n; i++)
		if (m->e[i].replaced[0])
			sbuf_addf(&b, "replaced %s %s\n", m->e[i].path, m->e[i].replaced);
	if (m->entries_known)
		sbuf_add(&b, "entries-before\n");
	for (i = 0; i < m->nentries_before; i++)
		sbuf_addf(&b, "entry-before %s\n", m->entries_before[i]);
	if (m->grubby[0])
		sbuf_addf(&b, "grubby-args %s\n", m->grubby);
	for (i = 0; i < m->ndirs; i++)
		sbuf_addf(&b, "mkdir %s\n", m->dirs[i]);
	for (i = 0; i < m->nboots; i++)
		sbuf_addf(&b, "boot %s\n", m->boots[i]);
	if (m->args[0])
		sbuf_addf(&b, "args %s\n", m->args);
	if (m->initramfs[0])
		sbuf_addf(&b, "initramfs %s\n", m->initramfs);
	if (m->trial[0])
		sbuf_addf(&b, "trial %s\n", m->trial);
	if (m->trial_ending[0])
		sbuf_addf(&b, "trial-ending %s\n", m->trial_ending);
	if (m->chose_bootloader[0])
		sbuf_addf(&b, "chose bootloader %s\n", m->chose_bootloader);
	if (m->chose_initramfs[0])
		sbuf_addf(&b, "chose initramfs %s\n", m->chose_initramfs);
	if (m->chose_cpu[0])
		sbuf_addf(&b, "chose cpu %s\n", m->chose_cpu);
	if (m->chose_no_iommu_pt)
		sbuf_add(&b, "chose no-iommu-pt\n");
	if (m->chose_unsafe_interrupts)
		sbuf_add(&b, "chose allow-unsafe-interrupts\n");
	if (m->config_sha256[0])
		sbuf_addf(&b, "config-sha256 %s\n", m->config_sha256);
	if (m->claim_sha256[0])
		sbuf_addf(&b, "claim-sha256 %s\n", m->claim_sha256);
	for (i = 0; i < m->ndevices; i++)
		sbuf_addf(&b, "device %s %s\n", m->devices[i].addr, m->devices[i].id);
	if (m->pending_boot)
		sbuf_add(&b, "pending boot\n");
	if (m->pending_initramfs)
		sbuf_add(&b, "pending initramfs\n");
	if (b.err)
		return -ENOMEM;
	r = txn_stage(t, MANIFEST_PATH, b.s, b.len);
	sbuf_free(&b);
	if (r == 0 && t->n && !strcmp(t->c[t->n - 1].path, MANIFEST_PATH))
		t->c[t->n - 1].no_backup = true;	/* the record is never backed up */
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
	strv_free(m->entries_before);
	free(m->e);
	memset(m, 0, sizeof(*m));
}

void manifest_touch(const struct fsroot *fr)
{
	int fd = fsroot_openat(fr, MANIFEST_PATH, O_WRONLY | O_NOCTTY | O_NONBLOCK, 0);

	if (fd < 0)
		return;
	futimens(fd, NULL);
	close(fd);
}
