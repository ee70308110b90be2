/* uninstall.c: passthru-setup uninstall: remove exactly what install added, nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg.h"
#include "cmd.h"
#include "initramfs.h"
#include "manifest.h"
#include "setup.h"
#include "trial.h"

#define LOCK_SECONDS 5

/* A file changed since install: the words passthru added taken out by the configuration
 * that owns it. 1: staged, 0: kept as it is (said why). */
static int unedit(struct txn *t, const struct manifest_entry *me, const char *cur)
{
	char *s = NULL;
	size_t i;
	int r = -ENOENT;

	for (i = 0; bootcfgs[i] && r == -ENOENT; i++)
		r = bootcfgs[i]->unedit(me->path, cur, me->added, &s);
	if (r == -ENOENT) {
		printf("%s was changed since install: kept as it is\n", me->path);
		return 0;
	}
	if (r == -EINVAL) {
		printf("%s was changed since install and its quoting cannot be edited: kept; "
		       "remove %s from it by hand\n", me->path, me->added);
		return 0;
	}
	if (r < 0)
		return r;
	printf("%s was changed since install: taking out only passthru's arguments (%s)\n",
	       me->path, me->added[0] ? me->added : "none");
	r = txn_stage(t, me->path, s, strlen(s));
	free(s);
	return r < 0 ? r : 1;
}

int cmd_uninstall(struct opts *o)
{
	struct fsroot fr;
	struct manifest m;
	struct txn t = { 0 };
	struct kargs_edit none = { 0 };
	struct bootctx ctx = { .o = o, .t = &t, .m = &m, .e = &none };
	struct cmdlist cl = { 0 };
	const struct bootcfg_ops *b[4];
	const struct initramfs_gen *gen = NULL;
	bool test_run = getenv("PASSTHRU_TEST_RUN_COMMANDS") != NULL;
	char err[1024];
	size_t i, nb = 0;
	int ret = 1;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	if (fsroot_lock(&fr, LOCK_SECONDS) < 0) {
		fsroot_close(&fr);
		return 1;
	}
	t.root = &fr;
	ctx.fr = &fr;
	ret = manifest_read(&fr, &m);
	if (ret < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", MANIFEST_PATH, strerror(-ret));
		fsroot_close(&fr);
		return 1;
	}
	if (!m.exists) {
		printf("nothing to do: passthru-setup install has not changed anything here\n");
		fsroot_close(&fr);
		return 0;
	}
	for (i = 0; i < m.nboots; i++) {
		const struct bootcfg_ops *bc = bootcfg_by_name(m.boots[i]);

		if (bc)
			b[nb++] = bc;
	}
	/* an install record of an older passthru-setup names no boot configuration */
	if (!m.nboots && m.grubby[0])
		b[nb++] = &boot_grubby;
	for (i = 0; !m.nboots && i < m.n; i++)
		if (!strcmp(m.e[i].path, "/etc/default/grub.d/passthru.cfg"))
			b[nb++] = &boot_grub;
	for (i = 0; initramfs_gens[i]; i++)
		if (!strcmp(initramfs_gens[i]->name, m.initramfs[0] ? m.initramfs : "dracut"))
			gen = initramfs_gens[i];

	for (i = 0; i < m.n; i++) {
		const struct manifest_entry *me = &m.e[i];
		char *cur = NULL, *back = NULL, bak[1100];
		size_t len = 0, blen = 0;
		bool same;

		if (fsroot_read(&fr, me->path, &cur, &len) < 0)
			continue;	/* gone already */
		same = !me->merged && fnv64(cur, len) == me->hash;
		snprintf(bak, sizeof(bak), "%s%s", MANIFEST_BACKUP_DIR, me->path);
		if (me->created && same)
			ret = txn_stage_delete(&t, me->path);
		else if (!me->created && same && fsroot_read(&fr, bak, &back, &blen) == 0)
			ret = txn_stage(&t, me->path, back, blen);	/* byte for byte */
		else
			ret = unedit(&t, me, cur);
		free(cur);
		free(back);
		if (ret < 0)
			goto fail;
	}
	ret = txn_stage_delete(&t, MANIFEST_PATH);
	if (ret < 0)
		goto fail;
	if (t.n)
		t.c[t.n - 1].no_backup = true;
	for (i = 0; i < nb; i++)
		if (b[i]->commands(&ctx, true, &cl) < 0)
			goto fail;
	/* a trial never confirmed: its one-time choice and the confirm service go too */
	if (m.trial[0] && trial_commands(&ctx, false, &cl) < 0)
		goto fail;
	if (gen && cmdlist_add(&cl, gen->rebuild_argv) < 0)
		goto fail;
	if (o->dry_run) {
		txn_diff(&t, stdout);
		for (i = 0; i < cl.n; i++)
			run_cmd((const char *const *)cl.argv[i], true);
		printf("dry run: nothing was changed\n");
		ret = 0;
		goto out;
	}
	ret = txn_commit(&t, NULL, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "passthru-setup: uninstall failed: %s\n", err);
		ret = 1;
		goto out;
	}
	for (i = 0; i < t.n; i++)
		printf("%s %s\n", t.c[i].kind == CHANGE_DELETE ? "removed" : "restored",
		       t.c[i].path);
	for (i = 0; i < m.n; i++) {
		char bak[1100];

		snprintf(bak, sizeof(bak), "%s%s", MANIFEST_BACKUP_DIR, m.e[i].path);
		fsroot_unlink(&fr, bak);
	}
	manifest_remove_dirs(&fr, &m);
	ret = 0;
	if (!fr.is_host && !test_run) {
		printf("--root: nothing was run against this host. Inside %s, run:\n", fr.path);
		cmdlist_print(&cl, "  ", stdout);
		printf("passthru stays in the boot until they have run\n");
		goto out;
	}
	for (i = 0; i < cl.n; i++)
		if (run_cmd((const char *const *)cl.argv[i], false))
			ret = 1;
	if (ret) {
		fprintf(stderr, "passthru-setup: passthru's files are gone, but a command failed: "
			"fix its cause and run it again by hand:\n");
		cmdlist_print(&cl, "  ", stderr);
		goto out;
	}
	for (i = 0; i < nb; i++) {
		struct klines k = { 0 };

		if (b[i]->effective(&ctx, true, &k) == 0)
			for (size_t j = 0; j < k.n; j++)
				printf("kernel command line now, %s: %s\n", k.v[j].label,
				       k.v[j].line);
		klines_free(&k);
	}
	printf("uninstalled: reboot to apply\n");
	goto out;
fail:
	fprintf(stderr, "passthru-setup: uninstall failed: %s; nothing was changed\n",
		strerror(-ret));
	ret = 1;
out:
	cmdlist_free(&cl);
	txn_free(&t);
	manifest_free(&m);
	fsroot_close(&fr);
	return ret;
}
