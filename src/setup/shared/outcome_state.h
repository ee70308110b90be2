/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outcome_state.h: the journal outcome.c keeps, shared with outcome_json.c, which prints it (nothing else includes this). */
#ifndef PASSTHRU_OUTCOME_STATE_H
#define PASSTHRU_OUTCOME_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "util.h"

struct ofile {
	char *path;
	char *before, *after;	/* NULL: did not exist before / does not after */
	size_t blen, alen;
	bool kept;		/* looked at, left as it is */
};

struct ocmd {
	char **argv;
	bool ran;
	int status;
};

struct oline {
	char *label, *line;
};

struct outcome_state {
	bool on, diff, dry_run;
	const char *command;
	int out_fd;		/* the real stdout, for the document */
	struct ofile *f;
	size_t nf, capf;
	struct ocmd *c;
	size_t nc, capc;
	struct oline *l;
	size_t nl, capl;
	struct sbuf message;
	char **err, **warn;	/* lines */
	size_t nerr, caperr, nwarn, capwarn;
	struct sbuf partial;	/* stderr's line being written */
	bool nomem;		/* something could not be noted: said in errors */
	FILE *real_stderr;	/* stderr before outcome_begin replaced it */
};
extern struct outcome_state oc;

/* outcome.c */
void outcome_add_line(char ***v, size_t *n, size_t *cap, const char *s, size_t len);
void outcome_keep_stderr_lines(void);
bool outcome_file_changed(const struct ofile *f);
void outcome_free(void);

#endif
