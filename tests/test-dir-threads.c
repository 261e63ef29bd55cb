/* test-dir-threads.c — GTmpDir's documented rules for calls from several
 * threads at once: one cleanup at a time, get_fd() meanwhile, notifications,
 * a cancel that comes while a worker publishes
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <string.h>
#ifdef __linux__
# include <sys/mount.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-rmtree.h"
#include "gtmp-testing.h"
#include "test-util.h"

/* How long a call that must wait is given to (wrongly) finish. */
#define GRACE_US (200 * 1000)

/* A call run in a thread of its own. */
typedef struct
{
  GTmpDir     *tmp;
  const gchar *dest;     /* persist: where to */
  gboolean     ret;
  GError      *error;
  gint         done;
} Call;

static gpointer
cleanup_thread (gpointer data)
{
  Call *call = data;

  call->ret = g_tmp_dir_cleanup (call->tmp, NULL, &call->error);
  g_atomic_int_set (&call->done, 1);
  return NULL;
}

static gpointer
persist_thread (gpointer data)
{
  Call *call = data;

  call->ret = g_tmp_dir_persist (call->tmp, call->dest, G_TMP_PERSIST_SYNC, NULL, &call->error);
  g_atomic_int_set (&call->done, 1);
  return NULL;
}

/* The hooks hold the first caller (in any thread) until released, and count
 * every call: a second removal of the tree would show as a second call. */
typedef struct
{
  TestHold hold;
  gint     calls;
} Held;

static void
hold_in_batch (gint     dirfd,
               gpointer user_data)
{
  Held *held = user_data;

  g_atomic_int_inc (&held->calls);
  test_hold_here (&held->hold);
}

static gboolean
hold_in_sync (gint     fd,
              gpointer user_data)
{
  hold_in_batch (fd, user_data);
  return TRUE;
}

static void
wait_entered (Held *held)
{
  while (!g_atomic_int_get (&held->hold.entered))
    g_usleep (1000);
}

static void
release (Held *held)
{
  g_atomic_int_set (&held->hold.released, 1);
}

static void
record_thread (GObject    *object,
               GParamSpec *pspec,
               gpointer    user_data)
{
  GThread **where = user_data;

  *where = g_thread_self ();
}

static gpointer
set_ignore_thread (gpointer data)
{
  g_tmp_dir_set_ignore_cleanup_errors (data, TRUE);
  g_tmp_dir_set_delete (data, FALSE);
  return g_thread_self ();
}

/* GTmpDir, Threads: "One cleanup runs at a time: a cleanup started while
 * another is under way waits for it and then succeeds if it did", "while a
 * cleanup is under way get_fd() returns -1", "a persist waits for a cleanup
 * under way in another thread" (then CLOSED: it has been removed), and the
 * setters notify in the thread that called them. */
static void
test_cleanup_while_cleaning (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "published", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *inside = NULL;
  GThread *ignore_notified_in = NULL;
  GThread *delete_notified_in = NULL;
  GThread *cleaner, *persister, *setter, *setter_self;
  Call second = { 0, }, persist = { 0, };
  Held held = { 0, };
  GTmpDir *tmp;

  tmp = g_tmp_dir_new (base, NULL, NULL, &error);
  g_assert_no_error (error);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  inside = g_build_filename (path, "a", NULL);
  test_write_file (inside, "x");
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
  g_signal_connect (tmp, "notify::ignore-cleanup-errors", G_CALLBACK (record_thread),
                    &ignore_notified_in);
  g_signal_connect (tmp, "notify::delete", G_CALLBACK (record_thread), &delete_notified_in);

  test_hold_init (&held.hold);
  _g_tmp_rmtree_set_batch_hook (hold_in_batch, &held);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  wait_entered (&held);

  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);

  second.tmp = persist.tmp = tmp;
  persist.dest = dest;
  cleaner = g_thread_new ("cleanup", cleanup_thread, &second);
  persister = g_thread_new ("persist", persist_thread, &persist);
  setter = g_thread_new ("setter", set_ignore_thread, tmp);
  setter_self = g_thread_join (setter);
  g_usleep (GRACE_US);

  /* Both wait, without a removal of their own. */
  g_assert_false (g_atomic_int_get (&second.done));
  g_assert_false (g_atomic_int_get (&persist.done));
  g_assert_cmpint (g_atomic_int_get (&held.calls), ==, 1);
  g_assert_true (test_path_exists (path));
  g_assert_false (test_path_exists (dest));
  g_assert_true (ignore_notified_in == setter_self);
  g_assert_true (delete_notified_in == setter_self);

  release (&held);
  g_assert_true (g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_thread_join (cleaner);
  g_thread_join (persister);
  _g_tmp_rmtree_set_batch_hook (NULL, NULL);

  g_assert_no_error (second.error);
  g_assert_true (second.ret);
  test_assert_error_names (persist.error, G_IO_ERROR_CLOSED, dest);
  g_assert_false (persist.ret);
  g_assert_cmpint (held.calls, ==, 1);
  g_assert_false (test_path_exists (path));
  g_assert_false (test_path_exists (dest));
  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);

  g_clear_error (&persist.error);
  g_object_unref (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 0);
  test_scratch_free (g_steal_pointer (&base));
}

/* g_tmp_dir_get_fd(): -1 "while a cleanup or a persist is under way"; a
 * cleanup waits for the persist, then leaves the published directory. */
static void
test_fd_while_persisting (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "published", NULL);
  g_autofree gchar *inside = NULL;
  g_autofree gchar *published = g_build_filename (dest, "a", NULL);
  g_autoptr(GError) error = NULL;
  Call persist = { 0, }, cleanup = { 0, };
  Held held = { 0, };
  GThread *persister, *cleaner;
  struct stat by_fd, by_path;
  GTmpDir *tmp;
  gint fd;

  tmp = g_tmp_dir_new (base, NULL, NULL, &error);
  g_assert_no_error (error);
  inside = g_build_filename (g_tmp_dir_get_path (tmp), "a", NULL);
  test_write_file (inside, "x");

  test_hold_init (&held.hold);
  _g_tmp_core_set_sync_hook (hold_in_sync, &held);
  persist.tmp = cleanup.tmp = tmp;
  persist.dest = dest;
  persister = g_thread_new ("persist", persist_thread, &persist);
  wait_entered (&held);

  g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, -1);
  cleaner = g_thread_new ("cleanup", cleanup_thread, &cleanup);
  g_usleep (GRACE_US);
  g_assert_false (g_atomic_int_get (&cleanup.done));

  release (&held);
  g_thread_join (persister);
  g_thread_join (cleaner);
  _g_tmp_core_set_sync_hook (NULL, NULL);

  g_assert_no_error (persist.error);
  g_assert_true (persist.ret);
  /* A published directory: the cleanup succeeds and removes nothing. */
  g_assert_no_error (cleanup.error);
  g_assert_true (cleanup.ret);
  test_assert_file_contents (published, "x");

  fd = g_tmp_dir_get_fd (tmp);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (fstat (fd, &by_fd));
  g_assert_no_errno (stat (dest, &by_path));
  g_assert_cmpuint (by_fd.st_ino, ==, by_path.st_ino);

  g_object_unref (tmp);
  g_assert_true (test_path_exists (dest));
  test_remove_tree (dest);
  test_scratch_free (g_steal_pointer (&base));
}

/* Holds the flush of the destination's directory, which comes after the
 * rename (the directory is published by then). */
typedef struct
{
  Held         held;
  const gchar *dest;
} HeldAfterRename;

static gboolean
hold_after_rename (gint     fd,
                   gpointer user_data)
{
  HeldAfterRename *after = user_data;

  if (test_path_exists (after->dest))
    hold_in_batch (fd, &after->held);
  return TRUE;
}

/* g_tmp_dir_persist_async(): "a cancellation that comes after the rename
 * does not report a failure, since the directory has been published". */
static void
test_persist_async_cancelled_after_rename (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "published", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeldAfterRename after = { { { 0, }, 0 }, dest };
  GTmpDir *tmp;

  tmp = g_tmp_dir_new (base, NULL, NULL, &error);
  g_assert_no_error (error);

  test_hold_init (&after.held.hold);
  _g_tmp_core_set_sync_hook (hold_after_rename, &after);
  g_tmp_dir_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, cancellable,
                           test_store_result, &result);
  wait_entered (&after.held);
  g_cancellable_cancel (cancellable);
  release (&after.held);

  g_assert_true (g_tmp_dir_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  _g_tmp_core_set_sync_hook (NULL, NULL);
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, dest);
  g_assert_false (g_tmp_dir_get_delete (tmp));

  g_object_unref (tmp);
  g_assert_true (test_path_exists (dest));
  test_remove_tree (dest);
  test_scratch_free (g_steal_pointer (&base));
}

#ifdef __linux__
/* A GTmpDir in @base with a tmpfs mounted at mnt inside it, which no
 * cleanup removes; NULL (the test skipped) where mounting is refused. */
static GTmpDir *
new_with_mount (const gchar  *base,
                gchar       **mnt)
{
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = g_tmp_dir_new (base, NULL, NULL, &error);

  g_assert_no_error (error);
  *mnt = g_build_filename (g_tmp_dir_get_path (tmp), "mnt", NULL);
  g_assert_no_errno (g_mkdir (*mnt, 0700));
  if (!test_mount_tmpfs (*mnt))
    {
      g_clear_pointer (mnt, g_free);
      g_object_unref (tmp);
      return NULL;
    }

  return tmp;
}

/* Runs cleanup_async() with ignore-cleanup-errors @ignore, flipped right
 * after the call (the worker has usually not started yet); returns what
 * cleanup_finish() says. */
static gboolean
cleanup_async_then_flip (GTmpDir   *tmp,
                         gboolean   ignore,
                         GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_tmp_dir_set_ignore_cleanup_errors (tmp, ignore);
  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  g_tmp_dir_set_ignore_cleanup_errors (tmp, !ignore);

  return g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), error);
}
#endif

/* cleanup_async(): ignore-cleanup-errors "is read now, when the call is
 * made"; changing it meanwhile affects the next cleanup only. In a mount
 * namespace of its own (a tmpfs mounted inside the tree is what cannot be
 * removed). */
static void
test_ignore_read_at_call (void)
{
#ifdef __linux__
  g_autofree gchar *base = NULL;
  g_autofree gchar *mnt = NULL;
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp;

  if (!test_enter_mount_namespace ())
    return;

  base = test_scratch_new ();
  tmp = new_with_mount (base, &mnt);
  if (tmp == NULL)
    return;

  /* Not ignored at the call: the error, though set meanwhile. */
  g_assert_false (cleanup_async_then_flip (tmp, FALSE, &error));
  test_assert_error_names (error, G_IO_ERROR_BUSY, mnt);
  g_clear_error (&error);
  g_assert_true (g_tmp_dir_get_ignore_cleanup_errors (tmp));

  /* Ignored at the call: success, though cleared meanwhile. */
  g_assert_true (cleanup_async_then_flip (tmp, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (g_tmp_dir_get_ignore_cleanup_errors (tmp));
  g_assert_true (test_path_exists (mnt));

  /* That cleanup succeeded: later ones do nothing, as documented. */
  g_assert_no_errno (umount (mnt));
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_path_exists (mnt));
  g_object_unref (tmp);
  g_assert_true (test_path_exists (mnt));
  test_scratch_free (g_steal_pointer (&base));
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "dir-threads");

  g_test_add_func ("/tmp-dir/threads/cleanup-while-cleaning", test_cleanup_while_cleaning);
  g_test_add_func ("/tmp-dir/threads/fd-while-persisting", test_fd_while_persisting);
  g_test_add_func ("/tmp-dir/threads/persist-cancelled-after-rename",
                   test_persist_async_cancelled_after_rename);
  g_test_add_func ("/tmp-dir/threads/ignore-read-at-call", test_ignore_read_at_call);

  return test_run ();
}
