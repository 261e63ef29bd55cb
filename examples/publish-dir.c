/* publish-dir.c — build a directory aside, then publish it in one step
 *
 *   publish-dir [SITE]   builds SITE (default: a "site" directory in a
 *                        temporary directory) twice, swapping the new
 *                        build in for the old one the second time
 *
 * The tree is built in a GTmpDir beside SITE, where no reader looks. The
 * first build is renamed into place (g_tmp_dir_persist); later ones are
 * swapped with the live tree (G_TMP_PERSIST_EXCHANGE): readers see the old
 * tree or the new one, never a half-built one, and the old tree, now in
 * the GTmpDir, is removed with it. A crash at any point leaves SITE whole;
 * what it leaves beside it is a ".site-build-" directory that
 * g_tempfile_sweep() can remove at the next start.
 *
 * Build: cc publish-dir.c $(pkg-config --cflags --libs gtempfile-1)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <gtempfile.h>

/* Writes the site's files into @tmp. */
static gboolean
build_into (GTmpDir  *tmp,
            guint     version,
            GError  **error)
{
  g_autofree gchar *index = g_build_filename (g_tmp_dir_get_path (tmp), "index.html", NULL);
  g_autofree gchar *text = g_strdup_printf ("<h1>Version %u</h1>\n", version);

  return g_file_set_contents (index, text, -1, error);
}

/* Builds version @version and publishes it at @site. */
static gboolean
publish (const gchar  *site,
         guint         version,
         GError      **error)
{
  g_autofree gchar *parent = g_path_get_dirname (site);
  g_autoptr(GTmpDir) tmp = NULL;
  GTmpPersistFlags flags = G_TMP_PERSIST_SYNC;

  /* Beside @site: a directory is renamed, never copied, so it must be on
   * the same file system. 0755, not the default 0700: the published tree
   * keeps the mode it was created with, and a web server must read it. */
  tmp = g_tmp_dir_new_full (parent, ".site-build-", NULL, 0755, 0, error);
  if (tmp == NULL || !build_into (tmp, version, error))
    return FALSE;

  /* A live tree is swapped out atomically; none yet, renamed into place. */
  if (g_file_test (site, G_FILE_TEST_IS_DIR))
    flags |= G_TMP_PERSIST_EXCHANGE;
  else
    flags |= G_TMP_PERSIST_NO_REPLACE;

  return g_tmp_dir_persist (tmp, site, flags, NULL, error);
  /* The unref removes the old tree (exchange) or nothing (published). */
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *demo_dir = NULL;
  g_autofree gchar *site = NULL;
  g_autofree gchar *index = NULL;
  g_autofree gchar *text = NULL;

  if (argc > 1)
    site = g_strdup (argv[1]);
  else
    {
      demo_dir = g_dir_make_tmp ("publish-dir-XXXXXX", &error);
      if (demo_dir == NULL)
        g_error ("%s", error->message);
      site = g_build_filename (demo_dir, "site", NULL);
    }

  for (guint version = 1; version <= 2; version++)
    if (!publish (site, version, &error))
      g_error ("Could not publish %s: %s", site, error->message);

  index = g_build_filename (site, "index.html", NULL);
  if (!g_file_get_contents (index, &text, NULL, &error))
    g_error ("%s", error->message);
  g_print ("%s: %s", site, text);
  if (!g_str_has_suffix (text, "Version 2</h1>\n"))
    g_error ("the second version was not published");

  if (demo_dir != NULL)
    {
      /* The old tree went with its GTmpDir: only the site is left. */
      if (g_unlink (index) != 0 || g_rmdir (site) != 0 || g_rmdir (demo_dir) != 0)
        g_error ("something was left in %s", demo_dir);
    }
  return 0;
}
