/* gtmp-sweep.h — removal of a directory's stale temporary entries (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gtmp-core.h"

G_BEGIN_DECLS

/* The longest random part a name may have (the "random-length" property). */
#define G_TMP_SWEEP_MAX_RANDOM_CHARS 128

/* Removes the entries of @dir (absolute; not a symbolic link itself) named
 * @prefix, @random_length characters of the name alphabet and @suffix
 * (prefix, suffix nullable: defaults as in DESIGN.md; length 0: 8), owned
 * by this process's effective user and last modified at least @min_age
 * microseconds ago: regular files unlinked, directories removed as trees
 * (gtmp-rmtree.h). Nothing else is touched, a symbolic link of that shape
 * included. Returns how many entries were removed, or -1 with @error set:
 * bad arguments, @dir not opened, cancellation, or the first entry that
 * could not be removed (the others are still tried). */
G_GNUC_INTERNAL
gint      _g_tmp_sweep                (const gchar    *dir,
                                       const gchar    *prefix,
                                       const gchar    *suffix,
                                       guint           random_length,
                                       GTimeSpan       min_age,
                                       GCancellable   *cancellable,
                                       GError        **error);

G_END_DECLS
