/* gtmp-dirfd.c — directories by descriptor: opening them without
 * following a symbolic link, telling which one a path is, and the path of
 * a descriptor (part of the core, gtmp-core.h)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtmp-core.h"

gint
_g_tmp_core_open_dir (const gchar *path)
{
  return _g_tmp_core_open_dir_at (AT_FDCWD, path);
}

gint
_g_tmp_core_open_dir_at (gint         dfd,
                         const gchar *path)
{
  return openat (dfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

gboolean
_g_tmp_core_get_dir_id (gint            dfd,
                        const gchar    *path,
                        GTmpCoreFileId *id)
{
  struct stat st;

  if (fstatat (dfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
    return FALSE;

  id->dev = st.st_dev;
  id->ino = st.st_ino;
  return TRUE;
}

gchar *
_g_tmp_core_fd_path (gint         dfd,
                     const gchar *rel)
{
  gchar proc_path[64];
  g_autofree gchar *dir = NULL;

  if (rel != NULL && g_path_is_absolute (rel))
    return g_strdup (rel);
  /* Joined, not canonicalized: "link/.." must stay what the kernel makes
   * of it. */
  if (dfd == AT_FDCWD)
    {
      g_autofree gchar *cwd = g_get_current_dir ();

      return rel != NULL ? g_build_filename (cwd, rel, NULL) : g_steal_pointer (&cwd);
    }

  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", dfd);
  dir = g_file_read_link (proc_path, NULL);
  if (dir == NULL || !g_path_is_absolute (dir))
    {
      errno = ENOTSUP;
      return NULL;
    }

  return rel != NULL ? g_build_filename (dir, rel, NULL) : g_steal_pointer (&dir);
}
