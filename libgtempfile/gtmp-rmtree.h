/* gtmp-rmtree.h — removal of a directory tree (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtmp-core.h"

G_BEGIN_DECLS

/* What the removal does when an entry cannot be removed. The first two
 * are FALSE and TRUE, so a gboolean "ignore errors" can be passed as is. */
typedef enum
{
  G_TMP_RMTREE_STOP = FALSE,  /* stop there and report it */
  G_TMP_RMTREE_IGNORE = TRUE, /* remove all it can and report success */
  G_TMP_RMTREE_CONTINUE,      /* remove all it can, then report the first */
} GTmpRmtreeErrors;

/* Removes the directory @path and everything below it, fd-relative, never
 * following symlinks and never entering a mount point of any kind (such an
 * entry, or @path itself mounted over, is EBUSY). Tries rmdir(@path) first
 * and walks only when it is not empty, starting from @dirfd (borrowed; -1 to
 * open @path). Entries that vanish meanwhile are not errors, nor is @path
 * itself being gone. @ignore_errors says what an entry that cannot be
 * removed does (a #GTmpRmtreeErrors). */
G_GNUC_INTERNAL
gboolean  _g_tmp_rmtree_remove      (const gchar           *path,
                                    gint                   dirfd,
                                    GTmpRmtreeErrors       ignore_errors,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* The same; when @dirfd is -1 and @expected is not %NULL, a non-empty
 * directory at @path that is not @expected is left alone (EBUSY). */
G_GNUC_INTERNAL
gboolean  _g_tmp_rmtree_remove_full (const gchar           *path,
                                    gint                   dirfd,
                                    const GTmpCoreFileId  *expected,
                                    GTmpRmtreeErrors       ignore_errors,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* The same for the directory @name (one component) in @parent_fd, found
 * there without following a symbolic link; @path names it in errors.
 * With @dirfd (borrowed), the directory held there must still be @name. */
G_GNUC_INTERNAL
gboolean  _g_tmp_rmtree_remove_at   (gint                   parent_fd,
                                    const gchar           *name,
                                    const gchar           *path,
                                    gint                   dirfd,
                                    const GTmpCoreFileId  *expected,
                                    GTmpRmtreeErrors       ignore_errors,
                                    GCancellable          *cancellable,
                                    GError               **error);

G_END_DECLS
