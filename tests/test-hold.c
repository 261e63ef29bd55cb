/* test-hold.c — a thread held inside the library while the test forks
 *
 * Issue 17 (process safety): what a child forked while another thread is
 * inside an operation does with the object. The test's hook (one of the
 * library's test hooks) calls test_hold_here(), which holds that thread,
 * in the parent only, until the child is done.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
# include <signal.h>
# include <sys/prctl.h>
#endif

#include "test-util.h"

/**
 * test_hold_init:
 * @hold: (out caller-allocates): to hold a thread of this process
 */
void
test_hold_init (TestHold *hold)
{
  *hold = (TestHold) { getpid (), 0, 0 };
}

/**
 * test_hold_here:
 * @hold: from test_hold_init()
 *
 * For the test's hook: in the process that made @hold (not in a forked
 * child, where the hook runs too), says it is here and waits until
 * test_fork_while_held() releases it. Once released, it holds no more.
 */
void
test_hold_here (TestHold *hold)
{
  if (getpid () != hold->parent)
    return;
  g_atomic_int_set (&hold->entered, 1);
  while (!g_atomic_int_get (&hold->released))
    g_usleep (1000);
}

/**
 * test_fork_while_held:
 * @hold: from test_hold_init(), its hook installed and the operation
 *   started in another thread
 * @child: what the child does (it fails by _exit() with a nonzero status)
 * @data: @child's argument
 *
 * Waits until the operation is held, forks a child that runs @child
 * (killed if the parent dies; it must end within 10 s, with status 0),
 * then releases the operation.
 */
void
test_fork_while_held (TestHold      *hold,
                      TestChildFunc  child,
                      gpointer       data)
{
  gint status;
  pid_t pid;

  while (!g_atomic_int_get (&hold->entered))
    g_usleep (1000);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
#ifdef __linux__
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
        _exit (5);
#endif
      if (getppid () != hold->parent)
        _exit (5);
      child (data);
      test_child_succeed ();
    }

  g_assert_true (test_wait_or_kill (pid, 10 * G_USEC_PER_SEC, &status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_atomic_int_set (&hold->released, 1);
}
