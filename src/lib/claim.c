/* SPDX-License-Identifier: GPL-2.0-or-later */
/* claim.c: carry out a plan, one whole unit at a time: overrides, unbind, probe, verify. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

#define LOG(...) do { if (o->log) o->log(o->ud, __VA_ARGS__); } while (0)

/* Say what is about to be written, so that a watchdog can tell where the kernel blocked. */
static void step(const struct claim_ops *o, size_t idx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void step(const struct claim_ops *o, size_t idx, const char *fmt, ...)
{
	char what[CLAIM_STEP_LEN];
	va_list ap;

	if (!o->step)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	o->step(o->ud, idx, what);
}

static void current_driver(const struct root *r, const char *name, char *cur, size_t size)
{
	char p[256];

	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s/driver", name);
	cur[0] = '\0';
	if (root_readlink_base(r, p, cur, size) < 0)
		cur[0] = '\0';
}

/* What the claimer did to one entry of the unit it is working on. */
struct act {
	bool act;		/* not already on the target: overrides, unbind, probe */
	bool overridden;	/* driver_override written */
	bool moved;		/* unbound from a host driver */
	char was[64];		/* the driver it had */
};

static void set_reason(struct plan_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_reason(struct plan_entry *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	utf8_trim_cut(e->reason, sizeof(e->reason));
}

/*
 * Hand a unit back: clear each override we wrote, take what we bound off the target, and
 * re-probe whatever we moved, so that the host keeps the whole unit. Every entry is failed.
 */
static void give_back(const struct root *r, struct plan *p, struct act *a, size_t *mem,
		      size_t nmem, size_t bad, const struct claim_ops *o)
{
	char name[ADDR_LEN], line[ADDR_LEN + 2], path[256], cur[64], why[512];
	size_t i;

	addr_format(p->e[bad].addr, name);
	snprintf(why, sizeof(why), "%s", p->e[bad].reason);
	LOG("%s: %s; giving its unit back to the host", name, why);
	for (i = 0; i < nmem; i++) {
		struct plan_entry *e = &p->e[mem[i]];
		struct act *x = &a[i];
		bool reprobe = x->moved;
		int err;

		addr_format(e->addr, name);
		snprintf(line, sizeof(line), "%s\n", name);
		if (x->overridden) {
			snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver_override", name);
			step(o, mem[i], "%s: clearing driver_override", name);
			/* "\n" is how the kernel's driver_set_override() takes "none" */
			err = root_write(r, path, "\n");
			if (err < 0)
				LOG("%s: cannot clear driver_override: %s", name, strerror(-err));
		}
		current_driver(r, name, cur, sizeof(cur));
		if (x->act && *cur && !strcmp(cur, e->driver)) {
			snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver/unbind", name);
			step(o, mem[i], "%s: unbinding from %s to give it back", name, cur);
			err = root_write(r, path, line);
			if (err < 0)
				LOG("%s: cannot unbind %s: %s", name, cur, strerror(-err));
			reprobe = true;
		}
		if (reprobe) {
			step(o, mem[i], "%s: re-probing after giving it back", name);
			err = root_write(r, "sys/bus/pci/drivers_probe", line);
			if (err < 0)
				LOG("%s: drivers_probe: %s", name, strerror(-err));
		}
		current_driver(r, name, e->driver, sizeof(e->driver));
		if (x->overridden || reprobe)
			LOG("%s: given back (%s%s%s): now %s%s", name,
			    x->overridden ? "driver_override cleared" : "",
			    x->overridden && reprobe ? ", " : "", reprobe ? "re-probed" : "",
			    *e->driver ? "on " : "without a driver", e->driver);
		e->state = STATE_FAILED;
		if (mem[i] != bad) {
			char b[ADDR_LEN];

			addr_format(p->e[bad].addr, b);
			set_reason(e, "given back with its unit: %s: %s", b, why);
		}
	}
	p->e[bad].state = STATE_FAILED;
}

/* Re-read the driver link: only that proves a claim. */
static bool bound_to(const struct root *r, const char *name, const char *driver, char *cur,
		     size_t size)
{
	current_driver(r, name, cur, size);
	return !strcmp(cur, driver);
}

/* After drivers_probe: bound, or an explicit bind to learn the probe's errno. */
static bool verify(const struct root *r, size_t idx, struct plan_entry *e,
		   const struct claim_ops *o)
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
		step(o, idx, "%s: binding to %s", name, e->driver);
		err = root_write(r, p, line);
		ok = bound_to(r, name, e->driver, cur, sizeof(cur));
	}
	if (ok)
		return true;
	if (err < 0)
		set_reason(e, "%s refused the device: %s", e->driver, strerror(-err));
	else
		set_reason(e, "after probing, the device is %s%s, not on %s",
			   *cur ? "on " : "without a driver", cur, e->driver);
	return false;
}

/* Every driver_override of the unit first: once anything is unbound, only the target may
 * bind. Returns the index in mem of the device that failed, or nmem. */
static size_t write_overrides(const struct root *r, struct plan *p, struct act *a,
			      const size_t *mem, size_t nmem, const struct claim_ops *o)
{
	char name[ADDR_LEN], path[256];
	size_t i;
	int err;

	for (i = 0; i < nmem; i++) {
		struct plan_entry *e = &p->e[mem[i]];

		addr_format(e->addr, name);
		if (bound_to(r, name, e->driver, a[i].was, sizeof(a[i].was))) {
			LOG("%s: already bound to %s", name, e->driver);
			continue;
		}
		a[i].act = true;
		snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver_override", name);
		step(o, mem[i], "%s: writing driver_override", name);
		err = root_write(r, path, e->driver);
		if (err < 0) {
			set_reason(e, "cannot write driver_override: %s", strerror(-err));
			return i;
		}
		a[i].overridden = true;
		LOG("%s: driver_override = %s", name, e->driver);
	}
	return nmem;
}

/* Unbind each device of the unit from its host driver. Returns the failing index, or nmem. */
static size_t unbind_all(const struct root *r, struct plan *p, struct act *a,
			 const size_t *mem, size_t nmem, const struct claim_ops *o)
{
	char name[ADDR_LEN], path[256], line[ADDR_LEN + 2];
	size_t i;
	int err;

	for (i = 0; i < nmem; i++) {
		struct plan_entry *e = &p->e[mem[i]];

		if (!a[i].act || !*a[i].was)
			continue;
		addr_format(e->addr, name);
		snprintf(line, sizeof(line), "%s\n", name);
		snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/driver/unbind", name);
		step(o, mem[i], "%s: unbinding from %s", name, a[i].was);
		err = root_write(r, path, line);
		if (err < 0) {
			set_reason(e, "cannot unbind %s: %s", a[i].was, strerror(-err));
			return i;
		}
		a[i].moved = true;
		LOG("%s: unbound from %s", name, a[i].was);
	}
	return nmem;
}

/* Ask the kernel to probe each device the unit moves (the override picks the driver). */
static void probe_all(const struct root *r, struct plan *p, const struct act *a,
		      const size_t *mem, size_t nmem, const struct claim_ops *o)
{
	char name[ADDR_LEN], line[ADDR_LEN + 2];
	size_t i;
	int err;

	for (i = 0; i < nmem; i++) {
		if (!a[i].act)
			continue;
		addr_format(p->e[mem[i]].addr, name);
		snprintf(line, sizeof(line), "%s\n", name);
		step(o, mem[i], "%s: probing", name);
		err = root_write(r, "sys/bus/pci/drivers_probe", line);
		if (err < 0)
			LOG("%s: drivers_probe: %s", name, strerror(-err));
	}
}

/* One unit (the entries mem[0..nmem) of p): whole, or given back. Returns the index in p of
 * the entry that failed it (its reason says why), or CLAIM_NO_ENTRY when it was claimed. */
static size_t try_unit(const struct root *r, struct plan *p, size_t *mem, size_t nmem,
		       const struct claim_ops *o, double *verify_ms)
{
	char name[ADDR_LEN];
	struct act *a = calloc(nmem, sizeof(*a));
	size_t i;
	double t;

	if (!a) {
		for (i = 0; i < nmem; i++) {
			p->e[mem[i]].state = STATE_FAILED;
			set_reason(&p->e[mem[i]], "out of memory; nothing written");
		}
		return mem[0];
	}
	i = write_overrides(r, p, a, mem, nmem, o);
	if (i < nmem)
		goto give_back;
	i = unbind_all(r, p, a, mem, nmem, o);
	if (i < nmem)
		goto give_back;
	probe_all(r, p, a, mem, nmem, o);
	t = now_ms();
	for (i = 0; i < nmem; i++) {
		struct plan_entry *e = &p->e[mem[i]];

		if (!verify(r, mem[i], e, o)) {
			*verify_ms += now_ms() - t;
			goto give_back;
		}
	}
	*verify_ms += now_ms() - t;
	for (i = 0; i < nmem; i++) {
		p->e[mem[i]].state = STATE_CLAIMED;
		addr_format(p->e[mem[i]].addr, name);
		LOG("%s: claimed by %s", name, p->e[mem[i]].driver);
	}
	free(a);
	return CLAIM_NO_ENTRY;
give_back:
	give_back(r, p, a, mem, nmem, mem[i], o);
	free(a);
	return mem[i];
}

/* An entry bound for its vfio variant driver (not for vfio-pci after a failed variant). */
static bool on_variant(const struct plan_entry *e)
{
	return e->variant[0] && !e->variant_error[0] && !strcmp(e->driver, e->variant);
}

/*
 * The unit failed with a variant driver in it and was given back: every entry goes for
 * vfio-pci now, and each variant entry keeps why its variant failed. false when vfio-pci
 * cannot be loaded (the unit stays failed).
 */
static bool fall_back(const struct root *r, struct plan *p, const size_t *mem, size_t nmem,
		      size_t bad, const struct claim_ops *o)
{
	char why[ADDR_LEN + 520], err[256] = "", name[ADDR_LEN];
	size_t i;

	addr_format(p->e[bad].addr, name);
	snprintf(why, sizeof(why), "%s: %s", name, p->e[bad].reason);
	utf8_trim_cut(why, sizeof(why));
	step(o, CLAIM_NO_ENTRY, "loading vfio-pci");
	if (modload(r, "vfio-pci", err, sizeof(err)) < 0) {
		LOG("cannot load vfio-pci to fall back to: %s", err);
		return false;
	}
	for (i = 0; i < nmem; i++) {
		struct plan_entry *e = &p->e[mem[i]];

		if (e->variant[0] && !e->variant_error[0]) {
			addr_format(e->addr, name);
			strscpy(e->variant_error, why, sizeof(e->variant_error));
			utf8_trim_cut(e->variant_error, sizeof(e->variant_error));
			LOG("%s: variant %s did not bind (%s); trying vfio-pci", name, e->variant,
			    why);
		}
		strscpy(e->driver, "vfio-pci", sizeof(e->driver));
		e->state = STATE_PLANNED;
		e->reason[0] = '\0';
	}
	return true;
}

/* One unit: whole, or given back; a unit whose variant driver does not bind is given back
 * and claimed again with vfio-pci (the give-back rules hold for both attempts). */
static void claim_unit(const struct root *r, struct plan *p, size_t *mem, size_t nmem,
		       const struct claim_ops *o, double *verify_ms)
{
	size_t bad, i;

	/* give_back leaves each entry's driver the one it has after */
	for (i = 0; i < nmem && !on_variant(&p->e[mem[i]]); i++)
		;
	bad = try_unit(r, p, mem, nmem, o, verify_ms);
	if (bad != CLAIM_NO_ENTRY && i < nmem && fall_back(r, p, mem, nmem, bad, o))
		try_unit(r, p, mem, nmem, o, verify_ms);
}

/* Load a variant driver for the entries bound for it; when it does not load they go for
 * vfio-pci, with why. */
static void load_variants(const struct root *r, struct plan *p, const struct claim_ops *o)
{
	char err[160];
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		struct plan_entry *e = &p->e[i];

		if (!e->bind || !on_variant(e))
			continue;
		for (j = 0; j < i && !(p->e[j].bind && on_variant(&p->e[j]) &&
				       !strcmp(p->e[j].variant, e->variant)); j++)
			;
		if (j < i)
			continue;	/* loaded with an earlier entry */
		step(o, CLAIM_NO_ENTRY, "loading %s", e->variant);
		err[0] = '\0';
		if (modload(r, e->variant, err, sizeof(err)) == 0) {
			LOG("%s (vfio variant driver) is loaded", e->variant);
			continue;
		}
		LOG("cannot load %s: %s; its devices go to vfio-pci", e->variant, err);
		for (j = i; j < p->n; j++)
			if (p->e[j].bind && on_variant(&p->e[j]) &&
			    !strcmp(p->e[j].variant, e->variant)) {
				snprintf(p->e[j].variant_error, sizeof(p->e[j].variant_error),
					 "cannot load %s: %s", e->variant, err);
				strscpy(p->e[j].driver, "vfio-pci", sizeof(p->e[j].driver));
			}
	}
}

/* Load each target driver of the plan once, before anything is written; a driver that does
 * not load gives every entry bound for it the reason. */
static void load_drivers(const struct root *r, struct plan *p, const struct claim_ops *o)
{
	char err[256] = "", drivers[2][16] = { "", "" };
	size_t i;
	int k;

	load_variants(r, p, o);
	for (i = 0; i < p->n; i++) {
		if (!p->e[i].bind || on_variant(&p->e[i]))
			continue;
		for (k = 0; k < 2 && drivers[k][0] && strcmp(drivers[k], p->e[i].driver); k++)
			;
		if (k < 2 && !drivers[k][0])
			strscpy(drivers[k], p->e[i].driver, sizeof(drivers[k]));
	}
	for (k = 0; k < 2 && drivers[k][0]; k++) {
		step(o, CLAIM_NO_ENTRY, "loading %s", drivers[k]);
		if (modload(r, drivers[k], err, sizeof(err)) < 0) {
			LOG("cannot load %s: %s", drivers[k], err);
			for (i = 0; i < p->n; i++)
				if (p->e[i].bind && !strcmp(p->e[i].driver, drivers[k]))
					set_reason(&p->e[i], "cannot load %s: %s", drivers[k], err);
		} else {
			LOG("%s is loaded", drivers[k]);
		}
	}
}

int claim_run(const struct root *r, struct plan *p, const struct claim_ops *o,
	      struct claim_timing *t)
{
	double t0 = now_ms(), t1, verify_ms = 0;
	_cleanup_free_ size_t *mem = malloc((p->n + 1) * sizeof(*mem));
	bool *done = calloc(p->n + 1, 1);
	size_t i, j, nmem;
	bool stop = false;

	if (!mem || !done) {
		free(done);
		return -ENOMEM;
	}
	load_drivers(r, p, o);
	t1 = now_ms();
	/* a unit whose driver did not load fails whole, before anything is written */
	for (i = 0; i < p->n; i++) {
		if (!p->e[i].bind || done[i])
			continue;
		for (nmem = 0, j = i; j < p->n; j++)
			if (p->e[j].bind && p->e[j].unit == p->e[i].unit) {
				mem[nmem++] = j;
				done[j] = true;
			}
		if (!stop) {
			char a[ADDR_LEN];

			addr_format(p->e[i].addr, a);
			step(o, i, "%s: starting its unit", a);
			/* the watchdog may have given up while a driver was loading */
			stop = o->unit_done && !o->unit_done(o->ud, p, mem, 0);
		}
		if (stop) {
			/* boot went on without us: claiming now would race the host's drivers */
			for (j = 0; j < nmem; j++) {
				p->e[mem[j]].state = STATE_FAILED;
				set_reason(&p->e[mem[j]], "not attempted: the watchdog had given up "
					   "waiting for an earlier unit");
			}
			continue;
		}
		for (j = 0; j < nmem && !p->e[mem[j]].reason[0]; j++)
			;
		if (j < nmem) {
			struct act *a = calloc(nmem, sizeof(*a));

			if (!a) {
				free(done);
				return -ENOMEM;
			}
			give_back(r, p, a, mem, nmem, mem[j], o);
			free(a);
		} else {
			claim_unit(r, p, mem, nmem, o, &verify_ms);
		}
		if (o->unit_done && !o->unit_done(o->ud, p, mem, nmem) && !stop) {
			stop = true;
			LOG("the watchdog gave up waiting: no other unit is started");
		}
	}
	free(done);
	if (t) {
		t->load_ms = t1 - t0;
		t->verify_ms = verify_ms;
		t->write_ms = now_ms() - t1 - verify_ms;
	}
	return 0;
}
