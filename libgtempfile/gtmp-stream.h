/* gtmp-stream.h — GTmpFile's input and output streams (private)
 *
 * The streams handed out by g_io_stream_get_input_stream() and
 * g_io_stream_get_output_stream() hold no descriptor and no position of
 * their own: every call goes to the file, which checks that it is open and
 * dispatches to its GTmpFileStore (see gtempfile-private.h). So the two
 * streams, the GFileIOStream's GSeekable and a descriptor obtained with
 * g_tmp_file_get_fd() all share one position.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtempfile-private.h"

G_BEGIN_DECLS

#define G_TYPE_TMP_FILE_INPUT_STREAM (_g_tmp_file_input_stream_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GTmpFileInputStream, _g_tmp_file_input_stream, G, TMP_FILE_INPUT_STREAM, GInputStream)

#define G_TYPE_TMP_FILE_OUTPUT_STREAM (_g_tmp_file_output_stream_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GTmpFileOutputStream, _g_tmp_file_output_stream, G, TMP_FILE_OUTPUT_STREAM, GOutputStream)

/* The streams do not reference @file (the file owns them, as GIOStream
 * requires); the file detaches them when it goes away, after which every
 * call on them reports G_IO_ERROR_CLOSED. */
G_GNUC_INTERNAL
GInputStream  *_g_tmp_file_input_stream_new     (GTmpFile              *file);
G_GNUC_INTERNAL
GOutputStream *_g_tmp_file_output_stream_new    (GTmpFile              *file);
G_GNUC_INTERNAL
void           _g_tmp_file_input_stream_detach  (GTmpFileInputStream   *self);
G_GNUC_INTERNAL
void           _g_tmp_file_output_stream_detach (GTmpFileOutputStream  *self);

/* Implemented in gtmpfile.c: the file's side of the streams. Each reports
 * G_IO_ERROR_CLOSED once the file is closed and otherwise calls the store. */
G_GNUC_INTERNAL
gssize         _g_tmp_file_stream_read          (GTmpFile              *file,
                                                 void                  *buffer,
                                                 gsize                  count,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
G_GNUC_INTERNAL
gssize         _g_tmp_file_stream_write         (GTmpFile              *file,
                                                 const void            *buffer,
                                                 gsize                  count,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
/* Moves the position forward by up to @count bytes, never past the end. */
G_GNUC_INTERNAL
gssize         _g_tmp_file_stream_skip          (GTmpFile              *file,
                                                 gsize                  count,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
G_GNUC_INTERNAL
goffset        _g_tmp_file_stream_tell          (GTmpFile              *file);
G_GNUC_INTERNAL
gboolean       _g_tmp_file_stream_seek          (GTmpFile              *file,
                                                 goffset                offset,
                                                 GSeekType              type,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
G_GNUC_INTERNAL
gboolean       _g_tmp_file_stream_truncate      (GTmpFile              *file,
                                                 goffset                size,
                                                 GCancellable          *cancellable,
                                                 GError               **error);

G_END_DECLS
