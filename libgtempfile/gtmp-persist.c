/* gtmp-persist.c — GTmpFile's persist(): the object's side of giving the
 * file a permanent name (the gate, the move, the async task); the system
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
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "gtmp-fdio.h"
#include "gtmp-file-private.h"

G_DEFINE_FLAGS_TYPE (GTmpPersistFlags, g_tmp_persist_flags,
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_NO_REPLACE, "no-replace"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_SYNC, "sync"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_ALLOW_COPY, "allow-copy"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_EXCHANGE, "exchange"))

/* G_TMP_PERSIST_EXCHANGE passes the check, to fail with a GError: it is a
 * value of the type, meant for directories. */
#define PERSIST_FLAGS_ALL (G_TMP_PERSIST_NO_REPLACE | \
                           G_TMP_PERSIST_SYNC | \
                           G_TMP_PERSIST_ALLOW_COPY | \
                           G_TMP_PERSIST_EXCHANGE)

typedef struct
{
  gchar               *dest;      /* absolute */
  gchar               *name;      /* @dest's last component */
  /* @dest's directory, opened (following symlinks, as rename() does)
   * before anything changes when the persist needs it: SYNC flushes it,
   * a copy is made in it. The file is then moved relative to it. -1 when
   * not opened: then the move uses @dest as a path. */
  gint                 dfd;
  GTmpPersistFlags     flags;
  /* The file now lives at @dest, even if a later step (fsync of the
   * directory) failed: the object's state must follow. */
  gboolean             moved;
} PersistOp;

static void
persist_op_free (PersistOp *op)
{
  _g_tmp_core_clear_fd (&op->dfd);
  g_free (op->dest);
  g_free (op->name);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PersistOp, persist_op_free)

static PersistOp *
persist_op_new (const gchar      *path,
                GTmpPersistFlags  flags)
{
  PersistOp *op = g_new0 (PersistOp, 1);

  if (g_path_is_absolute (path))
    op->dest = g_strdup (path);
  else
    {
      g_autofree gchar *cwd = g_get_current_dir ();

      op->dest = g_build_filename (cwd, path, NULL);
    }

  op->name = g_path_get_basename (op->dest);
  op->dfd = -1;
  op->flags = flags;

  return op;
}

/* Where the move is made: relative to the directory's descriptor if it is
 * open, else by path. */
static gint
op_dfd (PersistOp *op)
{
  return op->dfd >= 0 ? op->dfd : AT_FDCWD;
}

static const gchar *
op_name (PersistOp *op)
{
  return op->dfd >= 0 ? op->name : op->dest;
}

static gboolean
no_replace (PersistOp *op)
{
  return (op->flags & G_TMP_PERSIST_NO_REPLACE) != 0;
}


static void
set_persist_error (GError      **error,
                   gint          errsv,
                   const gchar  *dest)
{
  g_autofree gchar *display = g_filename_display_name (dest);

  if (errsv == EXDEV)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("Could not save the temporary file as “%s”: it is on another "
                   "file system (G_TMP_PERSIST_ALLOW_COPY would copy it)"),
                 display);
  else if (errsv == ENOTSUP)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("Could not save the temporary file as “%s”: this file "
                   "system cannot give an unnamed file a name "
                   "(G_TMP_PERSIST_ALLOW_COPY would copy it)"),
                 display);
  else
    _g_tmp_core_set_error (error, errsv, _("Could not save the temporary file as “%s”"), dest);
}

/* Opens @op's directory if it is not open yet: FALSE with @error set
 * (naming @dest), and then nothing has changed. */
static gboolean
persist_open_dir (PersistOp  *op,
                  GError    **error)
{
  g_autofree gchar *dir = NULL;

  if (op->dfd >= 0)
    return TRUE;

  dir = g_path_get_dirname (op->dest);
  /* Not O_NOFOLLOW: a symlink in @dest's directory path is followed, as
   * rename() of @dest would. */
  op->dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (op->dfd < 0)
    {
      set_persist_error (error, errno, op->dest);
      return FALSE;
    }

  return TRUE;
}

/* Cross-file-system persist: copies the file into a new file in the
 * destination's directory, moves that into place and makes it the object's
 * file (same position), so that reads and writes go on reaching the
 * permanent file. */
static gboolean
persist_by_copy (GTmpFile      *self,
                 PersistOp     *op,
                 const gchar   *src,
                 GCancellable  *cancellable,
                 GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  g_autofree gchar *copy_path = NULL;
  struct stat st;
  off_t position;
  gint copy_fd;
  gint errsv;

  if (!persist_open_dir (op, error))
    return FALSE;

  /* An existing destination is refused before copying what may be
   * gigabytes, not after. Only a shortcut: one that appears meanwhile is
   * still refused atomically when the copy is moved into place. */
  if ((op->flags & G_TMP_PERSIST_NO_REPLACE) &&
      fstatat (op->dfd, op->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      set_persist_error (error, EEXIST, op->dest);
      return FALSE;
    }

  position = lseek (priv->fd, 0, SEEK_CUR);
  if (position < 0)
    {
      _g_tmp_fdio_set_copy_error (error, errno, op->dest);
      return FALSE;
    }

  copy_fd = _g_tmp_fdio_open_copy (op->dfd, op->dest,
                                   priv->tmpl.mode != 0 ? priv->tmpl.mode : G_TMP_CORE_FILE_MODE,
                                   &copy_path, error);
  if (copy_fd < 0)
    return FALSE;

  _g_tmp_core_copy_starting (op->dest);
  if (!_g_tmp_fdio_copy (priv->fd, copy_fd, op->dest, cancellable, error) ||
      ((op->flags & G_TMP_PERSIST_SYNC) && !_g_tmp_fdio_sync (copy_fd, op->dest, error)))
    goto fail;

  if (lseek (copy_fd, position, SEEK_SET) < 0)
    {
      _g_tmp_fdio_set_copy_error (error, errno, op->dest);
      goto fail;
    }

  /* Nothing has changed yet; from here on we only move forward. */
  if (copy_path == NULL)
    errsv = _g_tmp_fdio_link_into_place (copy_fd, op->dfd, op->name, no_replace (op));
  else
    errsv = _g_tmp_fdio_rename (copy_path, op->dfd, op->name, no_replace (op));
  if (errsv != 0)
    {
      set_persist_error (error, errsv, op->dest);
      goto fail;
    }

  op->moved = TRUE;

  /* A named original has been moved, not copied: its old name goes. */
  if (src != NULL)
    unlink (src);

  _g_tmp_core_clear_fd (&priv->fd);
  priv->fd = copy_fd;
  priv->linkable = FALSE;

  return TRUE;

fail:
  if (copy_path != NULL)
    unlink (copy_path);
  _g_tmp_core_clear_fd (&copy_fd);
  return FALSE;
}

/* Gives the file the name @op->dest without copying it: 0, or an errno
 * value (EXDEV: another file system; ENOTSUP: an anonymous file that
 * cannot be linked). */
static gint
move_into_place (GTmpFile    *self,
                 const gchar *src,
                 PersistOp   *op)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  if (src != NULL)
    return _g_tmp_fdio_rename (src, op_dfd (op), op_name (op), no_replace (op));
  if (priv->linkable)
    return _g_tmp_fdio_link_into_place (priv->fd, op_dfd (op), op_name (op), no_replace (op));
  return ENOTSUP;
}

#ifdef __linux__
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* Whether move_into_place() is sure to fail, so that persist() can only
 * copy: the file cannot be linked, or it is on another device than @op's
 * directory (open). In doubt FALSE, and the move is tried first. A file on
 * overlayfs may report the device of the layer below, where its directory
 * reports the overlay's. Up to three system calls, made only for SYNC with
 * ALLOW_COPY. */
static gboolean
surely_needs_copy (GTmpFile    *self,
                   const gchar *src,
                   PersistOp   *op)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  struct stat file_st, dir_st;

  if (src == NULL && !priv->linkable)
    return TRUE;

  if (fstat (priv->fd, &file_st) < 0 || fstat (op->dfd, &dir_st) < 0 ||
      file_st.st_dev == dir_st.st_dev)
    return FALSE;

#ifdef __linux__
  {
    struct statfs sfs;

    if (fstatfs (priv->fd, &sfs) < 0 || sfs.f_type == OVERLAYFS_SUPER_MAGIC)
      return FALSE;
  }
#endif

  return TRUE;
}

/* The disk side of persist(): may run in a worker thread, so it changes no
 * property; persist_commit() does that in the caller's thread.
 *
 * Everything that can fail without side effects (opening the directory,
 * the copy, syncing the file) comes before the move, the point of no
 * return; only the final flush of the directory comes after it. */
static gboolean
persist_move (GTmpFile      *self,
              PersistOp     *op,
              GCancellable  *cancellable,
              GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  g_autofree gchar *src = NULL;
  gint errsv;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!_g_tmp_file_ensure_fd (self, cancellable, error))
    return FALSE;

  src = g_strdup (priv->path);

  /* SYNC flushes the directory after the move: open it now, while a
   * failure (EMFILE, say) still changes nothing. */
  if ((op->flags & G_TMP_PERSIST_SYNC) && !persist_open_dir (op, error))
    return FALSE;

  /* SYNC syncs the file before it gets its new name. A file that will be
   * copied gets its copy synced instead: syncing it too would write all of
   * it to disk for nothing. */
  if ((op->flags & G_TMP_PERSIST_SYNC) && (op->flags & G_TMP_PERSIST_ALLOW_COPY) &&
      surely_needs_copy (self, src, op))
    errsv = EXDEV;
  else
    {
      if ((op->flags & G_TMP_PERSIST_SYNC) && !_g_tmp_fdio_sync (priv->fd, op->dest, error))
        return FALSE;
      errsv = move_into_place (self, src, op);
    }

  if (errsv == 0)
    op->moved = TRUE;
  else if ((errsv == EXDEV || errsv == ENOTSUP) && (op->flags & G_TMP_PERSIST_ALLOW_COPY))
    {
      if (!persist_by_copy (self, op, src, cancellable, error))
        return FALSE;
    }
  else
    {
      set_persist_error (error, errsv, op->dest);
      return FALSE;
    }

  /* The one failure after the point of no return: persist_commit() still
   * records the move (see g_tmp_file_persist()), and the message says the
   * file was saved. */
  if ((op->flags & G_TMP_PERSIST_SYNC) && _g_tmp_core_fsync (op->dfd) < 0)
    {
      /* Translators: %s is the file's new name; the system's reason follows. */
      _g_tmp_core_set_error (error, errno,
                             _("Saved “%s”, but could not flush its directory to disk"),
                             op->dest);
      return FALSE;
    }

  return TRUE;
}

/* Records the new name; runs in the caller's thread. */
static void
persist_commit (GTmpFile  *self,
                PersistOp *op)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gboolean changed;

  if (!op->moved)
    return;

  priv->linkable = FALSE;

  changed = g_strcmp0 (priv->path, op->dest) != 0;
  if (changed)
    _g_tmp_file_take_path (self, g_strdup (op->dest));

  if (priv->persisted != NULL)
    priv->persisted (self, changed);
}

void
_g_tmp_file_settle_persist (GTmpFile *self)
{
  PersistOp *op;

  if (!_g_tmp_file_is_persisting (self))
    return;

  /* The disk phase ends without us; what it did, the object follows now
   * rather than in the callback, so that dispose sees the file where it
   * is (and a moved named file is not deleted). */
  op = _g_tmp_file_wait_unsettled (self);
  if (op != NULL)
    persist_commit (self, op);

  /* The file is no longer busy: dispose may close it. */
  g_io_stream_clear_pending (G_IO_STREAM (self));
}

/* What rename(2) would say of a destination that names no file: the move
 * is made as the last component in its parent, which must be a name. */
static gint
destination_errno (const gchar *path)
{
  const gchar *slash = strrchr (path, '/');
  const gchar *last = slash != NULL ? slash + 1 : path;

  if (*path == '\0')
    return ENOENT;
  if (*last == '\0')
    return ENOTDIR;  /* "dir/" */
  if (strcmp (last, ".") == 0 || strcmp (last, "..") == 0)
    return EISDIR;

  return 0;
}

/* Lets a persist of @path in, or says why not. */
static gboolean
persist_begin (GTmpFile          *self,
               const gchar       *path,
               GTmpPersistFlags   flags,
               GError           **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gint errsv;

  if (flags & G_TMP_PERSIST_EXCHANGE)
    {
      g_autofree gchar *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Could not save the temporary file as “%s”: "
                     "G_TMP_PERSIST_EXCHANGE is for directories only"),
                   display);
      return FALSE;
    }

  if (priv->closed)
    {
      _g_tmp_file_set_closed_error (error, path);
      return FALSE;
    }

  errsv = destination_errno (path);
  if (errsv != 0)
    {
      set_persist_error (error, errsv, path);
      return FALSE;
    }

  /* Refuses reads, writes, get_fd() and rollovers from now on... */
  if (!_g_tmp_file_gate_close (self, error))
    return FALSE;

  /* ... and close(), query_info() and other persists through GIOStream. */
  if (!g_io_stream_set_pending (G_IO_STREAM (self), error))
    {
      _g_tmp_file_moving_end (self, NULL);
      _g_tmp_file_gate_open (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * g_tmp_file_persist:
 * @self: a #GTmpFile
 * @path: (type filename): where the file should live from now on
 * @flags: how to treat an existing @path, durability and copying
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * Gives the temporary file a permanent name atomically: afterwards @path is
 * the file, with everything written to it so far, and other processes see
 * either what was at @path before or the complete new file — never a partial
 * one. This is how to save a document safely:
 *
 * ```c
 * g_autoptr(GFile) doc = g_file_new_for_path (path);
 * g_autoptr(GFile) dir = g_file_get_parent (doc);
 * g_autofree gchar *dir_path = g_file_get_path (dir);
 * g_autoptr(GTmpFile) tmp = g_tmp_file_new (dir_path, NULL, NULL, &error);
 *
 * if (tmp == NULL ||
 *     !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
 *                                 data, len, NULL, NULL, &error) ||
 *     !g_tmp_file_persist (tmp, path, G_TMP_PERSIST_SYNC, NULL, &error))
 *   return FALSE;
 * ```
 *
 * An anonymous file is linked into place from its descriptor (`linkat()`), so
 * a crash at any moment leaves no stray file; a [class@GTempfile.NamedTmpFile]
 * is renamed. With %G_TMP_PERSIST_NONE an existing @path is replaced; with
 * %G_TMP_PERSIST_NO_REPLACE it is left alone and the call fails with
 * %G_IO_ERROR_EXISTS. %G_TMP_PERSIST_SYNC flushes the file to disk before and
 * its directory after, so the new name survives a power cut.
 *
 * A file cannot be linked into another file system. Create the temporary file
 * in the destination's directory to avoid that; otherwise
 * %G_TMP_PERSIST_ALLOW_COPY copies it into a new anonymous (`O_TMPFILE`) file
 * in @path's directory and links that into place (still atomic at the
 * destination), so that a crash during the copy leaves nothing behind.
 * Replacing an existing @path, the complete copy is linked under a hidden
 * name beside it and renamed over it: only a crash between those two system
 * calls leaves that name. Where the file system cannot create anonymous
 * files, the copy has such a hidden name from the start. With
 * %G_TMP_PERSIST_NO_REPLACE too, an existing @path is refused before
 * anything is copied. Without the flag that case, and an anonymous file on a
 * file system that can only create files with a name, fail with
 * %G_IO_ERROR_NOT_SUPPORTED.
 *
 * After success the stream stays open and reads and writes reach the permanent
 * file; nothing is deleted automatically any more
 * ([property@GTempfile.NamedTmpFile:delete] becomes %FALSE and
 * [property@GTempfile.NamedTmpFile:path] becomes @path). On failure nothing
 * has changed: the temporary file keeps its name and its automatic deletion,
 * @path is untouched and no stray file is left beside it. Everything that
 * can fail without changing anything comes before the file is moved: with
 * %G_TMP_PERSIST_SYNC, opening @path's directory (following symlinks in its
 * path, as a rename does; the move is then made relative to it), syncing the
 * file or its copy. The permanent file keeps the mode the temporary one was
 * created with (`0600` by default).
 *
 * One exception: with %G_TMP_PERSIST_SYNC, the flush of @path's directory
 * can only come after the move. If it fails, the call returns %FALSE (the
 * new name may not survive a power cut) with the code of the system's error
 * and a message saying that @path was saved, and it was: @path holds the
 * file, its old name is gone, and the object is the permanent file as after
 * success ([property@GTempfile.NamedTmpFile:path] is @path,
 * [property@GTempfile.NamedTmpFile:delete] is %FALSE). Persisting to @path
 * again with %G_TMP_PERSIST_SYNC (without %G_TMP_PERSIST_NO_REPLACE)
 * retries the flush.
 *
 * The stream must be open: once it is closed this fails with
 * %G_IO_ERROR_CLOSED. A relative @path is resolved against the current
 * directory.
 *
 * Returns: %TRUE on success, %FALSE with @error set (naming @path)
 *
 * Since: 1.0
 */
gboolean
g_tmp_file_persist (GTmpFile          *self,
                    const gchar       *path,
                    GTmpPersistFlags   flags,
                    GCancellable      *cancellable,
                    GError           **error)
{
  g_autoptr(PersistOp) op = NULL;
  gboolean ret;

  g_return_val_if_fail (G_IS_TMP_FILE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail ((flags & ~PERSIST_FLAGS_ALL) == 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!persist_begin (self, path, flags, error))
    return FALSE;

  op = persist_op_new (path, flags);
  _g_tmp_file_moving_start (self);
  ret = persist_move (self, op, cancellable, error);
  _g_tmp_file_moving_end (self, NULL);
  g_io_stream_clear_pending (G_IO_STREAM (self));
  persist_commit (self, op);
  _g_tmp_file_gate_open (self);

  return ret;
}

static void
persist_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PersistOp *op = task_data;
  GError *error = NULL;
  gboolean ret;

  _g_tmp_file_moving_start (source_object);
  ret = persist_move (source_object, op, cancellable, &error);
  /* A move is recorded by persist_async_done(), or by dispose if it
   * comes first. */
  _g_tmp_file_moving_end (source_object, op->moved ? op : NULL);

  if (ret)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Back in the caller's context: the same order as the sync version (clear
 * pending, record the new name), then the caller's task returns. */
static void
persist_async_done (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTmpFile *self = G_TMP_FILE (source_object);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PersistOp *op;

  g_io_stream_clear_pending (G_IO_STREAM (self));
  /* Notifies the new name here, not in the worker. */
  op = _g_tmp_file_wait_unsettled (self);
  if (op != NULL)
    persist_commit (self, op);
  _g_tmp_file_gate_open (self);

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * g_tmp_file_persist_async:
 * @self: a #GTmpFile
 * @path: (type filename): where the file should live from now on
 * @flags: how to treat an existing @path, durability and copying
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (nullable): called when the file has been
 *   persisted, or %NULL
 * @user_data: data for @callback
 *
 * Gives the temporary file a permanent name without blocking; see
 * [method@GTempfile.TmpFile.persist]. The work happens in a worker thread;
 * @callback runs in the thread-default main context of the caller, after the
 * object's properties have been updated, and should call
 * [method@GTempfile.TmpFile.persist_finish]. Until then other operations on
 * the file fail with %G_IO_ERROR_PENDING: reads, writes, seeks, truncates,
 * [method@GTempfile.TmpFile.get_fd], rollovers, close (see "Threads and
 * concurrent operations" in [class@GTempfile.TmpFile]).
 *
 * As with [method@GTempfile.TmpFile.persist], a failure leaves everything
 * as it was, except a failed flush of @path's directory with
 * %G_TMP_PERSIST_SYNC: the file is saved at @path then, and the object has
 * followed it, although [method@GTempfile.TmpFile.persist_finish] reports
 * the error.
 *
 * No signal is emitted in the worker thread: the changes of
 * [property@GTempfile.NamedTmpFile:path] and
 * [property@GTempfile.NamedTmpFile:delete] are notified in the caller's
 * context just before @callback runs, and a spooled file's rollover as
 * [property@GTempfile.SpooledTmpFile:rolled-over] describes.
 *
 * Since: 1.0
 */
void
g_tmp_file_persist_async (GTmpFile            *self,
                          const gchar         *path,
                          GTmpPersistFlags     flags,
                          int                  io_priority,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) worker = NULL;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (G_IS_TMP_FILE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail ((flags & ~PERSIST_FLAGS_ALL) == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!persist_begin (self, path, flags, &error))
    {
      g_task_report_error (self, callback, user_data, g_tmp_file_persist_async, error);
      return;
    }

  /* The caller's task, returned by persist_async_done() once the worker's
   * task is back in this context and the object has followed the move. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_tmp_file_persist_async);
  g_task_set_priority (task, io_priority);
  /* Cancelling once the file has been moved must not report a failure:
   * that would claim nothing changed when the file has a new name. */
  g_task_set_check_cancellable (task, FALSE);

  worker = g_task_new (self, cancellable, persist_async_done, task);
  g_task_set_source_tag (worker, persist_thread);
  g_task_set_priority (worker, io_priority);
  g_task_set_task_data (worker, persist_op_new (path, flags), (GDestroyNotify) persist_op_free);
  g_task_set_check_cancellable (worker, FALSE);
  /* The worker notifies nothing: persist_move() changes no property, and a
   * spooled file that rolls over there notifies in its own thread. */
  g_task_run_in_thread (worker, persist_thread);
}

/**
 * g_tmp_file_persist_finish:
 * @self: a #GTmpFile
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@GTempfile.TmpFile.persist_async].
 *
 * Returns: %TRUE if the file now lives at the requested path, %FALSE with
 *   @error set otherwise
 *
 * Since: 1.0
 */
gboolean
g_tmp_file_persist_finish (GTmpFile      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_TMP_FILE (self), FALSE);
  g_return_val_if_fail (_g_tmp_task_is_ours (result, self, g_tmp_file_persist_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

