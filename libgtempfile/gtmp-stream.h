/* gtmp-stream.h — GTmpFile's input and output streams (private)
 *
 * The streams handed out by g_io_stream_get_input_stream() and
 * g_io_stream_get_output_stream() hold no descriptor and no position of
 * their own: every call goes to the file, which checks that it is open and
 * dispatches to its GTmpFileStore (see gtempfile-private.h). So the two
 * streams, the GFileIOStream's GSeekable and a descriptor obtained with
 * g_tmp_file_get_fd() all share one position.
 *
 * Copyright 2026 The libgtempfile authors
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

/* What a file and its streams share: the lock that every operation on the
 * file's bytes holds, and a pointer to the file that dispose clears under
 * it. The streams cannot reference the file (the file owns them, as
 * GIOStream requires: that would be a cycle), so they reference this
 * instead. An operation on a stream locks it, finds the file (or reports
 * G_IO_ERROR_CLOSED) and keeps the lock while it runs: close and dispose
 * take the lock too, so they wait for the read or write that is running and
 * the file cannot go away under it. GIO keeps the stream alive for an
 * asynchronous operation (its GTask holds it), and the stream keeps this.
 * A file makes its link on first use (gtmpfile.c, get_link()). */
typedef struct _GTmpFileLink GTmpFileLink;
struct _GTmpFileLink
{
  gint           lock_pid; /* whose @lock and @notify (see link_lock()) */
  GMutex         lock;
  GTmpFile      *file;     /* (nullable) (not owned) NULL once disposed */
  GParamSpec    *notify;   /* (nullable) to notify once unlocked */
  gatomicrefcount ref_count;
};

G_GNUC_INTERNAL
GTmpFileLink  *_g_tmp_file_link_new             (GTmpFile              *file);
G_GNUC_INTERNAL
GTmpFileLink  *_g_tmp_file_link_ref             (GTmpFileLink          *link);
G_GNUC_INTERNAL
void           _g_tmp_file_link_unref           (GTmpFileLink          *link);

G_GNUC_INTERNAL
GInputStream  *_g_tmp_file_input_stream_new     (GTmpFileLink          *link);
G_GNUC_INTERNAL
GOutputStream *_g_tmp_file_output_stream_new    (GTmpFileLink          *link);

/* Implemented in gtmpfile.c: the file's side of the streams. Each locks
 * @link, reports G_IO_ERROR_CLOSED once the file is closed or gone and
 * otherwise calls the store. */
/* Reads into @buffer, or writes it if @writing (and leaves it unchanged). */
G_GNUC_INTERNAL
gssize         _g_tmp_file_stream_transfer      (GTmpFileLink          *link,
                                                 gboolean               writing,
                                                 void                  *buffer,
                                                 gsize                  count,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
/* Moves the position forward by up to @count bytes, never past the end. */
G_GNUC_INTERNAL
gssize         _g_tmp_file_stream_skip          (GTmpFileLink          *link,
                                                 gsize                  count,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
G_GNUC_INTERNAL
goffset        _g_tmp_file_stream_tell          (GTmpFileLink          *link);
G_GNUC_INTERNAL
gboolean       _g_tmp_file_stream_seek          (GTmpFileLink          *link,
                                                 goffset                offset,
                                                 GSeekType              type,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
G_GNUC_INTERNAL
gboolean       _g_tmp_file_stream_truncate      (GTmpFileLink          *link,
                                                 goffset                size,
                                                 GCancellable          *cancellable,
                                                 GError               **error);

G_END_DECLS
