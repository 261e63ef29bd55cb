/* gtempfile.h — the only header applications include
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#define GTEMPFILE_INSIDE
# include "gtempfile-version.h"
# include "gtmpfile.h"
# include "gnamedtmpfile.h"
# include "gspooledtmpfile.h"
# include "gtmpdir.h"
#undef GTEMPFILE_INSIDE

G_BEGIN_DECLS

GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gint         g_tempfile_mkstemp        (const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        gchar       **out_path,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gint         g_tempfile_mkstemp_full   (const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        guint         mode,
                                        guint         random_length,
                                        gchar       **out_path,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gint         g_tempfile_open_anonymous (const gchar  *dir,
                                        guint         mode,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpFile    *g_tempfile_adopt_anonymous (gint          fd,
                                         GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gchar       *g_tempfile_mkdtemp        (const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gchar       *g_tempfile_mkdtemp_full   (const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        guint         mode,
                                        guint         random_length,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gint         g_tempfile_mkstemp_at     (gint          dfd,
                                        const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        guint         mode,
                                        gchar       **out_path,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gchar       *g_tempfile_mkdtemp_at     (gint          dfd,
                                        const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        guint         mode,
                                        GError      **error);
GTEMPFILE_DEPRECATED_IN_1_0_FOR (g_tempfile_mkstemp) G_GNUC_WARN_UNUSED_RESULT
gchar       *g_tempfile_mktemp         (const gchar  *dir,
                                        const gchar  *prefix,
                                        const gchar  *suffix,
                                        GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
gchar       *g_tempfile_get_tempdir    (GError      **error);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tempfile_set_tempdir    (const gchar  *dir);
GTEMPFILE_AVAILABLE_IN_1_0
const gchar *g_tempfile_get_tempprefix (void);
GTEMPFILE_AVAILABLE_IN_1_0
gint         g_tempfile_sweep          (const gchar          *dir,
                                        const gchar          *prefix,
                                        const gchar          *suffix,
                                        guint                 random_length,
                                        GTimeSpan             min_age,
                                        GCancellable         *cancellable,
                                        GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
void         g_tempfile_sweep_async    (const gchar          *dir,
                                        const gchar          *prefix,
                                        const gchar          *suffix,
                                        guint                 random_length,
                                        GTimeSpan             min_age,
                                        int                   io_priority,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
GTEMPFILE_AVAILABLE_IN_1_0
gint         g_tempfile_sweep_finish   (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
