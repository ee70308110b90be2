/* status.c: passthru-setup status: is this host ready, what drifted, and what to do. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bootcfg.h"
#include "cmdline.h"
#include "hostview.h"
#include "initramfs.h"
#include "jsoncheck.h"
#include "manifest.h"
#include "report.h"
#include "setup.h"
#include "sha256.h"

#define PASSTHRU_CONF "/etc/passthru.conf"
#define BOOT_STATUS "run/passthru/status.json"

struct drift {
	char what[16];		/* config, cmdline, initramfs, device */
	char message[700];
	char fix[160];		/* the command that fixes it */
};

/* install --trial pending (the install record's "trial" line) */
struct trial {
	bool pending;
	bool this_boot;		/* rd.passthru.trial=1 on the running kernel's command line */
	char unmarked[600];	/* kernels whose image holds passthru-claim but not the mark */
	char message[900];
};

struct status {
	bool ready;
	char message[1800];
	struct drift drift[80];
	size_t ndrift;
	struct trial trial;
};

static void add_drift(struct status *s, const char *what, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_drift(struct status *s, const char *what, const char *fix, const char *fmt, ...)
{
	struct drift *d;
	va_list ap;

	if (s->ndrift >= ARRAY_SIZE(s->drift))
		return;
	d = &s->drift[s->ndrift];
	strscpy(d->what, what, sizeof(d->what));
	strscpy(d->fix, fix, sizeof(d->fix));
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < s->ndrift; i++)
		if (!strcmp(s->drift[i].message, d->message))
			return;		/* said once is enough */
	s->ndrift++;
}

/*
 * The boot document's "config_sha256": 1 with the hex digest in ret, 0 when it is null, -1 when
 * the field is missing (a passthru-claim older than the field) or unreadable.
 */
static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int boot_config_sha(const char *boot, char ret[SHA256_HEX_LEN])
{
	const char *p = boot ? strstr(boot, "\"config_sha256\"") : NULL;
	size_t n;

	if (!p)
		return -1;
	p = skip_ws(p + strlen("\"config_sha256\""));
	if (*p++ != ':')
		return -1;
	p = skip_ws(p);
	if (!strncmp(p, "null", 4))
		return 0;
	if (*p++ != '"')
		return -1;
	n = strspn(p, "0123456789abcdef");
	if (n != 64 || p[n] != '"')
		return -1;
	memcpy(ret, p, 64);
	ret[64] = '\0';
	return 1;
}

/* A word of the running kernel's command line, exactly. */
static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	const char *p = cmdline;

	while ((p = strstr(p, word))) {
		if ((p == cmdline || p[-1] == ' ' || p[-1] == '\t') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}

/* What passthru adds, and what undoes it on a command line. */
static const struct {
	const char *added, *contra[4];
} contradictions[] = {
	{ "intel_iommu=on", { "intel_iommu=off", NULL } },
	{ "iommu=pt", { "iommu=off", "iommu=nopt", "iommu.passthrough=0", NULL } },
	{ "", { "iommu=off", "amd_iommu=off", NULL } },
};

static void check_cmdline(struct status *s, const struct hostview *h, const struct manifest *m)
{
	char args[sizeof(m->args)], *w, *save = NULL;
	size_t i, k;

	strscpy(args, m->args, sizeof(args));
	for (w = strtok_r(args, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (!cmdline_has(h->cmdline, w))
			add_drift(s, "cmdline", "passthru-setup install, then reboot",
				  "the running kernel's command line lacks %s, which install added: "
				  "this boot did not use the configuration install wrote (not rebooted "
				  "since, another boot entry, or a later edit that removes it)", w);
	for (i = 0; i < ARRAY_SIZE(contradictions); i++) {
		if (contradictions[i].added[0] && !strstr(m->args, contradictions[i].added))
			continue;
		for (k = 0; contradictions[i].contra[k]; k++) {
			const char *c = contradictions[i].contra[k];
			size_t j;
			bool seen = false;

			for (j = 0; j < s->ndrift; j++)
				seen |= strstr(s->drift[j].message, c) != NULL;
			if (!seen && cmdline_has(h->cmdline, c))
				add_drift(s, "cmdline", "passthru-setup install, then reboot",
					  "the running kernel's command line carries %s, which undoes "
					  "passthru's arguments (%s)", c, m->args);
		}
	}
}

/* The command line each boot configuration gives the next boot, from its files as they are
 * now: a hand edit or a later drop-in may have taken an argument out since install. */
static void check_next_boot(struct status *s, const struct fsroot *fr, const struct opts *o,
			    const struct manifest *m)
{
	struct klines k = { 0 };
	size_t i;

	if (m->args[0] && bootcfg_effective_now(fr, o, &k) == 0) {
		for (i = 0; i < k.n; i++) {
			char args[sizeof(m->args)], *w, *save = NULL;

			strscpy(args, m->args, sizeof(args));
			for (w = strtok_r(args, " \t\n", &save); w;
			     w = strtok_r(NULL, " \t\n", &save))
				if (!cmdline_has(k.v[i].line ? k.v[i].line : "", w))
					add_drift(s, "cmdline", "passthru-setup install",
						  "the next boot's command line from %s lacks %s "
						  "(changed since install: a hand edit or a later "
						  "setting): %s", k.v[i].label, w,
						  k.v[i].line ? k.v[i].line : "");
			for (size_t j = 0; j < ARRAY_SIZE(contradictions); j++) {
				const char *a = contradictions[j].added;

				if (a[0] && !strstr(m->args, a))
					continue;
				for (size_t c = 0; contradictions[j].contra[c]; c++)
					if (cmdline_has(k.v[i].line ? k.v[i].line : "",
							contradictions[j].contra[c]))
						add_drift(s, "cmdline", "passthru-setup install",
							  "the next boot's command line from %s "
							  "carries %s, which undoes passthru's "
							  "arguments: %s", k.v[i].label,
							  contradictions[j].contra[c], k.v[i].line);
			}
		}
	}
	klines_free(&k);
}

static void check_devices(struct status *s, const struct hostview *h, const struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		const struct manifest_device *md = &m->devices[i];
		pci_addr_t a;
		const struct pdev *d;
		char id[10];

		if (addr_parse(md->addr, &a) < 0)
			continue;
		d = model_find(&h->m, a);
		if (!d) {
			add_drift(s, "device", "check /etc/passthru.conf, then passthru-setup install",
				  "%s was %s at install; there is no device at that address now (a "
				  "moved card)", md->addr, md->id);
			continue;
		}
		snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
		if (strcmp(id, md->id))
			add_drift(s, "device", "check /etc/passthru.conf, then passthru-setup install",
				  "%s was %s at install and is %s now (a moved or swapped card)",
				  md->addr, md->id, id);
	}
}

struct kernels {
	char name[32][128];
	size_t n;
};

static int each_kernel(const char *name, void *ud)
{
	struct kernels *k = ud;

	if (k->n < ARRAY_SIZE(k->name) && strscpy(k->name[k->n], name, sizeof(k->name[0])) == 0)
		k->n++;
	return 0;
}

/*
 * Each kernel under /lib/modules whose image the host's generator can list and that lacks
 * passthru-claim (a kernel installed while passthru was not enabled, a failed rebuild). Of the
 * images that hold it: while a trial is pending, those without its mark (/etc/passthru.trial:
 * they claim on every boot, not only the trial's; noted in s->trial.unmarked); with no trial
 * pending, those that still hold the mark (a confirm or uninstall whose rebuild did not run:
 * they claim on no boot but one with rd.passthru.trial=1).
 */
static void check_initramfs(struct status *s, const struct hostview *h, const struct fsroot *fr,
			    const struct manifest *m)
{
	struct kernels k = { .n = 0 };
	char running[128] = "", cmd[80] = "";
	const struct initramfs_gen *g;
	size_t i;

	root_read(&h->r, "proc/sys/kernel/osrelease", running, sizeof(running));
	g = initramfs_find(fr, m->initramfs[0] ? m->initramfs : NULL, running[0] ? running : NULL);
	if (!g || !g->image_has)
		return;
	for (i = 0; g->rebuild_argv[i]; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i ? " " : "",
			 g->rebuild_argv[i]);
	root_each(&h->r, "lib/modules", each_kernel, &k);
	for (i = 0; i < k.n; i++) {
		int r = g->image_has(fr, k.name[i], IMAGE_CLAIM), mark;

		/* no image (a kernel without one), or no lister: nothing to tell */
		if (r == 0)
			add_drift(s, "initramfs", "passthru-setup install, then reboot",
				  "the initramfs of kernel %s does not hold passthru-claim (listed "
				  "with %s's tools): that kernel boots without passthru", k.name[i],
				  g->name);
		if (r != 1)
			continue;
		mark = g->image_has(fr, k.name[i], IMAGE_TRIAL_MARK);
		if (mark == 0 && m->trial[0]) {
			size_t n = strlen(s->trial.unmarked);

			snprintf(s->trial.unmarked + n, sizeof(s->trial.unmarked) - n, "%s%s",
				 n ? ", " : "", k.name[i]);
		} else if (mark == 1 && !m->trial[0]) {
			add_drift(s, "initramfs", "passthru-setup install, then reboot",
				  "the initramfs of kernel %s still holds the mark of a trial "
				  "(/etc/passthru.trial), though none is pending: with it, "
				  "passthru-claim claims nothing unless the command line has "
				  "rd.passthru.trial=1 (its rebuild, %s, did not run)", k.name[i],
				  cmd);
		}
	}
}

/*
 * While a trial is pending, a plain install confirms it untried: every fix that runs install
 * runs install --trial instead (it re-arms the trial with what changed).
 */
static void trial_fixes(struct status *s)
{
	static const char cmd[] = "passthru-setup install";
	size_t i;

	for (i = 0; s->trial.pending && i < s->ndrift; i++) {
		char *p = strstr(s->drift[i].fix, cmd), rest[sizeof(s->drift[i].fix)];

		if (!p || !strncmp(p + strlen(cmd), " --trial", 8))
			continue;
		p += strlen(cmd);
		strscpy(rest, p, sizeof(rest));
		snprintf(p, sizeof(s->drift[i].fix) - (size_t)(p - s->drift[i].fix), " --trial%s",
			 rest);
	}
}

/* What status says about a pending install --trial, from the install record, the running
 * command line (the marker) and the images' marks (check_initramfs). */
static void check_trial(struct status *s, const struct hostview *h, const struct manifest *m)
{
	struct trial *t = &s->trial;
	struct cmdline cl = { 0 };
	struct config c;
	struct errlist errs = { 0 };
	size_t n;

	t->pending = m->trial[0] != '\0';
	if (!t->pending)
		return;
	config_init(&c);
	if (cmdline_parse(h->cmdline ? h->cmdline : "", &cl, &c, &errs) == 0)
		t->this_boot = cl.trial;
	config_free(&c);
	errlist_free(&errs);
	if (t->this_boot)
		snprintf(t->message, sizeof(t->message), "this is the trial boot of passthru-setup "
			 "install --trial (rd.passthru.trial=1): once status is ready, passthru-setup "
			 "confirm (run by passthru-confirm.service) makes it permanent; until then "
			 "a boot without the marker claims nothing");
	else
		snprintf(t->message, sizeof(t->message), "a trial (passthru-setup install --trial) "
			 "is pending and this boot is not the trial boot (no rd.passthru.trial=1): "
			 "passthru-claim claims nothing on it, by design; the trial boot is the "
			 "'passthru trial' entry, which install --trial chooses for the next boot "
			 "only (run it again to choose it again); passthru-setup uninstall drops the "
			 "trial");
	if (t->unmarked[0]) {
		n = strlen(t->message);
		snprintf(t->message + n, sizeof(t->message) - n, "; but the initramfs of kernel "
			 "%s holds passthru-claim without the trial's mark (/etc/passthru.trial): "
			 "it claims on every boot, not only the trial's (rebuild the images; if "
			 "the mark is still missing, the generator's passthru hook is older than "
			 "--trial)", t->unmarked);
		if (!t->this_boot)
			add_drift(s, "initramfs", "passthru-setup install --trial (it rebuilds "
				  "the images), then reboot", "a trial is pending, but the initramfs "
				  "of kernel %s holds passthru-claim without its mark "
				  "(/etc/passthru.trial): it claims on every boot, not only the "
				  "trial's", t->unmarked);
	}
}

static void check_config(struct status *s, const char *boot, const char *conf, size_t conflen)
{
	char want[SHA256_HEX_LEN], now[SHA256_HEX_LEN];
	int r = boot_config_sha(boot, want);

	if (r < 0)
		return;
	if (conf)
		sha256_hex(conf, conflen, now);
	if (r == 0 && conf)
		add_drift(s, "config", "passthru-setup install, then reboot",
			  "this boot ran without a config, but %s exists now: the initramfs holds "
			  "no config or an older one", PASSTHRU_CONF);
	else if (r == 1 && !conf)
		add_drift(s, "config", "passthru-setup install, then reboot",
			  "this boot read a config (sha256 %.12s...), but %s is gone now",
			  want, PASSTHRU_CONF);
	else if (r == 1 && strcmp(want, now))
		add_drift(s, "config", "passthru-setup install, then reboot",
			  "%s changed since the initramfs was built (this boot read sha256 "
			  "%.12s..., the file is %.12s... now): the initramfs holds the old "
			  "config, and the next boot would use it",
			  PASSTHRU_CONF, want, now);
}

/*
 * A file of the host view, only when it is a regular file: O_NONBLOCK, so that a FIFO with no
 * writer in its place cannot hang status. -EINVAL for a FIFO, a directory or a device.
 */
static int read_regular(const struct root *r, const char *rel, char **ret, size_t *ret_len)
{
	struct stat st;
	int fd = root_openat(r, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY), err;

	*ret = NULL;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else
		err = slurp_fd(fd, ret, ret_len);
	close(fd);
	return err;
}

static void judge(const struct hostview *h, const struct config *c, const struct plan *p,
		  bool config_ok, bool booted, bool readable, struct status *s)
{
	size_t i;
	const char *want = h->v.active ? c->driver : "pci-stub";

	s->ready = false;
	if (!config_ok) {
		snprintf(s->message, sizeof(s->message), "config error in %s: fix it (each error "
			 "names its line; passthru-setup plan lists them too), then run "
			 "passthru-setup install", PASSTHRU_CONF);
		return;
	}
	/* a boot that is not the trial's claims nothing, and lacks the trial's arguments */
	if (s->trial.pending && !s->trial.this_boot) {
		snprintf(s->message, sizeof(s->message), "not ready: %s", s->trial.message);
		return;
	}
	/* the IOMMU first: without it list cannot show the groups a device is chosen by */
	if (!h->v.active) {
		snprintf(s->message, sizeof(s->message), "IOMMU not active: %s%s", h->v.reason,
			 c->nsel ? "" : "; once it is, passthru-setup list shows the groups: add "
			 "'device = ...' to " PASSTHRU_CONF " and run passthru-setup install");
		return;
	}
	if (!c->nsel) {
		snprintf(s->message, sizeof(s->message), "no device is configured in %s: add "
			 "'device = ...' (passthru-setup list shows the candidates) and run "
			 "passthru-setup install", PASSTHRU_CONF);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);
		char line[1600];

		if (e->role == ROLE_BRIDGE || (e->role == ROLE_OTHER && !e->bind))
			continue;
		if (e->state == STATE_ABSENT || e->state == STATE_REFUSED) {
			size_t more = 0, k;

			/* the text table has no reasons: say where the others' are */
			for (k = i + 1; k < p->n; k++)
				more += p->e[k].role == ROLE_SELECTED &&
					(p->e[k].state == STATE_ABSENT ||
					 p->e[k].state == STATE_REFUSED);
			hostview_entry_line(&h->m, c, e, line, sizeof(line));
			if (more)
				snprintf(s->message, sizeof(s->message), "%s; %zu more selected "
					 "device%s will not be claimed either: passthru-setup plan "
					 "gives each reason", line, more, more == 1 ? "" : "s");
			else
				snprintf(s->message, sizeof(s->message), "%s", line);
			return;
		}
		if (!d || strcmp(d->driver, want)) {
			snprintf(s->message, sizeof(s->message), "%s is on %s, not %s: %s",
				 d ? d->name : "a configured device",
				 d && d->driver[0] ? d->driver : "no driver", want, readable ?
				 "the boot's /run/passthru/status.json says why, and "
				 "'journalctl -b | grep passthru:' shows each step" : booted ?
				 "the boot's /run/passthru/status.json is damaged; "
				 "'journalctl -b | grep passthru:' shows each step" :
				 "passthru-claim did not run this boot: run passthru-setup install "
				 "(it puts passthru in the initramfs) and reboot");
			return;
		}
	}
	if (s->ndrift) {
		snprintf(s->message, sizeof(s->message), "every configured device is on %s, but "
			 "%zu thing%s drifted since install (each drift names its fix): %s", want, s->ndrift,
			 s->ndrift == 1 ? "" : "s", s->drift[0].fix);
		return;
	}
	s->ready = true;
	snprintf(s->message, sizeof(s->message), "ready: every configured device is on %s%s", want,
		 s->trial.this_boot ? "; the trial boot: passthru-setup confirm makes it permanent" :
		 "");
}

/* The plan's entries with each device's live driver and what it is now. */
static void live_plan(const struct hostview *h, const struct config *c, struct plan *p)
{
	const char *want = h->v.active ? c->driver : "pci-stub";
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct plan_entry *e = &p->e[i];
		const struct pdev *d = e->addr == ADDR_NONE ? NULL : model_find(&h->m, e->addr);
		char why[1024];

		hostview_reason(&h->m, c, e, why, sizeof(why));
		strscpy(e->reason, why, sizeof(e->reason));
		strscpy(e->driver, d ? d->driver : "", sizeof(e->driver));
		if (!d || e->state != STATE_PLANNED || !e->bind)
			continue;
		if (!strcmp(d->driver, want)) {
			e->state = STATE_CLAIMED;
		} else {
			/* not claimed now; the plan is what the next boot would do */
			snprintf(e->reason, sizeof(e->reason), "on %s now, not %s; the next boot "
				 "would claim it", d->driver[0] ? d->driver : "no driver", want);
		}
	}
}

int cmd_status(struct opts *o)
{
	struct hostview h;
	struct config c;
	struct errlist errs = { 0 };
	struct plan p = { 0 };
	struct status *s;
	struct sbuf out = { 0 };
	struct fsroot fr;
	struct manifest man = { 0 };
	char *boot = NULL, *conf = NULL;
	size_t conflen = 0, config_errors, i;
	bool booted;
	int r, ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return 1;
	if (hostview_open(&h, o->sysroot) < 0) {
		if (o->json)
			printf("{\n  \"version\": 1,\n  \"iommu\": null,\n  \"devices\": [],\n"
			       "  \"errors\": [\"cannot read the host view under --sysroot\"],\n"
			       "  \"ready\": false,\n  \"message\": \"cannot read the host view\",\n"
			       "  \"drift\": [],\n  \"boot\": null\n}\n");
		free(s);
		return 1;
	}
	config_init(&c);
	r = config_load(&c, &h.r, NULL, &errs);
	config_errors = errs.n;
	if (r != -ENOENT && !errs.n && hostview_plan(&h, &c, &p) < 0)
		errlist_add(&errs, "out of memory while planning");
	r = read_regular(&h.r, BOOT_STATUS, &boot, NULL);
	booted = r != -ENOENT;
	if (r == -EINVAL)
		errlist_add(&errs, "/%s is not a regular file: ignored", BOOT_STATUS);
	else if (r < 0 && booted)
		errlist_add(&errs, "/%s: cannot read: %s", BOOT_STATUS, strerror(-r));
	if (boot && (!json_valid(boot) || *skip_ws(boot) != '{')) {
		/* passthru-claim writes one object; [] or "x" is not the boot's report */
		errlist_add(&errs, "/%s is not valid JSON (or not an object): ignored",
			    BOOT_STATUS);
		free(boot);
		boot = NULL;
	}
	if (read_regular(&h.r, PASSTHRU_CONF, &conf, &conflen) < 0)
		conf = NULL;
	check_config(s, boot, conf, conflen);
	if (fsroot_open(&fr, o->sysroot) == 0) {
		if (manifest_read(&fr, &man) < 0)
			errlist_add(&errs, "%s: cannot read the install record", MANIFEST_PATH);
		if (man.exists) {
			check_cmdline(s, &h, &man);
			check_next_boot(s, &fr, o, &man);
			check_initramfs(s, &h, &fr, &man);
			check_devices(s, &h, &man);
			check_trial(s, &h, &man);
			trial_fixes(s);
		}
		fsroot_close(&fr);
	}
	judge(&h, &c, &p, config_errors == 0, booted, boot != NULL, s);
	live_plan(&h, &c, &p);

	if (o->json) {
		struct report rep = { .iommu = &h.v, .errors = &errs, .plan = &p };

		report_json(&out, &rep);
		/* the status document's fields, then status's own */
		while (out.len && (out.s[out.len - 1] == '\n' || out.s[out.len - 1] == '}'))
			out.s[--out.len] = '\0';
		sbuf_addf(&out, ",\n  \"ready\": %s,\n  \"message\": ", s->ready ? "true" : "false");
		json_str(&out, s->message);
		sbuf_add(&out, ",\n  \"drift\": [");
		for (i = 0; i < s->ndrift; i++) {
			sbuf_addf(&out, "%s\n    {\"what\": \"%s\", \"message\": ", i ? "," : "",
				  s->drift[i].what);
			json_str(&out, s->drift[i].message);
			sbuf_add(&out, ", \"fix\": ");
			json_str(&out, s->drift[i].fix);
			sbuf_add(&out, "}");
		}
		sbuf_add(&out, s->ndrift ? "\n  ],\n  \"trial\": " : "],\n  \"trial\": ");
		if (s->trial.pending) {
			char *k, *save = NULL, kernels[sizeof(s->trial.unmarked)];

			sbuf_addf(&out, "{\"this_boot\": %s, \"unmarked_images\": [",
				  s->trial.this_boot ? "true" : "false");
			strscpy(kernels, s->trial.unmarked, sizeof(kernels));
			for (k = strtok_r(kernels, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
				sbuf_add(&out, k == kernels ? "" : ", ");
				json_str(&out, k);
			}
			sbuf_add(&out, "], \"message\": ");
			json_str(&out, s->trial.message);
			sbuf_add(&out, "}");
		} else {
			sbuf_add(&out, "null");
		}
		sbuf_add(&out, ",\n  \"boot\": ");
		if (boot) {
			rstrip(boot);
			sbuf_add(&out, boot);
		} else {
			sbuf_add(&out, "null");
		}
		sbuf_add(&out, "\n}\n");
	} else {
		report_iommu_human(&out, &h.v, &errs);
		sbuf_addf(&out, "boot: %s\n", boot ? "passthru-claim ran this boot; its "
			  "/run/passthru/status.json:" : booted ? "/run/passthru/status.json is "
			  "there but not a readable JSON file (passthru-claim ran, its report is "
			  "damaged)" :
			  "no /run/passthru/status.json: passthru-claim did not run this boot");
		if (boot) {
			char *line, *save = NULL;

			for (line = strtok_r(boot, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				sbuf_addf(&out, "  | %s\n", line);
		}
		if (p.n)
			sbuf_addf(&out, "%-13s %-10s %-10s %-10s %s\n", "DEVICE", "ID", "ROLE",
				  "STATE", "DRIVER NOW");
		for (i = 0; i < p.n; i++) {
			const struct plan_entry *e = &p.e[i];
			char a[ADDR_LEN];

			if (e->addr == ADDR_NONE) {
				sbuf_addf(&out, "not found: %s\n", e->reason);
				continue;
			}
			addr_format(e->addr, a);
			if (e->state == STATE_ABSENT) {
				sbuf_addf(&out, "%s not found: %s\n", a, e->reason);
				continue;
			}
			sbuf_addf(&out, "%-13s %04x:%04x  %-10s %-10s %s\n", a, e->vendor,
				  e->device, role_name(e->role), state_name(e->state),
				  e->driver[0] ? e->driver : "none");
		}
		for (i = 0; i < s->ndrift; i++)
			sbuf_addf(&out, "drift: %s\n  fix: %s\n", s->drift[i].message,
				  s->drift[i].fix);
		if (s->trial.pending && (s->trial.this_boot || s->trial.unmarked[0]))
			sbuf_addf(&out, "trial: %s\n", s->trial.message);
		sbuf_addf(&out, "%s\n", s->message);
	}
	fputs(out.s ? out.s : "", stdout);
	ret = s->ready ? 0 : 1;
	sbuf_free(&out);
	free(boot);
	free(conf);
	free(s);
	plan_free(&p);
	config_free(&c);
	errlist_free(&errs);
	manifest_free(&man);
	hostview_close(&h);
	return ret;
}
