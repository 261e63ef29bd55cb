/* gtmp-template.h — the construct properties every class shares
 * (private)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gtmp-core.h"

G_BEGIN_DECLS

/* A GTmpTemplate (gtmp-core.h) is the "dir", "prefix", "suffix", "mode",
 * "random-length" and "dir-fd" construct-only properties, the first of
 * the class's: its own property ids start at G_TMP_TEMPLATE_N_PROPS. */
enum
{
  G_TMP_TEMPLATE_PROP_DIR = 1,
  G_TMP_TEMPLATE_PROP_PREFIX,
  G_TMP_TEMPLATE_PROP_SUFFIX,
  G_TMP_TEMPLATE_PROP_MODE,
  G_TMP_TEMPLATE_PROP_RANDOM_LENGTH,
  G_TMP_TEMPLATE_PROP_DIR_FD,
  G_TMP_TEMPLATE_N_PROPS
};

/* Fills @properties[G_TMP_TEMPLATE_PROP_DIR … _DIR_FD]; the class installs
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
                                        const GValue        *value,
                                        GParamSpec          *pspec);
/* Frees the strings and closes the template's own descriptor. */
G_GNUC_INTERNAL
void      _g_tmp_template_clear        (GTmpTemplate        *tmpl);

/* Makes @dfd (a directory descriptor, or AT_FDCWD) the template's: a
 * duplicate of its own (F_DUPFD_CLOEXEC). FALSE with errno set. */
G_GNUC_INTERNAL
gboolean  _g_tmp_template_take_dup    (GTmpTemplate        *tmpl,
                                        gint                 dfd);

/* Where an object made from @tmpl creates its named file or directory,
 * and removes it from later. Without a descriptor: *@at is @tmpl, *@parent
 * -1, *@dir NULL. With one: *@at creates in the very directory (@tmpl's
 * "dir" opened below the descriptor, which *@parent then owns, or the
 * descriptor itself with *@parent -1), by a name relative to it, and *@dir
 * is that directory's absolute path from /proc (NOT_SUPPORTED where it
 * cannot be known: nothing is created then). */
G_GNUC_INTERNAL
gboolean  _g_tmp_template_resolve_at   (const GTmpTemplate  *tmpl,
                                        GTmpTemplate        *at,
                                        gint                *parent,
                                        gchar              **dir,
                                        GError             **error);

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

/* For a call that has no GError, made on an object that was never
 * initialised (a programmer error): says so in a critical warning, naming
 * @func and the object's type. */
G_GNUC_INTERNAL
void      _g_tmp_warn_uninitialised    (const gchar         *func,
                                        gpointer             object);

/* Where an instance of a class keeps its template. */
typedef GTmpTemplate *(*GTmpTemplateFunc) (gpointer object);
/* The class's GInitable.init. */
typedef gboolean (*GTmpInitFunc) (GInitable     *initable,
                                  GCancellable  *cancellable,
                                  GError       **error);

/* The one way the classes are constructed, as g_initable_new() of @type
 * with the template's construct properties would, without GObject's
 * per-property cost: a new @type, its template (found by @template_of)
 * filled in from @tmpl (borrowed; its strings are copied, a mode or
 * random_length of 0 leaves the class's default; a dfd ≥ 0 is duplicated),
 * then its GInitable.init @init, called directly: the type is our own, so
 * g_initable_init()'s check and interface look-up (~210 instructions)
 * would find nothing else. */
G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
gpointer  _g_tmp_new                   (GType                type,
                                        GTmpTemplateFunc     template_of,
                                        GTmpInitFunc         init,
                                        const GTmpTemplate  *tmpl,
                                        GError             **error);

/* The same in a worker thread: a GTask tagged @source_tag whose result is
 * the object (pointer, transfer full) and whose source object is the
 * object itself if @object_is_source, else NULL. */
G_GNUC_INTERNAL
void      _g_tmp_new_async             (GType                type,
                                        GTmpTemplateFunc     template_of,
                                        const GTmpTemplate  *tmpl,
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
 * set. A @result that is not the task of @source_tag is a programmer
 * error, whose critical names the caller, the public _finish. */
#define _g_tmp_new_finish(result, source_tag, error) \
  _g_tmp_new_finish_for ((result), (source_tag), G_STRFUNC, (error))

G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
gpointer  _g_tmp_new_finish_for        (GAsyncResult        *result,
                                        gpointer             source_tag,
                                        const gchar         *caller,
                                        GError             **error);

/* Ends @task with @ret: TRUE, or @error (taken) when @ret is FALSE. */
G_GNUC_INTERNAL
void      _g_tmp_task_return_boolean   (GTask               *task,
                                        gboolean             ret,
                                        GError              *error);

/* A GTask of @source_object tagged @source_tag for an operation that
 * reports cancellation itself (GTask does not check @cancellable): one
 * that has finished, or changed something for good, must not be
 * reported as cancelled by a cancel that comes after. */
G_GNUC_INTERNAL G_GNUC_WARN_UNUSED_RESULT
GTask    *_g_tmp_task_new              (gpointer             source_object,
                                        gpointer             source_tag,
                                        int                  io_priority,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

/* Runs @thread with @task_data (freed by @task_data_free) in a worker
 * task of @task's source object, cancellable and priority, whose end
 * comes back to the caller's context before the caller hears of it:
 * @done gets @task (taken) as user data and ends it with
 * _g_tmp_task_return_from(). */
G_GNUC_INTERNAL
void      _g_tmp_run_in_worker         (GTask               *task,
                                        GTaskThreadFunc      thread,
                                        gpointer             task_data,
                                        GDestroyNotify       task_data_free,
                                        GAsyncReadyCallback  done);

/* In the @done of _g_tmp_run_in_worker(): ends the caller's @task
 * (taken) with the worker's @result. */
G_GNUC_INTERNAL
void      _g_tmp_task_return_from      (GTask               *task,
                                        GAsyncResult        *result);

/* The _finish of a method's boolean GTask: @result is @self's, tagged
 * @source_tag; its value, or FALSE with @error set. A foreign @result is a
 * programmer error, whose critical names the caller, the public _finish. */
#define _g_tmp_finish_boolean(self, result, source_tag, error) \
  _g_tmp_finish_boolean_for ((self), (result), (source_tag), G_STRFUNC, (error))

G_GNUC_INTERNAL
gboolean  _g_tmp_finish_boolean_for    (gpointer             self,
                                        GAsyncResult        *result,
                                        gpointer             source_tag,
                                        const gchar         *caller,
                                        GError             **error);

G_END_DECLS
