/* SPDX-License-Identifier: GPL-2.0-or-later */
/* converge_none.c: the converge engine, to nothing (uninstall): exactly what install added goes, nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "uki.h"
#include "converge.h"
#include "initramfs.h"
#include "journal.h"
#include "manifest.h"
#include "outcome.h"
#include "setup.h"
#include "trial.h"

/* A file left carrying passthru's words: said at the end, and uninstall exits 1. */
static void left(struct sbuf *l, const struct manifest_entry *me)
{
	sbuf_addf(l, "  %s still carries %s: remove %s from it by hand, or delete it if "
		  "nothing else in it is yours\n", me->path, me->added[0] ? me->added :
		  "passthru's arguments", me->added[0] ? "them" : "passthru's part");
}

/* A file changed since install: the words passthru added taken out by the configuration
 * that owns it (and those it replaced given back). 1: staged, 0: kept as it is (said why;
 * in lft when passthru's arguments stay in it). */
static int unedit(struct txn *t, const struct manifest_entry *me, const char *cur,
		  struct sbuf *lft)
{
	char *s = NULL;
	size_t i;
	int r = -ENOENT;

	for (i = 0; bootcfgs[i] && r == -ENOENT; i++)
		r = bootcfgs[i]->unedit(me, cur, &s);
	if (r == -ENOENT) {
		printf("%s was changed since install: kept as it is\n", me->path);
		outcome_file_kept(me->path);
		return 0;
	}
	if (r == -EINVAL || r == -EBADMSG) {
		printf("%s was changed since install and %s: kept as it is\n", me->path,
		       r == -EINVAL ? "its quoting cannot be edited" :
		       "passthru's lines in it were edited (or yours are inside them)");
		outcome_file_kept(me->path);
		left(lft, me);
		return 0;
	}
	if (r < 0)
		return r;
	printf("%s was changed since install: taking out only passthru's %s (%s)%s%s\n",
	       me->path, s ? "arguments" : "part, and nothing else is left in it",
	       me->added[0] ? me->added : "none", me->replaced[0] ? "; giving back " : "",
	       me->replaced);
	r = s ? txn_stage(t, me->path, s, strlen(s)) : txn_stage_delete(t, me->path);
	free(s);
	return r < 0 ? r : 1;
}

/* Everything one uninstall works with. */
struct removal {
	struct converging cv;
	const struct bootcfg_ops *b[4];	/* the boot configurations the record names */
	size_t nb;
	const struct initramfs_gen *gen;	/* the generator it names, to rebuild the images */
	struct cmdlist cl;		/* the commands that make the boot forget passthru */
	struct kargs_edit none;		/* no argument to add: converging to nothing */
	const struct opts *o;
	struct sbuf left;		/* files kept with passthru's arguments in them */
	bool unedited[64];		/* by change: passthru's part taken out, the rest kept */
	bool uki;			/* the "uki" configuration: the rebuild is guarded */
};

/* The boot configurations and the generator the record names. */
static void recorded(struct removal *u)
{
	const struct manifest *m = &u->cv.m;
	size_t i;

	for (i = 0; i < m->nboots; i++) {
		const struct bootcfg_ops *bc = bootcfg_by_name(m->boots[i]);

		if (bc)
			u->b[u->nb++] = bc;
	}
	/* an install record of an older passthru-setup names no boot configuration */
	if (!m->nboots && m->grubby[0])
		u->b[u->nb++] = &boot_grubby;
	for (i = 0; !m->nboots && i < m->n; i++)
		if (!strcmp(m->e[i].path, "/etc/default/grub.d/passthru.cfg"))
			u->b[u->nb++] = &boot_grub;
	for (i = 0; initramfs_gens[i]; i++)
		if (!strcmp(initramfs_gens[i]->name, m->initramfs[0] ? m->initramfs : "dracut"))
			u->gen = initramfs_gens[i];
}

/* Each recorded file deleted, restored from its backup, or its words taken out; the record
 * itself deleted. 0 or -errno. */
static int stage_files(struct removal *u)
{
	size_t i;
	int r;

	for (i = 0; i < u->cv.m.n; i++) {
		const struct manifest_entry *me = &u->cv.m.e[i];
		char *cur = NULL, *back = NULL, bak[1100];
		size_t len = 0, blen = 0;
		bool same;

		if (fsroot_read(&u->cv.fr, me->path, &cur, &len) < 0)
			continue;	/* gone already */
		same = !me->merged && (fnv64(cur, len) == me->hash ||
				       (me->created &&
					trial_grubenv_unchanged(me->path, cur, len, me->hash)));
		snprintf(bak, sizeof(bak), "%s%s", MANIFEST_BACKUP_DIR, me->path);
		if (me->created && same)
			r = txn_stage_delete(&u->cv.t, me->path);
		else if (!me->created && same && fsroot_read(&u->cv.fr, bak, &back, &blen) == 0)
			r = txn_stage(&u->cv.t, me->path, back, blen);	/* byte for byte */
		else if ((r = unedit(&u->cv.t, me, cur, &u->left)) == 1 &&
			 u->cv.t.n - 1 < sizeof(u->unedited) / sizeof(u->unedited[0]))
			u->unedited[u->cv.t.n - 1] = true;
		free(cur);
		free(back);
		if (r < 0)
			return r;
	}
	/* the backups go in the same transaction: a power cut leaves them with the record */
	for (i = 0; i < u->cv.m.n; i++) {
		char bak[1100];

		snprintf(bak, sizeof(bak), "%s%s", MANIFEST_BACKUP_DIR, u->cv.m.e[i].path);
		if ((r = txn_stage_delete(&u->cv.t, bak)) < 0)
			return r;
	}
	/* files install never edited that a tool copied passthru's words into */
	for (i = 0; i < u->nb; i++)
		if (u->b[i]->leftovers && (r = u->b[i]->leftovers(&u->cv.ctx)) < 0)
			return r;
	r = txn_stage_delete(&u->cv.t, MANIFEST_PATH);
	if (r < 0)
		return r;
	if (u->cv.t.n)
		u->cv.t.c[u->cv.t.n - 1].no_backup = true;
	return 0;
}

/* The commands that make the boot forget passthru: each configuration's, the trial's, the
 * rebuild. */
static int stage_commands(struct removal *u)
{
	size_t i;

	for (i = 0; i < u->nb; i++)
		if (u->b[i]->commands(&u->cv.ctx, true, &u->cl) < 0)
			return -1;
	/* a trial never confirmed: its one-time choice and the confirm service go too */
	if (!u->cv.m.trial[0])	/* or one whose ending was cut short */
		strscpy(u->cv.m.trial, u->cv.m.trial_ending, sizeof(u->cv.m.trial));
	if (u->cv.m.trial[0] && trial_commands(&u->cv.ctx, false, &u->cl) < 0)
		return -1;
	/* a UKI host: its builder's rebuild (above) makes the images too */
	for (i = 0; i < u->nb; i++)
		u->uki |= u->b[i] == &boot_uki;
	if (u->gen && !u->uki && cmdlist_add(&u->cl, u->gen->rebuild_argv) < 0)
		return -1;
	return 0;
}

/* Write: the files (journaled), then the folders install made go; the journal keeps the
 * commands until they ran. 0, or 1 (said why). */
static int commit(struct removal *u)
{
	char err[1024];
	size_t i, bl = strlen(MANIFEST_BACKUP_DIR);

	if (journal_commit_txn(&u->cv.t, "uninstall", NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "passthru-setup: uninstall failed: %s\n", err);
		return 1;
	}
	if (journal_committed(&u->cv.fr, "uninstall", (const char (*)[512])u->cv.m.dirs,
			      u->cv.m.ndirs, &u->cl) < 0)
		journal_end(&u->cv.fr, NULL, 0);	/* the files are done: nothing to undo */
	for (i = 0; i < u->cv.t.n; i++) {
		bool part = i < sizeof(u->unedited) / sizeof(u->unedited[0]) && u->unedited[i];

		if (!strncmp(u->cv.t.c[i].path, MANIFEST_BACKUP_DIR, bl) &&
		    u->cv.t.c[i].path[bl] == '/')
			continue;	/* the backups: said by the files restored from them */
		printf("%s %s%s\n", u->cv.t.c[i].kind == CHANGE_DELETE ? "removed" :
		       part || !manifest_find_const(&u->cv.m, u->cv.t.c[i].path) ?
		       "edited" : "restored", u->cv.t.c[i].path,
		       part ? " (passthru's part taken out, the rest kept)" : "");
	}
	manifest_remove_dirs(&u->cv.fr, &u->cv.m);
	return 0;
}

/* A UKI host: the UKIs kept, the builder run, each rebuilt UKI's .cmdline checked (every
 * word it had less passthru's); else the UKIs and every file put back. 0, or 2 (said). */
static int run_guarded(struct removal *u)
{
	struct uki_guard g;
	const char *why = NULL;

	if (uki_guard_begin(&u->cv.ctx, &g) < 0)
		why = "the UKIs could not be kept before the rebuild";
	else if (cmdlist_run(&u->cl, false))
		why = "the UKI's builder failed";
	else if (!uki_guard_check(&u->cv.ctx, &g, u->cv.m.args))
		why = "the rebuilt UKI lost a word of its command line (see above)";
	if (why) {
		fprintf(stderr, "passthru-setup: uninstall failed: %s: putting the UKIs and every "
			"file back as they were\n", why);
		uki_guard_restore(&u->cv.ctx, &g);
		txn_undo(&u->cv.t, NULL);
	}
	uki_guard_free(&u->cv.fr, &g);
	return why ? 2 : 0;
}

/* The commands run (with --root: printed), then the journal ends. 0, or 1 (said which). */
static int run_or_print(struct removal *u)
{
	int r = 0;

	if (!u->cv.fr.is_host && !getenv("PASSTHRU_TEST_RUN_COMMANDS")) {
		printf("--root: nothing was run against this host. Inside %s, run:\n", u->cv.fr.path);
		cmdlist_print(&u->cl, "  ", stdout);
		outcome_commands(&u->cl, false);
		outcome_note("--root: nothing was run against this host; the commands (ran: false) "
			     "are still to run inside %s", u->cv.fr.path);
		outcome_say("passthru stays in the boot until they have run\n");
	} else if (u->uki) {
		r = run_guarded(u);
	} else {
		r = cmdlist_run(&u->cl, false);
	}
	journal_end(&u->cv.fr, (const char (*)[512])u->cv.m.dirs, u->cv.m.ndirs);
	return r;
}

/* The commands run (with --root: printed), then the command lines the boot gets now. */
static int run_commands(struct removal *u)
{
	size_t i;
	int r = run_or_print(u);

	if (!u->cv.fr.is_host && !getenv("PASSTHRU_TEST_RUN_COMMANDS"))
		return 0;
	if (r == 2) {
		outcome_say("uninstall failed: the UKIs and every file are as they were before it\n");
		return 1;
	}
	if (r) {
		fprintf(stderr, "passthru-setup: passthru's files are gone, but a command failed: "
			"fix its cause and run it again by hand:\n");
		cmdlist_print(&u->cl, "  ", stderr);
		return 1;
	}
	for (i = 0; i < u->nb; i++) {
		struct klines k = { 0 };

		if (u->b[i]->effective(&u->cv.ctx, true, &k) == 0) {
			for (size_t j = 0; j < k.n; j++) {
				printf("kernel command line now, %s: %s\n", k.v[j].label,
				       k.v[j].line);
				outcome_cmdline(k.v[j].label, k.v[j].line);
			}
		}
		klines_free(&k);
	}
	if (u->left.len)
		return 0;	/* converge says what is left */
	outcome_say("uninstalled: reboot to apply\n");
	return 0;
}

/* Files kept with passthru's arguments: uninstall is not complete. 0, or 1 (said which). */
static int say_left(const struct removal *u)
{
	if (!u->left.len)
		return 0;
	fprintf(stderr, "passthru-setup: uninstall is not complete: passthru's arguments are left "
		"in files changed by hand since install:\n%s", u->left.s);
	return 1;
}

/* record -> stage each file's way back and the commands -> commit -> commands. */
static int converge(struct removal *u)
{
	int r;

	if (fsroot_lock(&u->cv.fr, LOCK_SECONDS) < 0)
		return 1;
	/* a run a power cut ended: undone, or (an uninstall whose files were done) its commands
	 * run now */
	r = journal_recover(&u->cv.fr, u->o->dry_run, &u->cl);
	if (r < 0)
		return 1;
	if (r == 2 && !u->o->dry_run)
		return run_commands(u);
	r = manifest_read(&u->cv.fr, &u->cv.m);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", MANIFEST_PATH, strerror(-r));
		return 1;
	}
	if (!u->cv.m.exists) {
		outcome_say("nothing to do: passthru-setup install has not changed anything here\n");
		return 0;
	}
	recorded(u);
	r = stage_files(u);
	if (r < 0 || stage_commands(u) < 0) {
		fprintf(stderr, "passthru-setup: uninstall failed: %s; nothing was changed\n",
			strerror(-r));
		return 1;
	}
	if (u->o->dry_run) {
		txn_diff(&u->cv.t, stdout);
		outcome_files_staged(&u->cv.t);
		cmdlist_run(&u->cl, true);
		outcome_say("dry run: nothing was changed\n");
		return say_left(u);
	}
	return commit(u) ?: run_commands(u) ?: say_left(u);
}

int converge_to_nothing(const struct opts *o)
{
	struct removal u = { .o = o };
	int ret;

	if (converging_open(&u.cv, o, &u.none, NULL))
		return 1;
	ret = converge(&u);
	sbuf_free(&u.left);
	cmdlist_free(&u.cl);
	converging_close(&u.cv);
	return ret;
}
