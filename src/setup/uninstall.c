/* uninstall.c: passthru-setup uninstall: remove exactly what install added, nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"
#include "setup.h"

/* The arguments install may have added, whatever the CPU was. */
static void added_args(struct kargs_edit *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->add[e->nadd++], "intel_iommu=on");
	strcpy(e->add[e->nadd++], "iommu=pt");
}

/* A file edited since install: take out only our arguments. */
static char *strip_ours(const char *path, const char *text, const struct kargs_edit *e)
{
	if (!strcmp(path, "/etc/default/grub"))
		return grubfile_edit(text, "GRUB_CMDLINE_LINUX", e, true, NULL);
	if (!strcmp(path, "/etc/kernel/cmdline")) {
		char *line = strdup(text), *out, *res;

		if (!line)
			return NULL;
		out = kargs_remove(rstrip(line), e);
		free(line);
		if (!out)
			return NULL;
		res = malloc(strlen(out) + 2);
		if (res)
			sprintf(res, "%s\n", out);
		free(out);
		return res;
	}
	return strdup(text);	/* the user's own file now: leave it */
}

int cmd_uninstall(struct opts *o)
{
	struct fsroot fr;
	struct manifest m;
	struct txn t = { 0 };
	struct kargs_edit e;
	char err[1024];
	bool grub = false, grubby;
	size_t i;
	int ret = 1;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	t.root = &fr;
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
	added_args(&e);
	grubby = m.grubby[0] != '\0';
	for (i = 0; i < m.n; i++) {
		const struct manifest_entry *me = &m.e[i];
		char *cur = NULL, *back = NULL, bak[1100];
		size_t len = 0, blen = 0;

		grub |= !strcmp(me->path, "/etc/default/grub.d/passthru.cfg");
		if (fsroot_read(&fr, me->path, &cur, &len) < 0)
			continue;	/* gone already */
		if (me->created && fnv64(cur, len) == me->hash) {
			ret = txn_stage_delete(&t, me->path);
		} else if (me->created) {
			printf("%s was changed since install: kept\n", me->path);
			ret = 0;
		} else if (fnv64(cur, len) == me->hash &&
			   (snprintf(bak, sizeof(bak), "%s%s", MANIFEST_BACKUP_DIR, me->path),
			    fsroot_read(&fr, bak, &back, &blen) == 0)) {
			ret = txn_stage(&t, me->path, back, blen);
		} else {
			char *s = strip_ours(me->path, cur, &e);

			printf("%s was changed since install: removing only passthru's arguments\n",
			       me->path);
			ret = s ? txn_stage(&t, me->path, s, strlen(s)) : -ENOMEM;
			free(s);
		}
		free(cur);
		free(back);
		if (ret < 0)
			goto fail;
	}
	ret = txn_stage_delete(&t, MANIFEST_PATH);
	if (ret < 0)
		goto fail;
	if (o->dry_run) {
		txn_diff(&t, stdout);
	} else {
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
	}
	{
		struct bootcmds bc = { .grub = grub, .grubby = grubby, .grubby_remove = m.grubby,
				       .initramfs = !o->no_initramfs };

		ret = run_boot_commands(&fr, o, &bc);
	}
	if (o->dry_run)
		printf("dry run: nothing was changed\n");
	else if (!ret)
		printf("uninstalled: reboot to apply\n");
	goto out;
fail:
	fprintf(stderr, "passthru-setup: uninstall failed: %s; nothing was changed\n",
		strerror(-ret));
	ret = 1;
out:
	txn_free(&t);
	manifest_free(&m);
	fsroot_close(&fr);
	return ret;
}
