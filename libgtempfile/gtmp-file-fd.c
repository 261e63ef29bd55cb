/* gtmp-file-fd.c — a GTmpFile around an anonymous file's descriptor that
 * the caller already has (g_tempfile_adopt_anonymous() in gtempfile.c)
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
 * as well cannot, and F_GETFL does not tell: persist() learns it from the
 * kernel's refusal and copies the file (gtmp-persist.c). */
static gboolean
is_linkable (gint flags)
{
#if defined(O_TMPFILE) && defined(O_DIRECTORY)
  return (flags & (O_TMPFILE & ~O_DIRECTORY)) != 0;
#else
  return FALSE;
#endif
}

/* Sets @error for a descriptor the kernel would not tell about or change. */
static void
set_fd_error (GError **error,
              gint     fd,
              gint     errsv)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Could not use descriptor %d: %s"), fd, g_strerror (errsv));
}

/* g_tempfile_adopt_anonymous() (gtempfile.c), arguments checked. */
GTmpFile *
_g_tmp_file_new_from_fd (gint     fd,
                         GError **error)
{
  GTmpFile *self;
  GMutex *lock;
  struct stat st;
  gint flags;

  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fstat (fd, &st) < 0)
    {
      set_fd_error (error, fd, errno);
      return NULL;
    }

  if (!S_ISREG (st.st_mode) || st.st_nlink != 0 || (flags & O_ACCMODE) != O_RDWR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Descriptor %d is not an anonymous file open for reading and writing"), fd);
      return NULL;
    }

  /* Like every descriptor the library holds, it does not leak into
   * children, whatever the caller opened it with. */
  if (fcntl (fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      set_fd_error (error, fd, errno);
      return NULL;
    }

  /* As a subclass's init gives a file its descriptor, under the lock. */
  self = g_object_new (G_TYPE_TMP_FILE, NULL);
  lock = _g_tmp_file_get_lock (self);
  g_mutex_lock (lock);
  _g_tmp_file_take_fd (self, fd, is_linkable (flags));
  g_mutex_unlock (lock);

  return self;
}
