/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uninstall.c: passthru-setup uninstall: converge the root to nothing, exactly what install added goes. */
#include "cmd.h"
#include "converge.h"

int cmd_uninstall(struct opts *o)
{
	return converge_to_nothing(o);
}
