/* gtmp-template.h — the four construct properties every class shares
 * (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gtmp-core.h"

G_BEGIN_DECLS

/* A GTmpTemplate (gtmp-core.h) is the "dir", "prefix", "suffix" and "mode"
 * construct-only properties, the first of the class's: its own property
 * ids start at G_TMP_TEMPLATE_N_PROPS. */
enum
{
  G_TMP_TEMPLATE_PROP_DIR = 1,
  G_TMP_TEMPLATE_PROP_PREFIX,
  G_TMP_TEMPLATE_PROP_SUFFIX,
  G_TMP_TEMPLATE_PROP_MODE,
  G_TMP_TEMPLATE_N_PROPS
};

/* Fills @properties[G_TMP_TEMPLATE_PROP_DIR … _MODE]; the class installs
 * the whole array and documents the properties. */
G_GNUC_INTERNAL
void      _g_tmp_template_init_pspecs  (GParamSpec         **properties,
                                        guint                default_mode);
/* FALSE when @prop_id is not one of the template's. */
G_GNUC_INTERNAL
gboolean  _g_tmp_template_get_property (const GTmpTemplate  *tmpl,
                                        guint                prop_id,
                                        GValue              *value);
G_GNUC_INTERNAL
gboolean  _g_tmp_template_set_property (GTmpTemplate        *tmpl,
                                        guint                prop_id,
                                        const GValue        *value);
G_GNUC_INTERNAL
void      _g_tmp_template_clear        (GTmpTemplate        *tmpl);

/* A boolean property that may change after construction: readable,
 * writable, notified only when it changes (with _g_tmp_flag_set()). */
G_GNUC_INTERNAL
GParamSpec *_g_tmp_flag_pspec          (const gchar         *name,
                                        gboolean             default_value);
/* Sets *@flag atomically to @value and notifies @pspec on @object when that
 * changed it. */
G_GNUC_INTERNAL
void      _g_tmp_flag_set              (gpointer             object,
                                        gint                *flag,
                                        gboolean             value,
                                        GParamSpec          *pspec);

/* Where an instance of a class keeps its template. */
typedef GTmpTemplate *(*GTmpTemplateFunc) (gpointer object);
/* The class's GInitable.init. */
typedef gboolean (*GTmpInitFunc) (GInitable     *initable,
                                  GCancellable  *cancellable,
                                  GError       **error);

/* The one way the classes are constructed, as g_initable_new() of @type
 * with the template's construct properties would, without GObject's
 * per-property cost: a new @type, its template (found by @template_of)
 * filled in, then its GInitable.init @init, called directly: the type is
 * our own, so g_initable_init()'s check and interface look-up (~210
 * instructions) would find nothing else. */
G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
gpointer  _g_tmp_new                   (GType                type,
                                        GTmpTemplateFunc     template_of,
                                        GTmpInitFunc         init,
                                        const gchar         *dir,
                                        const gchar         *prefix,
                                        const gchar         *suffix,
                                        GError             **error);

/* The same in a worker thread: a GTask tagged @source_tag whose result is
 * the object (pointer, transfer full) and whose source object is the
 * object itself if @object_is_source, else NULL. */
G_GNUC_INTERNAL
void      _g_tmp_new_async             (GType                type,
                                        GTmpTemplateFunc     template_of,
                                        const gchar         *dir,
                                        const gchar         *prefix,
                                        const gchar         *suffix,
                                        gboolean             object_is_source,
                                        int                  io_priority,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data,
                                        gpointer             source_tag);

/* The one check of the _finish functions: @result is a GTask of
 * @source_tag (and of @source_object, unless that is NULL). */
static inline gboolean
_g_tmp_task_is_ours (GAsyncResult *result,
                     gpointer      source_object,
                     gpointer      source_tag)
{
  return G_IS_TASK (result) &&
         (source_object == NULL ||
          g_task_get_source_object (G_TASK (result)) == source_object) &&
         g_task_get_source_tag (G_TASK (result)) == source_tag;
}

/* The _finish of _g_tmp_new_async(): the new object, or NULL with @error
 * set. */
G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
gpointer  _g_tmp_new_finish            (GAsyncResult        *result,
                                        gpointer             source_tag,
                                        GError             **error);

/* The _finish of a method's boolean GTask: @result is @self's, tagged
 * @source_tag; its value, or FALSE with @error set. */
G_GNUC_INTERNAL
gboolean  _g_tmp_finish_boolean        (gpointer             self,
                                        GAsyncResult        *result,
                                        gpointer             source_tag,
                                        GError             **error);

G_END_DECLS
