/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd.h: the commands main.c dispatches; each parses nothing more and calls the engines, never another command. */
#ifndef PASSTHRU_CMD_H
#define PASSTHRU_CMD_H
#include "setup.h"

int cmd_install(struct opts *o);
int cmd_uninstall(struct opts *o);
int cmd_status(struct opts *o);
int cmd_list(struct opts *o);
int cmd_plan(struct opts *o);
int cmd_xml(struct opts *o, int argc, char **argv);
int cmd_confirm(struct opts *o);

#endif
