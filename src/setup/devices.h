/* devices.h: the devices install is asked for (devices.c). */
#ifndef PASSTHRU_DEVICES_H
#define PASSTHRU_DEVICES_H
#include "config.h"
#include "setup.h"

/*
 * Merge the --device selectors into the config text at /etc/passthru.conf in the root, parse
 * it, and check it against the host view (--sysroot). Returns 0, or the exit code (1 or 2)
 * after saying why on stderr. *ret_text: the new config text, or NULL when unchanged;
 * *ret: the parsed config (config_free it in both cases).
 */
int devices_prepare(const struct fsroot *fr, const struct opts *o, char **ret_text,
		    struct config *ret);

#endif
