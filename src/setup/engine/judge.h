/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge.h: the judge engine: is this host ready, what drifted, each drift with its fix, as data. */
#ifndef PASSTHRU_JUDGE_H
#define PASSTHRU_JUDGE_H
#include <stdbool.h>
#include <stddef.h>
#include "hostview.h"
#include "setup.h"

struct manifest;

#define PASSTHRU_CONF "/etc/passthru.conf"
#define BOOT_STATUS "run/passthru/status.json"

/* One thing that changed since install, and the command that fixes it. */
struct drift {
	char what[16];		/* config, cmdline, initramfs, device */
	char message[700];
	char fix[400];		/* the command that fixes it */
	bool this_boot;		/* the running boot against the files (/proc/cmdline, the boot's
				 * config_sha256): a reboot applies it when the install is current */
};

/* install --trial pending (the install record's "trial" line) */
struct trial {
	bool pending;
	bool this_boot;		/* rd.passthru.trial=1 on the running kernel's command line */
	char unmarked[600];	/* kernels whose image holds passthru-claim but not the mark */
	char message[900];
};

/* The verdict on a host, and what it was made from (for the printers). */
struct judgement {
	bool ready;
	char message[1800];
	struct drift drift[80];
	size_t ndrift;
	struct trial trial;
	struct hostview h;
	struct config c;
	struct errlist errs;	/* the config's errors, then the boot report's and the record's */
	struct plan p;		/* with each device's live driver, and what it is now */
	char *boot;		/* the boot's status.json; NULL: none, or not a JSON object */
	bool booted;		/* passthru-claim left a status.json this boot (readable or not) */
	char conf_sha[65];	/* of /etc/passthru.conf now (of "" without one, as install's) */
	bool conf_exists;
	bool installed;		/* there is an install record */
	bool current;		/* installed, and install has nothing to change (applied.c) */
	bool booted_since;	/* current, and this boot started after that install */
	bool busy;		/* another passthru-setup is changing the host now (its lock) */
	bool reboot_pending;	/* installed and current, this boot started before: "installed:
				 * reboot to apply" (its this_boot drifts are taken out) */
};

/*
 * Judge the host under o->sysroot: its devices, IOMMU and config, the boot's report, and,
 * with an install record, what drifted since install. 0, or -errno when the host view cannot
 * be read (hostview_open said why on stderr; there is nothing to free then). j zeroed first
 * by the caller; judgement_free it after a 0.
 */
int judge_host(const struct opts *o, struct judgement *j);
void judgement_free(struct judgement *j);

/* drift.c: the drift checks judge_host runs; each adds to j->drift (and j->trial). The
 * config read now against the one the boot read (j->boot's config_sha256). */
/* broken: the config has errors (install refuses it until they are fixed) */
void drift_config(struct judgement *j, const char *conf, size_t conflen, bool broken);
/* Those that need the install record: the command lines, the images, the devices, the trial. */
void drift_since_install(struct judgement *j, const struct fsroot *fr, const struct opts *o,
			 const struct manifest *m);
/* A run going on now (another passthru-setup holds the lock). */
void drift_busy(struct judgement *j);
/* An interrupted run: a journal left (journal.c), or the record's commands that did not run. */
void drift_interrupted(struct judgement *j, const struct fsroot *fr, const struct manifest *m);
/* applied.c: after the drift checks, has the running boot applied the install: sets
 * j->reboot_pending (and takes out the drifts a reboot applies), or names the fix of a boot
 * that started after a current install and still lacks it. */
void applied_judge(struct judgement *j, const struct fsroot *fr, const struct manifest *m);
/* The boot of the host view r started after the install record in fr was last written
 * (false when the view tells no boot time, or there is no record). */
bool applied_booted_after_record(const struct root *r, const struct fsroot *fr);

#endif
