/* SPDX-License-Identifier: GPL-2.0-or-later */
/* txn.c: file transactions: stage, diff, back up, replace atomically, undo on failure. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "outcome.h"
#include "setup.h"

int fault_point(const char *what)
{
	static int count;
	const char *at = getenv("PASSTHRU_FAIL_AT");

	count++;
	if (at && atoi(at) == count) {
		fprintf(stderr, "passthru-setup: (test) injected failure at file operation %d (%s)\n",
			count, what);
		return -EIO;
	}
	return 0;
}

static char *dup_bytes(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

static int stage(struct txn *t, const char *path, const char *data, size_t len, bool del)
{
	struct change *c;
	char *old = NULL;
	size_t oldlen = 0;
	int r = fsroot_read(t->root, path, &old, &oldlen);

	if (r < 0 && r != -ENOENT)
		return r;
	if (del ? !old : (old && oldlen == len && !memcmp(old, data, len))) {
		free(old);
		return 0;	/* already as intended */
	}
	if (grow(&t->c, &t->cap, t->n + 1, sizeof(*t->c)) < 0) {
		free(old);
		return -ENOMEM;
	}
	c = &t->c[t->n];
	memset(c, 0, sizeof(*c));
	if (strscpy(c->path, path, sizeof(c->path)) < 0) {
		free(old);
		return -ENAMETOOLONG;
	}
	c->kind = del ? CHANGE_DELETE : CHANGE_WRITE;
	c->old = old;
	c->oldlen = oldlen;
	if (!del) {
		c->new = dup_bytes(data, len);
		c->newlen = len;
		if (!c->new) {
			free(old);
			return -ENOMEM;
		}
	}
	t->n++;
	return 0;
}

int txn_stage(struct txn *t, const char *path, const char *data, size_t len)
{
	return stage(t, path, data, len, false);
}

int txn_stage_delete(struct txn *t, const char *path)
{
	return stage(t, path, NULL, 0, true);
}

static const struct change *find_change(const struct txn *t, const char *path)
{
	size_t i;

	for (i = t->n; i-- > 0;)
		if (!strcmp(t->c[i].path, path))
			return &t->c[i];
	return NULL;
}

int txn_read(const struct txn *t, const char *path, char **ret, size_t *len)
{
	const struct change *c = find_change(t, path);

	if (!c)
		return fsroot_read(t->root, path, ret, len);
	if (c->kind == CHANGE_DELETE)
		return -ENOENT;
	*ret = dup_bytes(c->new, c->newlen);
	if (len)
		*len = c->newlen;
	return *ret ? 0 : -ENOMEM;
}

void strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int strv_add(char ***v, size_t *n, size_t *cap, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	if (grow(v, cap, *n + 2, sizeof(**v)) < 0)
		return -ENOMEM;
	(*v)[*n] = strdup(s);
	if (!(*v)[*n])
		return -ENOMEM;
	(*v)[++*n] = NULL;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), sl = strlen(suffix);

	return l >= sl && !strcmp(s + l - sl, suffix);
}

int txn_list(const struct txn *t, const char *dir, const char *suffix, char ***ret)
{
	char **v = NULL, p[1024];
	size_t n = 0, cap = 0, dl = strlen(dir), i;
	int fd = fsroot_openat(t->root, dir, O_RDONLY | O_DIRECTORY, 0), r = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (fd >= 0 && !d)
		close(fd);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, suffix))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (fsroot_exists(t->root, p) && (r = strv_add(&v, &n, &cap, p)) < 0)
			break;
	}
	if (d)
		closedir(d);
	for (i = 0; !r && i < t->n; i++) {
		const char *cp = t->c[i].path;

		if (!strncmp(cp, dir, dl) && cp[dl] == '/' && !strchr(cp + dl + 1, '/') &&
		    cp[dl + 1] != '.' && ends_with(cp, suffix))
			r = strv_add(&v, &n, &cap, cp);
	}
	/* staged deletions are gone */
	for (i = 0; !r && i < n;) {
		const struct change *c = find_change(t, v[i]);

		if (c && c->kind == CHANGE_DELETE) {
			free(v[i]);
			memmove(&v[i], &v[i + 1], (n - i) * sizeof(*v));
			n--;
		} else {
			i++;
		}
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	return 0;
}

size_t txn_count(const struct txn *t)
{
	return t->n;
}

static int write_tmp(const char *dir, const char *name, const char *data, size_t len,
		     char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* Each line of text (len bytes) with the mark in front, for whole_diff. */
static size_t mark_lines(FILE *out, char mark, const char *text, size_t len, bool print)
{
	size_t n = 0, i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - text - i) : len - i;

		if (print)
			fprintf(out, "%c%.*s\n", mark, (int)l, text + i);
		i += l + 1;
		n++;
	}
	return n;
}

/* Without diff(1) (diffutils missing): the change as one hunk that takes out every old line
 * and puts in every new one, still a unified diff that patch(1) applies. */
static void whole_diff(FILE *out, const char *la, const char *lb, const struct change *c)
{
	size_t ol = c->old ? c->oldlen : 0, nl = c->new ? c->newlen : 0;
	size_t on = mark_lines(out, '-', c->old, ol, false), nn = mark_lines(out, '+', c->new, nl,
									       false);

	if (ol == nl && (!ol || !memcmp(c->old, c->new, ol)))
		return;
	fprintf(out, "--- %s\n+++ %s\n@@ -%zu,%zu +%zu,%zu @@\n", la, lb, on ? (size_t)1 : 0, on,
		nn ? (size_t)1 : 0, nn);
	mark_lines(out, '-', c->old, ol, true);
	mark_lines(out, '+', c->new, nl, true);
}

void txn_diff(const struct txn *t, FILE *out)
{
	char dir[] = "/tmp/passthru-diff.XXXXXX", a[600], b[600], la[600], lb[600];
	bool said = false;
	size_t i;

	if (!mkdtemp(dir))
		return;
	for (i = 0; i < t->n; i++) {
		const struct change *c = &t->c[i];
		pid_t pid;

		if (write_tmp(dir, "a", c->old ? c->old : "", c->old ? c->oldlen : 0, a,
			      sizeof(a)) < 0 ||
		    write_tmp(dir, "b", c->new ? c->new : "", c->new ? c->newlen : 0, b,
			      sizeof(b)) < 0)
			break;
		snprintf(la, sizeof(la), "%s%s", c->old ? "a" : "/dev/null (new) ", c->path);
		snprintf(lb, sizeof(lb), "%s%s", c->kind == CHANGE_DELETE ? "/dev/null (removed) " :
			 "b", c->path);
		fflush(out);
		pid = fork();
		if (pid == 0) {
			dup2(fileno(out), 1);
			execlp("diff", "diff", "-u", "--label", la, "--label", lb, a, b, (char *)NULL);
			_exit(127);
		}
		if (pid > 0) {
			int st = 0;

			waitpid(pid, &st, 0);
			if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
				if (!said)
					fprintf(stderr, "passthru-setup: diff (diffutils) is not "
						"installed: each changed file is shown whole instead, "
						"its old lines with '-', its new ones with '+'\n");
				said = true;
				whole_diff(out, la, lb, c);
			}
		}
	}
	unlink(a);
	unlink(b);
	rmdir(dir);
}

/* Write data to path: temporary file, fsync, rename over, fsync the folder. */
int fsroot_replace(const struct fsroot *r, const char *path, const char *data, size_t len)
{
	const char *base;
	char tmp[600];
	int dfd, fd, err = 0;
	size_t off = 0;

	dfd = fsroot_parent(r, path, true, &base);
	if (dfd < 0)
		return dfd;
	/* an O_PATH fd cannot be fsync'ed: reopen the folder for reading */
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return -errno;
	dfd = fd;
	snprintf(tmp, sizeof(tmp), ".%s.passthru-tmp", base);
	/* grub-mkconfig runs only the executable scripts of /etc/grub.d (install --trial's) */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    strncmp(path, "/etc/grub.d/", 12) ? 0644 : 0755);
	if (fd < 0) {
		err = -errno;
		close(dfd);
		return err;
	}
	err = fault_point("write");
	while (!err && off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		else
			off += (size_t)n;
	}
	if (!err)
		err = fault_point("fsync");
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err)
		err = fault_point("rename");
	if (!err && renameat(dfd, tmp, dfd, base) < 0)
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);
	close(dfd);
	return err;
}

static int apply(const struct fsroot *r, const struct change *c)
{
	int err;

	if (c->kind == CHANGE_WRITE)
		return fsroot_replace(r, c->path, c->new, c->newlen);
	err = fault_point("unlink");
	return err ? err : fsroot_unlink(r, c->path);
}

int txn_commit(struct txn *t, const char *backup_dir, char *err, size_t errsize)
{
	size_t i, j;
	int r = 0;

	for (i = 0; i < t->n; i++) {
		struct change *c = &t->c[i];

		if (c->old && backup_dir && !c->no_backup) {
			char bak[1100];

			snprintf(bak, sizeof(bak), "%s%s", backup_dir, c->path);
			r = fsroot_replace(t->root, bak, c->old, c->oldlen);
			if (r < 0) {
				snprintf(err, errsize, "cannot back up %s to %s: %s", c->path, bak,
					 strerror(-r));
				break;
			}
		}
		r = apply(t->root, c);
		if (r < 0) {
			snprintf(err, errsize, "cannot %s %s: %s", c->kind == CHANGE_WRITE ?
				 "write" : "remove", c->path, strerror(-r));
			break;
		}
		c->done = true;
	}
	if (!r) {
		for (i = 0; i < t->n; i++)
			outcome_file(t->c[i].path, t->c[i].old, t->c[i].oldlen,
				     t->c[i].kind == CHANGE_WRITE ? t->c[i].new : NULL,
				     t->c[i].newlen);
		return 0;
	}
	/* undo: every file goes back to what it was */
	if (i) {
		size_t n = strlen(err);

		snprintf(err + n, errsize - n, "; undone:");
	}
	for (j = 0; j < i; j++) {
		struct change *c = &t->c[j];
		int u = c->old ? fsroot_replace(t->root, c->path, c->old, c->oldlen) :
				 fsroot_unlink(t->root, c->path);
		size_t n = strlen(err);

		snprintf(err + n, errsize - n, " %s %s%s", c->path,
			 u < 0 ? "COULD NOT BE RESTORED" : "restored", j + 1 < i ? "," : "");
	}
	if (!i) {
		size_t n = strlen(err);

		snprintf(err + n, errsize - n, "; no file was changed");
	}
	return r;
}

int txn_undo(const struct txn *t, const char *backup_dir)
{
	int ret = 0;

	for (size_t i = t->n; i-- > 0;) {
		const struct change *c = &t->c[i];
		int r = c->old ? fsroot_replace(t->root, c->path, c->old, c->oldlen) :
				 fsroot_unlink(t->root, c->path);

		if (r == -ENOENT && !c->old)
			r = 0;
		if (r < 0) {
			fprintf(stderr, "passthru-setup: %s COULD NOT BE PUT BACK: %s\n", c->path,
				strerror(-r));
			ret = r;
			continue;
		}
		printf("%s %s\n", c->old ? "put back" : "removed", c->path);
		/* the backup this commit made (a file passthru had not touched before) */
		if (c->old && backup_dir && !c->no_backup) {
			char bak[1100];

			snprintf(bak, sizeof(bak), "%s%s", backup_dir, c->path);
			fsroot_unlink(t->root, bak);
		}
	}
	return ret;
}

void txn_free(struct txn *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->c[i].old);
		free(t->c[i].new);
	}
	free(t->c);
	t->c = NULL;
	t->n = t->cap = 0;
}
