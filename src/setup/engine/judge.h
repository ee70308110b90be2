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
	char fix[160];		/* the command that fixes it */
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
void drift_config(struct judgement *j, const char *conf, size_t conflen);
/* Those that need the install record: the command lines, the images, the devices, the trial. */
void drift_since_install(struct judgement *j, const struct fsroot *fr, const struct opts *o,
			 const struct manifest *m);

#endif
