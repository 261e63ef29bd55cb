/* gtmp-file-at.c — GTmpFile relative to a directory descriptor: creating
 * the file and persisting it (the work is gtmpfile.c's and
 * gtmp-persist.c's)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>

#include "gtmp-file-private.h"

/* A named file made relative to a descriptor (gtempfile-private.h). */

const gchar *
_g_tmp_file_get_at (GTmpFile *self,
                    gint     *dfd)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  *dfd = priv->at_dfd >= 0 ? priv->at_dfd : priv->tmpl.dfd;
  return priv->at_path;
}

void
_g_tmp_file_take_at (GTmpFile *self,
                     gint      dfd,
                     gchar    *name)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  _g_tmp_core_clear_fd (&priv->at_dfd);
  g_free (priv->at_path);
  priv->at_dfd = dfd;
  priv->at_path = name;
}

/**
 * g_tmp_file_new_at:
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @dir: (nullable) (type filename): the directory to create the file in,
 *   relative to @dfd as in `openat()`; %NULL for @dfd itself (with
 *   `AT_FDCWD`: the default temporary directory)
 * @prefix: (nullable) (type filename): the start of the name the file has
 *   where it cannot be anonymous, or %NULL for `"tmp"`
 * @suffix: (nullable) (type filename): the end of that name, or %NULL
 * @mode: the permission bits (before the umask), or 0 for `0600`
 * @error: return location for a #GError
 *
 * Creates an anonymous temporary file relative to a directory descriptor,
 * as libglnx's `glnx_open_tmpfile_linkable_at()` does: `O_TMPFILE` in the
 * directory (or a name removed at once where the file system refuses it),
 * with the guarantees of [ctor@GTempfile.TmpFile.new]. The last component
 * of @dir must not be a symbolic link (it is opened
 * `O_DIRECTORY|O_NOFOLLOW`: %G_IO_ERROR_NOT_DIRECTORY); links earlier in
 * @dir are followed, as `openat()` does. With `AT_FDCWD` it is
 * [ctor@GTempfile.TmpFile.new] with @mode.
 *
 * The object keeps a duplicate of @dfd (`F_DUPFD_CLOEXEC`), so the caller
 * may close theirs at once. Give the file its name with
 * [method@GTempfile.TmpFile.persist_at]:
 *
 * ```c
 * g_autoptr(GTmpFile) tmp = g_tmp_file_new_at (dfd, NULL, NULL, NULL, 0, &error);
 *
 * if (tmp == NULL ||
 *     !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
 *                                 data, len, NULL, NULL, &error) ||
 *     !g_tmp_file_persist_at (tmp, dfd, "config.ini", G_TMP_PERSIST_SYNC, NULL, &error))
 *   return FALSE;
 * ```
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error
 *   set (naming the directory)
 *
 * Since: 1.0
 */
GTmpFile *
g_tmp_file_new_at (gint          dfd,
                   const gchar  *dir,
                   const gchar  *prefix,
                   const gchar  *suffix,
                   guint         mode,
                   GError      **error)
{
  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, NULL);
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_new (G_TYPE_TMP_FILE, _g_tmp_file_get_template, _g_tmp_file_initable_init,
                     G_TMP_TEMPLATE_BORROW_AT (dfd, dir, prefix, suffix, mode), error);
}

/**
 * g_tmp_file_persist_at:
 * @self: a #GTmpFile
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @name: (type filename): where the file should live from now on,
 *   relative to @dfd as in `renameat()`
 * @flags: how to treat an existing @name, durability, copying and the mode
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * [method@GTempfile.TmpFile.persist] relative to a directory descriptor,
 * as libglnx's `glnx_link_tmpfile_at()`: the directory of @name is opened
 * relative to @dfd (following symbolic links in it, as `renameat()`
 * would), and the file is linked or renamed into it, with every guarantee
 * and flag of [method@GTempfile.TmpFile.persist]. With `AT_FDCWD` or an
 * absolute @name it is [method@GTempfile.TmpFile.persist].
 *
 * @dfd is only used during the call. Afterwards
 * [property@GTempfile.NamedTmpFile:path] is the absolute path of @name,
 * found through `/proc/self/fd` (where that is impossible, @name as
 * given); errors name the same path.
 *
 * Returns: %TRUE on success, %FALSE with @error set (naming @name)
 *
 * Since: 1.0
 */
gboolean
g_tmp_file_persist_at (GTmpFile          *self,
                       gint               dfd,
                       const gchar       *name,
                       GTmpPersistFlags   flags,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_return_val_if_fail (G_IS_TMP_FILE (self), FALSE);
  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail ((flags & ~G_TMP_PERSIST_FILE_FLAGS) == 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _g_tmp_file_persist_at (self, dfd, name, flags, cancellable, error);
}

/**
 * g_tmp_file_persist_at_async:
 * @self: a #GTmpFile
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @name: (type filename): where the file should live from now on,
 *   relative to @dfd
 * @flags: how to treat an existing @name, durability, copying and the mode
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (nullable): called when the file has been
 *   persisted, or %NULL
 * @user_data: data for @callback
 *
 * [method@GTempfile.TmpFile.persist_at] without blocking, as
 * [method@GTempfile.TmpFile.persist_async] does it. The object keeps a
 * duplicate of @dfd until it is done: the caller may close theirs as soon
 * as this returns. Call [method@GTempfile.TmpFile.persist_at_finish] from
 * @callback.
 *
 * Since: 1.0
 */
void
g_tmp_file_persist_at_async (GTmpFile            *self,
                             gint                 dfd,
                             const gchar         *name,
                             GTmpPersistFlags     flags,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (G_IS_TMP_FILE (self));
  g_return_if_fail (dfd >= 0 || dfd == AT_FDCWD);
  g_return_if_fail (name != NULL);
  g_return_if_fail ((flags & ~G_TMP_PERSIST_FILE_FLAGS) == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _g_tmp_file_persist_at_async (self, dfd, name, flags, io_priority, cancellable,
                                callback, user_data, g_tmp_file_persist_at_async);
}

/**
 * g_tmp_file_persist_at_finish:
 * @self: a #GTmpFile
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@GTempfile.TmpFile.persist_at_async].
 *
 * Returns: %TRUE if the file now lives at the requested name, %FALSE with
 *   @error set otherwise
 *
 * Since: 1.0
 */
gboolean
g_tmp_file_persist_at_finish (GTmpFile      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TMP_FILE (self), FALSE);

  return _g_tmp_finish_boolean (self, result, g_tmp_file_persist_at_async, error);
}
