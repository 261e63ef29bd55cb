/* test-tmpdir.c — GTmpDir and the tree removal, checked on disk
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gtempfile-private.h"
#include "gtmp-rmtree.h"
#include "gtmp-testing.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
# include <linux/filter.h>
# include <linux/fs.h>
# include <linux/seccomp.h>
# include <sched.h>
# include <stddef.h>
# include <sys/mount.h>
# include <sys/prctl.h>
# include <sys/syscall.h>
#endif

#include <glib/gstdio.h>

#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

/* Each test makes its GTmpDirs in a base of its own, test_scratch_new(), so
 * that it can check that nothing else appears or disappears there.
 * Removes @base as root, whatever a test left in it. */
static void
remove_base (const gchar *base)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_g_tmp_rmtree_remove (base, -1, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (base, G_FILE_TEST_EXISTS));
}

/* The only entry of @base (a test makes one GTmpDir there), or NULL. */
static gchar *
only_entry (const gchar *base)
{
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const gchar *name;

  g_assert_nonnull (dir);
  name = g_dir_read_name (dir);
  if (name == NULL)
    return NULL;
  g_assert_null (g_dir_read_name (dir));
  return g_build_filename (base, name, NULL);
}

static void
write_at (gint         dirfd,
          const gchar *name,
          const gchar *contents)
{
  gint fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  gsize len = strlen (contents);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, len), ==, (gssize) len);
  g_assert_no_errno (close (fd));
}

/* mkdirat + open: the new directory's fd. */
static gint
subdir_at (gint         dirfd,
           const gchar *name)
{
  gint fd;

  g_assert_no_errno (mkdirat (dirfd, name, 0755));
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

static gint
open_path (const gchar *path)
{
  gint fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* @n empty files, f00000 and on, in @tmp. */
static void
fill_flat (GTmpDir *tmp,
           guint    n)
{
  gint top = open_path (g_tmp_dir_get_path (tmp));

  for (guint i = 0; i < n; i++)
    {
      gchar name[32];

      g_snprintf (name, sizeof name, "f%05u", i);
      write_at (top, name, "");
    }
  close (top);
}

/* A varied tree: files, hidden files, nested dirs, a fifo, links;
 * FILL_TREE_ENTRIES at the top. */
#define FILL_TREE_ENTRIES 4

static void
fill_tree (const gchar *path)
{
  gint top = open_path (path);
  gint a = subdir_at (top, "a");
  gint b = subdir_at (a, "b");

  write_at (top, "file", "x");
  write_at (top, ".hidden", "x");
  write_at (a, "in-a", "x");
  write_at (b, "in-b", "x");
  g_assert_no_errno (mkfifoat (b, "fifo", 0600));
  g_assert_no_errno (symlinkat ("in-b", b, "link"));
  g_assert_no_errno (symlinkat ("/nonexistent/dangling", top, "dangling"));
  g_assert_no_errno (close (subdir_at (b, "empty")));
  close (b);
  close (a);
  close (top);
}

/* A base the unprivileged child can write in, in the test case's scratch
 * directory, where the child (spawned by g_test_trap_subprocess) finds it. */
static gchar *
nobody_base_path (void)
{
  return test_scratch_path ("nobody");
}

static gchar *
make_base_for_nobody (void)
{
  gchar *base;

  g_free (test_scratch_new ());
  base = nobody_base_path ();
  g_assert_no_errno (mkdir (base, 0700));
  g_assert_no_errno (chown (base, TEST_NOBODY, TEST_NOBODY));
  return base;
}

/* The parent's side of a test case run as nobody: makes the base, runs the
 * case again in a subprocess that must pass, and finds @left entries in the
 * base afterwards. */
static void
run_as_nobody (guint left)
{
  g_autofree gchar *base = make_base_for_nobody ();

  test_run_in_subprocess ();
  g_assert_cmpuint (test_count_entries (base), ==, left);
  remove_base (base);
}

/* g_tmp_dir_cleanup() succeeds, and the directory is gone. */
static void
assert_cleaned_up (GTmpDir *tmp)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (g_tmp_dir_get_path (tmp)));
}

static GTmpDir *
new_in (const gchar *base)
{
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = g_tmp_dir_new (base, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tmp);
  return tmp;
}

/* ------------------------------------------------------------------------ */
/* Creation                                                                  */

static void
test_new_basic (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree gchar *file_path = NULL;
  g_autofree gchar *prop_path = NULL;
  g_autofree gchar *basename = NULL;
  gboolean delete_, ignore;
  guint mode;

  umask (022);
  tmp = g_tmp_dir_new (base, "pre_", ".suf", &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TMP_DIR (tmp));

  g_assert_true (g_path_is_absolute (g_tmp_dir_get_path (tmp)));
  g_assert_true (g_file_test (g_tmp_dir_get_path (tmp), G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (test_mode_of (g_tmp_dir_get_path (tmp)), ==, 0700);

  basename = g_path_get_basename (g_tmp_dir_get_path (tmp));
  g_assert_true (g_str_has_prefix (basename, "pre_"));
  g_assert_true (g_str_has_suffix (basename, ".suf"));
  g_assert_cmpuint (strlen (basename), ==, 4 + G_TMP_CORE_RANDOM_CHARS + 4);
  g_assert_cmpuint (test_count_entries (base), ==, 1);

  file = g_tmp_dir_get_file (tmp);
  file_path = g_file_get_path (file);
  g_assert_cmpstr (file_path, ==, g_tmp_dir_get_path (tmp));

  g_object_get (tmp,
                "path", &prop_path,
                "delete", &delete_,
                "ignore-cleanup-errors", &ignore,
                "mode", &mode,
                NULL);
  g_assert_cmpstr (prop_path, ==, g_tmp_dir_get_path (tmp));
  g_assert_true (delete_);
  g_assert_false (ignore);
  g_assert_cmpuint (mode, ==, 0700);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  remove_base (base);
}

static void
test_new_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = g_tmp_dir_new (NULL, NULL, NULL, &error);
  g_autofree gchar *tempdir = g_tempfile_get_tempdir (NULL);
  g_autofree gchar *dirname = NULL;
  g_autofree gchar *basename = NULL;

  g_assert_no_error (error);
  dirname = g_path_get_dirname (g_tmp_dir_get_path (tmp));
  basename = g_path_get_basename (g_tmp_dir_get_path (tmp));
  g_assert_cmpstr (dirname, ==, tempdir);
  g_assert_true (g_str_has_prefix (basename, "tmp"));
  g_assert_cmpuint (strlen (basename), ==, 3 + G_TMP_CORE_RANDOM_CHARS);
}

static void
test_new_mode (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;

  umask (022);
  tmp = g_initable_new (G_TYPE_TMP_DIR, NULL, &error,
                        "dir", base,
                        "mode", 0750,
                        NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (test_mode_of (g_tmp_dir_get_path (tmp)), ==, 0750);

  g_clear_object (&tmp);
  remove_base (base);
}

static void
test_new_relative (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *expected = g_build_filename (base, "sub", NULL);
  g_autofree gchar *dirname = NULL;
  g_autoptr(GTmpDir) tmp = NULL;

  g_assert_no_errno (mkdir (expected, 0700));
  g_assert_no_errno (chdir (base));
  tmp = new_in ("sub");
  g_assert_no_errno (chdir (cwd));

  g_assert_true (g_path_is_absolute (g_tmp_dir_get_path (tmp)));
  dirname = g_path_get_dirname (g_tmp_dir_get_path (tmp));
  g_assert_cmpstr (dirname, ==, expected);
  g_assert_true (g_file_test (g_tmp_dir_get_path (tmp), G_FILE_TEST_IS_DIR));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (expected), ==, 0);
  remove_base (base);
}

static void
test_new_errors (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (base, "missing", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp;

  tmp = g_tmp_dir_new (base, "a/b", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (tmp);
  g_clear_error (&error);

  tmp = g_tmp_dir_new (base, NULL, "/../x", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (tmp);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  tmp = g_tmp_dir_new (missing, NULL, NULL, &error);
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_assert_null (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  remove_base (base);
}

static void
test_new_async (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;

  g_tmp_dir_new_async (base, "async_", NULL, G_PRIORITY_DEFAULT, NULL,
                       test_store_result, &result);
  tmp = g_tmp_dir_new_finish (test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TMP_DIR (tmp));
  g_assert_true (g_file_test (g_tmp_dir_get_path (tmp), G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (test_mode_of (g_tmp_dir_get_path (tmp)), ==, 0700);
  g_clear_object (&tmp);
  g_clear_object (&result);
  /* GIO's worker may drop the last reference a moment after the callback. */
  test_wait_until_empty (base);

  /* Cancelled before it starts: nothing is created. */
  g_cancellable_cancel (cancellable);
  g_tmp_dir_new_async (base, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                       test_store_result, &result);
  tmp = g_tmp_dir_new_finish (test_wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  g_clear_object (&result);
  g_clear_error (&error);

  /* Failures come back through finish. */
  g_tmp_dir_new_async (base, "x/y", NULL, G_PRIORITY_DEFAULT, NULL,
                       test_store_result, &result);
  tmp = g_tmp_dir_new_finish (test_wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (tmp);

  remove_base (base);
}

/* g_tmp_dir_new_async()'s result is a GTask of its own (source tag
 * g_tmp_dir_new_async, no source object); new_finish() refuses any other
 * result with a critical. */
static void
test_new_async_result (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cleanup_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autoptr(GTask) other = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint i;

  g_tmp_dir_new_async (base, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                       test_store_result, &result);
  test_wait_result (&result);
  g_assert_true (G_IS_TASK (result));
  g_assert_true (g_task_get_source_tag (G_TASK (result)) == g_tmp_dir_new_async);
  g_assert_null (g_async_result_get_source_object (result));
  tmp = g_tmp_dir_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tmp);

  /* A cleanup result: another source object. */
  fill_tree (g_tmp_dir_get_path (tmp));
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &cleanup_result);
  test_wait_result (&cleanup_result);
  test_assert_foreign_result ((TestFinishFunc) g_tmp_dir_new_finish, "g_tmp_dir_new_finish",
                              cleanup_result);
  g_assert_true (g_tmp_dir_cleanup_finish (tmp, cleanup_result, &error));
  g_assert_no_error (error);

  /* No source object, as ours, but another source tag. */
  other = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (other, test_new_async_result);
  g_task_return_pointer (other, g_object_ref (tmp), g_object_unref);
  test_assert_foreign_result ((TestFinishFunc) g_tmp_dir_new_finish, "g_tmp_dir_new_finish",
                              G_ASYNC_RESULT (other));
  /* Nor is it a cleanup's: that critical names g_tmp_dir_cleanup_finish(). */
  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL,
                         "g_tmp_dir_cleanup_finish: assertion *_async call* failed");
  g_assert_false (g_tmp_dir_cleanup_finish (tmp, G_ASYNC_RESULT (other), &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_clear_object (&other);
  g_clear_object (&tmp);
  test_wait_until_empty (base);

  /* Cancelled after the directory was made: CANCELLED, and it goes again. */
  g_clear_object (&result);
  g_tmp_dir_new_async (base, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                       test_store_result, &result);
  for (i = 0; i < 10000 && test_count_entries (base) == 0; i++)
    g_usleep (1000);
  g_assert_cmpuint (test_count_entries (base), ==, 1);
  g_cancellable_cancel (cancellable);
  g_assert_null (g_tmp_dir_new_finish (test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  test_wait_until_empty (base);

  remove_base (base);
}

/* Two init_async() at once on one object (GAsyncInitable runs both in
 * worker threads): both succeed with one directory, which the object owns
 * and removes; nothing is left on disk, no path leaked (ASan). */
#define N_INIT_RACES 60

static void
test_new_init_twice (void)
{
  g_autofree gchar *base = test_scratch_new ();
  guint i;

  for (i = 0; i < N_INIT_RACES; i++)
    {
      g_autoptr(GAsyncResult) first = NULL;
      g_autoptr(GAsyncResult) second = NULL;
      g_autoptr(GError) error = NULL;
      GTmpDir *tmp = g_object_new (G_TYPE_TMP_DIR, "dir", base, NULL);

      g_async_initable_init_async (G_ASYNC_INITABLE (tmp), G_PRIORITY_DEFAULT, NULL,
                                   test_store_result, &first);
      g_async_initable_init_async (G_ASYNC_INITABLE (tmp), G_PRIORITY_DEFAULT, NULL,
                                   test_store_result, &second);
      g_assert_true (g_async_initable_init_finish (G_ASYNC_INITABLE (tmp),
                                                   test_wait_result (&first), &error));
      g_assert_no_error (error);
      g_assert_true (g_async_initable_init_finish (G_ASYNC_INITABLE (tmp),
                                                   test_wait_result (&second), &error));
      g_assert_no_error (error);

      g_assert_cmpuint (test_count_entries (base), ==, 1);
      g_clear_object (&first);
      g_clear_object (&second);
      test_unref_and_wait (tmp);
      g_assert_cmpuint (test_count_entries (base), ==, 0);
    }

  remove_base (base);
}

/* ------------------------------------------------------------------------ */
/* Properties, descriptor, lifecycle                                         */

static void
test_properties (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = new_in (base);

  test_check_bool_property (tmp, "delete", TRUE,
                            (TestSetBoolFunc) g_tmp_dir_set_delete,
                            (TestGetBoolFunc) g_tmp_dir_get_delete);
  test_check_bool_property (tmp, "ignore-cleanup-errors", FALSE,
                            (TestSetBoolFunc) g_tmp_dir_set_ignore_cleanup_errors,
                            (TestGetBoolFunc) g_tmp_dir_get_ignore_cleanup_errors);

  /* DESIGN.md, Types: GTmpDir is final. */
  g_assert_true (G_TYPE_IS_FINAL (G_TYPE_TMP_DIR));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  remove_base (base);
}

/* DESIGN.md, Async shape: the callback runs in the thread-default main
 * context of the caller, for g_tmp_dir_new_async() and
 * g_tmp_dir_cleanup_async() alike. */
typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
  gboolean      in_context;
} ContextData;

static void
store_in_context (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ContextData *data = user_data;

  data->in_context = (g_main_context_get_thread_default () == data->context);
  data->result = g_object_ref (result);
}

static void
test_async_context (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  ContextData data = { context, NULL, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autofree gchar *path = NULL;

  g_main_context_push_thread_default (context);

  g_tmp_dir_new_async (base, "ctx_", NULL, G_PRIORITY_DEFAULT, NULL,
                       store_in_context, &data);
  while (data.result == NULL)
    g_main_context_iteration (context, TRUE);
  g_assert_true (data.in_context);
  tmp = g_tmp_dir_new_finish (data.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tmp);
  /* Each task holds @context (and its wake-up descriptor) until the
   * worker lets go of it: wait for that, so that no descriptor of this
   * test is closed during the next one, which counts them. */
  test_unref_and_wait (g_steal_pointer (&data.result));
  path = g_strdup (g_tmp_dir_get_path (tmp));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));

  data.in_context = FALSE;
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, store_in_context, &data);
  while (data.result == NULL)
    g_main_context_iteration (context, TRUE);
  g_assert_true (data.in_context);
  g_assert_true (g_tmp_dir_cleanup_finish (tmp, data.result, &error));
  g_assert_no_error (error);
  test_unref_and_wait (g_steal_pointer (&data.result));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_main_context_pop_thread_default (context);

  test_unref_and_wait (g_steal_pointer (&tmp));
  test_wait_until_empty (base);
  remove_base (base);
}

static void
test_fd (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autofree gchar *inside = NULL;
  struct stat by_fd, by_path;
  gint lowest = test_lowest_free_fd ();
  gint fd;

  tmp = new_in (base);

  /* Lazily opened, then always the same one, a real close-on-exec
   * directory descriptor of the path. */
  fd = g_tmp_dir_get_fd (tmp);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, fd);
  g_assert_no_errno (fstat (fd, &by_fd));
  g_assert_no_errno (stat (g_tmp_dir_get_path (tmp), &by_path));
  g_assert_true (S_ISDIR (by_fd.st_mode));
  g_assert_cmpuint (by_fd.st_ino, ==, by_path.st_ino);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_ACCMODE, ==, O_RDONLY);

  /* Usable for *at(). */
  write_at (fd, "made-with-openat", "hello");
  inside = g_build_filename (g_tmp_dir_get_path (tmp), "made-with-openat", NULL);
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));

  /* Held until cleanup, closed by it; -1 afterwards. */
  assert_cleaned_up (tmp);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);

  g_clear_object (&tmp);

  /* Never opened and gone from under us: -1, and cleanup is fine. */
  tmp = new_in (base);
  g_assert_no_errno (rmdir (g_tmp_dir_get_path (tmp)));
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&tmp);

  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);
  remove_base (base);
}

static void
test_fd_offset (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = new_in (base);
  gint fd = g_tmp_dir_get_fd (tmp);
  DIR *dir;
  guint i;

  for (i = 0; i < 200; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("f%u", i);

      write_at (fd, name, "x");
    }

  /* Someone reads the held descriptor to its end (a dup shares the
   * offset): the cleanup must still see every entry. */
  dir = fdopendir (dup (fd));
  g_assert_nonnull (dir);
  while (readdir (dir) != NULL)
    ;
  closedir (dir);

  assert_cleaned_up (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  remove_base (base);
}

static void
test_cleanup_idempotent (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  fill_tree (path);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));

  /* Someone reuses the name: a second cleanup, and dispose, leave it. */
  g_assert_no_errno (mkdir (path, 0700));
  fill_tree (path);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, path);
  g_clear_object (&tmp);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);

  remove_base (base);
}

static void
test_dispose_removes (void)
{
  g_autofree gchar *base = test_scratch_new ();
  GTmpDir *tmp = new_in (base);
  gint lowest = test_lowest_free_fd ();

  fill_tree (g_tmp_dir_get_path (tmp));
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);

  remove_base (base);
}

/* A forked child that drops its reference must leave the directory alone;
 * the parent's own unref removes it. Run in a fresh subprocess, so the
 * fork happens with no other threads around. */
static void
test_fork (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *base = test_scratch_new ();
      GTmpDir *tmp = new_in (base);
      g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
      gint status;
      pid_t pid;

      fill_tree (path);
      g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);

      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          g_object_unref (tmp);
          _exit (test_path_exists (path) ? 0 : 1);
        }

      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);

      g_object_unref (tmp);
      g_assert_false (test_path_exists (path));
      remove_base (base);
      return;
    }

  test_run_in_subprocess ();
}

/* ------------------------------------------------------------------------ */
/* What the removal does on disk                                             */

static void
test_tree (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = new_in (base);
  gint lowest = test_lowest_free_fd ();

  fill_tree (g_tmp_dir_get_path (tmp));
  assert_cleaned_up (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);

  remove_base (base);
}

/* Links to things outside are removed as links; the targets keep their
 * content and mode; a link to / inside the tree touches nothing. */
static void
test_symlinks_outside (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *outside = g_build_filename (base, "outside", NULL);
  g_autofree gchar *outside_file = g_build_filename (base, "outside-file", NULL);
  g_autofree gchar *outside_kept = g_build_filename (outside, "kept", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autofree gchar *contents = NULL;
  gint top, sub;

  g_assert_no_errno (mkdir (outside, 0755));
  g_assert_true (g_file_set_contents (outside_kept, "kept", -1, NULL));
  g_assert_true (g_file_set_contents (outside_file, "precious", -1, NULL));
  g_assert_no_errno (chmod (outside_file, 0400));
  g_assert_no_errno (chmod (outside, 0500));

  tmp = g_tmp_dir_new (base, "t", NULL, &error);
  g_assert_no_error (error);
  top = open_path (g_tmp_dir_get_path (tmp));
  sub = subdir_at (top, "sub");
  g_assert_no_errno (symlinkat ("/", top, "root"));
  g_assert_no_errno (symlinkat (outside, top, "to-dir"));
  g_assert_no_errno (symlinkat (outside_file, top, "to-file"));
  g_assert_no_errno (symlinkat (outside, sub, "to-dir"));
  g_assert_no_errno (symlinkat ("../../outside", sub, "relative"));
  g_assert_no_errno (fchmod (sub, 0500));
  close (sub);
  close (top);

  assert_cleaned_up (tmp);

  g_assert_cmpuint (test_mode_of (outside), ==, 0500);
  g_assert_cmpuint (test_mode_of (outside_file), ==, 0400);
  g_assert_cmpuint (test_count_entries (outside), ==, 1);
  g_assert_true (g_file_get_contents (outside_kept, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "kept");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (outside_file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
  g_assert_true (g_file_test ("/etc/passwd", G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (test_count_entries (base), ==, 2);

  g_assert_no_errno (chmod (outside, 0700));
  remove_base (base);
}

/* The same with the chmod path forced: as nobody, in read-only directories,
 * next to links to nobody's own read-only things outside. The fix must
 * go to the directory holding the link, never through the link. */
static void
test_symlinks_chmod (void)
{
  if (!test_need_root ("to drop privileges or mount"))
    return;

  if (g_test_subprocess ())
    {
      g_autofree gchar *b = nobody_base_path ();
      g_autofree gchar *outside = g_build_filename (b, "outside", NULL);
      g_autofree gchar *outside_file = g_build_filename (b, "outside-file", NULL);
      g_autoptr(GTmpDir) tmp = NULL;
      gint top, sub, deeper;

      test_drop_privileges ();
      g_assert_no_errno (mkdir (outside, 0700));
      g_assert_true (g_file_set_contents (outside_file, "precious", -1, NULL));
      g_assert_no_errno (chmod (outside_file, 0400));
      g_assert_no_errno (chmod (outside, 0500));

      tmp = new_in (b);
      top = open_path (g_tmp_dir_get_path (tmp));
      sub = subdir_at (top, "ro");
      deeper = subdir_at (sub, "none");
      g_assert_no_errno (symlinkat (outside, sub, "to-dir"));
      g_assert_no_errno (symlinkat (outside_file, sub, "to-file"));
      g_assert_no_errno (symlinkat (outside_file, deeper, "to-file"));
      write_at (deeper, "f", "x");
      g_assert_no_errno (fchmod (deeper, 0000));
      g_assert_no_errno (fchmod (sub, 0500));
      g_assert_no_errno (symlinkat (outside, top, "to-dir"));
      g_assert_no_errno (fchmod (top, 0500));
      close (deeper);
      close (sub);
      close (top);

      assert_cleaned_up (tmp);
      g_assert_cmpuint (test_mode_of (outside), ==, 0500);
      g_assert_cmpuint (test_mode_of (outside_file), ==, 0400);
      return;
    }

  run_as_nobody (2);
}

static void
test_symlink_loops (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = new_in (base);
  gint top = open_path (g_tmp_dir_get_path (tmp));
  gint sub = subdir_at (top, "sub");

  g_assert_no_errno (symlinkat ("b", top, "a"));
  g_assert_no_errno (symlinkat ("a", top, "b"));
  g_assert_no_errno (symlinkat ("self", top, "self"));
  g_assert_no_errno (symlinkat (".", top, "dot"));
  g_assert_no_errno (symlinkat ("..", sub, "up"));
  g_assert_no_errno (symlinkat ("../..", sub, "upup"));
  g_assert_no_errno (symlinkat (g_tmp_dir_get_path (tmp), sub, "top"));
  close (sub);
  close (top);

  assert_cleaned_up (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  remove_base (base);
}

/* Makes @depth nested directories "d", each also holding a file. */
static void
make_deep (const gchar *path,
           guint        depth)
{
  gint fd = open_path (path);
  guint i;

  for (i = 0; i < depth; i++)
    {
      gint next = subdir_at (fd, "d");

      write_at (fd, "f", "x");
      close (fd);
      fd = next;
    }
  close (fd);
}

static void
test_deep (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = new_in (base);
  gint lowest = test_lowest_free_fd ();

  make_deep (g_tmp_dir_get_path (tmp), 300);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, lowest);
  assert_cleaned_up (tmp);
  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);

  remove_base (base);
}

/* Far deeper than the descriptors we may open: the walk must give back
 * streams on the way down and find its way up again. */
static void
test_deep_few_fds (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *base = test_scratch_new ();
      g_autoptr(GTmpDir) tmp = new_in (base);
      /* Fewer than the streams the walk would keep open: it must also
       * cope with EMFILE by giving some back. */
      struct rlimit limit = { 16, 16 };

      make_deep (g_tmp_dir_get_path (tmp), 1000);
      g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));

      assert_cleaned_up (tmp);
      remove_base (base);
      return;
    }

  test_run_in_subprocess ();
}

static void
test_wide (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GTmpDir) tmp = new_in (base);
  gint top = open_path (g_tmp_dir_get_path (tmp));
  guint i;

  for (i = 0; i < 10000; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("entry-%05u", i);

      if (i % 100 == 0)
        {
          gint sub = subdir_at (top, name);

          write_at (sub, "inner", "x");
          close (sub);
        }
      else
        write_at (top, name, "x");
    }
  close (top);
  g_assert_cmpuint (test_count_entries (g_tmp_dir_get_path (tmp)), ==, 10000);

  assert_cleaned_up (tmp);

  remove_base (base);
}

/* As nobody: 0500 and 0000 directories, 0000 files, and a read-only top
 * are all made removable and removed. */
static void
test_read_only (void)
{
  if (!test_need_root ("to drop privileges or mount"))
    return;

  if (g_test_subprocess ())
    {
      g_autofree gchar *child_base = nobody_base_path ();
      g_autoptr(GTmpDir) tmp = NULL;
      gint top, ro, none, wo, nested;

      test_drop_privileges ();
      tmp = new_in (child_base);
      top = open_path (g_tmp_dir_get_path (tmp));
      ro = subdir_at (top, "ro");
      none = subdir_at (top, "none");
      wo = subdir_at (top, "write-only");
      nested = subdir_at (ro, "nested");
      write_at (ro, "f", "x");
      write_at (none, "f", "x");
      write_at (wo, "f", "x");
      write_at (nested, "f", "x");
      write_at (top, "file-0000", "x");
      g_assert_no_errno (fchmodat (top, "file-0000", 0000, 0));
      g_assert_no_errno (fchmod (nested, 0000));
      g_assert_no_errno (fchmod (ro, 0500));
      g_assert_no_errno (fchmod (none, 0000));
      g_assert_no_errno (fchmod (wo, 0300));
      g_assert_no_errno (fchmod (top, 0500));
      close (nested);
      close (wo);
      close (none);
      close (ro);
      close (top);

      assert_cleaned_up (tmp);

      /* The top itself at 0000, walked from the held descriptor. */
      g_clear_object (&tmp);
      tmp = new_in (child_base);
      write_at (g_tmp_dir_get_fd (tmp), "f", "x");
      g_assert_no_errno (chmod (g_tmp_dir_get_path (tmp), 0000));
      assert_cleaned_up (tmp);

      /* And without one. */
      g_clear_object (&tmp);
      tmp = new_in (child_base);
      top = open_path (g_tmp_dir_get_path (tmp));
      write_at (top, "f", "x");
      close (top);
      g_assert_no_errno (chmod (g_tmp_dir_get_path (tmp), 0000));
      assert_cleaned_up (tmp);
      return;
    }

  run_as_nobody (0);
}

/* A root-owned, non-writable directory in nobody's tree: nobody cannot
 * remove what is in it. The error names that entry; with
 * ignore-cleanup-errors everything else goes and the call succeeds. */
static void
run_locked_cleanup (gboolean ignore)
{
  g_autofree gchar *child_base = nobody_base_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autofree gchar *expected = NULL;
  gint top, locked;
  guint i;

  tmp = new_in (child_base);
  top = open_path (g_tmp_dir_get_path (tmp));
  locked = subdir_at (top, "locked");
  write_at (locked, "f", "x");
  g_assert_no_errno (fchmod (locked, 0755));
  for (i = 0; i < 20; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("free-%u", i);
      gint sub = subdir_at (top, name);

      write_at (sub, "g", "x");
      close (sub);
    }
  g_assert_no_errno (fchownat (top, "", TEST_NOBODY, TEST_NOBODY, AT_EMPTY_PATH));
  for (i = 0; i < 20; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("free-%u", i);
      g_autofree gchar *inner = g_strdup_printf ("free-%u/g", i);

      g_assert_no_errno (fchownat (top, name, TEST_NOBODY, TEST_NOBODY, AT_SYMLINK_NOFOLLOW));
      g_assert_no_errno (fchownat (top, inner, TEST_NOBODY, TEST_NOBODY, AT_SYMLINK_NOFOLLOW));
    }
  close (locked);
  close (top);

  test_drop_privileges ();
  g_tmp_dir_set_ignore_cleanup_errors (tmp, ignore);
  expected = g_build_filename (g_tmp_dir_get_path (tmp), "locked", "f", NULL);

  if (ignore)
    {
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_no_error (error);
      /* Everything removable is gone. */
      g_assert_cmpuint (test_count_entries (g_tmp_dir_get_path (tmp)), ==, 1);
    }
  else
    {
      g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, expected));
      /* Retrying gives the same answer. */
      g_clear_error (&error);
      g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_tmp_dir_set_delete (tmp, FALSE);
    }
  g_assert_true (test_path_exists (expected));
}

static void
check_locked_cleanup (gboolean ignore)
{
  g_autofree gchar *base = NULL;
  g_autofree gchar *left = NULL;
  g_autofree gchar *locked_f = NULL;

  if (!test_need_root ("to drop privileges or mount"))
    return;

  if (g_test_subprocess ())
    {
      run_locked_cleanup (ignore);
      return;
    }

  base = make_base_for_nobody ();
  test_run_in_subprocess ();

  /* What could not be removed is still there, and (ignoring errors)
   * nothing else. */
  left = only_entry (base);
  g_assert_nonnull (left);
  locked_f = g_build_filename (left, "locked", "f", NULL);
  g_assert_true (test_path_exists (locked_f));
  if (ignore)
    g_assert_cmpuint (test_count_entries (left), ==, 1);
  remove_base (base);
}

static void
test_errors (void)
{
  check_locked_cleanup (FALSE);
}

static void
test_errors_ignored (void)
{
  check_locked_cleanup (TRUE);
}

/* An immutable file (chattr +i) cannot be removed even by root. */
static void
test_errors_immutable (void)
{
#if defined(__linux__) && defined(FS_IOC_SETFLAGS)
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = new_in (base);
  g_autofree gchar *stuck = g_build_filename (g_tmp_dir_get_path (tmp), "sub", "stuck", NULL);
  gint top = open_path (g_tmp_dir_get_path (tmp));
  gint sub = subdir_at (top, "sub");
  gint fd, flags = 0;

  write_at (sub, "stuck", "x");
  write_at (top, "other", "x");
  fd = openat (sub, "stuck", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) < 0 ||
      (flags |= FS_IMMUTABLE_FL, ioctl (fd, FS_IOC_SETFLAGS, &flags) < 0))
    {
      test_skip_printf ("cannot set the immutable flag here: %s", g_strerror (errno));
      close (fd);
      close (sub);
      close (top);
      g_clear_object (&tmp);
      remove_base (base);
      return;
    }

  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, stuck);
  g_assert_true (test_path_exists (stuck));
  g_clear_error (&error);

  g_tmp_dir_set_ignore_cleanup_errors (tmp, TRUE);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_path_exists (stuck));
  g_assert_cmpuint (test_count_entries (g_tmp_dir_get_path (tmp)), ==, 1);

  flags &= ~FS_IMMUTABLE_FL;
  g_assert_no_errno (ioctl (fd, FS_IOC_SETFLAGS, &flags));
  close (fd);
  close (sub);
  close (top);
  g_clear_object (&tmp);
  remove_base (base);
#else
  test_skip ("no FS_IOC_SETFLAGS on this system");
#endif
}

/* A file system mounted inside the tree is not entered: its content stays,
 * its mount point is reported busy. */
static void
test_errors_mount (void)
{
#ifdef __linux__
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = new_in (base);
  g_autofree gchar *mnt = g_build_filename (g_tmp_dir_get_path (tmp), "mnt", NULL);
  g_autofree gchar *inside = g_build_filename (mnt, "on-tmpfs", NULL);

  g_assert_no_errno (mkdir (mnt, 0700));
  if (mount ("test-tmpdir", mnt, "tmpfs", 0, "size=1m") < 0)
    {
      test_skip_printf ("cannot mount a tmpfs here: %s", g_strerror (errno));
      g_clear_object (&tmp);
      remove_base (base);
      return;
    }
  g_assert_true (g_file_set_contents (inside, "x", -1, NULL));

  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_BUSY, mnt);
  g_assert_true (test_path_exists (inside));
  g_clear_error (&error);

  g_assert_no_errno (umount (mnt));
  assert_cleaned_up (tmp);
  g_clear_object (&tmp);
  remove_base (base);
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* The kernels the tree removal must be safe on, as a seccomp filter
 * makes them for the calling thread and those it starts. */
typedef enum
{
  KERNEL_CURRENT,
  /* Before 5.6, no openat2(): statx() tells mount roots (5.8). */
  KERNEL_NO_OPENAT2,
  /* Before 4.11, no statx() either (glibc emulates it, telling nothing
   * of mount roots), as after them until 5.8. */
  KERNEL_NO_OPENAT2_NO_STATX,
  /* An older container runtime's filter, refusing system calls it does
   * not know with EPERM (glibc does not emulate statx() then). */
  KERNEL_FILTERED_EPERM,
} Kernel;

#ifdef __linux__
/* A directory of files beside the GTmpDirs in @base, on the same file
 * system, to bind-mount into their trees. */
static gchar *
make_mount_source (const gchar *base)
{
  gchar *src = g_build_filename (base, "src", NULL);
  gint fd;
  gint sub;

  g_assert_no_errno (mkdir (src, 0755));
  fd = open_path (src);
  write_at (fd, "s1", "one");
  write_at (fd, "s2", "two");
  sub = subdir_at (fd, "sub");
  write_at (sub, "s3", "three");
  close (sub);
  close (fd);
  return src;
}

/* Everything make_mount_source() put in @src is still there. */
static void
assert_mount_source_intact (const gchar *src)
{
  g_autofree gchar *s1 = g_build_filename (src, "s1", NULL);
  g_autofree gchar *s2 = g_build_filename (src, "s2", NULL);
  g_autofree gchar *s3 = g_build_filename (src, "sub", "s3", NULL);

  g_assert_cmpuint (test_count_entries (src), ==, 3);
  test_assert_file_contents (s1, "one");
  test_assert_file_contents (s2, "two");
  test_assert_file_contents (s3, "three");
}

/* A bind mount of a directory of the same file system at tree/a/mnt is not
 * entered: the cleanup fails naming it (G_IO_ERROR_BUSY), or with
 * ignore-cleanup-errors removes everything else and succeeds; either way
 * the source keeps every file and the mount stays as it was. */
static void
check_bind_mount_dir (gboolean ignore)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *src = make_mount_source (base);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  g_autofree gchar *a = g_build_filename (path, "a", NULL);
  g_autofree gchar *mnt = g_build_filename (a, "mnt", NULL);
  g_autofree gchar *via_mnt = g_build_filename (mnt, "s1", NULL);
  struct stat st_src, st_mnt;

  g_test_message ("bind mount of a directory, ignore-cleanup-errors %d", ignore);
  fill_tree (path);
  g_assert_no_errno (mkdir (mnt, 0700));
  g_assert_no_errno (mount (src, mnt, "none", MS_BIND, NULL));
  g_assert_no_errno (stat (src, &st_src));
  g_assert_no_errno (stat (mnt, &st_mnt));
  g_assert_cmpuint (st_src.st_dev, ==, st_mnt.st_dev);

  g_tmp_dir_set_ignore_cleanup_errors (tmp, ignore);
  if (ignore)
    {
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_no_error (error);
      /* All but the mount point and the directories holding it is gone. */
      g_assert_cmpuint (test_count_entries (path), ==, 1);
      g_assert_cmpuint (test_count_entries (a), ==, 1);
    }
  else
    {
      g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
      test_assert_error_names (error, G_IO_ERROR_BUSY, mnt);
      g_clear_error (&error);
    }
  assert_mount_source_intact (src);
  test_assert_file_contents (via_mnt, "one");

  g_assert_no_errno (umount (mnt));
  assert_mount_source_intact (src);
  if (!ignore)
    {
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_no_error (error);
      g_assert_false (test_path_exists (path));
    }
  g_tmp_dir_set_delete (tmp, FALSE);
  g_object_unref (tmp);
  g_assert_true (_g_tmp_rmtree_remove (path, -1, FALSE, NULL, NULL));
  assert_mount_source_intact (src);
  remove_base (base);
}

/* A file mounted over an entry of the tree, and a directory mounted over
 * the tree itself: errors naming them, never success, the source intact. */
static void
check_bind_mount_file_and_top (gboolean ignore)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *src = make_mount_source (base);
  g_autofree gchar *src_file = g_build_filename (src, "s1", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  g_autofree gchar *file = g_build_filename (path, "file", NULL);

  g_test_message ("bind mount of a file and over the top, ignore-cleanup-errors %d", ignore);
  g_tmp_dir_set_ignore_cleanup_errors (tmp, ignore);
  fill_tree (path);
  g_assert_no_errno (mount (src_file, file, "none", MS_BIND, NULL));
  if (ignore)
    g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  else
    {
      g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
      test_assert_error_names (error, G_IO_ERROR_BUSY, file);
      g_clear_error (&error);
    }
  test_assert_file_contents (file, "one");
  g_assert_no_errno (umount (file));
  assert_mount_source_intact (src);
  g_tmp_dir_set_delete (tmp, FALSE);
  g_object_unref (tmp);
  g_assert_true (_g_tmp_rmtree_remove (path, -1, FALSE, NULL, NULL));

  tmp = new_in (base);
  g_free (path);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  g_tmp_dir_set_ignore_cleanup_errors (tmp, ignore);
  g_assert_no_errno (mount (src, path, "none", MS_BIND, NULL));
  if (ignore)
    g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  else
    {
      g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
      test_assert_error_names (error, G_IO_ERROR_BUSY, path);
      g_clear_error (&error);
    }
  assert_mount_source_intact (src);
  g_assert_no_errno (umount (path));
  assert_mount_source_intact (src);
  g_tmp_dir_set_delete (tmp, FALSE);
  g_object_unref (tmp);
  g_assert_true (_g_tmp_rmtree_remove (path, -1, FALSE, NULL, NULL));
  remove_base (base);
}

static void
check_bind_mounts (void)
{
  check_bind_mount_dir (FALSE);
  check_bind_mount_dir (TRUE);
  check_bind_mount_file_and_top (FALSE);
  check_bind_mount_file_and_top (TRUE);
}

/* Whether this process may bind-mount at all (root, no seccomp or LSM in
 * the way); the test is skipped otherwise. */
static gboolean
can_bind_mount (void)
{
  g_autofree gchar *base = NULL;
  g_autofree gchar *target = NULL;
  gboolean ok;

  if (!test_need_root ("to bind-mount"))
    return FALSE;

  base = test_scratch_new ();
  target = g_build_filename (base, "target", NULL);
  g_assert_no_errno (mkdir (target, 0700));
  ok = mount (base, target, "none", MS_BIND, NULL) == 0;
  if (ok)
    g_assert_no_errno (umount (target));
  else
    test_skip_printf ("cannot bind-mount here: %s", g_strerror (errno));
  remove_base (base);
  return ok;
}

/* In a mount namespace of its own (a g_test_trap_subprocess() child), so
 * that no mount outlives a test that dies half-way; FALSE (skipped) where
 * that is refused. */
static gboolean
enter_private_mount_namespace (void)
{
  if (unshare (CLONE_NEWNS) < 0)
    {
      test_skip_printf ("cannot make a mount namespace: %s", g_strerror (errno));
      return FALSE;
    }
  g_assert_no_errno (mount (NULL, "/", "none", MS_REC | MS_PRIVATE, NULL));
  return TRUE;
}

/* Installs the filter for @kernel; FALSE (skipped) without seccomp. */
static gboolean
refuse_new_syscalls (Kernel kernel)
{
  guint errsv = kernel == KERNEL_FILTERED_EPERM ? EPERM : ENOSYS;
  guint statx_nr = kernel == KERNEL_NO_OPENAT2 ? 437 : SYS_statx;
  struct sock_filter filter[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 437 /* openat2, on every architecture */, 1, 0),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, statx_nr, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | errsv),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { G_N_ELEMENTS (filter), filter };

  g_assert_no_errno (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
    {
      test_skip_printf ("cannot install a seccomp filter: %s", g_strerror (errno));
      return FALSE;
    }
  g_assert_cmpint (syscall (437, AT_FDCWD, "/", NULL, (size_t) 0), ==, -1);
  g_assert_cmpint (errno, ==, errsv);
  if (kernel != KERNEL_NO_OPENAT2)
    {
      struct statx stx;

      g_assert_cmpint (syscall (SYS_statx, AT_FDCWD, "/", 0, 0, &stx), ==, -1);
      g_assert_cmpint (errno, ==, errsv);
    }
  return TRUE;
}
#endif

static void
test_mount_bind (void)
{
#ifdef __linux__
  if (can_bind_mount ())
    check_bind_mounts ();
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* In a private mount namespace, on each #Kernel: where neither openat2()
 * nor statx() can tell a mount root, the mount IDs do. */
static void
test_mount_bind_namespace (gconstpointer kernel)
{
#ifdef __linux__
  if (g_test_subprocess ())
    {
      if (enter_private_mount_namespace () &&
          (GPOINTER_TO_INT (kernel) == KERNEL_CURRENT ||
           refuse_new_syscalls (GPOINTER_TO_INT (kernel))))
        check_bind_mounts ();
      return;
    }
  if (!can_bind_mount ())
    return;
  if (test_trap_subprocess (120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR))
    g_test_trap_assert_passed ();
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* After an explicit cleanup() that failed and said so, dropping the last
 * reference tries once more but does not warn again (a warning would abort
 * under G_DEBUG=fatal-warnings); what it cannot remove stays intact. */
static void
test_dispose_after_failed_cleanup (void)
{
#ifdef __linux__
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  g_autofree gchar *mnt = g_build_filename (path, "mnt", NULL);
  g_autofree gchar *inside = g_build_filename (mnt, "on-tmpfs", NULL);

  g_assert_no_errno (mkdir (mnt, 0700));
  if (mount ("test-tmpdir", mnt, "tmpfs", 0, "size=1m") < 0)
    {
      test_skip_printf ("cannot mount a tmpfs here: %s", g_strerror (errno));
      g_object_unref (tmp);
      remove_base (base);
      return;
    }
  g_assert_true (g_file_set_contents (inside, "x", -1, NULL));

  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_object_unref (tmp);

  g_assert_true (test_path_exists (inside));
  g_assert_true (test_path_exists (path));
  g_assert_cmpuint (test_count_entries (path), ==, 1);

  g_assert_no_errno (umount (mnt));
  g_assert_no_errno (rmdir (mnt));
  g_assert_no_errno (rmdir (path));
  remove_base (base);
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* A cleanup that fails at dispose, with no explicit cleanup() before it, is
 * logged at debug level only: a warning would abort a program running
 * under G_DEBUG=fatal-warnings on a mere I/O failure (DESIGN: dispose never
 * logs above g_debug for I/O failures). Run in a subprocess with a mount
 * namespace of its own, so that a crash leaves no mount behind. */
static void
test_dispose_failure_quiet (void)
{
#ifdef __linux__
  g_autofree gchar *base = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *mnt = NULL;
  g_autofree gchar *inside = NULL;
  GTmpDir *tmp;

  if (!g_test_subprocess ())
    {
      if (!test_need_root ("mounting a tmpfs inside the tree"))
        return;
      if (!test_trap_subprocess (0, G_TEST_SUBPROCESS_DEFAULT))
        return;
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr_unmatched ("*WARNING*");
      return;
    }

  if (unshare (CLONE_NEWNS) < 0 ||
      mount (NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    {
      test_skip_printf ("no mount namespace of our own: %s", g_strerror (errno));
      return;
    }

  base = test_scratch_new ();
  tmp = new_in (base);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  mnt = g_build_filename (path, "mnt", NULL);
  inside = g_build_filename (mnt, "on-tmpfs", NULL);
  g_assert_no_errno (mkdir (mnt, 0700));
  g_assert_no_errno (mount ("test-tmpdir", mnt, "tmpfs", 0, "size=1m"));
  g_assert_true (g_file_set_contents (inside, "x", -1, NULL));

  g_object_unref (tmp);
  g_assert_true (test_path_exists (inside));

  g_assert_no_errno (umount (mnt));
  remove_base (base);
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* Our directory renamed away (and another put at its path) after we took
 * its descriptor: neither the moved one nor the stranger is touched. */
static void
test_renamed_away (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *moved = g_build_filename (base, "moved", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  fill_tree (path);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
  g_assert_no_errno (rename (path, moved));
  g_assert_no_errno (mkdir (path, 0700));
  fill_tree (path);

  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpuint (test_count_entries (moved), ==, FILL_TREE_ENTRIES);
  g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);

  g_tmp_dir_set_delete (tmp, FALSE);
  g_clear_object (&tmp);
  remove_base (base);
}

/* The same without a descriptor ever taken: the path was handed out, so
 * the object knows which directory it made; another populated directory
 * put at the path is not removed (an error names the path), nor is ours
 * where it went. */
static void
test_impostor (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *moved = g_build_filename (base, "moved", NULL);
  g_autofree gchar *aside = g_build_filename (base, "aside", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  guint round;

  fill_tree (path);
  g_assert_no_errno (rename (path, moved));
  g_assert_no_errno (mkdir (path, 0700));
  fill_tree (path);

  /* Twice (a failed cleanup may be tried again), then dispose's silent
   * retry: none of them touches either tree. */
  for (round = 0; round < 2; round++)
    {
      g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
      test_assert_error_names (error, G_IO_ERROR_BUSY, path);
      g_clear_error (&error);
      g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);
      g_assert_cmpuint (test_count_entries (moved), ==, FILL_TREE_ENTRIES);
    }
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);
  g_assert_cmpuint (test_count_entries (moved), ==, FILL_TREE_ENTRIES);

  /* Ours back in its place is removed as usual. */
  tmp = new_in (base);
  g_free (path);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  fill_tree (path);
  g_assert_no_errno (rename (path, aside));
  g_assert_no_errno (rename (aside, path));
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));
  g_object_unref (tmp);

  /* As documented, the one exception: an *empty* directory put at the path
   * is removed (the cleanup tries rmdir() first); ours, moved, stays. */
  tmp = new_in (base);
  g_free (path);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  fill_tree (path);
  g_assert_no_errno (rename (path, aside));
  g_assert_no_errno (mkdir (path, 0700));
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));
  g_assert_cmpuint (test_count_entries (aside), ==, FILL_TREE_ENTRIES);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (aside), ==, FILL_TREE_ENTRIES);
  test_remove_tree (aside);

  remove_base (base);
}

/* Entries removed by someone else meanwhile are not errors. */
#define N_VANISHING 5000

static gpointer
remove_concurrently (gpointer data)
{
  const gchar *path = data;
  gint fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gint i;

  if (fd < 0)
    return NULL;
  for (i = N_VANISHING - 1; i >= 0; i--)
    {
      gchar name[32];

      g_snprintf (name, sizeof name, "f%05d", i);
      unlinkat (fd, name, 0);
    }
  close (fd);
  return NULL;
}

static void
test_vanishing (void)
{
  g_autofree gchar *base = test_scratch_new ();
  guint round;

  for (round = 0; round < 2; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTmpDir) tmp = new_in (base);
      GThread *thread;

      fill_flat (tmp, N_VANISHING);

      thread = g_thread_new ("remover", remove_concurrently,
                             (gpointer) g_tmp_dir_get_path (tmp));
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_no_error (error);
      g_thread_join (thread);
      g_assert_false (test_path_exists (g_tmp_dir_get_path (tmp)));
    }

  /* The whole directory gone before the cleanup. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GTmpDir) tmp = new_in (base);

    fill_tree (g_tmp_dir_get_path (tmp));
    remove_base (g_tmp_dir_get_path (tmp));
    g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpuint (test_count_entries (base), ==, 0);
  remove_base (base);
}

/* ------------------------------------------------------------------------ */
/* cleanup_async                                                             */

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  gboolean   path_existed;
  gchar     *path;
  guint      ticks;
} AsyncData;

static void
on_cleanup_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (G_IS_TMP_DIR (source));
  data->ok = g_tmp_dir_cleanup_finish (G_TMP_DIR (source), result, &data->error);
  data->path_existed = test_path_exists (data->path);
  g_main_loop_quit (data->loop);
}

static gboolean
on_tick (gpointer user_data)
{
  ((AsyncData *) user_data)->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_cleanup_async (void)
{
  g_autofree gchar *base = test_scratch_new ();
  AsyncData data = { g_main_loop_new (NULL, FALSE), FALSE, NULL, FALSE, NULL, 0 };
  GTmpDir *tmp = new_in (base);
  GTmpDir *weak = tmp;
  guint tick;

  fill_flat (tmp, 5000);
  data.path = g_strdup (g_tmp_dir_get_path (tmp));

  /* The object stays alive until the callback has run. */
  g_object_add_weak_pointer (G_OBJECT (tmp), (gpointer *) &weak);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, on_cleanup_done, &data);
  g_object_unref (tmp);
  g_assert_nonnull (weak);
  g_object_remove_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);

  tick = g_idle_add (on_tick, &data);
  g_main_loop_run (data.loop);
  g_source_remove (tick);

  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_false (data.path_existed);
  /* The main loop kept running while the worker removed 5000 entries. */
  g_test_message ("main loop iterations during the cleanup: %u", data.ticks);
  g_assert_cmpuint (data.ticks, >, 0);
  test_wait_until_empty (base);

  g_free (data.path);
  g_main_loop_unref (data.loop);
  remove_base (base);
}

static void
test_cleanup_async_cancel (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncData data = { g_main_loop_new (NULL, FALSE), FALSE, NULL, FALSE, NULL, 0 };
  g_autoptr(GTmpDir) tmp = new_in (base);

  fill_flat (tmp, 2000);
  data.path = g_strdup (g_tmp_dir_get_path (tmp));

  /* Cancelled before it starts: nothing is removed. */
  g_cancellable_cancel (cancellable);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, cancellable, on_cleanup_done, &data);
  g_main_loop_run (data.loop);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  g_assert_true (data.path_existed);
  g_assert_cmpuint (test_count_entries (data.path), ==, 2000);
  g_clear_error (&data.error);

  /* Cancelled while it runs: reported as such; a later cleanup finishes. */
  g_cancellable_reset (cancellable);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, cancellable, on_cleanup_done, &data);
  g_cancellable_cancel (cancellable);
  g_main_loop_run (data.loop);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);

  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, on_cleanup_done, &data);
  g_main_loop_run (data.loop);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_false (data.path_existed);

  /* Synchronous cancellation too. */
  g_clear_object (&tmp);
  tmp = new_in (base);
  fill_tree (g_tmp_dir_get_path (tmp));
  g_assert_false (g_tmp_dir_cleanup (tmp, cancellable, &data.error));
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (test_count_entries (g_tmp_dir_get_path (tmp)), ==, FILL_TREE_ENTRIES);
  g_clear_error (&data.error);
  g_clear_object (&tmp);
  test_wait_until_empty (base);

  g_free (data.path);
  g_main_loop_unref (data.loop);
  remove_base (base);
}

/* Issue 17 (process safety): a child forked while a cleanup_async() works
 * in a worker thread (held at its first batch, in the parent only) cleans
 * the directory up itself and drops it. Its cleanup used to wait forever
 * for the parent's, which never ends in the child. */
static void
hold_in_batch (gint     dirfd,
               gpointer user_data)
{
  test_hold_here (user_data);
}

/* As documented: an explicit cleanup removes the tree, anywhere. */
static void
cleanup_in_child (gpointer data)
{
  GTmpDir *tmp = data;
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  if (!g_tmp_dir_cleanup (tmp, NULL, NULL))
    _exit (2);
  if (test_path_exists (path))
    _exit (3);
  g_object_unref (tmp);
}

static void
test_cleanup_async_fork (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *path = NULL;
  TestHold hold;
  GAsyncResult *result = NULL;
  GTmpDir *tmp = new_in (base);

  test_hold_init (&hold);
  fill_flat (tmp, 10);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  _g_tmp_rmtree_set_batch_hook (hold_in_batch, &hold);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_fork_while_held (&hold, cleanup_in_child, tmp);

  /* The parent's cleanup finishes what the child left (nothing). */
  test_wait_result (&result);
  _g_tmp_rmtree_set_batch_hook (NULL, NULL);
  g_assert_true (g_tmp_dir_cleanup_finish (tmp, result, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));
  g_object_unref (result);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  remove_base (base);
}

/* Cancelling after the cleanup has finished, before its callback ran, does
 * not make it "cancelled": the directory is gone and the result says so.
 * Cancelled before it starts, even an empty directory stays. */
static void
test_cleanup_async_cancel_after (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_in (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  guint i;

  fill_tree (path);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, cancellable, test_store_result, &result);
  /* The callback cannot run before the main context is iterated. */
  for (i = 0; i < 10000 && test_path_exists (path); i++)
    g_usleep (1000);
  g_assert_false (test_path_exists (path));
  g_cancellable_cancel (cancellable);
  g_assert_true (g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  test_unref_and_wait (tmp);

  /* Cancelled before it starts: an empty directory is not removed either,
   * async or not. */
  tmp = new_in (base);
  g_free (path);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, cancellable, test_store_result, &result);
  g_assert_false (g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_true (test_path_exists (path));
  g_assert_false (g_tmp_dir_cleanup (tmp, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (test_path_exists (path));
  test_unref_and_wait (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  remove_base (base);
}

/* The properties may be set from any thread while a cleanup runs in a
 * worker: no update is lost (a lost one left the cleanup state "under way"
 * for good, and the next cleanup or the last unref waited forever). Runs in
 * a subprocess that the timeout kills if it hangs. */
#define N_SETTER_RACES 500

static void
test_cleanup_async_setters_race (void)
{
  g_autofree gchar *base = NULL;
  guint i;

  if (!g_test_subprocess ())
    {
      if (test_trap_subprocess (60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR))
        g_test_trap_assert_passed ();
      return;
    }

  base = test_scratch_new ();
  for (i = 0; i < N_SETTER_RACES; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GTmpDir *tmp = new_in (base);
      gboolean value = FALSE;

      /* Mostly empty (one rmdir); now and then a tree to walk. */
      if (i % 16 == 0)
        fill_tree (g_tmp_dir_get_path (tmp));
      g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
      while (result == NULL)
        {
          guint j;

          for (j = 0; j < 64; j++)
            {
              value = !value;
              g_tmp_dir_set_delete (tmp, value);
              g_tmp_dir_set_ignore_cleanup_errors (tmp, !value);
            }
          g_main_context_iteration (NULL, FALSE);
        }
      g_assert_true (g_tmp_dir_cleanup_finish (tmp, result, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      /* The worker's own writes did not undo ours... */
      g_assert_cmpint (g_tmp_dir_get_delete (tmp), ==, value);
      g_assert_cmpint (g_tmp_dir_get_ignore_cleanup_errors (tmp), ==, !value);
      /* ...nor left a cleanup "under way" that this would wait for. */
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
      /* The last reference may be the worker's: its dispose has nothing
       * left to do (and waiting for it here would slow the race down). */
      g_object_unref (tmp);
    }
  test_wait_until_empty (base);
  remove_base (base);
}

/* ------------------------------------------------------------------------ */
/* delete = FALSE (CPython 3.12): only dispose keeps the tree               */

/* Dispose leaves the tree and lets go of the descriptor, whether delete was
 * a construct property or set after the descriptor was opened. */
static void
test_delete_false_dispose (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  gint lowest = test_lowest_free_fd ();
  GTmpDir *tmp;

  tmp = g_initable_new (G_TYPE_TMP_DIR, NULL, &error,
                        "dir", base, "delete", FALSE, NULL);
  g_assert_no_error (error);
  g_assert_false (g_tmp_dir_get_delete (tmp));
  path = g_strdup (g_tmp_dir_get_path (tmp));
  fill_tree (path);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);
  remove_base (path);
  g_clear_pointer (&path, g_free);

  tmp = new_in (base);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  fill_tree (path);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
  g_tmp_dir_set_delete (tmp, FALSE);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);
  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);

  remove_base (base);
}

/* An explicit cleanup removes the tree all the same, once: the descriptor
 * is closed, a second call succeeds, and neither it nor dispose touches a
 * directory someone else makes at the same path afterwards. */
static void
test_delete_false_cleanup (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = NULL;
  g_autofree gchar *path = NULL;
  gint lowest = test_lowest_free_fd ();

  tmp = g_initable_new (G_TYPE_TMP_DIR, NULL, &error,
                        "dir", base, "delete", FALSE, NULL);
  g_assert_no_error (error);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  fill_tree (path);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);

  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
  g_assert_cmpint (test_lowest_free_fd (), ==, lowest);
  g_assert_false (g_tmp_dir_get_delete (tmp));

  g_assert_no_errno (mkdir (path, 0700));
  fill_tree (path);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);

  remove_base (base);
}

/* Runs cleanup_async() on @tmp and waits for it. */
static gboolean
cleanup_async_and_wait (GTmpDir  *tmp,
                        gboolean  keep_while_running,
                        GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL,
                           test_store_result, &result);
  /* Changing the property while the worker runs changes nothing. */
  if (keep_while_running)
    g_tmp_dir_set_delete (tmp, FALSE);
  return g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), error);
}

/* delete switched off at any point of the object's life: a cleanup, sync
 * or async, still removes the tree. */
static void
test_delete_false_any_time (void)
{
  g_autofree gchar *base = test_scratch_new ();
  guint when;

  for (when = 0; when < 6; when++)
    {
      g_autoptr(GCancellable) cancelled = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      GTmpDir *tmp = new_in (base);
      g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
      gboolean ok;

      g_test_message ("case %u", when);
      fill_tree (path);
      switch (when)
        {
        case 0:   /* before the descriptor is opened */
          g_tmp_dir_set_delete (tmp, FALSE);
          ok = g_tmp_dir_cleanup (tmp, NULL, &error);
          break;

        case 1:   /* while the descriptor is held */
          g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
          g_tmp_dir_set_delete (tmp, FALSE);
          ok = g_tmp_dir_cleanup (tmp, NULL, &error);
          break;

        case 2:   /* after a cancelled cleanup */
          g_cancellable_cancel (cancelled);
          g_assert_false (g_tmp_dir_cleanup (tmp, cancelled, &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          g_assert_cmpuint (test_count_entries (path), ==, FILL_TREE_ENTRIES);
          g_tmp_dir_set_delete (tmp, FALSE);
          ok = g_tmp_dir_cleanup (tmp, NULL, &error);
          break;

        case 3:   /* switched back and forth */
          g_tmp_dir_set_delete (tmp, FALSE);
          g_tmp_dir_set_delete (tmp, TRUE);
          g_object_set (tmp, "delete", FALSE, NULL);
          ok = g_tmp_dir_cleanup (tmp, NULL, &error);
          break;

        case 4:   /* before cleanup_async() */
          g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
          g_tmp_dir_set_delete (tmp, FALSE);
          ok = cleanup_async_and_wait (tmp, FALSE, &error);
          break;

        default:  /* while cleanup_async() runs */
          ok = cleanup_async_and_wait (tmp, TRUE, &error);
          break;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_false (g_tmp_dir_get_delete (tmp));
      g_assert_false (test_path_exists (path));
      g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
      test_unref_and_wait (tmp);
      g_assert_cmpuint (test_count_entries (base), ==, 0);
    }

  remove_base (base);
}

#ifdef __linux__
/* A GTmpDir with delete = FALSE and a tmpfs mounted inside it, which no
 * cleanup can remove; NULL (the test skipped) when mounting is refused. */
static GTmpDir *
new_with_mount (const gchar  *base,
                gchar       **out_mnt)
{
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp;
  g_autofree gchar *mnt = NULL;
  g_autofree gchar *inside = NULL;

  tmp = g_initable_new (G_TYPE_TMP_DIR, NULL, &error,
                        "dir", base, "delete", FALSE, NULL);
  g_assert_no_error (error);
  fill_tree (g_tmp_dir_get_path (tmp));
  mnt = g_build_filename (g_tmp_dir_get_path (tmp), "mnt", NULL);
  g_assert_no_errno (mkdir (mnt, 0700));
  if (mount ("test-tmpdir", mnt, "tmpfs", 0, "size=1m") < 0)
    {
      test_skip_printf ("cannot mount a tmpfs here: %s", g_strerror (errno));
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_object_unref (tmp);
      return NULL;
    }
  inside = g_build_filename (mnt, "on-tmpfs", NULL);
  g_assert_true (g_file_set_contents (inside, "x", -1, NULL));

  *out_mnt = g_steal_pointer (&mnt);
  return tmp;
}
#endif

/* ignore-cleanup-errors is honoured by the cleanup of a delete = FALSE
 * directory: without it the error comes back, with it everything else is
 * removed and the call succeeds. */
static void
test_delete_false_ignore_errors (void)
{
#ifdef __linux__
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *mnt = NULL;
  g_autofree gchar *path = NULL;
  GTmpDir *tmp = new_with_mount (base, &mnt);

  if (tmp == NULL)
    {
      remove_base (base);
      return;
    }
  path = g_strdup (g_tmp_dir_get_path (tmp));

  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_BUSY, mnt);
  g_clear_error (&error);
  g_assert_true (test_path_exists (mnt));

  g_tmp_dir_set_ignore_cleanup_errors (tmp, TRUE);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (path), ==, 1);
  g_assert_cmpuint (test_count_entries (mnt), ==, 1);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (mnt), ==, 1);

  g_assert_no_errno (umount (mnt));
  remove_base (base);
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* After a failed explicit cleanup, dispose of a delete = FALSE directory
 * does not try again (with delete it would, silently): even once nothing
 * blocks the removal any more, the tree stays. */
static void
test_delete_false_dispose_after_failure (void)
{
#ifdef __linux__
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *mnt = NULL;
  GTmpDir *tmp = new_with_mount (base, &mnt);

  if (tmp == NULL)
    {
      remove_base (base);
      return;
    }

  g_assert_false (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_no_errno (umount (mnt));
  g_object_unref (tmp);
  /* A retry would have removed all of it now, starting with mnt. */
  g_assert_true (test_path_exists (mnt));
  g_assert_cmpuint (test_count_entries (mnt), ==, 0);

  remove_base (base);
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* ------------------------------------------------------------------------ */
/* Cost                                                                      */

/* Run as `test-tmpdir --lifecycles N DIR`: one warm-up, then N empty
 * GTmpDir lifecycles; with `--lifecycles-path`, each asks for the path
 * twice. */
static int
run_lifecycles (guint        n,
                const gchar *dir,
                gboolean     get_path)
{
  guint i;

  for (i = 0; i < n + 1; i++)
    {
      g_autoptr(GError) error = NULL;
      GTmpDir *tmp = g_tmp_dir_new (dir, NULL, NULL, &error);

      if (tmp == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      if (get_path && (g_tmp_dir_get_path (tmp) == NULL || g_tmp_dir_get_path (tmp) == NULL))
        return 1;
      g_object_unref (tmp);
    }
  return 0;
}

/* strace -c's table as name → calls. */
static GHashTable *
count_syscalls (const gchar *strace,
                const gchar *base,
                const gchar *mode,
                guint        n)
{
  g_autofree gchar *n_str = g_strdup_printf ("%u", n);
  g_autofree gchar *out_file = g_build_filename (base, "strace.out", NULL);
  g_autofree gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  const gchar *argv[] = {
    strace, "-f", "-c", "-o", out_file, self_exe,
    mode, n_str, base, NULL
  };
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *table = NULL;
  g_auto(GStrv) lines = NULL;
  gint status;
  guint i;

  g_assert_nonnull (self_exe);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (out_file, &table, NULL, NULL));
  g_assert_no_errno (unlink (out_file));
  lines = g_strsplit (table, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      GPtrArray *words = g_ptr_array_new ();
      guint j;

      for (j = 0; fields[j] != NULL; j++)
        if (fields[j][0] != '\0')
          g_ptr_array_add (words, fields[j]);

      /* % time, seconds, usecs/call, calls, [errors,] syscall */
      if (words->len >= 5 && g_ascii_isdigit (((gchar *) words->pdata[3])[0]) &&
          !g_str_equal (words->pdata[words->len - 1], "total"))
        g_hash_table_insert (counts, g_strdup (words->pdata[words->len - 1]),
                             GUINT_TO_POINTER (atoi (words->pdata[3])));
      g_ptr_array_unref (words);
    }

  return g_steal_pointer (&counts);
}

/* Calls of @name (by name) in @counts. */
static guint
calls (GHashTable  *counts,
       const gchar *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

/* Calls of any of the stat family in @counts. */
static guint
stat_calls (GHashTable *counts)
{
  return calls (counts, "newfstatat") + calls (counts, "fstatat64") +
         calls (counts, "statx") + calls (counts, "fstat") + calls (counts, "stat") +
         calls (counts, "lstat");
}

static void
test_syscalls (void)
{
  /* Memory management and the CSPRNG's batched refills are not per
   * directory; everything else must be. */
  static const gchar * const not_counted[] = {
    "brk", "mmap", "munmap", "mprotect", "madvise", "getrandom", NULL
  };
  g_autofree gchar *strace = g_find_program_in_path ("strace");
  g_autofree gchar *base = NULL;
  g_autoptr(GHashTable) few = NULL;
  g_autoptr(GHashTable) many = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint n = 200;

  if (strace == NULL)
    {
      test_skip ("strace is not installed");
      return;
    }
  if (g_getenv ("LD_PRELOAD") != NULL || g_getenv ("ASAN_OPTIONS") != NULL)
    {
      test_skip ("sanitizer runtimes make system calls of their own");
      return;
    }

  base = test_scratch_new ();
  few = count_syscalls (strace, base, "--lifecycles", 0);
  many = count_syscalls (strace, base, "--lifecycles", n);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  g_assert_cmpuint (calls (many, "mkdir") + calls (many, "mkdirat"), ==,
                    calls (few, "mkdir") + calls (few, "mkdirat") + n);
  g_assert_cmpuint (calls (many, "rmdir") + calls (many, "unlinkat"), ==,
                    calls (few, "rmdir") + calls (few, "unlinkat") + n);

  g_hash_table_iter_init (&iter, many);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_strv_contains (not_counted, key) ||
          g_str_equal (key, "mkdir") || g_str_equal (key, "mkdirat") ||
          g_str_equal (key, "rmdir") || g_str_equal (key, "unlinkat"))
        continue;
      if (GPOINTER_TO_UINT (value) != calls (few, key))
        g_error ("%u lifecycles made %u %s calls, not %u",
                 n, GPOINTER_TO_UINT (value), (const gchar *) key, calls (few, key));
    }
  g_test_message ("getrandom: %u calls for %u names", calls (many, "getrandom"), n + 1);

  /* As documented, get_path() looks at the directory once: one fstatat()
   * per lifecycle, however often it is called. */
  g_clear_pointer (&few, g_hash_table_unref);
  g_clear_pointer (&many, g_hash_table_unref);
  few = count_syscalls (strace, base, "--lifecycles-path", 0);
  many = count_syscalls (strace, base, "--lifecycles-path", n);
  g_assert_cmpuint (stat_calls (many), ==, stat_calls (few) + n);
  g_assert_cmpuint (calls (many, "mkdir") + calls (many, "mkdirat"), ==,
                    calls (few, "mkdir") + calls (few, "mkdirat") + n);
  g_assert_cmpuint (calls (many, "openat"), ==, calls (few, "openat"));

  remove_base (base);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--lifecycles"))
    return run_lifecycles (atoi (argv[2]), argv[3], FALSE);
  if (argc == 4 && g_str_equal (argv[1], "--lifecycles-path"))
    return run_lifecycles (atoi (argv[2]), argv[3], TRUE);

  test_init (&argc, &argv, "tmpdir");

  g_test_add_func ("/tmp-dir/new/basic", test_new_basic);
  g_test_add_func ("/tmp-dir/new/defaults", test_new_defaults);
  g_test_add_func ("/tmp-dir/new/mode", test_new_mode);
  test_add_full_cases ("/tmp-dir", TEST_CLASS_TMP_DIR);
  g_test_add_func ("/tmp-dir/new/relative", test_new_relative);
  g_test_add_func ("/tmp-dir/new/errors", test_new_errors);
  g_test_add_func ("/tmp-dir/new/async", test_new_async);
  g_test_add_func ("/tmp-dir/new/async-result", test_new_async_result);
  g_test_add_func ("/tmp-dir/new/init-twice", test_new_init_twice);
  g_test_add_func ("/tmp-dir/properties", test_properties);
  g_test_add_func ("/tmp-dir/fd/basic", test_fd);
  g_test_add_func ("/tmp-dir/fd/offset", test_fd_offset);
  g_test_add_func ("/tmp-dir/cleanup/idempotent", test_cleanup_idempotent);
  g_test_add_func ("/tmp-dir/dispose/removes", test_dispose_removes);
  g_test_add_func ("/tmp-dir/dispose/fork", test_fork);
  g_test_add_func ("/tmp-dir/remove/tree", test_tree);
  g_test_add_func ("/tmp-dir/remove/symlinks-outside", test_symlinks_outside);
  g_test_add_func ("/tmp-dir/remove/symlinks-chmod", test_symlinks_chmod);
  g_test_add_func ("/tmp-dir/remove/symlink-loops", test_symlink_loops);
  g_test_add_func ("/tmp-dir/remove/deep", test_deep);
  g_test_add_func ("/tmp-dir/remove/deep-few-fds", test_deep_few_fds);
  g_test_add_func ("/tmp-dir/remove/wide", test_wide);
  g_test_add_func ("/tmp-dir/remove/read-only", test_read_only);
  g_test_add_func ("/tmp-dir/remove/vanishing", test_vanishing);
  g_test_add_func ("/tmp-dir/remove/renamed-away", test_renamed_away);
  g_test_add_func ("/tmp-dir/remove/impostor", test_impostor);
  g_test_add_func ("/tmp-dir/errors/permission", test_errors);
  g_test_add_func ("/tmp-dir/errors/permission-ignored", test_errors_ignored);
  g_test_add_func ("/tmp-dir/errors/immutable", test_errors_immutable);
  g_test_add_func ("/tmp-dir/errors/mount", test_errors_mount);
  g_test_add_func ("/tmp-dir/mount/bind", test_mount_bind);
  g_test_add_data_func ("/tmp-dir/mount/bind-namespace", GINT_TO_POINTER (KERNEL_CURRENT),
                        test_mount_bind_namespace);
  g_test_add_data_func ("/tmp-dir/mount/bind-no-openat2", GINT_TO_POINTER (KERNEL_NO_OPENAT2),
                        test_mount_bind_namespace);
  g_test_add_data_func ("/tmp-dir/mount/bind-no-openat2-no-statx",
                        GINT_TO_POINTER (KERNEL_NO_OPENAT2_NO_STATX), test_mount_bind_namespace);
  g_test_add_data_func ("/tmp-dir/mount/bind-filtered-eperm",
                        GINT_TO_POINTER (KERNEL_FILTERED_EPERM), test_mount_bind_namespace);
  g_test_add_func ("/tmp-dir/errors/dispose-after-failed-cleanup", test_dispose_after_failed_cleanup);
  g_test_add_func ("/tmp-dir/errors/dispose-failure-quiet", test_dispose_failure_quiet);
  g_test_add_func ("/tmp-dir/cleanup/async", test_cleanup_async);
  g_test_add_func ("/tmp-dir/cleanup/async-cancel", test_cleanup_async_cancel);
  g_test_add_func ("/tmp-dir/cleanup/async-cancel-after", test_cleanup_async_cancel_after);
  g_test_add_func ("/tmp-dir/cleanup/async-fork", test_cleanup_async_fork);
  g_test_add_func ("/tmp-dir/cleanup/async-setters-race", test_cleanup_async_setters_race);
  g_test_add_func ("/tmp-dir/async/context", test_async_context);
  g_test_add_func ("/tmp-dir/delete-false/dispose", test_delete_false_dispose);
  g_test_add_func ("/tmp-dir/delete-false/cleanup", test_delete_false_cleanup);
  g_test_add_func ("/tmp-dir/delete-false/any-time", test_delete_false_any_time);
  g_test_add_func ("/tmp-dir/delete-false/ignore-cleanup-errors", test_delete_false_ignore_errors);
  g_test_add_func ("/tmp-dir/delete-false/dispose-after-failed-cleanup", test_delete_false_dispose_after_failure);
  g_test_add_func ("/tmp-dir/cleanup/syscalls", test_syscalls);

  return test_run ();
}
