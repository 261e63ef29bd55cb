/* gtmp-dir-persist.c — GTmpDir's persist(): publishing the directory by
 * renaming it into place, or swapping it with the live one; the system
 * calls are in gtmp-fdio.c.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtmp-dir-private.h"
#include "gtmp-fdio.h"

/* ALLOW_COPY and DOCUMENT_MODE are accepted and change nothing: a directory
 * is never copied and keeps the mode it was created with. */
#define DIR_PERSIST_FLAGS_ALL (G_TMP_PERSIST_NO_REPLACE | \
                               G_TMP_PERSIST_SYNC | \
                               G_TMP_PERSIST_ALLOW_COPY | \
                               G_TMP_PERSIST_DOCUMENT_MODE | \
                               G_TMP_PERSIST_EXCHANGE)

/* How deep the check for a directory inside itself climbs at most. */
#define MAX_ANCESTORS 4096

typedef struct
{
  gchar            *dest;     /* absolute, no trailing '/' */
  gchar            *name;     /* @dest's last component */
  GTmpPersistFlags  flags;
  /* @dest's directory, opened first (following symlinks in its path, as
   * rename() does): the move is made relative to it. */
  gint              dfd;
  /* EXCHANGE: the live directory at @dest, opened before the swap; after
   * it, what the object owns. */
  gint              live_fd;
  /* The directory is at @dest now (even if the flush after it failed). */
  gboolean          moved;
} DirPersistOp;

static void
dir_persist_op_free (DirPersistOp *op)
{
  _g_tmp_core_clear_fd (&op->dfd);
  _g_tmp_core_clear_fd (&op->live_fd);
  g_free (op->dest);
  g_free (op->name);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DirPersistOp, dir_persist_op_free)

static DirPersistOp *
dir_persist_op_new (const gchar      *path,
                    GTmpPersistFlags  flags)
{
  DirPersistOp *op = g_new0 (DirPersistOp, 1);
  gsize len;

  if (g_path_is_absolute (path))
    op->dest = g_strdup (path);
  else
    {
      g_autofree gchar *cwd = g_get_current_dir ();

      op->dest = g_build_filename (cwd, path, NULL);
    }

  /* "dir/" names the directory "dir", as rename() takes it. */
  len = strlen (op->dest);
  while (len > 1 && op->dest[len - 1] == '/')
    op->dest[--len] = '\0';

  op->name = g_path_get_basename (op->dest);
  op->flags = flags;
  op->dfd = -1;
  op->live_fd = -1;

  return op;
}

static void
set_dir_persist_error (GError       **error,
                       gint           errsv,
                       DirPersistOp  *op)
{
  g_autofree gchar *display = g_filename_display_name (op->dest);

  switch (errsv)
    {
    case EXDEV:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Could not move the temporary directory to “%s”: it is on "
                     "another file system (directories are never copied)"),
                   display);
      break;

    case ENOTSUP:
      if (op->flags & G_TMP_PERSIST_EXCHANGE)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     _("Could not exchange the temporary directory with “%s”: "
                       "this system cannot swap two directories atomically"),
                     display);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     _("Could not move the temporary directory to “%s”: this "
                       "system cannot rename without replacing"),
                     display);
      break;

    default:
      _g_tmp_core_set_error (error, errsv,
                             _("Could not move the temporary directory to “%s”"),
                             op->dest);
    }
}

/* Whether the directory @fd is @id or inside it: climbs "..", a few system
 * calls per level; only asked after a failed exchange. */
static gboolean
is_within (gint         fd,
           struct stat *id)
{
  gint cur = dup (fd);
  gboolean found = FALSE;
  guint depth;

  for (depth = 0; cur >= 0 && depth < MAX_ANCESTORS; depth++)
    {
      struct stat st, parent_st;
      gint parent;

      if (fstat (cur, &st) < 0)
        break;
      if (st.st_dev == id->st_dev && st.st_ino == id->st_ino)
        {
          found = TRUE;
          break;
        }

      parent = openat (cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (parent < 0 || fstat (parent, &parent_st) < 0 ||
          (parent_st.st_dev == st.st_dev && parent_st.st_ino == st.st_ino))
        {
          _g_tmp_core_clear_fd (&parent);
          break;
        }
      _g_tmp_core_clear_fd (&cur);
      cur = parent;
    }

  _g_tmp_core_clear_fd (&cur);
  return found;
}

/* EINVAL from renameat2(): one of the two directories inside the other (as
 * for any rename), or a file system without the flag (and glibc says
 * EINVAL for a kernel without the system call). */
static gint
renameat2_einval (DirPersistOp *op,
                  const gchar  *src,
                  gint          tree_fd)
{
  struct stat tree, live;
  gint own_fd = -1;
  gint errsv = ENOTSUP;

  if (tree_fd < 0)
    tree_fd = own_fd = _g_tmp_core_open_dir (src);

  if (tree_fd < 0 || fstat (tree_fd, &tree) < 0 || is_within (op->dfd, &tree) ||
      (op->live_fd >= 0 && fstat (op->live_fd, &live) == 0 && is_within (tree_fd, &live)))
    errsv = EINVAL;

  _g_tmp_core_clear_fd (&own_fd);
  return errsv;
}

/* Opens what the persist needs before anything changes: @dest's directory,
 * and for EXCHANGE the live directory, which must be one (not followed if
 * it is a symbolic link). */
static gboolean
dir_persist_open (DirPersistOp  *op,
                  GError       **error)
{
  g_autofree gchar *dir = g_path_get_dirname (op->dest);
  const gchar *name = op->name;

  if (strcmp (op->dest, "/") == 0 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      set_dir_persist_error (error, EINVAL, op);
      return FALSE;
    }

  /* Not O_NOFOLLOW: symlinks in @dest's directory path are followed, as
   * rename() of @dest would. */
  op->dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (op->dfd < 0)
    {
      set_dir_persist_error (error, errno, op);
      return FALSE;
    }

  if (op->flags & G_TMP_PERSIST_EXCHANGE)
    {
      op->live_fd = openat (op->dfd, op->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (op->live_fd < 0)
        {
          set_dir_persist_error (error, errno == ELOOP ? ENOTDIR : errno, op);
          return FALSE;
        }
    }

  return TRUE;
}

/* The disk side of a persist; may run in a worker thread and changes no
 * property. Everything that can fail without side effects comes before the
 * rename, the point of no return; only the flush of @dest's directory
 * comes after it. */
static gboolean
dir_persist_move (const gchar    *src,
                  gint            held_fd,
                  DirPersistOp   *op,
                  GCancellable   *cancellable,
                  GError        **error)
{
  GTmpFdioRenameMode mode = G_TMP_FDIO_RENAME_REPLACE;
  gint errsv;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !dir_persist_open (op, error))
    return FALSE;

  if (op->flags & G_TMP_PERSIST_EXCHANGE)
    mode = G_TMP_FDIO_RENAME_EXCHANGE;
  else if (op->flags & G_TMP_PERSIST_NO_REPLACE)
    mode = G_TMP_FDIO_RENAME_NO_REPLACE;

  /* SYNC: every file and directory of the tree reaches the disk before it
   * gets its new name. One syncfs() does that whatever the size of the
   * tree (it flushes the rest of the file system too), where an fsync()
   * of each entry would cost a walk and a system call per entry. */
  if (op->flags & G_TMP_PERSIST_SYNC)
    {
      gint own_fd = held_fd < 0 ? _g_tmp_core_open_dir (src) : -1;
      gboolean synced = (held_fd >= 0 || own_fd >= 0) &&
                        _g_tmp_core_syncfs (held_fd >= 0 ? held_fd : own_fd) == 0;

      if (!synced)
        _g_tmp_core_set_error (error, errno, _("Could not write “%s” to disk"), op->dest);
      _g_tmp_core_clear_fd (&own_fd);
      if (!synced)
        return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  errsv = _g_tmp_fdio_rename_dir (src, op->dfd, op->name, mode);
  if (errsv == EINVAL && mode != G_TMP_FDIO_RENAME_REPLACE)
    errsv = renameat2_einval (op, src, held_fd);
  else if (errsv == EEXIST && mode == G_TMP_FDIO_RENAME_REPLACE)
    errsv = ENOTEMPTY;  /* POSIX's other word for it */
  if (errsv != 0)
    {
      set_dir_persist_error (error, errsv, op);
      return FALSE;
    }

  op->moved = TRUE;

  return !(op->flags & G_TMP_PERSIST_SYNC) || _g_tmp_fdio_sync_dir (op->dfd, op->dest, error);
}

gboolean
_g_tmp_dir_persist_begin (GTmpDir      *self,
                          const gchar  *dest,
                          gboolean      exchange,
                          gchar       **path,
                          gint         *fd,
                          GError      **error)
{
  g_autofree gchar *display = g_filename_display_name (dest);

  _g_tmp_dir_lock (self);
  while (self->cleaning)
    {
      self->n_waiting++;
      g_cond_wait (&self->cleaned, &self->lock);
      self->n_waiting--;
    }

  if (self->path == NULL)
    {
      _g_tmp_dir_set_uninitialised_error (error);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  if (self->cleaned_up)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   _("Could not move the temporary directory to “%s”: it has been removed"),
                   display);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  /* Swapped in, the live tree would be at a published path no cleanup
   * removes. */
  if (exchange && self->persisted)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Could not exchange the directory with “%s”: it is no longer "
                     "temporary"),
                   display);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }

  self->cleaning = TRUE;
  *path = self->path;
  *fd = self->fd;
  g_mutex_unlock (&self->lock);

  return TRUE;
}

GTmpDirChanges
_g_tmp_dir_persist_end (GTmpDir     *self,
                        const gchar *new_path,
                        gint         new_fd)
{
  GTmpDirChanges changes = 0;

  _g_tmp_dir_lock (self);
  self->cleaning = FALSE;

  if (new_path != NULL && g_strcmp0 (new_path, self->path) != 0)
    {
      self->old_paths = g_slist_prepend (self->old_paths, self->path);
      g_atomic_pointer_set (&self->path, g_strdup (new_path));
      changes |= G_TMP_DIR_CHANGED_PATH;
    }
  if (new_path != NULL)
    {
      self->persisted = TRUE;
      if (g_atomic_int_compare_and_exchange (&self->delete, TRUE, FALSE))
        changes |= G_TMP_DIR_CHANGED_DELETE;
    }

  /* Exchanged: the object owns the tree that came in, held by @new_fd; a
   * cleanup starts from it and removes it only while it is at the path. */
  if (new_fd >= 0)
    {
      _g_tmp_core_clear_fd (&self->fd);
      self->fd = new_fd;
      self->have_id = FALSE;
      g_atomic_int_set (&self->handed_out, TRUE);
    }

  if (self->n_waiting > 0)
    g_cond_broadcast (&self->cleaned);
  g_mutex_unlock (&self->lock);

  return changes;
}

/* Runs the persist on @self, busy meanwhile; returns what changed for the
 * caller to notify. */
static GTmpDirChanges
dir_persist_run (GTmpDir       *self,
                 DirPersistOp  *op,
                 GCancellable  *cancellable,
                 gboolean      *ret,
                 GError       **error)
{
  gboolean exchange = (op->flags & G_TMP_PERSIST_EXCHANGE) != 0;
  gchar *src;
  gint fd;

  *ret = FALSE;
  if (!_g_tmp_dir_persist_begin (self, op->dest, exchange, &src, &fd, error))
    return 0;

  *ret = dir_persist_move (src, fd, op, cancellable, error);

  /* Exchanged, the old tree is at our path: the object owns it, by the
   * descriptor opened at @dest before the swap. */
  if (op->moved && exchange)
    return _g_tmp_dir_persist_end (self, NULL, _g_tmp_core_steal_fd (&op->live_fd));

  return _g_tmp_dir_persist_end (self, op->moved ? op->dest : NULL, -1);
}

/* Flags that make no sense together are the caller's mistake, but one a
 * binding can make: a GError rather than a critical. */
static gboolean
check_flags (const gchar       *path,
             GTmpPersistFlags   flags,
             GError           **error)
{
  g_autofree gchar *display = NULL;

  if (!(flags & G_TMP_PERSIST_EXCHANGE) || !(flags & G_TMP_PERSIST_NO_REPLACE))
    return TRUE;

  display = g_filename_display_name (path);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Could not exchange the temporary directory with “%s”: "
                 "G_TMP_PERSIST_EXCHANGE and G_TMP_PERSIST_NO_REPLACE exclude each other"),
               display);
  return FALSE;
}

/**
 * g_tmp_dir_persist:
 * @self: a #GTmpDir
 * @path: (type filename): where the directory should live from now on
 * @flags: how to treat an existing @path, and durability
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * Publishes the temporary directory, with everything in it, at @path in one
 * atomic step: build a tree in a #GTmpDir, then give it its final name, so
 * that other processes see either no tree (or the old one) at @path or the
 * complete new one, never a partial one.
 *
 * ```c
 * g_autoptr(GTmpDir) tmp = g_tmp_dir_new ("/srv/site", ".build-", NULL, &error);
 *
 * if (tmp == NULL || !build_into (g_tmp_dir_get_fd (tmp), &error) ||
 *     !g_tmp_dir_persist (tmp, "/srv/site/current", G_TMP_PERSIST_EXCHANGE |
 *                         G_TMP_PERSIST_SYNC, NULL, &error))
 *   return FALSE;
 * // the previous tree is now at g_tmp_dir_get_path (tmp), and goes with tmp
 * ```
 *
 * The directory is renamed, never copied: create it beside @path (in the
 * same directory, or at least on the same file system). @path on another
 * file system fails with %G_IO_ERROR_NOT_SUPPORTED, whatever the flags
 * (%G_TMP_PERSIST_ALLOW_COPY is ignored). The directory keeps the mode it
 * was created with ([property@GTempfile.TmpDir:mode]);
 * %G_TMP_PERSIST_DOCUMENT_MODE, which is for files, is ignored too.
 *
 * What is at @path decides, with @flags:
 *
 * - %G_TMP_PERSIST_NONE: @path is created, or an *empty* directory there is
 *   replaced. A directory with entries is left alone
 *   (%G_IO_ERROR_NOT_EMPTY), and so are a file and a symbolic link, to a
 *   directory or not (%G_IO_ERROR_NOT_DIRECTORY): nothing is ever
 *   published through a link, and its target is not touched.
 * - %G_TMP_PERSIST_NO_REPLACE: @path must not exist (%G_IO_ERROR_EXISTS,
 *   decided atomically by `renameat2(RENAME_NOREPLACE)`; where the system
 *   cannot do that, %G_IO_ERROR_NOT_SUPPORTED).
 * - %G_TMP_PERSIST_EXCHANGE: @path must be a directory (not a symbolic
 *   link to one: %G_IO_ERROR_NOT_DIRECTORY; nothing there:
 *   %G_IO_ERROR_NOT_FOUND), with or without entries. The two are swapped
 *   atomically (`renameat2(RENAME_EXCHANGE)`): @path is now the new tree,
 *   and the old one is at [property@GTempfile.TmpDir:path] and belongs to
 *   @self, which removes it as it would have removed the temporary one
 *   (at [method@GTempfile.TmpDir.cleanup], or at dispose when
 *   [property@GTempfile.TmpDir:delete]); [method@GTempfile.TmpDir.get_fd]
 *   then gives the old tree. Where the system or file system cannot
 *   exchange two directories, %G_IO_ERROR_NOT_SUPPORTED.
 * - %G_TMP_PERSIST_SYNC (with any of the above): before the rename,
 *   `syncfs()` writes the file system holding the tree to disk — every
 *   file and directory of the tree, whatever its size, in one call, and
 *   also what other programs wrote there; after it, @path's directory is
 *   flushed (`fsync()`), so that the new name survives a power cut.
 *
 * After success without %G_TMP_PERSIST_EXCHANGE, @self describes the
 * published directory: [property@GTempfile.TmpDir:path] is @path,
 * [method@GTempfile.TmpDir.get_fd] still gives it (it is the same
 * directory), [property@GTempfile.TmpDir:delete] is %FALSE, and neither
 * [method@GTempfile.TmpDir.cleanup] (which succeeds and does nothing) nor
 * dispose ever removes it. It can be persisted again, elsewhere, but not
 * exchanged.
 *
 * On failure nothing has changed: the temporary directory keeps its path
 * and its automatic removal, and @path is untouched. Everything that can
 * fail without changing anything comes first: opening @path's directory
 * (following symbolic links in its path, as a rename does; the rename is
 * then made relative to it), opening the directory to exchange with, the
 * `syncfs()`. One exception: with %G_TMP_PERSIST_SYNC, the flush of @path's
 * directory can only come after the rename. If it fails, the call returns
 * %FALSE with a message saying that @path was saved, and it was: the
 * object is as after success. Persisting to @path again retries the
 * flush.
 *
 * A directory that has been cleaned up cannot be persisted
 * (%G_IO_ERROR_CLOSED), nor an object that was never initialised
 * (%G_IO_ERROR_NOT_INITIALIZED). A persist waits for a cleanup under way in another
 * thread, and a cleanup waits for the persist; meanwhile
 * [method@GTempfile.TmpDir.get_fd] returns -1. A relative @path is
 * resolved against the current directory.
 *
 * Returns: %TRUE on success, %FALSE with @error set (naming @path)
 *
 * Since: 1.0
 */
gboolean
g_tmp_dir_persist (GTmpDir           *self,
                   const gchar       *path,
                   GTmpPersistFlags   flags,
                   GCancellable      *cancellable,
                   GError           **error)
{
  g_autoptr(DirPersistOp) op = NULL;
  GTmpDirChanges changes;
  gboolean ret;

  g_return_val_if_fail (G_IS_TMP_DIR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail ((flags & ~DIR_PERSIST_FLAGS_ALL) == 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_flags (path, flags, error))
    return FALSE;

  op = dir_persist_op_new (path, flags);
  changes = dir_persist_run (self, op, cancellable, &ret, error);
  _g_tmp_dir_notify_changes (self, changes);

  return ret;
}

static void
dir_persist_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  DirPersistOp *op = task_data;
  GError *error = NULL;
  GTmpDirChanges changes;
  gboolean ret;

  changes = dir_persist_run (source_object, op, cancellable, &ret, &error);
  /* The changes travel with the result, to be notified in the caller's
   * context (dir_persist_async_done()). */
  g_object_set_data (G_OBJECT (task), "gtmp-dir-changes", GUINT_TO_POINTER (changes));

  _g_tmp_task_return_boolean (task, ret, error);
}

/* Back in the caller's context: notify, then the caller's task returns. */
static void
dir_persist_async_done (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  _g_tmp_dir_notify_changes (G_TMP_DIR (source_object),
                             GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result),
                                                                  "gtmp-dir-changes")));
  _g_tmp_task_return_from (user_data, result);
}

/**
 * g_tmp_dir_persist_async:
 * @self: a #GTmpDir
 * @path: (type filename): where the directory should live from now on
 * @flags: how to treat an existing @path, and durability
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (nullable): called when the directory has been
 *   published, or %NULL
 * @user_data: data for @callback
 *
 * Publishes the temporary directory at @path without blocking; see
 * [method@GTempfile.TmpDir.persist]. The work happens in a worker thread;
 * @callback runs in the thread-default main context of the caller, after
 * the changes of [property@GTempfile.TmpDir:path] and
 * [property@GTempfile.TmpDir:delete] have been notified there, and should
 * call [method@GTempfile.TmpDir.persist_finish].
 *
 * Cancelled before the rename, nothing changes and the result is
 * %G_IO_ERROR_CANCELLED; a cancellation that comes after the rename does
 * not report a failure, since the directory has been published.
 *
 * Since: 1.0
 */
void
g_tmp_dir_persist_async (GTmpDir             *self,
                         const gchar         *path,
                         GTmpPersistFlags     flags,
                         int                  io_priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (G_IS_TMP_DIR (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail ((flags & ~DIR_PERSIST_FLAGS_ALL) == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!check_flags (path, flags, &error))
    {
      g_task_report_error (self, callback, user_data, g_tmp_dir_persist_async, error);
      return;
    }

  /* A cancel once the directory has been moved must not report a failure. */
  task = _g_tmp_task_new (self, g_tmp_dir_persist_async, io_priority, cancellable,
                          callback, user_data);
  _g_tmp_run_in_worker (task, dir_persist_thread, dir_persist_op_new (path, flags),
                        (GDestroyNotify) dir_persist_op_free, dir_persist_async_done);
}

/**
 * g_tmp_dir_persist_finish:
 * @self: a #GTmpDir
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@GTempfile.TmpDir.persist_async].
 *
 * Returns: %TRUE if the directory now lives at the requested path (or has
 *   been exchanged with the one there), %FALSE with @error set otherwise
 *
 * Since: 1.0
 */
gboolean
g_tmp_dir_persist_finish (GTmpDir       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), FALSE);

  return _g_tmp_finish_boolean (self, result, g_tmp_dir_persist_async, error);
}
