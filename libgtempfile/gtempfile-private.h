/* gtempfile-private.h — helpers shared between the classes (not installed)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib/gi18n-lib.h>

#include "gtempfile.h"
#include "gtmp-core.h"
#include "gtmp-template.h"

G_BEGIN_DECLS

/*
 * How GTmpFile keeps its bytes.
 *
 * GTmpFile's input and output streams (gtmp-stream.c) never touch a
 * descriptor themselves: they call the file's store. The default store
 * (_g_tmp_file_fd_store) works on the file's descriptor with one shared
 * position. A subclass that keeps bytes elsewhere until it needs a descriptor
 * (GSpooledTmpFile) installs its own store in its instance init, and on
 * rollover hands a descriptor to _g_tmp_file_take_fd(), which switches back to
 * the fd store — behind the same stream objects the caller already holds.
 *
 * All functions are called with the file open (GTmpFile checks "closed")
 * and its lock held (gtmp-stream.h): one runs at a time on a file, and
 * close waits for it.
 */
typedef struct _GTmpFileStore GTmpFileStore;
struct _GTmpFileStore
{
  gssize   (*read)     (GTmpFile      *file,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error);
  gssize   (*write)    (GTmpFile      *file,
                        const void    *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error);
  goffset  (*tell)     (GTmpFile      *file);
  gboolean (*seek)     (GTmpFile      *file,
                        goffset        offset,
                        GSeekType      type,
                        GCancellable  *cancellable,
                        GError       **error);
  gboolean (*truncate) (GTmpFile      *file,
                        goffset        size,
                        GCancellable  *cancellable,
                        GError       **error);
  /* size in bytes, or -1 with @error set */
  goffset  (*get_size) (GTmpFile      *file,
                        GError       **error);
  /* Make sure the file has a descriptor (spooled: roll over). The fd store's
   * version just succeeds. */
  gboolean (*ensure_fd) (GTmpFile     *file,
                         GCancellable *cancellable,
                         GError      **error);
  /* Drop what the store holds (called once, on close). */
  void     (*close)    (GTmpFile      *file);
};

G_GNUC_INTERNAL extern const GTmpFileStore _g_tmp_file_fd_store;

/* Installs @store; call from a subclass's instance init, before GInitable.init.
 * While a non-fd store is installed, init creates no descriptor. */
G_GNUC_INTERNAL
void            _g_tmp_file_set_store     (GTmpFile             *self,
                                           const GTmpFileStore  *store);
G_GNUC_INTERNAL
const GTmpFileStore *_g_tmp_file_get_store (GTmpFile            *self);

/* Calls the store's ensure_fd with the lock held (G_IO_ERROR_CLOSED once
 * closed), for callers outside the streams: get_fd, rollover, persist. */
G_GNUC_INTERNAL
gboolean        _g_tmp_file_ensure_fd     (GTmpFile             *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* For a store function (lock held): emits notify for @pspec in this thread
 * once the lock is released, so that a handler may use the file. */
G_GNUC_INTERNAL
void            _g_tmp_file_notify_unlocked (GTmpFile           *self,
                                             GParamSpec         *pspec);

/* A GTmpFile owning @fd, an anonymous file open for reading and writing
 * (gtmp-file-fd.c); NULL with @error set (INVALID_ARGUMENT for anything
 * else), @fd still the caller's. */
G_GNUC_INTERNAL
GTmpFile       *_g_tmp_file_new_from_fd   (gint                  fd,
                                           GError              **error);

/* Gives the file its descriptor (takes ownership of @fd) and switches to the
 * fd store; a file not yet initialised is from now on (a subclass's init).
 * @linkable: @fd is an O_TMPFILE descriptor that linkat() can name. */
G_GNUC_INTERNAL
void            _g_tmp_file_take_fd       (GTmpFile             *self,
                                           gint                  fd,
                                           gboolean              linkable);

/* The construct-time settings, for subclasses (dir is as given, may be
 * NULL), and for filling in before GInitable.init (_g_tmp_new()). */
G_GNUC_INTERNAL
GTmpTemplate   *_g_tmp_file_get_template  (gpointer              self);
/* Runs @create_locked under the file's lock and returns what it returns:
 * two init_async() at once run GInitable.init in two threads, and one
 * creates the file while the other then finds it. */
typedef gboolean (*GTmpFileCreateFunc) (GTmpFile      *self,
                                        GCancellable  *cancellable,
                                        GError       **error);
G_GNUC_INTERNAL
gboolean        _g_tmp_file_init_locked   (GTmpFile             *self,
                                           GTmpFileCreateFunc    create_locked,
                                           GCancellable         *cancellable,
                                           GError              **error);
/* GTmpFile's GInitable.init, for _g_tmp_new() of a subclass that keeps it. */
G_GNUC_INTERNAL
gboolean        _g_tmp_file_initable_init (GInitable            *initable,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* The name under which the file lives now, or NULL while it has none:
 * GTmpFile owns it, and every string it returned stays valid until
 * finalize. A subclass that creates a named file sets it (taking @path,
 * absolute) in its init; persist() changes it. */
G_GNUC_INTERNAL
const gchar    *_g_tmp_file_get_path      (GTmpFile             *self);
G_GNUC_INTERNAL
void            _g_tmp_file_take_path     (GTmpFile             *self,
                                           gchar                *path);

/* A named file made relative to a descriptor: its name relative to the
 * directory it was made in, *@dfd (owned by the file), beside the absolute
 * path; NULL otherwise, and after a persist. _take_at() takes @dfd (-1:
 * the template's descriptor) and @name. */
G_GNUC_INTERNAL
const gchar    *_g_tmp_file_get_at        (GTmpFile             *self,
                                           gint                 *dfd);
G_GNUC_INTERNAL
void            _g_tmp_file_take_at       (GTmpFile             *self,
                                           gint                  dfd,
                                           gchar                *name);

/* Called by persist(), in the caller's thread, once the file lives at
 * _g_tmp_file_get_path() (@path_changed: it lived elsewhere before). A
 * subclass registers it in its instance init. */
typedef void (*GTmpFilePersistedFunc) (GTmpFile *self,
                                       gboolean  path_changed);
G_GNUC_INTERNAL
void            _g_tmp_file_set_persisted_func (GTmpFile              *self,
                                                GTmpFilePersistedFunc  func);

/* The one "closed" error: G_IO_ERROR_CLOSED, naming @path (the
 * destination of a persist) if not NULL. */
G_GNUC_INTERNAL
void            _g_tmp_file_set_closed_error (GError           **error,
                                              const gchar       *path);

/* The error of every call on a file that was never initialised
 * (G_IO_ERROR_NOT_INITIALIZED). */
G_GNUC_INTERNAL
void            _g_tmp_file_set_uninitialised_error (GError    **error);

/* For a subclass's GInitable.init, with the lock held: TRUE while the file
 * has yet to be initialised (its init has work to do). */
G_GNUC_INTERNAL
gboolean        _g_tmp_file_needs_init    (GTmpFile             *self);
/* Marks the file initialised: its calls work from now on. For the instance
 * init of a subclass that has nothing to initialise (a subclass whose init
 * creates a file gets that from _g_tmp_file_take_fd()). Does nothing once
 * the file is closed. */
G_GNUC_INTERNAL
void            _g_tmp_file_set_initialised (GTmpFile           *self);

/* The persist-in-flight gate (gtmp-gate.c): every operation that reads,
 * writes, moves or rolls the file over runs between _g_tmp_file_op_begin()
 * and _g_tmp_file_op_end(). Begin fails with G_IO_ERROR_PENDING while a
 * persist is in flight (then do not call end); a persist waits for the
 * operations in progress before it touches the file. Thread-safe. */
G_GNUC_INTERNAL
gboolean        _g_tmp_file_op_begin      (GTmpFile             *self,
                                           GError              **error);
G_GNUC_INTERNAL
void            _g_tmp_file_op_end        (GTmpFile             *self);

/* The object's lock, which serialises GInitable.init (a subclass's init
 * holds it too). */
G_GNUC_INTERNAL
GMutex         *_g_tmp_file_get_lock      (GTmpFile             *self);

/* For dispose, first thing: waits for the disk phase of a persist in flight
 * and makes the object follow what it did (new path, delete off), so that
 * dispose neither deletes a persisted file nor races the move. */
G_GNUC_INTERNAL
void            _g_tmp_file_settle_persist (GTmpFile            *self);

G_END_DECLS
