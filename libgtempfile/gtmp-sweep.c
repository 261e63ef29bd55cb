/* gtmp-sweep.c — removal of a directory's stale temporary entries
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gtmp-core.h"
#include "gtmp-rmtree.h"
#include "gtmp-sweep.h"

/* How a sweep stays in @dir:
 *
 * Everything is relative to a descriptor of @dir opened with O_NOFOLLOW, and
 * every entry is looked at with AT_SYMLINK_NOFOLLOW: a symbolic link is
 * never followed, whatever its name, and never removed either (the library
 * makes none). A regular file is unlinked by name, which removes a name in
 * @dir and nothing else, whatever is there by then. A directory is removed
 * by the tree removal, which opens the entry itself again without following
 * links, refuses it unless it is the very directory looked at (device and
 * inode) and not a mount point, and walks it fd-relative without entering
 * any mount point. */

typedef struct
{
  const gchar  *dir;
  gint          dfd;
  const gchar  *prefix;
  gsize         prefix_len;
  const gchar  *suffix;
  gsize         suffix_len;
  guint         random_length;
  gint64        now;
  GTimeSpan     min_age;
  uid_t         uid;
  GCancellable *cancellable;
  gint          removed;
  GError       *error;      /* the first entry that could not be removed */
} Sweep;

/* Whether @name is prefix + random_length alphabet characters + suffix. */
static gboolean
has_shape (const Sweep *sweep,
           const gchar *name)
{
  gsize len = strlen (name);

  if (len != sweep->prefix_len + sweep->random_length + sweep->suffix_len ||
      strncmp (name, sweep->prefix, sweep->prefix_len) != 0 ||
      memcmp (name + len - sweep->suffix_len, sweep->suffix, sweep->suffix_len) != 0)
    return FALSE;

  /* The suffix may start with alphabet characters: at least, not exactly. */
  return strspn (name + sweep->prefix_len, G_TMP_CORE_NAME_ALPHABET) >= sweep->random_length;
}

/* Ours (the effective user's) and not modified for @min_age. */
static gboolean
is_stale (const Sweep       *sweep,
          const struct stat *st)
{
  gint64 mtime = (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;

  return st->st_uid == sweep->uid && sweep->now - mtime >= sweep->min_age;
}

static void
entry_failed (Sweep       *sweep,
              gint         errsv,
              const gchar *name)
{
  g_autofree gchar *path = NULL;

  if (sweep->error != NULL)
    return;

  path = g_build_filename (sweep->dir, name, NULL);
  _g_tmp_core_set_error (&sweep->error, errsv, _("Could not remove “%s”"), path);
}

/* Removes @name if it is a stale entry of ours; FALSE when the sweep must
 * stop (cancelled). */
static gboolean
sweep_entry (Sweep       *sweep,
             const gchar *name)
{
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;
  GTmpCoreFileId id;
  struct stat st;

  if (fstatat (sweep->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno != ENOENT)
        entry_failed (sweep, errno, name);
      return TRUE;
    }

  if (!(S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)) || !is_stale (sweep, &st))
    return TRUE;

  if (S_ISREG (st.st_mode))
    {
      /* ENOENT: gone meanwhile; EISDIR: a directory now, not the file we
       * judged: left for the next sweep. */
      if (unlinkat (sweep->dfd, name, 0) == 0)
        sweep->removed++;
      else if (errno != ENOENT && errno != EISDIR)
        entry_failed (sweep, errno, name);
      return TRUE;
    }

  id.dev = st.st_dev;
  id.ino = st.st_ino;
  path = g_build_filename (sweep->dir, name, NULL);
  /* Past an entry it cannot remove (a mount point), the rest of the tree
   * still goes; the first failure is reported. */
  if (_g_tmp_rmtree_remove_at (sweep->dfd, name, path, -1, &id, G_TMP_RMTREE_CONTINUE,
                               sweep->cancellable, &error))
    {
      sweep->removed++;
      return TRUE;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&sweep->error);
      sweep->error = g_steal_pointer (&error);
      return FALSE;
    }

  if (sweep->error == NULL)
    sweep->error = g_steal_pointer (&error);
  return TRUE;
}

static gboolean
check_arguments (const gchar  *prefix,
                 const gchar  *suffix,
                 guint         random_length,
                 GTimeSpan     min_age,
                 GError      **error)
{
  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return FALSE;

  if (random_length < G_TMP_CORE_RANDOM_CHARS || random_length > G_TMP_SWEEP_MAX_RANDOM_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The random part of a name has %u to %u characters, not %u"),
                   G_TMP_CORE_RANDOM_CHARS, G_TMP_SWEEP_MAX_RANDOM_CHARS, random_length);
      return FALSE;
    }

  if (min_age < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The minimum age of the entries to remove cannot be negative"));
      return FALSE;
    }

  return TRUE;
}

gint
_g_tmp_sweep (const gchar   *dir,
              const gchar   *prefix,
              const gchar   *suffix,
              guint          random_length,
              GTimeSpan      min_age,
              GCancellable  *cancellable,
              GError       **error)
{
  Sweep sweep = { 0, };
  struct dirent *entry;
  DIR *stream;
  gint fd;

  if (random_length == 0)
    random_length = G_TMP_CORE_RANDOM_CHARS;
  if (!check_arguments (prefix, suffix, random_length, min_age, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  sweep.dir = dir;
  sweep.prefix = prefix != NULL ? prefix : G_TMP_CORE_DEFAULT_PREFIX;
  sweep.prefix_len = strlen (sweep.prefix);
  sweep.suffix = suffix != NULL ? suffix : "";
  sweep.suffix_len = strlen (sweep.suffix);
  sweep.random_length = random_length;
  sweep.now = g_get_real_time ();
  sweep.min_age = min_age;
  sweep.uid = geteuid ();
  sweep.cancellable = cancellable;

  fd = _g_tmp_core_open_dir (dir);
  stream = fd >= 0 ? fdopendir (fd) : NULL;
  if (stream == NULL)
    {
      _g_tmp_core_set_error (error, errno, _("Could not sweep “%s”"), dir);
      _g_tmp_core_clear_fd (&fd);
      return -1;
    }
  sweep.dfd = fd;

  /* Removing entries while reading is fine on Linux; where POSIX lets a
   * system skip some, the next sweep finds them. */
  for (;;)
    {
      errno = 0;
      entry = readdir (stream);
      if (entry == NULL)
        {
          if (errno != 0 && sweep.error == NULL)
            _g_tmp_core_set_error (&sweep.error, errno, _("Could not sweep “%s”"), dir);
          break;
        }

      /* Cancelled: that is the outcome, whatever failed before. */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&sweep.error);
          g_cancellable_set_error_if_cancelled (cancellable, &sweep.error);
          break;
        }

      if (has_shape (&sweep, entry->d_name) && !sweep_entry (&sweep, entry->d_name))
        break;
    }

  closedir (stream);

  if (sweep.error != NULL)
    {
      g_propagate_error (error, sweep.error);
      return -1;
    }

  return sweep.removed;
}
