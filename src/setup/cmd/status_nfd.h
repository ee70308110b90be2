/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status_nfd.h: status --nfd: the judge's verdict as Node Feature Discovery feature lines. */
#ifndef PASSTHRU_STATUS_NFD_H
#define PASSTHRU_STATUS_NFD_H
#include <stdio.h>

struct judgement;

/* The feature lines for the judged host (NULL: the host view could not be read). */
void status_print_nfd(const struct judgement *j, FILE *f);

#endif
