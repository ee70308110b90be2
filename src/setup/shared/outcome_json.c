/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outcome_json.c: the run's journal (outcome.c) as one JSON document: --json of install, uninstall and confirm. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "outcome.h"
#include "outcome_state.h"
#include "report.h"

/* Base64 (RFC 4648) of the len bytes at s, as a JSON string. */
static void json_base64(struct sbuf *b, const unsigned char *s, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[5] = "";

	sbuf_add(b, "\"");
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < len ? s[i + 2] : 0);

		q[0] = a[v >> 18 & 63];
		q[1] = a[v >> 12 & 63];
		q[2] = i + 1 < len ? a[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? a[v & 63] : '=';
		sbuf_add(b, q);
	}
	sbuf_add(b, "\"");
}

/* "name": the bytes as text (null: absent), and "name_base64" when they are not UTF-8. */
static void json_bytes(struct sbuf *b, const char *name, const char *s, size_t len)
{
	sbuf_addf(b, ", \"%s\": ", name);
	if (!s) {
		sbuf_add(b, "null");
		return;
	}
	json_strn(b, s, len);
	if (!utf8_valid_bytes(s, len)) {
		sbuf_addf(b, ", \"%s_base64\": ", name);
		json_base64(b, (const unsigned char *)s, len);
	}
}

static void json_files(struct sbuf *b)
{
	sbuf_add(b, "  \"files\": [");
	for (size_t i = 0; i < oc.nf; i++) {
		const struct ofile *f = &oc.f[i];
		const char *action = !outcome_file_changed(f) ? "kept" : !f->after ? "removed" :
				     !f->before ? "created" : "updated";

		sbuf_add(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		json_strn(b, f->path, strlen(f->path));
		if (!utf8_valid_bytes(f->path, strlen(f->path))) {
			sbuf_add(b, ", \"path_base64\": ");
			json_base64(b, (const unsigned char *)f->path, strlen(f->path));
		}
		sbuf_addf(b, ", \"action\": \"%s\"", action);
		if (oc.diff && !f->kept) {
			json_bytes(b, "before", f->before, f->blen);
			json_bytes(b, "after", f->after, f->alen);
		}
		sbuf_add(b, "}");
	}
	sbuf_add(b, oc.nf ? "\n  ],\n" : "],\n");
}

static void json_commands(struct sbuf *b)
{
	sbuf_add(b, "  \"commands\": [");
	for (size_t i = 0; i < oc.nc; i++) {
		sbuf_add(b, i ? ",\n    {\"argv\": [" : "\n    {\"argv\": [");
		for (size_t j = 0; oc.c[i].argv[j]; j++) {
			sbuf_add(b, j ? ", " : "");
			json_strn(b, oc.c[i].argv[j], strlen(oc.c[i].argv[j]));
		}
		sbuf_addf(b, "], \"ran\": %s", oc.c[i].ran ? "true" : "false");
		if (oc.c[i].ran)
			sbuf_addf(b, ", \"exit_status\": %d", oc.c[i].status);
		sbuf_add(b, "}");
	}
	sbuf_add(b, oc.nc ? "\n  ],\n  \"kernel_cmdlines\": [" : "],\n  \"kernel_cmdlines\": [");
	for (size_t i = 0; i < oc.nl; i++) {
		sbuf_add(b, i ? ",\n    {\"label\": " : "\n    {\"label\": ");
		json_strn(b, oc.l[i].label, strlen(oc.l[i].label));
		sbuf_add(b, ", \"line\": ");
		json_strn(b, oc.l[i].line ? oc.l[i].line : "", oc.l[i].line ? strlen(oc.l[i].line) : 0);
		sbuf_add(b, "}");
	}
	sbuf_add(b, oc.nl ? "\n  ],\n" : "],\n");
}

static void json_lines(struct sbuf *b, const char *name, char **v, size_t n)
{
	sbuf_addf(b, "  \"%s\": [", name);
	for (size_t i = 0; i < n; i++) {
		sbuf_add(b, i ? ",\n    " : "\n    ");
		json_strn(b, v[i], strlen(v[i]));
	}
	sbuf_add(b, n ? "\n  ]" : "]");
}

/* The document: what the run did (or would), the verdict, the words. */
static void document(struct sbuf *b, int ret, bool reboot_required)
{
	const char *msg = oc.message.s;

	sbuf_addf(b, "{\n  \"version\": 1,\n  \"command\": \"%s\",\n  \"dry_run\": %s,\n"
		  "  \"changed\": %s,\n  \"reboot_required\": %s,\n  \"exit_code\": %d,\n",
		  oc.command, oc.dry_run ? "true" : "false", outcome_changed() ? "true" : "false",
		  reboot_required ? "true" : "false", ret);
	json_files(b);
	json_commands(b);
	/* a run that failed before it concluded: its first error says why */
	if (!msg && oc.nerr)
		msg = oc.err[0];
	sbuf_add(b, "  \"message\": ");
	json_strn(b, msg ? msg : "", msg ? strlen(msg) : 0);
	sbuf_add(b, ",\n");
	json_lines(b, "errors", oc.err, oc.nerr);
	sbuf_add(b, ",\n");
	json_lines(b, "warnings", oc.warn, oc.nwarn);
	sbuf_add(b, "\n}\n");
}

int outcome_end(int ret, bool reboot_required)
{
	static const char nomem[] = "passthru-setup: out of memory while noting what the run "
				    "did: this document is incomplete";
	struct sbuf b = { 0 };
	size_t off = 0;
	int fd = oc.out_fd;

	if (!oc.on)
		return ret;
	fflush(stdout);
	if (oc.partial.len)	/* a last line without its newline */
		sbuf_add(&oc.partial, "\n"), outcome_keep_stderr_lines();
	if (oc.nomem)
		outcome_add_line(&oc.err, &oc.nerr, &oc.caperr, nomem, strlen(nomem));
	document(&b, ret, reboot_required);
	while (!b.err && off < b.len) {
		ssize_t n = write(fd, b.s + off, b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (b.err || off < b.len) {
		fprintf(stderr, "passthru-setup: cannot write the JSON document: %s\n",
			b.err ? "out of memory" : strerror(errno));
		ret = ret ? ret : 1;
	}
	sbuf_free(&b);
	if (fd != 1)
		close(fd);
	outcome_free();
	return ret;
}

void outcome_usage_json(const char *command, const char *msg, FILE *f)
{
	struct sbuf b = { 0 };

	oc.command = command;
	outcome_add_line(&oc.err, &oc.nerr, &oc.caperr, msg, strlen(msg));
	document(&b, 2, false);
	fputs(b.s ? b.s : "", f);
	sbuf_free(&b);
	outcome_free();
}
