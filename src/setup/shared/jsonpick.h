/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonpick.h: read members of a JSON document that json_valid accepted (jsonpick.c). */
#ifndef PASSTHRU_JSONPICK_H
#define PASSTHRU_JSONPICK_H
#include <stdbool.h>
#include <stddef.h>

/* The value of key in the object at obj, NULL when obj is no object or has no such key. */
const char *json_member(const char *obj, const char *key);
/* The i-th element of the array at arr, NULL past its end or when arr is no array. */
const char *json_element(const char *arr, size_t i);
/* The string at v, escapes undone (control characters shown as ' ' or '?'), cut to size;
 * -ENOENT when v is NULL or not a string (null). */
int json_text(const char *v, char *out, size_t size);

#endif
