/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal.c: the intent journal (/var/lib/passthru/journal): written before a run changes a file, read by the next run to undo an interrupted one (docs/decisions.md "Power cuts"). */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "journal.h"

#define MAGIC "passthru-setup journal 1\n"
#define MAX_DIRS 64

/* A growing byte buffer: the journal holds files' bytes as they are. */
struct jbuf {
	char *s;
	size_t len, cap;
	bool err;
};

static void put(struct jbuf *b, const void *p, size_t n)
{
	if (b->err || grow(&b->s, &b->cap, b->len + n + 1, 1) < 0) {
		b->err = true;
		return;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void putf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct jbuf *b, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		b->err = true;
	else
		put(b, line, (size_t)n);
}

/* What a journal says, read back; the files' bytes point into text. */
struct journal {
	char *text;
	char op[16];
	bool committed;
	struct jfile {
		const char *path;	/* NUL-terminated in text */
		const char *old;	/* NULL: the file did not exist */
		size_t len;
	} *f;
	size_t nf, cap;
	char dirs[MAX_DIRS][512];
	size_t nd;
	struct cmdlist cmds;
};

/* The folders on the way to path that do not exist, parents first, once each. */
static void note_missing(const struct fsroot *fr, const char *path, char (*dirs)[512], size_t *nd)
{
	char p[512];

	if (strscpy(p, path, sizeof(p)) < 0)
		return;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		size_t i;

		*s = '\0';
		for (i = 0; i < *nd && strcmp(dirs[i], p); i++)
			;
		if (i == *nd && *nd < MAX_DIRS && !fsroot_exists(fr, p))
			strscpy(dirs[(*nd)++], p, sizeof(dirs[0]));
		*s = '/';
	}
}

static void put_file(struct jbuf *b, const char *path, const char *old, size_t len)
{
	if (!old) {
		putf(b, "file %s -\n", path);
		return;
	}
	putf(b, "file %s %zu\n", path, len);
	put(b, old, len);
	put(b, "\n", 1);
}

/* The journal of t before it commits: every file it writes or deletes (and each backup it
 * makes) with its content now, and the folders the writes will make. */
static int write_begun(struct txn *t, const char *op, const char *backup_dir)
{
	static char dirs[MAX_DIRS][512];
	struct jbuf b = { 0 };
	size_t nd = 0, i;
	char bak[1100];
	int r;

	note_missing(t->root, JOURNAL_PATH, dirs, &nd);
	for (i = 0; i < t->n; i++) {
		const struct change *c = &t->c[i];

		if (c->kind == CHANGE_WRITE)
			note_missing(t->root, c->path, dirs, &nd);
		if (c->old && backup_dir && !c->no_backup) {
			snprintf(bak, sizeof(bak), "%s%s", backup_dir, c->path);
			note_missing(t->root, bak, dirs, &nd);
		}
	}
	put(&b, MAGIC, strlen(MAGIC));
	putf(&b, "op %s\nstate begun\n", op);
	for (i = 0; i < nd; i++)
		putf(&b, "dir %s\n", dirs[i]);
	for (i = 0; i < t->n; i++) {
		const struct change *c = &t->c[i];

		if (c->old && backup_dir && !c->no_backup) {
			char *cur = NULL;
			size_t len = 0;

			snprintf(bak, sizeof(bak), "%s%s", backup_dir, c->path);
			r = fsroot_read(t->root, bak, &cur, &len);
			if (r < 0 && r != -ENOENT) {
				free(b.s);
				return r;
			}
			put_file(&b, bak, cur, len);
			free(cur);
		}
		put_file(&b, c->path, c->old, c->oldlen);
	}
	put(&b, "end\n", 4);
	r = b.err ? -ENOMEM : fsroot_replace(t->root, JOURNAL_PATH, b.s, b.len);
	free(b.s);
	return r;
}

/* Read the journal: 0, -ENOENT (none), -EBADMSG (not one this version wrote whole). */
static int parse(const struct fsroot *fr, struct journal *j)
{
	size_t len = 0, off;
	int r = fsroot_read(fr, JOURNAL_PATH, &j->text, &len);

	if (r < 0)
		return r;
	if (len < strlen(MAGIC) || memcmp(j->text, MAGIC, strlen(MAGIC)))
		return -EBADMSG;
	for (off = strlen(MAGIC); off < len;) {
		char *line = j->text + off, *nl = memchr(line, '\n', len - off), *sp;

		if (!nl)
			return -EBADMSG;
		*nl = '\0';
		off = (size_t)(nl - j->text) + 1;
		if (!strcmp(line, "end"))
			return 0;
		if (!strncmp(line, "op ", 3)) {
			strscpy(j->op, line + 3, sizeof(j->op));
		} else if (!strcmp(line, "state committed")) {
			j->committed = true;
		} else if (!strncmp(line, "dir ", 4) || !strncmp(line, "rmdir ", 6)) {
			if (j->nd < MAX_DIRS)
				strscpy(j->dirs[j->nd++], strchr(line, ' ') + 1, sizeof(j->dirs[0]));
		} else if (!strncmp(line, "run\t", 4)) {
			const char *argv[8] = { 0 };
			size_t n = 0;

			for (char *a = line + 4, *tab; a && n < 7; a = tab ? tab + 1 : NULL) {
				tab = strchr(a, '\t');
				if (tab)
					*tab = '\0';
				argv[n++] = a;
			}
			if (cmdlist_add(&j->cmds, argv) < 0)
				return -ENOMEM;
		} else if (!strncmp(line, "file ", 5) && (sp = strrchr(line + 5, ' '))) {
			struct jfile *f;

			*sp = '\0';
			if (grow(&j->f, &j->cap, j->nf + 1, sizeof(*j->f)) < 0)
				return -ENOMEM;
			f = &j->f[j->nf++];
			f->path = line + 5;
			f->old = NULL;
			if (strcmp(sp + 1, "-")) {
				f->len = strtoul(sp + 1, NULL, 10);
				if (f->len + 1 > len - off || j->text[off + f->len] != '\n')
					return -EBADMSG;
				f->old = j->text + off;
				off += f->len + 1;
			}
		} else if (strcmp(line, "state begun")) {
			return -EBADMSG;
		}
	}
	return -EBADMSG;	/* no "end": never written whole */
}

static void journal_free(struct journal *j)
{
	cmdlist_free(&j->cmds);
	free(j->f);
	free(j->text);
}

static void remove_dirs(const struct fsroot *fr, const char (*dirs)[512], size_t nd)
{
	for (size_t i = nd; i-- > 0;) {
		const char *base;
		int fd = fsroot_parent(fr, dirs[i], false, &base);

		if (fd < 0)
			continue;
		unlinkat(fd, base, AT_REMOVEDIR);	/* fails, as it should, when not empty */
		close(fd);
	}
}

/* The temporary file fsroot_replace writes beside path, gone. */
static void remove_tmp(const struct fsroot *fr, const char *path)
{
	const char *base = strrchr(path, '/');
	char tmp[600];

	if (!base)
		return;
	snprintf(tmp, sizeof(tmp), "%.*s/.%s.passthru-tmp", (int)(base - path), path, base + 1);
	fsroot_unlink(fr, tmp);
}

/* Every file of a begun journal as it was before, last first; said in *said. */
static int undo(const struct fsroot *fr, const struct journal *j, struct sbuf *said)
{
	int ret = 0;

	for (size_t i = j->nf; i-- > 0;) {
		const struct jfile *f = &j->f[i];
		char *cur = NULL;
		size_t len = 0;
		int r = fsroot_read(fr, f->path, &cur, &len);

		remove_tmp(fr, f->path);
		if (!f->old && r == 0)
			r = fsroot_unlink(fr, f->path);
		else if (f->old && (r < 0 || len != f->len || memcmp(cur, f->old, len)))
			r = fsroot_replace(fr, f->path, f->old, f->len);
		else
			r = 1;	/* as it was */
		free(cur);
		if (r == 0)
			sbuf_addf(said, "%s %s %s", said->len ? "," : "", f->old ? "restored" :
				  "removed", f->path);
		if (r < 0 && r != -ENOENT) {
			sbuf_addf(said, "%s %s COULD NOT BE RESTORED (%s)", said->len ? "," : "",
				  f->path, strerror(-r));
			ret = r;
		}
	}
	remove_dirs(fr, (const char (*)[512])j->dirs, j->nd);
	return ret;
}

int journal_commit_txn(struct txn *t, const char *op, const char *backup_dir, char *err,
		       size_t errsize)
{
	struct journal j = { 0 };
	int r;

	if (!t->n)
		return 0;
	r = write_begun(t, op, backup_dir);
	if (r < 0) {
		snprintf(err, errsize, "cannot write %s (what is about to change, for the run after "
			 "a power cut): %s; no file was changed", JOURNAL_PATH, strerror(-r));
		fsroot_unlink(t->root, JOURNAL_PATH);
		journal_end(t->root, NULL, 0);
		return r;
	}
	r = txn_commit(t, backup_dir, err, errsize);
	if (r < 0) {
		/* txn_commit undid its files; the folders and the journal go too */
		if (parse(t->root, &j) == 0) {
			struct sbuf said = { 0 };

			undo(t->root, &j, &said);
			sbuf_free(&said);
		}
		journal_end(t->root, (const char (*)[512])j.dirs, j.nd);
		journal_free(&j);
	}
	return r;
}

int journal_committed(const struct fsroot *fr, const char *op, const char (*dirs)[512],
		      size_t ndirs, const struct cmdlist *cmds)
{
	struct jbuf b = { 0 };
	size_t i, k;
	int r;

	put(&b, MAGIC, strlen(MAGIC));
	putf(&b, "op %s\nstate committed\n", op);
	for (i = 0; i < ndirs; i++)
		putf(&b, "rmdir %s\n", dirs[i]);
	for (i = 0; cmds && i < cmds->n; i++) {
		put(&b, "run", 3);
		for (k = 0; cmds->argv[i][k]; k++)
			putf(&b, "\t%s", cmds->argv[i][k]);
		put(&b, "\n", 1);
	}
	put(&b, "end\n", 4);
	r = b.err ? -ENOMEM : fsroot_replace(fr, JOURNAL_PATH, b.s, b.len);
	free(b.s);
	return r;
}

void journal_end(const struct fsroot *fr, const char (*dirs)[512], size_t ndirs)
{
	static const char own[1][512] = { JOURNAL_DIR };
	struct journal j = { 0 };
	const char *base;
	int fd;

	/* a committed journal's folders: some held the journal, they go once it is gone */
	if (parse(fr, &j) < 0 || !j.committed)
		j.nd = 0;
	fsroot_unlink(fr, JOURNAL_PATH);
	fd = fsroot_parent(fr, JOURNAL_PATH, false, &base);
	if (fd >= 0) {
		int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (d >= 0) {
			fsync(d);	/* the journal's removal is on disk before anything after */
			close(d);
		}
		close(fd);
	}
	remove_tmp(fr, JOURNAL_PATH);
	remove_dirs(fr, dirs, ndirs);
	remove_dirs(fr, (const char (*)[512])j.dirs, j.nd);
	remove_dirs(fr, own, 1);	/* passthru's own folder, when nothing is left in it */
	journal_free(&j);
}

int journal_recover(const struct fsroot *fr, bool dry, struct cmdlist *pending)
{
	struct journal j = { 0 };
	int r = parse(fr, &j);

	if (r == -ENOENT && !dry)
		journal_end(fr, NULL, 0);	/* a journal's temporary file, an empty folder */
	if (r == -ENOENT) {
		journal_free(&j);
		return 0;
	}
	if (r == -EBADMSG) {
		fprintf(stderr, "passthru-setup: %s is not a journal this passthru-setup wrote "
			"whole: look at it, put back what it lists by hand, and remove it; nothing "
			"was changed\n", JOURNAL_PATH);
		journal_free(&j);
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s (what an interrupted run changed): "
			"%s; nothing was changed\n", JOURNAL_PATH, strerror(-r));
		journal_free(&j);
		return r;
	}
	if (dry) {
		r = j.committed ? 2 : 1;
		printf("an earlier passthru-setup %s was interrupted (a power cut or a kill) before "
		       "it finished; this dry run shows what a real run does after %s it\n",
		       j.op, j.committed ? "finishing" : "undoing");
		journal_free(&j);
		return r;
	}
	if (j.committed) {
		printf("an earlier passthru-setup %s was interrupted (a power cut or a kill) after "
		       "its files were changed: finishing it\n", j.op);
		remove_dirs(fr, (const char (*)[512])j.dirs, j.nd);
		for (size_t i = 0; pending && i < j.cmds.n; i++)
			if (cmdlist_add(pending, (const char *const *)j.cmds.argv[i]) < 0)
				r = -ENOMEM;
		journal_free(&j);
		return r < 0 ? r : 2;
	}
	{
		struct sbuf said = { 0 };

		r = undo(fr, &j, &said);
		printf("an earlier passthru-setup %s was interrupted (a power cut or a kill) before "
		       "it finished: %s%s\n", j.op, r < 0 ? "it could not be undone:" :
		       said.s ? "undone, every file as before it:" : "it had changed no file yet",
		       said.s ? said.s : "");
		sbuf_free(&said);
	}
	if (r < 0) {
		fprintf(stderr, "passthru-setup: %s stays (what the interrupted run changed); fix the "
			"cause above and run this again\n", JOURNAL_PATH);
		journal_free(&j);
		return r;
	}
	journal_end(fr, (const char (*)[512])j.dirs, j.nd);
	journal_free(&j);
	return 1;
}

int journal_describe(const struct fsroot *fr, char *op, size_t size, bool *committed)
{
	struct journal j = { 0 };
	int r = parse(fr, &j);

	if (r == -ENOENT) {
		journal_free(&j);
		return 0;
	}
	strscpy(op, r == 0 ? j.op : "install or uninstall", size);
	*committed = r == 0 && j.committed;
	journal_free(&j);
	return 1;
}
