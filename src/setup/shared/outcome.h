/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outcome.h: what one install, uninstall or confirm did (or would do), collected where the engine does it, for --json. */
#ifndef PASSTHRU_OUTCOME_H
#define PASSTHRU_OUTCOME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "setup.h"

struct cmdlist;

/*
 * One passthru-setup run is one outcome (a process-wide journal: txn.c, run.c and the engines
 * note into it; nothing is noted unless outcome_begin switched it on). With --json:
 * stdout's human words go to stderr (stdout is kept for the document), and every line the
 * run itself writes on stderr is also kept, as an error (or a warning: lines that start with
 * "WARNING").
 */
void outcome_begin(const char *command, const struct opts *o);
bool outcome_on(void);

/* txn_commit wrote or removed path: before (NULL: did not exist), after (NULL: removed). A
 * path noted twice (the record, committed again after the commands) keeps its first before. */
void outcome_file(const char *path, const char *before, size_t blen, const char *after,
		  size_t alen);
/* A file the run looked at and left as it is (install: the files it manages that were
 * already right; uninstall: a file changed by hand since install). */
void outcome_file_kept(const char *path);
/* --dry-run: the staged changes, as if committed (nothing is written). */
void outcome_files_staged(const struct txn *t);
/* A command that changes the host: run (its exit status), or not (printed for the user to
 * run, or --dry-run's "would run"). */
void outcome_command(const char *const argv[], bool ran, int status);
void outcome_commands(const struct cmdlist *c, bool ran);
/* The command line a boot configuration gives (the latest per label wins). */
void outcome_cmdline(const char *label, const char *line);
/* A concluding sentence: printed on stdout (as the human output always was) and kept as the
 * document's message (sentences joined by newlines). */
void outcome_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, kept only (the human output says it its own way). */
void outcome_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Something the next boot reads changed, or would with --dry-run: a file other than the
 * install record, or a command (that ran, or would). */
bool outcome_boot_changed(void);
bool outcome_changed(void);
/* A usage error's document (exit code 2), on f: before outcome_begin ran. */
void outcome_usage_json(const char *command, const char *msg, FILE *f);
/* The document on the real stdout (with --json), then ret (1 when it could not be written). */
int outcome_end(int ret, bool reboot_required);

#endif
