/* fault-driver.c — fails every system call of every operation in turn
 *
 * For each operation (create, write, read, seek, truncate, rollover,
 * persist with each flag, close, cleanup, dispose of every class and the
 * module functions) the driver first records the calls the operation makes
 * (fault-shim.c, preloaded), then runs it again once per (call, errno) pair,
 * failing that call with that errno, and checks what a user relies on:
 *
 * - the operation fails with a G_IO_ERROR whose code fits the errno and
 *   whose message is UTF-8, or succeeds and did all it should;
 * - no byte accepted before the fault is lost (the file is read back);
 * - no descriptor is leaked (/proc/self/fd before and after);
 * - nothing is left on disk once the objects are gone;
 * - a failed persist changes nothing: destination untouched, the temporary
 *   keeps its name, its content and its deletion — except the documented
 *   one, a SYNC persist whose flush of the destination's directory (after
 *   the move) fails: the file is saved then, and the object followed it.
 *
 * Every run is a forked child: the per-thread random pool starts empty
 * there (so getrandom() is part of each creation's calls, deterministically),
 * a crash or an abort is one failed triple, and nothing a run changes in the
 * library's process-wide state (tempdir cache, O_TMPFILE refusals) reaches
 * the next one. Only the calls of the thread that runs the operation are
 * counted: the synchronous API is walked, not the async one.
 *
 * Usage: fault-driver [-v] [-t] [OPERATION-SUBSTRING…]
 *   -v  print every triple;  -t  print each operation's recorded calls.
 * Runs itself again with LD_PRELOAD=$FAULT_SHIM when the shim is not loaded.
 * Output is TAP: one test per operation.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <errno.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtempfile.h>

#ifdef __SANITIZE_ADDRESS__
# include <sanitizer/lsan_interface.h>
#endif

/* --------------------------------------------------------------- shim */

static void        (*fault_arm)       (int nth, int errsv);
static int         (*fault_disarm)    (void);
static int         (*fault_was_hit)   (void);
static const char *(*fault_call_name) (int i);
static const char *(*fault_failed_path) (void);
static const char *(*fault_failed_fd_path) (void);

static gboolean
shim_find (void)
{
  fault_arm = dlsym (RTLD_DEFAULT, "fault_arm");
  fault_disarm = dlsym (RTLD_DEFAULT, "fault_disarm");
  fault_was_hit = dlsym (RTLD_DEFAULT, "fault_was_hit");
  fault_call_name = dlsym (RTLD_DEFAULT, "fault_call_name");
  fault_failed_path = dlsym (RTLD_DEFAULT, "fault_failed_path");
  fault_failed_fd_path = dlsym (RTLD_DEFAULT, "fault_failed_fd_path");

  return fault_arm && fault_disarm && fault_was_hit && fault_call_name && fault_failed_path &&
         fault_failed_fd_path;
}

/* The sanitizer runtimes this process has loaded, which must come first in
 * LD_PRELOAD (ASan's before all), as "a:b:", or "". */
static gchar *
sanitizer_runtimes (void)
{
  static const gchar * const runtimes[] = { "/libasan.so", "/libubsan.so" };
  g_autofree gchar *maps = NULL;
  g_auto(GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  gsize i, r;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return g_string_free (out, FALSE);

  lines = g_strsplit (maps, "\n", -1);
  for (r = 0; r < G_N_ELEMENTS (runtimes); r++)
    for (i = 0; lines[i] != NULL; i++)
      {
        const gchar *path = strchr (lines[i], '/');

        if (path != NULL && strstr (path, runtimes[r]) != NULL &&
            strstr (out->str, path) == NULL)
          {
            g_string_append_printf (out, "%s:", path);
            break;
          }
      }

  return g_string_free (out, FALSE);
}

static void
shim_load_or_exec (char **argv)
{
  const gchar *shim = g_getenv ("FAULT_SHIM");
  g_autofree gchar *preload = NULL;
  g_autofree gchar *runtimes = NULL;

  if (shim_find ())
    return;

  if (shim == NULL || g_getenv ("FAULT_DRIVER_REEXEC") != NULL)
    {
      printf ("1..0 # SKIP the fault shim is not loaded (set FAULT_SHIM to its path)\n");
      exit (0);
    }

  runtimes = sanitizer_runtimes ();
  preload = g_strconcat (runtimes, shim, NULL);
  g_setenv ("LD_PRELOAD", preload, TRUE);
  g_setenv ("FAULT_DRIVER_REEXEC", "1", TRUE);
  execv ("/proc/self/exe", argv);
  printf ("1..0 # SKIP could not run again with the shim: %s\n", g_strerror (errno));
  exit (0);
}

/* -------------------------------------------------------------- model */

#define BEFORE      "before-0123456789-abcdefghij"   /* 28 bytes */
#define AFTER       "AFTER-the-fault-ZYXWVUTSRQPONMLKJIHGFEDCBA-0123456789-abcdefghijklmnopqrstuvwxyz-0123"
#define OLD_DEST    "old destination"
#define SPOOL_MAX   64

typedef enum
{
  K_NONE,
  K_TMPFILE,
  K_NAMED,
  K_SPOOLED,       /* in memory */
  K_SPOOLED_DISK,  /* rolled over during set-up */
} Kind;

typedef enum
{
  DEST_ABSENT,
  DEST_EXISTS,
} DestState;

typedef struct _Fixture Fixture;
typedef struct _Op Op;

struct _Op
{
  const gchar      *name;
  Kind              kind;
  void            (*setup) (Fixture *f);
  gboolean        (*run)   (Fixture *f, GError **error);
  void            (*check) (Fixture *f, gboolean ok);
  /* persist */
  GTmpPersistFlags  flags;
  DestState         dest_state;
  gboolean          cross_fs;
  /* An error this operation reports with no fault at all. */
  gint              own_error;
  /* Created on a file system that refuses O_TMPFILE (the fallback). */
  gboolean          no_tmpfile;
};

struct _Fixture
{
  const Op  *op;
  gchar     *dir;         /* scratch directory */
  const gchar *create_in; /* where the operation creates: dir, or nofs_root */
  gchar     *xdir;        /* scratch directory on another file system, or NULL */
  GTmpFile  *file;
  GTmpDir   *tmpdir;
  gchar     *tmpdir_path;
  gchar     *temp_path;   /* a named file's path before the operation */
  gchar     *dest;
  struct stat dest_st;
  gchar     *made_path;   /* mkstemp/mkdtemp/get_tempdir result */
  gint       made_fd;
  GString   *content;     /* what the file holds before the operation */
  gsize      written;     /* bytes a failed write accepted */
  goffset    position;
  GPtrArray *allowed;     /* relative paths that may stay on disk */
  gchar     *allowed_prefix;  /* relative prefix whose entries may stay */
  gint       errsv;       /* the injected errno, 0 when recording */
  gboolean   hit;
  gchar     *call;        /* the failed call's name */
  gchar     *kept;        /* relative path a failed removal left, or NULL */
  /* ENOENT was injected: the library may take the entry for gone (as it
   * would be, had someone else removed it) while it is still there, so
   * what is left on disk and errors that follow from that are not its
   * fault. */
  gboolean   vanished;
  /* The failed call was a SYNC persist's flush of the destination's
   * directory, after the move: the one failure after which the file is
   * saved (documented), so a failed persist must look like a successful
   * one then, but say so. */
  gboolean   dir_flush;
  GPtrArray *failures;
};

static void fail (Fixture *f, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
fail (Fixture     *f,
      const gchar *format,
      ...)
{
  va_list ap;

  va_start (ap, format);
  g_ptr_array_add (f->failures, g_strdup_vprintf (format, ap));
  va_end (ap);
}

/* --------------------------------------------------------- disk helpers */

static guint
count_fds (void)
{
  GDir *d = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert (d != NULL);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);

  return n - 1;  /* the GDir's own */
}

static void
list_into (const gchar *root,
           const gchar *rel,
           GPtrArray   *out)
{
  g_autofree gchar *path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  GDir *d = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *child_rel = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree gchar *child = g_build_filename (root, child_rel, NULL);
      struct stat st;

      g_ptr_array_add (out, g_strdup (child_rel));
      if (lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        list_into (root, child_rel, out);
    }
  g_dir_close (d);
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                type,
              struct FTW        *ftw)
{
  if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
    {
      chmod (path, 0700);
      return rmdir (path) < 0 && errno != ENOENT;
    }
  return unlink (path) < 0 && errno != ENOENT;
}

static void
remove_tree (const gchar *path)
{
  nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static GString *
file_contents (const gchar *path)
{
  g_autofree gchar *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  return g_string_new_len (data, len);
}

/* Reads the whole file through its stream (position restored), or NULL. */
static GString *
stream_contents (Fixture *f)
{
  GSeekable *seekable = G_SEEKABLE (f->file);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (f->file));
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  goffset pos = g_seekable_tell (seekable);
  gchar buf[4096];
  gssize n;

  if (!g_seekable_seek (seekable, 0, G_SEEK_SET, NULL, &error))
    {
      fail (f, "could not seek back after the operation: %s", error->message);
      g_string_free (out, TRUE);
      return NULL;
    }
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, &error)) > 0)
    g_string_append_len (out, buf, n);
  if (n < 0)
    {
      fail (f, "could not read back after the operation: %s", error->message);
      g_string_free (out, TRUE);
      return NULL;
    }
  g_seekable_seek (seekable, pos, G_SEEK_SET, NULL, NULL);

  return out;
}

static void
expect_stream (Fixture     *f,
               const gchar *what,
               GString     *expected)
{
  g_autoptr(GString) got = stream_contents (f);

  if (got != NULL && !g_string_equal (got, expected))
    fail (f, "%s: the file holds %" G_GSIZE_FORMAT " bytes “%.40s…”, expected %"
          G_GSIZE_FORMAT " bytes “%.40s…”", what, got->len, got->str, expected->len,
          expected->str);
}

static void
allow (Fixture     *f,
       const gchar *path)
{
  const gchar *root = f->dir;

  if (f->xdir != NULL && g_str_has_prefix (path, f->xdir))
    {
      g_ptr_array_add (f->allowed, g_build_filename ("x", path + strlen (f->xdir) + 1, NULL));
      return;
    }
  g_assert (g_str_has_prefix (path, root));
  g_ptr_array_add (f->allowed, g_strdup (path + strlen (root) + 1));
}

/* Whether @path (absolute, as /proc/self/fd shows it) is the directory of
 * the persist's destination. */
static gboolean
is_dest_dir (Fixture     *f,
             const gchar *path)
{
  g_autofree gchar *dir = g_path_get_dirname (f->dest);
  g_autofree gchar *real = realpath (dir, NULL);

  return real != NULL && g_str_equal (real, path);
}

/* ------------------------------------------------------------ set-up */

static void
write_bytes (Fixture     *f,
             const gchar *data)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (f->file));

  if (!g_output_stream_write_all (out, data, strlen (data), NULL, NULL, &error))
    g_error ("set-up write: %s", error->message);
  g_string_append (f->content, data);
}

static void
setup_file (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  switch (f->op->kind)
    {
    case K_TMPFILE:
      f->file = g_tmp_file_new (f->dir, "fault", NULL, &error);
      break;
    case K_NAMED:
      f->file = (GTmpFile *) g_named_tmp_file_new (f->dir, "fault", NULL, &error);
      break;
    case K_SPOOLED:
    case K_SPOOLED_DISK:
      f->file = (GTmpFile *) g_spooled_tmp_file_new (SPOOL_MAX, f->dir, "fault", NULL);
      break;
    case K_NONE:
    default:
      return;
    }
  if (f->file == NULL)
    g_error ("set-up: %s", error->message);

  write_bytes (f, BEFORE);

  if (f->op->kind == K_SPOOLED_DISK &&
      !g_spooled_tmp_file_rollover (G_SPOOLED_TMP_FILE (f->file), NULL, &error))
    g_error ("set-up rollover: %s", error->message);

  if (G_IS_NAMED_TMP_FILE (f->file))
    f->temp_path = g_strdup (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (f->file)));
  f->position = g_seekable_tell (G_SEEKABLE (f->file));
}

static void
setup_at_start (Fixture *f)
{
  g_seekable_seek (G_SEEKABLE (f->file), 0, G_SEEK_SET, NULL, NULL);
  f->position = 0;
}

static void
setup_midway (Fixture *f)
{
  g_seekable_seek (G_SEEKABLE (f->file), 7, G_SEEK_SET, NULL, NULL);
  f->position = 7;
}

/* --------------------------------------------------- stream operations */

static gboolean
run_create (Fixture  *f,
            GError  **error)
{
  switch (f->op->kind)
    {
    case K_TMPFILE:
      f->file = g_tmp_file_new (f->create_in, "fault", ".t", error);
      break;
    case K_NAMED:
      f->file = (GTmpFile *) g_named_tmp_file_new (f->create_in, "fault", ".t", error);
      break;
    case K_SPOOLED:
    case K_SPOOLED_DISK:
    case K_NONE:
    default:
      f->file = (GTmpFile *) g_spooled_tmp_file_new (SPOOL_MAX, f->create_in, "fault", ".t");
      break;
    }

  return f->file != NULL;
}

static void
check_create (Fixture  *f,
              gboolean  ok)
{
  if (!ok || f->op->no_tmpfile)  /* mqueue files take no data */
    return;
  write_bytes (f, BEFORE);
  expect_stream (f, "after creating", f->content);
  if (G_IS_NAMED_TMP_FILE (f->file))
    {
      g_autoptr(GString) on_disk = file_contents (g_named_tmp_file_get_path (G_NAMED_TMP_FILE (f->file)));

      if (on_disk == NULL || !g_string_equal (on_disk, f->content))
        fail (f, "the named file's path does not hold what was written");
    }
}

static gboolean
run_write (Fixture  *f,
           GError  **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (f->file));

  return g_output_stream_write_all (out, AFTER, strlen (AFTER), &f->written, NULL, error);
}

static void
check_write (Fixture  *f,
             gboolean  ok)
{
  g_autoptr(GString) expected = g_string_new_len (f->content->str, f->content->len);

  g_string_append_len (expected, AFTER, ok ? strlen (AFTER) : f->written);
  expect_stream (f, ok ? "after the write" : "after the failed write", expected);
  if (g_seekable_tell (G_SEEKABLE (f->file)) != (goffset) expected->len)
    fail (f, "position %" G_GOFFSET_FORMAT " after the write, expected %" G_GSIZE_FORMAT,
          g_seekable_tell (G_SEEKABLE (f->file)), expected->len);
}

static gboolean
run_read (Fixture  *f,
          GError  **error)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (f->file));
  gchar buf[256];
  gsize n;

  if (!g_input_stream_read_all (in, buf, sizeof buf, &n, NULL, error))
    return FALSE;
  if (n != f->content->len || memcmp (buf, f->content->str, n) != 0)
    fail (f, "the read returned %" G_GSIZE_FORMAT " bytes “%.*s”", n, (int) n, buf);
  return TRUE;
}

static void
check_unchanged (Fixture  *f,
                 gboolean  ok)
{
  expect_stream (f, "after the operation", f->content);
}

static gboolean
run_seek (Fixture  *f,
          GError  **error)
{
  return g_seekable_seek (G_SEEKABLE (f->file), 5, G_SEEK_SET, NULL, error);
}

static void
check_seek (Fixture  *f,
            gboolean  ok)
{
  goffset pos = g_seekable_tell (G_SEEKABLE (f->file));

  if (!ok && pos != f->position)
    fail (f, "a failed seek moved the position to %" G_GOFFSET_FORMAT, pos);
  if (ok && pos != 5)
    fail (f, "position %" G_GOFFSET_FORMAT " after seeking to 5", pos);
  expect_stream (f, "after the seek", f->content);
}

#define TRUNCATE_SHORT 8
#define TRUNCATE_LONG  (SPOOL_MAX + 36)

static gboolean
run_truncate_short (Fixture  *f,
                    GError  **error)
{
  return g_seekable_truncate (G_SEEKABLE (f->file), TRUNCATE_SHORT, NULL, error);
}

static gboolean
run_truncate_long (Fixture  *f,
                   GError  **error)
{
  return g_seekable_truncate (G_SEEKABLE (f->file), TRUNCATE_LONG, NULL, error);
}

static void
check_truncate (Fixture  *f,
                gboolean  ok)
{
  g_autoptr(GString) expected = g_string_new_len (f->content->str, f->content->len);

  if (ok && f->op->run == run_truncate_short)
    g_string_truncate (expected, TRUNCATE_SHORT);
  else if (ok)
    while (expected->len < TRUNCATE_LONG)
      g_string_append_c (expected, '\0');
  expect_stream (f, ok ? "after the truncate" : "after the failed truncate", expected);
  if (g_seekable_tell (G_SEEKABLE (f->file)) != f->position)
    fail (f, "the truncate moved the position");
}

static gboolean
run_rollover (Fixture  *f,
              GError  **error)
{
  return g_spooled_tmp_file_rollover (G_SPOOLED_TMP_FILE (f->file), NULL, error);
}

static gboolean
run_get_fd (Fixture  *f,
            GError  **error)
{
  return g_tmp_file_get_fd (f->file, error) >= 0;
}

static void
check_rollover (Fixture  *f,
                gboolean  ok)
{
  gboolean rolled = g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (f->file));

  if (rolled != ok)
    fail (f, "rolled-over is %d after a rollover that returned %d", rolled, ok);
  if (g_seekable_tell (G_SEEKABLE (f->file)) != f->position)
    fail (f, "position %" G_GOFFSET_FORMAT " after the rollover, expected %" G_GOFFSET_FORMAT,
          g_seekable_tell (G_SEEKABLE (f->file)), f->position);
  expect_stream (f, "after the rollover", f->content);
}

static gboolean
run_query_info (Fixture  *f,
                GError  **error)
{
  g_autoptr(GFileInfo) info = g_file_io_stream_query_info (G_FILE_IO_STREAM (f->file),
                                                           G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                           NULL, error);

  if (info == NULL)
    return FALSE;
  if (g_file_info_get_size (info) != (goffset) f->content->len)
    fail (f, "query_info says size %" G_GOFFSET_FORMAT, g_file_info_get_size (info));
  return TRUE;
}

static gboolean
run_close (Fixture  *f,
           GError  **error)
{
  return g_io_stream_close (G_IO_STREAM (f->file), NULL, error);
}

static void
check_close (Fixture  *f,
             gboolean  ok)
{
  if (!g_io_stream_is_closed (G_IO_STREAM (f->file)))
    fail (f, "the stream is still open after close() returned %d", ok);
}

static gboolean
run_named_cleanup (Fixture  *f,
                   GError  **error)
{
  return g_named_tmp_file_cleanup (G_NAMED_TMP_FILE (f->file), NULL, error);
}

static void
check_named_cleanup (Fixture  *f,
                     gboolean  ok)
{
  if (ok && f->kept == NULL && !f->vanished && g_file_test (f->temp_path, G_FILE_TEST_EXISTS))
    fail (f, "the file is still there after a cleanup that succeeded");
}

/* The last reference goes inside the operation: dispose's own calls. */
static gboolean
run_dispose (Fixture  *f,
             GError  **error)
{
  if (f->file != NULL)
    g_clear_object (&f->file);
  if (f->tmpdir != NULL)
    g_clear_object (&f->tmpdir);
  return TRUE;
}

/* ------------------------------------------------------------ persist */

static void
setup_persist (Fixture *f)
{
  const gchar *in = f->op->cross_fs ? f->xdir : f->dir;

  f->dest = g_build_filename (in, "dest.txt", NULL);
  if (f->op->dest_state == DEST_EXISTS)
    {
      if (!g_file_set_contents (f->dest, OLD_DEST, -1, NULL) || lstat (f->dest, &f->dest_st) < 0)
        g_error ("set-up: could not create %s", f->dest);
      allow (f, f->dest);
    }
}

static gboolean
run_persist (Fixture  *f,
             GError  **error)
{
  return g_tmp_file_persist (f->file, f->dest, f->op->flags, NULL, error);
}

/* The object's descriptor is the file at the destination now. */
static void
expect_fd_at_dest (Fixture *f)
{
  gint fd = g_tmp_file_get_fd (f->file, NULL);
  struct stat fd_st, dest_st;

  if (fd < 0 || fstat (fd, &fd_st) < 0)
    fail (f, "no descriptor after the persist");
  else if (stat (f->dest, &dest_st) < 0 || fd_st.st_dev != dest_st.st_dev ||
           fd_st.st_ino != dest_st.st_ino)
    fail (f, "the object's descriptor is not the file at the destination");
}

/* After a failed persist, with the fault gone (it was one call), the same
 * persist saves the file, with the mode it is to have: the failure left
 * the file persistable — also an anonymous file that was linked beside the
 * destination and unlinked again, which the kernel never links again. */
static void
retry_persist (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) at_dest = NULL;
  guint mode = f->op->dest_state == DEST_EXISTS ? f->dest_st.st_mode & 07777 : 0600;
  struct stat st;

  if (!g_tmp_file_persist (f->file, f->dest, f->op->flags, NULL, &error))
    {
      fail (f, "the persist failed again once the fault was gone: %s", error->message);
      return;
    }

  if (f->op->dest_state == DEST_ABSENT)
    allow (f, f->dest);
  at_dest = file_contents (f->dest);
  if (at_dest == NULL || !g_string_equal (at_dest, f->content))
    fail (f, "the persist retried after the fault did not save the file");
  else if (stat (f->dest, &st) < 0 || (st.st_mode & 07777) != mode)
    fail (f, "the persist retried after the fault saved it with mode %04o, not %04o",
          (guint) st.st_mode & 07777, mode);
  expect_fd_at_dest (f);
}

static void
check_persist (Fixture  *f,
               gboolean  ok)
{
  g_autoptr(GString) at_dest = file_contents (f->dest);
  gboolean saved = ok || f->dir_flush;
  struct stat st;

  expect_stream (f, ok ? "after the persist" : "after the failed persist", f->content);

  /* A failed directory flush is reported, but the file is saved: all that
   * holds after success holds then too. */
  if (saved)
    {
      if (at_dest == NULL || !g_string_equal (at_dest, f->content))
        fail (f, "the destination does not hold the file after the persist %s",
              ok ? "succeeded" : "saved it");
      expect_fd_at_dest (f);
      if (G_IS_NAMED_TMP_FILE (f->file))
        {
          GNamedTmpFile *named = G_NAMED_TMP_FILE (f->file);

          if (g_strcmp0 (g_named_tmp_file_get_path (named), f->dest) != 0)
            fail (f, "path is %s after the persist", g_named_tmp_file_get_path (named));
          if (g_named_tmp_file_get_delete (named))
            fail (f, "delete is still TRUE after the persist");
          /* Unless removing it is what failed. */
          if (g_file_test (f->temp_path, G_FILE_TEST_EXISTS) && !f->vanished &&
              g_strcmp0 (f->kept, f->temp_path + strlen (f->dir) + 1) != 0)
            fail (f, "the temporary name is still there after the persist");
        }
      if (f->op->dest_state == DEST_ABSENT)
        allow (f, f->dest);
      return;
    }

  /* A failed persist changes nothing. */
  if (f->op->dest_state == DEST_EXISTS)
    {
      if (lstat (f->dest, &st) < 0 || st.st_ino != f->dest_st.st_ino ||
          at_dest == NULL || strcmp (at_dest->str, OLD_DEST) != 0)
        fail (f, "the failed persist changed the destination (%s)",
              at_dest == NULL ? "gone" :
              g_str_equal (at_dest->str, f->content->str) ? "now holds the new content" :
              "replaced");
    }
  else if (lstat (f->dest, &st) == 0)
    fail (f, "the failed persist created the destination%s",
          at_dest != NULL && g_string_equal (at_dest, f->content) ? " with the new content" : "");

  if (G_IS_NAMED_TMP_FILE (f->file))
    {
      GNamedTmpFile *named = G_NAMED_TMP_FILE (f->file);
      g_autoptr(GString) at_temp = file_contents (f->temp_path);

      if (g_strcmp0 (g_named_tmp_file_get_path (named), f->temp_path) != 0)
        fail (f, "the failed persist changed path to %s", g_named_tmp_file_get_path (named));
      if (!g_named_tmp_file_get_delete (named))
        fail (f, "the failed persist set delete to FALSE");
      if (at_temp == NULL || !g_string_equal (at_temp, f->content))
        fail (f, "the temporary's name no longer holds its content after the failed persist");
    }

  if (f->op->own_error == 0)
    retry_persist (f);
}

/* An anonymous file persisted once already is moved like a named one. */
static void
setup_persist_again (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->temp_path = g_build_filename (f->dir, "first.txt", NULL);
  if (!g_tmp_file_persist (f->file, f->temp_path, G_TMP_PERSIST_NONE, NULL, &error))
    g_error ("set-up persist: %s", error->message);
  setup_persist (f);
}

static void
check_persist_again (Fixture  *f,
                     gboolean  ok)
{
  g_autoptr(GString) at_first = file_contents (f->temp_path);
  g_autoptr(GString) at_dest = file_contents (f->dest);
  /* Saved also when only the directory flush failed (documented). */
  gboolean saved = ok || f->dir_flush;

  expect_stream (f, ok ? "after the second persist" : "after the failed second persist", f->content);
  /* A second persist moves the file (test-persist.c's /persist/…/twice):
   * the first name goes; only a failed one keeps it. */
  if (saved && (at_dest == NULL || !g_string_equal (at_dest, f->content)))
    fail (f, "the destination does not hold the file after the second persist");
  if (saved && at_first != NULL && !f->vanished)
    fail (f, "the first name is still there after the second persist");
  if (saved)
    expect_fd_at_dest (f);
  if (!saved && (at_first == NULL || !g_string_equal (at_first, f->content)))
    fail (f, "the failed second persist lost the first name's content");
  if (!saved && at_dest != NULL)
    fail (f, "the failed second persist created the destination");
  allow (f, saved ? f->dest : f->temp_path);
}

/* ----------------------------------------------------- module functions */

static gboolean
run_mkstemp (Fixture  *f,
             GError  **error)
{
  f->made_fd = g_tempfile_mkstemp (f->dir, "fault", ".s", &f->made_path, error);
  return f->made_fd >= 0;
}

/* @path is an entry of @type (S_IFREG, S_IFDIR) with permissions @mode,
 * itself and not what a link points to. */
static gboolean
is_entry (const gchar *path,
          mode_t       type,
          mode_t       mode)
{
  struct stat st;

  return path != NULL && lstat (path, &st) == 0 &&
         (st.st_mode & S_IFMT) == type && (st.st_mode & 0777) == mode;
}

static void
check_mkstemp (Fixture  *f,
               gboolean  ok)
{
  if (!ok)
    {
      if (f->made_path != NULL)
        fail (f, "a failed mkstemp returned a path");
      return;
    }
  if (!is_entry (f->made_path, S_IFREG, 0600))
    fail (f, "mkstemp's file is not a 0600 regular file at its path");
  close (f->made_fd);
  if (f->made_path != NULL)
    unlink (f->made_path);
}

static gboolean
run_open_anonymous (Fixture  *f,
                    GError  **error)
{
  f->made_fd = g_tempfile_open_anonymous (f->create_in, 0, error);
  return f->made_fd >= 0;
}

/* A descriptor of a 0600 regular file with no name, close-on-exec; what
 * stays on disk (nothing) the driver checks for every operation. */
static void
check_open_anonymous (Fixture  *f,
                      gboolean  ok)
{
  struct stat st;

  if (!ok)
    {
      if (f->made_fd != -1)
        fail (f, "a failed open_anonymous returned a descriptor");
      return;
    }
  if (fstat (f->made_fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_nlink != 0 ||
      (st.st_mode & 0777) != 0600)
    fail (f, "open_anonymous's descriptor is not a nameless 0600 regular file");
  if (!(fcntl (f->made_fd, F_GETFD) & FD_CLOEXEC))
    fail (f, "open_anonymous's descriptor is not close-on-exec");
  close (f->made_fd);
}

static gboolean
run_mkdtemp (Fixture  *f,
             GError  **error)
{
  f->made_path = g_tempfile_mkdtemp (f->dir, "fault", ".d", error);
  return f->made_path != NULL;
}

static void
check_mkdtemp (Fixture  *f,
               gboolean  ok)
{
  if (!ok)
    return;
  if (!is_entry (f->made_path, S_IFDIR, 0700))
    fail (f, "mkdtemp's directory is not a 0700 directory at its path");
  rmdir (f->made_path);
}

static void
setup_tempdir_search (Fixture *f)
{
  g_setenv ("TMPDIR", f->dir, TRUE);
  g_tempfile_set_tempdir (NULL);
}

static gboolean
run_get_tempdir (Fixture  *f,
                 GError  **error)
{
  f->made_path = g_tempfile_get_tempdir (error);
  return f->made_path != NULL;
}

/* ------------------------------------------------------------- GTmpDir */

static gboolean
run_tmpdir_new (Fixture  *f,
                GError  **error)
{
  f->tmpdir = g_tmp_dir_new (f->dir, "fault", ".d", error);
  return f->tmpdir != NULL;
}

static void
check_tmpdir_new (Fixture  *f,
                  gboolean  ok)
{
  if (ok && !is_entry (g_tmp_dir_get_path (f->tmpdir), S_IFDIR, 0700))
    fail (f, "the GTmpDir is not a 0700 directory at its path");
}

static void
make_file_at (const gchar *path,
              const gchar *data)
{
  if (!g_file_set_contents (path, data, -1, NULL))
    g_error ("set-up: could not create %s", path);
}

/* A small tree, with a symlink to a file outside that must survive. */
static void
setup_tmpdir_tree (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *outside = g_build_filename (f->dir, "outside", NULL);
  const gchar *p;
  gchar *path;

  f->tmpdir = g_tmp_dir_new (f->dir, "fault", ".d", &error);
  if (f->tmpdir == NULL)
    g_error ("set-up: %s", error->message);
  p = g_tmp_dir_get_path (f->tmpdir);
  f->tmpdir_path = g_strdup (p);

  make_file_at (outside, "outside");
  allow (f, outside);

  path = g_build_filename (p, "a", "b", NULL);
  g_mkdir_with_parents (path, 0700);
  g_free (path);
  path = g_build_filename (p, "c", NULL);
  g_mkdir (path, 0700);
  g_free (path);
  path = g_build_filename (p, "a", "b", "f1", NULL);
  make_file_at (path, "one");
  g_free (path);
  path = g_build_filename (p, "a", "f2", NULL);
  make_file_at (path, "two");
  g_free (path);
  path = g_build_filename (p, "link", NULL);
  if (symlink (outside, path) < 0)
    g_error ("set-up: symlink");
  g_free (path);
}

static void
setup_tmpdir_tree_ignore (Fixture *f)
{
  setup_tmpdir_tree (f);
  g_tmp_dir_set_ignore_cleanup_errors (f->tmpdir, TRUE);
  /* Ignored errors leave what could not be removed. */
  f->allowed_prefix = g_strdup (f->tmpdir_path + strlen (f->dir) + 1);
}

static void
setup_tmpdir_empty (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_tmp_dir_new (f->dir, "fault", ".d", &error);
  if (f->tmpdir == NULL)
    g_error ("set-up: %s", error->message);
  f->tmpdir_path = g_strdup (g_tmp_dir_get_path (f->tmpdir));
}

static gboolean
run_tmpdir_cleanup (Fixture  *f,
                    GError  **error)
{
  return g_tmp_dir_cleanup (f->tmpdir, NULL, error);
}

static void
check_tmpdir_cleanup (Fixture  *f,
                      gboolean  ok)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *outside = g_build_filename (f->dir, "outside", NULL);

  if (ok && f->allowed_prefix == NULL && f->kept == NULL && !f->vanished &&
      g_file_test (f->tmpdir_path, G_FILE_TEST_EXISTS))
    fail (f, "the directory is still there after a cleanup that succeeded");
  if (f->op->setup == setup_tmpdir_tree && !g_file_test (outside, G_FILE_TEST_EXISTS))
    fail (f, "the cleanup removed a file outside the tree");

  /* Once the cause is gone, cleaning up again finishes the job. */
  if (!ok && !g_tmp_dir_cleanup (f->tmpdir, NULL, &error))
    fail (f, "a second cleanup after the failed one failed too: %s", error->message);
}

/* What dispose cannot remove it cannot report either: the object's own
 * entries may stay after a fault in dispose, nothing else may. */
static void
setup_dispose (Fixture *f)
{
  const gchar *own = f->temp_path;

  if (f->op->kind == K_NONE)
    {
      setup_tmpdir_tree (f);
      own = f->tmpdir_path;
    }
  if (own != NULL)
    f->allowed_prefix = g_strdup (own + strlen (f->dir) + 1);
}

static gboolean
run_tmpdir_get_fd (Fixture  *f,
                   GError  **error)
{
  gint fd = g_tmp_dir_get_fd (f->tmpdir);

  /* -1 without a GError is the documented failure. */
  if (fd < 0)
    g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (f->errsv), "get_fd: -1");
  return fd >= 0;
}

/* ----------------------------------------------- directory persist, sweep */

/* The tree of setup_tmpdir_tree(), to be published as "published"; for
 * DEST_EXISTS a live tree is there already ("published/old"). */
static void
setup_dir_persist (Fixture *f)
{
  setup_tmpdir_tree (f);
  f->dest = g_build_filename (f->dir, "published", NULL);
  if (f->op->dest_state == DEST_EXISTS)
    {
      g_autofree gchar *old = g_build_filename (f->dest, "old", NULL);

      if (g_mkdir (f->dest, 0700) < 0)
        g_error ("set-up: mkdir %s", f->dest);
      make_file_at (old, "old");
    }
  /* The published tree (or the live one) may stay; the temporary one goes
   * at dispose, after the check. */
  f->allowed_prefix = g_strdup ("published");
}

static gboolean
run_dir_persist (Fixture  *f,
                 GError  **error)
{
  return g_tmp_dir_persist (f->tmpdir, f->dest, f->op->flags, NULL, error);
}

static gboolean
holds (const gchar *dir,
       const gchar *name,
       const gchar *contents)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GString) at = file_contents (path);

  return at != NULL && g_str_equal (at->str, contents);
}

/* Saved (also when only the flush after the rename failed): the tree is
 * at the destination and the object follows; otherwise nothing changed. */
static void
check_dir_persist (Fixture  *f,
                   gboolean  ok)
{
  gboolean exchange = (f->op->flags & G_TMP_PERSIST_EXCHANGE) != 0;
  gboolean saved = ok || f->dir_flush;
  const gchar *path = g_tmp_dir_get_path (f->tmpdir);
  g_autofree gchar *outside = g_build_filename (f->dir, "outside", NULL);

  if (!g_file_test (outside, G_FILE_TEST_EXISTS))
    fail (f, "the persist removed a file outside the tree");
  if (f->vanished)
    return;

  if (saved)
    {
      if (!holds (f->dest, "a/f2", "two"))
        fail (f, "the destination does not hold the tree after the persist");
      if (exchange && (g_strcmp0 (path, f->tmpdir_path) != 0 ||
                       !holds (path, "old", "old") || !g_tmp_dir_get_delete (f->tmpdir)))
        fail (f, "the object does not own the old tree after the exchange");
      if (!exchange && (g_strcmp0 (path, f->dest) != 0 || g_tmp_dir_get_delete (f->tmpdir)))
        fail (f, "the object does not describe the published tree (path %s)", path);
      return;
    }

  if (g_strcmp0 (path, f->tmpdir_path) != 0 || !g_tmp_dir_get_delete (f->tmpdir) ||
      !holds (path, "a/f2", "two"))
    fail (f, "the failed persist changed the temporary directory");
  if (exchange ? !holds (f->dest, "old", "old") : g_file_test (f->dest, G_FILE_TEST_EXISTS))
    fail (f, "the failed persist changed the destination");
}

/* In the run's directory: an old file and an old tree of the shape (with a
 * link to a file outside), and a fresh file of the shape. */
static void
setup_sweep (Fixture *f)
{
  g_autofree gchar *old_file = g_build_filename (f->dir, "tmpsweepfil", NULL);
  g_autofree gchar *old_tree = g_build_filename (f->dir, "tmpsweepdir", NULL);
  g_autofree gchar *fresh = g_build_filename (f->dir, "tmpfreshfil", NULL);
  g_autofree gchar *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree gchar *deep = g_build_filename (old_tree, "a", "b", NULL);
  g_autofree gchar *deep_file = g_build_filename (deep, "f", NULL);
  g_autofree gchar *link = g_build_filename (old_tree, "a", "link", NULL);
  struct timespec times[2] = { { 0, 0 }, { 0, 0 } };

  make_file_at (old_file, "old");
  make_file_at (fresh, "fresh");
  make_file_at (outside, "outside");
  if (g_mkdir_with_parents (deep, 0700) < 0 || symlink (outside, link) < 0)
    g_error ("set-up: %s", deep);
  make_file_at (deep_file, "old");
  times[0].tv_sec = times[1].tv_sec = time (NULL) - 3600;
  if (utimensat (AT_FDCWD, old_file, times, 0) < 0 ||
      utimensat (AT_FDCWD, old_tree, times, 0) < 0)
    g_error ("set-up: utimensat");

  allow (f, fresh);
  allow (f, outside);
  /* A failed sweep may leave what it did not remove. */
  f->allowed_prefix = g_strdup ("tmpsweep");
}

static gboolean
run_sweep (Fixture  *f,
           GError  **error)
{
  return g_tempfile_sweep (f->dir, NULL, NULL, 0, 60 * G_USEC_PER_SEC, NULL, error) >= 0;
}

static void
check_sweep (Fixture  *f,
             gboolean  ok)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree gchar *fresh = g_build_filename (f->dir, "tmpfreshfil", NULL);
  g_autofree gchar *old_file = g_build_filename (f->dir, "tmpsweepfil", NULL);
  g_autofree gchar *old_tree = g_build_filename (f->dir, "tmpsweepdir", NULL);

  if (!g_file_test (outside, G_FILE_TEST_EXISTS) || !g_file_test (fresh, G_FILE_TEST_EXISTS))
    fail (f, "the sweep removed what it must keep");
  /* Once the cause is gone, sweeping again finishes the job: of any age,
   * since what the failed sweep removed from the tree made it modified. */
  if (g_tempfile_sweep (f->dir, NULL, NULL, 0, 0, NULL, &error) < 0)
    fail (f, "a second sweep failed: %s", error->message);
  else if (!f->vanished && (g_file_test (old_file, G_FILE_TEST_EXISTS) ||
                             g_file_test (old_tree, G_FILE_TEST_EXISTS)))
    fail (f, "old entries are still there after the second sweep");
}

/* ------------------------------------------------------- the operations */

#define FILE_OPS(prefix, K) \
  { prefix "/write", K, NULL, run_write, check_write, 0, 0, 0, 0 }, \
  { prefix "/read", K, setup_at_start, run_read, check_unchanged, 0, 0, 0, 0 }, \
  { prefix "/seek", K, NULL, run_seek, check_seek, 0, 0, 0, 0 }, \
  { prefix "/truncate", K, setup_midway, run_truncate_short, check_truncate, 0, 0, 0, 0 }, \
  { prefix "/query-info", K, NULL, run_query_info, check_unchanged, 0, 0, 0, 0 }, \
  { prefix "/close", K, NULL, run_close, check_close, 0, 0, 0, 0 }, \
  { prefix "/dispose", K, setup_dispose, run_dispose, NULL, 0, 0, 0, 0 }

#define PERSIST_OPS(prefix, K) \
  { prefix "/persist-none", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_NONE, DEST_ABSENT, FALSE, 0 }, \
  { prefix "/persist-none-replace", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_NONE, DEST_EXISTS, FALSE, 0 }, \
  { prefix "/persist-no-replace", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_NO_REPLACE, DEST_ABSENT, FALSE, 0 }, \
  { prefix "/persist-no-replace-exists", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_NO_REPLACE, DEST_EXISTS, FALSE, G_IO_ERROR_EXISTS }, \
  { prefix "/persist-sync", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_SYNC, DEST_ABSENT, FALSE, 0 }, \
  { prefix "/persist-sync-replace", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_SYNC, DEST_EXISTS, FALSE, 0 }, \
  { prefix "/persist-allow-copy", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_ALLOW_COPY, DEST_ABSENT, FALSE, 0 }, \
  { prefix "/persist-copy-xfs", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_ALLOW_COPY, DEST_ABSENT, TRUE, 0 }, \
  { prefix "/persist-copy-xfs-replace", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_ALLOW_COPY, DEST_EXISTS, TRUE, 0 }, \
  { prefix "/persist-copy-xfs-sync", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_SYNC, DEST_ABSENT, TRUE, 0 }, \
  { prefix "/persist-copy-xfs-no-replace", K, setup_persist, run_persist, check_persist, \
    G_TMP_PERSIST_ALLOW_COPY | G_TMP_PERSIST_NO_REPLACE, DEST_ABSENT, TRUE, 0 }

static const Op operations[] = {
  { "tmpfile/create", K_TMPFILE, NULL, run_create, check_create, 0, 0, 0, 0 },
  { "named/create", K_NAMED, NULL, run_create, check_create, 0, 0, 0, 0 },
  { "spooled/create", K_SPOOLED, NULL, run_create, check_create, 0, 0, 0, 0 },
  { "tmpfile/create-fallback", K_TMPFILE, NULL, run_create, check_create, 0, 0, 0, 0, TRUE },
  { "mkstemp", K_NONE, NULL, run_mkstemp, check_mkstemp, 0, 0, 0, 0 },
  { "open-anonymous", K_NONE, NULL, run_open_anonymous, check_open_anonymous, 0, 0, 0, 0 },
  { "open-anonymous-fallback", K_NONE, NULL, run_open_anonymous, check_open_anonymous,
    0, 0, 0, 0, TRUE },
  { "mkdtemp", K_NONE, NULL, run_mkdtemp, check_mkdtemp, 0, 0, 0, 0 },
  { "get-tempdir", K_NONE, setup_tempdir_search, run_get_tempdir, NULL, 0, 0, 0, 0 },
  { "tmpdir/create", K_NONE, NULL, run_tmpdir_new, check_tmpdir_new, 0, 0, 0, 0 },

  FILE_OPS ("tmpfile", K_TMPFILE),
  FILE_OPS ("named", K_NAMED),
  FILE_OPS ("spooled-memory", K_SPOOLED),
  FILE_OPS ("spooled-disk", K_SPOOLED_DISK),
  { "spooled/truncate-rollover", K_SPOOLED, NULL, run_truncate_long, check_truncate, 0, 0, 0, 0 },
  { "spooled/rollover", K_SPOOLED, setup_midway, run_rollover, check_rollover, 0, 0, 0, 0 },
  { "spooled/get-fd", K_SPOOLED, setup_midway, run_get_fd, check_rollover, 0, 0, 0, 0 },
  { "named/cleanup", K_NAMED, NULL, run_named_cleanup, check_named_cleanup, 0, 0, 0, 0 },

  PERSIST_OPS ("tmpfile", K_TMPFILE),
  { "tmpfile/persist-again", K_TMPFILE, setup_persist_again, run_persist, check_persist_again,
    G_TMP_PERSIST_NONE, DEST_ABSENT, FALSE, 0 },
  { "tmpfile/persist-again-sync", K_TMPFILE, setup_persist_again, run_persist, check_persist_again,
    G_TMP_PERSIST_SYNC, DEST_ABSENT, FALSE, 0 },
  PERSIST_OPS ("named", K_NAMED),
  PERSIST_OPS ("spooled", K_SPOOLED),

  { "tmpdir/cleanup-empty", K_NONE, setup_tmpdir_empty, run_tmpdir_cleanup, check_tmpdir_cleanup, 0, 0, 0, 0 },
  { "tmpdir/cleanup-tree", K_NONE, setup_tmpdir_tree, run_tmpdir_cleanup, check_tmpdir_cleanup, 0, 0, 0, 0 },
  { "tmpdir/cleanup-tree-ignore-errors", K_NONE, setup_tmpdir_tree_ignore, run_tmpdir_cleanup,
    check_tmpdir_cleanup, 0, 0, 0, 0 },
  { "tmpdir/get-fd", K_NONE, setup_tmpdir_empty, run_tmpdir_get_fd, NULL, 0, 0, 0, 0 },
  { "tmpdir/dispose", K_NONE, setup_dispose, run_dispose, NULL, 0, 0, 0, 0 },
  { "tmpdir/persist", K_NONE, setup_dir_persist, run_dir_persist, check_dir_persist,
    G_TMP_PERSIST_NONE, DEST_ABSENT, FALSE, 0 },
  { "tmpdir/persist-no-replace", K_NONE, setup_dir_persist, run_dir_persist, check_dir_persist,
    G_TMP_PERSIST_NO_REPLACE, DEST_ABSENT, FALSE, 0 },
  { "tmpdir/persist-sync", K_NONE, setup_dir_persist, run_dir_persist, check_dir_persist,
    G_TMP_PERSIST_SYNC, DEST_ABSENT, FALSE, 0 },
  { "tmpdir/persist-exchange", K_NONE, setup_dir_persist, run_dir_persist, check_dir_persist,
    G_TMP_PERSIST_EXCHANGE | G_TMP_PERSIST_SYNC, DEST_EXISTS, FALSE, 0 },
  { "sweep", K_NONE, setup_sweep, run_sweep, check_sweep, 0, 0, 0, 0 },
};

/* ------------------------------------------------------ errno per call */

typedef struct
{
  const gchar *call;
  gint         errnos[8];
} CallErrnos;

/* What each call can really report, among the errors that matter. */
static const CallErrnos call_errnos[] = {
  { "open",            { ENOSPC, EMFILE, EACCES, ENOENT, EIO, EINTR } },
  { "openat",          { ENOSPC, EMFILE, EACCES, ENOENT, EIO, EINTR } },
  { "opendir",         { EMFILE, EACCES, ENOENT } },
  { "mkdir",           { ENOSPC, EACCES, ENOENT, EIO } },
  { "mkdirat",         { ENOSPC, EACCES, ENOENT, EIO } },
  { "rmdir",           { EACCES, ENOENT, EIO } },
  { "unlink",          { EACCES, ENOENT, EIO } },
  { "unlinkat",        { EACCES, ENOENT, EIO } },
  { "link",            { EXDEV, ENOSPC, EACCES, ENOENT, EIO } },
  { "linkat",          { EXDEV, ENOSPC, EACCES, ENOENT, EIO } },
  { "rename",          { EXDEV, ENOSPC, EACCES, ENOENT, EIO } },
  { "renameat",        { EXDEV, ENOSPC, EACCES, ENOENT, EIO } },
  { "renameat2",       { EXDEV, ENOSPC, EACCES, ENOENT, EIO, EINVAL } },
  { "read",            { EIO, EINTR } },
  { "pread",           { EIO, EINTR } },
  { "write",           { ENOSPC, EIO, EINTR } },
  { "pwrite",          { ENOSPC, EIO, EINTR } },
  { "lseek",           { EINVAL } },
  { "ftruncate",       { EIO, EINTR } },
  { "fsync",           { EIO, ENOSPC, EINTR } },
  { "fdatasync",       { EIO, ENOSPC, EINTR } },
  { "fstat",           { EIO } },
  { "stat",            { EACCES, ENOENT, EIO } },
  { "lstat",           { EACCES, ENOENT, EIO } },
  { "fstatat",         { EACCES, ENOENT, EIO } },
  { "statx",           { EACCES, ENOENT, EIO, ENOSYS } },
  { "fstatfs",         { EIO, ENOSYS } },
  { "statfs",          { EIO, ENOSYS } },
  { "access",          { EACCES, ENOENT } },
  { "faccessat",       { EACCES, ENOENT } },
  { "fchmod",          { EPERM, EIO } },
  { "fchmodat",        { EPERM, ENOENT, EIO } },
  { "fchown",          { EPERM, EIO } },
  { "fchownat",        { EPERM, EIO } },
  { "close",           { EIO, EINTR } },
  { "fdopendir",       { ENOMEM } },
  { "readdir",         { EIO } },
  { "closedir",        { EIO } },
  { "getrandom",       { ENOSYS, EINTR } },
  { "copy_file_range", { EXDEV, ENOSYS, ENOSPC, EIO, EINTR } },
  { "sendfile",        { ENOSPC, EIO, EINTR } },
  { "dup",             { EMFILE } },
  { "fcntl",           { EMFILE } },
  { "getcwd",          { EACCES, ENOENT } },
};

static const gint *
errnos_for (const gchar *call)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (call_errnos); i++)
    if (g_str_equal (call_errnos[i].call, call))
      return call_errnos[i].errnos;
  g_error ("no errnos for %s", call);
}

static const gchar *
errno_name (gint errsv)
{
  switch (errsv)
    {
    case 0: return "-";
    case ENOSPC: return "ENOSPC";
    case EMFILE: return "EMFILE";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EINTR: return "EINTR";
    case EXDEV: return "EXDEV";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case ENOMEM: return "ENOMEM";
    default: return "E?";
    }
}

static const gchar *
code_name (gint code)
{
  GEnumClass *klass = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
  GEnumValue *value = g_enum_get_value (klass, code);

  return value != NULL ? value->value_nick : "?";
}

/* Whether G_IO_ERROR @code reports @errsv sensibly. */
static gboolean
code_fits (gint errsv,
           gint code)
{
  if (code == (gint) g_io_error_from_errno (errsv))
    return TRUE;
  /* Another file system, or a kernel without the call: we cannot do it. */
  if ((errsv == EXDEV || errsv == ENOSYS) && code == G_IO_ERROR_NOT_SUPPORTED)
    return TRUE;
  return FALSE;
}

/* The calls whose EINTR the library retries (it does so for each of them
 * somewhere, so it must everywhere): a signal must not fail a write. For
 * open() and the like, reporting EINTR is accepted. */
static gboolean
must_retry_eintr (const gchar *call)
{
  static const gchar * const calls[] = {
    "read", "write", "pread", "pwrite", "ftruncate", "fsync", "copy_file_range",
    "getrandom",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (calls); i++)
    if (g_str_equal (call, calls[i]))
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------ one run */

typedef struct
{
  gboolean hit;
  gboolean ok;
  gint     code;     /* G_IO_ERROR code, -1 when it succeeded */
  gint     n_calls;  /* counted calls (recording run) */
} RunResult;

static const gchar *scratch_root;
static gchar *xfs_root;   /* another file system, or NULL */
static gchar *nofs_root;  /* an mqueue file system: no O_TMPFILE, no directories */
static const gchar *xfs_skip_reason;

static void
check_error (Fixture   *f,
             gboolean   ok,
             GError    *error)
{
  if (ok)
    {
      if (error != NULL)
        fail (f, "succeeded and set an error: %s", error->message);
      if (f->op->own_error && !f->hit)
        fail (f, "succeeded where it should fail with %s", code_name (f->op->own_error));
      /* A failed fsync means the data may not be on disk. */
      if (f->hit && (f->op->flags & G_TMP_PERSIST_SYNC) &&
          g_str_equal (f->call, "fsync") && f->errsv != EINTR)
        fail (f, "a SYNC persist succeeded although fsync failed");
      return;
    }

  if (error == NULL)
    {
      fail (f, "failed without a GError");
      return;
    }
  if (error->domain != G_IO_ERROR)
    fail (f, "error domain %s: %s", g_quark_to_string (error->domain), error->message);
  if (!g_utf8_validate (error->message, -1, NULL) || error->message[0] == '\0')
    fail (f, "the error message is empty or not UTF-8");
  /* Only a failed directory flush may say the file was saved, and must. */
  if (f->dir_flush != g_str_has_prefix (error->message, "Saved “"))
    fail (f, "the message “%s” %s", error->message,
          f->dir_flush ? "does not say the file was saved" : "claims the file was saved");

  if (f->hit && f->errsv == EINTR && must_retry_eintr (f->call) &&
      (f->op->own_error == 0 || error->code != (gint) f->op->own_error))
    fail (f, "EINTR from %s was not retried: %s", f->call, error->message);
  else if (f->hit)
    {
      /* renameat2()'s EINVAL: a file system without the flag. */
      gboolean unsupported = g_str_equal (f->call, "renameat2") && f->errsv == EINVAL &&
                             error->code == G_IO_ERROR_NOT_SUPPORTED;

      if (!f->vanished && !unsupported && !code_fits (f->errsv, error->code) &&
          (f->op->own_error == 0 || error->code != (gint) f->op->own_error))
        fail (f, "error %s (%s) for %s", code_name (error->code), error->message,
              errno_name (f->errsv));
    }
  else if (error->code != (gint) f->op->own_error || f->op->own_error == 0)
    fail (f, "failed without a fault: %s", error->message);
}

static void
check_disk (Fixture *f)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  guint i, j;

  if (f->vanished)
    return;
  list_into (f->dir, NULL, found);
  for (i = 0; i < found->len; i++)
    {
      const gchar *rel = found->pdata[i];
      gboolean ok = FALSE;

      if (f->xdir != NULL && g_str_equal (rel, "x"))
        continue;
      if (f->allowed_prefix != NULL && g_str_has_prefix (rel, f->allowed_prefix))
        continue;
      if (f->kept != NULL && g_str_has_prefix (rel, f->kept))
        continue;
      for (j = 0; j < f->allowed->len && !ok; j++)
        ok = g_str_equal (rel, f->allowed->pdata[j]);
      if (!ok)
        fail (f, "left on disk: %s", rel);
    }
}

static void
child_run (const Op *op,
           gint      nth,
           gint      errsv,
           gint      out_fd)
{
  g_autoptr(GError) error = NULL;
  Fixture fx = { 0, }, *f = &fx;
  RunResult result = { 0, };
  GString *report = g_string_new (NULL);
  guint fds_before, fds_after, i;

  alarm (20);
  f->op = op;
  f->errsv = errsv;
  f->made_fd = -1;
  f->content = g_string_new (NULL);
  f->allowed = g_ptr_array_new_with_free_func (g_free);
  f->failures = g_ptr_array_new_with_free_func (g_free);
  f->dir = g_strdup_printf ("%s/run-%d", scratch_root, getpid ());
  f->create_in = op->no_tmpfile ? nofs_root : f->dir;
  if (g_mkdir (f->dir, 0700) < 0)
    g_error ("mkdir %s: %s", f->dir, g_strerror (errno));
  if (op->cross_fs)
    {
      g_autofree gchar *link = g_build_filename (f->dir, "x", NULL);

      f->xdir = g_strdup_printf ("%s/run-%d", xfs_root, getpid ());
      if (g_mkdir (f->xdir, 0700) < 0 || symlink (f->xdir, link) < 0)
        g_error ("mkdir %s: %s", f->xdir, g_strerror (errno));
    }

  fds_before = count_fds ();
  if (op->run != run_create)
    setup_file (f);
  if (op->setup != NULL)
    op->setup (f);

  fault_arm (nth, errsv);
  result.ok = op->run (f, &error);
  result.n_calls = fault_disarm ();
  f->hit = result.hit = fault_was_hit ();
  result.code = result.ok ? -1 : error != NULL ? error->code : -2;
  f->call = g_strdup (nth > 0 ? fault_call_name (nth) : "-");
  if (f->hit && fault_failed_path ()[0] != '\0' &&
      g_str_has_prefix (fault_failed_path (), f->dir))
    f->kept = g_strdup (fault_failed_path () + strlen (f->dir) + 1);
  f->vanished = f->hit && errsv == ENOENT;
  f->dir_flush = f->hit && f->dest != NULL && (op->flags & G_TMP_PERSIST_SYNC) &&
                 g_str_equal (f->call, "fsync") && is_dest_dir (f, fault_failed_fd_path ());

  if (nth == 0)
    for (i = 1; i <= (guint) result.n_calls; i++)
      g_string_append_printf (report, "C%s\n", fault_call_name (i));

  check_error (f, result.ok, error);
  if (op->check != NULL)
    op->check (f, result.ok);

  g_clear_object (&f->file);
  g_clear_object (&f->tmpdir);
  if (op->run == run_get_tempdir && f->made_path != NULL)
    g_tempfile_set_tempdir (NULL);

  fds_after = count_fds ();
  if (fds_after != fds_before)
    fail (f, "%d descriptors before, %d after", fds_before, fds_after);
  check_disk (f);
  if (op->no_tmpfile && !f->vanished)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
      const gchar *kept = fault_failed_path ();

      list_into (nofs_root, NULL, found);
      for (i = 0; i < found->len; i++)
        if (!f->hit || !g_str_has_suffix (kept, found->pdata[i]))
          fail (f, "left on disk: %s/%s", nofs_root, (gchar *) found->pdata[i]);
    }
  if (f->xdir != NULL && !f->vanished)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

      list_into (f->xdir, NULL, found);
      for (i = 0; i < found->len; i++)
        {
          g_autofree gchar *rel = g_build_filename ("x", found->pdata[i], NULL);
          gboolean ok = FALSE;
          guint j;

          for (j = 0; j < f->allowed->len && !ok; j++)
            ok = g_str_equal (rel, f->allowed->pdata[j]);
          if (!ok)
            fail (f, "left on disk: %s", rel);
        }
    }

#ifdef __SANITIZE_ADDRESS__
  /* Error paths leak too: a child ends with _exit(), so look now. */
  g_clear_error (&error);
  if (__lsan_do_recoverable_leak_check () != 0)
    fail (f, "memory leaked (LeakSanitizer's report is on stderr)");
#endif

  for (i = 0; i < f->failures->len; i++)
    g_string_append_printf (report, "F%s\n", (gchar *) f->failures->pdata[i]);
  g_string_append_printf (report, "R%d %d %d %d\n", result.hit, result.ok, result.code,
                          result.n_calls);
  if (write (out_fd, report->str, report->len) != (gssize) report->len)
    _exit (3);
  _exit (0);
}

typedef struct
{
  RunResult  result;
  GPtrArray *calls;     /* recorded names (nth == 0) */
  GPtrArray *failures;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->calls, g_ptr_array_unref);
  g_clear_pointer (&o->failures, g_ptr_array_unref);
}

static void
run_forked (const Op *op,
            gint      nth,
            gint      errsv,
            Outcome  *o)
{
  GString *buf = g_string_new (NULL);
  gint fds[2];
  pid_t pid;
  gint status;
  gchar chunk[4096];
  gssize n;
  g_auto(GStrv) lines = NULL;
  gsize i;
  gboolean got_result = FALSE;

  memset (o, 0, sizeof *o);
  o->calls = g_ptr_array_new_with_free_func (g_free);
  o->failures = g_ptr_array_new_with_free_func (g_free);

  if (pipe (fds) < 0)
    g_error ("pipe: %s", g_strerror (errno));
  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      close (fds[0]);
      child_run (op, nth, errsv, fds[1]);
    }
  close (fds[1]);
  while ((n = read (fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (buf, chunk, n);
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;

  lines = g_strsplit (buf->str, "\n", -1);
  g_string_free (buf, TRUE);
  for (i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == 'C')
        g_ptr_array_add (o->calls, g_strdup (lines[i] + 1));
      else if (lines[i][0] == 'F')
        g_ptr_array_add (o->failures, g_strdup (lines[i] + 1));
      else if (lines[i][0] == 'R')
        got_result = sscanf (lines[i] + 1, "%d %d %d %d", &o->result.hit, &o->result.ok,
                             &o->result.code, &o->result.n_calls) == 4;
    }

  if (WIFSIGNALED (status))
    g_ptr_array_add (o->failures, g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (status),
                                                   WTERMSIG (status) == SIGALRM ? "hung" :
                                                   g_strsignal (WTERMSIG (status))));
  else if (!got_result || WEXITSTATUS (status) != 0)
    g_ptr_array_add (o->failures, g_strdup_printf ("exited with status %d", WEXITSTATUS (status)));

  {
    g_autofree gchar *dir = g_strdup_printf ("%s/run-%d", scratch_root, pid);

    remove_tree (dir);
    if (op->no_tmpfile)
      {
        g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func (g_free);

        list_into (nofs_root, NULL, left);
        for (i = 0; i < left->len; i++)
          {
            g_autofree gchar *path = g_build_filename (nofs_root, left->pdata[i], NULL);

            unlink (path);
          }
      }
    if (xfs_root != NULL)
      {
        g_free (dir);
        dir = g_strdup_printf ("%s/run-%d", xfs_root, pid);
        remove_tree (dir);
      }
  }
}

/* --------------------------------------------------------------- main */

typedef struct
{
  const gchar *op;
  const gchar *call;
  gint         errsv;
  gchar       *what;
} Failure;

static gboolean verbose, show_trace;
static guint n_not_reached;  /* runs whose calls differed from the recording */
static GPtrArray *all_failures;
static GHashTable *eintr_policy;   /* "call" → "retried"/"reported"/"both" */

static void
note_eintr (const gchar *call,
            gboolean     ok)
{
  const gchar *now = g_hash_table_lookup (eintr_policy, call);
  const gchar *seen = ok ? "retried or harmless" : "reported";

  if (now != NULL && !g_str_equal (now, seen))
    seen = "both";
  g_hash_table_insert (eintr_policy, g_strdup (call), (gpointer) seen);
}

/* Walks one operation; returns the failed triples (and counts them all). */
static guint
walk (const Op *op,
      guint    *n_triples)
{
  Outcome rec, o;
  guint failed = 0;
  guint i;

  *n_triples = 0;
  run_forked (op, 0, 0, &rec);
  if (show_trace || verbose)
    {
      printf ("# %s:", op->name);
      for (i = 0; i < rec.calls->len; i++)
        printf (" %s", (gchar *) rec.calls->pdata[i]);
      printf ("\n");
    }
  if (rec.failures->len > 0)
    {
      for (i = 0; i < rec.failures->len; i++)
        {
          Failure *fl = g_new0 (Failure, 1);

          fl->op = op->name;
          fl->call = "-";
          fl->what = g_strdup (rec.failures->pdata[i]);
          g_ptr_array_add (all_failures, fl);
        }
      printf ("# %s fails without a fault\n", op->name);
      outcome_clear (&rec);
      return 1;
    }

  for (i = 0; i < rec.calls->len; i++)
    {
      const gchar *call = rec.calls->pdata[i];
      const gint *errs = errnos_for (call);
      guint e;

      for (e = 0; e < 8 && errs[e] != 0; e++)
        {
          guint k;

          run_forked (op, i + 1, errs[e], &o);
          if (!o.result.hit && o.failures->len == 0)
            {
              n_not_reached++;
              /* The calls differ from the recording: not covered. */
              if (verbose)
                printf ("# %s: call %u (%s) %s not reached\n", op->name, i + 1, call,
                        errno_name (errs[e]));
              outcome_clear (&o);
              continue;
            }
          (*n_triples)++;
          if (errs[e] == EINTR && o.failures->len == 0)
            note_eintr (call, o.result.ok ||
                              (op->own_error != 0 && o.result.code == op->own_error));
          if (verbose)
            printf ("# %s: call %u (%s) %s → %s%s%s\n", op->name, i + 1, call,
                    errno_name (errs[e]), o.result.ok ? "succeeded" : "failed with ",
                    o.result.ok ? "" : code_name (o.result.code),
                    o.failures->len > 0 ? "  FAILED" : "");
          if (o.failures->len > 0)
            failed++;
          for (k = 0; k < o.failures->len; k++)
            {
              Failure *fl = g_new0 (Failure, 1);

              fl->op = op->name;
              fl->call = g_intern_string (call);
              fl->errsv = errs[e];
              fl->what = g_strdup_printf ("call %u (%s) %s: %s", i + 1, call,
                                          errno_name (errs[e]), (gchar *) o.failures->pdata[k]);
              g_ptr_array_add (all_failures, fl);
            }
          outcome_clear (&o);
        }
    }

  outcome_clear (&rec);
  return failed;
}

/* A tmpfs of our own in a private mount namespace, for persists to another
 * file system. */
static void
setup_xfs (void)
{
  g_autofree gchar *path = g_build_filename (scratch_root, "xfs", NULL);

  if (getuid () != 0)
    {
      xfs_skip_reason = "not root: cannot mount a second file system";
      return;
    }
  if (unshare (CLONE_NEWNS) < 0 ||
      mount (NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    {
      xfs_skip_reason = "no private mount namespace (unshare -m)";
      return;
    }
  if (g_mkdir (path, 0700) < 0 ||
      mount ("fault-xfs", path, "tmpfs", 0, "size=4m,mode=0700") < 0)
    {
      xfs_skip_reason = "could not mount a tmpfs";
      return;
    }
  xfs_root = g_steal_pointer (&path);

  /* mqueue creates files but refuses O_TMPFILE (EOPNOTSUPP); a new IPC
   * namespace keeps its queues to ourselves. */
  path = g_build_filename (scratch_root, "nofs", NULL);
  if (unshare (CLONE_NEWIPC) == 0 && g_mkdir (path, 0700) == 0 &&
      mount ("mqueue", path, "mqueue", 0, NULL) == 0)
    nofs_root = g_steal_pointer (&path);
}

static gboolean
selected (const Op  *op,
          gchar    **patterns)
{
  gsize i;

  if (patterns == NULL || patterns[0] == NULL)
    return TRUE;
  for (i = 0; patterns[i] != NULL; i++)
    if (strstr (op->name, patterns[i]) != NULL)
      return TRUE;
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree gchar *root = NULL;
  GPtrArray *patterns = g_ptr_array_new ();
  guint total = 0, total_failed = 0, n_ops = 0, test_no = 0;
  gsize i;
  gint64 start;

  shim_load_or_exec (argv);

  for (i = 1; i < (gsize) argc; i++)
    {
      if (g_str_equal (argv[i], "-v"))
        verbose = TRUE;
      else if (g_str_equal (argv[i], "-t"))
        show_trace = TRUE;
      else if (g_str_equal (argv[i], "--tap"))
        ;
      else
        g_ptr_array_add (patterns, argv[i]);
    }
  g_ptr_array_add (patterns, NULL);

  setvbuf (stdout, NULL, _IOLBF, 0);
  root = g_build_filename (g_get_tmp_dir (), "gtempfile-fault-XXXXXX", NULL);
  if (g_mkdtemp (root) == NULL)
    g_error ("mkdtemp: %s", g_strerror (errno));
  scratch_root = root;
  setup_xfs ();
  /* GLib opens the default main context's wakeup descriptor once, on first
   * use (spooled files record it): open it here, not inside a run. */
  g_main_context_default ();
  all_failures = g_ptr_array_new ();
  eintr_policy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  start = g_get_monotonic_time ();

  for (i = 0; i < G_N_ELEMENTS (operations); i++)
    if (selected (&operations[i], (gchar **) patterns->pdata))
      n_ops++;
  printf ("1..%u\n", n_ops);

  for (i = 0; i < G_N_ELEMENTS (operations); i++)
    {
      const Op *op = &operations[i];
      guint n, failed;

      if (!selected (op, (gchar **) patterns->pdata))
        continue;
      test_no++;
      if (op->cross_fs && xfs_root == NULL)
        {
          printf ("ok %u - %s # SKIP %s\n", test_no, op->name, xfs_skip_reason);
          continue;
        }
      if (op->no_tmpfile && nofs_root == NULL)
        {
          printf ("ok %u - %s # SKIP %s\n", test_no, op->name,
                  xfs_root == NULL ? xfs_skip_reason : "could not mount an mqueue file system");
          continue;
        }
      failed = walk (op, &n);
      total += n;
      total_failed += failed;
      printf ("%s %u - %s: %u triples, %u failed\n", failed ? "not ok" : "ok", test_no,
              op->name, n, failed);
      if (failed)
        {
          guint k;

          for (k = 0; k < all_failures->len; k++)
            {
              Failure *fl = all_failures->pdata[k];

              if (fl->op == op->name)
                printf ("#   %s\n", fl->what);
            }
        }
    }

  if (xfs_root != NULL)
    {
      umount (xfs_root);
      rmdir (xfs_root);
    }
  if (nofs_root != NULL)
    {
      umount (nofs_root);
      rmdir (nofs_root);
    }
  remove_tree (root);

  printf ("# %u (operation, call, errno) triples, %u failed, in %.1f s\n", total, total_failed,
          (g_get_monotonic_time () - start) / 1e6);
  if (n_not_reached > 0)
    printf ("# %u runs did not reach their call (the calls differed from the recording)\n",
            n_not_reached);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, eintr_policy);
    while (g_hash_table_iter_next (&iter, &key, &value))
      printf ("# EINTR from %s: %s\n", (gchar *) key, (gchar *) value);
  }

  return 0;
}
