/* converge.h: the converge engine: bring a root to the config (install) or to nothing (uninstall). */
#ifndef PASSTHRU_CONVERGE_H
#define PASSTHRU_CONVERGE_H
#include "setup.h"

/* How long install and uninstall wait for another one on the same root. */
#define LOCK_SECONDS 5

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
