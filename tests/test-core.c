/* test-core.c — the private core (gtmp-core.c, gtmp-tempdir.c, gtmp-refusals.c)
 *
 * Every promise the core makes, checked on disk: name shape and alphabet,
 * uniqueness, modes, close-on-exec, symlinks never followed, collision retry
 * and exhaustion, anonymous files, the default directory search, bad
 * arguments and directories. Tests run as root; where
 * permissions matter a child process drops to uid/gid 65534 first.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-tempdir.h"
#include "gtmp-testing.h"
#include "test-util.h"

#define ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789_"

/* A file name is bytes, a message UTF-8: @error's message is valid UTF-8 and
 * names @path by its display name. */
static void
assert_names_for_display (const GError *error,
                          const gchar  *path)
{
  g_autofree gchar *display = g_filename_display_name (path);

  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, display));
}

/* A name hook that hands out a script of names, repeating the last one. */
typedef struct
{
  const gchar * const *names;
  guint                n_names;
  guint                calls;
} NameScript;

static void
scripted_names (gchar    *chars,
                gpointer  user_data)
{
  NameScript *script = user_data;
  const gchar *name = script->names[MIN (script->calls, script->n_names - 1)];

  g_assert_cmpuint (strlen (name), ==, G_TMP_CORE_RANDOM_CHARS);
  memcpy (chars, name, G_TMP_CORE_RANDOM_CHARS);
  script->calls++;
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */

static void
test_name_shape (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *path = NULL;
  g_autofree gchar *dflt = NULL;
  g_autofree gchar *dir = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, "pre_", ".suf", 0), &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (test_name_matches (path, scratch, "^pre_[a-z0-9_]{8}\\.suf$"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* NULL prefix and suffix: "tmp" and nothing. */
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0), &dflt, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (test_name_matches (dflt, scratch, "^tmp[a-z0-9_]{8}$"));

  dir = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (scratch, "d-", "-x", 0), &error);
  g_assert_no_error (error);
  g_assert_true (test_name_matches (dir, scratch, "^d-[a-z0-9_]{8}-x$"));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  g_assert_cmpuint (test_count_entries (scratch), ==, 3);
  test_scratch_free (scratch);
}

/* All 37 characters appear, nothing else does, and none is strongly favoured
 * (a "byte % 37" without rejection would skew the first 34 by ~15%). */
static void
test_name_alphabet (void)
{
  const gsize n = 37 * 20000;
  g_autofree gchar *chars = g_malloc (n);
  guint counts[256] = { 0, };
  gsize i;

  g_assert_true (_g_tmp_core_random_chars (chars, n));
  for (i = 0; i < n; i++)
    counts[(guint8) chars[i]]++;

  for (i = 0; i < 256; i++)
    {
      if (strchr (ALPHABET, (gchar) i) != NULL && i != 0)
        {
          /* Expected 20000 each, σ ≈ 140: ±1500 is > 10σ. */
          g_assert_cmpuint (counts[i], >, 18500);
          g_assert_cmpuint (counts[i], <, 21500);
        }
      else
        g_assert_cmpuint (counts[i], ==, 0);
    }
}

static void
test_name_hook (void)
{
  static const gchar * const names[] = { "HoOkEd01" };
  NameScript script = { names, 1, 0 };
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *expected = g_build_filename (scratch, "p.HoOkEd01.s", NULL);
  g_autofree gchar *path = NULL;
  g_autofree gchar *again = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  _g_tmp_core_set_name_hook (scripted_names, &script);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, "p.", ".s", 0), &path, &error);
  _g_tmp_core_set_name_hook (NULL, NULL);
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpuint (script.calls, ==, 1);

  /* Unhooked again: a random name, not the scripted one. */
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, "p.", ".s", 0), &again, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpstr (again, !=, expected);
  g_assert_cmpuint (script.calls, ==, 1);

  test_scratch_free (scratch);
}

#ifdef HAVE_GETRANDOM
/* The core is linked statically into this executable, so this definition
 * takes the place of libc's getrandom() for it: the test can see how often
 * the core asks the kernel for randomness. */
static gint getrandom_calls;
/* Set, every call fails with this errno, as under a seccomp filter that
 * answers getrandom() with ENOSYS. */
static gint getrandom_errno;
/* So many calls fail with EINTR first. */
static gint getrandom_eintrs;

ssize_t getrandom (void   *buffer,
                   size_t  length,
                   guint   flags);

ssize_t
getrandom (void   *buffer,
           size_t  length,
           guint   flags)
{
  g_atomic_int_inc (&getrandom_calls);
  if (g_atomic_int_get (&getrandom_errno) != 0)
    {
      errno = g_atomic_int_get (&getrandom_errno);
      return -1;
    }
  if (g_atomic_int_add (&getrandom_eintrs, -1) > 0)
    {
      errno = EINTR;
      return -1;
    }
  g_atomic_int_set (&getrandom_eintrs, 0);
  return syscall (SYS_getrandom, buffer, length, flags);
}

/* Names come from the kernel's CSPRNG (not rand()), fetched 4 KiB at a
 * time (doc/security.md): 1000 names of 8 characters (about 9,200 bytes
 * with the rejected ones) cost 3 or 4 calls, not 1000; and names of 128
 * characters draw from the same buffer, at the same cost per character,
 * with no call of their own (100 of them, about 14,800 bytes: 4 or 5). */
static void
test_name_batched (void)
{
  gchar chars[G_TMP_CORE_RANDOM_CHARS];
  gchar long_chars[128];
  gint calls;
  guint i;

  g_atomic_int_set (&getrandom_calls, 0);
  for (i = 0; i < 1000; i++)
    g_assert_true (_g_tmp_core_random_chars (chars, sizeof chars));
  calls = g_atomic_int_get (&getrandom_calls);

  g_test_message ("%d getrandom() calls for 1000 names", calls);
  g_assert_cmpint (calls, >=, 2);
  g_assert_cmpint (calls, <=, 4);

  g_atomic_int_set (&getrandom_calls, 0);
  for (i = 0; i < 100; i++)
    g_assert_true (_g_tmp_core_random_chars (long_chars, sizeof long_chars));
  calls = g_atomic_int_get (&getrandom_calls);

  g_test_message ("%d getrandom() calls for 100 names of 128 characters", calls);
  g_assert_cmpint (calls, >=, 3);
  g_assert_cmpint (calls, <=, 5);
}
#endif

/* A creation whose random name cannot be drawn fails with the errno's
 * code, naming the directory. */
static void
assert_random_error (GError      *error,
                     const gchar *dir)
{
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, "random name");
  g_assert_nonnull (strstr (error->message, dir));
}

/* With no randomness from the OS (getrandom() answering ENOSYS under a
 * seccomp filter), every entry point that draws a name fails with a GError
 * and leaves nothing behind, instead of aborting the process (it used
 * g_error()); those that need no name still work, and EINTR is retried. */
static void
test_name_no_randomness (void)
{
  g_autofree gchar *scratch = test_scratch_dir ();
  g_autofree gchar *dest = g_build_filename (scratch, "dest", NULL);
  g_autofree gchar *fresh = g_build_filename (scratch, "fresh", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) anonymous = NULL;
  g_autoptr(GSpooledTmpFile) spooled = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree gchar *path = NULL;
  GOutputStream *out;
  GTmpFile *warm;
  guint fds;

  if (!g_test_subprocess ())
    {
      g_free (test_scratch_new ());
      test_run_in_subprocess ();
      /* "dest" and "fresh" only. */
      g_assert_cmpuint (test_count_entries (scratch), ==, 2);
      test_scratch_free (g_steal_pointer (&scratch));
      return;
    }

  /* Made while O_TMPFILE works: it needs no name. */
  anonymous = g_tmp_file_new (scratch, NULL, NULL, &error);
  g_assert_no_error (error);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (anonymous)), "new", 3);
  g_assert_true (g_file_set_contents (dest, "old", -1, NULL));
  /* GLib opens its main context's and workers' descriptors on first use.
   * An anonymous file draws no name: the worker's random pool stays empty. */
  g_tmp_file_new_async (scratch, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                        test_store_result, &result);
  warm = g_tmp_file_new_finish (test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  test_unref_and_wait (warm);
  fds = test_count_open_fds ();

  g_atomic_int_set (&getrandom_errno, ENOSYS);

  g_assert_null (g_named_tmp_file_new (scratch, "n", NULL, &error));
  assert_random_error (g_steal_pointer (&error), scratch);
  g_assert_cmpint (g_tempfile_mkstemp (scratch, NULL, NULL, &path, &error), ==, -1);
  assert_random_error (g_steal_pointer (&error), scratch);
  g_assert_null (path);
  g_assert_null (g_tempfile_mkdtemp (scratch, NULL, NULL, &error));
  assert_random_error (g_steal_pointer (&error), scratch);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_null (g_tempfile_mktemp (scratch, NULL, NULL, &error));
  G_GNUC_END_IGNORE_DEPRECATIONS
  assert_random_error (g_steal_pointer (&error), scratch);
  g_assert_null (g_tmp_dir_new (scratch, NULL, NULL, &error));
  assert_random_error (g_steal_pointer (&error), scratch);
  g_tmp_dir_new_async (scratch, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                       test_store_result, &result);
  g_assert_null (g_tmp_dir_new_finish (test_wait_result (&result), &error));
  assert_random_error (g_steal_pointer (&error), scratch);
  g_clear_object (&result);

  /* The default directory's search probes each candidate with a random
   * name: it reports that, not "no usable directory", and caches nothing. */
  g_setenv ("TMPDIR", scratch, TRUE);
  g_tempfile_set_tempdir (NULL);
  g_assert_null (g_tempfile_get_tempdir (&error));
  assert_random_error (g_steal_pointer (&error), scratch);
  g_assert_null (g_named_tmp_file_new (NULL, NULL, NULL, &error));
  assert_random_error (g_steal_pointer (&error), scratch);

  /* Replacing "dest", an anonymous file is linked under a random name
   * beside it first: the persist fails and changes nothing. */
  g_assert_false (g_tmp_file_persist (anonymous, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, dest);
  g_clear_error (&error);
  g_tmp_file_persist_async (anonymous, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &result);
  g_assert_false (g_tmp_file_persist_finish (anonymous, test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);
  test_assert_file_contents (dest, "old");

  /* Where O_TMPFILE is refused, anonymous files take a random name for a
   * moment: they cannot be made either, in any thread. */
  _g_tmp_core_refuse_tmpfile (scratch);
  g_assert_null (g_tmp_file_new (scratch, NULL, NULL, &error));
  assert_random_error (g_steal_pointer (&error), scratch);
  g_tmp_file_new_async (scratch, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                        test_store_result, &result);
  g_assert_null (g_tmp_file_new_finish (test_wait_result (&result), &error));
  assert_random_error (g_steal_pointer (&error), scratch);
  g_clear_object (&result);
  spooled = g_spooled_tmp_file_new (2, scratch, NULL, NULL);
  out = g_io_stream_get_output_stream (G_IO_STREAM (spooled));
  g_assert_cmpint (g_output_stream_write (out, "spool", 5, NULL, &error), ==, -1);
  assert_random_error (g_steal_pointer (&error), scratch);
  g_assert_false (g_spooled_tmp_file_is_rolled_over (spooled));

  /* A worker may still be dropping its last reference to a finished task,
   * whose data holds a descriptor (under valgrind that takes a while). */
  for (guint i = 0; i < 500 && test_count_open_fds () != fds; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (test_count_open_fds (), ==, fds);

  /* What needs no random name still works. */
  test_persist (anonymous, fresh, G_TMP_PERSIST_SYNC);
  test_assert_file_contents (fresh, "new");

  /* A signal interrupting getrandom() is not an error. */
  g_atomic_int_set (&getrandom_errno, 0);
  g_atomic_int_set (&getrandom_eintrs, 3);
  g_atomic_int_set (&getrandom_calls, 0);
  g_assert_cmpint (g_tempfile_mkstemp (scratch, NULL, NULL, &path, &error), >=, 0);
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&getrandom_calls), ==, 4);
  g_assert_no_errno (unlink (path));
}

/* 37^8 ≈ 3.5e12 names: among 100k random ones a repeat has probability
 * ~0.14%, two repeats ~1e-6. A weak or shared generator gives thousands. */
#define UNIQUE_NAMES      100000
#define UNIQUE_THREADS    4
#define MAX_REPEATS       1

static guint
count_repeats (GPtrArray *names)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint repeats = 0;
  guint i;

  for (i = 0; i < names->len; i++)
    if (!g_hash_table_add (seen, g_ptr_array_index (names, i)))
      repeats++;
  return repeats;
}

static gpointer
draw_names_thread (gpointer data)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint n = GPOINTER_TO_UINT (data);
  guint i;

  for (i = 0; i < n; i++)
    {
      gchar *name = g_malloc0 (G_TMP_CORE_RANDOM_CHARS + 1);

      g_assert_true (_g_tmp_core_random_chars (name, G_TMP_CORE_RANDOM_CHARS));
      g_ptr_array_add (names, name);
    }
  return names;
}

static void
test_name_unique (void)
{
  g_autoptr(GPtrArray) names = draw_names_thread (GUINT_TO_POINTER (UNIQUE_NAMES));

  g_assert_cmpuint (count_repeats (names), <=, MAX_REPEATS);
}

static void
test_name_unique_threads (void)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  GThread *threads[UNIQUE_THREADS];
  guint i;

  for (i = 0; i < UNIQUE_THREADS; i++)
    threads[i] = g_thread_new ("names", draw_names_thread,
                               GUINT_TO_POINTER (UNIQUE_NAMES / UNIQUE_THREADS));
  for (i = 0; i < UNIQUE_THREADS; i++)
    {
      g_autoptr(GPtrArray) names = g_thread_join (threads[i]);

      g_ptr_array_set_free_func (names, NULL);
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&names));
    }

  g_assert_cmpuint (all->len, ==, UNIQUE_NAMES);
  g_assert_cmpuint (count_repeats (all), <=, MAX_REPEATS);
}

/* Threads creating files in one directory at once: every file is distinct
 * and really there. */
#define CREATE_PER_THREAD 2500

static gint
create_file (const gchar  *dir,
             gchar       **path,
             GError      **error)
{
  return _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0), path, error);
}

static void
test_create_unique_threads (void)
{
  gchar *scratch = test_scratch_new ();

  test_create_in_threads (scratch, create_file, UNIQUE_THREADS, CREATE_PER_THREAD);
  test_scratch_free (scratch);
}

/* A forked child must not replay the random bytes its parent has buffered. */
static void
test_name_fork (void)
{
  gchar parent_chars[32], child_chars[32];
  gint fds[2];
  gint status;
  pid_t pid;

  /* Fill this thread's buffer so that there is something to replay. */
  g_assert_true (_g_tmp_core_random_chars (parent_chars, 1));

  g_assert_no_errno (pipe (fds));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_assert_true (_g_tmp_core_random_chars (child_chars, sizeof child_chars));
      if (write (fds[1], child_chars, sizeof child_chars) == sizeof child_chars)
        test_child_succeed ();
      _exit (1);
    }

  close (fds[1]);
  g_assert_true (_g_tmp_core_random_chars (parent_chars, sizeof parent_chars));
  g_assert_cmpint (read (fds[0], child_chars, sizeof child_chars), ==, sizeof child_chars);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  g_assert_false (memcmp (parent_chars, child_chars, sizeof parent_chars) == 0);
}

/* Files created by a thread-exit destructor that runs after the one freeing
 * the thread's random pool (pthread runs them in key order; this key is
 * created after the pool's). The freed pool must be neither read nor
 * written: under ASan that would be a use-after-free; without it, the
 * pool's memory, handed straight back to a block of the pool's size that the
 * destructor fills with a pattern, would be refilled over that pattern. */
#define EXIT_FILES     50
#define POOL_SIZE      (4096 + 2 * sizeof (gint))

typedef struct
{
  const gchar *dir;
  GPtrArray   *paths;
  gboolean     block_intact;
} ExitCreations;

static pthread_key_t exit_key;

static void
create_files_at_exit (gpointer data)
{
  ExitCreations *creations = data;
  guint8 *block = g_malloc (POOL_SIZE);
  guint i;

  memset (block, 0xa5, POOL_SIZE);
  for (i = 0; i < EXIT_FILES; i++)
    {
      g_autoptr(GError) error = NULL;
      gchar *path = NULL;
      gint fd;

      fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (creations->dir, NULL, NULL, 0),
                                    &path, &error);
      g_assert_no_error (error);
      close (fd);
      g_ptr_array_add (creations->paths, path);
    }

  creations->block_intact = TRUE;
  for (i = 0; i < POOL_SIZE; i++)
    creations->block_intact &= block[i] == 0xa5;
  g_free (block);
}

static gpointer
exiting_thread (gpointer data)
{
  gchar chars[G_TMP_CORE_RANDOM_CHARS];

  /* This thread's pool exists, so its destructor runs at exit. */
  g_assert_true (_g_tmp_core_random_chars (chars, sizeof chars));
  g_assert_no_errno (pthread_setspecific (exit_key, data));
  return NULL;
}

static void
test_name_thread_exit (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gchar *scratch = test_scratch_new ();
  ExitCreations creations = { scratch, g_ptr_array_new_with_free_func (g_free), FALSE };
  gchar chars[G_TMP_CORE_RANDOM_CHARS];
  guint i;

  /* The pool's key exists before ours. */
  g_assert_true (_g_tmp_core_random_chars (chars, sizeof chars));
  g_assert_cmpint (pthread_key_create (&exit_key, create_files_at_exit), ==, 0);

  g_thread_join (g_thread_new ("exiting", exiting_thread, &creations));

  g_assert_cmpuint (creations.paths->len, ==, EXIT_FILES);
  g_assert_true (creations.block_intact);
  for (i = 0; i < creations.paths->len; i++)
    {
      const gchar *path = g_ptr_array_index (creations.paths, i);

      g_assert_true (g_hash_table_add (seen, (gpointer) path));
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpuint (test_count_entries (scratch), ==, EXIT_FILES);

  pthread_key_delete (exit_key);
  g_ptr_array_unref (creations.paths);
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* Modes                                                                     */

static void
check_modes (guint umask_value)
{
  gchar *scratch = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *file_default = NULL;
  g_autofree gchar *file_0644 = NULL;
  g_autofree gchar *file_0666 = NULL;
  g_autofree gchar *dir_default = NULL;
  g_autofree gchar *dir_0755 = NULL;
  g_autofree gchar *dir_0777 = NULL;
  struct stat st;
  mode_t old_umask;
  gboolean linkable;
  gint fd;

  old_umask = umask (umask_value);

  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0),
                                &file_default, &error);
  g_assert_no_error (error);
  close (fd);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0644),
                                &file_0644, &error);
  g_assert_no_error (error);
  close (fd);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0666),
                                &file_0666, &error);
  g_assert_no_error (error);
  close (fd);
  dir_default = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0), &error);
  g_assert_no_error (error);
  dir_0755 = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0755), &error);
  g_assert_no_error (error);
  dir_0777 = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0777), &error);
  g_assert_no_error (error);
  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (scratch, NULL, NULL, 0),
                                     &linkable, NULL, &error);
  g_assert_no_error (error);
  g_assert_no_errno (fstat (fd, &st));
  close (fd);

  umask (old_umask);

  /* The defaults are exact whatever the umask; given modes are masked by it
   * as open() and mkdir() do. */
  g_assert_cmpuint (test_mode_of (file_default), ==, 0600);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (test_mode_of (file_0644), ==, 0644 & ~umask_value);
  g_assert_cmpuint (test_mode_of (file_0666), ==, 0666 & ~umask_value);
  g_assert_cmpuint (test_mode_of (dir_default), ==, 0700);
  g_assert_cmpuint (test_mode_of (dir_0755), ==, 0755 & ~umask_value);
  g_assert_cmpuint (test_mode_of (dir_0777), ==, 0777 & ~umask_value);

  test_scratch_free (scratch);
}

static void
test_mode_umask_0 (void)
{
  check_modes (0);
}

static void
test_mode_umask_022 (void)
{
  check_modes (022);
}

/* ------------------------------------------------------------------------ */
/* What a spawned child sees in /proc/self/fd. GLib closes the descriptors
 * of a spawned child itself unless told not to: tell it not to, so that
 * only close-on-exec decides. */
static gchar *
child_fd_listing (void)
{
  const gchar *argv[] = { "/bin/ls", "-l", "/proc/self/fd/", NULL };
  g_autoptr(GError) error = NULL;
  gchar *out = NULL;
  gint status;

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_LEAVE_DESCRIPTORS_OPEN,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  return out;
}

static void
test_fd_not_inherited (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *ours = g_build_filename (scratch, "ours", NULL);
  g_autofree gchar *ours_slash = g_strconcat (ours, "/", NULL);
  g_autofree gchar *control = g_build_filename (scratch, "control-inherited", NULL);
  g_autofree gchar *path = NULL;
  g_autofree gchar *listing = NULL;
  g_autoptr(GError) error = NULL;
  gboolean linkable;
  gint fd_file, fd_anon, fd_control;

  if (!g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    {
      test_skip ("/proc/self/fd is not available");
      test_scratch_free (scratch);
      return;
    }

  test_make_dir (ours, 0700);
  fd_file = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (ours, "named", NULL, 0), &path, &error);
  g_assert_no_error (error);
  fd_anon = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (ours, "anon", NULL, 0),
                                          &linkable, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (test_has_cloexec (fd_file));
  g_assert_true (test_has_cloexec (fd_anon));

  /* A descriptor without close-on-exec shows that the child would see ours. */
  test_write_file_mode (control, "", 0600);
  fd_control = open (control, O_RDONLY);
  g_assert_cmpint (fd_control, >=, 0);

  /* The anonymous file shows as "<ours>/#<inode> (deleted)" or
   * "<ours>/anon… (deleted)": either way, under <ours>/. */
  listing = child_fd_listing ();
  g_test_message ("child's descriptors:\n%s", listing);
  g_assert_nonnull (strstr (listing, control));
  g_assert_null (strstr (listing, ours_slash));

  close (fd_file);
  close (fd_anon);
  close (fd_control);
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* Symlinks, collisions, exhaustion                                          */

/* An attacker plants symlinks at the name we will draw first, pointing at a
 * file and a directory elsewhere. Neither target may be touched, and the
 * core must move on to another name. */
static void
test_symlink_not_followed (void)
{
  static const gchar * const names[] = { "AAAAAAAA", "BBBBBBBB" };
  NameScript script = { names, G_N_ELEMENTS (names), 0 };
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *dir = g_build_filename (scratch, "dir", NULL);
  g_autofree gchar *elsewhere = g_build_filename (scratch, "elsewhere", NULL);
  g_autofree gchar *target_file = g_build_filename (elsewhere, "precious", NULL);
  g_autofree gchar *target_dir = g_build_filename (elsewhere, "precious-dir", NULL);
  g_autofree gchar *missing = g_build_filename (elsewhere, "not-yet", NULL);
  g_autofree gchar *link_f = g_build_filename (dir, "fAAAAAAAA", NULL);
  g_autofree gchar *link_d = g_build_filename (dir, "dAAAAAAAA", NULL);
  g_autofree gchar *link_m = g_build_filename (dir, "mAAAAAAAA", NULL);
  g_autofree gchar *file_path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autofree gchar *dangling_path = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  test_make_dir (dir, 0700);
  test_make_dir (elsewhere, 0700);
  test_write_file_mode (target_file, "do not touch", 0644);
  test_make_dir (target_dir, 0750);
  g_assert_no_errno (symlink (target_file, link_f));
  g_assert_no_errno (symlink (target_dir, link_d));
  g_assert_no_errno (symlink (missing, link_m));

  _g_tmp_core_set_name_hook (scripted_names, &script);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, "f", NULL, 0), &file_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (script.calls, ==, 2);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  close (fd);

  script.calls = 0;
  dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (dir, "d", NULL, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (script.calls, ==, 2);

  script.calls = 0;
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, "m", NULL, 0), &dangling_path, &error);
  g_assert_no_error (error);
  close (fd);
  _g_tmp_core_set_name_hook (NULL, NULL);

  /* New names were chosen... */
  g_assert_true (g_str_has_suffix (file_path, "/fBBBBBBBB"));
  g_assert_true (g_str_has_suffix (dir_path, "/dBBBBBBBB"));
  g_assert_true (g_str_has_suffix (dangling_path, "/mBBBBBBBB"));
  g_assert_true (g_file_test (file_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (file_path, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (dir_path, G_FILE_TEST_IS_DIR));

  /* ...and nothing was done through the links. */
  g_assert_true (g_file_test (link_f, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (link_d, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (link_m, G_FILE_TEST_IS_SYMLINK));
  test_assert_file_contents (target_file, "do not touch");
  g_assert_cmpuint (test_mode_of (target_file), ==, 0644);
  g_assert_cmpuint (test_mode_of (target_dir), ==, 0750);
  g_assert_cmpuint (test_count_entries (target_dir), ==, 0);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (test_count_entries (elsewhere), ==, 2);

  test_scratch_free (scratch);
}

static void
test_collision_retry (void)
{
  static const gchar * const names[] = {
    "taken001", "taken002", "taken003", "taken004", "taken005", "freename",
  };
  NameScript script = { names, G_N_ELEMENTS (names), 0 };
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autoptr(GError) error = NULL;
  guint i;
  gint fd;

  for (i = 0; i < 5; i++)
    {
      g_autofree gchar *taken = g_strdup_printf ("%s/f%s", scratch, names[i]);

      test_write_file_mode (taken, names[i], 0600);
    }
  for (i = 0; i < 5; i++)
    {
      g_autofree gchar *taken = g_strdup_printf ("%s/d%s", scratch, names[i]);

      test_make_dir (taken, 0700);
    }

  _g_tmp_core_set_name_hook (scripted_names, &script);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, "f", NULL, 0), &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpuint (script.calls, ==, 6);

  script.calls = 0;
  dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (scratch, "d", NULL, 0), &error);
  _g_tmp_core_set_name_hook (NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (script.calls, ==, 6);

  g_assert_true (g_str_has_suffix (path, "/ffreename"));
  g_assert_true (g_str_has_suffix (dir_path, "/dfreename"));
  for (i = 0; i < 5; i++)
    {
      g_autofree gchar *taken = g_strdup_printf ("%s/f%s", scratch, names[i]);

      test_assert_file_contents (taken, names[i]);
    }
  g_assert_cmpuint (test_count_entries (scratch), ==, 12);
  test_scratch_free (scratch);
}

/* Every name is taken: after exactly TMP_MAX tries, G_IO_ERROR_EXISTS. */
static void
test_collision_exhaustion (void)
{
  static const gchar * const names[] = { "samename" };
  NameScript script = { names, 1, 0 };
  gchar *scratch = test_scratch_new ();
  /* Not UTF-8: the message shows it by its display name. */
  g_autofree gchar *dir = g_build_filename (scratch, "caf\xe9", NULL);
  g_autofree gchar *taken = g_build_filename (dir, "tmpsamename", NULL);
  g_autofree gchar *path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  test_make_dir (dir, 0700);
  test_write_file_mode (taken, "first", 0600);

  _g_tmp_core_set_name_hook (scripted_names, &script);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0), &path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpint (fd, ==, -1);
  g_assert_null (path);
  g_assert_cmpuint (script.calls, ==, 238328);
  assert_names_for_display (error, dir);
  g_clear_error (&error);

  script.calls = 0;
  dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0), &error);
  _g_tmp_core_set_name_hook (NULL, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (dir_path);
  g_assert_cmpuint (script.calls, ==, 238328);
  assert_names_for_display (error, dir);

  test_assert_file_contents (taken, "first");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* Anonymous files                                                           */

/* Asks the file system of @dir directly whether it takes O_TMPFILE. */
static gboolean
fs_takes_o_tmpfile (const gchar *dir)
{
#ifdef HAVE_O_TMPFILE
  gint fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
#else
  return FALSE;
#endif
}

static void
test_anonymous_tmpfile (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *linked = g_build_filename (scratch, "linked", NULL);
  g_autofree gchar *proc_path = NULL;
  g_autofree gchar *out_dir = NULL;
  g_autoptr(GError) error = NULL;
  gboolean linkable = FALSE;
  gchar buffer[8] = { 0, };
  struct stat st;
  gint fd;

  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (scratch, "anon", ".x", 0),
                                     &linkable, &out_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpstr (out_dir, ==, scratch);

  /* No name anywhere, yet a working file. */
  g_assert_cmpuint (test_count_entries (scratch), ==, 0);
  g_assert_no_errno (fstat (fd, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_nlink, ==, 0);
  g_assert_cmpint (pwrite (fd, "payload", 7, 0), ==, 7);
  g_assert_cmpint (pread (fd, buffer, 7, 0), ==, 7);
  g_assert_cmpstr (buffer, ==, "payload");

  /* Linkable exactly when this file system takes O_TMPFILE (ext4, tmpfs,
   * btrfs, xfs do; overlayfs before Linux 6.6 does not)... */
  g_assert_cmpint (linkable, ==, fs_takes_o_tmpfile (scratch));
  g_assert_cmpuint (test_count_entries (scratch), ==, 0);

  /* ...and then it can be given a name. */
  if (linkable)
    {
      proc_path = g_strdup_printf ("/proc/self/fd/%d", fd);
      g_assert_no_errno (linkat (AT_FDCWD, proc_path, AT_FDCWD, linked, AT_SYMLINK_FOLLOW));
      test_assert_file_contents (linked, "payload");
      g_assert_cmpuint (test_mode_of (linked), ==, 0600);
    }

  close (fd);
  test_scratch_free (scratch);
}

/* The namespaces to mount @fstype in: an mqueue file system shows the
 * queues of its IPC namespace, shared with every other process (a parallel
 * test run too) unless the namespace is a new one. */
static gint
mount_unshare_flags (const gchar *fstype)
{
  return CLONE_NEWNS | (g_str_equal (fstype, "mqueue") ? CLONE_NEWIPC : 0);
}

/* In a forked child with its own mount namespace: can we mount @fstype?
 * (Needs CAP_SYS_ADMIN; unprivileged containers usually lack it.) */
static gboolean
can_mount (const gchar *fstype)
{
  gint status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char dir[] = "/tmp/gtempfile-mount-probe-XXXXXX";
      gboolean ok = mkdtemp (dir) != NULL &&
                    unshare (mount_unshare_flags (fstype)) == 0 &&
                    mount (NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 &&
                    mount (fstype, dir, fstype, 0, NULL) == 0;

      if (ok)
        umount (dir);
      rmdir (dir);
      if (ok)
        test_child_succeed ();
      _exit (1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* In a subprocess child: a private mount namespace of our own. */
static void
enter_mount_namespace (void)
{
  g_assert_no_errno (unshare (CLONE_NEWNS));
  g_assert_no_errno (mount (NULL, "/", "none", MS_REC | MS_PRIVATE, NULL));
}

/* What the core did instead of O_TMPFILE, as its test hook reports it. */
typedef struct
{
  guint refused;  /* tried, and the file system said no */
  guint skipped;  /* not tried: the device said no lately */
} TmpfileEvents;

static void
count_tmpfile_events (const gchar          *dir,
                      GTmpCoreTmpfileEvent  event,
                      gpointer              user_data)
{
  TmpfileEvents *events = user_data;

  if (event == G_TMP_CORE_TMPFILE_REFUSED)
    events->refused++;
  else if (event == G_TMP_CORE_TMPFILE_SKIPPED)
    events->skipped++;
  else
    g_assert_not_reached ();
}

/* The core refused O_TMPFILE @refused times, and skipped asking @skipped. */
static void
assert_events (const TmpfileEvents *events,
               guint                refused,
               guint                skipped)
{
  g_assert_cmpuint (events->refused, ==, refused);
  g_assert_cmpuint (events->skipped, ==, skipped);
}

/* An anonymous file in @dir, made with O_TMPFILE exactly when @tmpfile (then
 * linkable): no name there either way. */
static gint
create_anonymous_in (const gchar *dir,
                     gboolean     tmpfile)
{
  g_autoptr(GError) error = NULL;
  guint entries = test_count_entries (dir);
  gboolean linkable = !tmpfile;
  struct stat st;
  gint fd;

  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (dir, "anon", ".x", 0),
                                     &linkable, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (linkable, ==, tmpfile);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (test_has_cloexec (fd));
  g_assert_no_errno (fstat (fd, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_nlink, ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (test_count_entries (dir), ==, entries);

  return fd;
}

static dev_t
device_of (const gchar *path)
{
  struct stat st;

  g_assert_no_errno (stat (path, &st));
  return st.st_dev;
}

/* The directories the refusal tests work in, mounted in the subprocess's own
 * mount namespace: "mq" an mqueue file system (creates files but refuses
 * O_TMPFILE with EOPNOTSUPP), "mq-too" the same file system bound a second
 * time (another directory on the same device), "tmpfs" one that takes
 * O_TMPFILE. */
typedef struct
{
  gchar *mq;
  gchar *mq_too;
  gchar *tmpfs;
} RefusalMounts;

static void
refusal_mounts_setup (RefusalMounts *mounts)
{
  mounts->mq = test_scratch_path ("mq");
  mounts->mq_too = test_scratch_path ("mq-too");
  mounts->tmpfs = test_scratch_path ("tmpfs");

  enter_mount_namespace ();
  g_assert_no_errno (unshare (mount_unshare_flags ("mqueue")));
  g_assert_no_errno (mount ("mqueue", mounts->mq, "mqueue", 0, NULL));
  g_assert_no_errno (mount (mounts->mq, mounts->mq_too, "none", MS_BIND, NULL));
  g_assert_no_errno (mount ("tmpfs", mounts->tmpfs, "tmpfs", 0, "size=1m"));

  g_assert_cmpuint (device_of (mounts->mq), ==, device_of (mounts->mq_too));
  g_assert_cmpuint (device_of (mounts->mq), !=, device_of (mounts->tmpfs));
  g_assert_false (fs_takes_o_tmpfile (mounts->mq));
  g_assert_true (fs_takes_o_tmpfile (mounts->tmpfs));
}

static void
refusal_mounts_clear (RefusalMounts *mounts)
{
  _g_tmp_core_set_tmpfile_hook (NULL, NULL);
  _g_tmp_core_set_clock_offset (0);
  g_assert_no_errno (umount (mounts->tmpfs));
  g_assert_no_errno (umount (mounts->mq_too));
  g_assert_no_errno (umount (mounts->mq));
  g_clear_pointer (&mounts->mq, g_free);
  g_clear_pointer (&mounts->mq_too, g_free);
  g_clear_pointer (&mounts->tmpfs, g_free);
}

/* The parent's side of a refusal test: makes the mount points and runs the
 * test again in a subprocess; skips where this machine cannot mount. */
static void
run_refusal_test (void)
{
  gchar *scratch = test_scratch_new ();
  const gchar * const dirs[] = { "mq", "mq-too", "tmpfs" };
  guint i;

  if (!can_mount ("mqueue") || !can_mount ("tmpfs"))
    {
      test_skip ("cannot mount mqueue and tmpfs file systems (no CAP_SYS_ADMIN "
                 "or no mount namespaces) to provoke an O_TMPFILE refusal");
      test_scratch_free (scratch);
      return;
    }

  for (i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree gchar *dir = g_build_filename (scratch, dirs[i], NULL);

      test_make_dir (dir, 0755);
    }

  test_run_in_subprocess ();

  /* The mounts went with the subprocess's namespace: nothing was left in the
   * directories beneath them either. */
  for (i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree gchar *dir = g_build_filename (scratch, dirs[i], NULL);

      g_assert_cmpuint (test_count_entries (dir), ==, 0);
    }
  test_scratch_free (scratch);
}

/* What a refusal test checks, in the subprocess, with the file systems
 * mounted and the core's O_TMPFILE events counted. */
typedef void (*RefusalCheck) (RefusalMounts *mounts,
                              TmpfileEvents *events);

/* A refusal test: @data, its RefusalCheck, runs in a subprocess; the test
 * process makes the mount points (see run_refusal_test()). */
static void
test_refusal (gconstpointer data)
{
  RefusalCheck check = (RefusalCheck) data;
  RefusalMounts mounts;
  TmpfileEvents events = { 0, };

  if (!g_test_subprocess ())
    {
      run_refusal_test ();
      return;
    }

  refusal_mounts_setup (&mounts);
  _g_tmp_core_set_tmpfile_hook (count_tmpfile_events, &events);
  check (&mounts, &events);
  refusal_mounts_clear (&mounts);
}

/* A refused O_TMPFILE falls back to create + unlink, leaving no name behind,
 * and is remembered: the next file in the directory does not ask again. */
static void
check_fallback (RefusalMounts *mounts,
                TmpfileEvents *events)
{
  gint fd, fd2;

  fd = create_anonymous_in (mounts->mq, FALSE);
  assert_events (events, 1, 0);

  fd2 = create_anonymous_in (mounts->mq, FALSE);
  assert_events (events, 1, 1);
  g_assert_cmpuint (test_count_entries (mounts->mq), ==, 0);

  close (fd);
  close (fd2);
}

/* The refusal is remembered per device, not per path: another directory on
 * the same file system takes the fallback at once, while a directory on
 * another device still gets a real O_TMPFILE file (no name, linkable). */
static void
check_refusal_per_device (RefusalMounts *mounts,
                          TmpfileEvents *events)
{
  g_autofree gchar *linked = NULL;
  g_autofree gchar *proc_path = NULL;
  gint fd;

  fd = create_anonymous_in (mounts->mq, FALSE);
  g_assert_cmpuint (events->refused, ==, 1);
  close (fd);

  /* Never asked in "mq-too" before, yet not asked there either. */
  fd = create_anonymous_in (mounts->mq_too, FALSE);
  assert_events (events, 1, 1);
  close (fd);

  /* Another device: O_TMPFILE, so no fallback event at all. */
  fd = create_anonymous_in (mounts->tmpfs, TRUE);
  assert_events (events, 1, 1);
  g_assert_cmpint (pwrite (fd, "kept", 4, 0), ==, 4);
  linked = g_build_filename (mounts->tmpfs, "linked", NULL);
  proc_path = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_assert_no_errno (linkat (AT_FDCWD, proc_path, AT_FDCWD, linked, AT_SYMLINK_FOLLOW));
  test_assert_file_contents (linked, "kept");
  g_assert_no_errno (unlink (linked));
  close (fd);

  /* And the refusal still holds for its own device. */
  fd = create_anonymous_in (mounts->mq, FALSE);
  assert_events (events, 1, 2);
  close (fd);
}

/* Remembered for a while, not forever: once the lifetime has passed,
 * O_TMPFILE is tried again (and, refused again, remembered again). */
static void
check_refusal_expires (RefusalMounts *mounts,
                       TmpfileEvents *events)
{
  close (create_anonymous_in (mounts->mq, FALSE));
  g_assert_cmpuint (events->refused, ==, 1);

  /* Shortly before it expires (5 s: a slow machine's margin): still
   * remembered. The lifetime is the 60 seconds doc/security.md states. */
  g_assert_cmpint (G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC, ==, 60 * G_USEC_PER_SEC);
  _g_tmp_core_set_clock_offset (G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC - 5 * G_USEC_PER_SEC);
  close (create_anonymous_in (mounts->mq_too, FALSE));
  assert_events (events, 1, 1);

  /* Expired: asked again, from either directory of the device. */
  _g_tmp_core_set_clock_offset (G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC);
  close (create_anonymous_in (mounts->mq_too, FALSE));
  assert_events (events, 2, 1);

  /* Refused again, so remembered again. */
  close (create_anonymous_in (mounts->mq, FALSE));
  assert_events (events, 2, 2);

  /* Meanwhile O_TMPFILE where it works was never in question. */
  close (create_anonymous_in (mounts->tmpfs, TRUE));
  g_assert_cmpuint (events->refused + events->skipped, ==, 4);
}

/* In a forked child: one anonymous file in @dir, then exit status 0 if it
 * took the fallback, and (with @events) did so without asking, as its
 * parent had learnt. SIGALRM ends it if it inherited the core's lock taken. */
static void
child_creates_in_refusing (const gchar   *dir,
                           TmpfileEvents *events)
{
  TmpfileEvents before = { 0, };
  gboolean linkable = TRUE;
  gint fd;

  if (events != NULL)
    before = *events;

  alarm (10);
  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0),
                                     &linkable, NULL, NULL);
  if (fd < 0 || linkable)
    _exit (1);
  if (events != NULL &&
      (events->skipped != before.skipped + 1 || events->refused != before.refused))
    _exit (1);
  test_child_succeed ();
}

static void
fork_child_creating_in (const gchar   *dir,
                        TmpfileEvents *events)
{
  gint status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    child_creates_in_refusing (dir, events);

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* Holds the refusal memory's lock for a while, as a thread creating a file
 * does for a moment; @data is set once it is held. */
static gpointer
hold_refusals_lock (gpointer data)
{
  gint *held = data;

  _g_tmp_core_hold_refusals (TRUE);
  g_atomic_int_set (held, TRUE);
  g_usleep (G_USEC_PER_SEC / 5);
  _g_tmp_core_hold_refusals (FALSE);

  return NULL;
}

/* A forked child keeps what its parent learnt, and does not inherit the
 * lock guarding it taken by another thread of the parent (fork() waits for
 * it): it would wait for it forever. */
static void
check_refusal_fork (RefusalMounts *mounts,
                    TmpfileEvents *events)
{
  GThread *holder;
  gint held = FALSE;

  close (create_anonymous_in (mounts->mq, FALSE));
  g_assert_cmpuint (events->refused, ==, 1);

  fork_child_creating_in (mounts->mq_too, events);

  holder = g_thread_new ("hold", hold_refusals_lock, &held);
  while (!g_atomic_int_get (&held))
    g_usleep (1000);
  fork_child_creating_in (mounts->mq_too, events);
  g_thread_join (holder);
}

/* ------------------------------------------------------------------------ */
/* The default directory                                                     */

/* $TMPDIR missing, $TEMP a file, $TMP usable: $TMP wins, and the probe leaves
 * nothing behind. The answer is cached until it is reset or overridden. */
static void
test_tempdir_search (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *missing = test_scratch_path ("missing");
      g_autofree gchar *a_file = test_scratch_path ("a-file");
      g_autofree gchar *good = test_scratch_path ("good");
      g_autofree gchar *later = test_scratch_path ("later");
      g_autofree gchar *cwd = g_get_current_dir ();
      g_autofree gchar *relative = g_build_filename (cwd, "some/where", NULL);

      g_setenv ("TMPDIR", missing, TRUE);
      g_setenv ("TEMP", a_file, TRUE);
      g_setenv ("TMP", good, TRUE);
      test_assert_tempdir (good);
      g_assert_cmpuint (test_count_entries (good), ==, 0);

      /* Cached: a better candidate appearing changes nothing... */
      g_setenv ("TMPDIR", later, TRUE);
      test_assert_tempdir (good);
      /* ...until the cache is reset. */
      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir (later);

      /* An override is taken as it is (made absolute), not probed. */
      g_tempfile_set_tempdir ("/nonexistent/override");
      test_assert_tempdir ("/nonexistent/override");
      g_tempfile_set_tempdir ("some/where");
      test_assert_tempdir (relative);

      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir (later);

      /* A relative variable gives an absolute path (doc/security.md). */
      {
        g_autofree gchar *parent = g_path_get_dirname (good);
        g_autofree gchar *here = NULL;
        g_autofree gchar *relative_good = NULL;

        g_assert_no_errno (chdir (parent));
        here = g_get_current_dir ();
        relative_good = g_build_filename (here, "good", NULL);
        g_setenv ("TMPDIR", "good", TRUE);
        g_tempfile_set_tempdir (NULL);
        test_assert_tempdir (relative_good);
        g_assert_no_errno (chdir (cwd));
        g_setenv ("TMPDIR", later, TRUE);
      }

      /* Empty variables count as unset; with none usable, /tmp comes next. */
      g_setenv ("TMPDIR", "", TRUE);
      g_setenv ("TEMP", missing, TRUE);
      g_unsetenv ("TMP");
      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir ("/tmp");
      return;
    }
  else
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *a_file = g_build_filename (scratch, "a-file", NULL);
      g_autofree gchar *good = g_build_filename (scratch, "good", NULL);
      g_autofree gchar *later = g_build_filename (scratch, "later", NULL);

      test_write_file_mode (a_file, "", 0666);
      test_make_dir (good, 0700);
      test_make_dir (later, 0700);
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (good), ==, 0);
      g_assert_cmpuint (test_count_entries (later), ==, 0);
      test_scratch_free (scratch);
    }
}

/* A directory that exists but that we cannot write to is skipped too. */
static void
test_tempdir_unwritable (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *root_only = test_scratch_path ("root-only");
      g_autofree gchar *open_dir = test_scratch_path ("open");

      test_drop_privileges ();
      g_setenv ("TMPDIR", root_only, TRUE);
      g_setenv ("TEMP", open_dir, TRUE);
      g_unsetenv ("TMP");
      test_assert_tempdir (open_dir);
      return;
    }
  else if (test_need_root ("to drop privileges to uid 65534 in a child"))
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *root_only = g_build_filename (scratch, "root-only", NULL);
      g_autofree gchar *open_dir = g_build_filename (scratch, "open", NULL);

      test_make_dir (root_only, 0755);
      test_make_dir (open_dir, 0777);
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (root_only), ==, 0);
      g_assert_cmpuint (test_count_entries (open_dir), ==, 0);
      test_scratch_free (scratch);
    }
}

/* A directory in which a file can be created but not written (its file
 * system is full) is skipped too: the probe writes, as CPython's does
 * ("the first where it can create and write a file", doc/from-glib.md). */
static void
test_tempdir_full (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *full = test_scratch_path ("full");
      g_autofree gchar *filler = test_scratch_path ("full/filler");
      g_autofree gchar *good = test_scratch_path ("good");
      g_autofree gchar *block = g_malloc0 (4096);
      gint fd;

      enter_mount_namespace ();
      g_assert_no_errno (mount ("tmpfs", full, "tmpfs", 0, "size=4k"));
      fd = open (filler, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      g_assert_no_errno (fd);
      while (write (fd, block, 4096) > 0)
        ;
      g_assert_cmpint (errno, ==, ENOSPC);
      close (fd);

      g_setenv ("TMPDIR", full, TRUE);
      g_setenv ("TEMP", good, TRUE);
      g_unsetenv ("TMP");
      g_tempfile_set_tempdir (NULL);
      test_assert_tempdir (good);
      /* The probe left nothing, where it could write or not. */
      g_assert_cmpuint (test_count_entries (full), ==, 1);
      g_assert_cmpuint (test_count_entries (good), ==, 0);
      g_assert_no_errno (umount (full));
      return;
    }
  else
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *full = g_build_filename (scratch, "full", NULL);
      g_autofree gchar *good = g_build_filename (scratch, "good", NULL);

      if (!can_mount ("tmpfs"))
        {
          test_skip ("cannot mount a small tmpfs (no CAP_SYS_ADMIN or no mount "
                     "namespaces) to fill it");
          test_scratch_free (scratch);
          return;
        }

      test_make_dir (full, 0700);
      test_make_dir (good, 0700);
      test_run_in_subprocess ();
      test_scratch_free (scratch);
    }
}

/* The end of CPython's list: with $TMPDIR, $TEMP, $TMP unset and /tmp,
 * /var/tmp, /usr/tmp read-only, the current directory; with that read-only
 * too, G_IO_ERROR_NOT_FOUND naming what was tried. Read-only mounts in a
 * private mount namespace stop even root. */
static void
make_read_only (const gchar *dir)
{
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_assert_no_errno (mount ("tmpfs", dir, "tmpfs", MS_RDONLY, "size=64k"));
}

/* A directory for the child to use as its current one: outside the
 * directories it covers up (the build tree, unless that is in /tmp), and
 * unique to this run. */
static gchar *
last_resort_cwd (void)
{
  static const gchar * const covered[] = { "/tmp/", "/var/tmp/", "/usr/tmp/" };
  g_autofree gchar *base = g_canonicalize_filename (g_test_get_dir (G_TEST_BUILT), NULL);
  g_autofree gchar *run = g_path_get_basename (test_scratch_root ());
  g_autofree gchar *name = g_strconcat (run, "-cwd", NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (covered); i++)
    if (g_str_has_prefix (base, covered[i]))
      {
        g_free (base);
        base = g_strdup ("/dev/shm");
      }

  return g_build_filename (base, name, NULL);
}

static void
test_tempdir_last_resort (void)
{
  g_autofree gchar *cwd_dir = last_resort_cwd ();

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *dir = NULL;

      enter_mount_namespace ();
      make_read_only ("/tmp");
      make_read_only ("/var/tmp");
      make_read_only ("/usr/tmp");
      g_unsetenv ("TMPDIR");
      g_unsetenv ("TEMP");
      g_unsetenv ("TMP");
      g_assert_no_errno (chdir (cwd_dir));

      test_assert_tempdir (cwd_dir);
      g_assert_cmpuint (test_count_entries (cwd_dir), ==, 0);

      g_assert_no_errno (mount (cwd_dir, cwd_dir, "none", MS_BIND, NULL));
      g_assert_no_errno (mount (NULL, cwd_dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
      g_tempfile_set_tempdir (NULL);
      dir = g_tempfile_get_tempdir (&error);
      g_assert_null (dir);
      test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, "/tmp");
      g_assert_nonnull (strstr (error->message, "/var/tmp"));
      g_assert_nonnull (strstr (error->message, cwd_dir));
      return;
    }
  else
    {
      if (!can_mount ("tmpfs"))
        {
          test_skip ("cannot mount file systems (no CAP_SYS_ADMIN or no mount "
                     "namespaces) to make /tmp and /var/tmp read-only");
          return;
        }

      g_assert_no_errno (mkdir (cwd_dir, 0700));
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (cwd_dir), ==, 0);
      g_assert_no_errno (rmdir (cwd_dir));
    }
}

/* NULL dir means the default directory, for every kind of creation. */
static void
test_tempdir_used_by_default (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autofree gchar *anon_dir = NULL;
  g_autoptr(GError) error = NULL;
  gboolean linkable;
  gint fd;

  g_tempfile_set_tempdir (scratch);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (NULL, NULL, NULL, 0), &path, &error);
  g_assert_no_error (error);
  close (fd);
  dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (NULL, NULL, NULL, 0), &error);
  g_assert_no_error (error);
  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (NULL, NULL, NULL, 0),
                                     &linkable, &anon_dir, &error);
  g_assert_no_error (error);
  close (fd);
  g_tempfile_set_tempdir (NULL);

  g_assert_true (test_name_matches (path, scratch, "^tmp[a-z0-9_]{8}$"));
  g_assert_true (test_name_matches (dir_path, scratch, "^tmp[a-z0-9_]{8}$"));
  g_assert_cmpstr (anon_dir, ==, scratch);
  g_assert_cmpuint (test_count_entries (scratch), ==, 2);
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* Bad arguments and directories                                             */

static void
test_bad_affixes (void)
{
  static const gchar * const bad[][2] = {
    { "a/b", NULL }, { NULL, "/x" }, { "/", "" }, { "..", "/../../etc/passwd" },
    { "ok", "sub/" },
  };
  gchar *scratch = test_scratch_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *path = NULL;
      g_autofree gchar *dir_path = NULL;
      gboolean linkable;
      gint fd;

      fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (scratch, bad[i][0], bad[i][1], 0),
                                    &path, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (fd, ==, -1);
      g_assert_null (path);
      g_clear_error (&error);

      dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (scratch, bad[i][0], bad[i][1], 0),
                                         &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (dir_path);
      g_clear_error (&error);

      fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (scratch, bad[i][0], bad[i][1], 0),
                                         &linkable, NULL, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (fd, ==, -1);
      g_clear_error (&error);

      g_assert_false (_g_tmp_core_check_affixes (bad[i][0], bad[i][1], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  g_assert_true (_g_tmp_core_check_affixes (NULL, NULL, NULL));
  g_assert_true (_g_tmp_core_check_affixes ("..", ".tar.gz", NULL));
  g_assert_cmpuint (test_count_entries (scratch), ==, 0);
  test_scratch_free (scratch);
}

static void
test_missing_dir (void)
{
  static const gchar * const names[] = { "whatever" };
  NameScript script = { names, 1, 0 };
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (scratch, "no", "such", "dir", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *dir_path = NULL;
  gboolean linkable;
  gint fd;

  /* Only EEXIST is worth another name: anything else fails at once. */
  _g_tmp_core_set_name_hook (scripted_names, &script);
  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (missing, NULL, NULL, 0), &path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (fd, ==, -1);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_cmpuint (script.calls, ==, 1);
  g_clear_error (&error);

  dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (missing, NULL, NULL, 0), &error);
  _g_tmp_core_set_name_hook (NULL, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (dir_path);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_cmpuint (script.calls, ==, 2);
  g_clear_error (&error);

  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (missing, NULL, NULL, 0),
                                     &linkable, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (fd, ==, -1);
  g_assert_nonnull (strstr (error->message, missing));

  g_assert_cmpuint (test_count_entries (scratch), ==, 0);
  test_scratch_free (scratch);
}

static void
test_unwritable_dir (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *locked = test_scratch_path ("locked");
      g_autoptr(GError) error = NULL;
      g_autofree gchar *path = NULL;
      g_autofree gchar *dir_path = NULL;
      gboolean linkable;
      gint fd;

      test_drop_privileges ();

      fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (locked, NULL, NULL, 0), &path, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_cmpint (fd, ==, -1);
      g_assert_nonnull (strstr (error->message, locked));
      g_clear_error (&error);

      dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (locked, NULL, NULL, 0), &error);
      test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, locked);
      g_clear_error (&error);

      fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (locked, NULL, NULL, 0),
                                         &linkable, NULL, &error);
      test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, locked);
      return;
    }
  else if (test_need_root ("to drop privileges to uid 65534 in a child"))
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *locked = g_build_filename (scratch, "locked", NULL);

      test_make_dir (locked, 0755);
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (locked), ==, 0);
      test_scratch_free (scratch);
    }
}

/* A relative directory is resolved against the current directory at
 * creation time, and every path handed out is absolute. */
static void
test_relative_dir (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *old_cwd = g_get_current_dir ();
  g_autofree gchar *sub = g_build_filename (scratch, "sub", NULL);
  g_autofree gchar *path = NULL;
  g_autofree gchar *dir_path = NULL;
  g_autofree gchar *anon_dir = NULL;
  g_autofree gchar *resolved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean linkable;
  gint fd;

  test_make_dir (sub, 0700);
  g_assert_no_errno (chdir (scratch));

  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW ("sub", NULL, NULL, 0), &path, &error);
  g_assert_no_error (error);
  close (fd);
  dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW ("./sub", NULL, NULL, 0), &error);
  g_assert_no_error (error);
  fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW ("sub/", NULL, NULL, 0),
                                     &linkable, &anon_dir, &error);
  g_assert_no_error (error);
  close (fd);
  resolved = _g_tmp_core_resolve_dir ("sub/../sub", &error);
  g_assert_no_error (error);

  g_assert_no_errno (chdir (old_cwd));

  g_assert_true (test_name_matches (path, sub, "^tmp[a-z0-9_]{8}$"));
  g_assert_true (test_name_matches (dir_path, sub, "^tmp[a-z0-9_]{8}$"));
  g_assert_true (g_path_is_absolute (anon_dir));
  g_assert_true (g_file_test (anon_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpstr (resolved, ==, sub);
  g_assert_cmpuint (test_count_entries (sub), ==, 2);
  test_scratch_free (scratch);
}

/* ------------------------------------------------------------------------ */
/* Process identity                                                          */

static void
test_pid_fork (void)
{
  gint parent = _g_tmp_core_get_pid ();
  gint status;
  pid_t pid;

  g_assert_cmpint (parent, ==, getpid ());

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gint mine = _g_tmp_core_get_pid ();

      if (mine == getpid () && mine != parent)
        test_child_succeed ();
      _exit (1);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpint (_g_tmp_core_get_pid (), ==, parent);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static void
test_error_mapping (void)
{
  static const struct { gint errsv; gint code; } cases[] = {
    { EACCES, G_IO_ERROR_PERMISSION_DENIED },
    { EPERM, G_IO_ERROR_PERMISSION_DENIED },
    { ENOENT, G_IO_ERROR_NOT_FOUND },
    { EEXIST, G_IO_ERROR_EXISTS },
    { ENOSPC, G_IO_ERROR_NO_SPACE },
    { EMFILE, G_IO_ERROR_TOO_MANY_OPEN_FILES },
    { ENFILE, G_IO_ERROR_TOO_MANY_OPEN_FILES },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      _g_tmp_core_set_error (&error, cases[i].errsv, "Could not frob “%s”", "/some/path");
      g_assert_error (error, G_IO_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "Could not frob “/some/path”: "));
      g_assert_true (g_str_has_suffix (error->message, g_strerror (cases[i].errsv)));
    }

  /* NULL error is allowed and keeps errno meaningful for nobody: no crash. */
  _g_tmp_core_set_error (NULL, ENOENT, "x %s", "y");
}

/* Every entry point's error about a directory named in Latin-1 ("café" with
 * one byte 0xe9, not UTF-8): creation in it when it is missing, in it when
 * it is a file, a bad prefix, a persist into it, a persist when closed, and
 * cleanups failing inside it. */
static void
test_error_utf8 (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *latin1 = g_build_filename (scratch, "caf\xe9", NULL);
  g_autofree gchar *missing = g_build_filename (latin1, "missing", NULL);
  g_autofree gchar *dest = g_build_filename (missing, "dest", NULL);
  g_autofree gchar *mnt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) file = NULL;
  g_autoptr(GNamedTmpFile) named = NULL;
  g_autoptr(GSpooledTmpFile) spooled = NULL;
  g_autoptr(GTmpDir) tmpdir = NULL;
  gchar *path = NULL;

  g_assert_false (g_utf8_validate (latin1, -1, NULL));
  g_assert_no_errno (mkdir (latin1, 0700));

  g_assert_cmpint (g_tempfile_mkstemp (missing, NULL, NULL, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_names_for_display (error, missing);
  g_clear_error (&error);

  g_assert_null (g_tempfile_mkdtemp (missing, NULL, NULL, &error));
  assert_names_for_display (error, missing);
  g_clear_error (&error);

  g_assert_null (g_tmp_file_new (missing, NULL, NULL, &error));
  assert_names_for_display (error, missing);
  g_clear_error (&error);

  g_assert_null (g_named_tmp_file_new (missing, NULL, NULL, &error));
  assert_names_for_display (error, missing);
  g_clear_error (&error);

  g_assert_null (g_tmp_dir_new (missing, NULL, NULL, &error));
  assert_names_for_display (error, missing);
  g_clear_error (&error);

  spooled = g_spooled_tmp_file_new (0, missing, NULL, NULL);
  g_assert_false (g_spooled_tmp_file_rollover (spooled, NULL, &error));
  assert_names_for_display (error, missing);
  g_clear_error (&error);

  /* A file where a directory should be: mktemp's lstat() error. */
  g_assert_true (g_file_set_contents (missing, "x", -1, NULL));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_null (g_tempfile_mktemp (missing, NULL, NULL, &error));
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  assert_names_for_display (error, missing);
  g_clear_error (&error);
  g_assert_no_errno (unlink (missing));

  g_assert_cmpint (g_tempfile_mkstemp (scratch, "caf\xe9/", NULL, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  assert_names_for_display (error, "caf\xe9/");
  g_clear_error (&error);

  /* Persist into a missing directory, and persist after close. */
  file = g_tmp_file_new (scratch, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_tmp_file_persist (file, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_names_for_display (error, dest);
  g_clear_error (&error);
  g_assert_true (g_io_stream_close (G_IO_STREAM (file), NULL, NULL));
  g_assert_false (g_tmp_file_persist (file, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  assert_names_for_display (error, dest);
  g_clear_error (&error);

  /* A named file's cleanup, when a directory has taken its name. */
  named = g_named_tmp_file_new (latin1, NULL, NULL, &error);
  g_assert_no_error (error);
  path = g_strdup (g_named_tmp_file_get_path (named));
  g_assert_no_errno (unlink (path));
  g_assert_no_errno (mkdir (path, 0700));
  g_assert_false (g_named_tmp_file_cleanup (named, NULL, &error));
  assert_names_for_display (error, path);
  g_clear_error (&error);
  g_assert_no_errno (rmdir (path));
  g_free (path);

  /* A directory's cleanup, stopped by a mount point inside it. */
  tmpdir = g_tmp_dir_new (latin1, NULL, NULL, &error);
  g_assert_no_error (error);
  mnt = g_build_filename (g_tmp_dir_get_path (tmpdir), "caf\xe9", NULL);
  g_assert_no_errno (mkdir (mnt, 0700));
  if (mount ("test-core", mnt, "tmpfs", 0, "size=1m") == 0)
    {
      g_assert_false (g_tmp_dir_cleanup (tmpdir, NULL, &error));
      assert_names_for_display (error, mnt);
      g_clear_error (&error);
      g_assert_no_errno (umount (mnt));
    }
  else
    g_test_message ("no tmpfs mount here (%s): directory cleanup not tried",
                    g_strerror (errno));
  g_assert_true (g_tmp_dir_cleanup (tmpdir, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (test_count_entries (latin1), ==, 0);
  test_scratch_free (scratch);
}

/* Out of descriptors: G_IO_ERROR_TOO_MANY_OPEN_FILES naming the directory,
 * and no file left behind. */
static void
test_error_emfile (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *dir = test_scratch_path ("dir");
      struct rlimit limit = { 32, 32 };
      g_autoptr(GError) error = NULL;
      gint hogs[32];
      guint n_hogs = 0;
      gboolean linkable;
      gint fd;

      g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));
      while (n_hogs < G_N_ELEMENTS (hogs) && (hogs[n_hogs] = dup (0)) >= 0)
        n_hogs++;
      g_assert_cmpint (errno, ==, EMFILE);

      fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0), NULL, &error);
      g_assert_cmpint (fd, ==, -1);
      test_assert_error_names (error, G_IO_ERROR_TOO_MANY_OPEN_FILES, dir);
      g_clear_error (&error);

      fd = _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0),
                                         &linkable, NULL, &error);
      g_assert_cmpint (fd, ==, -1);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES);

      /* LeakSanitizer needs descriptors at exit. */
      while (n_hogs > 0)
        close (hogs[--n_hogs]);
      return;
    }
  else
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *dir = g_build_filename (scratch, "dir", NULL);

      test_make_dir (dir, 0700);
      test_run_in_subprocess ();
      g_assert_cmpuint (test_count_entries (dir), ==, 0);
      test_scratch_free (scratch);
    }
}

/* A file system out of inodes: G_IO_ERROR_NO_SPACE naming the directory. */
static void
test_error_enospc (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *full = test_scratch_path ("full");
      g_autofree gchar *path = NULL;
      g_autofree gchar *dir_path = NULL;
      g_autoptr(GError) error = NULL;
      gint fd;

      enter_mount_namespace ();
      /* The root directory takes one of the two inodes. */
      g_assert_no_errno (mount ("tmpfs", full, "tmpfs", 0, "nr_inodes=2,size=64k"));
      fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (full, NULL, NULL, 0), &path, &error);
      g_assert_no_error (error);
      close (fd);

      fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (full, NULL, NULL, 0), NULL, &error);
      g_assert_cmpint (fd, ==, -1);
      test_assert_error_names (error, G_IO_ERROR_NO_SPACE, full);
      g_clear_error (&error);

      dir_path = _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW (full, NULL, NULL, 0), &error);
      g_assert_null (dir_path);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_assert_cmpuint (test_count_entries (full), ==, 1);
      return;
    }
  else
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *full = g_build_filename (scratch, "full", NULL);

      if (!can_mount ("tmpfs"))
        {
          test_skip ("cannot mount a small tmpfs (no CAP_SYS_ADMIN or no mount "
                     "namespaces) to run out of space");
          test_scratch_free (scratch);
          return;
        }

      test_make_dir (full, 0700);
      test_run_in_subprocess ();
      test_scratch_free (scratch);
    }
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "core");

  g_test_add_func ("/core/name/shape", test_name_shape);
  g_test_add_func ("/core/name/alphabet", test_name_alphabet);
  g_test_add_func ("/core/name/hook", test_name_hook);
#ifdef HAVE_GETRANDOM
  g_test_add_func ("/core/name/batched", test_name_batched);
  g_test_add_func ("/core/name/no-randomness", test_name_no_randomness);
#endif
  g_test_add_func ("/core/name/unique", test_name_unique);
  g_test_add_func ("/core/name/unique-threads", test_name_unique_threads);
  g_test_add_func ("/core/name/fork", test_name_fork);
  g_test_add_func ("/core/name/thread-exit", test_name_thread_exit);
  g_test_add_func ("/core/create/unique-threads", test_create_unique_threads);
  g_test_add_func ("/core/mode/umask-0", test_mode_umask_0);
  g_test_add_func ("/core/mode/umask-022", test_mode_umask_022);
  g_test_add_func ("/core/fd/not-inherited", test_fd_not_inherited);
  g_test_add_func ("/core/symlink/not-followed", test_symlink_not_followed);
  g_test_add_func ("/core/collision/retry", test_collision_retry);
  g_test_add_func ("/core/collision/exhaustion", test_collision_exhaustion);
  g_test_add_func ("/core/anonymous/tmpfile", test_anonymous_tmpfile);
  g_test_add_data_func ("/core/anonymous/fallback", check_fallback, test_refusal);
  g_test_add_data_func ("/core/anonymous/refusal-per-device", check_refusal_per_device,
                        test_refusal);
  g_test_add_data_func ("/core/anonymous/refusal-expires", check_refusal_expires, test_refusal);
  g_test_add_data_func ("/core/anonymous/refusal-fork", check_refusal_fork, test_refusal);
  g_test_add_func ("/core/tempdir/search", test_tempdir_search);
  g_test_add_func ("/core/tempdir/unwritable", test_tempdir_unwritable);
  g_test_add_func ("/core/tempdir/full", test_tempdir_full);
  g_test_add_func ("/core/tempdir/last-resort", test_tempdir_last_resort);
  g_test_add_func ("/core/tempdir/default", test_tempdir_used_by_default);
  g_test_add_func ("/core/args/bad-affixes", test_bad_affixes);
  g_test_add_func ("/core/args/missing-dir", test_missing_dir);
  g_test_add_func ("/core/args/unwritable-dir", test_unwritable_dir);
  g_test_add_func ("/core/args/relative-dir", test_relative_dir);
  g_test_add_func ("/core/pid/fork", test_pid_fork);
  g_test_add_func ("/core/errors/mapping", test_error_mapping);
  g_test_add_func ("/core/errors/utf8", test_error_utf8);
  g_test_add_func ("/core/errors/too-many-open-files", test_error_emfile);
  g_test_add_func ("/core/errors/no-space", test_error_enospc);

  return test_run ();
}
