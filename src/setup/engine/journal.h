/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal.h: the intent journal: what a run is about to change, on disk before it changes it, so that the run after a power cut undoes it (or finishes an uninstall). */
#ifndef PASSTHRU_JOURNAL_H
#define PASSTHRU_JOURNAL_H
#include "bootcfg.h"
#include "setup.h"

#define JOURNAL_PATH "/var/lib/passthru/journal"
#define JOURNAL_DIR "/var/lib/passthru"

/*
 * txn_commit, journaled: first the journal (each file's content before, "absent" for a new
 * one, the folders the writes will make), written atomically and fsynced; then the files. On
 * failure every file is as before and the journal is gone. On success the journal stays:
 * journal_end (nothing left to do) or journal_committed (an uninstall's folders and commands)
 * comes next. op: install, uninstall or confirm (said by the next run).
 */
int journal_commit_txn(struct txn *t, const char *op, const char *backup_dir, char *err,
		       size_t errsize);
/* The files are changed: what is left is removing the empty folders dirs (deepest last in
 * the list) and running cmds. Written atomically over the begun journal. */
int journal_committed(const struct fsroot *fr, const char *op, const char (*dirs)[512],
		      size_t ndirs, const struct cmdlist *cmds);
/* The run is over: the journal goes, then the empty folders dirs (again, those that held the
 * journal) and passthru's own folder when it is empty. */
void journal_end(const struct fsroot *fr, const char (*dirs)[512], size_t ndirs);
/*
 * Before a run changes anything: the journal of a run that was interrupted. Begun: its files
 * are put back as they were before it, its folders removed, the journal gone (undone, said).
 * Committed: its empty folders are removed and its commands copied to *pending; the caller
 * runs them (uninstall) or not, then calls journal_end(fr, NULL, 0). dry: only say so.
 * 0: none; 1: undone; 2: committed (pending); -errno (said why).
 */
int journal_recover(const struct fsroot *fr, bool dry, struct cmdlist *pending);
/* For status: 1 and what the interrupted run was ("install", ...) and whether its files were
 * all changed (committed) when there is a journal; 0 when none. */
int journal_describe(const struct fsroot *fr, char *op, size_t size, bool *committed);

#endif
