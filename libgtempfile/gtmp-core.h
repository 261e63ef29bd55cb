/* gtmp-core.h — the secure-create core (private)
 *
 * Every public function and class creates and removes files through here,
 * so the security rules live in one place.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* Random characters in a name, and how many names we try before giving up
 * (Linux TMP_MAX). */
#define G_TMP_CORE_RANDOM_CHARS 8
#define G_TMP_CORE_MAX_TRIES    238328

#define G_TMP_CORE_FILE_MODE 0600
#define G_TMP_CORE_DIR_MODE  0700

/* Test hook: when set, fills @chars (G_TMP_CORE_RANDOM_CHARS bytes, not
 * nul-terminated) instead of the CSPRNG. Process-wide; NULL restores the CSPRNG. */
typedef void (*GTmpCoreNameHook) (gchar    *chars,
                                  gpointer  user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_name_hook    (GTmpCoreNameHook   hook,
                                        gpointer           user_data);

/* How long a file system's refusal of O_TMPFILE is remembered (per device;
 * see gtmp-core.c). */
#define G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC (60 * G_USEC_PER_SEC)

/* What the core did instead of creating an O_TMPFILE (test hook). */
typedef enum
{
  G_TMP_CORE_TMPFILE_REFUSED, /* tried; the file system refused it */
  G_TMP_CORE_TMPFILE_SKIPPED, /* not tried: its device refused it lately */
} GTmpCoreTmpfileEvent;

/* Test hook: when set, called each time an anonymous file in @dir falls back
 * to create + unlink, saying why. Never called when O_TMPFILE works, so the
 * usual path pays nothing for it. Process-wide; NULL removes it. */
typedef void (*GTmpCoreTmpfileHook) (const gchar          *dir,
                                     GTmpCoreTmpfileEvent  event,
                                     gpointer              user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_tmpfile_hook (GTmpCoreTmpfileHook hook,
                                        gpointer           user_data);

/* Test hook: remembers the device of @dir as refusing O_TMPFILE, as if it
 * just had, so that anonymous files there take the fallback. */
G_GNUC_INTERNAL
void      _g_tmp_core_refuse_tmpfile   (const gchar       *dir);

/* Test hook: takes (@hold TRUE) or releases the lock of the O_TMPFILE
 * refusal memory, from one thread. */
G_GNUC_INTERNAL
void      _g_tmp_core_hold_refusals    (gboolean           hold);

/* Test hook: moves the clock by which remembered O_TMPFILE refusals expire
 * @usec into the future (0 puts it back). */
G_GNUC_INTERNAL
void      _g_tmp_core_set_clock_offset (gint64             usec);

/* Test hook: when set, called each time persist() starts copying a file's
 * bytes for @dest (on another file system, or from an anonymous file that
 * cannot be linked). Process-wide; NULL removes it. */
typedef void (*GTmpCoreCopyHook) (const gchar *dest,
                                  gpointer     user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_copy_hook    (GTmpCoreCopyHook   hook,
                                        gpointer           user_data);

/* Test hook: when set, called with the directory's descriptor each time
 * the tree remover is about to unlink a batch of that directory's files
 * (after listing them), and batches are used on every file system, not
 * only on ext2/3/4. Process-wide; NULL removes it. */
typedef void (*GTmpCoreBatchHook) (gint     dirfd,
                                   gpointer user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_batch_hook   (GTmpCoreBatchHook  hook,
                                        gpointer           user_data);

/* Test hook: the most files and bytes of names the tree remover batches
 * at a time (0: the default), so that a test needs no directory of
 * 100,000 files to split one into several batches. */
G_GNUC_INTERNAL
void      _g_tmp_core_set_batch_limits (guint              max_files,
                                        gsize              max_name_bytes);

/* Calls the copy hook, if one is set. */
G_GNUC_INTERNAL
void      _g_tmp_core_copy_starting    (const gchar       *dest);

/* Test hook: called with every descriptor the library has just fsync()ed
 * successfully, in the thread that synced it (a worker for persist_async).
 * Returning FALSE makes that fsync() fail with EIO, as a failing disk
 * would. Process-wide; NULL removes it. */
typedef gboolean (*GTmpCoreSyncHook) (gint     fd,
                                      gpointer user_data);

G_GNUC_INTERNAL
void      _g_tmp_core_set_sync_hook    (GTmpCoreSyncHook   hook,
                                        gpointer           user_data);

/* fsync() retried on EINTR: 0, or -1 with errno set. Every fsync() of the
 * library goes through here, so the sync hook sees them all. */
G_GNUC_INTERNAL
gint      _g_tmp_core_fsync            (gint               fd);

/* Fills @chars with @n characters of the name alphabet from the CSPRNG.
 * FALSE with errno set when the OS gives no random bytes (getrandom()
 * failing with ENOSYS under a seccomp filter, say); EINTR is retried. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_random_chars     (gchar             *chars,
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

/* NULL → g_tempfile_get_tempdir(); relative → absolute against the cwd now. */
G_GNUC_INTERNAL
gchar    *_g_tmp_core_resolve_dir      (const gchar       *dir,
                                        GError           **error);

/* Creates a new file O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC with @mode
 * (0 → 0600). @dir, @prefix, @suffix are nullable (defaults as in DESIGN.md).
 * Returns the fd and the absolute path in @out_path, or -1 with @error set. */
G_GNUC_INTERNAL
gint      _g_tmp_core_create_file      (const gchar       *dir,
                                        const gchar       *prefix,
                                        const gchar       *suffix,
                                        guint              mode,
                                        gchar            **out_path,
                                        GError           **error);

/* Creates a new directory with @mode (0 → 0700); returns its absolute path. */
G_GNUC_INTERNAL
gchar    *_g_tmp_core_create_dir       (const gchar       *dir,
                                        const gchar       *prefix,
                                        const gchar       *suffix,
                                        guint              mode,
                                        GError           **error);

/* Creates a file with no name: O_TMPFILE where the file system allows it
 * (then *@out_linkable is TRUE and linkat() can give it a name later),
 * otherwise create + unlink. @out_dir (nullable) receives the resolved
 * absolute directory. Returns the fd or -1 with @error set. */
G_GNUC_INTERNAL
gint      _g_tmp_core_create_anonymous (const gchar       *dir,
                                        const gchar       *prefix,
                                        const gchar       *suffix,
                                        guint              mode,
                                        gboolean          *out_linkable,
                                        gchar            **out_dir,
                                        GError           **error);

/* Which file a directory is (the device and inode number of its stat). */
typedef struct
{
  dev_t dev;
  ino_t ino;
} GTmpCoreFileId;

/* Removes the directory @path and everything below it, fd-relative, never
 * following symlinks and never entering a mount point of any kind (such an
 * entry, or @path itself mounted over, is EBUSY). Tries rmdir(@path) first
 * and walks only when it is not empty, starting from @dirfd (borrowed; -1 to
 * open @path). Entries that vanish meanwhile are not errors, nor is @path
 * itself being gone. With @ignore_errors, removes all it can and returns
 * TRUE. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_remove_tree      (const gchar       *path,
                                        gint               dirfd,
                                        gboolean           ignore_errors,
                                        GCancellable      *cancellable,
                                        GError           **error);

/* The same; when @dirfd is -1 and @expected is not %NULL, a non-empty
 * directory at @path that is not @expected is left alone (EBUSY). */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_remove_tree_full (const gchar           *path,
                                        gint                   dirfd,
                                        const GTmpCoreFileId  *expected,
                                        gboolean               ignore_errors,
                                        GCancellable          *cancellable,
                                        GError               **error);

/* pwrite()s all @len bytes of @data at @offset, retrying on EINTR and short
 * writes. FALSE with errno set on failure (ENOSPC when the file system
 * accepts no more bytes). */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_pwrite_all       (gint               fd,
                                        const void        *data,
                                        gsize              len,
                                        goffset            offset);

/* Opens @path as O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC; -1 with errno set. */
G_GNUC_INTERNAL
gint      _g_tmp_core_open_dir         (const gchar       *path);

/* Which directory @path is (not following a symbolic link); FALSE when it
 * is not a directory or cannot be looked at. */
G_GNUC_INTERNAL
gboolean  _g_tmp_core_get_dir_id       (const gchar       *path,
                                        GTmpCoreFileId    *id);

/* This process's id, cached (no system call after the first; a forked child
 * gets its own). Objects record it at creation and clean up implicitly
 * (dispose) only when it still matches, so a forked child never deletes its
 * parent's files. */
G_GNUC_INTERNAL
gint      _g_tmp_core_get_pid          (void);

/* Forgets the cached default directory (g_tempfile_set_tempdir (NULL)). */
G_GNUC_INTERNAL
void      _g_tmp_core_reset_tempdir    (void);

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
