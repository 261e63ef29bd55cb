/* test-at.c — creating and persisting relative to a directory descriptor
 *
 * g_tempfile_mkstemp_at(), g_tempfile_mkdtemp_at(), the _new_at()
 * constructors, the "dir-fd" property and g_tmp_file_persist_at(): a real
 * descriptor and AT_FDCWD, `dir` below the descriptor, a symbolic link as
 * its last component (refused), the caller's descriptor closed at once,
 * and removal that stays with the descriptor when the directory's path is
 * taken over by another one.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

/* A scratch directory by its canonical path (what /proc reports). */
static gchar *
scratch_real (void)
{
  g_autofree gchar *dir = test_scratch_new ();
  gchar *real = realpath (dir, NULL);

  g_assert_nonnull (real);
  return real;
}

static gint
open_dir (const gchar *path)
{
  gint fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_no_errno (fd);
  return fd;
}

static gchar *
child (const gchar *dir,
       const gchar *name)
{
  return g_build_filename (dir, name, NULL);
}

/* ------------------------------------------------------------------------ */
/* The module functions                                                      */

static void
test_mkstemp_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *sub = child (dir, "sub");
  g_autofree gchar *name = NULL;
  g_autofree gchar *full = NULL;
  g_autoptr(GError) error = NULL;
  gint dfd = open_dir (dir);
  gint fd;

  /* In the descriptor's directory: a name relative to it. */
  fd = g_tempfile_mkstemp_at (dfd, NULL, "job-", ".txt", 0, &name, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (test_has_cloexec (fd));
  g_assert_true (g_str_has_prefix (name, "job-") && g_str_has_suffix (name, ".txt"));
  g_assert_cmpuint (strlen (name), ==, strlen ("job-") + 8 + strlen (".txt"));
  full = child (dir, name);
  g_assert_cmpuint (test_mode_of (full), ==, 0600);
  g_assert_no_errno (close (fd));
  g_clear_pointer (&name, g_free);
  g_clear_pointer (&full, g_free);

  /* Below it, with a mode: "sub/…", what openat (dfd, …) reaches. */
  test_make_dir (sub, 0755);
  fd = g_tempfile_mkstemp_at (dfd, "sub", NULL, NULL, 0640, &name, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (name, "sub/tmp"));
  full = child (dir, name);
  g_assert_cmpuint (test_mode_of (full), ==, 0640);
  g_assert_no_errno (faccessat (dfd, name, F_OK, AT_SYMLINK_NOFOLLOW));
  g_assert_no_errno (close (fd));
  g_clear_pointer (&name, g_free);

  /* An absolute dir: an absolute path, the descriptor unused. */
  fd = g_tempfile_mkstemp_at (dfd, sub, NULL, NULL, 0, &name, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (name, sub));
  g_assert_true (test_path_exists (name));
  g_assert_no_errno (close (fd));
  g_clear_pointer (&name, g_free);

  /* AT_FDCWD: as g_tempfile_mkstemp(), with the mode. */
  fd = g_tempfile_mkstemp_at (AT_FDCWD, dir, NULL, NULL, 0604, &name, &error);
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (name));
  g_assert_cmpuint (test_mode_of (name), ==, 0604);
  g_assert_no_errno (close (fd));

  g_assert_cmpuint (test_count_entries (dir), ==, 3);
  g_assert_cmpuint (test_count_entries (sub), ==, 2);
  g_assert_no_errno (close (dfd));
  test_scratch_free (g_steal_pointer (&dir));
}

/* With AT_FDCWD a relative dir is below the current directory, and the
 * path returned is absolute. Changes the current directory meanwhile. */
static void
assert_at_fdcwd_relative (const gchar *dir)
{
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *sub = child (dir, "sub");
  g_autofree gchar *made = NULL;
  g_autofree gchar *name = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  g_assert_no_errno (g_chdir (dir));
  made = g_tempfile_mkdtemp_at (AT_FDCWD, "sub", "rel-", NULL, 0, &error);
  g_assert_no_error (error);
  fd = g_tempfile_mkstemp_at (AT_FDCWD, "sub", "rel-", NULL, 0, &name, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chdir (cwd));

  g_assert_true (test_name_matches (made, sub, "^rel-[a-z0-9_]{8}$"));
  g_assert_true (test_name_matches (name, sub, "^rel-[a-z0-9_]{8}$"));
  g_assert_no_errno (close (fd));
}

static void
test_mkdtemp_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *sub = child (dir, "sub");
  g_autofree gchar *made = NULL;
  g_autofree gchar *full = NULL;
  g_autoptr(GError) error = NULL;
  gint dfd = open_dir (dir);

  made = g_tempfile_mkdtemp_at (dfd, NULL, "d-", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (made, "d-") && strchr (made, '/') == NULL);
  full = child (dir, made);
  g_assert_cmpuint (test_mode_of (full), ==, 0700);
  g_clear_pointer (&made, g_free);
  g_clear_pointer (&full, g_free);

  test_make_dir (sub, 0755);
  made = g_tempfile_mkdtemp_at (dfd, "sub", NULL, NULL, 0750, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (made, "sub/tmp"));
  full = child (dir, made);
  g_assert_cmpuint (test_mode_of (full), ==, 0750);
  g_clear_pointer (&made, g_free);

  made = g_tempfile_mkdtemp_at (AT_FDCWD, sub, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (made, sub));
  g_assert_cmpuint (test_mode_of (made), ==, 0700);
  g_clear_pointer (&made, g_free);

  /* As documented, the path is absolute with an absolute dir, whatever
   * the descriptor, and with AT_FDCWD, whatever the dir. */
  made = g_tempfile_mkdtemp_at (dfd, sub, "abs-", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (test_name_matches (made, sub, "^abs-[a-z0-9_]{8}$"));
  g_clear_pointer (&made, g_free);

  assert_at_fdcwd_relative (dir);

  g_assert_no_errno (close (dfd));
  test_scratch_free (g_steal_pointer (&dir));
}

/* The last component of `dir` is opened O_DIRECTORY|O_NOFOLLOW: a symbolic
 * link there is refused (NOT_DIRECTORY, naming it), and nothing is made
 * where it points. A link earlier in `dir` is followed, as openat() does. */
static void
test_symlink_dir_refused (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *target = child (dir, "target");
  g_autofree gchar *link = child (dir, "link");
  g_autofree gchar *inner = child (target, "inner");
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  g_autoptr(GTmpDir) tmpdir = NULL;
  gint dfd = open_dir (dir);

  test_make_dir (target, 0755);
  test_make_dir (inner, 0755);
  g_assert_no_errno (symlink ("target", link));

  g_assert_cmpint (g_tempfile_mkstemp_at (dfd, "link", NULL, NULL, 0, &path, &error), ==, -1);
  test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, link);
  g_clear_error (&error);
  g_assert_null (g_tempfile_mkdtemp_at (dfd, "link", NULL, NULL, 0, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, link);
  g_clear_error (&error);
  tmp = g_tmp_file_new_at (dfd, "link", NULL, NULL, 0, &error);
  g_assert_null (tmp);
  test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, link);
  g_clear_error (&error);
  named = g_named_tmp_file_new_at (dfd, "link", NULL, NULL, 0, &error);
  g_assert_null (named);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_clear_error (&error);
  tmpdir = g_tmp_dir_new_at (dfd, "link", NULL, NULL, 0, &error);
  g_assert_null (tmpdir);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (target), ==, 1);

  /* Through the link, not at the end: allowed. */
  named = g_named_tmp_file_new_at (dfd, "link/inner", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (inner), ==, 1);
  g_clear_object (&named);
  g_assert_cmpuint (test_count_entries (inner), ==, 0);

  /* With AT_FDCWD, and in the path-based calls, the directory is a path
   * like any other: a link at its end is followed (doc/overview.md). */
  named = g_named_tmp_file_new_at (AT_FDCWD, link, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_named_tmp_file_get_path (named), link));
  g_assert_cmpuint (test_count_entries (target), ==, 2);
  g_clear_object (&named);
  named = g_named_tmp_file_new (link, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (target), ==, 2);
  g_clear_object (&named);
  g_assert_cmpuint (test_count_entries (target), ==, 1);

  /* A missing dir: NOT_FOUND naming it. */
  tmp = g_tmp_file_new_at (dfd, "missing", NULL, NULL, 0, &error);
  g_assert_null (tmp);
  g_free (path);
  path = child (dir, "missing");
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, path);

  g_assert_no_errno (close (dfd));
  test_scratch_free (g_steal_pointer (&dir));
}

/* ------------------------------------------------------------------------ */
/* The classes                                                               */

/* Created, the caller's descriptor closed at once, written, persisted
 * relative to another descriptor. */
static void
test_tmp_file_new_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *sub = child (dir, "sub");
  g_autofree gchar *dest = child (dir, "saved.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  gint dfd = open_dir (dir);
  gint open_before;

  test_make_dir (sub, 0755);
  open_before = test_count_open_fds ();
  tmp = g_tmp_file_new_at (dfd, "sub", NULL, NULL, 0640, &error);
  g_assert_no_error (error);
  /* The file and the object's own duplicate of dfd. */
  g_assert_cmpuint (test_count_open_fds (), ==, open_before + 2);
  g_assert_no_errno (close (dfd));
  g_assert_cmpuint (test_count_entries (sub), ==, 0);

  test_write (tmp, "relative", -1);
  dfd = open_dir (dir);
  g_assert_true (g_tmp_file_persist_at (tmp, dfd, "saved.txt", G_TMP_PERSIST_NO_REPLACE,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_no_errno (close (dfd));
  test_assert_file_contents (dest, "relative");
  g_assert_cmpuint (test_mode_of (dest), ==, 0640);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_open_fds (), ==, open_before - 1);
  test_assert_file_contents (dest, "relative");
  test_scratch_free (g_steal_pointer (&dir));
}

/* A named file knows its absolute path, and is removed relative to its
 * own duplicate of the descriptor: renaming the directory away and putting
 * another with the same file name at its path does not redirect the
 * removal. */
static void
test_named_new_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *work = child (dir, "work");
  g_autofree gchar *moved = child (dir, "moved");
  g_autofree gchar *expected = NULL;
  g_autofree gchar *base = NULL;
  g_autofree gchar *decoy = NULL;
  g_autofree gchar *in_moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  gint dfd;

  test_make_dir (work, 0755);
  dfd = open_dir (work);
  named = g_named_tmp_file_new_at (dfd, NULL, "n-", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_no_errno (close (dfd));

  base = g_path_get_basename (g_named_tmp_file_get_path (named));
  expected = child (work, base);
  g_assert_cmpstr (g_named_tmp_file_get_path (named), ==, expected);
  g_assert_true (test_path_exists (expected));

  g_assert_no_errno (rename (work, moved));
  test_make_dir (work, 0755);
  decoy = child (work, base);
  test_write_file (decoy, "not yours");
  in_moved = child (moved, base);
  g_assert_true (test_path_exists (in_moved));

  g_assert_true (g_named_tmp_file_cleanup (named, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (in_moved));
  test_assert_file_contents (decoy, "not yours");

  g_clear_object (&named);
  test_scratch_free (g_steal_pointer (&dir));
}

/* Without /proc there is no absolute path to find for a descriptor: a
 * named file made relative to one is refused with NOT_SUPPORTED and
 * nothing is created, and a persist_at() names @name as given. */
static void
test_no_proc (void)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *dest = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  g_autoptr(GNamedTmpFile) persisted = NULL;
  gint dfd;

  if (!test_enter_mount_namespace ())
    return;
  dir = scratch_real ();
  dest = child (dir, "kept");
  persisted = g_named_tmp_file_new (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  dfd = open_dir (dir);
  if (mount ("none", "/proc", "tmpfs", 0, NULL) < 0)
    {
      test_skip_printf ("cannot hide /proc: %s", g_strerror (errno));
      return;
    }

  named = g_named_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, &error);
  g_assert_null (named);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "descriptor"));
  g_assert_nonnull (strstr (error->message, "/proc"));
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  g_assert_true (g_tmp_file_persist_at (G_TMP_FILE (persisted), dfd, "kept", G_TMP_PERSIST_NONE,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_named_tmp_file_get_path (persisted), ==, "kept");
  g_assert_true (test_path_exists (dest));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  /* /proc back, for LeakSanitizer at exit. */
  g_assert_no_errno (umount ("/proc"));
  g_assert_no_errno (close (dfd));
}

/* A named file made relative to a descriptor persists from there too. */
static void
test_named_persist_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *dest = child (dir, "kept");
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  gint dfd = open_dir (dir);

  named = g_named_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  test_write (named, "named", -1);
  g_assert_true (g_tmp_file_persist_at (G_TMP_FILE (named), dfd, "kept", G_TMP_PERSIST_SYNC,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_named_tmp_file_get_path (named), ==, dest);
  g_assert_false (g_named_tmp_file_get_delete (named));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  g_clear_object (&named);
  test_assert_file_contents (dest, "named");
  g_assert_no_errno (close (dfd));
  test_scratch_free (g_steal_pointer (&dir));
}

static void
test_tmp_dir_new_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *work = child (dir, "work");
  g_autofree gchar *moved = child (dir, "moved");
  g_autofree gchar *base = NULL;
  g_autofree gchar *decoy = NULL;
  g_autofree gchar *decoy_file = NULL;
  g_autofree gchar *inside = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmpdir = NULL;
  struct stat by_own, by_path;
  gint own = -1;
  gint dfd;

  test_make_dir (work, 0755);
  dfd = open_dir (dir);
  tmpdir = g_tmp_dir_new_at (dfd, "work", "d-", NULL, 0, &error);
  g_assert_no_error (error);
  /* "dir-fd" reads the object's own close-on-exec duplicate. */
  g_object_get (tmpdir, "dir-fd", &own, NULL);
  g_assert_cmpint (own, >=, 0);
  g_assert_cmpint (own, !=, dfd);
  g_assert_true (test_has_cloexec (own));
  g_assert_no_errno (fstat (own, &by_own));
  g_assert_no_errno (close (dfd));
  g_assert_no_errno (stat (dir, &by_path));
  g_assert_cmpuint (by_own.st_ino, ==, by_path.st_ino);

  base = g_path_get_basename (g_tmp_dir_get_path (tmpdir));
  g_assert_true (g_str_has_prefix (g_tmp_dir_get_path (tmpdir), work));
  g_assert_cmpuint (test_mode_of (g_tmp_dir_get_path (tmpdir)), ==, 0700);
  inside = g_build_filename (g_tmp_dir_get_path (tmpdir), "file", NULL);
  test_write_file (inside, "tree");

  /* The parent's path taken over by another directory holding a
   * non-empty directory of the same name. */
  g_assert_no_errno (rename (work, moved));
  test_make_dir (work, 0755);
  decoy = child (work, base);
  test_make_dir (decoy, 0755);
  decoy_file = child (decoy, "file");
  test_write_file (decoy_file, "not yours");

  g_assert_true (g_tmp_dir_cleanup (tmpdir, NULL, &error));
  g_assert_no_error (error);
  test_assert_file_contents (decoy_file, "not yours");
  g_assert_cmpuint (test_count_entries (moved), ==, 0);

  g_clear_object (&tmpdir);
  test_scratch_free (g_steal_pointer (&dir));
}

/* An empty decoy is not removed either (the first rmdir is relative to
 * the descriptor too), and dispose cleans up as cleanup() does. */
static void
test_tmp_dir_dispose_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *work = child (dir, "work");
  g_autofree gchar *moved = child (dir, "moved");
  g_autofree gchar *base = NULL;
  g_autofree gchar *decoy = NULL;
  g_autoptr(GError) error = NULL;
  GTmpDir *tmpdir;
  gint dfd;

  test_make_dir (work, 0755);
  dfd = open_dir (work);
  tmpdir = g_tmp_dir_new_at (dfd, NULL, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_no_errno (close (dfd));
  base = g_path_get_basename (g_tmp_dir_get_path (tmpdir));

  g_assert_no_errno (rename (work, moved));
  test_make_dir (work, 0755);
  decoy = child (work, base);
  test_make_dir (decoy, 0755);

  g_object_unref (tmpdir);
  g_assert_true (test_path_exists (decoy));
  g_assert_cmpuint (test_count_entries (moved), ==, 0);

  test_scratch_free (g_steal_pointer (&dir));
}

/* AT_FDCWD: the constructors behave as the plain ones, with the mode. */
static void
test_at_fdcwd (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *dest = child (dir, "doc");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = g_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, 0, &error);
  g_autoptr(GNamedTmpFile) named = NULL;
  g_autoptr(GTmpDir) tmpdir = NULL;
  gint dir_fd = -2;

  g_assert_no_error (error);
  g_object_get (tmp, "dir-fd", &dir_fd, NULL);
  g_assert_cmpint (dir_fd, ==, -1);
  test_write (tmp, "cwd", -1);
  g_assert_true (g_tmp_file_persist_at (tmp, AT_FDCWD, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);
  test_assert_file_contents (dest, "cwd");

  named = g_named_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, 0604, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_named_tmp_file_get_path (named), dir));
  g_assert_cmpuint (test_mode_of (g_named_tmp_file_get_path (named)), ==, 0604);

  tmpdir = g_tmp_dir_new_at (AT_FDCWD, dir, NULL, NULL, 0750, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_mode_of (g_tmp_dir_get_path (tmpdir)), ==, 0750);

  g_clear_object (&tmp);
  g_clear_object (&named);
  g_clear_object (&tmpdir);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (g_steal_pointer (&dir));
}

/* ------------------------------------------------------------------------ */
/* persist_at                                                                */

static void
test_persist_at_errors (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *dest = child (dir, "exists");
  g_autofree gchar *missing = child (dir, "missing/file");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  gint dfd = open_dir (dir);

  tmp = g_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  test_write (tmp, "new", -1);
  test_write_file (dest, "old");

  g_assert_false (g_tmp_file_persist_at (tmp, dfd, "exists", G_TMP_PERSIST_NO_REPLACE,
                                         NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_EXISTS, dest);
  g_clear_error (&error);
  test_assert_file_contents (dest, "old");

  g_assert_false (g_tmp_file_persist_at (tmp, dfd, "missing/file", G_TMP_PERSIST_NONE,
                                         NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  /* Still temporary: replacing works. */
  g_assert_true (g_tmp_file_persist_at (tmp, dfd, "exists", G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);
  test_assert_file_contents (dest, "new");

  g_clear_object (&tmp);
  g_assert_no_errno (close (dfd));
  test_scratch_free (g_steal_pointer (&dir));
}

/* An absolute @name ignores the descriptor, as renameat() does; links
 * in the directory part of @name are followed, and the path a named file
 * reports afterwards is absolute. */
static void
test_persist_at_paths (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *other = scratch_real ();
  g_autofree gchar *sub = child (dir, "sub");
  g_autofree gchar *link = child (dir, "link");
  g_autofree gchar *absolute = child (dir, "absolute.txt");
  g_autofree gchar *through = child (sub, "through.txt");
  g_autofree gchar *reported = child (link, "through.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  gint dfd = open_dir (dir);
  gint other_fd = open_dir (other);

  test_make_dir (sub, 0755);
  g_assert_no_errno (symlink ("sub", link));

  tmp = g_tmp_file_new (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  test_write (tmp, "absolute", -1);
  g_assert_true (g_tmp_file_persist_at (tmp, other_fd, absolute, G_TMP_PERSIST_NONE,
                                        NULL, &error));
  g_assert_no_error (error);
  test_assert_file_contents (absolute, "absolute");
  g_assert_cmpuint (test_count_entries (other), ==, 0);

  named = g_named_tmp_file_new (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  test_write (named, "through", -1);
  g_assert_true (g_tmp_file_persist_at (G_TMP_FILE (named), dfd, "link/through.txt",
                                        G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);
  test_assert_file_contents (through, "through");
  g_assert_true (g_path_is_absolute (g_named_tmp_file_get_path (named)));
  g_assert_cmpstr (g_named_tmp_file_get_path (named), ==, reported);

  g_clear_object (&tmp);
  g_clear_object (&named);
  g_assert_no_errno (close (dfd));
  g_assert_no_errno (close (other_fd));
  test_scratch_free (g_steal_pointer (&other));
  test_scratch_free (g_steal_pointer (&dir));
}

/* The async one: the caller closes the descriptor as soon as the call
 * returns; the persist still lands in that directory, and EXISTS names the
 * path. */
static void
test_persist_at_async (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *dest = child (dir, "async.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GTmpFile) second = NULL;
  GAsyncResult *result = NULL;
  gint dfd = open_dir (dir);

  tmp = g_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  second = g_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  test_write (tmp, "async", -1);

  g_tmp_file_persist_at_async (tmp, dfd, "async.txt", G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT,
                               NULL, test_store_result, &result);
  g_assert_no_errno (close (dfd));
  g_assert_true (g_tmp_file_persist_at_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  test_assert_file_contents (dest, "async");

  dfd = open_dir (dir);
  g_tmp_file_persist_at_async (second, dfd, "async.txt", G_TMP_PERSIST_NO_REPLACE,
                               G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  g_assert_no_errno (close (dfd));
  g_assert_false (g_tmp_file_persist_at_finish (second, test_wait_result (&result), &error));
  test_assert_error_names (error, G_IO_ERROR_EXISTS, dest);
  g_clear_object (&result);
  test_assert_file_contents (dest, "async");

  g_clear_object (&tmp);
  g_clear_object (&second);
  test_scratch_free (g_steal_pointer (&dir));
}

/* ------------------------------------------------------------------------ */
/* The "dir-fd" property                                                     */

static void
test_dir_fd_property (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *sub = child (dir, "spool");
  g_autofree gchar *dest = child (sub, "out");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSpooledTmpFile) spooled = NULL;
  g_autoptr(GTmpDir) tmpdir = NULL;
  gint dfd = open_dir (dir);
  gint own = -1;
  struct stat a, b;

  test_make_dir (sub, 0755);

  /* A spooled file rolls over below the descriptor, after the caller
   * closed theirs and changed directory. */
  spooled = g_initable_new (G_TYPE_SPOOLED_TMP_FILE, NULL, &error,
                            "dir-fd", dfd, "dir", "spool", "max-size", (gsize) 4, NULL);
  g_assert_no_error (error);
  g_object_get (spooled, "dir-fd", &own, NULL);
  g_assert_cmpint (own, >=, 0);
  g_assert_cmpint (own, !=, dfd);
  g_assert_true (test_has_cloexec (own));
  g_assert_no_errno (fstat (own, &a));
  g_assert_no_errno (fstat (dfd, &b));
  g_assert_true (a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  g_assert_no_errno (close (dfd));

  test_write (spooled, "rolled over", -1);
  g_assert_true (g_spooled_tmp_file_is_rolled_over (spooled));
  test_persist (spooled, dest, G_TMP_PERSIST_NONE);
  test_assert_file_contents (dest, "rolled over");

  /* -1: none, as without the property. */
  tmpdir = g_initable_new (G_TYPE_TMP_DIR, NULL, &error, "dir-fd", -1, "dir", dir, NULL);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_tmp_dir_get_path (tmpdir), dir));

  g_clear_object (&spooled);
  g_clear_object (&tmpdir);
  test_scratch_free (g_steal_pointer (&dir));
}

/* g_spooled_tmp_file_new_at(): its own constructor (a spooled file, not
 * the inherited TmpFile one), rolling over below its own duplicate of the
 * descriptor with the mode asked for; a bad descriptor fails at rollover,
 * with the bytes still in memory. */
static void
test_spooled_new_at (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autofree gchar *sub = child (dir, "spool");
  g_autofree gchar *dest = child (sub, "out");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSpooledTmpFile) spooled = NULL;
  g_autoptr(GSpooledTmpFile) bad = NULL;
  gint dfd = open_dir (dir);
  gint own = -1;
  struct stat st;

  test_make_dir (sub, 0755);
  spooled = g_spooled_tmp_file_new_at (4, dfd, "spool", "sp_", NULL, 0640);
  g_assert_true (G_IS_SPOOLED_TMP_FILE (spooled));
  g_object_get (spooled, "dir-fd", &own, NULL);
  g_assert_cmpint (own, >=, 0);
  g_assert_cmpint (own, !=, dfd);
  g_assert_true (test_has_cloexec (own));
  g_assert_no_errno (close (dfd));
  g_assert_cmpuint (test_count_entries (sub), ==, 0);

  test_write (spooled, "rolled over", -1);
  g_assert_true (g_spooled_tmp_file_is_rolled_over (spooled));
  g_assert_no_errno (fstat (g_tmp_file_get_fd (G_TMP_FILE (spooled), NULL), &st));
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  test_persist (spooled, dest, G_TMP_PERSIST_NONE);
  test_assert_file_contents (dest, "rolled over");

  bad = g_spooled_tmp_file_new_at (0, test_lowest_free_fd (), NULL, NULL, NULL, 0);
  g_assert_true (G_IS_SPOOLED_TMP_FILE (bad));
  test_write (bad, "kept", -1);
  g_assert_false (g_spooled_tmp_file_rollover (bad, NULL, &error));
  g_assert_nonnull (error);
  g_assert_false (g_spooled_tmp_file_is_rolled_over (bad));

  g_clear_object (&spooled);
  test_scratch_free (g_steal_pointer (&dir));
}

/* A descriptor that is not open: an error, and nothing made anywhere (not
 * in the current directory, not in "dir" taken as a path). */
static void
test_bad_descriptor (void)
{
  g_autofree gchar *dir = scratch_real ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  gint bad = test_lowest_free_fd ();

  tmp = g_tmp_file_new_at (bad, dir, NULL, NULL, 0, &error);
  g_assert_null (tmp);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  named = g_initable_new (G_TYPE_NAMED_TMP_FILE, NULL, &error, "dir-fd", bad, "dir", dir, NULL);
  g_assert_null (named);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, dir));

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (g_steal_pointer (&dir));
}

/* g_tmp_dir_new_at(): "path" is found through /proc/self/fd; without it
 * (hidden here by a tmpfs), NOT_SUPPORTED and nothing is created. In a
 * mount namespace of its own, so that /proc stays for everyone else. */
static void
test_tmp_dir_no_proc (void)
{
  if (test_enter_mount_namespace ())
    {
      g_autofree gchar *dir = scratch_real ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GTmpDir) tmp = NULL;
      gint dfd = open_dir (dir);

      g_assert_no_errno (mount ("none", "/proc", "tmpfs", 0, NULL));
      g_assert_false (test_path_exists ("/proc/self/fd"));

      tmp = g_tmp_dir_new_at (dfd, NULL, "np_", NULL, 0, &error);
      g_assert_null (tmp);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      /* Says what cannot be found, and why. */
      g_assert_nonnull (strstr (error->message, "/proc"));
      g_assert_nonnull (strstr (error->message, "“.”"));
      g_assert_cmpuint (test_count_entries (dir), ==, 0);

      g_assert_no_errno (close (dfd));
      g_assert_no_errno (umount ("/proc"));
      test_scratch_free (g_steal_pointer (&dir));
    }
}

int
main (int   argc,
      char *argv[])
{
  umask (022);
  test_init (&argc, &argv, "at");

  g_test_add_func ("/at/mkstemp", test_mkstemp_at);
  g_test_add_func ("/at/mkdtemp", test_mkdtemp_at);
  g_test_add_func ("/at/symlink-dir-refused", test_symlink_dir_refused);
  g_test_add_func ("/at/tmp-file", test_tmp_file_new_at);
  g_test_add_func ("/at/named", test_named_new_at);
  g_test_add_func ("/at/named-persist", test_named_persist_at);
  g_test_add_func ("/at/no-proc", test_no_proc);
  g_test_add_func ("/at/tmp-dir", test_tmp_dir_new_at);
  g_test_add_func ("/at/tmp-dir-dispose", test_tmp_dir_dispose_at);
  g_test_add_func ("/at/at-fdcwd", test_at_fdcwd);
  g_test_add_func ("/at/persist-errors", test_persist_at_errors);
  g_test_add_func ("/at/persist-async", test_persist_at_async);
  g_test_add_func ("/at/persist-paths", test_persist_at_paths);
  g_test_add_func ("/at/dir-fd-property", test_dir_fd_property);
  g_test_add_func ("/at/bad-descriptor", test_bad_descriptor);
  g_test_add_func ("/at/spooled", test_spooled_new_at);
  g_test_add_func ("/at/tmp-dir-no-proc", test_tmp_dir_no_proc);

  return test_run ();
}
