/* gnamedtmpfile.c — a temporary file with a visible name
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "gtempfile-private.h"

/**
 * GNamedTmpFile:
 *
 * A temporary file with a name in the file system, as a read/write stream.
 *
 * `GNamedTmpFile` is Python's `tempfile.NamedTemporaryFile()`: a
 * [class@GTempfile.TmpFile] whose [property@GTempfile.NamedTmpFile:path]
 * other programs can open. It is created securely (`O_CREAT|O_EXCL`, mode
 * `0600`, a name with 8 random characters) and removed again according to two
 * properties, with the semantics of Python 3.12:
 *
 * | `delete` | `delete-on-close` | the file is removed                                   |
 * |----------|-------------------|-------------------------------------------------------|
 * | %TRUE    | %TRUE (default)   | when the stream is closed (or the last unref)         |
 * | %TRUE    | %FALSE            | by [method@GTempfile.NamedTmpFile.cleanup] or the last unref, not on close |
 * | %FALSE   | any               | never                                                 |
 *
 * With `delete-on-close` off, the file can be closed and then opened by name,
 * for instance by a program that cannot open a file that another process still
 * has open:
 *
 * ```c
 * g_autoptr(GNamedTmpFile) tmp = g_named_tmp_file_new (NULL, "report-", ".pdf", &error);
 *
 * g_named_tmp_file_set_delete_on_close (tmp, FALSE);
 * write_report (g_io_stream_get_output_stream (G_IO_STREAM (tmp)));
 * g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL);
 * run_viewer (g_named_tmp_file_get_path (tmp));
 * g_named_tmp_file_cleanup (tmp, NULL, &error);   // or let the unref do it
 * ```
 *
 * Removal at the last unref happens only in the process that created the
 * object: a child created with `fork()` that drops its reference leaves the
 * file alone. An explicit close or cleanup always does what it says.
 *
 * [method@GTempfile.TmpFile.persist] renames the file atomically and turns
 * `delete` off.
 *
 * ## Threads and concurrent operations
 *
 * The streams follow [class@GTempfile.TmpFile]'s rules: a read and a write
 * may run at once, and while a persist is in flight every other operation
 * on the file fails with %G_IO_ERROR_PENDING. The properties may be read
 * from any thread (also during a persist, which changes `path`: the string
 * [method@GTempfile.NamedTmpFile.get_path] returned stays valid until the
 * object is finalized); set `delete` and `delete-on-close` from one thread at a
 * time, not while the file is being closed, cleaned up or persisted
 * (persist sets `delete` itself, in the caller's thread).
 *
 * Dropping the last reference or calling [method@GObject.Object.run_dispose]
 * while [method@GTempfile.TmpFile.persist_async] runs first waits for the
 * file to be moved: if it was, the file now lives at the new path with
 * `delete` off and is not removed; if the persist failed, the temporary
 * file is removed as usual. [method@GTempfile.NamedTmpFile.cleanup] during
 * a persist fails with %G_IO_ERROR_PENDING and changes nothing.
 *
 * Since: 1.0
 */

struct _GNamedTmpFile
{
  GTmpFile  parent_instance;

  /* The path is GTmpFile's (_g_tmp_file_get_path()): persist() moves it. */
  gint      owner_pid;

  /* Whole fields, not bits of one word: a setter in one thread and a
   * close or a persist's commit in another write different ones. */
  gboolean  delete_;
  gboolean  delete_on_close;
  /* We have removed @path (or found it gone): never again. */
  gboolean  unlinked;
  /* Inside dispose: removal is implicit and only for the owner process. */
  gboolean  disposing;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_DELETE,
  PROP_DELETE_ON_CLOSE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void g_named_tmp_file_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GNamedTmpFile, g_named_tmp_file, G_TYPE_TMP_FILE,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      g_named_tmp_file_initable_iface_init))

static gboolean
is_owner (GNamedTmpFile *self)
{
  return self->owner_pid == _g_tmp_core_get_pid ();
}

/* Removes the file's name, once. A name already gone is not an error
 * (CPython ignores FileNotFoundError too). */
static gboolean
unlink_path (GNamedTmpFile  *self,
             GError        **error)
{
  const gchar *path = _g_tmp_file_get_path ((GTmpFile *) self);
  gint at_dfd;
  const gchar *at_path = _g_tmp_file_get_at ((GTmpFile *) self, &at_dfd);
  gint res;

  if (self->unlinked || path == NULL)
    return TRUE;

  /* Made relative to a descriptor: removed from there, wherever that
   * directory has been moved meanwhile. */
  if (at_path != NULL)
    res = unlinkat (at_dfd, at_path, 0);
  else
    res = unlink (path);

  if (res < 0 && errno != ENOENT)
    {
      _g_tmp_core_set_error (error, errno, _("Could not remove “%s”"), path);
      return FALSE;
    }

  self->unlinked = TRUE;

  return TRUE;
}


/* GInitable */

static gboolean
create_locked (GTmpFile      *file,
               GCancellable  *cancellable,
               GError       **error)
{
  GNamedTmpFile *self = (GNamedTmpFile *) file;
  GTmpTemplate at;
  g_autofree gchar *dir = NULL;
  gchar *path = NULL;
  gint parent;
  gint fd;

  if (!_g_tmp_file_needs_init (file))
    return TRUE;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!_g_tmp_template_resolve_at (_g_tmp_file_get_template (file), &at, &parent, &dir, error))
    return FALSE;

  fd = _g_tmp_core_create_file (&at, &path, error);
  if (fd < 0)
    {
      _g_tmp_core_clear_fd (&parent);
      return FALSE;
    }

  /* Relative to a descriptor: removed (or moved) from the directory it
   * was made in, by name. */
  if (dir != NULL)
    {
      _g_tmp_file_take_path (file, g_build_filename (dir, path, NULL));
      _g_tmp_file_take_at (file, parent, path);
    }
  else
    _g_tmp_file_take_path (file, path);
  self->owner_pid = _g_tmp_core_get_pid ();
  _g_tmp_file_take_fd (file, fd, FALSE);

  return TRUE;
}

static gboolean
g_named_tmp_file_initable_init (GInitable     *initable,
                                GCancellable  *cancellable,
                                GError       **error)
{
  /* Not a second file, left on disk. GTmpFile's init is skipped: it would
   * find the descriptor and only check the cancellable, which must not
   * undo a file that exists. */
  return _g_tmp_file_init_locked (G_TMP_FILE (initable), create_locked, cancellable, error);
}

static void
g_named_tmp_file_initable_iface_init (GInitableIface *iface)
{
  iface->init = g_named_tmp_file_initable_init;
}


/* GIOStream, GFileIOStream */

static gboolean
g_named_tmp_file_close_fn (GIOStream     *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GNamedTmpFile *self = G_NAMED_TMP_FILE (stream);
  GIOStreamClass *parent_class = G_IO_STREAM_CLASS (g_named_tmp_file_parent_class);
  g_autoptr(GError) local_error = NULL;
  gboolean ret;

  /* Close first, then unlink, as CPython does. */
  ret = parent_class->close_fn (stream, cancellable, &local_error);

  if (self->delete_ && self->delete_on_close && (!self->disposing || is_owner (self)))
    {
      if (!unlink_path (self, ret ? &local_error : NULL))
        ret = FALSE;
    }

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ret;
}

static GFileInfo *
g_named_tmp_file_query_info (GFileIOStream  *stream,
                             const char     *attributes,
                             GCancellable   *cancellable,
                             GError        **error)
{
  GNamedTmpFile *self = G_NAMED_TMP_FILE (stream);
  g_autofree gchar *name = NULL;
  GFileAttributeMatcher *matcher;
  GFileInfo *info;

  info = G_FILE_IO_STREAM_CLASS (g_named_tmp_file_parent_class)->query_info (stream, attributes,
                                                                             cancellable, error);
  if (info == NULL)
    return NULL;

  /* Only now: a file never initialised has no path (and no info). */
  name = g_path_get_basename (_g_tmp_file_get_path ((GTmpFile *) self));

  /* Unlike an anonymous file, this one has a name to report. */
  matcher = g_file_attribute_matcher_new (attributes);
  if (g_file_attribute_matcher_matches (matcher, G_FILE_ATTRIBUTE_STANDARD_NAME))
    g_file_info_set_name (info, name);
  if (g_file_attribute_matcher_matches (matcher, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME))
    {
      g_autofree gchar *display_name = g_filename_display_name (name);

      g_file_info_set_display_name (info, display_name);
    }
  g_file_attribute_matcher_unref (matcher);

  return info;
}


/* GObject */

static void
g_named_tmp_file_dispose (GObject *object)
{
  GNamedTmpFile *self = G_NAMED_TMP_FILE (object);

  /* A persist_async in flight: wait for its move and follow it, so that a
   * moved file is not removed below. */
  _g_tmp_file_settle_persist ((GTmpFile *) self);

  self->disposing = TRUE;

  /* Most files are closed already. */
  if (!g_io_stream_is_closed ((GIOStream *) self))
    g_io_stream_close ((GIOStream *) self, NULL, NULL);

  /* delete && !delete-on-close: the last unref is the time. */
  if (self->delete_ && is_owner (self))
    unlink_path (self, NULL);

  G_OBJECT_CLASS (g_named_tmp_file_parent_class)->dispose (object);
}

static void
g_named_tmp_file_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GNamedTmpFile *self = G_NAMED_TMP_FILE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      /* NULL before init, without get_path()'s critical (see gtmpdir.c). */
      g_value_set_string (value, _g_tmp_file_get_path ((GTmpFile *) self));
      break;

    case PROP_DELETE:
      g_value_set_boolean (value, g_named_tmp_file_get_delete (self));
      break;

    case PROP_DELETE_ON_CLOSE:
      g_value_set_boolean (value, g_named_tmp_file_get_delete_on_close (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_named_tmp_file_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GNamedTmpFile *self = G_NAMED_TMP_FILE (object);

  switch (prop_id)
    {
    case PROP_DELETE:
      g_named_tmp_file_set_delete (self, g_value_get_boolean (value));
      break;

    case PROP_DELETE_ON_CLOSE:
      g_named_tmp_file_set_delete_on_close (self, g_value_get_boolean (value));
      break;

    case PROP_PATH:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_named_tmp_file_class_init (GNamedTmpFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_stream_class = G_IO_STREAM_CLASS (klass);
  GFileIOStreamClass *file_io_stream_class = G_FILE_IO_STREAM_CLASS (klass);

  object_class->dispose = g_named_tmp_file_dispose;
  object_class->get_property = g_named_tmp_file_get_property;
  object_class->set_property = g_named_tmp_file_set_property;

  io_stream_class->close_fn = g_named_tmp_file_close_fn;

  file_io_stream_class->query_info = g_named_tmp_file_query_info;

  /**
   * GNamedTmpFile:path: (type filename)
   *
   * The absolute path of the file. After a successful
   * [method@GTempfile.TmpFile.persist] it is the new path (the strings
   * [method@GTempfile.NamedTmpFile.get_path] returned before stay valid).
   *
   * Since: 1.0
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * GNamedTmpFile:delete:
   *
   * Whether the file is removed automatically: on close if
   * [property@GTempfile.NamedTmpFile:delete-on-close] is set, otherwise by
   * [method@GTempfile.NamedTmpFile.cleanup] or the last unref. %FALSE keeps the
   * file forever. [method@GTempfile.TmpFile.persist] sets it to %FALSE.
   *
   * Since: 1.0
   */
  properties[PROP_DELETE] =
    _g_tmp_flag_pspec ("delete", TRUE);

  /**
   * GNamedTmpFile:delete-on-close:
   *
   * Whether closing the stream removes the file (when
   * [property@GTempfile.NamedTmpFile:delete] is set). Turn it off to close the
   * file and open it again by name before it is cleaned up.
   *
   * Since: 1.0
   */
  properties[PROP_DELETE_ON_CLOSE] =
    _g_tmp_flag_pspec ("delete-on-close", TRUE);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* After persist(): GTmpFile has the new path; the file is no longer
 * temporary. */
static void
persisted (GTmpFile *file,
           gboolean  path_changed)
{
  GNamedTmpFile *self = G_NAMED_TMP_FILE (file);

  g_object_freeze_notify (G_OBJECT (self));
  if (path_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  g_named_tmp_file_set_delete (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
g_named_tmp_file_init (GNamedTmpFile *self)
{
  _g_tmp_file_set_persisted_func ((GTmpFile *) self, persisted);
  self->delete_ = TRUE;
  self->delete_on_close = TRUE;
}


/* Public API */

/**
 * g_named_tmp_file_new:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for the default temporary directory
 * @prefix: (nullable) (type filename): the start of the file's name, or %NULL
 *   for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the file's name, or %NULL
 * @error: return location for a #GError
 *
 * Creates a temporary file with a visible name, like Python's
 * `tempfile.NamedTemporaryFile()`.
 *
 * The name is @prefix, 8 random characters and @suffix; the file is created
 * with `O_CREAT|O_EXCL|O_NOFOLLOW` and mode `0600`, so nobody else can have
 * created it or redirected it. By default it is removed when the stream is
 * closed; see [property@GTempfile.NamedTmpFile:delete] and
 * [property@GTempfile.NamedTmpFile:delete-on-close].
 * [ctor@GTempfile.NamedTmpFile.new_full] takes another mode and a longer
 * random part.
 *
 * ```c
 * g_autoptr(GNamedTmpFile) tmp = g_named_tmp_file_new (NULL, "upload-", ".jpg", &error);
 * if (tmp != NULL)
 *   g_print ("writing to %s\n", g_named_tmp_file_get_path (tmp));
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
GNamedTmpFile *
g_named_tmp_file_new (const gchar  *dir,
                      const gchar  *prefix,
                      const gchar  *suffix,
                      GError      **error)
{
  return g_named_tmp_file_new_full (dir, prefix, suffix, 0, 0, error);
}

/**
 * g_named_tmp_file_new_full:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for the default temporary directory
 * @prefix: (nullable) (type filename): the start of the file's name, or %NULL
 *   for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the file's name, or %NULL
 * @mode: the permission bits of the file (the umask applies, as with
 *   `open()`), or 0 for `0600`
 * @random_length: how many random characters the name has, from 8 to 128,
 *   or 0 for 8
 * @error: return location for a #GError
 *
 * Creates a temporary file with a visible name as
 * [ctor@GTempfile.NamedTmpFile.new] does, with the given mode and length of
 * the name's random part.
 *
 * ```c
 * // A spool file another user of the group reads; a name nobody guesses.
 * g_autoptr(GNamedTmpFile) tmp =
 *   g_named_tmp_file_new_full (spool_dir, "job-", NULL, 0640, 32, &error);
 * ```
 *
 * A @random_length outside 8 to 128 is %G_IO_ERROR_INVALID_ARGUMENT naming
 * @dir, and nothing is created; the other errors are those of
 * [ctor@GTempfile.NamedTmpFile.new].
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error set
 *
 * Since: 1.0
 */
GNamedTmpFile *
g_named_tmp_file_new_full (const gchar  *dir,
                           const gchar  *prefix,
                           const gchar  *suffix,
                           guint         mode,
                           guint         random_length,
                           GError      **error)
{
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_new (G_TYPE_NAMED_TMP_FILE, _g_tmp_file_get_template,
                     g_named_tmp_file_initable_init,
                     G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, dir, prefix, suffix, mode, random_length),
                     error);
}

/**
 * g_named_tmp_file_new_at:
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @dir: (nullable) (type filename): the directory to create the file in,
 *   relative to @dfd as in `openat()`; %NULL for @dfd itself (with
 *   `AT_FDCWD`: the default temporary directory)
 * @prefix: (nullable) (type filename): the start of the file's name, or %NULL
 *   for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the file's name, or %NULL
 * @mode: the permission bits (before the umask), or 0 for `0600`
 * @error: return location for a #GError
 *
 * Creates a temporary file with a visible name relative to a directory
 * descriptor, as libglnx and `openat()` work: the same guarantees as
 * [ctor@GTempfile.NamedTmpFile.new] (`O_CREAT|O_EXCL|O_NOFOLLOW`, a
 * random name), and the last component of @dir must not be a symbolic
 * link (%G_IO_ERROR_NOT_DIRECTORY; links earlier in @dir are followed, as
 * `openat()` does). With `AT_FDCWD` it is
 * [ctor@GTempfile.NamedTmpFile.new] with @mode.
 *
 * The object keeps a duplicate of @dfd (`F_DUPFD_CLOEXEC`): the caller may
 * close theirs at once. The file is removed relative to that duplicate,
 * so renaming the directory (or one above it) meanwhile cannot make the
 * removal reach another file. [property@GTempfile.NamedTmpFile:path] is
 * still absolute, found once through `/proc/self/fd`; where that is
 * impossible this fails with %G_IO_ERROR_NOT_SUPPORTED and creates
 * nothing.
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error
 *   set (naming the directory)
 *
 * Since: 1.0
 */
GNamedTmpFile *
g_named_tmp_file_new_at (gint          dfd,
                         const gchar  *dir,
                         const gchar  *prefix,
                         const gchar  *suffix,
                         guint         mode,
                         GError      **error)
{
  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, NULL);
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_new (G_TYPE_NAMED_TMP_FILE, _g_tmp_file_get_template,
                     g_named_tmp_file_initable_init,
                     G_TMP_TEMPLATE_BORROW_AT (dfd, dir, prefix, suffix, mode), error);
}

/**
 * g_named_tmp_file_new_async:
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
 * Creates a temporary file with a visible name without blocking, as
 * [ctor@GTempfile.NamedTmpFile.new] does. The file is created in a worker
 * thread; @callback runs in the thread-default main context of the caller
 * and should call [ctor@GTempfile.NamedTmpFile.new_finish].
 *
 * This is the named file's own asynchronous constructor: in bindings,
 * `NamedTmpFile.new_async()` makes a #GNamedTmpFile, not the anonymous
 * [class@GTempfile.TmpFile] of [func@GTempfile.TmpFile.new_async]. In GJS:
 *
 * ```js
 * Gio._promisify(GTempfile.NamedTmpFile, 'new_async', 'new_finish');
 * const file = await GTempfile.NamedTmpFile.new_async(null, 'upload-', '.jpg',
 *     GLib.PRIORITY_DEFAULT, null);
 * ```
 *
 * Cancelled before the file is made, nothing is made; the result is then
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
void
g_named_tmp_file_new_async (const gchar         *dir,
                            const gchar         *prefix,
                            const gchar         *suffix,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _g_tmp_new_async (G_TYPE_NAMED_TMP_FILE, _g_tmp_file_get_template,
                    G_TMP_TEMPLATE_BORROW (dir, prefix, suffix, 0), TRUE, io_priority,
                    cancellable, callback, user_data, g_named_tmp_file_new_async);
}

/**
 * g_named_tmp_file_new_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@GTempfile.NamedTmpFile.new_async].
 *
 * Returns: (transfer full) (nullable): the new file, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED if the operation was cancelled)
 *
 * Since: 1.0
 */
GNamedTmpFile *
g_named_tmp_file_new_finish (GAsyncResult  *result,
                             GError       **error)
{
  return _g_tmp_new_finish (result, g_named_tmp_file_new_async, error);
}

/**
 * g_named_tmp_file_get_path:
 * @self: a #GNamedTmpFile
 *
 * Gets the absolute path of the file (it keeps being reported after the file
 * has been removed, as Python's `name` does).
 *
 * The string belongs to the object and stays valid until the object is
 * finalized, also after [method@GTempfile.TmpFile.persist] has given the
 * file another path: a string returned before then still holds the old
 * path, and this returns the new one. Any thread may call this, also while
 * another thread persists the file; it then returns the path from before
 * or from after the move.
 *
 * A file that was never initialised (made with g_object_new() and no
 * successful [method@Gio.Initable.init]) has none: that is a programmer
 * error, reported with a critical warning, and the result is %NULL.
 *
 * Returns: (type filename) (transfer none): the path
 *
 * Since: 1.0
 */
const gchar *
g_named_tmp_file_get_path (GNamedTmpFile *self)
{
  const gchar *path;

  g_return_val_if_fail (G_IS_NAMED_TMP_FILE (self), NULL);

  path = _g_tmp_file_get_path ((GTmpFile *) self);
  if (G_UNLIKELY (path == NULL))
    _g_tmp_warn_uninitialised (G_STRFUNC, self);

  return path;
}

/**
 * g_named_tmp_file_get_file:
 * @self: a #GNamedTmpFile
 *
 * Gets the file as a [iface@Gio.File], for APIs that take one. Like
 * [method@GTempfile.NamedTmpFile.get_path], this is %NULL, with a critical
 * warning, for a file that was never initialised.
 *
 * Returns: (transfer full): a new #GFile for
 *   [property@GTempfile.NamedTmpFile:path]
 *
 * Since: 1.0
 */
GFile *
g_named_tmp_file_get_file (GNamedTmpFile *self)
{
  const gchar *path;

  g_return_val_if_fail (G_IS_NAMED_TMP_FILE (self), NULL);

  path = _g_tmp_file_get_path ((GTmpFile *) self);
  if (G_UNLIKELY (path == NULL))
    {
      _g_tmp_warn_uninitialised (G_STRFUNC, self);
      return NULL;
    }

  return g_file_new_for_path (path);
}

/**
 * g_named_tmp_file_get_delete:
 * @self: a #GNamedTmpFile
 *
 * Gets [property@GTempfile.NamedTmpFile:delete].
 *
 * Returns: whether the file is removed automatically
 *
 * Since: 1.0
 */
gboolean
g_named_tmp_file_get_delete (GNamedTmpFile *self)
{
  g_return_val_if_fail (G_IS_NAMED_TMP_FILE (self), FALSE);

  return self->delete_;
}

/**
 * g_named_tmp_file_set_delete:
 * @self: a #GNamedTmpFile
 * @delete_: whether the file is removed automatically
 *
 * Sets [property@GTempfile.NamedTmpFile:delete]. With %FALSE, closing,
 * [method@GTempfile.NamedTmpFile.cleanup] and the last unref leave the file in
 * place.
 *
 * Since: 1.0
 */
void
g_named_tmp_file_set_delete (GNamedTmpFile *self,
                             gboolean       delete_)
{
  g_return_if_fail (G_IS_NAMED_TMP_FILE (self));

  _g_tmp_flag_set (self, &self->delete_, delete_, properties[PROP_DELETE]);
}

/**
 * g_named_tmp_file_get_delete_on_close:
 * @self: a #GNamedTmpFile
 *
 * Gets [property@GTempfile.NamedTmpFile:delete-on-close].
 *
 * Returns: whether closing the stream removes the file
 *
 * Since: 1.0
 */
gboolean
g_named_tmp_file_get_delete_on_close (GNamedTmpFile *self)
{
  g_return_val_if_fail (G_IS_NAMED_TMP_FILE (self), FALSE);

  return self->delete_on_close;
}

/**
 * g_named_tmp_file_set_delete_on_close:
 * @self: a #GNamedTmpFile
 * @delete_on_close: whether closing the stream removes the file
 *
 * Sets [property@GTempfile.NamedTmpFile:delete-on-close]. With %FALSE (and
 * [property@GTempfile.NamedTmpFile:delete] set) the file outlives the stream
 * until [method@GTempfile.NamedTmpFile.cleanup] or the last unref.
 *
 * Since: 1.0
 */
void
g_named_tmp_file_set_delete_on_close (GNamedTmpFile *self,
                                      gboolean       delete_on_close)
{
  g_return_if_fail (G_IS_NAMED_TMP_FILE (self));

  _g_tmp_flag_set (self, &self->delete_on_close, delete_on_close,
                   properties[PROP_DELETE_ON_CLOSE]);
}

/**
 * g_named_tmp_file_cleanup:
 * @self: a #GNamedTmpFile
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * Closes the stream if it is open and removes the file now if
 * [property@GTempfile.NamedTmpFile:delete] is set, reporting the errors that
 * the automatic removal at the last unref has to ignore.
 *
 * Calling it again does nothing and succeeds; after a failure it can be
 * called again to retry. A file that is already gone is not an error.
 *
 * Returns: %TRUE on success, %FALSE with @error set (naming the path;
 *   %G_IO_ERROR_NOT_INITIALIZED, every time, for a file that was never
 *   initialised)
 *
 * Since: 1.0
 */
gboolean
g_named_tmp_file_cleanup (GNamedTmpFile  *self,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_return_val_if_fail (G_IS_NAMED_TMP_FILE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Not even closed: a file never initialised has nothing to clean up,
   * and the caller should hear why. */
  if (G_UNLIKELY (_g_tmp_file_get_path ((GTmpFile *) self) == NULL))
    {
      _g_tmp_file_set_uninitialised_error (error);
      return FALSE;
    }

  if (!g_io_stream_close (G_IO_STREAM (self), cancellable, error))
    return FALSE;

  if (self->delete_)
    return unlink_path (self, error);

  return TRUE;
}
