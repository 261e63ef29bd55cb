/* test-named.c — GNamedTmpFile: delete / delete-on-close, cleanup, fork
 *
 * Every delete/delete-on-close combination is checked on disk after close,
 * after cleanup() and after the last unref; a forked child that drops its
 * reference deletes nothing; cleanup() reports what dispose cannot (as uid
 * 65534 in a forked child, since tests run as root) and is idempotent.
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
#include "test-util.h"

#define ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789_"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static GNamedTmpFile *
new_named (const gchar *dir,
           gboolean     delete_,
           gboolean     delete_on_close)
{
  g_autoptr(GError) error = NULL;
  GNamedTmpFile *tmp;

  tmp = g_initable_new (G_TYPE_NAMED_TMP_FILE, NULL, &error,
                        "dir", dir,
                        "delete", delete_,
                        "delete-on-close", delete_on_close,
                        NULL);
  g_assert_no_error (error);
  g_assert_true (G_IS_NAMED_TMP_FILE (tmp));
  g_assert_true (test_path_exists (g_named_tmp_file_get_path (tmp)));
  return tmp;
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */

static void
test_path (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) tmp = g_named_tmp_file_new (dir, "pre-", ".txt", &error);
  g_autoptr(GFile) file = NULL;
  g_autofree gchar *file_path = NULL;
  g_autofree gchar *prop_path = NULL;
  g_autofree gchar *dirname = NULL;
  g_autofree gchar *basename = NULL;
  const gchar *path;
  struct stat st;

  g_assert_no_error (error);
  path = g_named_tmp_file_get_path (tmp);
  g_assert_true (g_path_is_absolute (path));

  dirname = g_path_get_dirname (path);
  basename = g_path_get_basename (path);
  g_assert_cmpstr (dirname, ==, dir);
  g_assert_true (g_regex_match_simple ("^pre-[" ALPHABET "]{8}\\.txt$", basename, 0, 0));

  g_assert_no_errno (lstat (path, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  file = g_named_tmp_file_get_file (tmp);
  file_path = g_file_get_path (file);
  g_assert_cmpstr (file_path, ==, path);
  g_object_get (tmp, "path", &prop_path, NULL);
  g_assert_cmpstr (prop_path, ==, path);

  /* The descriptor is that file. */
  {
    struct stat fst;

    g_assert_no_errno (fstat (g_tmp_file_get_fd (G_TMP_FILE (tmp), NULL), &fst));
    g_assert_cmpuint (fst.st_ino, ==, st.st_ino);
  }

  /* Data written through the stream is in the file by name. */
  test_write (tmp, "visible", -1);
  test_assert_file_contents (path, "visible");

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_relative_dir (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *sub = g_build_filename (dir, "sub", NULL);
  g_autoptr(GNamedTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dirname = NULL;

  g_assert_no_errno (mkdir (sub, 0700));
  g_assert_no_errno (chdir (dir));
  tmp = g_named_tmp_file_new ("sub", NULL, NULL, &error);
  g_assert_no_errno (chdir (cwd));
  g_assert_no_error (error);

  dirname = g_path_get_dirname (g_named_tmp_file_get_path (tmp));
  g_assert_cmpstr (dirname, ==, sub);
  g_assert_true (test_path_exists (g_named_tmp_file_get_path (tmp)));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (sub), ==, 0);
  test_scratch_free (dir);
}

static void
test_errors (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (g_named_tmp_file_new (missing, NULL, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_error (&error);

  g_assert_null (g_named_tmp_file_new (dir, NULL, "/../../etc/x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (g_named_tmp_file_new (dir, "a/b", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_mode (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) tmp = NULL;
  struct stat st;

  tmp = g_initable_new (G_TYPE_NAMED_TMP_FILE, NULL, &error, "dir", dir, "mode", 0644, NULL);
  g_assert_no_error (error);
  g_assert_no_errno (lstat (g_named_tmp_file_get_path (tmp), &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0644);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_cloexec (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GNamedTmpFile) tmp = new_named (dir, TRUE, TRUE);
  gint fd = g_tmp_file_get_fd (G_TMP_FILE (tmp), NULL);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_query_info (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GNamedTmpFile) tmp = new_named (dir, TRUE, TRUE);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *basename = g_path_get_basename (g_named_tmp_file_get_path (tmp));

  test_write (tmp, "abc", -1);
  info = g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp),
                                      "standard::name,standard::size,standard::type,unix::mode",
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_file_info_get_name (info), ==, basename);
  g_assert_cmpint (g_file_info_get_size (info), ==, 3);
  g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_REGULAR);
  g_assert_cmpuint (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE) & 07777, ==, 0600);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* delete / delete-on-close                                                  */

typedef struct
{
  gboolean delete_;
  gboolean delete_on_close;
} Combo;

static const Combo combos[] = {
  { TRUE, TRUE },
  { TRUE, FALSE },
  { FALSE, TRUE },
  { FALSE, FALSE },
};

/* A file of @combo in @dir; *@path its name, checked after the unref. */
static GNamedTmpFile *
new_combo (const gchar  *dir,
           const Combo  *combo,
           gchar       **path)
{
  GNamedTmpFile *tmp = new_named (dir, combo->delete_, combo->delete_on_close);

  *path = g_strdup (g_named_tmp_file_get_path (tmp));
  return tmp;
}

/* The last unref of @tmp leaves the file at @path exactly when it is not to
 * be deleted; removes that and frees @path. */
static void
unref_combo (GNamedTmpFile *tmp,
             gchar         *path,
             const Combo   *combo)
{
  g_object_unref (tmp);
  g_assert_cmpint (test_path_exists (path), ==, !combo->delete_);
  g_unlink (path);
  g_free (path);
}

static void
test_delete_combo (gconstpointer user_data)
{
  const Combo *combo = user_data;
  gboolean gone_on_close = combo->delete_ && combo->delete_on_close;
  gchar *dir = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  GNamedTmpFile *tmp;
  gchar *path;

  /* 1. close, then the last unref */
  tmp = new_combo (dir, combo, &path);
  test_write (tmp, "kept", -1);
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_path_exists (path), ==, !gone_on_close);
  if (!gone_on_close)
    test_assert_file_contents (path, "kept");   /* closed, and readable by name */
  unref_combo (tmp, path, combo);

  /* 2. cleanup() while open, twice, then the last unref */
  tmp = new_combo (dir, combo, &path);
  g_assert_true (g_named_tmp_file_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (tmp)));
  g_assert_cmpint (test_path_exists (path), ==, !combo->delete_);
  g_assert_true (g_named_tmp_file_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_path_exists (path), ==, !combo->delete_);
  unref_combo (tmp, path, combo);

  /* 3. close, then cleanup() */
  tmp = new_combo (dir, combo, &path);
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_cmpint (test_path_exists (path), ==, !gone_on_close);
  g_assert_true (g_named_tmp_file_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_path_exists (path), ==, !combo->delete_);
  unref_combo (tmp, path, combo);

  /* 4. the last unref alone, while open */
  tmp = new_combo (dir, combo, &path);
  unref_combo (tmp, path, combo);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_delete_changed_after_close (void)
{
  gchar *dir = test_scratch_new ();
  GNamedTmpFile *tmp = new_named (dir, TRUE, FALSE);
  g_autofree gchar *path = g_strdup (g_named_tmp_file_get_path (tmp));

  /* Decided when it happens, not at construction. */
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL));
  g_assert_true (test_path_exists (path));
  g_named_tmp_file_set_delete (tmp, FALSE);
  g_object_unref (tmp);
  g_assert_true (test_path_exists (path));

  g_unlink (path);
  test_scratch_free (dir);
}

/* In a directory others may write to without the sticky bit, the entry
 * can be renamed away and another put at its path: the data written stays
 * in our file, and the cleanup at close removes what has the path by then
 * as a link, never following it (doc/security.md). */
static void
test_replaced_by_symlink (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *outside = g_build_filename (dir, "outside", NULL);
  g_autofree gchar *away = g_build_filename (dir, "renamed-away", NULL);
  GNamedTmpFile *tmp = new_named (dir, TRUE, TRUE);
  g_autofree gchar *path = g_strdup (g_named_tmp_file_get_path (tmp));
  g_autoptr(GError) error = NULL;

  test_write_file_mode (outside, "not ours", 0640);
  g_assert_no_errno (rename (path, away));
  g_assert_no_errno (symlink (outside, path));

  test_write (G_TMP_FILE (tmp), "ours", -1);
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);
  g_object_unref (tmp);

  g_assert_false (test_path_exists (path));
  test_assert_file_contents (outside, "not ours");
  g_assert_cmpuint (test_mode_of (outside), ==, 0640);
  test_assert_file_contents (away, "ours");
  g_assert_cmpuint (test_count_entries (dir), ==, 2);

  test_scratch_free (dir);
}

static void
test_removed_externally (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GNamedTmpFile) tmp = new_named (dir, TRUE, TRUE);
  g_autoptr(GError) error = NULL;

  /* A file that is already gone is not an error (as in CPython). */
  g_assert_no_errno (g_unlink (g_named_tmp_file_get_path (tmp)));
  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_named_tmp_file_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
cleanup_error_child (gpointer data)
{
  const gchar *root = data;
  g_autofree gchar *dir = g_build_filename (root, "mine", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) keep = NULL;
  g_autoptr(GNamedTmpFile) on_close = NULL;
  const gchar *path;

  g_assert_no_errno (mkdir (dir, 0755));
  keep = new_named (dir, TRUE, FALSE);
  on_close = new_named (dir, TRUE, TRUE);
  g_assert_no_errno (chmod (dir, 0555));

  /* cleanup() reports, names the file, and can be retried. */
  path = g_named_tmp_file_get_path (keep);
  g_assert_false (g_named_tmp_file_cleanup (keep, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, path);
  g_clear_error (&error);
  g_assert_true (test_path_exists (path));
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (keep)));

  /* So does close() when it has to remove the file. */
  g_assert_false (g_io_stream_close (G_IO_STREAM (on_close), NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, g_named_tmp_file_get_path (on_close));
  g_clear_error (&error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (on_close)));

  g_assert_no_errno (chmod (dir, 0755));
  g_assert_true (g_named_tmp_file_cleanup (keep, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (path));
  g_assert_true (g_named_tmp_file_cleanup (on_close, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (g_named_tmp_file_get_path (on_close)));

  g_assert_no_errno (rmdir (dir));
}

static void
test_cleanup_errors (void)
{
  gchar *dir = test_scratch_new ();

  g_assert_no_errno (chmod (dir, 0777));
  test_run_as_nobody (cleanup_error_child, dir);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_cleanup_cancelled (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GNamedTmpFile) tmp = new_named (dir, TRUE, TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (g_named_tmp_file_cleanup (tmp, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_io_stream_is_closed (G_IO_STREAM (tmp)));
  g_assert_true (test_path_exists (g_named_tmp_file_get_path (tmp)));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* fork                                                                      */

static void
test_fork_child_unref (void)
{
  gchar *dir = test_scratch_new ();
  GNamedTmpFile *on_close = new_named (dir, TRUE, TRUE);
  GNamedTmpFile *on_cleanup = new_named (dir, TRUE, FALSE);
  g_autofree gchar *path1 = g_strdup (g_named_tmp_file_get_path (on_close));
  g_autofree gchar *path2 = g_strdup (g_named_tmp_file_get_path (on_cleanup));
  gint status = 0;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Implicit cleanup in a child must leave the parent's files alone. */
      g_object_unref (on_close);
      g_object_unref (on_cleanup);
      if (test_path_exists (path1) && test_path_exists (path2))
        test_child_succeed ();  /* not _exit (0): see there, for valgrind */
      _exit (1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  g_assert_true (test_path_exists (path1));
  g_assert_true (test_path_exists (path2));
  test_write (on_close, "still mine", -1);
  test_assert_file_contents (path1, "still mine");

  /* The parent's own unref still removes them. */
  g_object_unref (on_close);
  g_object_unref (on_cleanup);
  g_assert_false (test_path_exists (path1));
  g_assert_false (test_path_exists (path2));

  test_scratch_free (dir);
}

/* The fork rule covers implicit cleanup only: in a child, an explicit
 * cleanup() and the close of a file with delete-on-close still remove the
 * file, as CPython's close() does (doc/security.md, doc/from-glib.md,
 * doc/overview.md), and the parent's later unref is quiet. */
static void
test_fork_child_explicit (void)
{
  gchar *dir = test_scratch_new ();
  GNamedTmpFile *on_close = new_named (dir, TRUE, TRUE);
  GNamedTmpFile *on_cleanup = new_named (dir, TRUE, FALSE);
  g_autofree gchar *path1 = g_strdup (g_named_tmp_file_get_path (on_close));
  g_autofree gchar *path2 = g_strdup (g_named_tmp_file_get_path (on_cleanup));
  gint status = 0;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gboolean ok = g_io_stream_close (G_IO_STREAM (on_close), NULL, NULL) &&
                    g_named_tmp_file_cleanup (on_cleanup, NULL, NULL);

      if (ok && !test_path_exists (path1) && !test_path_exists (path2))
        test_child_succeed ();  /* not _exit (0): see there, for valgrind */
      _exit (1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  g_assert_false (test_path_exists (path1));
  g_assert_false (test_path_exists (path2));
  g_object_unref (on_close);
  g_object_unref (on_cleanup);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* Properties                                                                */

static void
test_properties (void)
{
  gchar *dir = test_scratch_new ();
  g_autoptr(GNamedTmpFile) tmp = new_named (dir, TRUE, TRUE);

  test_check_bool_property (tmp, "delete", TRUE,
                            (TestSetBoolFunc) g_named_tmp_file_set_delete,
                            (TestGetBoolFunc) g_named_tmp_file_get_delete);
  test_check_bool_property (tmp, "delete-on-close", TRUE,
                            (TestSetBoolFunc) g_named_tmp_file_set_delete_on_close,
                            (TestGetBoolFunc) g_named_tmp_file_get_delete_on_close);

  g_assert_true (G_TYPE_IS_FINAL (G_TYPE_NAMED_TMP_FILE));
  g_assert_true (g_type_is_a (G_TYPE_NAMED_TMP_FILE, G_TYPE_TMP_FILE));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* async                                                                     */

static void
new_async_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GObject **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  gchar *dir = test_scratch_new ();
  GObject *object = NULL;
  g_autofree gchar *path = NULL;

  g_async_initable_new_async (G_TYPE_NAMED_TMP_FILE, G_PRIORITY_DEFAULT, NULL,
                              new_async_cb, &object, "dir", dir, NULL);
  while (object == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (G_IS_NAMED_TMP_FILE (object));
  path = g_strdup (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (object)));
  g_assert_true (test_path_exists (path));
  /* Not the unref: the worker thread may still hold the task, and with it
   * the object, for a moment. */
  g_assert_true (g_io_stream_close (G_IO_STREAM (object), NULL, NULL));
  g_assert_false (test_path_exists (path));
  g_object_unref (object);

  test_scratch_free (dir);
}

static void
test_concurrent_init_async (void)
{
  gchar *dir = test_scratch_new ();

  for (guint i = 0; i < 60; i++)
    {
      GNamedTmpFile *tmp = g_object_new (G_TYPE_NAMED_TMP_FILE, "dir", dir, NULL);

      test_init_async_twice (tmp);
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
      g_assert_true (test_path_exists (g_named_tmp_file_get_path (tmp)));

      test_unref_and_wait (tmp);
      g_assert_cmpuint (test_count_entries (dir), ==, 0);
    }

  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* get_path() across persists                                                */

static void
persist_async_and_wait (GNamedTmpFile *tmp,
                        const gchar   *dest)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_tmp_file_persist_async (G_TMP_FILE (tmp), dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT,
                            NULL, test_store_result, &result);
  g_assert_true (g_tmp_file_persist_finish (G_TMP_FILE (tmp), test_wait_result (&result),
                                            &error));
  g_assert_no_error (error);
}

/* Every string get_path() returned keeps its content until the object is
 * finalized: a persist (sync, async, back to an earlier name) frees none.
 * Under ASan a freed one is a use after free; without, malloc's own use of
 * a freed block changes its first bytes. */
static void
test_path_survives_persist (void)
{
  gchar *dir = test_scratch_new ();
  GNamedTmpFile *tmp = new_named (dir, TRUE, TRUE);
  const gchar *held[5];
  gchar *copies[5];
  g_autofree gchar *prop_path = NULL;
  guint i;

  held[0] = g_named_tmp_file_get_path (tmp);
  copies[0] = g_strdup (held[0]);
  for (i = 1; i < G_N_ELEMENTS (held); i++)
    {
      g_autofree gchar *dest = g_build_filename (dir, i % 2 ? "a.txt" : "b.txt", NULL);

      if (i == 2)
        persist_async_and_wait (tmp, dest);
      else
        test_persist (tmp, dest, G_TMP_PERSIST_NONE);
      held[i] = g_named_tmp_file_get_path (tmp);
      copies[i] = g_strdup (held[i]);
      g_assert_cmpstr (held[i], ==, dest);
      g_assert_true (held[i] != held[i - 1]);
    }

  /* Even the first name's string, whose file is long gone. */
  for (i = 0; i < G_N_ELEMENTS (held); i++)
    {
      g_assert_cmpstr (held[i], ==, copies[i]);
      g_free (copies[i]);
    }
  g_object_get (tmp, "path", &prop_path, NULL);
  g_assert_cmpstr (prop_path, ==, held[G_N_ELEMENTS (held) - 1]);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  /* Closing and cleaning up change no path. */
  g_assert_true (g_named_tmp_file_cleanup (tmp, NULL, NULL));
  g_assert_true (g_named_tmp_file_get_path (tmp) == held[G_N_ELEMENTS (held) - 1]);

  g_object_unref (tmp);
  test_scratch_free (dir);
}

typedef struct
{
  GNamedTmpFile *tmp;
  const gchar   *dir;
  gint           stop;
  gint           reads;
} PathReader;

/* Reads get_path() and the property over and over, and checks that the
 * string it got last still holds what it held then. */
static gpointer
read_paths (gpointer data)
{
  PathReader *r = data;
  const gchar *last = NULL;
  g_autofree gchar *last_copy = NULL;

  while (!g_atomic_int_get (&r->stop))
    {
      const gchar *path = g_named_tmp_file_get_path (r->tmp);
      g_autofree gchar *prop = NULL;

      if (last != NULL)
        g_assert_cmpstr (last, ==, last_copy);
      g_assert_true (g_str_has_prefix (path, r->dir));
      if (path != last)
        {
          last = path;
          g_free (last_copy);
          last_copy = g_strdup (path);
        }
      g_object_get (r->tmp, "path", &prop, NULL);
      g_assert_true (g_str_has_prefix (prop, r->dir));
      g_atomic_int_inc (&r->reads);
    }

  return NULL;
}

/* The Threads section: the properties may be read from any thread, also
 * while another one persists the file. */
static void
test_path_read_during_persist (void)
{
  gchar *dir = test_scratch_new ();
  GNamedTmpFile *tmp = new_named (dir, TRUE, TRUE);
  g_autofree gchar *a = g_build_filename (dir, "a.txt", NULL);
  g_autofree gchar *b = g_build_filename (dir, "b.txt", NULL);
  PathReader r = { tmp, dir, FALSE, 0 };
  GThread *reader;
  gint start;
  guint i;

  reader = g_thread_new ("path-reader", read_paths, &r);
  /* Timing-free: the persists start once the reader reads, and go on
   * (an even number, ending at b) until it has read 300 times more. */
  while (g_atomic_int_get (&r.reads) == 0)
    g_thread_yield ();
  start = g_atomic_int_get (&r.reads);
  for (i = 0; i < 300 || g_atomic_int_get (&r.reads) < start + 300 || i % 2; i++)
    test_persist (tmp, i % 2 ? b : a, G_TMP_PERSIST_NONE);
  g_atomic_int_set (&r.stop, TRUE);
  g_thread_join (reader);

  g_test_message ("%d reads during %u persists", r.reads - start, i);
  g_assert_cmpstr (g_named_tmp_file_get_path (tmp), ==, b);
  test_assert_file_contents (b, "");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  g_object_unref (tmp);
  test_scratch_free (dir);
}

int
main (int   argc,
      char *argv[])
{
  guint i;

  umask (022);
  test_init (&argc, &argv, "named");

  /* Tests that fork run first, before any worker thread exists. */
  g_test_add_func ("/named/fork/child-unref", test_fork_child_unref);
  g_test_add_func ("/named/fork/child-explicit", test_fork_child_explicit);
  g_test_add_data_func ("/named/fork/unwritable-dir", GINT_TO_POINTER (TEST_CLASS_NAMED),
                        test_check_unwritable_dir);
  g_test_add_func ("/named/fork/cleanup-errors", test_cleanup_errors);
  g_test_add_func ("/named/path", test_path);
  g_test_add_func ("/named/path/survives-persist", test_path_survives_persist);
  g_test_add_func ("/named/path/read-during-persist", test_path_read_during_persist);
  g_test_add_func ("/named/relative-dir", test_relative_dir);
  g_test_add_func ("/named/errors", test_errors);
  g_test_add_func ("/named/mode", test_mode);
  test_add_full_cases ("/named", TEST_CLASS_NAMED);
  g_test_add_func ("/named/cloexec", test_cloexec);
  g_test_add_func ("/named/query-info", test_query_info);
  g_test_add_func ("/named/properties", test_properties);

  for (i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      g_autofree gchar *name =
        g_strdup_printf ("/named/delete/%s-%s-on-close",
                         combos[i].delete_ ? "delete" : "keep",
                         combos[i].delete_on_close ? "delete" : "keep");

      g_test_add_data_func (name, &combos[i], test_delete_combo);
    }
  g_test_add_func ("/named/delete/changed-after-close", test_delete_changed_after_close);
  g_test_add_func ("/named/delete/removed-externally", test_removed_externally);
  g_test_add_func ("/named/delete/replaced-by-symlink", test_replaced_by_symlink);
  g_test_add_func ("/named/cleanup/cancelled", test_cleanup_cancelled);
  g_test_add_func ("/named/async/new", test_async);
  g_test_add_func ("/named/async/concurrent-init", test_concurrent_init_async);

  return test_run ();
}
