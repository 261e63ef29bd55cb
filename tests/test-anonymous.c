/* test-anonymous.c — g_tempfile_open_anonymous() and g_tempfile_adopt_anonymous()
 *
 * Checked on disk: the descriptor's file has no name (nor left one where
 * O_TMPFILE is refused), is open for reading and writing, close-on-exec,
 * with the mode asked for; errors name the directory. A GTmpFile made of
 * such a descriptor owns it (closing the stream closes it, a failure leaves
 * it to the caller), shares the file and its position with a duplicate the
 * caller keeps, and persists (linked, or copied where the file was not made
 * with O_TMPFILE); anything but an anonymous file open for reading and
 * writing is refused.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-testing.h"
#include "test-util.h"

static gboolean
fd_is_open (gint fd)
{
  return fcntl (fd, F_GETFD) != -1 || errno != EBADF;
}

/* Asserts that @fd is an anonymous regular file below @dir, open for
 * reading and writing and close-on-exec, with mode @mode. */
static void
assert_anonymous (gint         fd,
                  const gchar *dir,
                  guint        mode)
{
  g_autofree gchar *proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree gchar *target = NULL;
  struct stat st;

  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (fstat (fd, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_nlink, ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, mode);
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_ACCMODE, ==, O_RDWR);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  target = g_file_read_link (proc, NULL);
  g_assert_nonnull (target);
  g_assert_true (g_str_has_prefix (target, dir));
  g_assert_true (g_str_has_suffix (target, "(deleted)"));
}

static gint
open_anonymous (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  gint fd = g_tempfile_open_anonymous (dir, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* ------------------------------------------------------------------------ */
/* g_tempfile_open_anonymous                                                 */

static void
test_open_basic (void)
{
  gchar *dir = test_scratch_new ();
  gchar buffer[5] = { 0, };
  gint fd = open_anonymous (dir);

  assert_anonymous (fd, dir, 0600);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  g_assert_cmpint (write (fd, "data", 4), ==, 4);
  g_assert_cmpint (pread (fd, buffer, 4, 0), ==, 4);
  g_assert_cmpstr (buffer, ==, "data");

  g_assert_no_errno (close (fd));
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* @mode as mkstemp_full() takes it: the umask applies; 0 is 0600. */
static void
test_open_mode (void)
{
  gchar *dir = test_scratch_new ();
  mode_t old_umask = umask (022);
  g_autoptr(GError) error = NULL;
  gint fd;

  fd = g_tempfile_open_anonymous (dir, 0664, &error);
  g_assert_no_error (error);
  assert_anonymous (fd, dir, 0644);
  close (fd);

  fd = g_tempfile_open_anonymous (dir, 0, &error);
  g_assert_no_error (error);
  assert_anonymous (fd, dir, 0600);
  close (fd);

  umask (old_umask);
  test_scratch_free (dir);
}

/* NULL: the default temporary directory. */
static void
test_open_default_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tempdir = g_tempfile_get_tempdir (&error);
  gint fd;

  g_assert_no_error (error);
  fd = open_anonymous (NULL);
  assert_anonymous (fd, tempdir, 0600);
  close (fd);
}

static void
test_open_errors (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  g_autofree gchar *file = g_build_filename (dir, "file", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_tempfile_open_anonymous (missing, 0, &error), ==, -1);
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_error (&error);

  test_write_file (file, "x");
  g_assert_cmpint (g_tempfile_open_anonymous (file, 0, &error), ==, -1);
  test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, file);

  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* Where the file system refuses O_TMPFILE: a random name removed before
 * the function returns (seen by inotify), nothing left. In a subprocess:
 * the refusal is remembered. */
static void
test_open_refused (void)
{
  if (g_test_subprocess ())
    {
      gchar *dir = test_scratch_new ();
      g_autofree gchar *pattern = test_name_pattern ("tmp", 8, "");
      g_autoptr(GPtrArray) created = NULL;
      gint watch = test_watch_creations (dir);
      gint fd;

      _g_tmp_core_refuse_tmpfile (dir);
      fd = open_anonymous (dir);
      created = test_read_creations (watch);
      g_assert_cmpuint (created->len, ==, 1);
      g_assert_true (g_regex_match_simple (pattern, created->pdata[0], 0, 0));
      assert_anonymous (fd, dir, 0600);
      g_assert_cmpuint (test_count_entries (dir), ==, 0);
      close (fd);

      test_scratch_free (dir);
      return;
    }

  test_run_in_subprocess ();
}

/* ------------------------------------------------------------------------ */
/* g_tempfile_adopt_anonymous                                                */

static GTmpFile *
new_from_fd (gint fd)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp = g_tempfile_adopt_anonymous (fd, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tmp);
  return tmp;
}

/* The object owns the descriptor: the same file, the same position, and
 * closing the stream closes it. */
static void
test_from_fd_owns (void)
{
  gchar *dir = test_scratch_new ();
  gint fd = open_anonymous (dir);
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  gchar buffer[8] = { 0, };
  gsize n = 0;

  g_assert_cmpint (write (fd, "abc", 3), ==, 3);
  tmp = new_from_fd (fd);
  g_assert_false (g_io_stream_is_closed (G_IO_STREAM (tmp)));
  g_assert_cmpint (test_get_fd (tmp), ==, fd);

  /* Written before, at position 3: the stream carries on from there. */
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 3);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "def", 3);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 6);
  test_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET);
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (tmp)),
                                          buffer, sizeof buffer, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, "abcdef");

  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (fd_is_open (fd));
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* Dropping the last reference closes it too. */
static void
test_from_fd_unref (void)
{
  gchar *dir = test_scratch_new ();
  gint fd = open_anonymous (dir);
  GTmpFile *tmp = new_from_fd (fd);

  g_object_unref (tmp);
  g_assert_false (fd_is_open (fd));
  test_scratch_free (dir);
}

/* On a duplicate: both descriptors are the one file with one position;
 * closing the object leaves the caller's descriptor (and the file) open.
 * The object's descriptor is close-on-exec even if the caller's was not. */
static void
test_from_fd_duplicate (void)
{
  gchar *dir = test_scratch_new ();
  gint fd = open_anonymous (dir);
  /* dup(): without close-on-exec, which the object then sets. */
  gint dup_fd = dup (fd);
  g_autoptr(GTmpFile) tmp = NULL;
  gchar buffer[8] = { 0, };

  g_assert_cmpint (dup_fd, >=, 0);
  g_assert_cmpint (fcntl (dup_fd, F_GETFD) & FD_CLOEXEC, ==, 0);
  tmp = new_from_fd (dup_fd);
  g_assert_cmpint (fcntl (dup_fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "shared", 6);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 6);
  g_assert_cmpint (lseek (fd, 2, SEEK_SET), ==, 2);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 2);

  g_clear_object (&tmp);
  g_assert_false (fd_is_open (dup_fd));
  g_assert_true (fd_is_open (fd));
  g_assert_cmpint (pread (fd, buffer, 6, 0), ==, 6);
  g_assert_cmpstr (buffer, ==, "shared");

  close (fd);
  test_scratch_free (dir);
}

/* An O_TMPFILE file is linked into place, as a file the class made. */
static void
test_from_fd_persist (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "kept.txt", NULL);
  gint fd = open_anonymous (dir);
  g_autoptr(GTmpFile) tmp = new_from_fd (fd);
  g_autoptr(GError) error = NULL;
  struct stat before, after;

  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "saved", 5);
  g_assert_no_errno (fstat (fd, &before));
  g_assert_true (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);

  /* Linked, not copied: the very inode, still the object's descriptor. */
  g_assert_no_errno (g_stat (dest, &after));
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_assert_cmpint (test_get_fd (tmp), ==, fd);
  test_assert_file_contents (dest, "saved");

  g_clear_object (&tmp);
  test_assert_file_contents (dest, "saved");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* A file that was unlinked rather than made with O_TMPFILE (the fallback
 * where O_TMPFILE is refused) cannot be linked: persist() copies it with
 * ALLOW_COPY and refuses without. The copy, on the same refusing file
 * system, is made under the documented hidden name (which a sweep finds
 * after a crash), not tried as O_TMPFILE again. */
static void
test_from_fd_persist_not_linkable (void)
{
  if (g_test_subprocess ())
    {
      gchar *dir = test_scratch_new ();
      g_autofree gchar *dest = g_build_filename (dir, "kept.txt", NULL);
      g_autoptr(GTmpFile) tmp = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) created = NULL;
      gint fd, watch;

      _g_tmp_core_refuse_tmpfile (dir);
      fd = open_anonymous (dir);
      tmp = new_from_fd (fd);
      test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "copied", 6);

      g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_clear_error (&error);
      g_assert_cmpuint (test_count_entries (dir), ==, 0);

      watch = test_watch_creations (dir);
      g_assert_true (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY, NULL, &error));
      g_assert_no_error (error);
      created = test_read_creations (watch);
      g_assert_cmpuint (created->len, ==, 1);
      g_assert_true (g_regex_match_simple ("^\\.kept\\.txt\\.[a-z0-9_]{8}$",
                                           created->pdata[0], 0, 0));
      test_assert_file_contents (dest, "copied");

      g_clear_object (&tmp);
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
      test_scratch_free (dir);
      return;
    }

  test_run_in_subprocess ();
}

/* An O_TMPFILE|O_EXCL file (what CPython's TemporaryFile opens) can never
 * be linked, and F_GETFL does not tell: the kernel's refusal at the first
 * persist makes it a copy, with the content and the object's descriptor
 * number kept, as for a file whose link is spent. */
static void
test_from_fd_persist_excl (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "kept.txt", NULL);
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  struct stat fd_st, dest_st;
  gint fd = open (dir, O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR))
    {
      test_skip ("O_TMPFILE is not supported here");
      test_scratch_free (dir);
      return;
    }
  g_assert_no_errno (fd);
  tmp = new_from_fd (fd);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "excl", 4);

  g_assert_true (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);
  test_assert_file_contents (dest, "excl");
  g_assert_cmpint (g_tmp_file_get_fd (tmp, NULL), ==, fd);
  g_assert_no_errno (fstat (fd, &fd_st));
  g_assert_no_errno (stat (dest, &dest_st));
  g_assert_cmpuint (fd_st.st_ino, ==, dest_st.st_ino);
  g_assert_cmpuint (test_mode_of (dest), ==, 0600);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* Anything but an anonymous regular file open for reading and writing is
 * INVALID_ARGUMENT, and the descriptor stays the caller's, open. */
static void
test_from_fd_refused (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *named = g_build_filename (dir, "named", NULL);
  gint anonymous = open_anonymous (dir);
  g_autofree gchar *proc = g_strdup_printf ("/proc/self/fd/%d", anonymous);
  gint pipe_fds[2];
  gint fds[4];
  guint i;

  test_write_file (named, "x");
  fds[0] = open (named, O_RDWR | O_CLOEXEC);
  fds[1] = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fds[2] = open (proc, O_RDONLY | O_CLOEXEC);
  g_assert_no_errno (pipe (pipe_fds));
  fds[3] = pipe_fds[0];

  for (i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (fds[i], >=, 0);
      g_assert_null (g_tempfile_adopt_anonymous (fds[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (fd_is_open (fds[i]));
      close (fds[i]);
    }

  close (pipe_fds[1]);
  close (anonymous);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* A descriptor that is not open: an error, no critical. */
static void
test_from_fd_closed (void)
{
  gint fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_null (g_tempfile_adopt_anonymous (fd, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
}

int
main (int   argc,
      char *argv[])
{
  umask (022);
  test_init (&argc, &argv, "anonymous");

  g_test_add_func ("/anonymous/open/basic", test_open_basic);
  g_test_add_func ("/anonymous/open/mode", test_open_mode);
  g_test_add_func ("/anonymous/open/default-dir", test_open_default_dir);
  g_test_add_func ("/anonymous/open/errors", test_open_errors);
  g_test_add_func ("/anonymous/open/refused", test_open_refused);
  g_test_add_func ("/anonymous/from-fd/owns", test_from_fd_owns);
  g_test_add_func ("/anonymous/from-fd/unref", test_from_fd_unref);
  g_test_add_func ("/anonymous/from-fd/duplicate", test_from_fd_duplicate);
  g_test_add_func ("/anonymous/from-fd/persist", test_from_fd_persist);
  g_test_add_func ("/anonymous/from-fd/persist-not-linkable", test_from_fd_persist_not_linkable);
  g_test_add_func ("/anonymous/from-fd/persist-excl", test_from_fd_persist_excl);
  g_test_add_func ("/anonymous/from-fd/refused", test_from_fd_refused);
  g_test_add_func ("/anonymous/from-fd/closed", test_from_fd_closed);

  return test_run ();
}
