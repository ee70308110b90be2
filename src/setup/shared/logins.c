/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logins.c: is there a login session on this boot (logind's session files, else utmp): a person can use the machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utmpx.h>
#include "logins.h"

struct found {
	const struct root *sr;
	char *who;
	size_t size;
};

/* The value of KEY= in a logind session file (text, NUL-terminated), "" when absent. */
static void field(const char *text, const char *key, char *out, size_t size)
{
	size_t n = strlen(key);
	const char *p;

	out[0] = '\0';
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, n) && p[n] == '=') {
			size_t len = strcspn(p + n + 1, "\n");

			snprintf(out, size, "%.*s", (int)len, p + n + 1);
			return;
		}
	}
}

/*
 * One of logind's /run/systemd/sessions/ID files (the session's state, written by logind for
 * every session pam_systemd opened). A person's session: class "user" (not a display manager's
 * greeter, a lock screen, a background or a user manager's session), not closing, and on a
 * seat, a terminal or a graphical display, or a remote login (ssh).
 */
static int one_session(const char *name, void *ud)
{
	struct found *f = ud;
	char rel[300], *text = NULL, cls[32], type[32], state[32], seat[64], remote[8], user[64],
	     tty[64];

	if (strchr(name, '.'))	/* ID.ref: the session's FIFO */
		return 0;
	snprintf(rel, sizeof(rel), "run/systemd/sessions/%s", name);
	if (root_slurp(f->sr, rel, &text, NULL) < 0)
		return 0;	/* gone meanwhile (logged out), or unreadable: not a session */
	field(text, "CLASS", cls, sizeof(cls));
	field(text, "TYPE", type, sizeof(type));
	field(text, "STATE", state, sizeof(state));
	field(text, "SEAT", seat, sizeof(seat));
	field(text, "REMOTE", remote, sizeof(remote));
	field(text, "USER", user, sizeof(user));
	field(text, "TTY", tty, sizeof(tty));
	free(text);
	if (strcmp(cls, "user") || !strcmp(state, "closing"))
		return 0;
	if (!seat[0] && strcmp(remote, "1") && strcmp(type, "tty") && strcmp(type, "x11") &&
	    strcmp(type, "wayland") && strcmp(type, "mir"))
		return 0;
	snprintf(f->who, f->size, "logind session %s: user %s, %s%s%s%s", name,
		 user[0] ? user : "?", !strcmp(remote, "1") ? "remote, " : "",
		 type[0] ? type : "unspecified", seat[0] ? " on " : tty[0] ? " on " : "",
		 seat[0] ? seat : tty);
	return 1;
}

/* utmp (/run/utmp): login(1), getty's autologin, sshd and display managers record each login
 * there as a USER_PROCESS entry, with or without logind. /run is new at every boot. */
static int utmp_find(const struct root *sr, char *who, size_t size)
{
	struct utmpx u;
	char *data = NULL;
	size_t len = 0, off;
	int r = root_slurp(sr, "run/utmp", &data, &len);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (off = 0, r = 0; off + sizeof(u) <= len && !r; off += sizeof(u)) {
		memcpy(&u, data + off, sizeof(u));
		if (u.ut_type != USER_PROCESS || !u.ut_user[0])
			continue;
		snprintf(who, size, "utmp: user %.*s on %.*s%s%.*s", (int)sizeof(u.ut_user),
			 u.ut_user, (int)sizeof(u.ut_line), u.ut_line, u.ut_host[0] ? " from " : "",
			 (int)sizeof(u.ut_host), u.ut_host);
		r = 1;
	}
	free(data);
	return r;
}

int login_session_find(const struct root *sr, char *who, size_t size)
{
	struct found f = { sr, who, size };
	int r = root_each(sr, "run/systemd/sessions", one_session, &f);

	if (r == 1)
		return 1;
	if (r < 0 && r != -ENOENT && r != -ENOTDIR)
		return r;
	return utmp_find(sr, who, size);
}
