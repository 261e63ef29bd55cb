/* gspooledtmpfile.h
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

#define G_TYPE_SPOOLED_TMP_FILE (g_spooled_tmp_file_get_type ())
GTEMPFILE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (GSpooledTmpFile, g_spooled_tmp_file, G, SPOOLED_TMP_FILE, GTmpFile)

GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GSpooledTmpFile *g_spooled_tmp_file_new               (gsize             max_size,
                                                       const gchar      *dir,
                                                       const gchar      *prefix,
                                                       const gchar      *suffix);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GSpooledTmpFile *g_spooled_tmp_file_new_full          (gsize             max_size,
                                                       const gchar      *dir,
                                                       const gchar      *prefix,
                                                       const gchar      *suffix,
                                                       guint             mode,
                                                       guint             random_length);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GSpooledTmpFile *g_spooled_tmp_file_new_at            (gsize             max_size,
                                                       gint              dfd,
                                                       const gchar      *dir,
                                                       const gchar      *prefix,
                                                       const gchar      *suffix,
                                                       guint             mode);
GTEMPFILE_AVAILABLE_IN_1_0
void             g_spooled_tmp_file_new_async         (gsize             max_size,
                                                       const gchar      *dir,
                                                       const gchar      *prefix,
                                                       const gchar      *suffix,
                                                       int               io_priority,
                                                       GCancellable     *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer          user_data);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GSpooledTmpFile *g_spooled_tmp_file_new_finish        (GAsyncResult     *result,
                                                       GError          **error);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean         g_spooled_tmp_file_rollover          (GSpooledTmpFile  *self,
                                                       GCancellable     *cancellable,
                                                       GError          **error);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean         g_spooled_tmp_file_is_rolled_over    (GSpooledTmpFile  *self);
GTEMPFILE_AVAILABLE_IN_1_0
gsize            g_spooled_tmp_file_get_max_size      (GSpooledTmpFile  *self);

G_END_DECLS
