/* sweep-at-start.c — remove what earlier, killed runs left behind
 *
 *   sweep-at-start [DIR]   sweeps DIR (default: the temporary directory)
 *                          for "sweep-demo-" leftovers older than a day,
 *                          then works with a named temporary file there
 *
 * Anonymous files (GTmpFile) and spooled files leave nothing when a program
 * is killed. Named files and directories (GNamedTmpFile, GTmpDir, mkstemp,
 * mkdtemp) leave their entries. A program that needs names gives them a
 * prefix of its own and, at start-up, sweeps the entries of that shape that
 * are its user's and older than any run could still be using: other users'
 * entries, symbolic links and fresh entries of a running instance stay.
 *
 * Build: cc sweep-at-start.c $(pkg-config --cflags --libs gtempfile-1)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <unistd.h>

#include <glib/gstdio.h>
#include <gtempfile.h>

#define PREFIX  "sweep-demo-"
#define MAX_AGE (24 * G_TIME_SPAN_HOUR)

/* In the program's own setup, before it makes temporary files. */
static void
sweep_leftovers (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  gint n = g_tempfile_sweep (dir, PREFIX, NULL, 0, MAX_AGE, NULL, &error);

  /* Housekeeping: a failure is worth a message, not giving up. */
  if (n < 0)
    g_message ("Could not remove old temporary files: %s", error->message);
  else if (n > 0)
    g_message ("Removed %d old temporary file(s)", n);
}

/* What a killed run leaves: a named file that is a day and a bit old. */
static gchar *
fake_leftover (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  gchar *path = NULL;
  gint fd = g_tempfile_mkstemp (dir, PREFIX, NULL, &path, &error);

  if (fd < 0)
    g_error ("%s", error->message);
  close (fd);

  file = g_file_new_for_path (path);
  if (!g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                    g_get_real_time () / G_USEC_PER_SEC - 25 * 3600,
                                    G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error))
    g_error ("%s", error->message);
  return path;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *demo_dir = NULL;
  g_autofree gchar *leftover = NULL;
  g_autoptr(GNamedTmpFile) tmp = NULL;
  const gchar *dir = argc > 1 ? argv[1] : NULL;

  /* Without an argument, show it in a directory of its own. */
  if (dir == NULL)
    {
      demo_dir = g_dir_make_tmp ("sweep-at-start-XXXXXX", &error);
      if (demo_dir == NULL)
        g_error ("%s", error->message);
      dir = demo_dir;
      leftover = fake_leftover (dir);
    }

  sweep_leftovers (dir);
  if (leftover != NULL && g_file_test (leftover, G_FILE_TEST_EXISTS))
    g_error ("%s was not swept", leftover);

  /* The run's own named file: if the program is killed now, the next
   * run's sweep removes it a day later; otherwise it goes at the unref. */
  tmp = g_named_tmp_file_new (dir, PREFIX, NULL, &error);
  if (tmp == NULL)
    g_error ("%s", error->message);
  g_print ("working in %s\n", g_named_tmp_file_get_path (tmp));
  g_clear_object (&tmp);

  if (demo_dir != NULL && g_rmdir (demo_dir) != 0)
    g_error ("%s is not empty", demo_dir);
  return 0;
}
