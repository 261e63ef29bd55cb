/* atomic-save.c — save a file atomically, the way a GNOME app should
 *
 *   atomic-save FILE [TEXT]   replaces FILE with TEXT (or standard input)
 *   atomic-save               shows it on a file in a temporary directory
 *
 * The new contents are written to an anonymous temporary file in FILE's
 * directory, flushed to disk, then linked into place over FILE in one step
 * (g_tmp_file_persist). Another program reading FILE at any moment sees the
 * old contents or the new ones, never a mix or an empty file; if the program
 * crashes half-way, FILE is untouched and no "FILE.tmp" is left lying around,
 * because the temporary file never had a name. The new FILE keeps the old
 * one's mode, owner and group, as g_file_replace() does; a new FILE gets a
 * document's mode (0666 less the umask, usually 0644) rather than the 0600
 * of a temporary file.
 *
 * Build: cc atomic-save.c $(pkg-config --cflags --libs gtempfile-1 gio-unix-2.0)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <gtempfile.h>
#include <sys/stat.h>

/* Replaces @path with everything @source produces. */
static gboolean
save_atomically (const gchar   *path,
                 GInputStream  *source,
                 GError       **error)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autoptr(GTmpFile) tmp = NULL;
  GOutputStream *out;

  /* In the destination's directory, so that it can be linked into place
   * (a link cannot cross file systems). */
  tmp = g_tmp_file_new (dir, NULL, NULL, error);
  if (tmp == NULL)
    return FALSE;

  out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
  if (g_output_stream_splice (out, source, G_OUTPUT_STREAM_SPLICE_NONE, NULL, error) < 0)
    return FALSE;   /* the unref throws the half-written file away */

  /* SYNC: the data before the name, and the name before we return, so the
   * new file also survives a power cut. DOCUMENT_MODE: a new @path gets
   * 0666 & ~umask, not 0600 (a replaced one keeps its own mode anyway).
   * ALLOW_COPY: should @dir be a directory where unnamed files cannot be
   * linked, copy beside @path. */
  return g_tmp_file_persist (tmp, path,
                             G_TMP_PERSIST_SYNC | G_TMP_PERSIST_DOCUMENT_MODE |
                             G_TMP_PERSIST_ALLOW_COPY,
                             NULL, error);
}

static gboolean
save_text (const gchar  *path,
           const gchar  *text,
           GError      **error)
{
  g_autoptr(GInputStream) source = g_memory_input_stream_new_from_data (text, -1, NULL);

  return save_atomically (path, source, error);
}

/* FALSE with @error set unless @path has the permission bits @expected. */
static gboolean
check_mode (const gchar  *path,
            guint         expected,
            GError      **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0 || (st.st_mode & 07777) != expected)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: mode %o, expected %o",
                   path, (guint) (st.st_mode & 07777), expected);
      return FALSE;
    }

  g_print ("%s has mode %o\n", path, expected);
  return TRUE;
}

/* Without arguments: save twice over a file in a temporary directory and
 * check what is on disk. */
static gboolean
demo (GError **error)
{
  g_autoptr(GTmpDir) dir = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  const gchar *name;

  dir = g_tmp_dir_new (NULL, "atomic-save-", NULL, error);
  if (dir == NULL)
    return FALSE;

  path = g_build_filename (g_tmp_dir_get_path (dir), "settings.ini", NULL);

  /* A new document: 0666 less the umask (set here to the usual 022). */
  umask (022);
  if (!save_text (path, "[window]\nwidth=640\n", error) ||
      !check_mode (path, 0644, error))
    return FALSE;

  /* The user makes it private; saving again keeps that. */
  if (g_chmod (path, 0600) != 0 ||
      !save_text (path, "[window]\nwidth=800\n", error) ||
      !check_mode (path, 0600, error))
    return FALSE;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  g_print ("%s now holds:\n%s", path, contents);

  /* Exactly one file: the document, and no temporary left beside it. */
  listing = g_dir_open (g_tmp_dir_get_path (dir), 0, error);
  if (listing == NULL)
    return FALSE;
  while ((name = g_dir_read_name (listing)) != NULL)
    g_print ("directory entry: %s\n", name);

  if (g_strcmp0 (contents, "[window]\nwidth=800\n") != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "unexpected contents");
      return FALSE;
    }

  return g_tmp_dir_cleanup (dir, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (argc == 1)
    ok = demo (&error);
  else if (argc == 3)
    ok = save_text (argv[1], argv[2], &error);
  else if (argc == 2)
    {
      g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (0, FALSE);

      ok = save_atomically (argv[1], stdin_stream, &error);
    }
  else
    {
      g_printerr ("Usage: %s [FILE [TEXT]]\n", argv[0]);
      return 2;
    }

  if (!ok)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  return 0;
}
