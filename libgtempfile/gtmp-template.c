/* gtmp-template.c — the construct properties every class shares
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gtmp-template.h"

#define TEMPLATE_FLAGS (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | \
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

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
  properties[G_TMP_TEMPLATE_PROP_RANDOM_LENGTH] =
    g_param_spec_uint ("random-length", NULL, NULL,
                       G_TMP_CORE_MIN_RANDOM_CHARS, G_TMP_CORE_MAX_RANDOM_CHARS,
                       G_TMP_CORE_RANDOM_CHARS, TEMPLATE_FLAGS);
  properties[G_TMP_TEMPLATE_PROP_DIR_FD] =
    g_param_spec_int ("dir-fd", NULL, NULL, -1, G_MAXINT, -1, TEMPLATE_FLAGS);
}

gboolean
_g_tmp_template_take_dup (GTmpTemplate *tmpl,
                          gint          dfd)
{
  if (tmpl->dfd >= 0)
    _g_tmp_core_clear_fd (&tmpl->dfd);

  if (dfd < 0)
    {
      tmpl->dfd = AT_FDCWD;
      return TRUE;
    }

  /* Above the standard streams, so that a caller's dup2() onto 0-2 never
   * meets ours. */
  tmpl->dfd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  if (tmpl->dfd < 0)
    {
      tmpl->dfd = G_TMP_TEMPLATE_DFD_INVALID;
      return FALSE;
    }

  return TRUE;
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
    case G_TMP_TEMPLATE_PROP_RANDOM_LENGTH:
      g_value_set_uint (value, tmpl->random_length != 0 ? tmpl->random_length
                                                        : G_TMP_CORE_RANDOM_CHARS);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_DIR_FD:
      g_value_set_int (value, tmpl->dfd >= 0 ? tmpl->dfd : -1);
      return TRUE;
    default:
      return FALSE;
    }
}

/* Construct-only: each is set once, before init. */
gboolean
_g_tmp_template_set_property (GTmpTemplate *tmpl,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
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
      /* 0 is the class's default: read back as the mode used. */
      tmpl->mode = g_value_get_uint (value);
      if (tmpl->mode == 0)
        tmpl->mode = G_PARAM_SPEC_UINT (pspec)->default_value;
      return TRUE;
    case G_TMP_TEMPLATE_PROP_RANDOM_LENGTH:
      tmpl->random_length = g_value_get_uint (value);
      return TRUE;
    case G_TMP_TEMPLATE_PROP_DIR_FD:
      /* A failed duplicate fails the creation (EBADF), in init. */
      _g_tmp_template_take_dup (tmpl, g_value_get_int (value));
      return TRUE;
    default:
      return FALSE;
    }
}

void
_g_tmp_template_clear (GTmpTemplate *tmpl)
{
  if (tmpl->dfd >= 0)
    _g_tmp_core_clear_fd (&tmpl->dfd);

  g_clear_pointer (&tmpl->dir, g_free);
  g_clear_pointer (&tmpl->prefix, g_free);
  g_clear_pointer (&tmpl->suffix, g_free);
}

gboolean
_g_tmp_template_resolve_at (const GTmpTemplate  *tmpl,
                            GTmpTemplate        *at,
                            gint                *parent,
                            gchar              **dir,
                            GError             **error)
{
  *at = *tmpl;
  *parent = -1;
  *dir = NULL;

  if (!G_TMP_TEMPLATE_HAS_DFD (tmpl))
    return TRUE;

  if (tmpl->dir != NULL)
    {
      *parent = _g_tmp_core_open_template_dir (tmpl, error);
      if (*parent < 0)
        return FALSE;
    }

  at->dfd = *parent >= 0 ? *parent : tmpl->dfd;
  at->dir = NULL;
  *dir = _g_tmp_core_fd_path (at->dfd, NULL);
  if (*dir == NULL)
    {
      g_autofree gchar *display = g_filename_display_name (tmpl->dir != NULL ? tmpl->dir : ".");

      /* Only a relative name is known: say relative to what, and why. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Could not create in “%s” relative to directory descriptor %d: "
                     "its absolute path, which the object must give, cannot be "
                     "found without /proc"),
                   display, tmpl->dfd);
      _g_tmp_core_clear_fd (parent);
      return FALSE;
    }

  return TRUE;
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

/* A new, not yet initialised @type with its template filled in from
 * @from. GObject has set the template's construct properties to their
 * defaults (NULL strings, the class's mode, 8 random characters); a mode or
 * length of 0 keeps those. An out-of-range length is kept as it is, for
 * the creating call to report (spooled files create nothing here). */
static gpointer
new_uninitialised (GType               type,
                   GTmpTemplateFunc    template_of,
                   const GTmpTemplate *from)
{
  gpointer object = g_object_new (type, NULL);
  GTmpTemplate *tmpl = template_of (object);

  tmpl->dir = g_strdup (from->dir);
  tmpl->prefix = g_strdup (from->prefix);
  tmpl->suffix = g_strdup (from->suffix);
  if (from->mode != 0)
    tmpl->mode = from->mode;
  if (from->random_length != 0)
    tmpl->random_length = from->random_length;

  return object;
}

gpointer
_g_tmp_new (GType                type,
            GTmpTemplateFunc     template_of,
            GTmpInitFunc         init,
            const GTmpTemplate  *from,
            GError             **error)
{
  gpointer object = new_uninitialised (type, template_of, from);

  if (G_TMP_TEMPLATE_HAS_DFD (from) &&
      !_g_tmp_template_take_dup (template_of (object), from->dfd))
    {
      gint errsv = errno;

      /* Translators: %d is a file descriptor number. */
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not use the directory descriptor %d: %s"),
                   from->dfd, g_strerror (errsv));
      g_object_unref (object);
      return NULL;
    }

  if (!init (object, NULL, error))
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
                  const GTmpTemplate  *tmpl,
                  gboolean             object_is_source,
                  int                  io_priority,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  GObject *object;
  g_autoptr(GTask) task = NULL;

  object = new_uninitialised (type, template_of, tmpl);

  task = g_task_new (object_is_source ? object : NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, object, g_object_unref);
  g_task_run_in_thread (task, new_thread);
}

/* Whether @result is the task the _async of @caller made (for @source,
 * with @source_tag) and @error is empty; if not, the critical that
 * g_return_val_if_fail() in @caller itself would log, so that it names the
 * public function the programmer called. */
static gboolean
finish_args_valid (GAsyncResult  *result,
                   gpointer       source,
                   gpointer       source_tag,
                   const gchar   *caller,
                   GError       **error)
{
  if G_UNLIKELY (!_g_tmp_task_is_ours (result, source, source_tag))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, caller,
                                "result is the GAsyncResult of the matching _async call");
      return FALSE;
    }
  if G_UNLIKELY (error != NULL && *error != NULL)
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, caller, "error == NULL || *error == NULL");
      return FALSE;
    }
  return TRUE;
}

gpointer
_g_tmp_new_finish_for (GAsyncResult  *result,
                       gpointer       source_tag,
                       const gchar   *caller,
                       GError       **error)
{
  if (!finish_args_valid (result, NULL, source_tag, caller, error))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
_g_tmp_finish_boolean_for (gpointer       self,
                           GAsyncResult  *result,
                           gpointer       source_tag,
                           const gchar   *caller,
                           GError       **error)
{
  if (!finish_args_valid (result, self, source_tag, caller, error))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_g_tmp_task_return_boolean (GTask    *task,
                            gboolean  ret,
                            GError   *error)
{
  if (ret)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

GTask *
_g_tmp_task_new (gpointer             source_object,
                 gpointer             source_tag,
                 int                  io_priority,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  g_task_set_check_cancellable (task, FALSE);

  return task;
}

void
_g_tmp_run_in_worker (GTask               *task,
                      GTaskThreadFunc      thread,
                      gpointer             task_data,
                      GDestroyNotify       task_data_free,
                      GAsyncReadyCallback  done)
{
  g_autoptr(GTask) worker = NULL;

  worker = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task),
                       done, task);
  g_task_set_source_tag (worker, thread);
  g_task_set_priority (worker, g_task_get_priority (task));
  g_task_set_task_data (worker, task_data, task_data_free);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_run_in_thread (worker, thread);
}

void
_g_tmp_task_return_from (GTask        *task,
                         GAsyncResult *result)
{
  GError *error = NULL;
  gboolean ret = g_task_propagate_boolean (G_TASK (result), &error);

  _g_tmp_task_return_boolean (task, ret, error);
  g_object_unref (task);
}
