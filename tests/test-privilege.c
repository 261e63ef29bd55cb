/* test-privilege.c — what the tests do as root
 *
 * Running code as uid/gid 65534 (root bypasses file modes), skipping a
 * test that needs root, and mounting a small tmpfs in a mount namespace of
 * the test's own.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* unshare() */
#endif

#include <errno.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
# include <sched.h>
#endif

#include "test-util.h"

/**
 * test_run_as_nobody:
 * @func: what to run
 * @data: passed to @func
 *
 * Runs @func in a forked child as uid/gid 65534 (root bypasses file modes;
 * when not root, as the current user) and asserts that the child returned
 * from @func and exited normally.
 */
void
test_run_as_nobody (TestNobodyFunc func,
                    gpointer       data)
{
  pid_t pid;
  gint status = 0;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (geteuid () == 0 &&
          (setgroups (0, NULL) < 0 ||
           setgid (TEST_NOBODY) < 0 ||
           setuid (TEST_NOBODY) < 0))
        _exit (2);
      func (data);
      test_child_succeed ();
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/**
 * test_need_root:
 * @what_for: why the test needs root, completing "needs root, …"
 *
 * Marks the current test skipped unless the process runs as root: only root
 * can drop to another uid (file modes bind only a process that is not root)
 * or mount.
 *
 * Returns: whether the process runs as root
 */
gboolean
test_need_root (const gchar *what_for)
{
  g_autofree gchar *reason = NULL;

  if (geteuid () == 0)
    return TRUE;

  reason = g_strdup_printf ("needs root, %s", what_for);
  test_skip (reason);
  return FALSE;
}

/**
 * test_drop_privileges:
 *
 * Makes this process uid/gid 65534 with no supplementary groups, for good.
 * For a g_test_trap_subprocess() child that started as root.
 */
void
test_drop_privileges (void)
{
  g_assert_no_errno (setgroups (0, NULL));
  g_assert_no_errno (setgid (TEST_NOBODY));
  g_assert_no_errno (setuid (TEST_NOBODY));
  g_assert_cmpint (geteuid (), ==, TEST_NOBODY);
}

/**
 * test_enter_mount_namespace:
 *
 * For a test that mounts. In the test process: runs the test case again in
 * a g_test_trap_subprocess() child (as root; otherwise the test is
 * skipped), asserts that it passed, and returns %FALSE. In that child:
 * moves into a mount namespace of its own, so that no mount outlives a test
 * that dies half-way, and returns %TRUE (%FALSE, skipped, where that is
 * refused).
 *
 * Returns: whether the caller is the child, ready to mount
 */
gboolean
test_enter_mount_namespace (void)
{
#ifdef __linux__
  if (!g_test_subprocess ())
    {
      if (test_need_root ("to mount a tmpfs"))
        test_run_in_subprocess ();
      return FALSE;
    }

  if (unshare (CLONE_NEWNS) < 0 ||
      mount (NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    {
      test_skip_printf ("cannot make a mount namespace: %s", g_strerror (errno));
      return FALSE;
    }

  return TRUE;
#else
  test_skip ("mount(2) test is Linux-only");
  return FALSE;
#endif
}

/**
 * test_mount_tmpfs:
 * @dir: an empty directory
 *
 * Mounts a 1 MiB tmpfs on @dir: another file system, small enough to fill.
 *
 * Returns: %TRUE, or %FALSE (the test skipped) where that is refused
 */
gboolean
test_mount_tmpfs (const gchar *dir)
{
  if (mount ("gtmp-test", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0)
    {
      test_skip_printf ("cannot mount a tmpfs: %s", g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}
