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

/* ------------------------------------------------------------------------ */
/* The rename fails after the link                                           */

/* The library is linked in statically and calls this renameat(): armed by
 * the link hook, the rename over the destination fails with
 * rename_errno, as it would over a mount point (EBUSY), in a sticky
 * directory (EPERM), on a failing disk (EIO). Every other rename goes
 * through. */
static gint rename_errno;
static gint renames_to_fail;

int
renameat (int         olddfd,
          const char *oldpath,
          int         newdfd,
          const char *newpath)
{
  if (g_atomic_int_get (&renames_to_fail) > 0)
    {
      g_atomic_int_add (&renames_to_fail, -1);
      errno = rename_errno;
      return -1;
    }

  return renameat2 (olddfd, oldpath, newdfd, newpath, 0);
}

/* Link hook: the next rename, the one over the destination, fails. */
static void
fail_next_rename (gint         dfd,
                  const gchar *name,
                  gpointer     user_data)
{
  g_atomic_int_set (&renames_to_fail, 1);
}

typedef enum
{
  RETRY_SAME,       /* the same existing destination again */
  RETRY_NEW,        /* a new name in the same directory */
  RETRY_FAIL_AGAIN, /* the same, failing once more, then once more */
  RETRY_ASYNC,      /* the same, with persist_async() */
  RETRY_OTHER_FS,   /* a new name on another file system */
} Retry;

typedef struct
{
  const gchar      *name;
  TestFileClass     klass;
  gint              errsv;
  GTmpPersistFlags  flags;   /* of both persists */
  Retry             retry;
} RetryCase;

static const RetryCase retry_cases[] = {
  { "eperm", TEST_CLASS_TMP_FILE, EPERM, G_TMP_PERSIST_NONE, RETRY_SAME },
  { "ebusy-new-name", TEST_CLASS_TMP_FILE, EBUSY, G_TMP_PERSIST_NONE, RETRY_NEW },
  { "eio-sync", TEST_CLASS_TMP_FILE, EIO, G_TMP_PERSIST_SYNC, RETRY_SAME },
  { "enospc-allow-copy", TEST_CLASS_TMP_FILE, ENOSPC, G_TMP_PERSIST_ALLOW_COPY, RETRY_SAME },
  { "sync-allow-copy", TEST_CLASS_TMP_FILE, EIO, G_TMP_PERSIST_SYNC | G_TMP_PERSIST_ALLOW_COPY,
    RETRY_NEW },
  { "document-mode", TEST_CLASS_TMP_FILE, EPERM, G_TMP_PERSIST_DOCUMENT_MODE, RETRY_NEW },
  { "fail-again", TEST_CLASS_TMP_FILE, EPERM, G_TMP_PERSIST_NONE, RETRY_FAIL_AGAIN },
  { "async", TEST_CLASS_TMP_FILE, EPERM, G_TMP_PERSIST_NONE, RETRY_ASYNC },
  { "other-fs", TEST_CLASS_TMP_FILE, EPERM, G_TMP_PERSIST_NONE, RETRY_OTHER_FS },
  { "spooled", TEST_CLASS_SPOOLED, EPERM, G_TMP_PERSIST_NONE, RETRY_SAME },
};

static gboolean
persist_and_wait (GTmpFile          *tmp,
                  const gchar       *dest,
                  GTmpPersistFlags   flags,
                  gboolean           async,
                  GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return g_tmp_file_persist (tmp, dest, flags, NULL, error);

  g_tmp_file_persist_async (tmp, dest, flags, G_PRIORITY_DEFAULT, NULL, test_store_result,
                            &result);
  return g_tmp_file_persist_finish (tmp, test_wait_result (&result), error);
}

static guint
fd_mode (GTmpFile *tmp)
{
  struct stat st;

  g_assert_no_errno (fstat (test_get_fd (tmp), &st));
  return st.st_mode & 07777;
}

/* The object's descriptor is the file at @path. */
static void
assert_fd_is (GTmpFile    *tmp,
              const gchar *path)
{
  struct stat fd_st, path_st;

  g_assert_no_errno (fstat (test_get_fd (tmp), &fd_st));
  g_assert_no_errno (lstat (path, &path_st));
  g_assert_cmpuint (fd_st.st_dev, ==, path_st.st_dev);
  g_assert_cmpuint (fd_st.st_ino, ==, path_st.st_ino);
}

/* A persist whose rename over @dest fails: it reports the error, naming
 * @dest, and changes nothing. */
static void
persist_failing_rename (GTmpFile         *tmp,
                        const gchar      *dir,
                        const gchar      *dest,
                        const RetryCase  *rc,
                        guint             mode)
{
  g_autoptr(GError) error = NULL;

  rename_errno = rc->errsv;
  _g_tmp_core_set_link_hook (fail_next_rename, NULL);
  g_assert_false (g_tmp_file_persist (tmp, dest, rc->flags, NULL, &error));
  _g_tmp_core_set_link_hook (NULL, NULL);
  g_assert_cmpint (g_atomic_int_get (&renames_to_fail), ==, 0);

  test_assert_error_names (error, g_io_error_from_errno (rc->errsv), dest);
  test_assert_file_contents (dest, OLD_TEXT);
  g_assert_cmpuint (test_mode_of (dest), ==, 0604);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_assert_cmpuint (fd_mode (tmp), ==, mode);
}

/* Persisting an anonymous file over an existing one, the rename after the
 * link fails; the kernel never links that file again (its first link
 * cleared I_LINKABLE), yet the next persist works, with the content and
 * position of the file and the mode it is to have, and the object is the
 * saved file after it. */
static void
test_rename_fails (gconstpointer data)
{
  const RetryCase *rc = data;
  gchar *dir = test_scratch_new ();
  gchar *far = NULL;
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autofree gchar *retry_dest = NULL;
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp;
  guint mode = rc->klass == TEST_CLASS_SPOOLED ? 0600 : 0640;
  guint expected_mode;
  gboolean copied_across;
  gboolean saved;

  if (rc->retry == RETRY_OTHER_FS && !test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
    {
      test_scratch_free (dir);
      return;
    }

  if (rc->klass == TEST_CLASS_SPOOLED)
    {
      tmp = test_new_file (TEST_CLASS_SPOOLED, dir, NULL, 4);
      test_write (tmp, NEW_TEXT, -1);
      g_assert_true (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));
    }
  else
    {
      tmp = g_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, mode, &error);
      g_assert_no_error (error);
      test_write (tmp, NEW_TEXT, -1);
    }
  test_write_file_mode (dest, OLD_TEXT, 0604);

  persist_failing_rename (tmp, dir, dest, rc, mode);
  if (rc->retry == RETRY_FAIL_AGAIN)
    persist_failing_rename (tmp, dir, dest, rc, mode);

  /* Still the temporary file: writable, at its position. */
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, strlen (NEW_TEXT));
  test_write (tmp, "+", -1);

  switch (rc->retry)
    {
    case RETRY_NEW:
      retry_dest = g_build_filename (dir, "new-name.txt", NULL);
      break;
    case RETRY_OTHER_FS:
      far = test_scratch_new_in ("/dev/shm");
      retry_dest = g_build_filename (far, "new-name.txt", NULL);
      /* Without ALLOW_COPY, another file system is refused as always. */
      g_assert_false (g_tmp_file_persist (tmp, retry_dest, rc->flags, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_clear_error (&error);
      g_assert_cmpuint (test_count_entries (far), ==, 0);
      break;
    case RETRY_SAME:
    case RETRY_FAIL_AGAIN:
    case RETRY_ASYNC:
    default:
      retry_dest = g_strdup (dest);
      break;
    }

  /* A new name takes the object's mode (or the document mode); replacing,
   * the replaced file's. */
  copied_across = rc->retry == RETRY_OTHER_FS;
  if (rc->retry == RETRY_NEW || copied_across)
    expected_mode = rc->flags & G_TMP_PERSIST_DOCUMENT_MODE ? 0644 : mode;
  else
    expected_mode = 0604;

  saved = persist_and_wait (tmp, retry_dest,
                            rc->flags | (copied_across ? G_TMP_PERSIST_ALLOW_COPY : 0),
                            rc->retry == RETRY_ASYNC, &error);
  g_assert_no_error (error);
  g_assert_true (saved);

  test_assert_file_contents (retry_dest, NEW_TEXT "+");
  g_assert_cmpuint (test_mode_of (retry_dest), ==, expected_mode);
  assert_fd_is (tmp, retry_dest);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, strlen (NEW_TEXT "+"));
  test_write (tmp, "!", -1);
  test_assert_file_contents (retry_dest, NEW_TEXT "+!");

  /* Nothing else beside it. */
  if (rc->retry == RETRY_NEW)
    {
      g_assert_cmpuint (test_count_entries (dir), ==, 2);
      test_assert_file_contents (dest, OLD_TEXT);
    }
  else
    g_assert_cmpuint (test_count_entries (dir), ==, copied_across ? 1 : 1);
  if (far != NULL)
    g_assert_cmpuint (test_count_entries (far), ==, 1);

  g_object_unref (tmp);
  test_assert_file_contents (retry_dest, NEW_TEXT "+!");
  if (far != NULL)
    test_scratch_free (far);
  test_scratch_free (dir);
}

/* Link hook: a start-up sweep of another instance (any age) runs while
 * the save has its hidden name and removes it. */
static void
sweep_during_save (gint         dfd,
                   const gchar *name,
                   gpointer     user_data)
{
  const gchar *dir = user_data;
  g_autofree gchar *base = g_path_get_basename (name);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (base, ".document.txt."));
  g_assert_cmpint (g_tempfile_sweep (dir, ".document.txt.", NULL, 0, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
}

/* A sweep that removes the hidden name of a save still under way makes
 * that save fail, naming the destination, and changes nothing else: the
 * document is the old one, nothing is left beside it, and the temporary
 * file keeps its bytes and position and can be saved again. */
static void
test_swept_during_save (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  gboolean saved;

  tmp = g_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, 0640, &error);
  g_assert_no_error (error);
  test_write (tmp, NEW_TEXT, -1);
  test_write_file_mode (dest, OLD_TEXT, 0604);

  _g_tmp_core_set_link_hook (sweep_during_save, dir);
  saved = g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error);
  _g_tmp_core_set_link_hook (NULL, NULL);

  g_assert_false (saved);
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, dest);
  g_clear_error (&error);
  test_assert_file_contents (dest, OLD_TEXT);
  g_assert_cmpuint (test_mode_of (dest), ==, 0604);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, strlen (NEW_TEXT));

  test_persist (tmp, dest, G_TMP_PERSIST_NONE);
  test_assert_file_contents (dest, NEW_TEXT);
  assert_fd_is (tmp, dest);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* NO_REPLACE after such a failure still refuses an existing name, before
 * anything is copied, and then saves under a new one. */
static void
test_rename_fails_no_replace (void)
{
  static const RetryCase rc = { "no-replace", TEST_CLASS_TMP_FILE, EPERM, G_TMP_PERSIST_NONE,
                                RETRY_SAME };
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autofree gchar *other = g_build_filename (dir, "other.txt", NULL);
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp;

  tmp = g_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, 0640, &error);
  g_assert_no_error (error);
  test_write (tmp, NEW_TEXT, -1);
  test_write_file_mode (dest, OLD_TEXT, 0604);
  persist_failing_rename (tmp, dir, dest, &rc, 0640);

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_EXISTS, dest);
  g_clear_error (&error);
  test_assert_file_contents (dest, OLD_TEXT);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  test_persist (tmp, other, G_TMP_PERSIST_NO_REPLACE);
  test_assert_file_contents (other, NEW_TEXT);
  g_assert_cmpuint (test_mode_of (other), ==, 0640);
  assert_fd_is (tmp, other);
  g_assert_cmpuint (test_count_entries (dir), ==, 2);

  g_object_unref (tmp);
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
  for (guint i = 0; i < G_N_ELEMENTS (retry_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/persist-replace/rename-fails/%s",
                                                retry_cases[i].name);

      g_test_add_data_func (path, &retry_cases[i], test_rename_fails);
    }
  g_test_add_func ("/persist-replace/rename-fails/no-replace", test_rename_fails_no_replace);
  g_test_add_func ("/persist-replace/swept-during-save", test_swept_during_save);

  return test_run ();
}
