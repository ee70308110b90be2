/* install.c: passthru-setup install: config, devices, each boot configuration, the initramfs, verified. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "bootcfg.h"
#include "config.h"
#include "devices.h"
#include "initramfs.h"
#include "manifest.h"
#include "root.h"
#include "setup.h"
#include "sha256.h"

#define UNSAFE_CONF "/etc/modprobe.d/passthru-unsafe-interrupts.conf"
#define PASSTHRU_CONF "/etc/passthru.conf"
#define CLAIM_BIN "/usr/lib/passthru/passthru-claim"
#define LOCK_SECONDS 5

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

/* The vendor:device of each configured address in the host view, for status. */
static void record_devices(const struct opts *o, const struct config *c, struct manifest *m)
{
	struct root r;
	size_t i;

	m->ndevices = 0;
	if (root_open(&r, o->sysroot) < 0)
		return;
	for (i = 0; i < c->nsel && m->ndevices < 64; i++) {
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

/* Print each configuration's command lines; false when one lacks an argument. */
static bool report_effective(const struct bootctx *ctx, const struct bootcfg_ops **b, int nb,
			     bool done, const char *verb)
{
	bool ok = true;
	int i;

	for (i = 0; i < nb; i++) {
		struct klines k = { 0 };
		size_t j;
		int r = b[i]->effective(ctx, done, &k);

		if (r < 0) {
			fprintf(stderr, "passthru-setup: cannot compute the kernel command line of "
				"%s: %s\n", b[i]->what, strerror(-r));
			ok = false;
		}
		for (j = 0; j < k.n; j++) {
			struct sbuf why = { 0 };

			printf("kernel command line %s, %s: %s\n", verb, k.v[j].label, k.v[j].line);
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

static int run_all(const struct cmdlist *cl, bool dry_run)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < cl->n; i++)
		if (run_cmd((const char *const *)cl->argv[i], dry_run))
			ret = 1;
	return ret;
}

/* Stage the record again (after commands) and commit it alone. */
static int commit_record(const struct fsroot *fr, struct manifest *m)
{
	struct txn t = { .root = fr };
	char err[1024];
	int r = manifest_stage_self(&t, m);

	if (r == 0)
		r = txn_commit(&t, MANIFEST_BACKUP_DIR, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "passthru-setup: cannot update %s: %s\n", MANIFEST_PATH,
			strerror(-r));
	txn_free(&t);
	return r;
}

int cmd_install(struct opts *o)
{
	struct fsroot fr;
	struct config c;
	struct txn t = { 0 };
	struct kargs_edit e;
	struct manifest man = { 0 };
	struct sbuf dropped = { 0 };
	struct bootctx ctx = { .o = o, .t = &t, .m = &man, .e = &e, .dropped = &dropped };
	struct cmdlist boot_cmds = { 0 }, init_cmds = { 0 };
	const struct bootcfg_ops *b[4];
	const struct initramfs_gen *gen;
	char *conf_text = NULL, *conf_now = NULL, *claim = NULL, err[1024], add[600], drop[600];
	char conf_sha[SHA256_HEX_LEN], claim_sha[SHA256_HEX_LEN];
	bool test_run = getenv("PASSTHRU_TEST_RUN_COMMANDS") != NULL, boot_changed = false;
	bool need_init, by_hand;
	size_t claim_len = 0, before;
	const char *cpu;
	int ret, nb, i;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	if (fsroot_lock(&fr, LOCK_SECONDS) < 0) {
		fsroot_close(&fr);
		return 1;
	}
	t.root = &fr;
	ctx.fr = &fr;
	config_init(&c);
	ret = devices_prepare(&fr, o, &conf_text, &c);
	if (ret)
		goto out;
	ret = 1;

	/* the initramfs must be reachable, and passthru-claim there to go into it */
	{
		struct utsname u;

		gen = initramfs_find(&fr, o->initramfs,
				     fr.is_host && uname(&u) == 0 ? u.release : NULL);
	}
	if (!gen) {
		struct sbuf names = { 0 };

		for (i = 0; initramfs_gens[i]; i++)
			sbuf_addf(&names, "%s%s", i ? ", " : "", initramfs_gens[i]->name);
		if (o->initramfs)
			fprintf(stderr, "passthru-setup: --initramfs %s: it is not installed in %s",
				o->initramfs, fr.path);
		else
			fprintf(stderr, "passthru-setup: no supported initramfs generator in %s",
				fr.path);
		fprintf(stderr, " (supported: %s): the initramfs would not run passthru-claim; "
			"nothing was changed\n", names.s ? names.s : "none");
		sbuf_free(&names);
		goto out;
	}
	if (fsroot_read(&fr, CLAIM_BIN, &claim, &claim_len) < 0) {
		fprintf(stderr, "passthru-setup: %s is not installed in %s: the initramfs would "
			"not run it (install passthru first: make install); nothing was changed\n",
			CLAIM_BIN, fr.path);
		goto out;
	}
	sha256_hex(claim, claim_len, claim_sha);
	if (!conf_text)
		fsroot_read(&fr, PASSTHRU_CONF, &conf_now, NULL);
	{
		const char *ct = conf_text ? conf_text : conf_now ? conf_now : "";

		sha256_hex(ct, strlen(ct), conf_sha);
	}

	cpu = this_cpu(o);
	kargs_for_cpu(cpu, !o->no_iommu_pt, &e);
	words(e.add, e.nadd, add, sizeof(add));
	words(e.drop, e.ndrop, drop, sizeof(drop));
	nb = bootcfg_choose(&fr, o->bootloader, b);
	if (nb < 0)
		goto out;
	by_hand = nb == 0 && e.nadd && o->bootloader && !strcmp(o->bootloader, "none");
	if (nb == 0 && e.nadd && !by_hand) {
		fprintf(stderr, "passthru-setup: no boot configuration found in %s (looked for "
			"GRUB, GRUB with BLS entries and grubby, /etc/kernel/cmdline and systemd-boot): "
			"the next boot would not get %s; give --bootloader, or --bootloader none and "
			"add them yourself; nothing was changed\n", fr.path, add);
		goto out;
	}
	ret = manifest_read(&fr, &man);
	if (ret < 0) {
		fprintf(stderr, "passthru-setup: cannot read %s: %s\n", MANIFEST_PATH,
			strerror(-ret));
		ret = 1;
		goto out;
	}
	ret = 1;

	/* stage every edit; nothing is written before all of them are known to be right */
	if (conf_text && manifest_stage(&t, &man, PASSTHRU_CONF, conf_text, strlen(conf_text),
					NULL) < 0)
		goto fail;
	for (i = 0; i < nb; i++) {
		before = t.n;
		if (b[i]->stage(&ctx) < 0)
			goto out;	/* it said why */
		boot_changed |= t.n != before;
	}
	before = t.n;
	if (gen->stage_enable(&t, &man, &fr) < 0)
		goto fail;
	if (o->allow_unsafe_interrupts) {
		fprintf(stderr, "WARNING: --allow-unsafe-interrupts: without interrupt remapping a "
			"guest can attack the host with MSI writes; use it for trusted guests only\n");
		if (manifest_stage(&t, &man, UNSAFE_CONF, unsafe_conf, strlen(unsafe_conf),
				   NULL) < 0)
			goto fail;
	}
	need_init = t.n != before || man.pending_initramfs || strcmp(man.initramfs, gen->name) ||
		    strcmp(man.config_sha256, conf_sha) || strcmp(man.claim_sha256, claim_sha);

	printf("CPU: %s; kernel arguments: %s\n", cpu, *add ? add : "(none needed)");
	printf("boot configuration:");
	for (i = 0; i < nb; i++)
		printf("%s %s", i ? ";" : "", b[i]->what);
	printf("%s\n", nb ? "" : by_hand ? " none (--bootloader none)" : " none needed");
	printf("initramfs: %s\n", gen->name);
	if (dropped.len)
		printf("contradicting arguments replaced: %s\n", dropped.s);
	if (!report_effective(&ctx, b, nb, false, "for the next boot")) {
		fprintf(stderr, "passthru-setup: install refused: the arguments would not reach the "
			"next boot (a later drop-in or option overrides them); nothing was changed\n");
		goto out;
	}

	/* the commands: a boot configuration's when its files changed, or when they did not
	 * run after an earlier install, or when its tool finds work (grubby) */
	for (i = 0; i < nb; i++) {
		struct cmdlist one = { 0 };

		if (b[i]->commands(&ctx, false, &one) < 0)
			goto fail;
		if (boot_changed || man.pending_boot || !strcmp(b[i]->name, "grubby"))
			for (size_t j = 0; j < one.n; j++)
				cmdlist_add(&boot_cmds, (const char *const *)one.argv[j]);
		cmdlist_free(&one);
	}
	if (need_init)
		cmdlist_add(&init_cmds, gen->rebuild_argv);
	if (!txn_count(&t) && !boot_cmds.n && !init_cmds.n && !man.pending_boot) {
		printf("nothing to do: passthru is installed and up to date\n");
		ret = 0;
		goto out;
	}
	strscpy(man.initramfs, gen->name, sizeof(man.initramfs));
	record_devices(o, &c, &man);
	man.pending_boot = boot_cmds.n > 0;
	man.pending_initramfs = init_cmds.n > 0;
	if (!man.pending_initramfs) {
		strscpy(man.config_sha256, conf_sha, sizeof(man.config_sha256));
		strscpy(man.claim_sha256, claim_sha, sizeof(man.claim_sha256));
	}
	if (manifest_stage_self(&t, &man) < 0)
		goto fail;
	if (o->dry_run) {
		txn_diff(&t, stdout);
		run_all(&boot_cmds, true);
		if (!o->no_initramfs)
			run_all(&init_cmds, true);
		printf("dry run: nothing was changed\n");
		ret = 0;
		goto out;
	}
	ret = txn_commit(&t, MANIFEST_BACKUP_DIR, err, sizeof(err));
	if (ret < 0) {
		manifest_remove_dirs(&fr, &man);	/* the folders made on the way */
		fprintf(stderr, "passthru-setup: install failed: %s\n", err);
		ret = 1;
		goto out;
	}
	for (size_t j = 0; j < t.n; j++)
		printf("%s %s\n", t.c[j].old ? "updated" : "created", t.c[j].path);

	ret = 0;
	if (!fr.is_host && !test_run) {
		printf("--root: nothing was run against this host. Inside %s, run:\n", fr.path);
		cmdlist_print(&boot_cmds, "  ", stdout);
		cmdlist_print(&init_cmds, "  ", stdout);
		printf("nothing is claimed until they have run (install inside the image runs "
		       "them too)\n");
		goto out;
	}
	if (run_all(&boot_cmds, false)) {
		ret = 1;
	} else {
		man.pending_boot = false;
	}
	if (o->no_initramfs && init_cmds.n) {
		printf("--no-initramfs: the initramfs was not rebuilt; run:\n");
		cmdlist_print(&init_cmds, "  ", stdout);
		printf("nothing is claimed until it has run\n");
	} else if (init_cmds.n && run_all(&init_cmds, false)) {
		ret = 1;
	} else {
		man.pending_initramfs = false;
		strscpy(man.config_sha256, conf_sha, sizeof(man.config_sha256));
		strscpy(man.claim_sha256, claim_sha, sizeof(man.claim_sha256));
	}
	if (commit_record(&fr, &man) < 0)
		ret = 1;
	if (ret) {
		fprintf(stderr, "passthru-setup: the files are in place, but a command failed: "
			"fix its cause and run passthru-setup install again (it runs the command "
			"again)\n");
		goto out;
	}
	/* what the tools made of it */
	if (!report_effective(&ctx, b, nb, true, "now")) {
		fprintf(stderr, "passthru-setup: the boot configuration does not carry the "
			"arguments after its commands ran: see above\n");
		ret = 1;
		goto out;
	}
	if (by_hand) {
		printf("--bootloader none: add to the kernel command line yourself: %s%s%s\n", add,
		       *drop ? "; and remove any of: " : "", drop);
		printf("the IOMMU is not on until the next boot has them\n");
	}
	if (o->no_initramfs && init_cmds.n)
		goto out;
	if (!c.nsel)
		printf("no device is configured: nothing will be claimed. After the reboot, "
		       "passthru-setup list shows the IOMMU groups; then run passthru-setup "
		       "install --device SEL\n");
	printf("installed: reboot to apply\n");
	goto out;
fail:
	fprintf(stderr, "passthru-setup: install failed: out of memory or a path too long; "
		"nothing was changed\n");
	ret = 1;
out:
	free(conf_text);
	free(conf_now);
	free(claim);
	sbuf_free(&dropped);
	cmdlist_free(&boot_cmds);
	cmdlist_free(&init_cmds);
	txn_free(&t);
	config_free(&c);
	manifest_free(&man);
	fsroot_close(&fr);
	return ret;
}
