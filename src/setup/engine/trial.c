/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trial.c: install --trial's part of converging (the next boot only gets passthru, chosen once); what confirm converges to. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bootcfg.h"
#include "initramfs.h"
#include "manifest.h"
#include "outcome.h"
#include "setup.h"
#include "trial.h"

#define TRIAL_SCRIPT "/etc/grub.d/42_passthru_trial"
#define TRIAL_MARK "/etc/passthru.trial"
#define TRIAL_TITLE "passthru trial"
#define GRUBENV "/boot/grub/grubenv"
#define GRUB2ENV "/boot/grub2/grubenv"
#define GRUBENV_SIZE 1024
/* The BLS copy: GRUB's blscfg (grubby) boots it once by its id, the file name less .conf. */
#define TRIAL_ENTRY BLS_TRIAL_ENTRY
/* systemd-boot's copy: a name that sorts after every other in sd-boot's order (see
 * stage_bls_copy); bootctl set-oneshot names it. */
#define SD_TRIAL_ENTRY BLS_SD_TRIAL_ENTRY
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
 * /etc/grub.d/42_passthru_trial: 10_linux again, its values edited as passthru's drop-in edits
 * them (the contradicting words out of GRUB_CMDLINE_LINUX_DEFAULT and GRUB_CMDLINE_LINUX, the
 * words added to GRUB_CMDLINE_LINUX before a "--", and the marker), cut to its first (newest
 * kernel's) entry, retitled and given ids of its own, so that grub-reboot can choose it by
 * title without touching the default entry.
 */
char *trial_script(const struct kargs_edit *e)
{
	struct sbuf b = { 0 };

	sbuf_add(&b,
		"#! /bin/sh\n"
		"# written by passthru-setup install --trial; removed by confirm and uninstall.\n"
		"# The newest kernel's entry of 10_linux again, titled '" TRIAL_TITLE "', with\n"
		"# passthru's arguments and " TRIAL_ARG " (and without the ones that contradict\n"
		"# them, as /etc/default/grub.d/passthru.cfg does); grub-reboot chooses it for one boot.\n"
		"set -e\n"
		"[ -x /etc/grub.d/10_linux ] || exit 0\n");
	grub_sh_edit(&b, e, TRIAL_ARG);
	sbuf_add(&b,
		"GRUB_DISABLE_RECOVERY=true\n"
		"export GRUB_CMDLINE_LINUX GRUB_CMDLINE_LINUX_DEFAULT GRUB_DISABLE_RECOVERY\n"
		"/etc/grub.d/10_linux | awk '\n"
		"done { next }\n"
		"!seen && /^menuentry / {\n"
		"\tsub(/^menuentry \\047[^\\047]*\\047/, \"menuentry \\047" TRIAL_TITLE "\\047\")\n"
		"\tgsub(/gnulinux-/, \"passthru-trial-\")\n"
		"\tseen = 1\n"
		"}\n"
		"seen { print }\n"
		"seen && /^}/ { done = 1 }'\n");
	if (b.err) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

/* GRUB clears next_entry with save_env at the trial boot: only where it can write grubenv. */
static int grubenv_writable(const struct fsroot *fr, bool grub2)
{
	static const char *const ok_fs[] = { "ext2", "fat", NULL };
	char dir[4200], *abs = NULL, *fs = NULL;
	int r, ret = 0;
	size_t i;
	const char *probe = grub2 ? "grub2-probe" : "grub-probe";
	const char *grubenv = grub2 ? GRUB2ENV : GRUBENV;

	snprintf(dir, sizeof(dir), "%s%s", strcmp(fr->path, "/") ? fr->path : "",
		 grub2 ? "/boot/grub2" : "/boot/grub");
	{
		const char *const a[] = { probe, "--target=abstraction", dir, NULL };
		const char *const f[] = { probe, "--target=fs", dir, NULL };

		r = run_capture(a, NULL, &abs);
		if (r == 0)
			r = run_capture(f, NULL, &fs);
	}
	if (r != 0 || !abs || !fs) {
		fprintf(stderr, "passthru-setup: install --trial refused: grub-probe cannot tell on "
			"what %s lies (%s), so whether GRUB can clear its one-time choice in %s at "
			"boot is unknown; nothing was changed\n", dir,
			r < 0 ? strerror(-r) : r == 127 ? "grub-probe is missing" :
			"grub-probe failed", grubenv);
		ret = -EINVAL;
		goto out;
	}
	rstrip(abs);
	rstrip(fs);
	if (abs[0]) {
		fprintf(stderr, "passthru-setup: install --trial refused: %s lies on %s; GRUB "
			"cannot write %s there, so the one-time choice would never be cleared and "
			"every boot would be the trial; install without --trial (rd.passthru=0 at "
			"the boot menu is the way back); nothing was changed\n", dir, abs, grubenv);
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; ok_fs[i] && strcmp(ok_fs[i], fs); i++)
		;
	if (!ok_fs[i]) {
		fprintf(stderr, "passthru-setup: install --trial refused: %s is on %s, a "
			"filesystem GRUB does not write %s on (GRUB writes ext2/3/4 and FAT), so the "
			"one-time choice would never be cleared; install without --trial; nothing "
			"was changed\n", dir, fs, grubenv);
		ret = -EINVAL;
	}
out:
	free(abs);
	free(fs);
	return ret;
}

int trial_check(const struct bootctx *c, const struct bootcfg_ops *const *b, int nb)
{
	if (nb == 0 && !c->e->nadd && !c->e->ndrop) {
		/* no argument: install edits no boot configuration, so it has none to copy */
		fprintf(stderr, "passthru-setup: install --trial is not supported here: this CPU "
			"(%s) needs no kernel argument, so passthru edits no boot configuration "
			"and has no boot entry to choose once; install without --trial "
			"(rd.passthru=0 on the kernel command line at the boot menu is the way "
			"back); nothing was changed\n", c->o->cpu ? c->o->cpu : "other");
		return -EINVAL;
	}
	if (nb != 1) {
		fprintf(stderr, "passthru-setup: install --trial needs exactly one boot "
			"configuration (GRUB, GRUB with BLS entries and grubby, or systemd-boot with "
			"kernel-install), %s; give --bootloader; nothing was changed\n",
			nb ? "this host has several" : "none was found or needed");
		return -EINVAL;
	}
	if (c->m->exists && !c->m->trial[0] && (c->m->nboots || c->m->grubby[0])) {
		fprintf(stderr, "passthru-setup: install --trial: passthru is installed for every "
			"boot already; a trial would prove nothing: run passthru-setup uninstall "
			"first; nothing was changed\n");
		return -EEXIST;
	}
	if (b[0] == &boot_kernel_install)
		return 0;	/* bootctl set-oneshot: an EFI variable, consumed at boot */
	if (b[0] == &boot_grub && !fsroot_executable(c->fr, "/etc/grub.d/10_linux")) {
		/* the trial entry is 10_linux's again: without it grub-mkconfig makes none, and
		 * grub-reboot would choose a title that names nothing */
		fprintf(stderr, "passthru-setup: install --trial refused: /etc/grub.d/10_linux is "
			"missing or not executable, so grub-mkconfig would make no '" TRIAL_TITLE
			"' entry (the trial entry is 10_linux's newest entry again) and the trial "
			"could not be chosen; make it executable (chmod +x /etc/grub.d/10_linux) or "
			"install without --trial; nothing was changed\n");
		return -ENOENT;
	}
	return grubenv_writable(c->fr, b[0] == &boot_grubby);
}

static bool is_trial_entry(const char *path)
{
	const char *base = strrchr(path, '/');

	return base && (!strcmp(base + 1, TRIAL_ENTRY ".conf") ||
			!strcmp(base + 1, SD_TRIAL_ENTRY ".conf"));
}

/* The copied entry's lines, retitled; systemd-boot's (sd) without a sort-key. */
static void retitle(char *edited, bool sd, struct sbuf *out)
{
	char *save = NULL, *line;

	for (line = strtok_r(edited, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "title ", 6) || !strncmp(line, "title\t", 6))
			sbuf_add(out, "title " TRIAL_TITLE "\n");
		else if (!strncmp(line, "version ", 8) || !strncmp(line, "version\t", 8))
			sbuf_add(out, "version 0~passthru.trial\n");
		else if (!sd || (strncmp(line, "sort-key ", 9) && strncmp(line, "sort-key\t", 9)))
			sbuf_addf(out, "%s\n", line);
	}
}

/*
 * BLS (grubby, systemd-boot): a copy of the entry whose name sorts last in version order (the
 * newest kernel's where names carry versions), in its folder, titled "passthru trial", its
 * version made to sort below every kernel's, the arguments and the marker added to its
 * options. grubby: passthru-trial.conf (GRUB's blscfg sorts by version). systemd-boot (252,
 * boot.c config_entry_compare, bootctl's boot_entry_compare alike; the default is the first
 * entry): entries with a sort-key come before those without, and those without are ordered
 * by id (the file name) newest first in strverscmp_improved's order, where a name that starts
 * with '-' (after the '_' it skips) is older than any that starts with a letter or a digit.
 * So the copy has no sort-key and is named _-passthru-trial.conf: it sorts last.
 */
static int stage_bls_copy(struct bootctx *c, bool esp)
{
	struct kargs_edit e = *c->e;
	struct sbuf out = { 0 }, added = { 0 };
	char **v = NULL, *text = NULL, *edited = NULL, path[600];
	const char *src = NULL;
	int r = bls_entries(c->t, esp, &v);

	/* the newest by version order, as the loaders sort: 6.1.0-10 after 6.1.0-9 */
	if (r == 0)
		src = bls_newest(v, NULL);
	if (r == 0 && !src) {
		fprintf(stderr, "passthru-setup: install --trial: no BLS entry (loader/entries/"
			"*.conf) to copy for the trial boot; nothing was changed\n");
		r = -ENOENT;
	}
	if (r == 0)
		r = txn_read(c->t, src, &text, NULL);
	if (e.nadd < 8)
		strscpy(e.add[e.nadd++], TRIAL_ARG, sizeof(e.add[0]));
	if (r == 0)
		r = bls_edit(text, &e, &edited, c->dropped, &added);	/* named in the plan */
	if (r == 0)
		retitle(edited, esp, &out);
	if (r == 0 && out.s && !strstr(out.s, TRIAL_ARG)) {
		struct sbuf w = { 0 };

		r = trial_words(c->e, &w);
		sbuf_addf(&out, "options %s\n", w.s ? w.s : "");
		sbuf_free(&w);
	}
	if (r == 0 && out.err)
		r = -ENOMEM;
	if (r == 0) {
		snprintf(path, sizeof(path), "%.*s/%s.conf", (int)(strrchr(src, '/') - src), src,
			 esp ? SD_TRIAL_ENTRY : TRIAL_ENTRY);
		r = manifest_stage(c->t, c->m, path, out.s, out.len, NULL);
	} else if (r == -EINVAL) {
		fprintf(stderr, "passthru-setup: install --trial: %s: its options cannot be "
			"edited (quoting); nothing was changed\n", src);
	}
	sbuf_free(&out);
	sbuf_free(&added);
	free(text);
	free(edited);
	strv_free(v);
	return r;
}

/* GRUB's environment block as grub-install (grub-editenv FILE create, GRUB 2.06: Debian 12,
 * Fedora) makes it: the signature, its warning, then '#' up to 1024 bytes. */
static void grubenv_block(char out[GRUBENV_SIZE])
{
	static const char sig[] = "# GRUB Environment Block\n"
		"# WARNING: Do not edit this file by tools other than grub-editenv!!!\n";

	memset(out, '#', GRUBENV_SIZE);
	memcpy(out, sig, sizeof(sig) - 1);
}

/* grub-reboot (grub2-reboot) writes next_entry into the environment block; on a host without
 * one it fails (grub-probe: failed to get canonical path) and no entry is chosen. passthru makes
 * it first, as grub-install does, through the record (created: uninstall takes it away). A
 * symlink in its place, even a dangling one, is left alone. */
static int stage_grubenv(struct bootctx *c, const char *path)
{
	char block[GRUBENV_SIZE];
	int fd = fsroot_openat(c->fr, path, O_PATH | O_NOFOLLOW, 0);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd != -ENOENT)
		return fd;
	grubenv_block(block);
	return manifest_stage(c->t, c->m, path, block, sizeof(block), NULL);
}

bool trial_grubenv_unchanged(const char *path, const char *cur, size_t len, uint64_t hash)
{
	char block[GRUBENV_SIZE], *p = block, *end = block + GRUBENV_SIZE, *nl;

	if ((strcmp(path, GRUBENV) && strcmp(path, GRUB2ENV)) || len != GRUBENV_SIZE)
		return false;
	/* as grub-editenv unset next_entry leaves it: the line taken out, '#' at the end */
	memcpy(block, cur, len);
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (!strncmp(p, "next_entry=", 11)) {
			size_t n = (size_t)(nl + 1 - p);

			memmove(p, nl + 1, (size_t)(end - nl - 1));
			memset(end - n, '#', n);
			continue;
		}
		p = nl + 1;
	}
	return fnv64(block, sizeof(block)) == hash;
}

int trial_stage(struct bootctx *c, const struct bootcfg_ops *b, const char *gen)
{
	char *text;
	int r;

	if (b == &boot_grub) {
		text = trial_script(c->e);
		if (!text)
			return -ENOMEM;
		r = manifest_stage(c->t, c->m, TRIAL_SCRIPT, text, strlen(text), NULL);
		free(text);
	} else {
		r = stage_bls_copy(c, b == &boot_kernel_install);
	}
	if (r == 0 && (b == &boot_grub || b == &boot_grubby))
		r = stage_grubenv(c, b == &boot_grub ? GRUBENV : GRUB2ENV);
	manifest_add_boot(c->m, b->name);
	/* --auto-confirm is this trial's alone: a later install --trial without it waits for a
	 * login again (the safe default) */
	snprintf(c->m->trial, sizeof(c->m->trial), "%s %s %s %s%s", c->o->cpu ? c->o->cpu : "-",
		 c->o->no_iommu_pt ? "nopt" : "pt", b->name, gen,
		 c->o->auto_confirm ? " " TRIAL_AUTO_CONFIRM : "");
	return r;
}

/* A file of the trial's goes without a backup: install --trial made it (passthru's own), and
 * the record forgets it now, so uninstall would never remove a backup of it. */
static int drop(struct bootctx *c, const char *path)
{
	struct manifest_entry *me = manifest_find(c->m, path);
	int r = 0;

	if (fsroot_exists(c->fr, path)) {
		r = txn_stage_delete(c->t, path);
		if (r == 0 && c->t->n && !strcmp(c->t->c[c->t->n - 1].path, path))
			c->t->c[c->t->n - 1].no_backup = true;
	}
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
	/* the trial is over: its entry and its mark go, the images are rebuilt without it
	 * (trial_commands clears the record's trial line) */
	r = drop(c, TRIAL_SCRIPT);
	for (size_t i = 0; r == 0 && i < c->m->n; i++)
		if (is_trial_entry(c->m->e[i].path))
			r = drop(c, c->m->e[i].path);
	if (r == 0)
		r = drop(c, TRIAL_MARK);
	return r;
}

/* The environment block is still there once the staged files are written (uninstall may
 * take away the one passthru made: grub-editenv would make it again). */
static bool grubenv_stays(const struct bootctx *c, const char *path)
{
	char *text = NULL;
	int r = txn_read(c->t, path, &text, NULL);

	free(text);
	return r != -ENOENT;
}

int trial_commands(struct bootctx *c, bool on, struct cmdlist *out)
{
	static const char *const reboot[] = { "grub-reboot", TRIAL_TITLE, NULL };
	static const char *const unset[] = { "grub-editenv", GRUBENV, "unset", "next_entry",
					     NULL };
	static const char *const reboot2[] = { "grub2-reboot", TRIAL_ENTRY, NULL };
	static const char *const unset2[] = { "grub2-editenv", GRUB2ENV, "unset", "next_entry",
					      NULL };
	static const char *const oneshot[] = { "bootctl", "set-oneshot", SD_TRIAL_ENTRY ".conf",
					       NULL };
	static const char *const nooneshot[] = { "bootctl", "set-oneshot", "", NULL };
	static const char *const enable[] = { "systemctl", "enable", CONFIRM_UNIT, NULL };
	static const char *const disable[] = { "systemctl", "disable", CONFIRM_UNIT, NULL };
	char cpu[16] = "", pt[8] = "", kind[32] = "";
	int r = 0;

	sscanf(c->m->trial, "%15s %7s %31s", cpu, pt, kind);
	if (!strcmp(kind, "grubby")) {
		if (on || grubenv_stays(c, GRUB2ENV))
			r = cmdlist_add(out, on ? reboot2 : unset2);
	} else if (!strcmp(kind, "kernel-install"))
		r = cmdlist_add(out, on ? oneshot : nooneshot);
	else if (on)	/* grub: the entry comes from update-grub */
		r = boot_grub.commands(c, false, out) ?: cmdlist_add(out, reboot);
	else if (grubenv_stays(c, GRUBENV))
		r = cmdlist_add(out, unset);
	if (r == 0)
		r = cmdlist_add(out, on ? enable : disable);
	if (!on)
		c->m->trial[0] = '\0';
	return r;
}

/* The trial boot's command line, for --json: its label says it is the trial's. */
static void trial_cmdline(const char *label, const char *line)
{
	struct sbuf l = { 0 };

	sbuf_addf(&l, "trial boot: %s", label);
	if (l.s)
		outcome_cmdline(l.s, line);
	sbuf_free(&l);
}

/* grub.cfg holds the trial's menu entry: what update-grub made of 42_passthru_trial. */
static bool grubcfg_has_trial(const struct fsroot *fr)
{
	char *text = NULL;
	bool has = fsroot_read(fr, "/boot/grub/grub.cfg", &text, NULL) == 0 &&
		   strstr(text, "\nmenuentry '" TRIAL_TITLE "'");

	free(text);
	return has;
}

int trial_run_commands(const struct fsroot *fr, const struct cmdlist *cmds)
{
	for (size_t i = 0; i < cmds->n; i++) {
		struct cmdlist one = { 0 };
		const char *tool = cmds->argv[i][0];
		int r = cmdlist_add(&one, (const char *const *)cmds->argv[i]);

		r = r < 0 ? 1 : cmdlist_run(&one, false);
		cmdlist_free(&one);
		if (r)
			return 1;	/* the next ones would choose a trial that may not be there */
		if ((!strcmp(tool, "update-grub") || !strcmp(tool, "grub-mkconfig")) &&
		    !grubcfg_has_trial(fr)) {
			fprintf(stderr, "passthru-setup: install --trial: %s made no '" TRIAL_TITLE
				"' entry in /boot/grub/grub.cfg (" TRIAL_SCRIPT " printed nothing: "
				"/etc/grub.d/10_linux made no entry, no kernel found?), so grub-reboot "
				"was not run and the next boot is not a trial\n", tool);
			return 1;
		}
	}
	return 0;
}

/* BLS: the trial entry's options as its loader reads them. */
static bool report_bls(const struct bootctx *c, const struct kargs_edit *want)
{
	char **v = NULL, *text = NULL, *opts = NULL;
	struct sbuf why = { 0 };
	bool ok = false;
	size_t i;

	if (bls_entries(c->t, true, &v) < 0)
		return false;
	for (i = 0; v[i] && !is_trial_entry(v[i]); i++)
		;
	if (v[i] && txn_read(c->t, v[i], &text, NULL) == 0 && bls_options(c->t, text, &opts) == 0) {
		printf("kernel command line for the trial boot (%s, chosen once): %s\n", v[i], opts);
		trial_cmdline(v[i], opts);
		printf("every other entry boots as before until confirmed\n");
		ok = bootcfg_line_ok(opts, want, &why);
		if (!ok)
			fprintf(stderr, "passthru-setup: the trial entry: %s\n", why.s ? why.s : "?");
	}
	sbuf_free(&why);
	free(opts);
	free(text);
	strv_free(v);
	return ok;
}

/*
 * The trial entry's command line as 10_linux builds it from the values the trial script leaves
 * (grub_sh_edit): "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}", the first with the
 * words and the marker added, both without the contradicting words (after root=... ro).
 */
static int grub_trial_line(const struct bootctx *c, char **ret)
{
	struct kargs_edit lx_e = *c->e, ldef_e = *c->e;
	char *lx = NULL, *ldef = NULL, *lx2 = NULL, *ldef2 = NULL;
	int r = grub_source(c->t, NULL, &lx, &ldef);

	*ret = NULL;
	if (lx_e.nadd < 8)
		strscpy(lx_e.add[lx_e.nadd++], TRIAL_ARG, sizeof(lx_e.add[0]));
	ldef_e.nadd = 0;
	if (r == 0)
		r = kargs_apply(lx, &lx_e, &lx2, NULL, NULL);
	if (r == 0)
		r = kargs_apply(ldef, &ldef_e, &ldef2, NULL, NULL);
	if (r == 0 && asprintf(ret, "%s%s%s", lx2, *lx2 && *ldef2 ? " " : "", ldef2) < 0) {
		*ret = NULL;
		r = -ENOMEM;
	}
	free(lx);
	free(ldef);
	free(lx2);
	free(ldef2);
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

	if (r == -ENOEXEC) {
		fprintf(stderr, "passthru-setup: cannot compute the kernel command line of %s: "
			"%s\n", b->what, shell_unknown_why());
		ok = false;
	} else if (r < 0 || trial_words(c->e, &w) < 0) {
		fprintf(stderr, "passthru-setup: cannot compute the kernel command line of %s: "
			"%s\n", b->what, strerror(r < 0 ? -r : ENOMEM));
		ok = false;
	}
	if (want.nadd < 8)
		strscpy(want.add[want.nadd++], TRIAL_ARG, sizeof(want.add[0]));
	if (b != &boot_grub) {
		klines_free(&k);
		sbuf_free(&w);
		return ok && report_bls(c, &want);
	}
	for (j = 0; ok && j < k.n; j++) {
		struct sbuf why = { 0 };
		char *line = NULL;

		printf("kernel command line for every boot after the trial (as before, until "
		       "confirmed), %s: %s\n", k.v[j].label, k.v[j].line);
		r = grub_trial_line(c, &line);
		outcome_cmdline(k.v[j].label, k.v[j].line);
		if (r == 0)
			trial_cmdline(k.v[j].label, line);
		if (r == 0)
			printf("kernel command line for the trial boot (GRUB entry '" TRIAL_TITLE
			       "' from " TRIAL_SCRIPT ", chosen once by grub-reboot): %s\n", line);
		if (r < 0 || !bootcfg_line_ok(line, &want, &why)) {
			fprintf(stderr, "passthru-setup: the trial entry: %s\n", r == -EINVAL ?
				"an unbalanced quote in GRUB_CMDLINE_LINUX: the words cannot be "
				"added" : r < 0 ? strerror(-r) : why.s ? why.s : "out of memory");
			ok = false;
		}
		sbuf_free(&why);
		free(line);
	}
	sbuf_free(&w);
	klines_free(&k);
	return ok;
}

bool trial_auto_confirm(const char *line)
{
	char w[5][32] = { "" };

	return sscanf(line, "%31s %31s %31s %31s %31s", w[0], w[1], w[2], w[3], w[4]) == 5 &&
	       !strcmp(w[4], TRIAL_AUTO_CONFIRM);
}

void trial_target(const char *line, struct opts *o)
{
	char cpu[16] = "", pt[8] = "", kind[32] = "", gen[32] = "";
	const struct bootcfg_ops *b;

	sscanf(line, "%15s %7s %31s %31s", cpu, pt, kind, gen);
	o->trial = false;
	o->confirming = true;
	if (strcmp(cpu, "-"))
		o->cpu = strcmp(cpu, "intel") && strcmp(cpu, "amd") ? "other" :
			 !strcmp(cpu, "intel") ? "intel" : "amd";
	o->no_iommu_pt = !strcmp(pt, "nopt");
	/* the boot configuration and the generator the trial booted, not what auto finds now
	 * (a record of an older passthru-setup names no generator: found, as it was then) */
	b = bootcfg_by_name(kind);
	if (b)
		o->bootloader = b->name;
	for (size_t i = 0; initramfs_gens[i]; i++)
		if (!strcmp(initramfs_gens[i]->name, gen))
			o->initramfs = initramfs_gens[i]->name;
}

int trial_check_images(const struct fsroot *fr, const struct initramfs_gen *g)
{
	struct dirent *de;
	char bad[600] = "";
	int fd, ret = 0;
	DIR *d;

	if (!g->image_has)
		return 0;
	fd = fsroot_openat(fr, "/lib/modules", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return 0;	/* no kernels: nothing to check */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(bad);

		if (de->d_name[0] == '.' ||
		    g->image_has(fr, de->d_name, IMAGE_CLAIM) != 1 ||
		    g->image_has(fr, de->d_name, IMAGE_TRIAL_MARK) != 0)
			continue;
		snprintf(bad + n, sizeof(bad) - n, "%s%s", n ? ", " : "", de->d_name);
		ret = -ENOENT;
	}
	closedir(d);
	if (ret)
		fprintf(stderr, "passthru-setup: install --trial: the initramfs of kernel %s holds "
			"passthru-claim but not the trial's mark " TRIAL_MARK " (listed with %s's "
			"tools): %s's passthru hook does not copy it (older than --trial), and every "
			"boot with that image would claim, not only the trial boot. Run "
			"passthru-setup uninstall, or install passthru's hooks again and run install "
			"--trial again\n", bad, g->name, g->name);
	return ret;
}
