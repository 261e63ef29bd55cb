/* test-tmpfile.c — GTmpFile: an anonymous temporary file as a GIO stream
 *
 * Checked on disk: no directory entry, data written through the streams is
 * in the file (pread on the descriptor), one shared position, truncate and
 * size, modes, close-on-exec, closing and the last unref free the file, fork,
 * async construction, cancellation, and errors for bad directories (as uid
 * 65534 in a forked child, since tests run as root).
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-testing.h"
#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static gboolean
fd_is_open (gint fd)
{
  return fcntl (fd, F_GETFD) != -1 || errno != EBADF;
}

/* Everything in the file behind @fd, read with pread (no position change). */
static GBytes *
fd_contents (gint fd)
{
  struct stat st;
  guint8 *data;
  gssize n;

  g_assert_no_errno (fstat (fd, &st));
  data = g_malloc (st.st_size + 1);
  n = pread (fd, data, st.st_size, 0);
  g_assert_cmpint (n, ==, st.st_size);
  return g_bytes_new_take (data, st.st_size);
}

static GByteArray *
random_bytes (gsize n)
{
  GByteArray *array = g_byte_array_sized_new (n);
  gsize i;

  g_byte_array_set_size (array, n);
  for (i = 0; i < n; i++)
    array->data[i] = g_test_rand_int_range (0, 256);
  return array;
}

static GTmpFile *
new_in (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp = g_tmp_file_new (dir, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_TMP_FILE (tmp));
  return tmp;
}

/* ------------------------------------------------------------------------ */
/* Anonymity and lifetime                                                    */

static void
test_no_directory_entry (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  gint fd = test_get_fd (tmp);
  g_autofree gchar *proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree gchar *target = NULL;
  struct stat st;

  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "data", 4);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  g_assert_no_errno (fstat (fd, &st));
  g_assert_cmpuint (st.st_nlink, ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_size, ==, 4);

  target = g_file_read_link (proc, NULL);
  g_assert_nonnull (target);
  g_assert_true (g_str_has_prefix (target, dir));
  g_assert_true (g_str_has_suffix (target, "(deleted)"));

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* What assert_closed() tries. */
typedef enum
{
  OP_GET_FD,
  OP_QUERY_INFO,
  OP_SEEK_FILE,
  OP_READ,
  OP_SKIP,
  OP_SEEK_IN,
  OP_WRITE,
  OP_FLUSH,
  OP_SEEK_OUT,
  OP_TRUNCATE_OUT,
} ClosedOp;

/* Every one of @ops fails with G_IO_ERROR_CLOSED: on @tmp (the OP_…_FILE
 * and the first two), @in or @out. */
static void
assert_closed (GTmpFile       *tmp,
               GInputStream   *in,
               GOutputStream  *out,
               const ClosedOp *ops,
               gsize           n_ops)
{
  for (gsize i = 0; i < n_ops; i++)
    {
      g_autoptr(GError) error = NULL;
      gchar buf[4];
      gboolean failed = FALSE;

      switch (ops[i])
        {
        case OP_GET_FD:
          failed = g_tmp_file_get_fd (tmp, &error) == -1;
          break;
        case OP_QUERY_INFO:
          failed = g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp), "standard::size",
                                                NULL, &error) == NULL;
          break;
        case OP_SEEK_FILE:
          failed = !g_seekable_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET, NULL, &error);
          break;
        case OP_READ:
          failed = g_input_stream_read (in, buf, sizeof buf, NULL, &error) == -1;
          break;
        case OP_SKIP:
          failed = g_input_stream_skip (in, 1, NULL, &error) == -1;
          break;
        case OP_SEEK_IN:
          failed = !g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, &error);
          break;
        case OP_WRITE:
          failed = g_output_stream_write (out, "x", 1, NULL, &error) == -1;
          break;
        case OP_FLUSH:
          failed = !g_output_stream_flush (out, NULL, &error);
          break;
        case OP_SEEK_OUT:
          failed = !g_seekable_seek (G_SEEKABLE (out), 0, G_SEEK_SET, NULL, &error);
          break;
        case OP_TRUNCATE_OUT:
          failed = !g_seekable_truncate (G_SEEKABLE (out), 0, NULL, &error);
          break;
        default:
          g_assert_not_reached ();
        }
      g_assert_true (failed);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
    }
}

static void
test_close_frees (void)
{
  static const ClosedOp ops[] = {
    OP_GET_FD, OP_READ, OP_WRITE, OP_SEEK_FILE, OP_SEEK_IN, OP_TRUNCATE_OUT, OP_QUERY_INFO,
  };
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  g_autoptr(GError) error = NULL;
  gint fd = test_get_fd (tmp);

  test_write_all (out, "data", 4);
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (tmp)));
  g_assert_false (fd_is_open (fd));

  /* Every way in reports "closed". */
  assert_closed (tmp, in, out, ops, G_N_ELEMENTS (ops));

  /* Closing again is fine. */
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_streams_after_close (void)
{
  static const ClosedOp ops[] = {
    OP_READ, OP_SKIP, OP_WRITE, OP_SEEK_IN, OP_TRUNCATE_OUT,
  };
  static const ClosedOp flush[] = { OP_FLUSH };
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  g_autoptr(GError) error = NULL;
  GInputStream *in;
  GOutputStream *out;

  /* Streams first asked for once the file is closed work no better. */
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  assert_closed (tmp, in, out, ops, G_N_ELEMENTS (ops));

  /* They are closed streams, also to GIO's own checks (found by
   * fuzz-ops: a flush after close succeeded). */
  g_assert_true (g_input_stream_is_closed (in));
  g_assert_true (g_output_stream_is_closed (out));
  assert_closed (tmp, in, out, flush, G_N_ELEMENTS (flush));

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_unref_frees (void)
{
  static const ClosedOp ops[] = { OP_READ, OP_WRITE, OP_SEEK_OUT };
  gchar *dir = test_scratch_new ();
  GTmpFile *tmp = new_in (dir);
  g_autoptr(GInputStream) in = g_object_ref (g_io_stream_get_input_stream (G_IO_STREAM (tmp)));
  g_autoptr(GOutputStream) out = g_object_ref (g_io_stream_get_output_stream (G_IO_STREAM (tmp)));
  gint fd = test_get_fd (tmp);

  test_write_all (out, "data", 4);
  g_object_unref (tmp);
  g_assert_false (fd_is_open (fd));

  /* Streams kept alive by the caller outlive the file safely. */
  assert_closed (NULL, in, out, ops, G_N_ELEMENTS (ops));

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_fork (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  g_autoptr(GError) error = NULL;
  gint status = 0;
  gchar buf[8] = { 0, };
  pid_t pid;

  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "parent", 6);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child's copy goes away; the parent's file must not. */
      g_object_unref (tmp);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));

  test_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET);
  g_input_stream_read_all (in, buf, 6, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buf, ==, "parent");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_cloexec (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  gint fd = test_get_fd (tmp);
  gint inheritable;
  gint status = 0;
  pid_t pid;

  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  /* A program run by a child does not get it; a control descriptor without
   * FD_CLOEXEC shows that the check can see one that is inherited. */
  inheritable = dup (fd);
  g_assert_cmpint (inheritable, >=, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree gchar *script =
        g_strdup_printf ("test ! -e /proc/self/fd/%d && test -e /proc/self/fd/%d",
                         fd, inheritable);

      execl ("/bin/sh", "sh", "-c", script, (char *) NULL);
      _exit (127);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  close (inheritable);
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* Streams                                                                   */

static void
test_small_roundtrip (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  gchar buf[16] = { 0, };
  gsize n = 0;

  /* The same objects every time. */
  g_assert_true (in == g_io_stream_get_input_stream (G_IO_STREAM (tmp)));
  g_assert_true (out == g_io_stream_get_output_stream (G_IO_STREAM (tmp)));

  test_write_all (out, "hello", 5);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 5);

  on_disk = fd_contents (test_get_fd (tmp));
  g_assert_cmpmem (g_bytes_get_data (on_disk, NULL), g_bytes_get_size (on_disk), "hello", 5);

  /* At the end: nothing to read. */
  g_assert_cmpint (g_input_stream_read (in, buf, sizeof buf, NULL, &error), ==, 0);
  g_assert_no_error (error);

  test_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET);
  g_input_stream_read_all (in, buf, sizeof buf, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpstr (buf, ==, "hello");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_large_roundtrip (void)
{
  static const gsize chunks[] = { 1, 7, 4093, 65536, 65537, 1048577, 3 };
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  g_autoptr(GByteArray) data = random_bytes (5 * 1024 * 1024 + 3);
  g_autofree guint8 *back = g_malloc (data->len);
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gsize done;
  guint i;

  for (done = 0, i = 0; done < data->len; i++)
    {
      gsize len = MIN (chunks[i % G_N_ELEMENTS (chunks)], data->len - done);

      test_write_all (out, data->data + done, len);
      done += len;
    }
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (out)), ==, data->len);

  /* On disk, byte for byte. */
  on_disk = fd_contents (test_get_fd (tmp));
  g_assert_cmpmem (g_bytes_get_data (on_disk, NULL), g_bytes_get_size (on_disk),
                   data->data, data->len);

  info = g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp), G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_size (info), ==, data->len);

  /* And back through the input stream, in other odd sizes. */
  test_seek (G_SEEKABLE (in), 0, G_SEEK_SET);
  for (done = 0, i = 3; done < data->len; i++)
    {
      gsize want = MIN (chunks[i % G_N_ELEMENTS (chunks)], data->len - done);
      gsize got = 0;

      g_input_stream_read_all (in, back + done, want, &got, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (got, ==, want);
      done += got;
    }
  g_assert_cmpmem (back, data->len, data->data, data->len);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Random reads, writes, seeks and truncates through all three seekables
 * (the file, its input and its output stream), checked against a model. */
static void
test_interleaved (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  GSeekable *seekables[] = { G_SEEKABLE (tmp), G_SEEKABLE (in), G_SEEKABLE (out) };
  g_autoptr(GByteArray) model = g_byte_array_new ();
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(GError) error = NULL;
  gsize pos = 0;
  guint step;

  for (step = 0; step < 3000; step++)
    {
      GSeekable *seekable = seekables[g_test_rand_int_range (0, 3)];
      gsize len = g_test_rand_int_range (0, 9000);

      switch (g_test_rand_int_range (0, 5))
        {
        case 0:
          {
            g_autoptr(GByteArray) chunk = random_bytes (len);

            test_write_all (out, chunk->data, len);
            test_model_write (model, pos, chunk->data, len);
            pos += len;
          }
          break;

        case 1:
          {
            g_autofree guint8 *buf = g_malloc (len + 1);
            gsize expect = pos < model->len ? MIN (len, model->len - pos) : 0;
            gsize got = 0;

            g_input_stream_read_all (in, buf, len, &got, NULL, &error);
            g_assert_no_error (error);
            g_assert_cmpuint (got, ==, expect);
            g_assert_cmpmem (buf, got, model->data + pos, expect);
            pos += got;
          }
          break;

        case 2:
          {
            gsize target = g_test_rand_int_range (0, model->len + 100);

            switch (g_test_rand_int_range (0, 3))
              {
              case 0:
                test_seek (seekable, target, G_SEEK_SET);
                break;
              case 1:
                test_seek (seekable, (goffset) target - (goffset) pos, G_SEEK_CUR);
                break;
              default:
                test_seek (seekable, (goffset) target - (goffset) model->len, G_SEEK_END);
                break;
              }
            pos = target;
          }
          break;

        case 3:
          {
            gsize size = g_test_rand_int_range (0, model->len + 5000);
            GSeekable *truncatable = g_test_rand_bit () ? G_SEEKABLE (tmp) : G_SEEKABLE (out);
            test_truncate_with_model (truncatable, model, size);
          }
          break;

        default:
          {
            gsize expect = pos < model->len ? MIN (len, model->len - pos) : 0;
            gssize skipped = g_input_stream_skip (in, len, NULL, &error);

            g_assert_no_error (error);
            g_assert_cmpint (skipped, ==, expect);
            pos += skipped;
          }
          break;
        }

      g_assert_cmpint (g_seekable_tell (seekables[step % 3]), ==, pos);
    }

  on_disk = fd_contents (test_get_fd (tmp));
  g_assert_cmpmem (g_bytes_get_data (on_disk, NULL), g_bytes_get_size (on_disk),
                   model->data, model->len);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* As with write(): nothing written past the end extends nothing, and the
 * first byte written there leaves a hole of zeros before it. */
static void
test_empty_write_past_end (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  const guint8 *bytes;
  gint fd = test_get_fd (tmp);
  struct stat st;
  gsize size;

  test_write_all (out, "ab", 2);
  test_seek (G_SEEKABLE (out), 100, G_SEEK_SET);
  g_assert_true (g_output_stream_write_all (out, "", 0, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 100);
  g_assert_no_errno (fstat (fd, &st));
  g_assert_cmpint (st.st_size, ==, 2);

  test_write_all (out, "z", 1);
  on_disk = fd_contents (fd);
  bytes = g_bytes_get_data (on_disk, &size);
  g_assert_cmpuint (size, ==, 101);
  g_assert_cmpmem (bytes, 2, "ab", 2);
  for (gsize i = 2; i < 100; i++)
    g_assert_cmpuint (bytes[i], ==, 0);
  g_assert_cmpuint (bytes[100], ==, 'z');

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_shared_position_with_fd (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  g_autoptr(GError) error = NULL;
  gint fd = test_get_fd (tmp);
  gchar buf[4] = { 0, };

  /* Written through the descriptor, seen by the streams, and back. */
  g_assert_cmpint (write (fd, "abcdef", 6), ==, 6);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (in)), ==, 6);
  g_assert_cmpint (lseek (fd, 2, SEEK_SET), ==, 2);
  g_input_stream_read_all (in, buf, 3, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buf, ==, "cde");
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 5);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* doc/flatpak.md: a copy of the descriptor (what g_unix_fd_list_append()
 * sends) lets another process read the nameless file; the copies share
 * one offset, so the receiver reads with pread() and leaves the sender's
 * position alone, where read() would move it. */
static void
test_descriptor_copy (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  gint copy = fcntl (test_get_fd (tmp), F_DUPFD_CLOEXEC, 0);
  gint status = 0;
  gchar buf[8] = { 0, };
  pid_t pid;

  g_assert_cmpint (copy, >=, 0);
  test_write (tmp, "shared", -1);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (pread (copy, buf, 6, 0) == 6 && memcmp (buf, "shared", 6) == 0)
        test_child_succeed ();  /* not _exit (0): see there, for valgrind */
      _exit (1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 6);

  g_assert_cmpint (lseek (copy, 0, SEEK_SET), ==, 0);
  g_assert_cmpint (read (copy, buf, 2), ==, 2);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 2);
  g_assert_no_errno (close (copy));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_truncate (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  gint fd = test_get_fd (tmp);
  struct stat st;
  const guint8 *bytes;
  gsize i;

  test_write_all (out, "0123456789", 10);

  g_assert_true (g_seekable_can_truncate (G_SEEKABLE (tmp)));
  g_assert_true (g_seekable_can_truncate (G_SEEKABLE (out)));
  g_assert_true (g_seekable_can_seek (G_SEEKABLE (tmp)));
  g_assert_true (g_seekable_can_seek (G_SEEKABLE (in)));

  /* Shrinking does not move the position. */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (tmp), 4, NULL, &error));
  g_assert_no_error (error);
  g_assert_no_errno (fstat (fd, &st));
  g_assert_cmpint (st.st_size, ==, 4);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 10);

  /* Growing fills with zeros. */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (out), 4096, NULL, &error));
  g_assert_no_error (error);
  on_disk = fd_contents (fd);
  g_assert_cmpuint (g_bytes_get_size (on_disk), ==, 4096);
  bytes = g_bytes_get_data (on_disk, NULL);
  g_assert_cmpmem (bytes, 4, "0123", 4);
  for (i = 4; i < 4096; i++)
    g_assert_cmpuint (bytes[i], ==, 0);

  /* The input side does not truncate, and a negative size is refused. */
  g_assert_false (g_seekable_can_truncate (G_SEEKABLE (in)));
  g_assert_false (g_seekable_truncate (G_SEEKABLE (in), 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (g_seekable_truncate (G_SEEKABLE (tmp), -1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_no_errno (fstat (fd, &st));
  g_assert_cmpint (st.st_size, ==, 4096);

  /* Seeking before the start is refused and changes nothing. */
  g_assert_false (g_seekable_seek (G_SEEKABLE (tmp), -1, G_SEEK_SET, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 10);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_query_info (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInfo) only_size = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "12345", 5);
  g_assert_no_errno (fstat (test_get_fd (tmp), &st));

  info = g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp),
                                      "standard::size,standard::type,unix::mode,unix::inode",
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_size (info), ==, 5);
  g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_REGULAR);
  g_assert_cmpuint (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE), ==, st.st_mode);
  g_assert_cmpuint (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE) & 07777, ==, 0600);
  g_assert_cmpuint (g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE), ==, st.st_ino);

  /* Only what was asked for. */
  only_size = g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp), "standard::size", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_info_has_attribute (only_size, G_FILE_ATTRIBUTE_STANDARD_SIZE));
  g_assert_false (g_file_info_has_attribute (only_size, G_FILE_ATTRIBUTE_UNIX_MODE));

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
query_info_async_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GFileInfo **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_file_io_stream_query_info_finish (G_FILE_IO_STREAM (source), result, &error);
  g_assert_no_error (error);
}

static void
test_query_info_async (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  g_autoptr(GFileInfo) info = NULL;

  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "123", 3);
  g_file_io_stream_query_info_async (G_FILE_IO_STREAM (tmp), "standard::size",
                                     G_PRIORITY_DEFAULT, NULL, query_info_async_cb, &info);
  while (info == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_file_info_get_size (info), ==, 3);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* Construction                                                              */

static void
test_modes (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) plain = new_in (dir);
  g_autoptr(GTmpFile) shared = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;
  guint mode = 0;

  g_assert_no_errno (fstat (test_get_fd (plain), &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);

  shared = g_initable_new (G_TYPE_TMP_FILE, NULL, &error,
                           "dir", dir, "mode", 0640, NULL);
  g_assert_no_error (error);
  g_assert_no_errno (fstat (test_get_fd (shared), &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0640);
  g_object_get (shared, "mode", &mode, NULL);
  g_assert_cmpuint (mode, ==, 0640);

  g_clear_object (&plain);
  g_clear_object (&shared);
  test_scratch_free (dir);
}

/* The length of the random part, readable as a property, and used for the
 * name an anonymous file has for an instant where the file system refuses
 * O_TMPFILE (seen by inotify). In a subprocess: the refusal is remembered. */
static void
test_full_anonymous_random_length (void)
{
  static const guint lengths[] = { 0, 8, 16, 128 };

  if (g_test_subprocess ())
    {
      gchar *dir = test_scratch_new ();
      guint i;

      _g_tmp_core_refuse_tmpfile (dir);
      for (i = 0; i < G_N_ELEMENTS (lengths); i++)
        {
          guint expected = lengths[i] != 0 ? lengths[i] : 8;
          g_autofree gchar *pattern = test_name_pattern ("anon-", expected, ".x");
          g_autoptr(GError) error = NULL;
          g_autoptr(GTmpFile) tmp = NULL;
          g_autoptr(GPtrArray) created = NULL;
          guint random_length = 0;
          gint watch = test_watch_creations (dir);

          tmp = g_tmp_file_new_full (dir, "anon-", ".x", 0, lengths[i], &error);
          g_assert_no_error (error);
          created = test_read_creations (watch);
          g_assert_cmpuint (created->len, ==, 1);
          g_assert_true (g_regex_match_simple (pattern, created->pdata[0], 0, 0));
          g_assert_cmpuint (test_count_entries (dir), ==, 0);

          g_object_get (tmp, "random-length", &random_length, NULL);
          g_assert_cmpuint (random_length, ==, expected);
        }

      test_scratch_free (dir);
      return;
    }

  test_run_in_subprocess ();
}

static void
test_properties (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *got_dir = NULL;
  g_autofree gchar *got_prefix = NULL;
  g_autofree gchar *got_suffix = NULL;

  tmp = g_tmp_file_new (dir, "pre", ".suf", &error);
  g_assert_no_error (error);
  g_object_get (tmp, "dir", &got_dir, "prefix", &got_prefix, "suffix", &got_suffix, NULL);
  g_assert_cmpstr (got_dir, ==, dir);
  g_assert_cmpstr (got_prefix, ==, "pre");
  g_assert_cmpstr (got_suffix, ==, ".suf");
  g_assert_true (G_IS_FILE_IO_STREAM (tmp));
  g_assert_true (G_IS_SEEKABLE (tmp));
  g_assert_true (G_IS_INITABLE (tmp));
  g_assert_true (G_IS_ASYNC_INITABLE (tmp));
  g_assert_true (G_TYPE_IS_DERIVABLE (G_TYPE_TMP_FILE));
  g_assert_true (G_TYPE_IS_FLAGS (G_TYPE_TMP_PERSIST_FLAGS));
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_missing_dir (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp;

  tmp = g_tmp_file_new (missing, NULL, NULL, &error);
  g_assert_null (tmp);
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  test_scratch_free (dir);
}

static void
test_bad_affix (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *sub = g_build_filename (dir, "sub", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (mkdir (sub, 0700));
  g_assert_null (g_tmp_file_new (sub, "../", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (g_tmp_file_new (sub, NULL, "/x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  g_assert_cmpuint (test_count_entries (sub), ==, 0);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

static void
test_cancelled (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTmpFile) tmp = new_in (dir);
  g_autoptr(GError) error = NULL;
  GObject *object;
  gchar buf[4];

  g_cancellable_cancel (cancellable);

  object = g_initable_new (G_TYPE_TMP_FILE, cancellable, &error, "dir", dir, NULL);
  g_assert_null (object);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Stream operations honour it too, and leave the data alone. */
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "abc", 3);
  g_assert_cmpint (g_output_stream_write (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
                                          "def", 3, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  test_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (tmp)),
                                        buf, sizeof buf, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 0);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

typedef struct
{
  GMainContext *context;
  GThread      *thread;
  GTmpFile     *file;
  GError       *error;
  gboolean      done;
} AsyncData;

static void
new_async_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncData *data = user_data;

  /* In the caller's thread and thread-default context. */
  g_assert_true (g_thread_self () == data->thread);
  g_assert_true (g_main_context_get_thread_default () == data->context);

  data->file = g_tmp_file_new_finish (result, &data->error);
  data->done = TRUE;
}

static void
test_new_async (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  AsyncData data = { context, g_thread_self (), NULL, NULL, FALSE };
  struct stat st;

  g_main_context_push_thread_default (context);
  g_tmp_file_new_async (dir, NULL, NULL, G_PRIORITY_DEFAULT, NULL, new_async_cb, &data);
  while (!data.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_assert_no_error (data.error);
  g_assert_true (G_IS_TMP_FILE (data.file));
  g_assert_no_errno (fstat (test_get_fd (data.file), &st));
  g_assert_cmpuint (st.st_nlink, ==, 0);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  g_clear_object (&data.file);
  test_scratch_free (dir);
}

static void
test_new_async_cancelled (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncData data = { NULL, g_thread_self (), NULL, NULL, FALSE };

  g_cancellable_cancel (cancellable);
  g_tmp_file_new_async (dir, NULL, NULL, G_PRIORITY_DEFAULT, cancellable, new_async_cb, &data);
  while (!data.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_null (data.file);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  test_scratch_free (dir);
}

static void
test_new_async_error (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  AsyncData data = { NULL, g_thread_self (), NULL, NULL, FALSE };

  g_tmp_file_new_async (missing, NULL, NULL, G_PRIORITY_DEFAULT, NULL, new_async_cb, &data);
  while (!data.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_null (data.file);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&data.error);

  test_scratch_free (dir);
}

/* new_async()'s result carries its own source tag, and new_finish()
 * refuses any other result with a critical. (It carried GLib's internal
 * tag, and new_finish() given a persist result returned the persisted
 * file.) */
typedef struct
{
  GAsyncResult *result;
  gboolean      tagged;
} TagCheck;

static void
check_tag_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TagCheck *check = user_data;

  check->tagged = g_async_result_is_tagged (result, g_tmp_file_new_async);
  check->result = g_object_ref (result);
}

static void
test_new_finish_foreign (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GAsyncResult) persisted = NULL;
  g_autoptr(GTask) other = NULL;
  g_autoptr(GError) error = NULL;
  TagCheck check = { NULL, FALSE };

  g_tmp_file_new_async (dir, NULL, NULL, G_PRIORITY_DEFAULT, NULL, check_tag_cb, &check);
  while (check.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (check.tagged);
  tmp = g_tmp_file_new_finish (check.result, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TMP_FILE (tmp));
  g_clear_object (&check.result);

  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &persisted);
  test_wait_result (&persisted);

  test_assert_foreign_result ((TestFinishFunc) g_tmp_file_new_finish, "g_tmp_file_new_finish",
                              persisted);

  /* The other way round: persist_finish() refuses a result that is not its
   * own, with a critical naming itself (not an internal helper). */
  other = g_task_new (tmp, NULL, NULL, NULL);
  g_task_set_source_tag (other, test_new_finish_foreign);
  g_task_return_boolean (other, TRUE);
  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_tmp_file_persist_finish: assertion *_async call* failed");
  g_assert_false (g_tmp_file_persist_finish (tmp, G_ASYNC_RESULT (other), &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_true (g_tmp_file_persist_finish (tmp, persisted, &error));
  g_assert_no_error (error);

  g_clear_object (&persisted);
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_concurrent_init_async (void)
{
  gchar *dir = test_scratch_new ();
  guint fds = test_count_open_fds ();

  for (guint i = 0; i < 60; i++)
    {
      GTmpFile *tmp = g_object_new (G_TYPE_TMP_FILE, "dir", dir, NULL);

      test_init_async_twice (tmp);
      g_assert_cmpint (test_get_fd (tmp), >=, 0);

      /* At most: an earlier test's file may still have been finalizing
       * (in a worker) when @fds was counted. */
      test_unref_and_wait (tmp);
      g_assert_cmpuint (test_count_open_fds (), <=, fds);
    }

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* ------------------------------------------------------ concurrency */

/* Issue 17, defect 3 for the descriptor-backed classes: the file goes away
 * (last unref, dispose, close) while an asynchronous write runs. The
 * stream used to reach into the freed file for its descriptor, or write to
 * a closed descriptor (EBADF, or a file that reused its number). */
static void
test_race_write (gconstpointer data)
{
  TestRace race = GPOINTER_TO_INT (data) & 0xff;
  gboolean named = GPOINTER_TO_INT (data) >> 8;
  guint iterations = test_race_iterations (1000);
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  guint got_in = 0;

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(GError) error = NULL;
      gpointer file;

      if (named)
        file = g_named_tmp_file_new (NULL, NULL, NULL, &error);
      else
        file = g_tmp_file_new (NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      got_in += test_race_async_write (file, race, 256 * 1024, g_rand_int_range (rand, 0, 400));
    }

  g_test_message ("%u of %u writes got in before the file went away", got_in, iterations);
}

int
main (int   argc,
      char *argv[])
{
  umask (022);
  test_init (&argc, &argv, "tmpfile");

  /* Tests that fork come before any that start worker threads. */
  g_test_add_func ("/tmp-file/fork/unref-in-child", test_fork);
  g_test_add_func ("/tmp-file/fork/cloexec", test_cloexec);
  g_test_add_data_func ("/tmp-file/fork/unwritable-dir", GINT_TO_POINTER (TEST_CLASS_TMP_FILE),
                        test_check_unwritable_dir);
  g_test_add_func ("/tmp-file/anonymous/no-entry", test_no_directory_entry);
  g_test_add_func ("/tmp-file/anonymous/close-frees", test_close_frees);
  g_test_add_func ("/tmp-file/anonymous/unref-frees", test_unref_frees);
  g_test_add_func ("/tmp-file/anonymous/streams-after-close", test_streams_after_close);
  g_test_add_func ("/tmp-file/streams/small", test_small_roundtrip);
  g_test_add_func ("/tmp-file/streams/large", test_large_roundtrip);
  g_test_add_func ("/tmp-file/streams/interleaved", test_interleaved);
  g_test_add_func ("/tmp-file/streams/empty-write-past-end", test_empty_write_past_end);
  g_test_add_func ("/tmp-file/streams/fd-position", test_shared_position_with_fd);
  g_test_add_func ("/tmp-file/streams/descriptor-copy", test_descriptor_copy);
  g_test_add_func ("/tmp-file/truncate", test_truncate);
  g_test_add_func ("/tmp-file/query-info", test_query_info);
  g_test_add_func ("/tmp-file/modes", test_modes);
  g_test_add_data_func ("/tmp-file/full/modes", GINT_TO_POINTER (TEST_CLASS_TMP_FILE), test_check_full_modes);
  g_test_add_func ("/tmp-file/full/random-length", test_full_anonymous_random_length);
  g_test_add_data_func ("/tmp-file/full/random-length-invalid", GINT_TO_POINTER (TEST_CLASS_TMP_FILE),
                        test_check_full_random_length_invalid);
  g_test_add_func ("/tmp-file/properties", test_properties);
  g_test_add_func ("/tmp-file/errors/missing-dir", test_missing_dir);
  g_test_add_func ("/tmp-file/errors/bad-affix", test_bad_affix);
  g_test_add_func ("/tmp-file/cancelled", test_cancelled);
  g_test_add_func ("/tmp-file/async/query-info", test_query_info_async);
  g_test_add_func ("/tmp-file/async/new", test_new_async);
  g_test_add_func ("/tmp-file/async/cancelled", test_new_async_cancelled);
  g_test_add_func ("/tmp-file/async/error", test_new_async_error);
  g_test_add_func ("/tmp-file/async/finish-foreign", test_new_finish_foreign);
  g_test_add_func ("/tmp-file/async/concurrent-init", test_concurrent_init_async);
  test_add_race_write ("/tmp-file/concurrency/write-async", "", 0, test_race_write);
  test_add_race_write ("/tmp-file/concurrency/write-async", "-named", 1 << 8, test_race_write);

  return test_run ();
}
