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

static void seekable_init (GSeekableIface *iface);


/* Input stream */

struct _GTmpFileInputStream
{
  GInputStream  parent_instance;

  GTmpFileLink *link;  /* owned */
};

G_DEFINE_FINAL_TYPE_WITH_CODE (GTmpFileInputStream, _g_tmp_file_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      seekable_init))

static gssize
g_tmp_file_input_stream_read (GInputStream  *stream,
                              void          *buffer,
                              gsize          count,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GTmpFileInputStream *self = (GTmpFileInputStream *) stream;

  return _g_tmp_file_stream_transfer (self->link, FALSE, buffer, count, cancellable, error);
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

G_DEFINE_FINAL_TYPE_WITH_CODE (GTmpFileOutputStream, _g_tmp_file_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      seekable_init))

static gssize
g_tmp_file_output_stream_write (GOutputStream  *stream,
                                const void     *buffer,
                                gsize           count,
                                GCancellable   *cancellable,
                                GError        **error)
{
  GTmpFileOutputStream *self = (GTmpFileOutputStream *) stream;

  /* write() does not change the buffer. */
  return _g_tmp_file_stream_transfer (self->link, TRUE, (void *) buffer, count,
                                      cancellable, error);
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


/* GSeekable, the same for both streams */

static GTmpFileLink *
seekable_link (GSeekable *seekable)
{
  if (G_IS_TMP_FILE_INPUT_STREAM (seekable))
    return ((GTmpFileInputStream *) seekable)->link;

  return ((GTmpFileOutputStream *) seekable)->link;
}

/* GSeekable does not check "closed" for us, unlike read() and write(). */
static gboolean
seekable_check_open (GSeekable  *seekable,
                     GError    **error)
{
  gboolean closed;

  if (G_IS_INPUT_STREAM (seekable))
    closed = g_input_stream_is_closed (G_INPUT_STREAM (seekable));
  else
    closed = g_output_stream_is_closed (G_OUTPUT_STREAM (seekable));

  if (closed)
    {
      _g_tmp_file_set_closed_error (error, NULL);
      return FALSE;
    }

  return TRUE;
}

static goffset
seekable_tell (GSeekable *seekable)
{
  return _g_tmp_file_stream_tell (seekable_link (seekable));
}

static gboolean
seekable_can_seek (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
seekable_seek (GSeekable     *seekable,
               goffset        offset,
               GSeekType      type,
               GCancellable  *cancellable,
               GError       **error)
{
  if (!seekable_check_open (seekable, error))
    return FALSE;

  return _g_tmp_file_stream_seek (seekable_link (seekable), offset, type, cancellable, error);
}

/* Only the output side truncates. */
static gboolean
seekable_can_truncate (GSeekable *seekable)
{
  return G_IS_OUTPUT_STREAM (seekable);
}

static gboolean
seekable_truncate (GSeekable     *seekable,
                   goffset        size,
                   GCancellable  *cancellable,
                   GError       **error)
{
  if (!seekable_can_truncate (seekable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Truncate not allowed on input stream"));
      return FALSE;
    }

  if (!seekable_check_open (seekable, error))
    return FALSE;

  return _g_tmp_file_stream_truncate (seekable_link (seekable), size, cancellable, error);
}

static void
seekable_init (GSeekableIface *iface)
{
  iface->tell = seekable_tell;
  iface->can_seek = seekable_can_seek;
  iface->seek = seekable_seek;
  iface->can_truncate = seekable_can_truncate;
  iface->truncate_fn = seekable_truncate;
}
