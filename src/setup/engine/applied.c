/* SPDX-License-Identifier: GPL-2.0-or-later */
/* applied.c: has the running boot applied the last install: "installed: reboot to apply", not a drift. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "judge.h"
#include "manifest.h"

/* The mtime of an open file, or false. */
static bool mtime_of(int fd, struct timespec *ret)
{
	struct stat st;
	bool ok = fd >= 0 && fstat(fd, &st) == 0;

	if (ok)
		*ret = st.st_mtim;
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * When this boot started: /proc/stat's btime (the clock as it is now, less the uptime), else
 * the boot's status.json (passthru-claim writes it in the initramfs; /run is new every boot).
 * False when neither tells (a captured host view without them): then the boot is taken to be
 * older than the install.
 */
static bool boot_time(const struct root *r, struct timespec *ret)
{
	char *stat = NULL, *p;
	long long btime = 0;

	if (root_slurp(r, "proc/stat", &stat, NULL) == 0 && (p = strstr(stat, "\nbtime ")))
		btime = strtoll(p + 7, NULL, 10);
	free(stat);
	if (btime > 0) {
		ret->tv_sec = (time_t)btime;
		ret->tv_nsec = 0;
		return true;
	}
	return mtime_of(root_openat(r, BOOT_STATUS, O_RDONLY | O_NONBLOCK | O_NOCTTY), ret);
}

bool applied_booted_after_record(const struct root *r, const struct fsroot *fr)
{
	struct timespec boot, rec;

	if (!boot_time(r, &boot) ||
	    !mtime_of(fsroot_openat(fr, MANIFEST_PATH, O_RDONLY | O_NOCTTY, 0), &rec))
		return false;
	if (boot.tv_nsec == 0 && rec.tv_nsec != 0)	/* btime: whole seconds */
		return boot.tv_sec > rec.tv_sec;
	return boot.tv_sec > rec.tv_sec || (boot.tv_sec == rec.tv_sec && boot.tv_nsec > rec.tv_nsec);
}

/* This boot started after the install record was last written (by an install that changed
 * something: every install that runs a command rewrites it). */
static bool booted_since(const struct judgement *j, const struct fsroot *fr)
{
	return applied_booted_after_record(&j->h.r, fr);
}

/*
 * The install is current: its commands ran, the images hold /etc/passthru.conf as it is now,
 * and nothing in the files drifted (the next boot's command lines, the images); what is left
 * is the running boot against them, which only a reboot changes. No trial: it has its own words.
 */
static bool install_current(const struct judgement *j, const struct manifest *m)
{
	size_t i;

	if (m->trial[0] || m->pending_boot || m->pending_initramfs ||
	    strcmp(m->config_sha256, j->conf_sha))
		return false;
	for (i = 0; i < j->ndrift; i++)
		if (!j->drift[i].this_boot && strcmp(j->drift[i].what, "device"))
			return false;
	return true;
}

/* Does the running boot differ from what the install set up (so that a reboot applies it)? */
static bool boot_differs(const struct judgement *j)
{
	size_t i;

	if (!j->h.v.active)
		return true;
	for (i = 0; i < j->ndrift; i++)
		if (j->drift[i].this_boot)
			return true;
	for (i = 0; i < j->p.n; i++) {
		const struct plan_entry *e = &j->p.e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&j->h.m, e->addr);

		if (e->role == ROLE_BRIDGE || (e->role == ROLE_OTHER && !e->bind) || !d ||
		    e->state == STATE_ABSENT || e->state == STATE_REFUSED)
			continue;
		if (strcmp(d->driver, j->c.driver))
			return true;
	}
	return false;
}

/* What is left of the IOMMU's fix once install has set the arguments for the next boot. */
enum iommu_fix {
	FIX_REBOOT,		/* a reboot */
	FIX_DEFAULT_ENTRY,	/* this boot came another way: the default boot entry */
	FIX_TRIAL,		/* a trial is pending: the trial boot */
};

/* In S, the IOMMU's fix "install and reboot" (src/lib/iommu.c words it) as FIX words it. */
static void reboot_is_the_fix(char *s, size_t size, enum iommu_fix fix)
{
	static const char *const was[] = {
		"run passthru-setup install and reboot",
		"remove it (passthru-setup install replaces it) and reboot",
	};
	static const char *const now[] = {
		[FIX_REBOOT] = "passthru-setup install has set it for the next boot: reboot",
		[FIX_DEFAULT_ENTRY] = "the boot configuration passthru-setup install wrote has it: "
			"reboot into the default boot entry",
		[FIX_TRIAL] = "the trial boot has it: reboot into the trial (below), or "
			"passthru-setup uninstall to drop the trial",
	};
	char out[1024];
	size_t i;

	for (i = 0; i < sizeof(was) / sizeof(was[0]); i++) {
		char *at = strstr(s, was[i]);

		if (!at)
			continue;
		snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - s), s, now[fix],
			 at + strlen(was[i]));
		strscpy(s, out, size);
	}
}

/* Every IOMMU fix of the judgement (its verdict and the plan's refusals) as reboot_is_the_fix. */
static void iommu_fix_is_reboot(struct judgement *j, enum iommu_fix fix)
{
	size_t i;

	reboot_is_the_fix(j->h.v.reason, sizeof(j->h.v.reason), fix);
	for (i = 0; i < j->p.n; i++)
		reboot_is_the_fix(j->p.e[i].reason, sizeof(j->p.e[i].reason), fix);
}

void applied_judge(struct judgement *j, const struct fsroot *fr, const struct manifest *m)
{
	size_t i, n;

	j->installed = true;
	/* a trial pending, this boot not the trial's: a plain install would end the trial */
	if (m->trial[0] && j->trial.pending && !j->trial.this_boot)
		iommu_fix_is_reboot(j, FIX_TRIAL);
	j->current = install_current(j, m);
	if (!j->current)
		return;
	j->booted_since = booted_since(j, fr);
	if (j->booted_since) {
		/* install has nothing to change, and a reboot since did not apply it: the boot
		 * came another way; "install, then reboot" would fix nothing */
		for (i = 0; i < j->ndrift; i++)
			if (j->drift[i].this_boot)
				snprintf(j->drift[i].fix, sizeof(j->drift[i].fix), "reboot into the "
					 "default boot entry (passthru-setup install has nothing to "
					 "change: the boot configuration and the images are current; "
					 "this boot, started after the install, came from another entry "
					 "or kernel, or with its arguments edited at the boot menu)");
		iommu_fix_is_reboot(j, FIX_DEFAULT_ENTRY);
		return;
	}
	if (!boot_differs(j))
		return;
	j->reboot_pending = true;
	/* the IOMMU is off until the reboot: its fix is that reboot, not install again */
	iommu_fix_is_reboot(j, FIX_REBOOT);
	for (i = n = 0; i < j->ndrift; i++)
		if (!j->drift[i].this_boot)
			j->drift[n++] = j->drift[i];
	j->ndrift = n;
}
