/* gtmp-fdio.h — descriptor-level helpers of persist (private)
 *
 * Linking an anonymous file into place, renaming with or without
 * replacing, copying between descriptors and flushing to disk, in the
 * manner of libglnx's glnx-fdio.c: descriptors, paths and GError only,
 * nothing of the classes.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A hidden name prefix beside @dest for a file that is renamed over @dest
 * later: recognisably related to @dest, short enough for NAME_MAX. */
G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
gchar    *_g_tmp_fdio_sibling_prefix  (const gchar   *dest);

/* @dest's directory joined with the sibling prefix and random characters;
 * NULL with errno set when no random name could be drawn. */
G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
gchar    *_g_tmp_fdio_sibling_path    (const gchar   *dest);

/* Gives the anonymous (O_TMPFILE) file @fd the name @dest, relative to
 * @dfd: linkat() through /proc/self/fd, else AT_EMPTY_PATH. Without
 * @no_replace an existing @dest is replaced (link beside it, then rename).
 * Returns 0 or an errno value; ENOTSUP when no link is possible here. */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_link_into_place (gint           fd,
                                       gint           dfd,
                                       const gchar   *dest,
                                       gboolean       no_replace);

/* Moves the named file @src to @dest (relative to @dfd); with
 * @no_replace renameat2(RENAME_NOREPLACE), else link()+unlink(). Returns 0
 * or an errno value. */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_rename          (const gchar   *src,
                                       gint           dfd,
                                       const gchar   *dest,
                                       gboolean       no_replace);

/* Copies all of @src_fd into @dest_fd (copy_file_range(), else through a
 * buffer); both positions stay where they are. Errors name @dest. */
G_GNUC_INTERNAL
gboolean  _g_tmp_fdio_copy            (gint           src_fd,
                                       gint           dest_fd,
                                       const gchar   *dest,
                                       GCancellable  *cancellable,
                                       GError       **error);

/* fsync() of @fd (file or directory); errors name @dest. */
G_GNUC_INTERNAL
gboolean  _g_tmp_fdio_sync            (gint           fd,
                                       const gchar   *dest,
                                       GError       **error);

/* A new file in @dfd, @dest's directory, to copy into: anonymous
 * (O_TMPFILE), so that a crash during the copy leaves nothing behind,
 * where the file system allows it and /proc can link it later; otherwise
 * with a hidden name beside @dest, returned in @copy_path (the caller
 * removes it on failure). Returns the descriptor or -1 with @error set. */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_open_copy       (gint           dfd,
                                       const gchar   *dest,
                                       guint          mode,
                                       gchar        **copy_path,
                                       GError       **error);

/* "Could not copy the temporary file to @dest", from @errsv. */
G_GNUC_INTERNAL
void      _g_tmp_fdio_set_copy_error  (GError       **error,
                                       gint           errsv,
                                       const gchar   *dest);

/* How _g_tmp_fdio_rename_dir() treats what is at the destination. */
typedef enum
{
  G_TMP_FDIO_RENAME_REPLACE,    /* rename(): replaces an empty directory */
  G_TMP_FDIO_RENAME_NO_REPLACE, /* renameat2(RENAME_NOREPLACE) */
  G_TMP_FDIO_RENAME_EXCHANGE,   /* renameat2(RENAME_EXCHANGE) */
} GTmpFdioRenameMode;

/* Moves the directory @src to @dest (relative to @dfd) as @mode says.
 * Returns 0 or an errno value; ENOTSUP where the system has no such
 * renameat2() flag (EINVAL may say the same of a file system, or that
 * @dest is inside @src: the caller tells them apart). */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_rename_dir      (const gchar        *src,
                                       gint                dfd,
                                       const gchar        *dest,
                                       GTmpFdioRenameMode  mode);

G_END_DECLS
