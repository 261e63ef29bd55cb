/* test-process.c — threads, descriptors and forked children
 *
 * Creating files from many threads at once, counting and checking this
 * process's descriptors, and forking children that must end in time.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */

typedef struct
{
  const gchar    *dir;
  TestCreateFunc  create;
  guint           n_files;
} CreateJob;

static gpointer
create_files_thread (gpointer data)
{
  const CreateJob *job = data;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < job->n_files; i++)
    {
      g_autoptr(GError) error = NULL;
      gchar *path = NULL;
      gint fd = job->create (job->dir, &path, &error);

      g_assert_no_error (error);
      close (fd);
      g_ptr_array_add (paths, path);
    }
  return paths;
}

/**
 * test_create_in_threads:
 * @dir: (type filename): where
 * @create: makes one file, returning its descriptor and path
 * @n_threads: how many threads create at once (at most 16)
 * @per_thread: how many files each creates
 *
 * Threads creating files in one directory at once: asserts that every
 * file is distinct and really there.
 */
void
test_create_in_threads (const gchar    *dir,
                        TestCreateFunc  create,
                        guint           n_threads,
                        guint           per_thread)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CreateJob job = { dir, create, per_thread };
  GThread *threads[16];

  g_assert_cmpuint (n_threads, <=, G_N_ELEMENTS (threads));
  for (guint i = 0; i < n_threads; i++)
    threads[i] = g_thread_new ("create", create_files_thread, &job);
  for (guint i = 0; i < n_threads; i++)
    {
      g_autoptr(GPtrArray) paths = g_thread_join (threads[i]);

      for (guint j = 0; j < paths->len; j++)
        g_assert_true (g_hash_table_add (seen, g_strdup (g_ptr_array_index (paths, j))));
    }

  g_assert_cmpuint (g_hash_table_size (seen), ==, n_threads * per_thread);
  g_assert_cmpuint (test_count_entries (dir), ==, n_threads * per_thread);
}

/* ------------------------------------------------------------------------ */
/* Processes                                                                 */

/**
 * test_count_open_fds:
 *
 * The descriptor used to read `/proc/self/fd` is counted every time, so two
 * counts compare: equal before and after means nothing leaked.
 *
 * Returns: how many descriptors this process has open
 */
guint
test_count_open_fds (void)
{
  return test_count_entries ("/proc/self/fd");
}

/**
 * test_has_cloexec:
 * @fd: an open descriptor
 *
 * Returns: whether @fd is close-on-exec
 */
gboolean
test_has_cloexec (gint fd)
{
  gint flags = fcntl (fd, F_GETFD);

  g_assert_cmpint (flags, >=, 0);
  return (flags & FD_CLOEXEC) != 0;
}

/**
 * test_lowest_free_fd:
 *
 * Returns: the descriptor the next open() will get
 */
gint
test_lowest_free_fd (void)
{
  gint fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  return fd;
}

/**
 * test_child_succeed:
 *
 * Ends a forked child with status 0, as `_exit (0)` would, but by exec()ing
 * `true`: under Valgrind (`meson test --setup valgrind`), what another
 * parent thread held at fork time has no owner left in the child and would
 * be reported as a definite leak at its exit, failing it. An exec() ends
 * the image without that check.
 */
void
test_child_succeed (void)
{
  execl ("/bin/true", "true", (char *) NULL);
  _exit (0);
}

/**
 * test_wait_or_kill:
 * @pid: a child process
 * @timeout_us: how long it may take, in microseconds
 * @status: (out): its wait status
 *
 * Waits for @pid, killing it (SIGKILL) when it takes longer than
 * @timeout_us: a hung child is counted by the test, not waited for forever.
 *
 * Returns: whether it ended by itself in time
 */
gboolean
test_wait_or_kill (pid_t   pid,
                   gint64  timeout_us,
                   gint   *status)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (g_get_monotonic_time () < deadline)
    {
      pid_t res = waitpid (pid, status, WNOHANG);

      if (res == pid)
        return TRUE;
      g_assert_cmpint (res, ==, 0);
      g_usleep (1000);
    }

  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_cmpint (waitpid (pid, status, 0), ==, pid);
  return FALSE;
}

/**
 * test_fork_children:
 * @n: how many children, one after the other
 * @timeout_us: how long each may take, in microseconds
 * @child: what each runs; it ends with _exit(), 0 for success
 * @data: @child's argument
 * @hung: (inout): counts the children killed for taking too long
 * @failed: (inout): counts the others that did not exit with 0
 *
 * Forks @n children at random moments (what another thread of the test is
 * doing meanwhile is the point) and waits for each.
 */
void
test_fork_children (guint          n,
                    gint64         timeout_us,
                    TestChildFunc  child,
                    gpointer       data,
                    guint         *hung,
                    guint         *failed)
{
  for (guint i = 0; i < n; i++)
    {
      gint status;
      pid_t pid;

      g_usleep (g_random_int_range (0, 2000));
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          child (data);
          _exit (127);
        }

      if (!test_wait_or_kill (pid, timeout_us, &status))
        (*hung)++;
      else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        (*failed)++;
    }
}
