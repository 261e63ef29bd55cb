/* gtmp-tempdir.c — the default temporary directory
 *
 * Searched for once (CPython's order and probe) and cached, behind
 * g_tempfile_get_tempdir()/set_tempdir() and every creation given no
 * directory.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "gtmp-core.h"
#include "gtmp-tempdir.h"

/* Held across fork() (_g_tmp_core_hold_across_fork()), as the refusal
 * memory's lock is: a child forked while another thread searched or set the
 * default directory must not inherit the lock taken, or its first creation
 * in the default directory would wait forever. */
static GMutex tempdir_lock;
static gchar *tempdir_cached;

__attribute__((constructor)) static void
tempdir_init (void)
{
  _g_tmp_core_hold_across_fork (G_TMP_CORE_FORK_LOCK_TEMPDIR, &tempdir_lock);
}

gchar *
_g_tmp_core_resolve_dir (const gchar  *dir,
                         GError      **error)
{
  if (dir == NULL)
    return _g_tmp_core_get_tempdir (error);

  if (g_path_is_absolute (dir))
    return g_strdup (dir);

  return g_canonicalize_filename (dir, NULL);
}

static gchar *
search_tempdir (GError **error)
{
  static const gchar * const env_names[] = { "TMPDIR", "TEMP", "TMP" };
  static const gchar * const system_dirs[] = { "/tmp", "/var/tmp", "/usr/tmp" };
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *tried = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (env_names); i++)
    {
      const gchar *value = g_getenv (env_names[i]);

      if (value != NULL && *value != '\0')
        g_ptr_array_add (candidates, g_canonicalize_filename (value, NULL));
    }
  for (i = 0; i < G_N_ELEMENTS (system_dirs); i++)
    g_ptr_array_add (candidates, g_strdup (system_dirs[i]));
  g_ptr_array_add (candidates, g_get_current_dir ());

  for (i = 0; i < candidates->len; i++)
    {
      gboolean usable;

      if (!_g_tmp_core_probe_dir (g_ptr_array_index (candidates, i), &usable, error))
        return NULL;
      if (usable)
        return g_strdup (g_ptr_array_index (candidates, i));
    }

  for (i = 0; i < candidates->len; i++)
    {
      gchar *display = g_filename_display_name (g_ptr_array_index (candidates, i));

      g_free (g_ptr_array_index (candidates, i));
      g_ptr_array_index (candidates, i) = display;
    }
  g_ptr_array_add (candidates, NULL);
  tried = g_strjoinv (", ", (gchar **) candidates->pdata);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No usable temporary directory found in %s"), tried);
  return NULL;
}

/* The cached default directory, searched for on first use; the public
 * g_tempfile_get_tempdir() in gtempfile.c. */
gchar *
_g_tmp_core_get_tempdir (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&tempdir_lock);

  if (tempdir_cached == NULL)
    tempdir_cached = search_tempdir (error);

  return g_strdup (tempdir_cached);
}

void
_g_tmp_core_set_tempdir (const gchar *dir)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&tempdir_lock);

  g_clear_pointer (&tempdir_cached, g_free);
  if (dir != NULL)
    tempdir_cached = g_canonicalize_filename (dir, NULL);
}
