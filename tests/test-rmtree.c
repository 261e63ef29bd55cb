/* test-rmtree.c — tree removal (gtmp-rmtree.c)
 *
 * What GTmpDir's cleanup relies on, checked on disk: read-only and locked
 * directories, symbolic links never followed, batches of inode-ordered
 * unlinks, removal from a descriptor, errors naming the entry, trees that
 * change or vanish during the walk, cancellation. Tests run as root; where
 * permissions matter a child process drops to uid/gid 65534 first.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-rmtree.h"
#include "gtmp-testing.h"
#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Tree removal                                                              */

/* Builds, in @base, a tree with read-only and locked subdirectories and
 * symlinks to a file and a directory outside it, which live in @outside:
 *
 *   tree/file  tree/ro-file (0400)
 *   tree/ro/ (0500): f1, nested/ (0700): f2, emptyd/
 *   tree/locked/ (0000): f3, deeper/ (0500): f4
 *   tree/link-file -> outside/target-file (0640)
 *   tree/link-dir  -> outside/target-dir (0500): inner (0600)
 *   tree/ro/dangling -> /nonexistent
 */
static gchar *
build_tree (const gchar *base)
{
  gchar *tree = g_build_filename (base, "tree", NULL);
  g_autofree gchar *outside = g_build_filename (base, "outside", NULL);
  g_autofree gchar *target_file = g_build_filename (outside, "target-file", NULL);
  g_autofree gchar *target_dir = g_build_filename (outside, "target-dir", NULL);
  g_autofree gchar *inner = g_build_filename (target_dir, "inner", NULL);
  g_autofree gchar *p = NULL;

  test_make_dir (outside, 0755);
  test_write_file_mode (target_file, "outside file", 0640);
  test_make_dir (target_dir, 0700);
  test_write_file_mode (inner, "inner", 0600);
  g_assert_no_errno (chmod (target_dir, 0500));

  test_make_dir (tree, 0700);
#define AT(...) (g_free (p), p = g_build_filename (tree, __VA_ARGS__, NULL))
  test_write_file_mode (AT ("file"), "data", 0644);
  test_write_file_mode (AT ("ro-file"), "data", 0400);
  g_assert_no_errno (symlink (target_file, AT ("link-file")));
  g_assert_no_errno (symlink (target_dir, AT ("link-dir")));

  test_make_dir (AT ("ro"), 0700);
  test_write_file_mode (AT ("ro", "f1"), "data", 0600);
  test_make_dir (AT ("ro", "nested"), 0700);
  test_write_file_mode (AT ("ro", "nested", "f2"), "data", 0600);
  test_make_dir (AT ("ro", "emptyd"), 0700);
  g_assert_no_errno (symlink ("/nonexistent", AT ("ro", "dangling")));
  g_assert_no_errno (chmod (AT ("ro"), 0500));

  test_make_dir (AT ("locked"), 0700);
  test_write_file_mode (AT ("locked", "f3"), "data", 0600);
  test_make_dir (AT ("locked", "deeper"), 0700);
  test_write_file_mode (AT ("locked", "deeper", "f4"), "data", 0600);
  g_assert_no_errno (chmod (AT ("locked", "deeper"), 0500));
  g_assert_no_errno (chmod (AT ("locked"), 0000));
#undef AT

  return tree;
}

/* The targets outside the tree are exactly as they were. */
static void
assert_outside_untouched (const gchar *base)
{
  g_autofree gchar *outside = g_build_filename (base, "outside", NULL);
  g_autofree gchar *target_file = g_build_filename (outside, "target-file", NULL);
  g_autofree gchar *target_dir = g_build_filename (outside, "target-dir", NULL);
  g_autofree gchar *inner = g_build_filename (target_dir, "inner", NULL);

  test_assert_file_contents (target_file, "outside file");
  g_assert_cmpuint (test_mode_of (target_file), ==, 0640);
  g_assert_cmpuint (test_mode_of (target_dir), ==, 0500);
  test_assert_file_contents (inner, "inner");
  g_assert_cmpuint (test_mode_of (inner), ==, 0600);
  g_assert_cmpuint (test_count_entries (outside), ==, 2);
}

static void
remove_tree_and_check (const gchar *base)
{
  g_autofree gchar *tree = build_tree (base);
  g_autoptr(GError) error = NULL;
  gboolean removed;

  removed = _g_tmp_rmtree_remove (tree, -1, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (removed);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  assert_outside_untouched (base);
}

static void
test_remove_tree_as_root (void)
{
  gchar *scratch = test_scratch_new ();

  remove_tree_and_check (scratch);
  test_scratch_free (scratch);
}

/* As an ordinary user, modes matter: 0500 and 0000 directories must be
 * made writable (never through a symlink) before their entries go. */
static void
test_remove_tree_read_only (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *work = test_scratch_path ("work");

      test_drop_privileges ();
      remove_tree_and_check (work);
      return;
    }
  else if (test_need_root ("to drop privileges to uid 65534 in a child"))
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *work = g_build_filename (scratch, "work", NULL);

      test_make_dir (work, 0755);
      test_chown_nobody (work);
      test_run_in_subprocess ();
      assert_outside_untouched (work);
      test_scratch_free (scratch);
    }
}

static void
test_remove_tree_simple_cases (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *empty = g_build_filename (scratch, "empty", NULL);
  g_autofree gchar *gone = g_build_filename (scratch, "gone", NULL);
  g_autofree gchar *link = g_build_filename (scratch, "link", NULL);
  g_autofree gchar *real = g_build_filename (scratch, "real", NULL);
  g_autofree gchar *real_file = g_build_filename (real, "keep", NULL);
  g_autoptr(GError) error = NULL;

  test_make_dir (empty, 0700);
  g_assert_true (_g_tmp_rmtree_remove (empty, -1, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (empty, G_FILE_TEST_EXISTS));

  /* Already gone is not an error. */
  g_assert_true (_g_tmp_rmtree_remove (gone, -1, FALSE, NULL, &error));
  g_assert_no_error (error);

  /* The path itself being a symlink to a directory: never walked into. */
  test_make_dir (real, 0700);
  test_write_file_mode (real_file, "keep", 0600);
  g_assert_no_errno (symlink (real, link));
  _g_tmp_rmtree_remove (link, -1, FALSE, NULL, NULL);
  test_assert_file_contents (real_file, "keep");

  test_scratch_free (scratch);
}

/* Creates @count one-byte files in @dir, named @prefix and a number padded
 * to @width digits. */
static void
fill_dir (const gchar *dir,
          const gchar *prefix,
          gint         width,
          guint        count)
{
  gint dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_no_errno (dfd);
  for (guint i = 0; i < count; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("%s%0*u", prefix, width, i);
      gint fd = openat (dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      g_assert_no_errno (fd);
      g_assert_cmpint (write (fd, "x", 1), ==, 1);
      close (fd);
    }
  close (dfd);
}

/* A directory's identity, "dev:ino", to count its batches by. */
static gchar *
dir_key_of_stat (const struct stat *st)
{
  return g_strdup_printf ("%lu:%lu", (gulong) st->st_dev, (gulong) st->st_ino);
}

static gchar *
dir_key (const gchar *dir)
{
  struct stat st;

  g_assert_no_errno (stat (dir, &st));
  return dir_key_of_stat (&st);
}

/* Counts the batches the tree remover unlinks, by directory. */
static void
count_batch (gint     dirfd,
             gpointer user_data)
{
  GHashTable *batches = user_data;
  struct stat st;
  gchar *key;

  g_assert_no_errno (fstat (dirfd, &st));
  key = dir_key_of_stat (&st);
  g_hash_table_insert (batches, key,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (batches, key)) + 1));
}

static guint
batches_of (GHashTable  *batches,
            const gchar *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (batches, key));
}

/* Directories larger than one batch of inode-ordered unlinks (more files
 * than a batch holds, and more bytes of names; the limits lowered, and
 * batches turned on whatever the file system), files batched in a
 * read-only directory, and the symlinks to outside: everything goes, in
 * several batches where a directory does not fit in one, and nothing
 * outside is touched. */
static void
test_remove_tree_large (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *tree = build_tree (scratch);
  g_autofree gchar *many = g_build_filename (tree, "many", NULL);
  g_autofree gchar *long_names = g_build_filename (tree, "long", NULL);
  g_autofree gchar *ro = g_build_filename (tree, "ro", NULL);
  g_autofree gchar *long_prefix = g_strnfill (200, 'n');
  g_autofree gchar *many_key = NULL;
  g_autofree gchar *long_key = NULL;
  g_autofree gchar *ro_key = NULL;
  g_autoptr(GHashTable) batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  gboolean removed;

  test_make_dir (many, 0700);
  fill_dir (many, "f", 5, 2500);
  test_make_dir (long_names, 0700);
  fill_dir (long_names, long_prefix, 4, 300);
  g_assert_no_errno (chmod (ro, 0700));
  fill_dir (ro, "r", 3, 300);
  g_assert_no_errno (chmod (ro, 0500));
  g_assert_cmpuint (test_count_entries (many), ==, 2500);
  many_key = dir_key (many);
  long_key = dir_key (long_names);
  ro_key = dir_key (ro);

  /* 1,000 files or 16 KiB of names at a time: "many" takes 3 batches, the
   * 300 names of 204 bytes (61 KiB) 4; "ro", which build_tree() gave a
   * subdirectory, at least one. */
  _g_tmp_rmtree_set_batch_limits (1000, 16 * 1024);
  _g_tmp_rmtree_set_batch_hook (count_batch, batches);
  removed = _g_tmp_rmtree_remove (tree, -1, FALSE, NULL, &error);
  _g_tmp_rmtree_set_batch_hook (NULL, NULL);
  _g_tmp_rmtree_set_batch_limits (0, 0);

  g_assert_no_error (error);
  g_assert_true (removed);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (batches_of (batches, many_key), ==, 3);
  g_assert_cmpuint (batches_of (batches, long_key), ==, 4);
  g_assert_cmpuint (batches_of (batches, ro_key), >=, 1);
  assert_outside_untouched (scratch);
  test_scratch_free (scratch);
}

/* Turns the listed file "f03" into a directory with a file inside, once,
 * when its batch is about to be unlinked. */
static void
swap_file_for_dir (gint     dirfd,
                   gpointer user_data)
{
  guint *n_swaps = user_data;
  gint fd;

  if (*n_swaps > 0 || faccessat (dirfd, "f03", F_OK, AT_SYMLINK_NOFOLLOW) != 0)
    return;

  g_assert_no_errno (unlinkat (dirfd, "f03", 0));
  g_assert_no_errno (mkdirat (dirfd, "f03", 0700));
  fd = openat (dirfd, "f03/inner", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  g_assert_no_errno (fd);
  close (fd);
  (*n_swaps)++;
}

/* A file listed for a batch that is a directory by the time the batch is
 * unlinked (on any file system here: the hook turns batches on) is not
 * lost track of: the directory is listed again and the new subdirectory
 * goes too. It is the directory's only file, so that nothing else removed
 * there would have the directory listed again anyway. */
static void
test_remove_tree_batch_race (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *tree = build_tree (scratch);
  g_autofree gchar *files = g_build_filename (tree, "files", NULL);
  g_autofree gchar *f03 = g_build_filename (files, "f03", NULL);
  g_autoptr(GError) error = NULL;
  guint n_swaps = 0;
  gboolean removed;

  test_make_dir (files, 0700);
  g_assert_true (g_file_set_contents (f03, "x", 1, NULL));

  _g_tmp_rmtree_set_batch_hook (swap_file_for_dir, &n_swaps);
  removed = _g_tmp_rmtree_remove (tree, -1, FALSE, NULL, &error);
  _g_tmp_rmtree_set_batch_hook (NULL, NULL);

  g_assert_no_error (error);
  g_assert_true (removed);
  g_assert_cmpuint (n_swaps, ==, 1);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  assert_outside_untouched (scratch);
  test_scratch_free (scratch);
}

/* The walk's fstatat() of a subdirectory, the look it takes before it
 * opens one. The core is linked statically into this executable, so this
 * definition takes the place of libc's for it (as test-core.c does with
 * getrandom()): armed, the first look at the name swap_name exchanges
 * that subdirectory with swap_intruder right after the look, as another
 * process renaming things in the tree could. */
static const gchar *swap_name;
static const gchar *swap_intruder;
static guint swap_count;

int
fstatat64 (int            dirfd,
           const char    *path,
           struct stat64 *buf,
           int            flags)
{
  static int (*real) (int, const char *, struct stat64 *, int);
  int res;

  if (real == NULL)
    real = (int (*) (int, const char *, struct stat64 *, int)) dlsym (RTLD_NEXT, "fstatat64");
  res = real (dirfd, path, buf, flags);

  if (res == 0 && swap_name != NULL && swap_count == 0 && strcmp (path, swap_name) == 0)
    {
      swap_count++;
      g_assert_no_errno (renameat2 (dirfd, path, AT_FDCWD, swap_intruder, RENAME_EXCHANGE));
    }
  return res;
}

/* A subdirectory swapped, between the walk's look at it and its opening,
 * for a directory from outside the tree (renameat2 RENAME_EXCHANGE): the
 * walk sees that what it opened is not what it looked at (device and
 * inode), leaves it alone and reports it (BUSY, naming it); nothing of the
 * outside directory is removed. */
static void
test_remove_tree_swapped_subdir (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *tree = g_build_filename (scratch, "tree", NULL);
  g_autofree gchar *sub = g_build_filename (tree, "sub", NULL);
  g_autofree gchar *inner = g_build_filename (sub, "inner", NULL);
  g_autofree gchar *victim = g_build_filename (scratch, "victim", NULL);
  g_autofree gchar *precious = g_build_filename (victim, "precious", NULL);
  g_autofree gchar *swapped_in = g_build_filename (sub, "precious", NULL);
  g_autofree gchar *ours_away = g_build_filename (victim, "inner", NULL);
  g_autoptr(GError) error = NULL;
  gboolean removed;

  test_make_dir (tree, 0700);
  test_make_dir (sub, 0700);
  test_write_file (inner, "ours");
  test_make_dir (victim, 0755);
  test_write_file (precious, "not ours");

  swap_intruder = victim;
  swap_count = 0;
  swap_name = "sub";
  removed = _g_tmp_rmtree_remove (tree, -1, FALSE, NULL, &error);
  swap_name = NULL;

  g_assert_cmpuint (swap_count, ==, 1);
  g_assert_false (removed);
  test_assert_error_names (error, G_IO_ERROR_BUSY, sub);
  /* The outside directory now sits at tree/sub, whole; ours is outside. */
  test_assert_file_contents (swapped_in, "not ours");
  g_assert_cmpuint (test_count_entries (sub), ==, 1);
  g_assert_true (test_path_exists (ours_away));

  test_scratch_free (scratch);
}

/* A held descriptor (GTmpDir's) whose read position has moved is a fine
 * start for the walk, and stays the caller's. */
static void
test_remove_tree_from_fd (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *tree = build_tree (scratch);
  g_autoptr(GError) error = NULL;
  DIR *d;
  gint fd, dup_fd;

  fd = _g_tmp_core_open_dir (tree);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (test_has_cloexec (fd));

  /* Read the whole directory through a duplicate sharing the position. */
  dup_fd = dup (fd);
  d = fdopendir (dup_fd);
  g_assert_nonnull (d);
  while (readdir (d) != NULL)
    ;

  g_assert_true (_g_tmp_rmtree_remove (tree, fd, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
  assert_outside_untouched (scratch);

  closedir (d);
  close (fd);
  test_scratch_free (scratch);
}

/* As nobody: removing @tree fails with PERMISSION_DENIED naming @stuck,
 * and succeeds ignoring errors (what it leaves is the caller's to check). */
static void
assert_removed_but (const gchar *tree,
                    const gchar *stuck)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (_g_tmp_rmtree_remove (tree, -1, FALSE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, stuck);
  g_clear_error (&error);

  g_assert_true (_g_tmp_rmtree_remove (tree, -1, TRUE, NULL, &error));
  g_assert_no_error (error);
}

/* An entry we may not remove: an error naming it, or with ignore_errors,
 * everything else removed and TRUE. */
static void
test_remove_tree_errors (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *tree = test_scratch_path ("work/tree");
      g_autofree gchar *stuck = test_scratch_path ("work/tree/roots/stuck");
      g_autofree gchar *mine = test_scratch_path ("work/tree/mine");

      test_drop_privileges ();
      assert_removed_but (tree, stuck);
      g_assert_true (g_file_test (stuck, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (mine, G_FILE_TEST_EXISTS));
      return;
    }
  else if (test_need_root ("to drop privileges to uid 65534 in a child"))
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *work = g_build_filename (scratch, "work", NULL);
      g_autofree gchar *tree = g_build_filename (work, "tree", NULL);
      g_autofree gchar *roots = g_build_filename (tree, "roots", NULL);
      g_autofree gchar *stuck = g_build_filename (roots, "stuck", NULL);
      g_autofree gchar *mine = g_build_filename (tree, "mine", NULL);

      test_make_dir (work, 0755);
      test_make_dir (tree, 0755);
      test_make_dir (roots, 0755);
      test_write_file_mode (stuck, "root's", 0644);
      test_write_file_mode (mine, "nobody's", 0644);
      test_chown_nobody (work);
      test_chown_nobody (tree);
      test_chown_nobody (mine);

      test_run_in_subprocess ();
      test_assert_file_contents (stuck, "root's");
      g_assert_cmpuint (test_count_entries (tree), ==, 1);
      test_scratch_free (scratch);
    }
}

/* The top directory cannot be removed (its parent is not ours) but what is
 * in it can: with ignore_errors all of that goes. */
static void
test_remove_tree_top_stuck (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *tree = test_scratch_path ("tree");

      test_drop_privileges ();
      assert_removed_but (tree, tree);
      g_assert_true (g_file_test (tree, G_FILE_TEST_IS_DIR));
      g_assert_cmpuint (test_count_entries (tree), ==, 0);
      return;
    }
  else if (test_need_root ("to drop privileges to uid 65534 in a child"))
    {
      gchar *scratch = test_scratch_new ();
      g_autofree gchar *tree = g_build_filename (scratch, "tree", NULL);
      g_autofree gchar *sub = g_build_filename (tree, "sub", NULL);
      g_autofree gchar *file = g_build_filename (sub, "file", NULL);

      test_make_dir (tree, 0755);
      test_make_dir (sub, 0755);
      test_write_file_mode (file, "x", 0644);
      test_chown_nobody (tree);
      test_chown_nobody (sub);
      test_chown_nobody (file);

      test_run_in_subprocess ();
      g_assert_true (g_file_test (tree, G_FILE_TEST_IS_DIR));
      g_assert_cmpuint (test_count_entries (tree), ==, 0);
      test_scratch_free (scratch);
    }
}

/* Another process deleting entries while the walk runs: whatever vanishes
 * under the walk is simply gone, not an error. */
#define VANISH_DIRS  40
#define VANISH_FILES 50

typedef struct
{
  const gchar *tree;
  gint         start;   /* both sides wait for it, to overlap */
  guint        unlinked;
} Vanisher;

static gpointer
vanish_thread (gpointer data)
{
  Vanisher *v = data;
  gint i, j;

  while (!g_atomic_int_get (&v->start))
    ;
  /* From the other end, so both meet in the middle of most directories. */
  for (i = VANISH_DIRS - 1; i >= 0; i--)
    for (j = VANISH_FILES - 1; j >= 0; j--)
      {
        g_autofree gchar *path = g_strdup_printf ("%s/d%02d/f%02d", v->tree, i, j);

        if (unlink (path) == 0)
          v->unlinked++;
      }
  return NULL;
}

static void
test_remove_tree_vanishing (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *tree = g_build_filename (scratch, "tree", NULL);
  Vanisher v = { tree, FALSE, 0 };
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gboolean removed;
  gint i, j;

  test_make_dir (tree, 0700);
  for (i = 0; i < VANISH_DIRS; i++)
    {
      g_autofree gchar *dir = g_strdup_printf ("%s/d%02d", tree, i);

      test_make_dir (dir, 0700);
      for (j = 0; j < VANISH_FILES; j++)
        {
          g_autofree gchar *path = g_strdup_printf ("%s/f%02d", dir, j);

          test_write_file_mode (path, "", 0600);
        }
    }

  thread = g_thread_new ("vanish", vanish_thread, &v);
  g_atomic_int_set (&v.start, TRUE);
  removed = _g_tmp_rmtree_remove (tree, -1, FALSE, NULL, &error);
  g_thread_join (thread);
  g_test_message ("the other thread removed %u of %u files",
                  v.unlinked, VANISH_DIRS * VANISH_FILES);

  g_assert_no_error (error);
  g_assert_true (removed);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  test_scratch_free (scratch);
}

static void
test_remove_tree_cancelled (void)
{
  gchar *scratch = test_scratch_new ();
  g_autofree gchar *tree = build_tree (scratch);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (_g_tmp_rmtree_remove (tree, -1, FALSE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_file_test (tree, G_FILE_TEST_IS_DIR));
  g_clear_error (&error);

  /* Cancellation is reported even when errors are ignored. */
  g_assert_false (_g_tmp_rmtree_remove (tree, -1, TRUE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  assert_outside_untouched (scratch);
  test_scratch_free (scratch);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "rmtree");

  g_test_add_func ("/rmtree/as-root", test_remove_tree_as_root);
  g_test_add_func ("/rmtree/read-only", test_remove_tree_read_only);
  g_test_add_func ("/rmtree/simple", test_remove_tree_simple_cases);
  g_test_add_func ("/rmtree/from-fd", test_remove_tree_from_fd);
  g_test_add_func ("/rmtree/large", test_remove_tree_large);
  g_test_add_func ("/rmtree/batch-race", test_remove_tree_batch_race);
  g_test_add_func ("/rmtree/swapped-subdir", test_remove_tree_swapped_subdir);
  g_test_add_func ("/rmtree/errors", test_remove_tree_errors);
  g_test_add_func ("/rmtree/top-stuck", test_remove_tree_top_stuck);
  g_test_add_func ("/rmtree/vanishing", test_remove_tree_vanishing);
  g_test_add_func ("/rmtree/cancelled", test_remove_tree_cancelled);

  return test_run ();
}
