/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: passthru-claim, run in the initramfs: config -> model -> verdict -> plan -> claim -> report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "claim.h"
#include "cmdline.h"
#include "config.h"
#include "iommu.h"
#include "model.h"
#include "plan.h"
#include "report.h"
#include "root.h"
#include "util.h"
#include "variant.h"
#include "version.h"
#include "watchdog.h"

static int kmsg_fd = -1;

/* One "passthru: ..." line per action, so that journalctl -b shows what happened. */
static void klog(void *ud, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (kmsg_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "<6>passthru: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2) {
		line[sizeof(line) - 1] = '\0';
		utf8_trim_cut(line, sizeof(line) - 1);
		n = (int)strlen(line);
	}
	line[n++] = '\n';
	if (write(kmsg_fd, line, (size_t)n) < 0) {
		/* nothing to do: logging must never stop boot */
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: passthru-claim [--config FILE] [--sysroot DIR] [--cmdline FILE] "
		"[--dry-run] [--json] [--timeout SECONDS]\n"
		"       passthru-claim --variant-modules DIR [--config FILE] [--sysroot DIR]\n"
		"       passthru-claim --version\n"
		"Hand the devices of /etc/passthru.conf to vfio-pci, one whole IOMMU group at a "
		"time.\n"
		"--timeout: claim in a child process and stop waiting for it after SECONDS\n"
		"(rd.passthru.timeout=SECONDS on the kernel command line overrides it).\n"
		"--variant-modules: print the vfio variant driver modules that the configured\n"
		"devices take by the modules.alias of the kernel module folder DIR (for image\n"
		"builders: the image for that kernel must hold them); changes nothing.\n");
}

static void log_plan(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		char a[ADDR_LEN] = "-";

		if (e->addr != ADDR_NONE)
			addr_format(e->addr, a);
		if (e->state == STATE_REFUSED || e->state == STATE_ABSENT)
			klog(NULL, "%s [%04x:%04x] %s %s: %s", a, e->vendor, e->device,
			     role_name(e->role), state_name(e->state), e->reason);
		else if (e->state == STATE_PLANNED)
			klog(NULL, "%s [%04x:%04x] %s: plan %s", a, e->vendor, e->device,
			     role_name(e->role), e->driver);
	}
}

static void on_step(void *ud, size_t idx, const char *what)
{
	if (ud)
		watchdog_step(ud, idx, what);
}

static bool on_unit_done(void *ud, const struct plan *p, const size_t *mem, size_t nmem)
{
	return !ud || watchdog_unit_done(ud, p, mem, nmem);
}

/* Whole seconds, 0 to 3600; -EINVAL otherwise. */
static int parse_seconds(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 3600)
		return -EINVAL;
	return (int)v;
}

/* The watchdog stopped waiting (or the child died): say where each unsettled entry was. */
static void mark_caught(const struct root *r, struct plan *p, const struct watchdog *w,
			int timeout_s)
{
	size_t i, bad = w->step_idx;
	char why[64];

	if (timeout_s > 0)
		snprintf(why, sizeof(why), "had not returned after %d s", timeout_s);
	else
		snprintf(why, sizeof(why), "was running when the claim process died (signal %d)",
			 w->signal);
	if (timeout_s > 0)
		klog(NULL, "gave up waiting after %d s; still running: %s; boot goes on",
		     timeout_s, w->step[0] ? w->step : "(not started)");
	else
		klog(NULL, "the claim process died (signal %d) at: %s", w->signal,
		     w->step[0] ? w->step : "(not started)");
	for (i = 0; i < p->n; i++) {
		struct plan_entry *e = &p->e[i];
		char a[ADDR_LEN], path[300];

		if (!e->bind)
			continue;
		e->state = STATE_FAILED;
		if (i == bad)
			snprintf(e->reason, sizeof(e->reason), "caught mid-claim: '%s' %s",
				 w->step, why);
		else if (bad != CLAIM_NO_ENTRY && e->unit == p->e[bad].unit)
			snprintf(e->reason, sizeof(e->reason), "caught mid-claim with its unit: "
				 "'%s' %s", w->step, why);
		else
			snprintf(e->reason, sizeof(e->reason), "not claimed: '%s' %s",
				 w->step[0] ? w->step : "the start", why);
		utf8_trim_cut(e->reason, sizeof(e->reason));
		addr_format(e->addr, a);
		snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver", a);
		if (root_readlink_base(r, path, e->driver, sizeof(e->driver)) < 0)
			e->driver[0] = '\0';
		klog(NULL, "%s: %s", a, e->reason);
	}
}

static bool any_bind(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->e[i].bind)
			return true;
	return false;
}

/* One run's state, from its arguments to its report. */
struct run {
	const char *config_path, *sysroot, *cmdline_path;
	const char *variant_dir;	/* --variant-modules DIR */
	bool dry_run, cli_dry_run, json;
	int timeout_s;
	struct root root;
	struct config cfg;
	char *cmdline;
	struct cmdline cl;
	struct errlist errs;
	struct iommu_verdict verdict;
	struct model model;
	struct plan plan;
	struct watchdog wd;
	struct claim_timing timing;
	struct report rep;
	int code;		/* the exit code */
	double t0;
};

/* What a step of the run says besides -errno: go on, report r->code, or all is said. */
enum { GO_ON, DECIDED, REPORTED };

/* The options into r: GO_ON, or REPORTED with r->code (--help, --version: 0; a usage
 * error: 2). */
static int parse_args(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "sysroot", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "variant-modules", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int opt;

	r->code = 2;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': r->config_path = optarg; break;
		case 'r': r->sysroot = optarg; break;
		case 'k': r->cmdline_path = optarg; break;
		case 'm': r->variant_dir = optarg; break;
		case 'n': r->cli_dry_run = r->dry_run = true; break;
		case 't':
			r->timeout_s = parse_seconds(optarg);
			if (r->timeout_s < 0) {
				fprintf(stderr, "passthru-claim: --timeout %s: expected whole seconds, "
					"0 to 3600\n", optarg);
				return REPORTED;
			}
			break;
		case 'j': r->json = true; break;
		case 'h':
			usage(stdout);
			r->code = 0;
			return REPORTED;
		case 'V':
			printf("passthru-claim %s\n", PASSTHRU_VERSION);
			r->code = 0;
			return REPORTED;
		default: usage(stderr); return REPORTED;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return REPORTED;
	}
	r->code = 0;
	return GO_ON;
}

/* The kernel command line: --cmdline's file (an error if unreadable), else /proc/cmdline. */
static void read_cmdline(struct run *r)
{
	int ret;

	if (r->cmdline_path) {
		struct root base;

		ret = root_open(&base, r->cmdline_path[0] == '/' ? "/" : ".");
		if (ret == 0) {
			ret = root_slurp(&base, r->cmdline_path, &r->cmdline, NULL);
			root_close(&base);
		}
		if (ret < 0)
			errlist_add(&r->errs, "%s: cannot read: %s", r->cmdline_path,
				    strerror(-ret));
	} else if (root_slurp(&r->root, "proc/cmdline", &r->cmdline, NULL) < 0) {
		r->cmdline = NULL;
	}
	if (!r->cmdline)
		r->cmdline = strdup("");
}

/* The config, the kernel command line over it, the IOMMU verdict: GO_ON or -ENOMEM. */
static int read_inputs(struct run *r)
{
	char tbuf[32];
	int ret;

	config_init(&r->cfg);
	read_cmdline(r);
	ret = config_load(&r->cfg, &r->root, r->config_path, &r->errs);
	if (ret == -ENOMEM)
		return ret;
	if (r->cmdline && cmdline_parse(r->cmdline, &r->cl, &r->cfg, &r->errs) == -ENOMEM)
		return -ENOMEM;
	r->dry_run |= r->cl.dry_run;
	if (cmdline_get(r->cmdline, "rd.passthru.timeout", tbuf, sizeof(tbuf))) {
		ret = parse_seconds(tbuf);
		if (ret < 0)
			klog(NULL, "rd.passthru.timeout=%.*s: expected whole seconds, 0 to 3600; "
			     "using %d", utf8_clip(tbuf, 20), tbuf, r->timeout_s);
		else
			r->timeout_s = ret;
	}
	r->rep.config_sha256 = r->cfg.sha256;
	iommu_verdict_read(&r->root, r->cmdline, &r->verdict);
	r->rep.iommu = &r->verdict;
	r->rep.errors = &r->errs;
	r->rep.dry_run = r->dry_run;
	r->rep.timing = &r->timing;
	return GO_ON;
}

/* What stops the run before the devices are read: GO_ON, or DECIDED with r->code. */
static int gates(struct run *r)
{
	size_t i;

	if (r->cl.disabled) {
		/* rd.passthru=0: the way back from a black screen; touch nothing */
		klog(NULL, "disabled by rd.passthru=0; nothing touched");
		r->rep.disabled = true;
		return DECIDED;
	}
	if (root_exists(&r->root, "etc/passthru.trial") && !r->cl.trial) {
		/* install --trial: only the boot entry with rd.passthru.trial=1 claims, so the
		 * other entries that share this image boot as they did before the trial */
		klog(NULL, "a trial is pending (/etc/passthru.trial) and this boot is not the "
		     "trial boot (no rd.passthru.trial=1); nothing touched");
		r->rep.untried = true;
		return DECIDED;
	}
	if (r->errs.n) {
		for (i = 0; i < r->errs.n; i++)
			klog(NULL, "%s", r->errs.msg[i]);
		klog(NULL, "config error: nothing claimed");
		r->code = 2;
		return DECIDED;
	}
	if (!r->cfg.nsel) {
		klog(NULL, "no devices configured");
		return DECIDED;
	}
	return GO_ON;
}

/* The PCI devices from sysfs: GO_ON, or DECIDED (exit 1) with the reason in the errors. */
static int scan(struct run *r)
{
	char err[300];
	int ret;

	ret = model_scan(&r->model, &r->root, err, sizeof(err));
	if (ret < 0) {
		errlist_add(&r->errs, "cannot read the PCI devices: %s", ret == -ENOMEM ?
			    "out of memory" : err);
		klog(NULL, "%s", r->errs.msg[r->errs.n - 1]);
		r->code = 1;
		return DECIDED;
	}
	return GO_ON;
}

/* The vfio variant drivers of the running kernel's modules.alias for the plan's vfio-pci
 * entries (variant = auto): GO_ON or -ENOMEM. */
static int choose_variants(struct run *r)
{
	struct variant_db db;
	size_t i;
	int ret;

	if (r->cfg.variant == VARIANT_OFF)
		return GO_ON;
	ret = variant_db_load_running(&db, &r->root);
	if (ret < 0)
		return ret == -ENOMEM ? ret : GO_ON;	/* no modules.alias: vfio-pci for all */
	ret = variant_apply(&r->plan, &r->cfg, &db, &r->root);
	variant_db_free(&db);
	for (i = 0; i < r->plan.n; i++) {
		const struct plan_entry *e = &r->plan.e[i];
		char a[ADDR_LEN];

		addr_format(e->addr, a);
		if (e->variant_error[0])
			klog(NULL, "%s: variant %s: %s; vfio-pci instead", a, e->variant,
			     e->variant_error);
		else if (e->variant[0])
			klog(NULL, "%s: vfio variant driver %s (modules.alias)", a, e->variant);
		if (e->variant_tie[0])
			klog(NULL, "%s: %s", a, e->variant_tie);
	}
	return ret < 0 ? ret : GO_ON;
}

/* What to claim, logged with the IOMMU's state: GO_ON or -ENOMEM. */
static int make_plan(struct run *r)
{
	const struct iommu_verdict *v = &r->verdict;
	int ret;

	if (v->active)
		klog(NULL, "IOMMU active (%s, interrupt remapping %s)", v->vendor,
		     v->interrupt_remapping ? "on" : "off");
	else
		klog(NULL, "IOMMU not active: %s", v->reason);
	ret = plan_build(&r->cfg, &r->model, v, &r->plan);
	if (ret < 0)
		return ret;
	ret = choose_variants(r);
	if (ret < 0)
		return ret;
	r->rep.plan = &r->plan;
	r->timing.scan_plan_ms = now_ms() - r->t0;
	log_plan(&r->plan);
	return GO_ON;
}

/* The watchdog's parent: REPORTED when the child reported it all, else DECIDED (exit 1). */
static int watch_child(struct run *r)
{
	int ret = watchdog_wait(&r->wd, &r->plan, r->timeout_s);

	if (ret >= 0) {
		r->code = ret;
		return REPORTED;
	}
	mark_caught(&r->root, &r->plan, &r->wd, ret == -ETIMEDOUT ? r->timeout_s : 0);
	if (ret == -ETIMEDOUT) {
		r->rep.gave_up = r->wd.step[0] ? r->wd.step : "(not started)";
		r->rep.timeout_s = r->timeout_s;
	} else {
		errlist_add(&r->errs, "the claim process died (signal %d)", r->wd.signal);
	}
	r->code = 1;
	return DECIDED;
}

/*
 * The plan carried out (not in a dry run), in a child under the watchdog when there is a
 * bound and something to bind: DECIDED with r->code, REPORTED (see watch_child), -ENOMEM.
 */
static int claim(struct run *r)
{
	struct claim_ops ops = { .log = klog, .step = on_step, .unit_done = on_unit_done };
	int ret;

	if (!r->dry_run && r->timeout_s > 0 && any_bind(&r->plan)) {
		fflush(stdout);
		ret = watchdog_fork(&r->wd);
		if (ret == 1)
			return watch_child(r);
		if (ret == 0)
			ops.ud = &r->wd;
		else
			klog(NULL, "cannot start the watchdog: %s; claiming without it",
			     strerror(-ret));
	}
	if (!r->dry_run) {
		ret = claim_run(&r->root, &r->plan, &ops, &r->timing);
		if (ret == -ENOMEM)
			return ret;
		if (ops.ud && r->wd.parent_gone) {
			r->rep.finished_late = true;
			r->rep.timeout_s = r->timeout_s;
		}
		/* vfio_iommu_type1 may have come with vfio-pci: read its parameter now */
		iommu_verdict_read(&r->root, r->cmdline, &r->verdict);
	}
	r->code = plan_exit_code(&r->plan, &r->verdict, &r->cfg);
	return DECIDED;
}

/* status.json (not for a look by hand), and the summary or the document on stdout. */
static int report(struct run *r)
{
	struct sbuf out = { 0 };
	int ret;

	r->timing.total_ms = now_ms() - r->t0;
	report_json(&out, &r->rep);
	if (out.err)
		return -ENOMEM;
	/* a look is not an action: only a boot's dry run (rd.passthru.dry_run) leaves a record */
	if (!r->cli_dry_run) {
		ret = root_write_atomic(&r->root, "run/passthru/status.json", out.s, out.len);
		if (ret < 0)
			klog(NULL, "cannot write /run/passthru/status.json: %s", strerror(-ret));
	}
	if (!r->json) {
		out.len = 0;
		report_human(&out, &r->rep);
	}
	if (out.err)
		return -ENOMEM;
	fputs(out.s, stdout);
	klog(NULL, "done (exit %d)", r->code);
	sbuf_free(&out);
	return REPORTED;
}

/* --variant-modules DIR: the variant modules an image for DIR's kernel needs, one a line on
 * stdout, notes on stderr; the devices are this root's. Exit 0, or 2 for a config error. */
static int list_variant_modules(struct run *r)
{
	struct sbuf out = { 0 }, notes = { 0 };
	struct variant_db db = { 0 };
	struct root base;
	char err[300];
	size_t i;
	int ret;

	config_init(&r->cfg);
	if (config_load(&r->cfg, &r->root, r->config_path, &r->errs) == -ENOENT && !r->errs.n)
		return 0;	/* no config: no devices */
	for (i = 0; i < r->errs.n; i++)
		fprintf(stderr, "passthru-claim: %s\n", r->errs.msg[i]);
	if (r->errs.n)
		return 2;
	if (model_scan(&r->model, &r->root, err, sizeof(err)) < 0 ||
	    root_open(&base, r->variant_dir[0] == '/' ? "/" : ".") < 0)
		return 0;
	iommu_verdict_read(&r->root, "", &r->verdict);
	ret = variant_db_load(&db, &base, r->variant_dir);
	if (ret == 0)
		ret = plan_build(&r->cfg, &r->model, &r->verdict, &r->plan);
	if (ret == 0)
		ret = variant_image_modules(&r->plan, &r->cfg, &db, &r->root, &out, &notes);
	root_close(&base);
	variant_db_free(&db);
	if (ret == -ENOMEM)
		fprintf(stderr, "passthru-claim: out of memory\n");
	fputs(out.s ? out.s : "", stdout);
	fputs(notes.s ? notes.s : "", stderr);
	sbuf_free(&out);
	sbuf_free(&notes);
	return ret == -ENOMEM ? 1 : 0;
}

static void run_free(struct run *r)
{
	plan_free(&r->plan);
	model_free(&r->model);
	config_free(&r->cfg);
	errlist_free(&r->errs);
	free(r->cmdline);
	root_close(&r->root);
}

int main(int argc, char **argv)
{
	struct run r = { .sysroot = "/", .wd = { .fd = -1 }, .t0 = now_ms() };
	int ret;

	ret = parse_args(&r, argc, argv);
	if (ret != GO_ON)
		return r.code;
	ret = root_open(&r.root, r.sysroot);
	if (ret < 0) {
		fprintf(stderr, "passthru-claim: cannot open sysroot %s: %s\n", r.sysroot,
			strerror(-ret));
		return 2;
	}
	if (r.variant_dir) {
		/* an image builder's question: nothing is logged or written */
		r.code = list_variant_modules(&r);
		run_free(&r);
		return r.code;
	}
	kmsg_fd = root_openat(&r.root, "dev/kmsg", O_WRONLY | O_APPEND);
	ret = read_inputs(&r);
	if (ret == GO_ON)
		ret = gates(&r);
	if (ret == GO_ON)
		ret = scan(&r);
	if (ret == GO_ON)
		ret = make_plan(&r);
	if (ret == GO_ON)
		ret = claim(&r);
	if (ret == DECIDED)
		ret = report(&r);
	if (ret < 0) {
		fprintf(stderr, "passthru-claim: out of memory\n");
		klog(NULL, "out of memory; nothing more done");
		return 1;
	}
	run_free(&r);
	return r.code;
}
