/* trial.c: install --trial (the next boot only gets passthru, chosen once) and confirm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "cmdline.h"
#include "config.h"
#include "manifest.h"
#include "root.h"
#include "setup.h"
#include "trial.h"

#define TRIAL_SCRIPT "/etc/grub.d/42_passthru_trial"
#define TRIAL_MARK "/etc/passthru.trial"
#define TRIAL_ARG "rd.passthru.trial=1"
#define TRIAL_TITLE "passthru trial"
#define GRUBENV "/boot/grub/grubenv"
#define CONFIRM_UNIT "passthru-confirm.service"
#define GRUB_DROPIN "/etc/default/grub.d/passthru.cfg"

static const char mark_text[] =
	"# written by passthru-setup install --trial; removed by confirm and uninstall.\n"
	"# While the initramfs holds this file, passthru-claim claims only on a boot whose\n"
	"# command line has rd.passthru.trial=1 (the one-time \"passthru trial\" entry).\n";

/* The words the trial entry adds to the default entry's command line. */
static int trial_words(const struct kargs_edit *e, struct sbuf *b)
{
	size_t i;

	for (i = 0; i < e->nadd; i++)
		sbuf_addf(b, "%s ", e->add[i]);
	sbuf_add(b, TRIAL_ARG);
	return b->err ? -ENOMEM : 0;
}

/*
 * /etc/grub.d/42_passthru_trial: 10_linux again, with the words appended to
 * GRUB_CMDLINE_LINUX, cut to its first (newest kernel's) entry, retitled and given ids of
 * its own, so that grub-reboot can choose it by title without touching the default entry.
 */
char *trial_script(const struct kargs_edit *e)
{
	struct sbuf w = { 0 }, b = { 0 };

	if (trial_words(e, &w) < 0) {
		sbuf_free(&w);
		return NULL;
	}
	sbuf_addf(&b,
		"#! /bin/sh\n"
		"# written by passthru-setup install --trial; removed by confirm and uninstall.\n"
		"# The newest kernel's entry of 10_linux again, titled '" TRIAL_TITLE "', with\n"
		"# passthru's arguments and " TRIAL_ARG "; grub-reboot chooses it for one boot.\n"
		"set -e\n"
		"[ -x /etc/grub.d/10_linux ] || exit 0\n"
		"GRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} %s\"\n"
		"GRUB_DISABLE_RECOVERY=true\n"
		"export GRUB_CMDLINE_LINUX GRUB_DISABLE_RECOVERY\n"
		"/etc/grub.d/10_linux | awk '\n"
		"done { next }\n"
		"!seen && /^menuentry / {\n"
		"\tsub(/^menuentry \\047[^\\047]*\\047/, \"menuentry \\047" TRIAL_TITLE "\\047\")\n"
		"\tgsub(/gnulinux-/, \"passthru-trial-\")\n"
		"\tseen = 1\n"
		"}\n"
		"seen { print }\n"
		"seen && /^}/ { done = 1 }'\n", w.s);
	sbuf_free(&w);
	if (b.err) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

/* GRUB clears next_entry with save_env at the trial boot: only where it can write grubenv. */
static int grubenv_writable(const struct fsroot *fr)
{
	static const char *const ok_fs[] = { "ext2", "fat", NULL };
	char dir[4200], *abs = NULL, *fs = NULL;
	int r, ret = 0;
	size_t i;

	snprintf(dir, sizeof(dir), "%s%s", strcmp(fr->path, "/") ? fr->path : "", "/boot/grub");
	{
		const char *const a[] = { "grub-probe", "--target=abstraction", dir, NULL };
		const char *const f[] = { "grub-probe", "--target=fs", dir, NULL };

		r = run_capture(a, NULL, &abs);
		if (r == 0)
			r = run_capture(f, NULL, &fs);
	}
	if (r != 0 || !abs || !fs) {
		fprintf(stderr, "passthru-setup: install --trial refused: grub-probe cannot tell on "
			"what %s lies (%s), so whether GRUB can clear its one-time choice in %s at "
			"boot is unknown; nothing was changed\n", dir,
			r < 0 ? strerror(-r) : r == 127 ? "grub-probe is missing" :
			"grub-probe failed", GRUBENV);
		ret = -EINVAL;
		goto out;
	}
	rstrip(abs);
	rstrip(fs);
	if (abs[0]) {
		fprintf(stderr, "passthru-setup: install --trial refused: %s lies on %s; GRUB "
			"cannot write %s there, so the one-time choice would never be cleared and "
			"every boot would be the trial; install without --trial (rd.passthru=0 at "
			"the boot menu is the way back); nothing was changed\n", dir, abs, GRUBENV);
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; ok_fs[i] && strcmp(ok_fs[i], fs); i++)
		;
	if (!ok_fs[i]) {
		fprintf(stderr, "passthru-setup: install --trial refused: %s is on %s, a "
			"filesystem GRUB does not write %s on (GRUB writes ext2/3/4 and FAT), so the "
			"one-time choice would never be cleared; install without --trial; nothing "
			"was changed\n", dir, fs, GRUBENV);
		ret = -EINVAL;
	}
out:
	free(abs);
	free(fs);
	return ret;
}

int trial_check(const struct bootctx *c, const struct bootcfg_ops *const *b, int nb)
{
	if (nb != 1 || b[0] != &boot_grub) {
		fprintf(stderr, "passthru-setup: install --trial: only Debian's GRUB (update-grub, "
			"grub-reboot) is supported so far, not %s; install without --trial "
			"(rd.passthru=0 at the boot menu is the way back); nothing was changed\n",
			nb > 0 ? b[0]->what : "this host's boot configuration");
		return -EOPNOTSUPP;
	}
	if (c->m->exists && !c->m->trial[0] && manifest_find(c->m, GRUB_DROPIN)) {
		fprintf(stderr, "passthru-setup: install --trial: passthru is installed for every "
			"boot already (" GRUB_DROPIN "); a trial would prove nothing: run "
			"passthru-setup uninstall first; nothing was changed\n");
		return -EEXIST;
	}
	return grubenv_writable(c->fr);
}

int trial_stage(struct bootctx *c)
{
	char *text = trial_script(c->e);
	int r;

	if (!text)
		return -ENOMEM;
	r = manifest_stage(c->t, c->m, TRIAL_SCRIPT, text, strlen(text), NULL);
	manifest_add_boot(c->m, "grub");
	free(text);
	snprintf(c->m->trial, sizeof(c->m->trial), "%s %s", c->o->cpu ? c->o->cpu : "-",
		 c->o->no_iommu_pt ? "nopt" : "pt");
	return r;
}

static int drop(struct bootctx *c, const char *path)
{
	struct manifest_entry *me = manifest_find(c->m, path);
	int r = 0;

	if (fsroot_exists(c->fr, path))
		r = txn_stage_delete(c->t, path);
	if (me) {
		size_t i = (size_t)(me - c->m->e);

		memmove(me, me + 1, (c->m->n - i - 1) * sizeof(*me));
		c->m->n--;
	}
	return r;
}

int trial_stage_mark(struct bootctx *c, bool on)
{
	int r;

	if (on)
		return manifest_stage(c->t, c->m, TRIAL_MARK, mark_text, strlen(mark_text), NULL);
	if (!c->m->trial[0])
		return 0;
	/* the trial is over: its entry and its mark go, the images are rebuilt without it */
	r = drop(c, TRIAL_SCRIPT);
	if (r == 0)
		r = drop(c, TRIAL_MARK);
	c->m->trial[0] = '\0';
	return r;
}

int trial_commands(const struct bootctx *c, bool on, struct cmdlist *out)
{
	static const char *const reboot[] = { "grub-reboot", TRIAL_TITLE, NULL };
	static const char *const enable[] = { "systemctl", "enable", CONFIRM_UNIT, NULL };
	static const char *const unset[] = { "grub-editenv", GRUBENV, "unset", "next_entry",
					     NULL };
	static const char *const disable[] = { "systemctl", "disable", CONFIRM_UNIT, NULL };
	int r;

	(void)c;
	r = cmdlist_add(out, on ? reboot : unset);
	if (r == 0)
		r = cmdlist_add(out, on ? enable : disable);
	return r;
}

bool trial_report(const struct bootctx *c, const struct bootcfg_ops *b, bool done)
{
	struct klines k = { 0 };
	struct kargs_edit want = *c->e;
	struct sbuf w = { 0 };
	bool ok = true;
	size_t j;
	int r = b->effective(c, done, &k);

	if (r < 0 || trial_words(c->e, &w) < 0) {
		fprintf(stderr, "passthru-setup: cannot compute the kernel command line of %s: "
			"%s\n", b->what, strerror(r < 0 ? -r : ENOMEM));
		ok = false;
	}
	want.ndrop = 0;	/* the words appended last win over the user's contradicting ones */
	if (want.nadd < 8)
		strscpy(want.add[want.nadd++], TRIAL_ARG, sizeof(want.add[0]));
	for (j = 0; ok && j < k.n; j++) {
		struct sbuf why = { 0 }, line = { 0 };

		printf("kernel command line for every boot after the trial (as before, until "
		       "confirmed), %s: %s\n", k.v[j].label, k.v[j].line);
		sbuf_addf(&line, "%s%s%s", k.v[j].line, k.v[j].line[0] ? " " : "", w.s);
		printf("kernel command line for the trial boot (GRUB entry '" TRIAL_TITLE "' from "
		       TRIAL_SCRIPT ", chosen once by grub-reboot): %s\n", line.s ? line.s : "");
		if (!line.s || !bootcfg_line_ok(line.s, &want, &why)) {
			fprintf(stderr, "passthru-setup: the trial entry: %s\n",
				why.s ? why.s : "out of memory");
			ok = false;
		}
		sbuf_free(&why);
		sbuf_free(&line);
	}
	sbuf_free(&w);
	klines_free(&k);
	return ok;
}

int cmd_confirm(struct opts *o)
{
	struct fsroot fr;
	struct manifest m;
	struct root sr;
	struct cmdline cl = { 0 };
	char *line = NULL, cpu[16] = "", pt[8] = "";
	int r;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	r = manifest_read(&fr, &m);
	fsroot_close(&fr);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", MANIFEST_PATH, strerror(-r));
		return 1;
	}
	if (!m.trial[0]) {
		fprintf(stderr, "passthru-setup: confirm: no trial is pending here (passthru-setup "
			"install --trial starts one)\n");
		manifest_free(&m);
		return 1;
	}
	sscanf(m.trial, "%15s %7s", cpu, pt);
	manifest_free(&m);
	if (root_open(&sr, o->sysroot) < 0 || root_slurp(&sr, "proc/cmdline", &line, NULL) < 0) {
		fprintf(stderr, "passthru-setup: confirm: cannot read /proc/cmdline under %s\n",
			o->sysroot);
		return 1;
	}
	root_close(&sr);
	{
		struct config c;
		struct errlist errs = { 0 };

		config_init(&c);
		r = cmdline_parse(line, &cl, &c, &errs);
		config_free(&c);
		errlist_free(&errs);
	}
	free(line);
	if (r == -ENOMEM || !cl.trial) {
		fprintf(stderr, "passthru-setup: confirm: this boot is not the trial boot (/proc/"
			"cmdline has no " TRIAL_ARG "): the trial stays unconfirmed\n");
		return 1;
	}
	/* the same verdict as passthru-setup status: every configured device claimed, the
	 * IOMMU active; its words go to the journal when the service runs this */
	if (cmd_status(o) != 0) {
		fprintf(stderr, "passthru-setup: confirm: this trial boot is not ready (see "
			"above): the trial stays unconfirmed, and the next boot is the old one; fix "
			"the cause and run passthru-setup install --trial again, or uninstall\n");
		return 1;
	}
	printf("the trial boot is ready: making it permanent\n");
	o->trial = false;
	if (strcmp(cpu, "-"))
		o->cpu = strcmp(cpu, "intel") && strcmp(cpu, "amd") ? "other" :
			 !strcmp(cpu, "intel") ? "intel" : "amd";
	o->no_iommu_pt = !strcmp(pt, "nopt");
	return cmd_install(o);
}
