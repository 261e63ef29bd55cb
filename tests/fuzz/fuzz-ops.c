/* fuzz-ops.c — libFuzzer target: operation sequences on one temporary file,
 * checked against an in-memory model
 *
 * The first bytes pick the class (GTmpFile, GSpooledTmpFile with a small
 * max-size so that it rolls over, GNamedTmpFile); the rest is a sequence of
 * operations — write, read, skip, seek, tell, truncate through the GIO
 * streams (sync and async), pread/pwrite/write on the descriptor, rollover,
 * persist (also across file systems), close — each applied to the model
 * too. After every step the file must hold the model's bytes, size and
 * position; an operation must fail exactly when the model says so (a
 * negative position, a closed stream, an existing destination with
 * NO_REPLACE, another file system without ALLOW_COPY) and then change
 * nothing. Any mismatch aborts.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-util.h"

/* Positions and sizes the sequence can reach (beyond it only through the
 * "far seek" operation, which comes straight back). */
#define LIMIT      (64 * 1024)
#define MAX_OPS    256
#define N_DESTS    3

static gchar *root;           /* scratch tree: the files and here-dests */
static gchar *root_snapshot;
static gchar *outer_snapshot;
static gchar *other_root;     /* on another file system, or NULL */
static gchar *other_snapshot;

typedef enum
{
  CLASS_FILE,
  CLASS_SPOOLED,
  CLASS_NAMED,
} FileClass;

typedef struct
{
  FileClass   klass;
  GTmpFile   *file;
  GByteArray *bytes;       /* the model: contents ... */
  goffset     pos;         /* ... and position */
  gboolean    closed;
  gchar      *named_path;  /* GNamedTmpFile: where it is now */
  gchar      *persisted;   /* where a persist put it, or NULL */
  guint       op_index;
} State;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree gchar *outer = NULL;
  const gchar *other_fs;

  fuzz_setup_logging ();
  umask (022);

  root = fuzz_scratch_new (fuzz_base_dir ());
  g_tempfile_set_tempdir (root);
  root_snapshot = fuzz_snapshot (root);
  outer = g_path_get_dirname (root);
  outer_snapshot = fuzz_snapshot (outer);

  other_fs = fuzz_other_fs (root);
  if (other_fs != NULL)
    {
      other_root = fuzz_scratch_new (other_fs);
      other_snapshot = fuzz_snapshot (other_root);
    }

  return 0;
}

/* The model */

static void
model_write (State        *s,
             goffset       offset,
             const guint8 *data,
             gsize         len)
{
  if (len == 0)
    return;   /* a write of nothing extends nothing */

  if ((goffset) s->bytes->len < offset + (goffset) len)
    {
      gsize old = s->bytes->len;

      g_byte_array_set_size (s->bytes, offset + len);
      memset (s->bytes->data + old, 0, s->bytes->len - old);
    }
  memcpy (s->bytes->data + offset, data, len);
}

static gsize
model_available (State   *s,
                 goffset  offset)
{
  return offset < (goffset) s->bytes->len ? s->bytes->len - offset : 0;
}

static void
model_truncate (State  *s,
                goffset size)
{
  gsize old = s->bytes->len;

  g_byte_array_set_size (s->bytes, size);
  if ((gsize) size > old)
    memset (s->bytes->data + old, 0, size - old);
}

/* Checks */

/* memcmp() that accepts the NULL data of an empty GByteArray. */
static gboolean
same_bytes (const void *a,
            const void *b,
            gsize       n)
{
  return n == 0 || memcmp (a, b, n) == 0;
}

#define op_check(s, cond, ...) \
  fuzz_check (cond, "op %u: " __VA_ARGS__)

static void
expect_ok (State        *s,
           gboolean      ok,
           const GError *error,
           const gchar  *what)
{
  fuzz_check (ok, "op %u (%s) failed: %s", s->op_index, what,
              error != NULL ? error->message : "no error set");
}

static void
expect_error (State        *s,
              gboolean      ok,
              const GError *error,
              gint          code,
              const gchar  *what)
{
  fuzz_check (!ok, "op %u (%s) succeeded, expected error %d", s->op_index, what, code);
  fuzz_check_error (error, what);
  fuzz_check (error->code == code, "op %u (%s): error %d (%s), expected %d",
              s->op_index, what, error->code, error->message, code);
}

static void
check_file_contents (State       *s,
                     const gchar *path,
                     const gchar *what)
{
  g_autofree gchar *got = NULL;
  gsize len = 0;

  fuzz_check (g_file_get_contents (path, &got, &len, NULL),
              "op %u: %s: cannot read \"%s\"", s->op_index, what, path);
  fuzz_check (len == s->bytes->len && same_bytes (got, s->bytes->data, len),
              "op %u: %s: \"%s\" holds %" G_GSIZE_FORMAT " bytes, model %u",
              s->op_index, what, path, len, s->bytes->len);
}

static gboolean
has_fd (State *s)
{
  return s->klass != CLASS_SPOOLED ||
         g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (s->file));
}

/* Everything the model says, through every view: tells of the three
 * seekables, the descriptor's size, offset and bytes, or (in memory) a
 * read from the start through the stream. */
static void
verify (State *s)
{
  GSeekable *views[3];
  guint i;

  if (s->closed)
    return;

  views[0] = G_SEEKABLE (s->file);
  views[1] = G_SEEKABLE (g_io_stream_get_input_stream (G_IO_STREAM (s->file)));
  views[2] = G_SEEKABLE (g_io_stream_get_output_stream (G_IO_STREAM (s->file)));
  for (i = 0; i < G_N_ELEMENTS (views); i++)
    fuzz_check (g_seekable_tell (views[i]) == s->pos,
                "op %u: tell (view %u) is %" G_GINT64_FORMAT ", model %" G_GINT64_FORMAT,
                s->op_index, i, (gint64) g_seekable_tell (views[i]), (gint64) s->pos);

  if (has_fd (s))
    {
      g_autoptr(GError) error = NULL;
      gint fd = g_tmp_file_get_fd (s->file, &error);
      g_autofree guint8 *buf = NULL;
      struct stat st;

      expect_ok (s, fd >= 0, error, "get_fd (verify)");
      fuzz_check (fstat (fd, &st) == 0 && st.st_size == (goffset) s->bytes->len,
                  "op %u: file size %" G_GINT64_FORMAT ", model %u", s->op_index,
                  (gint64) st.st_size, s->bytes->len);
      fuzz_check (lseek (fd, 0, SEEK_CUR) == s->pos,
                  "op %u: descriptor offset %" G_GINT64_FORMAT ", model %" G_GINT64_FORMAT,
                  s->op_index, (gint64) lseek (fd, 0, SEEK_CUR), (gint64) s->pos);
      buf = g_malloc (s->bytes->len + 1);
      fuzz_check (pread (fd, buf, s->bytes->len + 1, 0) == (gssize) s->bytes->len &&
                  same_bytes (buf, s->bytes->data, s->bytes->len),
                  "op %u: file bytes differ from the model", s->op_index);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (s->file));
      g_autofree guint8 *buf = g_malloc (s->bytes->len + 1);
      gsize n = 0;

      expect_ok (s, g_seekable_seek (G_SEEKABLE (s->file), 0, G_SEEK_SET, NULL, &error),
                 error, "seek (verify)");
      expect_ok (s, g_input_stream_read_all (in, buf, s->bytes->len + 1, &n, NULL, &error),
                 error, "read (verify)");
      fuzz_check (n == s->bytes->len && same_bytes (buf, s->bytes->data, n),
                  "op %u: in-memory bytes differ from the model (%" G_GSIZE_FORMAT
                  " read, model %u)", s->op_index, n, s->bytes->len);
      expect_ok (s, g_seekable_seek (G_SEEKABLE (s->file), s->pos, G_SEEK_SET, NULL, &error),
                 error, "seek back (verify)");
    }
}

/* Operations */

typedef enum
{
  OP_WRITE,
  OP_WRITE_ASYNC,
  OP_WRITEV,
  OP_READ,
  OP_READ_SOME,
  OP_READ_ASYNC,
  OP_SKIP,
  OP_SEEK,
  OP_SEEK_FAR,
  OP_TRUNCATE,
  OP_GET_FD,
  OP_PWRITE,
  OP_PREAD,
  OP_FD_WRITE,
  OP_ROLLOVER,
  OP_QUERY_INFO,
  OP_FLUSH,
  OP_PERSIST,
  OP_MAKE_DEST,
  OP_CLOSE,
  N_OPS
} Op;

static const gchar * const op_names[] = {
  "write", "write_async", "writev", "read", "read_some", "read_async", "skip",
  "seek", "seek_far", "truncate", "get_fd", "pwrite", "pread", "fd_write",
  "rollover", "query_info", "flush", "persist", "make_dest", "close",
};

G_STATIC_ASSERT (G_N_ELEMENTS (op_names) == N_OPS);

/* Up to @max bytes of the input as data (length byte first). */
static guint8 *
take_data (FuzzInput *in,
           gsize      max,
           gsize     *len)
{
  gsize want = MIN ((gsize) fuzz_u8 (in) * 4, max);
  guint8 *data = g_malloc (want + 1);
  gsize i;

  /* Short inputs still write something recognisable. */
  for (i = 0; i < want; i++)
    data[i] = in->pos < in->len ? in->data[in->pos++] : (guint8) ('a' + i % 26);
  *len = want;

  return data;
}

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static GSeekable *
pick_view (State  *s,
           guint8  sel)
{
  switch (sel % 3)
    {
    case 0:
      return G_SEEKABLE (s->file);
    case 1:
      return G_SEEKABLE (g_io_stream_get_input_stream (G_IO_STREAM (s->file)));
    default:
      return G_SEEKABLE (g_io_stream_get_output_stream (G_IO_STREAM (s->file)));
    }
}

static void
do_write (State     *s,
          FuzzInput *in,
          Op         op)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (s->file));
  gsize len, written = 0;
  g_autofree guint8 *data = take_data (in, 1024, &len);
  gboolean ok;

  if (op == OP_WRITE)
    ok = g_output_stream_write_all (out, data, len, &written, NULL, &error);
  else if (op == OP_WRITE_ASYNC)
    {
      g_output_stream_write_all_async (out, data, len, G_PRIORITY_DEFAULT, NULL,
                                       async_done, &result);
      ok = g_output_stream_write_all_finish (out, wait_for (&result), &written, &error);
    }
  else
    {
      gsize half = len / 2;
      GOutputVector vectors[3] = {
        { data, half },
        { NULL, 0 },
        { data + half, len - half },
      };

      ok = g_output_stream_writev_all (out, vectors, G_N_ELEMENTS (vectors), &written,
                                       NULL, &error);
    }

  if (s->closed)
    {
      /* GIO answers a write of nothing without asking the stream. */
      if (len > 0)
        expect_error (s, ok, error, G_IO_ERROR_CLOSED, op_names[op]);
      return;
    }

  expect_ok (s, ok, error, op_names[op]);
  fuzz_check (written == len, "op %u: wrote %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT,
              s->op_index, written, len);
  model_write (s, s->pos, data, len);
  s->pos += len;
}

static void
do_read (State     *s,
         FuzzInput *in,
         Op         op)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (s->file));
  gsize want = (gsize) fuzz_u8 (in) * 8;
  g_autofree guint8 *buf = g_malloc (want + 1);
  gsize expected = MIN (want, model_available (s, s->pos));
  gsize got = 0;
  gboolean ok;

  if (op == OP_READ)
    ok = g_input_stream_read_all (input, buf, want, &got, NULL, &error);
  else if (op == OP_READ_ASYNC)
    {
      g_input_stream_read_all_async (input, buf, want, G_PRIORITY_DEFAULT, NULL,
                                     async_done, &result);
      ok = g_input_stream_read_all_finish (input, wait_for (&result), &got, &error);
    }
  else
    {
      gssize n = g_input_stream_read (input, buf, want, NULL, &error);

      ok = n >= 0;
      got = ok ? (gsize) n : 0;
    }

  if (s->closed)
    {
      /* GIO answers a read of nothing without asking the stream. */
      if (want > 0)
        expect_error (s, ok, error, G_IO_ERROR_CLOSED, op_names[op]);
      return;
    }

  expect_ok (s, ok, error, op_names[op]);
  /* A single read may return less, but something if anything is there. */
  fuzz_check (op == OP_READ_SOME ? (got <= expected && (got > 0 || expected == 0))
                                 : got == expected,
              "op %u (%s): read %" G_GSIZE_FORMAT " bytes, model has %" G_GSIZE_FORMAT,
              s->op_index, op_names[op], got, expected);
  fuzz_check (same_bytes (buf, s->bytes->data + s->pos, got),
              "op %u (%s): bytes read differ from the model at %" G_GINT64_FORMAT,
              s->op_index, op_names[op], (gint64) s->pos);
  s->pos += got;
}

static void
do_skip (State     *s,
         FuzzInput *in)
{
  g_autoptr(GError) error = NULL;
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (s->file));
  gsize count = fuzz_u16 (in);
  gssize n = g_input_stream_skip (input, count, NULL, &error);

  if (s->closed)
    {
      if (count > 0)
        expect_error (s, n >= 0, error, G_IO_ERROR_CLOSED, "skip");
      return;
    }

  expect_ok (s, n >= 0, error, "skip");
  fuzz_check ((gsize) n == MIN (count, model_available (s, s->pos)),
              "op %u: skipped %" G_GSSIZE_FORMAT " of %" G_GSIZE_FORMAT ", model has %"
              G_GSIZE_FORMAT, s->op_index, n, count, model_available (s, s->pos));
  s->pos += n;
}

static goffset
seek_base (State     *s,
           GSeekType  type)
{
  return type == G_SEEK_SET ? 0 : type == G_SEEK_CUR ? s->pos : (goffset) s->bytes->len;
}

static void
do_seek (State     *s,
         FuzzInput *in)
{
  g_autoptr(GError) error = NULL;
  GSeekable *view = pick_view (s, fuzz_u8 (in));
  GSeekType type = (GSeekType) (fuzz_u8 (in) % 3);
  goffset offset = (gint16) fuzz_u16 (in);
  goffset target = seek_base (s, type) + offset;
  gboolean ok;

  if (target > LIMIT)
    {
      offset -= target - LIMIT;
      target = LIMIT;
    }

  ok = g_seekable_seek (view, offset, type, NULL, &error);

  if (s->closed)
    expect_error (s, ok, error, G_IO_ERROR_CLOSED, "seek");
  else if (target < 0)
    expect_error (s, ok, error, G_IO_ERROR_INVALID_ARGUMENT, "seek before the start");
  else
    {
      expect_ok (s, ok, error, "seek");
      s->pos = target;
    }
}

/* A seek to the edge of what positions can be: it must either land where
 * asked or fail with INVALID_ARGUMENT and not move, never wrap around. A
 * read there finds nothing; then the position goes back. */
static void
do_seek_far (State     *s,
             FuzzInput *in)
{
  static const gint64 offsets[] = {
    G_MAXINT64, G_MININT64, G_MAXINT64 - 1, (gint64) 1 << 62, -((gint64) 1 << 62),
    (gint64) 1 << 40, ((gint64) 1 << 40) + 1, G_MAXINT32, (gint64) G_MAXUINT32 + 1,
  };
  g_autoptr(GError) error = NULL;
  GSeekable *view = pick_view (s, fuzz_u8 (in));
  GSeekType type = (GSeekType) (fuzz_u8 (in) % 3);
  gint64 offset = offsets[fuzz_u8 (in) % G_N_ELEMENTS (offsets)];
  gint64 base = seek_base (s, type);
  gboolean overflow = (offset > 0 && offset > G_MAXINT64 - base) || base + offset < 0;
  goffset landed;
  gboolean ok;

  if (s->closed)
    return;

  ok = g_seekable_seek (view, offset, type, NULL, &error);
  landed = g_seekable_tell (view);
  if (!ok)
    {
      expect_error (s, ok, error, G_IO_ERROR_INVALID_ARGUMENT, "seek far");
      fuzz_check (landed == s->pos, "op %u: failed seek moved to %" G_GINT64_FORMAT,
                  s->op_index, (gint64) landed);
      return;
    }

  fuzz_check (!overflow, "op %u: seek by %" G_GINT64_FORMAT " from %" G_GINT64_FORMAT
              " succeeded (landed at %" G_GINT64_FORMAT ")", s->op_index, offset, base,
              (gint64) landed);
  fuzz_check (landed == base + offset, "op %u: seek far landed at %" G_GINT64_FORMAT
              ", expected %" G_GINT64_FORMAT, s->op_index, (gint64) landed, base + offset);

  {
    GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (s->file));
    guint8 buf[16];
    gssize n = g_input_stream_read (input, buf, sizeof buf, NULL, &error);

    /* The kernel refuses (EINVAL) a read whose end would pass the
     * largest offset. */
    if (n < 0)
      expect_error (s, FALSE, error, G_IO_ERROR_INVALID_ARGUMENT, "read far");
    else
      fuzz_check (n == (gssize) MIN (sizeof buf, model_available (s, landed)),
                  "op %u: read at %" G_GINT64_FORMAT " gave %" G_GSSIZE_FORMAT,
                  s->op_index, (gint64) landed, n);
    g_clear_error (&error);
  }

  ok = g_seekable_seek (view, s->pos, G_SEEK_SET, NULL, &error);
  expect_ok (s, ok, error, "seek back");
}

static void
do_truncate (State     *s,
             FuzzInput *in)
{
  g_autoptr(GError) error = NULL;
  guint8 sel = fuzz_u8 (in);
  GSeekable *view = pick_view (s, sel);
  goffset size = fuzz_u16 (in) % (LIMIT + 1);
  gboolean ok;

  if (sel & 0x80)
    size = -size - 1;

  ok = g_seekable_truncate (view, size, NULL, &error);

  if (s->closed)
    /* GInputStream's truncate is refused before it looks. */
    fuzz_check (!ok, "op %u: truncate after close succeeded", s->op_index);
  else if (view == pick_view (s, 1))
    expect_error (s, ok, error, G_IO_ERROR_NOT_SUPPORTED, "truncate input stream");
  else if (size < 0)
    expect_error (s, ok, error, G_IO_ERROR_INVALID_ARGUMENT, "truncate to < 0");
  else
    {
      expect_ok (s, ok, error, "truncate");
      model_truncate (s, size);
    }
  if (!ok)
    fuzz_check_error (error, "truncate");
}

static gint
get_fd (State       *s,
        const gchar *what)
{
  g_autoptr(GError) error = NULL;
  gboolean was_rolled = has_fd (s);
  gint fd = g_tmp_file_get_fd (s->file, &error);

  if (s->closed)
    {
      expect_error (s, fd >= 0, error, G_IO_ERROR_CLOSED, what);
      return -1;
    }

  expect_ok (s, fd >= 0, error, what);
  fuzz_check (has_fd (s), "op %u: get_fd did not roll over", s->op_index);
  (void) was_rolled;

  return fd;
}

static void
do_fd_op (State     *s,
          FuzzInput *in,
          Op         op)
{
  gint fd = get_fd (s, op_names[op]);
  goffset offset = fuzz_u16 (in) % LIMIT;

  if (fd < 0)
    return;

  if (op == OP_PWRITE || op == OP_FD_WRITE)
    {
      gsize len;
      g_autofree guint8 *data = take_data (in, 1024, &len);
      gssize n = op == OP_PWRITE ? pwrite (fd, data, len, offset) : write (fd, data, len);

      fuzz_check (n == (gssize) len, "op %u: %s returned %" G_GSSIZE_FORMAT ": %s",
                  s->op_index, op_names[op], n, g_strerror (errno));
      if (op == OP_PWRITE)
        model_write (s, offset, data, len);
      else
        {
          model_write (s, s->pos, data, len);
          s->pos += len;
        }
    }
  else if (op == OP_PREAD)
    {
      gsize want = (gsize) fuzz_u8 (in) * 8;
      g_autofree guint8 *buf = g_malloc (want + 1);
      gssize n = pread (fd, buf, want, offset);

      fuzz_check (n == (gssize) MIN (want, model_available (s, offset)) &&
                  same_bytes (buf, s->bytes->data + offset, n),
                  "op %u: pread at %" G_GINT64_FORMAT " differs from the model",
                  s->op_index, (gint64) offset);
    }
}

static void
do_rollover (State *s)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (s->klass != CLASS_SPOOLED)
    return;

  ok = g_spooled_tmp_file_rollover (G_SPOOLED_TMP_FILE (s->file), NULL, &error);
  if (s->closed)
    expect_error (s, ok, error, G_IO_ERROR_CLOSED, "rollover");
  else
    {
      expect_ok (s, ok, error, "rollover");
      fuzz_check (has_fd (s), "op %u: rollover did not roll over", s->op_index);
    }
}

static void
do_query_info (State *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info =
    g_file_io_stream_query_info (G_FILE_IO_STREAM (s->file),
                                 G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE, NULL, &error);

  if (s->closed)
    {
      expect_error (s, info != NULL, error, G_IO_ERROR_CLOSED, "query_info");
      return;
    }

  expect_ok (s, info != NULL, error, "query_info");
  fuzz_check (g_file_info_get_size (info) == (goffset) s->bytes->len,
              "op %u: query_info size %" G_GINT64_FORMAT ", model %u", s->op_index,
              (gint64) g_file_info_get_size (info), s->bytes->len);
  fuzz_check (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR,
              "op %u: query_info type %d", s->op_index, g_file_info_get_file_type (info));
}

static void
do_flush (State *s)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (s->file));
  gboolean ok = g_output_stream_flush (out, NULL, &error);

  if (s->closed)
    expect_error (s, ok, error, G_IO_ERROR_CLOSED, "flush");
  else
    expect_ok (s, ok, error, "flush");
}

static gchar *
dest_path (guint8 sel)
{
  g_autofree gchar *name = g_strdup_printf ("p%u", sel % N_DESTS);

  if ((sel & 0x10) && other_root != NULL)
    return g_build_filename (other_root, name, NULL);

  return g_build_filename (root, name, NULL);
}

/* Something already at a destination, for persist to replace or refuse. */
static void
do_make_dest (State     *s,
              FuzzInput *in)
{
  g_autofree gchar *dest = dest_path (fuzz_u8 (in));

  /* Not over the file itself. */
  if (s->persisted != NULL && strcmp (dest, s->persisted) == 0)
    return;
  if (!g_file_set_contents (dest, "old", 3, NULL))
    fuzz_fail ("cannot create %s", dest);
}

static void
do_persist (State     *s,
            FuzzInput *in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree gchar *dest = dest_path (fuzz_u8 (in));
  g_autofree gchar *dest_dir = g_path_get_dirname (dest);
  guint8 sel = fuzz_u8 (in);
  GTmpPersistFlags flags = sel & (G_TMP_PERSIST_NO_REPLACE | G_TMP_PERSIST_SYNC |
                                  G_TMP_PERSIST_ALLOW_COPY);
  const gchar *current = s->persisted != NULL ? s->persisted : s->named_path;
  g_autofree gchar *current_dir = current != NULL ? g_path_get_dirname (current) : g_strdup (root);
  gboolean same = current != NULL && strcmp (current, dest) == 0;
  gboolean exists = g_file_test (dest, G_FILE_TEST_EXISTS);
  gboolean cross = strcmp (current_dir, dest_dir) != 0;
  gboolean ok;

  /* Without descriptors, or after close, nothing more to check here. */
  if (sel & 0x80)
    {
      g_tmp_file_persist_async (s->file, dest, flags, G_PRIORITY_DEFAULT, NULL,
                                async_done, &result);
      ok = g_tmp_file_persist_finish (s->file, wait_for (&result), &error);
    }
  else
    ok = g_tmp_file_persist (s->file, dest, flags, NULL, &error);

  if (fuzz_verbose ())
    g_printerr ("  persist %s flags %x: %s\n", dest, flags, ok ? "ok" : error->message);

  if (s->closed)
    {
      expect_error (s, ok, error, G_IO_ERROR_CLOSED, "persist");
      return;
    }

  /* Both refusals apply: either may be reported. */
  if (exists && (flags & G_TMP_PERSIST_NO_REPLACE) &&
      cross && !(flags & G_TMP_PERSIST_ALLOW_COPY) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return;

  if (exists && (flags & G_TMP_PERSIST_NO_REPLACE))
    {
      expect_error (s, ok, error, G_IO_ERROR_EXISTS, "persist NO_REPLACE");
      if (!same)
        {
          g_autofree gchar *old = NULL;

          fuzz_check (g_file_get_contents (dest, &old, NULL, NULL) && strcmp (old, "old") == 0,
                      "op %u: refused persist changed \"%s\"", s->op_index, dest);
        }
      return;
    }

  if (cross && !(flags & G_TMP_PERSIST_ALLOW_COPY))
    {
      expect_error (s, ok, error, G_IO_ERROR_NOT_SUPPORTED, "persist across file systems");
      return;
    }

  expect_ok (s, ok, error, "persist");
  fuzz_check (has_fd (s), "op %u: persist did not roll over", s->op_index);
  check_file_contents (s, dest, "persisted file");
  if (current != NULL && !same)
    fuzz_check (!g_file_test (current, G_FILE_TEST_EXISTS),
                "op %u: persist left the file at \"%s\" too", s->op_index, current);
  if (s->klass == CLASS_NAMED)
    {
      fuzz_check (strcmp (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (s->file)), dest) == 0,
                  "op %u: named path not the destination", s->op_index);
      g_free (s->named_path);
      s->named_path = g_strdup (dest);
    }

  g_free (s->persisted);
  s->persisted = g_steal_pointer (&dest);
}

static void
do_close (State     *s,
          FuzzInput *in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  /* What is on disk must be the model's before the descriptor goes. */
  if (!s->closed && s->persisted != NULL)
    check_file_contents (s, s->persisted, "persisted file before close");

  if (fuzz_u8 (in) & 1)
    {
      g_io_stream_close_async (G_IO_STREAM (s->file), G_PRIORITY_DEFAULT, NULL,
                               async_done, &result);
      ok = g_io_stream_close_finish (G_IO_STREAM (s->file), wait_for (&result), &error);
    }
  else
    ok = g_io_stream_close (G_IO_STREAM (s->file), NULL, &error);

  /* Closing twice is fine in GIO. */
  expect_ok (s, ok, error, "close");
  s->closed = TRUE;

  if (s->persisted != NULL)
    check_file_contents (s, s->persisted, "persisted file after close");
  else if (s->named_path != NULL)
    fuzz_check (!g_file_test (s->named_path, G_FILE_TEST_EXISTS),
                "op %u: named file still there after close", s->op_index);
}

static void
run_op (State     *s,
        FuzzInput *in)
{
  Op op = fuzz_u8 (in) % N_OPS;

  if (fuzz_verbose ())
    g_printerr ("op %u: %s (pos %" G_GINT64_FORMAT ", size %u%s)\n", s->op_index,
                op_names[op], (gint64) s->pos, s->bytes->len, s->closed ? ", closed" : "");

  switch (op)
    {
    case OP_WRITE:
    case OP_WRITE_ASYNC:
    case OP_WRITEV:
      do_write (s, in, op);
      break;
    case OP_READ:
    case OP_READ_SOME:
    case OP_READ_ASYNC:
      do_read (s, in, op);
      break;
    case OP_SKIP:
      do_skip (s, in);
      break;
    case OP_SEEK:
      do_seek (s, in);
      break;
    case OP_SEEK_FAR:
      do_seek_far (s, in);
      break;
    case OP_TRUNCATE:
      do_truncate (s, in);
      break;
    case OP_GET_FD:
      get_fd (s, "get_fd");
      break;
    case OP_PWRITE:
    case OP_PREAD:
    case OP_FD_WRITE:
      do_fd_op (s, in, op);
      break;
    case OP_ROLLOVER:
      do_rollover (s);
      break;
    case OP_QUERY_INFO:
      do_query_info (s);
      break;
    case OP_FLUSH:
      do_flush (s);
      break;
    case OP_PERSIST:
      do_persist (s, in);
      break;
    case OP_MAKE_DEST:
      do_make_dest (s, in);
      break;
    case OP_CLOSE:
      do_close (s, in);
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }

  verify (s);
}

static GTmpFile *
create_file (FileClass  klass,
             gsize      max_size)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *file = NULL;

  switch (klass)
    {
    case CLASS_FILE:
      file = g_tmp_file_new (root, "ops-", NULL, &error);
      break;
    case CLASS_SPOOLED:
      file = G_TMP_FILE (g_spooled_tmp_file_new (max_size, root, "ops-", NULL));
      break;
    case CLASS_NAMED:
      file = G_TMP_FILE (g_named_tmp_file_new (root, "ops-", NULL, &error));
      break;
    default:
      g_assert_not_reached ();
    }

  fuzz_check (file != NULL, "cannot create the file: %s", error->message);
  return file;
}

static void
remove_dests (void)
{
  guint i;

  for (i = 0; i < N_DESTS; i++)
    {
      g_autofree gchar *here = dest_path (i);
      g_autofree gchar *there = dest_path (i | 0x10);

      unlink (here);
      unlink (there);
    }
}

static void
check_tree (const gchar *path,
            const gchar *before)
{
  g_autofree gchar *now = fuzz_snapshot (path);

  fuzz_check (strcmp (now, before) == 0, "\"%s\" changed:\n--- before\n%s\n--- after\n%s",
              path, before, now);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  FuzzInput in = { data, size, 0 };
  State s = { 0, };
  guint8 head = fuzz_u8 (&in);
  gsize max_size = fuzz_u8 (&in);
  g_autofree gchar *outer = NULL;

  s.klass = (FileClass) (head % 3);
  s.file = create_file (s.klass, max_size);
  s.bytes = g_byte_array_sized_new (64);   /* data never NULL */
  if (s.klass == CLASS_NAMED)
    s.named_path = g_strdup (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (s.file)));

  if (fuzz_verbose ())
    g_printerr ("class %d max-size %" G_GSIZE_FORMAT "\n", s.klass, max_size);

  for (s.op_index = 0; s.op_index < MAX_OPS && !fuzz_done (&in); s.op_index++)
    run_op (&s, &in);

  if (!s.closed)
    {
      verify (&s);
      do_close (&s, &in);
    }

  fuzz_unref_and_wait (s.file);
  if (s.named_path != NULL && s.persisted == NULL)
    fuzz_check (!g_file_test (s.named_path, G_FILE_TEST_EXISTS),
                "named file still there after the last unref");

  remove_dests ();
  while (g_main_context_iteration (NULL, FALSE))
    ;

  check_tree (root, root_snapshot);
  outer = g_path_get_dirname (root);
  check_tree (outer, outer_snapshot);
  if (other_root != NULL)
    check_tree (other_root, other_snapshot);

  g_byte_array_unref (s.bytes);
  g_free (s.named_path);
  g_free (s.persisted);

  return 0;
}
