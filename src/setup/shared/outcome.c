/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outcome.c: the run's journal (files, commands, command lines, words), noted where the engine acts; outcome_json.c prints it for --json. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bootcfg.h"
#include "manifest.h"
#include "outcome.h"
#include "outcome_state.h"

struct outcome_state oc = { .out_fd = -1 };

static char *dup_len(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d) {
		oc.nomem = true;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void outcome_add_line(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	char *d;

	if (grow(v, cap, *n + 1, sizeof(**v)) < 0 || !(d = dup_len(s, len))) {
		oc.nomem = true;
		return;
	}
	(*v)[(*n)++] = d;
}

/* Each whole line the run writes on stderr: an error, or a warning. */
void outcome_keep_stderr_lines(void)
{
	char *nl;

	while (oc.partial.s && (nl = memchr(oc.partial.s, '\n', oc.partial.len))) {
		size_t len = (size_t)(nl - oc.partial.s), rest = oc.partial.len - len - 1;

		if (len && !strncmp(oc.partial.s, "WARNING", 7))
			outcome_add_line(&oc.warn, &oc.nwarn, &oc.capwarn, oc.partial.s, len);
		else if (len)
			outcome_add_line(&oc.err, &oc.nerr, &oc.caperr, oc.partial.s, len);
		memmove(oc.partial.s, nl + 1, rest);
		oc.partial.len = rest;
		oc.partial.s[rest] = '\0';
	}
}

/* stderr under --json: to fd 2 as always, and kept line by line. */
static ssize_t stderr_write(void *cookie, const char *buf, size_t size)
{
	size_t off = 0;

	while (off < size) {
		ssize_t n = write(2, buf + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (oc.on) {
		sbuf_addf(&oc.partial, "%.*s", (int)size, buf);
		outcome_keep_stderr_lines();
	}
	return (ssize_t)size;
}

void outcome_begin(const char *command, const struct opts *o)
{
	static cookie_io_functions_t io = { .write = stderr_write };
	FILE *e;

	oc.command = command;
	oc.dry_run = o->dry_run;
	oc.diff = o->diff;
	if (!o->json)
		return;
	fflush(stdout);
	oc.on = true;
	/* close-on-exec: no command inherits the document's descriptor (one that stayed in the
	 * background would hold the reader's pipe open) */
	oc.out_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (oc.out_fd < 0) {
		oc.out_fd = 1;	/* no spare descriptor: the words stay on stdout, around it */
		return;
	}
	/* the human words, and every command's output, on stderr: stdout is the document's */
	dup2(2, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	e = fopencookie(NULL, "w", io);
	if (e) {
		setvbuf(e, NULL, _IONBF, 0);
		oc.real_stderr = stderr;
		stderr = e;
	}
}

bool outcome_on(void)
{
	return oc.on;
}

static struct ofile *find_file(const char *path)
{
	for (size_t i = 0; i < oc.nf; i++)
		if (!strcmp(oc.f[i].path, path))
			return &oc.f[i];
	return NULL;
}

static struct ofile *new_file(const char *path)
{
	struct ofile *f;

	if (grow(&oc.f, &oc.capf, oc.nf + 1, sizeof(*oc.f)) < 0) {
		oc.nomem = true;
		return NULL;
	}
	f = &oc.f[oc.nf];
	memset(f, 0, sizeof(*f));
	f->path = dup_len(path, strlen(path));
	if (!f->path)
		return NULL;
	oc.nf++;
	return f;
}

void outcome_file(const char *path, const char *before, size_t blen, const char *after,
		  size_t alen)
{
	struct ofile *f;

	if (!oc.on)
		return;
	f = find_file(path);
	if (f && !f->kept) {	/* noted before: its first before stays */
		free(f->after);
		f->after = NULL;
	} else if (f) {		/* kept, then written after all */
		f->kept = false;
		f->before = before ? dup_len(before, blen) : NULL;
		f->blen = blen;
	} else {
		f = new_file(path);
		if (!f)
			return;
		f->before = before ? dup_len(before, blen) : NULL;
		f->blen = blen;
	}
	f->after = after ? dup_len(after, alen) : NULL;
	f->alen = alen;
}

void outcome_file_kept(const char *path)
{
	struct ofile *f;

	if (!oc.on || find_file(path))
		return;
	f = new_file(path);
	if (f)
		f->kept = true;
}

void outcome_files_staged(const struct txn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct change *c = &t->c[i];

		outcome_file(c->path, c->old, c->oldlen, c->kind == CHANGE_DELETE ? NULL : c->new,
			     c->newlen);
	}
}

void outcome_command(const char *const argv[], bool ran, int status)
{
	struct ocmd *c;
	size_t n = 0, i;

	if (!oc.on)
		return;
	while (argv[n])
		n++;
	if (grow(&oc.c, &oc.capc, oc.nc + 1, sizeof(*oc.c)) < 0) {
		oc.nomem = true;
		return;
	}
	c = &oc.c[oc.nc];
	c->argv = calloc(n + 1, sizeof(*c->argv));
	if (!c->argv) {
		oc.nomem = true;
		return;
	}
	for (i = 0; i < n; i++)
		c->argv[i] = dup_len(argv[i], strlen(argv[i]));
	c->ran = ran;
	c->status = status;
	oc.nc++;
}

void outcome_commands(const struct cmdlist *c, bool ran)
{
	for (size_t i = 0; i < c->n; i++)
		outcome_command((const char *const *)c->argv[i], ran, 0);
}

void outcome_cmdline(const char *label, const char *line)
{
	struct oline *l = NULL;

	if (!oc.on)
		return;
	for (size_t i = 0; i < oc.nl && !l; i++)
		if (!strcmp(oc.l[i].label, label))
			l = &oc.l[i];
	if (l) {
		free(l->line);
	} else {
		if (grow(&oc.l, &oc.capl, oc.nl + 1, sizeof(*oc.l)) < 0) {
			oc.nomem = true;
			return;
		}
		l = &oc.l[oc.nl];
		l->label = dup_len(label, strlen(label));
		if (!l->label)
			return;
		oc.nl++;
	}
	l->line = dup_len(line, strlen(line));	/* NULL: out of memory, said in errors */
}

/* fmt's words in a malloc'd string, without its trailing newlines; NULL: out of memory. */
static char *vformat(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, again);
	va_end(again);
	return s;
}

static void keep_message(const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '\n')
		n--;
	if (oc.on)
		sbuf_addf(&oc.message, "%s%.*s", oc.message.len ? "\n" : "", (int)n, s);
}

void outcome_say(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (!s)
		return;
	fputs(s, stdout);
	keep_message(s);
	free(s);
}

void outcome_note(const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!oc.on)
		return;
	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (s)
		keep_message(s);
	free(s);
}

/* The file changed: it exists now and did not, or the other way round, or its bytes. */
bool outcome_file_changed(const struct ofile *f)
{
	if (f->kept || (!f->before && !f->after))
		return false;
	return !f->before || !f->after || f->blen != f->alen || memcmp(f->before, f->after, f->blen);
}

/* A file changed (but_record: other than the install record), or a command ran (would run). */
static bool changed(bool but_record)
{
	for (size_t i = 0; i < oc.nf; i++)
		if (outcome_file_changed(&oc.f[i]) && !(but_record && !strcmp(oc.f[i].path,
									   MANIFEST_PATH)))
			return true;
	for (size_t i = 0; i < oc.nc; i++)
		if (oc.c[i].ran || oc.dry_run)
			return true;
	return false;
}

bool outcome_boot_changed(void)
{
	return changed(true);
}

bool outcome_changed(void)
{
	return changed(false);
}

void outcome_free(void)
{
	for (size_t i = 0; i < oc.nf; i++) {
		free(oc.f[i].path);
		free(oc.f[i].before);
		free(oc.f[i].after);
	}
	for (size_t i = 0; i < oc.nc; i++)
		strv_free(oc.c[i].argv);
	for (size_t i = 0; i < oc.nl; i++) {
		free(oc.l[i].label);
		free(oc.l[i].line);
	}
	for (size_t i = 0; i < oc.nerr; i++)
		free(oc.err[i]);
	for (size_t i = 0; i < oc.nwarn; i++)
		free(oc.warn[i]);
	free(oc.err);
	free(oc.warn);
	free(oc.f);
	free(oc.c);
	free(oc.l);
	sbuf_free(&oc.message);
	sbuf_free(&oc.partial);
	if (oc.real_stderr) {	/* later words (main's) straight to fd 2 again */
		FILE *kept = stderr;

		stderr = oc.real_stderr;
		fclose(kept);
	}
	memset(&oc, 0, sizeof(oc));
	oc.out_fd = -1;
}
