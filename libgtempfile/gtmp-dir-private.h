/* gtmp-dir-private.h — GTmpDir's instance and the state its persist
 * (gtmp-dir-persist.c) and cleanup (gtmp-dir-cleanup.c) share with
 * gtmpdir.c (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtempfile-private.h"

G_BEGIN_DECLS

/* GTmpDir's instance (gtmpdir.c, gtmp-dir-persist.c, gtmp-dir-cleanup.c). */
struct _GTmpDir
{
  GObject   parent_instance;

  /* Construct-only, then read-only. */
  GTmpTemplate tmpl;

  /* Written by the init that creates the directory (under @lock), then
   * only by a persist that moves it (under @lock, atomically: get_path()
   * reads it without the lock), which keeps the old string in @old_paths
   * until finalize, for callers still holding it. */
  gchar    *path;
  GSList   *old_paths;
  /* The name it was created under, relative to @tmpl.dfd, when made
   * relative to a descriptor: the cleanup removes it from there, wherever
   * the descriptor's directory has been moved meanwhile. */
  gchar    *at_path;
  gint      at_dfd;     /* the directory it was made in; -1: @tmpl.dfd */
  gint      creator_pid;

  /* The properties any thread may set: g_atomic_int_*() only. */
  gint      delete;
  gint      ignore_cleanup_errors;

  /* Set (under @lock, atomically: get_path() reads it without the lock)
   * once the directory has been handed out, by path or descriptor. */
  gint      handed_out;

  /* @lock guards all below: cleanup_async() works from a worker thread
   * while the caller may still ask for the fd or start another cleanup.
   * Plain gbooleans, not bitfields: each field its own memory location.
   * They belong to the process @lock_pid (see g_tmp_dir_lock()). */
  gint      lock_pid;
  GMutex    lock;
  GCond     cleaned;
  guint     n_waiting;  /* for @cleaned; broadcasting costs a futex call */
  gint      fd;
  /* A cleanup or a persist (gtmp-dir-persist.c) is under way. */
  gboolean  cleaning;
  gboolean  cleaned_up;
  /* Moved into place by a persist: no cleanup removes it any more. */
  gboolean  persisted;
  /* An explicit cleanup failed and said so: dispose still tries once more
   * (nothing should outlive its owner) but does not log it again. */
  gboolean  failure_reported;
  /* What was at @path when it was first handed out by path (see
   * hand_out()); a cleanup with no descriptor removes no other tree. */
  gboolean  have_id;
  GTmpCoreFileId id;
};

/* Where the directory is looked up: @path by itself, or @at_path below the
 * template's descriptor. */
static inline gint
_g_tmp_dir_where_dfd (GTmpDir *self)
{
  if (self->at_path == NULL)
    return AT_FDCWD;
  return self->at_dfd >= 0 ? self->at_dfd : self->tmpl.dfd;
}

static inline const gchar *
_g_tmp_dir_where_path (GTmpDir *self)
{
  return self->at_path != NULL ? self->at_path : self->path;
}

/* Takes @self->lock (adopting it first in a forked child). */
G_GNUC_INTERNAL
void            _g_tmp_dir_lock           (GTmpDir       *self);

/* Which properties a persist changed, to notify in the caller's context. */
typedef enum
{
  G_TMP_DIR_CHANGED_PATH   = 1 << 0,
  G_TMP_DIR_CHANGED_DELETE = 1 << 1,
} GTmpDirChanges;

/* Waits for a cleanup under way, then marks @self busy (cleanups wait,
 * get_fd() says -1) and gives its path and held descriptor (-1: none),
 * both borrowed and stable until _g_tmp_dir_persist_end(). FALSE with
 * @error set (naming @dest) once it has been removed, or for @exchange
 * once persisted; NOT_INITIALIZED before it has a directory. */
G_GNUC_INTERNAL
gboolean        _g_tmp_dir_persist_begin  (GTmpDir       *self,
                                           const gchar   *dest,
                                           gboolean       exchange,
                                           gchar        **path,
                                           gint          *fd,
                                           GError       **error);

/* Ends the persist begun: @new_path, when moved there (no cleanup removes
 * it from now on, delete is off); @new_fd (taken), when exchanged: the
 * directory now at the object's path, which it owns. Notifies nothing:
 * returns what changed, for _g_tmp_dir_notify_changes(). */
G_GNUC_INTERNAL
GTmpDirChanges  _g_tmp_dir_persist_end    (GTmpDir       *self,
                                           const gchar   *new_path,
                                           gint           new_fd);

/* Removes the tree (gtmp-dir-cleanup.c). Concurrent calls wait for the
 * one under way and then see its outcome; a failure is remembered as
 * reported when @report (dispose then keeps quiet about it). */
G_GNUC_INTERNAL
gboolean        _g_tmp_dir_cleanup_internal (GTmpDir       *self,
                                             gboolean       ignore_errors,
                                             gboolean       report,
                                             GCancellable  *cancellable,
                                             GError       **error);

G_GNUC_INTERNAL
void            _g_tmp_dir_notify_changes (GTmpDir       *self,
                                           GTmpDirChanges changes);

/* What every call that can fail says on an object that has no directory
 * because GInitable.init never succeeded (gtmp-dir-cleanup.c). */
G_GNUC_INTERNAL
void            _g_tmp_dir_set_uninitialised_error (GError **error);

G_END_DECLS
