/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logins.h: a login session on this boot, the proof confirm waits for (logins.c). */
#ifndef PASSTHRU_LOGINS_H
#define PASSTHRU_LOGINS_H
#include <stddef.h>
#include "root.h"

/* A person's login session under the host view sr: logind's session files under
 * run/systemd/sessions (class user, on a seat, a terminal or a display, or remote), else a
 * USER_PROCESS entry in run/utmp (systems without logind). 1 and its description in who,
 * 0 none, or -errno. */
int login_session_find(const struct root *sr, char *who, size_t size);

#endif
