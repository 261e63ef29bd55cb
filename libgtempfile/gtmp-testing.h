/* gtmp-testing.h — test hooks of the core and the tree remover (private)
 *
 * Included only by their implementation (gtmp-core.c, gtmp-refusals.c,
 * gtmp-rmtree.c) and by
 * the tests, never by the classes: a class cannot come to depend on a hook.
 * Every hook is process-wide and costs the usual path nothing.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtmp-core.h"

G_BEGIN_DECLS

/* Test hook: when set, fills @chars (G_TMP_CORE_RANDOM_CHARS bytes, not
 * nul-terminated) instead of the CSPRNG; a longer random part (a template's
 * random_length) repeats those characters. Process-wide; NULL restores the
 * CSPRNG. */
typedef void (*GTmpCoreNameHook) (gchar    *chars,
                                  gpointer  user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_name_hook    (GTmpCoreNameHook   hook,
                                        gpointer           user_data);

/* What the core did instead of creating an O_TMPFILE (test hook). */
typedef enum
{
  G_TMP_CORE_TMPFILE_REFUSED, /* tried; the file system refused it */
  G_TMP_CORE_TMPFILE_SKIPPED, /* not tried: its device refused it lately */
} GTmpCoreTmpfileEvent;

/* Test hook: when set, called each time an anonymous file in @dir falls back
 * to create + unlink, saying why. Never called when O_TMPFILE works, so the
 * usual path pays nothing for it. Process-wide; NULL removes it. */
typedef void (*GTmpCoreTmpfileHook) (const gchar          *dir,
                                     GTmpCoreTmpfileEvent  event,
                                     gpointer              user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_tmpfile_hook (GTmpCoreTmpfileHook hook,
                                        gpointer           user_data);

/* Test hook: remembers the device of @dir as refusing O_TMPFILE, as if it
 * just had, so that anonymous files there take the fallback. */
G_GNUC_INTERNAL
void      _g_tmp_core_refuse_tmpfile   (const gchar       *dir);

/* Test hook: takes (@hold TRUE) or releases the lock of the O_TMPFILE
 * refusal memory, from one thread. */
G_GNUC_INTERNAL
void      _g_tmp_core_hold_refusals    (gboolean           hold);

/* Test hook: moves the clock by which remembered O_TMPFILE refusals expire
 * @usec into the future (0 puts it back). */
G_GNUC_INTERNAL
void      _g_tmp_core_set_clock_offset (gint64             usec);

/* Test hook: when set, called each time persist() starts copying a file's
 * bytes for @dest (on another file system, or from an anonymous file that
 * cannot be linked). Process-wide; NULL removes it. */
typedef void (*GTmpCoreCopyHook) (const gchar *dest,
                                  gpointer     user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_copy_hook    (GTmpCoreCopyHook   hook,
                                        gpointer           user_data);

/* Test hook: when set, called each time persist() has linked a file under
 * a hidden name beside its destination (@name, relative to the
 * destination's directory @dfd) and is about to rename it over the
 * destination: the window in which a crash leaves that name. Process-wide;
 * NULL removes it. */
typedef void (*GTmpCoreLinkHook) (gint         dfd,
                                  const gchar *name,
                                  gpointer     user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_link_hook    (GTmpCoreLinkHook   hook,
                                        gpointer           user_data);

/* Test hook: called with every descriptor the library has just fsync()ed
 * successfully, in the thread that synced it (a worker for persist_async).
 * Returning FALSE makes that fsync() fail with EIO, as a failing disk
 * would. Process-wide; NULL removes it. */
typedef gboolean (*GTmpCoreSyncHook) (gint     fd,
                                      gpointer user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_sync_hook    (GTmpCoreSyncHook   hook,
                                        gpointer           user_data);

/* Test hook: when set, called with the directory's descriptor each time
 * the tree remover is about to unlink a batch of that directory's files
 * (after listing them), and batches are used on every file system, not
 * only on ext2/3/4. Process-wide; NULL removes it. */
typedef void (*GTmpRmtreeBatchHook) (gint     dirfd,
                                     gpointer user_data);

G_GNUC_INTERNAL
void      _g_tmp_rmtree_set_batch_hook   (GTmpRmtreeBatchHook  hook,
                                          gpointer             user_data);

/* Test hook: the most files and bytes of names the tree remover batches
 * at a time (0: the default), so that a test needs no directory of
 * 100,000 files to split one into several batches. */
G_GNUC_INTERNAL
void      _g_tmp_rmtree_set_batch_limits (guint              max_files,
                                          gsize              max_name_bytes);

G_END_DECLS
