/* test-stream.c — the classes' files and their streams, asserting success
 *
 * Making a file of any class, writing, seeking, truncating and persisting
 * it, and a model (a #GByteArray) of what it should hold.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

/**
 * test_write_all:
 * @out: a stream
 * @data: (array length=len): what to write
 * @len: how many bytes
 *
 * Writes all of @data to @out, asserting that it succeeded in full.
 */
void
test_write_all (GOutputStream *out,
                const void    *data,
                gsize          len)
{
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_output_stream_write_all (out, data, len, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, len);
}

/**
 * test_write:
 * @io_stream: (type GIOStream): a GIOStream (a GTmpFile, say)
 * @data: what to write
 * @len: its length, or -1 for a NUL-terminated string
 *
 * Writes all of @data to @io_stream's output stream at its position.
 */
void
test_write (gpointer     io_stream,
            const void  *data,
            gssize       len)
{
  if (len < 0)
    len = strlen (data);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (io_stream)), data, len);
}

/**
 * test_get_fd:
 * @tmp: (type GTmpFile): a GTmpFile
 *
 * Returns: @tmp's descriptor (g_tmp_file_get_fd(), which must succeed)
 */
gint
test_get_fd (gpointer tmp)
{
  g_autoptr(GError) error = NULL;
  gint fd = g_tmp_file_get_fd (G_TMP_FILE (tmp), &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/**
 * test_new_file:
 * @klass: which class
 * @dir: (type filename): where
 * @prefix: the name's prefix
 * @max_size: a spooled file's threshold (ignored for the others)
 *
 * Makes a file of @klass in @dir, which must succeed.
 *
 * Returns: (transfer full): the file, as a #GTmpFile
 */
GTmpFile *
test_new_file (TestFileClass  klass,
               const gchar   *dir,
               const gchar   *prefix,
               gsize          max_size)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp = NULL;

  switch (klass)
    {
    case TEST_CLASS_TMP_FILE:
      tmp = g_tmp_file_new (dir, prefix, NULL, &error);
      break;
    case TEST_CLASS_NAMED:
      tmp = G_TMP_FILE (g_named_tmp_file_new (dir, prefix, NULL, &error));
      break;
    case TEST_CLASS_SPOOLED:
      tmp = G_TMP_FILE (g_spooled_tmp_file_new (max_size, dir, prefix, NULL));
      break;
    case TEST_CLASS_TMP_DIR:
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_nonnull (tmp);
  return tmp;
}

/**
 * test_persist:
 * @tmp: (type GTmpFile): a GTmpFile
 * @dest: (type filename): where to
 * @flags: how
 *
 * g_tmp_file_persist(), which must succeed.
 */
void
test_persist (gpointer          tmp,
              const gchar      *dest,
              GTmpPersistFlags  flags)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_tmp_file_persist (G_TMP_FILE (tmp), dest, flags, NULL, &error));
  g_assert_no_error (error);
}

/**
 * test_model_write:
 * @model: what a file should hold
 * @pos: where the write is
 * @data: what it writes
 * @len: its length
 *
 * Updates @model as write(2) at @pos updates a file: writing past the end
 * leaves a hole of zeros; writing nothing there extends nothing.
 */
void
test_model_write (GByteArray   *model,
                  gsize         pos,
                  const guint8 *data,
                  gsize         len)
{
  if (len == 0)
    return;   /* (and an empty GByteArray's data may be NULL) */
  if (pos + len > model->len)
    test_model_truncate (model, pos + len);
  memcpy (model->data + pos, data, len);
}

/**
 * test_model_truncate:
 * @model: what a file should hold
 * @size: its new size
 *
 * Updates @model as ftruncate(2) to @size updates a file: what it grows by
 * reads as zeros.
 */
void
test_model_truncate (GByteArray *model,
                     gsize       size)
{
  gsize old = model->len;

  g_byte_array_set_size (model, size);
  if (size > old)
    memset (model->data + old, 0, size - old);
}

/**
 * test_truncate_with_model:
 * @seekable: (type GSeekable): a file, or one of its streams
 * @model: what it should hold
 * @size: its new size
 *
 * g_seekable_truncate(), which must succeed, and test_model_truncate().
 */
void
test_truncate_with_model (gpointer    seekable,
                          GByteArray *model,
                          gsize       size)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_seekable_truncate (G_SEEKABLE (seekable), size, NULL, &error));
  g_assert_no_error (error);
  test_model_truncate (model, size);
}

/**
 * test_seek:
 * @seekable: a stream
 * @offset: where to, relative to @type
 * @type: from where
 *
 * Seeks @seekable, asserting that it succeeded.
 */
void
test_seek (GSeekable *seekable,
           goffset    offset,
           GSeekType  type)
{
  g_autoptr(GError) error = NULL;

  g_seekable_seek (seekable, offset, type, NULL, &error);
  g_assert_no_error (error);
}
