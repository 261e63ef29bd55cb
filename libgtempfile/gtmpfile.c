/* gtmpfile.c — an anonymous temporary file as a GIO stream
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "gtempfile-private.h"
#include "gtmp-stream.h"

/**
 * GTmpFile:
 *
 * A temporary file with no name in the file system, as a read/write stream.
 *
 * `GTmpFile` is GLib's take on Python's `tempfile.TemporaryFile()`: the file
 * is created with `O_TMPFILE` where the file system allows it (otherwise it is
 * created and unlinked before the constructor returns), so no other process can
 * find it by name and nothing is left behind when the process dies. Closing the
 * stream, or dropping the last reference, frees it.
 *
 * It is a [class@Gio.FileIOStream]: the streams returned by
 * [method@Gio.IOStream.get_input_stream] and
 * [method@Gio.IOStream.get_output_stream] share one position, the object
 * implements [iface@Gio.Seekable] (seek, tell, truncate) and
 * [method@Gio.FileIOStream.query_info] reports `standard::size`,
 * `standard::type` and `unix::mode`.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(GTmpFile) tmp = g_tmp_file_new (NULL, NULL, NULL, &error);
 * GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
 * GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (tmp));
 * gchar buf[6] = { 0, };
 *
 * g_output_stream_write_all (out, "hello", 5, NULL, NULL, &error);
 * g_seekable_seek (G_SEEKABLE (tmp), 0, G_SEEK_SET, NULL, &error);
 * g_input_stream_read_all (in, buf, 5, NULL, NULL, &error);
 * ```
 *
 * A temporary file can be given a permanent name atomically with
 * [method@GTempfile.TmpFile.persist]: write the new contents of a document
 * into a `GTmpFile` created in the document's directory, then persist it over
 * the old one. Readers see either the old or the new file, never a half-written
 * one, and a crash leaves no stray file behind.
 *
 * The class is derivable: [class@GTempfile.NamedTmpFile] gives the file a
 * visible name and [class@GTempfile.SpooledTmpFile] keeps it in memory until it
 * grows.
 *
 * ## Threads
 *
 * GIO's rules hold, with the file usable from any thread:
 *
 * - Each stream allows one pending operation, as in GIO: a second call on
 *   the same stream fails with %G_IO_ERROR_PENDING. A read on the input
 *   stream and a write on the output stream may run at once, in two threads
 *   or asynchronously. Each read, write, seek, truncate, query or
 *   [method@GTempfile.TmpFile.get_fd] works on the file alone, one at a
 *   time; they share one position, so a seek in one thread moves the next
 *   write of the other.
 * - An operation in flight keeps what it uses alive. Closing the file,
 *   disposing it or dropping the last reference while an operation runs
 *   waits for the read or write running at that moment (so its result is
 *   what it did); the ones that start later fail with %G_IO_ERROR_CLOSED.
 * - [method@Gio.IOStream.close] fails with %G_IO_ERROR_PENDING while
 *   [method@GTempfile.TmpFile.persist] or another operation on the file
 *   itself (not one of its streams) is pending, as GIO does.
 *
 * While a persist is in flight — from the call of
 * [method@GTempfile.TmpFile.persist] until it returns, or of
 * [method@GTempfile.TmpFile.persist_async] until its callback has run —
 * reads, writes, skips, seeks and truncates on either stream,
 * [method@GTempfile.TmpFile.get_fd] and
 * [method@GTempfile.SpooledTmpFile.rollover] fail with %G_IO_ERROR_PENDING
 * (and so do [method@Gio.IOStream.close], `query_info` and a second
 * persist, which GIO refuses while the stream is pending). Those that had
 * already started when the persist was called finish first: the persist
 * waits for them, so every byte a write acknowledged is in the persisted
 * file. [method@Gio.Seekable.tell] is not refused; during a persist it may
 * report a stale position. A persist must not be called from a signal
 * handler that runs inside one of the file's own operations (such as
 * `notify::rolled-over` emitted by a write): it would wait for itself.
 *
 * An async operation holds a reference to the file until its callback has
 * run. Dropping the last reference of your own, or
 * [method@GObject.Object.run_dispose], during a `persist_async()` waits
 * for the file to be moved (or for the move to fail) and follows it: a
 * persisted file is never deleted, a temporary whose persist failed is.
 *
 * [method@GTempfile.TmpFile.get_fd] returns the descriptor itself: what
 * another thread does through it is not synchronised with the streams.
 * Two `init_async()` calls on one object create one file.
 *
 * Since: 1.0
 */

typedef struct
{
  gchar               *dir;
  gchar               *prefix;
  gchar               *suffix;
  guint                mode;

  const GTmpFileStore *store;
  gint                 fd;

  /* @fd is an O_TMPFILE descriptor that linkat() can give a name. */
  guint                linkable : 1;
  /* (atomic) Set in close_fn under the lock: from then on every operation
   * reports G_IO_ERROR_CLOSED and the store is never called again. Not in
   * the bit field: it is read without the lock. */
  gint                 closed;

  /* Shared with the streams; every call on the store holds its lock. */
  GTmpFileLink        *link;

  /* Where an anonymous file lives after persist(); NULL before. Later
   * persists move it from there like a named file. */
  gchar               *persisted_path;

  /* (atomic) The stream operations in progress (OPS_COUNT_MASK) and the
   * persist in flight (OPS_PERSISTING, OPS_MOVING); see OPS_PERSISTING. */
  gint                 ops;
  /* Serialises GInitable.init, and lets a persist wait for the operations
   * in progress and dispose for the persist (with @cond). */
  GMutex               lock;
  GCond                cond;
  /* (owned by the persist_async task) A persist_async that has moved the
   * file, not yet recorded by persist_commit(); under @lock. */
  gpointer             unsettled;

  /* Created on first use; see get_input_stream. */
  GInputStream        *input;
  GOutputStream       *output;
} GTmpFilePrivate;

enum {
  PROP_0,
  PROP_DIR,
  PROP_PREFIX,
  PROP_SUFFIX,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void g_tmp_file_initable_iface_init       (GInitableIface      *iface);
static void g_tmp_file_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (GTmpFile, g_tmp_file, G_TYPE_FILE_IO_STREAM,
                         G_ADD_PRIVATE (GTmpFile)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                g_tmp_file_initable_iface_init)
                         G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                g_tmp_file_async_initable_iface_init))

/* The functions on a file's way from g_tmp_file_new() to the last unref
 * (init, set_property, close_fn, dispose, finalize) cast without a check:
 * GObject only ever hands them our own instances, and each checked cast
 * of a derivable type cost ~100 instructions in GLib 2.74, together a
 * sixth of a lifecycle's user-space work (benchmarks/README.md). */

G_DEFINE_FLAGS_TYPE (GTmpPersistFlags, g_tmp_persist_flags,
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_NO_REPLACE, "no-replace"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_SYNC, "sync"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_ALLOW_COPY, "allow-copy"))

#define PERSIST_FLAGS_ALL (G_TMP_PERSIST_NO_REPLACE | \
                           G_TMP_PERSIST_SYNC | \
                           G_TMP_PERSIST_ALLOW_COPY)

static void
set_closed_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                       _("The temporary file is closed"));
}

/* A persist in flight (from the call to the end of persist() or to the
 * callback of persist_async()) refuses every other operation on the file
 * with G_IO_ERROR_PENDING, and waits for those already in progress before
 * it touches the file: every byte a write acknowledged is in the persisted
 * file, and nothing can roll a spooled file over behind its back.
 *
 * The state is one atomic word, so that a read or a write pays two atomic
 * additions and no lock; the lock and the condition are for the waiters. */
#define OPS_PERSISTING (1 << 30)   /* refuse operations */
#define OPS_MOVING     (1 << 29)   /* persist's disk phase is yet to end */
#define OPS_COUNT_MASK (OPS_MOVING - 1)

static void
set_pending_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                       _("The temporary file is being persisted"));
}

static void
ops_wake (GTmpFilePrivate *priv)
{
  g_mutex_lock (&priv->lock);
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

void
_g_tmp_file_op_end (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gint old = g_atomic_int_add (&priv->ops, -1);

  /* The last operation a persist waits for. */
  if (G_UNLIKELY ((old & OPS_PERSISTING) && ((old - 1) & OPS_COUNT_MASK) == 0))
    ops_wake (priv);
}

gboolean
_g_tmp_file_op_begin (GTmpFile  *self,
                      GError   **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (G_LIKELY (!(g_atomic_int_add (&priv->ops, 1) & OPS_PERSISTING)))
    return TRUE;

  _g_tmp_file_op_end (self);
  set_pending_error (error);
  return FALSE;
}

/* Lets a persist in: FALSE with G_IO_ERROR_PENDING if one is in flight. */
static gboolean
persist_gate_close (GTmpFile  *self,
                    GError   **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* The disk phase counts as begun already: a dispose that comes before
   * the worker has started waits for it too. */
  if (g_atomic_int_or ((guint *) &priv->ops, OPS_PERSISTING | OPS_MOVING) & OPS_PERSISTING)
    {
      set_pending_error (error);
      return FALSE;
    }

  return TRUE;
}

static void
persist_gate_open (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  g_atomic_int_and ((guint *) &priv->ops, ~(guint) OPS_PERSISTING);
}

/* Starts persist's disk phase once the operations in progress are over.
 * (So a persist from inside one of them, such as a notify::rolled-over
 * handler run by a write, would wait for itself: the reference forbids it.) */
static void
persist_moving_start (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  while (g_atomic_int_get (&priv->ops) & OPS_COUNT_MASK)
    g_cond_wait (&priv->cond, &priv->lock);
  g_mutex_unlock (&priv->lock);
}

/* Ends the disk phase; @unsettled is a persist_async that moved the file
 * and has yet to record it (for dispose), or NULL. */
static void
persist_moving_end (GTmpFile *self,
                    gpointer  unsettled)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  priv->unsettled = unsettled;
  g_atomic_int_and ((guint *) &priv->ops, ~(guint) OPS_MOVING);
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

/* Waits for a persist's disk phase in another thread to end and returns
 * the persist_async it leaves to record, if any (taking it: it is recorded
 * once, by whoever takes it). */
static gpointer
persist_wait_unsettled (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gpointer op;

  g_mutex_lock (&priv->lock);
  while (g_atomic_int_get (&priv->ops) & OPS_MOVING)
    g_cond_wait (&priv->cond, &priv->lock);
  op = g_steal_pointer (&priv->unsettled);
  g_mutex_unlock (&priv->lock);

  return op;
}

GMutex *
_g_tmp_file_get_lock (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return &priv->lock;
}


/* The default store: the descriptor, with the kernel's file offset as the
 * one shared position. */

static gssize
fd_store_read (GTmpFile      *self,
               void          *buffer,
               gsize          count,
               GCancellable  *cancellable,
               GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gssize n;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  do
    n = read (priv->fd, buffer, count);
  while (G_UNLIKELY (n < 0 && errno == EINTR));

  if (G_UNLIKELY (n < 0))
    _g_tmp_core_set_error (error, errno, _("Could not read from the temporary file"));

  return n;
}

static gssize
fd_store_write (GTmpFile      *self,
                const void    *buffer,
                gsize          count,
                GCancellable  *cancellable,
                GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gssize n;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  do
    n = write (priv->fd, buffer, count);
  while (G_UNLIKELY (n < 0 && errno == EINTR));

  if (G_UNLIKELY (n < 0))
    _g_tmp_core_set_error (error, errno, _("Could not write to the temporary file"));

  return n;
}

static goffset
fd_store_tell (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  off_t pos = lseek (priv->fd, 0, SEEK_CUR);

  return pos < 0 ? 0 : pos;
}

static gboolean
fd_store_seek (GTmpFile      *self,
               goffset        offset,
               GSeekType      type,
               GCancellable  *cancellable,
               GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gint whence;

  switch (type)
    {
    case G_SEEK_SET:
      whence = SEEK_SET;
      break;
    case G_SEEK_CUR:
      whence = SEEK_CUR;
      break;
    case G_SEEK_END:
      whence = SEEK_END;
      break;
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Invalid seek type"));
      return FALSE;
    }

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (lseek (priv->fd, offset, whence) < 0)
    {
      _g_tmp_core_set_error (error, errno, _("Could not seek in the temporary file"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
fd_store_truncate (GTmpFile      *self,
                   goffset        size,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gint res;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  do
    res = ftruncate (priv->fd, size);
  while (res < 0 && errno == EINTR);

  if (res < 0)
    {
      _g_tmp_core_set_error (error, errno, _("Could not truncate the temporary file"));
      return FALSE;
    }

  return TRUE;
}

static goffset
fd_store_get_size (GTmpFile  *self,
                   GError   **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  struct stat st;

  if (fstat (priv->fd, &st) < 0)
    {
      _g_tmp_core_set_error (error, errno, _("Could not query the temporary file"));
      return -1;
    }

  return st.st_size;
}

static gboolean
fd_store_ensure_fd (GTmpFile      *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return TRUE;
}

static void
fd_store_close (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  _g_tmp_core_clear_fd (&priv->fd);
}

const GTmpFileStore _g_tmp_file_fd_store = {
  .read      = fd_store_read,
  .write     = fd_store_write,
  .tell      = fd_store_tell,
  .seek      = fd_store_seek,
  .truncate  = fd_store_truncate,
  .get_size  = fd_store_get_size,
  .ensure_fd = fd_store_ensure_fd,
  .close     = fd_store_close,
};


/* The lock (gtmp-stream.h) */

/* The link of a file closed or disposed before anything needed one: its
 * file is NULL, so every call through it reports G_IO_ERROR_CLOSED. Static,
 * so not counted. */
static GTmpFileLink closed_link;

GTmpFileLink *
_g_tmp_file_link_new (GTmpFile *file)
{
  GTmpFileLink *link = g_new0 (GTmpFileLink, 1);

  g_mutex_init (&link->lock);
  link->file = file;
  g_atomic_ref_count_init (&link->ref_count);

  return link;
}

GTmpFileLink *
_g_tmp_file_link_ref (GTmpFileLink *link)
{
  if (link != &closed_link)
    g_atomic_ref_count_inc (&link->ref_count);

  return link;
}

void
_g_tmp_file_link_unref (GTmpFileLink *link)
{
  if (link == &closed_link || !g_atomic_ref_count_dec (&link->ref_count))
    return;

  g_mutex_clear (&link->lock);
  g_free (link);
}

/* The file's link, made on first use: a file that is only created and
 * closed needs none, which spares its lifecycle an allocation and two
 * round trips of the lock (~400 instructions of ~4,400). */
static GTmpFileLink *
get_link (GTmpFile        *self,
          GTmpFilePrivate *priv)
{
  GTmpFileLink *link = g_atomic_pointer_get (&priv->link);

  if (G_LIKELY (link != NULL))
    return link;

  link = _g_tmp_file_link_new (self);
  if (!g_atomic_pointer_compare_and_exchange (&priv->link, NULL, link))
    {
      _g_tmp_file_link_unref (link);
      link = g_atomic_pointer_get (&priv->link);
    }

  return link;
}

/* For close and dispose: returns the file's link locked, or NULL when it
 * never had one. Then it never will (get_link() finds closed_link from now
 * on), so no operation can be running and none can start. */
static GTmpFileLink *
lock_or_retire_link (GTmpFilePrivate *priv)
{
  GTmpFileLink *link;

  if (g_atomic_pointer_compare_and_exchange (&priv->link, NULL, &closed_link))
    return NULL;

  link = g_atomic_pointer_get (&priv->link);
  g_mutex_lock (&link->lock);

  return link;
}

/* Locks @link and returns its file if it is open; otherwise returns NULL,
 * unlocked, with G_IO_ERROR_CLOSED. Holding the lock keeps close and
 * dispose (which take it too) from freeing what the caller is using. */
static inline GTmpFile *
link_lock_open (GTmpFileLink  *link,
                GError       **error)
{
  GTmpFile *self;

  g_mutex_lock (&link->lock);

  self = link->file;
  if (G_LIKELY (self != NULL))
    {
      GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

      if (G_LIKELY (!priv->closed))
        return self;
    }

  g_mutex_unlock (&link->lock);
  set_closed_error (error);

  return NULL;
}

/* A notification must not be emitted with the lock held: a handler that
 * touches the file would deadlock. The reference keeps the file alive
 * should another thread drop the last one meanwhile. */
static void
link_unlock_and_notify (GTmpFileLink *link)
{
  GObject *file = g_object_ref ((GObject *) link->file);
  GParamSpec *pspec = g_steal_pointer (&link->notify);

  g_mutex_unlock (&link->lock);
  g_object_notify_by_pspec (file, pspec);
  g_object_unref (file);
}

static inline void
link_unlock (GTmpFileLink *link)
{
  if (G_LIKELY (link->notify == NULL))
    g_mutex_unlock (&link->lock);
  else
    link_unlock_and_notify (link);
}

/* Starts an operation on the file's bytes: locks @link and checks that the
 * file is open and not being persisted. On success *out_self is the file,
 * and link_end() ends the operation. */
static inline gboolean
link_begin (GTmpFileLink  *link,
            GTmpFile     **out_self,
            GError       **error)
{
  GTmpFile *self = link_lock_open (link, error);

  if (G_UNLIKELY (self == NULL))
    return FALSE;

  if (G_UNLIKELY (!_g_tmp_file_op_begin (self, error)))
    {
      link_unlock (link);
      return FALSE;
    }

  *out_self = self;
  return TRUE;
}

static inline void
link_end (GTmpFileLink *link,
          GTmpFile     *self)
{
  _g_tmp_file_op_end (self);
  link_unlock (link);
}


/* The file's side of the streams (gtmp-stream.h) */

gssize
_g_tmp_file_stream_read (GTmpFileLink  *link,
                         void          *buffer,
                         gsize          count,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GTmpFile *self;
  GTmpFilePrivate *priv;
  gssize n;

  if (G_UNLIKELY (!link_begin (link, &self, error)))
    return -1;

  priv = g_tmp_file_get_instance_private (self);
  n = priv->store->read (self, buffer, count, cancellable, error);
  link_end (link, self);

  return n;
}

gssize
_g_tmp_file_stream_write (GTmpFileLink  *link,
                          const void    *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  GTmpFile *self;
  GTmpFilePrivate *priv;
  gssize n;

  if (G_UNLIKELY (!link_begin (link, &self, error)))
    return -1;

  priv = g_tmp_file_get_instance_private (self);
  n = priv->store->write (self, buffer, count, cancellable, error);
  link_end (link, self);

  return n;
}

static gssize
skip_locked (GTmpFile      *self,
             gsize          count,
             GCancellable  *cancellable,
             GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  goffset position;
  goffset size;
  gsize n;

  position = priv->store->tell (self);
  size = priv->store->get_size (self, error);
  if (size < 0)
    return -1;

  /* Like read(): nothing to skip at or past the end. */
  n = position < size ? (gsize) MIN ((guint64) count, (guint64) (size - position)) : 0;
  if (n > 0 && !priv->store->seek (self, n, G_SEEK_CUR, cancellable, error))
    return -1;

  return n;
}

gssize
_g_tmp_file_stream_skip (GTmpFileLink  *link,
                         gsize          count,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GTmpFile *self;
  gssize n;

  if (!link_begin (link, &self, error))
    return -1;

  n = skip_locked (self, count, cancellable, error);
  link_end (link, self);

  return n;
}

goffset
_g_tmp_file_stream_tell (GTmpFileLink *link)
{
  GTmpFile *self = link_lock_open (link, NULL);
  GTmpFilePrivate *priv;
  goffset position;

  if (self == NULL)
    return 0;

  priv = g_tmp_file_get_instance_private (self);
  position = priv->store->tell (self);
  link_unlock (link);

  return position;
}

gboolean
_g_tmp_file_stream_seek (GTmpFileLink  *link,
                         goffset        offset,
                         GSeekType      type,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GTmpFile *self;
  GTmpFilePrivate *priv;
  gboolean ret;

  if (!link_begin (link, &self, error))
    return FALSE;

  priv = g_tmp_file_get_instance_private (self);
  ret = priv->store->seek (self, offset, type, cancellable, error);
  link_end (link, self);

  return ret;
}

gboolean
_g_tmp_file_stream_truncate (GTmpFileLink  *link,
                             goffset        size,
                             GCancellable  *cancellable,
                             GError       **error)
{
  GTmpFile *self;
  GTmpFilePrivate *priv;
  gboolean ret;

  if (!link_begin (link, &self, error))
    return FALSE;

  if (size < 0)
    {
      link_end (link, self);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Cannot truncate a file to a negative size"));
      return FALSE;
    }

  priv = g_tmp_file_get_instance_private (self);
  ret = priv->store->truncate (self, size, cancellable, error);
  link_end (link, self);

  return ret;
}


/* Internal interface for subclasses (gtempfile-private.h) */

void
_g_tmp_file_set_store (GTmpFile            *self,
                       const GTmpFileStore *store)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  g_return_if_fail (G_IS_TMP_FILE (self));
  g_return_if_fail (store != NULL);

  priv->store = store;
}

const GTmpFileStore *
_g_tmp_file_get_store (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  g_return_val_if_fail (G_IS_TMP_FILE (self), NULL);

  return priv->store;
}

gboolean
_g_tmp_file_ensure_fd (GTmpFile      *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  GTmpFileLink *link = get_link (self, priv);
  gboolean ret;

  if (link_lock_open (link, error) == NULL)
    return FALSE;

  ret = priv->store->ensure_fd (self, cancellable, error);
  link_unlock (link);

  return ret;
}

void
_g_tmp_file_notify_unlocked (GTmpFile   *self,
                             GParamSpec *pspec)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* Under the lock, so the link exists. */
  priv->link->notify = pspec;
}

void
_g_tmp_file_take_fd (GTmpFile *self,
                     gint      fd,
                     gboolean  linkable)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  g_return_if_fail (fd >= 0);

  if (priv->fd != fd)
    _g_tmp_core_clear_fd (&priv->fd);

  priv->fd = fd;
  priv->linkable = !!linkable;
  priv->store = &_g_tmp_file_fd_store;
}

const gchar *
_g_tmp_file_get_dir (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return priv->dir;
}

const gchar *
_g_tmp_file_get_prefix (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return priv->prefix;
}

const gchar *
_g_tmp_file_get_suffix (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return priv->suffix;
}

guint
_g_tmp_file_get_mode (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return priv->mode;
}


void
_g_tmp_file_set_construct (GTmpFile    *self,
                           const gchar *dir,
                           const gchar *prefix,
                           const gchar *suffix)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* GObject has set them to their defaults (NULL) already. */
  g_assert (priv->dir == NULL && priv->prefix == NULL && priv->suffix == NULL);

  priv->dir = g_strdup (dir);
  priv->prefix = g_strdup (prefix);
  priv->suffix = g_strdup (suffix);
}


/* GInitable, GAsyncInitable */

static gboolean
create_locked (GTmpFile      *self,
               GCancellable  *cancellable,
               GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gboolean linkable = FALSE;
  gint fd;

  /* Already initialized, or a subclass keeps its bytes elsewhere for now. */
  if (priv->fd >= 0 || priv->store != &_g_tmp_file_fd_store)
    return TRUE;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  fd = _g_tmp_core_create_anonymous (priv->dir, priv->prefix, priv->suffix,
                                     priv->mode, &linkable, NULL, error);
  if (fd < 0)
    return FALSE;

  priv->fd = fd;
  priv->linkable = !!linkable;

  return TRUE;
}

static gboolean
g_tmp_file_initable_init (GInitable     *initable,
                          GCancellable  *cancellable,
                          GError       **error)
{
  GTmpFile *self = (GTmpFile *) initable;
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gboolean ret;

  /* Two init_async() at once run this in two threads: one creates the
   * file, the other then finds it, rather than creating a second one and
   * losing its descriptor. */
  g_mutex_lock (&priv->lock);
  ret = create_locked (self, cancellable, error);
  g_mutex_unlock (&priv->lock);

  return ret;
}

static void
g_tmp_file_initable_iface_init (GInitableIface *iface)
{
  iface->init = g_tmp_file_initable_init;
}

static void
g_tmp_file_async_initable_iface_init (GAsyncInitableIface *iface)
{
  /* The default implementation runs GInitable.init in a worker thread and
   * calls back in the caller's thread-default main context. */
}


/* GIOStream, GFileIOStream */

static GInputStream *
g_tmp_file_get_input_stream (GIOStream *stream)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* Created on first use, so that a file nobody reads through a stream
   * costs no allocation; the exchange makes two racing callers agree. */
  if (g_atomic_pointer_get (&priv->input) == NULL)
    {
      GInputStream *input = _g_tmp_file_input_stream_new (get_link (self, priv));

      /* First asked for after close_fn: closed like the ones it closed. */
      if (priv->closed)
        g_input_stream_close (input, NULL, NULL);
      if (!g_atomic_pointer_compare_and_exchange (&priv->input, NULL, input))
        g_object_unref (input);
    }

  return priv->input;
}

static GOutputStream *
g_tmp_file_get_output_stream (GIOStream *stream)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (g_atomic_pointer_get (&priv->output) == NULL)
    {
      GOutputStream *output = _g_tmp_file_output_stream_new (get_link (self, priv));

      if (priv->closed)
        g_output_stream_close (output, NULL, NULL);
      if (!g_atomic_pointer_compare_and_exchange (&priv->output, NULL, output))
        g_object_unref (output);
    }

  return priv->output;
}

static gboolean
g_tmp_file_close_fn (GIOStream     *stream,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GTmpFile *self = (GTmpFile *) stream;
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  GTmpFileLink *link;
  gboolean ret = TRUE;

  /* Waits for the read or write running on a stream, if any: it finishes
   * with what it did, and every later one reports G_IO_ERROR_CLOSED. */
  link = lock_or_retire_link (priv);
  g_atomic_int_set (&priv->closed, TRUE);

  if (priv->fd >= 0)
    {
      gint fd = _g_tmp_core_steal_fd (&priv->fd);

      /* On Linux the descriptor is gone even when close() fails with EINTR,
       * so never retry; other errors (delayed write errors on network file
       * systems) are worth reporting. */
      if (close (fd) < 0 && errno != EINTR)
        {
          _g_tmp_core_set_error (error, errno, _("Could not close the temporary file"));
          ret = FALSE;
        }
    }

  priv->store->close (self);
  if (link != NULL)
    g_mutex_unlock (&link->lock);

  /* GIOStream promises that closing it closes both sides. Ours have no
   * close_fn, so this only marks them closed; a side with an operation
   * pending in GIO stays open (GIO says G_IO_ERROR_PENDING), but its file
   * is closed all the same. */
  if (priv->input != NULL)
    g_input_stream_close (priv->input, NULL, NULL);
  if (priv->output != NULL)
    g_output_stream_close (priv->output, NULL, NULL);

  return ret;
}

static goffset
g_tmp_file_tell (GFileIOStream *stream)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return _g_tmp_file_stream_tell (get_link (self, priv));
}

static gboolean
g_tmp_file_can_seek (GFileIOStream *stream)
{
  return TRUE;
}

static gboolean
g_tmp_file_seek (GFileIOStream  *stream,
                 goffset         offset,
                 GSeekType       type,
                 GCancellable   *cancellable,
                 GError        **error)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return _g_tmp_file_stream_seek (get_link (self, priv), offset, type, cancellable, error);
}

static gboolean
g_tmp_file_can_truncate (GFileIOStream *stream)
{
  return TRUE;
}

static gboolean
g_tmp_file_truncate (GFileIOStream  *stream,
                     goffset         size,
                     GCancellable   *cancellable,
                     GError        **error)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return _g_tmp_file_stream_truncate (get_link (self, priv), size, cancellable, error);
}

static void
set_info_from_stat (GFileInfo         *info,
                    const struct stat *st)
{
  g_file_info_set_file_type (info, S_ISREG (st->st_mode) ? G_FILE_TYPE_REGULAR
                                                         : G_FILE_TYPE_SPECIAL);
  g_file_info_set_size (info, st->st_size);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_STANDARD_ALLOCATED_SIZE,
                                    (guint64) st->st_blocks * 512);
  g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE, st->st_mode);
  g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_NLINK, st->st_nlink);
  g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_UID, st->st_uid);
  g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_GID, st->st_gid);
  g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE, st->st_dev);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE, st->st_ino);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED, st->st_mtime);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_ACCESS, st->st_atime);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_CHANGED, st->st_ctime);
}

static GFileInfo *
query_info_masked (GTmpFile               *self,
                   GFileAttributeMatcher  *matcher,
                   GError                **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  g_autoptr(GFileInfo) info = g_file_info_new ();

  /* With a mask, the setters below ignore what was not asked for. */
  g_file_info_set_attribute_mask (info, matcher);

  if (priv->fd >= 0)
    {
      struct stat st;

      if (fstat (priv->fd, &st) < 0)
        {
          _g_tmp_core_set_error (error, errno, _("Could not query the temporary file"));
          return NULL;
        }

      set_info_from_stat (info, &st);
    }
  else
    {
      /* A store without a descriptor (a spooled file still in memory): what
       * the file will be once it is on disk. */
      goffset size = priv->store->get_size (self, error);
      guint mode = priv->mode != 0 ? priv->mode : G_TMP_CORE_FILE_MODE;

      if (size < 0)
        return NULL;

      g_file_info_set_file_type (info, G_FILE_TYPE_REGULAR);
      g_file_info_set_size (info, size);
      g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE, S_IFREG | mode);
    }

  g_file_info_unset_attribute_mask (info);

  return g_steal_pointer (&info);
}

static GFileInfo *
g_tmp_file_query_info (GFileIOStream  *stream,
                       const char     *attributes,
                       GCancellable   *cancellable,
                       GError        **error)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  GFileAttributeMatcher *matcher;
  GTmpFileLink *link;
  GFileInfo *info;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  link = get_link (self, priv);
  if (link_lock_open (link, error) == NULL)
    return NULL;

  matcher = g_file_attribute_matcher_new (attributes);
  info = query_info_masked (self, matcher, error);
  g_file_attribute_matcher_unref (matcher);
  link_unlock (link);

  return info;
}


static void
query_info_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  GFileInfo *info;

  /* The vfunc, not g_file_io_stream_query_info(): the async wrapper has
   * already marked the stream pending. */
  info = G_FILE_IO_STREAM_GET_CLASS (source_object)->query_info (source_object, task_data,
                                                                 cancellable, &error);
  if (info != NULL)
    g_task_return_pointer (task, info, g_object_unref);
  else
    g_task_return_error (task, error);
}

/* GFileIOStream's default would ask the output stream, which is not a
 * GFileOutputStream here. */
static void
g_tmp_file_query_info_async (GFileIOStream       *stream,
                             const char          *attributes,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_tmp_file_query_info_async);
  g_task_set_priority (task, io_priority);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, g_strdup (attributes), g_free);
  g_task_run_in_thread (task, query_info_thread);
}

static GFileInfo *
g_tmp_file_query_info_finish (GFileIOStream  *stream,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GObject */

static void
g_tmp_file_dispose (GObject *object)
{
  GTmpFile *self = (GTmpFile *) object;
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  GTmpFileLink *link;

  /* A persist_async in flight (g_object_run_dispose() while its task holds
   * a reference) finishes first and the object follows it. */
  _g_tmp_file_settle_persist (self);

  /* Closing frees the file (GIOStream's dispose would do it too, but the
   * streams must be detached after it). Most files are closed already. */
  if (!g_atomic_int_get (&priv->closed))
    g_io_stream_close (G_IO_STREAM (self), NULL, NULL);

  /* A caller may keep a stream alive; it must not reach back into us.
   * Under the lock: an operation running on a stream finishes first. */
  link = lock_or_retire_link (priv);
  if (link != NULL)
    {
      link->file = NULL;
      g_mutex_unlock (&link->lock);
    }
  g_clear_object (&priv->input);
  g_clear_object (&priv->output);

  ((GObjectClass *) g_tmp_file_parent_class)->dispose (object);
}

static void
g_tmp_file_finalize (GObject *object)
{
  GTmpFile *self = (GTmpFile *) object;
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  _g_tmp_core_clear_fd (&priv->fd);
  g_clear_pointer (&priv->link, _g_tmp_file_link_unref);
  g_clear_pointer (&priv->dir, g_free);
  g_clear_pointer (&priv->prefix, g_free);
  g_clear_pointer (&priv->suffix, g_free);
  g_clear_pointer (&priv->persisted_path, g_free);
  g_mutex_clear (&priv->lock);
  g_cond_clear (&priv->cond);

  ((GObjectClass *) g_tmp_file_parent_class)->finalize (object);
}

static void
g_tmp_file_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GTmpFile *self = G_TMP_FILE (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_value_set_string (value, _g_tmp_file_get_dir (self));
      break;

    case PROP_PREFIX:
      g_value_set_string (value, _g_tmp_file_get_prefix (self));
      break;

    case PROP_SUFFIX:
      g_value_set_string (value, _g_tmp_file_get_suffix (self));
      break;

    case PROP_MODE:
      g_value_set_uint (value, _g_tmp_file_get_mode (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tmp_file_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GTmpFile *self = (GTmpFile *) object;
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* All construct-only. */
  switch (prop_id)
    {
    case PROP_DIR:
      priv->dir = g_value_dup_string (value);
      break;

    case PROP_PREFIX:
      priv->prefix = g_value_dup_string (value);
      break;

    case PROP_SUFFIX:
      priv->suffix = g_value_dup_string (value);
      break;

    case PROP_MODE:
      priv->mode = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tmp_file_class_init (GTmpFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_stream_class = G_IO_STREAM_CLASS (klass);
  GFileIOStreamClass *file_io_stream_class = G_FILE_IO_STREAM_CLASS (klass);

  object_class->dispose = g_tmp_file_dispose;
  object_class->finalize = g_tmp_file_finalize;
  object_class->get_property = g_tmp_file_get_property;
  object_class->set_property = g_tmp_file_set_property;

  io_stream_class->get_input_stream = g_tmp_file_get_input_stream;
  io_stream_class->get_output_stream = g_tmp_file_get_output_stream;
  io_stream_class->close_fn = g_tmp_file_close_fn;

  file_io_stream_class->tell = g_tmp_file_tell;
  file_io_stream_class->can_seek = g_tmp_file_can_seek;
  file_io_stream_class->seek = g_tmp_file_seek;
  file_io_stream_class->can_truncate = g_tmp_file_can_truncate;
  file_io_stream_class->truncate_fn = g_tmp_file_truncate;
  file_io_stream_class->query_info = g_tmp_file_query_info;
  file_io_stream_class->query_info_async = g_tmp_file_query_info_async;
  file_io_stream_class->query_info_finish = g_tmp_file_query_info_finish;

  /**
   * GTmpFile:dir: (type filename)
   *
   * The directory in which the file is created, or %NULL for the default
   * temporary directory ([func@GTempfile.get_tempdir]). A relative path is
   * resolved against the current directory when the file is created.
   *
   * Since: 1.0
   */
  properties[PROP_DIR] =
    g_param_spec_string ("dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * GTmpFile:prefix: (type filename)
   *
   * The start of the file's name, or %NULL for `"tmp"`. Must not contain
   * `/`. An anonymous file only shows its name where the file system cannot
   * create unnamed files, and then only for an instant.
   *
   * Since: 1.0
   */
  properties[PROP_PREFIX] =
    g_param_spec_string ("prefix", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * GTmpFile:suffix: (type filename)
   *
   * The end of the file's name, or %NULL for none. Must not contain `/`.
   *
   * Since: 1.0
   */
  properties[PROP_SUFFIX] =
    g_param_spec_string ("suffix", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * GTmpFile:mode:
   *
   * The permission bits the file is created with (before the umask), and
   * which it keeps when it is persisted. `0` means `0600`.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] =
    g_param_spec_uint ("mode", NULL, NULL,
                       0, 07777, G_TMP_CORE_FILE_MODE,
                       (G_PARAM_READWRITE |
                        G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
g_tmp_file_init (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  priv->fd = -1;
  priv->mode = G_TMP_CORE_FILE_MODE;
  g_mutex_init (&priv->lock);
  g_cond_init (&priv->cond);
  priv->store = &_g_tmp_file_fd_store;
}


/* Public API */

/**
 * g_tmp_file_new:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for the default temporary directory
 * @prefix: (nullable) (type filename): the start of the file's name, or %NULL
 *   for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the file's name, or %NULL
 * @error: return location for a #GError
 *
 * Creates an anonymous temporary file, like Python's
 * `tempfile.TemporaryFile()`.
 *
 * The file has no name in the file system (it is opened with `O_TMPFILE`, or
 * created and unlinked before this function returns where the file system
 * does not support that) and mode `0600`. It disappears when the stream is
 * closed or the last reference is dropped, unless it was given a name with
 * [method@GTempfile.TmpFile.persist].
 *
 * ```c
 * g_autoptr(GTmpFile) tmp = g_tmp_file_new (NULL, "scratch-", NULL, &error);
 * if (tmp == NULL)
 *   g_printerr ("%s\n", error->message);
 * ```
 *
 * Errors are `G_IO_ERROR` codes whose message names @dir:
 * %G_IO_ERROR_NOT_FOUND when it does not exist,
 * %G_IO_ERROR_PERMISSION_DENIED when it is not writable,
 * %G_IO_ERROR_INVALID_ARGUMENT when @prefix or @suffix contains `/`.
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpFile *
g_tmp_file_new (const gchar  *dir,
                const gchar  *prefix,
                const gchar  *suffix,
                GError      **error)
{
  GTmpFile *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* g_initable_new() with the three properties, without their cost; and
   * our own GInitable.init called directly (the type is known), without
   * g_initable_init()'s interface checks and look-up. */
  self = g_object_new (G_TYPE_TMP_FILE, NULL);
  _g_tmp_file_set_construct (self, dir, prefix, suffix);

  if (!g_tmp_file_initable_init ((GInitable *) self, NULL, error))
    {
      g_object_unref (self);
      return NULL;
    }

  return self;
}

static void
new_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_tmp_file_initable_init (source_object, cancellable, &error))
    g_task_return_pointer (task, g_object_ref (source_object), g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * g_tmp_file_new_async:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for the default temporary directory
 * @prefix: (nullable) (type filename): the start of the file's name, or %NULL
 *   for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the file's name, or %NULL
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the file is ready
 * @user_data: data for @callback
 *
 * Creates an anonymous temporary file without blocking, as
 * [ctor@GTempfile.TmpFile.new] does. The file is created in a worker thread;
 * @callback runs in the thread-default main context of the caller and should
 * call [ctor@GTempfile.TmpFile.new_finish].
 *
 * Since: 1.0
 */
void
g_tmp_file_new_async (const gchar         *dir,
                      const gchar         *prefix,
                      const gchar         *suffix,
                      int                  io_priority,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTmpFile) self = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* As g_async_initable_new_async() would, but the result carries our own
   * source tag, so that new_finish() can tell it from any other. */
  self = g_object_new (G_TYPE_TMP_FILE, NULL);
  _g_tmp_file_set_construct (self, dir, prefix, suffix);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_tmp_file_new_async);
  g_task_set_priority (task, io_priority);
  g_task_set_check_cancellable (task, TRUE);
  g_task_run_in_thread (task, new_thread);
}

/**
 * g_tmp_file_new_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@GTempfile.TmpFile.new_async].
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED if the operation was cancelled)
 *
 * Since: 1.0
 */
GTmpFile *
g_tmp_file_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, g_tmp_file_new_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * g_tmp_file_get_fd:
 * @self: a #GTmpFile
 * @error: return location for a #GError
 *
 * Gets the file's descriptor, for APIs that want one (`mmap()`, `sendfile()`,
 * passing the file to another process).
 *
 * The descriptor belongs to @self: do not close it. It shares its file
 * position with the streams of @self. For a [class@GTempfile.SpooledTmpFile]
 * this moves the data to disk first.
 *
 * Returns: the descriptor, or -1 with @error set (%G_IO_ERROR_CLOSED once the
 *   stream is closed)
 *
 * Since: 1.0
 */
gint
g_tmp_file_get_fd (GTmpFile  *self,
                   GError   **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  GTmpFileLink *link;
  gint fd;

  g_return_val_if_fail (G_IS_TMP_FILE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  /* No rollover behind a persist's back. */
  link = get_link (self, priv);
  if (!link_begin (link, &self, error))
    return -1;

  fd = priv->store->ensure_fd (self, NULL, error) ? priv->fd : -1;
  link_end (link, self);

  return fd;
}


/* persist() */

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

/* The name under which the file lives now, or NULL if it has none. */
static const gchar *
current_path (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (G_IS_NAMED_TMP_FILE (self))
    return g_named_tmp_file_get_path (G_NAMED_TMP_FILE (self));

  return priv->persisted_path;
}

/* A fresh name beside @dest for a file that is renamed over @dest later:
 * hidden, recognisably related to @dest, short enough for NAME_MAX. */
static gchar *
sibling_prefix (const gchar *dest)
{
  g_autofree gchar *base = g_path_get_basename (dest);

  if (strlen (base) > 200)
    return g_strdup (".gtmp-");

  return g_strconcat (".", base, ".", NULL);
}

/* A sibling of @dest, a path or a name relative to a directory descriptor;
 * NULL with errno set when no random name could be drawn. */
static gchar *
sibling_path (const gchar *dest)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *prefix = NULL;
  gchar chars[G_TMP_CORE_RANDOM_CHARS + 1] = { 0, };
  g_autofree gchar *name = NULL;

  if (!_g_tmp_core_random_chars (chars, G_TMP_CORE_RANDOM_CHARS))
    return NULL;

  dir = g_path_get_dirname (dest);
  prefix = sibling_prefix (dest);
  name = g_strconcat (prefix, chars, NULL);

  return g_build_filename (dir, name, NULL);
}

/* linkat() of a descriptor: through /proc (works for any user), else with
 * AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH). Returns 0 or an errno;
 * ENOTSUP when neither is possible here. */
static gint
link_fd (gint         fd,
         gint         dfd,
         const gchar *dest)
{
  gchar proc_path[64];
  gint errsv;

  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc_path, dfd, dest, AT_SYMLINK_FOLLOW) == 0)
    return 0;

  errsv = errno;
  if (errsv != ENOENT)
    return errsv;

#ifdef AT_EMPTY_PATH
  if (linkat (fd, "", dfd, dest, AT_EMPTY_PATH) == 0)
    return 0;
  errsv = errno;
#endif

  /* ENOENT: either the destination's directory is missing or there is no
   * /proc to link from. */
  if (access ("/proc/self/fd", F_OK) != 0)
    return ENOTSUP;

  return errsv;
}

/* Gives the anonymous file @fd the name @dest (relative to @dfd). Returns
 * 0 or an errno. */
static gint
persist_by_link (gint              fd,
                 gint              dfd,
                 const gchar      *dest,
                 GTmpPersistFlags  flags)
{
  gint errsv;
  guint tries;

  /* Straight into place when nothing is there: one atomic step that leaves
   * nothing behind whatever happens. */
  errsv = link_fd (fd, dfd, dest);
  if (errsv != EEXIST || (flags & G_TMP_PERSIST_NO_REPLACE))
    return errsv;

  /* Replacing: linkat() cannot replace, so link beside @dest under a fresh
   * hidden name, then rename over it. The complete file has that name for
   * the two system calls in between; a crash right there leaves it. */
  for (tries = 0; tries < 100; tries++)
    {
      g_autofree gchar *sibling = sibling_path (dest);

      if (sibling == NULL)
        return errno;

      errsv = link_fd (fd, dfd, sibling);
      if (errsv == EEXIST)
        continue;
      if (errsv != 0)
        return errsv;

      if (renameat (dfd, sibling, dfd, dest) < 0)
        {
          errsv = errno;
          unlinkat (dfd, sibling, 0);
          return errsv;
        }

      return 0;
    }

  return EEXIST;
}

/* Moves the named file @src to @dest (relative to @dfd). Returns 0 or an
 * errno. */
static gint
persist_by_rename (const gchar      *src,
                   gint              dfd,
                   const gchar      *dest,
                   GTmpPersistFlags  flags)
{
  gint errsv;

  if (!(flags & G_TMP_PERSIST_NO_REPLACE))
    return renameat (AT_FDCWD, src, dfd, dest) == 0 ? 0 : errno;

#if defined(HAVE_RENAMEAT2) && defined(RENAME_NOREPLACE)
  if (renameat2 (AT_FDCWD, src, dfd, dest, RENAME_NOREPLACE) == 0)
    return 0;

  errsv = errno;
  if (errsv != EINVAL && errsv != ENOSYS && errsv != ENOTSUP)
    return errsv;
#endif

  /* No RENAME_NOREPLACE here: link() refuses an existing name just as well. */
  if (linkat (AT_FDCWD, src, dfd, dest, 0) < 0)
    return errno;

  if (unlink (src) < 0)
    {
      errsv = errno;
      unlinkat (dfd, dest, 0);
      return errsv;
    }

  return 0;
}

static void
set_copy_error (GError      **error,
                gint          errsv,
                const gchar  *dest)
{
  _g_tmp_core_set_error (error, errsv, _("Could not copy the temporary file to “%s”"), dest);
}

typedef enum
{
  COPY_DONE,
  COPY_FAILED,
  COPY_BY_HAND,
} CopyResult;

/* Copies from *@offset to the end inside the kernel. COPY_BY_HAND when the
 * kernel cannot copy between these files (*@offset says how far it got). */
static CopyResult
copy_in_kernel (gint           src_fd,
                gint           dest_fd,
                off_t         *offset,
                const gchar   *dest,
                GCancellable  *cancellable,
                GError       **error)
{
#ifdef __linux__
  for (;;)
    {
      off_t in_offset = *offset;
      off_t out_offset = *offset;
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return COPY_FAILED;

      n = copy_file_range (src_fd, &in_offset, dest_fd, &out_offset, 16 * 1024 * 1024, 0);
      if (n == 0)
        return COPY_DONE;

      if (n < 0 && errno == EINTR)
        continue;

      /* Not between these file systems, or not on this kernel. */
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                    errno == EOPNOTSUPP || errno == EBADF))
        return COPY_BY_HAND;

      if (n < 0)
        {
          set_copy_error (error, errno, dest);
          return COPY_FAILED;
        }

      *offset += n;
    }
#else
  return COPY_BY_HAND;
#endif
}

/* Copies from @offset to the end through a buffer. */
static gboolean
copy_by_hand (gint           src_fd,
              gint           dest_fd,
              off_t          offset,
              const gchar   *dest,
              GCancellable  *cancellable,
              GError       **error)
{
  const gsize buffer_size = 256 * 1024;
  g_autofree guint8 *buffer = g_malloc (buffer_size);

  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = pread (src_fd, buffer, buffer_size, offset);
      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0)
        {
          set_copy_error (error, errno, dest);
          return FALSE;
        }

      if (n == 0)
        return TRUE;

      if (!_g_tmp_core_pwrite_all (dest_fd, buffer, n, offset))
        {
          set_copy_error (error, errno, dest);
          return FALSE;
        }

      offset += n;
    }
}

/* Copies all of @src_fd into @dest_fd. Both positions stay where they are:
 * the caller's position in the temporary file must survive a failure. */
static gboolean
copy_contents (gint           src_fd,
               gint           dest_fd,
               const gchar   *dest,
               GCancellable  *cancellable,
               GError       **error)
{
  off_t offset = 0;

  switch (copy_in_kernel (src_fd, dest_fd, &offset, dest, cancellable, error))
    {
    case COPY_DONE:
      return TRUE;
    case COPY_FAILED:
      return FALSE;
    case COPY_BY_HAND:
    default:
      return copy_by_hand (src_fd, dest_fd, offset, dest, cancellable, error);
    }
}

static gboolean
sync_fd (gint          fd,
         const gchar  *dest,
         GError      **error)
{
  if (_g_tmp_core_fsync (fd) < 0)
    {
      _g_tmp_core_set_error (error, errno, _("Could not write “%s” to disk"), dest);
      return FALSE;
    }

  return TRUE;
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

/* A new file in @op's directory to copy into: anonymous (O_TMPFILE), so
 * that a crash during the copy leaves nothing behind, where the file
 * system allows it and /proc can link it later; otherwise with a hidden
 * name beside @dest, returned in @copy_path (removed on failure). */
static gint
open_copy (GTmpFile   *self,
           PersistOp  *op,
           gchar     **copy_path,
           GError    **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  guint mode = priv->mode != 0 ? priv->mode : G_TMP_CORE_FILE_MODE;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *prefix = NULL;

#ifdef HAVE_O_TMPFILE
  if (access ("/proc/self/fd", X_OK) == 0)
    {
      gint fd = openat (op->dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);

      if (fd >= 0)
        return fd;

      /* The file system's refusal of O_TMPFILE; anything else is final. */
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        {
          set_copy_error (error, errno, op->dest);
          return -1;
        }
    }
#endif

  dir = g_path_get_dirname (op->dest);
  prefix = sibling_prefix (op->dest);

  return _g_tmp_core_create_file (dir, prefix, NULL, mode, copy_path, error);
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
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
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
      set_copy_error (error, errno, op->dest);
      return FALSE;
    }

  copy_fd = open_copy (self, op, &copy_path, error);
  if (copy_fd < 0)
    return FALSE;

  _g_tmp_core_copy_starting (op->dest);
  if (!copy_contents (priv->fd, copy_fd, op->dest, cancellable, error) ||
      ((op->flags & G_TMP_PERSIST_SYNC) && !sync_fd (copy_fd, op->dest, error)))
    goto fail;

  if (lseek (copy_fd, position, SEEK_SET) < 0)
    {
      set_copy_error (error, errno, op->dest);
      goto fail;
    }

  /* Nothing has changed yet; from here on we only move forward. */
  if (copy_path == NULL)
    errsv = persist_by_link (copy_fd, op->dfd, op->name, op->flags);
  else
    errsv = persist_by_rename (copy_path, op->dfd, op->name, op->flags);
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
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (src != NULL)
    return persist_by_rename (src, op_dfd (op), op_name (op), op->flags);
  if (priv->linkable)
    return persist_by_link (priv->fd, op_dfd (op), op_name (op), op->flags);
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
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
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
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  g_autofree gchar *src = NULL;
  gint errsv;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!_g_tmp_file_ensure_fd (self, cancellable, error))
    return FALSE;

  src = g_strdup (current_path (self));

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
      if ((op->flags & G_TMP_PERSIST_SYNC) && !sync_fd (priv->fd, op->dest, error))
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
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (!op->moved)
    return;

  priv->linkable = FALSE;

  if (G_IS_NAMED_TMP_FILE (self))
    _g_named_tmp_file_persisted (G_NAMED_TMP_FILE (self), op->dest);
  else
    {
      g_free (priv->persisted_path);
      priv->persisted_path = g_strdup (op->dest);
    }
}

void
_g_tmp_file_settle_persist (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  PersistOp *op;

  if (G_LIKELY (!(g_atomic_int_get (&priv->ops) & OPS_PERSISTING)))
    return;

  /* The disk phase ends without us; what it did, the object follows now
   * rather than in the callback, so that dispose sees the file where it
   * is (and a moved named file is not deleted). */
  op = persist_wait_unsettled (self);
  if (op != NULL)
    persist_commit (self, op);

  /* The file is no longer busy: dispose may close it. */
  g_io_stream_clear_pending (G_IO_STREAM (self));
}

/* Lets a persist of @path in, or says why not. */
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

static gboolean
persist_begin (GTmpFile     *self,
               const gchar  *path,
               GError      **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gint errsv;

  if (priv->closed)
    {
      g_autofree gchar *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   _("Could not save the temporary file as “%s”: it is closed"),
                   display);
      return FALSE;
    }

  errsv = destination_errno (path);
  if (errsv != 0)
    {
      set_persist_error (error, errsv, path);
      return FALSE;
    }

  /* Refuses reads, writes, get_fd() and rollovers from now on... */
  if (!persist_gate_close (self, error))
    return FALSE;

  /* ... and close(), query_info() and other persists through GIOStream. */
  if (!g_io_stream_set_pending (G_IO_STREAM (self), error))
    {
      persist_moving_end (self, NULL);
      persist_gate_open (self);
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

  if (!persist_begin (self, path, error))
    return FALSE;

  op = persist_op_new (path, flags);
  persist_moving_start (self);
  ret = persist_move (self, op, cancellable, error);
  persist_moving_end (self, NULL);
  g_io_stream_clear_pending (G_IO_STREAM (self));
  persist_commit (self, op);
  persist_gate_open (self);

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

  persist_moving_start (source_object);
  ret = persist_move (source_object, op, cancellable, &error);
  /* A move is recorded by persist_async_done(), or by dispose if it
   * comes first. */
  persist_moving_end (source_object, op->moved ? op : NULL);

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
  op = persist_wait_unsettled (self);
  if (op != NULL)
    persist_commit (self, op);
  persist_gate_open (self);

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

  if (!persist_begin (self, path, &error))
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
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, g_tmp_file_persist_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
