/* gtmp-tempdir.h — the default temporary directory (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The default directory: the first usable of $TMPDIR, $TEMP, $TMP, /tmp,
 * /var/tmp, /usr/tmp and the cwd, searched once and cached (thread- and
 * fork-safe). Behind g_tempfile_get_tempdir(). */
G_GNUC_INTERNAL
gchar    *_g_tmp_core_get_tempdir      (GError           **error);

/* Replaces the cached default directory (@dir made absolute now); NULL
 * searches again on next use. Behind g_tempfile_set_tempdir(). */
G_GNUC_INTERNAL
void      _g_tmp_core_set_tempdir      (const gchar       *dir);

/* NULL → _g_tmp_core_get_tempdir(); relative → absolute against the cwd now. */
G_GNUC_INTERNAL
gchar    *_g_tmp_core_resolve_dir      (const gchar       *dir,
                                        GError           **error);

G_END_DECLS
