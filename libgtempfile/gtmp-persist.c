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
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_DOCUMENT_MODE, "document-mode"),
                     G_DEFINE_ENUM_VALUE (G_TMP_PERSIST_EXCHANGE, "exchange"))

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

typedef struct
{
  /* Absolute where it can be known (persist_at() relative to a descriptor
   * without /proc: as given): the new path, and what errors name. */
  gchar               *dest;
  gchar               *name;      /* @dest's last component */
  /* @dest's directory, relative to @base_dfd: AT_FDCWD, or a duplicate of
   * the descriptor given to persist_at() (the caller may close theirs
   * before an async persist runs). */
  gchar               *dir;
  gint                 base_dfd;
  /* @dir, opened (following symlinks, as rename() does) before anything
   * changes; the file is moved relative to it, SYNC flushes it, a copy is
   * made in it. */
  gint                 dfd;
  GTmpPersistFlags     flags;
  /* What the file takes on from the file it replaces (or DOCUMENT_MODE). */
  GTmpFdioAttrs        attrs;
  /* The file now lives at @dest, even if a later step (fsync of the
   * directory) failed: the object's state must follow. */
  gboolean             moved;
  /* The kernel refused to link the file at all (opened O_TMPFILE|O_EXCL,
   * or its link spent by an earlier failed replace): only a copy saves it. */
  gboolean             link_refused;
} PersistOp;

static void
persist_op_free (PersistOp *op)
{
  _g_tmp_core_clear_fd (&op->dfd);
  if (op->base_dfd >= 0)
    _g_tmp_core_clear_fd (&op->base_dfd);
  g_free (op->dest);
  g_free (op->name);
  g_free (op->dir);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PersistOp, persist_op_free)

/* @path relative to @dfd (AT_FDCWD: the current directory, now). */
static PersistOp *
persist_op_new (gint               dfd,
                const gchar       *path,
                GTmpPersistFlags   flags,
                GError           **error)
{
  g_autoptr(PersistOp) op = g_new0 (PersistOp, 1);

  op->dfd = -1;
  op->base_dfd = AT_FDCWD;
  op->flags = flags;
  op->name = g_path_get_basename (path);

  if (dfd == AT_FDCWD || g_path_is_absolute (path))
    {
      op->dest = _g_tmp_core_fd_path (AT_FDCWD, path);
      op->dir = g_path_get_dirname (op->dest);
      return g_steal_pointer (&op);
    }

  op->base_dfd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  if (op->base_dfd < 0)
    {
      set_persist_error (error, errno, path);
      return NULL;
    }

  op->dest = _g_tmp_core_fd_path (dfd, path);
  if (op->dest == NULL)
    op->dest = g_strdup (path);
  op->dir = g_path_get_dirname (path);

  return g_steal_pointer (&op);
}

static gboolean
no_replace (PersistOp *op)
{
  return (op->flags & G_TMP_PERSIST_NO_REPLACE) != 0;
}

/* Opens @op's directory if it is not open yet: FALSE with @error set
 * (naming @dest), and then nothing has changed. */
static gboolean
persist_open_dir (PersistOp  *op,
                  GError    **error)
{
  if (op->dfd >= 0)
    return TRUE;

  /* Not O_NOFOLLOW: a symlink in @dest's directory path is followed, as
   * rename() of @dest would. */
  op->dfd = openat (op->base_dfd, op->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
                 gint           src_dfd,
                 const gchar   *src,
                 GCancellable  *cancellable,
                 GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  g_autofree gchar *copy_path = NULL;
  GTmpFdioAttrs attrs = op->attrs;
  gboolean spent = FALSE;
  struct stat st;
  off_t position;
  gint copy_fd;
  gint errsv;

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

  /* The copy takes what the file would have: the replaced file's mode and
   * owner, the document mode, or else the file's own mode exactly. */
  if (!attrs.has_mode && fstat (priv->fd, &st) == 0)
    {
      attrs.has_mode = TRUE;
      attrs.mode = st.st_mode & 07777;
    }
  errsv = _g_tmp_fdio_apply_attrs (copy_fd, &attrs, NULL);
  if (errsv != 0)
    {
      _g_tmp_fdio_set_copy_error (error, errsv, op->dest);
      goto fail;
    }

  _g_tmp_core_copy_starting (op->dest);
  if (!_g_tmp_fdio_copy (priv->fd, copy_fd, op->dest, cancellable, error) ||
      ((op->flags & G_TMP_PERSIST_SYNC) && !_g_tmp_fdio_sync (copy_fd, op->dest, error)))
    goto fail;

  if (lseek (copy_fd, position, SEEK_SET) < 0)
    {
      _g_tmp_fdio_set_copy_error (error, errno, op->dest);
      goto fail;
    }

  /* Nothing has changed yet; from here on we only move forward. A copy
   * whose link is spent is dropped below anyway. */
  if (copy_path == NULL)
    errsv = _g_tmp_fdio_link_into_place (copy_fd, op->dfd, op->name, no_replace (op), &spent);
  else
    errsv = _g_tmp_fdio_rename (op->dfd, copy_path, op->dfd, op->name, no_replace (op));
  if (errsv != 0)
    {
      set_persist_error (error, errsv, op->dest);
      goto fail;
    }

  op->moved = TRUE;

  /* A named original has been moved, not copied: its old name goes. */
  if (src != NULL)
    unlinkat (src_dfd, src, 0);

  /* The copy takes over the original's descriptor number, so that a caller
   * holding g_tmp_file_get_fd()'s number (Python's file object over it
   * does) goes on with the saved file, not a closed or reused number. */
  if (dup3 (copy_fd, priv->fd, O_CLOEXEC) >= 0)
    _g_tmp_core_clear_fd (&copy_fd);
  else
    {
      _g_tmp_core_clear_fd (&priv->fd);
      priv->fd = copy_fd;
    }
  priv->linkable = FALSE;
  priv->link_spent = FALSE;

  return TRUE;

fail:
  if (copy_path != NULL)
    unlinkat (op->dfd, copy_path, 0);
  _g_tmp_core_clear_fd (&copy_fd);
  return FALSE;
}

/* Gives the file the name @op->dest without copying it: 0, or an errno
 * value (EXDEV: another file system; ENOTSUP: an anonymous file that
 * cannot be linked; ENOENT with @op->link_refused: one the kernel will not
 * link). */
/* Whether @dfd is a directory that still has a name (linkat() into a
 * removed one fails with ENOENT too). */
static gboolean
directory_exists (gint dfd)
{
  struct stat st;

  return fstat (dfd, &st) == 0 && st.st_nlink > 0;
}

static gint
move_into_place (GTmpFile    *self,
                 gint         src_dfd,
                 const gchar *src,
                 PersistOp   *op)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gboolean spent = FALSE;
  gint errsv;

  if (src != NULL)
    return _g_tmp_fdio_rename (src_dfd, src, op->dfd, op->name, no_replace (op));
  if (!priv->linkable && !priv->link_spent)
    return ENOTSUP;

  /* A spent file is tried all the same: the kernel tells another file
   * system (EXDEV, a copy only with ALLOW_COPY) from this one (ENOENT),
   * and an existing @op->name under NO_REPLACE (EEXIST) first. */
  errsv = _g_tmp_fdio_link_into_place (priv->fd, op->dfd, op->name, no_replace (op), &spent);
  if (spent)
    {
      priv->linkable = FALSE;
      priv->link_spent = TRUE;
    }
  else if (errsv == ENOENT && directory_exists (op->dfd))
    {
      /* Not a directory removed under us: the file itself is refused. */
      priv->linkable = FALSE;
      priv->link_spent = TRUE;
      op->link_refused = TRUE;
    }

  return errsv;
}

/* Gives the file what it takes on (@op->attrs), syncs it with SYNC and
 * moves it into place; a failure gives the file its mode and owner back.
 * 0, -1 with @error set, or the move's errno value (nothing set). */
static gint
persist_in_place (GTmpFile      *self,
                  gint           src_dfd,
                  const gchar   *src,
                  PersistOp     *op,
                  GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  GTmpFdioAttrs saved = { 0, };
  gint errsv;

  errsv = _g_tmp_fdio_apply_attrs (priv->fd, &op->attrs, &saved);
  if (errsv != 0)
    {
      set_persist_error (error, errsv, op->dest);
      return -1;
    }

  if ((op->flags & G_TMP_PERSIST_SYNC) && !_g_tmp_fdio_sync (priv->fd, op->dest, error))
    {
      _g_tmp_fdio_restore_attrs (priv->fd, &saved);
      return -1;
    }

  errsv = move_into_place (self, src_dfd, src, op);
  if (errsv != 0)
    _g_tmp_fdio_restore_attrs (priv->fd, &saved);

  return errsv;
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
  gint src_dfd = AT_FDCWD;
  gint errsv;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!_g_tmp_file_ensure_fd (self, cancellable, error))
    return FALSE;

  /* A named file made relative to a descriptor moves from there. */
  if (priv->at_path != NULL)
    {
      src = g_strdup (priv->at_path);
      src_dfd = priv->at_dfd >= 0 ? priv->at_dfd : priv->tmpl.dfd;
    }
  else
    src = g_strdup (priv->path);

  /* The directory, while a failure (EMFILE, say) still changes nothing. */
  if (!persist_open_dir (op, error))
    return FALSE;

  _g_tmp_fdio_dest_attrs (op->dfd, op->name, no_replace (op),
                          (op->flags & G_TMP_PERSIST_DOCUMENT_MODE) != 0, &op->attrs);

  /* rename() would refuse it too, but only after an anonymous file has
   * been linked beside it: unlinked again, it could never be linked. */
  if (op->attrs.dest_is_dir)
    {
      set_persist_error (error, EISDIR, op->dest);
      return FALSE;
    }

  /* SYNC syncs the file before it gets its new name. A file that will be
   * copied gets its copy synced instead: syncing it too would write all of
   * it to disk for nothing. */
  if ((op->flags & G_TMP_PERSIST_SYNC) && (op->flags & G_TMP_PERSIST_ALLOW_COPY) &&
      surely_needs_copy (self, src, op))
    errsv = EXDEV;
  else
    errsv = persist_in_place (self, src_dfd, src, op, error);

  if (errsv == 0)
    op->moved = TRUE;
  else if (errsv < 0)
    return FALSE;
  else if (((errsv == EXDEV || errsv == ENOTSUP) && (op->flags & G_TMP_PERSIST_ALLOW_COPY)) ||
           (errsv == ENOENT && op->link_refused))
    {
      /* A file the kernel will not link (an earlier replace failed after
       * its link, or opened O_TMPFILE|O_EXCL) is copied on its own file
       * system without ALLOW_COPY: nothing else can save it, and the copy
       * is as atomic at the destination. */
      if (!persist_by_copy (self, op, src_dfd, src, cancellable, error))
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
  return !(op->flags & G_TMP_PERSIST_SYNC) || _g_tmp_fdio_sync_dir (op->dfd, op->dest, error);
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
  /* It lives at @op->dest now, not below the descriptor it was made in. */
  g_clear_pointer (&priv->at_path, g_free);
  _g_tmp_core_clear_fd (&priv->at_dfd);

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

  if (priv->closed == G_TMP_FILE_UNINITIALISED)
    {
      _g_tmp_file_set_uninitialised_error (error);
      return FALSE;
    }

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
 * one. This is how to save a document safely, the temporary file made in
 * @path's directory (a link cannot cross file systems):
 *
 * ```c
 * g_autofree gchar *dir = g_path_get_dirname (path);
 * g_autoptr(GTmpFile) tmp = g_tmp_file_new (dir, NULL, NULL, error);
 *
 * if (tmp == NULL ||
 *     !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)),
 *                                 data, len, NULL, NULL, error) ||
 *     !g_tmp_file_persist (tmp, path, G_TMP_PERSIST_SYNC | G_TMP_PERSIST_DOCUMENT_MODE,
 *                          NULL, error))
 *   return FALSE;
 * ```
 *
 * The mode is what users expect of a saved document, as
 * [method@Gio.File.replace] keeps it: when @path is an existing regular
 * file, the new file takes its mode, and its owner and group where the
 * caller may set them (as another user, the file is saved all the same,
 * owned by the caller). When @path is a new name (or a symbolic link or
 * other non-regular file, which is replaced, never followed), the file
 * keeps the mode it was created with ([property@GTempfile.TmpFile:mode],
 * `0600` by default), or with %G_TMP_PERSIST_DOCUMENT_MODE gets
 * `0666 & ~umask` (usually `0644`; the umask is read, not changed, where
 * `/proc/self/status` tells it). This is applied to the temporary file
 * before it is moved, and undone if the persist fails. A directory at
 * @path is refused (%G_IO_ERROR_IS_DIRECTORY) before anything changes.
 *
 * An anonymous file is linked into place from its descriptor (`linkat()`):
 * a new name directly, so a crash at any moment leaves no stray file; over
 * an existing @path under a hidden name beside it, then renamed over it, so
 * only a crash between those two calls leaves that complete hidden copy. A
 * [class@GTempfile.NamedTmpFile] is renamed. With %G_TMP_PERSIST_NONE an existing @path is replaced; with
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
 * That hidden name is `.NAME.` and eight random characters, where `NAME`
 * is the last component of @path (`.gtmp-` and eight random characters
 * when `NAME` is longer than 200 bytes): the shape of the library's own
 * names, so that [func@GTempfile.sweep] removes what a crash left, for
 * instance at start-up (for `report.txt` in `dir`):
 *
 * ```c
 * g_tempfile_sweep (dir, ".report.txt.", NULL, 0, G_TIME_SPAN_HOUR, NULL, error);
 * ```
 *
 * The age counts from the file's last write. A sweep removes only the
 * caller's own entries: as root, replacing another user's file, the hidden
 * copy already belongs to that user, and only that user's sweep (or an
 * unlink of your own) removes it. A sweep that removes the hidden name of
 * a save still under way makes that save fail, and changes nothing else.
 *
 * After success the stream stays open and reads and writes reach the permanent
 * file; nothing is deleted automatically any more
 * ([property@GTempfile.NamedTmpFile:delete] becomes %FALSE and
 * [property@GTempfile.NamedTmpFile:path] becomes @path). On failure nothing
 * has changed: the temporary file keeps its name and its automatic deletion,
 * @path is untouched and no stray file is left beside it. Everything that
 * can fail without changing anything comes before the file is moved:
 * opening @path's directory (following symlinks in its path, as a rename
 * does; the move is then made relative to it), giving the file its mode
 * and owner, syncing the file or its copy.
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
 * A failed persist can be retried. When an anonymous file was linked
 * under its hidden name beside an existing @path and the rename over
 * @path then failed (a mount point, a sticky directory, a full or failing
 * disk), the hidden name is removed again, but the kernel never links that
 * file again. The next persist therefore copies it, as
 * %G_TMP_PERSIST_ALLOW_COPY does, into a new anonymous file in the
 * destination's directory — on the same file system without the flag too;
 * another file system still needs it — with the same content, position
 * and mode rules, and that copy becomes the object's file.
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
  g_return_val_if_fail (G_IS_TMP_FILE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail ((flags & ~G_TMP_PERSIST_FILE_FLAGS) == 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _g_tmp_file_persist_at (self, AT_FDCWD, path, flags, cancellable, error);
}

gboolean
_g_tmp_file_persist_at (GTmpFile          *self,
                        gint               dfd,
                        const gchar       *path,
                        GTmpPersistFlags   flags,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(PersistOp) op = NULL;
  gboolean ret;

  op = persist_op_new (dfd, path, flags, error);
  if (op == NULL || !persist_begin (self, path, flags, error))
    return FALSE;

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

  _g_tmp_task_return_boolean (task, ret, error);
}

/* Back in the caller's context: the same order as the sync version (clear
 * pending, record the new name), then the caller's task returns. */
static void
persist_async_done (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTmpFile *self = G_TMP_FILE (source_object);
  PersistOp *op;

  g_io_stream_clear_pending (G_IO_STREAM (self));
  /* Notifies the new name here, not in the worker. */
  op = _g_tmp_file_wait_unsettled (self);
  if (op != NULL)
    persist_commit (self, op);
  _g_tmp_file_gate_open (self);

  _g_tmp_task_return_from (user_data, result);
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
  g_return_if_fail (G_IS_TMP_FILE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail ((flags & ~G_TMP_PERSIST_FILE_FLAGS) == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _g_tmp_file_persist_at_async (self, AT_FDCWD, path, flags, io_priority, cancellable,
                                callback, user_data, g_tmp_file_persist_async);
}

void
_g_tmp_file_persist_at_async (GTmpFile            *self,
                              gint                 dfd,
                              const gchar         *path,
                              GTmpPersistFlags     flags,
                              int                  io_priority,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data,
                              gpointer             source_tag)
{
  GError *error = NULL;
  PersistOp *op;
  GTask *task;

  /* Made now: the caller may close @dfd as soon as this returns. */
  op = persist_op_new (dfd, path, flags, &error);
  if (op == NULL || !persist_begin (self, path, flags, &error))
    {
      g_clear_pointer (&op, persist_op_free);
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }

  /* The caller's task is returned by persist_async_done() once the
   * worker's is back in this context and the object has followed the
   * move. Cancelling once the file has been moved must not report a
   * failure: that would claim nothing changed when the file has a new
   * name. The worker notifies nothing: persist_move() changes no
   * property, and a spooled file that rolls over there notifies in its
   * own thread. */
  task = _g_tmp_task_new (self, source_tag, io_priority, cancellable, callback, user_data);
  _g_tmp_run_in_worker (task, persist_thread, op, (GDestroyNotify) persist_op_free,
                        persist_async_done);
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

  return _g_tmp_finish_boolean (self, result, g_tmp_file_persist_async, error);
}

