/* test-persist-replace.c — persist() over an existing file: the hidden
 * name beside the destination, what a crash between the link and the
 * rename leaves and how a sweep removes it
 *
 * Replacing a file, an anonymous file is linked under a hidden name beside
 * the destination (".NAME." or ".gtmp-" and eight random characters) and
 * renamed over it. A child is killed (SIGKILL) between those two calls by
 * the link hook; the parent finds the destination intact, the complete new
 * file under the hidden name, and removes it with the documented
 * g_tempfile_sweep() call.
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

#include "gtempfile-private.h"
#include "gtmp-testing.h"
#include "test-util.h"

#define OLD_TEXT "the old document"
#define NEW_TEXT "the new document, complete"

/* ------------------------------------------------------------------------ */
/* Killed between the link and the rename                                    */

/* Link hook: the file has its hidden name, the rename has not happened. */
static void
die_after_link (gint         dfd,
                const gchar *name,
                gpointer     user_data)
{
  kill (getpid (), SIGKILL);
  for (;;)
    pause ();
}

typedef enum
{
  KILL_ANONYMOUS,     /* the file itself is linked beside the destination */
  KILL_COPY,          /* ALLOW_COPY from another file system: its copy is */
} KillCase;

/* @name's hidden sibling prefix, as the documentation gives it. */
static gchar *
sibling_prefix (const gchar *name)
{
  return strlen (name) > 200 ? g_strdup (".gtmp-") : g_strconcat (".", name, ".", NULL);
}

/* The entry of @dir other than @name; there must be exactly one. */
static gchar *
the_other_entry (const gchar *dir,
                 const gchar *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *entry;
  gchar *other = NULL;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      if (g_str_equal (entry, name))
        continue;
      g_assert_null (other);
      other = g_build_filename (dir, entry, NULL);
    }
  g_assert_nonnull (other);

  return other;
}

/* Persists over @dest in a child killed between the link and the rename. */
static void
kill_between_link_and_rename (KillCase     kc,
                              const gchar *src_dir,
                              const gchar *dest,
                              guint        flags)
{
  gint status = 0;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      GTmpFile *tmp = g_tmp_file_new (src_dir, NULL, NULL, &error);

      g_assert_no_error (error);
      test_write (tmp, NEW_TEXT, -1);
      _g_tmp_core_set_link_hook (die_after_link, NULL);
      g_tmp_file_persist (tmp, dest, flags | (kc == KILL_COPY ? G_TMP_PERSIST_ALLOW_COPY : 0),
                          NULL, NULL);
      _exit (0);  /* never linked beside: the test fails below */
    }

  g_assert_true (test_wait_or_kill (pid, 20 * G_USEC_PER_SEC, &status));
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
}

/* Sets @path's modification time @age ago. */
static void
age_entry (const gchar *path,
           GTimeSpan    age)
{
  gint64 then = g_get_real_time () - age;
  struct timespec times[2] = {
    { then / G_USEC_PER_SEC, (then % G_USEC_PER_SEC) * 1000 },
    { then / G_USEC_PER_SEC, (then % G_USEC_PER_SEC) * 1000 },
  };

  g_assert_no_errno (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW));
}

static void
check_crash_leftover (KillCase     kc,
                      const gchar *src_dir,
                      const gchar *dir,
                      const gchar *name,
                      guint        flags)
{
  g_autofree gchar *dest = g_build_filename (dir, name, NULL);
  g_autofree gchar *prefix = sibling_prefix (name);
  g_autofree gchar *pattern = test_name_pattern (prefix, 8, "");
  g_autofree gchar *leftover = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  test_write_file_mode (dest, OLD_TEXT, 0640);
  kill_between_link_and_rename (kc, src_dir != NULL ? src_dir : dir, dest, flags);

  /* The destination is the old file; beside it, the complete new one under
   * a name of the library's shape with the documented prefix, with the
   * mode it was to have. */
  test_assert_file_contents (dest, OLD_TEXT);
  g_assert_cmpuint (test_count_entries (dir), ==, 2);
  leftover = the_other_entry (dir, name);
  g_test_message ("leftover: %s", leftover);
  g_assert_true (test_name_matches (leftover, dir, pattern));
  test_assert_file_contents (leftover, NEW_TEXT);
  g_assert_no_errno (lstat (leftover, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpuint (st.st_uid, ==, geteuid ());

  /* The documented sweep at start-up: not yet, it was written just now... */
  g_assert_cmpint (g_tempfile_sweep (dir, prefix, NULL, 0, G_TIME_SPAN_HOUR, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (test_path_exists (leftover));

  /* ... but once it is older than the age given. */
  age_entry (leftover, 2 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_tempfile_sweep (dir, prefix, NULL, 0, G_TIME_SPAN_HOUR, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (test_path_exists (leftover));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_assert_file_contents (dest, OLD_TEXT);
  g_assert_cmpuint (test_mode_of (dest), ==, 0640);

  /* A sweep with no age at all removes the next one at once. */
  kill_between_link_and_rename (kc, src_dir != NULL ? src_dir : dir, dest, flags);
  g_assert_cmpuint (test_count_entries (dir), ==, 2);
  g_assert_cmpint (g_tempfile_sweep (dir, prefix, NULL, 0, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_assert_file_contents (dest, OLD_TEXT);

  g_assert_no_errno (unlink (dest));
}

static const gchar *
long_name (void)
{
  static gchar name[231];

  /* Past 200 bytes the sibling prefix is ".gtmp-"; still within NAME_MAX. */
  if (name[0] == '\0')
    {
      memset (name, 'n', sizeof name - 5);
      strcpy (name + sizeof name - 5, ".txt");
    }

  return name;
}

static void
test_killed_anonymous (void)
{
  gchar *dir = test_scratch_new ();

  check_crash_leftover (KILL_ANONYMOUS, NULL, dir, "document.txt", G_TMP_PERSIST_NONE);
  check_crash_leftover (KILL_ANONYMOUS, NULL, dir, "document.txt", G_TMP_PERSIST_SYNC);
  /* A name that is itself of the shape of a hidden one. */
  check_crash_leftover (KILL_ANONYMOUS, NULL, dir, ".report.txt.abcd1234", G_TMP_PERSIST_NONE);
  check_crash_leftover (KILL_ANONYMOUS, NULL, dir, long_name (), G_TMP_PERSIST_NONE);
  test_scratch_free (dir);
}

static void
test_killed_copy (void)
{
  gchar *dir = NULL;
  gchar *far = NULL;

  if (!test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
    return;

  dir = test_scratch_new ();
  far = test_scratch_new_in ("/dev/shm");
  check_crash_leftover (KILL_COPY, far, dir, "document.txt", G_TMP_PERSIST_NONE);
  check_crash_leftover (KILL_COPY, far, dir, long_name (), G_TMP_PERSIST_SYNC);
  g_assert_cmpuint (test_count_entries (far), ==, 0);
  test_scratch_free (dir);
  test_scratch_free (far);
}

/* Only the hidden sibling of the document swept for is removed: not the
 * document, not a sibling of another document, not another user's. */
static void
test_sweep_spares_others (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "a.txt", NULL);
  g_autofree gchar *other_dest = g_build_filename (dir, "a.txt.b", NULL);
  g_autoptr(GError) error = NULL;

  test_write_file (dest, OLD_TEXT);
  test_write_file (other_dest, OLD_TEXT);
  kill_between_link_and_rename (KILL_ANONYMOUS, dir, other_dest, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (test_count_entries (dir), ==, 3);

  g_assert_cmpint (g_tempfile_sweep (dir, ".a.txt.", NULL, 0, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (dir), ==, 3);
  g_assert_cmpint (g_tempfile_sweep (dir, ".a.txt.b.", NULL, 0, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (dir), ==, 2);
  test_assert_file_contents (dest, OLD_TEXT);
  test_assert_file_contents (other_dest, OLD_TEXT);

  test_scratch_free (dir);
}

/* As root, replacing another user's file: the hidden copy already has the
 * owner the destination is to keep, so a sweep (the caller's own entries
 * only) leaves it; that user's sweep removes it (documented). */
static void
sweep_as_nobody (gpointer data)
{
  const gchar *dir = data;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_tempfile_sweep (dir, ".document.txt.", NULL, 0, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_killed_other_owner (void)
{
  gchar *dir = NULL;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *leftover = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (!test_need_root ("to replace another user's file"))
    return;

  dir = test_scratch_new ();
  dest = g_build_filename (dir, "document.txt", NULL);
  test_write_file (dest, OLD_TEXT);
  test_chown_nobody (dest);
  kill_between_link_and_rename (KILL_ANONYMOUS, dir, dest, G_TMP_PERSIST_NONE);

  leftover = the_other_entry (dir, "document.txt");
  g_assert_no_errno (lstat (leftover, &st));
  g_assert_cmpuint (st.st_uid, ==, TEST_NOBODY);
  g_assert_cmpint (g_tempfile_sweep (dir, ".document.txt.", NULL, 0, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (test_path_exists (leftover));

  /* The directory is root's 0700 scratch directory: let nobody in. */
  g_assert_no_errno (chmod (dir, 0777));
  test_run_as_nobody (sweep_as_nobody, dir);
  g_assert_false (test_path_exists (leftover));
  test_assert_file_contents (dest, OLD_TEXT);

  test_scratch_free (dir);
}

int
main (int    argc,
      char **argv)
{
  test_init (&argc, &argv, "persist-replace");

  g_test_add_func ("/persist-replace/killed-after-link/anonymous", test_killed_anonymous);
  g_test_add_func ("/persist-replace/killed-after-link/copy", test_killed_copy);
  g_test_add_func ("/persist-replace/killed-after-link/other-owner", test_killed_other_owner);
  g_test_add_func ("/persist-replace/killed-after-link/sweep-spares-others",
                   test_sweep_spares_others);

  return test_run ();
}
