/* gtmp-template.c — the four construct properties every class shares
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gtmp-template.h"

#define TEMPLATE_FLAGS (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS)

void
_g_tmp_template_init_pspecs (GParamSpec **properties,
                             guint        default_mode)
{
  properties[G_TMP_TEMPLATE_PROP_DIR] =
    g_param_spec_string ("dir", NULL, NULL, NULL, TEMPLATE_FLAGS);
  properties[G_TMP_TEMPLATE_PROP_PREFIX] =
    g_param_spec_string ("prefix", NULL, NULL, NULL, TEMPLATE_FLAGS);
  properties[G_TMP_TEMPLATE_PROP_SUFFIX] =
    g_param_spec_string ("suffix", NULL, NULL, NULL, TEMPLATE_FLAGS);
  properties[G_TMP_TEMPLATE_PROP_MODE] =
    g_param_spec_uint ("mode", NULL, NULL, 0, 07777, default_mode, TEMPLATE_FLAGS);
}

gboolean
_g_tmp_template_get_property (const GTmpTemplate *tmpl,
                              guint               prop_id,
                              GValue             *value)
{
  switch (prop_id)
    {
    case G_TMP_TEMPLATE_PROP_DIR:
      g_value_set_string (value, tmpl->dir);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_PREFIX:
      g_value_set_string (value, tmpl->prefix);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_SUFFIX:
      g_value_set_string (value, tmpl->suffix);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_MODE:
      g_value_set_uint (value, tmpl->mode);
      return TRUE;
    default:
      return FALSE;
    }
}

/* Construct-only: each is set once, before init. */
gboolean
_g_tmp_template_set_property (GTmpTemplate *tmpl,
                              guint         prop_id,
                              const GValue *value)
{
  switch (prop_id)
    {
    case G_TMP_TEMPLATE_PROP_DIR:
      tmpl->dir = g_value_dup_string (value);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_PREFIX:
      tmpl->prefix = g_value_dup_string (value);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_SUFFIX:
      tmpl->suffix = g_value_dup_string (value);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_MODE:
      tmpl->mode = g_value_get_uint (value);
      return TRUE;
    default:
      return FALSE;
    }
}

void
_g_tmp_template_clear (GTmpTemplate *tmpl)
{
  g_clear_pointer (&tmpl->dir, g_free);
  g_clear_pointer (&tmpl->prefix, g_free);
  g_clear_pointer (&tmpl->suffix, g_free);
}

GParamSpec *
_g_tmp_flag_pspec (const gchar *name,
                   gboolean     default_value)
{
  return g_param_spec_boolean (name, NULL, NULL, default_value,
                               (G_PARAM_READWRITE |
                                G_PARAM_EXPLICIT_NOTIFY |
                                G_PARAM_STATIC_STRINGS));
}

void
_g_tmp_flag_set (gpointer    object,
                 gint       *flag,
                 gboolean    value,
                 GParamSpec *pspec)
{
  if (g_atomic_int_exchange (flag, !!value) != !!value)
    g_object_notify_by_pspec (object, pspec);
}

void
_g_tmp_warn_uninitialised (const gchar *func,
                           gpointer     object)
{
  /* g_log(), as g_return_if_fail() reports: g_test_expect_message() sees
   * it, where GLib 2.74 lets a structured g_critical() through. */
  g_log (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
         "%s: this %s is not initialized: g_initable_init() (init() in bindings) "
         "was not called, or failed", func, G_OBJECT_TYPE_NAME (object));
}

/* A new, not yet initialised @type with its template filled in. GObject
 * has set the template's construct properties to their defaults (NULL). */
static gpointer
new_uninitialised (GType             type,
                   GTmpTemplateFunc  template_of,
                   const gchar      *dir,
                   const gchar      *prefix,
                   const gchar      *suffix)
{
  gpointer object = g_object_new (type, NULL);
  GTmpTemplate *tmpl = template_of (object);

  tmpl->dir = g_strdup (dir);
  tmpl->prefix = g_strdup (prefix);
  tmpl->suffix = g_strdup (suffix);

  return object;
}

gpointer
_g_tmp_new (GType              type,
            GTmpTemplateFunc   template_of,
            const gchar       *dir,
            const gchar       *prefix,
            const gchar       *suffix,
            GError           **error)
{
  gpointer object = new_uninitialised (type, template_of, dir, prefix, suffix);

  if (!g_initable_init (object, NULL, error))
    g_clear_object (&object);

  return object;
}

static void
new_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_initable_init (task_data, cancellable, &error))
    g_task_return_pointer (task, g_object_ref (task_data), g_object_unref);
  else
    g_task_return_error (task, error);
}

/* Our own task rather than g_async_initable_new_async()'s, so that the
 * _finish function can tell its results by their source tag. */
void
_g_tmp_new_async (GType                type,
                  GTmpTemplateFunc     template_of,
                  const gchar         *dir,
                  const gchar         *prefix,
                  const gchar         *suffix,
                  gboolean             object_is_source,
                  int                  io_priority,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  GObject *object;
  g_autoptr(GTask) task = NULL;

  object = new_uninitialised (type, template_of, dir, prefix, suffix);

  task = g_task_new (object_is_source ? object : NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, object, g_object_unref);
  g_task_run_in_thread (task, new_thread);
}

gpointer
_g_tmp_new_finish (GAsyncResult  *result,
                   gpointer       source_tag,
                   GError       **error)
{
  g_return_val_if_fail (_g_tmp_task_is_ours (result, NULL, source_tag), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
