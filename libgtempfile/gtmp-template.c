/* gtmp-template.c — the four construct properties every class shares
 *
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
