/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kargs.h: the argument editors: kernel argument lists (kargs.c) and GRUB_CMDLINE_LINUX (grubfile.c), byte for byte. */
#ifndef PASSTHRU_KARGS_H
#define PASSTHRU_KARGS_H
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

/* kargs.c: kernel argument lists as text, edited byte for byte (only whole words change). */
struct kargs_edit {
	char add[8][64];
	size_t nadd;
	char drop[8][64];	/* exact arguments that contradict (intel_iommu=off ...) */
	size_t ndrop;
};
void kargs_for_cpu(const char *cpu, bool iommu_pt, struct kargs_edit *ret);
/* Drop the contradicting words (named in dropped), add " WORD" for each missing one (named
 * in added) at the end of the kernel's words: before a standalone "--" (what follows it is
 * init's), else at the end; every other byte stays. -EINVAL: an unbalanced quote would
 * swallow the addition. */
int kargs_apply(const char *line, const struct kargs_edit *e, char **ret, struct sbuf *dropped,
		struct sbuf *added);
/* Remove the last occurrence of each of the space-separated words (uninstall): among the
 * kernel's words, else after "--" (where an older install appended it). */
int kargs_remove(const char *line, const char *words, char **ret);
/* Whether arg is one of the kernel's words (those before a standalone "--"). */
bool kargs_has(const char *line, const char *arg);
/* Where the kernel's words end: the offset of a standalone "--", or the whole length. */
size_t kargs_kernel_len(const char *line);

/* The same for shell code (the GRUB drop-in, the trial's grub.d script): passthru_insert WORD
 * adds WORD to $passthru_v as kargs_apply does: before a standalone "--", else at the end, and
 * not when the kernel's words have it already. */
#define KARGS_SH_INSERT \
	"# passthru_insert WORD: WORD into passthru_v before a standalone -- (what follows it\n" \
	"# is init's, never the kernel's), else at the end; not when the kernel has it already\n" \
	"passthru_insert() {\n" \
	"\tpassthru_k=\" $passthru_v \"\n" \
	"\tcase $passthru_k in\n" \
	"\t*\" -- \"*) passthru_k=${passthru_k%%\" -- \"*} ;;\n" \
	"\t*)\n" \
	"\t\tcase $passthru_k in *\" $1 \"*) return 0 ;; esac\n" \
	"\t\tpassthru_v=\"${passthru_v:+$passthru_v }$1\"\n" \
	"\t\treturn 0 ;;\n" \
	"\tesac\n" \
	"\tcase \"$passthru_k \" in *\" $1 \"*) return 0 ;; esac\n" \
	"\tcase $passthru_k in\n" \
	"\t\"\") passthru_v=\"$1 $passthru_v\" ;;\n" \
	"\t*) passthru_k=${passthru_k# }\n" \
	"\t\tpassthru_v=\"$passthru_k $1${passthru_v#\"$passthru_k\"}\" ;;\n" \
	"\tesac\n" \
	"}\n"

/* grubfile.c: GRUB_CMDLINE_LINUX in /etc/default/grub, edited in place, quotes kept.
 * -EINVAL: quoting an edit cannot keep (continued lines, escapes, concatenated parts). */
int grubfile_edit(const char *text, const char *var, const struct kargs_edit *e, char **ret,
		  struct sbuf *dropped, struct sbuf *added);
int grubfile_unedit(const char *text, const char *var, const char *words, char **ret);
bool grubfile_is_true(const char *text, const char *var);
/* The drop-in for /etc/default/grub.d/ that Debian's grub-mkconfig sources. */
char *grub_dropin(const struct kargs_edit *e);
/* Its shell code, shared with the trial's grub.d script: GRUB_CMDLINE_LINUX_DEFAULT and
 * GRUB_CMDLINE_LINUX less every word of e->drop, then e->add (and also, when not NULL) put
 * into GRUB_CMDLINE_LINUX as kargs_apply does; as strings, every other byte kept. */
void grub_sh_edit(struct sbuf *b, const struct kargs_edit *e, const char *also);

#endif
