/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watchdog.h: the claim runs in a child; the parent waits a bounded time, so boot goes on. */
#ifndef PASSTHRU_WATCHDOG_H
#define PASSTHRU_WATCHDOG_H
#include <stdbool.h>
#include <sys/types.h>
#include "claim.h"
#include "plan.h"

struct watchdog {
	int fd;			/* child: write end; parent: read end */
	pid_t child;
	bool parent_gone;	/* child: the parent stopped waiting */
	size_t step_idx;	/* parent: the entry of the last step, or CLAIM_NO_ENTRY */
	char step[CLAIM_STEP_LEN];	/* parent: the last step the child began */
	int signal;		/* parent: what killed the child, with -ECHILD */
};

/* Fork: returns 0 in the child, 1 in the parent, -errno (no child) on failure. */
int watchdog_fork(struct watchdog *w);
/* Child: tell the parent what is about to be written. */
void watchdog_step(struct watchdog *w, size_t idx, const char *what);
/* Child: send a finished unit's entries; false once the parent has given up. */
bool watchdog_unit_done(struct watchdog *w, const struct plan *p, const size_t *mem,
			size_t nmem);
/*
 * Parent: wait at most timeout_s seconds. The child's exit code (>= 0) if it finished;
 * -ETIMEDOUT if not, or -ECHILD if it died without its report (w->signal), with the
 * finished units' entries copied into p and w->step set.
 */
int watchdog_wait(struct watchdog *w, struct plan *p, int timeout_s);

#endif
