/* gtmpdir.c — a temporary directory that removes itself
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "gtempfile-private.h"
#include "gtmp-dir-private.h"

/**
 * GTmpDir:
 *
 * A directory with a unique name that is removed, with everything in it,
 * when you are done with it — the GObject counterpart of Python's
 * `tempfile.TemporaryDirectory`.
 *
 * The directory is created with mode 0700 (see [property@GTempfile.TmpDir:mode])
 * by the same secure core as every other class of this library, in
 * [property@GTempfile.TmpDir:dir] or the default temporary directory
 * (see [func@GTempfile.get_tempdir]).
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(GTmpDir) tmp = g_tmp_dir_new (NULL, "build-", NULL, &error);
 *
 * if (tmp == NULL)
 *   g_error ("%s", error->message);
 *
 * // work inside g_tmp_dir_get_path (tmp), or with openat (g_tmp_dir_get_fd (tmp), …)
 *
 * if (!g_tmp_dir_cleanup (tmp, NULL, &error))
 *   g_warning ("%s", error->message);
 * ```
 *
 * [method@GTempfile.TmpDir.cleanup] removes the whole tree. The removal works
 * relative to directory descriptors and never follows a symbolic link: a
 * link to a file or directory outside the tree is removed as a link, and
 * its target keeps its content and its mode. Read-only files and
 * directories inside the tree are made writable and removed; entries that
 * someone else removes meanwhile are not errors.
 *
 * ## Mount points
 *
 * The removal never enters a mount point of any kind — another file system
 * mounted inside the tree, or a bind mount of a directory of the same file
 * system — and never removes what is mounted over an entry: such an entry
 * is an error naming it, %G_IO_ERROR_BUSY, and nothing under it is touched.
 * With [property@GTempfile.TmpDir:ignore-cleanup-errors] it is skipped,
 * left mounted and intact, and the directories holding it stay. The same
 * holds for something mounted over the directory itself. On Linux the
 * kernel refuses the crossing (`openat2()` with `RESOLVE_NO_XDEV`, Linux
 * 5.6; where a seccomp filter refuses it, `statx()`'s
 * `STATX_ATTR_MOUNT_ROOT`, Linux 5.8; before that, the mount IDs of the
 * directory and its parent). Only on a file system without file handles
 * (`name_to_handle_at()`) and on other systems is just a mount of another
 * device seen.
 *
 * ## Which directory is removed
 *
 * A cleanup removes the directory the object created, not whatever is at
 * its path by then. The object knows which one that is from the first time
 * it hands the directory out: [method@GTempfile.TmpDir.get_fd] (the
 * descriptor is held and the walk starts from it), or
 * [method@GTempfile.TmpDir.get_path], [method@GTempfile.TmpDir.get_file] or
 * [property@GTempfile.TmpDir:path] (which look at the directory once, so
 * that a directory no one looked into costs `mkdir()` and `rmdir()` and
 * nothing more). If ours was renamed away and another directory with
 * entries put at the path, the cleanup leaves both alone and fails with
 * %G_IO_ERROR_BUSY naming the path. A cleanup always tries `rmdir()` on the
 * path first, so an *empty* directory put there is removed: that loses no
 * data, and telling it apart would cost a system call in every lifecycle.
 *
 * ## Threads
 *
 * Every method may be called from any thread, also at the same time:
 * [method@GTempfile.TmpDir.get_path], [method@GTempfile.TmpDir.get_file],
 * [method@GTempfile.TmpDir.get_fd], [method@GTempfile.TmpDir.cleanup],
 * [method@GTempfile.TmpDir.cleanup_async] and the getters and setters of
 * [property@GTempfile.TmpDir:delete] and
 * [property@GTempfile.TmpDir:ignore-cleanup-errors] (whose notifications
 * are emitted in the thread that changed them). One cleanup runs at a
 * time: a cleanup started while another is under way waits for it and
 * then succeeds if it did, or tries again. While a cleanup is under way
 * [method@GTempfile.TmpDir.get_fd] returns -1. A cleanup reads
 * [property@GTempfile.TmpDir:ignore-cleanup-errors] when it starts;
 * changing it meanwhile affects the next one. Two initializations of one
 * object at the same time (two `g_async_initable_init_async()` calls)
 * create one directory, which both report. As with any #GObject, the last
 * reference must not be dropped while another thread still uses the
 * object; [method@GTempfile.TmpDir.cleanup_async] holds one of its own.
 * A forked child may use or drop objects that another parent thread was
 * using at fork time, also one a `cleanup_async()` was removing: the child
 * does not wait for that cleanup (it goes on in the parent alone), and
 * its own cleanup removes what is left, as anywhere.
 *
 * When the last reference is dropped, the directory is removed if
 * [property@GTempfile.TmpDir:delete] is set and no cleanup has happened
 * yet — but only in the process that created it, so a forked child that
 * drops its reference leaves its parent's directory alone. Problems met
 * there cannot be returned (they are logged at debug level only); call
 * [method@GTempfile.TmpDir.cleanup] (or
 * [method@GTempfile.TmpDir.cleanup_async], which never blocks the main
 * loop) to see them.
 *
 * Setting [property@GTempfile.TmpDir:delete] to %FALSE keeps the directory
 * when the object is disposed, as `delete=False` does in Python 3.12; an
 * explicit [method@GTempfile.TmpDir.cleanup] still removes it.
 *
 * An object made by `g_object_new()` alone (`new GTempfile.TmpDir()`
 * in GJS, `GObject.new()` in Python) has no directory until
 * [method@Gio.Initable.init] has succeeded. Until then
 * [method@GTempfile.TmpDir.cleanup], [method@GTempfile.TmpDir.persist]
 * and their async forms fail with %G_IO_ERROR_NOT_INITIALIZED, and [method@GTempfile.TmpDir.get_path],
 * [method@GTempfile.TmpDir.get_file] and [method@GTempfile.TmpDir.get_fd]
 * log a critical warning and return %NULL or -1. The properties may be set
 * before.
 *
 * ## Publishing
 *
 * A tree built in a temporary directory can be published in one atomic
 * step with [method@GTempfile.TmpDir.persist]: renamed to its final name,
 * or swapped with the live tree (%G_TMP_PERSIST_EXCHANGE), which then
 * belongs to the object and goes with its cleanup. A published directory
 * is no longer temporary: neither cleanup nor dispose removes it.
 *
 * Since: 1.0
 */

/* After the template's properties (gtmp-template.h). */
enum {
  PROP_PATH = G_TMP_TEMPLATE_N_PROPS,
  PROP_DELETE,
  PROP_IGNORE_CLEANUP_ERRORS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void g_tmp_dir_initable_iface_init       (GInitableIface      *iface);
static void g_tmp_dir_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GTmpDir, g_tmp_dir, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      g_tmp_dir_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      g_tmp_dir_async_initable_iface_init))

/* Takes @lock. A forked child inherits @lock and a cleanup's state as the
 * parent's other threads left them (a cleanup_async() under way, @lock
 * maybe held), and those threads do not exist in the child: on the first
 * use there both start afresh. The directory, @fd and what is known of
 * them stay: an explicit cleanup in the child removes the tree as
 * anywhere, and dispose still only closes the child's descriptor. */
static void
g_tmp_dir_lock (GTmpDir *self)
{
  if (G_UNLIKELY (_g_tmp_core_adopt_begin (&self->lock_pid)))
    {
      g_mutex_init (&self->lock);
      g_cond_init (&self->cleaned);
      self->n_waiting = 0;
      self->cleaning = FALSE;
      _g_tmp_core_adopt_end (&self->lock_pid);
    }
  g_mutex_lock (&self->lock);
}

/* Creates the directory; relative to a descriptor, it is removed later
 * from the directory it was made in (see _g_tmp_template_resolve_at()). */
static gboolean
create_locked (GTmpDir  *self,
               GError  **error)
{
  GTmpTemplate at;
  g_autofree gchar *dir = NULL;
  gchar *path;
  gint parent;

  if (!_g_tmp_template_resolve_at (&self->tmpl, &at, &parent, &dir, error))
    return FALSE;

  path = _g_tmp_core_create_dir (&at, error);
  if (path == NULL)
    {
      _g_tmp_core_clear_fd (&parent);
      return FALSE;
    }

  if (dir == NULL)
    self->path = path;
  else
    {
      self->path = g_build_filename (dir, path, NULL);
      self->at_path = path;
      self->at_dfd = parent;
    }

  return TRUE;
}

/* A second init, also one running at the same time in another thread
 * (two g_async_initable_init_async() calls), waits for the first and
 * shares its directory: @lock is held across the creation. */
static gboolean
g_tmp_dir_initable_init (GInitable     *initable,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GTmpDir *self = G_TMP_DIR (initable);
  gboolean ret = TRUE;

  g_tmp_dir_lock (self);

  if (self->path == NULL)
    {
      if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
        ret = FALSE;
      else
        {
          ret = create_locked (self, error);
          if (ret)
            self->creator_pid = _g_tmp_core_get_pid ();
        }
    }

  g_mutex_unlock (&self->lock);

  return ret;
}

static void
g_tmp_dir_initable_iface_init (GInitableIface *iface)
{
  iface->init = g_tmp_dir_initable_init;
}

static void
g_tmp_dir_async_initable_iface_init (GAsyncInitableIface *iface)
{
  /* The default implementation runs GInitable.init in a worker thread. */
}

static void
g_tmp_dir_dispose (GObject *object)
{
  GTmpDir *self = G_TMP_DIR (object);

  /* No one else holds a reference, so no cleanup can be under way. A
   * forked child (another pid) lets go of the descriptor and nothing more. */
  if (g_atomic_int_get (&self->delete) &&
      self->path != NULL &&
      self->creator_pid == _g_tmp_core_get_pid ())
    {
      g_autoptr(GError) error = NULL;

      /* Debug level only: no one can act on it here, and a warning would
       * abort a program running with G_DEBUG=fatal-warnings. */
      if (!_g_tmp_dir_cleanup_internal (self, g_atomic_int_get (&self->ignore_cleanup_errors),
                                       FALSE, NULL, &error) &&
          !self->failure_reported)
        g_debug ("Could not remove temporary directory: %s", error->message);
    }

  _g_tmp_core_clear_fd (&self->fd);

  G_OBJECT_CLASS (g_tmp_dir_parent_class)->dispose (object);
}

static void
g_tmp_dir_finalize (GObject *object)
{
  GTmpDir *self = G_TMP_DIR (object);

  _g_tmp_template_clear (&self->tmpl);
  g_free (self->path);
  g_free (self->at_path);
  _g_tmp_core_clear_fd (&self->at_dfd);
  g_slist_free_full (self->old_paths, g_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cleaned);

  G_OBJECT_CLASS (g_tmp_dir_parent_class)->finalize (object);
}

static void
g_tmp_dir_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GTmpDir *self = G_TMP_DIR (object);

  if (_g_tmp_template_get_property (&self->tmpl, prop_id, value))
    return;

  switch (prop_id)
    {
    case PROP_PATH:
      /* NULL before init, without get_path()'s critical: reading the
       * properties of any object (a debugger, GJS printing it) is fine. */
      g_value_set_string (value, self->path != NULL ? g_tmp_dir_get_path (self) : NULL);
      break;

    case PROP_DELETE:
      g_value_set_boolean (value, g_tmp_dir_get_delete (self));
      break;

    case PROP_IGNORE_CLEANUP_ERRORS:
      g_value_set_boolean (value, g_tmp_dir_get_ignore_cleanup_errors (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tmp_dir_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GTmpDir *self = G_TMP_DIR (object);

  if (_g_tmp_template_set_property (&self->tmpl, prop_id, value, pspec))
    return;

  switch (prop_id)
    {
    case PROP_DELETE:
      g_tmp_dir_set_delete (self, g_value_get_boolean (value));
      break;

    case PROP_IGNORE_CLEANUP_ERRORS:
      g_tmp_dir_set_ignore_cleanup_errors (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tmp_dir_class_init (GTmpDirClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = g_tmp_dir_dispose;
  object_class->finalize = g_tmp_dir_finalize;
  object_class->get_property = g_tmp_dir_get_property;
  object_class->set_property = g_tmp_dir_set_property;

  /**
   * GTmpDir:dir: (type filename)
   *
   * The directory to create the temporary directory in, or %NULL for
   * the default one ([func@GTempfile.get_tempdir]). A relative name is
   * resolved against the current directory when the object is created.
   *
   * Since: 1.0
   */
  /**
   * GTmpDir:prefix: (type filename)
   *
   * The start of the directory's name, or %NULL for
   * [func@GTempfile.get_tempprefix]. It must not contain `/`.
   *
   * Since: 1.0
   */
  /**
   * GTmpDir:suffix: (type filename)
   *
   * The end of the directory's name, or %NULL for none. It must not
   * contain `/`.
   *
   * Since: 1.0
   */
  /**
   * GTmpDir:mode:
   *
   * The permissions the directory is created with (before the umask).
   * `0` means `0700`.
   *
   * Since: 1.0
   */
  /**
   * GTmpDir:random-length:
   *
   * How many random characters the directory's name has between
   * [property@GTempfile.TmpDir:prefix] and [property@GTempfile.TmpDir:suffix]:
   * from 8 (the default, as CPython's) to 128, for a name that must stay
   * unguessable for long.
   *
   * Since: 1.0
   */
  /**
   * GTmpDir:dir-fd:
   *
   * A directory descriptor that [property@GTempfile.TmpDir:dir] is
   * relative to, as in `openat()`, or -1 for none. With one,
   * [property@GTempfile.TmpDir:dir] %NULL means that directory itself,
   * its last component must not be a symbolic link, and the cleanup
   * removes the directory relative to the object's own duplicate of the
   * descriptor (`F_DUPFD_CLOEXEC`), which reading the property returns.
   * See [ctor@GTempfile.TmpDir.new_at].
   *
   * Since: 1.0
   */
  _g_tmp_template_init_pspecs (properties, G_TMP_CORE_DIR_MODE);

  /**
   * GTmpDir:path: (type filename)
   *
   * The absolute path of the directory; after
   * [method@GTempfile.TmpDir.persist] (not an exchange), the path it was
   * published at.
   *
   * Since: 1.0
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_STATIC_STRINGS));

  /**
   * GTmpDir:delete:
   *
   * Whether disposing of the object removes the directory (in the process
   * that created it, when no cleanup has happened yet). When %FALSE the
   * directory outlives the object, as with `delete=False` in Python 3.12,
   * but an explicit [method@GTempfile.TmpDir.cleanup] or
   * [method@GTempfile.TmpDir.cleanup_async] still removes it. It can be
   * changed at any time, from any thread, also while a cleanup runs;
   * dispose looks at the value it has then.
   *
   * Since: 1.0
   */
  properties[PROP_DELETE] =
    _g_tmp_flag_pspec ("delete", TRUE);

  /**
   * GTmpDir:ignore-cleanup-errors:
   *
   * Whether a cleanup removes all it can and reports success even when
   * some entries could not be removed.
   *
   * Since: 1.0
   */
  properties[PROP_IGNORE_CLEANUP_ERRORS] =
    _g_tmp_flag_pspec ("ignore-cleanup-errors", FALSE);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
g_tmp_dir_init (GTmpDir *self)
{
  self->fd = -1;
  self->at_dfd = -1;
  self->tmpl.mode = G_TMP_CORE_DIR_MODE;
  self->tmpl.dfd = AT_FDCWD;
  self->delete = TRUE;
  self->lock_pid = _g_tmp_core_get_pid ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->cleaned);
}

static GTmpTemplate *
tmp_dir_template (gpointer object)
{
  return &((GTmpDir *) object)->tmpl;
}

/**
 * g_tmp_dir_new:
 * @dir: (nullable) (type filename): the directory to create it in, or %NULL
 *   for the default temporary directory
 * @prefix: (nullable) (type filename): the start of its name, or %NULL for
 *   `"tmp"`
 * @suffix: (nullable) (type filename): the end of its name, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Creates a new directory with a unique name, mode 0700, in @dir.
 *
 * The name is @prefix, eight random characters, then @suffix; neither
 * may contain `/` (that is %G_IO_ERROR_INVALID_ARGUMENT and nothing is
 * created). The error names @dir when the directory cannot be created.
 * [ctor@GTempfile.TmpDir.new_full] takes another mode and a longer random
 * part.
 *
 * Returns: (transfer full): a new #GTmpDir, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpDir *
g_tmp_dir_new (const gchar  *dir,
               const gchar  *prefix,
               const gchar  *suffix,
               GError      **error)
{
  return g_tmp_dir_new_full (dir, prefix, suffix, 0, 0, error);
}

/**
 * g_tmp_dir_new_full:
 * @dir: (nullable) (type filename): the directory to create it in, or %NULL
 *   for the default temporary directory
 * @prefix: (nullable) (type filename): the start of its name, or %NULL for
 *   `"tmp"`
 * @suffix: (nullable) (type filename): the end of its name, or %NULL
 * @mode: the permissions of the directory (the umask applies, as with
 *   `mkdir()`), or 0 for `0700`
 * @random_length: how many random characters its name has, from 8 to 128,
 *   or 0 for 8
 * @error: return location for a #GError, or %NULL
 *
 * Creates a new directory as [ctor@GTempfile.TmpDir.new] does, with the
 * given mode and length of the name's random part.
 *
 * ```c
 * // A build tree the group may read, under a name nobody guesses.
 * g_autoptr(GTmpDir) tree = g_tmp_dir_new_full (NULL, "build-", NULL, 0750, 24, &error);
 * ```
 *
 * A @random_length outside 8 to 128 is %G_IO_ERROR_INVALID_ARGUMENT naming
 * @dir, and nothing is created.
 *
 * Returns: (transfer full): a new #GTmpDir, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpDir *
g_tmp_dir_new_full (const gchar  *dir,
                    const gchar  *prefix,
                    const gchar  *suffix,
                    guint         mode,
                    guint         random_length,
                    GError      **error)
{
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_new (G_TYPE_TMP_DIR, tmp_dir_template, g_tmp_dir_initable_init,
                     G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, dir, prefix, suffix, mode, random_length),
                     error);
}

/**
 * g_tmp_dir_new_at:
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @dir: (nullable) (type filename): the directory to create it in,
 *   relative to @dfd as in `openat()`; %NULL for @dfd itself (with
 *   `AT_FDCWD`: the default temporary directory)
 * @prefix: (nullable) (type filename): the start of its name, or %NULL for
 *   `"tmp"`
 * @suffix: (nullable) (type filename): the end of its name, or %NULL
 * @mode: the permission bits (before the umask), or 0 for `0700`
 * @error: return location for a #GError, or %NULL
 *
 * Creates a new directory with a unique name relative to a directory
 * descriptor, with the guarantees of [ctor@GTempfile.TmpDir.new]; the
 * last component of @dir must not be a symbolic link
 * (%G_IO_ERROR_NOT_DIRECTORY). With `AT_FDCWD` it is
 * [ctor@GTempfile.TmpDir.new] with @mode.
 *
 * The object keeps a duplicate of @dfd (`F_DUPFD_CLOEXEC`; the caller may
 * close theirs at once) and removes the directory relative to it, so
 * renaming the parent meanwhile cannot make the cleanup reach another
 * tree. [property@GTempfile.TmpDir:path] is still absolute, found once
 * through `/proc/self/fd`; where that is impossible this fails with
 * %G_IO_ERROR_NOT_SUPPORTED and creates nothing.
 *
 * Returns: (transfer full): a new #GTmpDir, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpDir *
g_tmp_dir_new_at (gint          dfd,
                  const gchar  *dir,
                  const gchar  *prefix,
                  const gchar  *suffix,
                  guint         mode,
                  GError      **error)
{
  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, NULL);
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_new (G_TYPE_TMP_DIR, tmp_dir_template, g_tmp_dir_initable_init,
                     G_TMP_TEMPLATE_BORROW_AT (dfd, dir, prefix, suffix, mode), error);
}

/**
 * g_tmp_dir_new_async:
 * @dir: (nullable) (type filename): the directory to create it in, or %NULL
 *   for the default temporary directory
 * @prefix: (nullable) (type filename): the start of its name, or %NULL for
 *   `"tmp"`
 * @suffix: (nullable) (type filename): the end of its name, or %NULL
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the directory has been created
 * @user_data: data for @callback
 *
 * Creates a new temporary directory in a worker thread, like
 * [ctor@GTempfile.TmpDir.new]. Call [ctor@GTempfile.TmpDir.new_finish]
 * from @callback; the result has no source object.
 *
 * Cancelled before the directory is made, nothing is made; cancelled
 * after, the directory is removed again and the result is
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
void
g_tmp_dir_new_async (const gchar         *dir,
                     const gchar         *prefix,
                     const gchar         *suffix,
                     int                  io_priority,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _g_tmp_new_async (G_TYPE_TMP_DIR, tmp_dir_template,
                    G_TMP_TEMPLATE_BORROW (dir, prefix, suffix, 0), FALSE, io_priority,
                    cancellable, callback, user_data, g_tmp_dir_new_async);
}

/**
 * g_tmp_dir_new_finish:
 * @result: the #GAsyncResult passed to the callback of
 *   [func@GTempfile.TmpDir.new_async]
 * @error: return location for a #GError, or %NULL
 *
 * Finishes [func@GTempfile.TmpDir.new_async].
 *
 * Returns: (transfer full): a new #GTmpDir, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpDir *
g_tmp_dir_new_finish (GAsyncResult  *result,
                      GError       **error)
{
  return _g_tmp_new_finish (result, g_tmp_dir_new_async, error);
}

/* Called before the directory's path or descriptor leaves the object: the
 * first time, records which directory it is, so that a cleanup without a
 * descriptor removes no other tree put at the path later (see the class
 * documentation). Costs one fstatat(), once, and only where a path is
 * handed out: not in the lifecycle of a directory no one looked into. */
static void
hand_out (GTmpDir *self)
{
  if G_LIKELY (g_atomic_int_get (&self->handed_out))
    return;

  g_tmp_dir_lock (self);
  if (!self->handed_out && self->path != NULL)
    {
      /* A held descriptor says which directory it is by itself. */
      if (self->fd < 0 && !self->cleaning && !self->cleaned_up)
        self->have_id = _g_tmp_core_get_dir_id (_g_tmp_dir_where_dfd (self), _g_tmp_dir_where_path (self), &self->id);
      g_atomic_int_set (&self->handed_out, TRUE);
    }
  g_mutex_unlock (&self->lock);
}

/**
 * g_tmp_dir_get_path:
 * @self: a #GTmpDir
 *
 * Gets the absolute path of the directory. It stays the same after a
 * cleanup, when nothing is there any more.
 *
 * The first call looks at the directory (one `fstatat()`), so that a
 * later cleanup knows it from another put at the same path; see
 * [class@GTempfile.TmpDir].
 *
 * Returns: (type filename) (transfer none): the path
 *
 * Since: 1.0
 */
const gchar *
g_tmp_dir_get_path (GTmpDir *self)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), NULL);

  if (G_UNLIKELY (self->path == NULL))
    _g_tmp_warn_uninitialised (G_STRFUNC, self);

  hand_out (self);
  return g_atomic_pointer_get (&self->path);
}

/**
 * g_tmp_dir_get_file:
 * @self: a #GTmpDir
 *
 * Gets the directory as a #GFile.
 *
 * Returns: (transfer full): a new #GFile for [property@GTempfile.TmpDir:path]
 *
 * Since: 1.0
 */
GFile *
g_tmp_dir_get_file (GTmpDir *self)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), NULL);

  if (G_UNLIKELY (self->path == NULL))
    {
      _g_tmp_warn_uninitialised (G_STRFUNC, self);
      return NULL;
    }

  hand_out (self);
  return g_file_new_for_path (g_atomic_pointer_get (&self->path));
}

/**
 * g_tmp_dir_get_fd:
 * @self: a #GTmpDir
 *
 * Gets a descriptor of the directory, for `openat()`, `mkdirat()` and the
 * like, so that work inside it does not depend on its path.
 *
 * The descriptor (`O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC`) is opened by the
 * first call and belongs to @self: do not close it. It stays valid until
 * the directory is cleaned up; a cleanup also starts from it.
 *
 * After [method@GTempfile.TmpDir.persist] it is the published directory;
 * after an exchange, the tree that was swapped out.
 *
 * Returns: the descriptor, or -1 once the directory has been cleaned up
 *   (or while a cleanup or a persist is under way) or when it can no
 *   longer be opened
 *
 * Since: 1.0
 */
gint
g_tmp_dir_get_fd (GTmpDir *self)
{
  gint fd;

  g_return_val_if_fail (G_IS_TMP_DIR (self), -1);

  g_tmp_dir_lock (self);
  if (self->path != NULL && !self->cleaning && !self->cleaned_up && self->fd < 0)
    self->fd = _g_tmp_core_open_dir_at (_g_tmp_dir_where_dfd (self), _g_tmp_dir_where_path (self));
  fd = (self->cleaning || self->cleaned_up) ? -1 : self->fd;
  if (fd >= 0)
    g_atomic_int_set (&self->handed_out, TRUE);
  g_mutex_unlock (&self->lock);

  if (G_UNLIKELY (self->path == NULL))
    _g_tmp_warn_uninitialised (G_STRFUNC, self);

  return fd;
}

/**
 * g_tmp_dir_get_delete:
 * @self: a #GTmpDir
 *
 * Gets [property@GTempfile.TmpDir:delete].
 *
 * Returns: whether dispose removes the directory
 *
 * Since: 1.0
 */
gboolean
g_tmp_dir_get_delete (GTmpDir *self)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), FALSE);

  return g_atomic_int_get (&self->delete);
}

/**
 * g_tmp_dir_set_delete:
 * @self: a #GTmpDir
 * @delete_: whether dispose removes the directory
 *
 * Sets [property@GTempfile.TmpDir:delete]. An explicit
 * [method@GTempfile.TmpDir.cleanup] removes the directory either way.
 *
 * Since: 1.0
 */
void
g_tmp_dir_set_delete (GTmpDir  *self,
                      gboolean  delete_)
{
  g_return_if_fail (G_IS_TMP_DIR (self));

  _g_tmp_flag_set (self, &self->delete, delete_, properties[PROP_DELETE]);
}

/**
 * g_tmp_dir_get_ignore_cleanup_errors:
 * @self: a #GTmpDir
 *
 * Gets [property@GTempfile.TmpDir:ignore-cleanup-errors].
 *
 * Returns: whether cleanup errors are ignored
 *
 * Since: 1.0
 */
gboolean
g_tmp_dir_get_ignore_cleanup_errors (GTmpDir *self)
{
  g_return_val_if_fail (G_IS_TMP_DIR (self), FALSE);

  return g_atomic_int_get (&self->ignore_cleanup_errors);
}

/**
 * g_tmp_dir_set_ignore_cleanup_errors:
 * @self: a #GTmpDir
 * @ignore_cleanup_errors: whether a cleanup removes what it can and
 *   succeeds anyway
 *
 * Sets [property@GTempfile.TmpDir:ignore-cleanup-errors].
 *
 * Since: 1.0
 */
void
g_tmp_dir_set_ignore_cleanup_errors (GTmpDir  *self,
                                     gboolean  ignore_cleanup_errors)
{
  g_return_if_fail (G_IS_TMP_DIR (self));

  _g_tmp_flag_set (self, &self->ignore_cleanup_errors, ignore_cleanup_errors,
                   properties[PROP_IGNORE_CLEANUP_ERRORS]);
}

/* For gtmp-dir-persist.c, which shares the state above (g_tmp_dir_lock()
 * adopts it in a forked child first). */
void
_g_tmp_dir_lock (GTmpDir *self)
{
  g_tmp_dir_lock (self);
}

void
_g_tmp_dir_notify_changes (GTmpDir        *self,
                           GTmpDirChanges  changes)
{
  if (changes & G_TMP_DIR_CHANGED_PATH)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  if (changes & G_TMP_DIR_CHANGED_DELETE)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELETE]);
}
