/* gtmp-file-private.h — GTmpFile's instance data, for the files that
 * implement the class (gtmpfile.c, gtmp-gate.c, gtmp-filestore.c,
 * gtmp-persist.c, gtmp-file-at.c, gtmp-file-fd.c); not for subclasses,
 * which use gtempfile-private.h.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtempfile-private.h"
#include "gtmp-stream.h"

G_BEGIN_DECLS

typedef struct
{
  GTmpTemplate         tmpl;

  const GTmpFileStore *store;
  gint                 fd;

  /* @fd is an O_TMPFILE descriptor that linkat() can give a name. */
  guint                linkable : 1;
  /* @fd was linked beside a destination and unlinked again (the rename
   * over it failed): the kernel never links it again, so the next persist
   * copies it (gtmp-persist.c). Written only by a persist's disk phase. */
  gboolean             link_spent;
  /* (atomic) Set in close_fn under the lock: from then on every operation
   * reports G_IO_ERROR_CLOSED and the store is never called again. Not in
   * the bit field: it is read without the lock. G_TMP_FILE_UNINITIALISED
   * until GInitable.init has succeeded, so that the one check of the hot
   * paths (!closed) also refuses a file that was never initialised. */
  gint                 closed;

  /* Shared with the streams; every call on the store holds its lock. */
  GTmpFileLink        *link;

  /* The name under which the file lives now: a named file's from its
   * creation, an anonymous one's after persist(); NULL while it has none.
   * A persist moves the file from there. Read without the lock (atomic,
   * any thread); replaced only by a persist's commit, which keeps the old
   * string in @old_paths until finalize, for callers still holding it. */
  gchar               *path;
  GSList              *old_paths;
  /* @path relative to @at_dfd (-1: @tmpl.dfd), for a named file made
   * relative to a descriptor: it is moved and removed from there (until a
   * persist), whatever became of the directory's path. */
  gchar               *at_path;
  gint                 at_dfd;
  /* A subclass's hook, called after persist() has set @path. */
  GTmpFilePersistedFunc persisted;

  /* (atomic) The stream operations in progress (OPS_COUNT_MASK) and the
   * persist in flight (OPS_PERSISTING, OPS_MOVING); see gtmp-gate.c. */
  gint                 ops;
  /* Serialises GInitable.init, and lets a persist wait for the operations
   * in progress and dispose for the persist (with @cond). With @ops and
   * @unsettled, they belong to the process @lock_pid (see adopt() in
   * gtmp-gate.c). */
  gint                 lock_pid;
  GMutex               lock;
  GCond                cond;
  /* (owned by the persist_async task) A persist_async that has moved the
   * file, not yet recorded (gtmp-persist.c); under @lock. */
  gpointer             unsettled;

  /* Created on first use; see get_input_stream. */
  GInputStream        *input;
  GOutputStream       *output;
} GTmpFilePrivate;

/* @closed of a file that GInitable.init has not yet initialised: every
 * operation reports G_IO_ERROR_NOT_INITIALIZED. */
#define G_TMP_FILE_UNINITIALISED 2

/* GTmpFile's private offset, as G_DEFINE_TYPE's get_instance_private()
 * uses it, for the class's other files. */
G_GNUC_INTERNAL extern gint _g_tmp_file_private_offset;

static inline GTmpFilePrivate *
_g_tmp_file_get_private (GTmpFile *self)
{
  return (GTmpFilePrivate *) G_STRUCT_MEMBER_P (self, _g_tmp_file_private_offset);
}

/* The link (gtmp-filestore.c) */

/* The file's link, made on first use. */
G_GNUC_INTERNAL
GTmpFileLink *_g_tmp_file_get_link      (GTmpFile         *self,
                                         GTmpFilePrivate  *priv);
/* For close and dispose: the file's link locked, or NULL when it never had
 * one (then it never will). */
G_GNUC_INTERNAL
GTmpFileLink *_g_tmp_file_lock_or_retire_link (GTmpFilePrivate *priv);
/* Locks @link and returns its file if open; else NULL, unlocked, with
 * G_IO_ERROR_CLOSED (G_IO_ERROR_NOT_INITIALIZED if never initialised). */
G_GNUC_INTERNAL
GTmpFile     *_g_tmp_file_link_lock_open (GTmpFileLink    *link,
                                          GError         **error);
/* Unlocks @link, emitting a notification a store function queued. */
G_GNUC_INTERNAL
void          _g_tmp_file_link_unlock   (GTmpFileLink     *link);
/* Locks @link for an operation on the file's bytes: open and not being
 * persisted; _g_tmp_file_link_end() ends it. */
G_GNUC_INTERNAL
gboolean      _g_tmp_file_link_begin    (GTmpFileLink     *link,
                                         GTmpFile        **out_self,
                                         GError          **error);
G_GNUC_INTERNAL
void          _g_tmp_file_link_end      (GTmpFileLink     *link,
                                         GTmpFile         *self);

/* The flags persist() of a file takes. */
#define G_TMP_PERSIST_FILE_FLAGS (G_TMP_PERSIST_NO_REPLACE | \
                                  G_TMP_PERSIST_SYNC | \
                                  G_TMP_PERSIST_ALLOW_COPY | \
                                  G_TMP_PERSIST_DOCUMENT_MODE | \
                                  G_TMP_PERSIST_EXCHANGE)

/* persist() and persist_async() of @path relative to @dfd (AT_FDCWD: the
 * current directory), arguments checked (gtmp-persist.c); the async one's
 * task is tagged @source_tag. */
G_GNUC_INTERNAL
gboolean  _g_tmp_file_persist_at         (GTmpFile            *self,
                                          gint                 dfd,
                                          const gchar         *path,
                                          GTmpPersistFlags     flags,
                                          GCancellable        *cancellable,
                                          GError             **error);
G_GNUC_INTERNAL
void      _g_tmp_file_persist_at_async   (GTmpFile            *self,
                                          gint                 dfd,
                                          const gchar         *path,
                                          GTmpPersistFlags     flags,
                                          int                  io_priority,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data,
                                          gpointer             source_tag);

/* Installs GTmpFile's query_info vfuncs (gtmp-filestore.c). */
G_GNUC_INTERNAL
void          _g_tmp_file_class_init_query_info (GFileIOStreamClass *klass);

/* The persist gate (gtmp-gate.c); see _g_tmp_file_op_begin(). */

/* Lets a persist in: FALSE with G_IO_ERROR_PENDING if one is in flight. */
G_GNUC_INTERNAL
gboolean  _g_tmp_file_gate_close         (GTmpFile  *self,
                                          GError   **error);
G_GNUC_INTERNAL
void      _g_tmp_file_gate_open          (GTmpFile  *self);
/* Starts persist's disk phase once the operations in progress are over. */
G_GNUC_INTERNAL
void      _g_tmp_file_moving_start       (GTmpFile  *self);
/* Ends the disk phase; @unsettled is a persist_async that moved the file
 * and has yet to record it (for dispose), or NULL. */
G_GNUC_INTERNAL
void      _g_tmp_file_moving_end         (GTmpFile  *self,
                                          gpointer   unsettled);
/* Waits for a disk phase in another thread to end and takes the
 * persist_async it leaves to record, if any. */
G_GNUC_INTERNAL
gpointer  _g_tmp_file_wait_unsettled     (GTmpFile  *self);
/* Whether a persist is in flight (for dispose's fast path). */
G_GNUC_INTERNAL
gboolean  _g_tmp_file_is_persisting      (GTmpFile  *self);

G_END_DECLS
