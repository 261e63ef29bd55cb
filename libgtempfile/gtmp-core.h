/* gtmp-core.h — the secure-create core (private)
 *
 * Every public function and class creates and removes files through here,
 * so the security rules live in one place.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* Random characters in a name (by default; a template may ask for any
 * length from MIN to MAX), and how many names we try before giving up
 * (Linux TMP_MAX). */
#define G_TMP_CORE_RANDOM_CHARS     8
#define G_TMP_CORE_MIN_RANDOM_CHARS 8
#define G_TMP_CORE_MAX_RANDOM_CHARS 128
#define G_TMP_CORE_MAX_TRIES        238328

/* The characters of the random part of a name (what a sweep recognises). */
#define G_TMP_CORE_NAME_ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789_"

/* The prefix of a name when none is given (g_tempfile_get_tempprefix()). */
#define G_TMP_CORE_DEFAULT_PREFIX "tmp"

#define G_TMP_CORE_FILE_MODE 0600
#define G_TMP_CORE_DIR_MODE  0700

/* How long a file system's refusal of O_TMPFILE is remembered (per device;
 * see gtmp-refusals.c). */
#define G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC (60 * G_USEC_PER_SEC)

/* The core's locks, in the order they are taken when nested (a search for
 * the default directory probes it under its lock). All are held across
 * fork() (pthread_atfork), so that a child forked while another thread
 * held one does not inherit it taken. */
typedef enum
{
  G_TMP_CORE_FORK_LOCK_TEMPDIR,
  G_TMP_CORE_FORK_LOCK_REFUSALS,
  G_TMP_CORE_N_FORK_LOCKS
} GTmpCoreForkLock;

/* Registers @lock as @which; called from a constructor, before any thread. */
G_GNUC_INTERNAL
void      _g_tmp_core_hold_across_fork (GTmpCoreForkLock   which,
                                        GMutex            *lock);

/* A test hook of gtmp-testing.h: a function and its data. The function is
 * set last and read atomically, so a reader that sees it has its data. */
typedef struct
{
  GCallback func;
  gpointer  data;
} GTmpCoreHook;

static inline void
_g_tmp_core_hook_set (GTmpCoreHook *hook,
                      GCallback     func,
                      gpointer      data)
{
  hook->data = data;
  g_atomic_pointer_set (&hook->func, func);
}

/* Calls the copy hook, if one is set. */
G_GNUC_INTERNAL
void      _g_tmp_core_copy_starting    (const gchar       *dest);

/* Calls the link hook, if one is set: a file has just been linked as
 * @name in @dfd, to be renamed over its destination. */
G_GNUC_INTERNAL
void      _g_tmp_core_linked_beside    (gint               dfd,
                                        const gchar       *name);

/* fsync() retried on EINTR: 0, or -1 with errno set. Every fsync() of the
 * library goes through here, so the sync hook sees them all. */
G_GNUC_INTERNAL
gint      _g_tmp_core_fsync            (gint               fd);

/* syncfs() of the file system holding @fd (sync() where there is none):
 * 0, or -1 with errno set. The sync hook sees it as it sees fsync(). */
G_GNUC_INTERNAL
gint      _g_tmp_core_syncfs           (gint               fd);

/* Fills @chars with @n characters of the name alphabet from the CSPRNG.
 * FALSE with errno set when the OS gives no random bytes (getrandom()
 * failing with ENOSYS under a seccomp filter, say); EINTR is retried. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_random_chars     (gchar             *chars,
                                        gsize              n) G_GNUC_WARN_UNUSED_RESULT;

/* Fills the @n characters of a name's random part (gtmp-names.c): from
 * the name hook where a test set one (gtmp-testing.h), else as
 * _g_tmp_core_random_chars(). FALSE with errno set when no random
 * characters could be had. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_draw_name_chars  (gchar             *chars,
                                        gsize              n) G_GNUC_WARN_UNUSED_RESULT;

/* Sets @error for a failed _g_tmp_core_random_chars() (@errsv its errno)
 * while naming something in the directory @dir. */
G_GNUC_INTERNAL
void      _g_tmp_core_set_random_error (GError           **error,
                                        gint               errsv,
                                        const gchar       *dir);

/* Sets @error (G_IO_ERROR code from @errsv) to "<formatted message>: <strerror>".
 * @format is already translated and takes at most one argument: a file name
 * ("%s"), shown by its g_filename_display_name(). */
G_GNUC_INTERNAL
void      _g_tmp_core_set_error        (GError           **error,
                                        gint               errsv,
                                        const gchar       *format,
                                        ...) G_GNUC_PRINTF (3, 4);

/* G_IO_ERROR_INVALID_ARGUMENT if @prefix or @suffix (nullable) contains '/'. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_check_affixes    (const gchar       *prefix,
                                        const gchar       *suffix,
                                        GError           **error);

/* Whether a file with a random name can be created and written in @dir
 * (CPython's test of a default-directory candidate; gtmp-tempdir.c). Sets
 * *@usable; FALSE with @error set only when no name could be drawn, which
 * no other candidate would fare better with. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_probe_dir        (const gchar       *dir,
                                        gboolean          *usable,
                                        GError           **error);

/* What a file or directory is created from: its directory, the start and
 * end of its name (each nullable; defaults as in DESIGN.md, @dir as
 * _g_tmp_core_resolve_dir() in gtmp-tempdir.h), its mode (0: the
 * default) and the number of random characters in the name (0: the
 * default, G_TMP_CORE_RANDOM_CHARS; otherwise MIN to MAX, checked by the
 * creating call). The classes keep one as their construct properties
 * (gtmp-template.h). New fields go at the end, so that the borrowing
 * initialisers below keep working.
 *
 * @dfd is AT_FDCWD, or a directory descriptor (borrowed) that @dir is
 * relative to, as in openat(): then @dir NULL means @dfd itself (not the
 * default directory), @dir's last component must not be a symbolic link
 * (it is opened O_DIRECTORY|O_NOFOLLOW) and the paths handed out are
 * relative to @dfd (absolute when @dir is). */
typedef struct
{
  gchar *dir;
  gchar *prefix;
  gchar *suffix;
  guint  mode;
  gint   dfd;
  guint  random_length;
} GTmpTemplate;

/* A template borrowing @dir, @prefix and @suffix (nullable) for one call,
 * relative to the directory descriptor @fd (or AT_FDCWD). */
#define G_TMP_TEMPLATE_BORROW_FULL(fd, d, p, s, m, len) \
  (&(const GTmpTemplate) { .dir = (gchar *) (d), .prefix = (gchar *) (p), \
                           .suffix = (gchar *) (s), .mode = (m), .dfd = (fd), \
                           .random_length = (len) })
#define G_TMP_TEMPLATE_BORROW(d, p, s, m) \
  G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, d, p, s, m, 0)
#define G_TMP_TEMPLATE_BORROW_AT(fd, d, p, s, m) \
  G_TMP_TEMPLATE_BORROW_FULL (fd, d, p, s, m, 0)

/* A template's dfd when a descriptor was given but could not be
 * duplicated: creating from it fails with EBADF rather than falling back
 * to @dir alone. */
#define G_TMP_TEMPLATE_DFD_INVALID (-2)

/* Whether @tmpl creates relative to a directory descriptor of its own. */
#define G_TMP_TEMPLATE_HAS_DFD(tmpl) ((tmpl)->dfd >= 0)

/* Creates a new file O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC from @tmpl
 * (mode 0 → 0600). Returns the fd and the absolute path in @out_path, or -1
 * with @error set. */
G_GNUC_INTERNAL
gint      _g_tmp_core_create_file      (const GTmpTemplate *tmpl,
                                        gchar            **out_path,
                                        GError           **error);

/* The directory @tmpl creates in when it has a descriptor and a @dir:
 * @dir opened below the descriptor as a creation opens it (O_DIRECTORY|
 * O_NOFOLLOW, errors as a creation's); the caller owns it. -1 with @error
 * set. An object keeps it, to remove what it made relative to the very
 * directory it made it in. */
G_GNUC_INTERNAL
gint      _g_tmp_core_open_template_dir (const GTmpTemplate *tmpl,
                                         GError           **error);

/* Creates a new directory from @tmpl (mode 0 → 0700); returns its absolute
 * path. */
G_GNUC_INTERNAL
gchar    *_g_tmp_core_create_dir       (const GTmpTemplate *tmpl,
                                        GError           **error);

/* Creates a file with no name from @tmpl: O_TMPFILE where the file system
 * allows it (then *@out_linkable is TRUE and linkat() can give it a name
 * later), otherwise create + unlink. @out_dir (nullable) receives the
 * resolved absolute directory. Returns the fd or -1 with @error set. */
G_GNUC_INTERNAL
gint      _g_tmp_core_create_anonymous (const GTmpTemplate *tmpl,
                                        gboolean          *out_linkable,
                                        gchar            **out_dir,
                                        GError           **error);

/* Which file a directory is (the device and inode number of its stat). */
typedef struct
{
  dev_t dev;
  ino_t ino;
} GTmpCoreFileId;

/* pwrite()s all @len bytes of @data at @offset, retrying on EINTR and short
 * writes. FALSE with errno set on failure (ENOSPC when the file system
 * accepts no more bytes). */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_pwrite_all       (gint               fd,
                                        const void        *data,
                                        gsize              len,
                                        goffset            offset);

/* The absolute path of what @rel (relative, or NULL for the directory
 * itself) names below the directory descriptor @dfd, from
 * /proc/self/fd; @rel itself when absolute or @dfd is AT_FDCWD (then
 * made absolute against the cwd). NULL with errno set where the
 * directory's path cannot be known (no /proc). */
G_GNUC_INTERNAL
gchar    *_g_tmp_core_fd_path          (gint               dfd,
                                        const gchar       *rel);

/* Opens @path as O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC; -1 with errno set. */
G_GNUC_INTERNAL
gint      _g_tmp_core_open_dir         (const gchar       *path);
/* The same relative to @dfd (or AT_FDCWD). */
G_GNUC_INTERNAL
gint      _g_tmp_core_open_dir_at      (gint               dfd,
                                        const gchar       *path);

/* Which directory @path (relative to @dfd, or AT_FDCWD) is, not following
 * a symbolic link; FALSE when it is not a directory or cannot be looked
 * at. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_get_dir_id       (gint               dfd,
                                        const gchar       *path,
                                        GTmpCoreFileId    *id);

/* This process's id, cached (no system call after the first; a forked child
 * gets its own). Objects record it at creation and clean up implicitly
 * (dispose) only when it still matches, so a forked child never deletes its
 * parent's files. */
G_GNUC_INTERNAL
gint      _g_tmp_core_get_pid          (void);

/* An object's locks and in-flight state, as a forked child inherits them
 * from a parent thread that may have been using the object (that thread
 * does not exist in the child). *@owner_pid is the pid they belong to, set
 * with _g_tmp_core_get_pid() when they are initialised. Returns FALSE when
 * they are this process's (one compare, no system call); otherwise TRUE in
 * one thread, which initialises them afresh and then calls
 * _g_tmp_core_adopt_end(), while the others wait for that. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_adopt_slow       (gint              *owner_pid);
G_GNUC_INTERNAL extern gint _g_tmp_core_cached_pid;
/* Bumped in every forked child (gtmp-names.c's pools start afresh). */
G_GNUC_INTERNAL extern gint _g_tmp_core_fork_generation;

/* The compare is inline, as it runs several times in every lifecycle.
 * *@owner_pid is never 0, so the cache a fork() resets never matches. */
static inline gboolean
_g_tmp_core_adopt_begin (gint *owner_pid)
{
  if (G_LIKELY (g_atomic_int_get (owner_pid) == g_atomic_int_get (&_g_tmp_core_cached_pid)))
    return FALSE;

  return _g_tmp_core_adopt_slow (owner_pid);
}
G_GNUC_INTERNAL
void      _g_tmp_core_adopt_end        (gint              *owner_pid);

/* close() that keeps errno and sets *fd to -1 (g_clear_fd is GLib 2.76). */
G_GNUC_INTERNAL
void      _g_tmp_core_clear_fd         (gint              *fd);

/* Returns *fd and sets it to -1 (g_steal_fd is GLib 2.76). */
static inline gint
_g_tmp_core_steal_fd (gint *fd)
{
  gint ret = *fd;
  *fd = -1;
  return ret;
}

G_END_DECLS
