/* test-dir-persist.c — g_tmp_dir_persist(), checked on disk
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gtempfile-private.h"
#include "gtmp-testing.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
# include <linux/filter.h>
# include <linux/seccomp.h>
# include <stddef.h>
# include <sys/mount.h>
# include <sys/prctl.h>
# include <sys/syscall.h>
#endif

#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

/* A GTmpDir in @base holding "content" ("new") and "sub/deep" ("new"). */
static GTmpDir *
new_tree (const gchar *base)
{
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = g_tmp_dir_new (base, ".build-", NULL, &error);
  g_autofree gchar *content = NULL;
  g_autofree gchar *sub = NULL;
  g_autofree gchar *deep = NULL;

  g_assert_no_error (error);
  content = g_build_filename (g_tmp_dir_get_path (tmp), "content", NULL);
  sub = g_build_filename (g_tmp_dir_get_path (tmp), "sub", NULL);
  deep = g_build_filename (sub, "deep", NULL);
  test_write_file (content, "new");
  test_make_dir (sub, 0755);
  test_write_file (deep, "new");
  return tmp;
}

/* A live directory at @path holding "content" ("old") and "old-only/x". */
static void
make_live (const gchar *path)
{
  g_autofree gchar *content = g_build_filename (path, "content", NULL);
  g_autofree gchar *only = g_build_filename (path, "old-only", NULL);
  g_autofree gchar *x = g_build_filename (only, "x", NULL);

  test_make_dir (path, 0755);
  test_write_file (content, "old");
  test_make_dir (only, 0755);
  test_write_file (x, "old");
}

static void
assert_new_tree (const gchar *path)
{
  g_autofree gchar *content = g_build_filename (path, "content", NULL);
  g_autofree gchar *deep = g_build_filename (path, "sub", "deep", NULL);

  test_assert_file_contents (content, "new");
  test_assert_file_contents (deep, "new");
  g_assert_cmpuint (test_count_entries (path), ==, 2);
}

static void
assert_old_tree (const gchar *path)
{
  g_autofree gchar *content = g_build_filename (path, "content", NULL);
  g_autofree gchar *x = g_build_filename (path, "old-only", "x", NULL);

  test_assert_file_contents (content, "old");
  test_assert_file_contents (x, "old");
  g_assert_cmpuint (test_count_entries (path), ==, 2);
}

static gboolean
same_file (gint         fd,
           const gchar *path)
{
  struct stat a, b;

  g_assert_no_errno (fstat (fd, &a));
  return lstat (path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* A failed persist changed nothing: the tree is where it was, whole, and
 * still removed with the object. */
static void
assert_unchanged (GTmpDir     *tmp,
                  const gchar *path)
{
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, path);
  g_assert_true (g_tmp_dir_get_delete (tmp));
  assert_new_tree (path);
  g_assert_true (same_file (g_tmp_dir_get_fd (tmp), path));
}

/* Drops the last reference and waits until dispose has run: after an
 * async call the worker may hold the task, and through it @tmp, a moment
 * after the callback, and drop it (and dispose) in its own thread. A weak
 * notify comes when dispose chains up, after its cleanup. */
static void
unref_and_wait_disposed (GTmpDir *tmp)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint disposed = 0;

  g_object_weak_ref (G_OBJECT (tmp), test_mark_finalized, &disposed);
  g_object_unref (tmp);
  while (!g_atomic_int_get (&disposed))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
unref_gone (GTmpDir     *tmp,
            const gchar *path)
{
  unref_and_wait_disposed (tmp);
  g_assert_false (test_path_exists (path));
}

/* ------------------------------------------------------------------------ */
/* Rename into place                                                         */

/* To a new name: the object describes the published directory from then
 * on, and nothing removes it. */
static void
test_new_name (gconstpointer held_fd)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "site", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  const gchar *held_path = g_tmp_dir_get_path (tmp);
  g_autofree gchar *old_path = g_strdup (held_path);
  guint path_notified = 0, delete_notified = 0;
  gint fd = held_fd ? g_tmp_dir_get_fd (tmp) : -1;

  g_signal_connect (tmp, "notify::path", G_CALLBACK (test_count_notify), &path_notified);
  g_signal_connect (tmp, "notify::delete", G_CALLBACK (test_count_notify), &delete_notified);

  g_assert_true (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);

  assert_new_tree (dest);
  g_assert_false (test_path_exists (old_path));
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, dest);
  /* A string handed out before the persist stays valid (getting-started.md). */
  g_assert_cmpstr (held_path, ==, old_path);
  g_assert_false (g_tmp_dir_get_delete (tmp));
  g_assert_cmpuint (path_notified, ==, 1);
  g_assert_cmpuint (delete_notified, ==, 1);

  /* The held descriptor is the published directory (same one). */
  if (held_fd)
    g_assert_cmpint (g_tmp_dir_get_fd (tmp), ==, fd);
  g_assert_true (same_file (g_tmp_dir_get_fd (tmp), dest));

  /* Neither an explicit cleanup nor dispose removes it. */
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_no_error (error);
  assert_new_tree (dest);
  g_object_unref (tmp);
  assert_new_tree (dest);
  g_assert_cmpuint (test_count_entries (base), ==, 1);

  test_scratch_free (g_steal_pointer (&base));
}

/* An empty directory at @path is replaced; a relative path and a trailing
 * slash name it as rename() would. */
static void
test_replace_empty (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "site", NULL);
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);

  test_make_dir (dest, 0755);
  g_assert_no_errno (chdir (base));
  g_assert_true (g_tmp_dir_persist (tmp, "site/", G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_errno (chdir (cwd));
  g_assert_no_error (error);

  assert_new_tree (dest);
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, dest);
  g_object_unref (tmp);
  assert_new_tree (dest);
  g_assert_cmpuint (test_count_entries (base), ==, 1);

  test_scratch_free (g_steal_pointer (&base));
}

/* What NONE leaves alone: a directory with entries, a file, a symbolic link
 * (to a directory, empty or not, to a file, dangling); nothing is published
 * through a link and its target is untouched. */
static void
test_refused (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *full = g_build_filename (base, "full", NULL);
  g_autofree gchar *file = g_build_filename (base, "file", NULL);
  g_autofree gchar *empty = g_build_filename (base, "empty", NULL);
  g_autofree gchar *link_full = g_build_filename (base, "link-full", NULL);
  g_autofree gchar *link_empty = g_build_filename (base, "link-empty", NULL);
  g_autofree gchar *link_file = g_build_filename (base, "link-file", NULL);
  g_autofree gchar *dangling = g_build_filename (base, "dangling", NULL);
  struct {
    const gchar *dest;
    gint code;
  } cases[] = {
    { full, G_IO_ERROR_NOT_EMPTY },
    { file, G_IO_ERROR_NOT_DIRECTORY },
    { link_full, G_IO_ERROR_NOT_DIRECTORY },
    { link_empty, G_IO_ERROR_NOT_DIRECTORY },
    { link_file, G_IO_ERROR_NOT_DIRECTORY },
    { dangling, G_IO_ERROR_NOT_DIRECTORY },
  };
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  make_live (full);
  test_write_file (file, "file");
  test_make_dir (empty, 0755);
  g_assert_no_errno (symlink ("full", link_full));
  g_assert_no_errno (symlink ("empty", link_empty));
  g_assert_no_errno (symlink ("file", link_file));
  g_assert_no_errno (symlink ("nowhere", dangling));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (g_tmp_dir_persist (tmp, cases[i].dest, G_TMP_PERSIST_NONE, NULL, &error));
      test_assert_error_names (error, cases[i].code, cases[i].dest);
      assert_unchanged (tmp, path);
    }

  assert_old_tree (full);
  test_assert_file_contents (file, "file");
  g_assert_cmpuint (test_count_entries (empty), ==, 0);
  {
    g_autofree gchar *target = g_file_read_link (link_empty, NULL);

    g_assert_cmpstr (target, ==, "empty");
  }
  g_assert_true (g_file_test (link_full, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (dangling, G_FILE_TEST_IS_SYMLINK));

  unref_gone (tmp, path);
  test_scratch_free (g_steal_pointer (&base));
}

/* A symbolic link in the directory part of @path is followed, as by
 * rename(); the move is made in the directory it leads to. */
static void
test_link_in_parent (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *real = g_build_filename (base, "real", NULL);
  g_autofree gchar *link = g_build_filename (base, "link", NULL);
  g_autofree gchar *dest = g_build_filename (link, "site", NULL);
  g_autofree gchar *real_dest = g_build_filename (real, "site", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);

  test_make_dir (real, 0755);
  g_assert_no_errno (symlink ("real", link));
  g_assert_true (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_no_error (error);
  assert_new_tree (real_dest);
  g_object_unref (tmp);
  assert_new_tree (real_dest);

  test_scratch_free (g_steal_pointer (&base));
}

static void
test_no_replace (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *empty = g_build_filename (base, "empty", NULL);
  g_autofree gchar *link = g_build_filename (base, "link", NULL);
  g_autofree gchar *dest = g_build_filename (base, "site", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  test_make_dir (empty, 0755);
  g_assert_no_errno (symlink ("empty", link));

  g_assert_false (g_tmp_dir_persist (tmp, empty, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_EXISTS, empty);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  g_assert_cmpuint (test_count_entries (empty), ==, 0);

  g_assert_false (g_tmp_dir_persist (tmp, link, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_EXISTS, link);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  g_assert_true (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  g_assert_no_error (error);
  assert_new_tree (dest);
  g_object_unref (tmp);
  assert_new_tree (dest);

  test_scratch_free (g_steal_pointer (&base));
}

/* A directory moved into itself (or into its own tree) is refused. */
static void
test_into_itself (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  g_autofree gchar *inside = g_build_filename (path, "sub", "site", NULL);

  g_assert_false (g_tmp_dir_persist (tmp, inside, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, inside);
  g_clear_error (&error);
  assert_unchanged (tmp, path);

  /* Swapping with the directory that holds it. */
  g_assert_false (g_tmp_dir_persist (tmp, base, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, base);
  g_clear_error (&error);
  assert_unchanged (tmp, path);

  unref_gone (tmp, path);
  test_scratch_free (g_steal_pointer (&base));
}

/* Persisted once, it can move again; it cannot be exchanged any more.
 * Cleaned up, it cannot be persisted. */
static void
test_twice (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *first = g_build_filename (base, "first", NULL);
  g_autofree gchar *second = g_build_filename (base, "second", NULL);
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);

  make_live (live);
  g_assert_true (g_tmp_dir_persist (tmp, first, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_true (g_tmp_dir_persist (tmp, second, G_TMP_PERSIST_SYNC, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (test_path_exists (first));
  assert_new_tree (second);
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, second);

  g_assert_false (g_tmp_dir_persist (tmp, live, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, live);
  g_clear_error (&error);
  assert_old_tree (live);
  assert_new_tree (second);
  g_object_unref (tmp);
  assert_new_tree (second);

  tmp = new_tree (base);
  g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
  g_assert_false (g_tmp_dir_persist (tmp, first, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_CLOSED, first);
  g_assert_false (test_path_exists (first));
  g_object_unref (tmp);

  test_scratch_free (g_steal_pointer (&base));
}

/* EXCHANGE with NO_REPLACE is a GError, not a critical; EXCHANGE is for
 * directories only: a file's persist refuses it and changes nothing. */
static void
test_flags (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  g_autofree gchar *dest = g_build_filename (base, "file", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  GNamedTmpFile *named;
  GTmpFile *anon;

  make_live (live);
  g_assert_false (g_tmp_dir_persist (tmp, live, G_TMP_PERSIST_EXCHANGE | G_TMP_PERSIST_NO_REPLACE,
                                     NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, live);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  assert_old_tree (live);
  unref_gone (tmp, path);

  anon = g_tmp_file_new (base, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_tmp_file_persist (anon, dest, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, dest);
  g_clear_error (&error);
  g_assert_false (test_path_exists (dest));
  g_object_unref (anon);

  named = g_named_tmp_file_new (base, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_tmp_file_persist (G_TMP_FILE (named), dest, G_TMP_PERSIST_EXCHANGE,
                                      NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, dest);
  g_clear_error (&error);
  g_assert_false (test_path_exists (dest));
  g_assert_true (test_path_exists (g_named_tmp_file_get_path (named)));
  g_assert_true (g_named_tmp_file_get_delete (named));
  g_object_unref (named);

  g_assert_cmpuint (test_count_entries (base), ==, 1);
  test_scratch_free (g_steal_pointer (&base));
}

/* ------------------------------------------------------------------------ */
/* Exchange                                                                  */

/* The new tree is at @path, the old one at the object's path, where the
 * object's cleanup (or dispose) removes exactly it. */
static void
test_exchange (gconstpointer data)
{
  gint variant = GPOINTER_TO_INT (data);  /* 0: cleanup, 1: dispose, 2: fd held before */
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));
  guint path_notified = 0, delete_notified = 0;
  struct stat old_st;
  gint fd;

  if (variant == 2)
    g_assert_cmpint (g_tmp_dir_get_fd (tmp), >=, 0);
  make_live (live);
  g_assert_no_errno (lstat (live, &old_st));
  g_signal_connect (tmp, "notify::path", G_CALLBACK (test_count_notify), &path_notified);
  g_signal_connect (tmp, "notify::delete", G_CALLBACK (test_count_notify), &delete_notified);

  g_assert_true (g_tmp_dir_persist (tmp, live, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  g_assert_no_error (error);

  assert_new_tree (live);
  assert_old_tree (path);
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, path);
  g_assert_true (g_tmp_dir_get_delete (tmp));
  g_assert_cmpuint (path_notified, ==, 0);
  g_assert_cmpuint (delete_notified, ==, 0);

  /* The object's descriptor is the old tree's now. */
  fd = g_tmp_dir_get_fd (tmp);
  g_assert_true (same_file (fd, path));
  {
    struct stat st;

    g_assert_no_errno (fstat (fd, &st));
    g_assert_cmpuint (st.st_ino, ==, old_st.st_ino);
  }

  if (variant == 1)
    g_object_unref (tmp);
  else
    {
      g_assert_true (g_tmp_dir_cleanup (tmp, NULL, &error));
      g_assert_no_error (error);
      g_object_unref (tmp);
    }

  g_assert_false (test_path_exists (path));
  assert_new_tree (live);
  g_assert_cmpuint (test_count_entries (base), ==, 1);

  test_scratch_free (g_steal_pointer (&base));
}

/* Exchange needs a directory at @path: nothing there, a file, a symbolic
 * link to a directory are refused, and nothing changes. */
static void
test_exchange_refused (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *missing = g_build_filename (base, "missing", NULL);
  g_autofree gchar *file = g_build_filename (base, "file", NULL);
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  g_autofree gchar *link = g_build_filename (base, "link", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  test_write_file (file, "file");
  make_live (live);
  g_assert_no_errno (symlink ("live", link));

  g_assert_false (g_tmp_dir_persist (tmp, missing, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  g_assert_false (test_path_exists (missing));

  g_assert_false (g_tmp_dir_persist (tmp, file, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, file);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  test_assert_file_contents (file, "file");

  g_assert_false (g_tmp_dir_persist (tmp, link, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_DIRECTORY, link);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  assert_old_tree (live);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  unref_gone (tmp, path);
  g_assert_cmpuint (test_count_entries (base), ==, 3);
  test_scratch_free (g_steal_pointer (&base));
}

#ifdef __linux__
/* Makes renameat2() fail with @errsv in this thread, as on a kernel or a
 * file system without it; FALSE (skipped) without seccomp filters. */
static gboolean
refuse_renameat2 (gint errsv)
{
  struct sock_filter filter[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, SYS_renameat2, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (errsv & SECCOMP_RET_DATA)),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { G_N_ELEMENTS (filter), filter };

  g_assert_no_errno (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
    {
      test_skip_printf ("cannot install a seccomp filter: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
#endif

/* Where the system (ENOSYS) or the file system (EINVAL) cannot exchange or
 * rename without replacing: NOT_SUPPORTED, and nothing changes. */
static void
test_unsupported (gconstpointer data)
{
#ifdef __linux__
  gint errsv = GPOINTER_TO_INT (data);
  g_autofree gchar *base = NULL;
  g_autofree gchar *live = NULL;
  g_autofree gchar *dest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  GTmpDir *tmp;

  if (!g_test_subprocess ())
    {
      test_run_in_subprocess ();
      return;
    }

  base = test_scratch_new ();
  live = g_build_filename (base, "live", NULL);
  dest = g_build_filename (base, "dest", NULL);
  tmp = new_tree (base);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  make_live (live);
  if (!refuse_renameat2 (errsv))
    return;

  g_assert_false (g_tmp_dir_persist (tmp, live, G_TMP_PERSIST_EXCHANGE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, live);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  assert_old_tree (live);

  g_assert_false (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, dest);
  g_clear_error (&error);
  assert_unchanged (tmp, path);
  g_assert_false (test_path_exists (dest));

  unref_gone (tmp, path);
  test_scratch_free (g_steal_pointer (&base));
#else
  test_skip ("seccomp is Linux-only");
#endif
}

/* ------------------------------------------------------------------------ */
/* Another file system                                                       */

/* Never copied: NOT_SUPPORTED naming @path, ALLOW_COPY or not, for a move
 * and an exchange; nothing changes on either side. In a mount namespace
 * of its own, with a small tmpfs. */
static void
test_other_file_system (void)
{
#ifdef __linux__
  g_autofree gchar *base = NULL;
  g_autofree gchar *mnt = NULL;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *live = NULL;
  g_autofree gchar *path = NULL;
  GTmpPersistFlags flags[] = {
    G_TMP_PERSIST_NONE,
    G_TMP_PERSIST_ALLOW_COPY,
    G_TMP_PERSIST_NO_REPLACE | G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_SYNC,
  };
  GTmpDir *tmp;

  if (!test_enter_mount_namespace ())
    return;

  base = test_scratch_new ();
  mnt = g_build_filename (base, "mnt", NULL);
  dest = g_build_filename (mnt, "site", NULL);
  live = g_build_filename (mnt, "live", NULL);
  test_make_dir (mnt, 0755);
  if (!test_mount_tmpfs (mnt))
    return;
  make_live (live);

  tmp = new_tree (base);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (g_tmp_dir_persist (tmp, dest, flags[i], NULL, &error));
      test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, dest);
      assert_unchanged (tmp, path);
      g_assert_false (test_path_exists (dest));
    }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (g_tmp_dir_persist (tmp, live, G_TMP_PERSIST_EXCHANGE, NULL, &error));
    test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, live);
    assert_unchanged (tmp, path);
    assert_old_tree (live);
  }
  g_assert_cmpuint (test_count_entries (mnt), ==, 1);

  unref_gone (tmp, path);
  g_assert_no_errno (umount (mnt));
  test_scratch_free (g_steal_pointer (&base));
#else
  test_skip ("mount(2) test is Linux-only");
#endif
}

/* ------------------------------------------------------------------------ */
/* SYNC                                                                      */

typedef struct
{
  gchar       *tree;     /* the tree's path before the move */
  gchar       *dest;
  gchar       *dest_dir;
  guint        synced_tree;  /* synced while still at its temporary path */
  guint        synced_dir;   /* @dest's directory, with @dest there */
  guint        fail;         /* 1: fail the tree's sync, 2: the directory's */
} SyncRecord;

static gboolean
record_sync (gint     fd,
             gpointer user_data)
{
  SyncRecord *rec = user_data;

  if (same_file (fd, rec->tree) && !test_path_exists (rec->dest))
    {
      rec->synced_tree++;
      return rec->fail != 1;
    }
  if (same_file (fd, rec->dest_dir) && test_path_exists (rec->dest))
    {
      rec->synced_dir++;
      return rec->fail != 2;
    }
  return TRUE;
}

/* The tree is written to disk before the rename (its file system), the
 * destination's directory after; a failure before changes nothing, one
 * after says the directory was published, and it was. */
static void
test_sync (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "site", NULL);
  SyncRecord rec = { NULL, dest, base, 0, 0, 0 };
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);

  rec.tree = g_strdup (g_tmp_dir_get_path (tmp));
  _g_tmp_core_set_sync_hook (record_sync, &rec);

  /* Without SYNC, nothing is flushed. */
  g_assert_true (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_cmpuint (rec.synced_tree + rec.synced_dir, ==, 0);
  g_object_unref (tmp);
  test_remove_tree (dest);

  tmp = new_tree (base);
  g_free (rec.tree);
  rec.tree = g_strdup (g_tmp_dir_get_path (tmp));
  rec.fail = 1;
  g_assert_false (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_SYNC, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_FAILED, dest);
  g_clear_error (&error);
  g_assert_cmpuint (rec.synced_tree, ==, 1);
  assert_unchanged (tmp, rec.tree);
  g_assert_false (test_path_exists (dest));

  rec.fail = 2;
  g_assert_false (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_SYNC, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_FAILED, dest);
  g_assert_true (g_str_has_prefix (error->message, "Saved “"));
  g_clear_error (&error);
  g_assert_cmpuint (rec.synced_tree, ==, 2);
  g_assert_cmpuint (rec.synced_dir, ==, 1);
  assert_new_tree (dest);
  g_assert_cmpstr (g_tmp_dir_get_path (tmp), ==, dest);
  g_assert_false (g_tmp_dir_get_delete (tmp));

  /* Persisting again to the same path retries the flush. */
  rec.fail = 0;
  g_assert_true (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_SYNC, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec.synced_dir, ==, 2);

  _g_tmp_core_set_sync_hook (NULL, NULL);
  g_object_unref (tmp);
  assert_new_tree (dest);
  g_free (rec.tree);
  test_scratch_free (g_steal_pointer (&base));
}

/* SYNC with EXCHANGE: the new tree before the swap, the directory after. */
typedef struct
{
  struct stat  tree;
  const gchar *live;
  const gchar *dir;
  guint        before;
  guint        after;
} ExchangeSyncRecord;

static gboolean
record_exchange_sync (gint     fd,
                      gpointer user_data)
{
  ExchangeSyncRecord *rec = user_data;
  struct stat st, live;

  g_assert_no_errno (fstat (fd, &st));
  g_assert_no_errno (lstat (rec->live, &live));
  if (st.st_ino == rec->tree.st_ino && live.st_ino != rec->tree.st_ino)
    rec->before++;
  else if (same_file (fd, rec->dir) && live.st_ino == rec->tree.st_ino)
    rec->after++;
  return TRUE;
}

static void
test_sync_exchange (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  ExchangeSyncRecord rec = { { 0, }, live, base, 0, 0 };
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  make_live (live);
  g_assert_no_errno (lstat (path, &rec.tree));
  _g_tmp_core_set_sync_hook (record_exchange_sync, &rec);
  g_assert_true (g_tmp_dir_persist (tmp, live, G_TMP_PERSIST_EXCHANGE | G_TMP_PERSIST_SYNC,
                                    NULL, &error));
  _g_tmp_core_set_sync_hook (NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (rec.before, ==, 1);
  g_assert_cmpuint (rec.after, ==, 1);
  assert_new_tree (live);
  assert_old_tree (path);
  unref_gone (tmp, path);
  assert_new_tree (live);
  test_scratch_free (g_steal_pointer (&base));
}

/* ------------------------------------------------------------------------ */
/* Async                                                                     */

typedef struct
{
  GTmpDir  *tmp;
  gchar    *dest;
  guint     notified;
  gboolean  path_at_notify_ok;
} AsyncRecord;

static void
on_path_notify (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
  AsyncRecord *rec = user_data;

  /* In the caller's thread, with the new path already set. */
  rec->notified++;
  rec->path_at_notify_ok = g_strcmp0 (g_tmp_dir_get_path (rec->tmp), rec->dest) == 0;
}

static void
test_async (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "site", NULL);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  AsyncRecord rec = { tmp, dest, 0, FALSE };

  g_signal_connect (tmp, "notify::path", G_CALLBACK (on_path_notify), &rec);
  g_tmp_dir_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, NULL,
                           test_store_result, &result);
  g_assert_true (g_tmp_dir_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (rec.notified, ==, 1);
  g_assert_true (rec.path_at_notify_ok);
  assert_new_tree (dest);
  g_assert_false (g_tmp_dir_get_delete (tmp));
  unref_and_wait_disposed (tmp);
  assert_new_tree (dest);

  test_scratch_free (g_steal_pointer (&base));
}

/* Cancelled before it starts: nothing changes, CANCELLED. An error is
 * reported through the callback too. */
static void
test_async_cancel (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (base, "site", NULL);
  g_autofree gchar *missing = g_build_filename (base, "missing", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  g_cancellable_cancel (cancellable);
  g_tmp_dir_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, cancellable,
                           test_store_result, &result);
  g_assert_false (g_tmp_dir_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  assert_unchanged (tmp, path);
  g_assert_false (test_path_exists (dest));

  /* The sync call too. */
  g_assert_false (g_tmp_dir_persist (tmp, dest, G_TMP_PERSIST_NONE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  assert_unchanged (tmp, path);

  g_tmp_dir_persist_async (tmp, missing, G_TMP_PERSIST_EXCHANGE, G_PRIORITY_DEFAULT, NULL,
                           test_store_result, &result);
  g_assert_false (g_tmp_dir_persist_finish (tmp, test_wait_result (&result), &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, missing);
  g_clear_object (&result);
  assert_unchanged (tmp, path);

  unref_gone (tmp, path);
  test_scratch_free (g_steal_pointer (&base));
}

/* An exchange in a worker: the old tree is removed by the cleanup_async
 * that follows, nothing else. */
static void
test_async_exchange (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  make_live (live);
  g_tmp_dir_persist_async (tmp, live, G_TMP_PERSIST_EXCHANGE, G_PRIORITY_DEFAULT, NULL,
                           test_store_result, &result);
  g_assert_true (g_tmp_dir_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  assert_old_tree (path);

  g_tmp_dir_cleanup_async (tmp, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  g_assert_true (g_tmp_dir_cleanup_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_false (test_path_exists (path));
  assert_new_tree (live);
  unref_and_wait_disposed (tmp);
  g_assert_cmpuint (test_count_entries (base), ==, 1);

  test_scratch_free (g_steal_pointer (&base));
}

/* A published tree keeps the mode it was created with (overview.md): 0700
 * by default, the mode given to new_full() otherwise, whatever the live
 * tree it replaces had, and DOCUMENT_MODE (for files only) changes nothing. */
static void
test_keeps_mode (void)
{
  g_autofree gchar *base = test_scratch_new ();
  g_autofree gchar *first = g_build_filename (base, "first", NULL);
  g_autofree gchar *live = g_build_filename (base, "live", NULL);
  g_autoptr(GError) error = NULL;
  GTmpDir *tmp = new_tree (base);
  g_autofree gchar *path = g_strdup (g_tmp_dir_get_path (tmp));

  g_assert_true (g_tmp_dir_persist (tmp, first, G_TMP_PERSIST_DOCUMENT_MODE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_mode_of (first), ==, 0700);
  g_object_unref (tmp);

  make_live (live);
  g_assert_no_errno (chmod (live, 0750));
  tmp = g_tmp_dir_new_full (base, ".build-", NULL, 0755, 0, &error);
  g_assert_no_error (error);
  g_free (path);
  path = g_strdup (g_tmp_dir_get_path (tmp));
  g_assert_true (g_tmp_dir_persist (tmp, live,
                                    G_TMP_PERSIST_EXCHANGE | G_TMP_PERSIST_DOCUMENT_MODE,
                                    NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_mode_of (live), ==, 0755);
  /* The old tree, swapped out, is as it was, and goes with tmp. */
  g_assert_cmpuint (test_mode_of (path), ==, 0750);
  unref_gone (tmp, path);
  g_assert_cmpuint (test_count_entries (base), ==, 2);

  test_scratch_free (g_steal_pointer (&base));
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv, "dir-persist");

  g_test_add_data_func ("/tmp-dir/persist/new-name", GINT_TO_POINTER (FALSE), test_new_name);
  g_test_add_data_func ("/tmp-dir/persist/new-name-fd", GINT_TO_POINTER (TRUE), test_new_name);
  g_test_add_func ("/tmp-dir/persist/replace-empty", test_replace_empty);
  g_test_add_func ("/tmp-dir/persist/refused", test_refused);
  g_test_add_func ("/tmp-dir/persist/link-in-parent", test_link_in_parent);
  g_test_add_func ("/tmp-dir/persist/no-replace", test_no_replace);
  g_test_add_func ("/tmp-dir/persist/into-itself", test_into_itself);
  g_test_add_func ("/tmp-dir/persist/twice", test_twice);
  g_test_add_func ("/tmp-dir/persist/flags", test_flags);
  g_test_add_func ("/tmp-dir/persist/keeps-mode", test_keeps_mode);
  g_test_add_data_func ("/tmp-dir/persist/exchange/cleanup", GINT_TO_POINTER (0), test_exchange);
  g_test_add_data_func ("/tmp-dir/persist/exchange/dispose", GINT_TO_POINTER (1), test_exchange);
  g_test_add_data_func ("/tmp-dir/persist/exchange/held-fd", GINT_TO_POINTER (2), test_exchange);
  g_test_add_func ("/tmp-dir/persist/exchange/refused", test_exchange_refused);
  g_test_add_data_func ("/tmp-dir/persist/unsupported/enosys", GINT_TO_POINTER (ENOSYS),
                        test_unsupported);
  g_test_add_data_func ("/tmp-dir/persist/unsupported/einval", GINT_TO_POINTER (EINVAL),
                        test_unsupported);
  g_test_add_func ("/tmp-dir/persist/other-file-system", test_other_file_system);
  g_test_add_func ("/tmp-dir/persist/sync", test_sync);
  g_test_add_func ("/tmp-dir/persist/sync-exchange", test_sync_exchange);
  g_test_add_func ("/tmp-dir/persist/async", test_async);
  g_test_add_func ("/tmp-dir/persist/async-cancel", test_async_cancel);
  g_test_add_func ("/tmp-dir/persist/async-exchange", test_async_exchange);

  return test_run ();
}
