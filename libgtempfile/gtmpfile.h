/* gtmpfile.h
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

G_BEGIN_DECLS

/**
 * GTmpPersistFlags:
 * @G_TMP_PERSIST_NONE: replace the destination if it exists (a directory
 *   replaces only an empty directory; a file never replaces a directory:
 *   %G_IO_ERROR_IS_DIRECTORY)
 * @G_TMP_PERSIST_NO_REPLACE: fail with %G_IO_ERROR_EXISTS if the destination exists
 * @G_TMP_PERSIST_SYNC: fsync the file before and its directory after linking it into place
 *   (when it is copied, the copy is synced, not the original); a directory's
 *   file system is synced (`syncfs()`) before the rename
 *   ([method@GTempfile.TmpDir.persist])
 * @G_TMP_PERSIST_ALLOW_COPY: when the destination is on another file system, copy
 *   into a temporary file beside it and rename that into place (files only:
 *   directories are never copied)
 * @G_TMP_PERSIST_DOCUMENT_MODE: when the destination is a new name, give the file
 *   the mode of a new document, `0666 & ~umask` (usually `0644`), instead of the
 *   mode it was created with (`0600` unless one was given). A file that replaces
 *   an existing one takes that file's mode either way. Files only: a
 *   directory keeps its mode, and [method@GTempfile.TmpDir.persist] ignores it.
 * @G_TMP_PERSIST_EXCHANGE: directories only: swap the temporary directory with
 *   the existing directory at the destination, atomically
 *   ([method@GTempfile.TmpDir.persist]); files fail with
 *   %G_IO_ERROR_INVALID_ARGUMENT
 *
 * Flags for [method@GTempfile.TmpFile.persist] and
 * [method@GTempfile.TmpDir.persist].
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  G_TMP_PERSIST_NONE       = 0,
  G_TMP_PERSIST_NO_REPLACE = 1 << 0,
  G_TMP_PERSIST_SYNC       = 1 << 1,
  G_TMP_PERSIST_ALLOW_COPY = 1 << 2,
  G_TMP_PERSIST_DOCUMENT_MODE = 1 << 3,
  G_TMP_PERSIST_EXCHANGE   = 1 << 4,
} GTmpPersistFlags;

#define G_TYPE_TMP_PERSIST_FLAGS (g_tmp_persist_flags_get_type ())
GTEMPFILE_AVAILABLE_IN_1_0
GType g_tmp_persist_flags_get_type (void) G_GNUC_CONST;

#define G_TYPE_TMP_FILE (g_tmp_file_get_type ())
GTEMPFILE_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (GTmpFile, g_tmp_file, G, TMP_FILE, GFileIOStream)

/**
 * GTmpFileClass:
 * @parent_class: the parent class
 *
 * The class structure of [class@GTempfile.TmpFile].
 *
 * Since: 1.0
 */
struct _GTmpFileClass
{
  GFileIOStreamClass parent_class;

  /*< private >*/
  gpointer _reserved[12];
};

GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpFile *g_tmp_file_new          (const gchar          *dir,
                                   const gchar          *prefix,
                                   const gchar          *suffix,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpFile *g_tmp_file_new_full     (const gchar          *dir,
                                   const gchar          *prefix,
                                   const gchar          *suffix,
                                   guint                 mode,
                                   guint                 random_length,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
void      g_tmp_file_new_async    (const gchar          *dir,
                                   const gchar          *prefix,
                                   const gchar          *suffix,
                                   int                   io_priority,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpFile *g_tmp_file_new_finish   (GAsyncResult         *result,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0 G_GNUC_WARN_UNUSED_RESULT
GTmpFile *g_tmp_file_new_at       (gint                  dfd,
                                   const gchar          *dir,
                                   const gchar          *prefix,
                                   const gchar          *suffix,
                                   guint                 mode,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
gint      g_tmp_file_get_fd       (GTmpFile             *self,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
guint8   *g_tmp_file_read_data    (GTmpFile             *self,
                                   gsize                 count,
                                   gsize                *out_length,
                                   GCancellable         *cancellable,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean  g_tmp_file_write_data   (GTmpFile             *self,
                                   const guint8         *data,
                                   gsize                 length,
                                   GCancellable         *cancellable,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
goffset   g_tmp_file_seek_to      (GTmpFile             *self,
                                   goffset               offset,
                                   gint                  whence,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean  g_tmp_file_persist      (GTmpFile             *self,
                                   const gchar          *path,
                                   GTmpPersistFlags      flags,
                                   GCancellable         *cancellable,
                                   GError              **error);
GTEMPFILE_AVAILABLE_IN_1_0
void      g_tmp_file_persist_async  (GTmpFile           *self,
                                     const gchar        *path,
                                     GTmpPersistFlags    flags,
                                     int                 io_priority,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean  g_tmp_file_persist_finish (GTmpFile           *self,
                                     GAsyncResult       *result,
                                     GError            **error);

GTEMPFILE_AVAILABLE_IN_1_0
gboolean  g_tmp_file_persist_at     (GTmpFile           *self,
                                     gint                dfd,
                                     const gchar        *name,
                                     GTmpPersistFlags    flags,
                                     GCancellable       *cancellable,
                                     GError            **error);
GTEMPFILE_AVAILABLE_IN_1_0
void      g_tmp_file_persist_at_async  (GTmpFile           *self,
                                        gint                dfd,
                                        const gchar        *name,
                                        GTmpPersistFlags    flags,
                                        int                 io_priority,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
GTEMPFILE_AVAILABLE_IN_1_0
gboolean  g_tmp_file_persist_at_finish (GTmpFile           *self,
                                        GAsyncResult       *result,
                                        GError            **error);

G_END_DECLS
