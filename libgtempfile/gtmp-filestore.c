/* gtmp-filestore.c — GTmpFile's bytes: the descriptor store, the link the
 * streams share with the file, the file's side of the streams and
 * query_info
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtmp-file-private.h"

/* The default store: the descriptor, with the kernel's file offset as the
 * one shared position. */

/* One read(2) or write(2), retried on EINTR. */
static inline gssize
fd_store_transfer (GTmpFile      *self,
                   gboolean       writing,
                   void          *buffer,
                   gsize          count,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gssize n;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  do
    n = writing ? write (priv->fd, buffer, count) : read (priv->fd, buffer, count);
  while (G_UNLIKELY (n < 0 && errno == EINTR));

  if (G_UNLIKELY (n < 0))
    _g_tmp_core_set_error (error, errno,
                           writing ? _("Could not write to the temporary file")
                                   : _("Could not read from the temporary file"));

  return n;
}

static gssize
fd_store_read (GTmpFile      *self,
               void          *buffer,
               gsize          count,
               GCancellable  *cancellable,
               GError       **error)
{
  return fd_store_transfer (self, FALSE, buffer, count, cancellable, error);
}

static gssize
fd_store_write (GTmpFile      *self,
                const void    *buffer,
                gsize          count,
                GCancellable  *cancellable,
                GError       **error)
{
  /* write() does not change the buffer. */
  return fd_store_transfer (self, TRUE, (void *) buffer, count, cancellable, error);
}

static goffset
fd_store_tell (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
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
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
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
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
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
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
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
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

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

  link->lock_pid = _g_tmp_core_get_pid ();
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

/* Takes @link's lock. A forked child inherits it as a parent thread left
 * it, maybe held by a read or write that will never end there: on the
 * first use in the child it starts afresh, unlocked (the file's own state
 * does the same in _g_tmp_file_op_begin()). closed_link's too, whose
 * lock_pid starts as 0: adopted once in every process. */
static void
link_lock (GTmpFileLink *link)
{
  if (G_UNLIKELY (_g_tmp_core_adopt_begin (&link->lock_pid)))
    {
      g_mutex_init (&link->lock);
      link->notify = NULL;
      _g_tmp_core_adopt_end (&link->lock_pid);
    }
  g_mutex_lock (&link->lock);
}

/* The file's link, made on first use: a file that is only created and
 * closed needs none, which spares its lifecycle an allocation and two
 * round trips of the lock. */
GTmpFileLink *
_g_tmp_file_get_link (GTmpFile        *self,
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
 * never had one. Then it never will (_g_tmp_file_get_link() finds closed_link from now
 * on), so no operation can be running and none can start. */
GTmpFileLink *
_g_tmp_file_lock_or_retire_link (GTmpFilePrivate *priv)
{
  GTmpFileLink *link;

  if (g_atomic_pointer_compare_and_exchange (&priv->link, NULL, &closed_link))
    return NULL;

  link = g_atomic_pointer_get (&priv->link);
  link_lock (link);

  return link;
}

/* Locks @link and returns its file if it is open; otherwise returns NULL,
 * unlocked, with G_IO_ERROR_CLOSED (G_IO_ERROR_NOT_INITIALIZED for a file
 * never initialised). Holding the lock keeps close and
 * dispose (which take it too) from freeing what the caller is using. */
GTmpFile *
_g_tmp_file_link_lock_open (GTmpFileLink  *link,
                            GError       **error)
{
  GTmpFile *self;

  link_lock (link);

  self = link->file;
  if (G_LIKELY (self != NULL))
    {
      GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

      if (G_LIKELY (!priv->closed))
        return self;

      if (priv->closed == G_TMP_FILE_UNINITIALISED)
        {
          g_mutex_unlock (&link->lock);
          _g_tmp_file_set_uninitialised_error (error);
          return NULL;
        }
    }

  g_mutex_unlock (&link->lock);
  _g_tmp_file_set_closed_error (error, NULL);

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

void
_g_tmp_file_link_unlock (GTmpFileLink *link)
{
  if (G_LIKELY (link->notify == NULL))
    g_mutex_unlock (&link->lock);
  else
    link_unlock_and_notify (link);
}

/* Starts an operation on the file's bytes: locks @link and checks that the
 * file is open and not being persisted. On success *out_self is the file,
 * and _g_tmp_file_link_end() ends the operation. */
gboolean
_g_tmp_file_link_begin (GTmpFileLink  *link,
                        GTmpFile     **out_self,
                        GError       **error)
{
  GTmpFile *self = _g_tmp_file_link_lock_open (link, error);

  if (G_UNLIKELY (self == NULL))
    return FALSE;

  if (G_UNLIKELY (!_g_tmp_file_op_begin (self, error)))
    {
      _g_tmp_file_link_unlock (link);
      return FALSE;
    }

  *out_self = self;
  return TRUE;
}

void
_g_tmp_file_link_end (GTmpFileLink *link,
                      GTmpFile     *self)
{
  _g_tmp_file_op_end (self);
  _g_tmp_file_link_unlock (link);
}


/* The file's side of the streams (gtmp-stream.h) */

gssize
_g_tmp_file_stream_transfer (GTmpFileLink  *link,
                             gboolean       writing,
                             void          *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  GTmpFile *self;
  GTmpFilePrivate *priv;
  gssize n;

  if (G_UNLIKELY (!_g_tmp_file_link_begin (link, &self, error)))
    return -1;

  priv = _g_tmp_file_get_private (self);
  if (writing)
    n = priv->store->write (self, buffer, count, cancellable, error);
  else
    n = priv->store->read (self, buffer, count, cancellable, error);
  _g_tmp_file_link_end (link, self);

  return n;
}

static gssize
skip_locked (GTmpFile      *self,
             gsize          count,
             GCancellable  *cancellable,
             GError       **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
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

  if (!_g_tmp_file_link_begin (link, &self, error))
    return -1;

  n = skip_locked (self, count, cancellable, error);
  _g_tmp_file_link_end (link, self);

  return n;
}

goffset
_g_tmp_file_stream_tell (GTmpFileLink *link)
{
  GTmpFile *self = _g_tmp_file_link_lock_open (link, NULL);
  GTmpFilePrivate *priv;
  goffset position;

  if (self == NULL)
    return 0;

  priv = _g_tmp_file_get_private (self);
  position = priv->store->tell (self);
  _g_tmp_file_link_unlock (link);

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

  if (!_g_tmp_file_link_begin (link, &self, error))
    return FALSE;

  priv = _g_tmp_file_get_private (self);
  ret = priv->store->seek (self, offset, type, cancellable, error);
  _g_tmp_file_link_end (link, self);

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

  if (!_g_tmp_file_link_begin (link, &self, error))
    return FALSE;

  if (size < 0)
    {
      _g_tmp_file_link_end (link, self);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Cannot truncate a file to a negative size"));
      return FALSE;
    }

  priv = _g_tmp_file_get_private (self);
  ret = priv->store->truncate (self, size, cancellable, error);
  _g_tmp_file_link_end (link, self);

  return ret;
}


/* GFileIOStream.query_info */

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
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
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
      guint mode = priv->tmpl.mode != 0 ? priv->tmpl.mode : G_TMP_CORE_FILE_MODE;

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
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  GFileAttributeMatcher *matcher;
  GTmpFileLink *link;
  GFileInfo *info;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  link = _g_tmp_file_get_link (self, priv);
  if (_g_tmp_file_link_lock_open (link, error) == NULL)
    return NULL;

  matcher = g_file_attribute_matcher_new (attributes);
  info = query_info_masked (self, matcher, error);
  g_file_attribute_matcher_unref (matcher);
  _g_tmp_file_link_unlock (link);

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

void
_g_tmp_file_class_init_query_info (GFileIOStreamClass *klass)
{
  klass->query_info = g_tmp_file_query_info;
  klass->query_info_async = g_tmp_file_query_info_async;
  klass->query_info_finish = g_tmp_file_query_info_finish;
}
