/* uninstall.c: passthru-setup uninstall: converge the root to nothing, exactly what install added goes; --json: what it did, as one document. */
#include "cmd.h"
#include "converge.h"
#include "outcome.h"
#include "reboot.h"

int cmd_uninstall(struct opts *o)
{
	bool had;
	int ret;

	outcome_begin("uninstall", o);
	had = outcome_on() && reboot_this_boot_has_passthru(o);
	ret = converge_to_nothing(o);
	return outcome_on() ? outcome_end(ret, reboot_after_uninstall(o, had)) : ret;
}
