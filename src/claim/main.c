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
		"Hand the devices of /etc/passthru.conf to vfio-pci, one whole IOMMU group at a "
		"time.\n"
		"--timeout: claim in a child process and stop waiting for it after SECONDS\n"
		"(rd.passthru.timeout=SECONDS on the kernel command line overrides it).\n");
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "sysroot", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *config_path = NULL, *sysroot = "/", *cmdline_path = NULL;
	bool dry_run = false, cli_dry_run = false, json = false;
	struct watchdog wd = { .fd = -1 };
	struct claim_ops ops = { .log = klog, .step = on_step, .unit_done = on_unit_done };
	int timeout_s = 0;
	char tbuf[32];
	struct root root;
	struct config cfg;
	struct cmdline cl = { 0 };
	struct errlist errs = { 0 };
	struct model model = { 0 };
	struct iommu_verdict verdict;
	struct plan plan = { 0 };
	struct claim_timing timing = { 0 };
	struct report rep = { 0 };
	struct sbuf out = { 0 };
	char *cmdline = NULL, err[300];
	double t0 = now_ms();
	int opt, ret, code;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'r': sysroot = optarg; break;
		case 'k': cmdline_path = optarg; break;
		case 'n': cli_dry_run = dry_run = true; break;
		case 't':
			timeout_s = parse_seconds(optarg);
			if (timeout_s < 0) {
				fprintf(stderr, "passthru-claim: --timeout %s: expected whole seconds, "
					"0 to 3600\n", optarg);
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	ret = root_open(&root, sysroot);
	if (ret < 0) {
		fprintf(stderr, "passthru-claim: cannot open sysroot %s: %s\n", sysroot,
			strerror(-ret));
		return 2;
	}
	kmsg_fd = root_openat(&root, "dev/kmsg", O_WRONLY | O_APPEND);
	config_init(&cfg);

	if (cmdline_path) {
		struct root base;

		ret = root_open(&base, cmdline_path[0] == '/' ? "/" : ".");
		if (ret == 0) {
			ret = root_slurp(&base, cmdline_path, &cmdline, NULL);
			root_close(&base);
		}
		if (ret < 0)
			errlist_add(&errs, "%s: cannot read: %s", cmdline_path, strerror(-ret));
	} else if (root_slurp(&root, "proc/cmdline", &cmdline, NULL) < 0) {
		cmdline = NULL;
	}
	if (!cmdline)
		cmdline = strdup("");

	ret = config_load(&cfg, &root, config_path, &errs);
	if (ret == -ENOMEM)
		goto oom;
	if (cmdline && cmdline_parse(cmdline, &cl, &cfg, &errs) == -ENOMEM)
		goto oom;
	dry_run |= cl.dry_run;
	if (cmdline_get(cmdline, "rd.passthru.timeout", tbuf, sizeof(tbuf))) {
		ret = parse_seconds(tbuf);
		if (ret < 0)
			klog(NULL, "rd.passthru.timeout=%.*s: expected whole seconds, 0 to 3600; "
			     "using %d", utf8_clip(tbuf, 20), tbuf, timeout_s);
		else
			timeout_s = ret;
	}
	rep.config_sha256 = cfg.sha256;
	iommu_verdict_read(&root, cmdline, &verdict);
	rep.iommu = &verdict;
	rep.errors = &errs;
	rep.dry_run = dry_run;
	rep.timing = &timing;

	if (cl.disabled) {
		/* rd.passthru=0: the way back from a black screen; touch nothing */
		klog(NULL, "disabled by rd.passthru=0; nothing touched");
		rep.disabled = true;
		code = 0;
		goto report;
	}
	if (errs.n) {
		size_t i;

		for (i = 0; i < errs.n; i++)
			klog(NULL, "%s", errs.msg[i]);
		klog(NULL, "config error: nothing claimed");
		code = 2;
		goto report;
	}
	if (!cfg.nsel) {
		klog(NULL, "no devices configured");
		code = 0;
		goto report;
	}
	ret = model_scan(&model, &root, err, sizeof(err));
	if (ret < 0) {
		errlist_add(&errs, "cannot read the PCI devices: %s", ret == -ENOMEM ?
			    "out of memory" : err);
		klog(NULL, "%s", errs.msg[errs.n - 1]);
		code = 1;
		goto report;
	}
	if (verdict.active)
		klog(NULL, "IOMMU active (%s, interrupt remapping %s)", verdict.vendor,
		     verdict.interrupt_remapping ? "on" : "off");
	else
		klog(NULL, "IOMMU not active: %s", verdict.reason);
	ret = plan_build(&cfg, &model, &verdict, &plan);
	if (ret < 0)
		goto oom;
	rep.plan = &plan;
	timing.scan_plan_ms = now_ms() - t0;
	log_plan(&plan);
	if (!dry_run && timeout_s > 0 && any_bind(&plan)) {
		fflush(stdout);
		ret = watchdog_fork(&wd);
		if (ret == 1) {
			code = watchdog_wait(&wd, &plan, timeout_s);
			if (code >= 0)
				goto done;	/* the child reported it all */
			mark_caught(&root, &plan, &wd, code == -ETIMEDOUT ? timeout_s : 0);
			if (code == -ETIMEDOUT) {
				rep.gave_up = wd.step[0] ? wd.step : "(not started)";
				rep.timeout_s = timeout_s;
			} else {
				errlist_add(&errs, "the claim process died (signal %d)", wd.signal);
			}
			code = 1;
			goto report;
		}
		if (ret == 0)
			ops.ud = &wd;
		else
			klog(NULL, "cannot start the watchdog: %s; claiming without it",
			     strerror(-ret));
	}
	if (!dry_run) {
		ret = claim_run(&root, &plan, &ops, &timing);
		if (ret == -ENOMEM)
			goto oom;
		if (ops.ud && wd.parent_gone) {
			rep.finished_late = true;
			rep.timeout_s = timeout_s;
		}
		/* vfio_iommu_type1 may have come with vfio-pci: read its parameter now */
		iommu_verdict_read(&root, cmdline, &verdict);
	}
	code = plan_exit_code(&plan, &verdict, &cfg);
report:
	timing.total_ms = now_ms() - t0;
	report_json(&out, &rep);
	if (out.err)
		goto oom;
	/* a look is not an action: only a boot's dry run (rd.passthru.dry_run) leaves a record */
	if (!cli_dry_run) {
		ret = root_write_atomic(&root, "run/passthru/status.json", out.s, out.len);
		if (ret < 0)
			klog(NULL, "cannot write /run/passthru/status.json: %s", strerror(-ret));
	}
	if (!json) {
		out.len = 0;
		report_human(&out, &rep);
	}
	if (out.err)
		goto oom;
	fputs(out.s, stdout);
	klog(NULL, "done (exit %d)", code);
done:
	sbuf_free(&out);
	plan_free(&plan);
	model_free(&model);
	config_free(&cfg);
	errlist_free(&errs);
	free(cmdline);
	root_close(&root);
	return code;
oom:
	fprintf(stderr, "passthru-claim: out of memory\n");
	klog(NULL, "out of memory; nothing more done");
	return 1;
}
