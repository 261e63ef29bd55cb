/* atomic-saves.c — the outcomes described in the "Atomic saves" guide
 * (doc/atomic-saves.md), shown and checked in a temporary directory:
 *
 *   1. the mode (and owner) a saved document ends up with;
 *   2. what a crash leaves at each step of a save: the process kills
 *      itself with SIGKILL after creating, writing, syncing and persisting;
 *   3. a save from another file system, with and without ALLOW_COPY.
 *
 * Usage: atomic-saves    prints each outcome, exits 1 on a surprise
 *
 * Build: cc atomic-saves.c $(pkg-config --cflags --libs gtempfile-1)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtempfile.h>

static gboolean ok = TRUE;

static void
check (gboolean     good,
       const gchar *format,
       ...) G_GNUC_PRINTF (2, 3);

static void
check (gboolean     good,
       const gchar *format,
       ...)
{
  g_autofree gchar *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  g_print ("%s %s\n", good ? "ok  " : "FAIL", line);
  ok &= good;
}

/* The atomic save of the guide: write beside the document, then persist. */
static gboolean
save (const gchar       *path,
      const gchar       *text,
      GTmpPersistFlags   flags,
      GError           **error)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autoptr(GTmpFile) tmp = g_tmp_file_new (dir, NULL, NULL, error);

  if (tmp == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
                                  text, strlen (text), NULL, NULL, error))
    return FALSE;

  return g_tmp_file_persist (tmp, path, flags, NULL, error);
}

static guint
mode_of (const gchar *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_mode & 07777 : 0;
}

static gchar *
contents_of (const gchar *path)
{
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("(none)");
  return contents;
}

/* The names in @dir, sorted, separated by spaces. */
static gchar *
listing (const gchar *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (gchar **) names->pdata);
}

static void
show_modes (const gchar *dir)
{
  g_autofree gchar *doc = g_build_filename (dir, "modes.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autofree gchar *contents = NULL;
  GStatBuf st;

  g_print ("\n1. Modes (umask 022)\n");

  save (doc, "a\n", G_TMP_PERSIST_NONE, &error);
  g_assert_no_error (error);
  check (mode_of (doc) == 0600, "new name, no flag: %04o (the temporary file's 0600)", mode_of (doc));
  g_unlink (doc);

  save (doc, "a\n", G_TMP_PERSIST_DOCUMENT_MODE, &error);
  g_assert_no_error (error);
  check (mode_of (doc) == 0644, "new name, DOCUMENT_MODE: %04o (0666 less the umask)", mode_of (doc));
  g_unlink (doc);

  /* A mode chosen at creation is kept by a new name. */
  tmp = g_tmp_file_new_full (dir, NULL, NULL, 0640, 0, &error);
  g_assert_no_error (error);
  g_tmp_file_persist (tmp, doc, G_TMP_PERSIST_NONE, NULL, &error);
  g_assert_no_error (error);
  check (mode_of (doc) == 0640, "new name, created with mode 0640: %04o", mode_of (doc));
  g_clear_object (&tmp);

  /* Replacing, the old file's mode wins, whatever the flags. */
  g_chmod (doc, 0604);
  save (doc, "b\n", G_TMP_PERSIST_DOCUMENT_MODE, &error);
  g_assert_no_error (error);
  contents = contents_of (doc);
  check (mode_of (doc) == 0604 && strcmp (contents, "b\n") == 0,
         "replacing a 0604 file, DOCUMENT_MODE: %04o", mode_of (doc));
  g_clear_pointer (&contents, g_free);

  /* ... and its owner and group, where the process may set them. */
  if (geteuid () == 0)
    {
      g_assert_true (chown (doc, 65534, 65534) == 0);
      save (doc, "c\n", G_TMP_PERSIST_NONE, &error);
      g_assert_no_error (error);
      g_assert_true (g_stat (doc, &st) == 0);
      check (st.st_uid == 65534 && st.st_gid == 65534,
             "replacing a file of uid 65534 (as root): owner %d:%d", (int) st.st_uid, (int) st.st_gid);
    }
  else
    g_print ("     (not root: the owner of a replaced file is only kept as root)\n");

  save (doc, "d\n", G_TMP_PERSIST_NO_REPLACE, &error);
  contents = contents_of (doc);
  check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) && strcmp (contents, "d\n") != 0,
         "NO_REPLACE over an existing file: %s, the file kept its contents",
         error != NULL ? "G_IO_ERROR_EXISTS" : "no error");
  g_clear_error (&error);
  g_unlink (doc);
}

/* The steps of a save; a child process dies by SIGKILL right after one. */
typedef enum {
  AFTER_CREATE,
  AFTER_WRITE,
  AFTER_SYNC,
  AFTER_PERSIST,
} Step;

static const gchar *step_names[] = { "create", "write", "fsync", "persist" };

static void
save_and_die (const gchar *doc,
              gboolean     named,
              Step         step)
{
  g_autofree gchar *dir = g_path_get_dirname (doc);
  GTmpFile *tmp;
  gint fd;

  if (named)
    tmp = G_TMP_FILE (g_named_tmp_file_new (dir, ".save-", NULL, NULL));
  else
    tmp = g_tmp_file_new (dir, NULL, NULL, NULL);
  if (tmp == NULL)
    _exit (2);
  if (step == AFTER_CREATE)
    kill (getpid (), SIGKILL);

  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
                                  "new\n", 4, NULL, NULL, NULL))
    _exit (2);
  if (step == AFTER_WRITE)
    kill (getpid (), SIGKILL);

  fd = g_tmp_file_get_fd (tmp, NULL);
  if (fd < 0 || fsync (fd) != 0)
    _exit (2);
  if (step == AFTER_SYNC)
    kill (getpid (), SIGKILL);

  if (!g_tmp_file_persist (tmp, doc, G_TMP_PERSIST_SYNC, NULL, NULL))
    _exit (2);
  kill (getpid (), SIGKILL);
}

static void
show_crashes (const gchar *dir)
{
  g_autofree gchar *doc = g_build_filename (dir, "crash.txt", NULL);
  g_autoptr(GError) error = NULL;
  gint named;
  Step step;

  g_print ("\n2. A crash (SIGKILL) after each step\n");

  for (named = 0; named <= 1; named++)
    for (step = AFTER_CREATE; step <= AFTER_PERSIST; step++)
      {
        g_autofree gchar *contents = NULL;
        g_autofree gchar *names = NULL;
        gboolean saved = (step == AFTER_PERSIST);
        gboolean stray;
        gint status;
        pid_t pid;

        g_assert_true (g_file_set_contents (doc, "old\n", -1, NULL));

        pid = fork ();
        g_assert_true (pid >= 0);
        if (pid == 0)
          save_and_die (doc, named, step);
        g_assert_true (waitpid (pid, &status, 0) == pid);
        g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

        contents = contents_of (doc);
        names = listing (dir);
        /* Only a named temporary file, killed before it was persisted,
         * leaves a file of its own. */
        stray = strcmp (names, "crash.txt") != 0;
        check (strcmp (contents, saved ? "new\n" : "old\n") == 0 &&
               stray == (named && !saved),
               "%s file, killed after %-7s: the document holds %s, the directory: %s",
               named ? "named    " : "anonymous", step_names[step],
               saved ? "the new text" : "the old text", names);

        if (stray)
          {
            /* What the guide says to do at start-up: sweep the leftovers
             * of this program's prefix (min_age 0: all of them here). */
            gint n = g_tempfile_sweep (dir, ".save-", NULL, 0, 0, NULL, &error);

            g_assert_no_error (error);
            g_free (names);
            names = listing (dir);
            check (n == 1 && strcmp (names, "crash.txt") == 0,
                   "g_tempfile_sweep() removed %d leftover, the directory: %s", n, names);
          }
      }

  g_unlink (doc);
}

static void
show_other_file_system (const gchar *dir)
{
  g_autofree gchar *doc = g_build_filename (dir, "copied.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autofree gchar *contents = NULL;
  GStatBuf here, there;

  g_print ("\n3. A temporary file on another file system\n");

  if (g_stat ("/dev/shm", &there) != 0 || g_stat (dir, &here) != 0 ||
      here.st_dev == there.st_dev)
    {
      g_print ("     (no /dev/shm on another file system than %s here)\n", dir);
      return;
    }

  tmp = g_tmp_file_new ("/dev/shm", NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
                             "copied\n", 7, NULL, NULL, &error);
  g_assert_no_error (error);

  g_tmp_file_persist (tmp, doc, G_TMP_PERSIST_SYNC, NULL, &error);
  check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) &&
         !g_file_test (doc, G_FILE_TEST_EXISTS),
         "from /dev/shm without ALLOW_COPY: G_IO_ERROR_NOT_SUPPORTED, nothing saved");
  g_clear_error (&error);

  g_tmp_file_persist (tmp, doc, G_TMP_PERSIST_SYNC | G_TMP_PERSIST_ALLOW_COPY |
                      G_TMP_PERSIST_DOCUMENT_MODE, NULL, &error);
  g_assert_no_error (error);
  contents = contents_of (doc);
  check (strcmp (contents, "copied\n") == 0 && mode_of (doc) == 0644,
         "from /dev/shm with ALLOW_COPY | DOCUMENT_MODE: saved, mode %04o", mode_of (doc));
  g_unlink (doc);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) dir = NULL;

  umask (022);

  dir = g_tmp_dir_new (NULL, "atomic-saves-", NULL, &error);
  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  show_modes (g_tmp_dir_get_path (dir));
  show_crashes (g_tmp_dir_get_path (dir));
  show_other_file_system (g_tmp_dir_get_path (dir));

  if (!g_tmp_dir_cleanup (dir, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  return ok ? 0 : 1;
}
