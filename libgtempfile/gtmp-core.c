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

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gtmp-core.h"
#include "gtmp-refusals.h"
#include "gtmp-tempdir.h"
#include "gtmp-testing.h"

/* Bumped in a forked child, so that no thread's random pool
 * (gtmp-names.c) and no cached pid from the parent is ever reused there. */
gint _g_tmp_core_fork_generation;
gint _g_tmp_core_cached_pid;

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
  g_atomic_int_inc (&_g_tmp_core_fork_generation);
  g_atomic_int_set (&_g_tmp_core_cached_pid, 0);
}

__attribute__((constructor)) static void
gtmp_core_init (void)
{
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

/* @random_length if it is a length the random part of a name may have,
 * else 0 with @error set; @dir names the directory. Out of line: only a
 * length that is not the default comes here. */
static G_GNUC_NO_INLINE guint
check_given_random_length (guint         random_length,
                           const gchar  *dir,
                           GError      **error)
{
  g_autofree gchar *display = NULL;

  if (random_length >= G_TMP_CORE_MIN_RANDOM_CHARS &&
      random_length <= G_TMP_CORE_MAX_RANDOM_CHARS)
    return random_length;

  display = g_filename_display_name (dir);
  /* Translators: the first %u is a number of characters, “%s” a directory. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Invalid length %u of the random part of a name in “%s”: it must be from %u to %u characters"),
               random_length, display,
               (guint) G_TMP_CORE_MIN_RANDOM_CHARS, (guint) G_TMP_CORE_MAX_RANDOM_CHARS);
  return 0;
}

/* A candidate path "dir/prefix XXXXXXXX suffix"; the Xs (random_length of
 * them) are redrawn in place for every try. */
typedef struct
{
  gchar *path;
  gchar *random_part;
  gsize  random_length;
} Candidate;

static void
candidate_init (Candidate   *candidate,
                const gchar *dir,
                const gchar *prefix,
                gsize        random_length,
                const gchar *suffix)
{
  gsize dir_len = strlen (dir);
  gsize prefix_len = strlen (prefix);
  gsize suffix_len = strlen (suffix);
  /* An empty @dir: a name relative to a directory descriptor. */
  gboolean need_slash = dir_len > 0 && dir[dir_len - 1] != G_DIR_SEPARATOR;
  gchar *p;

  candidate->path = g_malloc (dir_len + need_slash + prefix_len +
                              random_length + suffix_len + 1);
  p = candidate->path;
  memcpy (p, dir, dir_len);
  p += dir_len;
  if (need_slash)
    *p++ = G_DIR_SEPARATOR;
  memcpy (p, prefix, prefix_len);
  p += prefix_len;
  candidate->random_part = p;
  candidate->random_length = random_length;
  p += random_length;
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
  candidate_init (&candidate, dir, "tmp", G_TMP_CORE_RANDOM_CHARS, "");

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

/* Where a creation happens: candidates are "@base<name>" relative to @dfd.
 * By path, @dfd is AT_FDCWD and @base the resolved directory; relative to
 * a template's descriptor, @dfd is that descriptor or @dir opened below it
 * (@owned_fd) and @base "". */
typedef struct
{
  const GTmpTemplate *tmpl;
  gint                dfd;
  gint                owned_fd;
  const gchar        *base;
  gchar              *owned_base;
  gchar              *display;   /* made when a message needs it */
  guint               random_length;
} CreateDir;

static void
create_dir_clear (CreateDir *where)
{
  _g_tmp_core_clear_fd (&where->owned_fd);
  g_clear_pointer (&where->owned_base, g_free);
  g_clear_pointer (&where->display, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CreateDir, create_dir_clear)

/* The directory as messages name it: absolute where it can be known. */
static const gchar *
create_dir_display (CreateDir *where)
{
  const GTmpTemplate *tmpl = where->tmpl;

  if (where->dfd == AT_FDCWD)
    return where->base;

  if (where->display == NULL)
    {
      where->display = _g_tmp_core_fd_path (tmpl->dfd, tmpl->dir);
      if (where->display == NULL)
        where->display = g_strdup (tmpl->dir != NULL ? tmpl->dir : ".");
    }

  return where->display;
}

/* Finds where @tmpl creates: its directory resolved (by path), or opened
 * below its descriptor without following a symbolic link as the last
 * component (the same rule as the created name's O_NOFOLLOW). */
static gboolean
open_create_dir (CreateDir           *where,
                 const GTmpTemplate  *tmpl,
                 GError             **error)
{
  where->tmpl = tmpl;
  where->owned_fd = -1;

  if (!_g_tmp_core_check_affixes (tmpl->prefix, tmpl->suffix, error))
    return FALSE;

  if (tmpl->dfd == G_TMP_TEMPLATE_DFD_INVALID)
    {
      _g_tmp_core_set_error (error, EBADF, _("Could not create a temporary file in “%s”"),
                             tmpl->dir != NULL ? tmpl->dir : ".");
      return FALSE;
    }

  if (!G_TMP_TEMPLATE_HAS_DFD (tmpl))
    {
      where->dfd = AT_FDCWD;
      where->base = resolve_dir_borrowed (tmpl->dir, &where->owned_base, error);
      return where->base != NULL;
    }

  where->base = "";
  where->dfd = tmpl->dfd;
  if (tmpl->dir == NULL)
    return TRUE;

  where->owned_fd = openat (tmpl->dfd, tmpl->dir,
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (where->owned_fd < 0)
    {
      gint errsv = errno;

      /* A symbolic link: "not a directory we may use", not "too many links". */
      _g_tmp_core_set_error (error, errsv == ELOOP ? ENOTDIR : errsv,
                             _("Could not create a temporary file in “%s”"),
                             create_dir_display (where));
      return FALSE;
    }

  where->dfd = where->owned_fd;
  return TRUE;
}

/* Finds where @tmpl creates and checks the length of its names' random
 * part there: checked even when O_TMPFILE draws no name, so the same
 * template fails the same way on every file system. */
static gboolean
create_dir_init (CreateDir           *where,
                 const GTmpTemplate  *tmpl,
                 GError             **error)
{
  if (!open_create_dir (where, tmpl, error))
    return FALSE;

  if G_LIKELY (tmpl->random_length == 0)
    where->random_length = G_TMP_CORE_RANDOM_CHARS;
  else
    where->random_length = check_given_random_length (tmpl->random_length,
                                                      create_dir_display (where),
                                                      error);

  return where->random_length != 0;
}

gint
_g_tmp_core_open_template_dir (const GTmpTemplate  *tmpl,
                               GError             **error)
{
  g_auto(CreateDir) where = { 0, };

  g_return_val_if_fail (G_TMP_TEMPLATE_HAS_DFD (tmpl) && tmpl->dir != NULL, -1);

  if (!create_dir_init (&where, tmpl, error))
    return -1;

  return _g_tmp_core_steal_fd (&where.owned_fd);
}

/* A path handed out for the candidate @name created in @where: by path
 * absolute, relative to the template's descriptor otherwise. */
static gchar *
create_dir_out_path (CreateDir *where,
                     gchar     *name)
{
  gchar *path;

  if (where->owned_fd < 0)
    return name;

  path = g_build_filename (where->tmpl->dir, name, NULL);
  g_free (name);
  return path;
}

static gint
try_create_file (gint         dfd,
                 const gchar *path,
                 guint        mode)
{
  return openat (dfd, path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
}

static gint
try_create_dir (gint         dfd,
                const gchar *path,
                guint        mode)
{
  return mkdirat (dfd, path, mode);
}

/* Draws names until creating one in @where succeeds or fails with anything
 * but EEXIST. Returns its result; on success *@out_path owns the candidate
 * (relative to @where->dfd). */
static gint
create_unique (CreateDir      *where,
               guint           mode,
               gboolean        is_dir,
               gchar         **out_path,
               GError        **error)
{
  const GTmpTemplate *tmpl = where->tmpl;
  g_autofree gchar *display = NULL;
  g_auto(Candidate) candidate = { 0, };
  gint tries;

  candidate_init (&candidate, where->base,
                  tmpl->prefix != NULL ? tmpl->prefix : G_TMP_CORE_DEFAULT_PREFIX,
                  where->random_length,
                  tmpl->suffix != NULL ? tmpl->suffix : "");

  for (tries = 0; tries < G_TMP_CORE_MAX_TRIES; tries++)
    {
      gint ret;

      if (!_g_tmp_core_draw_name_chars (candidate.random_part, candidate.random_length))
        {
          _g_tmp_core_set_random_error (error, errno, create_dir_display (where));
          return -1;
        }

      ret = is_dir ? try_create_dir (where->dfd, candidate.path, mode)
                   : try_create_file (where->dfd, candidate.path, mode);
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
                                 create_dir_display (where));
          return -1;
        }
    }

  display = g_filename_display_name (create_dir_display (where));
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
  g_auto(CreateDir) where = { 0, };
  gchar *path = NULL;
  gint fd;

  if (!create_dir_init (&where, tmpl, error))
    return -1;

  fd = create_unique (&where, tmpl->mode != 0 ? tmpl->mode : G_TMP_CORE_FILE_MODE,
                      FALSE, &path, error);
  if (fd < 0)
    return -1;

  path = create_dir_out_path (&where, path);
  if (out_path != NULL)
    *out_path = path;
  else
    g_free (path);

  return fd;
}

gchar *
_g_tmp_core_create_dir (const GTmpTemplate  *tmpl,
                        GError             **error)
{
  g_auto(CreateDir) where = { 0, };
  gchar *path = NULL;

  if (!create_dir_init (&where, tmpl, error) ||
      create_unique (&where, tmpl->mode != 0 ? tmpl->mode : G_TMP_CORE_DIR_MODE,
                     TRUE, &path, error) < 0)
    return NULL;

  return create_dir_out_path (&where, path);
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

/* O_TMPFILE in @where, unless its file system refused it lately: the
 * descriptor, or -1 with errno set (EOPNOTSUPP: try a name instead). */
static gint
try_create_tmpfile (CreateDir *where,
                    guint      mode)
{
  gboolean refused_now;
  gint fd = _g_tmp_core_open_tmpfile (where->dfd, where->base, mode, &refused_now);

  if (fd < 0 && errno == EOPNOTSUPP)
    {
      notify_tmpfile_hook (create_dir_display (where),
                           refused_now ? G_TMP_CORE_TMPFILE_REFUSED : G_TMP_CORE_TMPFILE_SKIPPED);
      errno = EOPNOTSUPP;
    }

  return fd;
}
#endif

gint
_g_tmp_core_create_anonymous (const GTmpTemplate  *tmpl,
                              gboolean            *out_linkable,
                              gchar              **out_dir,
                              GError             **error)
{
  g_auto(CreateDir) where = { 0, };
  g_autofree gchar *path = NULL;
  guint mode = tmpl->mode != 0 ? tmpl->mode : G_TMP_CORE_FILE_MODE;
  gboolean linkable = FALSE;
  gint fd = -1;

  if (!create_dir_init (&where, tmpl, error))
    return -1;

#ifdef HAVE_O_TMPFILE
  fd = try_create_tmpfile (&where, mode);
  if (fd < 0 && errno != EOPNOTSUPP)
    {
      _g_tmp_core_set_error (error, errno, _("Could not create a temporary file in “%s”"),
                             create_dir_display (&where));
      return -1;
    }
  linkable = fd >= 0;
#endif

  /* Fallback: the name exists only between these two calls. */
  if (fd < 0)
    {
      fd = create_unique (&where, mode, FALSE, &path, error);
      if (fd < 0)
        return -1;

      /* By path when it is one: tests/test-crash.c interposes unlink(). */
      if ((where.dfd == AT_FDCWD ? unlink (path) : unlinkat (where.dfd, path, 0)) < 0)
        {
          gint errsv = errno;
          g_autofree gchar *shown = g_build_filename (create_dir_display (&where),
                                                      path + strlen (where.base), NULL);

          _g_tmp_core_clear_fd (&fd);
          _g_tmp_core_set_error (error, errsv, _("Could not remove “%s”"),
                                 where.dfd == AT_FDCWD ? path : shown);
          return -1;
        }
    }

  if (out_linkable != NULL)
    *out_linkable = linkable;
  if (out_dir != NULL)
    *out_dir = g_strdup (create_dir_display (&where));
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

static GTmpCoreHook link_hook;

void
_g_tmp_core_set_link_hook (GTmpCoreLinkHook hook,
                           gpointer         user_data)
{
  _g_tmp_core_hook_set (&link_hook, G_CALLBACK (hook), user_data);
}

void
_g_tmp_core_linked_beside (gint         dfd,
                           const gchar *name)
{
  GTmpCoreLinkHook hook = (GTmpCoreLinkHook) g_atomic_pointer_get (&link_hook.func);

  if G_UNLIKELY (hook != NULL)
    hook (dfd, name, link_hook.data);
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

/* A successful flush of @fd (@res 0) as the sync hook sees it: the hook
 * may make it fail with EIO (gtmp-testing.h). */
static gint
sync_hook_result (gint fd,
                  gint res)
{
  GTmpCoreSyncHook hook = (GTmpCoreSyncHook) g_atomic_pointer_get (&sync_hook.func);

  if G_UNLIKELY (res == 0 && hook != NULL && !hook (fd, sync_hook.data))
    {
      errno = EIO;
      res = -1;
    }

  return res;
}

gint
_g_tmp_core_fsync (gint fd)
{
  gint res;

  do
    res = fsync (fd);
  while (res < 0 && errno == EINTR);

  return sync_hook_result (fd, res);
}

gint
_g_tmp_core_syncfs (gint fd)
{
  gint res;

#ifdef HAVE_SYNCFS
  do
    res = syncfs (fd);
  while (res < 0 && errno == EINTR);
#else
  sync ();
  res = 0;
#endif

  return sync_hook_result (fd, res);
}

