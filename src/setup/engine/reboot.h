/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reboot.h: reboot_required for install, confirm and uninstall --json: the next boot differs from this one. */
#ifndef PASSTHRU_REBOOT_H
#define PASSTHRU_REBOOT_H
#include <stdbool.h>
#include "setup.h"

/* The root is the host the view under --sysroot shows: only then does "this boot" apply. */
bool reboot_root_is_host_view(const struct opts *o);
/* After install (confirm: true for confirm) exited ret, with what outcome noted. */
bool reboot_after_converge(const struct opts *o, bool confirm, int ret);
/* After install: the host view is the root, and status would say ready with nothing to
 * apply (this boot already runs what install set up): no reboot needed. */
bool reboot_none_needed(const struct opts *o);
/* Before uninstall: this boot runs passthru (its claim ran, or it started after the install
 * record was written). */
bool reboot_this_boot_has_passthru(const struct opts *o);
/* After uninstall: had_passthru from reboot_this_boot_has_passthru before it. */
bool reboot_after_uninstall(const struct opts *o, bool had_passthru);

#endif
