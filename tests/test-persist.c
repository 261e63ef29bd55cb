/* test-persist.c — g_tmp_file_persist(): atomic save
 *
 * For anonymous and named files: a new path, replacing an existing file,
 * refusing one (NO_REPLACE), SYNC, across file systems (/tmp and /dev/shm)
 * with and without ALLOW_COPY, the mode kept, the object still usable after,
 * nothing deleted automatically afterwards, a failed persist changing nothing
 * and never leaving a stray file, async, cancellation, and a closed file.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"
#include "gtmp-testing.h"
#include "test-util.h"

/* ------------------------------------------------------------------------ */
static ino_t
inode_of (const gchar *path)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  return st.st_ino;
}

/* The file behind the object's descriptor is the file at @path. */
static void
assert_fd_is (GTmpFile    *tmp,
              const gchar *path)
{
  struct stat fst, st;

  g_assert_no_errno (fstat (test_get_fd (tmp), &fst));
  g_assert_no_errno (lstat (path, &st));
  g_assert_cmpuint (fst.st_dev, ==, st.st_dev);
  g_assert_cmpuint (fst.st_ino, ==, st.st_ino);
}

static GTmpFile *
new_anonymous (const gchar *dir,
               guint        mode)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp = g_initable_new (G_TYPE_TMP_FILE, NULL, &error,
                                  "dir", dir, "mode", mode, NULL);

  g_assert_no_error (error);
  return tmp;
}

static GTmpFile *
new_named (const gchar *dir,
           guint        mode)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp = g_initable_new (G_TYPE_NAMED_TMP_FILE, NULL, &error,
                                  "dir", dir, "mode", mode, NULL);

  g_assert_no_error (error);
  return tmp;
}

typedef GTmpFile *(*NewFunc) (const gchar *dir,
                              guint        mode);

static NewFunc
new_func (gconstpointer named)
{
  return GPOINTER_TO_INT (named) ? new_named : new_anonymous;
}

/* The temporary's own directory entry (named files), or NULL. */
static gchar *
temp_path (GTmpFile *tmp)
{
  if (G_IS_NAMED_TMP_FILE (tmp))
    return g_strdup (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)));
  return NULL;
}

/* After a successful persist to @dest: it is the object's file, the object is
 * usable, and nothing is deleted at close or unref. */
static void
assert_persisted (GTmpFile    *tmp,
                  const gchar *dest,
                  const gchar *contents_so_far)
{
  g_autofree gchar *more = g_strconcat (contents_so_far, "+more", NULL);

  test_assert_file_contents (dest, contents_so_far);
  assert_fd_is (tmp, dest);

  if (G_IS_NAMED_TMP_FILE (tmp))
    {
      g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)), ==, dest);
      g_assert_false (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
    }

  test_write (tmp, "+more", -1);
  test_assert_file_contents (dest, more);

  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL));
  g_assert_true (test_path_exists (dest));
  if (G_IS_NAMED_TMP_FILE (tmp))
    {
      g_assert_true (g_named_tmp_file_cleanup (G_NAMED_TMP_FILE (tmp), NULL, NULL));
      g_assert_true (test_path_exists (dest));
    }
  test_assert_file_contents (dest, more);
}

/* ------------------------------------------------------------------------ */
/* The three flag combinations                                               */

static void
test_new_path (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autofree gchar *old = temp_path (tmp);

  test_write (tmp, "new", -1);
  test_persist (tmp, dest, G_TMP_PERSIST_NONE);

  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_assert_cmpuint (test_mode_of (dest), ==, 0600);
  if (old != NULL)
    g_assert_false (test_path_exists (old));
  assert_persisted (tmp, dest, "new");

  g_clear_object (&tmp);
  g_assert_true (test_path_exists (dest));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

static void
test_replace (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  ino_t old_inode;

  test_write_file (dest, "old");
  old_inode = inode_of (dest);

  test_write (tmp, "new", -1);
  test_persist (tmp, dest, G_TMP_PERSIST_NONE);

  g_assert_cmpuint (inode_of (dest), !=, old_inode);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  assert_persisted (tmp, dest, "new");

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

static void
test_no_replace (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autofree gchar *other = g_build_filename (dir, "other.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autofree gchar *old = temp_path (tmp);
  g_autoptr(GError) error = NULL;
  guint entries;
  ino_t old_inode;

  test_write_file (dest, "old");
  old_inode = inode_of (dest);
  entries = test_count_entries (dir);

  test_write (tmp, "new", -1);
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_EXISTS, dest);
  g_clear_error (&error);

  /* Nothing changed: the destination, the temporary, its deletion. */
  test_assert_file_contents (dest, "old");
  g_assert_cmpuint (inode_of (dest), ==, old_inode);
  g_assert_cmpuint (test_count_entries (dir), ==, entries);
  if (old != NULL)
    {
      g_assert_true (test_path_exists (old));
      g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)), ==, old);
      g_assert_true (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
    }

  /* A free name works. */
  test_persist (tmp, other, G_TMP_PERSIST_NO_REPLACE);
  if (old != NULL)
    g_assert_false (test_path_exists (old));
  assert_persisted (tmp, other, "new");
  test_assert_file_contents (dest, "old");

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 2);
  test_scratch_free (dir);
}

/* SYNC, with @flags, onto an existing file when @replace. */
static void
check_sync (gconstpointer     named,
            GTmpPersistFlags  flags,
            gboolean          replace)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);

  if (replace)
    test_write_file (dest, "old");
  test_write (tmp, "synced", -1);
  test_persist (tmp, dest, G_TMP_PERSIST_SYNC | flags);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  assert_persisted (tmp, dest, "synced");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_sync (gconstpointer named)
{
  check_sync (named, G_TMP_PERSIST_NONE, TRUE);
}

static void
test_sync_no_replace (gconstpointer named)
{
  check_sync (named, G_TMP_PERSIST_NO_REPLACE, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Details                                                                   */

static void
test_mode_kept (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "shared.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0644);

  g_autofree gchar *fresh = g_build_filename (dir, "fresh.txt", NULL);
  g_autoptr(GTmpFile) other = new_func (named) (dir, 0644);

  /* Replacing: the replaced file's mode, as g_file_replace() keeps it. */
  test_write_file (dest, "old");
  g_assert_no_errno (chmod (dest, 0600));
  test_write (tmp, "x", -1);
  test_persist (tmp, dest, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (test_mode_of (dest), ==, 0600);

  /* A new name: the mode the file was made with. */
  test_persist (other, fresh, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (test_mode_of (fresh), ==, 0644);
  g_clear_object (&other);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_twice (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *first = g_build_filename (dir, "first", NULL);
  g_autofree gchar *second = g_build_filename (dir, "second", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);

  test_write (tmp, "data", -1);
  test_persist (tmp, first, G_TMP_PERSIST_NONE);
  test_persist (tmp, second, G_TMP_PERSIST_NONE);

  /* The second persist moves the file; it does not make a second link. */
  g_assert_false (test_path_exists (first));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  assert_persisted (tmp, second, "data");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* A second persist while persist_async's callback is yet to run is
 * refused with G_IO_ERROR_PENDING, and changes nothing: the first one
 * completes, the file persists again afterwards, and the last unref
 * returns. (The refusal marked a disk phase as begun that nobody would
 * end, once the first one's had: its callback waited forever.) */
static void
test_twice_during_async (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *first = g_build_filename (dir, "first", NULL);
  g_autofree gchar *second = g_build_filename (dir, "second", NULL);
  GTmpFile *tmp = new_func (named) (dir, 0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_write (tmp, "data", -1);
  g_tmp_file_persist_async (tmp, first, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &result);
  /* The worker is done and its result waits in this context. */
  while (!test_path_exists (first) || !g_main_context_pending (NULL))
    g_usleep (1000);

  g_assert_false (g_tmp_file_persist (tmp, second, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_false (test_path_exists (second));

  alarm (10);
  g_assert_true (g_tmp_file_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  test_write (tmp, "+more", -1);
  test_persist (tmp, second, G_TMP_PERSIST_NONE);
  assert_persisted (tmp, second, "data+more");
  g_clear_object (&result);
  test_unref_and_wait (tmp);
  alarm (0);

  g_assert_false (test_path_exists (first));
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* persist_async without a callback (it is nullable): the file is moved,
 * and the object follows it and takes operations again once the result
 * has come back to this context. */
static void
test_async_no_callback (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  GTmpFile *tmp = new_func (named) (dir, 0);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;

  test_write (tmp, "quiet", -1);
  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  while (g_tmp_file_seek_to (tmp, 0, SEEK_END, &error) < 0)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_clear_error (&error);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  assert_persisted (tmp, dest, "quiet");
  test_unref_and_wait (tmp);
  test_assert_file_contents (dest, "quiet+more");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

static void
test_relative_dest (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *cwd = g_get_current_dir ();
  g_autofree gchar *dest = g_build_filename (dir, "relative.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  test_write (tmp, "rel", -1);
  g_assert_no_errno (chdir (dir));
  ok = g_tmp_file_persist (tmp, "relative.txt", G_TMP_PERSIST_NONE, NULL, &error);
  g_assert_no_errno (chdir (cwd));
  g_assert_no_error (error);
  g_assert_true (ok);

  if (G_IS_NAMED_TMP_FILE (tmp))
    g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)), ==, dest);
  assert_persisted (tmp, dest, "rel");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_missing_dest_dir (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "missing", "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autoptr(GError) error = NULL;
  guint entries = test_count_entries (dir);

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, dest);
  g_assert_cmpuint (test_count_entries (dir), ==, entries);

  /* Its automatic deletion is intact. */
  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_dest_is_directory (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "folder", NULL);
  g_autofree gchar *inside = g_build_filename (dest, "keep", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autoptr(GError) error = NULL;
  guint entries;

  g_assert_no_errno (mkdir (dest, 0755));
  test_write_file (inside, "kept");
  entries = test_count_entries (dir);

  /* Replacing a directory fails after the file was linked beside it: that
   * link must be gone again. */
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_IS_DIRECTORY, dest);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (dir), ==, entries);
  test_assert_file_contents (inside, "kept");

  /* An empty directory too: only a directory replaces one (TmpDir). */
  g_assert_no_errno (unlink (inside));
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_IS_DIRECTORY, dest);
  g_assert_true (g_file_test (dest, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (test_count_entries (dir), ==, entries);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

static void
test_closed (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL));
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_false (test_path_exists (dest));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
test_cancelled (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint entries = test_count_entries (dir);

  g_cancellable_cancel (cancellable);
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (test_path_exists (dest));
  g_assert_cmpuint (test_count_entries (dir), ==, entries);
  g_assert_false (g_io_stream_is_closed (G_IO_STREAM (tmp)));

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

static void
persist_denied_child (gpointer data)
{
  GTmpFile *tmp = data;
  g_autofree gchar *old = temp_path (tmp);
  g_autofree gchar *dest = g_build_filename ("/", "gtmp-test-persist-denied", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, dest);
  g_assert_false (test_path_exists (dest));
  if (old != NULL)
    g_assert_true (test_path_exists (old));
}

typedef struct
{
  const gchar   *dir;
  gconstpointer  named;
} UnwritableDest;

/* As uid 65534: makes the file in @dir, fails to persist it to "/", and
 * leaves @dir empty once the file is gone. */
static void
unwritable_dest_child (gpointer data)
{
  UnwritableDest *args = data;
  GTmpFile *tmp = new_func (args->named) (args->dir, 0);

  persist_denied_child (tmp);
  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (args->dir), ==, 0);
}

static void
test_unwritable_dest (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  UnwritableDest args = { dir, named };

  /* The child runs as uid 65534, which cannot write to "/". Its file is
   * made after dropping privileges, in a directory it can write to. */
  g_assert_no_errno (chmod (dir, 0777));
  test_run_as_nobody (unwritable_dest_child, &args);

  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* A copy hook counting persist()'s copies across file systems. */
static void
count_copies (const gchar *dest,
              gpointer     user_data)
{
  guint *copies = user_data;

  (*copies)++;
}

/* persist (ALLOW_COPY | NO_REPLACE) to @dest, which exists or comes to exist
 * (@hook, the copy hook): refused with EXISTS naming @dest, the copy hook
 * having run @copies times. */
static void
assert_copy_refused_exists (GTmpFile         *tmp,
                            const gchar      *dest,
                            GTmpCoreCopyHook  hook,
                            guint             copies)
{
  g_autoptr(GError) error = NULL;
  guint seen = 0;
  gboolean ok;

  _g_tmp_core_set_copy_hook (hook, &seen);
  ok = g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_NO_REPLACE,
                           NULL, &error);
  _g_tmp_core_set_copy_hook (NULL, NULL);
  g_assert_false (ok);
  test_assert_error_names (error, G_IO_ERROR_EXISTS, dest);
  g_assert_cmpuint (seen, ==, copies);
}

/* @fs's directories, @name in the destination's; FALSE (skipped) where
 * there are no two file systems. */
static gboolean
cross_fs_init (TestTwoFs      *fs,
               TestTwoFsKind   kind,
               const gchar    *name,
               gchar         **dest)
{
  if (!test_two_fs_init (fs, kind))
    return FALSE;
  *dest = g_build_filename (fs->dest_dir, name, NULL);
  return TRUE;
}

static void
test_cross_fs (gconstpointer named)
{
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;
  g_autofree gchar *dest = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autofree gchar *old = NULL;
  g_autoptr(GError) error = NULL;
  goffset position;

  if (!cross_fs_init (&fs, TEST_TWO_FS_FROM_SHM, "document.txt", &dest))
    return;
  tmp = new_func (named) (fs.src_dir, 0640);
  old = temp_path (tmp);

  test_write (tmp, "far away", -1);
  g_assert_true (g_seekable_seek (G_SEEKABLE (tmp), 3, G_SEEK_SET, NULL, NULL));
  position = g_seekable_tell (G_SEEKABLE (tmp));

  /* Without ALLOW_COPY: not supported, nothing anywhere changes. */
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, dest);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 0);
  g_assert_cmpuint (test_count_entries (fs.src_dir), ==, old != NULL ? 1 : 0);

  /* With it: copied beside the destination, renamed into place, and the
   * object now works on the permanent file, at the same position. */
  test_write_file (dest, "old");
  g_assert_no_errno (chmod (dest, 0604));
  g_assert_true (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_SYNC,
                                     NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
  g_assert_cmpuint (test_count_entries (fs.src_dir), ==, 0);
  /* The copy takes the replaced file's mode, as a move would. */
  g_assert_cmpuint (test_mode_of (dest), ==, 0604);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, position);
  g_assert_true (g_seekable_seek (G_SEEKABLE (tmp), 0, G_SEEK_END, NULL, NULL));
  assert_persisted (tmp, dest, "far away");

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
}

static void
test_cross_fs_no_replace (gconstpointer named)
{
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *other = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autofree gchar *old = NULL;
  g_autoptr(GError) error = NULL;
  guint copies = 0;

  /* The other way round this time: from /tmp to tmpfs. */
  if (!cross_fs_init (&fs, TEST_TWO_FS_TO_SHM, "document.txt", &dest))
    return;
  other = g_build_filename (fs.dest_dir, "other.txt", NULL);
  tmp = new_func (named) (fs.src_dir, 0);
  old = temp_path (tmp);

  test_write_file (dest, "old");
  test_write (tmp, "new", -1);

  /* Refused: no copy (and nothing beside the destination). */
  _g_tmp_core_set_copy_hook (count_copies, &copies);
  g_assert_false (g_tmp_file_persist (tmp, dest,
                                      G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_NO_REPLACE,
                                      NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpuint (copies, ==, 0);
  test_assert_file_contents (dest, "old");
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
  if (old != NULL)
    {
      g_assert_true (test_path_exists (old));
      g_assert_true (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
    }
  if (old != NULL)
    assert_fd_is (tmp, old);

  /* A free name works (by a copy), and the temporary's name (if any) is
   * gone. */
  g_assert_true (g_tmp_file_persist (tmp, other,
                                     G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_NO_REPLACE,
                                     NULL, &error));
  _g_tmp_core_set_copy_hook (NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (copies, ==, 1);
  g_assert_cmpuint (test_count_entries (fs.src_dir), ==, 0);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 2);
  assert_persisted (tmp, other, "new");
  test_assert_file_contents (dest, "old");
}

/* An anonymous file that cannot be linked (what the core falls back to where
 * the file system refuses O_TMPFILE): NOT_SUPPORTED, or a copy if allowed. */
static void
test_not_linkable (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autofree gchar *path = NULL;
  g_autoptr(GTmpFile) tmp = new_anonymous (dir, 0);
  g_autoptr(GError) error = NULL;
  struct stat fd_st, dest_st;
  gint fd;

  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, 0), &path, &error);
  g_assert_no_error (error);
  g_assert_no_errno (unlink (path));
  _g_tmp_file_take_fd (tmp, fd, FALSE);
  test_write (tmp, "unlinkable", -1);

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, dest);
  g_clear_error (&error);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  test_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_assert_cmpuint (test_mode_of (dest), ==, 0600);

  /* The copy took over the descriptor number a caller may hold. */
  g_assert_cmpint (g_tmp_file_get_fd (tmp, NULL), ==, fd);
  g_assert_no_errno (fstat (fd, &fd_st));
  g_assert_no_errno (stat (dest, &dest_st));
  g_assert_cmpuint (fd_st.st_ino, ==, dest_st.st_ino);
  g_assert_cmpuint (fd_st.st_dev, ==, dest_st.st_dev);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, FD_CLOEXEC);

  assert_persisted (tmp, dest, "unlinkable");

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* An anonymous file that cannot be linked, as the core makes one where the
 * file system refuses O_TMPFILE: persist() copies it even within one file
 * system. (One that can be linked meets an existing destination in
 * linkat(), which refuses it before looking at file systems.) */
static GTmpFile *
new_unlinkable (const gchar *dir,
                guint        mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  GTmpFile *tmp = new_anonymous (dir, mode);
  gint fd;

  fd = _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, mode), &path, &error);
  g_assert_no_error (error);
  g_assert_no_errno (unlink (path));
  _g_tmp_file_take_fd (tmp, fd, FALSE);

  return tmp;
}

static NewFunc
copying_new_func (gconstpointer named)
{
  return GPOINTER_TO_INT (named) ? new_named : new_unlinkable;
}

/* NO_REPLACE with ALLOW_COPY onto an existing file on another file system:
 * refused at once, before 8 MiB are copied only to be thrown away. Nothing
 * changes: the destination, its directory, the temporary (its name, its
 * automatic deletion, its bytes, its position). */
static void
test_cross_fs_exists_no_copy (gconstpointer named)
{
  const gsize size = 8 * 1024 * 1024;
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *old = NULL;
  g_autofree guint8 *data = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  ino_t dest_inode;
  struct stat st;
  gsize i;

  if (!cross_fs_init (&fs, TEST_TWO_FS_TO_SHM, "archive.bin", &dest))
    return;
  tmp = copying_new_func (named) (fs.src_dir, 0);
  old = temp_path (tmp);

  data = g_malloc (size);
  for (i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + i / 4096);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tmp)), data, size);
  test_seek (G_SEEKABLE (tmp), 4242, G_SEEK_SET);
  test_write_file (dest, "old");
  dest_inode = inode_of (dest);

  assert_copy_refused_exists (tmp, dest, count_copies, 0);

  test_assert_file_contents (dest, "old");
  g_assert_cmpuint (inode_of (dest), ==, dest_inode);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
  g_assert_cmpuint (test_count_entries (fs.src_dir), ==, old != NULL ? 1 : 0);
  if (old != NULL)
    {
      assert_fd_is (tmp, old);
      g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)), ==, old);
      g_assert_true (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
    }
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 4242);
  g_assert_no_errno (fstat (test_get_fd (tmp), &st));
  g_assert_cmpint (st.st_size, ==, size);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (fs.src_dir), ==, 0);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
}

/* A copy hook that plays another process taking the destination while the
 * copy is being made. */
static void
take_dest (const gchar *dest,
           gpointer     user_data)
{
  guint *copies = user_data;

  test_write_file (dest, "taken meanwhile");
  (*copies)++;
}

/* The early check is only a shortcut: a destination that appears after it is
 * still refused, atomically, by the rename, and the copy is removed. */
static void
test_cross_fs_exists_race (gconstpointer named)
{
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *old = NULL;
  g_autoptr(GTmpFile) tmp = NULL;

  if (!cross_fs_init (&fs, TEST_TWO_FS_TO_SHM, "document.txt", &dest))
    return;
  tmp = copying_new_func (named) (fs.src_dir, 0);
  old = temp_path (tmp);
  test_write (tmp, "new", -1);

  assert_copy_refused_exists (tmp, dest, take_dest, 1);

  test_assert_file_contents (dest, "taken meanwhile");
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
  if (old != NULL)
    {
      assert_fd_is (tmp, old);
      g_assert_true (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
    }

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (fs.src_dir), ==, 0);
}

/* ------------------------------------------------------------------------ */
/* What SYNC syncs, and when                                                 */

/* One fsync() the library made, seen by the core's sync hook: what was
 * synced, and what @dest was at that moment. */
typedef struct
{
  gboolean  is_dir;
  dev_t     dev;
  ino_t     ino;
  gboolean  dest_exists;
  dev_t     dest_dev;
  ino_t     dest_ino;
} SyncEvent;

typedef struct
{
  GMutex       lock;      /* persist_async syncs in a worker thread */
  const gchar *dest;
  GArray      *events;    /* (element-type SyncEvent) */
} SyncLog;

static gboolean
record_sync (gint     fd,
             gpointer user_data)
{
  SyncLog *log = user_data;
  SyncEvent event = { 0, };
  struct stat st;

  g_assert_no_errno (fstat (fd, &st));
  event.is_dir = S_ISDIR (st.st_mode);
  event.dev = st.st_dev;
  event.ino = st.st_ino;

  if (lstat (log->dest, &st) == 0)
    {
      event.dest_exists = TRUE;
      event.dest_dev = st.st_dev;
      event.dest_ino = st.st_ino;
    }
  else
    g_assert_cmpint (errno, ==, ENOENT);

  g_mutex_lock (&log->lock);
  g_array_append_val (log->events, event);
  g_mutex_unlock (&log->lock);

  return TRUE;
}

static void
sync_log_start (SyncLog     *log,
                const gchar *dest)
{
  g_mutex_init (&log->lock);
  log->dest = dest;
  log->events = g_array_new (FALSE, TRUE, sizeof (SyncEvent));
  _g_tmp_core_set_sync_hook (record_sync, log);
}

static void
sync_log_stop (SyncLog *log)
{
  _g_tmp_core_set_sync_hook (NULL, NULL);
  g_clear_pointer (&log->events, g_array_unref);
  g_mutex_clear (&log->lock);
}

/* DESIGN.md, G_TMP_PERSIST_SYNC: "fsync the file before and the directory
 * after". The last sync is of @dest's directory, once @dest is the file;
 * before it, the file now at @dest was synced while @dest was not it yet
 * (missing, or still the file it replaced). Returns the number of syncs. */
static guint
assert_synced_in_order (SyncLog *log)
{
  g_autofree gchar *dir = g_path_get_dirname (log->dest);
  struct stat final, dir_st;
  const SyncEvent *last;
  gboolean file_synced = FALSE;

  g_assert_no_errno (lstat (log->dest, &final));
  g_assert_no_errno (stat (dir, &dir_st));
  g_assert_cmpuint (log->events->len, >=, 2);

  last = &g_array_index (log->events, SyncEvent, log->events->len - 1);
  g_assert_true (last->is_dir);
  g_assert_true (last->dev == dir_st.st_dev && last->ino == dir_st.st_ino);
  g_assert_true (last->dest_exists);
  g_assert_true (last->dest_dev == final.st_dev && last->dest_ino == final.st_ino);

  for (guint i = 0; i + 1 < log->events->len; i++)
    {
      const SyncEvent *event = &g_array_index (log->events, SyncEvent, i);

      g_assert_false (event->is_dir);
      if (event->dev == final.st_dev && event->ino == final.st_ino)
        {
          g_assert_false (event->dest_exists &&
                          event->dest_dev == final.st_dev &&
                          event->dest_ino == final.st_ino);
          file_synced = TRUE;
        }
    }
  g_assert_true (file_synced);

  return log->events->len;
}

/* Persists @tmp at @dest with @flags (SYNC among them) while logging the
 * syncs, checks their order, and returns how many there were. */
static guint
persist_counting_syncs (GTmpFile         *tmp,
                        const gchar      *dest,
                        GTmpPersistFlags  flags)
{
  SyncLog log;
  guint n_syncs;

  sync_log_start (&log, dest);
  test_persist (tmp, dest, flags);
  n_syncs = assert_synced_in_order (&log);
  sync_log_stop (&log);

  return n_syncs;
}

typedef enum
{
  SYNC_ANONYMOUS,
  SYNC_NAMED,
  SYNC_SPOOLED,     /* persisted straight from memory */
} SyncKind;

static GTmpFile *
new_of_kind (SyncKind     kind,
             const gchar *dir)
{
  switch (kind)
    {
    case SYNC_ANONYMOUS:
      return new_anonymous (dir, 0);
    case SYNC_NAMED:
      return new_named (dir, 0);
    case SYNC_SPOOLED:
    default:
      return G_TMP_FILE (g_spooled_tmp_file_new (0, dir, NULL, NULL));
    }
}

/* With SYNC, a new path and a replaced one: the file and then the
 * directory, nothing else. */
static void
test_sync_order (gconstpointer data)
{
  SyncKind kind = GPOINTER_TO_INT (data);
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);

  for (guint replace = 0; replace < 2; replace++)
    {
      g_autoptr(GTmpFile) tmp = new_of_kind (kind, dir);

      if (kind == SYNC_SPOOLED)
        g_assert_false (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));
      /* First to a new path, then over the file that left. */
      if (replace)
        test_write_file (dest, "old");
      else
        g_assert_false (test_path_exists (dest));
      test_write (tmp, "synced", -1);

      g_assert_cmpuint (persist_counting_syncs (tmp, dest, G_TMP_PERSIST_SYNC), ==, 2);

      test_assert_file_contents (dest, "synced");
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
    }

  test_scratch_free (dir);
}

/* Without SYNC, nothing is synced. */
static void
test_sync_none (gconstpointer data)
{
  SyncKind kind = GPOINTER_TO_INT (data);
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_of_kind (kind, dir);
  SyncLog log;

  test_write_file (dest, "old");
  test_write (tmp, "not synced", -1);

  sync_log_start (&log, dest);
  test_persist (tmp, dest, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (log.events->len, ==, 0);
  sync_log_stop (&log);

  test_assert_file_contents (dest, "not synced");
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* persist_async syncs in its worker thread, in the same order. */
static void
test_sync_order_async (gconstpointer data)
{
  SyncKind kind = GPOINTER_TO_INT (data);
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_of_kind (kind, dir);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SyncLog log;

  test_write_file (dest, "old");
  test_write (tmp, "synced", -1);

  sync_log_start (&log, dest);
  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &result);
  g_assert_true (g_tmp_file_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_synced_in_order (&log), ==, 2);
  sync_log_stop (&log);

  test_assert_file_contents (dest, "synced");
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Across file systems with ALLOW_COPY: the copy is synced before it is
 * renamed into place, the destination's directory after, and nothing else:
 * not the original, which is only copied. */
static void
test_sync_order_copy (gconstpointer data)
{
  SyncKind kind = GPOINTER_TO_INT (data);
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;
  g_autofree gchar *dest = NULL;
  g_autoptr(GTmpFile) tmp = NULL;

  if (!cross_fs_init (&fs, TEST_TWO_FS_FROM_SHM, "document.txt", &dest))
    return;
  tmp = new_of_kind (kind, fs.src_dir);

  test_write_file (dest, "old");
  test_write (tmp, "copied", -1);

  g_assert_cmpuint (persist_counting_syncs (tmp, dest,
                                            G_TMP_PERSIST_SYNC | G_TMP_PERSIST_ALLOW_COPY),
                    ==, 2);

  test_assert_file_contents (dest, "copied");
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 1);
}

/* ALLOW_COPY within one file system: still a rename (the same inode), the
 * file synced before it, as without ALLOW_COPY. */
static void
test_sync_allow_copy_moves (gconstpointer data)
{
  SyncKind kind = GPOINTER_TO_INT (data);
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_of_kind (kind, dir);
  g_autoptr(GError) error = NULL;
  struct stat before, after;
  gint fd;

  test_write (tmp, "moved", -1);
  fd = g_tmp_file_get_fd (tmp, &error);
  g_assert_no_error (error);
  g_assert_no_errno (fstat (fd, &before));

  g_assert_cmpuint (persist_counting_syncs (tmp, dest,
                                            G_TMP_PERSIST_SYNC | G_TMP_PERSIST_ALLOW_COPY),
                    ==, 2);

  g_assert_no_errno (lstat (dest, &after));
  g_assert_true (before.st_dev == after.st_dev && before.st_ino == after.st_ino);
  test_assert_file_contents (dest, "moved");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Issue 17 (process safety): a child forked while a persist works in
 * another thread (held in its fsync, in the parent only) drops the file.
 * Its dispose used to wait forever for the persist, which never ends in
 * the child; now it closes its descriptor and touches nothing on disk. */
typedef struct
{
  TestHold     hold;
  GTmpFile    *tmp;
  const gchar *dest;
} ForkPersist;

static gboolean
hold_in_sync (gint     fd,
              gpointer user_data)
{
  ForkPersist *fp = user_data;

  test_hold_here (&fp->hold);
  return TRUE;
}

static gpointer
fork_persist_thread (gpointer data)
{
  ForkPersist *fp = data;

  return GINT_TO_POINTER (g_tmp_file_persist (fp->tmp, fp->dest, G_TMP_PERSIST_SYNC,
                                              NULL, NULL));
}

static void
test_fork_during_persist (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  ForkPersist fp = { { 0, }, tmp, dest };
  GThread *persister;

  test_hold_init (&fp.hold);
  test_write (tmp, "data", -1);
  _g_tmp_core_set_sync_hook (hold_in_sync, &fp);
  persister = g_thread_new ("persister", fork_persist_thread, &fp);
  test_fork_while_held (&fp.hold, g_object_unref, tmp);

  g_assert_true (GPOINTER_TO_INT (g_thread_join (persister)));
  _g_tmp_core_set_sync_hook (NULL, NULL);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  assert_persisted (tmp, dest, "data");
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* An anonymous file that cannot be linked is copied even within one file
 * system: with SYNC, the copy is synced, not the original. */
static void
test_sync_copy_not_linkable (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_unlinkable (dir, 0);

  test_write (tmp, "copied", -1);

  g_assert_cmpuint (persist_counting_syncs (tmp, dest,
                                            G_TMP_PERSIST_SYNC | G_TMP_PERSIST_ALLOW_COPY),
                    ==, 2);

  assert_persisted (tmp, dest, "copied");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Adds @func for the first @n_kinds of anonymous, named, spooled, as
 * /persist/KIND/@name with the kind's index as data (so FALSE/TRUE for the
 * first two, as new_func() takes them). */
static void
add_kinds (const gchar   *name,
           guint          n_kinds,
           GTestDataFunc  func)
{
  static const gchar * const kinds[] = { "anonymous", "named", "spooled" };

  g_assert_cmpuint (n_kinds, <=, G_N_ELEMENTS (kinds));
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/persist/%s/%s", kinds[i], name);

      g_test_add_data_func (path, GINT_TO_POINTER (i), func);
    }
}

static void
add_sync_kinds (const gchar   *name,
                GTestDataFunc  func)
{
  add_kinds (name, 3, func);
}

/* ------------------------------------------------------------------------ */
/* Notifications and async                                                   */

static void
test_named_notify (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_named (dir, 0);
  g_autoptr(GError) error = NULL;
  guint path_notifies = 0;
  guint delete_notifies = 0;

  g_signal_connect (tmp, "notify::path", G_CALLBACK (test_count_notify), &path_notifies);
  g_signal_connect (tmp, "notify::delete", G_CALLBACK (test_count_notify), &delete_notifies);

  test_write_file (dest, "old");
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NO_REPLACE, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpuint (path_notifies, ==, 0);
  g_assert_cmpuint (delete_notifies, ==, 0);

  test_persist (tmp, dest, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (path_notifies, ==, 1);
  g_assert_cmpuint (delete_notifies, ==, 1);

  g_clear_object (&tmp);
  test_assert_file_contents (dest, "");
  test_scratch_free (dir);
}

typedef struct
{
  GThread  *thread;
  gboolean  done;
  gboolean  ok;
  GError   *error;
  guint     path_notifies_in_thread;
} PersistAsync;

static void
notify_in_thread (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  PersistAsync *data = user_data;

  if (g_thread_self () == data->thread)
    data->path_notifies_in_thread++;
}

static void
persist_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PersistAsync *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  data->ok = g_tmp_file_persist_finish (G_TMP_FILE (source), result, &data->error);
  data->done = TRUE;
}

/* persist_async() to @dest, and back once persist_cb() has run. */
static void
persist_async_and_wait (GTmpFile         *tmp,
                        const gchar      *dest,
                        GTmpPersistFlags  flags,
                        GCancellable     *cancellable,
                        PersistAsync     *data)
{
  data->done = FALSE;
  g_tmp_file_persist_async (tmp, dest, flags, G_PRIORITY_DEFAULT, cancellable, persist_cb, data);
  while (!data->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_async (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  PersistAsync data = { g_thread_self (), FALSE, FALSE, NULL, 0 };
  g_autoptr(GError) error = NULL;
  gsize n;

  g_signal_connect (tmp, "notify::path", G_CALLBACK (notify_in_thread), &data);

  test_write_file (dest, "old");
  test_write (tmp, "async", -1);
  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, NULL,
                            persist_cb, &data);

  /* Until the callback has run, the stream is busy. */
  g_assert_false (g_io_stream_close (G_IO_STREAM (tmp), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  /* tell() alone is not refused (the position may be stale). */
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (tmp)), ==, 5);
  /* And skips, truncates and query_info(), as the class's docs say. */
  g_assert_cmpint (g_input_stream_skip (g_io_stream_get_input_stream (G_IO_STREAM (tmp)), 1,
                                        NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_false (g_seekable_truncate (G_SEEKABLE (tmp), 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_null (g_file_io_stream_query_info (G_FILE_IO_STREAM (tmp), "standard::size",
                                              NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  /* So are the one-call I/O functions for bindings. */
  g_assert_null (g_tmp_file_read_data (tmp, 4, &n, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_false (g_tmp_file_write_data (tmp, (const guint8 *) "x", 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_cmpint (g_tmp_file_seek_to (tmp, 0, SEEK_SET, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  /* A named file's cleanup() is refused too, and closes nothing. */
  if (G_IS_NAMED_TMP_FILE (tmp))
    {
      g_assert_false (g_named_tmp_file_cleanup (G_NAMED_TMP_FILE (tmp), NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_clear_error (&error);
    }

  while (!data.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  if (G_IS_NAMED_TMP_FILE (tmp))
    g_assert_cmpuint (data.path_notifies_in_thread, ==, 1);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  assert_persisted (tmp, dest, "async");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* DESIGN.md, Async shape: the callback runs in the caller's thread-default
 * main context, and the object is alive until it has run, even when the
 * caller drops its reference right after the call. */
typedef struct
{
  GMainContext *context;
  gboolean      in_context;
  gboolean      done;
  gboolean      ok;
  GError       *error;
} PersistContext;

static void
persist_context_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PersistContext *data = user_data;

  data->in_context = (g_main_context_get_thread_default () == data->context);
  g_assert_true (G_IS_TMP_FILE (source));
  data->ok = g_tmp_file_persist_finish (G_TMP_FILE (source), result, &data->error);
  data->done = TRUE;
}

static void
test_async_context (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  PersistContext data = { context, FALSE, FALSE, FALSE, NULL };
  GTmpFile *tmp = new_func (named) (dir, 0);
  gint finalized = 0;
  guint i;

  test_write (tmp, "in context", -1);

  g_main_context_push_thread_default (context);
  g_object_weak_ref (G_OBJECT (tmp), test_mark_finalized, &finalized);
  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                            persist_context_cb, &data);
  g_object_unref (tmp);
  g_assert_cmpint (g_atomic_int_get (&finalized), ==, 0);

  while (!data.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_assert_true (data.in_context);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);

  /* Once GIO lets go of the object, the persisted file stays. */
  for (i = 0; i < 5000 && !g_atomic_int_get (&finalized); i++)
    {
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpint (g_atomic_int_get (&finalized), ==, 1);
  test_assert_file_contents (dest, "in context");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  test_scratch_free (dir);
}

/* The notifications of persist_async (path, delete) come in the caller's
 * thread and thread-default context, never in the worker, and before the
 * callback. */
typedef struct
{
  GMainContext *context;
  guint         path_notifies;
  guint         delete_notifies;
  guint         elsewhere;      /* notifications outside the caller's context */
  gboolean      done;
} NotifyContext;

static void
notify_in_context (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  NotifyContext *data = user_data;

  if (!g_main_context_is_owner (data->context) ||
      g_main_context_get_thread_default () != data->context)
    data->elsewhere++;
  else if (g_str_equal (pspec->name, "path"))
    data->path_notifies++;
  else if (g_str_equal (pspec->name, "delete"))
    data->delete_notifies++;
}

static void
notify_context_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  NotifyContext *data = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (data->path_notifies, ==, 1);
  g_assert_cmpuint (data->delete_notifies, ==, 1);
  g_assert_true (g_tmp_file_persist_finish (G_TMP_FILE (source), result, &error));
  g_assert_no_error (error);
  data->done = TRUE;
}

static void
test_named_notify_async_context (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GTmpFile) tmp = new_named (dir, 0);
  NotifyContext data = { context, 0, 0, 0, FALSE };

  g_signal_connect (tmp, "notify::path", G_CALLBACK (notify_in_context), &data);
  g_signal_connect (tmp, "notify::delete", G_CALLBACK (notify_in_context), &data);
  test_write (tmp, "notified", -1);

  g_main_context_push_thread_default (context);
  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                            notify_context_cb, &data);
  while (!data.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_assert_cmpuint (data.elsewhere, ==, 0);
  g_assert_cmpuint (data.path_notifies, ==, 1);
  g_assert_cmpuint (data.delete_notifies, ==, 1);
  g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)), ==, dest);
  test_assert_file_contents (dest, "notified");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_async_error (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  PersistAsync data = { g_thread_self (), FALSE, FALSE, NULL, 0 };
  guint entries;

  test_write_file (dest, "old");
  entries = test_count_entries (dir);
  persist_async_and_wait (tmp, dest, G_TMP_PERSIST_NO_REPLACE, NULL, &data);

  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&data.error);
  test_assert_file_contents (dest, "old");
  g_assert_cmpuint (test_count_entries (dir), ==, entries);

  /* A cancelled one fails the same way, and a closed file is reported too. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    persist_async_and_wait (tmp, dest, G_TMP_PERSIST_NONE, cancellable, &data);
    g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&data.error);
    test_assert_file_contents (dest, "old");
  }

  g_assert_true (g_io_stream_close (G_IO_STREAM (tmp), NULL, NULL));
  persist_async_and_wait (tmp, dest, G_TMP_PERSIST_NONE, NULL, &data);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&data.error);

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* Fails every directory sync; persist_async calls it from a worker. */
static gboolean
fail_dir_sync (gint     fd,
               gpointer user_data)
{
  gint *n_failed = user_data;
  struct stat st;

  g_assert_no_errno (fstat (fd, &st));
  if (!S_ISDIR (st.st_mode))
    return TRUE;

  g_atomic_int_inc (n_failed);
  return FALSE;
}

/* With SYNC, the directory is synced after the file has its new name. If
 * that sync fails, the call reports it, saying that @dest was saved (the
 * one failure that does not mean "nothing changed"), and the object follows
 * its file: it is the permanent file at @dest now, and nothing deletes it,
 * not close, not cleanup, not the last unref. Persisting again to @dest
 * retries the flush. */
static void
check_sync_dir_fails (gconstpointer named,
                      gboolean      async)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  GTmpFile *tmp = new_func (named) (dir, 0);
  g_autofree gchar *old_path = temp_path (tmp);
  g_autofree gchar *expected = NULL;
  g_autoptr(GError) error = NULL;
  gint n_failed = 0;

  test_write (tmp, "kept", -1);

  _g_tmp_core_set_sync_hook (fail_dir_sync, &n_failed);
  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, NULL,
                                test_store_result, &result);
      g_assert_false (g_tmp_file_persist_finish (tmp, test_wait_result (&result), &error));
    }
  else
    g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_SYNC, NULL, &error));
  _g_tmp_core_set_sync_hook (NULL, NULL);

  g_assert_cmpint (g_atomic_int_get (&n_failed), ==, 1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  expected = g_strdup_printf ("Saved “%s”, but could not flush its directory to disk: %s",
                              dest, g_strerror (EIO));
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  if (old_path != NULL)
    g_assert_false (test_path_exists (old_path));
  test_assert_file_contents (dest, "kept");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  test_persist (tmp, dest, G_TMP_PERSIST_SYNC);
  assert_persisted (tmp, dest, "kept");
  test_unref_and_wait (tmp);
  test_assert_file_contents (dest, "kept+more");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

static void
test_sync_dir_fails (gconstpointer named)
{
  check_sync_dir_fails (named, FALSE);
}

static void
test_sync_dir_fails_async (gconstpointer named)
{
  check_sync_dir_fails (named, TRUE);
}

/* ------------------------------------------------------------------------ */
/* SYNC: nothing can fail after the point of no return but the flush         */

/* @dest's directory path ends in a symlink to a directory: rename() follows
 * it, and so must the directory flush (it used O_NOFOLLOW, failed with
 * ENOTDIR after the file had moved, and reported that nothing changed). */
static void
test_sync_dir_symlink (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *real = g_build_filename (dir, "real", NULL);
  g_autofree gchar *link = g_build_filename (dir, "link", NULL);
  g_autofree gchar *dest = g_build_filename (link, "document.txt", NULL);
  g_autofree gchar *real_dest = g_build_filename (real, "document.txt", NULL);
  GTmpFile *tmp;

  g_assert_no_errno (g_mkdir (real, 0700));
  g_assert_no_errno (symlink ("real", link));

  for (guint replace = 0; replace < 2; replace++)
    {
      tmp = new_func (named) (dir, 0);
      test_write (tmp, "linked", -1);
      test_persist (tmp, dest, G_TMP_PERSIST_SYNC);
      test_assert_file_contents (real_dest, "linked");
      assert_persisted (tmp, dest, "linked");
      g_clear_object (&tmp);
    }

  /* The temporaries' names are gone; the symlink, its target and the
   * document are all that is left. */
  g_assert_cmpuint (test_count_entries (dir), ==, 2);
  g_assert_cmpuint (test_count_entries (real), ==, 1);
  test_scratch_free (dir);
}

/* EMFILE when SYNC opens the destination's directory: that is before the
 * move now, so the call fails and nothing has changed. (It came after the
 * move, and the call failed with the destination replaced.) */
static void
test_sync_dir_emfile (gconstpointer named)
{
  gchar *dir;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *old_path = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GError) error = NULL;
  struct rlimit saved, limit;

  /* A process of its own: its descriptor limit is lowered. */
  if (!g_test_subprocess ())
    {
      test_run_in_subprocess ();
      return;
    }

  dir = test_scratch_new ();
  dest = g_build_filename (dir, "document.txt", NULL);
  test_write_file (dest, "old");
  tmp = new_func (named) (dir, 0);
  old_path = temp_path (tmp);
  test_write (tmp, "new", -1);

  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &saved));
  limit = saved;
  limit.rlim_cur = test_lowest_free_fd ();
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));
  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_SYNC, NULL, &error));
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &saved));

  test_assert_error_names (error, G_IO_ERROR_TOO_MANY_OPEN_FILES, dest);
  test_assert_file_contents (dest, "old");
  if (old_path != NULL)
    {
      g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)), ==, old_path);
      g_assert_true (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
      assert_fd_is (tmp, old_path);
    }
  g_assert_cmpuint (test_count_entries (dir), ==, old_path != NULL ? 2 : 1);
  g_clear_error (&error);

  /* And with descriptors to spare, the same persist works. */
  test_persist (tmp, dest, G_TMP_PERSIST_SYNC);
  assert_persisted (tmp, dest, "new");

  g_clear_object (&tmp);
  g_assert_cmpuint (test_count_entries (dir), ==, 1);
  test_scratch_free (dir);
}

/* ------------------------------------------------------------------------ */
/* A crash while copying across file systems                                 */

static void
kill_self (const gchar *dest,
           gpointer     user_data)
{
  raise (SIGKILL);
}

/* Persists into @dest_dir (another file system) in a forked child that is
 * killed when the copy starts: the copy is an O_TMPFILE file, so nothing is
 * left beside the destination. (It was a hidden ".document.txt.XXXXXXXX"
 * holding a partial copy.) */
static void
check_killed_mid_copy (gboolean     named,
                       const gchar *src_dir,
                       const gchar *dest_dir)
{
  g_autofree gchar *dest = g_build_filename (dest_dir, "document.txt", NULL);
  gint status = 0;
  pid_t pid;

  for (guint replace = 0; replace < 2; replace++)
    {
      if (replace)
        test_write_file (dest, "old");

      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          GTmpFile *tmp = new_func (GINT_TO_POINTER (named)) (src_dir, 0);

          test_write (tmp, "partly copied", -1);
          _g_tmp_core_set_copy_hook (kill_self, NULL);
          g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY, NULL, NULL);
          _exit (0);
        }

      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

      g_assert_cmpuint (test_count_entries (dest_dir), ==, replace ? 1 : 0);
      if (replace)
        test_assert_file_contents (dest, "old");
    }
}

static void
test_killed_mid_copy (gconstpointer named)
{
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;

  if (test_two_fs_init (&fs, TEST_TWO_FS_TO_TMPFS))
    check_killed_mid_copy (GPOINTER_TO_INT (named), fs.src_dir, fs.dest_dir);
}

/* ------------------------------------------------------------------------ */
/* What may run during persist_async                                         */

typedef enum
{
  HAMMER_ANONYMOUS,
  HAMMER_SPOOLED,    /* rolled over by the persist */
  HAMMER_COPY,       /* ALLOW_COPY across file systems */
} HammerKind;

typedef struct
{
  GTmpFile *tmp;
  gint      stop;      /* (atomic) */
  gint      n_ok;      /* (atomic) */
  guint     n_pending;
  GString  *acked;     /* what writes acknowledged, in order */
} Hammer;

static gpointer
hammer_thread (gpointer data)
{
  Hammer *hammer = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (hammer->tmp));

  for (guint i = 0; !g_atomic_int_get (&hammer->stop); i++)
    {
      GError *error = NULL;
      gchar record[16];
      gint len = g_snprintf (record, sizeof record, "%08x\n", i);
      gssize n = g_output_stream_write (out, record, len, NULL, &error);

      if (n >= 0)
        {
          g_string_append_len (hammer->acked, record, n);
          g_atomic_int_inc (&hammer->n_ok);
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
          g_error_free (error);
          hammer->n_pending++;
        }
    }

  return NULL;
}

/* A thread writes as fast as it can while persist_async runs: every write
 * either fails with G_IO_ERROR_PENDING or ends up in the persisted file.
 * (Writes were accepted and lost: spooled, they went to memory the
 * rollover had copied already; ALLOW_COPY, to the file being copied.) */
static void
test_writes_during_persist_async (gconstpointer data)
{
  HammerKind kind = GPOINTER_TO_INT (data);
  const gchar *src_parent = kind == HAMMER_COPY ? "/dev/shm" : NULL;
  guint n_pending = 0;

  if (kind == HAMMER_COPY && !test_need_two_file_systems (g_get_tmp_dir (), "/dev/shm"))
    return;

  for (guint i = 0; i < 30; i++)
    {
      gchar *src_dir = src_parent ? test_scratch_new_in (src_parent)
                                  : test_scratch_new ();
      gchar *dest_dir = test_scratch_new ();
      g_autofree gchar *dest = g_build_filename (dest_dir, "document.txt", NULL);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree gchar *contents = NULL;
      Hammer hammer = { NULL, 0, 0, 0, g_string_new (NULL) };
      GThread *thread;
      gint seen;

      hammer.tmp = kind == HAMMER_SPOOLED
                     ? G_TMP_FILE (g_spooled_tmp_file_new (0, src_dir, NULL, NULL))
                     : new_anonymous (src_dir, 0);
      thread = g_thread_new ("hammer", hammer_thread, &hammer);

      while (g_atomic_int_get (&hammer.n_ok) < 1000)
        g_thread_yield ();
      g_tmp_file_persist_async (hammer.tmp, dest,
                                kind == HAMMER_COPY ? G_TMP_PERSIST_ALLOW_COPY : G_TMP_PERSIST_NONE,
                                G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
      g_assert_true (g_tmp_file_persist_finish (hammer.tmp, test_wait_result (&result), &error));
      g_assert_no_error (error);

      /* Some more writes reach the permanent file. */
      seen = g_atomic_int_get (&hammer.n_ok);
      while (g_atomic_int_get (&hammer.n_ok) < seen + 100)
        g_thread_yield ();
      g_atomic_int_set (&hammer.stop, TRUE);
      g_thread_join (thread);

      g_assert_true (g_file_get_contents (dest, &contents, NULL, NULL));
      g_assert_cmpuint (strlen (contents), ==, hammer.acked->len);
      g_assert_true (memcmp (contents, hammer.acked->str, hammer.acked->len) == 0);
      n_pending += hammer.n_pending;

      g_string_free (hammer.acked, TRUE);
      g_clear_object (&result);
      test_unref_and_wait (hammer.tmp);
      g_assert_cmpuint (test_count_entries (src_dir), ==, 0);
      g_assert_cmpuint (test_count_entries (dest_dir), ==, 1);
      test_scratch_free (src_dir);
      test_scratch_free (dest_dir);
    }

  g_test_message ("%u writes refused with G_IO_ERROR_PENDING", n_pending);
}

/* get_fd() and rollover() during a spooled persist_async would roll the
 * file over a second time behind the persist's back: they fail with
 * G_IO_ERROR_PENDING, and the one rollover, the persist's, is notified
 * once. (They rolled over again: two notifications, the persist failing
 * with EBADF or persisting the wrong file.) */
static void
test_spooled_busy_during_persist_async (void)
{
  for (guint i = 0; i < 20; i++)
    {
      gchar *dir = test_scratch_new ();
      g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
      GSpooledTmpFile *spooled = g_spooled_tmp_file_new (0, dir, NULL, NULL);
      GTmpFile *tmp = G_TMP_FILE (spooled);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (tmp));
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      guint notifies = 0;

      g_signal_connect (tmp, "notify::rolled-over", G_CALLBACK (test_count_notify), &notifies);
      test_write (tmp, "in memory", -1);
      g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                                test_store_result, &result);

      g_assert_cmpint (g_tmp_file_get_fd (tmp, &error), ==, -1);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_clear_error (&error);
      g_assert_false (g_spooled_tmp_file_rollover (spooled, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_clear_error (&error);
      g_assert_cmpint (g_output_stream_write (out, "lost", 4, NULL, &error), ==, -1);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_clear_error (&error);

      g_assert_true (g_tmp_file_persist_finish (tmp, test_wait_result (&result), &error));
      g_assert_no_error (error);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (notifies, ==, 1);
      g_assert_true (g_spooled_tmp_file_is_rolled_over (spooled));
      assert_persisted (tmp, dest, "in memory");
      g_clear_object (&result);

      test_unref_and_wait (tmp);
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
      test_scratch_free (dir);
    }
}

/* Disposing a named file, or dropping its last reference, while
 * persist_async runs loses neither the temporary nor the destination: the
 * object follows the persist and is not deleted. (Dispose removed the
 * temporary under the worker's rename: both were gone.) */
static void
check_named_gone_during_persist_async (gboolean run_dispose)
{
  for (guint i = 0; i < 50; i++)
    {
      gchar *dir = test_scratch_new ();
      g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
      GTmpFile *tmp = new_named (dir, 0);
      g_autofree gchar *old_path = temp_path (tmp);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GTmpFile *source;

      test_write (tmp, "kept", -1);
      g_tmp_file_persist_async (tmp, dest, i % 2 ? G_TMP_PERSIST_SYNC : G_TMP_PERSIST_NONE,
                                G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
      if (run_dispose)
        g_object_run_dispose (G_OBJECT (tmp));
      else
        g_clear_object (&tmp);

      test_wait_result (&result);
      source = G_TMP_FILE (g_task_get_source_object (G_TASK (result)));
      g_assert_true (g_tmp_file_persist_finish (source, result, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (source)), ==, dest);
      g_assert_false (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (source)));
      g_assert_false (test_path_exists (old_path));
      test_assert_file_contents (dest, "kept");

      g_clear_object (&result);
      if (tmp != NULL)
        test_unref_and_wait (tmp);
      test_assert_file_contents (dest, "kept");
      g_assert_cmpuint (test_count_entries (dir), ==, 1);
      test_scratch_free (dir);
    }
}

/* The other half: dropped while a persist that fails runs, a named file
 * is removed as usual once the persist has given up. */
static void
test_named_unref_during_failing_persist_async (void)
{
  for (guint i = 0; i < 20; i++)
    {
      gchar *dir = test_scratch_new ();
      g_autofree gchar *dest = g_build_filename (dir, "missing", "document.txt", NULL);
      GTmpFile *tmp = new_named (dir, 0);
      g_autofree gchar *old_path = temp_path (tmp);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GTmpFile *source;

      test_write (tmp, "lost", -1);
      g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                                test_store_result, &result);
      if (i % 2)
        g_object_run_dispose (G_OBJECT (tmp));
      else
        g_clear_object (&tmp);

      test_wait_result (&result);
      source = G_TMP_FILE (g_task_get_source_object (G_TASK (result)));
      g_assert_false (g_tmp_file_persist_finish (source, result, &error));
      test_assert_error_names (error, G_IO_ERROR_NOT_FOUND, dest);
      g_clear_object (&result);
      if (tmp != NULL)
        test_unref_and_wait (tmp);
      test_wait_until_empty (dir);
      g_assert_false (test_path_exists (old_path));
      test_scratch_free (dir);
    }
}

static void
test_named_dispose_during_persist_async (void)
{
  check_named_gone_during_persist_async (TRUE);
}

static void
test_named_unref_during_persist_async (void)
{
  check_named_gone_during_persist_async (FALSE);
}

/* The result handed to the callback is the caller's: its user data and
 * source tag. (It was an inner task's, with NULL user data.) */
typedef struct
{
  gboolean done;
  gboolean user_data_ok;
  gboolean tagged;
} UserDataCheck;

static void
check_user_data_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  UserDataCheck *check = user_data;

  check->user_data_ok = g_async_result_get_user_data (result) == user_data;
  check->tagged = g_async_result_is_tagged (result, g_tmp_file_persist_async);
  g_assert_true (g_tmp_file_persist_finish (G_TMP_FILE (source), result, NULL));
  check->done = TRUE;
}

static void
test_async_user_data (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_func (named) (dir, 0);
  UserDataCheck check = { FALSE, FALSE, FALSE };

  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_NONE, G_PRIORITY_DEFAULT, NULL,
                            check_user_data_cb, &check);
  while (!check.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (check.user_data_ok);
  g_assert_true (check.tagged);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* A destination that names no file ("dir/", ".", "..") is refused as
 * rename(2) refuses it, with and without SYNC. (A SYNC persist to "dir/"
 * moved the file to "dir/dir" and reported success.) */
static void
test_not_a_file_name (gconstpointer named)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *sub = g_build_filename (dir, "sub", NULL);
  g_autofree gchar *trailing = g_strconcat (sub, "/", NULL);
  g_autofree gchar *dot = g_build_filename (sub, ".", NULL);
  g_autofree gchar *dotdot = g_build_filename (sub, "..", NULL);
  const struct { const gchar *dest; gint code; } cases[] = {
    { trailing, G_IO_ERROR_NOT_DIRECTORY },
    { dot, G_IO_ERROR_IS_DIRECTORY },
    { dotdot, G_IO_ERROR_IS_DIRECTORY },
    { "", G_IO_ERROR_NOT_FOUND },
  };

  g_assert_no_errno (g_mkdir (sub, 0700));

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint sync = 0; sync < 2; sync++)
      {
        g_autoptr(GError) error = NULL;
        GTmpFile *tmp = new_func (named) (dir, 0);

        test_write (tmp, "kept", -1);
        g_assert_false (g_tmp_file_persist (tmp, cases[i].dest,
                                            sync ? G_TMP_PERSIST_SYNC : G_TMP_PERSIST_NONE,
                                            NULL, &error));
        g_assert_error (error, G_IO_ERROR, cases[i].code);
        /* Nothing moved: the sub-directory is still empty, a named
         * temporary keeps its name and its deletion. */
        g_assert_cmpuint (test_count_entries (sub), ==, 0);
        if (named)
          {
            g_assert_true (g_file_test (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp)),
                                        G_FILE_TEST_IS_REGULAR));
            g_assert_true (g_named_tmp_file_get_delete (G_NAMED_TMP_FILE (tmp)));
          }
        g_clear_object (&tmp);
        g_assert_cmpuint (test_count_entries (dir), ==, 1);
      }

  test_scratch_free (dir);
}

static void
add_both (const gchar   *name,
          GTestDataFunc  func)
{
  add_kinds (name, 2, func);
}

int
main (int   argc,
      char *argv[])
{
  umask (022);
  test_init (&argc, &argv, "persist");

  /* Forking tests first, before any worker thread exists. */
  g_test_add_data_func ("/persist/fork/anonymous-unwritable-dest", GINT_TO_POINTER (FALSE),
                        test_unwritable_dest);
  g_test_add_data_func ("/persist/fork/named-unwritable-dest", GINT_TO_POINTER (TRUE),
                        test_unwritable_dest);
  g_test_add_data_func ("/persist/fork/anonymous-killed-mid-copy", GINT_TO_POINTER (FALSE),
                        test_killed_mid_copy);
  g_test_add_data_func ("/persist/fork/named-killed-mid-copy", GINT_TO_POINTER (TRUE),
                        test_killed_mid_copy);

  add_both ("new-path", test_new_path);
  add_both ("replace", test_replace);
  add_both ("no-replace", test_no_replace);
  add_both ("sync", test_sync);
  add_both ("sync-no-replace", test_sync_no_replace);
  add_both ("sync-dir-fails", test_sync_dir_fails);
  add_both ("sync-dir-fails-async", test_sync_dir_fails_async);
  add_both ("sync-dir-symlink", test_sync_dir_symlink);
  add_both ("not-a-file-name", test_not_a_file_name);
  add_both ("sync-dir-emfile", test_sync_dir_emfile);
  add_both ("async-user-data", test_async_user_data);
  g_test_add_data_func ("/persist/anonymous/writes-during-async", GINT_TO_POINTER (HAMMER_ANONYMOUS),
                        test_writes_during_persist_async);
  g_test_add_data_func ("/persist/spooled/writes-during-async", GINT_TO_POINTER (HAMMER_SPOOLED),
                        test_writes_during_persist_async);
  g_test_add_data_func ("/persist/anonymous/writes-during-async-copy", GINT_TO_POINTER (HAMMER_COPY),
                        test_writes_during_persist_async);
  g_test_add_func ("/persist/spooled/busy-during-async", test_spooled_busy_during_persist_async);
  g_test_add_func ("/persist/named/dispose-during-async", test_named_dispose_during_persist_async);
  g_test_add_func ("/persist/named/unref-during-async", test_named_unref_during_persist_async);
  g_test_add_func ("/persist/named/unref-during-failing-async",
                   test_named_unref_during_failing_persist_async);
  add_both ("mode-kept", test_mode_kept);
  add_both ("twice", test_twice);
  add_both ("twice-during-async", test_twice_during_async);
  add_both ("async-no-callback", test_async_no_callback);
  add_both ("relative-dest", test_relative_dest);
  add_both ("missing-dest-dir", test_missing_dest_dir);
  add_both ("dest-is-directory", test_dest_is_directory);
  add_both ("closed", test_closed);
  add_both ("cancelled", test_cancelled);
  add_both ("cross-fs", test_cross_fs);
  add_both ("cross-fs-no-replace", test_cross_fs_no_replace);
  add_both ("cross-fs-exists-no-copy", test_cross_fs_exists_no_copy);
  add_both ("cross-fs-exists-race", test_cross_fs_exists_race);
  add_both ("async", test_async);
  add_both ("async-errors", test_async_error);
  add_both ("async-context", test_async_context);
  g_test_add_func ("/persist/named/notify", test_named_notify);
  g_test_add_func ("/persist/named/notify-async-context", test_named_notify_async_context);
  g_test_add_func ("/persist/anonymous/not-linkable", test_not_linkable);
  add_sync_kinds ("sync-order", test_sync_order);
  add_sync_kinds ("sync-none", test_sync_none);
  add_sync_kinds ("sync-order-async", test_sync_order_async);
  add_sync_kinds ("sync-order-copy", test_sync_order_copy);
  g_test_add_data_func ("/persist/anonymous/sync-allow-copy-moves",
                        GINT_TO_POINTER (SYNC_ANONYMOUS), test_sync_allow_copy_moves);
  g_test_add_data_func ("/persist/named/sync-allow-copy-moves",
                        GINT_TO_POINTER (SYNC_NAMED), test_sync_allow_copy_moves);
  g_test_add_func ("/persist/anonymous/sync-copy-not-linkable", test_sync_copy_not_linkable);
  g_test_add_data_func ("/persist/anonymous/fork-during-persist", GINT_TO_POINTER (FALSE),
                        test_fork_during_persist);
  g_test_add_data_func ("/persist/named/fork-during-persist", GINT_TO_POINTER (TRUE),
                        test_fork_during_persist);

  return test_run ();
}
