/* gtmp-fileio.c — GTmpFile's one-call I/O for language bindings
 *
 * A binding that reads 4 KiB through the streams makes three calls into C
 * (get the stream, read_bytes, get the data), each costing more than the
 * copy itself; a seek followed by a tell makes two. These do each job in one
 * call, through the same lock and store as the streams, so a binding and
 * the streams always see the same bytes and the same position.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <unistd.h>

#include "gtmp-file-private.h"
#include "gtmp-stream.h"

/* The most g_tmp_file_read_data() reads from a descriptor in one call. */
#define READ_MAX ((gsize) 16 << 20)

/* What is left to read at the position of a store without a descriptor
 * (a spooled file in memory), under the file's lock. */
static goffset
read_data_available (GTmpFilePrivate *priv,
                     GTmpFile        *self)
{
  goffset size = priv->store->get_size (self, NULL);
  goffset position = priv->store->tell (self);

  return size > position ? size - position : 0;
}

/**
 * g_tmp_file_read_data:
 * @self: a #GTmpFile
 * @count: the most bytes to read
 * @out_length: (out): return location for the number of bytes read
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads up to @count bytes at the position and advances it, as one read on
 * the input stream of @self would, but in one call that returns the bytes:
 * meant for language bindings, for which each call into C costs more than
 * copying a few kilobytes (the Python override's `read()` on a
 * [class@GTempfile.SpooledTmpFile] kept in memory is one call to this).
 *
 * Like a read on the stream it may return fewer bytes than asked for (from a
 * file on disk, at most 16 MiB at a time); an empty result (with
 * *@out_length 0) means end of file.
 *
 * Returns: (transfer full) (array length=out_length) (nullable): the bytes
 *   read, or %NULL with @error set (%G_IO_ERROR_CLOSED once closed,
 *   %G_IO_ERROR_PENDING while a persist is in flight)
 *
 * Since: 1.0
 */
guint8 *
g_tmp_file_read_data (GTmpFile      *self,
                      gsize          count,
                      gsize         *out_length,
                      GCancellable  *cancellable,
                      GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  g_autofree guint8 *buffer = NULL;
  GTmpFileLink *link;
  GTmpFile *file;
  gssize n;

  g_return_val_if_fail (G_IS_TMP_FILE (self), NULL);
  g_return_val_if_fail (out_length != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *out_length = 0;

  link = _g_tmp_file_get_link (self, priv);
  if (!_g_tmp_file_link_begin (link, &file, error))
    return NULL;

  /* The buffer is allocated before the read: never more than there is to
   * read in memory, nor than READ_MAX from a descriptor (the size of a file
   * on disk would cost a system call to learn). */
  count = MIN (count, priv->fd >= 0 ? READ_MAX : (gsize) read_data_available (priv, self));
  buffer = g_malloc (MAX (count, 1));
  n = priv->store->read (self, buffer, count, cancellable, error);
  _g_tmp_file_link_end (link, file);

  if (n < 0)
    return NULL;

  *out_length = n;

  /* A short read at the end of a file gives back what it did not use. */
  if ((gsize) n < count / 2)
    return g_realloc (g_steal_pointer (&buffer), MAX (n, 1));

  return g_steal_pointer (&buffer);
}

/**
 * g_tmp_file_write_data:
 * @self: a #GTmpFile
 * @data: (array length=length) (element-type guint8): the bytes to write
 * @length: the number of bytes in @data
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes all of @data at the position and advances it past them, as
 * [method@Gio.OutputStream.write_all] on the output stream of @self would,
 * in one call: meant for language bindings (see
 * [method@GTempfile.TmpFile.read_data]). A [class@GTempfile.SpooledTmpFile]
 * rolls over as it does for a write on its stream.
 *
 * On failure some of @data may have been written, as with
 * g_output_stream_write_all().
 *
 * Returns: %TRUE on success, %FALSE with @error set (%G_IO_ERROR_CLOSED
 *   once closed, %G_IO_ERROR_NO_SPACE, …)
 *
 * Since: 1.0
 */
gboolean
g_tmp_file_write_data (GTmpFile      *self,
                       const guint8  *data,
                       gsize          length,
                       GCancellable  *cancellable,
                       GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  GTmpFileLink *link;

  g_return_val_if_fail (G_IS_TMP_FILE (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  link = _g_tmp_file_get_link (self, priv);

  /* Even for nothing, so that a closed file says so. */
  do
    {
      gssize n = _g_tmp_file_stream_transfer (link, TRUE, (void *) data,
                                              MIN (length, (gsize) G_MAXSSIZE),
                                              cancellable, error);

      if (n < 0)
        return FALSE;

      data += n;
      length -= n;
    }
  while (length > 0);

  return TRUE;
}

/**
 * g_tmp_file_seek_to:
 * @self: a #GTmpFile
 * @offset: the offset, relative to @whence
 * @whence: `SEEK_SET`, `SEEK_CUR` or `SEEK_END`, as for lseek()
 * @error: return location for a #GError
 *
 * Moves the position of @self, as [method@Gio.Seekable.seek] does, and
 * returns the new one, which would otherwise take a second call
 * ([method@Gio.Seekable.tell]): meant for language bindings whose `seek()`
 * returns the position, such as Python's (see
 * [method@GTempfile.TmpFile.read_data]).
 *
 * @whence is lseek()'s, which is what such a `seek()` takes (Python's
 * `os.SEEK_SET` and so on), rather than a #GSeekType; and moving the
 * position never waits for anything, so there is no cancellable: every
 * argument costs a binding something on each call, an enumeration most.
 *
 * Returns: the new position, or -1 with @error set
 *   (%G_IO_ERROR_INVALID_ARGUMENT for a position before the start or
 *   another @whence, %G_IO_ERROR_CLOSED once closed)
 *
 * Since: 1.0
 */
goffset
g_tmp_file_seek_to (GTmpFile  *self,
                    goffset    offset,
                    gint       whence,
                    GError   **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  GTmpFileLink *link;
  GTmpFile *file;
  GSeekType type;
  goffset position;

  g_return_val_if_fail (G_IS_TMP_FILE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  switch (whence)
    {
    case SEEK_SET:
      type = G_SEEK_SET;
      break;
    case SEEK_CUR:
      type = G_SEEK_CUR;
      break;
    case SEEK_END:
      type = G_SEEK_END;
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid seek origin %d"), whence);
      return -1;
    }

  /* Seek and tell under one lock: no other thread's read comes between. */
  link = _g_tmp_file_get_link (self, priv);
  if (!_g_tmp_file_link_begin (link, &file, error))
    return -1;

  if (priv->store->seek (self, offset, type, NULL, error))
    position = priv->store->tell (self);
  else
    position = -1;
  _g_tmp_file_link_end (link, file);

  return position;
}
