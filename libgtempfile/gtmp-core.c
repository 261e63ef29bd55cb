/* gtmp-core.c — the secure-create core
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
# include <sys/random.h>
#endif

#include <glib/gstdio.h>

#include "gtempfile-private.h"

static const gchar name_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
#define NAME_ALPHABET_LEN (G_N_ELEMENTS (name_alphabet) - 1)
/* Bytes at or above this would make "byte % 37" biased: reject them. */
#define UNBIASED_LIMIT (256 - (256 % NAME_ALPHABET_LEN))

/* Bumped in a forked child, so that no thread's random pool and no cached pid
 * from the parent is ever reused there. */
static gint fork_generation;
static gint cached_pid;

static GTmpCoreNameHook name_hook;
static gpointer name_hook_data;

/* ------------------------------------------------------------------------ */
/* Process set-up: translations and fork detection                           */

static void
on_fork_child (void)
{
  g_atomic_int_inc (&fork_generation);
  g_atomic_int_set (&cached_pid, 0);
}

__attribute__((constructor)) static void
gtmp_core_init (void)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  pthread_atfork (NULL, NULL, on_fork_child);
}

gint
_g_tmp_core_get_pid (void)
{
  gint pid = g_atomic_int_get (&cached_pid);

  if G_UNLIKELY (pid == 0)
    {
      pid = getpid ();
      g_atomic_int_set (&cached_pid, pid);
    }

  return pid;
}

void
_g_tmp_core_clear_fd (gint *fd)
{
  if (*fd >= 0)
    {
      gint errsv = errno;

      close (*fd);
      *fd = -1;
      errno = errsv;
    }
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

void
_g_tmp_core_set_error (GError      **error,
                       gint          errsv,
                       const gchar  *format,
                       ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", message, g_strerror (errsv));
}

static gboolean
check_affix (const gchar  *affix,
             const gchar  *what,
             GError      **error)
{
  if (affix != NULL && strchr (affix, G_DIR_SEPARATOR) != NULL)
    {
      /* Translators: the first %s is “prefix” or “suffix”, the second its value. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid %s “%s”: it must not contain “/”"), what, affix);
      return FALSE;
    }

  return TRUE;
}

gboolean
_g_tmp_core_check_affixes (const gchar  *prefix,
                           const gchar  *suffix,
                           GError      **error)
{
  return check_affix (prefix, C_("affix", "prefix"), error) &&
         check_affix (suffix, C_("affix", "suffix"), error);
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */

typedef struct
{
  guint8 bytes[512];
  guint  available;
  gint   generation;
} RandomPool;

static __thread RandomPool random_pool;

static void
fill_from_os (guint8 *buffer,
              gsize   length)
{
#if defined(HAVE_GETRANDOM)
  while (length > 0)
    {
      gssize n = getrandom (buffer, length, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      buffer += n;
      length -= n;
    }
#elif defined(HAVE_ARC4RANDOM_BUF)
  arc4random_buf (buffer, length);
#else
# error "No CSPRNG: need getrandom() or arc4random_buf()"
#endif
}

/* One random byte from this thread's pool, refilled in batches so that a
 * name costs no system call of its own. */
static guint8
next_random_byte (void)
{
  RandomPool *pool = &random_pool;
  gint generation = g_atomic_int_get (&fork_generation);

  if G_UNLIKELY (pool->available == 0 || pool->generation != generation)
    {
      fill_from_os (pool->bytes, sizeof pool->bytes);
      pool->available = sizeof pool->bytes;
      pool->generation = generation;
    }

  return pool->bytes[--pool->available];
}

void
_g_tmp_core_random_chars (gchar *chars,
                          gsize  n)
{
  gsize i = 0;

  while (i < n)
    {
      guint8 byte = next_random_byte ();

      if (byte < UNBIASED_LIMIT)
        chars[i++] = name_alphabet[byte % NAME_ALPHABET_LEN];
    }
}

void
_g_tmp_core_set_name_hook (GTmpCoreNameHook hook,
                           gpointer         user_data)
{
  name_hook_data = user_data;
  g_atomic_pointer_set (&name_hook, hook);
}

static void
draw_name_chars (gchar *chars)
{
  GTmpCoreNameHook hook = g_atomic_pointer_get (&name_hook);

  if G_UNLIKELY (hook != NULL)
    hook (chars, name_hook_data);
  else
    _g_tmp_core_random_chars (chars, G_TMP_CORE_RANDOM_CHARS);
}

/* A candidate path "dir/prefix XXXXXXXX suffix"; the Xs are redrawn in place
 * for every try. */
typedef struct
{
  gchar *path;
  gchar *random_part;
} Candidate;

static void
candidate_init (Candidate   *candidate,
                const gchar *dir,
                const gchar *prefix,
                const gchar *suffix)
{
  gsize dir_len = strlen (dir);
  gsize prefix_len = strlen (prefix);
  gsize suffix_len = strlen (suffix);
  gboolean need_slash = dir_len == 0 || dir[dir_len - 1] != G_DIR_SEPARATOR;
  gchar *p;

  candidate->path = g_malloc (dir_len + need_slash + prefix_len +
                              G_TMP_CORE_RANDOM_CHARS + suffix_len + 1);
  p = candidate->path;
  memcpy (p, dir, dir_len);
  p += dir_len;
  if (need_slash)
    *p++ = G_DIR_SEPARATOR;
  memcpy (p, prefix, prefix_len);
  p += prefix_len;
  candidate->random_part = p;
  p += G_TMP_CORE_RANDOM_CHARS;
  memcpy (p, suffix, suffix_len + 1);
}

static void
candidate_clear (Candidate *candidate)
{
  g_clear_pointer (&candidate->path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Candidate, candidate_clear)

/* ------------------------------------------------------------------------ */
/* Directories                                                               */

static GMutex tempdir_lock;
static gchar *tempdir_cached;

gchar *
_g_tmp_core_resolve_dir (const gchar  *dir,
                         GError      **error)
{
  if (dir == NULL)
    return g_tempfile_get_tempdir (error);

  if (g_path_is_absolute (dir))
    return g_strdup (dir);

  return g_canonicalize_filename (dir, NULL);
}

/* CPython's test: a file with a random name can be created and written. */
static gboolean
tempdir_is_usable (const gchar *dir)
{
  g_auto(Candidate) candidate = { 0, };
  gboolean usable = FALSE;
  gint i;

  candidate_init (&candidate, dir, "tmp", "");

  for (i = 0; i < 100; i++)
    {
      gint fd;

      _g_tmp_core_random_chars (candidate.random_part, G_TMP_CORE_RANDOM_CHARS);
      fd = open (candidate.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          if (errno == EEXIST)
            continue;
          return FALSE;
        }

      usable = write (fd, "blat", 4) == 4;
      close (fd);
      unlink (candidate.path);
      break;
    }

  return usable;
}

static gchar *
search_tempdir (GError **error)
{
  static const gchar * const env_names[] = { "TMPDIR", "TEMP", "TMP" };
  static const gchar * const system_dirs[] = { "/tmp", "/var/tmp", "/usr/tmp" };
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *tried = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (env_names); i++)
    {
      const gchar *value = g_getenv (env_names[i]);

      if (value != NULL && *value != '\0')
        g_ptr_array_add (candidates, g_canonicalize_filename (value, NULL));
    }
  for (i = 0; i < G_N_ELEMENTS (system_dirs); i++)
    g_ptr_array_add (candidates, g_strdup (system_dirs[i]));
  g_ptr_array_add (candidates, g_get_current_dir ());

  for (i = 0; i < candidates->len; i++)
    {
      if (tempdir_is_usable (g_ptr_array_index (candidates, i)))
        return g_strdup (g_ptr_array_index (candidates, i));
    }

  g_ptr_array_add (candidates, NULL);
  tried = g_strjoinv (", ", (gchar **) candidates->pdata);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No usable temporary directory found in %s"), tried);
  return NULL;
}

/**
 * g_tempfile_get_tempdir:
 * @error: return location for a #GError
 *
 * Returns the directory in which temporary files are created when no
 * directory is given.
 *
 * As CPython's `tempfile.gettempdir()`, the first of `$TMPDIR`, `$TEMP`,
 * `$TMP`, `/tmp`, `/var/tmp`, `/usr/tmp` and the current directory in
 * which a file with a random name can really be created and written. The
 * answer is cached until [func@GTempfile.set_tempdir] is called.
 *
 * This function is thread-safe.
 *
 * Returns: (transfer full) (type filename): the absolute path of the
 *   directory, or %NULL with @error set (%G_IO_ERROR_NOT_FOUND) if none of
 *   the candidates is usable
 *
 * Since: 1.0
 */
gchar *
g_tempfile_get_tempdir (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&tempdir_lock);

  if (tempdir_cached == NULL)
    tempdir_cached = search_tempdir (error);

  return g_strdup (tempdir_cached);
}

/**
 * g_tempfile_set_tempdir:
 * @dir: (nullable) (type filename): the directory to use from now on, or
 *   %NULL to search again on the next call
 *
 * Overrides the default directory returned by
 * [func@GTempfile.get_tempdir], like assigning `tempfile.tempdir` in
 * Python. A relative @dir is made absolute against the current directory
 * now. The directory is not checked here: creating a file in it reports
 * the error.
 *
 * This function is thread-safe.
 *
 * Since: 1.0
 */
void
g_tempfile_set_tempdir (const gchar *dir)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&tempdir_lock);

  g_clear_pointer (&tempdir_cached, g_free);
  if (dir != NULL)
    tempdir_cached = g_canonicalize_filename (dir, NULL);
}

void
_g_tmp_core_reset_tempdir (void)
{
  g_tempfile_set_tempdir (NULL);
}

/* ------------------------------------------------------------------------ */
/* Creation                                                                  */

static gint
try_create_file (const gchar *path,
                 guint        mode)
{
  return open (path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
}

static gint
try_create_dir (const gchar *path,
                guint        mode)
{
  return mkdir (path, mode);
}

/* Draws names until creating one succeeds or fails with anything but EEXIST.
 * Returns its result; on success *@out_path owns the path. */
static gint
create_unique (const gchar    *dir,
               const gchar    *prefix,
               const gchar    *suffix,
               guint           mode,
               gboolean        is_dir,
               gchar         **out_path,
               GError        **error)
{
  g_autofree gchar *resolved = NULL;
  g_auto(Candidate) candidate = { 0, };
  gint tries;

  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return -1;

  resolved = _g_tmp_core_resolve_dir (dir, error);
  if (resolved == NULL)
    return -1;

  candidate_init (&candidate, resolved,
                  prefix != NULL ? prefix : g_tempfile_get_tempprefix (),
                  suffix != NULL ? suffix : "");

  for (tries = 0; tries < G_TMP_CORE_MAX_TRIES; tries++)
    {
      gint ret;

      draw_name_chars (candidate.random_part);
      ret = is_dir ? try_create_dir (candidate.path, mode)
                   : try_create_file (candidate.path, mode);
      if (ret >= 0)
        {
          *out_path = g_steal_pointer (&candidate.path);
          return ret;
        }

      if (errno != EEXIST)
        {
          gint errsv = errno;

          _g_tmp_core_set_error (error, errsv,
                                 is_dir ? _("Could not create a temporary directory in “%s”")
                                        : _("Could not create a temporary file in “%s”"),
                                 resolved);
          return -1;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               is_dir ? _("Could not create a temporary directory in “%s”: all %d names tried exist already")
                      : _("Could not create a temporary file in “%s”: all %d names tried exist already"),
               resolved, G_TMP_CORE_MAX_TRIES);
  return -1;
}

gint
_g_tmp_core_create_file (const gchar  *dir,
                         const gchar  *prefix,
                         const gchar  *suffix,
                         guint         mode,
                         gchar       **out_path,
                         GError      **error)
{
  g_autofree gchar *path = NULL;
  gint fd;

  fd = create_unique (dir, prefix, suffix,
                      mode != 0 ? mode : G_TMP_CORE_FILE_MODE,
                      FALSE, &path, error);
  if (fd >= 0 && out_path != NULL)
    *out_path = g_steal_pointer (&path);

  return fd;
}

gchar *
_g_tmp_core_create_dir (const gchar  *dir,
                        const gchar  *prefix,
                        const gchar  *suffix,
                        guint         mode,
                        GError      **error)
{
  gchar *path = NULL;

  if (create_unique (dir, prefix, suffix,
                     mode != 0 ? mode : G_TMP_CORE_DIR_MODE,
                     TRUE, &path, error) < 0)
    return NULL;

  return path;
}

#ifdef HAVE_O_TMPFILE
/* Directories whose file system refused O_TMPFILE lately. Remembered for a
 * while, not forever: the directory may be a mount point that changes. */
#define TMPFILE_REFUSAL_TTL_USEC (60 * G_USEC_PER_SEC)

static GMutex refusals_lock;
static GHashTable *tmpfile_refusals; /* path → gint64 monotonic time */

static gboolean
tmpfile_refused_lately (const gchar *dir)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&refusals_lock);
  gpointer when;

  if (tmpfile_refusals == NULL ||
      !g_hash_table_lookup_extended (tmpfile_refusals, dir, NULL, &when))
    return FALSE;

  if (g_get_monotonic_time () - *(gint64 *) when < TMPFILE_REFUSAL_TTL_USEC)
    return TRUE;

  g_hash_table_remove (tmpfile_refusals, dir);
  return FALSE;
}

static void
remember_tmpfile_refusal (const gchar *dir)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&refusals_lock);
  gint64 *when = g_new (gint64, 1);

  if (tmpfile_refusals == NULL)
    tmpfile_refusals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  *when = g_get_monotonic_time ();
  g_hash_table_replace (tmpfile_refusals, g_strdup (dir), when);
}

/* The errors with which a kernel or file system says "no O_TMPFILE here". */
static gboolean
is_tmpfile_refusal (gint errsv)
{
  return errsv == EOPNOTSUPP || errsv == EISDIR || errsv == EINVAL;
}
#endif

gint
_g_tmp_core_create_anonymous (const gchar  *dir,
                              const gchar  *prefix,
                              const gchar  *suffix,
                              guint         mode,
                              gboolean     *out_linkable,
                              gchar       **out_dir,
                              GError      **error)
{
  g_autofree gchar *resolved = NULL;
  g_autofree gchar *path = NULL;
  gint fd;

  if (mode == 0)
    mode = G_TMP_CORE_FILE_MODE;

  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return -1;

  resolved = _g_tmp_core_resolve_dir (dir, error);
  if (resolved == NULL)
    return -1;

#ifdef HAVE_O_TMPFILE
  if (!tmpfile_refused_lately (resolved))
    {
      fd = open (resolved, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
      if (fd >= 0)
        {
          if (out_linkable != NULL)
            *out_linkable = TRUE;
          if (out_dir != NULL)
            *out_dir = g_steal_pointer (&resolved);
          return fd;
        }

      if (!is_tmpfile_refusal (errno))
        {
          gint errsv = errno;

          _g_tmp_core_set_error (error, errsv,
                                 _("Could not create a temporary file in “%s”"),
                                 resolved);
          return -1;
        }

      remember_tmpfile_refusal (resolved);
    }
#endif

  /* Fallback: the name exists only between these two calls. */
  fd = _g_tmp_core_create_file (resolved, prefix, suffix, mode, &path, error);
  if (fd < 0)
    return -1;

  if (unlink (path) < 0)
    {
      gint errsv = errno;

      _g_tmp_core_clear_fd (&fd);
      _g_tmp_core_set_error (error, errsv, _("Could not remove “%s”"), path);
      return -1;
    }

  if (out_linkable != NULL)
    *out_linkable = FALSE;
  if (out_dir != NULL)
    *out_dir = g_steal_pointer (&resolved);
  return fd;
}

/* ------------------------------------------------------------------------ */
/* Removal of a tree                                                         */

gint
_g_tmp_core_open_dir (const gchar *path)
{
  return open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

typedef struct
{
  GString      *path;          /* of the directory being walked, for errors */
  gboolean      ignore_errors;
  GCancellable *cancellable;
  gboolean      cancelled;
  GError       *error;         /* the first error */
} RemoveWalk;

/* Records a failure; returns TRUE if the walk should go on. */
static gboolean
walk_fail (RemoveWalk  *walk,
           gint         errsv,
           const gchar *name)
{
  if (walk->error == NULL)
    {
      g_autofree gchar *full = name != NULL
        ? g_build_filename (walk->path->str, name, NULL)
        : g_strdup (walk->path->str);

      _g_tmp_core_set_error (&walk->error, errsv, _("Could not remove “%s”"), full);
    }

  return walk->ignore_errors;
}

static gboolean remove_contents (RemoveWalk *walk,
                                 gint        dirfd);

/* Makes the directory @dirfd writable and searchable for its owner, without
 * ever touching anything through a symlink: we only hold real directories. */
static gboolean
make_dir_removable (gint dirfd)
{
  return fchmod (dirfd, 0700) == 0;
}

static gboolean
same_inode (gint         fd,
            const struct stat *expected)
{
  struct stat st;

  return fstat (fd, &st) == 0 &&
         st.st_dev == expected->st_dev &&
         st.st_ino == expected->st_ino;
}

/* Removes the subdirectory @name of @parentfd and everything in it. */
static gboolean
remove_subdir (RemoveWalk  *walk,
               gint         parentfd,
               const gchar *name)
{
  struct stat before;
  gsize path_len = walk->path->len;
  gboolean ok;
  gint fd;

  if (fstatat (parentfd, name, &before, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT || walk_fail (walk, errno, name);

  if (!S_ISDIR (before.st_mode))
    {
      if (unlinkat (parentfd, name, 0) < 0 && errno != ENOENT)
        return walk_fail (walk, errno, name);
      return TRUE;
    }

  fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && (errno == EACCES || errno == EPERM))
    {
      /* A 0000 directory of ours: the parent is ours too, so fix the child
       * through a real-directory-only path and retry once. */
      if (fchmodat (parentfd, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
        fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    return errno == ENOENT || walk_fail (walk, errno, name);

  /* Renamed away and replaced between the stat and the open? Then this is
   * not the entry we looked at: leave it alone. */
  if (!same_inode (fd, &before))
    {
      close (fd);
      return walk_fail (walk, EBUSY, name);
    }

  g_string_append_c (walk->path, G_DIR_SEPARATOR);
  g_string_append (walk->path, name);
  ok = remove_contents (walk, fd);
  g_string_truncate (walk->path, path_len);

  if (walk->cancelled || (!ok && !walk->ignore_errors))
    return FALSE;

  if (unlinkat (parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return walk_fail (walk, errno, name);

  return TRUE;
}

static gboolean
remove_entry (RemoveWalk    *walk,
              gint           dirfd,
              struct dirent *entry,
              gboolean      *chmodded)
{
  const gchar *name = entry->d_name;

  if (entry->d_type == DT_DIR)
    return remove_subdir (walk, dirfd, name);

  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return TRUE;

  if (errno == EISDIR || errno == EPERM)
    {
      /* d_type was DT_UNKNOWN, or Linux's EISDIR-as-EPERM: maybe a directory. */
      struct stat st;

      if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
        return remove_subdir (walk, dirfd, name);
      errno = EPERM;
    }

  if ((errno == EACCES || errno == EPERM) && !*chmodded)
    {
      *chmodded = TRUE;
      if (make_dir_removable (dirfd) &&
          (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT))
        return TRUE;
    }

  return walk_fail (walk, errno, name);
}

/* Removes everything in the directory @dirfd (takes ownership of it). */
static gboolean
remove_contents (RemoveWalk *walk,
                 gint        dirfd)
{
  gboolean chmodded = FALSE;
  struct dirent *entry;
  gboolean ok = TRUE;
  DIR *dir;

  dir = fdopendir (dirfd);
  if (dir == NULL)
    {
      close (dirfd);
      return walk_fail (walk, errno, NULL);
    }

  while (ok)
    {
      errno = 0;
      entry = readdir (dir);
      if (entry == NULL)
        {
          if (errno != 0)
            ok = walk_fail (walk, errno, NULL);
          break;
        }

      if (entry->d_name[0] == '.' &&
          (entry->d_name[1] == '\0' ||
           (entry->d_name[1] == '.' && entry->d_name[2] == '\0')))
        continue;

      if (g_cancellable_is_cancelled (walk->cancellable))
        {
          walk->cancelled = TRUE;
          ok = FALSE;
          break;
        }

      ok = remove_entry (walk, dirfd, entry, &chmodded);
    }

  closedir (dir);
  return ok;
}

gboolean
_g_tmp_core_remove_tree (const gchar   *path,
                         gint           dirfd,
                         gboolean       ignore_errors,
                         GCancellable  *cancellable,
                         GError       **error)
{
  RemoveWalk walk = { NULL, ignore_errors, cancellable, FALSE, NULL };
  gint walk_fd;

  /* An empty directory costs one rmdir and nothing more. */
  if (rmdir (path) == 0 || errno == ENOENT)
    return TRUE;

  /* EACCES/EPERM: the parent is not ours to write, but what is inside may
   * be; remove that and report the top at the end. */
  if (errno != ENOTEMPTY && errno != EEXIST && errno != EACCES && errno != EPERM)
    {
      gint errsv = errno;

      if (ignore_errors)
        return TRUE;
      _g_tmp_core_set_error (error, errsv, _("Could not remove “%s”"), path);
      return FALSE;
    }

  walk_fd = dirfd >= 0
    ? fcntl (dirfd, F_DUPFD_CLOEXEC, 3)
    : _g_tmp_core_open_dir (path);
  if (walk_fd < 0)
    {
      gint errsv = errno;

      if (errsv == ENOENT || ignore_errors)
        return TRUE;
      _g_tmp_core_set_error (error, errsv, _("Could not remove “%s”"), path);
      return FALSE;
    }

  /* Start from the top of the directory even if the held descriptor was
   * used (and its position moved) by the caller. */
  lseek (walk_fd, 0, SEEK_SET);

  walk.path = g_string_new (path);
  remove_contents (&walk, walk_fd);

  if (!walk.cancelled && (walk.error == NULL || ignore_errors) &&
      rmdir (path) < 0 && errno != ENOENT)
    walk_fail (&walk, errno, NULL);

  g_string_free (walk.path, TRUE);

  /* Cancellation is reported even when errors are ignored. */
  if (walk.cancelled)
    {
      g_clear_error (&walk.error);
      return !g_cancellable_set_error_if_cancelled (cancellable, error);
    }

  if (walk.error != NULL && !ignore_errors)
    {
      g_propagate_error (error, walk.error);
      return FALSE;
    }

  g_clear_error (&walk.error);
  return TRUE;
}
