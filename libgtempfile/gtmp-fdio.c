/* gtmp-fdio.c — descriptor-level helpers of persist: link, rename, copy, sync
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gtmp-core.h"
#include "gtmp-fdio.h"
#include "gtmp-refusals.h"

/* A fresh name beside @dest for a file that is renamed over @dest later:
 * hidden, recognisably related to @dest, short enough for NAME_MAX. */
gchar *
_g_tmp_fdio_sibling_prefix (const gchar *dest)
{
  g_autofree gchar *base = g_path_get_basename (dest);

  if (strlen (base) > 200)
    return g_strdup (".gtmp-");

  return g_strconcat (".", base, ".", NULL);
}

/* A sibling of @dest, a path or a name relative to a directory descriptor;
 * NULL with errno set when no random name could be drawn. */
gchar *
_g_tmp_fdio_sibling_path (const gchar *dest)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *prefix = NULL;
  gchar chars[G_TMP_CORE_RANDOM_CHARS + 1] = { 0, };
  g_autofree gchar *name = NULL;

  if (!_g_tmp_core_random_chars (chars, G_TMP_CORE_RANDOM_CHARS))
    return NULL;

  dir = g_path_get_dirname (dest);
  prefix = _g_tmp_fdio_sibling_prefix (dest);
  name = g_strconcat (prefix, chars, NULL);

  return g_build_filename (dir, name, NULL);
}

/* linkat() of a descriptor: through /proc (works for any user), else with
 * AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH). Returns 0 or an errno;
 * ENOTSUP when neither is possible here. */
static gint
link_fd (gint         fd,
         gint         dfd,
         const gchar *dest)
{
  gchar proc_path[64];
  gint errsv;

  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc_path, dfd, dest, AT_SYMLINK_FOLLOW) == 0)
    return 0;

  errsv = errno;
  if (errsv != ENOENT)
    return errsv;

#ifdef AT_EMPTY_PATH
  if (linkat (fd, "", dfd, dest, AT_EMPTY_PATH) == 0)
    return 0;
  errsv = errno;
#endif

  /* ENOENT: either the destination's directory is missing or there is no
   * /proc to link from. */
  if (access ("/proc/self/fd", F_OK) != 0)
    return ENOTSUP;

  return errsv;
}

/* Gives the anonymous file @fd the name @dest (relative to @dfd); see
 * gtmp-fdio.h. */
gint
_g_tmp_fdio_link_into_place (gint         fd,
                             gint         dfd,
                             const gchar *dest,
                             gboolean     no_replace,
                             gboolean    *spent)
{
  gint errsv;
  guint tries;

  /* Straight into place when nothing is there: one atomic step that leaves
   * nothing behind whatever happens. */
  errsv = link_fd (fd, dfd, dest);
  if (errsv != EEXIST || no_replace)
    return errsv;

  /* Replacing: linkat() cannot replace, so link beside @dest under a fresh
   * hidden name, then rename over it. The complete file has that name for
   * the two system calls in between; a crash right there leaves it. */
  for (tries = 0; tries < 100; tries++)
    {
      g_autofree gchar *sibling = _g_tmp_fdio_sibling_path (dest);

      if (sibling == NULL)
        return errno;

      errsv = link_fd (fd, dfd, sibling);
      if (errsv == EEXIST)
        continue;
      if (errsv != 0)
        return errsv;

      _g_tmp_core_linked_beside (dfd, sibling);
      if (renameat (dfd, sibling, dfd, dest) < 0)
        {
          /* The file had a name: the kernel cleared its I_LINKABLE, and
           * once unlinked again it can never be linked anew. */
          errsv = errno;
          unlinkat (dfd, sibling, 0);
          *spent = TRUE;
          return errsv;
        }

      return 0;
    }

  return EEXIST;
}

/* Moves the named file @src to @dest (relative to @dfd); see gtmp-fdio.h. */
gint
_g_tmp_fdio_rename (gint         src_dfd,
                    const gchar *src,
                    gint         dfd,
                    const gchar *dest,
                    gboolean     no_replace)
{
  gint errsv;

  if (!no_replace)
    return renameat (src_dfd, src, dfd, dest) == 0 ? 0 : errno;

#if defined(HAVE_RENAMEAT2) && defined(RENAME_NOREPLACE)
  if (renameat2 (src_dfd, src, dfd, dest, RENAME_NOREPLACE) == 0)
    return 0;

  errsv = errno;
  if (errsv != EINVAL && errsv != ENOSYS && errsv != ENOTSUP)
    return errsv;
#endif

  /* No RENAME_NOREPLACE here: link() refuses an existing name just as well. */
  if (linkat (src_dfd, src, dfd, dest, 0) < 0)
    return errno;

  if (unlinkat (src_dfd, src, 0) < 0)
    {
      errsv = errno;
      unlinkat (dfd, dest, 0);
      return errsv;
    }

  return 0;
}

void
_g_tmp_fdio_set_copy_error (GError      **error,
                            gint          errsv,
                            const gchar  *dest)
{
  _g_tmp_core_set_error (error, errsv, _("Could not copy the temporary file to “%s”"), dest);
}

typedef enum
{
  COPY_DONE,
  COPY_FAILED,
  COPY_BY_HAND,
} CopyResult;

/* Copies from *@offset to the end inside the kernel. COPY_BY_HAND when the
 * kernel cannot copy between these files (*@offset says how far it got). */
static CopyResult
copy_in_kernel (gint           src_fd,
                gint           dest_fd,
                off_t         *offset,
                const gchar   *dest,
                GCancellable  *cancellable,
                GError       **error)
{
#ifdef __linux__
  for (;;)
    {
      off_t in_offset = *offset;
      off_t out_offset = *offset;
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return COPY_FAILED;

      n = copy_file_range (src_fd, &in_offset, dest_fd, &out_offset, 16 * 1024 * 1024, 0);
      if (n == 0)
        return COPY_DONE;

      if (n < 0 && errno == EINTR)
        continue;

      /* Not between these file systems, or not on this kernel. */
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                    errno == EOPNOTSUPP || errno == EBADF))
        return COPY_BY_HAND;

      if (n < 0)
        {
          _g_tmp_fdio_set_copy_error (error, errno, dest);
          return COPY_FAILED;
        }

      *offset += n;
    }
#else
  return COPY_BY_HAND;
#endif
}

/* Copies from @offset to the end through a buffer. */
static gboolean
copy_by_hand (gint           src_fd,
              gint           dest_fd,
              off_t          offset,
              const gchar   *dest,
              GCancellable  *cancellable,
              GError       **error)
{
  const gsize buffer_size = 256 * 1024;
  g_autofree guint8 *buffer = g_malloc (buffer_size);

  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = pread (src_fd, buffer, buffer_size, offset);
      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0)
        {
          _g_tmp_fdio_set_copy_error (error, errno, dest);
          return FALSE;
        }

      if (n == 0)
        return TRUE;

      if (!_g_tmp_core_pwrite_all (dest_fd, buffer, n, offset))
        {
          _g_tmp_fdio_set_copy_error (error, errno, dest);
          return FALSE;
        }

      offset += n;
    }
}

/* Copies all of @src_fd into @dest_fd. Both positions stay where they are:
 * the caller's position in the temporary file must survive a failure. */
gboolean
_g_tmp_fdio_copy (gint           src_fd,
                  gint           dest_fd,
                  const gchar   *dest,
                  GCancellable  *cancellable,
                  GError       **error)
{
  off_t offset = 0;

  switch (copy_in_kernel (src_fd, dest_fd, &offset, dest, cancellable, error))
    {
    case COPY_DONE:
      return TRUE;
    case COPY_FAILED:
      return FALSE;
    case COPY_BY_HAND:
    default:
      return copy_by_hand (src_fd, dest_fd, offset, dest, cancellable, error);
    }
}

gboolean
_g_tmp_fdio_sync (gint          fd,
                  const gchar  *dest,
                  GError      **error)
{
  if (_g_tmp_core_fsync (fd) < 0)
    {
      _g_tmp_core_set_error (error, errno, _("Could not write “%s” to disk"), dest);
      return FALSE;
    }

  return TRUE;
}

gboolean
_g_tmp_fdio_sync_dir (gint          dfd,
                      const gchar  *dest,
                      GError      **error)
{
  if (_g_tmp_core_fsync (dfd) < 0)
    {
      /* Translators: %s is the new name; the system's reason follows. */
      _g_tmp_core_set_error (error, errno,
                             _("Saved “%s”, but could not flush its directory to disk"),
                             dest);
      return FALSE;
    }

  return TRUE;
}

gint
_g_tmp_fdio_open_copy (gint          dfd,
                       const gchar  *dest,
                       guint         mode,
                       gchar       **copy_path,
                       GError      **error)
{
  g_autofree gchar *prefix = NULL;

#ifdef HAVE_O_TMPFILE
  if (access ("/proc/self/fd", X_OK) == 0)
    {
      gboolean refused_now;
      gint fd = _g_tmp_core_open_tmpfile (dfd, ".", mode, &refused_now);

      if (fd >= 0)
        return fd;

      /* Not the file system's refusal of O_TMPFILE (now or lately): final. */
      if (errno != EOPNOTSUPP)
        {
          _g_tmp_fdio_set_copy_error (error, errno, dest);
          return -1;
        }
    }
#endif

  prefix = _g_tmp_fdio_sibling_prefix (dest);

  return _g_tmp_core_create_file (G_TMP_TEMPLATE_BORROW_AT (dfd, NULL, prefix, NULL, mode),
                                  copy_path, error);
}

/* ------------------------------------------------------------------------ */
/* Modes and owners                                                          */

/* "Umask:\t0022" in /proc/self/status (Linux 4.7); -1 where it is not. */
static gint
read_proc_umask (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;
  guint64 value;
  gchar *end;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;

  line = strstr (status, "\nUmask:");
  if (line == NULL)
    return -1;

  value = g_ascii_strtoull (line + strlen ("\nUmask:"), &end, 8);
  if (end == line + strlen ("\nUmask:") || value > 0777)
    return -1;

  return (gint) value;
}

guint
_g_tmp_fdio_get_umask (void)
{
  gint mask = read_proc_umask ();

  /* The classic way, which changes the umask for an instant: another
   * thread creating a file right then would get 077. */
  if (mask < 0)
    {
      mask = umask (077);
      umask (mask);
    }

  return mask;
}

void
_g_tmp_fdio_dest_attrs (gint           dfd,
                        const gchar   *name,
                        gboolean       no_replace,
                        gboolean       document_mode,
                        GTmpFdioAttrs *attrs)
{
  struct stat st;

  memset (attrs, 0, sizeof *attrs);

  if (no_replace || fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    st.st_mode = 0;

  attrs->dest_is_dir = S_ISDIR (st.st_mode);
  if (S_ISREG (st.st_mode))
    {
      attrs->has_mode = TRUE;
      attrs->mode = st.st_mode & 07777;
      attrs->has_owner = TRUE;
      attrs->uid = st.st_uid;
      attrs->gid = st.st_gid;
      return;
    }

  if (document_mode)
    {
      attrs->has_mode = TRUE;
      attrs->mode = 0666 & ~_g_tmp_fdio_get_umask ();
    }
}

/* fchown() where permitted: the owner only as root (or with CAP_CHOWN),
 * the group also as a member of it. *@got_uid and *@got_gid say which of
 * the two the file now has. */
static gint
apply_owner (gint      fd,
             uid_t     uid,
             gid_t     gid,
             gboolean *got_uid,
             gboolean *got_gid)
{
  if (fchown (fd, uid, gid) == 0)
    return 0;
  *got_uid = FALSE;
  if (errno != EPERM)
    return errno;
  if (fchown (fd, (uid_t) -1, gid) == 0)
    return 0;
  *got_gid = FALSE;
  return errno == EPERM ? 0 : errno;
}

gint
_g_tmp_fdio_apply_attrs (gint                 fd,
                         const GTmpFdioAttrs *attrs,
                         GTmpFdioAttrs       *saved)
{
  gboolean got_uid = TRUE;
  gboolean got_gid = TRUE;
  struct stat st;
  guint mode;
  gint errsv;

  if (!attrs->has_mode && !attrs->has_owner)
    return 0;

  if (fstat (fd, &st) < 0)
    return errno;

  if (saved != NULL)
    {
      saved->has_mode = attrs->has_mode;
      saved->mode = st.st_mode & 07777;
      saved->has_owner = attrs->has_owner;
      saved->uid = st.st_uid;
      saved->gid = st.st_gid;
    }

  /* The owner first: changing it clears the set-id bits the mode may set. */
  if (attrs->has_owner && (st.st_uid != attrs->uid || st.st_gid != attrs->gid))
    {
      errsv = apply_owner (fd, attrs->uid, attrs->gid, &got_uid, &got_gid);
      if (errsv != 0)
        return errsv;
    }

  /* A set-id bit only with the owner or group it was set for: the saver's
   * own file does not become set-user-ID to the saver. */
  mode = attrs->mode;
  if (!got_uid)
    mode &= ~(guint) S_ISUID;
  if (!got_gid)
    mode &= ~(guint) S_ISGID;

  if (attrs->has_mode && (st.st_mode & 07777) != mode && fchmod (fd, mode) < 0)
    {
      errsv = errno;
      if (saved != NULL)
        _g_tmp_fdio_restore_attrs (fd, saved);
      return errsv;
    }

  return 0;
}

void
_g_tmp_fdio_restore_attrs (gint                 fd,
                           const GTmpFdioAttrs *saved)
{
  gint errsv = errno;

  if (saved->has_owner && fchown (fd, saved->uid, saved->gid) < 0)
    {
      /* Not ours to give back (we are no longer root, say): keep going. */
    }
  if (saved->has_mode && fchmod (fd, saved->mode) < 0)
    {
      /* As above. */
    }

  errno = errsv;
}

/* Moves the directory @src to @dest (relative to @dfd); see gtmp-fdio.h. */
gint
_g_tmp_fdio_rename_dir (const gchar        *src,
                        gint                dfd,
                        const gchar        *dest,
                        GTmpFdioRenameMode  mode)
{
#if defined(HAVE_RENAMEAT2) && defined(RENAME_NOREPLACE) && defined(RENAME_EXCHANGE)
  guint flags = mode == G_TMP_FDIO_RENAME_EXCHANGE ? RENAME_EXCHANGE : RENAME_NOREPLACE;
  gint errsv;
#endif

  if (mode == G_TMP_FDIO_RENAME_REPLACE)
    return _g_tmp_fdio_rename (AT_FDCWD, src, dfd, dest, FALSE);

#if defined(HAVE_RENAMEAT2) && defined(RENAME_NOREPLACE) && defined(RENAME_EXCHANGE)
  if (renameat2 (AT_FDCWD, src, dfd, dest, flags) == 0)
    return 0;

  /* No link() fallback as for files: a directory cannot be linked. EINVAL
   * is also what a directory moved into itself gets: the caller tells. */
  errsv = errno;
  return errsv == ENOSYS || errsv == EOPNOTSUPP ? ENOTSUP : errsv;
#else
  return ENOTSUP;
#endif
}
