/* consumer.c — uses libgtempfile through dependency('gtempfile-1')
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <gtempfile.h>

#if !GTEMPFILE_CHECK_VERSION (1, 0, 0)
# error "gtempfile-1 >= 1.0.0 expected"
#endif

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  path = g_tempfile_mkdtemp (NULL, "consumer_", NULL, &error);
  if (path == NULL)
    {
      g_printerr ("consumer: %s\n", error->message);
      return 1;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_rmdir (path) != 0)
    {
      g_printerr ("consumer: %s was not created as a directory\n", path);
      return 1;
    }

  g_print ("consumer: libgtempfile %s works as a subproject (%s)\n",
           GTEMPFILE_VERSION_S, path);
  return 0;
}
