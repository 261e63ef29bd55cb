/* gtmp-dir-private.h — what GTmpDir's persist (gtmp-dir-persist.c) needs
 * of the object's state in gtmpdir.c (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtempfile-private.h"

G_BEGIN_DECLS

/* Which properties a persist changed, to notify in the caller's context. */
typedef enum
{
  G_TMP_DIR_CHANGED_PATH   = 1 << 0,
  G_TMP_DIR_CHANGED_DELETE = 1 << 1,
} GTmpDirChanges;

/* Waits for a cleanup under way, then marks @self busy (cleanups wait,
 * get_fd() says -1) and gives its path and held descriptor (-1: none),
 * both borrowed and stable until _g_tmp_dir_persist_end(). FALSE with
 * @error set (naming @dest) once it has been removed, or for @exchange
 * once persisted. */
G_GNUC_INTERNAL
gboolean        _g_tmp_dir_persist_begin  (GTmpDir       *self,
                                           const gchar   *dest,
                                           gboolean       exchange,
                                           gchar        **path,
                                           gint          *fd,
                                           GError       **error);

/* Ends the persist begun: @new_path, when moved there (no cleanup removes
 * it from now on, delete is off); @new_fd (taken), when exchanged: the
 * directory now at the object's path, which it owns. Notifies nothing:
 * returns what changed, for _g_tmp_dir_notify_changes(). */
G_GNUC_INTERNAL
GTmpDirChanges  _g_tmp_dir_persist_end    (GTmpDir       *self,
                                           const gchar   *new_path,
                                           gint           new_fd);

G_GNUC_INTERNAL
void            _g_tmp_dir_notify_changes (GTmpDir       *self,
                                           GTmpDirChanges changes);

G_END_DECLS
