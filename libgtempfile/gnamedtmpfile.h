/* gnamedtmpfile.h
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GTEMPFILE_INSIDE) && !defined(GTEMPFILE_COMPILATION)
# error "Only <gtempfile.h> can be included directly."
#endif

#include "gtmpfile.h"

G_BEGIN_DECLS

#define G_TYPE_NAMED_TMP_FILE (g_named_tmp_file_get_type ())
GTEMPFILE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (GNamedTmpFile, g_named_tmp_file, G, NAMED_TMP_FILE, GTmpFile)

GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GNamedTmpFile *g_named_tmp_file_new                 (const gchar    *dir,
                                                     const gchar    *prefix,
                                                     const gchar    *suffix,
                                                     GError        **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GNamedTmpFile *g_named_tmp_file_new_full            (const gchar    *dir,
                                                     const gchar    *prefix,
                                                     const gchar    *suffix,
                                                     guint           mode,
                                                     guint           random_length,
                                                     GError        **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GNamedTmpFile *g_named_tmp_file_new_at              (gint            dfd,
                                                     const gchar    *dir,
                                                     const gchar    *prefix,
                                                     const gchar    *suffix,
                                                     guint           mode,
                                                     GError        **error);
GTEMPFILE_AVAILABLE_IN_1_0
void           g_named_tmp_file_new_async           (const gchar    *dir,
                                                     const gchar    *prefix,
                                                     const gchar    *suffix,
                                                     int             io_priority,
                                                     GCancellable   *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer        user_data);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GNamedTmpFile *g_named_tmp_file_new_finish          (GAsyncResult   *result,
                                                     GError        **error);
GTEMPFILE_AVAILABLE_IN_1_0
const gchar   *g_named_tmp_file_get_path            (GNamedTmpFile  *self);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GFile         *g_named_tmp_file_get_file            (GNamedTmpFile  *self);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean       g_named_tmp_file_get_delete          (GNamedTmpFile  *self);
GTEMPFILE_AVAILABLE_IN_1_0
void           g_named_tmp_file_set_delete          (GNamedTmpFile  *self,
                                                     gboolean        delete_);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean       g_named_tmp_file_get_delete_on_close (GNamedTmpFile  *self);
GTEMPFILE_AVAILABLE_IN_1_0
void           g_named_tmp_file_set_delete_on_close (GNamedTmpFile  *self,
                                                     gboolean        delete_on_close);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean       g_named_tmp_file_cleanup             (GNamedTmpFile  *self,
                                                     GCancellable   *cancellable,
                                                     GError        **error);

G_END_DECLS
