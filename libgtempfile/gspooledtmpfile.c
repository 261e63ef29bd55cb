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
 * if (!g_output_stream_splice (out, upload, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
 *                              cancellable, error))
 *   return FALSE;
 * ```
 *
 * Since: 1.0
 */

/* The bytes live in fixed-size chunks that are never moved or reallocated,
 * so an append is a memcpy into the last chunk (or one allocation every
 * CHUNK_SIZE bytes), never a copy of everything written so far.
 *
 * Invariants:
 * - chunk i covers [i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE);
 * - a NULL chunk, or one past the end of the array, reads as zeros (a gap
 *   left by seeking past the end or truncating up);
 * - no chunk is allocated at or past @size; in the chunk that holds @size,
 *   the bytes from @size on are undefined and get zeroed before @size grows
 *   over them.
 *
 * Writing into fresh memory is bound by first-touch page faults, one per
 * 4 KiB page, whatever the chunk size: 64 MiB in 4 KiB writes ran at 0.94x
 * a single fresh malloc() filled by memcpy() with 16 KiB to 1 MiB chunks.
 * So a chunk that comes fresh from the kernel is prefaulted in one call
 * (chunk_prefault()), which took the same run to 1.4x. A chunk is 2 MiB, one
 * transparent huge page, and every chunk after the first starts on one and
 * asks for huge pages: with those the same writes ran at 3 to 4x the
 * malloc() row, and the reads, which touch a new 4 KiB page every time,
 * caught up with a single contiguous buffer (from 0.93x to 1.01-1.03x
 * Rust's contiguous Vec, in paired runs). The exception is a virtual machine whose
 * host takes back the guest's free memory (free page reporting): there the
 * first 64 MiB after a pause took 150 ms instead of 45, while the host
 * backed the huge pages again. A short file still touches only the pages it
 * writes of its first chunk. */
#define CHUNK_SHIFT 21
#define CHUNK_SIZE  ((gsize) 1 << CHUNK_SHIFT)
#define CHUNK_MASK  (CHUNK_SIZE - 1)

/* Largest in-memory size we accept (with max-size 0, after a seek far past
 * the end). Sizes must fit gssize, and a gap still costs a pointer per
 * chunk: at 1 TiB that is 16 Mi pointers, beyond it the array itself would
 * be the problem. The file system keeps such sparse files better. */
#define MAX_MEMORY_SIZE MIN ((goffset) G_MAXSSIZE, (goffset) 1 << 40)

struct _GSpooledTmpFile
{
  GTmpFile      parent_instance;

  GPtrArray    *chunks;   /* (element-type guint8*) (nullable elements) */
  goffset       size;
  goffset       pos;

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

/* ---------------------------------------------------------------- chunks */

static inline guint8 *
chunk_get (GSpooledTmpFile *self,
           guint            index)
{
  if (index >= self->chunks->len)
    return NULL;

  return g_ptr_array_index (self->chunks, index);
}

/* Makes the bytes [@from, @to) read as zeros, where @from is the current
 * size. Only the chunk holding @from can be allocated (see the invariants);
 * the chunks after it are gaps already. */
static void
chunks_zero_range (GSpooledTmpFile *self,
                   goffset          from,
                   goffset          to)
{
  guint8 *chunk;
  gsize offset;

  if (from >= to)
    return;

  offset = from & CHUNK_MASK;
  if (offset == 0)
    return;

  chunk = chunk_get (self, from >> CHUNK_SHIFT);
  if (chunk != NULL)
    memset (chunk + offset, 0, MIN (CHUNK_SIZE - offset, (gsize) (to - from)));
}

static gsize page_size;            /* set once in class_init */
#ifdef MADV_POPULATE_WRITE
static gint prefault_unsupported;  /* (atomic) kernel older than 5.14 */
#endif

/* Maps in the pages of a new chunk with one system call instead of one
 * fault per page, when they are fresh from the kernel (its first page is not
 * resident), as huge pages where the system gives them for the asking
 * (transparent_hugepage "madvise"); recycled heap memory is left alone,
 * prefaulting it would only cost time. Only for chunks after the first: a
 * short file must not pay for a whole chunk of memory. */
static void
chunk_prefault (guint8 *chunk)
{
#ifdef MADV_POPULATE_WRITE
  gsize page = page_size;
  guintptr start = ((guintptr) chunk + page - 1) & ~(guintptr) (page - 1);
  guintptr end = ((guintptr) chunk + CHUNK_SIZE) & ~(guintptr) (page - 1);
  unsigned char resident = 1;

  if (g_atomic_int_get (&prefault_unsupported))
    return;

  if (mincore ((void *) start, page, &resident) != 0 || (resident & 1))
    return;

#ifdef MADV_HUGEPAGE
  /* Only a hint: without transparent huge pages it fails, harmlessly. */
  (void) madvise ((void *) start, end - start, MADV_HUGEPAGE);
#endif

  if (madvise ((void *) start, end - start, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
    g_atomic_int_set (&prefault_unsupported, 1);
#endif
}

/* The first chunk starts on a page: g_malloc() put a 1 MiB block 16 bytes
 * into its first page, so that copying 4 KiB between a chunk and a
 * page-aligned buffer split every 64-byte load across two cache lines, and a
 * read of 64 MiB in 4 KiB pieces took 10% longer. The others start on a
 * chunk boundary, which huge pages need. Freed with g_aligned_free(). */
static guint8 *
chunk_alloc (guint index)
{
  return g_aligned_alloc (1, CHUNK_SIZE, index > 0 ? CHUNK_SIZE : page_size);
}

/* The chunk that a write at @offset within chunk @index goes to, allocating
 * it if needed. */
static guint8 *
chunk_for_write (GSpooledTmpFile *self,
                 guint            index,
                 gsize            offset)
{
  goffset start = (goffset) index << CHUNK_SHIFT;
  guint8 *chunk;

  if (index >= self->chunks->len)
    g_ptr_array_set_size (self->chunks, index + 1);

  chunk = g_ptr_array_index (self->chunks, index);
  if (chunk != NULL)
    return chunk;

  /* A chunk that starts at or past the end and is written from its first
   * byte holds nothing but the new bytes below the new size, so it needs no
   * zeroing. Anything else fills a gap, whose bytes must read as zeros. */
  chunk = chunk_alloc (index);
  if (offset == 0 && start >= self->size)
    {
      if (index > 0)
        chunk_prefault (chunk);
    }
  else
    memset (chunk, 0, CHUNK_SIZE);

  g_ptr_array_index (self->chunks, index) = chunk;

  return chunk;
}

/* Copies @count bytes from @buffer to the position, zero-filling any gap
 * between the end and the position first, and advances the position. */
static void
chunks_write (GSpooledTmpFile *self,
              const guint8    *buffer,
              gsize            count)
{
  goffset pos = self->pos;
  goffset end = pos + (goffset) count;

  /* Like write(): nothing written, nothing extended. */
  if (count == 0)
    return;

  if (pos > self->size)
    chunks_zero_range (self, self->size, pos);

  while (pos < end)
    {
      gsize offset = pos & CHUNK_MASK;
      gsize n = MIN (CHUNK_SIZE - offset, (gsize) (end - pos));
      guint8 *chunk = chunk_for_write (self, pos >> CHUNK_SHIFT, offset);

      memcpy (chunk + offset, buffer, n);
      buffer += n;
      pos += n;
    }

  self->pos = end;
  if (end > self->size)
    self->size = end;
}

/* Copies up to @count bytes at the position into @buffer; gaps read as
 * zeros. Returns how many bytes were copied (0 at or past the end). */
static gsize
chunks_read (GSpooledTmpFile *self,
             guint8          *buffer,
             gsize            count)
{
  goffset pos = self->pos;
  goffset end;

  if (pos >= self->size)
    return 0;

  end = pos + (goffset) MIN (count, (gsize) (self->size - pos));

  while (pos < end)
    {
      gsize offset = pos & CHUNK_MASK;
      gsize n = MIN (CHUNK_SIZE - offset, (gsize) (end - pos));
      const guint8 *chunk = chunk_get (self, pos >> CHUNK_SHIFT);

      if (chunk != NULL)
        memcpy (buffer, chunk + offset, n);
      else
        memset (buffer, 0, n);
      buffer += n;
      pos += n;
    }

  count = end - self->pos;
  self->pos = end;

  return count;
}

static void
chunks_truncate (GSpooledTmpFile *self,
                 goffset          size)
{
  if (size < self->size)
    /* Frees every chunk that starts at or past the new end. */
    g_ptr_array_set_size (self->chunks, (size + CHUNK_MASK) >> CHUNK_SHIFT);
  else
    chunks_zero_range (self, self->size, size);

  self->size = size;
}

/* ------------------------------------------------------------- rollover */

/* ftruncate() retried on EINTR, as every other call on the descriptor is:
 * a signal must not fail a write that rolls over. */
static gboolean
truncate_retrying (gint    fd,
                   goffset size)
{
  gint res;

  do
    res = ftruncate (fd, size);
  while (res < 0 && errno == EINTR);

  return res == 0;
}

/* Copies the bytes in memory to @fd at the same offsets. Gaps are not
 * written: the file gets them as holes (ftruncate), which read as zeros. */
static gboolean
chunks_copy_to_fd (GSpooledTmpFile  *self,
                   gint              fd,
                   const gchar      *dir,
                   GCancellable     *cancellable,
                   GError          **error)
{
  for (guint i = 0; i < self->chunks->len; i++)
    {
      const guint8 *chunk = g_ptr_array_index (self->chunks, i);
      goffset start = (goffset) i << CHUNK_SHIFT;

      if (chunk == NULL)
        continue;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!_g_tmp_core_pwrite_all (fd, chunk, MIN (CHUNK_SIZE, (gsize) (self->size - start)),
                                   start))
        {
          _g_tmp_core_set_error (error, errno,
                                 _("Could not move the spooled data to a temporary file in “%s”"),
                                 dir);
          return FALSE;
        }
    }

  if (self->size > 0 && !truncate_retrying (fd, self->size))
    {
      _g_tmp_core_set_error (error, errno,
                             _("Could not move the spooled data to a temporary file in “%s”"),
                             dir);
      return FALSE;
    }

  if (lseek (fd, self->pos, SEEK_SET) < 0)
    {
      _g_tmp_core_set_error (error, errno,
                             _("Could not seek in a temporary file in “%s”"),
                             dir);
      return FALSE;
    }

  return TRUE;
}

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

  if (!chunks_copy_to_fd (self, fd, resolved_dir, cancellable, error))
    {
      _g_tmp_core_clear_fd (&fd);
      return FALSE;
    }

  _g_tmp_file_take_fd (file, _g_tmp_core_steal_fd (&fd), linkable);

  g_ptr_array_set_size (self->chunks, 0);
  self->size = 0;
  self->pos = 0;
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

  if (self->max_size > 0 && (guint64) self->pos + count > self->max_size)
    {
      if (!g_spooled_tmp_file_roll_over (self, cancellable, error))
        return -1;

      return _g_tmp_file_get_store (file)->write (file, buffer, count, cancellable, error);
    }

  if (too_large_for_memory (self->pos, count, error))
    return -1;

  chunks_write (self, buffer, count);

  return count;
}

static gssize
spooled_store_read (GTmpFile      *file,
                    void          *buffer,
                    gsize          count,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return chunks_read ((GSpooledTmpFile *) file, buffer, count);
}

static goffset
spooled_store_tell (GTmpFile *file)
{
  return ((GSpooledTmpFile *) file)->pos;
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
      base = self->pos;
      break;
    case G_SEEK_END:
      base = self->size;
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

  self->pos = base + offset;

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

  chunks_truncate (self, size);

  return TRUE;
}

static goffset
spooled_store_get_size (GTmpFile  *file,
                        GError   **error)
{
  return ((GSpooledTmpFile *) file)->size;
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

  g_ptr_array_set_size (self->chunks, 0);
  self->size = 0;
  self->pos = 0;
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
  const gchar *dir = _g_tmp_file_get_template (self)->dir;

  if (dir != NULL && !g_path_is_absolute (dir) && self->dir == NULL)
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

  g_clear_pointer (&self->chunks, g_ptr_array_unref);
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

  page_size = sysconf (_SC_PAGESIZE);

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
  self->chunks = g_ptr_array_new_with_free_func (g_aligned_free);

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
  g_autoptr(GError) error = NULL;
  GSpooledTmpFile *self;

  self = _g_tmp_new (G_TYPE_SPOOLED_TMP_FILE, _g_tmp_file_get_template,
                     dir, prefix, suffix, &error);

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
