/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uki_host.c: what makes this root's unified kernel images (dracut, mkinitcpio, kernel-install), where they are, whether it signs them, and what the EFI variables say (Secure Boot, the running UKI). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "bootcfg.h"
#include "pe.h"
#include "root.h"
#include "uki.h"

#define EFI_GLOBAL "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define EFI_LOADER "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFIVARS "sys/firmware/efi/efivars/"

static const char *const esps[] = { "/efi", "/boot/efi", "/boot", NULL };

const char *uki_builder_name(enum uki_builder b)
{
	return b == UKI_DRACUT ? "dracut" : b == UKI_MKINITCPIO ? "mkinitcpio" :
	       b == UKI_KERNEL_INSTALL ? "kernel-install" : "none";
}

/* Add s to the NULL-terminated v (n entries). */
static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* The type 2 entries: ESP/EFI/Linux/ *.efi on each ESP. */
static int type2_entries(const struct txn *t, char ***v, size_t *n)
{
	int r = 0;

	for (size_t i = 0; esps[i] && r >= 0; i++) {
		char dir[64], **l = NULL;

		snprintf(dir, sizeof(dir), "%s/EFI/Linux", esps[i]);
		if (txn_list(t, dir, ".efi", &l) < 0)
			continue;
		for (size_t j = 0; l[j] && r >= 0; j++)
			if (!strv_has(*v, l[j]))
				r = strv_push(v, n, l[j]);
		strv_free(l);
	}
	return r;
}

/* s with the shell's quotes around it taken off (a plain assignment's value read by hand). */
static void unquote(char *s)
{
	size_t l = strlen(s);

	if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0]) {
		memmove(s, s + 1, l - 2);
		s[l - 2] = '\0';
	}
}

/* "KEY=VALUE" lines of an ini-like or plain assignment file (no shell): the last value of key,
 * outside comments, quotes off; "" when not set. */
static void conf_value(const char *text, const char *key, char *val, size_t size)
{
	const char *p = text;
	size_t kl = strlen(key);

	val[0] = '\0';
	while (p && *p) {
		const char *line = p + strspn(p, " \t");
		size_t ll = strcspn(line, "\n");

		if (!strncmp(line, key, kl) && (line[kl] == '=' || line[kl] == ' ')) {
			const char *v = line + kl + strspn(line + kl, " \t");

			if (*v == '=') {
				v++;
				v += strspn(v, " \t");
				snprintf(val, size, "%.*s", (int)(line + ll - v), v);
				rstrip(val);
				unquote(val);
			}
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

/* dracut's configuration: /etc/dracut.conf, then the *.conf of /usr/lib/dracut/dracut.conf.d
 * and /etc/dracut.conf.d by name (one in /etc hides the same name in /usr/lib), sourced in
 * that order as dracut does; run by bash as shell_eval allows, else read without running. */
static int dracut_config(const struct txn *t, struct uki_host *h, char *uefi, size_t usize,
			 char *cert, char *key, size_t ksize)
{
	static const char script[] =
		"eval \"$1\"; printf '%s\\036%s\\036%s\\036%s\\036%s' \"$uefi\" "
		"\"${kernel_cmdline+set}\" \"$kernel_cmdline\" \"$uefi_secureboot_cert\" "
		"\"$uefi_secureboot_key\"";
	char **usr = NULL, **etc = NULL, *text = NULL, *out = NULL;
	struct sbuf all = { 0 };
	size_t i, j;
	int r;

	if (txn_read(t, "/etc/dracut.conf", &text, NULL) == 0)
		sbuf_addf(&all, "%s\n", text);
	free(text);
	if (txn_list(t, "/usr/lib/dracut/dracut.conf.d", ".conf", &usr) < 0)
		usr = NULL;
	if (txn_list(t, "/etc/dracut.conf.d", ".conf", &etc) < 0)
		etc = NULL;
	/* merge by base name, in name order; /etc wins */
	for (i = 0, j = 0; (usr && usr[i]) || (etc && etc[j]);) {
		const char *u = usr && usr[i] ? strrchr(usr[i], '/') + 1 : NULL;
		const char *e = etc && etc[j] ? strrchr(etc[j], '/') + 1 : NULL;
		int c = !u ? 1 : !e ? -1 : strcmp(u, e);
		const char *path = c < 0 ? usr[i] : etc[j];

		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
		text = NULL;
		if (txn_read(t, path, &text, NULL) == 0)
			sbuf_addf(&all, "%s\n", text);
		free(text);
	}
	strv_free(usr);
	strv_free(etc);
	if (all.err)
		return -ENOMEM;
	{
		const char *args[1] = { all.s ? all.s : "" };

		r = shell_eval(t->root, "/bin/bash", script, args, 1, &out);
	}
	if (r == 0 && out) {
		char *f[5] = { out };

		for (i = 1; i < 5; i++) {
			f[i] = f[i - 1] ? strchr(f[i - 1], '\036') : NULL;
			if (f[i])
				*f[i]++ = '\0';
		}
		snprintf(uefi, usize, "%s", f[0]);
		h->has_kernel_cmdline = f[1] && !strcmp(f[1], "set");
		h->kernel_cmdline = strdup(f[2] ? f[2] : "");
		snprintf(cert, ksize, "%s", f[3] ? f[3] : "");
		snprintf(key, ksize, "%s", f[4] ? f[4] : "");
	} else if (r == -ENOEXEC || r > 0) {
		struct shvars s = { .n = 0 };
		bool k;

		r = shstatic_eval(&s, all.s ? all.s : "", "dracut's configuration");
		/* what cannot be read without running it is not known: not a UKI then */
		snprintf(uefi, usize, "%s", shvars_get(&s, "uefi", &k));
		for (i = 0; i < s.n; i++)
			if (!strcmp(s.v[i].name, "kernel_cmdline"))
				h->has_kernel_cmdline = true;
		h->kernel_cmdline = strdup(shvars_get(&s, "kernel_cmdline", &k));
		snprintf(cert, ksize, "%s", shvars_get(&s, "uefi_secureboot_cert", &k));
		snprintf(key, ksize, "%s", shvars_get(&s, "uefi_secureboot_key", &k));
		shvars_free(&s);
		r = 0;
	}
	free(out);
	sbuf_free(&all);
	if (r == 0 && !h->kernel_cmdline)
		r = -ENOMEM;
	return r;
}

static bool has_dracut(const struct fsroot *fr)
{
	return fsroot_exists(fr, "/usr/bin/dracut") || fsroot_exists(fr, "/usr/sbin/dracut") ||
	       fsroot_exists(fr, "/sbin/dracut");
}

static int read_dracut(const struct txn *t, struct uki_host *h)
{
	char uefi[16], cert[256], key[256];
	int r;

	if (!has_dracut(t->root))
		return 0;
	r = dracut_config(t, h, uefi, sizeof(uefi), cert, key, sizeof(key));
	if (r < 0 || strcmp(uefi, "yes"))
		return r < 0 ? r : 0;
	h->builder = UKI_DRACUT;
	snprintf(h->why, sizeof(h->why), "uefi=yes in dracut's configuration (/etc/dracut.conf, "
		 "dracut.conf.d)");
	snprintf(h->sign_how, sizeof(h->sign_how), "set uefi_secureboot_cert= and "
		 "uefi_secureboot_key= (a certificate enrolled in the firmware's db, and its key) "
		 "in a file of /etc/dracut.conf.d/, so that dracut signs the UKI with sbsign");
	if (*cert && *key && fsroot_exists(t->root, cert) && fsroot_exists(t->root, key)) {
		h->signs = true;
		snprintf(h->signer, sizeof(h->signer), "%s (dracut's uefi_secureboot_cert)", cert);
	} else if (*cert || *key) {
		snprintf(h->sign_how, sizeof(h->sign_how), "dracut's uefi_secureboot_cert=%.200s and "
			 "uefi_secureboot_key=%.200s: both must be set and both files exist, so that "
			 "dracut signs the UKI", *cert ? cert : "(not set)", *key ? key : "(not set)");
	}
	return 0;
}

/* mkinitcpio: the presets that set PRESET_uki= (read without running them). */
static int read_mkinitcpio(const struct txn *t, struct uki_host *h, size_t *n)
{
	static const char *const posts[] = { "/etc/initcpio/post", "/usr/lib/initcpio/post", NULL };
	char **files = NULL;
	int r = txn_list(t, "/etc/mkinitcpio.d", ".preset", &files);

	if (r < 0)
		return 0;
	for (size_t i = 0; files[i] && r >= 0; i++) {
		struct shvars s = { .n = 0 };
		char *text = NULL, *names, *p, *save = NULL;
		bool k;

		if (txn_read(t, files[i], &text, NULL) < 0)
			continue;
		shstatic_eval(&s, text, files[i]);
		free(text);
		names = strdup(shvars_get(&s, "PRESETS", &k));
		for (p = names ? strtok_r(names, " ", &save) : NULL; p && r >= 0;
		     p = strtok_r(NULL, " ", &save)) {
			char var[96], uki[512];

			snprintf(var, sizeof(var), "%.80s_uki", p);
			snprintf(uki, sizeof(uki), "%s", shvars_get(&s, var, &k));
			if (!*uki || uki[0] != '/')
				continue;
			if (h->builder == UKI_NONE)
				snprintf(h->why, sizeof(h->why), "%.150s sets %.90s=%.150s", files[i], var, uki);
			h->builder = UKI_MKINITCPIO;
			if (!strv_has(h->ukis, uki))
				r = strv_push(&h->ukis, n, uki);
		}
		free(names);
		shvars_free(&s);
	}
	strv_free(files);
	if (r < 0 || h->builder != UKI_MKINITCPIO)
		return r;
	snprintf(h->sign_how, sizeof(h->sign_how), "a mkinitcpio post hook that signs the UKI "
		 "(sbctl's /usr/lib/initcpio/post/sbctl, with its keys enrolled, or your own in "
		 "/etc/initcpio/post/)");
	for (size_t i = 0; posts[i] && !h->signs; i++) {
		char **l = NULL;

		if (txn_list(t, posts[i], "", &l) < 0)
			continue;
		for (size_t j = 0; l[j] && !h->signs; j++) {
			char *text = NULL;

			if (txn_read(t, l[j], &text, NULL) == 0 && fsroot_executable(t->root, l[j]) &&
			    (strstr(text, "sbsign") || strstr(text, "sbctl"))) {
				h->signs = true;
				snprintf(h->signer, sizeof(h->signer), "the keys of mkinitcpio's post "
					 "hook %.300s", l[j]);
			}
			free(text);
		}
		strv_free(l);
	}
	return 0;
}

/* kernel-install: layout=uki in /etc/kernel/install.conf, else /usr/lib/kernel/install.conf. */
static int read_kernel_install(const struct txn *t, struct uki_host *h)
{
	char *text = NULL, layout[64], key[512], cert[512];
	const char *from = "/etc/kernel/install.conf";
	int r = txn_read(t, from, &text, NULL);

	if (r == -ENOENT) {
		from = "/usr/lib/kernel/install.conf";
		r = txn_read(t, from, &text, NULL);
	}
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	conf_value(text, "layout", layout, sizeof(layout));
	free(text);
	if (strcmp(layout, "uki"))
		return 0;
	h->builder = UKI_KERNEL_INSTALL;
	snprintf(h->why, sizeof(h->why), "layout=uki in %s", from);
	snprintf(h->sign_how, sizeof(h->sign_how), "SecureBootPrivateKey= and "
		 "SecureBootCertificate= (a certificate enrolled in the firmware's db, and its key) "
		 "in the [UKI] section of /etc/kernel/uki.conf, so that ukify signs the UKI");
	text = NULL;
	if (txn_read(t, "/etc/kernel/uki.conf", &text, NULL) == 0) {
		conf_value(text, "SecureBootPrivateKey", key, sizeof(key));
		conf_value(text, "SecureBootCertificate", cert, sizeof(cert));
		if (*key && *cert && fsroot_exists(t->root, key) && fsroot_exists(t->root, cert)) {
			h->signs = true;
			snprintf(h->signer, sizeof(h->signer), "%s (ukify's SecureBootCertificate in "
				 "/etc/kernel/uki.conf)", cert);
		}
	}
	free(text);
	return 0;
}

int uki_host_read(const struct txn *t, struct uki_host *h)
{
	size_t n = 0;
	char **t2 = NULL;
	size_t n2 = 0;
	int r;

	memset(h, 0, sizeof(*h));
	r = read_mkinitcpio(t, h, &n);
	if (r == 0 && h->builder == UKI_NONE)
		r = read_dracut(t, h);
	if (r == 0 && h->builder == UKI_NONE)
		r = read_kernel_install(t, h);
	if (r == 0)
		r = type2_entries(t, &t2, &n2);
	h->type2 = t2 && t2[0];
	if (r == 0 && h->builder != UKI_MKINITCPIO) {
		h->ukis = t2;	/* the builder rewrites the UKIs there are */
		t2 = NULL;
	}
	strv_free(t2);
	if (r == 0 && !h->ukis)
		r = strv_push(&h->ukis, &n, "") < 0 ? -ENOMEM : 0;
	if (r == 0 && h->ukis[0] && !h->ukis[0][0]) {
		free(h->ukis[0]);
		h->ukis[0] = NULL;
	}
	if (r == 0 && h->builder == UKI_NONE && h->type2)
		snprintf(h->why, sizeof(h->why), "type 2 entries (ESP/EFI/Linux/*.efi)");
	return r;
}

void uki_host_free(struct uki_host *h)
{
	strv_free(h->ukis);
	free(h->kernel_cmdline);
	memset(h, 0, sizeof(*h));
}

bool uki_detect(const struct fsroot *fr)
{
	struct txn t = { .root = fr };
	struct uki_host h;
	bool yes;

	if (uki_host_read(&t, &h) < 0)
		return false;
	yes = h.builder != UKI_NONE || h.type2;
	uki_host_free(&h);
	return yes;
}

int uki_cmdline(const struct fsroot *fr, const char *path, char **ret)
{
	char *s = NULL;
	size_t n = 0;
	int fd = fsroot_openat(fr, path, O_RDONLY | O_CLOEXEC, 0), r;

	if (fd < 0)
		return fd;
	r = pe_section_fd(fd, ".cmdline", 1 << 20, &s, &n);
	close(fd);
	if (r == -ENOENT)
		return -ENODATA;
	if (r == 0)
		r = pe_cmdline_text((unsigned char *)s, n, ret);
	free(s);
	return r;
}

int uki_kver(const struct fsroot *fr, const char *path, char *kver, size_t size)
{
	char *s = NULL;
	size_t n = 0, best = 0;
	int fd = fsroot_openat(fr, path, O_RDONLY | O_CLOEXEC, 0), r = -ENOENT;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (fd >= 0 && pe_section_fd(fd, ".uname", 256, &s, &n) == 0 && n && !memchr(s, '/', n)) {
		rstrip(s);
		snprintf(kver, size, "%s", s);
		r = 0;
	}
	free(s);
	if (fd >= 0)
		close(fd);
	if (r == 0)
		return 0;
	/* the /lib/modules/KVER folder whose name the file name holds */
	{
		int dfd = fsroot_openat(fr, "/lib/modules", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

		if (dfd < 0)
			dfd = fsroot_openat(fr, "/usr/lib/modules",
					    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (dfd >= 0) {
			DIR *d = fdopendir(dfd);
			struct dirent *de;

			while (d && (de = readdir(d))) {
				size_t l = strlen(de->d_name);

				if (de->d_name[0] == '.' || l <= best || !strstr(base, de->d_name))
					continue;
				best = l;
				snprintf(kver, size, "%s", de->d_name);
			}
			if (d)
				closedir(d);
			else
				close(dfd);
		}
	}
	return best ? 0 : -ENOENT;
}

/* An EFI variable's value (after its 4 attribute bytes) from the host view; -ENOENT. */
static int efivar(const struct opts *o, const char *name, char **ret, size_t *len)
{
	struct root r;
	char rel[200], *buf = NULL;
	size_t l = 0;
	int err;

	if (opts_foreign_image(o))
		return -ENOENT;	/* an image for other machines: this machine's say nothing */
	err = root_open(&r, o->sysroot);
	if (err < 0)
		return err;
	snprintf(rel, sizeof(rel), EFIVARS "%s", name);
	err = root_slurp(&r, rel, &buf, &l);
	root_close(&r);
	if (err < 0)
		return err;
	if (l < 4) {
		free(buf);
		return -EBADMSG;
	}
	memmove(buf, buf + 4, l - 4);
	*len = l - 4;
	*ret = buf;
	return 0;
}

/* A UTF-16LE string variable, as ASCII ('?' for the rest); -ENOENT. */
static int efivar_str(const struct opts *o, const char *name, char *out, size_t size)
{
	char *v = NULL;
	size_t len = 0, i, k = 0;
	int r = efivar(o, name, &v, &len);

	if (r < 0)
		return r;
	for (i = 0; i + 1 < len && k + 1 < size; i += 2) {
		unsigned c = (unsigned char)v[i] | (unsigned char)v[i + 1] << 8;

		if (!c)
			break;
		out[k++] = c < 0x80 && c >= 0x20 ? (char)c : '?';
	}
	out[k] = '\0';
	free(v);
	return 0;
}

int uki_secure_boot(const struct opts *o)
{
	char *v = NULL;
	size_t len = 0;
	bool on, setup = false;
	int r = efivar(o, "SecureBoot-" EFI_GLOBAL, &v, &len);

	if (r < 0)
		return -ENOENT;
	on = len >= 1 && v[0] == 1;
	free(v);
	v = NULL;
	if (efivar(o, "SetupMode-" EFI_GLOBAL, &v, &len) == 0)
		setup = len >= 1 && v[0] == 1;
	free(v);
	return on && !setup;
}

int uki_running(const struct fsroot *fr, const struct opts *o, char *path, size_t size)
{
	char v[512], rel[600];

	if (efivar_str(o, "StubInfo-" EFI_LOADER, v, sizeof(v)) < 0)
		return 0;	/* not started by systemd-stub: no UKI to name */
	/* systemd-boot: the entry's id, a type 2 entry's file name */
	if (efivar_str(o, "LoaderEntrySelected-" EFI_LOADER, v, sizeof(v)) == 0 &&
	    strlen(v) > 4 && !strcasecmp(v + strlen(v) - 4, ".efi") && !strchr(v, '/')) {
		for (size_t i = 0; esps[i]; i++) {
			struct txn t = { .root = fr };
			char dir[64], **l = NULL;

			snprintf(dir, sizeof(dir), "%s/EFI/Linux", esps[i]);
			if (txn_list(&t, dir, ".efi", &l) < 0)
				continue;
			for (size_t j = 0; l[j]; j++)
				if (!strcasecmp(strrchr(l[j], '/') + 1, v)) {
					snprintf(path, size, "%s", l[j]);
					strv_free(l);
					return 1;
				}
			strv_free(l);
		}
		return 0;
	}
	/* the firmware started the UKI itself: the stub names its own path on the ESP */
	if (efivar_str(o, "LoaderImageIdentifier-" EFI_LOADER, v, sizeof(v)) < 0)
		return 0;
	for (char *p = v; *p; p++)
		if (*p == '\\')
			*p = '/';
	for (size_t i = 0; esps[i]; i++) {
		snprintf(rel, sizeof(rel), "%s%s%s", esps[i], v[0] == '/' ? "" : "/", v);
		if (fsroot_exists(fr, rel)) {
			snprintf(path, size, "%s", rel);
			return 1;
		}
	}
	return 0;
}
