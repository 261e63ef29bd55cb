/* gtempfile.c — the module functions
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "gtempfile-private.h"
#include "gtmp-sweep.h"
#include "gtmp-tempdir.h"

/**
 * g_tempfile_get_tempprefix:
 *
 * Returns the prefix used for names when none is given, `"tmp"`, as
 * CPython's `tempfile.gettempprefix()`.
 *
 * Returns: (transfer none) (type filename): the default prefix
 *
 * Since: 1.0
 */
const gchar *
g_tempfile_get_tempprefix (void)
{
  return G_TMP_CORE_DEFAULT_PREFIX;
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
  return _g_tmp_core_get_tempdir (error);
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
  _g_tmp_core_set_tempdir (dir);
}

/**
 * g_tempfile_mkstemp:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @out_path: (out) (optional) (transfer full) (type filename): return
 *   location for the absolute path of the new file
 * @error: return location for a #GError
 *
 * Creates a new file with a unique name and opens it for reading and
 * writing, as CPython's `tempfile.mkstemp()`.
 *
 * The name is @prefix, eight random characters from the operating system's
 * random source and @suffix. The file is created with `O_EXCL` and
 * `O_NOFOLLOW`, so an existing file or symbolic link is never opened; it is
 * readable and writable only by its owner (mode 0600), and the descriptor
 * is not inherited by child processes.
 *
 * Unlike the classes of this library, nothing removes the file: the caller
 * owns both the descriptor and the file. [func@GTempfile.mkstemp_full]
 * takes another mode and a longer random part.
 *
 * ```c
 * g_autofree gchar *path = NULL;
 * g_autoptr(GError) error = NULL;
 * int fd = g_tempfile_mkstemp (NULL, "report-", ".csv", &path, &error);
 *
 * if (fd < 0)
 *   g_warning ("%s", error->message);
 * ```
 *
 * Errors are in the %G_IO_ERROR domain: %G_IO_ERROR_INVALID_ARGUMENT for a
 * @prefix or @suffix containing `/`, %G_IO_ERROR_NOT_FOUND for a missing
 * @dir, %G_IO_ERROR_PERMISSION_DENIED for one that cannot be written, and
 * %G_IO_ERROR_EXISTS when no free name was found.
 *
 * Returns: a file descriptor owned by the caller, or -1 with @error set
 *
 * Since: 1.0
 */
gint
g_tempfile_mkstemp (const gchar  *dir,
                    const gchar  *prefix,
                    const gchar  *suffix,
                    gchar       **out_path,
                    GError      **error)
{
  return g_tempfile_mkstemp_full (dir, prefix, suffix, 0, 0, out_path, error);
}

/**
 * g_tempfile_mkstemp_full:
 * @dir: (nullable) (type filename): the directory to create the file in, or
 *   %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @mode: the permission bits of the new file, or 0 for `0600`; the umask
 *   applies, as with `open()`
 * @random_length: how many random characters the name has, from 8 to 128,
 *   or 0 for 8
 * @out_path: (out) (optional) (transfer full) (type filename): return
 *   location for the absolute path of the new file
 * @error: return location for a #GError
 *
 * Creates a new file as [func@GTempfile.mkstemp] does, with the mode it
 * should have rather than `0600`, and as many random characters in its
 * name as the caller needs, for names that must stay unguessable for long.
 *
 * ```c
 * // A file the group may read (0640 with a umask of 022 or 027).
 * int fd = g_tempfile_mkstemp_full (dir, "export-", ".csv", 0640, 0, &path, &error);
 * ```
 *
 * A @random_length outside 8 to 128 is %G_IO_ERROR_INVALID_ARGUMENT naming
 * @dir, and nothing is created; the other errors are those of
 * [func@GTempfile.mkstemp].
 *
 * Returns: a file descriptor owned by the caller, or -1 with @error set
 *
 * Since: 1.0
 */
gint
g_tempfile_mkstemp_full (const gchar  *dir,
                         const gchar  *prefix,
                         const gchar  *suffix,
                         guint         mode,
                         guint         random_length,
                         gchar       **out_path,
                         GError      **error)
{
  g_return_val_if_fail (mode <= 07777, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, dir, prefix, suffix,
                                                              mode, random_length),
                                  out_path, error);
}

/**
 * g_tempfile_open_anonymous:
 * @dir: (nullable) (type filename): the directory whose file system holds
 *   the file, or %NULL for [func@GTempfile.get_tempdir]
 * @mode: the permission bits of the file, or 0 for `0600`; the umask
 *   applies, as with `open()`
 * @error: return location for a #GError
 *
 * Creates an anonymous temporary file and returns only its descriptor: a
 * safe `tmpfile()` for code that wants a plain descriptor rather than a
 * [class@GTempfile.TmpFile], as CPython's `tempfile.TemporaryFile()` uses
 * one.
 *
 * The file is made exactly as [ctor@GTempfile.TmpFile.new] makes it:
 * `O_TMPFILE` in @dir where the file system allows it, so that it never
 * has a name; elsewhere under a random name (`O_EXCL`, `O_NOFOLLOW`) that
 * is removed before the function returns, a file system's refusal being
 * remembered as the class remembers it. The descriptor is open for reading
 * and writing and is not inherited by child processes (`O_CLOEXEC`).
 * Closing it frees the file.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * int fd = g_tempfile_open_anonymous (NULL, 0, &error);
 *
 * if (fd < 0)
 *   g_warning ("%s", error->message);
 * ```
 *
 * [func@GTempfile.adopt_anonymous] makes a [class@GTempfile.TmpFile]
 * of it later, should the file need a name after all
 * ([method@GTempfile.TmpFile.persist]).
 *
 * Errors are in the %G_IO_ERROR domain, naming @dir:
 * %G_IO_ERROR_NOT_FOUND for a missing @dir,
 * %G_IO_ERROR_PERMISSION_DENIED for one that cannot be written, and so on.
 *
 * Returns: a file descriptor owned by the caller, or -1 with @error set
 *
 * Since: 1.0
 */
gint
g_tempfile_open_anonymous (const gchar  *dir,
                           guint         mode,
                           GError      **error)
{
  g_return_val_if_fail (mode <= 07777, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _g_tmp_core_create_anonymous (G_TMP_TEMPLATE_BORROW (dir, NULL, NULL, mode),
                                       NULL, NULL, error);
}

/**
 * g_tempfile_adopt_anonymous:
 * @fd: the descriptor of an anonymous file open for reading and writing,
 *   such as [func@GTempfile.open_anonymous] returns
 * @error: return location for a #GError
 *
 * Makes a [class@GTempfile.TmpFile] of an anonymous file the caller has a
 * descriptor for, so that code that created the file with
 * [func@GTempfile.open_anonymous] (as a plain descriptor is all it needed
 * at first) can still use the streams or give the file a name with
 * [method@GTempfile.TmpFile.persist].
 *
 * On success the object owns @fd: closing the stream (or dropping the last
 * reference) closes it, and the caller must not close it; it is made
 * close-on-exec, as every descriptor the library holds. On failure the
 * caller still owns it. To keep a descriptor of its own too, pass a
 * duplicate (`dup()`, `F_DUPFD_CLOEXEC`): both then share the file and its
 * position, and the file is freed when both are closed.
 *
 * @fd must be a regular file that has no name (`O_TMPFILE`, or unlinked)
 * opened for reading and writing; anything else is
 * %G_IO_ERROR_INVALID_ARGUMENT and nothing changes. A file made with
 * `O_TMPFILE` is linked into place by persist(), as a file the class made;
 * one that was unlinked can only be copied there
 * (%G_TMP_PERSIST_ALLOW_COPY). One opened `O_TMPFILE|O_EXCL` (as Python's
 * `tempfile.TemporaryFile` opens it), which the kernel never links, is
 * copied into a new anonymous file in the destination's directory, as a
 * file whose link failed before (see [method@GTempfile.TmpFile.persist]):
 * on its own file system without the flag, and that copy takes over the
 * descriptor.
 *
 * It is a function of the module, not a constructor of the class, so
 * that the bindings do not offer it on the subclasses, whose objects it
 * does not make.
 *
 * Returns: (transfer full): the new file, or %NULL with @error set
 *
 * Since: 1.0
 */
GTmpFile *
g_tempfile_adopt_anonymous (gint     fd,
                            GError **error)
{
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_file_new_from_fd (fd, error);
}

/**
 * g_tempfile_mkdtemp:
 * @dir: (nullable) (type filename): the directory to create the new one
 *   in, or %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @error: return location for a #GError
 *
 * Creates a new directory with a unique name, readable, writable and
 * searchable only by its owner (mode 0700), as CPython's
 * `tempfile.mkdtemp()`.
 *
 * The caller owns the directory and must remove it; see
 * [class@GTempfile.TmpDir] for one that removes itself.
 * [func@GTempfile.mkdtemp_full] takes another mode and a longer random
 * part.
 *
 * Returns: (transfer full) (type filename): the absolute path of the new
 *   directory, or %NULL with @error set
 *
 * Since: 1.0
 */
gchar *
g_tempfile_mkdtemp (const gchar  *dir,
                    const gchar  *prefix,
                    const gchar  *suffix,
                    GError      **error)
{
  return g_tempfile_mkdtemp_full (dir, prefix, suffix, 0, 0, error);
}

/**
 * g_tempfile_mkdtemp_full:
 * @dir: (nullable) (type filename): the directory to create the new one
 *   in, or %NULL for [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @mode: the permissions of the new directory, or 0 for `0700`; the umask
 *   applies, as with `mkdir()`
 * @random_length: how many random characters the name has, from 8 to 128,
 *   or 0 for 8
 * @error: return location for a #GError
 *
 * Creates a new directory as [func@GTempfile.mkdtemp] does, with the given
 * mode and length of the name's random part.
 *
 * ```c
 * // A directory the group may enter and list (umask permitting).
 * g_autofree gchar *path = g_tempfile_mkdtemp_full (NULL, "share-", NULL, 0750, 0, &error);
 * ```
 *
 * A @random_length outside 8 to 128 is %G_IO_ERROR_INVALID_ARGUMENT naming
 * @dir, and nothing is created.
 *
 * Returns: (transfer full) (type filename): the absolute path of the new
 *   directory, or %NULL with @error set
 *
 * Since: 1.0
 */
gchar *
g_tempfile_mkdtemp_full (const gchar  *dir,
                         const gchar  *prefix,
                         const gchar  *suffix,
                         guint         mode,
                         guint         random_length,
                         GError      **error)
{
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW_FULL (AT_FDCWD, dir, prefix, suffix,
                                                             mode, random_length),
                                 error);
}

/**
 * g_tempfile_mkstemp_at:
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @dir: (nullable) (type filename): the directory to create the file in,
 *   relative to @dfd as in `openat()`; %NULL for @dfd itself (with
 *   `AT_FDCWD`: [func@GTempfile.get_tempdir])
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @mode: the permission bits (before the umask), or 0 for `0600`
 * @out_path: (out) (optional) (transfer full) (type filename): return
 *   location for the path of the new file: relative to @dfd (what
 *   `openat (dfd, …)` takes) unless @dfd is `AT_FDCWD` or @dir is
 *   absolute, then absolute
 * @error: return location for a #GError
 *
 * [func@GTempfile.mkstemp] relative to a directory descriptor, as libglnx
 * and `openat()` work, with the same guarantees: the file is created with
 * `O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC`, and with a real @dfd the last
 * component of @dir must not be a symbolic link either (it is opened
 * `O_DIRECTORY|O_NOFOLLOW`: %G_IO_ERROR_NOT_DIRECTORY; links earlier in
 * @dir are followed, as `openat()` does). @dfd is only used during the
 * call.
 *
 * ```c
 * int dfd = open ("/srv/spool", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
 * g_autofree gchar *name = NULL;
 * int fd = g_tempfile_mkstemp_at (dfd, "incoming", "job-", NULL, 0640, &name, &error);
 * // name is "incoming/job-XXXXXXXX": openat (dfd, name, …) reaches it
 * ```
 *
 * Returns: a file descriptor owned by the caller, or -1 with @error set
 *   (naming the directory)
 *
 * Since: 1.0
 */
gint
g_tempfile_mkstemp_at (gint          dfd,
                       const gchar  *dir,
                       const gchar  *prefix,
                       const gchar  *suffix,
                       guint         mode,
                       gchar       **out_path,
                       GError      **error)
{
  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, -1);
  g_return_val_if_fail (mode <= 07777, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW_AT (dfd, dir, prefix, suffix, mode),
                                  out_path, error);
}

/**
 * g_tempfile_mkdtemp_at:
 * @dfd: a directory descriptor, or `AT_FDCWD`
 * @dir: (nullable) (type filename): the directory to create the new one
 *   in, relative to @dfd as in `openat()`; %NULL for @dfd itself (with
 *   `AT_FDCWD`: [func@GTempfile.get_tempdir])
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @mode: the permission bits (before the umask), or 0 for `0700`
 * @error: return location for a #GError
 *
 * [func@GTempfile.mkdtemp] relative to a directory descriptor, with the
 * rules of [func@GTempfile.mkstemp_at].
 *
 * Returns: (transfer full) (type filename): the path of the new directory,
 *   relative to @dfd unless @dfd is `AT_FDCWD` or @dir is absolute (then
 *   absolute), or %NULL with @error set
 *
 * Since: 1.0
 */
gchar *
g_tempfile_mkdtemp_at (gint          dfd,
                       const gchar  *dir,
                       const gchar  *prefix,
                       const gchar  *suffix,
                       guint         mode,
                       GError      **error)
{
  g_return_val_if_fail (dfd >= 0 || dfd == AT_FDCWD, NULL);
  g_return_val_if_fail (mode <= 07777, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _g_tmp_core_create_dir (G_TMP_TEMPLATE_BORROW_AT (dfd, dir, prefix, suffix, mode), error);
}

/**
 * g_tempfile_mktemp:
 * @dir: (nullable) (type filename): the directory of the name, or %NULL for
 *   [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the name, or %NULL for
 *   `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the name, or %NULL for
 *   none; must not contain `/`
 * @error: return location for a #GError
 *
 * Returns an absolute path that did not exist when it was checked, as
 * CPython's `tempfile.mktemp()`.
 *
 * **This is unsafe**: another process can create a file or a symbolic link
 * with that name between this call and the caller's use of it. Use
 * [func@GTempfile.mkstemp], [class@GTempfile.NamedTmpFile] or
 * [func@GTempfile.mkdtemp] instead, which create the file or directory
 * atomically.
 *
 * A name counts as free only when checking it says it does not exist; any
 * other failure to check it (@dir is a file, the name is too long, @dir
 * cannot be searched) is reported at once, with its %G_IO_ERROR code.
 *
 * Returns: (transfer full) (type filename): a path, or %NULL with @error set
 *
 * Since: 1.0
 * Deprecated: 1.0: Use [func@GTempfile.mkstemp] instead.
 */
gchar *
g_tempfile_mktemp (const gchar  *dir,
                   const gchar  *prefix,
                   const gchar  *suffix,
                   GError      **error)
{
  g_autofree gchar *resolved = NULL;
  g_autofree gchar *display = NULL;
  gchar chars[G_TMP_CORE_RANDOM_CHARS + 1] = { 0, };
  gint tries;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_g_tmp_core_check_affixes (prefix, suffix, error))
    return NULL;

  resolved = _g_tmp_core_resolve_dir (dir, error);
  if (resolved == NULL)
    return NULL;

  for (tries = 0; tries < G_TMP_CORE_MAX_TRIES; tries++)
    {
      g_autofree gchar *name = NULL;
      g_autofree gchar *path = NULL;
      struct stat st;

      if (!_g_tmp_core_random_chars (chars, G_TMP_CORE_RANDOM_CHARS))
        {
          _g_tmp_core_set_random_error (error, errno, resolved);
          return NULL;
        }

      name = g_strconcat (prefix != NULL ? prefix : g_tempfile_get_tempprefix (),
                          chars, suffix, NULL);
      path = g_build_filename (resolved, name, NULL);
      if (lstat (path, &st) == 0)
        continue;

      /* Only ENOENT says the name is free; any other error (@dir a file,
       * a name too long, no permission) would be the same for every name. */
      if (errno == ENOENT)
        return g_steal_pointer (&path);

      _g_tmp_core_set_error (error, errno,
                             _("Could not create a temporary file in “%s”"),
                             resolved);
      return NULL;
    }

  display = g_filename_display_name (resolved);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("Could not create a temporary file in “%s”: all %d names tried exist already"),
               display, G_TMP_CORE_MAX_TRIES);
  return NULL;
}

/**
 * g_tempfile_sweep:
 * @dir: (nullable) (type filename): the directory to sweep, or %NULL for
 *   [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the names to remove, or
 *   %NULL for `"tmp"`; must not contain `/`
 * @suffix: (nullable) (type filename): the end of the names to remove, or
 *   %NULL for none; must not contain `/`
 * @random_length: the length of the random part of the names, 8 to 128, or
 *   0 for 8 (the default of the creating calls)
 * @min_age: how long ago, in microseconds, an entry must have been last
 *   modified to be removed; 0 for any age
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * Removes what a program that crashed or was killed left in @dir: the
 * entries named as this library names them with @prefix and @suffix —
 * @prefix, then exactly @random_length characters of `a`–`z`, `0`–`9` and
 * `_`, then @suffix — that belong to the calling process's effective user
 * and were last modified at least @min_age ago. Regular files are
 * unlinked; directories are removed with everything in them, as
 * [method@GTempfile.TmpDir.cleanup] removes them.
 *
 * Call it at program start, with the prefix your program gives its
 * temporary files and an age longer than any of its runs, so that the
 * entries of another instance still running are left alone:
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * gint n = g_tempfile_sweep (NULL, "myapp-", NULL, 0, 24 * G_TIME_SPAN_HOUR, NULL, &error);
 *
 * if (n < 0)
 *   g_warning ("Could not remove old temporary files: %s", error->message);
 * ```
 *
 * Only files and directories the library could have made are touched:
 *
 * - A symbolic link is never followed and never removed, whatever its
 *   name; nor is anything but a regular file or a directory (a socket, a
 *   pipe). @dir itself must not be a symbolic link
 *   (%G_IO_ERROR_NOT_DIRECTORY).
 * - Entries of other users are left alone, also when the caller is root.
 * - The removal works relative to a descriptor of @dir. A directory is
 *   opened again (without following a link) and removed only if it is
 *   still the one that was looked at (as for
 *   [method@GTempfile.TmpDir.cleanup], an *empty* directory put in its
 *   place meanwhile is removed: that loses nothing). Its tree is removed
 *   without ever following a link or entering a mount point: something
 *   mounted inside it is left alone, mounted and intact, and reported
 *   (%G_IO_ERROR_BUSY) with the directories holding it. A file is
 *   unlinked by name, which removes only that name in @dir.
 * - A directory's modification time changes when entries are added to or
 *   removed from it, not when files in it are written: a long-running
 *   program that keeps writing into one temporary directory should choose
 *   @min_age accordingly, or a prefix of its own per run.
 *
 * An entry that cannot be removed does not stop the sweep: every other
 * entry is still tried, and then the call fails with the error of the
 * first one (naming it). Entries that vanish meanwhile are not errors. A
 * directory that a failed (or cancelled) sweep emptied in part has been
 * modified by that: the next sweep takes it as fresh for @min_age.
 *
 * Cancelling stops the sweep between two entries (or inside a tree);
 * what was removed stays removed and the call fails with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: how many entries were removed, or -1 with @error set
 *
 * Since: 1.0
 */
gint
g_tempfile_sweep (const gchar   *dir,
                  const gchar   *prefix,
                  const gchar   *suffix,
                  guint          random_length,
                  GTimeSpan      min_age,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree gchar *resolved = NULL;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  resolved = _g_tmp_core_resolve_dir (dir, error);
  if (resolved == NULL)
    return -1;

  return _g_tmp_sweep (resolved, prefix, suffix, random_length, min_age, cancellable, error);
}

typedef struct
{
  gchar     *dir;
  gchar     *prefix;
  gchar     *suffix;
  guint      random_length;
  GTimeSpan  min_age;
} SweepData;

static void
sweep_data_free (SweepData *data)
{
  g_free (data->dir);
  g_free (data->prefix);
  g_free (data->suffix);
  g_free (data);
}

static void
sweep_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SweepData *data = task_data;
  GError *error = NULL;
  gint n;

  n = g_tempfile_sweep (data->dir, data->prefix, data->suffix, data->random_length,
                        data->min_age, cancellable, &error);
  if (n >= 0)
    g_task_return_int (task, n);
  else
    g_task_return_error (task, error);
}

/**
 * g_tempfile_sweep_async:
 * @dir: (nullable) (type filename): the directory to sweep, or %NULL for
 *   [func@GTempfile.get_tempdir]
 * @prefix: (nullable) (type filename): the start of the names to remove, or
 *   %NULL for `"tmp"`
 * @suffix: (nullable) (type filename): the end of the names to remove, or
 *   %NULL for none
 * @random_length: the length of the random part of the names, or 0 for 8
 * @min_age: how long ago, in microseconds, an entry must have been last
 *   modified to be removed
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the sweep is done
 * @user_data: data for @callback
 *
 * Sweeps @dir in a worker thread, like [func@GTempfile.sweep], without
 * blocking the main loop. Call [func@GTempfile.sweep_finish] from
 * @callback; the result has no source object.
 *
 * Since: 1.0
 */
void
g_tempfile_sweep_async (const gchar         *dir,
                        const gchar         *prefix,
                        const gchar         *suffix,
                        guint                random_length,
                        GTimeSpan            min_age,
                        int                  io_priority,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SweepData *data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (SweepData, 1);
  data->dir = g_strdup (dir);
  data->prefix = g_strdup (prefix);
  data->suffix = g_strdup (suffix);
  data->random_length = random_length;
  data->min_age = min_age;

  /* The worker reports cancellation: entries removed stay removed, and a
   * sweep that has finished is not "cancelled" afterwards. */
  task = _g_tmp_task_new (NULL, g_tempfile_sweep_async, io_priority, cancellable,
                          callback, user_data);
  g_task_set_task_data (task, data, (GDestroyNotify) sweep_data_free);
  g_task_run_in_thread (task, sweep_thread);
}

/**
 * g_tempfile_sweep_finish:
 * @result: the #GAsyncResult passed to the callback of
 *   [func@GTempfile.sweep_async]
 * @error: return location for a #GError
 *
 * Finishes [func@GTempfile.sweep_async].
 *
 * Returns: how many entries were removed, or -1 with @error set
 *
 * Since: 1.0
 */
gint
g_tempfile_sweep_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (_g_tmp_task_is_ours (result, NULL, g_tempfile_sweep_async), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
