/* gtmp-refusals.h — the memory of file systems that refused O_TMPFILE (private)
 *
 * Per device, for G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC (see gtmp-refusals.c).
 * Its test hooks are in gtmp-testing.h.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

#ifdef HAVE_O_TMPFILE
/* A directory's device, looked up (stat()) at most once per creation:
 * initialise with { dir, 0, FALSE }. */
typedef struct
{
  const gchar *dir;
  dev_t        dev;
  gboolean     known;
} GTmpCoreDirDevice;

/* Whether @device's file system refused O_TMPFILE lately. One atomic read
 * and no system call while no refusal is remembered. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_tmpfile_refused_lately   (GTmpCoreDirDevice *device);

/* Remembers that @device's file system just refused O_TMPFILE. */
G_GNUC_INTERNAL
void      _g_tmp_core_remember_tmpfile_refusal (GTmpCoreDirDevice *device);

/* An O_TMPFILE file in the directory @dfd (in @dir when @dfd is AT_FDCWD),
 * open for reading and writing, close-on-exec, unless its file system
 * refused O_TMPFILE lately: the descriptor, or -1 with errno set.
 * EOPNOTSUPP means "give the file a name instead"; @refused_now then says
 * whether O_TMPFILE was tried and refused now (and remembered), or not
 * tried. */
G_GNUC_INTERNAL
gint      _g_tmp_core_open_tmpfile             (gint               dfd,
                                                const gchar       *dir,
                                                guint              mode,
                                                gboolean          *refused_now);
#endif

G_END_DECLS
