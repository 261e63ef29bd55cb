/* gtmp-rmtree.c — removal of a directory tree
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gtmp-core.h"
#include "gtmp-rmtree.h"
#include "gtmp-rmtree-open.h"
#include "gtmp-testing.h"

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
 * statx() that says whether it is the root of a mount (Linux 5.8); before
 * that, the mount IDs of the directory and its parent tell (two system
 * calls more), and on other systems only a change of device does. A mount
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

#define MAX_OPEN_LEVELS 32

#define UNLINK_BATCH_MAX        131072
#define UNLINK_BATCH_NAMES_MAX  (4 * 1024 * 1024)

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
  gboolean      ignore_errors; /* go on past a failed entry */
  GCancellable *cancellable;
  gboolean      cancelled;
  gboolean      stop;
  GError       *error;    /* the first error */
  /* The top directory is @top_name in @top_parent (AT_FDCWD: a path). */
  gint          top_parent;
  const gchar  *top_name;

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

/* Opens the subdirectory @name of the current level with
 * _g_tmp_rmtree_open_dir_at() (EXDEV: a mount point); on EACCES/EPERM
 * makes the current directory searchable and @name readable (never
 * through a link), on EMFILE gives back a shallow stream, and tries
 * again. */
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
      fd = _g_tmp_rmtree_open_dir_at (parentfd, name, level->dev, st);
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

static GTmpCoreHook batch_hook;
static guint batch_max_files = UNLINK_BATCH_MAX;
static gsize batch_max_name_bytes = UNLINK_BATCH_NAMES_MAX;

void
_g_tmp_rmtree_set_batch_hook (GTmpRmtreeBatchHook hook,
                            gpointer          user_data)
{
  _g_tmp_core_hook_set (&batch_hook, G_CALLBACK (hook), user_data);
}

void
_g_tmp_rmtree_set_batch_limits (guint max_files,
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
  GTmpRmtreeBatchHook hook;

  if (batch == NULL || batch->len == 0)
    return;

  g_array_sort (batch, batch_entry_by_inode);

  hook = (GTmpRmtreeBatchHook) g_atomic_pointer_get (&batch_hook.func);
  if G_UNLIKELY (hook != NULL)
    hook (dirfd (walk_top (walk)->dir), batch_hook.data);

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

  fd = openat (childfd, "..", G_TMP_RMTREE_DIR_OPEN_FLAGS);
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
          gint next = _g_tmp_rmtree_open_dir_at (cur, name, above->dev, &st);
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

/* rmdir() of @name in @parent_fd: by path for AT_FDCWD, the one system
 * call of an empty GTmpDir's cleanup. */
static gint
rmdir_at (gint         parent_fd,
          const gchar *name)
{
  return parent_fd == AT_FDCWD ? rmdir (name) : unlinkat (parent_fd, name, AT_REMOVEDIR);
}

/* The current level has been read to its end: remove the directory itself,
 * or read it again if entries were skipped. */
static void
finish_level (RemoveWalk *walk)
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
           : rmdir_at (walk->top_parent, walk->top_name)) == 0)
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
walk_tree (RemoveWalk *walk)
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
          finish_level (walk);
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

gboolean
_g_tmp_rmtree_remove (const gchar       *path,
                      gint               dirfd,
                      GTmpRmtreeErrors   ignore_errors,
                      GCancellable      *cancellable,
                      GError           **error)
{
  return _g_tmp_rmtree_remove_full (path, dirfd, NULL, ignore_errors,
                                    cancellable, error);
}

gboolean
_g_tmp_rmtree_remove_full (const gchar           *path,
                           gint                   dirfd,
                           const GTmpCoreFileId  *expected,
                           GTmpRmtreeErrors       ignore_errors,
                           GCancellable          *cancellable,
                           GError               **error)
{
  return _g_tmp_rmtree_remove_at (AT_FDCWD, path, path, dirfd, expected, ignore_errors,
                                  cancellable, error);
}

gboolean
_g_tmp_rmtree_remove_at (gint                   parent_fd,
                         const gchar           *name,
                         const gchar           *path,
                         gint                   dirfd,
                         const GTmpCoreFileId  *expected,
                         GTmpRmtreeErrors       ignore_errors,
                         GCancellable          *cancellable,
                         GError               **error)
{
  RemoveWalk walk = { NULL, NULL, 1, ignore_errors != G_TMP_RMTREE_STOP, cancellable,
                      FALSE, FALSE, NULL, parent_fd, name };
  Level top = { NULL, 0, 0, 0, 0, NULL, FALSE, FALSE };
  struct stat st;
  gint errsv;
  gint fd = -1;

  g_return_val_if_fail (name != NULL && path != NULL, FALSE);

  /* An empty directory costs one rmdir and nothing more. */
  if (rmdir_at (parent_fd, name) == 0 || errno == ENOENT)
    return TRUE;

  /* EACCES/EPERM: the parent is not ours to write, but what is inside may
   * be; remove that and report the top at the end. */
  errsv = errno;
  if (errsv == ENOTEMPTY || errsv == EEXIST || errsv == EACCES || errsv == EPERM)
    {
      fd = _g_tmp_rmtree_open_top (parent_fd, name, dirfd, expected, &st);
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
      if (ignore_errors == G_TMP_RMTREE_IGNORE)
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
  if (g_atomic_pointer_get (&batch_hook.func) != NULL ||
      _g_tmp_rmtree_unlinks_pay_in_inode_order (fd))
    {
      walk.batch = g_array_new (FALSE, FALSE, sizeof (BatchEntry));
      walk.batch_names = g_string_new (NULL);
    }

  walk_tree (&walk);

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

  if (walk.error != NULL && ignore_errors != G_TMP_RMTREE_IGNORE)
    {
      g_propagate_error (error, walk.error);
      return FALSE;
    }

  g_clear_error (&walk.error);
  return TRUE;
}
