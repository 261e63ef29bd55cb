/* test-stress.c — many threads, processes and racing async operations
 *
 * Every class's lifecycle from several threads at once, forks from a busy
 * thread, several processes creating in one directory, and async operations
 * racing unref, dispose, close, setters and cancellation. What must hold:
 * no error, no name used twice, nothing left in the scratch directory, no
 * child that hangs, as many descriptors after as before, and no memory
 * growth from one round to the next.
 *
 * GTMP_STRESS_SCALE (a positive number, default 1) multiplies the number of
 * operations, for a long run: GTMP_STRESS_SCALE=20 meson test --suite stress.
 * Each test prints what it did as TAP comments.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile.h"
#include "test-util.h"

/* Sanitizers and Valgrind keep freed memory aside and count it their way:
 * the memory check trusts mallinfo2() only in a plain build. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#define PREFIX "st"

static gdouble scale = 1.0;

/* How many of @n at the current scale (at least 1). */
static guint
scaled (guint n)
{
  return MAX (1, (guint) (n * scale));
}

/* What a test did, as a TAP comment; from a subprocess on stderr, which
 * its parent passes through (its stdout is not part of the TAP stream). */
static void report (const gchar *format, ...) G_GNUC_PRINTF (1, 2);

static void
report (const gchar *format,
        ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (g_test_subprocess ())
    g_printerr ("# %s\n", text);
  else
    g_test_message ("%s", text);
}

/* ------------------------------------------------------------------------ */
/* GLib's locks, made visible to ThreadSanitizer                             */

#ifdef UNDER_TSAN
#include <dlfcn.h>

/* GMutex is futex-based on Linux and Debian's GLib is not built with TSan,
 * so TSan sees neither side of a lock and would report every access it
 * guards. The library is linked into this program, so its calls land on
 * these wrappers, which tell TSan what the lock orders. */
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

static gpointer
real_symbol (gpointer *slot,
             const gchar *name)
{
  gpointer fn = __atomic_load_n (slot, __ATOMIC_ACQUIRE);

  if (fn == NULL)
    {
      fn = dlsym (RTLD_NEXT, name);
      g_assert_nonnull (fn);
      __atomic_store_n (slot, fn, __ATOMIC_RELEASE);
    }
  return fn;
}

void
g_mutex_lock (GMutex *mutex)
{
  static gpointer real;

  ((void (*) (GMutex *)) real_symbol (&real, "g_mutex_lock")) (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  static gpointer real;
  gboolean locked = ((gboolean (*) (GMutex *)) real_symbol (&real, "g_mutex_trylock")) (mutex);

  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_mutex_unlock (GMutex *mutex)
{
  static gpointer real;

  __tsan_release (mutex);
  ((void (*) (GMutex *)) real_symbol (&real, "g_mutex_unlock")) (mutex);
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  static gpointer real;

  __tsan_release (mutex);
  ((void (*) (GCond *, GMutex *)) real_symbol (&real, "g_cond_wait")) (cond, mutex);
  __tsan_acquire (mutex);
}
#endif

/* ------------------------------------------------------------------------ */
/* Errors and names, counted across threads                                  */

static gint errors;

static void
note_failure (const gchar  *what,
              const GError *error)
{
  g_atomic_int_inc (&errors);
  g_printerr ("# %s: %s\n", what, error != NULL ? error->message : "failed");
}

/* Counts a failure unless @ok; @error (nullable) says why. */
static gboolean
check (gboolean      ok,
       const gchar  *what,
       const GError *error)
{
  if (!ok)
    note_failure (what, error);
  return ok;
}

/* Every base name the library handed out during a test: a name drawn twice
 * is a CSPRNG or pool defect (two live files cannot share one, O_EXCL sees
 * to that, but a replayed pool would draw the same names again). Kept in
 * fixed slots reserved up front, so that recording them does not grow the
 * heap the memory check watches. */
typedef struct
{
  gchar s[16];
} Name;

static GMutex names_lock;
static GArray *names;

static void
names_reset (guint reserve)
{
  g_mutex_lock (&names_lock);
  g_clear_pointer (&names, g_array_unref);
  names = g_array_sized_new (FALSE, FALSE, sizeof (Name), reserve);
  g_mutex_unlock (&names_lock);
}

static void
record_name (const gchar *path)
{
  const gchar *base = strrchr (path, '/') != NULL ? strrchr (path, '/') + 1 : path;
  Name name = { { 0, } };

  g_assert_cmpuint (strlen (base), <, sizeof name.s);
  strcpy (name.s, base);
  g_mutex_lock (&names_lock);
  g_array_append_val (names, name);
  g_mutex_unlock (&names_lock);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (((const Name *) a)->s, ((const Name *) b)->s);
}

/* Names have 8 characters of a 37-letter alphabet: with n names, about
 * n²/(2·37⁸) repeats are expected by chance alone. None is allowed while
 * that is below 1%; a long run with millions of names gets a bound well
 * above its expectation. */
static void
assert_names_unique (void)
{
  guint total = names->len;
  gdouble expected = (gdouble) total * total / (2 * 3512479453921.0);
  guint allowed = expected < 0.01 ? 0 : (guint) (4 * expected + 3);
  guint reused = 0;
  guint i;

  g_array_sort (names, compare_names);
  for (i = 1; i < total; i++)
    if (compare_names (&g_array_index (names, Name, i - 1), &g_array_index (names, Name, i)) == 0)
      {
        g_printerr ("# name drawn twice: %s\n", g_array_index (names, Name, i).s);
        reused++;
      }

  report ("%u names, %u drawn twice (%.2g expected by chance)", total, reused, expected);
  g_assert_cmpuint (reused, <=, allowed);
  g_mutex_lock (&names_lock);
  g_clear_pointer (&names, g_array_unref);
  g_mutex_unlock (&names_lock);
}

/* ------------------------------------------------------------------------ */
/* One lifecycle of each kind                                                */

typedef enum
{
  KIND_TMP_FILE,
  KIND_NAMED,
  KIND_SPOOLED,
  KIND_TMP_DIR,
  KIND_MKSTEMP,
  KIND_MKDTEMP,
  N_KINDS
} Kind;

static const gchar *kind_names[N_KINDS] = {
  "GTmpFile", "GNamedTmpFile", "GSpooledTmpFile", "GTmpDir", "mkstemp", "mkdtemp",
};

static gint kind_ops[N_KINDS];

#define PAYLOAD 3000

/* Bytes that say which thread and which operation wrote them, so that
 * data crossing over between two threads' files would show. */
static void
fill_payload (guint8 *buf,
              gsize   len,
              guint   seed)
{
  gsize i;

  for (i = 0; i < len; i++)
    buf[i] = (guint8) (seed * 31 + i * 7 + (i >> 8));
}

/* Writes @len bytes of @data, reads them back from the start and compares. */
static gboolean
write_read_back (GIOStream    *stream,
                 const guint8 *data,
                 gsize         len,
                 const gchar  *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *back = g_malloc (len);
  gsize n = 0;

  if (!check (g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                                         data, len, &n, NULL, &error) && n == len,
              what, error) ||
      !check (g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, &error),
              what, error) ||
      !check (g_input_stream_read_all (g_io_stream_get_input_stream (stream),
                                       back, len, &n, NULL, &error) && n == len,
              what, error))
    return FALSE;
  return check (memcmp (back, data, len) == 0, "content read back differs", NULL);
}

static void
close_stream (GIOStream   *stream,
              const gchar *what)
{
  g_autoptr(GError) error = NULL;

  check (g_io_stream_close (stream, NULL, &error), what, error);
}

static void
run_tmp_file (const gchar  *dir,
              const guint8 *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) tmp = g_tmp_file_new (dir, PREFIX, NULL, &error);

  if (!check (tmp != NULL, "GTmpFile new", error))
    return;
  write_read_back (G_IO_STREAM (tmp), data, PAYLOAD, "GTmpFile I/O");
  close_stream (G_IO_STREAM (tmp), "GTmpFile close");
}

static void
run_named (const gchar  *dir,
           const guint8 *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) named = g_named_tmp_file_new (dir, PREFIX, NULL, &error);
  g_autofree gchar *path = NULL;

  if (!check (named != NULL, "GNamedTmpFile new", error))
    return;
  path = g_strdup (g_named_tmp_file_get_path (named));
  record_name (path);
  write_read_back (G_IO_STREAM (named), data, PAYLOAD, "GNamedTmpFile I/O");
  close_stream (G_IO_STREAM (named), "GNamedTmpFile close");
  check (!test_path_exists (path), "GNamedTmpFile still there after close", NULL);
}

static void
run_spooled (const gchar  *dir,
             const guint8 *data)
{
  g_autoptr(GSpooledTmpFile) spooled = g_spooled_tmp_file_new (PAYLOAD / 2, dir, PREFIX, NULL);

  /* Past max-size halfway: the write rolls over. */
  write_read_back (G_IO_STREAM (spooled), data, PAYLOAD, "GSpooledTmpFile I/O");
  check (g_spooled_tmp_file_is_rolled_over (spooled), "GSpooledTmpFile did not roll over", NULL);
  close_stream (G_IO_STREAM (spooled), "GSpooledTmpFile close");
}

/* A small tree: a subdirectory with a file, a file, a symbolic link. */
static gboolean
make_small_tree (gint dfd)
{
  gint fd;

  if (mkdirat (dfd, "a", 0700) < 0 || symlinkat ("a", dfd, "l") < 0)
    return FALSE;
  fd = openat (dfd, "a/f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return FALSE;
  close (fd);
  fd = openat (dfd, "g", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static void
run_tmp_dir (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmpdir = g_tmp_dir_new (dir, PREFIX, NULL, &error);
  const gchar *path;

  if (!check (tmpdir != NULL, "GTmpDir new", error))
    return;
  path = g_tmp_dir_get_path (tmpdir);
  record_name (path);
  check (make_small_tree (g_tmp_dir_get_fd (tmpdir)), "GTmpDir tree", NULL);
  check (g_tmp_dir_cleanup (tmpdir, NULL, &error), "GTmpDir cleanup", error);
  check (!test_path_exists (path), "GTmpDir still there after cleanup", NULL);
}

static void
run_mkstemp (const gchar  *dir,
             const guint8 *data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  gint fd = g_tempfile_mkstemp (dir, PREFIX, NULL, &path, &error);

  if (!check (fd >= 0, "mkstemp", error))
    return;
  record_name (path);
  check (write (fd, data, PAYLOAD) == PAYLOAD, "mkstemp write", NULL);
  close (fd);
  check (unlink (path) == 0, "mkstemp unlink", NULL);
}

static void
run_mkdtemp (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = g_tempfile_mkdtemp (dir, PREFIX, NULL, &error);

  if (!check (path != NULL, "mkdtemp", error))
    return;
  record_name (path);
  check (rmdir (path) == 0, "mkdtemp rmdir", NULL);
}

static void
run_kind (Kind          kind,
          const gchar  *dir,
          const guint8 *data)
{
  switch (kind)
    {
    case KIND_TMP_FILE: run_tmp_file (dir, data); break;
    case KIND_NAMED:    run_named (dir, data); break;
    case KIND_SPOOLED:  run_spooled (dir, data); break;
    case KIND_TMP_DIR:  run_tmp_dir (dir); break;
    case KIND_MKSTEMP:  run_mkstemp (dir, data); break;
    case KIND_MKDTEMP:  run_mkdtemp (dir); break;
    case N_KINDS:
    default: g_assert_not_reached ();
    }
  g_atomic_int_inc (&kind_ops[kind]);
}

/* ------------------------------------------------------------------------ */
/* N threads × M operations of every kind, in rounds                         */

#define THREADS        4
#define OPS_PER_THREAD 600
#define ROUNDS         4    /* the first is the warm-up */

typedef struct
{
  const gchar *dir;
  guint        id;
  guint        ops;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  guint8 payload[PAYLOAD];
  guint i;

  for (i = 0; i < w->ops; i++)
    {
      fill_payload (payload, sizeof payload, w->id * 100003 + i);
      /* Each thread starts at another kind, so all kinds overlap. */
      run_kind ((i + w->id) % N_KINDS, w->dir, payload);
    }
  return NULL;
}

static void
run_round (const gchar *dir,
           guint        round)
{
  GThread *threads[THREADS];
  Worker workers[THREADS];
  guint i;

  for (i = 0; i < THREADS; i++)
    {
      workers[i] = (Worker) { dir, round * THREADS + i, scaled (OPS_PER_THREAD) };
      threads[i] = g_thread_new ("stress", worker_thread, &workers[i]);
    }
  for (i = 0; i < THREADS; i++)
    g_thread_join (threads[i]);
}

static gsize
heap_in_use (void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) && !defined(UNDER_SANITIZER)
  return mallinfo2 ().uordblks;
#else
  return 0;
#endif
}

static void
test_threads_every_kind (void)
{
  gchar *dir = test_scratch_new ();
  gint64 start = g_get_monotonic_time ();
  guint fds_before, fds_after;
  gsize heap_before, heap_after;
  guint round, k, total = 0;

  names_reset (ROUNDS * THREADS * scaled (OPS_PER_THREAD));
  errors = 0;
  memset (kind_ops, 0, sizeof kind_ops);

  run_round (dir, 0);
  fds_before = test_count_open_fds ();
  heap_before = heap_in_use ();
  for (round = 1; round < ROUNDS; round++)
    run_round (dir, round);
  fds_after = test_count_open_fds ();
  heap_after = heap_in_use ();

  for (k = 0; k < N_KINDS; k++)
    {
      report ("%s: %d lifecycles", kind_names[k], kind_ops[k]);
      total += kind_ops[k];
    }
  report ("%u threads, %u lifecycles in %.2f s; heap in use after the warm-up "
                  "%" G_GSIZE_FORMAT " B, after the last round %" G_GSIZE_FORMAT " B",
                  THREADS, total, (g_get_monotonic_time () - start) / 1e6,
                  heap_before, heap_after);

  g_assert_cmpint (errors, ==, 0);
  assert_names_unique ();
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  g_assert_cmpuint (fds_after, ==, fds_before);
  /* Generous: a leak of even 100 bytes per lifecycle would pass 1 MiB. */
  if (heap_before != 0)
    g_assert_cmpuint (heap_after, <, heap_before + (1 << 20));
  test_scratch_free (dir);
}

/* The async races hand work to GIO's worker threads through GLib's own
 * futex-based locks and atomics, which ThreadSanitizer cannot see unless
 * GLib itself is built with it (Debian's is not): every hand-over would be
 * reported as a race. Under TSan they are skipped; ASan and Valgrind run
 * them. */
static gboolean
skip_under_tsan (void)
{
#ifdef UNDER_TSAN
  test_skip ("GLib is not built with ThreadSanitizer: it cannot see GTask's hand-overs");
  return TRUE;
#else
  return FALSE;
#endif
}

/* A test that may crash or hang on a defect runs in a subprocess: it then
 * fails alone, and the others still run. */
#define RACE_TIMEOUT (60 * G_USEC_PER_SEC)

static gboolean
run_race_in_subprocess (void)
{
  if (g_test_subprocess ())
    return TRUE;
  if (!test_trap_subprocess (RACE_TIMEOUT, G_TEST_SUBPROCESS_INHERIT_STDERR))
    return FALSE;
  /* Not g_test_trap_assert_passed(): that would end the whole run. */
  if (g_test_trap_reached_timeout ())
    g_test_fail_printf ("%s hung (its subprocess was killed after %d s)",
                        g_test_get_path (), (gint) (RACE_TIMEOUT / G_USEC_PER_SEC));
  else if (!g_test_trap_has_passed ())
    g_test_fail_printf ("%s crashed or failed in its subprocess", g_test_get_path ());
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Forks from a busy thread                                                  */

#define FORKS         20
#define CHILD_TIMEOUT (2 * G_USEC_PER_SEC)

static gint stop_busy;
static gint busy_ops;

/* The default directory of this run ($TMPDIR, set in main() before any
 * thread exists). */
static gchar *default_dir;

/* Creates files in the default directory as fast as it can, forgetting it
 * every other time, so that the search for it (a probe file created,
 * written and removed under the default directory's lock) runs often:
 * whatever lock that takes is often held by this thread when another one
 * forks. */
static gpointer
busy_thread (gpointer data)
{
  guint8 payload[PAYLOAD];
  guint i = 0;

  fill_payload (payload, sizeof payload, 7);
  while (!g_atomic_int_get (&stop_busy))
    {
      if (i % 2 == 0)
        g_tempfile_set_tempdir (NULL);
      run_kind (i % 3 == 0 ? KIND_NAMED : i % 3 == 1 ? KIND_MKSTEMP : KIND_TMP_FILE,
                NULL, payload);
      g_atomic_int_inc (&busy_ops);
      i++;
    }
  return NULL;
}

/* The child of a fork: one file in the default directory, then _exit (no
 * atexit handlers, no dispose of the parent's objects). */
static void
fork_child (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);
  g_autofree gchar *path = NULL;
  gint fd;

  /* A hung child must not outlive a parent that gave up on it: it would
   * hold the test's output open. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
    _exit (5);
  fd = g_tempfile_mkstemp (NULL, "child", NULL, &path, NULL);

  if (fd < 0)
    _exit (2);
  close (fd);
  if (unlink (path) != 0)
    _exit (3);
  test_child_succeed ();
}

static void
test_fork_busy_thread (void)
{
  gint64 start = g_get_monotonic_time ();
  guint forks = scaled (FORKS);
  guint hung = 0, failed = 0;
  pid_t parent = getpid ();
  GThread *busy;

  if (!run_race_in_subprocess ())
    return;

  names_reset (1024);
  errors = 0;
  g_assert_cmpuint (test_count_entries (default_dir), ==, 0);
  g_atomic_int_set (&stop_busy, 0);
  g_atomic_int_set (&busy_ops, 0);
  busy = g_thread_new ("busy", busy_thread, NULL);

  test_fork_children (forks, CHILD_TIMEOUT, fork_child, GINT_TO_POINTER (parent), &hung, &failed);

  g_atomic_int_set (&stop_busy, 1);
  g_thread_join (busy);
  g_tempfile_set_tempdir (NULL);

  report ("%u forks while a thread made %d lifecycles in the default directory "
          "(%.2f s): %u hung, %u failed", forks, g_atomic_int_get (&busy_ops),
          (g_get_monotonic_time () - start) / 1e6, hung, failed);
  g_assert_cmpuint (hung, ==, 0);
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpint (errors, ==, 0);
  assert_names_unique ();
  g_assert_cmpuint (test_count_entries (default_dir), ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Several processes creating in one directory                               */

#define PROCESSES        3
#define OPS_PER_PROCESS  1200

/* A worker process: lifecycles of every kind with a name in @dir, then the
 * names it was given, one a line, into @list. Exits 0 when all went well. */
static void
process_worker (const gchar *dir,
                const gchar *list,
                guint        id)
{
  static const Kind named_kinds[] = { KIND_NAMED, KIND_TMP_DIR, KIND_MKSTEMP, KIND_MKDTEMP };
  guint8 payload[PAYLOAD];
  GString *out = g_string_new (NULL);
  guint i;

  names_reset (scaled (OPS_PER_PROCESS));
  errors = 0;
  for (i = 0; i < scaled (OPS_PER_PROCESS); i++)
    {
      fill_payload (payload, sizeof payload, id * 100003 + i);
      run_kind (named_kinds[i % G_N_ELEMENTS (named_kinds)], dir, payload);
    }

  for (i = 0; i < names->len; i++)
    g_string_append_printf (out, "%s\n", g_array_index (names, Name, i).s);
  if (!g_file_set_contents (list, out->str, out->len, NULL))
    _exit (4);
  if (errors == 0)
    test_child_succeed ();
  _exit (1);
}

static void
test_processes_one_dir (void)
{
  gchar *dir = test_scratch_new ();
  gchar *lists = test_scratch_new ();
  gint64 start = g_get_monotonic_time ();
  pid_t pids[PROCESSES];
  guint i, total = 0;

  for (i = 0; i < PROCESSES; i++)
    {
      g_autofree gchar *list = g_strdup_printf ("%s/%u", lists, i);

      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        process_worker (dir, list, i);
    }

  names_reset (PROCESSES * scaled (OPS_PER_PROCESS));
  for (i = 0; i < PROCESSES; i++)
    {
      g_autofree gchar *list = g_strdup_printf ("%s/%u", lists, i);
      g_autofree gchar *contents = NULL;
      g_auto(GStrv) lines = NULL;
      gint status = 0;
      guint j;

      g_assert_true (test_wait_or_kill (pids[i], RACE_TIMEOUT, &status));
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_assert_true (g_file_get_contents (list, &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", -1);
      for (j = 0; lines[j] != NULL; j++)
        if (*lines[j] != '\0')
          record_name (lines[j]);
    }
  total = names->len;

  report ("%u processes made %u names in one directory in %.2f s",
                  PROCESSES, total, (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (total, ==, PROCESSES * scaled (OPS_PER_PROCESS));
  assert_names_unique ();
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (lists);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* A name drawn in a thread-exit destructor                                  */

#define EXIT_THREADS 40

static gchar *exit_dir;

/* Runs at thread exit, after the library's own per-thread destructors
 * (its key was created first). */
static void
draw_at_exit (gpointer data)
{
  g_autofree gchar *path = NULL;
  gint fd = g_tempfile_mkstemp (exit_dir, PREFIX, NULL, &path, NULL);

  if (!check (fd >= 0, "mkstemp in a thread-exit destructor", NULL))
    return;
  record_name (path);
  close (fd);
  unlink (path);
}

static GPrivate late_key = G_PRIVATE_INIT (draw_at_exit);

static gpointer
exit_thread (gpointer data)
{
  guint8 payload[PAYLOAD];

  fill_payload (payload, sizeof payload, GPOINTER_TO_UINT (data));
  run_kind (KIND_MKSTEMP, exit_dir, payload);
  g_private_set (&late_key, data);
  return NULL;
}

static void
test_thread_exit_destructor (void)
{
  guint8 payload[PAYLOAD];
  guint i;

  if (!run_race_in_subprocess ())
    return;

  exit_dir = test_scratch_new ();
  names_reset (2 * scaled (EXIT_THREADS) + 1);
  errors = 0;

  /* The library's per-thread key first, ours after it. */
  fill_payload (payload, sizeof payload, 1);
  run_kind (KIND_MKSTEMP, exit_dir, payload);
  g_private_get (&late_key);

  for (i = 0; i < scaled (EXIT_THREADS); i++)
    g_thread_join (g_thread_new ("exit", exit_thread, GUINT_TO_POINTER (i + 1)));

  report ("%u threads drew a name in a thread-exit destructor", scaled (EXIT_THREADS));
  g_assert_cmpint (errors, ==, 0);
  assert_names_unique ();
  g_assert_cmpuint (test_count_entries (exit_dir), ==, 0);
  test_scratch_free (g_steal_pointer (&exit_dir));
}

/* ------------------------------------------------------------------------ */
/* Async operations racing unref, dispose, close, setters and cancellation   */

static void
wait_flag (gint *flag)
{
  while (!g_atomic_int_get (flag))
    g_main_context_iteration (NULL, TRUE);
}

#define BIG_WRITE (1 << 20)

typedef struct
{
  gint      done;
  gboolean  ok;
  GError   *error;
  gssize    size;
  GObject  *object;  /* borrowed */
} Outcome;

/* @dest holds exactly @len bytes of @data; removes it. */
static void
assert_persisted_bytes (const gchar   *dest,
                        gconstpointer  data,
                        gsize          len)
{
  g_autofree gchar *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (dest, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, len);
  g_assert_true (memcmp (contents, data, length) == 0);
  g_assert_no_errno (unlink (dest));
}

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
  memset (o, 0, sizeof *o);
}

static void
on_write_all (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *o = user_data;
  gsize written = 0;

  o->ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &o->error);
  o->size = written;
  g_atomic_int_set (&o->done, 1);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *o = user_data;

  o->size = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &o->error);
  o->ok = o->size >= 0;
  g_atomic_int_set (&o->done, 1);
}

typedef enum
{
  DROP_UNREF,
  DROP_DISPOSE,
  DROP_CLOSE,
  N_DROPS
} Drop;

static void
noop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

static void
store_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_atomic_int_set ((gint *) user_data, TRUE);
}

/* Runs one task in GIO's worker pool and waits for its callback, so that
 * the descriptors GLib opens once for good are open before a count. */
static void
warm_up_gio_worker (void)
{
  gint done = FALSE;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, store_done, &done);

  g_task_run_in_thread (task, noop_thread);
  while (!g_atomic_int_get (&done))
    g_main_context_iteration (NULL, TRUE);
}

/* A large write_async that rolls a spooled file over, and meanwhile the
 * last reference goes, or dispose runs, or the stream is closed: the write
 * must finish (the operation keeps what it uses alive) or fail cleanly. */
static void
test_race_spooled_write_drop (void)
{
  gchar *dir;
  g_autofree guint8 *big = g_malloc (BIG_WRITE);
  guint fds_before;
  guint i, ok = 0, refused = 0;

  if (skip_under_tsan () || !run_race_in_subprocess ())
    return;

  dir = test_scratch_new ();
  fill_payload (big, BIG_WRITE, 3);
  /* GIO's worker and its main context open their eventfds on first use. */
  warm_up_gio_worker ();
  fds_before = test_count_open_fds ();

  for (i = 0; i < scaled (60); i++)
    {
      GSpooledTmpFile *spooled = g_spooled_tmp_file_new (64 * 1024, dir, PREFIX, NULL);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (spooled));
      g_autoptr(GError) error = NULL;
      Outcome o = { 0, };

      g_output_stream_write_all_async (out, big, BIG_WRITE, G_PRIORITY_DEFAULT, NULL,
                                       on_write_all, &o);
      g_usleep (g_random_int_range (0, 200));
      switch ((Drop) (i % N_DROPS))
        {
        case DROP_UNREF:
          break;
        case DROP_DISPOSE:
          g_object_run_dispose (G_OBJECT (spooled));
          break;
        case DROP_CLOSE:
          /* Refused while the write is pending, or waits for it. */
          if (!g_io_stream_close (G_IO_STREAM (spooled), NULL, &error))
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
          break;
        case N_DROPS:
        default:
          g_assert_not_reached ();
        }
      g_object_unref (spooled);
      wait_flag (&o.done);
      if (o.ok)
        {
          g_assert_cmpint (o.size, ==, BIG_WRITE);
          ok++;
        }
      else
        {
          g_assert_true (g_error_matches (o.error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
                         g_error_matches (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
          refused++;
        }
      outcome_clear (&o);
    }

  /* The GIO worker may still hold the last task for a moment. */
  for (i = 0; i < 1000 && test_count_open_fds () != fds_before; i++)
    g_usleep (1000);
  report ("%u writes completed, %u refused", ok, refused);
  g_assert_cmpuint (test_count_open_fds (), ==, fds_before);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* A read_async and a write_async that rolls over, at the same time on the
 * two streams of one spooled file (GIOStream allows it). */
static void
test_race_spooled_read_write (void)
{
  gchar *dir;
  g_autofree guint8 *big = g_malloc (2 * BIG_WRITE);
  g_autofree guint8 *buf = g_malloc (BIG_WRITE);
  guint i, reads = 0;

  if (skip_under_tsan () || !run_race_in_subprocess ())
    return;

  dir = test_scratch_new ();
  fill_payload (big, 2 * BIG_WRITE, 4);

  for (i = 0; i < scaled (200); i++)
    {
      g_autoptr(GSpooledTmpFile) spooled = g_spooled_tmp_file_new (BIG_WRITE, dir, PREFIX, NULL);
      GIOStream *stream = G_IO_STREAM (spooled);
      g_autoptr(GError) error = NULL;
      Outcome w = { 0, }, r = { 0, };
      goffset end;

      /* A megabyte in memory, read through its chunks while a write of two
       * megabytes rolls over and frees them. */
      test_write_all (g_io_stream_get_output_stream (stream), big, BIG_WRITE - 1);
      test_seek (G_SEEKABLE (spooled), 0, G_SEEK_SET);
      g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), big, 2 * BIG_WRITE,
                                       G_PRIORITY_DEFAULT, NULL, on_write_all, &w);
      /* Reads one after the other for as long as the write runs. */
      do
        {
          outcome_clear (&r);
          g_input_stream_read_async (g_io_stream_get_input_stream (stream), buf, 64 * 1024,
                                     G_PRIORITY_DEFAULT, NULL, on_read, &r);
          wait_flag (&r.done);
          g_assert_no_error (r.error);
          reads++;
        }
      while (!g_atomic_int_get (&w.done));
      g_assert_no_error (w.error);
      g_assert_cmpint (w.size, ==, 2 * BIG_WRITE);
      g_assert_true (g_spooled_tmp_file_is_rolled_over (spooled));

      /* They share one position, so where each went depends on the
       * interleaving; the size is at least what was written. */
      g_assert_true (g_seekable_seek (G_SEEKABLE (spooled), 0, G_SEEK_END, NULL, &error));
      end = g_seekable_tell (G_SEEKABLE (spooled));
      g_assert_cmpint (end, >=, 2 * BIG_WRITE);
      g_assert_cmpint (end, <=, 2 * BIG_WRITE + (goffset) reads * 64 * 1024);
      outcome_clear (&w);
      outcome_clear (&r);
    }

  report ("%u reads raced %u writes that rolled over", reads, scaled (200));
  test_wait_until_empty (dir);
  test_scratch_free (dir);
}

/* cleanup_async of a tree while another thread flips the setters "that can
 * be changed at any time": cleanup() and the last unref afterwards return. */
typedef struct
{
  GTmpDir *tmpdir;
  gint     stop;
  guint    flips;
} Flipper;

static gpointer
flip_setters (gpointer data)
{
  Flipper *f = data;

  while (!g_atomic_int_get (&f->stop))
    {
      g_tmp_dir_set_ignore_cleanup_errors (f->tmpdir, f->flips % 2);
      g_tmp_dir_set_delete (f->tmpdir, TRUE);
      f->flips++;
    }
  return NULL;
}

static void
on_cleanup (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *o = user_data;

  o->ok = g_tmp_dir_cleanup_finish (G_TMP_DIR (source), result, &o->error);
  g_atomic_int_set (&o->done, 1);
}

/* Runs a sync cleanup in its own thread: the same race as cleanup_async's,
 * without GTask, so that ThreadSanitizer sees every hand-over. */
static gpointer
cleanup_thread (gpointer data)
{
  Outcome *o = data;

  o->ok = g_tmp_dir_cleanup (G_TMP_DIR (o->object), NULL, &o->error);
  return NULL;
}

static void
test_race_tmpdir_setters (gconstpointer data)
{
  gboolean use_async = GPOINTER_TO_UINT (data);
  gchar *dir;
  guint i, flips = 0;

  if ((use_async && skip_under_tsan ()) || !run_race_in_subprocess ())
    return;

  dir = test_scratch_new ();
  for (i = 0; i < scaled (300); i++)
    {
      g_autoptr(GError) error = NULL;
      GTmpDir *tmpdir = g_tmp_dir_new (dir, PREFIX, NULL, &error);
      g_autofree gchar *path = NULL;
      Flipper f = { tmpdir, 0, 0 };
      Outcome o = { 0, };
      GThread *flipper;

      g_assert_no_error (error);
      path = g_strdup (g_tmp_dir_get_path (tmpdir));
      g_assert_true (make_small_tree (g_tmp_dir_get_fd (tmpdir)));

      flipper = g_thread_new ("flip", flip_setters, &f);
      if (use_async)
        {
          g_tmp_dir_cleanup_async (tmpdir, G_PRIORITY_DEFAULT, NULL, on_cleanup, &o);
          wait_flag (&o.done);
        }
      else
        {
          o.object = G_OBJECT (tmpdir);
          g_thread_join (g_thread_new ("cleanup", cleanup_thread, &o));
        }
      g_atomic_int_set (&f.stop, 1);
      g_thread_join (flipper);
      flips += f.flips;

      g_assert_no_error (o.error);
      g_assert_true (o.ok);
      g_assert_false (test_path_exists (path));
      /* A lost update of the cleanup state would block here forever. */
      g_assert_true (g_tmp_dir_cleanup (tmpdir, NULL, &error));
      g_assert_no_error (error);
      test_unref_and_wait (tmpdir);
      o.object = NULL;
      outcome_clear (&o);
    }

  report ("%u cleanups raced %u setter calls", scaled (300), flips);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* Writes while persist_async runs: each one either fails with
 * G_IO_ERROR_PENDING or lands in the persisted file. */
typedef enum
{
  PERSIST_TMP_FILE,
  PERSIST_NAMED,
  PERSIST_SPOOLED,
  PERSIST_COPY,
  N_PERSISTS
} PersistKind;

static void
on_persist (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *o = user_data;

  o->ok = g_tmp_file_persist_finish (G_TMP_FILE (source), result, &o->error);
  g_atomic_int_set (&o->done, 1);
}

static GTmpFile *
new_for_persist (PersistKind  kind,
                 const gchar *dir)
{
  TestFileClass klass = kind == PERSIST_NAMED ? TEST_CLASS_NAMED
                        : kind == PERSIST_SPOOLED ? TEST_CLASS_SPOOLED
                        : TEST_CLASS_TMP_FILE;

  g_assert_cmpint (kind, <, N_PERSISTS);
  return test_new_file (klass, dir, PREFIX, 1 << 20);
}

static void
test_race_persist_writes (gconstpointer data)
{
  PersistKind kind = GPOINTER_TO_UINT (data);
  gchar *dir, *far_dir = NULL;
  guint8 chunk[4096];
  guint i, accepted = 0, pending = 0;

  if (skip_under_tsan ())
    return;
  if (kind == PERSIST_COPY)
    {
      g_autofree gchar *base = g_path_get_basename (test_scratch_root ());

      if (!test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
        return;
      /* Named after the run's scratch directory, so that the parent can
       * remove it whatever happens to the subprocess. */
      far_dir = g_build_filename ("/dev/shm", base, NULL);
    }
  if (!run_race_in_subprocess ())
    {
      if (far_dir != NULL)
        test_remove_tree (far_dir);
      g_free (far_dir);
      return;
    }

  dir = test_scratch_new ();
  if (far_dir != NULL)
    g_assert_no_errno (mkdir (far_dir, 0755));

  for (i = 0; i < scaled (20); i++)
    {
      g_autoptr(GTmpFile) tmp = new_for_persist (kind, far_dir != NULL ? far_dir : dir);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
      g_autofree gchar *dest = g_strdup_printf ("%s/dest-%u", dir, i);
      g_autoptr(GByteArray) expected = g_byte_array_new ();
      guint n = 0;
      Outcome o = { 0, };

      /* Large enough that persist takes a while (a copy, a rollover). */
      while (expected->len < 512 * 1024)
        {
          fill_payload (chunk, sizeof chunk, n++);
          test_write_all (out, chunk, sizeof chunk);
          g_byte_array_append (expected, chunk, sizeof chunk);
        }

      g_tmp_file_persist_async (tmp, dest, kind == PERSIST_COPY ? G_TMP_PERSIST_ALLOW_COPY : 0,
                                G_PRIORITY_DEFAULT, NULL, on_persist, &o);
      while (!g_atomic_int_get (&o.done))
        {
          g_autoptr(GError) error = NULL;

          fill_payload (chunk, sizeof chunk, n++);
          if (g_output_stream_write_all (out, chunk, sizeof chunk, NULL, NULL, &error))
            {
              g_byte_array_append (expected, chunk, sizeof chunk);
              accepted++;
            }
          else
            {
              g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
              pending++;
            }
          g_main_context_iteration (NULL, FALSE);
        }
      g_assert_no_error (o.error);
      g_assert_true (o.ok);

      g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL));
      assert_persisted_bytes (dest, expected->data, expected->len);
      outcome_clear (&o);
    }
  report ("%u writes during persist_async accepted and kept, %u refused", accepted, pending);

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  if (far_dir != NULL)
    {
      g_assert_cmpuint (test_count_entries (far_dir), ==, 0);
      test_scratch_free (far_dir);
    }
  test_scratch_free (dir);
}

/* get_fd() and rollover() during a spooled persist_async: refused with
 * G_IO_ERROR_PENDING or done once; the file rolls over exactly once and
 * the right bytes are persisted. */
static void
test_race_spooled_persist_rollover (void)
{
  gchar *dir;
  guint8 chunk[4096];
  guint i, refused = 0, done = 0;

  if (skip_under_tsan () || !run_race_in_subprocess ())
    return;

  dir = test_scratch_new ();
  for (i = 0; i < scaled (40); i++)
    {
      g_autoptr(GSpooledTmpFile) spooled = g_spooled_tmp_file_new (1 << 20, dir, PREFIX, NULL);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (spooled));
      g_autofree gchar *dest = g_strdup_printf ("%s/dest-%u", dir, i);
      g_autoptr(GByteArray) expected = g_byte_array_new ();
      guint notified = 0, n = 0;
      Outcome o = { 0, };

      g_signal_connect (spooled, "notify::rolled-over", G_CALLBACK (test_count_notify), &notified);
      while (expected->len < 512 * 1024)
        {
          fill_payload (chunk, sizeof chunk, n++);
          test_write_all (out, chunk, sizeof chunk);
          g_byte_array_append (expected, chunk, sizeof chunk);
        }

      g_tmp_file_persist_async (G_TMP_FILE (spooled), dest, 0, G_PRIORITY_DEFAULT, NULL,
                                on_persist, &o);
      while (!g_atomic_int_get (&o.done))
        {
          g_autoptr(GError) error = NULL;
          gboolean res = n++ % 2
                         ? g_tmp_file_get_fd (G_TMP_FILE (spooled), &error) >= 0
                         : g_spooled_tmp_file_rollover (spooled, NULL, &error);

          if (res)
            done++;
          else
            {
              g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
              refused++;
            }
          g_main_context_iteration (NULL, FALSE);
        }
      g_assert_no_error (o.error);
      g_assert_true (o.ok);
      g_assert_cmpuint (notified, ==, 1);

      g_assert_true (g_io_stream_close (G_IO_STREAM (spooled), NULL, NULL));
      assert_persisted_bytes (dest, expected->data, expected->len);
      outcome_clear (&o);
    }

  report ("get_fd/rollover during persist_async: %u refused, %u done", refused, done);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* g_object_run_dispose() on a named file while persist_async runs: the
 * persist completes (the operation holds what it uses) and the data is at
 * the destination. */
static void
test_race_named_persist_dispose (void)
{
  gchar *dir;
  g_autofree guint8 *big = g_malloc (BIG_WRITE);
  guint i, persisted = 0;

  if (skip_under_tsan () || !run_race_in_subprocess ())
    return;

  dir = test_scratch_new ();
  fill_payload (big, BIG_WRITE, 5);
  for (i = 0; i < scaled (60); i++)
    {
      g_autoptr(GError) error = NULL;
      GNamedTmpFile *named = g_named_tmp_file_new (dir, PREFIX, NULL, &error);
      g_autofree gchar *dest = g_strdup_printf ("%s/dest-%u", dir, i);
      Outcome o = { 0, };

      g_assert_no_error (error);
      test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (named)), big, BIG_WRITE);
      g_tmp_file_persist_async (G_TMP_FILE (named), dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT,
                                NULL, on_persist, &o);
      g_usleep (g_random_int_range (0, 300));
      g_object_run_dispose (G_OBJECT (named));
      g_object_unref (named);
      wait_flag (&o.done);

      /* Dispose does not stop an operation in flight. */
      g_assert_no_error (o.error);
      g_assert_true (o.ok);
      assert_persisted_bytes (dest, big, BIG_WRITE);
      persisted++;
      outcome_clear (&o);
    }

  report ("dispose during persist_async: %u persisted", persisted);
  test_wait_until_empty (dir);
  test_scratch_free (dir);
}

/* Cancellation from another thread at a random moment of new_async,
 * persist_async and cleanup_async: every outcome is whole. */
typedef struct
{
  GCancellable *cancellable;
  guint         delay;
} Canceller;

static gpointer
cancel_later (gpointer data)
{
  Canceller *c = data;

  g_usleep (c->delay);
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

static GThread *
cancel_soon (GCancellable *cancellable,
             Canceller    *c)
{
  *c = (Canceller) { cancellable, g_random_int_range (0, 400) };
  return g_thread_new ("cancel", cancel_later, c);
}

/* The object a new_async made (finished by @finish, the class's), or NULL
 * if it was cancelled. */
typedef struct
{
  gint       done;
  GObject   *object;
  gpointer (*finish) (GAsyncResult  *result,
                      GError       **error);
} Made;

static void
on_new (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Made *m = user_data;
  g_autoptr(GError) error = NULL;

  m->object = m->finish (result, &error);
  if (m->object == NULL)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_atomic_int_set (&m->done, 1);
}

static void
test_race_cancel (void)
{
  gchar *dir;
  guint counts[6] = { 0, };  /* file made/cancelled, dir made/cancelled, persists, cleanups */
  guint i;

  if (skip_under_tsan () || !run_race_in_subprocess ())
    return;

  dir = test_scratch_new ();
  for (i = 0; i < scaled (150); i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      Canceller c;
      GThread *thread;

      switch (i % 4)
        {
        case 0: /* new_async: an object, or cancelled and nothing on disk */
        case 1:
          {
            Made m = { 0, NULL, i % 4 == 0 ? (gpointer) g_tmp_file_new_finish
                                           : (gpointer) g_tmp_dir_new_finish };

            thread = cancel_soon (cancellable, &c);
            if (i % 4 == 0)
              g_tmp_file_new_async (dir, PREFIX, NULL, G_PRIORITY_DEFAULT, cancellable, on_new, &m);
            else
              g_tmp_dir_new_async (dir, PREFIX, NULL, G_PRIORITY_DEFAULT, cancellable, on_new, &m);
            wait_flag (&m.done);
            g_thread_join (thread);
            counts[(i % 4) * 2 + (m.object != NULL ? 0 : 1)]++;
            if (m.object != NULL)
              test_unref_and_wait (m.object);
            /* A cancelled one is dropped by the worker thread that made it,
             * a moment after the callback. */
            test_wait_until_empty (dir);
            break;
          }
        case 2: /* persist_async: done, or cancelled and nothing changed */
          {
            g_autoptr(GTmpFile) tmp = g_tmp_file_new (dir, PREFIX, NULL, &error);
            g_autofree gchar *dest = g_strdup_printf ("%s/dest-%u", dir, i);
            Outcome o = { 0, };

            g_assert_no_error (error);
            test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), "data", 4);
            thread = cancel_soon (cancellable, &c);
            g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT,
                                      cancellable, on_persist, &o);
            wait_flag (&o.done);
            g_thread_join (thread);
            if (o.ok)
              {
                test_assert_file_contents (dest, "data");
                g_assert_no_errno (unlink (dest));
              }
            else
              {
                g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
                g_assert_false (test_path_exists (dest));
              }
            counts[4] += o.ok;
            outcome_clear (&o);
            break;
          }
        case 3: /* cleanup_async: done, or cancelled and cleanup() finishes it */
          {
            GTmpDir *tmpdir = g_tmp_dir_new (dir, PREFIX, NULL, &error);
            g_autofree gchar *path = NULL;
            Outcome o = { 0, };

            g_assert_no_error (error);
            path = g_strdup (g_tmp_dir_get_path (tmpdir));
            g_assert_true (make_small_tree (g_tmp_dir_get_fd (tmpdir)));
            thread = cancel_soon (cancellable, &c);
            g_tmp_dir_cleanup_async (tmpdir, G_PRIORITY_DEFAULT, cancellable, on_cleanup, &o);
            wait_flag (&o.done);
            g_thread_join (thread);
            if (o.ok)
              g_assert_false (test_path_exists (path));
            else
              {
                g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
                g_assert_true (g_tmp_dir_cleanup (tmpdir, NULL, &error));
                g_assert_no_error (error);
                g_assert_false (test_path_exists (path));
              }
            counts[5] += o.ok;
            test_unref_and_wait (tmpdir);
            outcome_clear (&o);
            break;
          }
        default:
          g_assert_not_reached ();
        }
    }

  report ("cancelled at random: GTmpFile new_async %u done, %u cancelled; "
                  "GTmpDir new_async %u done, %u cancelled; persist_async %u of %u done; "
                  "cleanup_async %u of %u done", counts[0], counts[1], counts[2], counts[3],
                  counts[4], scaled (150) / 4, counts[5], scaled (150) / 4);
  test_wait_until_empty (dir);
  test_scratch_free (dir);
}

int
main (int   argc,
      char *argv[])
{
  const gchar *env;
  gint ret;

  test_init (&argc, &argv, "stress");

  /* Classes made before any thread: GLib, not built with ThreadSanitizer,
   * publishes a new class with atomics that TSan cannot see. */
  g_type_class_unref (g_type_class_ref (G_TYPE_TMP_FILE));
  g_type_class_unref (g_type_class_ref (G_TYPE_NAMED_TMP_FILE));
  g_type_class_unref (g_type_class_ref (G_TYPE_SPOOLED_TMP_FILE));
  g_type_class_unref (g_type_class_ref (G_TYPE_TMP_DIR));

#ifdef M_ARENA_MAX
  /* One malloc arena for all threads, so that mallinfo2() sees them all. */
  mallopt (M_ARENA_MAX, 1);
#endif

  /* Before any thread: setenv() is not thread-safe. */
  default_dir = g_build_filename (test_scratch_root (), "default", NULL);
  if (!g_test_subprocess ())
    g_assert_no_errno (mkdir (default_dir, 0700));
  g_setenv ("TMPDIR", default_dir, TRUE);

  env = g_getenv ("GTMP_STRESS_SCALE");
  if (env != NULL)
    {
      scale = g_ascii_strtod (env, NULL);
      g_assert_cmpfloat (scale, >, 0);
    }

  g_test_add_func ("/stress/threads/every-kind", test_threads_every_kind);
  g_test_add_func ("/stress/threads/exit-destructor", test_thread_exit_destructor);
  g_test_add_func ("/stress/fork/busy-thread", test_fork_busy_thread);
  g_test_add_func ("/stress/processes/one-dir", test_processes_one_dir);
  g_test_add_func ("/stress/async/spooled-write-drop", test_race_spooled_write_drop);
  g_test_add_func ("/stress/async/spooled-read-write", test_race_spooled_read_write);
  g_test_add_data_func ("/stress/threads/tmpdir-setters", GUINT_TO_POINTER (FALSE),
                        test_race_tmpdir_setters);
  g_test_add_data_func ("/stress/async/tmpdir-setters", GUINT_TO_POINTER (TRUE),
                        test_race_tmpdir_setters);
  g_test_add_data_func ("/stress/async/persist-writes/tmp-file",
                        GUINT_TO_POINTER (PERSIST_TMP_FILE), test_race_persist_writes);
  g_test_add_data_func ("/stress/async/persist-writes/named",
                        GUINT_TO_POINTER (PERSIST_NAMED), test_race_persist_writes);
  g_test_add_data_func ("/stress/async/persist-writes/spooled",
                        GUINT_TO_POINTER (PERSIST_SPOOLED), test_race_persist_writes);
  g_test_add_data_func ("/stress/async/persist-writes/allow-copy",
                        GUINT_TO_POINTER (PERSIST_COPY), test_race_persist_writes);
  g_test_add_func ("/stress/async/spooled-persist-rollover", test_race_spooled_persist_rollover);
  g_test_add_func ("/stress/async/named-persist-dispose", test_race_named_persist_dispose);
  g_test_add_func ("/stress/async/cancel", test_race_cancel);

  ret = g_test_run ();

  if (!g_test_subprocess ())
    g_assert_no_errno (rmdir (default_dir));
  g_free (default_dir);
  test_scratch_root_clear ();
  return ret;
}
