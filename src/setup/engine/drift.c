/* SPDX-License-Identifier: GPL-2.0-or-later */
/* drift.c: the judge's drift checks: what changed since install, each with the command that fixes it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "cmdline.h"
#include "initramfs.h"
#include "judge.h"
#include "jsoncheck.h"
#include "journal.h"
#include "manifest.h"
#include "sha256.h"

static void vadd_drift(struct judgement *s, const char *what, bool this_boot, const char *fix,
		       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void vadd_drift(struct judgement *s, const char *what, bool this_boot, const char *fix,
		       const char *fmt, va_list ap)
{
	struct drift *d;

	if (s->ndrift >= ARRAY_SIZE(s->drift))
		return;
	d = &s->drift[s->ndrift];
	strscpy(d->what, what, sizeof(d->what));
	strscpy(d->fix, fix, sizeof(d->fix));
	d->this_boot = this_boot;
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	for (size_t i = 0; i < s->ndrift; i++)
		if (!strcmp(s->drift[i].message, d->message))
			return;		/* said once is enough */
	s->ndrift++;
}

/* What changed in the files since install (or the host since): the fix changes the files. */
static void add_drift(struct judgement *s, const char *what, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_drift(struct judgement *s, const char *what, const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd_drift(s, what, false, fix, fmt, ap);
	va_end(ap);
}

/* The running boot against the files: when they are current, a reboot applies them (applied.c). */
static void add_boot_drift(struct judgement *s, const char *what, const char *fix,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add_boot_drift(struct judgement *s, const char *what, const char *fix,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd_drift(s, what, true, fix, fmt, ap);
	va_end(ap);
}

/*
 * The boot document's "config_sha256": 1 with the hex digest in ret, 0 when it is null, -1 when
 * the field is missing (a passthru-claim older than the field) or unreadable.
 */
static int boot_config_sha(const char *boot, char ret[SHA256_HEX_LEN])
{
	const char *p = boot ? strstr(boot, "\"config_sha256\"") : NULL;
	size_t n;

	if (!p)
		return -1;
	p = json_ws(p + strlen("\"config_sha256\""));
	if (*p++ != ':')
		return -1;
	p = json_ws(p);
	if (!strncmp(p, "null", 4))
		return 0;
	if (*p++ != '"')
		return -1;
	n = strspn(p, "0123456789abcdef");
	if (n != 64 || p[n] != '"')
		return -1;
	memcpy(ret, p, 64);
	ret[64] = '\0';
	return 1;
}

/* A word of a kernel command line, exactly, before a standalone "--" (the rest is init's). */
static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word), end = kargs_kernel_len(cmdline);
	const char *p = cmdline;

	while ((p = strstr(p, word)) && (size_t)(p - cmdline) < end) {
		if ((p == cmdline || p[-1] == ' ' || p[-1] == '\t') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}

/* What passthru adds, and what undoes it on a command line. */
static const struct {
	const char *added, *contra[4];
} contradictions[] = {
	{ "intel_iommu=on", { "intel_iommu=off", NULL } },
	{ "iommu=pt", { "iommu=off", "iommu=nopt", "iommu.passthrough=0", NULL } },
	{ "", { "iommu=off", "amd_iommu=off", NULL } },
};

static void check_cmdline(struct judgement *s, const struct hostview *h, const struct manifest *m)
{
	char args[sizeof(m->args)], *w, *save = NULL;
	size_t i, k;

	strscpy(args, m->args, sizeof(args));
	for (w = strtok_r(args, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (!cmdline_has(h->cmdline, w))
			add_boot_drift(s, "cmdline", "passthru-setup install, then reboot",
				  "the running kernel's command line lacks %s, which install added: "
				  "this boot did not use the configuration install wrote (not rebooted "
				  "since, another boot entry, or a later edit that removes it)", w);
	for (i = 0; i < ARRAY_SIZE(contradictions); i++) {
		if (contradictions[i].added[0] && !strstr(m->args, contradictions[i].added))
			continue;
		for (k = 0; contradictions[i].contra[k]; k++) {
			const char *c = contradictions[i].contra[k];
			size_t j;
			bool seen = false;

			for (j = 0; j < s->ndrift; j++)
				seen |= strstr(s->drift[j].message, c) != NULL;
			if (!seen && cmdline_has(h->cmdline, c))
				add_boot_drift(s, "cmdline", "passthru-setup install, then reboot",
					  "the running kernel's command line carries %s, which undoes "
					  "passthru's arguments (%s)", c, m->args);
		}
	}
}

/* The command line each boot configuration gives the next boot, from its files as they are
 * now: a hand edit or a later drop-in may have taken an argument out since install. */
static void check_next_boot(struct judgement *s, const struct fsroot *fr, const struct opts *o,
			    const struct manifest *m)
{
	struct klines k = { 0 };
	size_t i;

	if (m->args[0] && bootcfg_effective_now(fr, o, &k) == 0) {
		for (i = 0; i < k.n; i++) {
			char args[sizeof(m->args)], *w, *save = NULL;
			/* a file that undoes passthru's: its edit (install alone would refuse) */
			const char *fix = k.v[i].fix[0] ? k.v[i].fix : "passthru-setup install";

			strscpy(args, m->args, sizeof(args));
			for (w = strtok_r(args, " \t\n", &save); w;
			     w = strtok_r(NULL, " \t\n", &save))
				if (!cmdline_has(k.v[i].line ? k.v[i].line : "", w))
					add_drift(s, "cmdline", fix,
						  "the next boot's command line from %s lacks %s "
						  "(changed since install: a hand edit or a later "
						  "setting): %s", k.v[i].label, w,
						  k.v[i].line ? k.v[i].line : "");
			for (size_t j = 0; j < ARRAY_SIZE(contradictions); j++) {
				const char *a = contradictions[j].added;

				if (a[0] && !strstr(m->args, a))
					continue;
				for (size_t c = 0; contradictions[j].contra[c]; c++)
					if (cmdline_has(k.v[i].line ? k.v[i].line : "",
							contradictions[j].contra[c]))
						add_drift(s, "cmdline", fix,
							  "the next boot's command line from %s "
							  "carries %s, which undoes passthru's "
							  "arguments: %s", k.v[i].label,
							  contradictions[j].contra[c], k.v[i].line);
			}
		}
	}
	klines_free(&k);
}

/* Does the config name this address (a selector by address, with or without an ID)? */
static bool config_names(const struct config *c, pci_addr_t a)
{
	size_t i;

	for (i = 0; i < c->nsel; i++)
		if (c->sel[i].kind != SEL_ID && c->sel[i].addr == a)
			return true;
	return false;
}

/*
 * A configured address whose card changed since install. install records the cards the config
 * names as they are now, so each fix ends in install: the config first when it names a card
 * that is not there, or one the user may not want.
 */
static void check_devices(struct judgement *s, const struct hostview *h, const struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		const struct manifest_device *md = &m->devices[i];
		pci_addr_t a;
		const struct pdev *d;
		char id[10], fix[400];

		if (addr_parse(md->addr, &a) < 0)
			continue;
		d = model_find(&h->m, a);
		if (!config_names(&s->c, a)) {
			/* the config no longer names it: install records what it names now */
			snprintf(fix, sizeof(fix), "passthru-setup install (%s no longer names "
				 "%s; install records the cards it names)", PASSTHRU_CONF, md->addr);
		} else if (!d) {
			snprintf(fix, sizeof(fix), "edit %s: change the device line naming %s to the "
				 "card's address now (passthru-setup list shows the cards), or take "
				 "it out; then passthru-setup install", PASSTHRU_CONF, md->addr);
		} else {
			snprintf(fix, sizeof(fix), "if the card at %s now (%04x:%04x) is the one to "
				 "pass through: passthru-setup install (it records that card); if not: "
				 "change the device line naming %s in %s to the card's address "
				 "(passthru-setup list shows the cards), then passthru-setup install",
				 md->addr, d->vendor, d->device, md->addr, PASSTHRU_CONF);
		}
		if (!d) {
			add_drift(s, "device", fix, "%s was %s at install; there is no device at "
				  "that address now (a moved card)", md->addr, md->id);
			continue;
		}
		snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
		if (strcmp(id, md->id))
			add_drift(s, "device", fix, "%s was %s at install and is %s now (a moved or "
				  "swapped card)", md->addr, md->id, id);
	}
}

struct kernels {
	char name[32][128];
	size_t n;
};

static int each_kernel(const char *name, void *ud)
{
	struct kernels *k = ud;

	if (k->n < ARRAY_SIZE(k->name) && strscpy(k->name[k->n], name, sizeof(k->name[0])) == 0)
		k->n++;
	return 0;
}

/* The generator's configuration as it evaluates it (mkinitcpio's HOOKS): a later file of the
 * user's that takes passthru out again; the next images would be built without it. */
static void check_takes_passthru(struct judgement *s, const struct fsroot *fr,
				 const struct initramfs_gen *g, const char *cmd)
{
	struct txn t = { .root = fr };
	char why[1200], fix[400], line[160];

	if (!g->takes_passthru || g->takes_passthru(&t, why, sizeof(why), fix, sizeof(fix)) != 0)
		return;
	if (fix[0])
		snprintf(line, sizeof(line), "%.120s; then %.20s; reboot", fix, cmd);
	add_drift(s, "initramfs", fix[0] ? line : "passthru-setup install, then reboot",
		  "%.560s: %s builds the next images without passthru-claim%s", why, g->name,
		  fix[0] ? " (passthru-setup install refuses until it is fixed)" : "");
}

/*
 * Each kernel under /lib/modules whose image the host's generator can list and that lacks
 * passthru-claim (a kernel installed while passthru was not enabled, a failed rebuild). Of the
 * images that hold it: while a trial is pending, those without its mark (/etc/passthru.trial:
 * they claim on every boot, not only the trial's; noted in s->trial.unmarked); with no trial
 * pending, those that still hold the mark (a confirm or uninstall whose rebuild did not run:
 * they claim on no boot but one with rd.passthru.trial=1).
 */
static void check_initramfs(struct judgement *s, const struct hostview *h, const struct fsroot *fr,
			    const struct manifest *m)
{
	struct kernels k = { .n = 0 };
	char running[128] = "", cmd[80] = "";
	const struct initramfs_gen *g;
	size_t i;

	root_read(&h->r, "proc/sys/kernel/osrelease", running, sizeof(running));
	g = initramfs_find(fr, m->initramfs[0] ? m->initramfs : NULL, running[0] ? running : NULL);
	if (!g || !g->image_has)
		return;
	for (i = 0; g->rebuild_argv[i]; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i ? " " : "",
			 g->rebuild_argv[i]);
	check_takes_passthru(s, fr, g, cmd);
	root_each(&h->r, "lib/modules", each_kernel, &k);
	for (i = 0; i < k.n; i++) {
		int r = g->image_has(fr, k.name[i], IMAGE_CLAIM), mark;

		/* no image (a kernel without one), or no lister: nothing to tell; without
		 * /etc/passthru.conf (installed with no device, the IOMMU first) every
		 * generator's hook leaves passthru-claim out, by design */
		if (r == 0 && s->conf_exists)
			add_drift(s, "initramfs", "passthru-setup install, then reboot",
				  "the initramfs of kernel %s does not hold passthru-claim (listed "
				  "with %s's tools): that kernel boots without passthru", k.name[i],
				  g->name);
		if (r != 1)
			continue;
		mark = g->image_has(fr, k.name[i], IMAGE_TRIAL_MARK);
		if (mark == 0 && m->trial[0]) {
			size_t n = strlen(s->trial.unmarked);

			snprintf(s->trial.unmarked + n, sizeof(s->trial.unmarked) - n, "%s%s",
				 n ? ", " : "", k.name[i]);
		} else if (mark == 1 && !m->trial[0]) {
			add_drift(s, "initramfs", "passthru-setup install, then reboot",
				  "the initramfs of kernel %s still holds the mark of a trial "
				  "(/etc/passthru.trial), though none is pending: with it, "
				  "passthru-claim claims nothing unless the command line has "
				  "rd.passthru.trial=1 (its rebuild, %s, did not run)", k.name[i],
				  cmd);
		}
	}
}

/*
 * While a trial is pending, a plain install confirms it untried: every fix that runs install
 * runs install --trial instead (it re-arms the trial with what changed).
 */
static void trial_fixes(struct judgement *s)
{
	static const char cmd[] = "passthru-setup install";
	size_t i;

	for (i = 0; s->trial.pending && i < s->ndrift; i++) {
		char *p = s->drift[i].fix, rest[sizeof(s->drift[i].fix)];

		/* every mention (a card's fix names install twice) */
		while ((p = strstr(p, cmd))) {
			p += strlen(cmd);
			if (!strncmp(p, " --trial", 8))
				continue;
			strscpy(rest, p, sizeof(rest));
			snprintf(p, sizeof(s->drift[i].fix) - (size_t)(p - s->drift[i].fix),
				 " --trial%s", rest);
		}
	}
}

/* What status says about a pending install --trial, from the install record, the running
 * command line (the marker) and the images' marks (check_initramfs). */
static void check_trial(struct judgement *s, const struct hostview *h, const struct manifest *m)
{
	struct trial *t = &s->trial;
	struct cmdline cl = { 0 };
	struct config c;
	struct errlist errs = { 0 };
	size_t n;

	t->pending = m->trial[0] != '\0';
	if (!t->pending)
		return;
	config_init(&c);
	if (cmdline_parse(h->cmdline ? h->cmdline : "", &cl, &c, &errs) == 0)
		t->this_boot = cl.trial;
	config_free(&c);
	errlist_free(&errs);
	if (t->this_boot)
		snprintf(t->message, sizeof(t->message), "this is the trial boot of passthru-setup "
			 "install --trial (rd.passthru.trial=1): once status is ready, passthru-setup "
			 "confirm (run by passthru-confirm.service) makes it permanent; until then "
			 "a boot without the marker claims nothing");
	else
		snprintf(t->message, sizeof(t->message), "a trial (passthru-setup install --trial) "
			 "is pending and this boot is not the trial boot (no rd.passthru.trial=1): "
			 "passthru-claim claims nothing on it, by design; the trial boot is the "
			 "'passthru trial' entry, which install --trial chooses for the next boot "
			 "only (run it again to choose it again); passthru-setup uninstall drops the "
			 "trial");
	if (t->unmarked[0]) {
		n = strlen(t->message);
		snprintf(t->message + n, sizeof(t->message) - n, "; but the initramfs of kernel "
			 "%s holds passthru-claim without the trial's mark (/etc/passthru.trial): "
			 "it claims on every boot, not only the trial's (rebuild the images; if "
			 "the mark is still missing, the generator's passthru hook is older than "
			 "--trial)", t->unmarked);
		if (!t->this_boot)
			add_drift(s, "initramfs", "passthru-setup install --trial (it rebuilds "
				  "the images), then reboot", "a trial is pending, but the initramfs "
				  "of kernel %s holds passthru-claim without its mark "
				  "(/etc/passthru.trial): it claims on every boot, not only the "
				  "trial's", t->unmarked);
	}
}

void drift_config(struct judgement *s, const char *conf, size_t conflen, bool broken)
{
	char want[SHA256_HEX_LEN], now[SHA256_HEX_LEN];
	/* install refuses a config with errors: the fix starts with them */
	const char *fix = broken ? "fix the errors in " PASSTHRU_CONF " (each names its line), then "
		"passthru-setup install, then reboot" : "passthru-setup install, then reboot";
	int r = boot_config_sha(s->boot, want);

	if (r < 0)
		return;
	if (conf)
		sha256_hex(conf, conflen, now);
	if (r == 0 && conf)
		add_boot_drift(s, "config", fix,
			  "this boot ran without a config, but %s exists now: the initramfs holds "
			  "no config or an older one", PASSTHRU_CONF);
	else if (r == 1 && !conf)
		add_boot_drift(s, "config", "passthru-setup install, then reboot",
			  "this boot read a config (sha256 %.12s...), but %s is gone now",
			  want, PASSTHRU_CONF);
	else if (r == 1 && strcmp(want, now))
		add_boot_drift(s, "config", fix,
			  "%s changed since the initramfs was built (this boot read sha256 "
			  "%.12s..., the file is %.12s... now): the initramfs holds the old "
			  "config, and the next boot would use it",
			  PASSTHRU_CONF, want, now);
}

void drift_since_install(struct judgement *s, const struct fsroot *fr, const struct opts *o,
			 const struct manifest *m)
{
	check_cmdline(s, &s->h, m);
	check_next_boot(s, fr, o, m);
	check_initramfs(s, &s->h, fr, m);
	check_devices(s, &s->h, m);
	check_trial(s, &s->h, m);
	trial_fixes(s);
}

/* Another passthru-setup holds the root's lock: an install, uninstall or confirm is running. */
void drift_busy(struct judgement *s)
{
	add_drift(s, "busy", "wait until it ends (a confirm: systemctl status "
		  "passthru-confirm.service), then passthru-setup status",
		  "a passthru-setup install, uninstall or confirm (on a trial boot: "
		  "passthru-confirm.service) is changing this host right now: its files and images "
		  "are half-done until it ends");
}

/*
 * A run a power cut (or a kill, or a shutdown that did not wait) ended: its journal, or the
 * record's commands that never ran (a confirm whose rebuild was cut leaves the arguments
 * permanent and the images still the trial's: they claim nothing).
 */
void drift_interrupted(struct judgement *s, const struct fsroot *fr, const struct manifest *m)
{
	char op[32];
	bool committed = false;

	if (journal_describe(fr, op, sizeof(op), &committed) == 1) {
		add_drift(s, "interrupted", committed ? "passthru-setup uninstall (it runs the "
			  "interrupted one's commands), then reboot" : "passthru-setup install (it "
			  "undoes the interrupted run first; or uninstall), then reboot",
			  "an earlier passthru-setup %s was interrupted (a power cut or a kill) %s "
			  "(%s is its journal)", op, committed ? "after its files were changed, "
			  "before its commands ran" : "before it finished: some files may be "
			  "half-changed", JOURNAL_PATH);
		return;
	}
	if (!m->exists || m->trial[0] || (!m->pending_boot && !m->pending_initramfs))
		return;
	add_drift(s, "interrupted", "passthru-setup install (it runs them again), then reboot",
		  "the commands of the last passthru-setup install or confirm did not all run "
		  "(%s%s%s): the run was interrupted (a power cut, a shutdown during "
		  "passthru-confirm.service), one failed, or --no-initramfs left the rebuild to you; "
		  "until they run, the next boot lacks what install set up", m->pending_boot ? "the boot "
		  "configuration's" : "", m->pending_boot && m->pending_initramfs ? ", " : "",
		  m->pending_initramfs ? "the initramfs rebuild" : "");
}
