/* main.c: passthru-setup, the host CLI: parse options and dispatch to a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "setup.h"

static const char usage_text[] =
	"usage: passthru-setup COMMAND [OPTIONS]\n"
	"  install [--root DIR] [--cpu intel|amd|other] [--dry-run] [--device SEL]...\n"
	"          [--no-iommu-pt] [--allow-unsafe-interrupts]\n"
	"          [--bootloader auto|grub|grubby|kernel-install|none] [--no-initramfs]\n"
	"          [--trial]   the next boot only, until confirm\n"
	"  confirm [--root DIR]  make the trial boot's setup permanent (on the trial boot)\n"
	"  uninstall [--root DIR] [--dry-run]\n"
	"  status [--json]     is this host ready; what to do if not\n"
	"  list [--json]       display controllers, their IOMMU groups, and whether they can go\n"
	"  plan [--json]       what the next boot would do with /etc/passthru.conf\n"
	"  xml SEL...          libvirt <hostdev> elements for the devices and their companions\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "sysroot", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'd' },
		{ "no-iommu-pt", no_argument, NULL, 'P' },
		{ "allow-unsafe-interrupts", no_argument, NULL, 'U' },
		{ "bootloader", required_argument, NULL, 'b' },
		{ "no-initramfs", no_argument, NULL, 'I' },
		{ "initramfs", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "trial", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct opts o = { .sysroot = "/", .bootloader = "auto" };
	const char *cmd;
	int opt, ret;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	o.devices = calloc((size_t)argc, sizeof(*o.devices));
	if (!o.devices)
		return 1;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': o.root = optarg; break;
		case 's': o.sysroot = optarg; break;
		case 'c':
			if (strcmp(optarg, "intel") && strcmp(optarg, "amd") && strcmp(optarg, "other")) {
				fprintf(stderr, "passthru-setup: --cpu takes intel, amd or other\n");
				return 2;
			}
			o.cpu = optarg;
			break;
		case 'n': o.dry_run = true; break;
		case 'd': o.devices[o.ndevices++] = optarg; break;
		case 'P': o.no_iommu_pt = true; break;
		case 'U': o.allow_unsafe_interrupts = true; break;
		case 'b':
			if (strcmp(optarg, "auto") && strcmp(optarg, "grub") && strcmp(optarg, "grubby") &&
			    strcmp(optarg, "kernel-install") && strcmp(optarg, "none")) {
				fprintf(stderr, "passthru-setup: --bootloader takes auto, grub, grubby, "
					"kernel-install or none\n");
				return 2;
			}
			o.bootloader = optarg;
			break;
		case 'I': o.no_initramfs = true; break;
		case 'i':
			if (strcmp(optarg, "dracut") && strcmp(optarg, "initramfs-tools") &&
			    strcmp(optarg, "mkinitcpio")) {
				fprintf(stderr, "passthru-setup: --initramfs takes dracut, "
					"initramfs-tools or mkinitcpio\n");
				return 2;
			}
			o.initramfs = optarg;
			break;
		case 'j': o.json = true; break;
		case 'T': o.trial = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return usage();
		}
	}
	if (o.trial && strcmp(cmd, "install")) {
		fprintf(stderr, "passthru-setup: --trial is an option of install only\n");
		free(o.devices);
		return usage();
	}
	if (!strcmp(cmd, "xml")) {
		ret = cmd_xml(&o, argc - optind, argv + optind);
	} else if (optind < argc) {
		fprintf(stderr, "passthru-setup: unexpected argument '%s'\n", argv[optind]);
		ret = usage();
	} else if (!strcmp(cmd, "install")) {
		ret = cmd_install(&o);
	} else if (!strcmp(cmd, "confirm")) {
		ret = cmd_confirm(&o);
	} else if (!strcmp(cmd, "uninstall")) {
		ret = cmd_uninstall(&o);
	} else if (!strcmp(cmd, "status")) {
		ret = cmd_status(&o);
	} else if (!strcmp(cmd, "list")) {
		ret = cmd_list(&o);
	} else if (!strcmp(cmd, "plan")) {
		ret = cmd_plan(&o);
	} else {
		fprintf(stderr, "passthru-setup: unknown command '%s'\n", cmd);
		ret = usage();
	}
	free(o.devices);
	return ret;
}
