/* test-subprocess.c — test cases that run again in a subprocess, and skip
 *
 * GLib's parent of a g_test_trap_subprocess() child sees only its exit
 * status: a child that called g_test_skip() exits 77 (GLib 2.74), which
 * the parent's g_test_trap_assert_passed() calls a failure, and where the
 * parent only looks for a crash, a pass. Here the child also writes its
 * reason, once its test function returned, to a file the parent made (named after the test path in
 * the run's scratch directory, writable by every user: the child may have
 * dropped to uid 65534), and the parent skips with that reason.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

/* Where a child of the current test case writes why it skipped. */
static gchar *
skip_report_path (void)
{
  g_autofree gchar *dir = test_scratch_dir ();

  return g_strconcat (dir, ".skipped", NULL);
}

/* Queued (g_test_queue_destroy()) by a child's test_skip(): it runs when the
 * test function has returned, so a child that skipped and then crashed or
 * failed an assertion never reports, and its parent sees a failure. */
static void
report_skip (gpointer reason)
{
  g_autofree gchar *report = skip_report_path ();
  gsize len = strlen (reason);
  gint fd;

  /* No file: the child was started by hand, with no parent to tell. */
  fd = open (report, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, reason, len) != (gssize) len)
        g_error ("%s: cannot report a skip: %s", report, g_strerror (errno));
      close (fd);
    }
  g_free (reason);
}

/**
 * test_skip:
 * @reason: why the test cannot run here
 *
 * g_test_skip(); in a g_test_trap_subprocess() child started by
 * test_trap_subprocess(), the parent skips too, with @reason.
 */
void
test_skip (const gchar *reason)
{
  g_test_skip (reason);
  if (g_test_subprocess ())
    g_test_queue_destroy (report_skip, g_strdup (reason));
}

/**
 * test_skip_printf:
 * @format: the reason, a printf() format
 * @...: its arguments
 *
 * test_skip() with a formatted reason.
 */
void
test_skip_printf (const gchar *format,
                  ...)
{
  g_autofree gchar *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  test_skip (reason);
}

/**
 * test_trap_subprocess:
 * @timeout_us: as for g_test_trap_subprocess()
 * @flags: as for g_test_trap_subprocess()
 *
 * g_test_trap_subprocess() for the current test case; when the child
 * skipped (test_skip()), the test is skipped here with the child's reason.
 *
 * Returns: %FALSE when the child skipped; %TRUE when it ran, and the
 *   g_test_trap_assert_*() checks apply
 */
gboolean
test_trap_subprocess (guint64              timeout_us,
                      GTestSubprocessFlags flags)
{
  g_autofree gchar *report = skip_report_path ();
  g_autofree gchar *reason = NULL;
  g_autoptr(GError) error = NULL;
  gint fd;

  fd = open (report, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  g_assert_no_errno (fd);
  g_assert_no_errno (fchmod (fd, 0666));
  g_assert_no_errno (close (fd));

  g_test_trap_subprocess (NULL, timeout_us, flags);

  g_file_get_contents (report, &reason, NULL, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_unlink (report));
  if (*reason == '\0')
    return TRUE;

  /* It exited 77, which g_test_trap_has_passed() calls a failure. */
  g_test_skip (reason);
  return FALSE;
}

/**
 * test_run_in_subprocess:
 *
 * Runs the current test case again in a g_test_trap_subprocess() child
 * (which finds its parent's fixture in test_scratch_dir()), and asserts
 * that it passed, or skips when it skipped.
 *
 * Returns: %FALSE when the child skipped (the test is skipped)
 */
gboolean
test_run_in_subprocess (void)
{
  if (!test_trap_subprocess (0, G_TEST_SUBPROCESS_INHERIT_STDERR))
    return FALSE;
  g_test_trap_assert_passed ();
  return TRUE;
}
