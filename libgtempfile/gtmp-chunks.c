/* gtmp-chunks.c — a spooled file's bytes in memory
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gtmp-chunks.h"
#include "gtmp-core.h"

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

static inline guint8 *
chunk_get (GTmpChunks      *self,
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
chunks_zero_range (GTmpChunks      *self,
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

static gsize page_size;            /* set once at load */
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
chunk_for_write (GTmpChunks      *self,
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
void
_g_tmp_chunks_write (GTmpChunks      *self,
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
gsize
_g_tmp_chunks_read (GTmpChunks      *self,
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

void
_g_tmp_chunks_truncate (GTmpChunks      *self,
                        goffset          size)
{
  if (size < self->size)
    /* Frees every chunk that starts at or past the new end. */
    g_ptr_array_set_size (self->chunks, (size + CHUNK_MASK) >> CHUNK_SHIFT);
  else
    chunks_zero_range (self, self->size, size);

  self->size = size;
}

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
gboolean
_g_tmp_chunks_copy_to_fd (GTmpChunks       *self,
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

void
_g_tmp_chunks_init (GTmpChunks *self)
{
  self->chunks = g_ptr_array_new_with_free_func (g_aligned_free);
  self->size = 0;
  self->pos = 0;
}

void
_g_tmp_chunks_clear (GTmpChunks *self)
{
  g_ptr_array_set_size (self->chunks, 0);
  self->size = 0;
  self->pos = 0;
}

__attribute__((constructor)) static void
gtmp_chunks_init_page_size (void)
{
  page_size = sysconf (_SC_PAGESIZE);
}
