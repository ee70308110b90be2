/* SPDX-License-Identifier: GPL-2.0-or-later */
/* install.c: passthru-setup install: converge the root to the config (engine/converge.c). */
#include "cmd.h"
#include "converge.h"

int cmd_install(struct opts *o)
{
	return converge_to_config(o);
}
