/* test-two-fs.c — two scratch directories on two file systems
 *
 * For persists across file systems: /dev/shm against the run's scratch
 * directory where they differ, or a small tmpfs mounted (as root) on a
 * scratch directory.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <sys/mount.h>
#include <sys/stat.h>

#include "test-util.h"

/**
 * test_two_fs_init:
 * @fs: (out caller-allocates): cleared with test_two_fs_clear()
 * @kind: which directory is where
 *
 * Makes @fs's two scratch directories, or skips the test (and returns
 * %FALSE, @fs holding nothing) where this machine has no two file systems
 * to offer: /dev/shm is the usual other one, not a certain one; a mount
 * needs root.
 *
 * Returns: whether they were made
 */
gboolean
test_two_fs_init (TestTwoFs     *fs,
                  TestTwoFsKind  kind)
{
  *fs = (TestTwoFs) TEST_TWO_FS_INIT;

  if (kind == TEST_TWO_FS_TO_TMPFS)
    {
      if (!test_need_root ("to mount a tmpfs"))
        return FALSE;
      fs->src_dir = test_scratch_new ();
      fs->dest_dir = test_scratch_new ();
      if (!test_mount_tmpfs (fs->dest_dir))
        {
          test_two_fs_clear (fs);
          return FALSE;
        }
      fs->mounted = TRUE;
      /* Like the scratch directory it hides (a tmpfs root is 1777). */
      g_assert_no_errno (chmod (fs->dest_dir, 0755));
      return TRUE;
    }

  if (!test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
    return FALSE;
  if (kind == TEST_TWO_FS_FROM_SHM)
    {
      fs->src_dir = test_scratch_new_in ("/dev/shm");
      fs->dest_dir = test_scratch_new ();
    }
  else
    {
      fs->src_dir = test_scratch_new ();
      fs->dest_dir = test_scratch_new_in ("/dev/shm");
    }
  return TRUE;
}

/**
 * test_two_fs_clear:
 * @fs: from test_two_fs_init(), or %TEST_TWO_FS_INIT
 *
 * Unmounts @fs's tmpfs, if any, and removes its two directories.
 */
void
test_two_fs_clear (TestTwoFs *fs)
{
  if (fs->mounted)
    g_assert_no_errno (umount2 (fs->dest_dir, MNT_DETACH));
  fs->mounted = FALSE;
  if (fs->src_dir != NULL)
    test_scratch_free (g_steal_pointer (&fs->src_dir));
  if (fs->dest_dir != NULL)
    test_scratch_free (g_steal_pointer (&fs->dest_dir));
}
