/* status.c: passthru-setup status: is this host ready, what drifted, and what to do. */
#include <stdio.h>
#include <stdlib.h>
#include "cmd.h"
#include "judge.h"
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
		free(j);
		return 1;
	}
	if (o->json)
		status_print_json(j, stdout);
	else
		status_print_human(j, o->verbose, stdout);
	ret = j->ready ? 0 : 1;
	judgement_free(j);
	free(j);
	return ret;
}
