/* devices.h: the devices install is asked for (devices.c). */
#ifndef PASSTHRU_DEVICES_H
#define PASSTHRU_DEVICES_H
#include "config.h"
#include "setup.h"

/*
 * Merge the --device selectors into the config text at /etc/passthru.conf in the root (each
 * compared with the parsed selectors, so an address written another way or a comment does not
 * count), parse it, and check it against the host view (--sysroot): the plan the boot would
 * make, mounted filesystems and swap under a device, devices that are not display controllers.
 * No device at all is fine (it says what that means); with --root and no --sysroot only the
 * syntax is checked (it says so). Returns 0, or the exit code (1 or 2) after saying why on
 * stderr. *ret_text: the new config text, or NULL when unchanged; *ret: the parsed config
 * (config_free it in both cases).
 */
int devices_prepare(const struct fsroot *fr, const struct opts *o, char **ret_text,
		    struct config *ret);

#endif
