/* gtmp-core.c — the secure-create core
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

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

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gtmp-core.h"
#include "gtmp-refusals.h"
#include "gtmp-tempdir.h"
#include "gtmp-testing.h"

static const gchar name_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
#define NAME_ALPHABET_LEN (G_N_ELEMENTS (name_alphabet) - 1)
/* Bytes at or above this would make "byte % 37" biased: reject them. */
#define UNBIASED_LIMIT (256 - (256 % NAME_ALPHABET_LEN))

/* Bumped in a forked child, so that no thread's random pool and no cached pid
 * from the parent is ever reused there. */
static gint fork_generation;
gint _g_tmp_core_cached_pid;

static GTmpCoreHook name_hook;

/* A random byte's name character: name_alphabet[byte % 37], or 0 for the
 * bytes that would bias it (filled at load time; one look-up per byte
 * instead of a division). */
static gchar byte_to_char[256];

static GTmpCoreHook sync_hook;

/* ------------------------------------------------------------------------ */
/* Process set-up: translations and fork detection                           */

/* The core's locks held across fork(), in the order they are taken. */
static GMutex *fork_locks[G_TMP_CORE_N_FORK_LOCKS];

void
_g_tmp_core_hold_across_fork (GTmpCoreForkLock  which,
                              GMutex           *lock)
{
  fork_locks[which] = lock;
}

static void
on_fork_prepare (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fork_locks); i++)
    if (fork_locks[i] != NULL)
      g_mutex_lock (fork_locks[i]);
}

static void
on_fork_parent (void)
{
  for (guint i = G_N_ELEMENTS (fork_locks); i > 0; i--)
    if (fork_locks[i - 1] != NULL)
      g_mutex_unlock (fork_locks[i - 1]);
}

static void
on_fork_child (void)
{
  on_fork_parent ();
  g_atomic_int_inc (&fork_generation);
  g_atomic_int_set (&_g_tmp_core_cached_pid, 0);
}

__attribute__((constructor)) static void
gtmp_core_init (void)
{
  for (guint byte = 0; byte < UNBIASED_LIMIT; byte++)
    byte_to_char[byte] = name_alphabet[byte % NAME_ALPHABET_LEN];

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  pthread_atfork (on_fork_prepare, on_fork_parent, on_fork_child);
}

gint
_g_tmp_core_get_pid (void)
{
  gint pid = g_atomic_int_get (&_g_tmp_core_cached_pid);

  if G_UNLIKELY (pid == 0)
    {
      pid = getpid ();
      g_atomic_int_set (&_g_tmp_core_cached_pid, pid);
    }

  return pid;
}

gboolean
_g_tmp_core_adopt_slow (gint *owner_pid)
{
  gint pid = _g_tmp_core_get_pid ();

  for (;;)
    {
      gint owner = g_atomic_int_get (owner_pid);

      if (G_LIKELY (owner == pid))
        return FALSE;
      /* -pid: another thread of this process is adopting them. */
      if (owner == -pid)
        g_thread_yield ();
      else if (g_atomic_int_compare_and_exchange (owner_pid, owner, -pid))
        return TRUE;
    }
}

void
_g_tmp_core_adopt_end (gint *owner_pid)
{
  g_atomic_int_set (owner_pid, _g_tmp_core_get_pid ());
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

/* A file name is bytes and a message UTF-8: the one file name @format may
 * take is shown as g_filename_display_name() shows it, so that every caller
 * gets a valid message (GError's contract; PyGObject cannot even convert an
 * invalid one) without converting it itself. */
void
_g_tmp_core_set_error (GError      **error,
                       gint          errsv,
                       const gchar  *format,
                       ...)
{
  g_autofree gchar *display = NULL;
  g_autofree gchar *message = NULL;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  if (strchr (format, '%') != NULL)
    display = g_filename_display_name (va_arg (args, const gchar *));
  va_end (args);

  /* @format is checked at every call by G_GNUC_PRINTF. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  message = g_strdup_printf (format, display);
#pragma GCC diagnostic pop

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", message, g_strerror (errsv));
}

/* @is_prefix picks the word for the message. It is translated only when
 * there is an error: translating it on every creation, to be ready, was a
 * measurable part of a lifecycle (benchmarks/README.md). */
static gboolean
check_affix (const gchar  *affix,
             gboolean      is_prefix,
             GError      **error)
{
  if (affix != NULL && strchr (affix, G_DIR_SEPARATOR) != NULL)
    {
      g_autofree gchar *display = g_filename_display_name (affix);

      /* Translators: the first %s is “prefix” or “suffix”, the second its value. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid %s “%s”: it must not contain “/”"),
                   is_prefix ? C_("affix", "prefix") : C_("affix", "suffix"),
                   display);
      return FALSE;
    }

  return TRUE;
}

gboolean
_g_tmp_core_check_affixes (const gchar  *prefix,
                           const gchar  *suffix,
                           GError      **error)
{
  return check_affix (prefix, TRUE, error) &&
         check_affix (suffix, FALSE, error);
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */

/* 4 KiB: one getrandom() per ~450 names, so that a named lifecycle makes
 * open + unlink + close and, rounded, nothing else (512 bytes made it 3.02). */
typedef struct
{
  guint8 bytes[4096];
  guint  available;
  gint   generation;
} RandomPool;

/* The pool is owned by a GPrivate, which frees it when the thread exits. A
 * plain __thread pool would cost a call to __tls_get_addr() in a shared
 * library, and GCC recomputed it for every byte drawn
 * (benchmarks/README.md). Where the compiler allows, the pool's address is
 * also kept in an initial-exec thread-local pointer, one load away; going
 * through g_private_get() every time cost a tenth of a GTmpDir lifecycle's
 * user-space time in perf samples. Eight bytes of static TLS is well within
 * what glibc keeps for libraries loaded with dlopen(). */
static void random_pool_free (gpointer pool);

static GPrivate random_pool_key = G_PRIVATE_INIT (random_pool_free);
#ifdef HAVE_TLS_INITIAL_EXEC
static __thread RandomPool *random_pool_cached __attribute__((tls_model ("initial-exec")));
#endif
/* Set when the pool's destructor has run: a thread-exit destructor that runs
 * after it (another library's, or the application's) may still create files,
 * and must neither read the freed pool nor make a new one that nobody would
 * free. Read only when the cached pointer is NULL. */
static __thread gboolean random_pool_gone;

static void
random_pool_free (gpointer pool)
{
#ifdef HAVE_TLS_INITIAL_EXEC
  random_pool_cached = NULL;
#endif
  random_pool_gone = TRUE;
  g_free (pool);
}

/* This thread's pool, or NULL once it has been freed at thread exit. */
static RandomPool *
get_random_pool (void)
{
  RandomPool *pool;

#ifdef HAVE_TLS_INITIAL_EXEC
  pool = random_pool_cached;
  if G_LIKELY (pool != NULL)
    return pool;
#endif

  pool = g_private_get (&random_pool_key);
  if G_UNLIKELY (pool == NULL)
    {
      if (random_pool_gone)
        return NULL;

      /* available = 0: filled by the first draw. */
      pool = g_new0 (RandomPool, 1);
      g_private_set (&random_pool_key, pool);
    }

#ifdef HAVE_TLS_INITIAL_EXEC
  random_pool_cached = pool;
#endif
  return pool;
}

/* FALSE with errno set when the OS gives no random bytes (ENOSYS under a
 * seccomp filter, say): that fails the creating call, never the process.
 * EINTR is retried. */
static gboolean
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
          return FALSE;
        }
      buffer += n;
      length -= n;
    }
#elif defined(HAVE_ARC4RANDOM_BUF)
  arc4random_buf (buffer, length);
#else
# error "No CSPRNG: need getrandom() or arc4random_buf()"
#endif
  return TRUE;
}

/* Characters straight from the OS, for a thread whose pool is gone: a
 * system call per name, but only in that thread's last moments. */
static gboolean
random_chars_unpooled (gchar *chars,
                       gsize  n)
{
  guint8 bytes[64];
  gsize i = 0;

  while (i < n)
    {
      gsize j;

      if (!fill_from_os (bytes, sizeof bytes))
        return FALSE;
      for (j = 0; j < sizeof bytes && i < n; j++)
        {
          gchar c = byte_to_char[bytes[j]];

          if (c != 0)
            chars[i++] = c;
        }
    }

  return TRUE;
}

/* Characters from this thread's pool, refilled in batches so that a name
 * costs no system call of its own. The count of bytes left is kept in a
 * local while drawing. A failed refill leaves the pool empty, so the next
 * draw asks the OS again. */
gboolean
_g_tmp_core_random_chars (gchar *chars,
                          gsize  n)
{
  RandomPool *pool = get_random_pool ();
  gint generation;
  guint available;
  gsize i = 0;

  if G_UNLIKELY (pool == NULL)
    return random_chars_unpooled (chars, n);

  generation = g_atomic_int_get (&fork_generation);
  available = pool->generation == generation ? pool->available : 0;

  while (i < n)
    {
      gchar c;

      if G_UNLIKELY (available == 0)
        {
          if (!fill_from_os (pool->bytes, sizeof pool->bytes))
            {
              pool->available = 0;
              return FALSE;
            }
          available = sizeof pool->bytes;
          pool->generation = generation;
        }

      c = byte_to_char[pool->bytes[--available]];
      if (c != 0)
        chars[i++] = c;
    }

  pool->available = available;
  return TRUE;
}

void
_g_tmp_core_set_random_error (GError      **error,
                              gint          errsv,
                              const gchar  *dir)
{
  _g_tmp_core_set_error (error, errsv, _("Could not draw a random name in “%s”"), dir);
}

void
_g_tmp_core_set_name_hook (GTmpCoreNameHook hook,
                           gpointer         user_data)
{
  _g_tmp_core_hook_set (&name_hook, G_CALLBACK (hook), user_data);
}

/* FALSE with errno set when no random characters could be had. */
static gboolean
draw_name_chars (gchar *chars)
{
  GTmpCoreNameHook hook = (GTmpCoreNameHook) g_atomic_pointer_get (&name_hook.func);

  if G_UNLIKELY (hook != NULL)
    {
      hook (chars, name_hook.data);
      return TRUE;
    }

  return _g_tmp_core_random_chars (chars, G_TMP_CORE_RANDOM_CHARS);
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

/* _g_tmp_core_resolve_dir() without a copy when @dir is already absolute
 * (the usual case when a directory is given): returns @dir itself, or a new
 * string that *@owned receives. */
static const gchar *
resolve_dir_borrowed (const gchar  *dir,
                      gchar       **owned,
                      GError      **error)
{
  if (dir != NULL && g_path_is_absolute (dir))
    return dir;

  *owned = _g_tmp_core_resolve_dir (dir, error);
  return *owned;
}

/* CPython's test of a default-directory candidate (gtmp-tempdir.c). */
gboolean
_g_tmp_core_probe_dir (const gchar  *dir,
                       gboolean     *usable,
                       GError      **error)
{
  g_auto(Candidate) candidate = { 0, };
  gint i;

  *usable = FALSE;
  candidate_init (&candidate, dir, "tmp", "");

  for (i = 0; i < 100; i++)
    {
      gint fd;

      if (!_g_tmp_core_random_chars (candidate.random_part, G_TMP_CORE_RANDOM_CHARS))
        {
          _g_tmp_core_set_random_error (error, errno, dir);
          return FALSE;
        }

      fd = open (candidate.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          if (errno == EEXIST)
            continue;
          return TRUE;
        }

      *usable = write (fd, "blat", 4) == 4;
      close (fd);
      unlink (candidate.path);
      break;
    }

  return TRUE;
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
  g_autofree gchar *owned_dir = NULL;
  g_autofree gchar *display = NULL;
  const gchar *resolved;
  g_auto(Candidate) candidate = { 0, };
  gint tries;

  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return -1;

  resolved = resolve_dir_borrowed (dir, &owned_dir, error);
  if (resolved == NULL)
    return -1;

  candidate_init (&candidate, resolved,
                  prefix != NULL ? prefix : G_TMP_CORE_DEFAULT_PREFIX,
                  suffix != NULL ? suffix : "");

  for (tries = 0; tries < G_TMP_CORE_MAX_TRIES; tries++)
    {
      gint ret;

      if (!draw_name_chars (candidate.random_part))
        {
          _g_tmp_core_set_random_error (error, errno, resolved);
          return -1;
        }

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

  display = g_filename_display_name (resolved);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               is_dir ? _("Could not create a temporary directory in “%s”: all %d names tried exist already")
                      : _("Could not create a temporary file in “%s”: all %d names tried exist already"),
               display, G_TMP_CORE_MAX_TRIES);
  return -1;
}

gint
_g_tmp_core_create_file (const GTmpTemplate  *tmpl,
                         gchar              **out_path,
                         GError             **error)
{
  g_autofree gchar *path = NULL;
  gint fd;

  fd = create_unique (tmpl->dir, tmpl->prefix, tmpl->suffix,
                      tmpl->mode != 0 ? tmpl->mode : G_TMP_CORE_FILE_MODE,
                      FALSE, &path, error);
  if (fd >= 0 && out_path != NULL)
    *out_path = g_steal_pointer (&path);

  return fd;
}

gchar *
_g_tmp_core_create_dir (const GTmpTemplate  *tmpl,
                        GError             **error)
{
  gchar *path = NULL;

  if (create_unique (tmpl->dir, tmpl->prefix, tmpl->suffix,
                     tmpl->mode != 0 ? tmpl->mode : G_TMP_CORE_DIR_MODE,
                     TRUE, &path, error) < 0)
    return NULL;

  return path;
}

/* Test hook of the O_TMPFILE fallback (gtmp-testing.h). */
static GTmpCoreHook tmpfile_hook;

void
_g_tmp_core_set_tmpfile_hook (GTmpCoreTmpfileHook hook,
                              gpointer            user_data)
{
  _g_tmp_core_hook_set (&tmpfile_hook, G_CALLBACK (hook), user_data);
}

#ifdef HAVE_O_TMPFILE
static void
notify_tmpfile_hook (const gchar          *dir,
                     GTmpCoreTmpfileEvent  event)
{
  GTmpCoreTmpfileHook hook = (GTmpCoreTmpfileHook) g_atomic_pointer_get (&tmpfile_hook.func);

  if G_UNLIKELY (hook != NULL)
    hook (dir, event, tmpfile_hook.data);
}

/* The errors with which a kernel or file system says "no O_TMPFILE here". */
static gboolean
is_tmpfile_refusal (gint errsv)
{
  return errsv == EOPNOTSUPP || errsv == EISDIR || errsv == EINVAL;
}
#endif

gint
_g_tmp_core_create_anonymous (const GTmpTemplate  *tmpl,
                              gboolean            *out_linkable,
                              gchar              **out_dir,
                              GError             **error)
{
  const gchar *prefix = tmpl->prefix;
  const gchar *suffix = tmpl->suffix;
  guint mode = tmpl->mode;
  g_autofree gchar *owned_dir = NULL;
  g_autofree gchar *path = NULL;
  const gchar *resolved;
  gint fd;
#ifdef HAVE_O_TMPFILE
  GTmpCoreDirDevice device = { NULL, 0, FALSE };
#endif

  if (mode == 0)
    mode = G_TMP_CORE_FILE_MODE;

  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return -1;

  resolved = resolve_dir_borrowed (tmpl->dir, &owned_dir, error);
  if (resolved == NULL)
    return -1;

#ifdef HAVE_O_TMPFILE
  device.dir = resolved;
  if (_g_tmp_core_tmpfile_refused_lately (&device))
    notify_tmpfile_hook (resolved, G_TMP_CORE_TMPFILE_SKIPPED);
  else
    {
      fd = open (resolved, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
      if (fd >= 0)
        {
          if (out_linkable != NULL)
            *out_linkable = TRUE;
          if (out_dir != NULL)
            *out_dir = owned_dir != NULL ? g_steal_pointer (&owned_dir) : g_strdup (resolved);
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

      _g_tmp_core_remember_tmpfile_refusal (&device);
      notify_tmpfile_hook (resolved, G_TMP_CORE_TMPFILE_REFUSED);
    }
#endif

  /* Fallback: the name exists only between these two calls. */
  fd = create_unique (resolved, prefix, suffix, mode, FALSE, &path, error);
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
    *out_dir = owned_dir != NULL ? g_steal_pointer (&owned_dir) : g_strdup (resolved);
  return fd;
}

/* ------------------------------------------------------------------------ */
/* Copies and syncs                                                          */

static GTmpCoreHook copy_hook;

void
_g_tmp_core_set_copy_hook (GTmpCoreCopyHook hook,
                           gpointer         user_data)
{
  _g_tmp_core_hook_set (&copy_hook, G_CALLBACK (hook), user_data);
}

void
_g_tmp_core_copy_starting (const gchar *dest)
{
  GTmpCoreCopyHook hook = (GTmpCoreCopyHook) g_atomic_pointer_get (&copy_hook.func);

  if G_UNLIKELY (hook != NULL)
    hook (dest, copy_hook.data);
}

gboolean
_g_tmp_core_pwrite_all (gint        fd,
                        const void *data,
                        gsize       len,
                        goffset     offset)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = pwrite (fd, p, len, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          /* No progress for a non-empty buffer: the file system is full. */
          errno = ENOSPC;
          return FALSE;
        }

      p += n;
      len -= n;
      offset += n;
    }

  return TRUE;
}

void
_g_tmp_core_set_sync_hook (GTmpCoreSyncHook hook,
                           gpointer         user_data)
{
  _g_tmp_core_hook_set (&sync_hook, G_CALLBACK (hook), user_data);
}

gint
_g_tmp_core_fsync (gint fd)
{
  GTmpCoreSyncHook hook;
  gint res;

  do
    res = fsync (fd);
  while (res < 0 && errno == EINTR);

  hook = (GTmpCoreSyncHook) g_atomic_pointer_get (&sync_hook.func);
  if G_UNLIKELY (res == 0 && hook != NULL && !hook (fd, sync_hook.data))
    {
      errno = EIO;
      res = -1;
    }

  return res;
}

/* ------------------------------------------------------------------------ */
/* Directories by descriptor                                                 */

gint
_g_tmp_core_open_dir (const gchar *path)
{
  return open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

gboolean
_g_tmp_core_get_dir_id (const gchar    *path,
                        GTmpCoreFileId *id)
{
  struct stat st;

  if (fstatat (AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
    return FALSE;

  id->dev = st.st_dev;
  id->ino = st.st_ino;
  return TRUE;
}
