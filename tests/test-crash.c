/* test-crash.c — what a SIGKILL leaves behind
 *
 * A forked child runs one class's lifecycle and is killed (SIGKILL, which
 * no handler sees) at a chosen point — inside persist, inside the
 * O_TMPFILE fallback's create-to-unlink window, inside a copy made where
 * O_TMPFILE is refused, inside a tree removal — or
 * after a random delay; then the parent counts what is left in the scratch
 * directories. Anonymous and spooled files and persists across file systems
 * leave nothing; named files and directories leave only their own entries;
 * a persisted destination, when there is one, is whole.
 *
 * Each case prints its leftovers as a TAP comment ("leftovers: …").
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-testing.h"
#include "test-util.h"

#define PREFIX       "crash"
#define NAME_PATTERN "^crash[a-z0-9_]{8}$"
#define HOOK_REPS    5
#define RANDOM_REPS  20
#define PAYLOAD      (256 * 1024)

/* ------------------------------------------------------------------------ */
/* Dying at a point                                                          */

static G_NORETURN void
die (void)
{
  kill (getpid (), SIGKILL);
  for (;;)
    pause ();
}

static gint sync_countdown;

/* Sync hook: dies at the sync_countdown-th fsync. */
static gboolean
die_at_sync (gint     fd,
             gpointer user_data)
{
  if (--sync_countdown == 0)
    die ();
  return TRUE;
}

/* Copy hook: dies when persist starts copying across file systems. */
static void
die_at_copy (const gchar *dest,
             gpointer     user_data)
{
  die ();
}

/* Batch hook: dies when the tree remover is about to unlink a batch. */
static void
die_at_batch (gint     dirfd,
              gpointer user_data)
{
  die ();
}

/* The O_TMPFILE fallback creates a file and unlinks it; there is no hook in
 * between, so this test defines unlink() itself (the library is linked in
 * statically and so calls this one): a child that sets die_at_unlink_in
 * dies when the library is about to unlink a name in that directory, with
 * the file created and still named. Everybody else gets unlinkat(). */
static const gchar *die_at_unlink_in;

int
unlink (const char *path)
{
  if (die_at_unlink_in != NULL && g_str_has_prefix (path, die_at_unlink_in))
    die ();
  return unlinkat (AT_FDCWD, path, 0);
}

/* ------------------------------------------------------------------------ */
/* Children and what they leave                                              */

typedef void (*ChildFunc) (const gchar *dir,
                           const gchar *far);

#define CHILD_TIMEOUT (20 * G_USEC_PER_SEC)

/* Runs @func in a child, kills it after @delay_usec unless it kills itself
 * first (0: it must kill itself), and asserts that it died of SIGKILL. */
static void
run_and_kill (ChildFunc    func,
              const gchar *dir,
              const gchar *far,
              guint        delay_usec)
{
  gint64 deadline;
  gint status = 0;
  pid_t pid, res;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      func (dir, far);
      _exit (0);  /* the kill point was never reached */
    }

  if (delay_usec > 0)
    {
      g_usleep (delay_usec);
      kill (pid, SIGKILL);
    }
  deadline = g_get_monotonic_time () + CHILD_TIMEOUT;
  while ((res = waitpid (pid, &status, WNOHANG)) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          g_error ("the child hung");
        }
      g_usleep (1000);
    }
  g_assert_cmpint (res, ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
}

/* Leftovers of one test case, summed over its repetitions. */
typedef struct
{
  guint reps;
  guint entries;        /* everything left in the scratch directories */
  guint max_per_rep;
  guint own_entries;    /* of those, entries the class may leave */
  guint destinations;   /* of those, whole persisted destinations */
} Leftovers;

static void
leftovers_report (const Leftovers *l)
{
  g_test_message ("leftovers: %u kills, %u entries left (at most %u after one kill), "
                  "%u of them the object's own, %u whole destinations",
                  l->reps, l->entries, l->max_per_rep, l->own_entries, l->destinations);
}

/* What @dir holds: names of the class's shape, and "dest" when it is whole
 * (its contents are the payload). Anything else is a stray. */
static void
count_entries (Leftovers   *l,
               const gchar *dir,
               guint       *in_rep,
               guint       *strays)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);
      struct stat st;

      (*in_rep)++;
      l->entries++;
      g_assert_no_errno (lstat (path, &st));
      if (g_str_equal (name, "dest") && S_ISREG (st.st_mode) && st.st_size == PAYLOAD)
        l->destinations++;
      else if (g_regex_match_simple (NAME_PATTERN, name, 0, 0))
        l->own_entries++;
      else
        {
          g_printerr ("# stray entry: %s\n", path);
          (*strays)++;
        }
    }
}

/* Counts and empties @dir and @far (nullable) after a kill. */
static guint
collect (Leftovers   *l,
         const gchar *dir,
         const gchar *far,
         guint       *strays)
{
  guint in_rep = 0;

  count_entries (l, dir, &in_rep, strays);
  if (far != NULL)
    count_entries (l, far, &in_rep, strays);
  l->reps++;
  l->max_per_rep = MAX (l->max_per_rep, in_rep);

  test_remove_tree (dir);
  g_assert_no_errno (mkdir (dir, 0755));
  if (far != NULL)
    {
      test_remove_tree (far);
      g_assert_no_errno (mkdir (far, 0755));
    }
  return in_rep;
}

/* ------------------------------------------------------------------------ */
/* Lifecycles                                                                */

static void
write_payload (GTmpFile *tmp)
{
  g_autofree guint8 *data = g_malloc (PAYLOAD);

  memset (data, 'x', PAYLOAD);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), data, PAYLOAD);
}

static GTmpFile *
new_file (TestFileClass  klass,
          const gchar   *dir)
{
  GTmpFile *tmp = test_new_file (klass, dir, PREFIX, PAYLOAD / 4);

  write_payload (tmp);
  return tmp;
}

static TestFileClass child_class;
static GTmpPersistFlags child_flags;

/* Persists a new file of child_class to "dest" in @far (or @dir) with
 * child_flags; the hooks set before kill it somewhere inside. */
static void
persist_once (const gchar *dir,
              const gchar *far)
{
  g_autoptr(GTmpFile) tmp = new_file (child_class, dir);
  g_autofree gchar *dest = g_build_filename (far != NULL ? far : dir, "dest", NULL);

  g_tmp_file_persist (tmp, dest, child_flags, NULL, NULL);
}

static void
child_die_at_sync (const gchar *dir,
                   const gchar *far)
{
  _g_tmp_core_set_sync_hook (die_at_sync, NULL);
  persist_once (dir, far);
}

static void
child_die_at_copy (const gchar *dir,
                   const gchar *far)
{
  _g_tmp_core_set_copy_hook (die_at_copy, NULL);
  persist_once (dir, far);
}

/* An anonymous file (or a spooled one rolling over) made while O_TMPFILE
 * is refused in @dir, killed between the fallback's create and unlink. */
static void
child_die_in_fallback (const gchar *dir,
                       const gchar *far)
{
  g_autoptr(GTmpFile) tmp = NULL;

  _g_tmp_core_refuse_tmpfile (dir);
  die_at_unlink_in = dir;
  tmp = new_file (child_class, dir);
}

/* Where O_TMPFILE is refused in @dir: an anonymous file made there (by the
 * fallback, so it cannot be linked) persisted with ALLOW_COPY, killed at
 * the start of the copy (child_flags without SYNC) or at its fsync. */
static void
child_die_in_named_copy (const gchar *dir,
                         const gchar *far)
{
  _g_tmp_core_refuse_tmpfile (dir);
  if (child_flags & G_TMP_PERSIST_SYNC)
    {
      sync_countdown = 1;
      _g_tmp_core_set_sync_hook (die_at_sync, NULL);
    }
  else
    _g_tmp_core_set_copy_hook (die_at_copy, NULL);
  persist_once (dir, NULL);
}

/* A GTmpDir with a tree of 40 files, killed inside its cleanup. */
static void
child_die_in_cleanup (const gchar *dir,
                      const gchar *far)
{
  g_autoptr(GTmpDir) tmpdir = g_tmp_dir_new (dir, PREFIX, NULL, NULL);
  gint dfd = g_tmp_dir_get_fd (tmpdir);
  guint i;

  g_assert_no_errno (mkdirat (dfd, "sub", 0700));
  for (i = 0; i < 40; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("sub/f%u", i);

      close (openat (dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    }
  _g_tmp_rmtree_set_batch_hook (die_at_batch, NULL);
  g_tmp_dir_cleanup (tmpdir, NULL, NULL);
}

/* Lifecycles of one kind in a loop until the parent kills the child. */
typedef enum
{
  LOOP_TMP_FILE,
  LOOP_TMP_FILE_FALLBACK,
  LOOP_NAMED,
  LOOP_SPOOLED,
  LOOP_TMP_DIR,
  LOOP_MKSTEMP,
  LOOP_MKDTEMP,
  LOOP_PERSIST,
  LOOP_PERSIST_NAMED,
  LOOP_PERSIST_COPY,
  N_LOOPS
} Loop;

static Loop child_loop;

static void
make_tree (GTmpDir *tmpdir)
{
  gint dfd = g_tmp_dir_get_fd (tmpdir);

  mkdirat (dfd, "a", 0700);
  close (openat (dfd, "a/f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  symlinkat ("a", dfd, "l");
}

static void
loop_once (const gchar *dir,
           const gchar *far)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  switch (child_loop)
    {
    case LOOP_TMP_FILE:
    case LOOP_TMP_FILE_FALLBACK:
      g_object_unref (new_file (TEST_CLASS_TMP_FILE, dir));
      break;
    case LOOP_NAMED:
      g_object_unref (new_file (TEST_CLASS_NAMED, dir));
      break;
    case LOOP_SPOOLED:
      g_object_unref (new_file (TEST_CLASS_SPOOLED, dir));
      break;
    case LOOP_TMP_DIR:
      {
        g_autoptr(GTmpDir) tmpdir = g_tmp_dir_new (dir, PREFIX, NULL, &error);

        g_assert_no_error (error);
        make_tree (tmpdir);
        break;
      }
    case LOOP_MKSTEMP:
      close (g_tempfile_mkstemp (dir, PREFIX, NULL, &path, &error));
      g_assert_no_error (error);
      unlinkat (AT_FDCWD, path, 0);
      break;
    case LOOP_MKDTEMP:
      path = g_tempfile_mkdtemp (dir, PREFIX, NULL, &error);
      g_assert_no_error (error);
      rmdir (path);
      break;
    case LOOP_PERSIST:
    case LOOP_PERSIST_NAMED:
    case LOOP_PERSIST_COPY:
      {
        g_autoptr(GTmpFile) tmp = new_file (child_loop == LOOP_PERSIST_NAMED
                                            ? TEST_CLASS_NAMED : TEST_CLASS_TMP_FILE, dir);
        g_autofree gchar *dest = g_build_filename (far != NULL ? far : dir, "dest", NULL);

        g_assert_true (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_SYNC,
                                           NULL, &error));
        g_assert_no_error (error);
        g_clear_object (&tmp);
        unlinkat (AT_FDCWD, dest, 0);
        break;
      }
    case N_LOOPS:
    default:
      g_assert_not_reached ();
    }
}

static void
child_loop_forever (const gchar *dir,
                    const gchar *far)
{
  if (child_loop == LOOP_TMP_FILE_FALLBACK)
    _g_tmp_core_refuse_tmpfile (dir);
  for (;;)
    loop_once (dir, far);
}

/* ------------------------------------------------------------------------ */
/* The cases                                                                 */

typedef struct
{
  gchar *dir;
  gchar *far;   /* NULL unless the case persists across file systems */
  Leftovers l;
  guint strays;
} Case;

static void
case_init (Case     *c,
           gboolean  across)
{
  memset (c, 0, sizeof *c);
  c->dir = test_scratch_new ();
  if (across)
    c->far = test_scratch_new_in ("/dev/shm");
}

static void
case_finish (Case *c)
{
  leftovers_report (&c->l);
  test_scratch_free (c->dir);
  if (c->far != NULL)
    test_scratch_free (c->far);
  g_assert_cmpuint (c->strays, ==, 0);
}

/* The kill points inside persist: at the file's fsync (before the point of
 * no return), at the directory's fsync (after it), at the start of a copy
 * across file systems, at the copy's fsync. */
typedef enum
{
  POINT_FILE_SYNC,
  POINT_DIR_SYNC,
  POINT_COPY_START,
  POINT_COPY_SYNC,
} PersistPoint;

typedef struct
{
  TestFileClass    class;
  PersistPoint point;
} PersistCase;

static void
test_persist_kill (gconstpointer data)
{
  const PersistCase *pc = data;
  gboolean across = pc->point == POINT_COPY_START || pc->point == POINT_COPY_SYNC;
  Case c;
  guint i;

  if (across && !test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
    return;

  /* The source is on /dev/shm, the destination in the scratch directory. */
  case_init (&c, across);
  child_class = pc->class;
  child_flags = G_TMP_PERSIST_SYNC | (across ? G_TMP_PERSIST_ALLOW_COPY : 0);

  for (i = 0; i < HOOK_REPS; i++)
    {
      guint destinations = c.l.destinations, own = c.l.own_entries;
      const gchar *src_dir = across ? c.far : c.dir;
      const gchar *dest_dir = across ? c.dir : NULL;

      sync_countdown = pc->point == POINT_DIR_SYNC ? 2 : 1;
      run_and_kill (pc->point == POINT_COPY_START ? child_die_at_copy : child_die_at_sync,
                    src_dir, dest_dir, 0);
      collect (&c.l, c.dir, c.far, &c.strays);

      /* After the point of no return the destination is there and whole;
       * before it, it is not. */
      g_assert_cmpuint (c.l.destinations - destinations, ==, pc->point == POINT_DIR_SYNC);
      /* Only a named file before the point of no return leaves its name. */
      g_assert_cmpuint (c.l.own_entries - own, ==,
                        pc->class == TEST_CLASS_NAMED && pc->point != POINT_DIR_SYNC);
    }
  case_finish (&c);
}

/* Killed between the O_TMPFILE fallback's create and unlink: the file is
 * still named. Documented: "the file never has a name (O_TMPFILE) or loses
 * it before the constructor returns", which a kill in that window cannot
 * keep; what it leaves is one empty file of the object's name shape and
 * mode 0600, and nothing else. */
static void
test_fallback_window (gconstpointer data)
{
  Case c;
  guint i;

  case_init (&c, FALSE);
  child_class = GPOINTER_TO_UINT (data);
  for (i = 0; i < HOOK_REPS; i++)
    {
      guint own = c.l.own_entries;

      run_and_kill (child_die_in_fallback, c.dir, NULL, 0);
      if (test_count_entries (c.dir) == 1)
        {
          g_autoptr(GDir) d = g_dir_open (c.dir, 0, NULL);
          g_autofree gchar *path = g_build_filename (c.dir, g_dir_read_name (d), NULL);
          struct stat st;

          g_assert_no_errno (lstat (path, &st));
          g_assert_true (S_ISREG (st.st_mode));
          g_assert_cmpint (st.st_size, ==, 0);
          g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
        }
      collect (&c.l, c.dir, NULL, &c.strays);
      g_assert_cmpuint (c.l.own_entries - own, <=, 1);
    }
  case_finish (&c);
}

/* Killed while persist copies a file where O_TMPFILE is refused: the copy
 * has the hidden name persist() documents from the start, and what one
 * kill leaves is that one name, which the documented sweep removes: the
 * copy's empty start (at the copy) or the whole copy (at its fsync). */
static void
test_named_copy (gconstpointer data)
{
  gboolean at_sync = GPOINTER_TO_UINT (data);
  Case c;
  guint i;

  case_init (&c, FALSE);
  child_class = TEST_CLASS_TMP_FILE;
  child_flags = G_TMP_PERSIST_ALLOW_COPY | (at_sync ? G_TMP_PERSIST_SYNC : 0);
  for (i = 0; i < HOOK_REPS; i++)
    {
      g_autoptr(GDir) d = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree gchar *path = NULL;
      struct stat st;

      run_and_kill (child_die_in_named_copy, c.dir, NULL, 0);
      g_assert_cmpuint (test_count_entries (c.dir), ==, 1);
      d = g_dir_open (c.dir, 0, NULL);
      path = g_build_filename (c.dir, g_dir_read_name (d), NULL);
      g_assert_true (g_regex_match_simple ("/\\.dest\\.[a-z0-9_]{8}$", path, 0, 0));
      g_assert_no_errno (lstat (path, &st));
      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
      g_assert_cmpint (st.st_size, ==, (at_sync ? PAYLOAD : 0));

      g_assert_cmpint (g_tempfile_sweep (c.dir, ".dest.", NULL, 0, 0, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpuint (test_count_entries (c.dir), ==, 0);
      collect (&c.l, c.dir, NULL, &c.strays);
    }
  case_finish (&c);
}

/* Killed inside a GTmpDir's cleanup: what is left is inside its own
 * directory. */
static void
test_tmpdir_cleanup_kill (void)
{
  Case c;
  guint i;

  case_init (&c, FALSE);
  for (i = 0; i < HOOK_REPS; i++)
    {
      run_and_kill (child_die_in_cleanup, c.dir, NULL, 0);
      g_assert_cmpuint (collect (&c.l, c.dir, NULL, &c.strays), <=, 1);
    }
  case_finish (&c);
}

/* Killed after a random delay in a loop of lifecycles. */
static void
test_random_kill (gconstpointer data)
{
  Loop loop = GPOINTER_TO_UINT (data);
  gboolean across = loop == LOOP_PERSIST_COPY;
  /* What one kill may leave: nothing for anonymous and spooled files and
   * persists across (beyond a whole destination); one entry of its own for
   * a named file, a directory, mkstemp, mkdtemp. */
  gboolean may_leave_own = loop == LOOP_NAMED || loop == LOOP_TMP_DIR ||
                           loop == LOOP_MKSTEMP || loop == LOOP_MKDTEMP ||
                           loop == LOOP_PERSIST_NAMED || loop == LOOP_TMP_FILE_FALLBACK;
  Case c;
  guint i;

  if (across && !test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
    return;

  case_init (&c, across);
  child_loop = loop;
  for (i = 0; i < RANDOM_REPS; i++)
    {
      guint own = c.l.own_entries, destinations = c.l.destinations;

      /* Past the child's start-up (a few ms), into its loop. */
      run_and_kill (child_loop_forever, across ? c.far : c.dir, across ? c.dir : NULL,
                    g_random_int_range (5000, 40000));
      collect (&c.l, c.dir, c.far, &c.strays);
      g_assert_cmpuint (c.l.own_entries - own, <=, may_leave_own ? 1 : 0);
      g_assert_cmpuint (c.l.destinations - destinations, <=, 1);
    }
  case_finish (&c);
}

int
main (int   argc,
      char *argv[])
{
  static const PersistCase persist_cases[] = {
    { TEST_CLASS_TMP_FILE, POINT_FILE_SYNC },
    { TEST_CLASS_TMP_FILE, POINT_DIR_SYNC },
    { TEST_CLASS_TMP_FILE, POINT_COPY_START },
    { TEST_CLASS_TMP_FILE, POINT_COPY_SYNC },
    { TEST_CLASS_NAMED, POINT_FILE_SYNC },
    { TEST_CLASS_NAMED, POINT_DIR_SYNC },
    { TEST_CLASS_NAMED, POINT_COPY_START },
    { TEST_CLASS_NAMED, POINT_COPY_SYNC },
    { TEST_CLASS_SPOOLED, POINT_FILE_SYNC },
    { TEST_CLASS_SPOOLED, POINT_DIR_SYNC },
    { TEST_CLASS_SPOOLED, POINT_COPY_START },
    { TEST_CLASS_SPOOLED, POINT_COPY_SYNC },
  };
  static const gchar *class_names[] = { "tmp-file", "named", "spooled" };
  static const gchar *point_names[] = { "file-sync", "dir-sync", "copy-start", "copy-sync" };
  static const gchar *loop_names[N_LOOPS] = {
    "tmp-file", "tmp-file-fallback", "named", "spooled", "tmp-dir", "mkstemp", "mkdtemp",
    "persist", "persist-named", "persist-allow-copy",
  };
  guint i;

  test_init (&argc, &argv, "crash");
  /* A case that finds leftovers goes on counting them, and the others run. */
  g_test_set_nonfatal_assertions ();

  for (i = 0; i < G_N_ELEMENTS (persist_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/crash/persist/%s/%s",
                                                class_names[persist_cases[i].class],
                                                point_names[persist_cases[i].point]);

      g_test_add_data_func (path, &persist_cases[i], test_persist_kill);
    }
  g_test_add_data_func ("/crash/fallback-window/tmp-file",
                        GUINT_TO_POINTER (TEST_CLASS_TMP_FILE), test_fallback_window);
  g_test_add_data_func ("/crash/fallback-window/spooled-rollover",
                        GUINT_TO_POINTER (TEST_CLASS_SPOOLED), test_fallback_window);
  g_test_add_data_func ("/crash/named-copy/copy-start", GUINT_TO_POINTER (FALSE),
                        test_named_copy);
  g_test_add_data_func ("/crash/named-copy/copy-sync", GUINT_TO_POINTER (TRUE),
                        test_named_copy);
  g_test_add_func ("/crash/tmp-dir/cleanup", test_tmpdir_cleanup_kill);
  for (i = 0; i < N_LOOPS; i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/crash/random/%s", loop_names[i]);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_random_kill);
    }

  return test_run ();
}
