/* test-persist-mode.c — what mode, owner and group a persisted file has
 *
 * The contract (DESIGN.md "After persist"): replacing an existing regular
 * file, the new file takes its mode, owner and group (where permitted), as
 * g_file_replace() keeps them; a new name keeps the object's mode (0600
 * unless given) unless G_TMP_PERSIST_DOCUMENT_MODE asks for 0666 & ~umask.
 * A failed persist leaves the temporary file as it was.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"

/* Every case runs for the three file classes (the data). */
static void
add_classes (const gchar   *group,
             const gchar   *name,
             GTestDataFunc  func)
{
  static const struct { const gchar *name; TestFileClass klass; } classes[] = {
    { "anonymous", TEST_CLASS_TMP_FILE },
    { "named", TEST_CLASS_NAMED },
    { "spooled", TEST_CLASS_SPOOLED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/persist-mode/%s/%s/%s", group, classes[i].name, name);

      g_test_add_data_func (path, GINT_TO_POINTER (classes[i].klass), func);
    }
}

static GTmpFile *
new_file (gconstpointer  klass,
          const gchar   *dir)
{
  GTmpFile *tmp = test_new_file (GPOINTER_TO_INT (klass), dir, NULL, 1024);

  test_write (tmp, "new", -1);
  return tmp;
}

/* The temporary file's own mode, through its descriptor (a spooled file
 * rolls over). */
static guint
temp_mode (GTmpFile *tmp)
{
  struct stat st;

  g_assert_no_errno (fstat (test_get_fd (tmp), &st));
  return st.st_mode & 07777;
}

static struct stat
stat_of (const gchar *path)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  return st;
}

static void
test_replace_keeps_mode (gconstpointer klass)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "doc.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);

  test_write_file_mode (dest, "old", 0644);
  test_persist (tmp, dest, G_TMP_PERSIST_NONE);

  g_assert_cmpuint (test_mode_of (dest), ==, 0644);
  test_assert_file_contents (dest, "new");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Replacing a file of another owner or group (root can make one): the
 * new file takes them, and the mode. */
typedef struct
{
  const gchar      *why;      /* completes "needs root, …" */
  uid_t             uid;      /* the replaced file's, -1: root's */
  gid_t             gid;
  guint             mode;
  GTmpPersistFlags  flags;
} KeepCase;

static void
check_replace_keeps (gconstpointer  klass,
                     const KeepCase *c)
{
  gchar *dir = NULL;
  g_autofree gchar *dest = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  struct stat st;

  if (!test_need_root (c->why))
    return;

  dir = test_scratch_new ();
  dest = g_build_filename (dir, "theirs.txt", NULL);
  tmp = new_file (klass, dir);
  test_write_file_mode (dest, "old", c->mode);
  g_assert_no_errno (chown (dest, c->uid, c->gid));

  test_persist (tmp, dest, c->flags);

  st = stat_of (dest);
  g_assert_cmpuint (st.st_mode & 07777, ==, c->mode);
  g_assert_cmpuint (st.st_uid, ==, c->uid == (uid_t) -1 ? 0 : c->uid);
  g_assert_cmpuint (st.st_gid, ==, c->gid);
  test_assert_file_contents (dest, "new");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_replace_keeps_group (gconstpointer klass)
{
  static const KeepCase group = {
    "to give a file another group", (uid_t) -1, TEST_NOBODY, 0640, G_TMP_PERSIST_SYNC
  };

  check_replace_keeps (klass, &group);
}

static void
test_replace_keeps_owner (gconstpointer klass)
{
  static const KeepCase owner = {
    "to give a file another owner", TEST_NOBODY, TEST_NOBODY, 0664, G_TMP_PERSIST_NONE
  };

  check_replace_keeps (klass, &owner);
}

/* Not permitted to give the file root's ownership: saved all the same,
 * with the mode, owned by whoever saved it (as g_file_replace() would). */
typedef struct
{
  const gchar *dir;
  const gchar *dest;
  TestFileClass klass;
} NobodySave;

static void
save_as_nobody (gpointer data)
{
  NobodySave *save = data;
  g_autoptr(GTmpFile) tmp = new_file (GINT_TO_POINTER (save->klass), save->dir);
  g_autoptr(GError) error = NULL;

  if (!g_tmp_file_persist (tmp, save->dest, G_TMP_PERSIST_NONE, NULL, &error))
    _exit (3);
}

/* Root's file @name, mode @mode, saved over by uid 65534 in a directory
 * open to all: the saved file is theirs, with the mode @saved_mode. */
static void
check_saved_as_nobody (gconstpointer  klass,
                       const gchar   *name,
                       guint          mode,
                       guint          saved_mode)
{
  gchar *dir = NULL;
  g_autofree gchar *dest = NULL;
  NobodySave save;
  struct stat st;

  if (!test_need_root ("to save over root's file as another user"))
    return;

  dir = test_scratch_new ();
  dest = g_build_filename (dir, name, NULL);
  g_assert_no_errno (chmod (dir, 0777));
  test_write_file_mode (dest, "old", mode);

  save = (NobodySave) { dir, dest, GPOINTER_TO_INT (klass) };
  test_run_as_nobody (save_as_nobody, &save);

  st = stat_of (dest);
  g_assert_cmpuint (st.st_uid, ==, TEST_NOBODY);
  g_assert_cmpuint (st.st_mode & 07777, ==, saved_mode);
  test_assert_file_contents (dest, "new");

  test_scratch_free (dir);
}

static void
test_owner_not_permitted (gconstpointer klass)
{
  check_saved_as_nobody (klass, "roots.txt", 0644, 0644);
}

/* Root's set-user-ID and set-group-ID file, saved over by another user:
 * the saved file is that user's, and their own file does not become
 * set-ID to them; the permission bits are kept. */
static void
test_setid_not_permitted (gconstpointer klass)
{
  check_saved_as_nobody (klass, "roots-tool", 06755, 0755);
}

static void
test_new_name (gconstpointer klass)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "fresh.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);

  test_persist (tmp, dest, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (test_mode_of (dest), ==, 0600);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
check_document_mode (gconstpointer klass,
                     mode_t        mask,
                     guint         expected)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "document.odt", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);
  mode_t old_mask = umask (mask);

  test_persist (tmp, dest, G_TMP_PERSIST_DOCUMENT_MODE | G_TMP_PERSIST_SYNC);
  g_assert_cmpuint (test_mode_of (dest), ==, expected);
  /* Read, not changed. */
  g_assert_cmpuint (umask (old_mask), ==, mask);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

static void
test_document_mode (gconstpointer klass)
{
  check_document_mode (klass, 022, 0644);
  check_document_mode (klass, 077, 0600);
  check_document_mode (klass, 002, 0664);
}

/* DOCUMENT_MODE is for new names only: a replaced file's mode wins. */
static void
test_document_mode_replacing (gconstpointer klass)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "private.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);

  test_write_file_mode (dest, "old", 0600);
  test_persist (tmp, dest, G_TMP_PERSIST_DOCUMENT_MODE);
  g_assert_cmpuint (test_mode_of (dest), ==, 0600);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* A symbolic link at the destination is replaced, not followed: its
 * target keeps its content and mode, and the file has its own mode. */
static void
test_dest_symlink (gconstpointer klass)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "link", NULL);
  g_autofree gchar *target = g_build_filename (dir, "target", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);
  struct stat st;

  test_write_file_mode (target, "target", 0644);
  g_assert_no_errno (symlink (target, dest));

  test_persist (tmp, dest, G_TMP_PERSIST_NONE);

  st = stat_of (dest);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  test_assert_file_contents (dest, "new");
  test_assert_file_contents (target, "target");
  g_assert_cmpuint (test_mode_of (target), ==, 0644);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Where /proc/self/status cannot tell the umask, DOCUMENT_MODE still
 * gives 0666 & ~umask, and the umask is what it was afterwards. */
static void
test_document_mode_no_proc (void)
{
  if (!test_enter_mount_namespace ())
    return;
  if (mount ("none", "/proc", "tmpfs", 0, NULL) < 0)
    {
      test_skip_printf ("cannot hide /proc: %s", g_strerror (errno));
      return;
    }

  check_document_mode (GINT_TO_POINTER (TEST_CLASS_TMP_FILE), 027, 0640);
  check_document_mode (GINT_TO_POINTER (TEST_CLASS_NAMED), 002, 0664);
  /* /proc back, for LeakSanitizer at exit. */
  g_assert_no_errno (umount ("/proc"));
}

/* Another non-regular file (a FIFO, whose mode is 0644): replaced like a
 * link, the file keeping its own mode; opening it would have blocked. */
static void
test_dest_fifo (gconstpointer klass)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "fifo", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);
  struct stat st;

  g_assert_no_errno (mkfifo (dest, 0644));

  test_persist (tmp, dest, G_TMP_PERSIST_NONE);

  st = stat_of (dest);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  test_assert_file_contents (dest, "new");
  g_assert_cmpuint (test_count_entries (dir), ==, 1);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* A directory at the destination: an error, and nothing changes — not
 * the directory, not the temporary file's mode. */
static void
test_dest_directory (gconstpointer klass)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "folder", NULL);
  g_autofree gchar *inside = g_build_filename (dest, "keep", NULL);
  g_autoptr(GTmpFile) tmp = new_file (klass, dir);
  g_autoptr(GError) error = NULL;

  test_make_dir (dest, 0755);
  test_write_file (inside, "kept");

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_DOCUMENT_MODE, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, dest));

  g_assert_cmpuint (test_mode_of (dest), ==, 0755);
  test_assert_file_contents (inside, "kept");
  g_assert_cmpuint (temp_mode (tmp), ==, 0600);

  /* Still a temporary file: persisting elsewhere works. */
  g_free (inside);
  inside = g_build_filename (dir, "elsewhere", NULL);
  test_persist (tmp, inside, G_TMP_PERSIST_NONE);
  test_assert_file_contents (inside, "new");

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

/* Another file system (a small tmpfs): NOT_SUPPORTED without ALLOW_COPY,
 * the temporary file left as it was; with it, the copy takes the replaced
 * file's mode and owner, or the object's mode for a new name. */
static void
test_other_file_system (gconstpointer klass)
{
  g_auto(TestTwoFs) fs = TEST_TWO_FS_INIT;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *fresh = NULL;
  g_autoptr(GTmpFile) tmp = NULL;
  g_autoptr(GTmpFile) other = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (!test_two_fs_init (&fs, TEST_TWO_FS_TO_TMPFS))
    return;

  dest = g_build_filename (fs.dest_dir, "doc.txt", NULL);
  fresh = g_build_filename (fs.dest_dir, "fresh.txt", NULL);
  test_write_file_mode (dest, "old", 0640);
  g_assert_no_errno (chown (dest, TEST_NOBODY, TEST_NOBODY));
  tmp = new_file (klass, fs.src_dir);

  g_assert_false (g_tmp_file_persist (tmp, dest, G_TMP_PERSIST_NONE, NULL, &error));
  test_assert_error_names (error, G_IO_ERROR_NOT_SUPPORTED, dest);
  g_clear_error (&error);
  g_assert_cmpuint (temp_mode (tmp), ==, 0600);
  test_assert_file_contents (dest, "old");

  test_persist (tmp, dest, G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_SYNC);
  st = stat_of (dest);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpuint (st.st_uid, ==, TEST_NOBODY);
  g_assert_cmpuint (st.st_gid, ==, TEST_NOBODY);
  test_assert_file_contents (dest, "new");

  other = new_file (klass, fs.src_dir);
  test_persist (other, fresh, G_TMP_PERSIST_ALLOW_COPY);
  g_assert_cmpuint (test_mode_of (fresh), ==, 0600);
  g_assert_cmpuint (test_count_entries (fs.dest_dir), ==, 2);
}

/* An object made with a mode keeps it for a new name, and gives it up for
 * the mode of a file it replaces. */
static void
test_object_mode (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *fresh = g_build_filename (dir, "fresh", NULL);
  g_autofree gchar *dest = g_build_filename (dir, "old", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GNamedTmpFile) a = g_named_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, 0640, &error);
  g_autoptr(GNamedTmpFile) b = g_named_tmp_file_new_at (AT_FDCWD, dir, NULL, NULL, 0640, &error);

  g_assert_no_error (error);
  test_persist (a, fresh, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (test_mode_of (fresh), ==, 0640);

  test_write_file_mode (dest, "old", 0604);
  test_persist (b, dest, G_TMP_PERSIST_NONE);
  g_assert_cmpuint (test_mode_of (dest), ==, 0604);

  g_clear_object (&a);
  g_clear_object (&b);
  test_scratch_free (dir);
}

/* The async persist does the same. */
static void
test_async_replace (void)
{
  gchar *dir = test_scratch_new ();
  g_autofree gchar *dest = g_build_filename (dir, "doc.txt", NULL);
  g_autoptr(GTmpFile) tmp = new_file (GINT_TO_POINTER (TEST_CLASS_TMP_FILE), dir);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  test_write_file_mode (dest, "old", 0644);
  g_tmp_file_persist_async (tmp, dest, G_TMP_PERSIST_SYNC, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &result);
  g_assert_true (g_tmp_file_persist_finish (tmp, test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (test_mode_of (dest), ==, 0644);

  g_clear_object (&tmp);
  test_scratch_free (dir);
}

int
main (int   argc,
      char *argv[])
{
  umask (022);
  test_init (&argc, &argv, "persist-mode");

  /* Forking first, before any worker thread exists. */
  add_classes ("fork", "owner-not-permitted", test_owner_not_permitted);
  add_classes ("fork", "setid-not-permitted", test_setid_not_permitted);
  add_classes ("mode", "replace", test_replace_keeps_mode);
  add_classes ("mode", "replace-group", test_replace_keeps_group);
  add_classes ("mode", "replace-owner", test_replace_keeps_owner);
  add_classes ("mode", "new-name", test_new_name);
  add_classes ("mode", "document-mode", test_document_mode);
  add_classes ("mode", "document-mode-replacing", test_document_mode_replacing);
  add_classes ("mode", "dest-symlink", test_dest_symlink);
  add_classes ("mode", "dest-fifo", test_dest_fifo);
  add_classes ("mode", "dest-directory", test_dest_directory);
  add_classes ("mode", "other-file-system", test_other_file_system);
  g_test_add_func ("/persist-mode/object-mode", test_object_mode);
  g_test_add_func ("/persist-mode/document-mode-no-proc", test_document_mode_no_proc);
  g_test_add_func ("/persist-mode/async-replace", test_async_replace);

  return test_run ();
}
