/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsoncheck.h: check a JSON document before embedding it in one passthru prints. */
#ifndef PASSTHRU_JSONCHECK_H
#define PASSTHRU_JSONCHECK_H
#include <stdbool.h>

/* s is exactly one JSON value (surrounding white space allowed), its strings valid UTF-8. */
bool json_valid(const char *s);
/* p past the one JSON value that starts at p (after white space), NULL when it is not one. */
const char *json_skip(const char *p);
/* p past any JSON white space (space, tab, newline, carriage return). */
const char *json_ws(const char *p);

#endif
