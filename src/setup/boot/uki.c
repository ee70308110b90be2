/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uki.c: the "uki" boot configuration: the arguments where the UKI's builder reads them, its own rebuild, the rebuilt .cmdline read back, and the guard that puts the old UKI back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bootcfg.h"
#include "manifest.h"
#include "uki.h"

#define CMDLINE "/etc/kernel/cmdline"
/* last in name order: dracut sources it after the user's files, its kernel_cmdline wins */
#define DRACUT_DROPIN "/etc/dracut.conf.d/zz-passthru-uki.conf"
#define DROPIN_HEAD \
	"# " DRACUT_DROPIN ": written by passthru-setup install, removed by uninstall:\n" \
	"# the UKI's command line (its .cmdline section): the words the UKI had, and passthru's.\n"
#define UKI_BACKUP_DIR "/var/lib/passthru/uki-backup"

static bool detect(const struct fsroot *fr)
{
	return uki_detect(fr);
}

static int usable(const struct fsroot *fr)
{
	struct txn t = { .root = fr };
	struct uki_host h;
	int r = uki_host_read(&t, &h);

	if (r == 0 && h.builder == UKI_NONE) {
		fprintf(stderr, "passthru-setup: %s in %s, but no builder is set up to make them "
			"(dracut's uefi=yes, a mkinitcpio preset's PRESET_uki=, layout=uki in "
			"/etc/kernel/install.conf): passthru cannot rebuild a UKI with its arguments; "
			"set up the builder that made them, or give the arguments with a systemd "
			".cmdline add-on; nothing was changed\n", h.type2 ?
			"there are UKIs (ESP/EFI/Linux/*.efi)" : "no UKI is built", fr->path);
		r = -ENOENT;
	}
	uki_host_free(&h);
	return r;
}

/* The UKI to take the command line from: the running one when it is among them, else the one
 * whose name sorts last in version order (the newest kernel's). NULL: none exists. */
static const char *current(const struct bootctx *c, char *const *ukis, char *run, size_t size)
{
	const char *best = NULL;

	if (uki_running(c->fr, c->o, run, size) == 1)
		for (size_t i = 0; ukis[i]; i++)
			if (!strcmp(ukis[i], run) && fsroot_exists(c->fr, ukis[i]))
				return ukis[i];
	for (size_t i = 0; ukis[i]; i++)
		if (fsroot_exists(c->fr, ukis[i]) && (!best || strverscmp(ukis[i], best) > 0))
			best = ukis[i];
	return best;
}

/* The words of line (blanks inside double quotes kept) less BOOT_IMAGE= and initrd=: the
 * loader's, never a UKI's own. */
static int words_out(const char *line, char **ret)
{
	struct sbuf b = { 0 };
	const char *p = line;

	sbuf_add(&b, "");
	while (*p) {
		size_t l = 0;
		bool q = false;

		p += strspn(p, " \t\n");
		for (; p[l] && (q || !strchr(" \t\n", p[l])); l++)
			if (p[l] == '"')
				q = !q;
		if (!l)
			break;
		if (strncmp(p, "BOOT_IMAGE=", 11) && strncmp(p, "initrd=", 7))
			sbuf_addf(&b, "%s%.*s", b.len ? " " : "", (int)l, p);
		p += l;
	}
	if (b.err)
		return -ENOMEM;
	*ret = b.s;
	return 0;
}

/* The current UKI's .cmdline, the seed of a command line passthru writes first; said. */
static int seed(const struct bootctx *c, const struct uki_host *h, const char *where, char **ret)
{
	char run[512];
	const char *u = current(c, h->ukis, run, sizeof(run));
	char *line = NULL;
	int r;

	if (!u) {
		fprintf(stderr, "passthru-setup: %s sets no command line, and there is no UKI yet "
			"to take it from (%s builds them from %s); build the UKI once, or write the "
			"command line there yourself; nothing was changed\n", where,
			uki_builder_name(h->builder), where);
		return -ENOENT;
	}
	r = uki_cmdline(c->fr, u, &line);
	if (r < 0) {
		fprintf(stderr, "passthru-setup: %s: cannot read its .cmdline section: %s; nothing "
			"was changed\n", u, r == -EBADMSG ? "not a PE file (truncated or damaged)" :
			r == -ENODATA ? "it has none" : strerror(-r));
		return r;
	}
	r = words_out(line, ret);
	free(line);
	if (r == 0)
		printf("%s: the command line is %s's .cmdline (every word kept), with passthru's "
		       "arguments\n", where, u);
	return r;
}

/* A dracut.conf value in double quotes: ", $, ` and \ escaped. */
static void sh_quote(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"");
	for (; *s; s++)
		sbuf_addf(b, "%s%c", strchr("\"$`\\", *s) ? "\\" : "", *s);
	sbuf_add(b, "\"");
}

/* The value of the drop-in's kernel_cmdline="..." line, unescaped; -EBADMSG none. */
static int dropin_value(const char *text, char **ret, size_t *start, size_t *end)
{
	const char *p = strstr(text, "\nkernel_cmdline=\"");
	struct sbuf b = { 0 };

	if (!p)
		return -EBADMSG;
	p += strlen("\nkernel_cmdline=\"");
	*start = (size_t)(p - text) - strlen("kernel_cmdline=\"");
	sbuf_add(&b, "");
	for (; *p && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p[1])
			p++;
		sbuf_addf(&b, "%c", *p);
	}
	if (*p != '"' || b.err) {
		sbuf_free(&b);
		return -EBADMSG;
	}
	*end = (size_t)(p + 1 - text);
	*ret = b.s;
	return 0;
}

static int stage_dracut(struct bootctx *c, const struct uki_host *h, struct sbuf *dropped,
			struct sbuf *added)
{
	struct sbuf text = { 0 };
	char *base = NULL, *out = NULL;
	int r = 0;

	/* dracut writes .cmdline from kernel_cmdline when it is set, else from the image's
	 * hostonly cmdline.d (root=...): set alone, passthru's words would drop those, so the
	 * value starts from what the UKI has */
	if (h->has_kernel_cmdline && *h->kernel_cmdline)
		base = strdup(h->kernel_cmdline);
	else
		r = seed(c, h, "dracut's kernel_cmdline", &base);
	if (r == 0 && !base)
		r = -ENOMEM;
	if (r == 0)
		r = kargs_apply(base, c->e, &out, dropped, added);
	if (r == -EINVAL)
		fprintf(stderr, "passthru-setup: the UKI's command line has an unbalanced double "
			"quote: an added argument would land inside it; nothing was changed\n");
	if (r == 0) {
		sbuf_add(&text, DROPIN_HEAD "kernel_cmdline=");
		sh_quote(&text, out);
		sbuf_add(&text, "\n");
		r = text.err ? -ENOMEM : manifest_stage(c->t, c->m, DRACUT_DROPIN, text.s, text.len,
							added->s);
	}
	free(base);
	free(out);
	sbuf_free(&text);
	return r;
}

/* mkinitcpio and kernel-install (ukify): /etc/kernel/cmdline, its first line. */
static int stage_cmdline(struct bootctx *c, const struct uki_host *h, struct sbuf *dropped,
			 struct sbuf *added)
{
	char *text = NULL, *out = NULL, *line, *res;
	size_t l;
	int r = txn_read(c->t, CMDLINE, &text, NULL);

	if (r == -ENOENT) {
		char *s = NULL;

		r = seed(c, h, CMDLINE, &s);
		if (r == 0 && asprintf(&text, "%s\n", s) < 0)
			r = -ENOMEM;
		free(s);
	}
	if (r < 0)
		return r;
	l = strcspn(text, "\n");
	line = strndup(text, l);
	r = line ? kargs_apply(line, c->e, &out, dropped, added) : -ENOMEM;
	if (r == -EINVAL)
		fprintf(stderr, "passthru-setup: %s has an unbalanced double quote: an added "
			"argument would land inside it; close it first; nothing was changed\n",
			CMDLINE);
	if (r == 0 && asprintf(&res, "%s%s", out, text + l) < 0)
		r = -ENOMEM;
	if (r == 0) {
		r = manifest_stage(c->t, c->m, CMDLINE, res, strlen(res), added->s);
		free(res);
	}
	free(line);
	free(out);
	free(text);
	return r;
}

/* Secure Boot on and a builder that would not sign: refused before anything changes. */
static int secure_boot(const struct bootctx *c, const struct uki_host *h)
{
	int sb = uki_secure_boot(c->o);
	char args[600] = "";

	for (size_t i = 0; i < c->e->nadd; i++)
		snprintf(args + strlen(args), sizeof(args) - strlen(args), "%s%s", i ? " " : "",
			 c->e->add[i]);
	if (sb == 1 && !h->signs) {
		fprintf(stderr, "passthru-setup: Secure Boot is on (the SecureBoot EFI variable), "
			"and %s does not sign the UKIs it builds: a rebuilt UKI would not boot. To "
			"make it sign: %s. The alternative: a signed systemd .cmdline add-on (a PE "
			"addon under ESP/EFI/Linux/UKI.efi.extra.d/, systemd-stub 254 or later) with "
			"the arguments (%s); passthru-setup does not make one; nothing was changed\n",
			uki_builder_name(h->builder), h->sign_how, args);
		return -EPERM;
	}
	if (sb == 1)
		printf("Secure Boot is on: %s signs the rebuilt UKI with the host's own key: %s\n",
		       uki_builder_name(h->builder), h->signer);
	else if (sb < 0 && opts_foreign_image(c->o))
		printf("Secure Boot: not known for an image of other machines; %s%s\n",
		       h->signs ? "the builder signs the UKI with " : "the builder does not sign "
		       "the UKI: where its hosts boot with Secure Boot, ", h->signs ? h->signer :
		       h->sign_how);
	return 0;
}

static int stage(struct bootctx *c)
{
	struct sbuf added = { 0 }, dropped = { 0 };
	struct uki_host h;
	int r = uki_host_read(c->t, &h);

	if (r == 0 && h.builder == UKI_NONE)
		r = usable(c->fr);
	if (r == 0)
		r = secure_boot(c, &h);
	if (r == 0) {
		printf("UKI: built by %s (%s)\n", uki_builder_name(h.builder), h.why);
		r = h.builder == UKI_DRACUT ? stage_dracut(c, &h, &dropped, &added) :
					      stage_cmdline(c, &h, &dropped, &added);
	}
	if (r == 0 && dropped.s) {
		const char *path = h.builder == UKI_DRACUT ? DRACUT_DROPIN : CMDLINE;

		if (c->dropped)
			sbuf_add_words(c->dropped, dropped.s);
		manifest_add_replaced(c->m, path, dropped.s);
	}
	if (r == 0 && (added.err || dropped.err))
		r = -ENOMEM;
	sbuf_free(&added);
	sbuf_free(&dropped);
	uki_host_free(&h);
	manifest_add_boot(c->m, "uki");
	return r;
}

/* The command line the builder will write, before it runs. */
static int predicted(const struct bootctx *c, const struct uki_host *h, char **ret, char *from,
		     size_t size)
{
	char *text = NULL, run[512];
	const char *u;
	int r;

	if (h->builder == UKI_DRACUT && h->has_kernel_cmdline) {
		snprintf(from, size, "dracut's kernel_cmdline");
		*ret = strdup(h->kernel_cmdline);
		return *ret ? 0 : -ENOMEM;
	}
	if (h->builder != UKI_DRACUT) {
		r = txn_read(c->t, CMDLINE, &text, NULL);
		if (r == 0) {
			text[strcspn(text, "\n")] = '\0';
			snprintf(from, size, "%s", CMDLINE);
			*ret = text;
			return 0;
		}
	}
	/* as it is: the UKI's own */
	u = current(c, h->ukis, run, sizeof(run));
	if (!u)
		return -ENOENT;
	snprintf(from, size, "%s as it is", u);
	return uki_cmdline(c->fr, u, ret);
}

static int effective(const struct bootctx *c, bool done, struct klines *out)
{
	struct uki_host h;
	char label[800], run[512] = "", from[600];
	int r = uki_host_read(c->t, &h);

	if (r < 0)
		return r;
	if (!done) {
		char *line = NULL;

		r = predicted(c, &h, &line, from, sizeof(from));
		snprintf(label, sizeof(label), "the UKI's .cmdline as %s builds it (from %s)",
			 uki_builder_name(h.builder), from);
		if (r == 0)
			r = klines_add(out, label, line);
		else if (r == -ENOENT)
			r = 0;
		free(line);
		uki_host_free(&h);
		return r;
	}
	if (uki_running(c->fr, c->o, run, sizeof(run)) != 1)
		run[0] = '\0';
	for (size_t i = 0; r == 0 && h.ukis[i]; i++) {
		char *line = NULL;
		int e = uki_cmdline(c->fr, h.ukis[i], &line);

		if (e == -ENOENT)
			continue;	/* not built (yet) */
		snprintf(label, sizeof(label), "UKI %s (its .cmdline%s; passthru-setup install "
			 "rebuilds it with %s)", h.ukis[i], strcmp(run, h.ukis[i]) ? "" :
			 ", the running UKI", uki_builder_name(h.builder));
		r = klines_add(out, label, e == 0 ? line : "");
		if (r == 0 && e < 0 && e != -ENODATA)
			snprintf(out->v[out->n - 1].fix, sizeof(out->v[0].fix), "passthru-setup "
				 "install");
		free(line);
	}
	uki_host_free(&h);
	return r;
}

/* kernel-install add KVER IMAGE: the kernel image of KVER in the root. */
static const char *kimage(const struct fsroot *fr, const char *kver, char *buf, size_t size)
{
	snprintf(buf, size, "/lib/modules/%s/vmlinuz", kver);
	if (fsroot_exists(fr, buf))
		return buf;
	snprintf(buf, size, "/usr/lib/modules/%s/vmlinuz", kver);
	if (fsroot_exists(fr, buf))
		return buf;
	snprintf(buf, size, "/boot/vmlinuz-%s", kver);
	return buf;
}

static int commands(const struct bootctx *c, bool uninstall, struct cmdlist *out)
{
	struct uki_host h;
	char done[8][128];
	size_t nd = 0;
	int r = uki_host_read(c->t, &h);

	(void)uninstall;
	if (r == 0 && h.builder == UKI_MKINITCPIO)
		r = cmdlist_add(out, (const char *const[]){ "mkinitcpio", "-P", NULL });
	for (size_t i = 0; r == 0 && h.builder != UKI_MKINITCPIO && h.ukis[i]; i++) {
		char kver[128], img[300];
		bool seen = false;

		if (!fsroot_exists(c->fr, h.ukis[i]) || uki_kver(c->fr, h.ukis[i], kver,
								 sizeof(kver)) < 0)
			continue;
		if (h.builder == UKI_DRACUT) {
			/* each UKI again at its own path */
			r = cmdlist_add(out, (const char *const[]){ "dracut", "-f", "--uefi",
								   h.ukis[i], kver, NULL });
			continue;
		}
		for (size_t j = 0; j < nd; j++)
			seen |= !strcmp(done[j], kver);
		if (seen || nd == 8)
			continue;
		snprintf(done[nd++], sizeof(done[0]), "%s", kver);
		r = cmdlist_add(out, (const char *const[]){ "kernel-install", "add", kver,
							   kimage(c->fr, kver, img, sizeof(img)),
							   NULL });
	}
	if (r == 0 && !out->n && h.builder == UKI_DRACUT)
		r = cmdlist_add(out, (const char *const[]){ "dracut", "-f", "--regenerate-all",
							   NULL });
	uki_host_free(&h);
	return r;
}

/* Uninstall, the drop-in changed since install: passthru's words out of its value. */
static int unedit(const struct manifest_entry *me, const char *text, char **ret)
{
	char *val = NULL, *out = NULL;
	size_t s = 0, e = 0;
	struct sbuf b = { 0 };
	int r;

	if (strcmp(me->path, DRACUT_DROPIN))
		return -ENOENT;
	r = dropin_value(text, &val, &s, &e);
	if (r == 0)
		r = kargs_remove(val, me->added, &out);
	if (r == 0 && me->replaced[0]) {
		struct kargs_edit back = { 0 };
		const char *p = me->replaced;
		char *res = NULL;
		int n;

		while (back.nadd < 8 && sscanf(p, "%63s%n", back.add[back.nadd], &n) == 1) {
			p += n;
			back.nadd++;
		}
		r = kargs_apply(out, &back, &res, NULL, NULL);
		free(out);
		out = res;
	}
	if (r == 0) {
		sbuf_addf(&b, "%.*skernel_cmdline=", (int)s, text);
		sh_quote(&b, out);
		sbuf_add(&b, text + e);
		r = b.err ? -ENOMEM : 0;
		*ret = b.s;
	}
	free(val);
	free(out);
	return r;
}

const struct bootcfg_ops boot_uki = {
	.name = "uki",
	.what = "the UKI's .cmdline (rebuilt by its builder)",
	.detect = detect,
	.usable = usable,
	.stage = stage,
	.effective = effective,
	.commands = commands,
	.unedit = unedit,
	.leftovers = NULL,
};

/* --- the rebuild guard --- */

static char *backup_path(size_t i)
{
	char *p = NULL;

	return asprintf(&p, UKI_BACKUP_DIR "/%zu.efi", i) < 0 ? NULL : p;
}

int uki_guard_begin(const struct bootctx *c, struct uki_guard *g)
{
	struct uki_host h;
	int r = uki_host_read(c->t, &h);

	memset(g, 0, sizeof(*g));
	if (r < 0)
		return r;
	for (size_t n = 0; h.ukis[n]; n++)
		g->n++;
	g->paths = calloc(g->n + 1, sizeof(char *));
	g->old = calloc(g->n + 1, sizeof(char *));
	g->data = calloc(g->n + 1, sizeof(char *));
	g->len = calloc(g->n + 1, sizeof(size_t));
	if (!g->paths || !g->old || !g->data || !g->len)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < g->n; i++) {
		char *bak;

		g->paths[i] = strdup(h.ukis[i]);
		if (!g->paths[i]) {
			r = -ENOMEM;
			break;
		}
		if (fsroot_read(c->fr, h.ukis[i], &g->data[i], &g->len[i]) < 0)
			continue;	/* not there yet: nothing to put back */
		uki_cmdline(c->fr, h.ukis[i], &g->old[i]);
		/* on disk too: a power cut during the rebuild leaves it there to copy back */
		bak = backup_path(i);
		r = bak ? fsroot_replace(c->fr, bak, g->data[i], g->len[i]) : -ENOMEM;
		free(bak);
	}
	uki_host_free(&h);
	if (r < 0)
		fprintf(stderr, "passthru-setup: cannot keep a copy of the UKIs before the rebuild "
			"(in %s): %s\n", UKI_BACKUP_DIR, strerror(-r));
	return r;
}

/* Whether line has word w among the kernel's words. */
static bool has(const char *line, const char *w)
{
	return kargs_has(line ? line : "", w);
}

bool uki_guard_check(const struct bootctx *c, const struct uki_guard *g, const char *removed)
{
	bool ok = true;

	for (size_t i = 0; i < g->n; i++) {
		char *now = NULL, w[512];
		const char *p;
		struct sbuf why = { 0 };
		int n, r = uki_cmdline(c->fr, g->paths[i], &now);

		if (r == -ENOENT && !g->data[i])
			continue;	/* never built, and not now either */
		if (r < 0) {
			fprintf(stderr, "passthru-setup: %s after the rebuild: %s\n", g->paths[i],
				r == -ENOENT ? "gone" : r == -ENODATA ? "no .cmdline section" :
				r == -EBADMSG ? "not a PE file" : strerror(-r));
			ok = false;
			continue;
		}
		/* every word it had, less the contradicting ones and passthru's (uninstall) */
		for (p = g->old[i] ? g->old[i] : ""; sscanf(p, "%511s%n", w, &n) == 1; p += n) {
			bool contra = false;

			for (size_t j = 0; j < c->e->ndrop; j++)
				contra |= !strcmp(w, c->e->drop[j]);
			if (contra || (removed && kargs_has(removed, w)) || !strncmp(w, "BOOT_IMAGE=", 11) ||
			    !strncmp(w, "initrd=", 7) || has(now, w))
				continue;
			sbuf_addf(&why, "%s%s", why.len ? " " : "", w);
		}
		for (size_t j = 0; j < c->e->nadd; j++)
			if (!has(now, c->e->add[j]))
				sbuf_addf(&why, "%s%s", why.len ? " " : "", c->e->add[j]);
		if (why.len) {
			fprintf(stderr, "passthru-setup: the rebuilt UKI %s lacks %s (its .cmdline "
				"was: %s; now: %s)\n", g->paths[i], why.s, g->old[i] ? g->old[i] : "",
				now);
			ok = false;
		}
		sbuf_free(&why);
		free(now);
	}
	return ok;
}

int uki_guard_restore(const struct bootctx *c, const struct uki_guard *g)
{
	int ret = 0;

	for (size_t i = 0; i < g->n; i++) {
		int r = g->data[i] ? fsroot_replace(c->fr, g->paths[i], g->data[i], g->len[i]) :
				     fsroot_unlink(c->fr, g->paths[i]);

		if (r == -ENOENT && !g->data[i])
			r = 0;
		if (r < 0) {
			char *bak = backup_path(i);

			fprintf(stderr, "passthru-setup: %s COULD NOT BE PUT BACK: %s; its copy is "
				"%s%s\n", g->paths[i], strerror(-r), c->fr->path, bak ? bak : "");
			free(bak);
			ret = r;
		} else {
			printf("%s: put back as it was before the rebuild\n", g->paths[i]);
		}
	}
	return ret;
}

void uki_guard_free(const struct fsroot *fr, struct uki_guard *g)
{
	for (size_t i = 0; i < g->n; i++) {
		char *bak = backup_path(i);

		if (bak && fr && g->data[i])
			fsroot_unlink(fr, bak);
		free(bak);
		free(g->paths[i]);
		free(g->old[i]);
		free(g->data[i]);
	}
	free(g->paths);
	free(g->old);
	free(g->data);
	free(g->len);
	if (fr && g->n) {
		int dfd = fsroot_openat(fr, "/var/lib/passthru", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

		if (dfd >= 0) {
			unlinkat(dfd, "uki-backup", AT_REMOVEDIR);	/* when empty */
			close(dfd);
		}
	}
	memset(g, 0, sizeof(*g));
}

bool uki_stale(const struct bootctx *c)
{
	struct klines k = { 0 };
	bool stale = false;

	if (effective(c, true, &k) < 0)
		return true;
	for (size_t i = 0; i < k.n; i++) {
		struct sbuf why = { 0 };

		stale |= !bootcfg_line_ok(k.v[i].line, c->e, &why);
		sbuf_free(&why);
	}
	klines_free(&k);
	return stale;
}
