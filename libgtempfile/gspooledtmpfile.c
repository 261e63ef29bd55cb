/* gspooledtmpfile.c — a temporary file that lives in memory until it grows
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtempfile-private.h"
#include "gtmp-chunks.h"

/**
 * GSpooledTmpFile:
 *
 * A temporary file that keeps its bytes in memory until it grows past
 * [property@GTempfile.SpooledTmpFile:max-size], then moves them to an
 * anonymous file on disk — Python's `tempfile.SpooledTemporaryFile`.
 *
 * It is a [class@GTempfile.TmpFile], so it is a seekable, truncatable
 * [class@Gio.FileIOStream]: write to its output stream, read from its input
 * stream, seek either. The streams stay the same across the rollover, so
 * code holding them never notices where the bytes are.
 *
 * A rollover happens when
 *
 * - a write would leave the position past `max-size` (when `max-size` > 0;
 *   a write that ends exactly at `max-size` stays in memory),
 * - the file is truncated to a size past `max-size`,
 * - [method@GTempfile.TmpFile.get_fd] or [method@GTempfile.TmpFile.persist]
 *   is called, or
 * - [method@GTempfile.SpooledTmpFile.rollover] is called.
 *
 * The file on disk is created with the `dir`, `prefix`, `suffix` and `mode`
 * given at construction, so an invalid affix or a missing directory is
 * reported by the call that rolls over, never by the constructor. If the
 * rollover fails (missing directory, no space, no descriptors left), that
 * call returns the error and the bytes in memory and the position are exactly
 * as they were; a later rollover, once the cause is fixed, moves them all.
 *
 * `notify::rolled-over` is emitted once, after a successful rollover, in
 * the thread that created the file — also when the rollover happened in a
 * worker thread, such as the one GIO runs an asynchronous write in; see
 * [property@GTempfile.SpooledTmpFile:rolled-over].
 *
 * Seeking past the end and writing fills the gap with zeros.
 *
 * Unlike the other classes, a spooled file has nothing to initialise: an
 * object made by `g_object_new()` (a binding's `new`, with
 * [property@GTempfile.SpooledTmpFile:max-size] and the other construct
 * properties) is ready for use without [method@Gio.Initable.init], which
 * may still be called and does nothing.
 *
 * The threading rules are [class@GTempfile.TmpFile]'s: a read and a write
 * may run at once on the two streams, also when one of them, or
 * [method@GTempfile.SpooledTmpFile.rollover] in a third thread, rolls the
 * file over; each sees the bytes either all in memory or all on disk.
 * Closing, disposing or dropping the file during an asynchronous write
 * waits for that write's copy, never frees the memory it copies into.
 *
 * ```c
 * g_autoptr(GSpooledTmpFile) spool = g_spooled_tmp_file_new (1024 * 1024, NULL, NULL, NULL);
 * GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (spool));
 *
 * // Small uploads never touch the disk; big ones go to $TMPDIR.
 * if (g_output_stream_splice (out, upload, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
 *                             cancellable, error) < 0)
 *   return FALSE;
 * ```
 *
 * Since: 1.0
 */

/* Largest in-memory size we accept (with max-size 0, after a seek far past
 * the end). Sizes must fit gssize, and a gap still costs a pointer per
 * chunk: at 1 TiB that is 16 Mi pointers, beyond it the array itself would
 * be the problem. The file system keeps such sparse files better. */
#define MAX_MEMORY_SIZE MIN ((goffset) G_MAXSSIZE, (goffset) 1 << 40)

struct _GSpooledTmpFile
{
  GTmpFile      parent_instance;

  GTmpChunks    mem;

  gsize         max_size;
  gchar        *dir;      /* absolute when given relative, or NULL */

  /* The thread that created the file and its thread-default main context
   * then: notify::rolled-over is emitted there (see notify_rolled_over()). */
  GThread      *owner_thread;
  GMainContext *owner_context;

  gint          rolled_over;  /* (atomic) set under the file's lock */
};

G_DEFINE_FINAL_TYPE (GSpooledTmpFile, g_spooled_tmp_file, G_TYPE_TMP_FILE)

enum {
  PROP_0,
  PROP_MAX_SIZE,
  PROP_ROLLED_OVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


static gboolean
notify_rolled_over_cb (gpointer user_data)
{
  g_autoptr(GObject) self = g_weak_ref_get (user_data);

  /* Gone meanwhile: it had no handlers left to tell. */
  if (self != NULL)
    g_object_notify_by_pspec (self, properties[PROP_ROLLED_OVER]);

  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer weak)
{
  g_weak_ref_clear (weak);
  g_free (weak);
}

/* Emits notify::rolled-over in the thread that created the file: right now
 * when that is this thread, otherwise from its thread-default main context,
 * as GIO does for its callbacks. A GIO worker running an asynchronous write
 * must not run handlers that touch, say, a GTK widget.
 *
 * The source holds a weak reference: a file dropped by its last owner before
 * that context runs is freed (with its descriptor), not kept alive by a
 * notification nobody can receive — even in a program that never runs that
 * context. G_PRIORITY_HIGH puts the notification before the completion
 * callback of the asynchronous call that rolled over (queued later, at its
 * I/O priority). */
static void
notify_rolled_over (GSpooledTmpFile *self)
{
  GWeakRef *weak;
  GSource *source;

  /* Called with the file's lock held, which a handler must not find. */
  if (g_thread_self () == self->owner_thread)
    {
      _g_tmp_file_notify_unlocked (G_TMP_FILE (self), properties[PROP_ROLLED_OVER]);
      return;
    }

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, notify_rolled_over_cb, weak, weak_ref_free);
  g_source_set_static_name (source, "[gtempfile] notify::rolled-over");
  g_source_attach (source, self->owner_context);
  g_source_unref (source);
}

/* Moves the bytes to a new anonymous file and hands it to GTmpFile, which
 * switches its streams to the descriptor. On failure nothing in memory has
 * changed and the half-written file is gone with its descriptor. */
static gboolean
g_spooled_tmp_file_roll_over (GSpooledTmpFile  *self,
                              GCancellable     *cancellable,
                              GError          **error)
{
  GTmpFile *file = G_TMP_FILE (self);
  g_autofree gchar *resolved_dir = NULL;
  GTmpTemplate tmpl;
  gboolean linkable = FALSE;
  gint fd;

  g_assert (!g_atomic_int_get (&self->rolled_over));

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  tmpl = *_g_tmp_file_get_template (file);
  if (self->dir != NULL)
    tmpl.dir = self->dir;
  fd = _g_tmp_core_create_anonymous (&tmpl, &linkable, &resolved_dir, error);
  if (fd < 0)
    return FALSE;

  if (!_g_tmp_chunks_copy_to_fd (&self->mem, fd, resolved_dir, cancellable, error))
    {
      _g_tmp_core_clear_fd (&fd);
      return FALSE;
    }

  _g_tmp_file_take_fd (file, _g_tmp_core_steal_fd (&fd), linkable);

  _g_tmp_chunks_clear (&self->mem);
  g_atomic_int_set (&self->rolled_over, TRUE);

  notify_rolled_over (self);

  return TRUE;
}

/* ---------------------------------------------------------------- store */

/* The store functions are called by GTmpFile only while this store is
 * installed, that is before the rollover and with the file open. They cast
 * without a type check: the write path is hot. */

/* Whether @count bytes at @pos would end past what we keep in memory (with
 * @error set then). */
static gboolean
too_large_for_memory (goffset   pos,
                      gsize     count,
                      GError  **error)
{
  /* Compared without computing pos + count, which could overflow. */
  if (count <= (gsize) MAX_MEMORY_SIZE && pos <= MAX_MEMORY_SIZE - (goffset) count)
    return FALSE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       _("Spooled temporary file too large to keep in memory"));
  return TRUE;
}

static gssize
spooled_store_write (GTmpFile      *file,
                     const void    *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GSpooledTmpFile *self = (GSpooledTmpFile *) file;

  if (self->max_size > 0 && (guint64) self->mem.pos + count > self->max_size)
    {
      if (!g_spooled_tmp_file_roll_over (self, cancellable, error))
        return -1;

      return _g_tmp_file_get_store (file)->write (file, buffer, count, cancellable, error);
    }

  if (too_large_for_memory (self->mem.pos, count, error))
    return -1;

  _g_tmp_chunks_write (&self->mem, buffer, count);

  return count;
}

static gssize
spooled_store_read (GTmpFile      *file,
                    void          *buffer,
                    gsize          count,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return _g_tmp_chunks_read (&((GSpooledTmpFile *) file)->mem, buffer, count);
}

static goffset
spooled_store_tell (GTmpFile *file)
{
  return ((GSpooledTmpFile *) file)->mem.pos;
}

static gboolean
spooled_store_seek (GTmpFile      *file,
                    goffset        offset,
                    GSeekType      type,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GSpooledTmpFile *self = (GSpooledTmpFile *) file;
  goffset base;

  switch (type)
    {
    case G_SEEK_SET:
      base = 0;
      break;
    case G_SEEK_CUR:
      base = self->mem.pos;
      break;
    case G_SEEK_END:
      base = self->mem.size;
      break;
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Invalid seek type"));
      return FALSE;
    }

  /* base is never negative, so only a positive offset can overflow. */
  if ((offset < 0 && base + offset < 0) ||
      (offset > 0 && offset > G_MAXINT64 - base))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Invalid seek position"));
      return FALSE;
    }

  self->mem.pos = base + offset;

  return TRUE;
}

static gboolean
spooled_store_truncate (GTmpFile      *file,
                        goffset        size,
                        GCancellable  *cancellable,
                        GError       **error)
{
  GSpooledTmpFile *self = (GSpooledTmpFile *) file;

  if (size < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Invalid truncate size"));
      return FALSE;
    }

  if (self->max_size > 0 && (guint64) size > self->max_size)
    {
      if (!g_spooled_tmp_file_roll_over (self, cancellable, error))
        return FALSE;

      return _g_tmp_file_get_store (file)->truncate (file, size, cancellable, error);
    }

  if (too_large_for_memory (size, 0, error))
    return FALSE;

  _g_tmp_chunks_truncate (&self->mem, size);

  return TRUE;
}

static goffset
spooled_store_get_size (GTmpFile  *file,
                        GError   **error)
{
  return ((GSpooledTmpFile *) file)->mem.size;
}

static gboolean
spooled_store_ensure_fd (GTmpFile      *file,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return g_spooled_tmp_file_roll_over ((GSpooledTmpFile *) file, cancellable, error);
}

static void
spooled_store_close (GTmpFile *file)
{
  GSpooledTmpFile *self = (GSpooledTmpFile *) file;

  _g_tmp_chunks_clear (&self->mem);
}

static const GTmpFileStore spooled_store = {
  .read      = spooled_store_read,
  .write     = spooled_store_write,
  .tell      = spooled_store_tell,
  .seek      = spooled_store_seek,
  .truncate  = spooled_store_truncate,
  .get_size  = spooled_store_get_size,
  .ensure_fd = spooled_store_ensure_fd,
  .close     = spooled_store_close,
};

/* --------------------------------------------------------------- object */

/* A relative directory means the current directory at construction, not
 * at the rollover, which may come after a chdir(). This needs no I/O, so
 * the constructor still cannot fail. */
static void
resolve_dir_now (GSpooledTmpFile *self)
{
  const GTmpTemplate *tmpl = _g_tmp_file_get_template (self);
  const gchar *dir = tmpl->dir;

  /* Relative to "dir-fd", it stays relative to that descriptor. */
  if (dir != NULL && !g_path_is_absolute (dir) && self->dir == NULL &&
      !G_TMP_TEMPLATE_HAS_DFD (tmpl))
    self->dir = g_canonicalize_filename (dir, NULL);
}

static void
g_spooled_tmp_file_constructed (GObject *object)
{
  G_OBJECT_CLASS (g_spooled_tmp_file_parent_class)->constructed (object);

  /* Constructed with properties (g_object_new(), bindings). */
  resolve_dir_now (G_SPOOLED_TMP_FILE (object));
}

static void
g_spooled_tmp_file_finalize (GObject *object)
{
  GSpooledTmpFile *self = G_SPOOLED_TMP_FILE (object);

  g_clear_pointer (&self->mem.chunks, g_ptr_array_unref);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->owner_thread, g_thread_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);

  G_OBJECT_CLASS (g_spooled_tmp_file_parent_class)->finalize (object);
}

static void
g_spooled_tmp_file_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GSpooledTmpFile *self = G_SPOOLED_TMP_FILE (object);

  switch (prop_id)
    {
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, g_spooled_tmp_file_get_max_size (self));
      break;

    case PROP_ROLLED_OVER:
      g_value_set_boolean (value, g_spooled_tmp_file_is_rolled_over (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_spooled_tmp_file_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  GSpooledTmpFile *self = G_SPOOLED_TMP_FILE (object);

  switch (prop_id)
    {
    case PROP_MAX_SIZE:
      self->max_size = g_value_get_uint64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_spooled_tmp_file_class_init (GSpooledTmpFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = g_spooled_tmp_file_constructed;
  object_class->finalize = g_spooled_tmp_file_finalize;
  object_class->get_property = g_spooled_tmp_file_get_property;
  object_class->set_property = g_spooled_tmp_file_set_property;

  /**
   * GSpooledTmpFile:max-size:
   *
   * The largest number of bytes kept in memory: a write that would leave
   * the position past it, or a truncation to a larger size, first moves the
   * file to disk. 0 means no limit: the file rolls over only when asked to
   * ([method@GTempfile.SpooledTmpFile.rollover],
   * [method@GTempfile.TmpFile.get_fd], [method@GTempfile.TmpFile.persist]).
   *
   * Since: 1.0
   */
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint64 ("max-size", NULL, NULL,
                         0, G_MAXSIZE, 0,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * GSpooledTmpFile:rolled-over:
   *
   * Whether the bytes have moved from memory to a file on disk. It changes
   * once, from %FALSE to %TRUE, and `notify::rolled-over` is emitted then,
   * after the rollover has succeeded.
   *
   * The notification is emitted in the thread that created the file, as
   * GIO does for its callbacks: directly when that thread rolls the file
   * over, otherwise from an idle source in the thread-default main context
   * that was current when the file was created. So a handler may update a
   * user interface even when the rollover happens in a worker thread — an
   * asynchronous write on the output stream (GIO runs it in a worker),
   * [method@GTempfile.TmpFile.persist_async], or a thread of the
   * application. That notification arrives when the context next runs,
   * before the callback of the asynchronous call that rolled over (for
   * priorities from %G_PRIORITY_HIGH down); the property reads %TRUE from
   * the moment of the rollover. A file freed before then is not notified.
   *
   * Since: 1.0
   */
  properties[PROP_ROLLED_OVER] =
    g_param_spec_boolean ("rolled-over", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
g_spooled_tmp_file_init (GSpooledTmpFile *self)
{
  _g_tmp_chunks_init (&self->mem);

  /* Held, so that no later thread can reuse the address of the GThread. */
  self->owner_thread = g_thread_ref (g_thread_self ());
  self->owner_context = g_main_context_ref_thread_default ();

  /* Installed before GInitable.init runs, so GTmpFile creates no
   * descriptor: nothing touches the disk until the rollover. */
  _g_tmp_file_set_store (G_TMP_FILE (self), &spooled_store);
  /* So there is nothing to initialise: g_object_new() (a binding's
   * constructor) makes a file ready for use, as the constructor does. */
  _g_tmp_file_set_initialised (G_TMP_FILE (self));
}

/* ------------------------------------------------------------------ API */

/**
 * g_spooled_tmp_file_new:
 * @max_size: the number of bytes to keep in memory, or 0 for no limit
 * @dir: (nullable) (type filename): the directory of the file on disk, or
 *   %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the file's name on disk,
 *   or %NULL for [func@GTempfile.get_tempprefix]
 * @suffix: (nullable) (type filename): the end of the file's name on disk, or
 *   %NULL for none
 *
 * Creates a temporary file that keeps its bytes in memory until a write
 * would take it past @max_size bytes.
 *
 * Nothing is created on disk and no descriptor is opened until the file
 * rolls over, so this cannot fail: an invalid @prefix or @suffix, or a
 * missing @dir, is reported by the call that rolls over. A relative @dir is
 * resolved against the current directory now.
 *
 * ```c
 * g_autoptr(GSpooledTmpFile) spool = g_spooled_tmp_file_new (64 * 1024, NULL, "upload-", NULL);
 * ```
 *
 * Returns: (transfer full): a new spooled temporary file
 *
 * Since: 1.0
 */
GSpooledTmpFile *
g_spooled_tmp_file_new (gsize        max_size,
                        const gchar *dir,
                        const gchar *prefix,
                        const gchar *suffix)
{
  return g_spooled_tmp_file_new_full (max_size, dir, prefix, suffix, 0, 0);
}

/**
 * g_spooled_tmp_file_new_full:
 * @max_size: the number of bytes to keep in memory, or 0 for no limit
 * @dir: (nullable) (type filename): the directory of the file on disk, or
 *   %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the file's name on disk,
 *   or %NULL for [func@GTempfile.get_tempprefix]
 * @suffix: (nullable) (type filename): the end of the file's name on disk, or
 *   %NULL for none
 * @mode: the permission bits of the file on disk (the umask applies, as
 *   with `open()`), or 0 for `0600`
 * @random_length: how many random characters its name has, from 8 to 128,
 *   or 0 for 8
 *
 * Creates a spooled temporary file as [ctor@GTempfile.SpooledTmpFile.new]
 * does, whose file on disk gets @mode and a name with @random_length
 * random characters when it rolls over.
 *
 * This cannot fail either: a @random_length outside 8 to 128 is reported,
 * as %G_IO_ERROR_INVALID_ARGUMENT naming the directory, by the call that
 * rolls over, and the bytes stay in memory.
 *
 * Returns: (transfer full): a new spooled temporary file
 *
 * Since: 1.0
 */
GSpooledTmpFile *
g_spooled_tmp_file_new_full (gsize        max_size,
                             const gchar *dir,
                             const gchar *prefix,
                             const gchar *suffix,
                             guint        mode,
                             guint        random_length)
{
  g_autoptr(GError) error = NULL;
  GSpooledTmpFile *self;

  g_return_val_if_fail (mode <= 07777, NULL);

  self = _g_tmp_new (G_TYPE_SPOOLED_TMP_FILE, _g_tmp_file_get_template,
                     _g_tmp_file_initable_init,
                     G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, dir, prefix, suffix, mode, random_length),
                     &error);

  /* GTmpFile's init does no I/O while our store is installed. */
  if (self == NULL)
    {
      g_critical ("Could not create a spooled temporary file: %s", error->message);
      return NULL;
    }

  /* Neither is a property here: _g_tmp_new() filled in the template after
   * constructed() ran. "max-size" is construct-only; nothing has read it. */
  resolve_dir_now (self);
  self->max_size = max_size;

  return self;
}

/**
 * g_spooled_tmp_file_new_async:
 * @max_size: the number of bytes to keep in memory, or 0 for no limit
 * @dir: (nullable) (type filename): the directory of the file on disk, or
 *   %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the file's name on disk,
 *   or %NULL for [func@GTempfile.get_tempprefix]
 * @suffix: (nullable) (type filename): the end of the file's name on disk, or
 *   %NULL for none
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the file is ready
 * @user_data: data for @callback
 *
 * The asynchronous form of [ctor@GTempfile.SpooledTmpFile.new], for code
 * that makes all its files the same way: the file is made at once (that
 * needs no I/O) and handed to @callback, which runs in the thread-default
 * main context of the caller and should call
 * [ctor@GTempfile.SpooledTmpFile.new_finish].
 *
 * It exists so that `SpooledTmpFile.new_async()` in bindings makes a
 * #GSpooledTmpFile rather than the anonymous [class@GTempfile.TmpFile] of
 * the inherited [func@GTempfile.TmpFile.new_async].
 *
 * Since: 1.0
 */
void
g_spooled_tmp_file_new_async (gsize                max_size,
                              const gchar         *dir,
                              const gchar         *prefix,
                              const gchar         *suffix,
                              int                  io_priority,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_spooled_tmp_file_new_async);
  g_task_set_priority (task, io_priority);
  g_task_set_check_cancellable (task, TRUE);
  /* GTask calls back from the main context, never from here. */
  g_task_return_pointer (task, g_spooled_tmp_file_new (max_size, dir, prefix, suffix),
                         g_object_unref);
}

/**
 * g_spooled_tmp_file_new_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@GTempfile.SpooledTmpFile.new_async].
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error
 *   set (only %G_IO_ERROR_CANCELLED, when the operation was cancelled)
 *
 * Since: 1.0
 */
GSpooledTmpFile *
g_spooled_tmp_file_new_finish (GAsyncResult  *result,
                               GError       **error)
{
  return _g_tmp_new_finish (result, g_spooled_tmp_file_new_async, error);
}

/**
 * g_spooled_tmp_file_new_at:
 * @max_size: the number of bytes to keep in memory, or 0 for no limit
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @dir: (nullable) (type filename): the directory of the file on disk,
 *   relative to @dfd as in `openat()`; %NULL for @dfd itself (with
 *   `AT_FDCWD`: the default temporary directory)
 * @prefix: (nullable) (type filename): the start of the file's name on disk,
 *   or %NULL for [func@GTempfile.get_tempprefix]
 * @suffix: (nullable) (type filename): the end of the file's name on disk, or
 *   %NULL for none
 * @mode: the permission bits of the file on disk (the umask applies), or 0
 *   for `0600`
 *
 * Creates a spooled temporary file that rolls over into a file created
 * relative to a directory descriptor, as [ctor@GTempfile.TmpFile.new_at]
 * creates one. The object keeps a duplicate of @dfd (`F_DUPFD_CLOEXEC`):
 * the caller may close theirs at once.
 *
 * This cannot fail either: a descriptor that cannot be duplicated is
 * reported by the call that rolls over, and the bytes stay in memory.
 *
 * Returns: (transfer full): a new spooled temporary file
 *
 * Since: 1.0
 */
GSpooledTmpFile *
g_spooled_tmp_file_new_at (gsize        max_size,
                           gint         dfd,
                           const gchar *dir,
                           const gchar *prefix,
                           const gchar *suffix,
                           guint        mode)
{
  GSpooledTmpFile *self;

  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, NULL);

  /* Relative to the descriptor from the start, so that @dir is never
   * resolved against the current directory. */
  self = g_spooled_tmp_file_new_full (max_size, NULL, prefix, suffix, mode, 0);
  if (self != NULL && dfd >= 0)
    {
      GTmpTemplate *tmpl = _g_tmp_file_get_template (self);

      /* A failed duplicate leaves G_TMP_TEMPLATE_DFD_INVALID: the rollover
       * fails with EBADF. */
      (void) _g_tmp_template_take_dup (tmpl, dfd);
      tmpl->dir = g_strdup (dir);
    }
  else if (self != NULL && dir != NULL)
    {
      _g_tmp_file_get_template (self)->dir = g_strdup (dir);
      resolve_dir_now (self);
    }

  return self;
}

/**
 * g_spooled_tmp_file_rollover:
 * @self: a spooled temporary file
 * @cancellable: (nullable): a cancellable
 * @error: return location for an error
 *
 * Moves the bytes from memory to a new anonymous file in the file's
 * directory, keeping the position. The streams of @self read and write that
 * file from now on. Does nothing if the file has rolled over already.
 *
 * If the rollover fails, the bytes in memory and the position are exactly
 * as before, and it can be tried again once the cause is fixed.
 *
 * Returns: %TRUE on success, %FALSE with @error set (for instance
 *   %G_IO_ERROR_NOT_FOUND when the directory is missing,
 *   %G_IO_ERROR_NO_SPACE, %G_IO_ERROR_TOO_MANY_OPEN_FILES,
 *   %G_IO_ERROR_INVALID_ARGUMENT for a prefix or suffix containing `/`,
 *   %G_IO_ERROR_CLOSED when the stream is closed)
 *
 * Since: 1.0
 */
gboolean
g_spooled_tmp_file_rollover (GSpooledTmpFile  *self,
                             GCancellable     *cancellable,
                             GError          **error)
{
  gboolean ret;

  g_return_val_if_fail (G_IS_SPOOLED_TMP_FILE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Not while a persist is in flight: it rolls over itself. Once rolled
   * over, the fd store's ensure_fd just succeeds. */
  if (!_g_tmp_file_op_begin (G_TMP_FILE (self), error))
    return FALSE;
  ret = _g_tmp_file_ensure_fd (G_TMP_FILE (self), cancellable, error);
  _g_tmp_file_op_end (G_TMP_FILE (self));

  return ret;
}

/**
 * g_spooled_tmp_file_is_rolled_over:
 * @self: a spooled temporary file
 *
 * Gets whether the bytes of @self have moved from memory to a file on disk.
 *
 * Returns: %TRUE once the file has rolled over
 *
 * Since: 1.0
 */
gboolean
g_spooled_tmp_file_is_rolled_over (GSpooledTmpFile *self)
{
  g_return_val_if_fail (G_IS_SPOOLED_TMP_FILE (self), FALSE);

  return g_atomic_int_get (&self->rolled_over);
}

/**
 * g_spooled_tmp_file_get_max_size:
 * @self: a spooled temporary file
 *
 * Gets the number of bytes @self keeps in memory before it rolls over.
 *
 * Returns: the maximum in-memory size, or 0 for no limit
 *
 * Since: 1.0
 */
gsize
g_spooled_tmp_file_get_max_size (GSpooledTmpFile *self)
{
  g_return_val_if_fail (G_IS_SPOOLED_TMP_FILE (self), 0);

  return self->max_size;
}
