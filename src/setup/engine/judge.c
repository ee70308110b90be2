/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge.c: the judge engine: the host view, the config, the boot's report and the record, judged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "judge.h"
#include "jsoncheck.h"
#include "manifest.h"
#include "sha256.h"

/*
 * A file of the host view, only when it is a regular file: O_NONBLOCK, so that a FIFO with no
 * writer in its place cannot hang status. -EINVAL for a FIFO, a directory or a device.
 */
static int read_regular(const struct root *r, const char *rel, char **ret, size_t *ret_len)
{
	struct stat st;
	int fd = root_openat(r, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY), err;

	*ret = NULL;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else
		err = slurp_fd(fd, ret, ret_len);
	close(fd);
	return err;
}

/* The message for entry i, refused or absent, and how many more selected ones are. */
static void not_claimed(struct judgement *s, const struct hostview *h, const struct config *c,
			const struct plan *p, size_t i)
{
	size_t more = 0, k;
	char line[1600];

	/* the text table has no reasons: say where the others' are */
	for (k = i + 1; k < p->n; k++)
		more += p->e[k].role == ROLE_SELECTED &&
			(p->e[k].state == STATE_ABSENT || p->e[k].state == STATE_REFUSED);
	hostview_entry_line(&h->m, c, &p->e[i], line, sizeof(line));
	if (more)
		snprintf(s->message, sizeof(s->message), "%s; %zu more selected device%s will not "
			 "be claimed either: passthru-setup plan gives each reason", line, more,
			 more == 1 ? "" : "s");
	else
		snprintf(s->message, sizeof(s->message), "%s", line);
}

/* The device is on the driver the boot gives it: the config's (or pci-stub), its vfio variant
 * driver, or vfio-pci after that variant failed. */
static bool on_target(const struct pdev *d, const struct plan_entry *e, const char *want)
{
	return !strcmp(d->driver, want) || (e->variant[0] && !strcmp(d->driver, e->variant));
}

/* The verdict's gates before the devices, in order: the config, a run going on, another boot's
 * trial, a reboot pending, the IOMMU, no device. true: one of them said the message. */
static bool verdict_gate(const struct hostview *h, const struct config *c, bool config_ok,
			 struct judgement *s)
{
	if (!config_ok) {
		snprintf(s->message, sizeof(s->message), "config error in %s: fix it (each error "
			 "names its line; passthru-setup plan lists them too), then run "
			 "passthru-setup install", PASSTHRU_CONF);
		return true;
	}
	if (s->busy) {
		snprintf(s->message, sizeof(s->message), "not ready yet: a passthru-setup install, "
			 "uninstall or confirm (on a trial boot: passthru-confirm.service) is "
			 "changing this host right now; run passthru-setup status again when it ends");
		return true;
	}
	/* a boot that is not the trial's claims nothing, and lacks the trial's arguments */
	if (s->trial.pending && !s->trial.this_boot) {
		snprintf(s->message, sizeof(s->message), "not ready: %s", s->trial.message);
		return true;
	}
	/* installed, current, not rebooted since: what differs is what the reboot applies */
	if (s->reboot_pending) {
		snprintf(s->message, sizeof(s->message), "installed: reboot to apply (passthru-setup "
			 "install ran after this boot started; the boot configuration and the "
			 "initramfs are current, and the next boot uses them)%s", c->nsel ? "" :
			 "; after the reboot, passthru-setup list shows the display controllers and "
			 "their IOMMU groups: add 'device = ...' to " PASSTHRU_CONF " (or run "
			 "passthru-setup install --device SEL)");
		return true;
	}
	/* the IOMMU first: without it list cannot show the groups a device is chosen by */
	if (!h->v.active) {
		snprintf(s->message, sizeof(s->message), "IOMMU not active: %s%s", h->v.reason,
			 c->nsel ? "" : "; once it is, passthru-setup list shows the groups: add "
			 "'device = ...' to " PASSTHRU_CONF " and run passthru-setup install");
		return true;
	}
	if (!c->nsel && s->installed && !s->ndrift) {
		/* installed with no device (the IOMMU first): done, and the next step is the device */
		s->ready = true;
		snprintf(s->message, sizeof(s->message), "installed, no device configured yet: the "
			 "IOMMU is on; passthru-setup list shows the display controllers and their "
			 "IOMMU groups: add 'device = ...' to %s (or run passthru-setup install "
			 "--device SEL), run passthru-setup install and reboot", PASSTHRU_CONF);
		return true;
	}
	if (!c->nsel && !s->installed) {
		snprintf(s->message, sizeof(s->message), "no device is configured in %s: add "
			 "'device = ...' (passthru-setup list shows the candidates) and run "
			 "passthru-setup install", PASSTHRU_CONF);
		return true;
	}
	return false;
}

/* The first configured device that is not claimed or not on its driver: the message says why.
 * true: there was one. */
static bool verdict_device(const struct hostview *h, const struct config *c, const struct plan *p,
			   bool booted, bool readable, const char *want, struct judgement *s)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);

		if (e->role == ROLE_BRIDGE || (e->role == ROLE_OTHER && !e->bind))
			continue;
		if (e->state == STATE_ABSENT || e->state == STATE_REFUSED) {
			not_claimed(s, h, c, p, i);
			return true;
		}
		if (!d || !on_target(d, e, want)) {
			snprintf(s->message, sizeof(s->message), "%s is on %s, not %s: %s",
				 d ? d->name : "a configured device",
				 d && d->driver[0] ? d->driver : "no driver", want, readable ?
				 "the boot's /run/passthru/status.json says why, and "
				 "'journalctl -b | grep passthru:' shows each step" : booted ?
				 "the boot's /run/passthru/status.json is damaged; "
				 "'journalctl -b | grep passthru:' shows each step" :
				 s->current && s->booted_since ? "passthru-claim did not run this "
				 "boot, though the images and the boot configuration are current: this "
				 "boot came from another entry or kernel, or with rd.passthru=0; reboot "
				 "into the default boot entry" :
				 "passthru-claim did not run this boot: run passthru-setup install "
				 "(it puts passthru in the initramfs) and reboot");
			return true;
		}
	}
	return false;
}

/* Ready or not, and the one message that says why (the first cause found, in this order). */
static void verdict(const struct hostview *h, const struct config *c, const struct plan *p,
		    bool config_ok, bool booted, bool readable, struct judgement *s)
{
	size_t i;
	const char *want = h->v.active ? c->driver : "pci-stub";

	s->ready = false;
	if (verdict_gate(h, c, config_ok, s) ||
	    verdict_device(h, c, p, booted, readable, want, s))
		return;
	if (s->ndrift) {
		if (c->nsel)
			snprintf(s->message, sizeof(s->message), "every configured device is on %s, "
				 "but ", want);
		else
			snprintf(s->message, sizeof(s->message), "no device is configured yet, and ");
		snprintf(s->message + strlen(s->message), sizeof(s->message) - strlen(s->message),
			 "%zu thing%s drifted since install (each drift names its fix): %s",
			 s->ndrift, s->ndrift == 1 ? "" : "s", s->drift[0].fix);
		return;
	}
	s->ready = true;
	for (i = 0; i < p->n && !p->e[i].variant[0]; i++)
		;
	snprintf(s->message, sizeof(s->message), "ready: every configured device is on %s%s%s%s",
		 want, i < p->n ? " or its vfio variant driver" : "", s->trial.this_boot ?
		 "; the trial boot: passthru-setup confirm makes it permanent" : "",
		 /* this boot claimed, but nothing says the next one will (uninstall since) */
		 s->booted && !s->installed ? "; but there is no install record (" MANIFEST_PATH
		 "): if passthru-setup uninstall ran since this boot started, the next boot "
		 "claims nothing (passthru-setup install sets it up again)" : "");
}

/* The plan's entries with each device's live driver and what it is now. */
static void live_plan(const struct hostview *h, const struct config *c, struct plan *p)
{
	const char *want = h->v.active ? c->driver : "pci-stub";
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);
		char why[1024];

		hostview_reason(&h->m, c, e, why, sizeof(why));
		strscpy(e->reason, why, sizeof(e->reason));
		strscpy(e->driver, d ? d->driver : "", sizeof(e->driver));
		if (!d || e->state != STATE_PLANNED || !e->bind)
			continue;
		if (on_target(d, e, want)) {
			e->state = STATE_CLAIMED;
		} else {
			/* not claimed now; the plan is what the next boot would do */
			snprintf(e->reason, sizeof(e->reason), "on %s now, not %s; the next boot "
				 "would claim it", d->driver[0] ? d->driver : "no driver", want);
		}
	}
}

/* The boot's /run/passthru/status.json, when it is one readable JSON object; what is wrong
 * with it in j->errs otherwise. */
static void read_boot(struct judgement *j)
{
	int r = read_regular(&j->h.r, BOOT_STATUS, &j->boot, NULL);

	j->booted = r != -ENOENT;
	if (r == -EINVAL)
		errlist_add(&j->errs, "/%s is not a regular file: ignored", BOOT_STATUS);
	else if (r < 0 && j->booted)
		errlist_add(&j->errs, "/%s: cannot read: %s", BOOT_STATUS, strerror(-r));
	if (j->boot && (!json_valid(j->boot) || *json_ws(j->boot) != '{')) {
		/* passthru-claim writes one object; [] or "x" is not the boot's report */
		errlist_add(&j->errs, "/%s is not valid JSON (or not an object): ignored",
			    BOOT_STATUS);
		free(j->boot);
		j->boot = NULL;
	}
}

/* What drifted since install, from the record in the host view's root. */
static void read_record(struct judgement *j, const struct opts *o)
{
	struct fsroot fr;
	struct manifest man = { 0 };

	if (fsroot_open(&fr, o->sysroot) < 0)
		return;
	if (manifest_read(&fr, &man) < 0)
		errlist_add(&j->errs, "%s: cannot read the install record", MANIFEST_PATH);
	/* a run still going is not an interrupted one, and its files are half-changed */
	j->busy = fsroot_busy(&fr);
	if (j->busy)
		drift_busy(j);
	else
		drift_interrupted(j, &fr, &man);
	if (man.exists && !j->busy) {
		drift_since_install(j, &fr, o, &man);
		applied_judge(j, &fr, &man);
	}
	fsroot_close(&fr);
	manifest_free(&man);
}

int judge_host(const struct opts *o, struct judgement *j)
{
	char *conf = NULL;
	size_t conflen = 0, config_errors;
	int r;

	memset(j, 0, sizeof(*j));
	r = hostview_open(&j->h, o->sysroot);
	if (r < 0)
		return r;
	config_init(&j->c);
	r = config_load(&j->c, &j->h.r, NULL, &j->errs);
	config_errors = j->errs.n;
	if (r != -ENOENT && !j->errs.n && hostview_plan(&j->h, &j->c, &j->p) < 0)
		errlist_add(&j->errs, "out of memory while planning");
	read_boot(j);
	if (read_regular(&j->h.r, PASSTHRU_CONF, &conf, &conflen) < 0)
		conf = NULL;
	j->conf_exists = conf != NULL;
	sha256_hex(conf ? conf : "", conf ? conflen : 0, j->conf_sha);	/* as install hashes it */
	drift_config(j, conf, conflen, config_errors > 0);
	free(conf);
	read_record(j, o);
	verdict(&j->h, &j->c, &j->p, config_errors == 0, j->booted, j->boot != NULL, j);
	live_plan(&j->h, &j->c, &j->p);
	return 0;
}

void judgement_free(struct judgement *j)
{
	free(j->boot);
	j->boot = NULL;
	plan_free(&j->p);
	config_free(&j->c);
	errlist_free(&j->errs);
	hostview_close(&j->h);
}
