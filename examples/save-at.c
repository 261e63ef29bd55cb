/* save-at.c — atomic saves relative to a directory descriptor, as libglnx
 * and ostree work
 *
 *   save-at [DIR]   opens DIR (default: a new temporary directory) once,
 *                   then saves "config.ini" into it twice and keeps a
 *                   journal file there, all by descriptor
 *
 * A program that works below one directory opens it once and does
 * everything relative to that descriptor: nothing it does afterwards can be
 * redirected by someone renaming or replacing a directory on the path, and
 * no path is resolved again. The `_at` calls take the descriptor (or
 * AT_FDCWD), keep a duplicate of their own, and give the same guarantees as
 * the path-based ones: random names, O_CREAT|O_EXCL|O_NOFOLLOW, errors that
 * name the path.
 *
 * Build: cc save-at.c $(pkg-config --cflags --libs gtempfile-1)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtempfile.h>

/* Replaces (or creates) @name in the directory @dfd with @text. */
static gboolean
save_at (gint          dfd,
         const gchar  *name,
         const gchar  *text,
         GError      **error)
{
  /* In the directory of @dfd itself (dir NULL): the file can be linked
   * into place there. Mode 0: 0600 until persisted. */
  g_autoptr(GTmpFile) tmp = g_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, error);

  if (tmp == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
                                  text, strlen (text), NULL, NULL, error))
    return FALSE;

  /* A replaced file keeps its mode, owner and group; a new one gets a
   * document's 0666 & ~umask. */
  return g_tmp_file_persist_at (tmp, dfd, name,
                                G_TMP_PERSIST_SYNC | G_TMP_PERSIST_DOCUMENT_MODE,
                                NULL, error);
}

static void
check (gboolean     ok,
       GError      *error,
       const gchar *what)
{
  if (!ok)
    {
      g_printerr ("%s: %s\n", what, error != NULL ? error->message : "failed");
      exit (1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) scratch = NULL;
  g_autoptr(GNamedTmpFile) journal = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *relative = NULL;
  const gchar *dir;
  struct stat st;
  gint dfd;
  gint fd;

  if (argc > 1)
    dir = argv[1];
  else
    {
      scratch = g_tmp_dir_new (NULL, "save-at-", NULL, &error);
      check (scratch != NULL, error, "scratch directory");
      dir = g_tmp_dir_get_path (scratch);
    }

  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  check (dfd >= 0, NULL, dir);

  check (save_at (dfd, "config.ini", "[main]\nlevel=1\n", &error), error, "first save");
  /* The user makes it private; the next save keeps that. */
  check (fchmodat (dfd, "config.ini", 0600, 0) == 0, NULL, "chmod");
  check (save_at (dfd, "config.ini", "[main]\nlevel=2\n", &error), error, "second save");
  check (fstatat (dfd, "config.ini", &st, 0) == 0, NULL, "stat");
  check ((st.st_mode & 07777) == 0600, NULL, "the replaced file's mode is kept");

  /* mkstemp_at() hands out the name relative to the descriptor. */
  fd = g_tempfile_mkstemp_at (dfd, NULL, "lock-", NULL, 0, &relative, &error);
  check (fd >= 0, error, "mkstemp_at");
  check (strchr (relative, '/') == NULL, NULL, "a name relative to the descriptor");
  close (fd);
  check (unlinkat (dfd, relative, 0) == 0, NULL, "unlinkat");

  /* A named file made by descriptor is removed relative to the directory
   * it was made in, wherever that directory is by then. Its path is
   * absolute all the same. */
  journal = g_named_tmp_file_new_at (dfd, NULL, "journal-", ".log", 0, &error);
  check (journal != NULL, error, "journal");
  check (g_path_is_absolute (g_named_tmp_file_get_path (journal)), NULL, "absolute path");

  /* The descriptor is ours to close: the objects hold their own. */
  close (dfd);
  check (g_named_tmp_file_cleanup (journal, NULL, &error), error, "journal cleanup");

  {
    g_autofree gchar *path = g_build_filename (dir, "config.ini", NULL);

    check (g_file_get_contents (path, &contents, NULL, &error), error, "read back");
  }
  check (g_str_equal (contents, "[main]\nlevel=2\n"), NULL, "the second save is on disk");
  g_print ("saved %s/config.ini by descriptor (mode %04o)\n", dir, st.st_mode & 07777);

  return 0;
}
