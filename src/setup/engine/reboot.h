/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reboot.h: reboot_required for install, confirm and uninstall --json: the next boot differs from this one. */
#ifndef PASSTHRU_REBOOT_H
#define PASSTHRU_REBOOT_H
#include <stdbool.h>
#include "setup.h"

/* After install (confirm: true for confirm) exited ret, with what outcome noted. */
bool reboot_after_converge(const struct opts *o, bool confirm, int ret);
/* Before uninstall: this boot runs passthru (its claim ran, or it started after the install
 * record was written). */
bool reboot_this_boot_has_passthru(const struct opts *o);
/* After uninstall: had_passthru from reboot_this_boot_has_passthru before it. */
bool reboot_after_uninstall(const struct opts *o, bool had_passthru);

#endif
