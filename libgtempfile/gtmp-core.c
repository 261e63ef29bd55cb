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
#ifdef __linux__
# include <sys/syscall.h>
# include <sys/sysmacros.h>
# include <sys/vfs.h>
#endif
#ifdef HAVE_LINUX_OPENAT2_H
# include <linux/openat2.h>
#endif
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

/* A random byte's name character: name_alphabet[byte % 37], or 0 for the
 * bytes that would bias it (filled at load time; one look-up per byte
 * instead of a division). */
static gchar byte_to_char[256];

static GTmpCoreSyncHook sync_hook;
static gpointer sync_hook_data;

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
  for (guint byte = 0; byte < UNBIASED_LIMIT; byte++)
    byte_to_char[byte] = name_alphabet[byte % NAME_ALPHABET_LEN];

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
  name_hook_data = user_data;
  g_atomic_pointer_set (&name_hook, hook);
}

/* FALSE with errno set when no random characters could be had. */
static gboolean
draw_name_chars (gchar *chars)
{
  GTmpCoreNameHook hook = g_atomic_pointer_get (&name_hook);

  if G_UNLIKELY (hook != NULL)
    {
      hook (chars, name_hook_data);
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

/* Held across fork() (pthread_atfork), as refusals_lock is: a child forked
 * while another thread searched or set the default directory must not
 * inherit the lock taken, or its first creation in the default directory
 * would wait forever. */
static GMutex tempdir_lock;
static gchar *tempdir_cached;

static void
tempdir_fork_prepare (void)
{
  g_mutex_lock (&tempdir_lock);
}

static void
tempdir_fork_done (void)
{
  g_mutex_unlock (&tempdir_lock);
}

__attribute__((constructor)) static void
tempdir_init (void)
{
  pthread_atfork (tempdir_fork_prepare, tempdir_fork_done, tempdir_fork_done);
}

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

/* CPython's test: a file with a random name can be created and written.
 * Sets *@usable; FALSE (with @error set) only when no name could be drawn,
 * which no other candidate would fare better with. */
static gboolean
tempdir_probe (const gchar  *dir,
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
      gboolean usable;

      if (!tempdir_probe (g_ptr_array_index (candidates, i), &usable, error))
        return NULL;
      if (usable)
        return g_strdup (g_ptr_array_index (candidates, i));
    }

  for (i = 0; i < candidates->len; i++)
    {
      gchar *display = g_filename_display_name (g_ptr_array_index (candidates, i));

      g_free (g_ptr_array_index (candidates, i));
      g_ptr_array_index (candidates, i) = display;
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
 * This function is thread-safe, also in a child forked while another
 * thread was calling it or [func@GTempfile.set_tempdir].
 *
 * Returns: (transfer full) (type filename): the absolute path of the
 *   directory, or %NULL with @error set: %G_IO_ERROR_NOT_FOUND if none of
 *   the candidates is usable, or the code of the operating system's error
 *   if it gives no random bytes to name the test file with
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
                  prefix != NULL ? prefix : g_tempfile_get_tempprefix (),
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

/* Test hooks of the O_TMPFILE fallback (gtmp-core.h). */
static GTmpCoreTmpfileHook tmpfile_hook;
static gpointer tmpfile_hook_data;

void
_g_tmp_core_set_tmpfile_hook (GTmpCoreTmpfileHook hook,
                              gpointer            user_data)
{
  tmpfile_hook_data = user_data;
  g_atomic_pointer_set (&tmpfile_hook, hook);
}

#ifdef HAVE_O_TMPFILE
static void
notify_tmpfile_hook (const gchar          *dir,
                     GTmpCoreTmpfileEvent  event)
{
  GTmpCoreTmpfileHook hook = g_atomic_pointer_get (&tmpfile_hook);

  if G_UNLIKELY (hook != NULL)
    hook (dir, event, tmpfile_hook_data);
}

/* Devices whose file system refused O_TMPFILE lately.
 *
 * Refusing O_TMPFILE is a property of the file system, so the memory is
 * keyed by the device (st_dev) of the directory: a refusal learnt in one
 * directory holds for every directory on that device, and directories on
 * other devices still try O_TMPFILE. The key always comes from stat() of
 * the directory, both when remembering and when looking up, never from the
 * file created in it (on some overlayfs set-ups the two differ).
 *
 * Remembered for G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC, not forever: device
 * numbers are reused when one file system is unmounted and another mounted,
 * and a stale refusal makes anonymous files unlinkable (persist() then needs
 * G_TMP_PERSIST_ALLOW_COPY); relearning costs one refused open() per device
 * and lifetime.
 *
 * Cost: while no refusal is known (the usual case) a creation reads one
 * atomic integer, with no lock and no system call. While one is, every
 * anonymous creation pays one stat() of its directory and a short lock to
 * scan a handful of entries; expired entries are dropped at every look-up,
 * so that cost ends with the last refusal's lifetime.
 *
 * Fork: the lock is held across fork() (pthread_atfork), so a child never
 * inherits it taken or the list half-changed; the child keeps what its
 * parent learnt, which is as true for it. */
typedef struct
{
  dev_t  dev;
  gint64 since;  /* monotonic time of the latest refusal */
} TmpfileRefusal;

static GMutex refusals_lock;
static GArray *refusals;     /* TmpfileRefusal; under refusals_lock */
static gint n_refusals;      /* refusals->len, readable without the lock */
static gint64 clock_offset;  /* test hook; under refusals_lock */

static void
refusals_fork_prepare (void)
{
  g_mutex_lock (&refusals_lock);
}

static void
refusals_fork_done (void)
{
  g_mutex_unlock (&refusals_lock);
}

__attribute__((constructor)) static void
refusals_init (void)
{
  pthread_atfork (refusals_fork_prepare, refusals_fork_done, refusals_fork_done);
}

/* Under refusals_lock. */
static gint64
refusals_now (void)
{
  return g_get_monotonic_time () + clock_offset;
}

/* The index of @dev's entry, or -1. Under refusals_lock. */
static gint
find_refusal (dev_t dev)
{
  guint i;

  for (i = 0; refusals != NULL && i < refusals->len; i++)
    {
      if (g_array_index (refusals, TmpfileRefusal, i).dev == dev)
        return i;
    }

  return -1;
}

/* Under refusals_lock. */
static void
forget_old_refusals (void)
{
  gint64 now = refusals_now ();
  guint i = 0;

  while (refusals != NULL && i < refusals->len)
    {
      gint64 age = now - g_array_index (refusals, TmpfileRefusal, i).since;

      if (age >= G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC)
        g_array_remove_index_fast (refusals, i);
      else
        i++;
    }

  g_atomic_int_set (&n_refusals, refusals != NULL ? refusals->len : 0);
}

/* A directory's device, looked up at most once per creation. */
typedef struct
{
  const gchar *dir;
  dev_t        dev;
  gboolean     known;
} DirDevice;

static gboolean
dir_device_get (DirDevice *device)
{
  struct stat st;

  if (device->known)
    return TRUE;

  if (stat (device->dir, &st) < 0)
    return FALSE;

  device->dev = st.st_dev;
  device->known = TRUE;
  return TRUE;
}

static gboolean
tmpfile_refused_lately (DirDevice *device)
{
  g_autoptr(GMutexLocker) locker = NULL;

  if (g_atomic_int_get (&n_refusals) == 0)
    return FALSE;

  /* Cannot stat it: let open() report what is wrong. */
  if (!dir_device_get (device))
    return FALSE;

  locker = g_mutex_locker_new (&refusals_lock);
  forget_old_refusals ();
  return find_refusal (device->dev) >= 0;
}

static void
remember_tmpfile_refusal (DirDevice *device)
{
  g_autoptr(GMutexLocker) locker = NULL;
  TmpfileRefusal refusal;
  gint i;

  /* Gone meanwhile: the fallback will report it. */
  if (!dir_device_get (device))
    return;

  locker = g_mutex_locker_new (&refusals_lock);
  if (refusals == NULL)
    refusals = g_array_new (FALSE, FALSE, sizeof (TmpfileRefusal));

  refusal.dev = device->dev;
  refusal.since = refusals_now ();

  i = find_refusal (device->dev);
  if (i >= 0)
    g_array_index (refusals, TmpfileRefusal, i) = refusal;
  else
    g_array_append_val (refusals, refusal);

  g_atomic_int_set (&n_refusals, refusals->len);
}

/* The errors with which a kernel or file system says "no O_TMPFILE here". */
static gboolean
is_tmpfile_refusal (gint errsv)
{
  return errsv == EOPNOTSUPP || errsv == EISDIR || errsv == EINVAL;
}
#endif

void
_g_tmp_core_refuse_tmpfile (const gchar *dir)
{
#ifdef HAVE_O_TMPFILE
  DirDevice device = { dir, 0, FALSE };

  remember_tmpfile_refusal (&device);
#endif
}

void
_g_tmp_core_hold_refusals (gboolean hold)
{
#ifdef HAVE_O_TMPFILE
  if (hold)
    g_mutex_lock (&refusals_lock);
  else
    g_mutex_unlock (&refusals_lock);
#endif
}

void
_g_tmp_core_set_clock_offset (gint64 usec)
{
#ifdef HAVE_O_TMPFILE
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&refusals_lock);

  clock_offset = usec;
#endif
}

gint
_g_tmp_core_create_anonymous (const gchar  *dir,
                              const gchar  *prefix,
                              const gchar  *suffix,
                              guint         mode,
                              gboolean     *out_linkable,
                              gchar       **out_dir,
                              GError      **error)
{
  g_autofree gchar *owned_dir = NULL;
  g_autofree gchar *path = NULL;
  const gchar *resolved;
  gint fd;
#ifdef HAVE_O_TMPFILE
  DirDevice device = { NULL, 0, FALSE };
#endif

  if (mode == 0)
    mode = G_TMP_CORE_FILE_MODE;

  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return -1;

  resolved = resolve_dir_borrowed (dir, &owned_dir, error);
  if (resolved == NULL)
    return -1;

#ifdef HAVE_O_TMPFILE
  device.dir = resolved;
  if (tmpfile_refused_lately (&device))
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

      remember_tmpfile_refusal (&device);
      notify_tmpfile_hook (resolved, G_TMP_CORE_TMPFILE_REFUSED);
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
    *out_dir = owned_dir != NULL ? g_steal_pointer (&owned_dir) : g_strdup (resolved);
  return fd;
}

/* ------------------------------------------------------------------------ */
/* Copies and syncs                                                          */

static GTmpCoreCopyHook copy_hook;
static gpointer copy_hook_data;

void
_g_tmp_core_set_copy_hook (GTmpCoreCopyHook hook,
                           gpointer         user_data)
{
  copy_hook_data = user_data;
  g_atomic_pointer_set (&copy_hook, hook);
}

void
_g_tmp_core_copy_starting (const gchar *dest)
{
  GTmpCoreCopyHook hook = g_atomic_pointer_get (&copy_hook);

  if G_UNLIKELY (hook != NULL)
    hook (dest, copy_hook_data);
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
  sync_hook_data = user_data;
  g_atomic_pointer_set (&sync_hook, hook);
}

gint
_g_tmp_core_fsync (gint fd)
{
  GTmpCoreSyncHook hook;
  gint res;

  do
    res = fsync (fd);
  while (res < 0 && errno == EINTR);

  hook = g_atomic_pointer_get (&sync_hook);
  if G_UNLIKELY (res == 0 && hook != NULL && !hook (fd, sync_hook_data))
    {
      errno = EIO;
      res = -1;
    }

  return res;
}

/* ------------------------------------------------------------------------ */
/* Removal of a tree                                                         */

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

/* How the walk works, and why:
 *
 * Everything is relative to directory descriptors, and every directory is
 * opened with O_NOFOLLOW|O_DIRECTORY, so a symlink is never followed: it is
 * an entry like any other and unlinkat() removes the link itself. Modes are
 * only ever changed through a descriptor of a real directory (fchmod) or
 * with AT_SYMLINK_NOFOLLOW, never through a link.
 *
 * The walk is iterative, with one Level per directory on the way down. Only
 * the deepest MAX_OPEN_LEVELS streams (and the top one) stay open; a deeper
 * tree closes the shallowest ones and reopens them on the way back up from
 * the child ("..", checked to be the very directory we left), so any depth
 * works within a few descriptors. Names are never collected: memory is one
 * directory stream per open level, whatever the number of entries.
 *
 * Unlinking while reading a stream is fine on Linux file systems, but POSIX
 * leaves it open whether entries get skipped: a directory that is still not
 * empty at its end is read again, as long as the last pass removed
 * something.
 *
 * The walk never enters a mount point of any kind, bind mounts of the same
 * file system included: mounted in the tree, a directory of another tree
 * would be emptied. openat2() with RESOLVE_NO_XDEV refuses the crossing
 * (Linux 5.6), in the system call that opens the directory anyway; without
 * it, the stat that checks the opened directory's identity anyway is a
 * statx() that says whether it is the root of a mount (Linux 5.8), and
 * before that (or on other systems) only a change of device tells. A mount
 * point, like a file mounted over an entry (unlinkat() says EBUSY), is
 * reported as not removable (EBUSY) and nothing under it is touched; so is
 * a top directory that something is mounted over.
 *
 * On ext2/3/4, readdir() lists a directory in name-hash order, which is
 * random with respect to the order the files were created in, and so to
 * their inode numbers and to where the kernel keeps their inodes and
 * dentries in memory: unlinking 100,000 files in that order takes 10-15%
 * longer than in inode order (GNU rm sorts such directories, fully). There
 * the files of a directory are unlinked in batches, each sorted by inode
 * number. A batch holds up to UNLINK_BATCH_MAX files and
 * UNLINK_BATCH_NAMES_MAX bytes of names, at most 6 MiB whatever the size
 * of the directory: a directory of 100,000 files is one batch, sorted
 * whole (batches of 8,192 took 1.13x as long, 12 paired rounds on a fresh
 * ext4; benchmarks/README.md). A subdirectory is entered only with the
 * batch empty (it is unlinked first), so the batch always belongs to the
 * deepest level. */

#define DIR_OPEN_FLAGS  (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define MAX_OPEN_LEVELS 32

#define UNLINK_BATCH_MAX        131072
#define UNLINK_BATCH_NAMES_MAX  (4 * 1024 * 1024)
#define EXT2_3_4_SUPER_MAGIC    0xEF53

typedef struct
{
  ino_t ino;
  guint name;             /* offset in RemoveWalk.batch_names */
} BatchEntry;

typedef struct
{
  DIR        *dir;        /* NULL while closed to spare descriptors */
  dev_t       dev;
  ino_t       ino;
  gsize       path_len;   /* walk->path up to and including this directory */
  guint       removed;    /* entries removed since the stream (re)started */
  GHashTable *failed;     /* names that could not be removed (ignore_errors) */
  guint       chmodded : 1;
  guint       broken : 1; /* reading failed: do not read it again */
  guint       reread : 1; /* an entry listed as a file is a directory now */
} Level;

typedef struct
{
  GString      *path;     /* of the deepest level, for error messages */
  GArray       *levels;   /* Level; [0] is the top, always open */
  guint         first_open; /* levels [1, first_open) are closed */
  gboolean      ignore_errors;
  GCancellable *cancellable;
  gboolean      cancelled;
  gboolean      stop;
  GError       *error;    /* the first error */

  /* Files of the deepest level waiting to be unlinked in inode order, or
   * both NULL where that does not pay (see above). */
  GArray       *batch;    /* BatchEntry */
  GString      *batch_names;
} RemoveWalk;

static inline Level *
walk_level (RemoveWalk *walk,
            guint       i)
{
  return &g_array_index (walk->levels, Level, i);
}

static inline Level *
walk_top (RemoveWalk *walk)
{
  return walk_level (walk, walk->levels->len - 1);
}

/* The name of @level (not the top) in its parent, nul-terminated in place
 * since the path holds nothing deeper when we need it. */
static const gchar *
level_name (RemoveWalk *walk,
            guint       i)
{
  return walk->path->str + walk_level (walk, i - 1)->path_len + 1;
}

/* Records the first error, naming @name in the directory whose path is the
 * first @path_len bytes of walk->path (@name NULL: that directory). */
static void
walk_fail_at (RemoveWalk  *walk,
              gint         errsv,
              gsize        path_len,
              const gchar *name)
{
  g_autofree gchar *full = NULL;

  if (walk->error != NULL)
    return;

  full = g_strndup (walk->path->str, path_len);
  if (name != NULL)
    {
      gchar *joined = g_build_filename (full, name, NULL);

      g_free (full);
      full = joined;
    }

  _g_tmp_core_set_error (&walk->error, errsv, _("Could not remove “%s”"), full);
}

/* @name in @level could not be removed: stop, or remember not to try it
 * again when the directory is read once more. */
static void
entry_failed (RemoveWalk  *walk,
              Level       *level,
              gint         errsv,
              const gchar *name)
{
  walk_fail_at (walk, errsv, level->path_len, name);

  if (!walk->ignore_errors)
    {
      walk->stop = TRUE;
      return;
    }

  if (level->failed == NULL)
    level->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (level->failed, g_strdup (name));
}

/* On EACCES/EPERM: make @level's directory writable and searchable for us,
 * once. It is a real directory we hold, so fchmod() cannot reach outside. */
static gboolean
make_removable (Level *level)
{
  if (level->chmodded)
    return FALSE;

  level->chmodded = TRUE;
  return fchmod (dirfd (level->dir), 0700) == 0;
}

static gboolean
same_identity (gint          fd,
               const Level  *level)
{
  struct stat st;

  return fstat (fd, &st) == 0 && st.st_dev == level->dev && st.st_ino == level->ino;
}

/* fstat() of the directory @fd, and whether it is the root of a mount:
 * statx() (Linux 5.8) tells with STATX_ATTR_MOUNT_ROOT at the cost of the
 * fstat() it replaces; *@mount_root is -1 where nothing tells. Fills
 * st_dev, st_ino and st_mode only. */
static gint
stat_dir (gint         fd,
          struct stat *st,
          gint        *mount_root)
{
#if defined(__linux__) && defined(STATX_ATTR_MOUNT_ROOT)
  struct statx stx;

  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &stx) < 0)
    return -1;

  memset (st, 0, sizeof *st);
  st->st_dev = makedev (stx.stx_dev_major, stx.stx_dev_minor);
  st->st_ino = stx.stx_ino;
  st->st_mode = stx.stx_mode;
  *mount_root = -1;
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0)
    *mount_root = (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
#else
  if (fstat (fd, st) < 0)
    return -1;
  *mount_root = -1;
#endif

  return 0;
}

#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
/* Cleared for good when the kernel (before 5.6) or a seccomp filter does
 * not know openat2(). */
static gint openat2_usable = TRUE;
#endif

/* Opens the directory @name (one component) in @dirfd, whose device is
 * @parent_dev, and fills @st: never through a symbolic link, and never into
 * a mount point of any kind, bind mounts of the same file system included
 * (then -1 with EXDEV, and nothing under it was looked at). openat2()'s
 * RESOLVE_NO_XDEV has the kernel refuse the crossing, so the check costs
 * no system call of its own; without it the identity check's stat does. */
static gint
open_dir_at (gint         dirfd,
             const gchar *name,
             dev_t        parent_dev,
             struct stat *st)
{
  gint mount_root = 0;
  gint fd;

#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
  if (g_atomic_int_get (&openat2_usable))
    {
      struct open_how how = { 0, };

      how.flags = DIR_OPEN_FLAGS;
      how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
      fd = syscall (SYS_openat2, dirfd, name, &how, sizeof how);
      if (fd >= 0)
        {
          if (fstat (fd, st) == 0)
            return fd;
          _g_tmp_core_clear_fd (&fd);
          return -1;
        }

      /* EPERM may also be a seccomp filter of an older container runtime
       * refusing a system call it does not know: openat() says which. */
      if (errno != ENOSYS && errno != EPERM)
        return -1;
      fd = openat (dirfd, name, DIR_OPEN_FLAGS);
      if (fd < 0)
        return -1;
      g_atomic_int_set (&openat2_usable, FALSE);
    }
  else
#endif
    {
      fd = openat (dirfd, name, DIR_OPEN_FLAGS);
      if (fd < 0)
        return -1;
    }

  /* Where the kernel cannot tell a mount root, a change of device can. */
  if (stat_dir (fd, st, &mount_root) < 0 ||
      mount_root > 0 || (mount_root < 0 && st->st_dev != parent_dev))
    {
      if (mount_root != 0)
        errno = EXDEV;
      _g_tmp_core_clear_fd (&fd);
      return -1;
    }

  return fd;
}

/* Closes the shallowest open stream (never the top's nor the current one). */
static gboolean
close_shallowest (RemoveWalk *walk)
{
  Level *level;

  if (walk->first_open + 1 >= walk->levels->len)
    return FALSE;

  level = walk_level (walk, walk->first_open++);
  closedir (level->dir);
  level->dir = NULL;
  return TRUE;
}

/* Adds a level for the directory @fd (taken), named @name in the current one. */
static gboolean
push_level (RemoveWalk        *walk,
            gint               fd,
            const struct stat *st,
            const gchar       *name)
{
  Level level = { NULL, st->st_dev, st->st_ino, 0, 0, NULL, FALSE, FALSE };

  level.dir = fdopendir (fd);
  if (level.dir == NULL)
    {
      entry_failed (walk, walk_top (walk), errno, name);
      close (fd);
      return FALSE;
    }

  g_string_append_c (walk->path, G_DIR_SEPARATOR);
  g_string_append (walk->path, name);
  level.path_len = walk->path->len;
  g_array_append_val (walk->levels, level);

  if (walk->levels->len - walk->first_open >= MAX_OPEN_LEVELS)
    close_shallowest (walk);

  return TRUE;
}

static void
pop_level (RemoveWalk *walk)
{
  Level *level = walk_top (walk);

  if (level->dir != NULL)
    closedir (level->dir);
  g_clear_pointer (&level->failed, g_hash_table_unref);
  g_array_set_size (walk->levels, walk->levels->len - 1);

  if (walk->levels->len > 0)
    g_string_truncate (walk->path, walk_top (walk)->path_len);
}

static void unlink_entry (RemoveWalk  *walk,
                          const gchar *name,
                          gboolean     may_descend);

/* Opens the subdirectory @name of the current level with open_dir_at()
 * (EXDEV: a mount point); on EACCES/EPERM makes the current directory
 * searchable and @name readable (never through a link), on EMFILE gives
 * back a shallow stream, and tries again. */
static gint
open_subdir (RemoveWalk  *walk,
             const gchar *name,
             struct stat *st)
{
  Level *level = walk_top (walk);
  gint parentfd = dirfd (level->dir);
  gboolean chmod_tried = FALSE;
  gint fd;

  for (;;)
    {
      fd = open_dir_at (parentfd, name, level->dev, st);
      if (fd >= 0)
        return fd;

      if ((errno == EMFILE || errno == ENFILE) && close_shallowest (walk))
        continue;

      if ((errno == EACCES || errno == EPERM) && !chmod_tried)
        {
          chmod_tried = TRUE;
          make_removable (level);
          if (fchmodat (parentfd, name, 0700, AT_SYMLINK_NOFOLLOW) == 0 || errno == EACCES)
            continue;
          errno = EACCES;
        }

      return -1;
    }
}

/* Enters the subdirectory @name of the current level. */
static void
descend (RemoveWalk  *walk,
         const gchar *name)
{
  Level *level = walk_top (walk);
  gint parentfd = dirfd (level->dir);
  struct stat before, st;
  gint fd;

  if (fstatat (parentfd, name, &before, AT_SYMLINK_NOFOLLOW) < 0 &&
      !((errno == EACCES || errno == EPERM) && make_removable (level) &&
        fstatat (parentfd, name, &before, AT_SYMLINK_NOFOLLOW) == 0))
    {
      if (errno != ENOENT)
        entry_failed (walk, level, errno, name);
      return;
    }

  /* Replaced by a file or a link since it was listed: remove that. */
  if (!S_ISDIR (before.st_mode))
    {
      unlink_entry (walk, name, FALSE);
      return;
    }

  fd = open_subdir (walk, name, &st);
  level = walk_top (walk);
  if (fd < 0)
    {
      if (errno == ELOOP || errno == ENOTDIR)
        unlink_entry (walk, name, FALSE);
      else if (errno == EXDEV)
        entry_failed (walk, level, EBUSY, name);  /* a mount point */
      else if (errno != ENOENT)
        entry_failed (walk, level, errno, name);
      return;
    }

  /* Is it still the directory we looked at, or was that one renamed away
   * and something else put in its place? Then leave it alone. */
  if (st.st_dev != before.st_dev || st.st_ino != before.st_ino)
    {
      close (fd);
      entry_failed (walk, level, EBUSY, name);
      return;
    }

  push_level (walk, fd, &st, name);
}

/* Removes the non-directory @name in the current level (a link is removed
 * as a link). If it turns out to be a directory, enters it when
 * @may_descend, else leaves it for the next pass over the current level. */
static void
unlink_entry (RemoveWalk  *walk,
              const gchar *name,
              gboolean     may_descend)
{
  Level *level = walk_top (walk);
  gint fd = dirfd (level->dir);
  struct stat st;
  gint errsv;

  for (;;)
    {
      if (unlinkat (fd, name, 0) == 0)
        {
          level->removed++;
          return;
        }

      errsv = errno;
      if (errsv == ENOENT)
        return;

      /* EISDIR (Linux) or EPERM (POSIX): it is a directory after all. */
      if ((errsv == EISDIR || errsv == EPERM) &&
          fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
        {
          if (may_descend)
            descend (walk, name);
          else
            level->reread = TRUE;
          return;
        }

      if ((errsv == EACCES || errsv == EPERM) && make_removable (level))
        continue;

      entry_failed (walk, level, errsv, name);
      return;
    }
}

static GTmpCoreBatchHook batch_hook;
static gpointer batch_hook_data;
static guint batch_max_files = UNLINK_BATCH_MAX;
static gsize batch_max_name_bytes = UNLINK_BATCH_NAMES_MAX;

void
_g_tmp_core_set_batch_hook (GTmpCoreBatchHook hook,
                            gpointer          user_data)
{
  batch_hook_data = user_data;
  g_atomic_pointer_set (&batch_hook, hook);
}

void
_g_tmp_core_set_batch_limits (guint max_files,
                              gsize max_name_bytes)
{
  batch_max_files = max_files != 0 ? max_files : UNLINK_BATCH_MAX;
  batch_max_name_bytes = max_name_bytes != 0 ? max_name_bytes : UNLINK_BATCH_NAMES_MAX;
}

static gint
batch_entry_by_inode (gconstpointer a,
                      gconstpointer b)
{
  ino_t ia = ((const BatchEntry *) a)->ino;
  ino_t ib = ((const BatchEntry *) b)->ino;

  return (ia > ib) - (ia < ib);
}

/* Unlinks the batched files of the current level in inode order. An entry
 * that became a directory meanwhile is left for the next pass, so that the
 * level cannot change under the batch. */
static void
flush_batch (RemoveWalk *walk)
{
  GArray *batch = walk->batch;
  GTmpCoreBatchHook hook;

  if (batch == NULL || batch->len == 0)
    return;

  g_array_sort (batch, batch_entry_by_inode);

  hook = g_atomic_pointer_get (&batch_hook);
  if G_UNLIKELY (hook != NULL)
    hook (dirfd (walk_top (walk)->dir), batch_hook_data);

  for (guint i = 0; i < batch->len && !walk->stop; i++)
    {
      if (g_cancellable_is_cancelled (walk->cancellable))
        {
          walk->cancelled = TRUE;
          walk->stop = TRUE;
          break;
        }

      unlink_entry (walk, walk->batch_names->str + g_array_index (batch, BatchEntry, i).name,
                    FALSE);
    }

  g_array_set_size (batch, 0);
  g_string_truncate (walk->batch_names, 0);
}

/* Queues the file @entry for flush_batch(), flushing first when full. */
static void
batch_entry (RemoveWalk    *walk,
             struct dirent *entry)
{
  gsize len = strlen (entry->d_name) + 1;
  BatchEntry e;

  /* GString keeps room for a nul: below the maximum, it stays below. */
  if (walk->batch->len >= batch_max_files ||
      walk->batch_names->len + len >= batch_max_name_bytes)
    flush_batch (walk);

  e.ino = entry->d_ino;
  e.name = walk->batch_names->len;
  g_string_append_len (walk->batch_names, entry->d_name, len);
  g_array_append_val (walk->batch, e);
}

static void
remove_entry (RemoveWalk    *walk,
              struct dirent *entry)
{
  const gchar *name = entry->d_name;

#ifdef _DIRENT_HAVE_D_TYPE
  if (walk->batch != NULL && entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN)
    {
      batch_entry (walk, entry);
      return;
    }

  /* Anything below may enter a directory: the batch goes first. */
  flush_batch (walk);
  if (walk->stop)
    return;

  if (entry->d_type == DT_DIR)
    {
      descend (walk, name);
      return;
    }
#endif

  /* Anything else, DT_UNKNOWN included: unlink, which says EISDIR/EPERM for
   * a directory, and that is checked there. */
  unlink_entry (walk, name, TRUE);
}

/* Opens level @i again, from its child's descriptor @childfd: "..", if it
 * is still the directory we left; otherwise by name from the top, checking
 * every step. A failure means the tree was rearranged under us. */
static gboolean
reopen_level (RemoveWalk *walk,
              guint       i,
              gint        childfd)
{
  Level *level = walk_level (walk, i);
  gint fd;

  fd = openat (childfd, "..", DIR_OPEN_FLAGS);
  if (fd >= 0 && !same_identity (fd, level))
    _g_tmp_core_clear_fd (&fd);

  if (fd < 0)
    {
      gint cur = dirfd (walk_level (walk, 0)->dir);
      guint j;

      for (j = 1; j <= i; j++)
        {
          const Level *step = walk_level (walk, j);
          const Level *above = walk_level (walk, j - 1);
          g_autofree gchar *name = g_strndup (walk->path->str + above->path_len + 1,
                                              step->path_len - above->path_len - 1);
          struct stat st;
          gint next = open_dir_at (cur, name, above->dev, &st);
          gint errsv = errno;

          if (j > 1)
            close (cur);
          cur = next;
          if (cur < 0 || st.st_dev != step->dev || st.st_ino != step->ino)
            {
              if (cur >= 0)
                close (cur);
              walk_fail_at (walk, cur < 0 && errsv != EXDEV ? errsv : EBUSY,
                            step->path_len, NULL);
              walk->stop = TRUE;
              return FALSE;
            }
        }
      fd = cur;
    }

  level->dir = fdopendir (fd);
  if (level->dir == NULL)
    {
      walk_fail_at (walk, errno, level->path_len, NULL);
      close (fd);
      walk->stop = TRUE;
      return FALSE;
    }

  level->removed = 0;
  walk->first_open = i;
  return TRUE;
}

/* The current level has been read to its end: remove the directory itself,
 * or read it again if entries were skipped. */
static void
finish_level (RemoveWalk  *walk,
              const gchar *top_path)
{
  guint i = walk->levels->len - 1;
  Level *level = walk_top (walk);
  Level *parent = NULL;
  const gchar *name = NULL;
  gint errsv;

  if (i > 0)
    {
      parent = walk_level (walk, i - 1);
      if (parent->dir == NULL && !reopen_level (walk, i - 1, dirfd (level->dir)))
        return;
      name = level_name (walk, i);
    }

  for (;;)
    {
      if ((parent != NULL
           ? unlinkat (dirfd (parent->dir), name, AT_REMOVEDIR)
           : rmdir (top_path)) == 0)
        {
          if (parent != NULL)
            parent->removed++;
          break;
        }

      errsv = errno;
      if (errsv == ENOENT)
        break;

      if ((errsv == ENOTEMPTY || errsv == EEXIST) &&
          (level->removed > 0 || level->reread) && !level->broken)
        {
          rewinddir (level->dir);
          level->removed = 0;
          level->reread = FALSE;
          return;
        }

      if ((errsv == EACCES || errsv == EPERM) && parent != NULL && make_removable (parent))
        continue;

      if (parent != NULL)
        entry_failed (walk, parent, errsv, name);
      else
        walk_fail_at (walk, errsv, level->path_len, NULL);
      break;
    }

  pop_level (walk);
}

static void
walk_tree (RemoveWalk  *walk,
           const gchar *top_path)
{
  while (walk->levels->len > 0 && !walk->stop)
    {
      Level *level = walk_top (walk);
      struct dirent *entry;

      errno = 0;
      entry = readdir (level->dir);
      if (entry == NULL)
        {
          if (errno != 0)
            {
              level->broken = TRUE;
              walk_fail_at (walk, errno, level->path_len, NULL);
              if (!walk->ignore_errors)
                break;
            }
          flush_batch (walk);
          if (walk->stop)
            break;
          finish_level (walk, top_path);
          continue;
        }

      if (entry->d_name[0] == '.' &&
          (entry->d_name[1] == '\0' ||
           (entry->d_name[1] == '.' && entry->d_name[2] == '\0')))
        continue;

      if (g_cancellable_is_cancelled (walk->cancellable))
        {
          walk->cancelled = TRUE;
          break;
        }

      if (level->failed != NULL && g_hash_table_contains (level->failed, entry->d_name))
        continue;

      remove_entry (walk, entry);
    }

  while (walk->levels->len > 0)
    pop_level (walk);
}

/* Whether the file system of @fd lists directories in an order that makes
 * unlinking in inode order pay: ext2/3/4 (measured in benchmarks/). */
static gboolean
unlinks_pay_in_inode_order (gint fd)
{
#ifdef __linux__
  struct statfs sfs;

  return fstatfs (fd, &sfs) == 0 && sfs.f_type == EXT2_3_4_SUPER_MAGIC;
#else
  return FALSE;
#endif
}

/* A descriptor of our own (own offset) for the top of the tree: from the
 * held @dirfd if it is still the directory at @path, else @path itself, if
 * it is the directory @expected (when known). A top directory we may not
 * read is made readable first (never through a link). The top must not be
 * a mount point either: something mounted over @path is not ours. -1 with
 * errno set on failure (EBUSY: not our directory). */
static gint
open_top (const gchar          *path,
          gint                  dirfd,
          const GTmpCoreFileId *expected,
          struct stat          *st)
{
  struct stat at_path;
  gint mount_root;
  gint fd;

  if (dirfd >= 0)
    {
      /* Our directory was renamed away and something else is at @path:
       * following it to its new place is not our business. */
      if (stat_dir (dirfd, st, &mount_root) < 0 ||
          fstatat (AT_FDCWD, path, &at_path, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
      if (mount_root > 0 || st->st_dev != at_path.st_dev || st->st_ino != at_path.st_ino)
        {
          errno = EBUSY;
          return -1;
        }

      fd = openat (dirfd, ".", DIR_OPEN_FLAGS);
      if (fd < 0 && (errno == EACCES || errno == EPERM) && fchmod (dirfd, 0700) == 0)
        fd = openat (dirfd, ".", DIR_OPEN_FLAGS);
      return fd;
    }

  fd = _g_tmp_core_open_dir (path);
  if (fd < 0 && (errno == EACCES || errno == EPERM) &&
      fchmodat (AT_FDCWD, path, 0700, AT_SYMLINK_NOFOLLOW) == 0)
    fd = _g_tmp_core_open_dir (path);
  if (fd < 0 || stat_dir (fd, st, &mount_root) < 0)
    {
      _g_tmp_core_clear_fd (&fd);
      return -1;
    }

  if (mount_root > 0 ||
      (expected != NULL && (st->st_dev != expected->dev || st->st_ino != expected->ino)))
    {
      _g_tmp_core_clear_fd (&fd);
      errno = EBUSY;
      return -1;
    }

  return fd;
}

gboolean
_g_tmp_core_remove_tree (const gchar   *path,
                         gint           dirfd,
                         gboolean       ignore_errors,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return _g_tmp_core_remove_tree_full (path, dirfd, NULL, ignore_errors,
                                       cancellable, error);
}

gboolean
_g_tmp_core_remove_tree_full (const gchar           *path,
                              gint                   dirfd,
                              const GTmpCoreFileId  *expected,
                              gboolean               ignore_errors,
                              GCancellable          *cancellable,
                              GError               **error)
{
  RemoveWalk walk = { NULL, NULL, 1, ignore_errors, cancellable, FALSE, FALSE, NULL };
  Level top = { NULL, 0, 0, 0, 0, NULL, FALSE, FALSE };
  struct stat st;
  gint errsv;
  gint fd = -1;

  g_return_val_if_fail (path != NULL, FALSE);

  /* An empty directory costs one rmdir and nothing more. */
  if (rmdir (path) == 0 || errno == ENOENT)
    return TRUE;

  /* EACCES/EPERM: the parent is not ours to write, but what is inside may
   * be; remove that and report the top at the end. */
  errsv = errno;
  if (errsv == ENOTEMPTY || errsv == EEXIST || errsv == EACCES || errsv == EPERM)
    {
      fd = open_top (path, dirfd, expected, &st);
      errsv = errno;
      if (fd < 0 && errsv == ENOENT)
        return TRUE;
      if (fd >= 0)
        {
          top.dir = fdopendir (fd);
          errsv = errno;
          if (top.dir == NULL)
            close (fd);
        }
    }

  if (top.dir == NULL)
    {
      if (ignore_errors)
        return TRUE;
      _g_tmp_core_set_error (error, errsv, _("Could not remove “%s”"), path);
      return FALSE;
    }

  top.dev = st.st_dev;
  top.ino = st.st_ino;
  walk.path = g_string_new (path);
  top.path_len = walk.path->len;
  walk.levels = g_array_sized_new (FALSE, FALSE, sizeof (Level), MAX_OPEN_LEVELS);
  g_array_append_val (walk.levels, top);

  /* The walk stays on this file system (mount points are not entered). */
  if (g_atomic_pointer_get (&batch_hook) != NULL || unlinks_pay_in_inode_order (fd))
    {
      walk.batch = g_array_new (FALSE, FALSE, sizeof (BatchEntry));
      walk.batch_names = g_string_new (NULL);
    }

  walk_tree (&walk, path);

  g_array_unref (walk.levels);
  g_string_free (walk.path, TRUE);
  g_clear_pointer (&walk.batch, g_array_unref);
  if (walk.batch_names != NULL)
    g_string_free (walk.batch_names, TRUE);

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
