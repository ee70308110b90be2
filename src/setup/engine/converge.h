/* SPDX-License-Identifier: GPL-2.0-or-later */
/* converge.h: the converge engine: bring a root to the config (install) or to nothing (uninstall). */
#ifndef PASSTHRU_CONVERGE_H
#define PASSTHRU_CONVERGE_H
#include "bootcfg.h"
#include "manifest.h"
#include "setup.h"

/* How long install and uninstall wait for another one on the same root. */
#define LOCK_SECONDS 5

/* What both directions work on: the root, its install record, the staged files, and the
 * context each boot configuration gets. */
struct converging {
	struct fsroot fr;
	struct manifest m;
	struct txn t;
	struct bootctx ctx;
};
/* Open o->root and tie the context to it, for the arguments e (dropped: where the
 * contradicting ones replaced are noted, or NULL): 0, or 1 after saying why. */
int converging_open(struct converging *cv, const struct opts *o, const struct kargs_edit *e,
		    struct sbuf *dropped);
void converging_close(struct converging *cv);

/*
 * converge.c: config -> devices -> generator and claimer -> boot configurations -> stage every
 * edit -> check the effective command lines -> commit -> commands -> the record -> check
 * again. o->trial: a one-time trial entry instead; o->confirming: only while the trial the
 * record names is still pending. Says what it does; returns the exit code (0, 1, 2).
 */
int converge_to_config(const struct opts *o);
/* converge_none.c: remove exactly what the record says install added; the exit code. */
int converge_to_nothing(const struct opts *o);

#endif
