/* SPDX-License-Identifier: GPL-2.0-or-later */
/* converge.c: the converge engine, to the config (install): devices, each boot configuration, the initramfs, verified. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "bootcfg.h"
#include "choices.h"
#include "converge.h"
#include "config.h"
#include "devices.h"
#include "initramfs.h"
#include "journal.h"
#include "manifest.h"
#include "outcome.h"
#include "reboot.h"
#include "root.h"
#include "setup.h"
#include "sha256.h"
#include "trial.h"
#include "uki.h"

#define UNSAFE_CONF "/etc/modprobe.d/passthru-unsafe-interrupts.conf"
#define PASSTHRU_CONF "/etc/passthru.conf"
#define CLAIM_BIN "/usr/lib/passthru/passthru-claim"

static const char unsafe_conf[] =
	"# written by passthru-setup install --allow-unsafe-interrupts; removed by uninstall.\n"
	"# WARNING: without interrupt remapping, a guest can attack the host with MSI writes.\n"
	"options vfio_iommu_type1 allow_unsafe_interrupts=1\n";

/*
 * The platform's IOMMU decides the arguments: the firmware's DMAR table means Intel VT-d,
 * IVRS means AMD-Vi (this also holds for a guest whose virtual CPU names another vendor).
 * Without either table, /proc/cpuinfo's vendor decides.
 */
static const char *this_cpu(const struct opts *o)
{
	struct utsname u;
	char *info = NULL;
	const char *cpu = "other";
	struct root r;

	if (o->cpu)
		return o->cpu;
	if (uname(&u) == 0 && strcmp(u.machine, "x86_64") && strcmp(u.machine, "i686"))
		return "other";
	if (root_open(&r, o->sysroot) < 0)
		return "other";
	if (root_exists(&r, "sys/firmware/acpi/tables/DMAR")) {
		cpu = "intel";
	} else if (root_exists(&r, "sys/firmware/acpi/tables/IVRS")) {
		cpu = "amd";
	} else if (root_slurp(&r, "proc/cpuinfo", &info, NULL) == 0) {
		if (strstr(info, "GenuineIntel"))
			cpu = "intel";
		else if (strstr(info, "AuthenticAMD") || strstr(info, "HygonGenuine"))
			cpu = "amd";
	}
	free(info);
	root_close(&r);
	return cpu;
}


static void words(const char (*list)[64], size_t n, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, size - l, "%s%s", i ? " " : "", list[i]);
	}
}

/* The vendor:device of each configured address in the host view, for status; none from this
 * machine into an image for others (--root alone). */
static void record_devices(const struct opts *o, const struct config *c, struct manifest *m)
{
	struct root r;
	size_t i;

	m->ndevices = 0;
	if (opts_foreign_image(o) || root_open(&r, o->sysroot) < 0)
		return;
	for (i = 0; i < c->nsel && m->ndevices < ARRAY_SIZE(m->devices); i++) {
		struct manifest_device *d = &m->devices[m->ndevices];
		char a[ADDR_LEN], p[128], ven[16] = "", dev[16] = "";

		if (c->sel[i].kind == SEL_ID)
			continue;
		addr_format(c->sel[i].addr, a);
		snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/vendor", a);
		if (root_read(&r, p, ven, sizeof(ven)) < 0)
			continue;
		snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/device", a);
		if (root_read(&r, p, dev, sizeof(dev)) < 0)
			continue;
		rstrip(ven);
		rstrip(dev);
		snprintf(d->addr, sizeof(d->addr), "%.15s", a);
		snprintf(d->id, sizeof(d->id), "%.4s:%.4s", ven + (ven[1] == 'x' ? 2 : 0),
			 dev + (dev[1] == 'x' ? 2 : 0));
		m->ndevices++;
	}
	root_close(&r);
}

/* The cards the record would note now differ from those it notes (a swapped or moved card,
 * a device line added or taken out): install writes the record even with nothing else to do,
 * or status's device drift would never clear. */
static bool devices_changed(const struct opts *o, const struct config *c, const struct manifest *m)
{
	struct manifest_device now[ARRAY_SIZE(m->devices)];
	size_t n, i;
	struct manifest *scratch = calloc(1, sizeof(*scratch));

	if (!scratch)
		return false;
	record_devices(o, c, scratch);
	n = scratch->ndevices;
	memcpy(now, scratch->devices, n * sizeof(now[0]));
	free(scratch);
	if (n != m->ndevices)
		return true;
	for (i = 0; i < n; i++)
		if (strcmp(now[i].addr, m->devices[i].addr) || strcmp(now[i].id, m->devices[i].id))
			return true;
	return false;
}

/* Print each configuration's command lines; false when one lacks an argument. */
static bool report_effective(const struct bootctx *ctx, const struct bootcfg_ops **b, int nb,
			     bool done, const char *verb)
{
	bool ok = true;
	int i;

	if (ctx->o->trial) {
		for (i = 0; i < nb; i++)
			ok &= trial_report(ctx, b[i], done);
		return ok;
	}
	for (i = 0; i < nb; i++) {
		struct klines k = { 0 };
		size_t j;
		int r = b[i]->effective(ctx, done, &k);

		if (r == -ENOEXEC) {
			/* an image's shell code that could not run inside it: not checked, said */
			printf("kernel command line %s, %s: unknown: %s; not checked: check it "
			       "inside the image (passthru-setup status there)\n", verb, b[i]->what,
			       shell_unknown_why());
		} else if (r < 0) {
			fprintf(stderr, "passthru-setup: cannot compute the kernel command line of "
				"%s: %s\n", b[i]->what, strerror(-r));
			ok = false;
		}
		for (j = 0; j < k.n; j++) {
			struct sbuf why = { 0 };

			printf("kernel command line %s, %s: %s\n", verb, k.v[j].label, k.v[j].line);
			outcome_cmdline(k.v[j].label, k.v[j].line);
			if (!bootcfg_line_ok(k.v[j].line, ctx->e, &why)) {
				fprintf(stderr, "passthru-setup: %s: %s\n", k.v[j].label,
					why.s ? why.s : "?");
				ok = false;
			}
			sbuf_free(&why);
		}
		klines_free(&k);
	}
	return ok;
}

/* Stage the record again (after commands) and commit it alone. */
static int commit_record(const struct fsroot *fr, struct manifest *m, const char *op)
{
	struct txn t = { .root = fr };
	char err[1024];
	int r = manifest_stage_self(&t, m);

	if (r == 0)
		r = journal_commit_txn(&t, op, MANIFEST_BACKUP_DIR, err, sizeof(err));
	if (r == 0)
		journal_end(fr, NULL, 0);
	if (r < 0)
		fprintf(stderr, "passthru-setup: cannot update %s: %s\n", MANIFEST_PATH,
			strerror(-r));
	txn_free(&t);
	return r;
}

/* Everything one install works with. */
struct install {
	const struct opts *o;	/* &eff */
	struct opts eff;	/* the command line's options, with the remembered choices */
	struct remembered rem;	/* which choices came from the record */
	bool choices_changed;	/* the record's choices are not this install's: write it */
	bool devices_changed;	/* the record's cards are not the config's as they are now */
	struct converging cv;
	struct config c;
	struct kargs_edit e;
	struct sbuf dropped;
	const struct bootcfg_ops *b[4];
	int nb;
	const struct initramfs_gen *gen;
	struct cmdlist boot_cmds, init_cmds;
	char *conf_text;	/* the config with --device lines, NULL: unchanged */
	char conf_sha[SHA256_HEX_LEN], claim_sha[SHA256_HEX_LEN];
	char add[600], drop[600];
	const char *cpu;
	bool by_hand;		/* --bootloader none: the user adds the arguments */
	bool ends_trial;	/* a plain install while a trial is pending */
	char trial_ending[80];	/* the trial this run ends ("" none): in the record until the
				 * commands that end it have run */
	bool uki;		/* the "uki" boot configuration: its builder's rebuild replaces the
				 * generator's, and the guard puts the old UKIs back on failure */
	struct uki_guard ug;
};

/* The generator and passthru-claim in the root, and the hashes of what goes in the image. */
static int find_integration(struct install *in)
{
	struct utsname u;
	char *claim = NULL, *conf = NULL;
	size_t len = 0;
	int i;

	in->gen = initramfs_find(&in->cv.fr, in->o->initramfs,
				 in->cv.fr.is_host && uname(&u) == 0 ? u.release : NULL);
	if (!in->gen) {
		struct sbuf names = { 0 };

		for (i = 0; initramfs_gens[i]; i++)
			sbuf_addf(&names, "%s%s", i ? ", " : "", initramfs_gens[i]->name);
		if (in->o->initramfs)
			fprintf(stderr, "passthru-setup: --initramfs %s%s: it is not installed in %s",
				in->o->initramfs, in->rem.initramfs ? " (remembered from the last "
				"install; --initramfs auto finds one)" : "", in->cv.fr.path);
		else
			fprintf(stderr, "passthru-setup: no supported initramfs generator in %s",
				in->cv.fr.path);
		fprintf(stderr, " (supported: %s): the initramfs would not run passthru-claim; "
			"nothing was changed\n", names.s ? names.s : "none");
		sbuf_free(&names);
		return -ENOENT;
	}
	if (fsroot_read(&in->cv.fr, CLAIM_BIN, &claim, &len) < 0 ||
	    !fsroot_executable(&in->cv.fr, CLAIM_BIN)) {
		fprintf(stderr, "passthru-setup: %s is not installed (as an executable) in %s: the "
			"initramfs would not run it (install passthru first: make install); nothing "
			"was changed\n", CLAIM_BIN, in->cv.fr.path);
		free(claim);
		return -ENOENT;
	}
	sha256_hex(claim, len, in->claim_sha);
	free(claim);
	if (!in->conf_text)
		fsroot_read(&in->cv.fr, PASSTHRU_CONF, &conf, NULL);
	{
		const char *ct = in->conf_text ? in->conf_text : conf ? conf : "";

		sha256_hex(ct, strlen(ct), in->conf_sha);
	}
	free(conf);
	return 0;
}

/* The arguments for this CPU and the boot configurations that carry them. */
static int find_boot(struct install *in)
{
	in->cpu = this_cpu(in->o);
	kargs_for_cpu(in->cpu, !in->o->no_iommu_pt, &in->e);
	words(in->e.add, in->e.nadd, in->add, sizeof(in->add));
	words(in->e.drop, in->e.ndrop, in->drop, sizeof(in->drop));
	if (!in->e.nadd && !in->e.ndrop)
		return 0;	/* no argument to add or replace: no boot configuration to edit */
	in->nb = bootcfg_choose(&in->cv.fr, in->o->bootloader, in->b);
	if (in->nb < 0 && in->rem.bootloader)
		fprintf(stderr, "passthru-setup: --bootloader %s was remembered from the last "
			"install; give --bootloader auto (or another) to choose again\n",
			in->o->bootloader);
	if (in->nb < 0)
		return in->nb;
	for (int i = 0; i < in->nb; i++)
		in->uki |= in->b[i] == &boot_uki;
	in->by_hand = in->nb == 0 && in->e.nadd && !strcmp(in->o->bootloader ? in->o->bootloader :
							       "auto", "none");
	if (in->nb == 0 && in->e.nadd && !in->by_hand) {
		fprintf(stderr, "passthru-setup: no boot configuration found in %s (looked for "
			"GRUB, GRUB with BLS entries and grubby, /etc/kernel/cmdline and systemd-boot): "
			"the next boot would not get %s; give --bootloader, or --bootloader none and "
			"add them yourself; nothing was changed\n", in->cv.fr.path, in->add);
		return -ENOENT;
	}
	return 0;
}

/* The boot configurations' commands to run, and with --trial (or a trial's end) the trial's
 * one-time choice. */
static int stage_boot_commands(struct install *in, bool boot_changed, bool need_init,
			       bool drop_trial)
{
	struct manifest *m = &in->cv.m;
	bool trial = in->o->trial;
	int i;

	/* a configuration's commands when its files changed, when they did not run after an
	 * earlier install, or when its tool finds work (grubby: entries without the args) */
	for (i = 0; i < in->nb && !trial; i++) {	/* --trial: trial_commands instead */
		struct cmdlist one = { 0 };
		size_t j;

		if (in->b[i]->commands(&in->cv.ctx, false, &one) < 0)
			return -ENOMEM;
		/* a UKI: its builder is also the initramfs's, and runs when a UKI lacks the
		 * arguments (a rebuild without passthru's configuration) */
		if (boot_changed || m->pending_boot || !strcmp(in->b[i]->name, "grubby") ||
		    (in->b[i] == &boot_uki && (need_init || uki_stale(&in->cv.ctx))))
			for (j = 0; j < one.n; j++)
				cmdlist_add(&in->boot_cmds, (const char *const *)one.argv[j]);
		cmdlist_free(&one);
	}
	/* --trial chooses the trial entry once, every time (a retry after a failed trial) */
	if ((trial || drop_trial) && trial_commands(&in->cv.ctx, trial, &in->boot_cmds) < 0)
		return -ENOMEM;
	return 0;
}

/* Stage every edit and decide the commands; nothing is written yet. 1: nothing to do; 2:
 * nothing but the record's choices. */
static int stage_all(struct install *in)
{
	struct manifest *m = &in->cv.m;
	bool trial = in->o->trial, drop_trial = (m->trial[0] || m->trial_ending[0]) && !trial;
	bool boot_changed = drop_trial, need_init;
	size_t before;
	int i;

	in->ends_trial = m->trial[0] && !trial && !in->o->confirming;
	/* a trial whose ending was cut short (its commands never ran): ended again, and the
	 * record names it until they have run (stage_record, run_commands) */
	if (drop_trial) {
		if (!m->trial[0])
			strscpy(m->trial, m->trial_ending, sizeof(m->trial));
		strscpy(in->trial_ending, m->trial, sizeof(in->trial_ending));
	}
	m->trial_ending[0] = '\0';

	/* the first install notes the loader entries there are: uninstall then knows any
	 * other one was made after it (a kernel update) and takes passthru's words out */
	if (!m->exists && !m->entries_known) {
		char **v = NULL;
		int r = bls_entries(&in->cv.t, true, &v);

		if (r == 0)
			r = manifest_set_entries_before(m, v);
		strv_free(v);
		if (r < 0)
			return -ENOMEM;
	}

	if (in->conf_text && manifest_stage(&in->cv.t, m, PASSTHRU_CONF, in->conf_text,
					    strlen(in->conf_text), NULL) < 0)
		return -ENOMEM;
	for (i = 0; i < in->nb; i++) {
		before = in->cv.t.n;
		if ((trial ? trial_stage(&in->cv.ctx, in->b[i], in->gen->name) :
			     in->b[i]->stage(&in->cv.ctx)) < 0)
			return -EINVAL;	/* it said why */
		boot_changed |= in->cv.t.n != before;
	}
	before = in->cv.t.n;
	if (in->gen->stage_enable(&in->cv.t, m, &in->cv.fr) < 0)
		return -EINVAL;
	/* the images carry the trial's mark while it is pending */
	if (trial_stage_mark(&in->cv.ctx, trial) < 0)
		return -ENOMEM;
	if (in->o->allow_unsafe_interrupts) {
		char said[160];

		fprintf(stderr, "WARNING: --allow-unsafe-interrupts%s: without interrupt remapping "
			"a guest can attack the host with MSI writes; use it for trusted guests "
			"only\n", choices_said(in->rem.unsafe_interrupts, "--allow-unsafe-interrupts",
					      NULL, said, sizeof(said)));
		if (manifest_stage(&in->cv.t, m, UNSAFE_CONF, unsafe_conf, strlen(unsafe_conf),
				   NULL) < 0)
			return -ENOMEM;
	}
	/* the images again when what goes into them changed, or the last rebuild failed */
	need_init = in->cv.t.n != before || m->pending_initramfs || strcmp(m->initramfs, in->gen->name) ||
		    strcmp(m->config_sha256, in->conf_sha) || strcmp(m->claim_sha256, in->claim_sha);
	/* or an image lacks what install puts in it (a kernel installed while passthru was not
	 * enabled, a rebuild that never ran): status names it, and its fix is this install */
	need_init = need_init || initramfs_stale(&in->cv.fr, in->gen, in->conf_text ||
						 fsroot_exists(&in->cv.fr, PASSTHRU_CONF),
						 trial, NULL, 0) == 1;
	if (stage_boot_commands(in, boot_changed, need_init, drop_trial) < 0)
		return -ENOMEM;
	if (need_init && !(in->uki && !trial) &&
	    cmdlist_add(&in->init_cmds, in->gen->rebuild_argv) < 0)
		return -ENOMEM;
	if (txn_count(&in->cv.t) || in->boot_cmds.n || in->init_cmds.n || m->pending_boot)
		return 0;
	in->devices_changed = m->exists && devices_changed(in->o, &in->c, m);
	return in->choices_changed || in->devices_changed ? 2 : 1;
}

static void report_plan(const struct install *in)
{
	char said[160];
	int i;

	/* --root alone: this machine's CPU chose the arguments; say so (docs/decisions.md) */
	printf("CPU: %s%s; kernel arguments: %s", in->cpu, !in->o->cpu &&
	       opts_foreign_image(in->o) ? " (this machine's; give --cpu for the image's hosts)" :
	       choices_said(in->rem.cpu, "--cpu", in->o->cpu, said, sizeof(said)),
	       *in->add ? in->add : "(none needed)");
	printf("%s\n", choices_said(in->rem.no_iommu_pt, "--no-iommu-pt", NULL, said,
				   sizeof(said)));
	printf("boot configuration:");
	for (i = 0; i < in->nb; i++)
		printf("%s %s", i ? ";" : "", in->b[i]->what);
	if (in->o->trial && in->nb)	/* --trial writes none of them: a one-time entry */
		printf(" (--trial: not edited; a one-time trial entry instead)");
	printf("%s%s\n", in->nb ? "" : in->by_hand ? " none (--bootloader none)" : " none needed",
	       in->nb || in->by_hand ? choices_said(in->rem.bootloader, "--bootloader",
						    in->o->bootloader, said, sizeof(said)) : "");
	printf("initramfs: %s%s\n", in->gen->name, choices_said(in->rem.initramfs, "--initramfs",
							       in->o->initramfs, said,
							       sizeof(said)));
	if (in->dropped.len)
		printf("contradicting arguments replaced: %s\n", in->dropped.s);
	if (in->ends_trial)
		printf("a trial (install --trial) is pending: this install ends it and gives every "
		       "boot passthru, untried (install --trial instead chooses the trial boot "
		       "again)\n");
	if (in->by_hand)
		printf("--bootloader none: add to the kernel command line yourself: %s%s%s; the "
		       "IOMMU is not on until the next boot has them\n", in->add,
		       *in->drop ? "; and remove any of: " : "", in->drop);
}

/* Run the commands (or, with --root, print them); the record says what is still pending. */
static int run_commands(struct install *in)
{
	struct manifest *m = &in->cv.m;
	int ret = 0;

	if (!in->cv.fr.is_host && !getenv("PASSTHRU_TEST_RUN_COMMANDS")) {
		printf("--root: nothing was run against this host. Inside %s, run:\n", in->cv.fr.path);
		cmdlist_print(&in->boot_cmds, "  ", stdout);
		cmdlist_print(&in->init_cmds, "  ", stdout);
		outcome_commands(&in->boot_cmds, false);
		outcome_commands(&in->init_cmds, false);
		outcome_say("nothing is claimed until they have run (install%s inside the image "
			    "runs them too)\n", in->o->trial ? " --trial" : "");
		outcome_note("--root: nothing was run against this host; the commands (ran: "
			     "false) are still to run inside %s", in->cv.fr.path);
		return 0;
	}
	if (in->o->trial ? trial_run_commands(&in->cv.fr, &in->boot_cmds) :
	    cmdlist_run(&in->boot_cmds, false)) {
		ret = 1;
	} else {
		m->pending_boot = false;
		m->trial_ending[0] = '\0';	/* its commands ran */
	}
	if (in->o->no_initramfs && in->init_cmds.n) {
		printf("--no-initramfs: the initramfs was not rebuilt; run:\n");
		cmdlist_print(&in->init_cmds, "  ", stdout);
		outcome_commands(&in->init_cmds, false);
		outcome_note("--no-initramfs: the initramfs was not rebuilt; run the command "
			     "(ran: false)");
		outcome_say("nothing is claimed until it has run%s\n", in->o->trial ? ": run it before "
		       "you reboot (the next boot is the trial, chosen once; without it, the trial "
		       "boot claims nothing and install --trial must run again)" : "");
	} else if (in->init_cmds.n && cmdlist_run(&in->init_cmds, false)) {
		ret = 1;
	} else {
		/* only now is it true that the images hold this config and this binary */
		m->pending_initramfs = false;
		strscpy(m->config_sha256, in->conf_sha, sizeof(m->config_sha256));
		strscpy(m->claim_sha256, in->claim_sha, sizeof(m->claim_sha256));
	}
	if (commit_record(&in->cv.fr, m, in->o->confirming ? "confirm" : "install") < 0)
		ret = 1;
	/* the record's time is this install's, even when its text is the same: status tells a
	 * boot older than the install ("installed: reboot to apply") by it */
	manifest_touch(&in->cv.fr);
	/* after --trial, a plain install would make it permanent, untried: say --trial */
	if (ret && !in->ug.n)
		fprintf(stderr, "passthru-setup: the files are in place, but a command failed: "
			"fix its cause and run passthru-setup install%s again (it runs the command "
			"again)\n", in->o->trial ? " --trial" : "");
	return ret;
}

static void report_done(const struct install *in)
{
	if (in->o->no_initramfs && in->init_cmds.n)
		return;
	if (!in->c.nsel)
		outcome_say("no device is configured: the kernel arguments and the initramfs are "
		       "set up, but nothing will be claimed until a device is configured "
		       "(device = ... in /etc/passthru.conf, or install --device SEL). After "
		       "the reboot, passthru-setup list shows the display controllers and "
		       "their IOMMU groups\n");
	if (in->o->trial)
		outcome_say("trial installed: the next boot, and only that one, is the trial "
		       "(the 'passthru trial' entry); %s; a bad trial (a black screen, nobody "
		       "able to log in): power off, the boot after it is as before\n",
		       in->o->auto_confirm ? "once it is up and passthru-setup status is ready, "
		       "passthru-confirm.service makes it permanent (--auto-confirm: no login "
		       "needed)" : "once it is up, passthru-setup status is ready and someone "
		       "has logged in (on a seat, a terminal or remotely), "
		       "passthru-confirm.service makes it permanent (or run passthru-setup "
		       "confirm on the trial boot)");
	else if (in->o->confirming)	/* on the trial boot: what it runs is what stays */
		outcome_say(reboot_none_needed(in->o) ? "confirmed: permanent from now on, as this "
			    "trial boot runs it (no reboot needed)\n" : "confirmed: permanent from "
			    "now on; reboot to apply\n");
	else if (reboot_none_needed(in->o))
		outcome_say("installed: no reboot needed (this boot already runs it: the arguments "
			    "are on its command line and the configured devices on their driver)\n");
	else
		outcome_say("installed: reboot to apply\n");
}

/* The root locked, then what install works from: the config and its devices, the generator
 * and passthru-claim, the boot configurations, the record. 0, or the exit code (said why). */
static int gather(struct install *in)
{
	const struct opts *o = in->o;
	const struct manifest *m = &in->cv.m;
	int r;

	if (fsroot_lock(&in->cv.fr, LOCK_SECONDS) < 0)
		return 1;
	/* a run a power cut ended: undone (or an uninstall's folders finished; install runs the
	 * commands itself) before anything is read */
	r = journal_recover(&in->cv.fr, o->dry_run, NULL);
	if (r < 0)
		return 1;
	if (r == 2 && !o->dry_run)
		journal_end(&in->cv.fr, NULL, 0);
	/* a UKI rebuild a power cut ended: the UKI it was rewriting back first */
	if (uki_recover(&in->cv.fr, o->dry_run) < 0)
		return 1;
	r = manifest_read(&in->cv.fr, &in->cv.m);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", MANIFEST_PATH, strerror(-r));
		return 1;
	}
	/* the choices of the last install, unless this command line gives others */
	in->choices_changed = choices_apply(&in->eff, &in->cv.m, &in->rem);
	r = devices_prepare(&in->cv.fr, o, &in->conf_text, &in->c);
	if (r)
		return r;
	if (find_integration(in) < 0 || find_boot(in) < 0)
		return 1;
	/* confirm checked the trial before it took the lock: an uninstall or install --trial
	 * may have run since; it must not install passthru for every boot then */
	if (o->confirming && (!m->trial[0] || (m->config_sha256[0] && !m->pending_initramfs &&
					       strcmp(in->conf_sha, m->config_sha256)))) {
		fprintf(stderr, "passthru-setup: confirm: %s (another passthru-setup or an edit "
			"ran meanwhile); nothing was changed\n", !m->trial[0] ?
			"the trial is no longer pending" : "/etc/passthru.conf is not the trial's");
		return 1;
	}
	/* a trial on a UKI host would be a second, signed UKI on the ESP and a confirm that
	 * rebuilds and re-signs: not done (docs/decisions.md) */
	if (o->trial && in->uki) {
		fprintf(stderr, "passthru-setup: install --trial refused: this host boots a unified "
			"kernel image, and a trial there would need a second (signed) UKI on the ESP "
			"and a confirm that rebuilds it; passthru-setup does not do that. Run "
			"passthru-setup install (it rebuilds the UKI and checks its command line; "
			"passthru-setup uninstall takes it back); nothing was changed\n");
		return 1;
	}
	if (o->trial && trial_check(&in->cv.ctx, in->b, in->nb) < 0)
		return 1;
	return 0;
}

/* Stage every edit, say the plan and the command lines the next boot would get. 0: go on;
 * 1: nothing to do (said so); 2: nothing but the record's choices (said so); -1: refused or
 * failed (said why). */
static int plan_edits(struct install *in)
{
	int r = stage_all(in);

	if (r == -ENOMEM)
		fprintf(stderr, "passthru-setup: install failed: out of memory or a path too long; "
			"nothing was changed\n");
	else if (r < 0)
		fprintf(stderr, "passthru-setup: install failed: nothing was changed\n");
	if (r < 0)
		return -1;
	report_plan(in);
	if (!report_effective(&in->cv.ctx, in->b, in->nb, false, "for the next boot")) {
		fprintf(stderr, "passthru-setup: install refused: the arguments would not reach the "
			"next boot (a later drop-in or option overrides them); nothing was changed\n");
		return -1;
	}
	if (r == 1)
		outcome_say("nothing to do: passthru is installed and up to date\n");
	if (r == 2 && in->choices_changed)
		outcome_say("nothing to do: passthru is installed and up to date; the install record "
		       "keeps this install's choices for the next ones\n");
	if (r == 2 && in->devices_changed) {
		struct manifest now = { 0 };

		record_devices(in->o, &in->c, &now);
		outcome_note("nothing to do for the boot configuration and the images; the install "
			     "record notes the configured cards as they are now");
		printf("nothing to do for the boot configuration and the images; the install record "
		       "notes the configured cards as they are now:");
		for (size_t j = 0; j < now.ndevices; j++)
			printf(" %s %s", now.devices[j].addr, now.devices[j].id);
		printf("%s\n", now.ndevices ? "" : " none");
	}
	return r;
}

/* --trial: a missing tool would leave a trial that nothing chooses; say so first. */
static bool trial_tools_found(const struct install *in)
{
	if (!in->o->trial || !(in->cv.fr.is_host || getenv("PASSTHRU_TEST_RUN_COMMANDS")))
		return true;
	for (size_t j = 0; j < in->boot_cmds.n; j++) {
		const char *tool = in->boot_cmds.argv[j][0];

		if (run_found(tool))
			continue;
		fprintf(stderr, "passthru-setup: install --trial refused: %s is not installed "
			"(not found in PATH), and the trial needs it (%s); install it, or "
			"install without --trial; nothing was changed\n", tool,
			strstr(tool, "reboot") || !strcmp(tool, "bootctl") ?
			"it chooses the trial entry for the next boot only" :
			!strcmp(tool, "systemctl") ? "it enables passthru-confirm.service" :
			"it makes the trial entry");
		return false;
	}
	return true;
}

/* The record of this install, staged last. */
static int stage_record(struct install *in)
{
	strscpy(in->cv.m.initramfs, in->gen->name, sizeof(in->cv.m.initramfs));
	record_devices(in->o, &in->c, &in->cv.m);
	in->cv.m.pending_boot = in->boot_cmds.n > 0;
	if (in->cv.m.pending_boot)
		strscpy(in->cv.m.trial_ending, in->trial_ending, sizeof(in->cv.m.trial_ending));
	in->cv.m.pending_initramfs = in->init_cmds.n > 0;
	if (!in->cv.m.pending_initramfs) {
		strscpy(in->cv.m.config_sha256, in->conf_sha, sizeof(in->cv.m.config_sha256));
		strscpy(in->cv.m.claim_sha256, in->claim_sha, sizeof(in->cv.m.claim_sha256));
	}
	if (manifest_stage_self(&in->cv.t, &in->cv.m) < 0) {
		fprintf(stderr, "passthru-setup: install failed: out of memory; nothing was changed\n");
		return -ENOMEM;
	}
	return 0;
}

/* --dry-run: the diff and the commands, nothing written. */
static void dry_run(const struct install *in)
{
	txn_diff(&in->cv.t, stdout);
	outcome_files_staged(&in->cv.t);
	cmdlist_run(&in->boot_cmds, true);
	if (!in->o->no_initramfs)
		cmdlist_run(&in->init_cmds, true);
	outcome_say("dry run: nothing was changed\n");
}

/* Write every file (or none), and say which. */
static int commit_files(struct install *in)
{
	char err[1024];

	/* confirm: a shutdown (SIGTERM) from here on must not leave the arguments permanent
	 * and the images still the trial's: it waits (passthru-confirm.service: KillMode=mixed,
	 * TimeoutStopSec) until the record says what ran */
	if (in->o->confirming)
		signal(SIGTERM, SIG_IGN);
	if (journal_commit_txn(&in->cv.t, in->o->confirming ? "confirm" : "install",
			       MANIFEST_BACKUP_DIR, err, sizeof(err)) < 0) {
		manifest_remove_dirs(&in->cv.fr, &in->cv.m);	/* the folders made on the way */
		fprintf(stderr, "passthru-setup: install failed: %s\n", err);
		return -1;
	}
	journal_end(&in->cv.fr, NULL, 0);
	for (size_t j = 0; j < in->cv.t.n; j++)
		printf("%s %s\n", in->cv.t.c[j].kind == CHANGE_DELETE ? "removed" : in->cv.t.c[j].old ?
		       "updated" : "created", in->cv.t.c[j].path);
	return 0;
}

/* After the commands: what the tools made of it. 0, or 1 (said why). */
static int verify(struct install *in)
{
	/* the images the rebuild made must carry the trial's mark */
	if (in->o->trial && !in->o->no_initramfs && trial_check_images(&in->cv.fr, in->gen) < 0)
		return 1;
	if (!report_effective(&in->cv.ctx, in->b, in->nb, true, "now")) {
		fprintf(stderr, "passthru-setup: the boot configuration does not carry the "
			"arguments after its commands ran: see above\n");
		return 1;
	}
	report_done(in);
	return 0;
}

/* The folders to passthru's record that did not exist before this install. */
static const char *const record_dirs[] = { "/var", "/var/lib", "/var/lib/passthru" };

/* Every file as before this install (the UKIs first), the copies and the folders made gone,
 * said. */
static void undo_uki(struct install *in, const char *why, const bool *had)
{
	fprintf(stderr, "passthru-setup: install failed: %s: putting the UKIs and every file back "
		"as they were\n", why);
	uki_guard_restore(&in->cv.ctx, &in->ug);
	txn_undo(&in->cv.t, MANIFEST_BACKUP_DIR);
	uki_guard_free(&in->cv.fr, &in->ug);
	manifest_remove_dirs(&in->cv.fr, &in->cv.m);
	journal_end(&in->cv.fr, NULL, 0);
	for (size_t i = ARRAY_SIZE(record_dirs); i-- > 0;) {
		const char *base;
		int fd;

		if (had[i] || (fd = fsroot_parent(&in->cv.fr, record_dirs[i], false, &base)) < 0)
			continue;
		unlinkat(fd, base, AT_REMOVEDIR);	/* only when empty */
		close(fd);
	}
	outcome_say("install failed: the UKIs and every file are as they were before it\n");
}

/* A UKI host: the builder's rebuild, guarded: the UKIs kept, the rebuilt ones' .cmdline
 * checked (every old word, less contradicting ones, plus the arguments), else all put back.
 * had: which record_dirs existed before the commit. */
static int converge_uki(struct install *in, const bool *had)
{
	int r = uki_guard_begin(&in->cv.ctx, &in->ug);

	if (r < 0) {
		undo_uki(in, "the UKIs could not be kept before the rebuild", had);
		return 1;
	}
	r = run_commands(in);
	if (r) {
		undo_uki(in, "the UKI's builder failed", had);
		return 1;
	}
	if (!uki_guard_check(&in->cv.ctx, &in->ug, NULL)) {
		undo_uki(in, "the rebuilt UKI lost a word of its command line (see above), and "
			 "would boot differently", had);
		return 1;
	}
	uki_guard_free(&in->cv.fr, &in->ug);
	return verify(in);
}

/*
 * config -> devices -> generator and claimer -> boot configurations -> stage every edit ->
 * check the effective command lines -> commit -> commands -> the record -> check again.
 */
static int converge(struct install *in)
{
	bool had[ARRAY_SIZE(record_dirs)];
	int r = gather(in);

	if (r)
		return r;
	r = plan_edits(in);
	if (r == 2) {
		if (stage_record(in) < 0)
			return 1;
		if (in->o->dry_run) {
			dry_run(in);
			return 0;
		}
		return commit_files(in) < 0 ? 1 : 0;
	}
	if (r)
		return r < 0 ? 1 : 0;
	if (!trial_tools_found(in) || stage_record(in) < 0)
		return 1;
	if (in->o->dry_run) {
		dry_run(in);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(record_dirs); i++)
		had[i] = fsroot_exists(&in->cv.fr, record_dirs[i]);
	if (commit_files(in) < 0)
		return 1;
	if (in->uki && in->boot_cmds.n && (in->cv.fr.is_host || getenv("PASSTHRU_TEST_RUN_COMMANDS")))
		return converge_uki(in, had);
	r = run_commands(in);
	if (r || (!in->cv.fr.is_host && !getenv("PASSTHRU_TEST_RUN_COMMANDS")))
		return r;
	return verify(in);
}

/* The files install manages that the run left as they were (for --json). */
static void note_kept(const struct manifest *m)
{
	if (!m->exists)
		return;
	for (size_t i = 0; i < m->n; i++)
		outcome_file_kept(m->e[i].path);
	outcome_file_kept(MANIFEST_PATH);
}

int converge_recover(const struct opts *o)
{
	struct fsroot fr;
	int r;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	if (!fsroot_exists(&fr, JOURNAL_PATH)) {	/* the usual case: no lock taken here */
		fsroot_close(&fr);
		return 0;
	}
	r = fsroot_lock(&fr, LOCK_SECONDS);
	if (r == 0)
		r = journal_recover(&fr, o->dry_run, NULL);
	if (r == 2 && !o->dry_run)
		journal_end(&fr, NULL, 0);
	fsroot_close(&fr);	/* the lock goes with the folder's descriptor */
	return r < 0 ? 1 : 0;
}

int converging_open(struct converging *cv, const struct opts *o, const struct kargs_edit *e,
		    struct sbuf *dropped)
{
	if (fsroot_open_or_say(&cv->fr, o->root) < 0)
		return 1;
	cv->t.root = &cv->fr;
	cv->ctx = (struct bootctx){ .fr = &cv->fr, .o = o, .t = &cv->t, .m = &cv->m, .e = e,
				    .dropped = dropped };
	return 0;
}

void converging_close(struct converging *cv)
{
	txn_free(&cv->t);
	manifest_free(&cv->m);
	fsroot_close(&cv->fr);
}

int converge_to_config(const struct opts *o)
{
	struct install in = { .eff = *o };
	int ret;

	in.o = &in.eff;
	if (converging_open(&in.cv, &in.eff, &in.e, &in.dropped))
		return 1;
	config_init(&in.c);
	ret = converge(&in);
	note_kept(&in.cv.m);
	free(in.conf_text);
	sbuf_free(&in.dropped);
	cmdlist_free(&in.boot_cmds);
	cmdlist_free(&in.init_cmds);
	config_free(&in.c);
	converging_close(&in.cv);
	return ret;
}
