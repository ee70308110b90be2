/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: passthru-setup, the host CLI: parse each command's own options and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "outcome.h"
#include "report.h"
#include "setup.h"
#include "version.h"

/* One bit per option; each command lists the ones it takes. */
enum {
	O_ROOT = 1 << 0, O_SYSROOT = 1 << 1, O_CPU = 1 << 2, O_DRY_RUN = 1 << 3,
	O_DEVICE = 1 << 4, O_NO_PT = 1 << 5, O_UNSAFE = 1 << 6, O_BOOTLOADER = 1 << 7,
	O_NO_INITRAMFS = 1 << 8, O_INITRAMFS = 1 << 9, O_JSON = 1 << 10, O_HELP = 1 << 11,
	O_SPLIT = 1 << 12, O_TRIAL = 1 << 13, O_DIFF = 1 << 14, O_NFD = 1 << 15,
	O_AUTO_CONFIRM = 1 << 16, O_AFTER_LOGIN = 1 << 17, O_VERBOSE = 1 << 18,
};

static const struct option longopts[] = {
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
	{ "split", required_argument, NULL, 'S' },
	{ "trial", no_argument, NULL, 'T' },
	{ "diff", no_argument, NULL, 'D' },
	{ "nfd", no_argument, NULL, 'F' },
	{ "auto-confirm", no_argument, NULL, 'A' },
	{ "after-login", no_argument, NULL, 'L' },
	{ "verbose", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static unsigned opt_bit(int c)
{
	switch (c) {
	case 'r': return O_ROOT;
	case 's': return O_SYSROOT;
	case 'c': return O_CPU;
	case 'n': return O_DRY_RUN;
	case 'd': return O_DEVICE;
	case 'P': return O_NO_PT;
	case 'U': return O_UNSAFE;
	case 'b': return O_BOOTLOADER;
	case 'I': return O_NO_INITRAMFS;
	case 'i': return O_INITRAMFS;
	case 'j': return O_JSON;
	case 'S': return O_SPLIT;
	case 'T': return O_TRIAL;
	case 'D': return O_DIFF;
	case 'F': return O_NFD;
	case 'A': return O_AUTO_CONFIRM;
	case 'L': return O_AFTER_LOGIN;
	case 'V': return O_VERBOSE;
	case 'h': return O_HELP;
	}
	return 0;
}

struct command {
	const char *name;
	unsigned opts;
	bool args;		/* takes positional arguments (xml's selectors) */
	const char *usage;
	const char *more;	/* COMMAND --help: what its values mean (NULL: nothing more) */
	int (*run)(struct opts *o, int argc, char **argv);
};

static int run_install(struct opts *o, int argc, char **argv) { return cmd_install(o); }
static int run_uninstall(struct opts *o, int argc, char **argv) { return cmd_uninstall(o); }
static int run_status(struct opts *o, int argc, char **argv) { return cmd_status(o); }
static int run_list(struct opts *o, int argc, char **argv) { return cmd_list(o); }
static int run_plan(struct opts *o, int argc, char **argv) { return cmd_plan(o); }

static int run_confirm(struct opts *o, int argc, char **argv) { return cmd_confirm(o); }

/* What install's choices take and mean (the values set_option accepts). */
#define HELP_CHOICES \
	"install's choices (a later install keeps each one given; auto finds again):\n" \
	"  --cpu auto|intel|amd|other\n" \
	"      the CPU whose IOMMU arguments the kernel gets: intel (intel_iommu=on),\n" \
	"      amd (none needed: AMD-Vi is on by default), other (none); iommu=pt for intel\n" \
	"      and amd unless --no-iommu-pt; auto: this machine's (DMAR or IVRS, cpuinfo)\n" \
	"  --bootloader auto|grub|grubby|kernel-install|uki|none\n" \
	"      grub: the drop-in /etc/default/grub.d/passthru.cfg and update-grub (Debian,\n" \
	"      Ubuntu); grubby: the BLS entries and GRUB_CMDLINE_LINUX in /etc/default/grub\n" \
	"      (Fedora, RHEL); kernel-install: /etc/kernel/cmdline and the loader entries\n" \
	"      (systemd-boot); uki: where the unified kernel image's builder reads them\n" \
	"      (dracut uefi=yes: kernel_cmdline= in a dracut.conf.d drop-in; mkinitcpio presets,\n" \
	"      kernel-install layout=uki: /etc/kernel/cmdline), the UKI rebuilt and its\n" \
	"      .cmdline checked (refused under Secure Boot when the builder does not sign);\n" \
	"      none: edit nothing, print the arguments to add by hand;\n" \
	"      auto: every one this host uses (on a UKI host: uki, not kernel-install)\n" \
	"  --initramfs auto|dracut|initramfs-tools|mkinitcpio\n" \
	"      the generator passthru is enabled in and whose images are rebuilt: dracut\n" \
	"      (Fedora, RHEL, openSUSE), initramfs-tools (Debian, Ubuntu, Proxmox VE),\n" \
	"      mkinitcpio (Arch); auto: the host's (among several, the one that built the\n" \
	"      running kernel's image)\n"

/* install, uninstall and confirm --json (PRODUCT.md; docs/decisions.md "Fleet"). */
#define HELP_JSON \
	"--json: one JSON document on stdout (the words go to stderr), also with --dry-run\n" \
	"  and on errors: changed, reboot_required, files (path, action: created, updated,\n" \
	"  removed, kept), commands (argv, ran, exit_status), kernel_cmdlines (label, line),\n" \
	"  message, errors, warnings, exit_code; the exit code is the same as without it.\n" \
	"--diff (with --json): each changed file's before and after text (null: no file);\n" \
	"  bytes that are not UTF-8 are U+FFFD there, and the exact bytes are in\n" \
	"  before_base64/after_base64 (path_base64 for such a path).\n"

/* status --nfd (docs/decisions.md "Fleet"). */
#define HELP_NFD \
	"--nfd: Node Feature Discovery feature lines, to write (whole: a new file renamed) to\n" \
	"  /etc/kubernetes/node-feature-discovery/features.d/passthru:\n" \
	"  passthru.ready=true|false   status's verdict: every configured device claimed, the\n" \
	"                              IOMMU active, nothing drifted\n" \
	"  passthru.claimed=N          devices on their passthrough driver now\n" \
	"  passthru.iommu=on|off|no-interrupt-remapping|unknown   the IOMMU verdict\n" \
	"  Exit 0 once they are printed (the verdict is in them); 1: no host view.\n"

/* What --trial does and when the trial is confirmed. */
#define HELP_TRIAL \
	"--trial: the next boot only gets passthru (a one-time boot entry); every later boot\n" \
	"  is as before until the trial is confirmed. passthru-confirm.service confirms it on\n" \
	"  the trial boot once passthru-setup status is ready and someone has logged in (on a\n" \
	"  seat, a terminal or remotely): a black screen nobody can log in to is never\n" \
	"  confirmed, and the boot after it is the old one. --auto-confirm (headless hosts):\n" \
	"  confirm as soon as the status is ready, with no login.\n\n"

/* What confirm's --after-login means. */
#define HELP_CONFIRM \
	"  --after-login  what passthru-confirm.service runs: on the trial boot, once the\n" \
	"      status is ready, wait while the boot lasts for a login session (logind's\n" \
	"      sessions of class user on a seat, a terminal or remote; else utmp), then\n" \
	"      confirm; a trial that install started with its auto-confirm option needs\n" \
	"      no login. Without --after-login (by hand) confirm confirms at once: the\n" \
	"      person running it is the proof.\n"

/* What a device selector looks like (config.c's selector_parse). */
#define HELP_SEL \
	"SEL, a device selector (as after device = in /etc/passthru.conf):\n" \
	"  0000:01:00.0 or 01:00.0   one PCI address (domain 0000 when left out)\n" \
	"  pci_0000_01_00_0          the same address as libvirt names it (virsh nodedev-list)\n" \
	"  10de:2204                 every device with this vendor:device ID (hex)\n" \
	"  10de:2204@0000:01:00.0    that address, taken only while its ID is 10de:2204\n" \
	"  Its companions (HDMI audio .1, USB .2, UCSI .3) come with it unless the config\n" \
	"  says companions = none; passthru-setup list shows the display controllers, their\n" \
	"  addresses, IDs and companions.\n"

static const struct command commands[] = {
	{ "install", O_ROOT | O_SYSROOT | O_CPU | O_DRY_RUN | O_DEVICE | O_NO_PT | O_UNSAFE |
	  O_BOOTLOADER | O_NO_INITRAMFS | O_INITRAMFS | O_TRIAL | O_AUTO_CONFIRM | O_JSON | O_DIFF |
	  O_HELP, false,
	  "install [--root DIR] [--sysroot DIR] [--cpu auto|intel|amd|other] [--dry-run]\n"
	  "        [--device SEL]... [--no-iommu-pt] [--allow-unsafe-interrupts]\n"
	  "        [--bootloader auto|grub|grubby|kernel-install|uki|none] [--no-initramfs]\n"
	  "        [--initramfs auto|dracut|initramfs-tools|mkinitcpio]\n"
	  "        [--trial [--auto-confirm]] [--json [--diff]]\n"
	  "    bring the host to the configured state: kernel arguments, initramfs, devices\n",
	  HELP_TRIAL HELP_CHOICES HELP_JSON HELP_SEL, run_install },
	{ "uninstall", O_ROOT | O_SYSROOT | O_DRY_RUN | O_JSON | O_DIFF | O_HELP, false,
	  "uninstall [--root DIR] [--sysroot DIR] [--dry-run] [--json [--diff]]\n"
	  "    remove exactly what install added\n", HELP_JSON, run_uninstall },
	{ "status", O_SYSROOT | O_JSON | O_NFD | O_VERBOSE | O_HELP, false,
	  "status [--sysroot DIR] [--json | --nfd] [--verbose]\n"
	  "    is this host ready; what drifted since install, and what to do\n"
	  "    (--verbose: the boot's /run/passthru/status.json too)\n", HELP_NFD,
	  run_status },
	{ "list", O_SYSROOT | O_JSON | O_HELP, false,
	  "list [--sysroot DIR] [--json]\n"
	  "    display controllers, their IOMMU groups, and whether they can go\n", NULL,
	  run_list },
	{ "plan", O_SYSROOT | O_JSON | O_HELP, false,
	  "plan [--sysroot DIR] [--json]\n"
	  "    what the next boot would do with /etc/passthru.conf, touching nothing\n",
	  NULL, run_plan },
	{ "xml", O_SYSROOT | O_SPLIT | O_HELP, true,
	  "xml [--sysroot DIR] [--split DIR] SEL...\n"
	  "    libvirt <hostdev> elements for the devices and their companions\n", HELP_SEL,
	  cmd_xml },
	{ "confirm", O_ROOT | O_SYSROOT | O_DRY_RUN | O_JSON | O_DIFF | O_AFTER_LOGIN | O_HELP, false,
	  "confirm [--root DIR] [--sysroot DIR] [--dry-run] [--json [--diff]] [--after-login]\n"
	  "    make the trial boot's setup permanent (run on the trial boot)\n",
	  HELP_CONFIRM HELP_JSON,
	  run_confirm },
};

/* Every command's usage; full (--help): with what the values and SEL mean. */
static void usage_all(FILE *f, bool full)
{
	size_t i;

	fputs("usage: passthru-setup COMMAND [OPTIONS]\n"
	      "       passthru-setup --version\n"
	      "       passthru-setup COMMAND --help\n", f);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s", commands[i].usage);
	if (full)
		fputs("\n" HELP_TRIAL HELP_CHOICES "\n" HELP_SEL "\n" HELP_JSON "\n" HELP_NFD, f);
}

/* The options a command takes, for the usage error. */
static void options_of(const struct command *c, char *buf, size_t size)
{
	const struct option *lo;

	buf[0] = '\0';
	for (lo = longopts; lo->name; lo++) {
		size_t n = strlen(buf);

		if (c->opts & opt_bit(lo->val))
			snprintf(buf + n, size - n, "%s--%s", n ? ", " : "", lo->name);
	}
}

/* --json (or an abbreviation getopt takes) is on the command line */
static bool json_wanted;

/* A usage error under --json: still one JSON document on stdout, of the command's shape. */
static void json_usage_error(const struct command *c, const char *msg)
{
	struct sbuf b = { 0 };

	if (!strcmp(c->name, "list")) {
		puts("[]");	/* list's document is the array; the words went to stderr */
		return;
	}
	if (!strcmp(c->name, "install") || !strcmp(c->name, "uninstall") ||
	    !strcmp(c->name, "confirm")) {
		outcome_usage_json(c->name, msg, stdout);
		return;
	}
	sbuf_add(&b, "{\n  \"version\": 1,\n  \"iommu\": null,\n  \"devices\": [],\n"
	      "  \"errors\": [");
	json_str(&b, msg);
	sbuf_add(&b, "]");
	if (!strcmp(c->name, "status")) {
		sbuf_add(&b, ",\n  \"ready\": false,\n  \"message\": ");
		json_str(&b, msg);
		sbuf_add(&b, ",\n  \"drift\": [],\n  \"boot\": null");
	}
	sbuf_add(&b, "\n}\n");
	fputs(b.s ? b.s : "", stdout);
	sbuf_free(&b);
}

static int bad_option(const struct command *c, const char *what)
{
	char takes[300], msg[700];

	options_of(c, takes, sizeof(takes));
	snprintf(msg, sizeof(msg), "%s: %s (%s takes %s)", c->name, what, c->name, takes);
	fprintf(stderr, "passthru-setup: %s\n", msg);
	if (json_wanted && (c->opts & O_JSON))
		json_usage_error(c, msg);
	return 2;
}

/* A value the option does not take: said, and under --json the document. 2. */
static int value_error(const struct command *c, const char *msg)
{
	char what[300];

	snprintf(what, sizeof(what), "%s: %s", c->name, msg);
	fprintf(stderr, "passthru-setup: %s\n", what);
	if (json_wanted && (c->opts & O_JSON))
		json_usage_error(c, what);
	return 2;
}

static bool one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return true;
	return false;
}

/* The option getopt_long just returned is one this command takes, with a value when it needs
 * one, not given twice with different values: 0, or 2 after saying why. given: the value each
 * single-valued option had. */
static int check_option(const struct command *c, int opt, char **argv, const char **given)
{
	const char *arg = argv[optind - 1];
	char what[300];

	if (opt == '?') {
		bool valued = !strncmp(arg, "--", 2) && strchr(arg, '=');

		if (optopt && valued)	/* --json=1 */
			snprintf(what, sizeof(what), "option '%.*s' takes no value",
				 (int)strcspn(arg, "="), arg);
		else if (optopt)	/* -x, also inside -xyz (not argv[optind - 1]) */
			snprintf(what, sizeof(what), "unknown option '-%c'", optopt);
		else
			snprintf(what, sizeof(what), "unknown option '%s'", arg);
		return bad_option(c, what);
	}
	if (opt == ':') {
		snprintf(what, sizeof(what), "option '%s' needs a value", arg);
		return bad_option(c, what);
	}
	if (!(c->opts & opt_bit(opt))) {
		/* name the option as the user wrote it, without its value */
		const char *eq = strchr(arg, '=');
		int len = eq ? (int)(eq - arg) : (int)strlen(arg);

		if (optarg && arg == optarg)
			arg = argv[optind - 2], len = (int)strlen(arg);
		snprintf(what, sizeof(what), "option '%.*s' does not apply", len, arg);
		return bad_option(c, what);
	}
	if (optarg && !optarg[0]) {
		/* --sysroot= would read the current directory as the host */
		const char *name = arg == optarg ? argv[optind - 2] : arg;

		snprintf(what, sizeof(what), "option '%.*s' needs a value",
			 (int)strcspn(name, "="), name);
		return bad_option(c, what);
	}
	if (optarg && opt != 'd' && opt > 0 && opt < 128) {
		/* --root /mnt --root / must not quietly mean the live host */
		const char *name = arg == optarg ? argv[optind - 2] : arg;

		if (given[opt] && strcmp(given[opt], optarg)) {
			snprintf(what, sizeof(what), "option '%.*s' given twice with "
				 "different values ('%.60s', '%.60s')",
				 (int)strcspn(name, "="), name, given[opt], optarg);
			return bad_option(c, what);
		}
		given[opt] = optarg;
	}
	return 0;
}

/* The option's value in o: 0, 2 for a value it does not take (said why), -1 for --help. */
static int set_option(const struct command *c, int opt, struct opts *o)
{
	static const char *const cpus[] = { "auto", "intel", "amd", "other", NULL };
	static const char *const loaders[] = { "auto", "grub", "grubby", "kernel-install",
					       "uki", "none", NULL };
	static const char *const gens[] = { "auto", "dracut", "initramfs-tools", "mkinitcpio",
					    NULL };

	switch (opt) {
	case 'r': o->root = optarg; break;
	case 's': o->sysroot = optarg; o->sysroot_given = true; break;
	case 'c':
		if (!one_of(optarg, cpus)) {
			return value_error(c, "--cpu takes auto, intel, amd or other");
		}
		o->cpu = optarg;
		break;
	case 'n': o->dry_run = true; break;
	case 'd': o->devices[o->ndevices++] = optarg; break;
	case 'P': o->no_iommu_pt = true; break;
	case 'U': o->allow_unsafe_interrupts = true; break;
	case 'b':
		if (!one_of(optarg, loaders)) {
			return value_error(c, "--bootloader takes auto, grub, grubby, "
					   "kernel-install or none");
		}
		o->bootloader = optarg;
		break;
	case 'I': o->no_initramfs = true; break;
	case 'i':
		if (!one_of(optarg, gens)) {
			return value_error(c, "--initramfs takes auto, dracut, "
					   "initramfs-tools or mkinitcpio");
		}
		o->initramfs = optarg;
		break;
	case 'j': o->json = true; break;
	case 'S': o->split = optarg; break;
	case 'T': o->trial = true; break;
	case 'D': o->diff = true; break;
	case 'F': o->nfd = true; break;
	case 'A': o->auto_confirm = true; break;
	case 'L': o->after_login = true; break;
	case 'V': o->verbose = true; break;
	case 'h':
		fprintf(stdout, "usage: passthru-setup %s", c->usage);
		if (c->more)
			fprintf(stdout, "\n%s", c->more);
		return -1;
	}
	return 0;
}

static int parse(const struct command *c, int argc, char **argv, struct opts *o)
{
	const char *given[128] = { 0 };	/* the value each single-valued option had */
	char what[300];
	int opt, r;

	opterr = 0;
	optind = 2;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		r = check_option(c, opt, argv, given);
		if (r == 0)
			r = set_option(c, opt, o);
		if (r)
			return r;
	}
	if (!c->args && optind < argc) {
		snprintf(what, sizeof(what), "unexpected argument '%s'", argv[optind]);
		return bad_option(c, what);
	}
	if (o->diff && !o->json)
		return bad_option(c, "option '--diff' needs --json (it adds to the document)");
	if (o->nfd && o->json)
		return bad_option(c, "options '--nfd' and '--json' do not go together (one output)");
	if (o->auto_confirm && !o->trial)
		return bad_option(c, "option '--auto-confirm' applies to --trial only");
	return 0;
}

/* Output that did not reach its file (a full disk, a closed pipe) is a failure, not exit 0. */
static int flush_stdout(int ret)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return ret;
	fprintf(stderr, "passthru-setup: cannot write the output: %s\n",
		errno ? strerror(errno) : "write error");
	return ret ? ret : 1;
}

int main(int argc, char **argv)
{
	struct opts o = { .sysroot = "/" };	/* NULL choices: not given (remembered, or found) */
	const struct command *c = NULL;
	size_t i;
	int ret;

	if (argc < 2) {
		usage_all(stderr, false);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_all(stdout, true);
		return flush_stdout(0);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("passthru-setup %s\n", PASSTHRU_VERSION);
		return flush_stdout(0);
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "passthru-setup: unknown command '%s'\n", argv[1]);
		usage_all(stderr, false);
		return 2;
	}
	for (i = 2; i < (size_t)argc && strcmp(argv[i], "--"); i++)
		if (strlen(argv[i]) >= 3 && !strncmp(argv[i], "--json", strlen(argv[i])))
			json_wanted = true;
	o.devices = calloc((size_t)argc, sizeof(*o.devices));
	if (!o.devices)
		return 1;
	ret = parse(c, argc, argv, &o);
	if (ret == 0)
		ret = c->run(&o, argc - optind, argv + optind);
	else if (ret < 0)
		ret = 0;	/* --help */
	free(o.devices);
	return flush_stdout(ret);
}
