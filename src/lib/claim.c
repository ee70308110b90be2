/* claim.c: carry out a plan: load the driver, driver_override, unbind, probe, verify. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "claim.h"
#include "util.h"

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define LOG(...) do { if (logf) logf(ud, __VA_ARGS__); } while (0)

/* A failed entry reports the driver the device really has. */
static void set_current_driver(const struct root *r, struct plan_entry *e)
{
	char name[ADDR_LEN], p[256];

	addr_format(e->addr, name);
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver", name);
	if (root_readlink_base(r, p, e->driver, sizeof(e->driver)) < 0)
		e->driver[0] = '\0';
}

static void fail(const struct root *r, struct plan_entry *e, int err, const char *what)
{
	set_current_driver(r, e);
	e->state = STATE_FAILED;
	snprintf(e->reason, sizeof(e->reason), "%s: %s", what, strerror(-err));
}

/* Re-read the driver link: only that proves a claim. */
static bool bound_to(const struct root *r, const char *name, const char *driver, char *cur,
		     size_t size)
{
	char p[256];

	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver", name);
	cur[0] = '\0';
	root_readlink_base(r, p, cur, size);
	return !strcmp(cur, driver);
}

/* driver_override first, so that nothing but the target can bind once we unbind. */
static int take(const struct root *r, struct plan_entry *e, claim_log_fn logf, void *ud)
{
	char name[ADDR_LEN], p[256], line[ADDR_LEN + 2], cur[64];
	int err;

	addr_format(e->addr, name);
	snprintf(line, sizeof(line), "%s\n", name);
	if (bound_to(r, name, e->driver, cur, sizeof(cur))) {
		LOG("%s: already bound to %s", name, cur);
		return 1;
	}
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver_override", name);
	err = root_write(r, p, e->driver);
	if (err < 0) {
		fail(r, e, err, "cannot write driver_override");
		LOG("%s: cannot write driver_override: %s", name, strerror(-err));
		return err;
	}
	LOG("%s: driver_override = %s", name, e->driver);
	if (*cur) {
		snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver/unbind", name);
		err = root_write(r, p, line);
		if (err < 0) {
			fail(r, e, err, "cannot unbind the current driver");
			LOG("%s: cannot unbind %s: %s", name, cur, strerror(-err));
			return err;
		}
		LOG("%s: unbound from %s", name, cur);
	}
	return 0;
}

static void verify(const struct root *r, struct plan_entry *e, claim_log_fn logf, void *ud)
{
	char name[ADDR_LEN], p[256], cur[64];
	bool ok;
	int err = 0;

	addr_format(e->addr, name);
	ok = bound_to(r, name, e->driver, cur, sizeof(cur));
	/* drivers_probe says nothing; an explicit bind returns the probe's errno */
	snprintf(p, sizeof(p), "sys/bus/pci/drivers/%s/bind", e->driver);
	if (!ok && !*cur && root_exists(r, p)) {
		char line[ADDR_LEN + 2];

		snprintf(line, sizeof(line), "%s\n", name);
		err = root_write(r, p, line);
		ok = bound_to(r, name, e->driver, cur, sizeof(cur));
	}
	if (ok) {
		e->state = STATE_CLAIMED;
		LOG("%s: claimed by %s", name, cur);
		return;
	}
	e->state = STATE_FAILED;
	if (err < 0)
		snprintf(e->reason, sizeof(e->reason), "%s refused the device: %s", e->driver,
			 strerror(-err));
	else
		snprintf(e->reason, sizeof(e->reason), "after probing, the device is %s%s, not on %s",
			 *cur ? "on " : "without a driver", cur, e->driver);
	strscpy(e->driver, cur, sizeof(e->driver));
	LOG("%s: not claimed: %s", name, e->reason);
}

int claim_run(const struct root *r, struct plan *p, claim_log_fn logf, void *ud,
	      struct claim_timing *t)
{
	char err[256] = "", drivers[2][16] = { "", "" };
	double t0 = now_ms(), t1, t2;
	size_t i;
	int k, ret;

	/* load each target driver once, before anything is written */
	for (i = 0; i < p->n; i++) {
		if (!p->e[i].bind)
			continue;
		for (k = 0; k < 2 && drivers[k][0] && strcmp(drivers[k], p->e[i].driver); k++)
			;
		if (k < 2 && !drivers[k][0])
			strscpy(drivers[k], p->e[i].driver, sizeof(drivers[k]));
	}
	for (k = 0; k < 2 && drivers[k][0]; k++) {
		ret = modload(r, drivers[k], err, sizeof(err));
		if (ret < 0) {
			LOG("cannot load %s: %s", drivers[k], err);
			for (i = 0; i < p->n; i++)
				if (p->e[i].bind && !strcmp(p->e[i].driver, drivers[k])) {
					p->e[i].bind = false;
					p->e[i].state = STATE_FAILED;
					snprintf(p->e[i].reason, sizeof(p->e[i].reason),
						 "cannot load %s: %s", drivers[k], err);
					set_current_driver(r, &p->e[i]);
				}
		} else {
			LOG("%s is loaded", drivers[k]);
		}
	}
	t1 = now_ms();
	for (i = 0; i < p->n; i++) {
		struct plan_entry *e = &p->e[i];
		char name[ADDR_LEN + 2];

		if (!e->bind)
			continue;
		ret = take(r, e, logf, ud);
		if (ret != 0) {
			e->bind = ret > 0;	/* already there: verify only */
			if (ret > 0)
				e->state = STATE_PLANNED;
			continue;
		}
		addr_format(e->addr, name);
		strcat(name, "\n");
		ret = root_write(r, "sys/bus/pci/drivers_probe", name);
		if (ret < 0)
			LOG("%.12s: drivers_probe: %s", name, strerror(-ret));
	}
	t2 = now_ms();
	for (i = 0; i < p->n; i++)
		if (p->e[i].state == STATE_PLANNED)
			verify(r, &p->e[i], logf, ud);
	if (t) {
		t->load_ms = t1 - t0;
		t->write_ms = t2 - t1;
		t->verify_ms = now_ms() - t2;
	}
	return 0;
}
