/* test-gi.c — what bindings rely on: each class's own asynchronous
 * constructor, and objects made without GInitable.init (a binding's
 * constructor, g_object_new()) that refuse every call with
 * G_IO_ERROR_NOT_INITIALIZED instead of half working
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <sys/stat.h>

#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Asynchronous constructors                                                 */

static void
test_named_new_async (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GNamedTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  g_named_tmp_file_new_async (dir, "up_", ".jpg", G_PRIORITY_DEFAULT, NULL,
                              test_store_result, &result);
  test_wait_result (&result);
  g_assert_true (g_async_result_is_tagged (result, g_named_tmp_file_new_async));
  tmp = g_named_tmp_file_new_finish (result, &error);
  g_assert_no_error (error);

  /* A named file, not the anonymous one of g_tmp_file_new_async(). */
  g_assert_true (G_IS_NAMED_TMP_FILE (tmp));
  path = g_strdup (g_named_tmp_file_get_path (tmp));
  g_assert_true (test_name_matches (path, dir, "^up_[a-z0-9_]{8}\\.jpg$"));
  g_assert_cmpuint (test_mode_of (path), ==, 0600);
  test_write (tmp, "named", -1);
  test_assert_file_contents (path, "named");

  /* And it is deleted as a named file is (the result, whose source object
   * it is, holds a reference too). */
  g_clear_object (&result);
  test_unref_and_wait (g_steal_pointer (&tmp));
  g_assert_false (test_path_exists (path));
  test_scratch_free (dir);
}

static void
test_named_new_async_errors (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_named_tmp_file_new_async (missing, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                              test_store_result, &result);
  g_assert_null (g_named_tmp_file_new_finish (test_wait_result (&result), &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_error (&error);
  g_clear_object (&result);

  g_named_tmp_file_new_async (dir, "a/b", NULL, G_PRIORITY_DEFAULT, NULL,
                              test_store_result, &result);
  g_assert_null (g_named_tmp_file_new_finish (test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Cancelled: no file is left behind. */
  g_cancellable_cancel (cancellable);
  g_named_tmp_file_new_async (dir, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                              test_store_result, &result);
  g_assert_null (g_named_tmp_file_new_finish (test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
set_flag_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (source);
  *slot = g_object_ref (result);
}

static void
test_spooled_new_async (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSpooledTmpFile) spool = NULL;
  g_autoptr(GError) error = NULL;

  g_spooled_tmp_file_new_async (4, dir, "sp_", NULL, G_PRIORITY_DEFAULT, NULL,
                                set_flag_cb, &result);
  /* Never from inside the call, as GIO promises. */
  g_assert_null (result);
  test_wait_result (&result);
  g_assert_true (g_async_result_is_tagged (result, g_spooled_tmp_file_new_async));
  spool = g_spooled_tmp_file_new_finish (result, &error);
  g_assert_no_error (error);

  g_assert_true (G_IS_SPOOLED_TMP_FILE (spool));
  g_assert_cmpuint (g_spooled_tmp_file_get_max_size (spool), ==, 4);
  test_write (spool, "1234", 4);
  g_assert_false (g_spooled_tmp_file_is_rolled_over (spool));
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  /* The fifth byte goes to disk, in @dir. */
  test_write (spool, "5", 1);
  g_assert_true (g_spooled_tmp_file_is_rolled_over (spool));

  g_clear_object (&spool);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_spooled_new_async_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_spooled_tmp_file_new_async (0, NULL, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                                test_store_result, &result);
  g_assert_null (g_spooled_tmp_file_new_finish (test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ------------------------------------------------------------------------ */
/* Objects made without GInitable.init                                       */

static void
assert_not_initialized (GError *error)
{
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  /* Says what to do about it. */
  g_assert_nonnull (strstr (error->message, "g_initable_init()"));
  g_assert_nonnull (strstr (error->message, "init()"));
}

/* Every stream operation, through each way GIO offers it. */
static void
assert_streams_refuse (GTmpFile *tmp)
{
  GIOStream *stream = G_IO_STREAM (tmp);
  GInputStream *in = g_io_stream_get_input_stream (stream);
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  gchar buf[4];

  g_assert_cmpint (g_output_stream_write (out, "data", 4, NULL, &error), ==, -1);
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_cmpint (g_input_stream_read (in, buf, sizeof buf, NULL, &error), ==, -1);
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_cmpint (g_input_stream_skip (in, 1, NULL, &error), ==, -1);
  assert_not_initialized (error);
  g_clear_error (&error);

  /* In GIO's worker thread too. */
  g_output_stream_write_async (out, "data", 4, G_PRIORITY_DEFAULT, NULL,
                               test_store_result, &result);
  g_assert_cmpint (g_output_stream_write_finish (out, test_wait_result (&result), &error), ==, -1);
  assert_not_initialized (error);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_false (g_seekable_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_false (g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_false (g_seekable_truncate (G_SEEKABLE (tmp), 0, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_false (g_seekable_truncate (G_SEEKABLE (out), 0, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  /* It cannot fail: no position. */
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 0);

  g_assert_null (g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp), "standard::*",
                                              NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_cmpint (g_tmp_file_get_fd (tmp, &error), ==, -1);
  assert_not_initialized (error);
  g_clear_error (&error);
}

/* persist() moves nothing and creates nothing at the destination. */
static void
assert_persist_refuses (GTmpFile    *tmp,
                        const gchar *dir)
{
  g_autofree gchar *dest = g_build_filename (dir, "saved", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &result);
  g_assert_false (g_tmp_file_persist_finish (tmp, test_wait_result (&result), &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_false (test_path_exists (dest));
}

/* close() says so too, and closes all the same, as GIOStream does. */
static void
assert_close_refuses (GTmpFile *tmp)
{
  GError *error = NULL;
  gchar buf[4];

  g_assert_false (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (tmp)));
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (tmp)),
                                        buf, sizeof buf, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
}

static void
test_uninitialised_tmp_file (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpFile) tmp = g_object_new (G_TYPE_TMP_FILE, "dir", dir, NULL);
  g_autoptr(GTmpFile) later = g_object_new (G_TYPE_TMP_FILE, "dir", dir, NULL);
  g_autoptr(GError) error = NULL;
  gchar buf[8] = { 0, };

  assert_streams_refuse (tmp);
  assert_persist_refuses (tmp, dir);
  assert_close_refuses (tmp);
  /* init() after close: the file stays closed, and nothing is created. */
  g_assert_true (g_initable_init (G_INITABLE (tmp), NULL, &error));
  g_assert_cmpint (g_tmp_file_get_fd (tmp, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  /* The same object works once initialised. */
  assert_streams_refuse (later);
  g_assert_true (g_initable_init (G_INITABLE (later), NULL, &error));
  g_assert_no_error (error);
  test_write (later, "ready", -1);
  test_seek (G_SEEKABLE (later), 0, G_SEEK_SET);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (later)),
                                        buf, sizeof buf, NULL, &error), ==, 5);
  g_assert_cmpstr (buf, ==, "ready");
  g_assert_cmpint (g_tmp_file_get_fd (later, &error), >=, 0);
  g_assert_no_error (error);

  g_clear_object (&tmp);
  g_clear_object (&later);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_uninitialised_named (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GNamedTmpFile) tmp = g_object_new (G_TYPE_NAMED_TMP_FILE, "dir", dir,
                                               "prefix", "half_", NULL);
  g_autoptr(GNamedTmpFile) failed = g_object_new (G_TYPE_NAMED_TMP_FILE, "dir", dir,
                                                  "prefix", "a/b", NULL);
  GError *error = NULL;

  /* The properties are configuration: they work before init. */
  g_named_tmp_file_set_delete_on_close (tmp, FALSE);
  g_assert_false (g_named_tmp_file_get_delete_on_close (tmp));

  assert_streams_refuse (G_TMP_FILE (tmp));
  assert_persist_refuses (G_TMP_FILE (tmp), dir);

  /* No path to hand out: a critical names the call and what is missing. */
  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_named_tmp_file_get_path: this GNamedTmpFile is not initialized*");
  g_assert_null (g_named_tmp_file_get_path (tmp));
  g_test_assert_expected_messages ();
  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_named_tmp_file_get_file: this GNamedTmpFile is not initialized*");
  g_assert_null (g_named_tmp_file_get_file (tmp));
  g_test_assert_expected_messages ();

  /* cleanup() fails every time, before and after the close. */
  g_assert_false (g_named_tmp_file_cleanup (tmp, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);
  assert_close_refuses (G_TMP_FILE (tmp));
  g_assert_false (g_named_tmp_file_cleanup (tmp, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);

  /* An init that failed leaves it as uninitialised as none. */
  g_assert_false (g_initable_init (G_INITABLE (failed), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  assert_streams_refuse (G_TMP_FILE (failed));

  g_clear_object (&tmp);
  g_clear_object (&failed);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* A spooled file has nothing to initialise: the constructor does no I/O
 * and cannot fail. Made with g_object_new() it is ready as it is. */
static void
test_uninitialised_spooled (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GSpooledTmpFile) spool = g_object_new (G_TYPE_SPOOLED_TMP_FILE, "dir", dir,
                                                   "max-size", (guint64) 4, NULL);
  g_autoptr(GError) error = NULL;
  gchar buf[8] = { 0, };

  g_assert_cmpuint (g_spooled_tmp_file_get_max_size (spool), ==, 4);
  test_write (spool, "1234", 4);
  g_assert_false (g_spooled_tmp_file_is_rolled_over (spool));
  test_write (spool, "5", 1);
  g_assert_true (g_spooled_tmp_file_is_rolled_over (spool));
  g_assert_cmpint (g_tmp_file_get_fd (G_TMP_FILE (spool), &error), >=, 0);
  g_assert_no_error (error);

  /* init() is allowed and changes nothing. */
  g_assert_true (g_initable_init (G_INITABLE (spool), NULL, &error));
  g_assert_no_error (error);
  test_seek (G_SEEKABLE (spool), 0, G_SEEK_SET);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (spool)),
                                        buf, sizeof buf, NULL, &error), ==, 5);
  g_assert_cmpstr (buf, ==, "12345");

  g_clear_object (&spool);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_uninitialised_tmp_dir (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = g_object_new (G_TYPE_TMP_DIR, "dir", dir, "prefix", "half_", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree gchar *dest = NULL;
  GError *error = NULL;
  gchar *path;

  g_tmp_dir_set_ignore_cleanup_errors (tmp, TRUE);
  g_assert_true (g_tmp_dir_get_ignore_cleanup_errors (tmp));

  /* Every cleanup, with or without ignore-cleanup-errors, says so. */
  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  assert_not_initialized (error);
  g_assert_nonnull (strstr (error->message, "directory"));
  g_clear_error (&error);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  g_assert_false (g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), &error));
  assert_not_initialized (error);
  g_clear_error (&error);
  g_clear_object (&result);

  /* persist() too, and nothing appears at the destination. */
  dest = g_build_filename (dir, "published", NULL);
  g_assert_false (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  assert_not_initialized (error);
  g_clear_error (&error);
  g_tmp_dir_persist_async (tmp, dest, G_TMP_PERSIST_EXCHANGE, G_PRIORITY_DEFAULT, NULL,
                           test_store_result, &result);
  g_assert_false (g_tmp_dir_persist_finish (tmp, test_wait_result (&result), &error));
  assert_not_initialized (error);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_false (test_path_exists (dest));

  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_tmp_dir_get_path: this GTmpDir is not initialized*");
  g_assert_null (g_tmp_dir_get_path (tmp));
  g_test_assert_expected_messages ();
  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_tmp_dir_get_file: this GTmpDir is not initialized*");
  g_assert_null (g_tmp_dir_get_file (tmp));
  g_test_assert_expected_messages ();
  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_tmp_dir_get_fd: this GTmpDir is not initialized*");
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  /* Initialised, it is an ordinary temporary directory. */
  g_assert_true (g_initable_init (G_INITABLE (tmp), NULL, &error));
  g_assert_no_error (error);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  g_assert_true (test_name_matches (path, dir, "^half_[a-z0-9_]{8}$"));
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
  file = g_tmp_dir_get_file (tmp);
  g_assert_nonnull (file);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));

  g_free (path);
  test_scratch_free (dir);
}

int
main (int   argc,
      char *argv[])
{
  umask (022);
  test_init (&argc, &argv, "gi");

  g_test_add_func ("/gi/new-async/named", test_named_new_async);
  g_test_add_func ("/gi/new-async/named-errors", test_named_new_async_errors);
  g_test_add_func ("/gi/new-async/spooled", test_spooled_new_async);
  g_test_add_func ("/gi/new-async/spooled-cancelled", test_spooled_new_async_cancelled);
  g_test_add_func ("/gi/uninitialised/tmp-file", test_uninitialised_tmp_file);
  g_test_add_func ("/gi/uninitialised/named", test_uninitialised_named);
  g_test_add_func ("/gi/uninitialised/spooled", test_uninitialised_spooled);
  g_test_add_func ("/gi/uninitialised/tmp-dir", test_uninitialised_tmp_dir);

  return test_run ();
}
