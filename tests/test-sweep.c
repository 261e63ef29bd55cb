/* test-sweep.c — g_tempfile_sweep(), checked on disk
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gtempfile-private.h"
#include "gtmp-rmtree.h"
#include "gtmp-testing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/mount.h>
#endif

#include "test-util.h"

#define HOUR    (G_TIME_SPAN_HOUR)
#define MIN_AGE (10 * G_TIME_SPAN_MINUTE)

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

/* Sets @path's modification time (not following a link) @age_us ago. */
static void
age (const gchar *path,
     GTimeSpan    age_us)
{
  gint64 when = g_get_real_time () - age_us;
  struct timespec times[2];

  times[0].tv_sec = times[1].tv_sec = when / G_USEC_PER_SEC;
  times[0].tv_nsec = times[1].tv_nsec = (when % G_USEC_PER_SEC) * 1000;
  g_assert_no_errno (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW));
}

/* An old file @name in @base holding its name. */
static gchar *
old_file (const gchar *base,
          const gchar *name)
{
  gchar *path = g_build_filename (base, name, NULL);

  test_write_file (path, name);
  age (path, HOUR);
  return path;
}

/* An old directory @name in @base with a nested tree, and a symbolic link
 * to @outside (if not NULL) deep in it. */
static gchar *
old_tree (const gchar *base,
          const gchar *name,
          const gchar *outside)
{
  gchar *path = g_build_filename (base, name, NULL);
  g_autofree gchar *sub = g_build_filename (path, "sub", NULL);
  g_autofree gchar *deep = g_build_filename (sub, "deep", NULL);
  g_autofree gchar *file = g_build_filename (deep, "file", NULL);
  g_autofree gchar *link = g_build_filename (deep, "link", NULL);

  test_make_dir (path, 0700);
  test_make_dir (sub, 0700);
  test_make_dir (deep, 0700);
  test_write_file (file, "x");
  if (outside != NULL)
    g_assert_no_errno (symlink (outside, link));
  age (path, HOUR);
  return path;
}

static gint
sweep (const gchar *dir,
       const gchar *prefix,
       const gchar *suffix,
       guint        random_length)
{
  g_autoptr(GError) error = NULL;
  gint n = g_tempfile_sweep (dir, prefix, suffix, random_length, MIN_AGE, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, >=, 0);
  return n;
}

/* ------------------------------------------------------------------------ */
/* Which entries                                                             */

/* Old entries of the shape go (files and whole trees; a link out of a
 * tree is removed as a link); fresh ones and every other name stay. */
static void
test_shape (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dir = g_build_filename (base, "dir", NULL);
  g_autofree gchar *outside = g_build_filename (base, "outside", NULL);
  g_autofree gchar *outside_file = g_build_filename (outside, "keep", NULL);
  g_autofree gchar *file = NULL;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *fresh = NULL;
  const gchar *kept[] = {
    "xyzabcdefgh",      /* another prefix */
    "tmpabcdefg",       /* 7 random characters */
    "tmpabcdefghi",     /* 9 */
    "tmpABCDEFGH",      /* not the alphabet */
    "tmpabc-efgh",
    "tmpabcd.fgh",
    "tmpabcdefgh.txt",  /* a suffix */
    "tmp",
  };

  test_make_dir (dir, 0755);
  test_make_dir (outside, 0755);
  test_write_file (outside_file, "keep");
  file = old_file (dir, "tmpabcdefgh");
  tree = old_tree (dir, "tmp_0123456", outside);
  fresh = g_build_filename (dir, "tmpfreshxyz", NULL);
  test_write_file (fresh, "fresh");
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    g_free (old_file (dir, kept[i]));

  g_assert_cmpint (sweep (dir, NULL, NULL, 0), ==, 2);
  g_assert_false (test_path_exists (file));
  g_assert_false (test_path_exists (tree));
  test_assert_file_contents (fresh, "fresh");
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree gchar *path = g_build_filename (dir, kept[i], NULL);

      test_assert_file_contents (path, kept[i]);
    }
  test_assert_file_contents (outside_file, "keep");
  g_assert_cmpuint (test_count_entries (dir), ==, G_N_ELEMENTS (kept) + 1);

  /* Nothing more the second time. */
  g_assert_cmpint (sweep (dir, NULL, NULL, 0), ==, 0);

  /* A suffix, and a prefix with a dot. */
  g_assert_cmpint (sweep (dir, "tmp", ".txt", 0), ==, 1);
  g_assert_cmpuint (test_count_entries (dir), ==, G_N_ELEMENTS (kept));

  test_scratch_free (g_steal_pointer (&base));
}

/* What the library names: mkstemp()'s file and mkdtemp()'s directory are
 * found with the same prefix and suffix, and only with them. */
static void
test_library_names (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *file = NULL;
  g_autofree gchar *dir = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  fd = g_tempfile_mkstemp (base, "app-", ".part", &file, &error);
  g_assert_no_error (error);
  g_assert_no_errno (close (fd));
  dir = g_tempfile_mkdtemp (base, "app-", NULL, &error);
  g_assert_no_error (error);
  age (file, HOUR);
  age (dir, HOUR);

  g_assert_cmpint (sweep (base, NULL, NULL, 0), ==, 0);
  g_assert_cmpint (sweep (base, "app-", NULL, 0), ==, 1);
  g_assert_false (test_path_exists (dir));
  g_assert_true (test_path_exists (file));
  g_assert_cmpint (sweep (base, "app-", ".part", 0), ==, 1);
  g_assert_false (test_path_exists (file));

  test_scratch_free (g_steal_pointer (&base));
}

/* Age: @min_age 0 takes everything of the shape; entries just under the
 * age stay. */
static void
test_age (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *young = g_build_filename (base, "tmpyoungxyz", NULL);
  g_autofree gchar *old = old_file (base, "tmpoldxyzab");
  g_autoptr(GError) error = NULL;

  test_write_file (young, "");
  age (young, MIN_AGE - 30 * G_USEC_PER_SEC);

  g_assert_cmpint (sweep (base, NULL, NULL, 0), ==, 1);
  g_assert_false (test_path_exists (old));
  g_assert_true (test_path_exists (young));

  g_assert_cmpint (g_tempfile_sweep (base, NULL, NULL, 0, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (test_path_exists (young));

  test_scratch_free (g_steal_pointer (&base));
}

/* A longer random part, as the random-length property makes. */
static void
test_random_length (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *eight = old_file (base, "tmpabcdefgh");
  g_autofree gchar *twelve = old_file (base, "tmpabcdefgh0123");

  g_assert_cmpint (sweep (base, NULL, NULL, 12), ==, 1);
  g_assert_false (test_path_exists (twelve));
  g_assert_true (test_path_exists (eight));

  test_scratch_free (g_steal_pointer (&base));
}

/* Symbolic links of the shape (to a file, to a directory, dangling) are
 * neither followed nor removed; their targets keep everything. So are a
 * fifo and a socket: only files and directories are ours. */
static void
test_symlinks (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dir = g_build_filename (base, "dir", NULL);
  g_autofree gchar *target_file = old_file (base, "tmptargetfi");
  g_autofree gchar *target_dir = old_tree (base, "tmptargetdi", NULL);
  const gchar *links[][2] = {
    { "tmplinkfile", target_file },
    { "tmplinkdir0", target_dir },
    { "tmpdangling", "/nonexistent/gtmp-test" },
  };
  g_autofree gchar *fifo = g_build_filename (dir, "tmpfifo0000", NULL);
  g_autofree gchar *socket_path = g_build_filename (dir, "tmpsocket00", NULL);
  g_autofree gchar *cwd = g_get_current_dir ();
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  gint sock;

  test_make_dir (dir, 0755);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree gchar *link = g_build_filename (dir, links[i][0], NULL);

      g_assert_no_errno (symlink (links[i][1], link));
      age (link, HOUR);
    }
  g_assert_no_errno (mkfifo (fifo, 0600));
  age (fifo, HOUR);
  /* Bound by a relative name: a scratch path may be too long for one. */
  strcpy (addr.sun_path, "tmpsocket00");
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_no_errno (sock);
  g_assert_no_errno (chdir (dir));
  g_assert_no_errno (bind (sock, (struct sockaddr *) &addr, sizeof addr));
  g_assert_no_errno (chdir (cwd));
  g_assert_no_errno (close (sock));
  age (socket_path, HOUR);

  g_assert_cmpint (sweep (dir, NULL, NULL, 0), ==, 0);
  g_assert_cmpuint (test_count_entries (dir), ==, G_N_ELEMENTS (links) + 2);
  g_assert_true (test_path_exists (fifo));
  g_assert_true (test_path_exists (socket_path));
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree gchar *link = g_build_filename (dir, links[i][0], NULL);

      g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
    }
  test_assert_file_contents (target_file, "tmptargetfi");
  {
    g_autofree gchar *deep = g_build_filename (target_dir, "sub", "deep", "file", NULL);

    test_assert_file_contents (deep, "x");
  }

  test_scratch_free (g_steal_pointer (&base));
}

/* Other users' entries stay, also for root. */
static void
test_other_users (void)
{
  g_autofree gchar *base = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *mine = NULL;

  if (!test_need_root ("to give files to another user"))
    return;

  base = test_scratch_new ();
  file = old_file (base, "tmpnobodyfi");
  tree = old_tree (base, "tmpnobodydi", NULL);
  mine = old_file (base, "tmpmineabcd");
  test_chown_nobody (file);
  test_chown_nobody (tree);
  age (tree, HOUR);

  g_assert_cmpint (sweep (base, NULL, NULL, 0), ==, 1);
  g_assert_false (test_path_exists (mine));
  test_assert_file_contents (file, "tmpnobodyfi");
  g_assert_cmpuint (test_count_entries (tree), ==, 1);

  test_scratch_free (g_steal_pointer (&base));
}

/* The effective user decides, not the real one: a set-user-ID program
 * (here: real uid root, effective uid nobody, in a child) sweeps the
 * entries of the user it runs as, and leaves the real user's alone, in a
 * directory where it could remove either. */
static void
test_effective_user (void)
{
  g_autofree gchar *base = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *roots = NULL;
  g_autofree gchar *nobodys = NULL;
  gint status = 0;
  pid_t pid;

  if (!test_need_root ("to run with another effective user"))
    return;

  base = test_scratch_new ();
  dir = g_build_filename (base, "shared", NULL);
  test_make_dir (dir, 0777);
  g_assert_no_errno (chmod (dir, 0777));
  roots = old_file (dir, "tmprootsabc");
  nobodys = old_file (dir, "tmpnobodyab");
  test_chown_nobody (nobodys);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gint n;

      if (setresgid (0, TEST_NOBODY, 0) < 0 || setresuid (0, TEST_NOBODY, 0) < 0 ||
          getuid () != 0 || geteuid () != TEST_NOBODY)
        _exit (2);
      n = g_tempfile_sweep (dir, NULL, NULL, 0, MIN_AGE, NULL, NULL);
      _exit (n == 1 ? 0 : 3);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  g_assert_false (test_path_exists (nobodys));
  test_assert_file_contents (roots, "tmprootsabc");

  test_scratch_free (g_steal_pointer (&base));
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static void
test_arguments (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *file = old_file (base, "tmpabcdefgh");
  g_autofree gchar *link = g_build_filename (base, "link", NULL);
  g_autofree gchar *missing = g_build_filename (base, "missing", NULL);
  struct {
    const gchar *prefix;
    const gchar *suffix;
    guint length;
    GTimeSpan min_age;
  } bad[] = {
    { "a/", NULL, 0, 0 },
    { NULL, "/b", 0, 0 },
    { NULL, NULL, 7, 0 },
    { NULL, NULL, 129, 0 },
    { NULL, NULL, 0, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_tempfile_sweep (base, bad[i].prefix, bad[i].suffix, bad[i].length,
                                         bad[i].min_age, NULL, &error), ==, -1);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  /* @dir must be a directory and not a symbolic link to one. */
  g_assert_no_errno (symlink (base, link));
  {
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_tempfile_sweep (link, NULL, NULL, 0, 0, NULL, &error), ==, -1);
    test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, link);
    g_clear_error (&error);
    g_assert_cmpint (g_tempfile_sweep (missing, NULL, NULL, 0, 0, NULL, &error), ==, -1);
    test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  }
  g_assert_true (test_path_exists (file));

  /* NULL: the default directory. */
  g_tempfile_set_tempdir (base);
  g_assert_cmpint (sweep (NULL, NULL, NULL, 0), ==, 1);
  g_tempfile_set_tempdir (NULL);
  g_assert_false (test_path_exists (file));

  test_scratch_free (g_steal_pointer (&base));
}

/* Something mounted inside an old directory is left alone, mounted and
 * intact, and reported (BUSY, naming it); the other entries, in that tree
 * too, are still removed. In a mount namespace of its own. */
static void
test_mount_inside (void)
{
#ifdef __linux__
  g_autofree gchar *base = NULL;
  g_autofree gchar *tree = NULL;
  g_autofree gchar *mnt = NULL;
  g_autofree gchar *on_mount = NULL;
  g_autofree gchar *other = NULL;
  g_autoptr(GError) error = NULL;

  if (!test_enter_mount_namespace ())
    return;

  base = test_scratch_new ();
  tree = old_tree (base, "tmpmounted0", NULL);
  mnt = g_build_filename (tree, "mnt", NULL);
  on_mount = g_build_filename (mnt, "on-tmpfs", NULL);
  test_make_dir (mnt, 0700);
  if (!test_mount_tmpfs (mnt))
    return;
  test_write_file (on_mount, "keep");
  age (tree, HOUR);
  other = old_file (base, "tmpotherabc");

  g_assert_cmpint (g_tempfile_sweep (base, NULL, NULL, 0, MIN_AGE, NULL, &error), ==, -1);
  test_assert_error_names (error, G_IO_ERROR_BUSY, mnt);
  test_assert_file_contents (on_mount, "keep");
  g_assert_false (test_path_exists (other));
  g_clear_error (&error);
  /* The rest of the tree went: only the mount and what holds it stay. */
  g_assert_cmpuint (test_count_entries (tree), ==, 1);

  /* As documented: the tree the failed sweep emptied in part was modified
   * by it, so the next sweep takes it as fresh and leaves it. */
  g_assert_cmpint (g_tempfile_sweep (base, NULL, NULL, 0, MIN_AGE, NULL, &error), ==, 0);
  g_assert_no_error (error);
  test_assert_file_contents (on_mount, "keep");

  g_assert_no_errno (umount (mnt));
  test_scratch_free (g_steal_pointer (&base));
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* An entry replaced between the look and the removal: a directory removed
 * only if it is still the one looked at; a link put in its place is not
 * followed. (The step a sweep takes for a directory, made directly.) */
static void
test_swapped_entry (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *tree = old_tree (base, "tmpswapped0", NULL);
  g_autofree gchar *away = g_build_filename (base, "away", NULL);
  g_autofree gchar *other = old_tree (base, "other", NULL);
  g_autoptr(GError) error = NULL;
  GTmpCoreFileId id;
  struct stat st;
  gint dfd = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_cmpint (dfd, >=, 0);
  g_assert_no_errno (lstat (tree, &st));
  id.dev = st.st_dev;
  id.ino = st.st_ino;

  /* Another directory with entries: left alone. */
  g_assert_no_errno (rename (tree, away));
  g_assert_no_errno (rename (other, tree));
  g_assert_false (_g_tmp_rmtree_remove_at (dfd, "tmpswapped0", tree, -1, &id, FALSE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_BUSY, tree);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (tree), ==, 1);

  /* A link to a directory: not followed, the target keeps everything. */
  g_assert_no_errno (rename (tree, other));
  g_assert_no_errno (symlink ("other", tree));
  g_assert_false (_g_tmp_rmtree_remove_at (dfd, "tmpswapped0", tree, -1, &id, FALSE, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (other), ==, 1);
  g_assert_true (g_file_test (tree, G_FILE_TEST_IS_SYMLINK));

  /* An empty directory in its place: removed, which loses nothing
   * (documented); ours, elsewhere, is not touched. */
  g_assert_no_errno (unlink (tree));
  test_make_dir (tree, 0700);
  g_assert_true (_g_tmp_rmtree_remove_at (dfd, "tmpswapped0", tree, -1, &id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (tree));
  g_assert_cmpuint (test_count_entries (away), ==, 1);

  /* The directory itself, back: removed. */
  g_assert_no_errno (rename (away, tree));
  g_assert_true (_g_tmp_rmtree_remove_at (dfd, "tmpswapped0", tree, -1, &id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (tree));

  g_assert_no_errno (close (dfd));
  test_scratch_free (g_steal_pointer (&base));
}

typedef struct
{
  gint     dfd;
  gint     stop;
} Swapper;

static gpointer
swap_thread (gpointer data)
{
  Swapper *swapper = data;

  /* Until told to stop, or until the sweep has removed what was under the
   * old name (nothing is left to swap). */
  while (!g_atomic_int_get (&swapper->stop))
    {
      if (renameat2 (swapper->dfd, "tmpraceabcd", swapper->dfd, "holder", RENAME_EXCHANGE) < 0 &&
          errno == ENOENT)
        break;
    }
  return NULL;
}

/* Hostile: another thread keeps swapping an old directory of the shape
 * with a symbolic link to a directory outside while sweeps run. Whatever
 * each sweep removes or reports, nothing outside is ever touched. */
static void
test_race_swap (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dir = g_build_filename (base, "dir", NULL);
  g_autofree gchar *outside = old_tree (base, "outside", NULL);
  g_autofree gchar *holder = g_build_filename (dir, "holder", NULL);
  guint rounds = 200;

  test_make_dir (dir, 0755);
  for (guint i = 0; i < rounds; i++)
    {
      g_autofree gchar *tree = NULL;
      Swapper swapper = { open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), FALSE };
      GThread *thread;
      gint n;

      g_assert_cmpint (swapper.dfd, >=, 0);
      if (!test_path_exists (holder))
        g_assert_no_errno (symlink (outside, holder));
      tree = g_build_filename (dir, "tmpraceabcd", NULL);
      if (!g_file_test (tree, G_FILE_TEST_EXISTS) && !g_file_test (holder, G_FILE_TEST_IS_DIR))
        g_free (old_tree (dir, "tmpraceabcd", NULL));

      thread = g_thread_new ("swapper", swap_thread, &swapper);
      n = g_tempfile_sweep (dir, NULL, NULL, 0, MIN_AGE, NULL, NULL);
      g_atomic_int_set (&swapper.stop, TRUE);
      g_thread_join (thread);
      g_assert_no_errno (close (swapper.dfd));

      g_assert_cmpint (n, <=, 1);
      {
        g_autofree gchar *deep = g_build_filename (outside, "sub", "deep", "file", NULL);

        test_assert_file_contents (deep, "x");
      }
      /* Start the next round from a clean state. */
      test_remove_tree (dir);
      test_make_dir (dir, 0755);
    }

  test_scratch_free (g_steal_pointer (&base));
}

/* ------------------------------------------------------------------------ */
/* Cancellation and async                                                    */

static void
test_cancel (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *file = old_file (base, "tmpabcdefgh");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_cmpint (g_tempfile_sweep (base, NULL, NULL, 0, 0, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (test_path_exists (file));

  test_scratch_free (g_steal_pointer (&base));
}

/* Batch hook: cancels the sweep inside the first tree it removes, and
 * counts the batches the walk is about to remove. */
static guint batches_seen;

static void
cancel_in_tree (gint     dirfd,
                gpointer user_data)
{
  batches_seen++;
  g_cancellable_cancel (user_data);
}

/* Cancelled inside a tree: the sweep stops there (the tree keeps what was
 * not removed yet) and goes on to no other entry; what it removed before
 * stays removed; the call fails with CANCELLED; a later sweep removes the
 * rest. Which entries come before the tree is the directory's listing
 * order, read here first. */
static void
test_cancel_inside_tree (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *tree = old_tree (base, "tmptreeaaaa", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) after = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GDir *d;
  const gchar *name;
  gboolean seen_tree = FALSE;

  for (guint i = 0; i < 8; i++)
    {
      g_autofree gchar *file_name = g_strdup_printf ("tmpfile000%u", i);

      g_free (old_file (base, file_name));
    }
  d = g_dir_open (base, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_equal (name, "tmptreeaaaa"))
        seen_tree = TRUE;
      else
        g_ptr_array_add (seen_tree ? after : before, g_build_filename (base, name, NULL));
    }
  g_dir_close (d);
  g_test_message ("%u files listed before the tree, %u after", before->len, after->len);

  batches_seen = 0;
  _g_tmp_rmtree_set_batch_hook (cancel_in_tree, cancellable);
  g_assert_cmpint (g_tempfile_sweep (base, NULL, NULL, 0, 0, cancellable, &error), ==, -1);
  _g_tmp_rmtree_set_batch_hook (NULL, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_cmpuint (batches_seen, ==, 1);
  g_assert_true (test_path_exists (tree));
  for (guint i = 0; i < before->len; i++)
    g_assert_false (test_path_exists (before->pdata[i]));
  for (guint i = 0; i < after->len; i++)
    g_assert_true (test_path_exists (after->pdata[i]));

  g_assert_cmpint (g_tempfile_sweep (base, NULL, NULL, 0, 0, NULL, &error), ==, after->len + 1);
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  test_scratch_free (g_steal_pointer (&base));
}

static void
test_async (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *file = old_file (base, "tmpabcdefgh");
  g_autofree gchar *tree = old_tree (base, "tmpabcdefgi", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_tempfile_sweep_async (base, NULL, NULL, 0, MIN_AGE, G_PRIORITY_DEFAULT, cancellable,
                          test_store_result, &result);
  g_assert_cmpint (g_tempfile_sweep_finish (test_wait_result (&result), &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_true (test_path_exists (file));
  g_assert_true (test_path_exists (tree));

  g_tempfile_sweep_async (base, NULL, NULL, 0, MIN_AGE, G_PRIORITY_DEFAULT, NULL,
                          test_store_result, &result);
  /* As documented, the result has no source object. */
  g_assert_null (g_async_result_get_source_object (test_wait_result (&result)));
  g_assert_cmpint (g_tempfile_sweep_finish (result, &error), ==, 2);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (test_count_entries (base), ==, 0);

  /* Errors come back through the callback. */
  g_tempfile_sweep_async (base, "a/b", NULL, 0, 0, G_PRIORITY_DEFAULT, NULL,
                          test_store_result, &result);
  g_assert_cmpint (g_tempfile_sweep_finish (test_wait_result (&result), &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_object (&result);

  test_scratch_free (g_steal_pointer (&base));
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "sweep");

  g_test_add_func ("/sweep/shape", test_shape);
  g_test_add_func ("/sweep/library-names", test_library_names);
  g_test_add_func ("/sweep/age", test_age);
  g_test_add_func ("/sweep/random-length", test_random_length);
  g_test_add_func ("/sweep/symlinks", test_symlinks);
  g_test_add_func ("/sweep/other-users", test_other_users);
  g_test_add_func ("/sweep/effective-user", test_effective_user);
  g_test_add_func ("/sweep/arguments", test_arguments);
  g_test_add_func ("/sweep/mount-inside", test_mount_inside);
  g_test_add_func ("/sweep/swapped-entry", test_swapped_entry);
  g_test_add_func ("/sweep/race-swap", test_race_swap);
  g_test_add_func ("/sweep/cancel", test_cancel);
  g_test_add_func ("/sweep/cancel-inside-tree", test_cancel_inside_tree);
  g_test_add_func ("/sweep/async", test_async);

  return test_run ();
}
