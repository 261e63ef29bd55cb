/* gtmp-bench.c — system-call floors, GLib/GIO, and the command line
 *
 *   gtmp-bench lifecycle COLUMN DIR N [THREADS [apart]]
 *                                                 seconds for N lifecycles
 *   gtmp-bench stream COLUMN DIR CHUNK TOTAL [MAX] seconds to write, to read
 *   gtmp-bench pair COLUMN COLUMN DIR N BATCHES   seconds for N lifecycles of
 *                                                 each, per batch, alternating
 *   gtmp-bench rmtree COLUMN PATH                 seconds to remove PATH
 *   gtmp-bench tree COLUMN PARENT SHAPE [PATH...]  build a tree (with PATHs
 *                                                 too, then wait for a line on
 *                                                 stdin), seconds to remove it
 *   gtmp-bench mktree SHAPE PATH...               build trees, interleaved
 *   gtmp-bench prefill DIR COUNT                  COUNT empty files in DIR
 *   gtmp-bench list                               every column
 *
 * SHAPE is "DxF": D directories of F one-byte files each, or F files
 * directly in the root when D is 0.
 *
 * The floors do only the system calls a lifecycle cannot avoid, with names
 * from a buffered CSPRNG, so they are the bar the libraries are held to.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gtmp-bench.h"

/* Keeps the compiler from dropping copies whose result nobody reads. */
#define BENCH_CLOBBER(p) __asm__ volatile ("" : : "r" (p) : "memory")

/* GTMP_BENCH_CLOCK=cpu measures the CPU time this process spends (user and
 * system), which other processes on a busy machine do not inflate the way
 * they inflate wall-clock time; anything else measures wall-clock time. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static gboolean
bench_clock_is_cpu (void)
{
  return bench_clock == CLOCK_PROCESS_CPUTIME_ID;
}

gdouble
bench_now (void)
{
  struct timespec ts;

  clock_gettime (bench_clock, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
bench_die (const gchar *what,
           const gchar *path)
{
  int errsv = errno;

  g_printerr ("gtmp-bench: %s %s: %s\n", what, path ? path : "", g_strerror (errsv));
  exit (EXIT_FAILURE);
}

void
bench_die_error (const gchar *what,
                 GError      *error)
{
  g_printerr ("gtmp-bench: %s: %s\n", what, error ? error->message : "(no error set)");
  exit (EXIT_FAILURE);
}

void
bench_fill_pattern (guint8 *buffer,
                    gsize   size)
{
  for (gsize i = 0; i < size; i++)
    buffer[i] = (guint8) (i * 131 + 7);
}

/* Page-aligned, so that every C column copies to and from memory with the
 * same alignment: with g_malloc() the offset within the page depends on what
 * the process allocated before, and moved 64 KiB reads by ~9%. */
BenchBuffer *
bench_buffer_new (gsize size)
{
  return g_aligned_alloc (1, size, 4096);
}

void
bench_buffer_free (BenchBuffer *buffer)
{
  g_aligned_free (buffer);
}

/* ------------------------------------------------------------------------ */
/* Names for the floors: 8 characters of the same alphabet as the library,
 * from a per-thread buffer refilled by one getrandom() per 512 names. */

static const gchar name_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_";

static __thread guint8 random_pool[4096];
static __thread gsize  random_pool_used = sizeof random_pool;

static void
floor_random_name (gchar *out)
{
  if (random_pool_used + 8 > sizeof random_pool)
    {
      if (getrandom (random_pool, sizeof random_pool, 0) != sizeof random_pool)
        bench_die ("getrandom", NULL);
      random_pool_used = 0;
    }

  for (guint i = 0; i < 8; i++)
    out[i] = name_alphabet[random_pool[random_pool_used++] % (sizeof name_alphabet - 1)];
  out[8] = '\0';
}

/* "DIR/tmpXXXXXXXX" into @path (PATH_MAX bytes). */
static void
floor_random_path (gchar       *path,
                   const gchar *dir)
{
  gsize len = strlen (dir);
  gchar name[9];

  floor_random_name (name);
  memcpy (path, dir, len);
  memcpy (path + len, "/tmp", 4);
  memcpy (path + len + 4, name, 9);
}

/* ------------------------------------------------------------------------ */
/* Lifecycles */

static void
floor_tmpfile (const gchar *dir)
{
  int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    bench_die ("open O_TMPFILE", dir);
  close (fd);
}

static void
floor_named (const gchar *dir)
{
  gchar path[PATH_MAX];
  int fd;

  do
    {
      floor_random_path (path, dir);
      fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  while (fd < 0 && errno == EEXIST);
  if (fd < 0)
    bench_die ("open", path);
  if (unlink (path) < 0)
    bench_die ("unlink", path);
  close (fd);
}

static void
floor_dir (const gchar *dir)
{
  gchar path[PATH_MAX];
  int ret;

  do
    {
      floor_random_path (path, dir);
      ret = mkdir (path, 0700);
    }
  while (ret < 0 && errno == EEXIST);
  if (ret < 0)
    bench_die ("mkdir", path);
  if (rmdir (path) < 0)
    bench_die ("rmdir", path);
}

/* g_file_new_tmp() creates in g_get_tmp_dir(), which main() points at DIR. */
static void
gio_new_tmp (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GFile) file = NULL;

  file = g_file_new_tmp (NULL, &stream, &error);
  if (file == NULL)
    bench_die_error ("g_file_new_tmp", error);
  if (!g_io_stream_close (G_IO_STREAM (stream), NULL, &error) ||
      !g_file_delete (file, NULL, &error))
    bench_die_error ("g_file_new_tmp close/delete", error);
}

/* What any GObject costs: a bare GFileIOStream subclass with the same five
 * construct-only properties as GTmpFile (which GObject sets to their
 * defaults on every g_object_new()), around the floor's open() and close().
 * The lifecycle targets are held against this too. */
typedef struct
{
  GFileIOStream  parent_instance;
  gchar         *dir;
  gchar         *prefix;
  gchar         *suffix;
  guint          mode;
  guint          random_length;
  gint           fd;
} BareFile;

typedef struct
{
  GFileIOStreamClass parent_class;
} BareFileClass;

static GType bare_file_get_type (void);
G_DEFINE_TYPE (BareFile, bare_file, G_TYPE_FILE_IO_STREAM)

enum {
  BARE_PROP_0,
  BARE_PROP_DIR,
  BARE_PROP_PREFIX,
  BARE_PROP_SUFFIX,
  BARE_PROP_MODE,
  BARE_PROP_RANDOM_LENGTH,
};

static void
bare_file_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BareFile *self = (BareFile *) object;

  switch (prop_id)
    {
    case BARE_PROP_DIR:
      self->dir = g_value_dup_string (value);
      break;
    case BARE_PROP_PREFIX:
      self->prefix = g_value_dup_string (value);
      break;
    case BARE_PROP_SUFFIX:
      self->suffix = g_value_dup_string (value);
      break;
    case BARE_PROP_MODE:
      self->mode = g_value_get_uint (value);
      break;
    case BARE_PROP_RANDOM_LENGTH:
      self->random_length = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Never called here, but GObject installs no readable property without it
 * (and then the class would have no construct properties at all). */
static void
bare_file_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static gboolean
bare_file_close_fn (GIOStream     *stream,
                    GCancellable  *cancellable,
                    GError       **error)
{
  BareFile *self = (BareFile *) stream;

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  return TRUE;
}

/* Never called here; GIOStream requires them. */
static GInputStream *
bare_file_get_input_stream (GIOStream *stream)
{
  return NULL;
}

static GOutputStream *
bare_file_get_output_stream (GIOStream *stream)
{
  return NULL;
}

static void
bare_file_finalize (GObject *object)
{
  BareFile *self = (BareFile *) object;

  if (self->fd >= 0)
    close (self->fd);
  g_free (self->dir);
  g_free (self->prefix);
  g_free (self->suffix);
  G_OBJECT_CLASS (bare_file_parent_class)->finalize (object);
}

static void
bare_file_class_init (BareFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);
  GParamFlags flags = (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->get_property = bare_file_get_property;
  object_class->set_property = bare_file_set_property;
  object_class->finalize = bare_file_finalize;
  stream_class->close_fn = bare_file_close_fn;
  stream_class->get_input_stream = bare_file_get_input_stream;
  stream_class->get_output_stream = bare_file_get_output_stream;

  g_object_class_install_property (object_class, BARE_PROP_DIR,
                                   g_param_spec_string ("dir", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, BARE_PROP_PREFIX,
                                   g_param_spec_string ("prefix", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, BARE_PROP_SUFFIX,
                                   g_param_spec_string ("suffix", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, BARE_PROP_MODE,
                                   g_param_spec_uint ("mode", NULL, NULL, 0, 07777, 0600, flags));
  g_object_class_install_property (object_class, BARE_PROP_RANDOM_LENGTH,
                                   g_param_spec_uint ("random-length", NULL, NULL, 8, 128, 8, flags));
}

static void
bare_file_init (BareFile *self)
{
  self->fd = -1;
}

static void
gobject_tmpfile (const gchar *dir)
{
  BareFile *file = g_object_new (bare_file_get_type (), NULL);

  file->fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (file->fd < 0)
    bench_die ("open O_TMPFILE", dir);
  g_io_stream_close (G_IO_STREAM (file), NULL, NULL);
  g_object_unref (file);
}

/* The same object around the named floor: closed, then unlinked. */
static void
gobject_named (const gchar *dir)
{
  BareFile *file = g_object_new (bare_file_get_type (), NULL);
  gchar path[PATH_MAX];

  do
    {
      floor_random_path (path, dir);
      file->fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  while (file->fd < 0 && errno == EEXIST);
  if (file->fd < 0)
    bench_die ("open", path);
  g_io_stream_close (G_IO_STREAM (file), NULL, NULL);
  if (unlink (path) < 0)
    bench_die ("unlink", path);
  g_object_unref (file);
}

/* What any GObject costs around the directory floor: a bare GObject
 * subclass with GTmpDir's five construct-only properties. */
typedef struct
{
  GObject  parent_instance;
  gchar   *dir;
  gchar   *prefix;
  gchar   *suffix;
  guint    mode;
  guint    random_length;
} BareDir;

typedef struct
{
  GObjectClass parent_class;
} BareDirClass;

static GType bare_dir_get_type (void);
G_DEFINE_TYPE (BareDir, bare_dir, G_TYPE_OBJECT)

static void
bare_dir_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
bare_dir_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  BareDir *self = (BareDir *) object;

  switch (prop_id)
    {
    case BARE_PROP_DIR:
      self->dir = g_value_dup_string (value);
      break;
    case BARE_PROP_PREFIX:
      self->prefix = g_value_dup_string (value);
      break;
    case BARE_PROP_SUFFIX:
      self->suffix = g_value_dup_string (value);
      break;
    case BARE_PROP_MODE:
      self->mode = g_value_get_uint (value);
      break;
    case BARE_PROP_RANDOM_LENGTH:
      self->random_length = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bare_dir_finalize (GObject *object)
{
  BareDir *self = (BareDir *) object;

  g_free (self->dir);
  g_free (self->prefix);
  g_free (self->suffix);
  G_OBJECT_CLASS (bare_dir_parent_class)->finalize (object);
}

static void
bare_dir_class_init (BareDirClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->get_property = bare_dir_get_property;
  object_class->set_property = bare_dir_set_property;
  object_class->finalize = bare_dir_finalize;

  g_object_class_install_property (object_class, BARE_PROP_DIR,
                                   g_param_spec_string ("dir", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, BARE_PROP_PREFIX,
                                   g_param_spec_string ("prefix", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, BARE_PROP_SUFFIX,
                                   g_param_spec_string ("suffix", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, BARE_PROP_MODE,
                                   g_param_spec_uint ("mode", NULL, NULL, 0, 07777, 0700, flags));
  g_object_class_install_property (object_class, BARE_PROP_RANDOM_LENGTH,
                                   g_param_spec_uint ("random-length", NULL, NULL, 8, 128, 8, flags));
}

static void
bare_dir_init (BareDir *self)
{
}

static void
gobject_dir (const gchar *dir)
{
  BareDir *tmp = g_object_new (bare_dir_get_type (), NULL);

  floor_dir (dir);
  g_object_unref (tmp);
}

/* The same without any property: a plain GObject. What the difference to
 * gobject-dir costs is GLib setting each construct-only property to its
 * default on every g_object_new(). */
static void
gobject_plain_dir (const gchar *dir)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  floor_dir (dir);
  g_object_unref (object);
}

static const BenchLifecycle floor_lifecycles[] = {
  { "floor-tmpfile",   floor_tmpfile },
  { "gobject-tmpfile", gobject_tmpfile },
  { "floor-named",     floor_named },
  { "gobject-named",   gobject_named },
  { "gobject-dir",     gobject_dir },
  { "gobject-plain-dir", gobject_plain_dir },
  { "floor-dir",       floor_dir },
  { "gio-new-tmp",     gio_new_tmp },
  { NULL, NULL }
};

typedef struct
{
  BenchLifecycleFunc  func;
  const gchar        *dir;
  guint64             n;
  pthread_barrier_t  *start;
} LifecycleThread;

static gpointer
lifecycle_thread (gpointer data)
{
  LifecycleThread *lt = data;

  for (guint i = 0; i < BENCH_WARMUP_OPS; i++)
    lt->func (lt->dir);
  pthread_barrier_wait (lt->start);
  for (guint64 i = 0; i < lt->n; i++)
    lt->func (lt->dir);
  return NULL;
}

/* Wall-clock seconds for @threads threads doing @n lifecycles each: all in
 * @dir, or with @apart each in its own new subdirectory "thread-I" of it
 * (which tells the kernel's per-directory lock from everything else). */
static gdouble
run_lifecycle (BenchLifecycleFunc  func,
               const gchar        *dir,
               guint64             n,
               guint               threads,
               gboolean            apart)
{
  pthread_barrier_t start;
  g_autofree LifecycleThread *lts = g_new0 (LifecycleThread, threads);
  g_autofree GThread **ids = g_new0 (GThread *, threads);
  g_auto(GStrv) dirs = g_new0 (gchar *, threads + 1);
  gdouble t0, t1;

  for (guint i = 0; i < threads; i++)
    {
      dirs[i] = apart ? g_strdup_printf ("%s/thread-%u", dir, i) : g_strdup (dir);
      if (apart && mkdir (dirs[i], 0700) < 0)
        bench_die ("mkdir", dirs[i]);
    }

  pthread_barrier_init (&start, NULL, threads + 1);
  for (guint i = 0; i < threads; i++)
    {
      lts[i] = (LifecycleThread) { func, dirs[i], n, &start };
      ids[i] = g_thread_new ("bench", lifecycle_thread, &lts[i]);
    }
  pthread_barrier_wait (&start);
  t0 = bench_now ();
  for (guint i = 0; i < threads; i++)
    g_thread_join (ids[i]);
  t1 = bench_now ();
  pthread_barrier_destroy (&start);

  for (guint i = 0; apart && i < threads; i++)
    if (rmdir (dirs[i]) < 0)
      bench_die ("rmdir", dirs[i]);

  return t1 - t0;
}

/* Two lifecycles in one process, in alternating batches of @n, the first
 * to go changing every batch: one line "SECONDS_A SECONDS_B" per batch.
 * Both meet the same caches, the same host and the same moment, so their
 * ratio is steadier than one between processes run back to back. */
static void
run_lifecycle_pair (BenchLifecycleFunc  a,
                    BenchLifecycleFunc  b,
                    const gchar        *dir,
                    guint64             n,
                    guint               batches)
{
  for (guint i = 0; i < BENCH_WARMUP_OPS; i++)
    {
      a (dir);
      b (dir);
    }

  for (guint batch = 0; batch < batches; batch++)
    {
      BenchLifecycleFunc order[2] = { a, b };
      gdouble secs[2];

      for (guint k = 0; k < 2; k++)
        {
          guint which = (k + batch) % 2;
          gdouble t0 = bench_now ();

          for (guint64 i = 0; i < n; i++)
            order[which] (dir);
          secs[which] = bench_now () - t0;
        }
      g_print ("%.9f %.9f\n", secs[0], secs[1]);
    }
}

/* ------------------------------------------------------------------------ */
/* Streams */

static gsize
read_full (int     fd,
           guint8 *buffer,
           gsize   count)
{
  gsize done = 0;

  while (done < count)
    {
      gssize r = read (fd, buffer + done, count - done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        bench_die ("read", NULL);
      if (r == 0)
        break;
      done += r;
    }
  return done;
}

static void
write_full (int           fd,
            const guint8 *buffer,
            gsize         count)
{
  gsize done = 0;

  while (done < count)
    {
      gssize w = write (fd, buffer + done, count - done);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        bench_die ("write", NULL);
      done += w;
    }
}

static void
check_last_chunk (const guint8 *got,
                  const guint8 *want,
                  gsize         chunk)
{
  if (memcmp (got, want, chunk) != 0)
    {
      g_printerr ("gtmp-bench: read back different bytes\n");
      exit (EXIT_FAILURE);
    }
}

void
bench_fd_rw (gint     fd,
             gsize    chunk,
             gsize    total,
             gdouble *write_s,
             gdouble *read_s)
{
  g_autoptr(BenchBuffer) src = bench_buffer_new (chunk);
  g_autoptr(BenchBuffer) dst = bench_buffer_new (chunk);
  gdouble t0;

  bench_fill_pattern (src, chunk);

  t0 = bench_now ();
  for (gsize off = 0; off < total; off += chunk)
    write_full (fd, src, chunk);
  *write_s = bench_now () - t0;

  *read_s = G_MAXDOUBLE;
  for (guint pass = 0; pass < bench_reads (); pass++)
    {
      if (lseek (fd, 0, SEEK_SET) != 0)
        bench_die ("lseek", NULL);

      t0 = bench_now ();
      for (gsize off = 0; off < total; off += chunk)
        if (read_full (fd, dst, chunk) != chunk)
          bench_die ("short read", NULL);
      *read_s = MIN (*read_s, bench_now () - t0);
    }

  check_last_chunk (dst, src, chunk);
}

static void
read_all_chunks (GInputStream *in,
                 guint8       *dst,
                 gsize         chunk,
                 gsize         total)
{
  g_autoptr(GError) error = NULL;

  for (gsize off = 0; off < total; off += chunk)
    {
      gsize got = 0;

      if (!g_input_stream_read_all (in, dst, chunk, &got, NULL, &error))
        bench_die_error ("g_input_stream_read_all", error);
      if (got != chunk)
        bench_die ("short read", NULL);
    }
}

void
bench_io_stream_rw (GIOStream *stream,
                    gsize      chunk,
                    gsize      total,
                    gdouble   *write_s,
                    gdouble   *read_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BenchBuffer) src = bench_buffer_new (chunk);
  g_autoptr(BenchBuffer) dst = bench_buffer_new (chunk);
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  GInputStream *in = g_io_stream_get_input_stream (stream);
  gdouble t0;

  bench_fill_pattern (src, chunk);

  t0 = bench_now ();
  for (gsize off = 0; off < total; off += chunk)
    if (!g_output_stream_write_all (out, src, chunk, NULL, NULL, &error))
      bench_die_error ("g_output_stream_write_all", error);
  *write_s = bench_now () - t0;

  *read_s = G_MAXDOUBLE;
  for (guint pass = 0; pass < bench_reads (); pass++)
    {
      if (!g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, &error))
        bench_die_error ("g_seekable_seek", error);

      t0 = bench_now ();
      read_all_chunks (in, dst, chunk, total);
      *read_s = MIN (*read_s, bench_now () - t0);
    }

  check_last_chunk (dst, src, chunk);
}

static void
stream_raw (const gchar *dir,
            gsize        chunk,
            gsize        total,
            gsize        max_size,
            gdouble     *write_s,
            gdouble     *read_s)
{
  int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    bench_die ("open O_TMPFILE", dir);
  bench_fd_rw (fd, chunk, total, write_s, read_s);
  close (fd);
}

static void
stream_gio (const gchar *dir,
            gsize        chunk,
            gsize        total,
            gsize        max_size,
            gdouble     *write_s,
            gdouble     *read_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GFile) file = g_file_new_tmp (NULL, &stream, &error);

  if (file == NULL)
    bench_die_error ("g_file_new_tmp", error);
  bench_io_stream_rw (G_IO_STREAM (stream), chunk, total, write_s, read_s);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  g_file_delete (file, NULL, NULL);
}

/* The in-memory floor: a fresh buffer of the final size, filled and read
 * by memcpy. Its write side pays one page fault per 4 KiB page, as any
 * fresh memory does. */
static void
stream_malloc (const gchar *dir,
               gsize        chunk,
               gsize        total,
               gsize        max_size,
               gdouble     *write_s,
               gdouble     *read_s)
{
  g_autoptr(BenchBuffer) src = bench_buffer_new (chunk);
  g_autoptr(BenchBuffer) dst = bench_buffer_new (chunk);
  guint8 *buffer;
  gdouble t0;

  bench_fill_pattern (src, chunk);

  t0 = bench_now ();
  buffer = malloc (total);
  for (gsize off = 0; off < total; off += chunk)
    {
      memcpy (buffer + off, src, chunk);
      BENCH_CLOBBER (buffer);
    }
  *write_s = bench_now () - t0;

  *read_s = G_MAXDOUBLE;
  for (guint pass = 0; pass < bench_reads (); pass++)
    {
      t0 = bench_now ();
      for (gsize off = 0; off < total; off += chunk)
        {
          memcpy (dst, buffer + off, chunk);
          BENCH_CLOBBER (dst);
        }
      *read_s = MIN (*read_s, bench_now () - t0);
    }

  check_last_chunk (dst, src, chunk);
  free (buffer);
}

/* GIO's in-memory pair: a resizable GMemoryOutputStream to write, its bytes
 * read back through a GMemoryInputStream. */
static void
stream_gmemory (const gchar *dir,
                gsize        chunk,
                gsize        total,
                gsize        max_size,
                gdouble     *write_s,
                gdouble     *read_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BenchBuffer) src = bench_buffer_new (chunk);
  g_autoptr(BenchBuffer) dst = bench_buffer_new (chunk);
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gdouble t0;

  bench_fill_pattern (src, chunk);

  t0 = bench_now ();
  out = g_memory_output_stream_new_resizable ();
  for (gsize off = 0; off < total; off += chunk)
    if (!g_output_stream_write_all (out, src, chunk, NULL, NULL, &error))
      bench_die_error ("g_output_stream_write_all", error);
  *write_s = bench_now () - t0;

  g_output_stream_close (out, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));

  in = g_memory_input_stream_new_from_bytes (bytes);
  *read_s = G_MAXDOUBLE;
  for (guint pass = 0; pass < bench_reads (); pass++)
    {
      if (!g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, &error))
        bench_die_error ("g_seekable_seek", error);

      t0 = bench_now ();
      read_all_chunks (in, dst, chunk, total);
      *read_s = MIN (*read_s, bench_now () - t0);
    }

  check_last_chunk (dst, src, chunk);
}

static const BenchStream floor_streams[] = {
  { "raw",     stream_raw },
  { "gio",     stream_gio },
  { "malloc",  stream_malloc },
  { "gmemory", stream_gmemory },
  { NULL, NULL }
};

/* ------------------------------------------------------------------------ */
/* Trees */

static int
open_dir_at (int          dfd,
             const gchar *name)
{
  return openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static void
make_file_at (int   dfd,
              guint i)
{
  gchar name[32];
  int fd;

  g_snprintf (name, sizeof name, "f%06u", i);
  fd = openat (dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, "x", 1) != 1)
    bench_die ("create", name);
  close (fd);
}

/* Builds a tree of @shape at each of @roots, interleaved file by file, so
 * that the trees a round compares get their inodes from the same stretch
 * of the allocator: on an aged ext4, trees built one after the other took
 * anywhere from 0.7× to 1.3× as long to remove, whatever the remover. */
void
bench_make_trees (const gchar         *shape,
                  const gchar * const *roots)
{
  guint n = g_strv_length ((gchar **) roots);
  g_autofree int *root_fds = g_new (int, n);
  g_autofree int *dir_fds = g_new (int, n);
  guint dirs = 0, files = 0;

  if (sscanf (shape, "%ux%u", &dirs, &files) != 2)
    {
      g_printerr ("gtmp-bench: bad shape %s (want DxF)\n", shape);
      exit (EXIT_FAILURE);
    }

  for (guint t = 0; t < n; t++)
    {
      if (mkdir (roots[t], 0700) < 0 && errno != EEXIST)
        bench_die ("mkdir", roots[t]);
      root_fds[t] = open (roots[t], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (root_fds[t] < 0)
        bench_die ("open", roots[t]);
    }

  /* With no directories, the files go straight into the roots. */
  for (guint d = 0; d < MAX (dirs, 1); d++)
    {
      gchar name[32];

      g_snprintf (name, sizeof name, "d%04u", d);
      for (guint t = 0; t < n; t++)
        {
          if (dirs == 0)
            dir_fds[t] = root_fds[t];
          else if (mkdirat (root_fds[t], name, 0700) < 0 ||
                   (dir_fds[t] = open_dir_at (root_fds[t], name)) < 0)
            bench_die ("mkdir", name);
        }
      for (guint i = 0; i < files; i++)
        for (guint t = 0; t < n; t++)
          make_file_at (dir_fds[t], i);
      for (guint t = 0; t < n && dirs > 0; t++)
        close (dir_fds[t]);
    }

  for (guint t = 0; t < n; t++)
    close (root_fds[t]);
}

/* For a column that builds its own tree at @own_root: builds @others with
 * it (see bench_make_trees()). With others, says "built" on stdout and
 * waits for a line on stdin, so that the runner removes the round's trees
 * in the order it chooses. */
void
bench_make_paired_trees (const gchar         *own_root,
                         const gchar         *shape,
                         const gchar * const *others)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new ();
  gchar line[16];

  g_ptr_array_add (roots, (gpointer) own_root);
  for (guint t = 0; others[t] != NULL; t++)
    g_ptr_array_add (roots, (gpointer) others[t]);
  g_ptr_array_add (roots, NULL);
  bench_make_trees (shape, (const gchar * const *) roots->pdata);

  if (others[0] == NULL)
    return;
  g_print ("built\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    bench_die ("wait for the runner", NULL);
}

typedef struct
{
  gchar         *name;
  ino_t          ino;
  unsigned char  type;
} Entry;

static int
entry_by_inode (gconstpointer a,
                gconstpointer b)
{
  const Entry *ea = a, *eb = b;

  return (ea->ino > eb->ino) - (ea->ino < eb->ino);
}

static void remove_children (int dfd, gboolean sorted);

static void
remove_entry (int            dfd,
              const gchar   *name,
              unsigned char  type,
              gboolean       sorted)
{
  int sub;

  /* With d_type, a file costs one unlinkat(); without it, try that first. */
  if (type != DT_DIR && (unlinkat (dfd, name, 0) == 0 || errno == ENOENT))
    return;
  if (type != DT_DIR && errno != EISDIR)
    bench_die ("unlinkat", name);

  sub = open_dir_at (dfd, name);
  if (sub < 0)
    bench_die ("openat", name);
  remove_children (sub, sorted);
  if (unlinkat (dfd, name, AT_REMOVEDIR) < 0)
    bench_die ("rmdir", name);
}

/* Removes everything in @dfd and closes it. @sorted: read the whole
 * directory first and unlink in inode order, as GNU rm does for large
 * directories (it keeps ext4's inode table access sequential). */
static void
remove_children (int      dfd,
                 gboolean sorted)
{
  g_autoptr(GArray) entries = NULL;
  DIR *dir = fdopendir (dfd);
  struct dirent *de;

  if (dir == NULL)
    bench_die ("fdopendir", NULL);
  if (sorted)
    entries = g_array_new (FALSE, FALSE, sizeof (Entry));

  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (sorted)
        {
          Entry e = { g_strdup (de->d_name), de->d_ino, de->d_type };
          g_array_append_val (entries, e);
        }
      else
        remove_entry (dirfd (dir), de->d_name, de->d_type, FALSE);
    }
  if (errno != 0)
    bench_die ("readdir", NULL);

  if (sorted)
    {
      g_array_sort (entries, entry_by_inode);
      for (guint i = 0; i < entries->len; i++)
        {
          Entry *e = &g_array_index (entries, Entry, i);

          remove_entry (dirfd (dir), e->name, e->type, TRUE);
          g_free (e->name);
        }
    }
  closedir (dir);
}

static void
floor_remove_tree (const gchar *path,
                   gboolean     sorted)
{
  int dfd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (dfd < 0)
    bench_die ("open", path);
  remove_children (dfd, sorted);
  if (rmdir (path) < 0)
    bench_die ("rmdir", path);
}

/* Seconds `rm -rf @path` took: wall-clock, or with the CPU clock the CPU
 * time of the rm process itself. */
static gdouble
spawn_rm (const gchar *path)
{
  gchar *argv[] = { (gchar *) "rm", (gchar *) "-rf", (gchar *) path, NULL };
  gdouble t0 = bench_now ();
  struct rusage usage;
  pid_t pid;
  int status;

  if (posix_spawnp (&pid, "rm", NULL, NULL, argv, environ) != 0)
    bench_die ("posix_spawnp rm", path);
  if (wait4 (pid, &status, 0, &usage) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    bench_die ("rm -rf", path);
  if (bench_clock_is_cpu ())
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
           usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  return bench_now () - t0;
}

/* `rm -rf`, less what starting rm costs (the best of three runs on a path
 * that does not exist), so that only the removal is compared. */
static gdouble
remove_rm_rf (const gchar *path)
{
  g_autofree gchar *missing = g_strconcat (path, ".does-not-exist", NULL);
  gdouble startup = G_MAXDOUBLE;
  gdouble total;

  for (guint i = 0; i < 3; i++)
    startup = MIN (startup, spawn_rm (missing));
  total = spawn_rm (path);
  return MAX (total - startup, 0.0);
}

static gdouble
remove_floor (const gchar *path)
{
  gdouble t0 = bench_now ();

  floor_remove_tree (path, FALSE);
  return bench_now () - t0;
}

static gdouble
remove_sorted (const gchar *path)
{
  gdouble t0 = bench_now ();

  floor_remove_tree (path, TRUE);
  return bench_now () - t0;
}

typedef gdouble (*RemoveFunc) (const gchar *path);

static const struct
{
  const gchar *name;
  RemoveFunc   func;
} floor_removers[] = {
  { "floor",  remove_floor },
  { "sorted", remove_sorted },
  { "rm-rf",  remove_rm_rf },
  { NULL, NULL }
};

static void
prefill (const gchar *dir,
         guint        count)
{
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dfd < 0)
    bench_die ("open", dir);
  for (guint i = 0; i < count; i++)
    {
      gchar name[32];
      int fd;

      g_snprintf (name, sizeof name, "e%07u", i);
      fd = openat (dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0)
        bench_die ("create", name);
      close (fd);
    }
  close (dfd);
}

/* ------------------------------------------------------------------------ */

static gconstpointer
find_column (const gchar *name,
             gconstpointer table,
             gsize         stride)
{
  for (const guint8 *p = table; *(const gchar * const *) p != NULL; p += stride)
    if (strcmp (*(const gchar * const *) p, name) == 0)
      return p;
  return NULL;
}

#define FIND(name, a, b) \
  (find_column ((name), (a), sizeof *(a)) ?: find_column ((name), (b), sizeof *(b)))

static void
list_columns (void)
{
  g_print ("lifecycle:");
  for (const BenchLifecycle *l = floor_lifecycles; l->name; l++)
    g_print (" %s", l->name);
  for (const BenchLifecycle *l = bench_ours_lifecycles; l->name; l++)
    g_print (" %s", l->name);
  g_print ("\nstream:");
  for (const BenchStream *s = floor_streams; s->name; s++)
    g_print (" %s", s->name);
  for (const BenchStream *s = bench_ours_streams; s->name; s++)
    g_print (" %s", s->name);
  g_print ("\nrmtree:");
  for (guint i = 0; floor_removers[i].name; i++)
    g_print (" %s", floor_removers[i].name);
  g_print ("\ntree:");
  for (const BenchTree *t = bench_ours_trees; t->name; t++)
    g_print (" %s", t->name);
  g_print ("\n");
}

/* Read passes over the same data, the best counting (GTMP_BENCH_READS):
 * reading changes nothing, and a 2 ms in-memory read is at the mercy of a
 * single interrupt. */
guint
bench_reads (void)
{
  const gchar *reads = g_getenv ("GTMP_BENCH_READS");

  return reads != NULL ? MAX (atoi (reads), 1) : 1;
}

static guint
bench_reps (void)
{
  const gchar *reps = g_getenv ("GTMP_BENCH_REPS");

  return reps != NULL ? MAX (atoi (reps), 1) : 1;
}

static G_GNUC_NORETURN void
usage (void)
{
  g_printerr ("usage: gtmp-bench lifecycle COLUMN DIR N [THREADS [apart]]\n"
              "       gtmp-bench pair COLUMN COLUMN DIR N BATCHES\n"
              "       gtmp-bench stream COLUMN DIR CHUNK TOTAL [MAX_SIZE]\n"
              "       gtmp-bench rmtree COLUMN PATH\n"
              "       gtmp-bench tree COLUMN PARENT SHAPE [PATH...]\n"
              "       gtmp-bench mktree SHAPE PATH...\n"
              "       gtmp-bench prefill DIR COUNT\n"
              "       gtmp-bench list\n");
  exit (2);
}

static G_GNUC_NORETURN void
unknown_column (const gchar *column)
{
  g_printerr ("gtmp-bench: unknown column %s\n", column);
  exit (2);
}

int
main (int   argc,
      char *argv[])
{
  const gchar *cmd = argc > 1 ? argv[1] : "";

  if (g_strcmp0 (g_getenv ("GTMP_BENCH_CLOCK"), "cpu") == 0)
    bench_clock = CLOCK_PROCESS_CPUTIME_ID;

  if (strcmp (cmd, "list") == 0)
    {
      list_columns ();
      return 0;
    }

  /* Every library under test creates in DIR: GIO through g_get_tmp_dir(). */
  if ((strcmp (cmd, "lifecycle") == 0 || strcmp (cmd, "stream") == 0) && argc > 3)
    g_setenv ("TMPDIR", argv[3], TRUE);

  if (strcmp (cmd, "lifecycle") == 0 && argc >= 5 && argc <= 7)
    {
      const BenchLifecycle *l = FIND (argv[2], floor_lifecycles, bench_ours_lifecycles);
      guint threads = argc >= 6 ? atoi (argv[5]) : 1;
      gboolean apart = argc == 7 && strcmp (argv[6], "apart") == 0;

      if (l == NULL)
        unknown_column (argv[2]);
      if (argc == 7 && !apart)
        usage ();
      /* Throughput of several threads is a wall-clock matter, and so is
       * the one-thread run it is divided by: a CPU time there leaves out
       * the waits that the wall clock of the two-thread run counts, and
       * understated the speed-up (by up to 13% in three test pairs). */
      if (argc >= 6)
        bench_clock = CLOCK_MONOTONIC;
      g_print ("%.9f\n", run_lifecycle (l->func, argv[3], g_ascii_strtoull (argv[4], NULL, 10),
                                        MAX (threads, 1), apart));
    }
  else if (strcmp (cmd, "pair") == 0 && argc == 7)
    {
      const BenchLifecycle *a = FIND (argv[2], floor_lifecycles, bench_ours_lifecycles);
      const BenchLifecycle *b = FIND (argv[3], floor_lifecycles, bench_ours_lifecycles);

      if (a == NULL || b == NULL)
        unknown_column (a == NULL ? argv[2] : argv[3]);
      g_setenv ("TMPDIR", argv[4], TRUE);
      run_lifecycle_pair (a->func, b->func, argv[4],
                          g_ascii_strtoull (argv[5], NULL, 10), atoi (argv[6]));
    }
  else if (strcmp (cmd, "stream") == 0 && (argc == 6 || argc == 7))
    {
      const BenchStream *s = FIND (argv[2], floor_streams, bench_ours_streams);
      gdouble best_write = G_MAXDOUBLE, best_read = G_MAXDOUBLE;

      if (s == NULL)
        unknown_column (argv[2]);
      /* The best of GTMP_BENCH_REPS fresh files: how fast the same reads go
       * depends on where the kernel happened to put the pages (runs
       * alternate between two speeds, whatever the column). */
      for (guint rep = 0; rep < bench_reps (); rep++)
        {
          gdouble write_s, read_s;

          s->func (argv[3], g_ascii_strtoull (argv[4], NULL, 10),
                   g_ascii_strtoull (argv[5], NULL, 10),
                   argc == 7 ? g_ascii_strtoull (argv[6], NULL, 10) : 0, &write_s, &read_s);
          best_write = MIN (best_write, write_s);
          best_read = MIN (best_read, read_s);
        }
      g_print ("%.9f %.9f\n", best_write, best_read);
    }
  else if (strcmp (cmd, "rmtree") == 0 && argc == 4)
    {
      guint i;

      for (i = 0; floor_removers[i].name; i++)
        if (strcmp (floor_removers[i].name, argv[2]) == 0)
          break;
      if (floor_removers[i].name == NULL)
        unknown_column (argv[2]);
      g_print ("%.9f\n", floor_removers[i].func (argv[3]));
    }
  else if (strcmp (cmd, "tree") == 0 && argc >= 5)
    {
      const BenchTree *t = find_column (argv[2], bench_ours_trees, sizeof *t);

      if (t == NULL)
        unknown_column (argv[2]);
      g_print ("%.9f\n", t->func (argv[3], argv[4], (const gchar * const *) argv + 5));
    }
  else if (strcmp (cmd, "mktree") == 0 && argc >= 4)
    bench_make_trees (argv[2], (const gchar * const *) argv + 3);
  else if (strcmp (cmd, "prefill") == 0 && argc == 4)
    prefill (argv[2], atoi (argv[3]));
  else
    usage ();

  return 0;
}
