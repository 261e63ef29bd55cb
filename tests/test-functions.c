/* test-functions.c — the module functions, used as an application would
 *
 * g_tempfile_mkstemp(), _mkdtemp(), _mktemp(), _get_tempdir(),
 * _set_tempdir() and _get_tempprefix() through <gtempfile.h> only, checked
 * against what is on disk.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtempfile.h>

#include "test-util.h"

#define NAME_CHARS "[a-z0-9_]{8}"

/* ------------------------------------------------------------------------ */
/* mkstemp                                                                   */

static void
test_mkstemp (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;
  gchar buffer[6] = { 0, };
  gint fd;

  fd = g_tempfile_mkstemp (scratch, "report-", ".csv", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (test_name_matches (path, scratch, "^report-" NAME_CHARS "\\.csv$"));

  /* Open for reading and writing, on the very file at @path. */
  g_assert_cmpint (write (fd, "a,b\n", 4), ==, 4);
  g_assert_cmpint (pread (fd, buffer, 4, 0), ==, 4);
  g_assert_cmpstr (buffer, ==, "a,b\n");
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, !=, 0);
  g_assert_cmpuint (test_mode_of (path), ==, 0600);
  close (fd);

  /* The caller owns the file: closing does not remove it. */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (test_count_entries (scratch), ==, 1);
  test_scratch_free (scratch);
}

static void
test_mkstemp_defaults (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  g_assert_cmpstr (g_tempfile_get_tempprefix (), ==, "tmp");

  g_tempfile_set_tempdir (scratch);
  fd = g_tempfile_mkstemp (NULL, NULL, NULL, &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (test_name_matches (path, scratch, "^tmp" NAME_CHARS "$"));

  /* out_path is optional. */
  fd = g_tempfile_mkstemp (NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_tempfile_set_tempdir (NULL);

  g_assert_cmpuint (test_count_entries (scratch), ==, 2);
  test_scratch_free (scratch);
}

static void
test_mkstemp_relative (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *old_cwd = g_get_current_dir ();
  g_autofree gchar *sub = g_build_filename (scratch, "sub", NULL);
  g_autofree gchar *path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  g_assert_no_errno (mkdir (sub, 0700));
  g_assert_no_errno (chdir (scratch));
  fd = g_tempfile_mkstemp ("sub", NULL, NULL, &path, &error);
  g_assert_no_error (error);
  close (fd);
  dir_path = g_tempfile_mkdtemp ("./sub", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chdir (old_cwd));

  g_assert_true (test_name_matches (path, sub, "^tmp" NAME_CHARS "$"));
  g_assert_true (test_name_matches (dir_path, sub, "^tmp" NAME_CHARS "$"));
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* _full: modes and the length of the random part                            */

/* A mode the caller asks for, with the umask applied as open() and mkdir()
 * apply it; 0 is the secure default whatever the umask. */
static void
test_full_modes (void)
{
  static const struct {
    guint umask_;
    guint mode;
    guint file_mode;
    guint dir_mode;
  } cases[] = {
    { 022, 0640, 0640, 0640 },
    { 022, 0750, 0750, 0750 },
    { 022, 0777, 0755, 0755 },
    { 022, 0, 0600, 0700 },
    { 077, 0640, 0600, 0600 },
    { 077, 0750, 0700, 0700 },
    { 077, 0, 0600, 0700 },
    { 0, 0, 0600, 0700 },
  };
  gchar *scratch = test_scratch_new ();
  mode_t old_umask = umask (022);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *path = NULL;
      g_autofree gchar *dir_path = NULL;
      g_autoptr(GError) error = NULL;
      gint fd;

      umask (cases[i].umask_);
      fd = g_tempfile_mkstemp_full (scratch, "m-", NULL, cases[i].mode, 0, &path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpuint (test_mode_of (path), ==, cases[i].file_mode);
      close (fd);

      dir_path = g_tempfile_mkdtemp_full (scratch, "m-", NULL, cases[i].mode, 0, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_test (dir_path, G_FILE_TEST_IS_DIR));
      g_assert_cmpuint (test_mode_of (dir_path), ==, cases[i].dir_mode);
    }

  umask (old_umask);
  g_assert_cmpuint (test_count_entries (scratch), ==, 2 * G_N_ELEMENTS (cases));
  test_scratch_free (scratch);
}

/* The random part has the length asked for (0: 8), in the name alphabet,
 * and every character of a long one is drawn: not the first 8 repeated. */
static void
test_full_random_length (void)
{
  static const guint lengths[] = { 0, 8, 16, 128 };
  gchar *scratch = test_scratch_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      guint expected = lengths[i] != 0 ? lengths[i] : 8;
      g_autofree gchar *pattern = test_name_pattern ("pre-", expected, ".suf");
      g_autofree gchar *path = NULL;
      g_autofree gchar *dir_path = NULL;
      g_autofree gchar *base = NULL;
      g_autoptr(GError) error = NULL;
      gint fd;

      fd = g_tempfile_mkstemp_full (scratch, "pre-", ".suf", 0, lengths[i], &path, &error);
      g_assert_no_error (error);
      close (fd);
      g_assert_true (test_name_matches (path, scratch, pattern));
      g_assert_cmpuint (test_mode_of (path), ==, 0600);

      dir_path = g_tempfile_mkdtemp_full (scratch, "pre-", ".suf", 0, lengths[i], &error);
      g_assert_no_error (error);
      g_assert_true (test_name_matches (dir_path, scratch, pattern));
      g_assert_cmpuint (test_mode_of (dir_path), ==, 0700);

      base = g_path_get_basename (path);
      if (expected > 8)
        g_assert_false (memcmp (base + 4, base + 4 + 8, expected - 8) == 0);
    }

  test_scratch_free (scratch);
}

/* Out of 8..128: G_IO_ERROR_INVALID_ARGUMENT naming the directory (also
 * the default one, and one that does not exist), and nothing created. */
static void
test_full_random_length_invalid (void)
{
  static const guint bad[] = { 1, 7, 129, 4096, G_MAXUINT };
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (scratch, "missing", NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *path = NULL;
      gchar *result;
      gint fd;

      fd = g_tempfile_mkstemp_full (scratch, NULL, NULL, 0640, bad[i], &path, &error);
      test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, scratch);
      g_assert_cmpint (fd, ==, -1);
      g_assert_null (path);
      g_clear_error (&error);

      result = g_tempfile_mkdtemp_full (scratch, NULL, NULL, 0, bad[i], &error);
      test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, scratch);
      g_assert_null (result);
      g_clear_error (&error);

      result = g_tempfile_mkdtemp_full (missing, NULL, NULL, 0, bad[i], &error);
      test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, missing);
      g_assert_null (result);
      g_clear_error (&error);

      g_tempfile_set_tempdir (scratch);
      fd = g_tempfile_mkstemp_full (NULL, NULL, NULL, 0, bad[i], NULL, &error);
      g_tempfile_set_tempdir (NULL);
      test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, scratch);
      g_assert_cmpint (fd, ==, -1);
    }

  g_assert_cmpuint (test_count_entries (scratch), ==, 0);
  test_scratch_free (scratch);
}

/* mkstemp() (asked for the path if @want_path) and mkdtemp() in @dir both
 * fail with @code, naming @dir. */
static void
assert_both_fail (const gchar *dir,
                  gint         code,
                  gboolean     want_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  gchar *result;
  gint fd;

  fd = g_tempfile_mkstemp (dir, NULL, NULL, want_path ? &path : NULL, &error);
  test_assert_error_names (error, code, dir);
  g_assert_cmpint (fd, ==, -1);
  g_assert_null (path);
  g_clear_error (&error);

  result = g_tempfile_mkdtemp (dir, NULL, NULL, &error);
  test_assert_error_names (error, code, dir);
  g_assert_null (result);
}

/* Bad affixes, a missing directory: an error, and nothing created. */
static void
test_errors (void)
{
  static const gchar * const bad[][2] = {
    { "../", NULL }, { NULL, "/../x" }, { "a/b", ".txt" },
  };
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (scratch, "missing", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  gchar *result;
  guint i;
  gint fd;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      fd = g_tempfile_mkstemp (scratch, bad[i][0], bad[i][1], &path, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (fd, ==, -1);
      g_assert_null (path);
      g_clear_error (&error);

      result = g_tempfile_mkdtemp (scratch, bad[i][0], bad[i][1], &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (result);
      g_clear_error (&error);

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      result = g_tempfile_mktemp (scratch, bad[i][0], bad[i][1], &error);
      G_GNUC_END_IGNORE_DEPRECATIONS
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (result);
      g_clear_error (&error);
    }

  assert_both_fail (missing, G_IO_ERROR_NOT_FOUND, TRUE);

  g_assert_cmpuint (test_count_entries (scratch), ==, 0);
  test_scratch_free (scratch);
}

static void
test_errors_permission (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *locked = test_scratch_path ("locked");
      g_autofree gchar *sealed = test_scratch_path ("sealed");
      g_autoptr(GError) error = NULL;
      gchar *result;

      test_drop_privileges ();
      assert_both_fail (locked, G_IO_ERROR_PERMISSION_DENIED, FALSE);

      /* As documented for open_anonymous(): the error names @dir. */
      g_assert_cmpint (g_tempfile_open_anonymous (locked, 0, &error), ==, -1);
      test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, locked);
      g_clear_error (&error);

      /* mktemp() in a directory it cannot search: the failed check is
       * reported, not taken for a free name. */
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      result = g_tempfile_mktemp (sealed, NULL, NULL, &error);
      G_GNUC_END_IGNORE_DEPRECATIONS
      test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, sealed);
      g_assert_null (result);
      return;
    }
  else if (test_need_root ("to drop privileges to uid 65534 in a child"))
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *locked = g_build_filename (scratch, "locked", NULL);
      g_autofree gchar *sealed = g_build_filename (scratch, "sealed", NULL);

      g_assert_no_errno (mkdir (locked, 0755));
      g_assert_no_errno (mkdir (sealed, 0700));
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (locked), ==, 0);
      g_assert_cmpuint (test_count_entries (sealed), ==, 0);
      test_scratch_free (scratch);
    }
}

/* ------------------------------------------------------------------------ */
/* mkdtemp, mktemp                                                           */

static void
test_mkdtemp (void)
{
  gchar *scratch = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *inner = NULL;

  path = g_tempfile_mkdtemp (scratch, "build_", ".d", &error);
  g_assert_no_error (error);
  g_assert_true (test_name_matches (path, scratch, "^build_" NAME_CHARS "\\.d$"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (test_mode_of (path), ==, 0700);
  g_assert_cmpuint (test_count_entries (path), ==, 0);

  /* Usable, and the caller's to remove. */
  inner = g_build_filename (path, "file", NULL);
  g_file_set_contents (inner, "x", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (scratch), ==, 1);
  test_scratch_free (scratch);
}

static void
test_mktemp (void)
{
  gchar *scratch = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *other = NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  path = g_tempfile_mktemp (scratch, "old-", ".tmp", &error);
  g_assert_no_error (error);
  other = g_tempfile_mktemp (scratch, "old-", ".tmp", &error);
  g_assert_no_error (error);
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* Only a name: nothing is created. */
  g_assert_true (test_name_matches (path, scratch, "^old-" NAME_CHARS "\\.tmp$"));
  g_assert_cmpstr (path, !=, other);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (test_count_entries (scratch), ==, 0);
  test_scratch_free (scratch);
}

/* Only "no such file" makes a name free: a @dir that is a file or a name
 * too long fails at once with its own error, not after trying every name
 * and then claiming they all exist. */
static void
test_mktemp_errors (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *a_file = g_build_filename (scratch, "a-file", NULL);
  g_autofree gchar *long_prefix = g_strnfill (300, 'x');
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  g_assert_true (g_file_set_contents (a_file, "x", -1, NULL));

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  path = g_tempfile_mktemp (a_file, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_assert_null (path);
  g_assert_nonnull (strstr (error->message, a_file));
  g_clear_error (&error);

  path = g_tempfile_mktemp (scratch, long_prefix, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
  g_assert_null (path);
  g_assert_nonnull (strstr (error->message, scratch));
  G_GNUC_END_IGNORE_DEPRECATIONS

  g_assert_cmpuint (test_count_entries (scratch), ==, 1);
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* The default directory                                                     */

/* As CPython: $TMPDIR, $TEMP, $TMP in that order, skipping unusable ones,
 * then /tmp; cached until set_tempdir(). */
static void
test_tempdir (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *first = test_scratch_path ("first");
      g_autofree gchar *second = test_scratch_path ("second");
      g_autofree gchar *third = test_scratch_path ("third");
      g_autofree gchar *missing = test_scratch_path ("missing");
      g_autofree gchar *cwd = g_get_current_dir ();
      g_autofree gchar *relative = g_build_filename (cwd, "rel", NULL);
      g_autoptr(GError) error = NULL;

      g_setenv ("TMPDIR", first, TRUE);
      g_setenv ("TEMP", second, TRUE);
      g_setenv ("TMP", third, TRUE);
      test_assert_tempdir (first);

      g_setenv ("TMPDIR", missing, TRUE);
      test_assert_tempdir (first);                 /* cached */
      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir (second);

      g_setenv ("TEMP", missing, TRUE);
      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir (third);

      g_unsetenv ("TMP");
      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir ("/tmp");

      g_tempfile_set_tempdir (third);
      test_assert_tempdir (third);
      g_tempfile_set_tempdir ("rel");
      test_assert_tempdir (relative);
      /* Made absolute when set, not when used. */
      g_assert_no_errno (g_chdir ("/"));
      test_assert_tempdir (relative);
      g_assert_no_errno (g_chdir (cwd));

      /* Not checked when set: the call that creates there says it. */
      g_tempfile_set_tempdir (missing);
      test_assert_tempdir (missing);
      g_assert_cmpint (g_tempfile_mkstemp (NULL, NULL, NULL, NULL, &error), ==, -1);
      test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
      g_tempfile_set_tempdir (NULL);
      return;
    }
  else
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *first = g_build_filename (scratch, "first", NULL);
      g_autofree gchar *second = g_build_filename (scratch, "second", NULL);
      g_autofree gchar *third = g_build_filename (scratch, "third", NULL);

      g_assert_no_errno (mkdir (first, 0700));
      g_assert_no_errno (mkdir (second, 0700));
      g_assert_no_errno (mkdir (third, 0700));
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (first) + test_count_entries (second) +
                        test_count_entries (third), ==, 0);
      test_scratch_free (scratch);
    }
}

static void
test_tempdir_is_usable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_tempfile_get_tempdir (&error);
  g_autofree gchar *again = NULL;

  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (dir));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_assert_no_errno (access (dir, W_OK | X_OK));

  again = g_tempfile_get_tempdir (NULL);
  g_assert_cmpstr (again, ==, dir);
}

/* Threads reading and replacing the default at once see one of the values
 * that was set, never a torn or freed one (ASan would catch the latter). */
#define TEMPDIR_THREADS 4
#define TEMPDIR_ROUNDS  2000

static gpointer
tempdir_thread (gpointer data)
{
  const gchar * const *dirs = data;
  guint i;

  for (i = 0; i < TEMPDIR_ROUNDS; i++)
    {
      g_autofree gchar *dir = NULL;

      g_tempfile_set_tempdir (dirs[i % 2]);
      dir = g_tempfile_get_tempdir (NULL);
      g_assert_true (g_strcmp0 (dir, dirs[0]) == 0 || g_strcmp0 (dir, dirs[1]) == 0);
    }
  return NULL;
}

static void
test_tempdir_threads (void)
{
  const gchar *dirs[] = { "/var/tmp/a", "/tmp/b" };
  GThread *threads[TEMPDIR_THREADS];
  guint i;

  for (i = 0; i < TEMPDIR_THREADS; i++)
    threads[i] = g_thread_new ("tempdir", tempdir_thread, dirs);
  for (i = 0; i < TEMPDIR_THREADS; i++)
    g_thread_join (threads[i]);
  g_tempfile_set_tempdir (NULL);
}

/* fork() while another thread searches or sets the default directory: the
 * child must not inherit the lock taken. Each child creates a file in the
 * default directory and exits; one that has not exited after
 * FORK_WAIT_SECONDS is hung, and is killed and counted rather than hanging
 * the test. */
#define FORK_CHILDREN     20
#define FORK_WAIT_SECONDS 5

typedef struct
{
  const gchar *dir;
  gint         stop;
} TempdirChurn;

static gpointer
churn_tempdir (gpointer data)
{
  TempdirChurn *churn = data;

  while (!g_atomic_int_get (&churn->stop))
    {
      g_autofree gchar *found = NULL;

      /* The search holds the lock for a whole probe of the directory. */
      g_tempfile_set_tempdir (NULL);
      found = g_tempfile_get_tempdir (NULL);
      g_tempfile_set_tempdir (churn->dir);
    }
  return NULL;
}

/* A forked child: a file in the default directory, then _exit(). */
static void
mkstemp_child (gpointer data)
{
  gchar *path = NULL;
  gint fd = g_tempfile_mkstemp (NULL, "child-", NULL, &path, NULL);

  if (fd >= 0 && unlink (path) == 0)
    test_child_succeed ();
  _exit (1);
}

static void
test_tempdir_fork (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *scratch = test_scratch_dir ();
      TempdirChurn churn = { scratch, FALSE };
      GThread *churner;
      guint hung = 0, failed = 0;

      g_setenv ("TMPDIR", scratch, TRUE);
      churner = g_thread_new ("churn", churn_tempdir, &churn);

      test_fork_children (FORK_CHILDREN, FORK_WAIT_SECONDS * G_USEC_PER_SEC,
                          mkstemp_child, NULL, &hung, &failed);

      g_atomic_int_set (&churn.stop, TRUE);
      g_thread_join (churner);

      g_test_message ("%u of %d children hung", hung, FORK_CHILDREN);
      g_assert_cmpuint (hung, ==, 0);
      g_assert_cmpuint (failed, ==, 0);
      g_assert_cmpuint (test_count_entries (scratch), ==, 0);
      return;
    }
  else
    {
      gchar *scratch = test_scratch_new ();

      test_run_in_subprocess ();
      test_scratch_free (scratch);
    }
}

/* Many threads making files in one directory: all distinct, all there. */
#define MKSTEMP_THREADS 4
#define MKSTEMP_FILES   1000

static gint
mkstemp_in (const gchar  *dir,
            gchar       **path,
            GError      **error)
{
  return g_tempfile_mkstemp (dir, NULL, NULL, path, error);
}

static void
test_mkstemp_threads (void)
{
  gchar *scratch = test_scratch_new ();

  test_create_in_threads (scratch, mkstemp_in, MKSTEMP_THREADS, MKSTEMP_FILES);
  test_scratch_free (scratch);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "functions");

  g_test_add_func ("/functions/mkstemp/basic", test_mkstemp);
  g_test_add_func ("/functions/mkstemp/defaults", test_mkstemp_defaults);
  g_test_add_func ("/functions/mkstemp/relative", test_mkstemp_relative);
  g_test_add_func ("/functions/mkstemp/threads", test_mkstemp_threads);
  g_test_add_func ("/functions/mkdtemp/basic", test_mkdtemp);
  g_test_add_func ("/functions/full/modes", test_full_modes);
  g_test_add_func ("/functions/full/random-length", test_full_random_length);
  g_test_add_func ("/functions/full/random-length-invalid", test_full_random_length_invalid);
  g_test_add_func ("/functions/mktemp/basic", test_mktemp);
  g_test_add_func ("/functions/mktemp/errors", test_mktemp_errors);
  g_test_add_func ("/functions/errors/arguments", test_errors);
  g_test_add_func ("/functions/errors/permission", test_errors_permission);
  g_test_add_func ("/functions/tempdir/search", test_tempdir);
  g_test_add_func ("/functions/tempdir/usable", test_tempdir_is_usable);
  g_test_add_func ("/functions/tempdir/threads", test_tempdir_threads);
  g_test_add_func ("/functions/tempdir/fork", test_tempdir_fork);

  return test_run ();
}
