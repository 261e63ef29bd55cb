/* fuzz-util.c — what the libFuzzer targets share
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-util.h"

static gint start_dir_fd = -1;

void
fuzz_enter_dir (const gchar *dir)
{
  if (start_dir_fd < 0)
    start_dir_fd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (start_dir_fd < 0 || chdir (dir) < 0)
    fuzz_fail ("cannot enter %s: %s", dir, g_strerror (errno));
}

void
fuzz_leave_dir (void)
{
  if (start_dir_fd >= 0 && fchdir (start_dir_fd) < 0)
    abort ();
}

void
fuzz_fail_at (const gchar *file,
              gint         line,
              const gchar *format,
              ...)
{
  va_list args;

  fprintf (stderr, "\n*** fuzz invariant broken at %s:%d: ", file, line);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fprintf (stderr, "\n");
  fflush (stderr);
  fuzz_leave_dir ();
  abort ();
}

/* Input */

guint8
fuzz_u8 (FuzzInput *in)
{
  return in->pos < in->len ? in->data[in->pos++] : 0;
}

guint16
fuzz_u16 (FuzzInput *in)
{
  guint16 hi = fuzz_u8 (in);

  return (guint16) (hi << 8 | fuzz_u8 (in));
}

guint32
fuzz_u32 (FuzzInput *in)
{
  guint32 hi = fuzz_u16 (in);

  return hi << 16 | fuzz_u16 (in);
}

gboolean
fuzz_done (FuzzInput *in)
{
  return in->pos >= in->len;
}

gchar *
fuzz_string (FuzzInput *in,
             gsize      max)
{
  gsize len = MIN ((gsize) fuzz_u8 (in), max);
  GString *s = g_string_sized_new (len);
  gsize i;

  for (i = 0; i < len && in->pos < in->len; i++)
    {
      guint8 c = in->data[in->pos++];

      if (c != '\0')
        g_string_append_c (s, (gchar) c);
    }

  return g_string_free (s, FALSE);
}

/* Logging */

static GLogWriterOutput
fatal_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      fuzz_fail ("the library logged a warning or critical (above)");
    }

  return G_LOG_WRITER_HANDLED;
}

void
fuzz_setup_logging (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (fatal_writer, NULL, NULL);
}

/* Scratch directories */

const gchar *
fuzz_base_dir (void)
{
  const gchar *tmp = g_getenv ("TMPDIR");

  return tmp != NULL && *tmp != '\0' ? tmp : "/tmp";
}

const gchar *
fuzz_other_fs (const gchar *here)
{
  struct stat here_st, other_st;

  if (stat ("/dev/shm", &other_st) == 0 && S_ISDIR (other_st.st_mode) &&
      access ("/dev/shm", W_OK) == 0 &&
      stat (here, &here_st) == 0 && here_st.st_dev != other_st.st_dev)
    return "/dev/shm";

  return NULL;
}

static GPtrArray *scratch_dirs;

static void
remove_scratch_dirs (void)
{
  guint i;

  for (i = 0; scratch_dirs != NULL && i < scratch_dirs->len; i++)
    fuzz_remove_tree (g_ptr_array_index (scratch_dirs, i));
}

gchar *
fuzz_scratch_new (const gchar *base)
{
  g_autofree gchar *template = g_build_filename (base, "gtmp-fuzz-XXXXXX", NULL);
  gchar *inner;

  if (mkdtemp (template) == NULL)
    fuzz_fail ("mkdtemp in %s: %s", base, g_strerror (errno));

  inner = g_build_filename (template, "r", NULL);
  if (mkdir (inner, 0755) < 0)
    fuzz_fail ("mkdir %s: %s", inner, g_strerror (errno));

  if (scratch_dirs == NULL)
    {
      scratch_dirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_scratch_dirs);
    }
  g_ptr_array_add (scratch_dirs, g_steal_pointer (&template));

  return inner;
}

static void
remove_at (gint         parent,
           const gchar *name)
{
  struct stat st;
  DIR *dir;
  struct dirent *entry;
  gint fd;

  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return;

  if (!S_ISDIR (st.st_mode))
    {
      unlinkat (parent, name, 0);
      return;
    }

  /* A directory made unreadable by a mode the input chose. */
  fchmodat (parent, name, 0700, 0);
  fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && (dir = fdopendir (fd)) != NULL)
    {
      while ((entry = readdir (dir)) != NULL)
        if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
          remove_at (dirfd (dir), entry->d_name);
      closedir (dir);
    }
  else if (fd >= 0)
    close (fd);

  unlinkat (parent, name, AT_REMOVEDIR);
}

void
fuzz_remove_tree (const gchar *path)
{
  remove_at (AT_FDCWD, path);
}

/* Snapshots */

static void
snapshot_at (gint         parent,
             const gchar *rel,
             GPtrArray   *lines)
{
  DIR *dir;
  struct dirent *entry;
  gint fd;

  fd = openat (parent, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    fuzz_fail ("cannot list %s: %s", rel, g_strerror (errno));

  while ((entry = readdir (dir)) != NULL)
    {
      g_autofree gchar *child = NULL;
      g_autofree gchar *detail = NULL;
      g_autofree gchar *escaped = NULL;
      struct stat st;

      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;

      child = g_build_filename (rel, entry->d_name, NULL);
      if (fstatat (parent, child, &st, AT_SYMLINK_NOFOLLOW) < 0)
        fuzz_fail ("cannot stat %s: %s", child, g_strerror (errno));

      if (S_ISLNK (st.st_mode))
        {
          gchar target[256] = { 0, };

          if (readlinkat (parent, child, target, sizeof target - 1) < 0)
            fuzz_fail ("cannot read link %s", child);
          detail = g_strdup_printf ("-> %s", target);
        }
      else if (S_ISREG (st.st_mode) && st.st_size <= 64)
        {
          gchar contents[65] = { 0, };
          gint ffd = openat (parent, child, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

          if (ffd < 0 || pread (ffd, contents, 64, 0) != st.st_size)
            fuzz_fail ("cannot read %s", child);
          close (ffd);
          detail = g_strescape (contents, NULL);
        }

      escaped = g_strescape (child, NULL);
      g_ptr_array_add (lines, g_strdup_printf ("%s %06o %lld %s",
                                               escaped,
                                               (guint) st.st_mode,
                                               (long long) st.st_size,
                                               detail != NULL ? detail : ""));
      if (S_ISDIR (st.st_mode))
        snapshot_at (parent, child, lines);
    }

  closedir (dir);
}

static gint
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

gchar *
fuzz_snapshot (const gchar *path)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  gint fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    fuzz_fail ("cannot open %s: %s", path, g_strerror (errno));

  snapshot_at (fd, ".", lines);
  close (fd);

  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);

  return g_strjoinv ("\n", (gchar **) lines->pdata);
}

/* Known defects */

gboolean
fuzz_known_defect (guint number)
{
  static gsize init;
  static guint64 known;

  if (g_once_init_enter (&init))
    {
      const gchar *env = g_getenv ("GTMP_FUZZ_KNOWN_DEFECTS");
      g_auto(GStrv) numbers = g_strsplit (env != NULL ? env : "", ",", -1);
      guint i;

      for (i = 0; numbers[i] != NULL; i++)
        {
          guint64 n = g_ascii_strtoull (numbers[i], NULL, 10);

          if (n > 0 && n < 64)
            known |= G_GUINT64_CONSTANT (1) << n;
        }
      g_once_init_leave (&init, 1);
    }

  return number < 64 && (known & (G_GUINT64_CONSTANT (1) << number)) != 0;
}

static void
disposed_cb (gpointer  data,
             GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, 1);
}

void
fuzz_unref_and_wait (gpointer object)
{
  gint disposed = 0;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  if (object == NULL)
    return;

  g_object_weak_ref (object, disposed_cb, &disposed);
  g_object_unref (object);

  while (!g_atomic_int_get (&disposed))
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (50);
      fuzz_check (g_get_monotonic_time () < deadline,
                  "an object was still alive 5 s after its last reference was dropped");
    }
}

gboolean
fuzz_verbose (void)
{
  static gint verbose = -1;

  if (verbose < 0)
    verbose = g_getenv ("GTMP_FUZZ_VERBOSE") != NULL;

  return verbose;
}

void
fuzz_check_error (const GError *error,
                  const gchar  *what)
{
  fuzz_check (error != NULL, "%s failed without an error", what);
  fuzz_check (error->domain == G_IO_ERROR, "%s: error domain %s, not G_IO_ERROR (%s)",
              what, g_quark_to_string (error->domain), error->message);
  fuzz_check (error->message != NULL, "%s: error without a message", what);
  if (!fuzz_known_defect (9))
    fuzz_check (g_utf8_validate (error->message, -1, NULL),
                "%s: error message is not UTF-8: \"%s\"", what,
                g_strescape (error->message, NULL));
}
