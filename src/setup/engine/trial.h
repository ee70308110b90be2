/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trial.h: install --trial's entry, mark and commands; what confirm converges to (trial.c). */
#ifndef PASSTHRU_TRIAL_H
#define PASSTHRU_TRIAL_H
#include <stdbool.h>
#include <stdint.h>
#include "bootcfg.h"

struct initramfs_gen;

/* The word on the trial boot's command line. */
#define TRIAL_ARG "rd.passthru.trial=1"
/* The record's trial line ends in this word after install --trial --auto-confirm. */
#define TRIAL_AUTO_CONFIRM "auto-confirm"

/* The /etc/grub.d script of the trial entry; malloc'd, NULL: out of memory. */
char *trial_script(const struct kargs_edit *e);
/* --trial can be used here (GRUB, grubenv where GRUB writes it, not installed for good
 * already); says why on stderr when not. */
int trial_check(const struct bootctx *c, const struct bootcfg_ops *const *b, int nb);
/* Stage the trial entry instead of the permanent arguments: GRUB: /etc/grub.d/42_passthru_trial;
 * BLS: a copy of the newest entry (grubby: loader/entries/passthru-trial.conf; systemd-boot:
 * loader/entries/_-passthru-trial.conf); and record the trial: b and the generator gen. */
int trial_stage(struct bootctx *c, const struct bootcfg_ops *b, const char *gen);
/* A GRUB environment block passthru made (path: /boot/grub/grubenv or /boot/grub2/grubenv) is
 * as it was made (hash) but for a next_entry line (grub-reboot's choice, cleared by GRUB at
 * the trial boot): uninstall may take it away. */
bool trial_grubenv_unchanged(const char *path, const char *cur, size_t len, uint64_t hash);
/* on: stage the mark that the images carry while the trial is pending; off: when a trial
 * is pending, stage the removal of its entry and its mark (confirm, a plain install). */
int trial_stage_mark(struct bootctx *c, bool on);
/* on: choose the trial entry once (grub-reboot, grub2-reboot, bootctl set-oneshot), enable
 * the confirm service; off: undo both and clear the record's trial line. */
int trial_commands(struct bootctx *c, bool on, struct cmdlist *out);
/* install --trial runs its boot commands with this: one at a time, stopping at the first
 * that fails, and after update-grub (grub-mkconfig) only when grub.cfg holds the trial's
 * entry (grub-reboot would choose nothing); 1 (said why) or 0. */
int trial_run_commands(const struct fsroot *fr, const struct cmdlist *cmds);
/* Print the command lines of later boots and of the trial boot; false when the trial boot
 * would lack an argument. */
bool trial_report(const struct bootctx *c, const struct bootcfg_ops *b, bool done);
/* After install --trial's rebuild: every image under /lib/modules that g can list and that
 * holds passthru-claim must hold the mark too (a hook older than --trial copies none, and that
 * image would claim on every boot). Says which do not on stderr; -ENOENT then, else 0. */
int trial_check_images(const struct fsroot *fr, const struct initramfs_gen *g);

/* The record's trial line says install --trial --auto-confirm: confirm needs no login. */
bool trial_auto_confirm(const char *line);
/* confirm: the options install --trial ran with (the record's trial line, "CPU pt|nopt KIND
 * GENERATOR [auto-confirm]": its boot configuration and generator too), set in o for converge_to_config,
 * which then installs only while that trial is pending. */
void trial_target(const char *line, struct opts *o);

#endif
