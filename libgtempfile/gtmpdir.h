/* gtmpdir.h
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GTEMPFILE_INSIDE) && !defined(GTEMPFILE_COMPILATION)
# error "Only <gtempfile.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gtempfile-version.h"
#include "gtmpfile.h"

G_BEGIN_DECLS

#define G_TYPE_TMP_DIR (g_tmp_dir_get_type ())
GTEMPFILE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (GTmpDir, g_tmp_dir, G, TMP_DIR, GObject)

GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpDir     *g_tmp_dir_new                       (const gchar          *dir,
                                                  const gchar          *prefix,
                                                  const gchar          *suffix,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpDir     *g_tmp_dir_new_full                  (const gchar          *dir,
                                                  const gchar          *prefix,
                                                  const gchar          *suffix,
                                                  guint                 mode,
                                                  guint                 random_length,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpDir     *g_tmp_dir_new_at                    (gint                  dfd,
                                                  const gchar          *dir,
                                                  const gchar          *prefix,
                                                  const gchar          *suffix,
                                                  guint                 mode,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tmp_dir_new_async                 (const gchar          *dir,
                                                  const gchar          *prefix,
                                                  const gchar          *suffix,
                                                  int                   io_priority,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpDir     *g_tmp_dir_new_finish                (GAsyncResult         *result,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
const gchar *g_tmp_dir_get_path                  (GTmpDir              *self);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GFile       *g_tmp_dir_get_file                  (GTmpDir              *self);
GTEMPFILE_AVAILABLE_IN_1_0
gint         g_tmp_dir_get_fd                    (GTmpDir              *self);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean     g_tmp_dir_cleanup                   (GTmpDir              *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tmp_dir_cleanup_async             (GTmpDir              *self,
                                                  int                   io_priority,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean     g_tmp_dir_cleanup_finish            (GTmpDir              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean     g_tmp_dir_persist                   (GTmpDir              *self,
                                                  const gchar          *path,
                                                  GTmpPersistFlags      flags,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tmp_dir_persist_async             (GTmpDir              *self,
                                                  const gchar          *path,
                                                  GTmpPersistFlags      flags,
                                                  int                   io_priority,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean     g_tmp_dir_persist_finish            (GTmpDir              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean     g_tmp_dir_get_delete                (GTmpDir              *self);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tmp_dir_set_delete                (GTmpDir              *self,
                                                  gboolean              delete_);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean     g_tmp_dir_get_ignore_cleanup_errors (GTmpDir              *self);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tmp_dir_set_ignore_cleanup_errors (GTmpDir              *self,
                                                  gboolean              ignore_cleanup_errors);

G_END_DECLS
