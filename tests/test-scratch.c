/* test-scratch.c — scratch directories: one per run, one (or more) per test case
 *
 * Every suite's main() starts with test_init() and ends with test_run();
 * each test case makes its directories with test_scratch_new() and removes
 * them with test_scratch_free(). Scratch space is made and removed with
 * libc alone (nftw), never with the library's own tree removal, which is
 * itself under test.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* FTW_ACTIONRETVAL, statx() */
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

/* How a g_test_trap_subprocess() child finds its parent's run directory. */
#define SCRATCH_ENV "GTMP_TEST_SCRATCH"

static const gchar *scratch_root;
static gchar       *scratch_root_owned;
static gchar       *scratch_tag;

/* Makes @path (mode 0755 whatever the umask, so that a child dropped to uid
 * 65534 can enter it; it is owned by root, so that child cannot write to
 * it) or, with @unique, a fresh directory from the template @path. */
static gchar *
make_scratch (gchar    *path,
              gboolean  unique)
{
  if (unique)
    g_assert_nonnull (g_mkdtemp (path));
  else
    g_assert_no_errno (mkdir (path, 0755));
  g_assert_no_errno (chmod (path, 0755));
  return path;
}

/**
 * test_scratch_root_init:
 * @tag: a word naming the suite, part of the directory's name
 *
 * Makes this run's scratch directory `gtmp-test-@tag-XXXXXX` in
 * g_get_tmp_dir(), or, in a g_test_trap_subprocess() child, finds the one
 * its parent made. Every suite calls it in main() after g_test_init() and
 * before any thread exists (it sets an environment variable), and
 * test_scratch_root_clear() after g_test_run().
 */
void
test_scratch_root_init (const gchar *tag)
{
  g_assert_null (scratch_root);
  scratch_tag = g_strdup (tag);

  if (g_test_subprocess ())
    {
      scratch_root = g_getenv (SCRATCH_ENV);
      g_assert_nonnull (scratch_root);
    }
  else
    {
      g_autofree gchar *name = g_strdup_printf ("gtmp-test-%s-XXXXXX", tag);

      scratch_root_owned = make_scratch (g_build_filename (g_get_tmp_dir (), name, NULL), TRUE);
      g_setenv (SCRATCH_ENV, scratch_root_owned, TRUE);
      scratch_root = scratch_root_owned;
    }
}

/**
 * test_init:
 * @argc: main()'s
 * @argv: main()'s
 * @tag: a word naming the suite
 *
 * g_test_init(), then test_scratch_root_init() with @tag: what every C
 * suite's main() does first.
 */
void
test_init (gint          *argc,
           gchar       ***argv,
           const gchar   *tag)
{
  g_test_init (argc, argv, NULL);
  test_scratch_root_init (tag);
}

/**
 * test_run:
 *
 * g_test_run(), then test_scratch_root_clear().
 *
 * Returns: g_test_run()'s result, main()'s
 */
gint
test_run (void)
{
  gint ret = g_test_run ();

  test_scratch_root_clear ();
  return ret;
}

/**
 * test_scratch_root_clear:
 *
 * Removes the run's scratch directory and everything in it, if this process
 * made it (a subprocess child leaves it to its parent).
 */
void
test_scratch_root_clear (void)
{
  if (scratch_root_owned != NULL)
    test_scratch_free (g_steal_pointer (&scratch_root_owned));
  scratch_root = NULL;
  g_clear_pointer (&scratch_tag, g_free);
}

/**
 * test_scratch_root:
 *
 * Returns: (type filename): the run's scratch directory, from
 *   test_scratch_root_init()
 */
const gchar *
test_scratch_root (void)
{
  g_assert_nonnull (scratch_root);
  return scratch_root;
}

/**
 * test_scratch_dir:
 *
 * The current test case's first scratch directory, named after its test
 * path in the run's: a g_test_trap_subprocess() child of the test computes
 * the same path. It is not made; test_scratch_new() makes it.
 *
 * Returns: (transfer full) (type filename): its path
 */
gchar *
test_scratch_dir (void)
{
  const gchar *test = g_test_get_path ();
  g_autofree gchar *name = NULL;

  name = g_strdelimit (g_strdup (test != NULL && *test != '\0' ? test : "/main"), "/", '_');
  return g_build_filename (test_scratch_root (), name, NULL);
}

/**
 * test_scratch_path:
 * @name: (type filename): a name
 *
 * Returns: (transfer full) (type filename): @name in the current test
 *   case's first scratch directory (see test_scratch_dir())
 */
gchar *
test_scratch_path (const gchar *name)
{
  g_autofree gchar *scratch = test_scratch_dir ();

  return g_build_filename (scratch, name, NULL);
}

/**
 * test_scratch_new:
 *
 * Makes a scratch directory for the current test case in the run's, mode
 * 0755. The first one is test_scratch_dir(); a test that needs more gets
 * fresh ones named after it.
 *
 * Returns: (transfer full) (type filename): its path; free it with
 *   test_scratch_free()
 */
gchar *
test_scratch_new (void)
{
  gchar *first = test_scratch_dir ();
  gchar *template;

  if (!g_file_test (first, G_FILE_TEST_EXISTS))
    return make_scratch (first, FALSE);

  template = g_strconcat (first, "-XXXXXX", NULL);
  g_free (first);
  return make_scratch (template, TRUE);
}

/**
 * test_scratch_new_in:
 * @parent: (type filename): the directory to make it in (another file
 *   system than the run's, say)
 *
 * Makes a fresh scratch directory `gtmp-test-TAG-XXXXXX` in @parent, mode
 * 0755, TAG being the suite's (see test_scratch_root_init()).
 *
 * Returns: (transfer full) (type filename): its path; free it with
 *   test_scratch_free()
 */
gchar *
test_scratch_new_in (const gchar *parent)
{
  g_autofree gchar *name = NULL;

  g_assert_nonnull (scratch_tag);
  name = g_strdup_printf ("gtmp-test-%s-XXXXXX", scratch_tag);
  return make_scratch (g_build_filename (parent, name, NULL), TRUE);
}

/* Removal, with libc alone (nftw), never with the library's own tree
 * removal, which is itself under test. */

static gboolean saw_unreadable;
static gboolean saw_mount;
static gchar   *stuck_mount;

static gboolean
is_mount_point (const char        *path,
                const struct stat *st,
                struct FTW        *ftw)
{
  static dev_t top_dev;
  struct statx stx;

  if (ftw->level == 0)
    {
      top_dev = st->st_dev;
      return FALSE;
    }
  /* A bind mount of a directory of the same file system has the same
   * st_dev: the kernel marks the root of every mount. */
  if (st->st_dev != top_dev)
    return TRUE;
  return statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) == 0 &&
         (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
         (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

/* Pre-order: opens up directories a test left mode 0000 or 0500, and
 * detaches the mounts a test left behind, never entering one (removing
 * what a bind mount shows would remove its source). */
static int
prepare_one (const char        *path,
             const struct stat *st,
             int                type,
             struct FTW        *ftw)
{
  if ((type == FTW_D || type == FTW_DNR) && is_mount_point (path, st, ftw))
    {
      if (umount2 (path, MNT_DETACH) == 0)
        saw_mount = TRUE;
      else if (stuck_mount == NULL)
        stuck_mount = g_strdup (path);
      return FTW_SKIP_SUBTREE;
    }
  if (type == FTW_D || type == FTW_DNR)
    chmod (path, 0700);
  if (type == FTW_DNR)
    saw_unreadable = TRUE;
  return FTW_CONTINUE;
}

static int
remove_one (const char        *path,
            const struct stat *st,
            int                type,
            struct FTW        *ftw)
{
  if (type == FTW_DP)
    rmdir (path);
  else
    unlink (path);
  return 0;
}

/**
 * test_remove_tree:
 * @path: (type filename): a directory, or a path that does not exist
 *
 * Removes @path and everything below it, never following a symbolic link
 * and never entering a mount point (a mount a test left is detached first),
 * and asserts that it is gone. Directories a test left mode 0000 or 0500
 * are opened up first, which matters when the suite does not run as root.
 */
void
test_remove_tree (const gchar *path)
{
  guint passes = 0;

  /* Each pass reaches one level deeper below an unreadable directory, or
   * below a mount it detached. */
  do
    {
      saw_unreadable = saw_mount = FALSE;
      nftw (path, prepare_one, 16, FTW_PHYS | FTW_ACTIONRETVAL);
    }
  while ((saw_unreadable || saw_mount) && ++passes < 16);

  if (stuck_mount != NULL)
    g_error ("%s: a test left a mount point that cannot be detached", stuck_mount);
  g_assert_false (saw_mount);

  nftw (path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/**
 * test_scratch_free:
 * @path: (transfer full) (type filename): a scratch directory
 *
 * Removes @path with test_remove_tree() and frees the string.
 */
void
test_scratch_free (gchar *path)
{
  test_remove_tree (path);
  g_free (path);
}
