/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.h: the rd.passthru* arguments on the kernel command line. */
#ifndef PASSTHRU_CMDLINE_H
#define PASSTHRU_CMDLINE_H
#include <stdbool.h>
#include "config.h"

struct cmdline {
	bool disabled;		/* rd.passthru=0 */
	bool dry_run;		/* rd.passthru.dry_run=1 */
	bool trial;		/* rd.passthru.trial=1: the trial boot of install --trial */
};

/* Call fn for each argument (key, value or NULL), honouring the kernel's quoting. */
int cmdline_each(const char *text, int (*fn)(const char *key, const char *val, void *ud),
		 void *ud);
/* Read our arguments; rd.passthru.device= selectors are added to c. Bad ones go to errs. */
int cmdline_parse(const char *text, struct cmdline *ret, struct config *c, struct errlist *errs);
/* The last value of key on the command line, or NULL. */
bool cmdline_get(const char *text, const char *key, char *buf, size_t size);

#endif
