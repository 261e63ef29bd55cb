/* gtmp-stream.c — GTmpFile's input and output streams
 *
 * Thin streams: they hold their file's link and forward every call through
 * it (gtmp-stream.h explains why there is no state here). With the default
 * store a read or write on these streams is one read(2) or write(2).
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gtmp-stream.h"

static void
set_no_truncate_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("Truncate not allowed on input stream"));
}


/* Input stream */

struct _GTmpFileInputStream
{
  GInputStream  parent_instance;

  GTmpFileLink *link;  /* owned */
};

static void g_tmp_file_input_stream_seekable_init (GSeekableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GTmpFileInputStream, _g_tmp_file_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      g_tmp_file_input_stream_seekable_init))

static gssize
g_tmp_file_input_stream_read (GInputStream  *stream,
                              void          *buffer,
                              gsize          count,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GTmpFileInputStream *self = (GTmpFileInputStream *) stream;

  return _g_tmp_file_stream_read (self->link, buffer, count, cancellable, error);
}

/* GInputStream's default skip() seeks to the end to measure, and asserts
 * when the position is already past it; this one is also cheaper. */
static gssize
g_tmp_file_input_stream_skip (GInputStream  *stream,
                              gsize          count,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GTmpFileInputStream *self = (GTmpFileInputStream *) stream;

  return _g_tmp_file_stream_skip (self->link, count, cancellable, error);
}

static goffset
g_tmp_file_input_stream_tell (GSeekable *seekable)
{
  GTmpFileInputStream *self = G_TMP_FILE_INPUT_STREAM (seekable);

  return _g_tmp_file_stream_tell (self->link);
}

static gboolean
g_tmp_file_input_stream_can_seek (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
g_tmp_file_input_stream_seek (GSeekable     *seekable,
                              goffset        offset,
                              GSeekType      type,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GTmpFileInputStream *self = G_TMP_FILE_INPUT_STREAM (seekable);

  /* GSeekable does not check "closed" for us, unlike read(). */
  if (g_input_stream_is_closed (G_INPUT_STREAM (self)))
    {
      _g_tmp_file_set_closed_error (error, NULL);
      return FALSE;
    }

  return _g_tmp_file_stream_seek (self->link, offset, type, cancellable, error);
}

static gboolean
g_tmp_file_input_stream_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
g_tmp_file_input_stream_truncate (GSeekable     *seekable,
                                  goffset        size,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  set_no_truncate_error (error);
  return FALSE;
}

static void
g_tmp_file_input_stream_seekable_init (GSeekableIface *iface)
{
  iface->tell = g_tmp_file_input_stream_tell;
  iface->can_seek = g_tmp_file_input_stream_can_seek;
  iface->seek = g_tmp_file_input_stream_seek;
  iface->can_truncate = g_tmp_file_input_stream_can_truncate;
  iface->truncate_fn = g_tmp_file_input_stream_truncate;
}

static void
g_tmp_file_input_stream_finalize (GObject *object)
{
  GTmpFileInputStream *self = (GTmpFileInputStream *) object;

  _g_tmp_file_link_unref (self->link);

  G_OBJECT_CLASS (_g_tmp_file_input_stream_parent_class)->finalize (object);
}

static void
_g_tmp_file_input_stream_class_init (GTmpFileInputStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = g_tmp_file_input_stream_finalize;

  /* No close_fn: closing one side must not close the shared file; the file
   * closes both sides when it is closed itself. */
  stream_class->read_fn = g_tmp_file_input_stream_read;
  stream_class->skip = g_tmp_file_input_stream_skip;
}

static void
_g_tmp_file_input_stream_init (GTmpFileInputStream *self)
{
}

GInputStream *
_g_tmp_file_input_stream_new (GTmpFileLink *link)
{
  GTmpFileInputStream *self;

  self = g_object_new (G_TYPE_TMP_FILE_INPUT_STREAM, NULL);
  self->link = _g_tmp_file_link_ref (link);

  return G_INPUT_STREAM (self);
}


/* Output stream */

struct _GTmpFileOutputStream
{
  GOutputStream  parent_instance;

  GTmpFileLink  *link;  /* owned */
};

static void g_tmp_file_output_stream_seekable_init (GSeekableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GTmpFileOutputStream, _g_tmp_file_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      g_tmp_file_output_stream_seekable_init))

static gssize
g_tmp_file_output_stream_write (GOutputStream  *stream,
                                const void     *buffer,
                                gsize           count,
                                GCancellable   *cancellable,
                                GError        **error)
{
  GTmpFileOutputStream *self = (GTmpFileOutputStream *) stream;

  return _g_tmp_file_stream_write (self->link, buffer, count, cancellable, error);
}

static goffset
g_tmp_file_output_stream_tell (GSeekable *seekable)
{
  GTmpFileOutputStream *self = G_TMP_FILE_OUTPUT_STREAM (seekable);

  return _g_tmp_file_stream_tell (self->link);
}

static gboolean
g_tmp_file_output_stream_can_seek (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
g_tmp_file_output_stream_check_open (GTmpFileOutputStream  *self,
                                     GError               **error)
{
  if (g_output_stream_is_closed (G_OUTPUT_STREAM (self)))
    {
      _g_tmp_file_set_closed_error (error, NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
g_tmp_file_output_stream_seek (GSeekable     *seekable,
                               goffset        offset,
                               GSeekType      type,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GTmpFileOutputStream *self = G_TMP_FILE_OUTPUT_STREAM (seekable);

  if (!g_tmp_file_output_stream_check_open (self, error))
    return FALSE;

  return _g_tmp_file_stream_seek (self->link, offset, type, cancellable, error);
}

static gboolean
g_tmp_file_output_stream_can_truncate (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
g_tmp_file_output_stream_truncate (GSeekable     *seekable,
                                   goffset        size,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  GTmpFileOutputStream *self = G_TMP_FILE_OUTPUT_STREAM (seekable);

  if (!g_tmp_file_output_stream_check_open (self, error))
    return FALSE;

  return _g_tmp_file_stream_truncate (self->link, size, cancellable, error);
}

static void
g_tmp_file_output_stream_seekable_init (GSeekableIface *iface)
{
  iface->tell = g_tmp_file_output_stream_tell;
  iface->can_seek = g_tmp_file_output_stream_can_seek;
  iface->seek = g_tmp_file_output_stream_seek;
  iface->can_truncate = g_tmp_file_output_stream_can_truncate;
  iface->truncate_fn = g_tmp_file_output_stream_truncate;
}

static void
g_tmp_file_output_stream_finalize (GObject *object)
{
  GTmpFileOutputStream *self = (GTmpFileOutputStream *) object;

  _g_tmp_file_link_unref (self->link);

  G_OBJECT_CLASS (_g_tmp_file_output_stream_parent_class)->finalize (object);
}

static void
_g_tmp_file_output_stream_class_init (GTmpFileOutputStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = g_tmp_file_output_stream_finalize;

  /* Unbuffered, so no flush; no close_fn for the same reason as the input
   * side. */
  stream_class->write_fn = g_tmp_file_output_stream_write;
}

static void
_g_tmp_file_output_stream_init (GTmpFileOutputStream *self)
{
}

GOutputStream *
_g_tmp_file_output_stream_new (GTmpFileLink *link)
{
  GTmpFileOutputStream *self;

  self = g_object_new (G_TYPE_TMP_FILE_OUTPUT_STREAM, NULL);
  self->link = _g_tmp_file_link_ref (link);

  return G_OUTPUT_STREAM (self);
}
