/* gtmp-file-fd.c — a GTmpFile around an anonymous file's descriptor that
 * the caller already has (g_tempfile_open_anonymous())
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "gtmp-file-private.h"

/* Whether linkat() can give the file of @fd (open with @flags) a name: an
 * O_TMPFILE file, which F_GETFL reports on Linux. One opened with O_EXCL
 * as well cannot, and F_GETFL does not tell: persist() then fails. */
static gboolean
is_linkable (gint flags)
{
#if defined(O_TMPFILE) && defined(O_DIRECTORY)
  return (flags & (O_TMPFILE & ~O_DIRECTORY)) != 0;
#else
  return FALSE;
#endif
}

/**
 * g_tmp_file_new_from_fd:
 * @fd: the descriptor of an anonymous file open for reading and writing,
 *   such as [func@GTempfile.open_anonymous] returns
 * @error: return location for a #GError
 *
 * Makes a [class@GTempfile.TmpFile] of an anonymous file the caller has a
 * descriptor for, so that code that created the file with
 * [func@GTempfile.open_anonymous] (as a plain descriptor is all it needed
 * at first) can still use the streams or give the file a name with
 * [method@GTempfile.TmpFile.persist].
 *
 * On success the object owns @fd: closing the stream (or dropping the last
 * reference) closes it, and the caller must not close it. On failure the
 * caller still owns it. To keep a descriptor of its own too, pass a
 * duplicate (`dup()`, `F_DUPFD_CLOEXEC`): both then share the file and its
 * position, and the file is freed when both are closed.
 *
 * @fd must be a regular file that has no name (`O_TMPFILE`, or unlinked)
 * opened for reading and writing; anything else is
 * %G_IO_ERROR_INVALID_ARGUMENT and nothing changes. A file made with
 * `O_TMPFILE` is linked into place by persist(), as a file the class made;
 * one that was unlinked (or opened `O_TMPFILE|O_EXCL`) can only be copied
 * there (%G_TMP_PERSIST_ALLOW_COPY).
 *
 * Returns: (transfer full): the new file, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpFile *
g_tmp_file_new_from_fd (gint     fd,
                        GError **error)
{
  GTmpFile *self;
  GTmpFilePrivate *priv;
  GMutex *lock;
  struct stat st;
  gint flags;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fstat (fd, &st) < 0)
    {
      gint errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not use descriptor %d: %s"), fd, g_strerror (errsv));
      return NULL;
    }

  if (!S_ISREG (st.st_mode) || st.st_nlink != 0 || (flags & O_ACCMODE) != O_RDWR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Descriptor %d is not an anonymous file open for reading and writing"), fd);
      return NULL;
    }

  self = g_object_new (G_TYPE_TMP_FILE, NULL);
  priv = _g_tmp_file_get_private (self);

  /* As GInitable.init would have set it, under the same lock. */
  lock = _g_tmp_file_get_lock (self);
  g_mutex_lock (lock);
  priv->fd = fd;
  priv->linkable = is_linkable (flags);
  priv->closed = FALSE;
  g_mutex_unlock (lock);

  return self;
}
