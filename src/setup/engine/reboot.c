/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reboot.c: does the next boot differ from this one, after this run (or, --dry-run, after it would have run): --json's reboot_required. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "judge.h"
#include "outcome.h"
#include "reboot.h"
#include "root.h"

/*
 * The root is the host the view under --sysroot shows (the same folder): only then is "this
 * boot" the root's boot, and does status's judgement (which reads the record in the view)
 * apply. Otherwise (an image for other machines, --root alone) there is no running boot of
 * it to compare with: what the run changed for the boot decides.
 */
bool reboot_root_is_host_view(const struct opts *o)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!realpath(o->root ? o->root : "/", a) || !realpath(o->sysroot ? o->sysroot : "/", b))
		return false;
	return !strcmp(a, b);
}

bool reboot_after_converge(const struct opts *o, bool confirm, int ret)
{
	bool changed = outcome_boot_changed(), differs;
	struct judgement *j;

	/* confirm makes permanent what this (trial) boot runs: the next boot is this one */
	if (confirm && ret == 0 && o->dry_run)
		return false;
	if (!reboot_root_is_host_view(o) || !(j = calloc(1, sizeof(*j))))
		return changed;
	if (judge_host(o, j) < 0) {
		free(j);
		return changed;
	}
	if (j->trial.pending)	/* the next boot is the trial, or after it the old one */
		differs = true;
	else if (o->dry_run)	/* what it would change, or what the last install left */
		differs = changed || j->reboot_pending;
	else			/* status's "installed: reboot to apply" */
		differs = j->current ? j->reboot_pending : changed;
	judgement_free(j);
	free(j);
	return differs;
}

bool reboot_none_needed(const struct opts *o)
{
	struct judgement *j;
	bool none = false;

	if (!reboot_root_is_host_view(o) || !(j = calloc(1, sizeof(*j))))
		return false;
	if (judge_host(o, j) == 0)
		none = j->ready && !j->reboot_pending && !j->trial.pending && !j->ndrift;
	judgement_free(j);
	free(j);
	return none;
}

bool reboot_this_boot_has_passthru(const struct opts *o)
{
	struct root r;
	struct fsroot fr;
	bool has;

	if (!reboot_root_is_host_view(o) || root_open(&r, o->sysroot) < 0)
		return false;
	/* passthru-claim ran in this boot's initramfs (/run is new every boot) */
	has = root_exists(&r, BOOT_STATUS);
	if (!has && fsroot_open(&fr, o->root) == 0) {
		/* an install this boot came after (its arguments, its images) */
		has = applied_booted_after_record(&r, &fr);
		fsroot_close(&fr);
	}
	root_close(&r);
	return has;
}

bool reboot_after_uninstall(const struct opts *o, bool had_passthru)
{
	if (!reboot_root_is_host_view(o))
		return outcome_boot_changed();
	/* the next boot has no passthru (or, --dry-run, would not) */
	return had_passthru;
}
