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

#include <sys/types.h>

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
 * Returns 0 or an errno value; ENOTSUP when no link is possible here.
 * *@spent becomes TRUE when @fd was linked and that link removed again (the
 * rename failed): the kernel never links such a file again (ENOENT). */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_link_into_place (gint           fd,
                                       gint           dfd,
                                       const gchar   *dest,
                                       gboolean       no_replace,
                                       gboolean      *spent);

/* Moves the named file @src (relative to @src_dfd) to @dest (relative to
 * @dfd); with @no_replace renameat2(RENAME_NOREPLACE), else
 * link()+unlink(). Returns 0 or an errno value. */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_rename          (gint           src_dfd,
                                       const gchar   *src,
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

/* fsync() of @dfd, the directory @dest was just saved into: the one
 * failure after a persist's point of no return, so the message says
 * @dest was saved (for a file and a directory alike). */
G_GNUC_INTERNAL
gboolean  _g_tmp_fdio_sync_dir        (gint           dfd,
                                       const gchar   *dest,
                                       GError       **error);

/* A new file in @dfd, @dest's directory, to copy into: anonymous
 * (O_TMPFILE), so that a crash during the copy leaves nothing behind,
 * where the file system allows it (and has not refused it lately, as for
 * anonymous files) and /proc can link it later; otherwise with a hidden
 * name beside @dest, returned in @copy_path relative to
 * @dfd (the caller removes it on failure). Returns the descriptor or -1
 * with @error set. */
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

/* What a persisted file takes on: the mode (permission bits) and owner of
 * the regular file it replaces, or a mode of its own for a new name. */
typedef struct
{
  gboolean has_mode;
  guint    mode;
  gboolean has_owner;
  uid_t    uid;
  gid_t    gid;
  /* The destination is a directory (which no file can replace). */
  gboolean dest_is_dir;
} GTmpFdioAttrs;

/* What @name in @dfd gives a file that replaces it (as g_file_replace()
 * keeps them): a regular file its mode, owner and group; anything else
 * (missing, a symbolic link, a directory) nothing, and then, with
 * @document_mode, the mode 0666 & ~umask. One fstatat() that does not
 * follow a symbolic link; skipped with @no_replace. */
G_GNUC_INTERNAL
void      _g_tmp_fdio_dest_attrs      (gint           dfd,
                                       const gchar   *name,
                                       gboolean       no_replace,
                                       gboolean       document_mode,
                                       GTmpFdioAttrs *attrs);

/* Gives @fd @attrs: owner and group where permitted (EPERM is not an
 * error: as for g_file_replace(), the file is saved all the same), then
 * the mode. @saved (nullable) receives what @fd had, for
 * _g_tmp_fdio_restore_attrs(). 0 or an errno value. */
G_GNUC_INTERNAL
gint      _g_tmp_fdio_apply_attrs     (gint                 fd,
                                       const GTmpFdioAttrs *attrs,
                                       GTmpFdioAttrs       *saved);

/* Undoes _g_tmp_fdio_apply_attrs() with what it saved (best effort). */
G_GNUC_INTERNAL
void      _g_tmp_fdio_restore_attrs   (gint                 fd,
                                       const GTmpFdioAttrs *saved);

/* The process's umask, read without changing it where the system tells
 * it (/proc/self/status); elsewhere set and restored at once. */
G_GNUC_INTERNAL
guint     _g_tmp_fdio_get_umask       (void);

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
