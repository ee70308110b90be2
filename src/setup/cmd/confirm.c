/* SPDX-License-Identifier: GPL-2.0-or-later */
/* confirm.c: passthru-setup confirm: on the trial boot, judged ready (and, for the service, logged in to), converge to what the trial recorded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "cmdline.h"
#include "config.h"
#include "converge.h"
#include "judge.h"
#include "logins.h"
#include "manifest.h"
#include "outcome.h"
#include "reboot.h"
#include "root.h"
#include "sha256.h"
#include "status_print.h"
#include "trial.h"

/* The pending trial's line of the install record in ret: 0, or 1 after saying why there is
 * none to confirm. */
static int pending_trial(const struct opts *o, char *ret, size_t size)
{
	struct fsroot fr;
	struct manifest m;
	int r;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	r = manifest_read(&fr, &m);
	if (r == 0 && m.trial[0] && m.config_sha256[0] && !m.pending_initramfs) {
		/* the trial's images hold the config install --trial hashed: a config changed
		 * since then was never booted, and confirm must not make it permanent (with the
		 * rebuild pending, the record does not know: status compares the boot's) */
		char *conf = NULL, now[SHA256_HEX_LEN];
		size_t len = 0;

		fsroot_read(&fr, "/etc/passthru.conf", &conf, &len);
		sha256_hex(conf ? conf : "", conf ? len : 0, now);
		free(conf);
		if (strcmp(now, m.config_sha256)) {
			fprintf(stderr, "passthru-setup: confirm: /etc/passthru.conf changed since "
				"install --trial built the images (sha256 %.12s... then, %.12s... "
				"now): the trial boot did not use it, so it is not made permanent; "
				"run passthru-setup install --trial again and reboot\n",
				m.config_sha256, now);
			manifest_free(&m);
			fsroot_close(&fr);
			return 1;
		}
	}
	fsroot_close(&fr);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", MANIFEST_PATH, strerror(-r));
		return 1;
	}
	if (!m.trial[0] && m.trial_ending[0]) {
		/* a confirm (or install) cut short after its files, before its commands */
		fprintf(stderr, "passthru-setup: confirm: the trial was already made permanent, but "
			"the commands that end it did not all run (a power cut or a kill): run "
			"passthru-setup install to run them, then reboot\n");
		manifest_free(&m);
		return 1;
	}
	if (!m.trial[0]) {
		fprintf(stderr, "passthru-setup: confirm: no trial is pending here (passthru-setup "
			"install --trial starts one)\n");
		manifest_free(&m);
		return 1;
	}
	strscpy(ret, m.trial, size);
	manifest_free(&m);
	return 0;
}

/* This boot is the trial boot: rd.passthru.trial=1 in /proc/cmdline. Says why not. */
static bool on_trial_boot(const struct opts *o)
{
	struct root sr;
	struct cmdline cl = { 0 };
	struct config c;
	struct errlist errs = { 0 };
	char *line = NULL;
	int r;

	if (root_open(&sr, o->sysroot) < 0 || root_slurp(&sr, "proc/cmdline", &line, NULL) < 0) {
		fprintf(stderr, "passthru-setup: confirm: cannot read /proc/cmdline under %s\n",
			o->sysroot);
		return false;
	}
	root_close(&sr);
	config_init(&c);
	r = cmdline_parse(line, &cl, &c, &errs);
	config_free(&c);
	errlist_free(&errs);
	free(line);
	if (r == -ENOMEM || !cl.trial) {
		fprintf(stderr, "passthru-setup: confirm: this boot is not the trial boot (/proc/"
			"cmdline has no " TRIAL_ARG "): the trial stays unconfirmed\n");
		return false;
	}
	return true;
}

/* The same verdict as passthru-setup status, printed as status prints it: every configured
 * device claimed, the IOMMU active; its words go to the journal when the service runs this. */
static bool trial_boot_ready(const struct opts *o)
{
	struct judgement *j = calloc(1, sizeof(*j));
	bool ready = false;

	if (j && judge_host(o, j) == 0) {
		status_print_human(j, false, stdout);
		ready = j->ready;
		judgement_free(j);
	}
	free(j);
	fflush(stdout);	/* the report before the words that point to it ("see above"): in
			 * the journal stdout is a pipe, fully buffered, stderr is not */
	if (!ready)
		fprintf(stderr, "passthru-setup: confirm: this trial boot is not ready (see "
			"above): the trial stays unconfirmed, and the next boot is the old one; fix "
			"the cause and run passthru-setup install --trial again, or uninstall\n");
	return ready;
}

/* How often --after-login looks for a login session: a folder and a small file read. */
#define LOGIN_POLL_SECONDS 3

/*
 * confirm --after-login (passthru-confirm.service): a ready trial boot is no proof that a
 * person can use the machine (the display may be black because the claim worked: the monitor
 * hangs on the claimed card). Wait, while the boot lasts, for a login session; systemd stops
 * the wait at shutdown, and the trial then stays unconfirmed. 0: a login; 1: said why not.
 */
static int wait_for_login(const struct opts *o)
{
	struct root sr;
	char who[400];
	int r;

	if (root_open(&sr, o->sysroot) < 0) {
		fprintf(stderr, "passthru-setup: confirm: cannot open %s\n", o->sysroot);
		return 1;
	}
	r = login_session_find(&sr, who, sizeof(who));
	if (r == 0) {
		outcome_say("the trial boot is ready; waiting for a login session (on a seat, a "
		       "terminal or remotely) before confirming: a trial nobody can log in to is "
		       "never confirmed, and the boot after it is the old one\n");
		fflush(stdout);
	}
	while (r == 0) {
		sleep(LOGIN_POLL_SECONDS);
		r = login_session_find(&sr, who, sizeof(who));
	}
	root_close(&sr);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: confirm: cannot tell whether anyone logged in "
			"(%s): the trial stays unconfirmed; log in and run passthru-setup confirm\n",
			strerror(-r));
		return 1;
	}
	outcome_say("a login session on the trial boot (%s): a person can use this machine\n", who);
	return 0;
}

/* After the wait: the trial may have been confirmed by hand or undone meanwhile. */
static bool still_pending(const struct opts *o, char *trial, size_t size)
{
	struct fsroot fr;
	struct manifest m;
	bool pending = false;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return false;
	if (manifest_read(&fr, &m) == 0) {
		pending = m.trial[0] != '\0';
		strscpy(trial, m.trial, size);
		manifest_free(&m);
	}
	fsroot_close(&fr);
	if (!pending)
		outcome_say("the trial is no longer pending (passthru-setup confirm or uninstall ran "
		       "meanwhile): nothing to do\n");
	return pending;
}

/* judge (and with --after-login, unless the trial was installed with --auto-confirm, wait for
 * a login), then converge to what the trial recorded */
static int confirm(struct opts *o)
{
	char trial[sizeof(((struct manifest *)0)->trial)];

	if (converge_recover(o))	/* a confirm a power cut ended: undone, then judged again */
		return 1;
	if (pending_trial(o, trial, sizeof(trial)) || !on_trial_boot(o) || !trial_boot_ready(o))
		return 1;
	if (o->after_login && trial_auto_confirm(trial)) {
		outcome_say("the trial was installed with --auto-confirm: no login needed\n");
	} else if (o->after_login) {
		if (wait_for_login(o))
			return 1;
		if (!still_pending(o, trial, sizeof(trial)))
			return 0;
	}
	printf("the trial boot is ready: making it permanent\n");
	trial_target(trial, o);
	return converge_to_config(o);
}

int cmd_confirm(struct opts *o)
{
	int ret;

	outcome_begin("confirm", o);
	ret = confirm(o);
	return outcome_on() ? outcome_end(ret, reboot_after_converge(o, true, ret)) : ret;
}
