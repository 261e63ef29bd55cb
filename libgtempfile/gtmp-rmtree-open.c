/* gtmp-rmtree-open.c — how the tree removal opens a directory: never
 * through a link, never into a mount point (gtmp-rmtree.c says why)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#include "gtmp-core.h"
#include "gtmp-rmtree-open.h"

#define EXT2_3_4_SUPER_MAGIC    0xEF53

#if defined(__linux__) && defined(STATX_ATTR_MOUNT_ROOT)
/* Cleared for good when a seccomp filter refuses statx() (glibc emulates it
 * itself on a kernel without it, telling nothing of mount roots). */
static gint statx_usable = TRUE;
#endif

/* fstat() of the directory @fd, and whether it is the root of a mount:
 * statx() (Linux 5.8) tells with STATX_ATTR_MOUNT_ROOT at the cost of the
 * fstat() it replaces; *@mount_root is -1 where nothing tells. Fills
 * st_dev, st_ino and st_mode only. */
static gint
stat_dir (gint         fd,
          struct stat *st,
          gint        *mount_root)
{
  *mount_root = -1;

#if defined(__linux__) && defined(STATX_ATTR_MOUNT_ROOT)
  if (g_atomic_int_get (&statx_usable))
    {
      struct statx stx;

      if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &stx) == 0)
        {
          memset (st, 0, sizeof *st);
          st->st_dev = makedev (stx.stx_dev_major, stx.stx_dev_minor);
          st->st_ino = stx.stx_ino;
          st->st_mode = stx.stx_mode;
          if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0)
            *mount_root = (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
          return 0;
        }
      if (errno != EPERM && errno != ENOSYS)
        return -1;
      g_atomic_int_set (&statx_usable, FALSE);
    }
#endif

  return fstat (fd, st);
}

#ifdef __linux__
/* The mount ID of @fd, from name_to_handle_at() (Linux 2.6.39); FALSE on a
 * file system that gives no file handles. */
static gboolean
get_mount_id (gint  fd,
              gint *id)
{
  union {
    struct file_handle handle;
    gchar              space[sizeof (struct file_handle) + MAX_HANDLE_SZ];
  } buf;

  buf.handle.handle_bytes = MAX_HANDLE_SZ;
  /* EOVERFLOW (a handle larger than any known) has still filled @id. */
  return name_to_handle_at (fd, "", &buf.handle, id, AT_EMPTY_PATH) == 0 ||
         errno == EOVERFLOW;
}
#endif

/* Where neither openat2() nor statx() can tell (before Linux 5.6, or where
 * they are filtered): whether the directory @fd is on another mount than
 * its parent @dirfd, a bind mount of the same file system included, by
 * their mount IDs. Unknown (FALSE) on a file system without file handles:
 * the change of device is then all there is. */
static gboolean
on_another_mount (gint dirfd,
                  gint fd)
{
#ifdef __linux__
  gint parent_id, id;

  if (get_mount_id (dirfd, &parent_id) && get_mount_id (fd, &id))
    return id != parent_id;
#endif

  return FALSE;
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
gint
_g_tmp_rmtree_open_dir_at (gint         dirfd,
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

      how.flags = G_TMP_RMTREE_DIR_OPEN_FLAGS;
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
      fd = openat (dirfd, name, G_TMP_RMTREE_DIR_OPEN_FLAGS);
      if (fd < 0)
        return -1;
      g_atomic_int_set (&openat2_usable, FALSE);
    }
  else
#endif
    {
      fd = openat (dirfd, name, G_TMP_RMTREE_DIR_OPEN_FLAGS);
      if (fd < 0)
        return -1;
    }

  if (stat_dir (fd, st, &mount_root) < 0)
    {
      _g_tmp_core_clear_fd (&fd);
      return -1;
    }
  /* Where the kernel cannot tell a mount root, a change of device or of
   * mount ID can. */
  if (mount_root < 0)
    mount_root = st->st_dev != parent_dev || on_another_mount (dirfd, fd);
  if (mount_root > 0)
    {
      _g_tmp_core_clear_fd (&fd);
      errno = EXDEV;
      return -1;
    }

  return fd;
}

/* Whether the file system of @fd lists directories in an order that makes
 * unlinking in inode order pay: ext2/3/4 (measured in benchmarks/). */
gboolean
_g_tmp_rmtree_unlinks_pay_in_inode_order (gint fd)
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
gint
_g_tmp_rmtree_open_top (gint                  top_dfd,
                        const gchar          *path,
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
          fstatat (top_dfd, path, &at_path, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
      if (mount_root > 0 || st->st_dev != at_path.st_dev || st->st_ino != at_path.st_ino)
        {
          errno = EBUSY;
          return -1;
        }

      fd = openat (dirfd, ".", G_TMP_RMTREE_DIR_OPEN_FLAGS);
      if (fd < 0 && (errno == EACCES || errno == EPERM) && fchmod (dirfd, 0700) == 0)
        fd = openat (dirfd, ".", G_TMP_RMTREE_DIR_OPEN_FLAGS);
      return fd;
    }

  fd = openat (top_dfd, path, G_TMP_RMTREE_DIR_OPEN_FLAGS);
  if (fd < 0 && (errno == EACCES || errno == EPERM) &&
      fchmodat (AT_FDCWD, path, 0700, AT_SYMLINK_NOFOLLOW) == 0)
    fd = openat (top_dfd, path, G_TMP_RMTREE_DIR_OPEN_FLAGS);
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
