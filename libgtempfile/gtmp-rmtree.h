/* gtmp-rmtree.h — removal of a directory tree (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtmp-core.h"

G_BEGIN_DECLS

/* Removes the directory @path and everything below it, fd-relative, never
 * following symlinks and never entering a mount point of any kind (such an
 * entry, or @path itself mounted over, is EBUSY). Tries rmdir(@path) first
 * and walks only when it is not empty, starting from @dirfd (borrowed; -1 to
 * open @path). Entries that vanish meanwhile are not errors, nor is @path
 * itself being gone. With @ignore_errors, removes all it can and returns
 * TRUE. */
G_GNUC_INTERNAL
gboolean  _g_tmp_rmtree_remove      (const gchar           *path,
                                    gint                   dirfd,
                                    gboolean               ignore_errors,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* The same; when @dirfd is -1 and @expected is not %NULL, a non-empty
 * directory at @path that is not @expected is left alone (EBUSY). */
G_GNUC_INTERNAL
gboolean  _g_tmp_rmtree_remove_full (const gchar           *path,
                                    gint                   dirfd,
                                    const GTmpCoreFileId  *expected,
                                    gboolean               ignore_errors,
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
                                    gboolean               ignore_errors,
                                    GCancellable          *cancellable,
                                    GError               **error);

G_END_DECLS
