/* gtmpfile.c — an anonymous temporary file as a GIO stream
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "gtmp-file-private.h"
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
 * one, and a crash leaves no stray file behind but for two windows of one
 * system call each: a replace links the file beside the document, then
 * renames it over, and a crash between leaves that complete hidden copy.
 * (Where a file system refuses
 * `O_TMPFILE`, the file is created under a random name and unlinked before
 * the constructor returns: only a crash between those two system calls leaves
 * that empty 0600 file behind.)
 *
 * The class is derivable: [class@GTempfile.NamedTmpFile] gives the file a
 * visible name and [class@GTempfile.SpooledTmpFile] keeps it in memory until it
 * grows.
 *
 * ## Construction
 *
 * The constructors ([ctor@GTempfile.TmpFile.new],
 * [func@GTempfile.TmpFile.new_async], `g_initable_new()`) create the file.
 * An object made by `g_object_new()` alone — what `new
 * GTempfile.TmpFile()` does in GJS, `GObject.new()` in Python and
 * `Object.new()` in Vala — has no file until [method@Gio.Initable.init]
 * has succeeded: until then every call on it (reads, writes, seeks,
 * truncates, `query_info`, close, [method@GTempfile.TmpFile.get_fd],
 * [method@GTempfile.TmpFile.persist]) fails with
 * %G_IO_ERROR_NOT_INITIALIZED, as GIO's `GSocket` does, and a close
 * closes the stream all the same. The construct properties may be set
 * before. (A [class@GTempfile.SpooledTmpFile] has nothing to initialise.)
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
 * A forked child may use or drop objects that another parent thread was
 * using at fork time, also during a read, a write or a persist there: in
 * the child these never finish, so they are not waited for (nor refused).
 *
 * [method@GTempfile.TmpFile.get_fd] returns the descriptor itself: what
 * another thread does through it is not synchronised with the streams.
 * Two `init_async()` calls on one object create one file.
 *
 * Since: 1.0
 */


/* Only the template's properties (gtmp-template.h). */
static GParamSpec *properties[G_TMP_TEMPLATE_N_PROPS];

static void g_tmp_file_initable_iface_init       (GInitableIface      *iface);
static void g_tmp_file_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (GTmpFile, g_tmp_file, G_TYPE_FILE_IO_STREAM,
                         G_ADD_PRIVATE (GTmpFile)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                g_tmp_file_initable_iface_init)
                         G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                g_tmp_file_async_initable_iface_init))


gint _g_tmp_file_private_offset;

void
_g_tmp_file_set_closed_error (GError      **error,
                              const gchar  *path)
{
  g_autofree gchar *display = NULL;

  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           _("The temporary file is closed"));
      return;
    }

  display = g_filename_display_name (path);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
               _("Could not save the temporary file as “%s”: it is closed"),
               display);
}

void
_g_tmp_file_set_uninitialised_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                       _("The temporary file is not initialized: "
                         "g_initable_init() (init() in bindings) was not called, or failed"));
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
  GTmpFileLink *link = _g_tmp_file_get_link (self, priv);
  gboolean ret;

  if (_g_tmp_file_link_lock_open (link, error) == NULL)
    return FALSE;

  ret = priv->store->ensure_fd (self, cancellable, error);
  _g_tmp_file_link_unlock (link);

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
  priv->link_spent = FALSE;
  priv->store = &_g_tmp_file_fd_store;
  /* A named file's init: a file with a descriptor is initialised. (A
   * spooled file's rollover finds it initialised already.) */
  if (priv->closed == G_TMP_FILE_UNINITIALISED)
    priv->closed = FALSE;
}

GTmpTemplate *
_g_tmp_file_get_template (gpointer self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return &priv->tmpl;
}


const gchar *
_g_tmp_file_get_path (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return g_atomic_pointer_get (&priv->path);
}

void
_g_tmp_file_take_path (GTmpFile *self,
                       gchar    *path)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* get_path() hands the string out (transfer none), to any thread: a
   * string once handed out stays alive until finalize. */
  if (priv->path != NULL)
    priv->old_paths = g_slist_prepend (priv->old_paths, priv->path);
  g_atomic_pointer_set (&priv->path, path);
}

void
_g_tmp_file_set_persisted_func (GTmpFile              *self,
                                GTmpFilePersistedFunc  func)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  priv->persisted = func;
}

/* GInitable, GAsyncInitable */

gboolean
_g_tmp_file_needs_init (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  return priv->closed == G_TMP_FILE_UNINITIALISED;
}

void
_g_tmp_file_set_initialised (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* A file closed before it was initialised stays closed. */
  g_atomic_int_compare_and_exchange (&priv->closed, G_TMP_FILE_UNINITIALISED, FALSE);
}

static gboolean
create_locked (GTmpFile      *self,
               GCancellable  *cancellable,
               GError       **error)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  gboolean linkable = FALSE;
  gint fd;

  /* Already initialized (or closed), or a subclass with nothing to
   * initialise (a spooled file keeps its bytes in memory for now). */
  if (priv->closed != G_TMP_FILE_UNINITIALISED)
    return TRUE;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  fd = _g_tmp_core_create_anonymous (&priv->tmpl, &linkable, NULL, error);
  if (fd < 0)
    return FALSE;

  priv->fd = fd;
  priv->linkable = !!linkable;
  /* Under the lock, and nothing reads it before init returns. */
  priv->closed = FALSE;

  return TRUE;
}

gboolean
_g_tmp_file_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  /* Not a second file, whose descriptor would be lost. */
  return _g_tmp_file_init_locked (G_TMP_FILE (initable), create_locked, cancellable, error);
}

static void
g_tmp_file_initable_iface_init (GInitableIface *iface)
{
  iface->init = _g_tmp_file_initable_init;
}

static void
g_tmp_file_async_initable_iface_init (GAsyncInitableIface *iface)
{
  /* The default implementation runs GInitable.init in a worker thread and
   * calls back in the caller's thread-default main context. */
}


/* GIOStream, GFileIOStream */

/* The streams are created on first use, so that a file nobody reads
 * through a stream costs no allocation; the exchange makes two racing
 * callers agree. One first asked for after close_fn is closed like the
 * ones it closed. */
static void
publish_stream (GTmpFilePrivate *priv,
                gpointer        *slot,
                gpointer         stream)
{
  if (priv->closed == TRUE)
    {
      if (G_IS_INPUT_STREAM (stream))
        g_input_stream_close (stream, NULL, NULL);
      else
        g_output_stream_close (stream, NULL, NULL);
    }

  if (!g_atomic_pointer_compare_and_exchange (slot, NULL, stream))
    g_object_unref (stream);
}

static GInputStream *
g_tmp_file_get_input_stream (GIOStream *stream)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (g_atomic_pointer_get (&priv->input) == NULL)
    publish_stream (priv, (gpointer *) &priv->input,
                    _g_tmp_file_input_stream_new (_g_tmp_file_get_link (self, priv)));

  return priv->input;
}

static GOutputStream *
g_tmp_file_get_output_stream (GIOStream *stream)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (g_atomic_pointer_get (&priv->output) == NULL)
    publish_stream (priv, (gpointer *) &priv->output,
                    _g_tmp_file_output_stream_new (_g_tmp_file_get_link (self, priv)));

  return priv->output;
}

static gboolean
g_tmp_file_close_fn (GIOStream     *stream,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GTmpFile *self = G_TMP_FILE (stream);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);
  GTmpFileLink *link;
  gboolean ret = TRUE;

  /* Waits for the read or write running on a stream, if any: it finishes
   * with what it did, and every later one reports G_IO_ERROR_CLOSED. */
  link = _g_tmp_file_lock_or_retire_link (priv);

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
  else if (G_UNLIKELY (priv->closed == G_TMP_FILE_UNINITIALISED))
    {
      /* An error as from every other call, but the file is closed all the
       * same: GIOStream marks it closed whatever close_fn returns. */
      _g_tmp_file_set_uninitialised_error (error);
      ret = FALSE;
    }
  g_atomic_int_set (&priv->closed, TRUE);

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

  return _g_tmp_file_stream_tell (_g_tmp_file_get_link (self, priv));
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

  return _g_tmp_file_stream_seek (_g_tmp_file_get_link (self, priv), offset, type, cancellable, error);
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

  return _g_tmp_file_stream_truncate (_g_tmp_file_get_link (self, priv), size, cancellable, error);
}

/* GObject */

static void
g_tmp_file_dispose (GObject *object)
{
  GTmpFile *self = G_TMP_FILE (object);
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
  link = _g_tmp_file_lock_or_retire_link (priv);
  if (link != NULL)
    {
      link->file = NULL;
      g_mutex_unlock (&link->lock);
    }
  g_clear_object (&priv->input);
  g_clear_object (&priv->output);

  G_OBJECT_CLASS (g_tmp_file_parent_class)->dispose (object);
}

static void
g_tmp_file_finalize (GObject *object)
{
  GTmpFile *self = G_TMP_FILE (object);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  _g_tmp_core_clear_fd (&priv->fd);
  g_clear_pointer (&priv->link, _g_tmp_file_link_unref);
  _g_tmp_template_clear (&priv->tmpl);
  g_clear_pointer (&priv->path, g_free);
  /* Only after a persist: the lifecycle without one stays short. */
  if (G_UNLIKELY (priv->old_paths != NULL))
    g_slist_free_full (g_steal_pointer (&priv->old_paths), g_free);
  g_clear_pointer (&priv->at_path, g_free);
  _g_tmp_core_clear_fd (&priv->at_dfd);
  g_mutex_clear (&priv->lock);
  g_cond_clear (&priv->cond);

  G_OBJECT_CLASS (g_tmp_file_parent_class)->finalize (object);
}

static void
g_tmp_file_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GTmpFile *self = G_TMP_FILE (object);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  if (!_g_tmp_template_get_property (&priv->tmpl, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
g_tmp_file_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GTmpFile *self = G_TMP_FILE (object);
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  /* All construct-only. */
  if (!_g_tmp_template_set_property (&priv->tmpl, prop_id, value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
g_tmp_file_class_init (GTmpFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_stream_class = G_IO_STREAM_CLASS (klass);
  GFileIOStreamClass *file_io_stream_class = G_FILE_IO_STREAM_CLASS (klass);

  _g_tmp_file_private_offset = GTmpFile_private_offset;

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
  _g_tmp_file_class_init_query_info (file_io_stream_class);

  /**
   * GTmpFile:dir: (type filename)
   *
   * The directory in which the file is created, or %NULL for the default
   * temporary directory ([func@GTempfile.get_tempdir]). A relative path is
   * resolved against the current directory when the file is created.
   *
   * Since: 1.0
   */
  /**
   * GTmpFile:prefix: (type filename)
   *
   * The start of the file's name, or %NULL for `"tmp"`. Must not contain
   * `/`. An anonymous file only shows its name where the file system cannot
   * create unnamed files, and then only for an instant.
   *
   * Since: 1.0
   */
  /**
   * GTmpFile:suffix: (type filename)
   *
   * The end of the file's name, or %NULL for none. Must not contain `/`.
   *
   * Since: 1.0
   */
  /**
   * GTmpFile:mode:
   *
   * The permission bits the file is created with (before the umask), and
   * which it keeps when it is persisted to a new name. `0` means `0600`.
   *
   * Since: 1.0
   */
  /**
   * GTmpFile:dir-fd:
   *
   * A directory descriptor that [property@GTempfile.TmpFile:dir] is
   * relative to, as in `openat()`, or -1 for none. With one,
   * [property@GTempfile.TmpFile:dir] %NULL means that directory itself,
   * and the last component of [property@GTempfile.TmpFile:dir] must not
   * be a symbolic link (%G_IO_ERROR_NOT_DIRECTORY).
   *
   * The object keeps a duplicate of its own (`F_DUPFD_CLOEXEC`), so the
   * caller may close the descriptor right after construction; reading the
   * property returns that duplicate, which belongs to the object. See
   * [ctor@GTempfile.TmpFile.new_at].
   *
   * Since: 1.0
   */
  /**
   * GTmpFile:random-length:
   *
   * How many random characters the file's name has between
   * [property@GTempfile.TmpFile:prefix] and
   * [property@GTempfile.TmpFile:suffix]: from 8 (the default, as CPython's)
   * to 128, for a name that must stay unguessable for long. An anonymous
   * file only has a name where the file system cannot create unnamed
   * files; the length is checked all the same.
   *
   * Since: 1.0
   */
  _g_tmp_template_init_pspecs (properties, G_TMP_CORE_FILE_MODE);

  g_object_class_install_properties (object_class, G_TMP_TEMPLATE_N_PROPS, properties);
}

static void
g_tmp_file_init (GTmpFile *self)
{
  GTmpFilePrivate *priv = g_tmp_file_get_instance_private (self);

  priv->fd = -1;
  priv->at_dfd = -1;
  priv->closed = G_TMP_FILE_UNINITIALISED;
  priv->tmpl.mode = G_TMP_CORE_FILE_MODE;
  priv->tmpl.dfd = AT_FDCWD;
  priv->lock_pid = _g_tmp_core_get_pid ();
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
 * [method@GTempfile.TmpFile.persist]. [ctor@GTempfile.TmpFile.new_full]
 * takes another mode.
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
  return g_tmp_file_new_full (dir, prefix, suffix, 0, 0, error);
}

/**
 * g_tmp_file_new_full:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for the default temporary directory
 * @prefix: (nullable) (type filename): the start of the file's name, or %NULL
 *   for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the file's name, or %NULL
 * @mode: the permission bits of the file (the umask applies, as with
 *   `open()`), or 0 for `0600`
 * @random_length: how many random characters a name has, from 8 to 128, or
 *   0 for 8
 * @error: return location for a #GError
 *
 * Creates an anonymous temporary file as [ctor@GTempfile.TmpFile.new] does,
 * with the mode it should have once it is given a name (see
 * [property@GTempfile.TmpFile:mode]) and the length of the random part of
 * the name it has where the file system cannot create unnamed files.
 *
 * ```c
 * // Readable by the group once persisted (umask permitting).
 * g_autoptr(GTmpFile) tmp = g_tmp_file_new_full (dir, NULL, NULL, 0640, 0, &error);
 * ```
 *
 * A @random_length outside 8 to 128 is %G_IO_ERROR_INVALID_ARGUMENT naming
 * @dir, and nothing is created; the other errors are those of
 * [ctor@GTempfile.TmpFile.new].
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpFile *
g_tmp_file_new_full (const gchar  *dir,
                     const gchar  *prefix,
                     const gchar  *suffix,
                     guint         mode,
                     guint         random_length,
                     GError      **error)
{
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_new (G_TYPE_TMP_FILE, _g_tmp_file_get_template, _g_tmp_file_initable_init,
                     G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, dir, prefix, suffix, mode, random_length),
                     error);
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
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _g_tmp_new_async (G_TYPE_TMP_FILE, _g_tmp_file_get_template,
                    G_TMP_TEMPLATE_BORROW (dir, prefix, suffix, 0), TRUE, io_priority,
                    cancellable, callback, user_data, g_tmp_file_new_async);
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
  return _g_tmp_new_finish (result, g_tmp_file_new_async, error);
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
 * The number stays the file's until @self is closed: a persist that copies
 * the file (%G_TMP_PERSIST_ALLOW_COPY to another file system) puts the copy
 * under the same number, at the same position.
 *
 * Returns: the descriptor, or -1 with @error set (%G_IO_ERROR_CLOSED once the
 *   stream is closed, %G_IO_ERROR_NOT_INITIALIZED before
 *   [method@Gio.Initable.init] has succeeded)
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
  link = _g_tmp_file_get_link (self, priv);
  if (!_g_tmp_file_link_begin (link, &self, error))
    return -1;

  fd = priv->store->ensure_fd (self, NULL, error) ? priv->fd : -1;
  _g_tmp_file_link_end (link, self);

  return fd;
}
