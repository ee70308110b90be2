/* install.c: passthru-setup install: kernel arguments, dracut module, initramfs, in one transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "config.h"
#include "devices.h"
#include "iommu.h"
#include "manifest.h"
#include "model.h"
#include "plan.h"
#include "setup.h"

#define DROPIN "/etc/default/grub.d/passthru.cfg"
#define DRACUT_CONF "/etc/dracut.conf.d/passthru.conf"
#define UNSAFE_CONF "/etc/modprobe.d/passthru-unsafe-interrupts.conf"
#define PASSTHRU_CONF "/etc/passthru.conf"

static const char dracut_conf[] =
	"# /etc/dracut.conf.d/passthru.conf: written by passthru-setup install, removed by\n"
	"# passthru-setup uninstall: put passthru-claim in every initramfs.\n"
	"add_dracutmodules+=\" passthru \"\n";
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

struct boot {
	bool grub, grubby, kernel_install;
};

static void detect(const struct fsroot *fr, const char *want, struct boot *b)
{
	bool grubby = fsroot_exists(fr, "/usr/sbin/grubby") || fsroot_exists(fr, "/sbin/grubby") ||
		      fsroot_exists(fr, "/usr/bin/grubby");

	memset(b, 0, sizeof(*b));
	if (!want || !strcmp(want, "auto")) {
		b->grubby = grubby;
		b->grub = !grubby && (fsroot_exists(fr, "/etc/default/grub") ||
				      fsroot_exists(fr, "/usr/sbin/update-grub") ||
				      fsroot_exists(fr, "/usr/sbin/grub-mkconfig"));
		b->kernel_install = fsroot_exists(fr, "/etc/kernel/cmdline");
	} else {
		b->grub = !strcmp(want, "grub");
		b->grubby = !strcmp(want, "grubby");
		b->kernel_install = !strcmp(want, "kernel-install");
	}
}

static void args_string(const struct kargs_edit *e, bool drop, char *buf, size_t size)
{
	size_t i, n = drop ? e->ndrop : e->nadd;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, size - l, "%s%s", i ? " " : "", drop ? e->drop[i] : e->add[i]);
	}
}

int cmd_install(struct opts *o)
{
	struct fsroot fr;
	struct config c;
	struct txn t = { 0 };
	struct kargs_edit e;
	struct boot b;
	struct manifest man = { 0 };
	struct sbuf dropped = { 0 };
	struct bootcmds bc;
	char *conf_text = NULL, *text = NULL, *edited = NULL, err[1024], add[600], drop[600];
	const char *cpu;
	int ret;

	if (fsroot_open_or_say(&fr, o->root) < 0)
		return 1;
	t.root = &fr;
	config_init(&c);
	ret = devices_prepare(&fr, o, &conf_text, &c);
	if (ret)
		goto out;
	cpu = this_cpu(o);
	kargs_for_cpu(cpu, !o->no_iommu_pt, &e);
	args_string(&e, false, add, sizeof(add));
	args_string(&e, true, drop, sizeof(drop));
	detect(&fr, o->bootloader, &b);
	manifest_read(&fr, &man);
	ret = 1;
	if (conf_text && manifest_stage(&t, &man, PASSTHRU_CONF, conf_text, strlen(conf_text)) < 0)
		goto fail;
	if (b.grub) {
		text = grub_dropin(&e);
		if (!text || manifest_stage(&t, &man, DROPIN, text, strlen(text)) < 0)
			goto fail;
		free(text);
		text = NULL;
		if (fsroot_read(&fr, "/etc/default/grub", &text, NULL) == 0) {
			free(kargs_apply(text, &e, &dropped));	/* only to name the contradictions */
			free(text);
			text = NULL;
		}
	}
	if (b.grubby && fsroot_read(&fr, "/etc/default/grub", &text, NULL) == 0) {
		edited = grubfile_edit(text, "GRUB_CMDLINE_LINUX", &e, false, &dropped);
		if (!edited) {
			fprintf(stderr, "passthru-setup: cannot safely edit /etc/default/grub: its "
				"GRUB_CMDLINE_LINUX uses quoting or escapes that passthru-setup does "
				"not rewrite; add '%s' to it by hand; nothing was changed\n", add);
			ret = 1;
			goto out;
		}
		if (manifest_stage(&t, &man, "/etc/default/grub", edited, strlen(edited)) < 0)
			goto fail;
		free(text);
		free(edited);
		text = edited = NULL;
	}
	if (b.kernel_install) {
		char *line = NULL;

		if (fsroot_read(&fr, "/etc/kernel/cmdline", &text, NULL) < 0)
			text = strdup("");
		if (!text)
			goto fail;
		rstrip(text);
		line = kargs_apply(text, &e, &dropped);
		if (!line)
			goto fail;
		edited = malloc(strlen(line) + 2);
		if (!edited) {
			free(line);
			goto fail;
		}
		sprintf(edited, "%s\n", line);
		free(line);
		if (manifest_stage(&t, &man, "/etc/kernel/cmdline", edited, strlen(edited)) < 0)
			goto fail;
		free(text);
		free(edited);
		text = edited = NULL;
	}
	if (manifest_stage(&t, &man, DRACUT_CONF, dracut_conf, strlen(dracut_conf)) < 0)
		goto fail;
	if (o->allow_unsafe_interrupts) {
		fprintf(stderr, "WARNING: --allow-unsafe-interrupts: without interrupt remapping a "
			"guest can attack the host with MSI writes; use it for trusted guests only\n");
		if (manifest_stage(&t, &man, UNSAFE_CONF, unsafe_conf, strlen(unsafe_conf)) < 0)
			goto fail;
	}
	if (b.grubby && !manifest_has_grubby(&man, add))
		manifest_set_grubby(&man, add);
	if (manifest_stage_self(&t, &man) < 0)
		goto fail;

	printf("CPU: %s; kernel arguments: %s\n", cpu, *add ? add : "(none needed)");
	printf("boot configuration: %s%s%s%s\n", b.grub ? "GRUB drop-in " : "",
	       b.grubby ? "grubby " : "", b.kernel_install ? "/etc/kernel/cmdline " : "",
	       !b.grub && !b.grubby && !b.kernel_install ?
	       "none found: add the kernel arguments above yourself" : "");
	if (dropped.len)
		printf("contradicting arguments replaced: %s\n", dropped.s);
	if (!txn_count(&t)) {
		printf("nothing to do: passthru is installed and up to date\n");
		ret = 0;
		goto out;
	}
	bc = (struct bootcmds){ .grub = b.grub, .grubby = b.grubby, .grubby_args = add,
				.grubby_remove = drop, .initramfs = !o->no_initramfs };
	if (o->dry_run) {
		txn_diff(&t, stdout);
		ret = run_boot_commands(&fr, o, &bc);
		printf("dry run: nothing was changed\n");
		goto out;
	}
	ret = txn_commit(&t, MANIFEST_BACKUP_DIR, err, sizeof(err));
	if (ret < 0) {
		manifest_remove_dirs(&fr, &man);	/* the folders made on the way */
		fprintf(stderr, "passthru-setup: install failed: %s\n", err);
		ret = 1;
		goto out;
	}
	for (size_t i = 0; i < t.n; i++)
		printf("%s %s\n", t.c[i].old ? "updated" : "created", t.c[i].path);
	ret = run_boot_commands(&fr, o, &bc);
	if (ret)
		fprintf(stderr, "passthru-setup: the files are in place, but a command failed: "
			"once its cause is fixed, run it again by hand (install would say there "
			"is nothing to do)\n");
	else
		printf("installed: reboot to apply\n");
	goto out;
fail:
	fprintf(stderr, "passthru-setup: install failed: out of memory or a path too long; "
		"nothing was changed\n");
	ret = 1;
out:
	free(text);
	free(edited);
	free(conf_text);
	sbuf_free(&dropped);
	txn_free(&t);
	config_free(&c);
	manifest_free(&man);
	fsroot_close(&fr);
	return ret;
}
