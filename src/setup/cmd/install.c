/* install.c: passthru-setup install: converge the root to the config (engine/converge.c); --json: what it did, as one document. */
#include "cmd.h"
#include "converge.h"
#include "outcome.h"
#include "reboot.h"

int cmd_install(struct opts *o)
{
	int ret;

	outcome_begin("install", o);
	ret = converge_to_config(o);
	return outcome_on() ? outcome_end(ret, reboot_after_converge(o, false, ret)) : ret;
}
