/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devices.h: the devices install is asked for (devices.c). */
#ifndef PASSTHRU_DEVICES_H
#define PASSTHRU_DEVICES_H
#include "config.h"
#include "hostview.h"
#include "setup.h"

/*
 * Merge the --device selectors into the config text at /etc/passthru.conf in the root (each
 * compared with the parsed selectors, so an address written another way or a comment does not
 * count), parse it, and check it against the host view (--sysroot): the plan the boot would
 * make, mounted filesystems and swap under a device, devices that are not display controllers;
 * with interrupt remapping off it says so, as status and plan do. No device at all is fine (it
 * says what that means); with --root and no --sysroot only the syntax is checked (it says so).
 * Returns 0, or the exit code (1 or 2) after saying why on stderr. *ret_text: the new config
 * text, or NULL when unchanged; *ret: the parsed config (config_free it in both cases).
 */
int devices_prepare(const struct fsroot *fr, const struct opts *o, char **ret_text,
		    struct config *ret);

/*
 * The refusals install and xml share: each entry of the plan p the boot would refuse or not
 * find, and each device of a unit the boot would take under which a mounted filesystem or an
 * active swap sits (the root disk's controller), one "passthru-setup: ..." line each on
 * stderr. True when there was one.
 */
bool devices_refused(const struct hostview *h, const struct config *c, const struct plan *p);

#endif
