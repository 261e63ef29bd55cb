/* demo.c — a tour of libgtempfile from C
 *
 * Creates a named temporary file, writes to it and reads it back; creates a
 * temporary directory with a file in it; creates a file with mkstemp. Then
 * shows that everything it made is gone again. Exits non-zero if anything
 * is left behind.
 *
 * Build: cc demo.c $(pkg-config --cflags --libs gtempfile-1)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtempfile.h>

static gboolean
report_gone (const gchar *path)
{
  gboolean gone = !g_file_test (path, G_FILE_TEST_EXISTS);

  g_print ("  %s: %s\n", path, gone ? "gone" : "STILL THERE");
  return gone;
}

/* A file with a name, deleted when its stream is closed. */
static gboolean
demo_named_file (gchar **out_path,
                 GError **error)
{
  static const gchar text[] = "Hello from a temporary file!\n";
  g_autoptr(GNamedTmpFile) file = NULL;
  GInputStream *in;
  GOutputStream *out;
  gchar buffer[64] = { 0 };
  gsize n_read;

  file = g_named_tmp_file_new (NULL, "demo_", ".txt", error);
  if (file == NULL)
    return FALSE;

  *out_path = g_strdup (g_named_tmp_file_get_path (file));
  g_print ("Named temporary file: %s\n", *out_path);

  out = g_io_stream_get_output_stream (G_IO_STREAM (file));
  in = g_io_stream_get_input_stream (G_IO_STREAM (file));

  if (!g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error) ||
      !g_seekable_seek (G_SEEKABLE (file), 0, G_SEEK_SET, NULL, error) ||
      !g_input_stream_read_all (in, buffer, sizeof buffer - 1, &n_read, NULL, error))
    return FALSE;

  g_print ("  wrote %zu bytes, read back: %s", strlen (text), buffer);
  g_print ("  on disk while open: %s\n",
           g_file_test (*out_path, G_FILE_TEST_IS_REGULAR) ? "yes" : "no");

  /* delete-on-close is the default: closing removes the file. */
  return g_io_stream_close (G_IO_STREAM (file), NULL, error);
}

/* A directory removed with everything in it. */
static gboolean
demo_directory (gchar **out_path,
                GError **error)
{
  g_autoptr(GTmpDir) dir = NULL;
  g_autofree gchar *inner = NULL;

  dir = g_tmp_dir_new (NULL, "demo_", NULL, error);
  if (dir == NULL)
    return FALSE;

  *out_path = g_strdup (g_tmp_dir_get_path (dir));
  g_print ("Temporary directory: %s\n", *out_path);

  inner = g_build_filename (*out_path, "notes.txt", NULL);
  if (!g_file_set_contents (inner, "some notes\n", -1, error))
    return FALSE;
  g_print ("  created %s\n", inner);

  return g_tmp_dir_cleanup (dir, NULL, error);
}

/* The low-level call: the caller owns the descriptor and the file. */
static gboolean
demo_mkstemp (gchar **out_path,
              GError **error)
{
  static const gchar text[] = "mkstemp data\n";
  gint fd;

  fd = g_tempfile_mkstemp (NULL, "demo_", ".dat", out_path, error);
  if (fd < 0)
    return FALSE;

  g_print ("mkstemp: fd %d, %s\n", fd, *out_path);
  if (write (fd, text, strlen (text)) != (gssize) strlen (text))
    {
      int errsv = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not write to %s: %s", *out_path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  g_print ("  wrote %zu bytes; removing it is up to us\n", strlen (text));

  if (g_unlink (*out_path) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not remove %s: %s", *out_path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tempdir = NULL;
  g_autofree gchar *file_path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autofree gchar *stemp_path = NULL;
  gboolean all_gone = TRUE;

  tempdir = g_tempfile_get_tempdir (&error);
  if (tempdir == NULL)
    goto fail;
  g_print ("Default temporary directory: %s (prefix \"%s\")\n\n",
           tempdir, g_tempfile_get_tempprefix ());

  if (!demo_named_file (&file_path, &error) ||
      !demo_directory (&dir_path, &error) ||
      !demo_mkstemp (&stemp_path, &error))
    goto fail;

  g_print ("\nAfterwards:\n");
  all_gone &= report_gone (file_path);
  all_gone &= report_gone (dir_path);
  all_gone &= report_gone (stemp_path);

  return all_gone ? 0 : 1;

fail:
  g_printerr ("demo: %s\n", error != NULL ? error->message : "failed");
  return 1;
}
