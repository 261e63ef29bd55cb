/* gtmp-dir-cleanup.c — GTmpDir's cleanup: removing the tree on demand, in
 * the caller's thread or a worker, and at dispose (the removal itself is
 * gtmp-rmtree.c's)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gtmp-dir-private.h"
#include "gtmp-rmtree.h"

void
_g_tmp_dir_set_uninitialised_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                       _("The temporary directory is not initialized: "
                         "g_initable_init() (init() in bindings) was not called, or failed"));
}

/* Runs in the caller's thread or in a worker (gtmp-dir-private.h). */
gboolean
_g_tmp_dir_cleanup_internal (GTmpDir       *self,
                             gboolean       ignore_errors,
                             gboolean       report,
                             GCancellable  *cancellable,
                             GError       **error)
{
  GTmpCoreFileId id;
  gboolean have_id;
  gboolean ret;
  gint dirfd;

  _g_tmp_dir_lock (self);
  while (self->cleaning)
    {
      self->n_waiting++;
      g_cond_wait (&self->cleaned, &self->lock);
      self->n_waiting--;
    }
  if (self->cleaned_up || self->persisted || self->path == NULL)
    {
      g_mutex_unlock (&self->lock);
      if (G_LIKELY (self->path != NULL))
        return TRUE;

      _g_tmp_dir_set_uninitialised_error (error);
      return FALSE;
    }
  /* Cancelled before it starts: nothing is removed, not even an empty
   * directory (the rmdir would not look at @cancellable). */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      self->failure_reported |= report;
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->cleaning = TRUE;
  dirfd = self->fd;
  id = self->id;
  have_id = self->have_id;
  g_mutex_unlock (&self->lock);

  ret = _g_tmp_rmtree_remove_at (_g_tmp_dir_where_dfd (self), _g_tmp_dir_where_path (self), self->path, dirfd,
                                 have_id ? &id : NULL, ignore_errors, cancellable, error);

  _g_tmp_dir_lock (self);
  self->cleaning = FALSE;
  if (ret)
    {
      self->cleaned_up = TRUE;
      _g_tmp_core_clear_fd (&self->fd);
    }
  else
    self->failure_reported |= report;
  if (self->n_waiting > 0)
    g_cond_broadcast (&self->cleaned);
  g_mutex_unlock (&self->lock);

  return ret;
}

/**
 * g_tmp_dir_cleanup:
 * @self: a #GTmpDir
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Removes the directory and everything in it, now.
 *
 * The removal never follows a symbolic link and never changes anything
 * outside the tree; see [class@GTempfile.TmpDir]. When an entry cannot be
 * removed, @error names it; with [property@GTempfile.TmpDir:ignore-cleanup-errors]
 * everything removable is removed and the call succeeds anyway.
 *
 * This removes the directory whatever [property@GTempfile.TmpDir:delete]
 * says: that property only decides what happens at dispose. A directory
 * published by [method@GTempfile.TmpDir.persist] (not exchanged) is not
 * removed: the call succeeds and does nothing.
 *
 * Once a cleanup has succeeded, further calls do nothing and succeed;
 * after a failure (or cancellation) a new call tries again, and so does
 * disposing the object — silently, since the failure was reported here.
 * With @cancellable cancelled before the call nothing is removed, not even
 * an empty directory. A non-empty directory at the path that is not the
 * one created is left alone (see [class@GTempfile.TmpDir]).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *   (%G_IO_ERROR_NOT_INITIALIZED for an object that was never initialised)
 *
 * Since: 1.0
 */
gboolean
g_tmp_dir_cleanup (GTmpDir       *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _g_tmp_dir_cleanup_internal (self, g_atomic_int_get (&self->ignore_cleanup_errors),
                                     TRUE, cancellable, error);
}

static void
g_tmp_dir_cleanup_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  GTmpDir *self = source_object;
  gboolean ignore_errors = GPOINTER_TO_UINT (task_data);
  GError *error = NULL;
  gboolean ret;

  ret = _g_tmp_dir_cleanup_internal (self, ignore_errors, TRUE, cancellable, &error);
  _g_tmp_task_return_boolean (task, ret, error);
}

/**
 * g_tmp_dir_cleanup_async:
 * @self: a #GTmpDir
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the cleanup is done
 * @user_data: data for @callback
 *
 * Removes the directory and everything in it in a worker thread, like
 * [method@GTempfile.TmpDir.cleanup], without blocking the main loop.
 * @self is kept alive until @callback has run; call
 * [method@GTempfile.TmpDir.cleanup_finish] from it. As with the synchronous
 * call, the directory is removed whatever [property@GTempfile.TmpDir:delete]
 * says; [property@GTempfile.TmpDir:ignore-cleanup-errors] is read now, when
 * the call is made.
 *
 * Cancelling stops the removal between two entries; what was removed
 * stays removed, and a later cleanup removes the rest. A cleanup that has
 * finished is not undone nor reported as cancelled by a cancellation that
 * comes after it, before @callback runs. Cancelled before it starts,
 * nothing is removed (not even an empty directory).
 *
 * Since: 1.0
 */
void
g_tmp_dir_cleanup_async (GTmpDir             *self,
                         int                  io_priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_TMP_DIR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The worker reports cancellation itself: a cleanup that has finished
   * is not "cancelled" by a cancel that comes after it. */
  task = _g_tmp_task_new (self, g_tmp_dir_cleanup_async, io_priority, cancellable,
                          callback, user_data);
  /* Fixed now: the caller may change the property while the worker runs. */
  g_task_set_task_data (task,
                        GUINT_TO_POINTER (g_atomic_int_get (&self->ignore_cleanup_errors)),
                        NULL);
  g_task_run_in_thread (task, g_tmp_dir_cleanup_thread);
}

/**
 * g_tmp_dir_cleanup_finish:
 * @self: a #GTmpDir
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes [method@GTempfile.TmpDir.cleanup_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
g_tmp_dir_cleanup_finish (GTmpDir       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), FALSE);

  return _g_tmp_finish_boolean (self, result, g_tmp_dir_cleanup_async, error);
}
