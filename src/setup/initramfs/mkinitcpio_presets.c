/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkinitcpio_presets.c: the presets that make mkinitcpio -P build an image with -c CONFIG, which reads no drop-in (passthru's neither). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "initramfs.h"

#define PRESET_D "/etc/mkinitcpio.d"

/* One preset of the file: its name, the -c it gets and from which variable. */
struct preset {
	char name[64], var[80], config[256];
};

/* mkinitcpio's process_preset: for p in PRESETS, -c ${p}_config:-$ALL_config, when the
 * preset has a kernel (${p}_kver:-$ALL_kver); inside the image or read without running. */
static int presets(const struct txn *t, const char *path, const char *text, struct preset *v,
		   size_t max, size_t *n)
{
	static const char script[] =
		"eval \"$1\"; for p in \"${PRESETS[@]}\"; do c=${p}_config; k=${p}_kver; "
		"printf '%s\\036%s\\036%s\\036%s\\037' \"$p\" \"${!c}\" \"$ALL_config\" "
		"\"${!k:-$ALL_kver}\"; done";
	const char *args[1] = { text };
	char *out = NULL, *rec, *save = NULL;
	int r = shell_eval(t->root, "/bin/bash", script, args, 1, &out);

	*n = 0;
	if (r == -ENOEXEC) {
		struct shvars s = { .n = 0 };
		struct sbuf b = { 0 };
		char before[400], *names, *p, *psave = NULL;
		bool known = true, k;

		strscpy(before, shell_unknown_why(), sizeof(before));
		r = shstatic_eval(&s, text, path);
		names = strdup(shvars_get(&s, "PRESETS", &k));
		known &= k;
		for (p = names ? strtok_r(names, " ", &psave) : NULL; r == 0 && p;
		     p = strtok_r(NULL, " ", &psave)) {
			char var[80], kver[80];
			const char *c, *kv;

			snprintf(var, sizeof(var), "%s_config", p);
			snprintf(kver, sizeof(kver), "%s_kver", p);
			c = shvars_get(&s, var, &k);
			known &= k;
			sbuf_addf(&b, "%s\036%s\036%s\036", p, c, shvars_get(&s, "ALL_config", &k));
			known &= k;
			kv = shvars_get(&s, kver, &k);
			known &= k;
			sbuf_addf(&b, "%s\037", *kv ? kv : shvars_get(&s, "ALL_kver", &k));
		}
		if (r == 0 && (!names || b.err))
			r = -ENOMEM;
		free(names);
		shvars_free(&s);
		if (r == 0 && !known) {
			shell_unknown_set("%s, and in %s a preset's variable comes from a command's "
					  "output", before, path);
			r = -ENOEXEC;
		} else if (r == -ENOEXEC) {
			char why[400];

			strscpy(why, shell_unknown_why(), sizeof(why));
			shell_unknown_set("%s, and read without running it (plain assignments "
					  "only), %s", before, why);
		}
		out = b.s;
		if (r < 0) {
			free(out);
			out = NULL;
		}
	} else if (r > 0) {
		r = -EINVAL;
	}
	for (rec = out && r == 0 ? strtok_r(out, "\037", &save) : NULL; rec && *n < max;
	     rec = strtok_r(NULL, "\037", &save)) {
		char *f[4] = { rec, NULL, NULL, NULL };

		for (int i = 1; i < 4; i++) {
			f[i] = f[i - 1] ? strchr(f[i - 1], '\036') : NULL;
			if (f[i])
				*f[i]++ = '\0';
		}
		if (!f[3] || !*f[3])
			continue;	/* no kernel: mkinitcpio skips the preset */
		if (!*f[1] && !*f[2])
			continue;	/* no -c: mkinitcpio.conf and its drop-ins */
		strscpy(v[*n].name, f[0], sizeof(v[*n].name));
		if (*f[1])
			snprintf(v[*n].var, sizeof(v[*n].var), "%.60s_config", f[0]);
		else
			strscpy(v[*n].var, "ALL_config", sizeof(v[*n].var));
		strscpy(v[*n].config, *f[1] ? f[1] : f[2], sizeof(v[*n].config));
		(*n)++;
	}
	free(out);
	return r;
}

int mkinitcpio_preset_configs(const struct txn *t, char *why, size_t wsize, char *fix,
			      size_t fsize)
{
	char **files = NULL;
	size_t i;
	int r = txn_list(t, PRESET_D, ".preset", &files), ret = 1;

	for (i = 0; r >= 0 && ret == 1 && files[i]; i++) {
		struct preset v[8];
		char *text = NULL, hooks[600];
		size_t n = 0, j;

		r = txn_read(t, files[i], &text, NULL);
		if (r == -ENOENT || r == -EISDIR) {
			r = 0;
			continue;
		}
		if (r == 0)
			r = presets(t, files[i], text, v, ARRAY_SIZE(v), &n);
		free(text);
		for (j = 0; r >= 0 && j < n; j++) {
			/* that image's HOOKS are what its -c file alone sets */
			r = mkinitcpio_hooks_of(t, v[j].config, hooks, sizeof(hooks));
			if (r == -ENOENT)
				r = 0;	/* mkinitcpio fails on it: not this check's to say */
			if (r != 0 || !hooks[0])
				continue;
			snprintf(why, wsize, "%s sets %s=%s: mkinitcpio -P builds its '%s' image with "
				 "-c %s, which reads no drop-in (nor %s), and HOOKS there lack "
				 "passthru (HOOKS: %s)", files[i], v[j].var, v[j].config, v[j].name,
				 v[j].config, MKINITCPIO_DROPIN, hooks);
			snprintf(fix, fsize, "in %s comment out %s", files[i], v[j].var);
			ret = 0;
			break;
		}
	}
	strv_free(files);
	return r < 0 ? r : ret;
}
