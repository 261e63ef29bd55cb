/* test-util.c — helpers shared by the C test suites
 *
 * Scratch space is made and removed with libc alone (nftw), never with the
 * library's own tree removal, which is itself under test.
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
#include <string.h>
#include <grp.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
# include <sched.h>
#endif

#include <glib/gstdio.h>

#include "gtempfile.h"
#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* Scratch directories: one per run, one (or more) per test case in it       */

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

/* ------------------------------------------------------------------------ */
/* What is on disk                                                           */

/**
 * test_write_file:
 * @path: (type filename): a file, replaced if it exists
 * @contents: its new contents, a string
 *
 * Writes @contents to @path with g_file_set_contents().
 */
void
test_write_file (const gchar *path,
                 const gchar *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/**
 * test_write_file_mode:
 * @path: (type filename): a file, replaced if it exists
 * @contents: its new contents, a string
 * @mode: its mode then
 *
 * test_write_file(), then chmod() to @mode (whatever the umask).
 */
void
test_write_file_mode (const gchar *path,
                      const gchar *contents,
                      guint        mode)
{
  test_write_file (path, contents);
  g_assert_no_errno (chmod (path, mode));
}

/**
 * test_make_dir:
 * @path: (type filename): a directory to make
 * @mode: its mode (whatever the umask)
 */
void
test_make_dir (const gchar *path,
               guint        mode)
{
  g_assert_no_errno (mkdir (path, 0700));
  g_assert_no_errno (chmod (path, mode));
}

/**
 * test_chown_nobody:
 * @path: (type filename): a path, not followed if a symbolic link
 *
 * Gives @path to uid/gid 65534.
 */
void
test_chown_nobody (const gchar *path)
{
  g_assert_no_errno (lchown (path, TEST_NOBODY, TEST_NOBODY));
}

/**
 * test_need_two_file_systems:
 * @a: (type filename): a directory
 * @b: (type filename): another
 *
 * Skips the test when @a and @b are not on two file systems (a second one
 * at /dev/shm is usual, not certain).
 *
 * Returns: whether they are
 */
gboolean
test_need_two_file_systems (const gchar *a,
                            const gchar *b)
{
  struct stat sa, sb;

  if (stat (a, &sa) == 0 && stat (b, &sb) == 0 && S_ISDIR (sb.st_mode) &&
      sa.st_dev != sb.st_dev)
    return TRUE;
  test_skip_printf ("%s and %s are not two file systems here", a, b);
  return FALSE;
}

/**
 * test_count_entries:
 * @dir: (type filename): a directory that exists
 *
 * Returns: how many entries @dir holds, `.` and `..` not counted
 */
guint
test_count_entries (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/**
 * test_path_exists:
 * @path: (type filename): a path
 *
 * Unlike g_file_test(), a dangling symbolic link exists (lstat).
 *
 * Returns: whether a directory entry @path exists
 */
gboolean
test_path_exists (const gchar *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

/**
 * test_mode_of:
 * @path: (type filename): a path that exists
 *
 * Returns: the permission bits (with setuid, setgid and sticky) of @path
 *   itself, not of what a symbolic link points to
 */
guint
test_mode_of (const gchar *path)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  return st.st_mode & 07777;
}

/**
 * test_assert_file_contents:
 * @path: (type filename): a file
 * @expected: its whole expected contents
 *
 * Asserts that the file @path can be read and holds exactly @expected.
 */
void
test_assert_file_contents (const gchar *path,
                           const gchar *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, expected);
}

/**
 * test_name_matches:
 * @path: (type filename): a path a function made up
 * @dir: (type filename): the directory it should be in
 * @pattern: a #GRegex pattern for its base name
 *
 * Returns: whether @path is directly in @dir and its name matches @pattern
 */
gboolean
test_name_matches (const gchar *path,
                   const gchar *dir,
                   const gchar *pattern)
{
  g_autofree gchar *dirname = g_path_get_dirname (path);
  g_autofree gchar *basename = g_path_get_basename (path);

  return g_strcmp0 (dirname, dir) == 0 &&
         g_regex_match_simple (pattern, basename, 0, 0);
}

/**
 * test_name_pattern:
 * @prefix: the start of a name
 * @random_length: how many characters of the library's name alphabet follow
 * @suffix: the end of the name
 *
 * Returns: (transfer full): a #GRegex pattern for test_name_matches() that
 *   matches exactly @prefix, @random_length characters of
 *   `[a-z0-9_]` and @suffix
 */
gchar *
test_name_pattern (const gchar *prefix,
                   guint        random_length,
                   const gchar *suffix)
{
  g_autofree gchar *start = g_regex_escape_string (prefix, -1);
  g_autofree gchar *end = g_regex_escape_string (suffix, -1);

  return g_strdup_printf ("^%s[a-z0-9_]{%u}%s$", start, random_length, end);
}

/**
 * test_watch_creations:
 * @dir: (type filename): a directory
 *
 * Starts watching @dir with inotify, so that test_read_creations() can tell
 * which names were created there even when they are gone again (an
 * anonymous file's fallback name exists for an instant).
 *
 * Returns: the inotify descriptor, for test_read_creations()
 */
gint
test_watch_creations (const gchar *dir)
{
  gint fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);

  g_assert_no_errno (fd);
  g_assert_no_errno (inotify_add_watch (fd, dir, IN_CREATE));
  return fd;
}

/**
 * test_read_creations:
 * @fd: a descriptor from test_watch_creations(), closed here
 *
 * Returns: (transfer full) (element-type filename): the names created in
 *   the watched directory since test_watch_creations(), in order
 */
GPtrArray *
test_read_creations (gint fd)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  gchar buffer[16 * 1024] __attribute__((aligned (__alignof__ (struct inotify_event))));
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    {
      gchar *p = buffer;

      while (p < buffer + n)
        {
          const struct inotify_event *event = (const struct inotify_event *) (gpointer) p;

          g_assert_cmpuint (event->mask & IN_Q_OVERFLOW, ==, 0);
          if (event->len > 0)
            g_ptr_array_add (names, g_strdup (event->name));
          p += sizeof *event + event->len;
        }
    }
  g_assert_true (n < 0 && errno == EAGAIN);
  close (fd);

  return names;
}

/**
 * test_assert_error_names:
 * @error: an error
 * @code: the #GIOErrorEnum it must be
 * @path: (type filename): what its message must name
 *
 * Asserts that @error is @code in G_IO_ERROR and that its message names
 * @path, as every error of the library about a file does.
 */
void
test_assert_error_names (const GError *error,
                         gint          code,
                         const gchar  *path)
{
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
}

/**
 * test_assert_tempdir:
 * @expected: (type filename): a directory
 *
 * Asserts that g_tempfile_get_tempdir() succeeds and answers @expected.
 */
void
test_assert_tempdir (const gchar *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_tempfile_get_tempdir (&error);

  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, expected);
}

/* ------------------------------------------------------------------------ */
/* Streams, signals and async results                                        */

/**
 * test_write_all:
 * @out: a stream
 * @data: (array length=len): what to write
 * @len: how many bytes
 *
 * Writes all of @data to @out, asserting that it succeeded in full.
 */
void
test_write_all (GOutputStream *out,
                const void    *data,
                gsize          len)
{
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_output_stream_write_all (out, data, len, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, len);
}

/**
 * test_write:
 * @io_stream: (type GIOStream): a GIOStream (a GTmpFile, say)
 * @data: what to write
 * @len: its length, or -1 for a NUL-terminated string
 *
 * Writes all of @data to @io_stream's output stream at its position.
 */
void
test_write (gpointer     io_stream,
            const void  *data,
            gssize       len)
{
  if (len < 0)
    len = strlen (data);
  test_write_all (g_io_stream_get_output_stream (G_IO_STREAM (io_stream)), data, len);
}

/**
 * test_get_fd:
 * @tmp: (type GTmpFile): a GTmpFile
 *
 * Returns: @tmp's descriptor (g_tmp_file_get_fd(), which must succeed)
 */
gint
test_get_fd (gpointer tmp)
{
  g_autoptr(GError) error = NULL;
  gint fd = g_tmp_file_get_fd (G_TMP_FILE (tmp), &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/**
 * test_new_file:
 * @klass: which class
 * @dir: (type filename): where
 * @prefix: the name's prefix
 * @max_size: a spooled file's threshold (ignored for the others)
 *
 * Makes a file of @klass in @dir, which must succeed.
 *
 * Returns: (transfer full): the file, as a #GTmpFile
 */
GTmpFile *
test_new_file (TestFileClass  klass,
               const gchar   *dir,
               const gchar   *prefix,
               gsize          max_size)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *tmp = NULL;

  switch (klass)
    {
    case TEST_CLASS_TMP_FILE:
      tmp = g_tmp_file_new (dir, prefix, NULL, &error);
      break;
    case TEST_CLASS_NAMED:
      tmp = G_TMP_FILE (g_named_tmp_file_new (dir, prefix, NULL, &error));
      break;
    case TEST_CLASS_SPOOLED:
      tmp = G_TMP_FILE (g_spooled_tmp_file_new (max_size, dir, prefix, NULL));
      break;
    case TEST_CLASS_TMP_DIR:
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_nonnull (tmp);
  return tmp;
}

/**
 * test_persist:
 * @tmp: (type GTmpFile): a GTmpFile
 * @dest: (type filename): where to
 * @flags: how
 *
 * g_tmp_file_persist(), which must succeed.
 */
void
test_persist (gpointer          tmp,
              const gchar      *dest,
              GTmpPersistFlags  flags)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_tmp_file_persist (G_TMP_FILE (tmp), dest, flags, NULL, &error));
  g_assert_no_error (error);
}

/**
 * test_model_write:
 * @model: what a file should hold
 * @pos: where the write is
 * @data: what it writes
 * @len: its length
 *
 * Updates @model as write(2) at @pos updates a file: writing past the end
 * leaves a hole of zeros; writing nothing there extends nothing.
 */
void
test_model_write (GByteArray   *model,
                  gsize         pos,
                  const guint8 *data,
                  gsize         len)
{
  if (len == 0)
    return;   /* (and an empty GByteArray's data may be NULL) */
  if (pos + len > model->len)
    test_model_truncate (model, pos + len);
  memcpy (model->data + pos, data, len);
}

/**
 * test_model_truncate:
 * @model: what a file should hold
 * @size: its new size
 *
 * Updates @model as ftruncate(2) to @size updates a file: what it grows by
 * reads as zeros.
 */
void
test_model_truncate (GByteArray *model,
                     gsize       size)
{
  gsize old = model->len;

  g_byte_array_set_size (model, size);
  if (size > old)
    memset (model->data + old, 0, size - old);
}

/**
 * test_truncate_with_model:
 * @seekable: (type GSeekable): a file, or one of its streams
 * @model: what it should hold
 * @size: its new size
 *
 * g_seekable_truncate(), which must succeed, and test_model_truncate().
 */
void
test_truncate_with_model (gpointer    seekable,
                          GByteArray *model,
                          gsize       size)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_seekable_truncate (G_SEEKABLE (seekable), size, NULL, &error));
  g_assert_no_error (error);
  test_model_truncate (model, size);
}

/**
 * test_seek:
 * @seekable: a stream
 * @offset: where to, relative to @type
 * @type: from where
 *
 * Seeks @seekable, asserting that it succeeded.
 */
void
test_seek (GSeekable *seekable,
           goffset    offset,
           GSeekType  type)
{
  g_autoptr(GError) error = NULL;

  g_seekable_seek (seekable, offset, type, NULL, &error);
  g_assert_no_error (error);
}

/**
 * test_count_notify:
 * @object: the object that notified
 * @pspec: the property
 * @user_data: a `guint *` counter
 *
 * A #GObject::notify handler that counts the notifications in @user_data.
 */
void
test_count_notify (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/**
 * test_mark_finalized:
 * @user_data: a gint, set to 1 (atomically)
 * @where_the_object_was: the object
 *
 * A #GWeakNotify that tells, from any thread, that an object is finalized.
 */
void
test_mark_finalized (gpointer  user_data,
                     GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) user_data, 1);
}

typedef struct
{
  guint n_done;
  guint n_ok;
} InitCount;

static void
count_init_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  InitCount *count = user_data;

  if (g_async_initable_init_finish (G_ASYNC_INITABLE (source), result, NULL))
    count->n_ok++;
  count->n_done++;
}

/**
 * test_init_async_twice:
 * @initable: (type GAsyncInitable): an object not initialized yet
 *
 * Starts g_async_initable_init_async() twice at once on @initable, as
 * GAsyncInitable allows, and asserts that both succeed.
 */
void
test_init_async_twice (gpointer initable)
{
  InitCount count = { 0, 0 };

  for (guint i = 0; i < 2; i++)
    g_async_initable_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT, NULL,
                                 count_init_cb, &count);
  while (count.n_done < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count.n_ok, ==, 2);
}

/**
 * test_store_result:
 * @source: the source object
 * @result: the result
 * @user_data: a `GAsyncResult **`, %NULL until the operation finishes
 *
 * A #GAsyncReadyCallback that keeps a reference to @result in @user_data,
 * for test_wait_result().
 */
void
test_store_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/**
 * test_wait_result:
 * @slot: where test_store_result() puts the result
 *
 * Iterates the global default main context until the operation whose
 * callback is test_store_result() has finished.
 *
 * Returns: (transfer none): the result, still owned by @slot
 */
GAsyncResult *
test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/**
 * test_assert_foreign_result:
 * @finish: (scope call): a class's `_new_finish()`
 * @result: a result another operation made
 *
 * @finish refuses @result as not its own, with a critical (expected here)
 * and no error: a programmer error.
 */
void
test_assert_foreign_result (TestFinishFunc  finish,
                            GAsyncResult   *result)
{
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL, "*_g_tmp_task_is_ours*");
  g_assert_null (finish (result, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
}

/**
 * test_unref_and_wait:
 * @object: (transfer full): the last reference this test holds
 *
 * Drops @object and waits until it is finalized.  After an async operation
 * the GIO worker thread may still hold the task, and through it the source
 * object, for a moment after the callback has run: a test that checks what
 * finalization does must wait for that reference to go too.
 */
static void
set_finalized (gpointer data)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

void
test_unref_and_wait (gpointer object)
{
  static GQuark quark;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint finalized = FALSE;

  /* Not a GWeakRef: GLib clears those before dispose runs, in whichever
   * thread drops the last reference, so what dispose does could still be
   * under way. Object data is freed by finalize, after dispose. */
  if (quark == 0)
    quark = g_quark_from_static_string ("test-unref-and-wait");
  g_object_set_qdata_full (object, quark, &finalized, set_finalized);
  g_object_unref (object);
  while (!g_atomic_int_get (&finalized))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/**
 * test_race_async_write:
 * @file: (transfer full): an open #GTmpFile (or subclass)
 * @race: what to do to @file while the write runs
 * @len: how many bytes to write
 * @delay_us: how long to spin between starting the write and @race, to
 *   spread the race over the write's start, middle and end
 *
 * Starts g_output_stream_write_async() of @len bytes, then drops the last
 * reference to @file, disposes it or closes it, as a program may do while
 * its write runs in GIO's worker thread. Whatever the timing, the write
 * must report all @len bytes or G_IO_ERROR_CLOSED, the stream must report
 * G_IO_ERROR_CLOSED afterwards, and the file must be finalized.
 *
 * Returns: %TRUE if the write got in before the file went away
 */
gboolean
test_race_async_write (gpointer  file,
                       TestRace  race,
                       gsize     len,
                       gint64    delay_us)
{
  g_autoptr(GOutputStream) out = g_object_ref (g_io_stream_get_output_stream (file));
  g_autofree guint8 *data = g_malloc (len);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) closed_error = NULL;
  gint64 until;
  GWeakRef weak;
  GObject *alive;
  gssize n;

  memset (data, 0x5a, len);
  g_weak_ref_init (&weak, file);

  g_output_stream_write_async (out, data, len, G_PRIORITY_DEFAULT, NULL,
                               test_store_result, &result);

  until = g_get_monotonic_time () + delay_us;
  while (g_get_monotonic_time () < until)
    ;

  switch (race)
    {
    case TEST_RACE_UNREF:
      break;
    case TEST_RACE_DISPOSE:
      g_object_run_dispose (file);
      break;
    case TEST_RACE_CLOSE:
      g_assert_true (g_io_stream_close (file, NULL, &error));
      g_assert_no_error (error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_unref (file);

  n = g_output_stream_write_finish (out, test_wait_result (&result), &error);
  if (n < 0)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  else
    g_assert_cmpint (n, ==, len);

  g_assert_cmpint (g_output_stream_write (out, "x", 1, NULL, &closed_error), ==, -1);
  g_assert_error (closed_error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  /* Nothing keeps the file: GIO's worker may hold the task a moment. */
  while ((alive = g_weak_ref_get (&weak)) != NULL)
    {
      g_object_unref (alive);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
  g_weak_ref_clear (&weak);

  return n >= 0;
}

/**
 * test_add_race_write:
 * @prefix: the test paths' start
 * @suffix: their end, after the race's name
 * @flags: or-ed into each test's data (a #TestRace)
 * @func: the test
 *
 * Adds @func three times, @prefix/unref@suffix, /dispose@suffix and
 * /close@suffix, with TEST_RACE_UNREF, _DISPOSE and _CLOSE as its data.
 */
void
test_add_race_write (const gchar   *prefix,
                     const gchar   *suffix,
                     gint           flags,
                     GTestDataFunc  func)
{
  static const struct { TestRace race; const gchar *name; } races[] = {
    { TEST_RACE_UNREF, "unref" },
    { TEST_RACE_DISPOSE, "dispose" },
    { TEST_RACE_CLOSE, "close" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (races); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("%s/%s%s", prefix, races[i].name, suffix);

      g_test_add_data_func (path, GINT_TO_POINTER (races[i].race | flags), func);
    }
}

/**
 * test_race_iterations:
 * @fallback: the default
 *
 * Returns: how many times a race test runs: `$GTMP_TEST_RACE_ITERATIONS`
 *   (fewer under Valgrind, more for a long soak) or @fallback
 */
guint
test_race_iterations (guint fallback)
{
  const gchar *env = g_getenv ("GTMP_TEST_RACE_ITERATIONS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : fallback;
}

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
