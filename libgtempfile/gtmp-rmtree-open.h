/* gtmp-rmtree-open.h — how the tree removal opens a directory (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <glib.h>

#include "gtmp-core.h"

G_BEGIN_DECLS

#define G_TMP_RMTREE_DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* Opens the directory @name in @dirfd (whose device is @parent_dev) and
 * fills @st; -1 with EXDEV for a mount point, nothing under it looked at. */
G_GNUC_INTERNAL
gint      _g_tmp_rmtree_open_dir_at                (gint                  dirfd,
                                                    const gchar          *name,
                                                    dev_t                 parent_dev,
                                                    struct stat          *st);
/* A descriptor of our own for the top of the tree (@path relative to
 * @top_dfd, AT_FDCWD: a path), checked to be ours;
 * -1 with errno set (EBUSY: not our directory). */
G_GNUC_INTERNAL
gint      _g_tmp_rmtree_open_top                   (gint                  top_dfd,
                                                    const gchar          *path,
                                                    gint                  dirfd,
                                                    const GTmpCoreFileId *expected,
                                                    struct stat          *st);
G_GNUC_INTERNAL
gboolean  _g_tmp_rmtree_unlinks_pay_in_inode_order (gint                  fd);

G_END_DECLS
