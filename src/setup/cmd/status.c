/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.c: passthru-setup status: is this host ready, what drifted, and what to do. */
#include <stdio.h>
#include <stdlib.h>
#include "cmd.h"
#include "judge.h"
#include "status_nfd.h"
#include "status_print.h"

int cmd_status(struct opts *o)
{
	struct judgement *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return 1;
	if (judge_host(o, j) < 0) {
		if (o->json)
			status_print_no_host_json(stdout);
		if (o->nfd)
			status_print_nfd(NULL, stdout);
		free(j);
		return 1;
	}
	if (o->nfd)	/* the verdict is in the lines: exit 0 once they are printed */
		status_print_nfd(j, stdout);
	else if (o->json)
		status_print_json(j, stdout);
	else
		status_print_human(j, o->verbose, stdout);
	ret = j->ready || o->nfd ? 0 : 1;
	judgement_free(j);
	free(j);
	return ret;
}
