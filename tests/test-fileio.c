/* test-fileio.c — GTmpFile's one-call I/O for bindings (read_data,
 * write_data, seek_to), interleaved with the GIO streams
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <unistd.h>

#include "gtempfile.h"
#include "test-util.h"

/* Which side does the next operation: the streams or the entry points. */
typedef enum {
  SIDE_STREAMS,
  SIDE_ENTRY_POINTS,
} Side;

typedef struct {
  TestFileClass klass;
  gsize         max_size;   /* spooled only */
} Case;

static const Case case_tmpfile = { TEST_CLASS_TMP_FILE, 0 };
static const Case case_named = { TEST_CLASS_NAMED, 0 };
static const Case case_spooled_memory = { TEST_CLASS_SPOOLED, 0 };
static const Case case_spooled_rolling = { TEST_CLASS_SPOOLED, 3000 };

static guint8
pattern (goffset i,
         guint   step)
{
  return (guint8) ((i * 131 + 7 * step) % 251);
}

static void
read_entry (GTmpFile  *tmp,
            gsize      count,
            guint8   **out_data,
            gsize     *out_len)
{
  g_autoptr(GError) error = NULL;

  *out_data = g_tmp_file_read_data (tmp, count, out_len, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out_data);
  g_assert_cmpuint (*out_len, <=, count);
}

static void
read_streams (GTmpFile  *tmp,
              gsize      count,
              guint8   **out_data,
              gsize     *out_len)
{
  g_autoptr(GError) error = NULL;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  guint8 *data = g_malloc (MAX (count, 1));

  g_input_stream_read_all (in, data, count, out_len, NULL, &error);
  g_assert_no_error (error);
  *out_data = data;
}

/* Everything a step can check: what the side just read matches the model
 * at the position, and both sides agree on the position. */
static void
assert_position (GTmpFile *tmp,
                 goffset   expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, expected);
  g_assert_cmpint (g_tmp_file_seek_to (tmp, 0, SEEK_CUR, &error), ==, expected);
  g_assert_no_error (error);
}

/* Operations alternate between the two sides, and every kind of operation
 * is done by both, at every offset class (start, middle, end, past the
 * end): each step is checked against a model of the file. */
static void
test_interleaved (gconstpointer data)
{
  const Case *c = data;
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (c->klass, dir, NULL, c->max_size);
  g_autoptr(GByteArray) model = g_byte_array_new ();
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  goffset pos = 0;

  for (guint step = 0; step < 400; step++)
    {
      Side side = step % 2 == 0 ? SIDE_STREAMS : SIDE_ENTRY_POINTS;
      g_autoptr(GError) error = NULL;
      guint op = (step / 2) % 5;
      gsize len = 1 + (step * 97) % 700;

      switch (op)
        {
        case 0: case 1:  /* write */
          {
            g_autofree guint8 *buf = g_malloc (len);

            for (gsize i = 0; i < len; i++)
              buf[i] = pattern (pos + i, step);
            if (side == SIDE_STREAMS)
              test_write_all (out, buf, len);
            else
              g_assert_true (g_tmp_file_write_data (tmp, buf, len, NULL, &error));
            g_assert_no_error (error);
            test_model_write (model, pos, buf, len);
            pos += len;
          }
          break;

        case 2:  /* read */
          {
            g_autofree guint8 *got = NULL;
            gsize n, want;

            want = pos < (goffset) model->len ? MIN (len, (gsize) (model->len - pos)) : 0;
            if (side == SIDE_STREAMS)
              read_streams (tmp, len, &got, &n);
            else
              read_entry (tmp, len, &got, &n);
            g_assert_cmpmem (got, n, model->data + MIN (pos, (goffset) model->len), (gssize) want);
            pos += n;
          }
          break;

        case 3:  /* seek: set, relative, from the end, past the end */
          {
            goffset to = (step * 131) % (model->len + 200);
            GSeekType type = (GSeekType[]) { G_SEEK_SET, G_SEEK_CUR, G_SEEK_END }[step % 3];
            goffset offset = type == G_SEEK_SET ? to : type == G_SEEK_CUR ? to - pos
                                                                            : to - (goffset) model->len;

            if (side == SIDE_STREAMS)
              test_seek (G_SEEKABLE (tmp), offset, type);
            else
              {
                gint whence = type == G_SEEK_SET ? SEEK_SET : type == G_SEEK_CUR ? SEEK_CUR : SEEK_END;

                g_assert_cmpint (g_tmp_file_seek_to (tmp, offset, whence, &error), ==, to);
                g_assert_no_error (error);
              }
            pos = to;
          }
          break;

        case 4:  /* truncate, through the streams' side only (no entry point) */
          {
            gsize size = (step * 53) % (model->len + 100);

            test_truncate_with_model (tmp, model, size);
          }
          break;

        default:
          g_assert_not_reached ();
        }

      assert_position (tmp, pos);
    }

  /* The whole file, both ways. */
  for (Side side = SIDE_STREAMS; side <= SIDE_ENTRY_POINTS; side++)
    {
      g_autofree guint8 *got = NULL;
      gsize n;

      test_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET);
      if (side == SIDE_STREAMS)
        read_streams (tmp, model->len + 10, &got, &n);
      else
        read_entry (tmp, G_MAXSIZE, &got, &n);
      g_assert_cmpmem (got, n, model->data, model->len);
    }

  if (c->max_size > 0)
    g_assert_true (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));
  else if (c->klass == TEST_CLASS_SPOOLED)
    g_assert_false (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));
}

/* write_data past max-size rolls the file over, as a write on the stream
 * does, and the bytes are on disk. */
static void
test_write_rolls_over (void)
{
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (TEST_CLASS_SPOOLED, dir, NULL, 10);
  g_autoptr(GError) error = NULL;
  gchar buf[16] = { 0, };
  gint fd;

  g_assert_true (g_tmp_file_write_data (tmp, (const guint8 *) "0123456789", 10, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));
  g_assert_true (g_tmp_file_write_data (tmp, (const guint8 *) "ab", 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));

  fd = test_get_fd (tmp);
  g_assert_cmpint (pread (fd, buf, sizeof buf, 0), ==, 12);
  g_assert_cmpstr (buf, ==, "0123456789ab");
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 12);
}

/* At the end: success, an empty result that is not NULL; a huge count in
 * memory gets what there is, not an allocation of that size. */
static void
test_read_end (gconstpointer data)
{
  const Case *c = data;
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (c->klass, dir, NULL, c->max_size);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *all = NULL;
  g_autofree guint8 *none = NULL;
  g_autofree guint8 *empty = NULL;
  gsize n = 99;

  test_write (tmp, "hello", 5);
  test_seek (G_SEEKABLE (tmp), 1, G_SEEK_SET);

  all = g_tmp_file_read_data (tmp, G_MAXSIZE, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (all, n, "ello", 4);

  n = 99;
  none = g_tmp_file_read_data (tmp, 4096, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (n, ==, 0);

  n = 99;
  empty = g_tmp_file_read_data (tmp, 0, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (empty);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 5);
}

/* A position before the start is refused and leaves the position alone. */
static void
test_seek_invalid (gconstpointer data)
{
  const Case *c = data;
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (c->klass, dir, NULL, c->max_size);
  g_autoptr(GError) error = NULL;

  test_write (tmp, "hello", 5);
  g_assert_cmpint (g_tmp_file_seek_to (tmp, -6, SEEK_CUR, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 5);
  g_clear_error (&error);

  g_assert_cmpint (g_tmp_file_seek_to (tmp, -2, SEEK_END, &error), ==, 3);
  g_assert_no_error (error);

  /* Not one of the three: refused, nothing moves (lseek() itself would
   * take SEEK_DATA). */
  g_assert_cmpint (g_tmp_file_seek_to (tmp, 0, 7, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 3);
  g_clear_error (&error);
  g_assert_cmpint (g_tmp_file_seek_to (tmp, 0, 3 /* SEEK_DATA */, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 3);
}

/* Closed: every entry point says so, and nothing is allocated for it. */
static void
test_closed (gconstpointer data)
{
  const Case *c = data;
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (c->klass, dir, NULL, c->max_size);
  g_autoptr(GError) error = NULL;
  gsize n = 99;

  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL));

  g_assert_null (g_tmp_file_read_data (tmp, 16, &n, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);

  g_assert_false (g_tmp_file_write_data (tmp, (const guint8 *) "x", 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  /* Even an empty write: it is still a write on a closed file. */
  g_assert_false (g_tmp_file_write_data (tmp, NULL, 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  g_assert_cmpint (g_tmp_file_seek_to (tmp, 0, SEEK_SET, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* A cancelled cancellable is honoured, as by the streams. */
static void
test_cancelled (void)
{
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (TEST_CLASS_TMP_FILE, dir, NULL, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gsize n;

  g_cancellable_cancel (cancellable);
  g_assert_false (g_tmp_file_write_data (tmp, (const guint8 *) "x", 1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (g_tmp_file_read_data (tmp, 1, &n, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 0);
}

/* From a file on disk one call reads at most 16 MiB, however much is
 * asked for, and the next call goes on from there. */
static void
test_read_limit (void)
{
  const gsize limit = 16 << 20;
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = test_new_file (TEST_CLASS_TMP_FILE, dir, NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = g_malloc (limit + 3);
  g_autofree guint8 *first = NULL;
  g_autofree guint8 *rest = NULL;
  gsize n;

  for (gsize i = 0; i < limit + 3; i++)
    data[i] = (guint8) (i * 31 + i / 65536);
  g_assert_true (g_tmp_file_write_data (tmp, data, limit + 3, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_tmp_file_seek_to (tmp, 0, SEEK_SET, &error), ==, 0);

  first = g_tmp_file_read_data (tmp, G_MAXSIZE, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (first, n, data, limit);
  rest = g_tmp_file_read_data (tmp, G_MAXSIZE, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (rest, n, data + limit, 3);
}

/* A write_data() the file system has no room for: G_IO_ERROR_NO_SPACE. */
static void
test_no_space (void)
{
  g_autofree gchar *dir = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = g_malloc0 (2 << 20);

  if (!test_enter_mount_namespace ())
    return;
  dir = test_scratch_new ();
  if (!test_mount_tmpfs (dir))
    return;

  tmp = test_new_file (TEST_CLASS_TMP_FILE, dir, NULL, 0);
  g_assert_false (g_tmp_file_write_data (tmp, data, 2 << 20, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}

static void
add_cases (const gchar   *name,
           GTestDataFunc  func)
{
  const struct { const gchar *suffix; const Case *c; } cases[] = {
    { "tmpfile", &case_tmpfile },
    { "named", &case_named },
    { "spooled-memory", &case_spooled_memory },
    { "spooled-rolling", &case_spooled_rolling },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/fileio/%s/%s", name, cases[i].suffix);

      g_test_add_data_func (path, cases[i].c, func);
    }
}

int
main (int    argc,
      char **argv)
{
  test_init (&argc, &argv, "fileio");

  add_cases ("interleaved", test_interleaved);
  add_cases ("read-end", test_read_end);
  add_cases ("seek-invalid", test_seek_invalid);
  add_cases ("closed", test_closed);
  g_test_add_func ("/fileio/write-rolls-over", test_write_rolls_over);
  g_test_add_func ("/fileio/cancelled", test_cancelled);
  g_test_add_func ("/fileio/read-limit", test_read_limit);
  g_test_add_func ("/fileio/no-space", test_no_space);

  return test_run ();
}
