/* test-spooled.c — GSpooledTmpFile: memory first, disk when it grows
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile.h"
#include "gtmp-core.h"
#include "gtmp-testing.h"
#include "test-util.h"

/* ----------------------------------------------------------- helpers */

/* Byte @i of the data the tests write: not periodic in any power of two, so
 * a chunk copied to the wrong offset shows. */
static guint8
pattern (goffset i)
{
  return (guint8) ((i * 131 + 7) % 251);
}

static guint8 *
make_pattern (goffset start,
              gsize   len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = pattern (start + i);

  return data;
}

static void
seek_to (GSpooledTmpFile *file,
         goffset          offset,
         GSeekType        type)
{
  test_seek (G_SEEKABLE (file), offset, type);
}

static goffset
tell (GSpooledTmpFile *file)
{
  return g_seekable_tell (G_SEEKABLE (file));
}

/* Reads up to @len bytes at the position; returns how many. */
static gsize
read_some (GSpooledTmpFile *file,
           guint8          *buffer,
           gsize            len)
{
  g_autoptr(GError) error = NULL;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (file));
  gsize n = 0;

  g_input_stream_read_all (in, buffer, len, &n, NULL, &error);
  g_assert_no_error (error);

  return n;
}

static goffset
query_size (GSpooledTmpFile *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_io_stream_query_info (G_FILE_IO_STREAM (file),
                                      G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_REGULAR);

  return g_file_info_get_size (info);
}

/* Asserts the whole content read through the streams is @expected, and
 * leaves the position where it was. */
static void
assert_content (GSpooledTmpFile *file,
                const guint8    *expected,
                gsize            len)
{
  goffset pos = tell (file);
  g_autofree guint8 *buffer = g_malloc (len + 1);

  seek_to (file, 0, G_SEEK_SET);
  g_assert_cmpuint (read_some (file, buffer, len + 1), ==, len);
  g_assert_true (len == 0 || memcmp (buffer, expected, len) == 0);
  g_assert_cmpint (query_size (file), ==, len);
  seek_to (file, pos, G_SEEK_SET);
}

/* Asserts what the kernel holds behind @fd: size, content and offset. */
static void
assert_fd_content (gint          fd,
                   const guint8 *expected,
                   gsize         len,
                   goffset       offset)
{
  g_autofree guint8 *buffer = g_malloc (len + 1);
  struct stat st;
  gsize done = 0;

  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_size, ==, len);

  while (done < len)
    {
      gssize n = pread (fd, buffer + done, len - done, done);

      g_assert_cmpint (n, >, 0);
      done += n;
    }
  g_assert_true (len == 0 || memcmp (buffer, expected, len) == 0);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, offset);
}

/* The descriptor of @file, which holds @len bytes of @expected and is at
 * @offset. */
static gint
assert_fd_of (GSpooledTmpFile *file,
              const guint8    *expected,
              gsize            len,
              goffset          offset)
{
  g_autoptr(GError) error = NULL;
  gint fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);

  g_assert_no_error (error);
  assert_fd_content (fd, expected, len, offset);
  return fd;
}

/* The directory the kernel says the open file @fd was created in. */
static gchar *
fd_dir (gint fd)
{
  g_autofree gchar *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree gchar *target = g_file_read_link (link, NULL);

  g_assert_nonnull (target);

  return g_path_get_dirname (target);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *n = user_data;

  g_assert_true (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (object)));
  (*n)++;
}

static gboolean
is_rolled_over (GSpooledTmpFile *file)
{
  gboolean prop = FALSE;

  g_object_get (file, "rolled-over", &prop, NULL);
  g_assert_cmpint (prop, ==, g_spooled_tmp_file_is_rolled_over (file));

  return prop;
}

/* --------------------------------------------------------- construction */

static void
test_new_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSpooledTmpFile) file = NULL;
  g_autoptr(GSpooledTmpFile) file2 = NULL;
  g_autoptr(GSpooledTmpFile) plain = NULL;
  GParamSpecUInt64 *pspec;
  guint64 max_size = 0;

  file = g_spooled_tmp_file_new (1234, NULL, NULL, NULL);
  g_assert_true (G_IS_TMP_FILE (file));
  g_assert_true (G_IS_FILE_IO_STREAM (file));
  g_assert_cmpuint (g_spooled_tmp_file_get_max_size (file), ==, 1234);
  g_object_get (file, "max-size", &max_size, NULL);
  g_assert_cmpuint (max_size, ==, 1234);
  g_assert_false (is_rolled_over (file));
  g_assert_true (g_seekable_can_seek (G_SEEKABLE (file)));
  g_assert_true (g_seekable_can_truncate (G_SEEKABLE (file)));

  /* GInitable construction, as the bindings do it. */
  file2 = g_initable_new (G_TYPE_SPOOLED_TMP_FILE, NULL, &error,
                          "max-size", (guint64) 10,
                          "prefix", "init-",
                          NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_spooled_tmp_file_get_max_size (file2), ==, 10);
  g_assert_false (is_rolled_over (file2));

  /* Documented range of max-size: 0 (no limit, the default) to G_MAXSIZE. */
  plain = g_object_new (G_TYPE_SPOOLED_TMP_FILE, NULL);
  g_assert_cmpuint (g_spooled_tmp_file_get_max_size (plain), ==, 0);
  pspec = G_PARAM_SPEC_UINT64 (g_object_class_find_property (G_OBJECT_GET_CLASS (plain),
                                                             "max-size"));
  g_assert_cmpuint (pspec->minimum, ==, 0);
  g_assert_cmpuint (pspec->maximum, ==, G_MAXSIZE);
  g_assert_cmpuint (pspec->default_value, ==, 0);

  /* DESIGN.md, Types: GSpooledTmpFile is final. */
  g_assert_true (G_TYPE_IS_FINAL (G_TYPE_SPOOLED_TMP_FILE));
}

/* DESIGN.md: every file class takes the `mode` construct property, and the
 * permanent file keeps the object's mode after persist. */
static void
test_persist_mode (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *path = g_build_filename (dir, "kept-0640.bin", NULL);
  g_autoptr(GSpooledTmpFile) file = NULL;
  guint mode = 0;
  struct stat st;

  file = g_initable_new (G_TYPE_SPOOLED_TMP_FILE, NULL, &error,
                         "max-size", (guint64) 0,
                         "dir", dir,
                         "mode", 0640,
                         NULL);
  g_assert_no_error (error);
  g_object_get (file, "mode", &mode, NULL);
  g_assert_cmpuint (mode, ==, 0640);

  test_write (file, "data", 4);
  g_assert_false (is_rolled_over (file));
  test_persist (G_TMP_FILE (file), path, G_TMP_PERSIST_NONE);
  g_assert_true (is_rolled_over (file));

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  test_assert_file_contents (path, "data");

  g_assert_true (g_io_stream_close (G_IO_STREAM (file), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&file);
  g_assert_cmpint (g_unlink (path), ==, 0);
  test_scratch_free (g_steal_pointer (&dir));
}

/* Async construction (GAsyncInitable) works like the synchronous one: the
 * object starts in memory, with no descriptor and no file, and rolls over
 * into the directory it was given. */
static void
test_new_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree guint8 *data = make_pattern (0, 5000);
  g_autofree guint8 *buffer = g_malloc (5000);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSpooledTmpFile) file = NULL;
  GObject *source;
  guint fds;

  g_async_initable_new_async (G_TYPE_SPOOLED_TMP_FILE, G_PRIORITY_DEFAULT, NULL,
                              test_store_result, &result,
                              "max-size", (guint64) 4096,
                              "dir", dir,
                              "prefix", "async-",
                              NULL);
  source = g_async_result_get_source_object (test_wait_result (&result));
  file = G_SPOOLED_TMP_FILE (g_async_initable_new_finish (G_ASYNC_INITABLE (source),
                                                          result, &error));
  g_object_unref (source);
  g_assert_no_error (error);
  g_assert_true (G_IS_SPOOLED_TMP_FILE (file));

  /* Counted now: the async machinery opens GLib's own wake-up descriptors.
   * The object itself holds none until it rolls over. */
  fds = test_count_open_fds ();
  g_assert_cmpuint (g_spooled_tmp_file_get_max_size (file), ==, 4096);
  g_assert_false (is_rolled_over (file));
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  test_write (file, data, 4096);
  g_assert_false (is_rolled_over (file));
  test_write (file, data + 4096, 904);
  g_assert_true (is_rolled_over (file));
  g_assert_cmpuint (test_count_open_fds (), ==, fds + 1);

  seek_to (file, 0, G_SEEK_SET);
  g_assert_cmpuint (read_some (file, buffer, 5000), ==, 5000);
  g_assert_true (memcmp (buffer, data, 5000) == 0);

  /* The async result holds the object too: drop both, and the file is gone
   * once the worker thread has let go of the task as well. */
  g_clear_object (&result);
  test_unref_and_wait (g_steal_pointer (&file));
  g_assert_cmpuint (test_count_open_fds (), ==, fds);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (g_steal_pointer (&dir));
}

/* Nothing on disk, no descriptor, until the rollover; then one descriptor,
 * in the given directory, and still no name in it. */
static void
test_no_fd_before_rollover (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *where = NULL;
  g_autofree guint8 *data = make_pattern (0, 300000);
  g_autofree guint8 *buffer = g_malloc (1000);
  g_autoptr(GSpooledTmpFile) file = NULL;
  guint fds = test_count_open_fds ();
  gint fd;

  file = g_spooled_tmp_file_new (0, dir, "spool-", ".bin");
  test_write (file, data, 300000);
  seek_to (file, 1000, G_SEEK_SET);
  g_assert_cmpuint (read_some (file, buffer, 1000), ==, 1000);
  g_assert_true (memcmp (buffer, data + 1000, 1000) == 0);
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 250000, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_size (file), ==, 250000);

  g_assert_cmpuint (test_count_open_fds (), ==, fds);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  g_assert_false (is_rolled_over (file));

  g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_open_fds (), ==, fds + 1);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
  g_assert_no_error (error);
  where = fd_dir (fd);
  g_assert_cmpstr (where, ==, dir);
  assert_fd_content (fd, data, 250000, 2000);

  g_assert_true (g_io_stream_close (G_IO_STREAM (file), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_open_fds (), ==, fds);
  test_remove_tree (dir);
}

/* The constructor cannot fail: bad affixes are reported by the rollover. */
static void
test_bad_affix (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autoptr(GSpooledTmpFile) file = NULL;
  g_autoptr(GSpooledTmpFile) file2 = NULL;

  file = g_spooled_tmp_file_new (10, dir, "../escape", NULL);
  g_assert_nonnull (file);
  test_write (file, "0123456789", 10);

  g_output_stream_write (g_io_stream_get_output_stream (G_IO_STREAM (file)),
                         "x", 1, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (is_rolled_over (file));
  g_assert_cmpint (tell (file), ==, 10);
  assert_content (file, (const guint8 *) "0123456789", 10);

  file2 = g_spooled_tmp_file_new (0, dir, NULL, "/x");
  g_assert_false (g_spooled_tmp_file_rollover (file2, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_remove_tree (dir);
}

/* A relative dir means the current directory at construction. */
static void
test_relative_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *sub = g_build_filename (dir, "sub", NULL);
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *where = NULL;
  g_autoptr(GSpooledTmpFile) file = NULL;
  gint fd;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_cmpint (g_chdir (dir), ==, 0);
  file = g_spooled_tmp_file_new (0, "sub", NULL, NULL);
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
  g_assert_no_error (error);
  where = fd_dir (fd);
  g_assert_cmpstr (where, ==, sub);

  g_clear_object (&file);
  test_remove_tree (sub);
  test_remove_tree (dir);
}

/* ------------------------------------------------------------ threshold */

static void
test_threshold_below (void)
{
  g_autofree guint8 *data = make_pattern (0, 99);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (100, NULL, NULL, NULL);

  test_write (file, data, 50);
  test_write (file, data + 50, 49);
  g_assert_false (is_rolled_over (file));
  g_assert_cmpint (tell (file), ==, 99);
  assert_content (file, data, 99);
}

/* A write ending exactly at max-size stays in memory; one more byte, even
 * written over existing data, rolls over. */
static void
test_threshold_exact (void)
{
  g_autofree guint8 *data = make_pattern (0, 101);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (100, NULL, NULL, NULL);
  guint notified = 0;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);

  test_write (file, data, 100);
  g_assert_false (is_rolled_over (file));
  seek_to (file, 0, G_SEEK_SET);
  test_write (file, data, 100);
  g_assert_false (is_rolled_over (file));
  g_assert_cmpuint (notified, ==, 0);

  test_write (file, data + 100, 1);
  g_assert_true (is_rolled_over (file));
  g_assert_cmpuint (notified, ==, 1);

  assert_fd_of (file, data, 101, 101);
  assert_content (file, data, 101);
}

/* A single write that crosses max-size goes to disk whole. */
static void
test_threshold_above (void)
{
  g_autofree guint8 *data = make_pattern (0, 200000);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (1000, NULL, NULL, NULL);

  test_write (file, data, 999);
  g_assert_false (is_rolled_over (file));
  test_write (file, data + 999, 200000 - 999);
  g_assert_true (is_rolled_over (file));
  g_assert_cmpint (tell (file), ==, 200000);

  assert_fd_of (file, data, 200000, 200000);
  assert_content (file, data, 200000);
}

/* max-size 0: never by size, however much is written. */
static void
test_threshold_unlimited (void)
{
  gsize len = 5 * 1024 * 1024 + 17;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);
  guint fds = test_count_open_fds ();

  test_write (file, data, len);
  g_assert_false (is_rolled_over (file));
  g_assert_cmpuint (test_count_open_fds (), ==, fds);
  assert_content (file, data, len);
}

/* ---------------------------------------------------------- reads, seeks */

/* Reads and seeks in both states, at offsets around chunk boundaries
 * (whatever the chunk size, a power of two between 4 KiB and 4 MiB). */
static void
check_seeks_and_reads (GSpooledTmpFile *file,
                       const guint8    *data,
                       gsize            len)
{
  guint8 buffer[300];

  for (goffset boundary = 4096; boundary < (goffset) len; boundary *= 2)
    {
      seek_to (file, boundary - 150, G_SEEK_SET);
      g_assert_cmpuint (read_some (file, buffer, 300), ==, 300);
      g_assert_true (memcmp (buffer, data + boundary - 150, 300) == 0);
      g_assert_cmpint (tell (file), ==, boundary + 150);
    }

  seek_to (file, -100, G_SEEK_END);
  g_assert_cmpint (tell (file), ==, len - 100);
  g_assert_cmpuint (read_some (file, buffer, 300), ==, 100);
  g_assert_true (memcmp (buffer, data + len - 100, 100) == 0);
  g_assert_cmpuint (read_some (file, buffer, 300), ==, 0);

  seek_to (file, -200, G_SEEK_CUR);
  g_assert_cmpint (tell (file), ==, len - 200);
  seek_to (file, 50, G_SEEK_CUR);
  g_assert_cmpuint (read_some (file, buffer, 10), ==, 10);
  g_assert_true (memcmp (buffer, data + len - 150, 10) == 0);

  /* Past the end: allowed, reads nothing, changes nothing. */
  seek_to (file, 1000, G_SEEK_END);
  g_assert_cmpint (tell (file), ==, len + 1000);
  g_assert_cmpuint (read_some (file, buffer, 10), ==, 0);
  g_assert_cmpint (query_size (file), ==, len);
}

static void
test_seek_read (void)
{
  g_autoptr(GError) error = NULL;
  gsize len = 9 * 1024 * 1024 + 333;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);

  test_write (file, data, len);

  check_seeks_and_reads (file, data, len);

  /* A seek before the start fails and keeps the position. */
  seek_to (file, 10, G_SEEK_SET);
  g_assert_false (g_seekable_seek (G_SEEKABLE (file), -11, G_SEEK_CUR, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (tell (file), ==, 10);
  g_assert_false (is_rolled_over (file));

  g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tell (file), ==, 10);
  check_seeks_and_reads (file, data, len);
  assert_content (file, data, len);
}

/* Streams obtained before the rollover keep working across it, with reads
 * and writes interleaved on the one shared position. */
static void
test_rollover_via_streams (void)
{
  g_autoptr(GError) error = NULL;
  gsize step = 10000;
  gsize len = 40 * step;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (128 * 1024, NULL, NULL, NULL);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (file));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (file));
  guint8 buffer[10000];
  guint notified = 0;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);

  for (gsize i = 0; i < 40; i++)
    {
      gsize n = 0;

      /* Write two steps, go back one, read it back: net one step. The
       * second write of step 12 crosses 128 KiB. */
      g_output_stream_write_all (out, data + i * step, step, &n, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_write_all (out, data + (i + 1) * step, MIN (step, len - (i + 1) * step),
                                 &n, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_seekable_seek (G_SEEKABLE (file), -(goffset) n, G_SEEK_CUR, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_input_stream_read_all (in, buffer, step, &n, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, MIN (step, len - (i + 1) * step));
      g_assert_true (memcmp (buffer, data + (i + 1) * step, n) == 0);

      g_assert_cmpint (g_spooled_tmp_file_is_rolled_over (file), ==, (i + 2) * step > 128 * 1024);
      g_assert_cmpint (tell (file), ==, MIN ((i + 2) * step, len));

      if (i + 1 < 40)
        g_assert_true (g_seekable_seek (G_SEEKABLE (file), -(goffset) n, G_SEEK_CUR, NULL, &error));
    }

  g_assert_cmpuint (notified, ==, 1);
  assert_fd_of (file, data, len, len);
  assert_content (file, data, len);
}

/* Asynchronous writes and reads (GIO runs them in worker threads) across
 * the rollover. */
static void
test_rollover_async (void)
{
  g_autoptr(GError) error = NULL;
  gsize len = 300000;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autofree guint8 *buffer = g_malloc (len);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (100000, NULL, NULL, NULL);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (file));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (file));
  guint notified = 0;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);

  for (gsize off = 0; off < len; off += 60000)
    {
      g_autoptr(GAsyncResult) result = NULL;
      gsize n = 0;

      g_output_stream_write_all_async (out, data + off, 60000, G_PRIORITY_DEFAULT,
                                       NULL, test_store_result, &result);
      g_assert_true (g_output_stream_write_all_finish (out, test_wait_result (&result), &n, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 60000);
      g_assert_cmpint (is_rolled_over (file), ==, off + 60000 > 100000);
    }
  g_assert_cmpuint (notified, ==, 1);

  seek_to (file, 0, G_SEEK_SET);
  {
    g_autoptr(GAsyncResult) result = NULL;
    gsize n = 0;

    g_input_stream_read_all_async (in, buffer, len, G_PRIORITY_DEFAULT,
                                   NULL, test_store_result, &result);
    g_assert_true (g_input_stream_read_all_finish (in, test_wait_result (&result), &n, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (buffer, n, data, len);
  }

  assert_fd_of (file, data, len, len);
}

/* ------------------------------------------------------- zero-fill */

static void
test_zero_fill (void)
{
  g_autoptr(GError) error = NULL;
  gsize fill = 1536 * 1024;
  gsize len = 5 * 1024 * 1024;
  g_autofree guint8 *expected = g_malloc0 (len);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);

  /* Fill the start with data (across a chunk boundary, for any chunk size
   * up to 1 MiB), cut it back, and grow it again in three ways: the bytes
   * that were cut must come back as zeros, not as what was there. */
  memset (expected, 0xaa, fill);
  test_write (file, expected, fill);
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 10, NULL, &error));
  g_assert_no_error (error);
  memset (expected + 10, 0, fill - 10);

  /* 1. truncate up */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 100, NULL, &error));
  g_assert_no_error (error);

  /* 2. seek past the end and write */
  seek_to (file, 200, G_SEEK_SET);
  test_write (file, "abc", 3);
  memcpy (expected + 200, "abc", 3);

  /* 3. far past the end, several chunks of any size in between */
  seek_to (file, 2 * 1024 * 1024 + 5, G_SEEK_SET);
  test_write (file, "xyz", 3);
  memcpy (expected + 2 * 1024 * 1024 + 5, "xyz", 3);

  /* and a write into the middle of that gap */
  seek_to (file, 1024 * 1024 + 7, G_SEEK_SET);
  test_write (file, "mid", 3);
  memcpy (expected + 1024 * 1024 + 7, "mid", 3);

  /* and a truncate up beyond all that, leaving whole chunks of gap */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), len, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tell (file), ==, 1024 * 1024 + 10);

  g_assert_false (is_rolled_over (file));
  assert_content (file, expected, len);

  /* The same bytes on disk after the rollover. */
  assert_fd_of (file, expected, len, 1024 * 1024 + 10);
  assert_content (file, expected, len);
}

/* With max-size 0 a seek far past the end cannot make us allocate without
 * bound: past 1 TiB a write is refused, and changes nothing. */
static void
test_too_large (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (file));
  goffset tib = (goffset) 1 << 40;
  guint8 buffer[3];

  test_write (file, "abc", 3);
  seek_to (file, tib, G_SEEK_SET);
  g_assert_cmpint (g_output_stream_write (out, "x", 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpint (tell (file), ==, tib);
  g_assert_cmpint (query_size (file), ==, 3);

  g_assert_false (g_seekable_truncate (G_SEEKABLE (file), tib + 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpint (query_size (file), ==, 3);

  /* Up to the limit, a gap costs nothing and reads as zeros. */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), tib, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_size (file), ==, tib);
  seek_to (file, -3, G_SEEK_END);
  g_assert_cmpuint (read_some (file, buffer, 3), ==, 3);
  g_assert_cmpmem (buffer, 3, "\0\0\0", 3);
  g_assert_false (is_rolled_over (file));

  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 3, NULL, &error));
  g_assert_no_error (error);
  assert_content (file, (const guint8 *) "abc", 3);
}

/* ------------------------------------------------------------ truncate */

static void
test_truncate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = make_pattern (0, 100);
  g_autofree guint8 *expected = g_malloc0 (101);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (100, NULL, NULL, NULL);
  guint notified = 0;
  gint fd;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
  test_write (file, data, 80);

  /* Down, and up to exactly max-size: in memory; the position stays. */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 50, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tell (file), ==, 80);
  g_assert_cmpint (query_size (file), ==, 50);
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 100, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (is_rolled_over (file));
  memcpy (expected, data, 50);
  assert_content (file, expected, 100);

  /* Past max-size: rolls over, to the requested size. */
  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 101, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (is_rolled_over (file));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (tell (file), ==, 80);

  fd = assert_fd_of (file, expected, 101, 80);

  g_assert_true (g_seekable_truncate (G_SEEKABLE (file), 0, NULL, &error));
  g_assert_no_error (error);
  assert_fd_content (fd, expected, 0, 80);
}

/* ----------------------------------------------- get_fd, persist, notify */

static void
test_get_fd_rollover (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = make_pattern (0, 70000);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (1000000, NULL, NULL, NULL);
  guint notified = 0;
  gint fd, fd2;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
  test_write (file, data, 70000);
  seek_to (file, 12345, G_SEEK_SET);

  fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (is_rolled_over (file));
  assert_fd_content (fd, data, 70000, 12345);
  g_assert_cmpint (tell (file), ==, 12345);

  /* The same descriptor, no second rollover, nothing else notified. */
  fd2 = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd2, ==, fd);
  g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_no_error (error);
  test_write (file, "more", 4);
  g_assert_cmpuint (notified, ==, 1);

  g_assert_true (g_io_stream_close (G_IO_STREAM (file), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_tmp_file_get_fd (G_TMP_FILE (file), &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void
test_closed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);
  guint fds = test_count_open_fds ();

  test_write (file, "data", 4);
  g_assert_true (g_io_stream_close (G_IO_STREAM (file), NULL, &error));
  g_assert_no_error (error);

  g_assert_false (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_tmp_file_get_fd (G_TMP_FILE (file), &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_false (is_rolled_over (file));
  g_assert_cmpuint (test_count_open_fds (), ==, fds);
}

static void
test_persist_rollover (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *path = g_build_filename (dir, "kept.bin", NULL);
  g_autofree guint8 *data = make_pattern (0, 150000);
  g_autofree gchar *contents = NULL;
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, dir, NULL, NULL);
  gsize len = 0;
  struct stat st;

  test_write (file, data, 150000);
  g_assert_false (is_rolled_over (file));

  test_persist (G_TMP_FILE (file), path, G_TMP_PERSIST_NONE);
  g_assert_true (is_rolled_over (file));

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 150000);
  g_assert_true (memcmp (contents, data, len) == 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* Still open, writing to the permanent file. */
  test_write (file, "tail", 4);
  g_assert_true (g_io_stream_close (G_IO_STREAM (file), NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpuint (len, ==, 150004);
  g_assert_true (memcmp (contents + 150000, "tail", 4) == 0);

  g_clear_object (&file);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  test_remove_tree (dir);
}

static void
record_notify_thread (GObject    *object,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  GThread **thread = user_data;

  g_assert_null (*thread);
  *thread = g_thread_self ();
}

/* persist_async rolls over in a worker thread, but the notification is
 * for the caller's thread: bindings such as GJS cannot run a handler
 * anywhere else. */
static void
test_persist_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *path = g_build_filename (dir, "kept.bin", NULL);
  g_autofree guint8 *data = make_pattern (0, 100000);
  g_autofree gchar *contents = NULL;
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, dir, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  GThread *notified_in = NULL;
  gsize len = 0;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (record_notify_thread), &notified_in);
  test_write (file, data, 100000);

  g_tmp_file_persist_async (G_TMP_FILE (file), path, G_TMP_PERSIST_NONE,
                            G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  g_assert_true (g_tmp_file_persist_finish (G_TMP_FILE (file), test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (is_rolled_over (file));
  g_assert_true (notified_in == g_thread_self ());

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, data, 100000);

  g_clear_object (&file);
  test_remove_tree (dir);
}

/* ------------------------------------- notify::rolled-over's thread */

/* Where and how often notify::rolled-over was emitted. */
typedef struct
{
  guint     count;
  GThread  *thread;
  gboolean  context_owned;    /* the handler ran in the main loop's context */
  gboolean  rolled_over;      /* what the getter said in the handler */
} RolloverNotify;

/* This thread's thread-default main context, without a reference. */
static GMainContext *
thread_default_context (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  return context != NULL ? context : g_main_context_default ();
}

static void
record_rollover_notify (GObject    *object,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  RolloverNotify *notify = user_data;

  notify->count++;
  notify->thread = g_thread_self ();
  notify->context_owned = g_main_context_is_owner (thread_default_context ());
  notify->rolled_over = g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (object));
}

/* The write's callback: a rollover has been notified by then. */
static void
write_async_record (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RolloverNotify *notify = g_object_get_data (source, "rollover-notify");
  GSpooledTmpFile *file = g_object_get_data (source, "spooled-file");

  g_assert_cmpuint (notify->count, ==, g_spooled_tmp_file_is_rolled_over (file) ? 1 : 0);
  test_store_result (source, result, user_data);
}

/* GIO runs g_output_stream_write_async() on our stream in a worker thread,
 * which rolls the file over; a handler that updates a user interface must
 * still run in the main thread, from the main loop, once, and before the
 * write's callback. */
static void
test_notify_write_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = make_pattern (0, 150000);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (100000, NULL, NULL, NULL);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (file));
  RolloverNotify notify = { 0, NULL, FALSE, FALSE };

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (record_rollover_notify), &notify);
  g_object_set_data (G_OBJECT (out), "rollover-notify", &notify);
  g_object_set_data (G_OBJECT (out), "spooled-file", file);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      g_output_stream_write_async (out, data + i * 50000, 50000, G_PRIORITY_DEFAULT,
                                   NULL, write_async_record, &result);
      g_assert_cmpint (g_output_stream_write_finish (out, test_wait_result (&result), &error),
                       ==, 50000);
      g_assert_no_error (error);

      /* The second write stays within 100000 bytes, the third passes it. */
      g_assert_cmpuint (notify.count, ==, i == 2 ? 1 : 0);
      g_assert_cmpint (g_spooled_tmp_file_is_rolled_over (file), ==, i == 2);
    }

  g_assert_true (notify.thread == g_thread_self ());
  g_assert_true (notify.context_owned);
  g_assert_true (notify.rolled_over);

  /* Nothing more is queued: exactly once. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (notify.count, ==, 1);

  assert_fd_of (file, data, 150000, 150000);
}

static gpointer
write_past_max_size (gpointer user_data)
{
  GSpooledTmpFile *file = user_data;
  g_autofree guint8 *data = make_pattern (0, 5000);

  test_write (file, data, 5000);
  g_assert_true (g_spooled_tmp_file_is_rolled_over (file));

  return NULL;
}

/* A rollover in a thread of the application: the notification waits for
 * the thread-default main context the file was created in, and comes in
 * the thread that runs it, not in the writer. */
static void
test_notify_other_thread (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSpooledTmpFile) file = NULL;
  g_autofree guint8 *data = make_pattern (0, 5000);
  RolloverNotify notify = { 0, NULL, FALSE, FALSE };
  GThread *writer;

  g_main_context_push_thread_default (context);
  file = g_spooled_tmp_file_new (1000, NULL, NULL, NULL);
  g_main_context_pop_thread_default (context);
  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (record_rollover_notify), &notify);

  writer = g_thread_new ("writer", write_past_max_size, file);
  g_thread_join (writer);

  g_assert_true (is_rolled_over (file));
  g_assert_cmpuint (notify.count, ==, 0);

  /* Not the global default context: that is not where the file was made. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (notify.count, ==, 0);

  g_main_context_push_thread_default (context);
  g_assert_true (g_main_context_iteration (context, FALSE));
  g_assert_cmpuint (notify.count, ==, 1);
  g_assert_true (notify.thread == g_thread_self ());
  g_assert_true (notify.context_owned);
  g_assert_true (notify.rolled_over);
  g_assert_false (g_main_context_iteration (context, FALSE));
  g_main_context_pop_thread_default (context);
  g_assert_cmpuint (notify.count, ==, 1);

  assert_content (file, data, 5000);
}

static gpointer
write_past_max_size_and_unref (gpointer user_data)
{
  write_past_max_size (user_data);
  g_object_unref (user_data);

  return NULL;
}

/* A notification still waiting for the main context does not keep the
 * file alive: dropped in the other thread, it is freed with its descriptor
 * at once, and the context later has nothing to tell. */
static void
test_notify_after_free (void)
{
  GSpooledTmpFile *file;
  RolloverNotify notify = { 0, NULL, FALSE, FALSE };
  gint finalized = 0;
  guint fds;

  g_main_context_default ();   /* its wake-up descriptor, counted below */
  fds = test_count_open_fds ();

  file = g_spooled_tmp_file_new (1000, NULL, NULL, NULL);
  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (record_rollover_notify), &notify);
  g_object_weak_ref (G_OBJECT (file), test_mark_finalized, &finalized);

  g_thread_join (g_thread_new ("writer", write_past_max_size_and_unref, file));
  g_assert_cmpint (g_atomic_int_get (&finalized), ==, 1);
  g_assert_cmpuint (test_count_open_fds (), ==, fds);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (notify.count, ==, 0);
}

static void
persist_async_record (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RolloverNotify *notify = g_object_get_data (source, "rollover-notify");

  /* The rollover's notification came first. */
  g_assert_cmpuint (notify->count, ==, 1);
  test_store_result (source, result, user_data);
}

static void
assert_persisted_pattern (const gchar *path,
                          gsize        len)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autofree gchar *contents = NULL;
  gsize contents_len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &contents_len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, contents_len, data, len);
}

/* persist_async rolls the file over in a worker thread; the notification
 * comes in the thread and context the file was created in, before the
 * callback (with G_PRIORITY_HIGH, the callback's priority is as urgent as
 * the notification's). */
static void
test_notify_persist_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *path = g_build_filename (dir, "kept.bin", NULL);
  g_autofree guint8 *data = make_pattern (0, 1000);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, dir, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  RolloverNotify notify = { 0, NULL, FALSE, FALSE };

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (record_rollover_notify), &notify);
  g_object_set_data (G_OBJECT (file), "rollover-notify", &notify);
  test_write (file, data, 1000);

  g_tmp_file_persist_async (G_TMP_FILE (file), path, G_TMP_PERSIST_NONE,
                            G_PRIORITY_HIGH, NULL, persist_async_record, &result);
  g_assert_true (g_tmp_file_persist_finish (G_TMP_FILE (file), test_wait_result (&result),
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notify.count, ==, 1);
  g_assert_true (notify.thread == g_thread_self ());
  g_assert_true (notify.context_owned);
  g_assert_true (notify.rolled_over);
  assert_persisted_pattern (path, 1000);

  g_clear_object (&file);
  test_remove_tree (dir);
}

/* persist_async called in another thread-default context calls back
 * there, but the rollover is notified in the file's own context. */
static void
test_notify_persist_async_context (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *path = g_build_filename (dir, "kept.bin", NULL);
  g_autofree guint8 *data = make_pattern (0, 1000);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, dir, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  RolloverNotify notify = { 0, NULL, FALSE, FALSE };

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (record_rollover_notify), &notify);
  test_write (file, data, 1000);

  g_main_context_push_thread_default (context);
  g_tmp_file_persist_async (G_TMP_FILE (file), path, G_TMP_PERSIST_NONE,
                            G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_assert_true (g_tmp_file_persist_finish (G_TMP_FILE (file), result, &error));
  g_assert_no_error (error);
  g_assert_true (is_rolled_over (file));
  g_assert_cmpuint (notify.count, ==, 0);

  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (notify.count, ==, 1);
  g_assert_true (notify.thread == g_thread_self ());
  g_assert_true (notify.context_owned);
  assert_persisted_pattern (path, 1000);

  g_clear_object (&file);
  test_remove_tree (dir);
}

/* --------------------------------------------------- failed rollovers */

/* After a failed rollover: same bytes, same position, still in memory,
 * nothing notified. */
static void
assert_intact (GSpooledTmpFile *file,
               const guint8    *data,
               gsize            len,
               goffset          pos,
               guint            notified)
{
  g_assert_false (is_rolled_over (file));
  g_assert_cmpuint (notified, ==, 0);
  g_assert_cmpint (tell (file), ==, pos);
  assert_content (file, data, len);
}

/* Every call that can roll over fails the same way and changes nothing. */
static void
assert_all_rollovers_fail (GSpooledTmpFile *file,
                           const guint8    *data,
                           gsize            len,
                           goffset          pos,
                           guint           *notified,
                           gint             code)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (file));
  gsize max_size = g_spooled_tmp_file_get_max_size (file);

  g_assert_false (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, code);
  g_clear_error (&error);
  assert_intact (file, data, len, pos, *notified);

  g_assert_cmpint (g_tmp_file_get_fd (G_TMP_FILE (file), &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, code);
  g_clear_error (&error);
  assert_intact (file, data, len, pos, *notified);

  if (max_size > 0)
    {
      g_autofree guint8 *more = make_pattern (7, max_size + 1);

      g_assert_cmpint (g_output_stream_write (out, more, max_size + 1, NULL, &error), ==, -1);
      g_assert_error (error, G_IO_ERROR, code);
      g_clear_error (&error);
      assert_intact (file, data, len, pos, *notified);

      g_assert_false (g_seekable_truncate (G_SEEKABLE (file), max_size + 1, NULL, &error));
      g_assert_error (error, G_IO_ERROR, code);
      g_clear_error (&error);
      assert_intact (file, data, len, pos, *notified);
    }
}

static void
assert_rollover_succeeds (GSpooledTmpFile *file,
                          const guint8    *data,
                          gsize            len,
                          goffset          pos,
                          guint           *notified)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (is_rolled_over (file));
  g_assert_cmpuint (*notified, ==, 1);
  g_assert_cmpint (tell (file), ==, pos);

  assert_fd_of (file, data, len, pos);
  assert_content (file, data, len);
}

static void
test_fail_missing_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  gsize len = 200000;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (len, missing, NULL, NULL);
  guint notified = 0;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
  test_write (file, data, len);
  seek_to (file, 777, G_SEEK_SET);

  g_assert_false (g_spooled_tmp_file_rollover (file, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_error (&error);

  assert_all_rollovers_fail (file, data, len, 777, &notified, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpint (g_mkdir (missing, 0700), ==, 0);
  assert_rollover_succeeds (file, data, len, 777, &notified);
  g_assert_cmpuint (test_count_entries (missing), ==, 0);

  g_clear_object (&file);
  test_remove_tree (missing);
  test_remove_tree (dir);
}

/* The rollover's file gets a random part of the length asked for: seen by
 * inotify in the name it has for an instant where the file system refuses
 * O_TMPFILE. In a subprocess: the refusal is remembered. */
static void
test_full_rollover_random_length (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *dir = test_scratch_new ();
      g_autofree gchar *pattern = test_name_pattern ("sp-", 24, ".bin");
      g_autofree guint8 *data = make_pattern (0, 100);
      g_autoptr(GSpooledTmpFile) file = NULL;
      g_autoptr(GPtrArray) created = NULL;
      gint watch;

      file = g_spooled_tmp_file_new_full (64, dir, "sp-", ".bin", 0, 24);
      _g_tmp_core_refuse_tmpfile (dir);
      watch = test_watch_creations (dir);
      test_write (file, data, 100);
      g_assert_true (is_rolled_over (file));
      created = test_read_creations (watch);
      g_assert_cmpuint (created->len, ==, 1);
      g_assert_true (g_regex_match_simple (pattern, created->pdata[0], 0, 0));
      g_assert_cmpuint (test_count_entries (dir), ==, 0);

      g_clear_object (&file);
      test_scratch_free (g_steal_pointer (&dir));
      return;
    }

  test_run_in_subprocess ();
}

/* A length out of 8..128 cannot fail the constructor: every call that rolls
 * over reports it (INVALID_ARGUMENT naming the directory) and the bytes stay
 * in memory, as with a bad affix. Nothing is created. */
static void
test_full_invalid_random_length (void)
{
  static const guint bad[] = { 7, 129 };
  g_autofree gchar *dir = test_scratch_new ();
  g_autofree guint8 *data = make_pattern (0, 50);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new_full (100, dir, NULL, NULL, 0640, bad[i]);
      g_autoptr(GError) error = NULL;
      guint notified = 0;

      g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
      test_write (file, data, 50);
      seek_to (file, 10, G_SEEK_SET);

      g_assert_false (g_spooled_tmp_file_rollover (file, NULL, &error));
      test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, dir);
      assert_all_rollovers_fail (file, data, 50, 10, &notified, G_IO_ERROR_INVALID_ARGUMENT);
    }

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (g_steal_pointer (&dir));
}

static void
test_fail_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree guint8 *data = make_pattern (0, 1000);
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);
  guint notified = 0;
  guint fds = test_count_open_fds ();

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
  test_write (file, data, 1000);
  g_cancellable_cancel (cancellable);

  g_assert_false (g_spooled_tmp_file_rollover (file, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_intact (file, data, 1000, 1000, notified);
  g_assert_cmpuint (test_count_open_fds (), ==, fds);

  assert_rollover_succeeds (file, data, 1000, 1000, &notified);
}

/* No space: a tiny tmpfs mounted by the parent (we run as root), the test
 * itself in a subprocess so that a failed assertion still leaves the parent
 * to unmount it. */
#define NO_SPACE_DIR_ENV "TEST_SPOOLED_TMPFS"

static void
test_fail_no_space_child (void)
{
  g_autoptr(GError) error = NULL;
  const gchar *dir = g_getenv (NO_SPACE_DIR_ENV);
  gsize len = 512 * 1024;
  g_autofree guint8 *data = make_pattern (0, len);
  g_autoptr(GSpooledTmpFile) file = NULL;
  guint notified = 0;
  guint fds;

  g_assert_nonnull (dir);
  file = g_spooled_tmp_file_new (1024 * 1024, dir, NULL, NULL);
  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
  test_write (file, data, len);
  seek_to (file, 100000, G_SEEK_SET);
  fds = test_count_open_fds ();

  g_assert_false (g_spooled_tmp_file_rollover (file, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NO_SPACE, dir);
  g_clear_error (&error);

  assert_all_rollovers_fail (file, data, len, 100000, &notified, G_IO_ERROR_NO_SPACE);
  /* The half-written file went with its descriptor. */
  g_assert_cmpuint (test_count_open_fds (), ==, fds);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", MS_REMOUNT, "size=4m"), ==, 0);
  assert_rollover_succeeds (file, data, len, 100000, &notified);
}

static void
test_fail_no_space (void)
{
  g_autofree gchar *dir = NULL;
  gboolean ran;

  if (g_test_subprocess ())
    {
      test_fail_no_space_child ();
      return;
    }

  dir = test_scratch_new ();
  if (mount ("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700") != 0)
    {
      int errsv = errno;
      g_autofree gchar *reason = g_strdup_printf ("cannot mount a tmpfs to fill: %s",
                                                  g_strerror (errsv));
      test_remove_tree (dir);
      test_skip (reason);
      return;
    }

  g_setenv (NO_SPACE_DIR_ENV, dir, TRUE);
  ran = test_trap_subprocess (0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv (NO_SPACE_DIR_ENV);

  g_assert_cmpint (umount (dir), ==, 0);
  test_remove_tree (dir);
  if (ran)
    g_test_trap_assert_passed ();
}

/* No descriptors: RLIMIT_NOFILE lowered in a forked child. */
static void
test_fail_no_fds (void)
{
  g_autofree gchar *dir = NULL;
  gsize len = 100000;
  g_autofree guint8 *data = NULL;
  g_autoptr(GSpooledTmpFile) file = NULL;
  struct rlimit saved, limit;
  guint notified = 0;
  gint lowest_free;

  if (!g_test_subprocess ())
    {
      test_run_in_subprocess ();
      return;
    }

  dir = test_scratch_new ();
  data = make_pattern (0, len);
  file = g_spooled_tmp_file_new (len, dir, NULL, NULL);
  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (count_notify), &notified);
  test_write (file, data, len);

  /* A limit at the lowest free descriptor number: no open() can succeed. */
  lowest_free = dup (0);
  g_assert_cmpint (lowest_free, >=, 0);
  close (lowest_free);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = lowest_free;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);

  assert_all_rollovers_fail (file, data, len, len, &notified, G_IO_ERROR_TOO_MANY_OPEN_FILES);

  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  assert_rollover_succeeds (file, data, len, len, &notified);

  g_clear_object (&file);
  test_remove_tree (dir);
}

/* ------------------------------------------------------ random model */

/* Random writes, reads, seeks and truncates, checked against a plain byte
 * array, across a rollover. */
static void
run_model (GSpooledTmpFile *file,
           GByteArray      *model,
           goffset         *pos,
           guint            n_ops)
{
  gsize max_op = 1536 * 1024;
  g_autofree guint8 *buffer = g_malloc (max_op);

  /* Sizes and offsets up to 1.5 MiB, so that operations cross chunk
   * boundaries whatever the chunk size. */
  for (guint op = 0; op < n_ops; op++)
    {
      gsize n = g_test_rand_int_range (0, max_op);

      switch (g_test_rand_int_range (0, 4))
        {
        case 0:
          {
            guint32 seed = g_test_rand_int ();

            for (gsize i = 0; i < n; i++)
              buffer[i] = (guint8) (seed + i * 131 + (i >> 12));
          }
          test_write (file, buffer, n);
          test_model_write (model, *pos, buffer, n);
          *pos += n;
          break;

        case 1:
          {
            gsize expect = *pos >= (goffset) model->len ? 0 : MIN (n, (gsize) (model->len - *pos));

            g_assert_cmpuint (read_some (file, buffer, n), ==, expect);
            g_assert_true (expect == 0 || memcmp (buffer, model->data + *pos, expect) == 0);
            *pos += expect;
          }
          break;

        case 2:
          *pos = g_test_rand_int_range (0, model->len + max_op);
          seek_to (file, *pos, G_SEEK_SET);
          break;

        case 3:
          {
            gsize size = g_test_rand_int_range (0, model->len + max_op);
            test_truncate_with_model (file, model, size);
          }
          break;

        default:
          g_assert_not_reached ();
        }

      g_assert_cmpint (tell (file), ==, *pos);
      g_assert_cmpint (query_size (file), ==, model->len);
    }

  assert_content (file, model->data, model->len);
}

static void
test_random_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) model = g_byte_array_new ();
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, NULL, NULL, NULL);
  g_autoptr(GSpooledTmpFile) file2 = g_spooled_tmp_file_new (2 * 1024 * 1024, NULL, NULL, NULL);
  goffset pos = 0;

  run_model (file, model, &pos, 400);
  g_assert_false (is_rolled_over (file));
  g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
  g_assert_no_error (error);
  run_model (file, model, &pos, 100);
  assert_fd_of (file, model->data, model->len, pos);

  /* Rolling over on its own, whenever a write or truncate passes 2 MiB. */
  g_byte_array_set_size (model, 0);
  pos = 0;
  run_model (file2, model, &pos, 600);
  g_assert_true (is_rolled_over (file2));
}

/* ------------------------------- rollover where O_TMPFILE is refused */

/* A name hook: "aaaaaaaa" first, then "bbbbbbbb" for every later name. */
static void
two_names (gchar    *chars,
           gpointer  user_data)
{
  guint *calls = user_data;

  memcpy (chars, *calls == 0 ? "aaaaaaaa" : "bbbbbbbb", G_TMP_CORE_RANDOM_CHARS);
  (*calls)++;
}

/* Where the file system refuses O_TMPFILE, the file rolled over to has a
 * name for a moment, drawn with the spooled file's own directory, prefix and
 * suffix. A file already there under the first name drawn shows it: the
 * core has to step over it to the second name. That one is gone at once,
 * and the nameless file holds the bytes, at the same position. In a
 * subprocess: the refusal it is told about stays remembered. */
static void
test_rollover_tmpfile_refused (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *dir = test_scratch_new ();
      g_autofree gchar *taken = g_build_filename (dir, "rep-aaaaaaaa.csv", NULL);
      g_autofree guint8 *data = make_pattern (0, 5000);
      g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (0, dir, "rep-", ".csv");
      guint calls = 0;
      struct stat st;
      gint fd;

      g_assert_true (g_file_set_contents (taken, "", 0, NULL));
      test_write (file, data, 5000);
      seek_to (file, 1234, G_SEEK_SET);

      _g_tmp_core_refuse_tmpfile (dir);
      _g_tmp_core_set_name_hook (two_names, &calls);
      g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
      _g_tmp_core_set_name_hook (NULL, NULL);
      g_assert_no_error (error);
      g_assert_cmpuint (calls, ==, 2);

      g_assert_cmpuint (test_count_entries (dir), ==, 1);
      g_assert_true (test_path_exists (taken));
      fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
      g_assert_no_error (error);
      g_assert_no_errno (fstat (fd, &st));
      g_assert_cmpuint (st.st_nlink, ==, 0);
      assert_fd_content (fd, data, 5000, 1234);
      g_assert_cmpint (tell (file), ==, 1234);

      g_clear_object (&file);
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
      g_assert_no_errno (unlink (taken));
      test_scratch_free (g_steal_pointer (&dir));
      return;
    }

  test_run_in_subprocess ();
}

/* ------------------------------------------------------ concurrency */

/* Issue 17, defect 3: the file goes away (last unref, dispose, close) while
 * an asynchronous write runs in GIO's worker, in memory or rolling over in
 * its middle. The streams used to point at the freed file: a crash. */
static void
test_race_write (gconstpointer data)
{
  TestRace race = GPOINTER_TO_INT (data);
  guint iterations = test_race_iterations (1000);
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  guint got_in = 0;

  for (guint i = 0; i < iterations; i++)
    {
      GSpooledTmpFile *file = g_spooled_tmp_file_new (i % 2 ? 128 * 1024 : 0, NULL, NULL, NULL);

      got_in += test_race_async_write (file, race, 256 * 1024, g_rand_int_range (rand, 0, 400));
    }

  g_test_message ("%u of %u writes got in before the file went away", got_in, iterations);
}

/* The rollover runs with the file's lock held, but notify::rolled-over in
 * the creating thread comes after it is released (and after the write that
 * rolled over): a handler may use the file instead of deadlocking on it. */
static void
use_file_on_notify (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  GSpooledTmpFile *file = G_SPOOLED_TMP_FILE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  guint *n = user_data;
  gchar buffer[8];
  gint fd;

  g_assert_cmpint (tell (file), ==, 8);
  info = g_file_io_stream_query_info (G_FILE_IO_STREAM (file), G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_size (info), ==, 8);
  g_assert_true (g_spooled_tmp_file_rollover (file, NULL, &error));
  fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
  g_assert_no_error (error);
  g_assert_cmpint (pread (fd, buffer, sizeof buffer, 0), ==, 8);
  g_assert_cmpmem (buffer, 8, "12345678", 8);
  (*n)++;
}

static void
test_notify_handler_uses_file (void)
{
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (4, NULL, NULL, NULL);
  guint notified = 0;

  g_signal_connect (file, "notify::rolled-over", G_CALLBACK (use_file_on_notify), &notified);
  test_write (file, "12345678", 8);
  g_assert_cmpuint (notified, ==, 1);
}

/* Issue 17 (process safety): a child forked while another thread is inside
 * a write (holding the file's lock, rolling it over) drops the file. The
 * rollover is held there by the O_TMPFILE fallback's hook, in the parent
 * only, until the child is done. The child's dispose used to wait for the
 * lock forever. */
typedef struct
{
  TestHold        hold;
  GOutputStream  *output;
  const guint8   *data;
  gsize           len;
} ForkWrite;

static void
hold_in_rollover (const gchar          *dir,
                  GTmpCoreTmpfileEvent  event,
                  gpointer              user_data)
{
  ForkWrite *fw = user_data;

  test_hold_here (&fw->hold);
}

static gpointer
fork_write_thread (gpointer data)
{
  ForkWrite *fw = data;
  gsize written = 0;

  return GINT_TO_POINTER (g_output_stream_write_all (fw->output, fw->data, fw->len,
                                                     &written, NULL, NULL) &&
                          written == fw->len);
}

static void
test_fork_during_write (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *dir = test_scratch_new ();
      g_autofree guint8 *data = make_pattern (0, 5000);
      g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (100, dir, "fork-", NULL);
      ForkWrite fw = { { 0, }, NULL, data, 5000 };
      GThread *writer;

      test_hold_init (&fw.hold);
      fw.output = g_io_stream_get_output_stream (G_IO_STREAM (file));
      _g_tmp_core_refuse_tmpfile (dir);
      _g_tmp_core_set_tmpfile_hook (hold_in_rollover, &fw);
      writer = g_thread_new ("writer", fork_write_thread, &fw);
      test_fork_while_held (&fw.hold, g_object_unref, file);

      /* The parent's file is intact: the write finishes, every byte is in
       * the rolled-over file. */
      g_assert_true (GPOINTER_TO_INT (g_thread_join (writer)));
      _g_tmp_core_set_tmpfile_hook (NULL, NULL);
      g_assert_true (g_spooled_tmp_file_is_rolled_over (file));
      g_assert_cmpint (tell (file), ==, 5000);
      assert_content (file, data, 5000);
      g_assert_no_error (error);
      g_clear_object (&file);
      g_assert_cmpuint (test_count_entries (dir), ==, 0);
      test_scratch_free (g_steal_pointer (&dir));
      return;
    }

  test_run_in_subprocess ();
}

/* A reader and a writer thread on the two streams at once (GIOStream
 * allows one operation per stream). The blocks are 4 KiB and identify
 * themselves, and every seek and read is block-aligned, so whatever the
 * interleaving every read returns a whole block or nothing, and every block
 * reads as zeros (a gap) or as exactly what one write wrote. */
#define RW_BLOCK  4096
#define RW_BLOCKS 1536  /* 6 MiB: more than one chunk of memory */

typedef enum {
  RW_ROLLOVER_BY_SIZE,  /* max-size is half the data */
  RW_ROLLOVER_CALLED,   /* the writer calls rollover() half way */
  RW_MEMORY,            /* stays in memory while both run */
} RwMode;

typedef struct
{
  GSpooledTmpFile *file;
  RwMode           mode;
  gint             done;    /* (atomic) */
  guint            blocks;  /* whole blocks the reader got */
} RwRace;

static void
rw_fill_block (guint8  *block,
               guint64  k)
{
  memcpy (block, &k, sizeof k);
  for (gsize i = sizeof k; i < RW_BLOCK; i++)
    block[i] = (guint8) (k * 31 + i);
}

/* Returns the number of the block a writer wrote, 0 for a gap. */
static guint64
rw_check_block (const guint8 *block)
{
  guint8 expected[RW_BLOCK] = { 0, };
  guint64 k;

  memcpy (&k, block, sizeof k);
  g_assert_cmpuint (k, <=, RW_BLOCKS);
  if (k > 0)
    rw_fill_block (expected, k);
  g_assert_cmpmem (block, RW_BLOCK, expected, RW_BLOCK);

  return k;
}

static gpointer
rw_writer (gpointer data)
{
  RwRace *race = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (race->file));
  g_autoptr(GError) error = NULL;
  guint8 block[RW_BLOCK];

  for (guint64 k = 1; k <= RW_BLOCKS; k++)
    {
      if (race->mode == RW_ROLLOVER_CALLED && k == RW_BLOCKS / 2)
        {
          g_assert_true (g_spooled_tmp_file_rollover (race->file, NULL, &error));
          g_assert_no_error (error);
        }

      rw_fill_block (block, k);
      g_assert_true (g_seekable_seek (G_SEEKABLE (out), (k - 1) * RW_BLOCK, G_SEEK_SET,
                                      NULL, &error));
      g_assert_cmpint (g_output_stream_write (out, block, RW_BLOCK, NULL, &error), ==, RW_BLOCK);
      g_assert_no_error (error);
    }

  g_atomic_int_set (&race->done, TRUE);

  return NULL;
}

static gpointer
rw_reader (gpointer data)
{
  RwRace *race = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (race->file));
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(GError) error = NULL;
  guint8 block[RW_BLOCK];

  while (!g_atomic_int_get (&race->done))
    {
      goffset at = (goffset) g_rand_int_range (rand, 0, RW_BLOCKS) * RW_BLOCK;
      gssize n;

      g_assert_true (g_seekable_seek (G_SEEKABLE (in), at, G_SEEK_SET, NULL, &error));
      n = g_input_stream_read (in, block, RW_BLOCK, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (n == 0 || n == RW_BLOCK);
      if (n == RW_BLOCK)
        {
          rw_check_block (block);
          race->blocks++;
        }
    }

  return NULL;
}

/* The end state against the model: whole blocks, each written block at
 * most once, and the same bytes through the stream and the descriptor. */
static void
rw_check_file (GSpooledTmpFile *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *seen = g_malloc0 (RW_BLOCKS + 1);
  g_autofree guint8 *through_stream = NULL;
  g_autofree guint8 *through_fd = NULL;
  goffset size;
  gsize n = 0;
  gint fd;

  seek_to (file, 0, G_SEEK_END);
  size = tell (file);
  g_assert_cmpint (size % RW_BLOCK, ==, 0);
  /* The two threads share one position: between the writer's seek and its
   * write, the reader may have moved it as far as the end of the last
   * block it can seek to, where the writer's block then goes. */
  g_assert_cmpint (size, <=, (goffset) (RW_BLOCKS + 1) * RW_BLOCK);

  through_stream = g_malloc (size);
  seek_to (file, 0, G_SEEK_SET);
  n = read_some (file, through_stream, size);
  g_assert_cmpuint (n, ==, size);

  for (goffset off = 0; off < size; off += RW_BLOCK)
    {
      guint64 k = rw_check_block (through_stream + off);

      if (k > 0)
        {
          g_assert_cmpuint (seen[k], ==, 0);
          seen[k] = 1;
        }
    }

  fd = g_tmp_file_get_fd (G_TMP_FILE (file), &error);
  g_assert_no_error (error);
  through_fd = g_malloc (size);
  g_assert_cmpint (pread (fd, through_fd, size, 0), ==, size);
  g_assert_cmpmem (through_fd, size, through_stream, size);
}

/* Issue 17, defect 4: a read and a write at once used to crash in
 * chunks_read(), across a rollover or while the chunk array grew. */
static void
test_race_read_write (gconstpointer data)
{
  RwMode mode = GPOINTER_TO_INT (data);
  guint iterations = test_race_iterations (1000) / 100 + 1;
  guint blocks = 0;

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(GSpooledTmpFile) file = NULL;
      GThread *reader, *writer;
      RwRace race = { 0, };

      file = g_spooled_tmp_file_new (mode == RW_ROLLOVER_BY_SIZE ? RW_BLOCKS / 2 * RW_BLOCK : 0,
                                     NULL, NULL, NULL);
      race.file = file;
      race.mode = mode;

      reader = g_thread_new ("reader", rw_reader, &race);
      writer = g_thread_new ("writer", rw_writer, &race);
      g_thread_join (writer);
      g_thread_join (reader);

      g_assert_cmpint (is_rolled_over (file), ==, mode != RW_MEMORY);
      rw_check_file (file);
      blocks += race.blocks;

      /* The notification from the writer thread, before the file goes. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_test_message ("%u files, the reader got %u whole blocks while the writer wrote",
                  iterations, blocks);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "spooled");

  g_test_add_func ("/spooled/new/properties", test_new_properties);
  g_test_add_func ("/spooled/new/async", test_new_async);
  g_test_add_func ("/spooled/new/no-fd-before-rollover", test_no_fd_before_rollover);
  g_test_add_func ("/spooled/new/bad-affix", test_bad_affix);
  g_test_add_func ("/spooled/new/relative-dir", test_relative_dir);
  g_test_add_func ("/spooled/threshold/below", test_threshold_below);
  g_test_add_func ("/spooled/threshold/exact", test_threshold_exact);
  g_test_add_func ("/spooled/threshold/above", test_threshold_above);
  g_test_add_func ("/spooled/threshold/unlimited", test_threshold_unlimited);
  g_test_add_func ("/spooled/seek-read", test_seek_read);
  g_test_add_func ("/spooled/rollover/via-streams", test_rollover_via_streams);
  g_test_add_func ("/spooled/rollover/async", test_rollover_async);
  g_test_add_func ("/spooled/zero-fill", test_zero_fill);
  g_test_add_func ("/spooled/too-large", test_too_large);
  g_test_add_func ("/spooled/truncate", test_truncate);
  g_test_add_func ("/spooled/get-fd", test_get_fd_rollover);
  g_test_add_func ("/spooled/closed", test_closed);
  g_test_add_func ("/spooled/persist", test_persist_rollover);
  g_test_add_func ("/spooled/persist-async", test_persist_async);
  g_test_add_func ("/spooled/notify/write-async", test_notify_write_async);
  g_test_add_func ("/spooled/notify/other-thread", test_notify_other_thread);
  g_test_add_func ("/spooled/notify/after-free", test_notify_after_free);
  g_test_add_func ("/spooled/notify/persist-async", test_notify_persist_async);
  g_test_add_func ("/spooled/notify/persist-async-context", test_notify_persist_async_context);
  g_test_add_func ("/spooled/persist-mode", test_persist_mode);
  g_test_add_data_func ("/spooled/full/rollover-mode", GINT_TO_POINTER (TEST_CLASS_SPOOLED),
                        test_check_full_modes);
  g_test_add_func ("/spooled/full/rollover-random-length", test_full_rollover_random_length);
  g_test_add_func ("/spooled/full/invalid-random-length", test_full_invalid_random_length);
  g_test_add_func ("/spooled/fail/missing-dir", test_fail_missing_dir);
  g_test_add_func ("/spooled/fail/cancelled", test_fail_cancelled);
  g_test_add_func ("/spooled/fail/no-space", test_fail_no_space);
  g_test_add_func ("/spooled/fail/no-fds", test_fail_no_fds);
  g_test_add_func ("/spooled/random-model", test_random_model);
  g_test_add_func ("/spooled/rollover/tmpfile-refused", test_rollover_tmpfile_refused);
  g_test_add_func ("/spooled/concurrency/notify-handler-uses-file", test_notify_handler_uses_file);
  g_test_add_func ("/spooled/concurrency/fork-during-write", test_fork_during_write);
  test_add_race_write ("/spooled/concurrency/write-async", "", 0, test_race_write);
  g_test_add_data_func ("/spooled/concurrency/read-write/rollover-by-size",
                        GINT_TO_POINTER (RW_ROLLOVER_BY_SIZE), test_race_read_write);
  g_test_add_data_func ("/spooled/concurrency/read-write/rollover-called",
                        GINT_TO_POINTER (RW_ROLLOVER_CALLED), test_race_read_write);
  g_test_add_data_func ("/spooled/concurrency/read-write/memory",
                        GINT_TO_POINTER (RW_MEMORY), test_race_read_write);

  return test_run ();
}
