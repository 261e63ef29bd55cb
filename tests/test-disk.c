/* test-disk.c — making and looking at what is on disk
 *
 * Files and directories with given contents and modes, what a directory
 * holds, the names a function made up, the names created in a directory
 * (inotify), and errors that name their path.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"

/**
 * test_write_file:
 * @path: (type filename): a file, replaced if it exists
 * @contents: its new contents, a string
 *
 * Writes @contents to @path with g_file_set_contents().
 */
void
test_write_file (const gchar *path,
                 const gchar *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/**
 * test_write_file_mode:
 * @path: (type filename): a file, replaced if it exists
 * @contents: its new contents, a string
 * @mode: its mode then
 *
 * test_write_file(), then chmod() to @mode (whatever the umask).
 */
void
test_write_file_mode (const gchar *path,
                      const gchar *contents,
                      guint        mode)
{
  test_write_file (path, contents);
  g_assert_no_errno (chmod (path, mode));
}

/**
 * test_make_dir:
 * @path: (type filename): a directory to make
 * @mode: its mode (whatever the umask)
 */
void
test_make_dir (const gchar *path,
               guint        mode)
{
  g_assert_no_errno (mkdir (path, 0700));
  g_assert_no_errno (chmod (path, mode));
}

/**
 * test_chown_nobody:
 * @path: (type filename): a path, not followed if a symbolic link
 *
 * Gives @path to uid/gid 65534.
 */
void
test_chown_nobody (const gchar *path)
{
  g_assert_no_errno (lchown (path, TEST_NOBODY, TEST_NOBODY));
}

/**
 * test_need_two_file_systems:
 * @a: (type filename): a directory
 * @b: (type filename): another
 *
 * Skips the test when @a and @b are not on two file systems (a second one
 * at /dev/shm is usual, not certain).
 *
 * Returns: whether they are
 */
gboolean
test_need_two_file_systems (const gchar *a,
                            const gchar *b)
{
  struct stat sa, sb;

  if (stat (a, &sa) == 0 && stat (b, &sb) == 0 && S_ISDIR (sb.st_mode) &&
      sa.st_dev != sb.st_dev)
    return TRUE;
  test_skip_printf ("%s and %s are not two file systems here", a, b);
  return FALSE;
}

/**
 * test_count_entries:
 * @dir: (type filename): a directory that exists
 *
 * Returns: how many entries @dir holds, `.` and `..` not counted
 */
guint
test_count_entries (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/**
 * test_path_exists:
 * @path: (type filename): a path
 *
 * Unlike g_file_test(), a dangling symbolic link exists (lstat).
 *
 * Returns: whether a directory entry @path exists
 */
gboolean
test_path_exists (const gchar *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

/**
 * test_mode_of:
 * @path: (type filename): a path that exists
 *
 * Returns: the permission bits (with setuid, setgid and sticky) of @path
 *   itself, not of what a symbolic link points to
 */
guint
test_mode_of (const gchar *path)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  return st.st_mode & 07777;
}

/**
 * test_assert_file_contents:
 * @path: (type filename): a file
 * @expected: its whole expected contents
 *
 * Asserts that the file @path can be read and holds exactly @expected.
 */
void
test_assert_file_contents (const gchar *path,
                           const gchar *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, expected);
}

/**
 * test_name_matches:
 * @path: (type filename): a path a function made up
 * @dir: (type filename): the directory it should be in
 * @pattern: a #GRegex pattern for its base name
 *
 * Returns: whether @path is directly in @dir and its name matches @pattern
 */
gboolean
test_name_matches (const gchar *path,
                   const gchar *dir,
                   const gchar *pattern)
{
  g_autofree gchar *dirname = g_path_get_dirname (path);
  g_autofree gchar *basename = g_path_get_basename (path);

  return g_strcmp0 (dirname, dir) == 0 &&
         g_regex_match_simple (pattern, basename, 0, 0);
}

/**
 * test_name_pattern:
 * @prefix: the start of a name
 * @random_length: how many characters of the library's name alphabet follow
 * @suffix: the end of the name
 *
 * Returns: (transfer full): a #GRegex pattern for test_name_matches() that
 *   matches exactly @prefix, @random_length characters of
 *   `[a-z0-9_]` and @suffix
 */
gchar *
test_name_pattern (const gchar *prefix,
                   guint        random_length,
                   const gchar *suffix)
{
  g_autofree gchar *start = g_regex_escape_string (prefix, -1);
  g_autofree gchar *end = g_regex_escape_string (suffix, -1);

  return g_strdup_printf ("^%s[a-z0-9_]{%u}%s$", start, random_length, end);
}

/**
 * test_watch_creations:
 * @dir: (type filename): a directory
 *
 * Starts watching @dir with inotify, so that test_read_creations() can tell
 * which names were created there even when they are gone again (an
 * anonymous file's fallback name exists for an instant).
 *
 * Returns: the inotify descriptor, for test_read_creations()
 */
gint
test_watch_creations (const gchar *dir)
{
  gint fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);

  g_assert_no_errno (fd);
  g_assert_no_errno (inotify_add_watch (fd, dir, IN_CREATE));
  return fd;
}

/**
 * test_read_creations:
 * @fd: a descriptor from test_watch_creations(), closed here
 *
 * Returns: (transfer full) (element-type filename): the names created in
 *   the watched directory since test_watch_creations(), in order
 */
GPtrArray *
test_read_creations (gint fd)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  gchar buffer[16 * 1024] __attribute__((aligned (__alignof__ (struct inotify_event))));
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    {
      gchar *p = buffer;

      while (p < buffer + n)
        {
          const struct inotify_event *event = (const struct inotify_event *) (gpointer) p;

          g_assert_cmpuint (event->mask & IN_Q_OVERFLOW, ==, 0);
          if (event->len > 0)
            g_ptr_array_add (names, g_strdup (event->name));
          p += sizeof *event + event->len;
        }
    }
  g_assert_true (n < 0 && errno == EAGAIN);
  close (fd);

  return names;
}

/**
 * test_assert_error_names:
 * @error: an error
 * @code: the #GIOErrorEnum it must be
 * @path: (type filename): what its message must name
 *
 * Asserts that @error is @code in G_IO_ERROR and that its message names
 * @path, as every error of the library about a file does.
 */
void
test_assert_error_names (const GError *error,
                         gint          code,
                         const gchar  *path)
{
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
}

/**
 * test_assert_tempdir:
 * @expected: (type filename): a directory
 *
 * Asserts that g_tempfile_get_tempdir() succeeds and answers @expected.
 */
void
test_assert_tempdir (const gchar *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_tempfile_get_tempdir (&error);

  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, expected);
}
