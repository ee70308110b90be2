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
/* Drop the contradicting words (named in dropped), append " WORD" for each missing one (named
 * in added); every other byte stays. -EINVAL: an unbalanced quote would swallow the append. */
int kargs_apply(const char *line, const struct kargs_edit *e, char **ret, struct sbuf *dropped,
		struct sbuf *added);
/* Remove the last occurrence of each of the space-separated words (uninstall). */
int kargs_remove(const char *line, const char *words, char **ret);
bool kargs_has(const char *line, const char *arg);

/* grubfile.c: GRUB_CMDLINE_LINUX in /etc/default/grub, edited in place, quotes kept.
 * -EINVAL: quoting an edit cannot keep (continued lines, escapes, concatenated parts). */
int grubfile_edit(const char *text, const char *var, const struct kargs_edit *e, char **ret,
		  struct sbuf *dropped, struct sbuf *added);
int grubfile_unedit(const char *text, const char *var, const char *words, char **ret);
bool grubfile_is_true(const char *text, const char *var);
/* The drop-in for /etc/default/grub.d/ that Debian's grub-mkconfig sources. */
char *grub_dropin(const struct kargs_edit *e);

#endif
