/* gtmp-chunks.h — a spooled file's bytes in memory (private)
 *
 * Fixed-size chunks with a size and a position, as a descriptor has:
 * written, read, truncated, and copied to a descriptor at the rollover.
 * GLib and the core only, nothing of the classes.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GPtrArray *chunks;  /* (element-type guint8*) (nullable elements) */
  goffset    size;
  goffset    pos;
} GTmpChunks;

/* Empty, at position 0. */
G_GNUC_INTERNAL
void      _g_tmp_chunks_init       (GTmpChunks        *self);
/* Frees every chunk; empty again, at position 0. */
G_GNUC_INTERNAL
void      _g_tmp_chunks_clear      (GTmpChunks        *self);

/* Copies @count bytes from @buffer to the position, zero-filling any gap
 * between the end and the position first, and advances the position. */
G_GNUC_INTERNAL
void      _g_tmp_chunks_write      (GTmpChunks        *self,
                                    const guint8      *buffer,
                                    gsize              count);
/* Copies up to @count bytes at the position into @buffer; gaps read as
 * zeros. Returns how many bytes were copied (0 at or past the end). */
G_GNUC_INTERNAL
gsize     _g_tmp_chunks_read       (GTmpChunks        *self,
                                    guint8            *buffer,
                                    gsize              count);
G_GNUC_INTERNAL
void      _g_tmp_chunks_truncate   (GTmpChunks        *self,
                                    goffset            size);
/* Writes the bytes to @fd at the same offsets, sets its size and
 * position; the error names @dir. */
G_GNUC_INTERNAL
gboolean  _g_tmp_chunks_copy_to_fd (GTmpChunks        *self,
                                    gint               fd,
                                    const gchar       *dir,
                                    GCancellable      *cancellable,
                                    GError           **error);

G_END_DECLS
