/* test-i18n.c — error messages come out translated under a German locale
 *
 * The library binds its gettext domain to the installed locale directory
 * when it is loaded. Here the catalogue is the one just built (in
 * $GTEMPFILE_LOCALEDIR, the build tree's po/, laid out as
 * de/LC_MESSAGES/gtempfile.mo), so the test rebinds the domain there, as an
 * uninstalled application would, and then fails for real.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gtempfile-private.h"

#define GERMAN_LOCALE "de_DE.UTF-8"

static gchar *scratch;

static gboolean
german_available (void)
{
  if (setlocale (LC_ALL, GERMAN_LOCALE) == NULL)
    {
      g_test_skip ("the " GERMAN_LOCALE " locale is not installed "
                   "(tools/install-deps generates it)");
      return FALSE;
    }
  return TRUE;
}

/* A creation in a missing directory: "Temporäre Datei konnte nicht in „…“
 * angelegt werden: <German strerror>". */
static void
test_missing_dir (void)
{
  g_autofree gchar *missing = g_build_filename (scratch, "fehlt", NULL);
  g_autofree gchar *expected_file = NULL;
  g_autofree gchar *expected_dir = NULL;
  g_autoptr(GError) error = NULL;
  gchar *path;
  gint fd;

  if (!german_available ())
    return;

  expected_file = g_strdup_printf ("Temporäre Datei konnte nicht in „%s“ angelegt werden: ", missing);
  expected_dir = g_strdup_printf ("Temporäres Verzeichnis konnte nicht in „%s“ angelegt werden: ", missing);

  fd = g_tempfile_mkstemp (missing, NULL, NULL, NULL, &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, expected_file));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  path = g_tempfile_mkdtemp (missing, NULL, NULL, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, expected_dir));
}

/* Messages built from parts (msgctxt "affix") are translated as a whole. */
static void
test_bad_affix (void)
{
  g_autoptr(GError) error = NULL;
  gint fd;

  if (!german_available ())
    return;

  fd = g_tempfile_mkstemp (scratch, "a/b", NULL, NULL, &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Ungültiges Präfix „a/b“: es darf kein „/“ enthalten");
  g_clear_error (&error);

  fd = g_tempfile_mkstemp (scratch, NULL, "/x", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Ungültiges Suffix „/x“: es darf kein „/“ enthalten");
}

/* Back in the C locale the same failure speaks English: the German text
 * above really came from the catalogue, not from the source. */
static void
test_c_locale (void)
{
  g_autofree gchar *missing = g_build_filename (scratch, "missing", NULL);
  g_autofree gchar *expected = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  expected = g_strdup_printf ("Could not create a temporary file in “%s”: ", missing);

  g_assert_cmpint (g_tempfile_mkstemp (missing, NULL, NULL, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, expected));
}

int
main (int   argc,
      char *argv[])
{
  const gchar *localedir = g_getenv ("GTEMPFILE_LOCALEDIR");
  g_autofree gchar *catalogue = NULL;
  g_autoptr(GError) error = NULL;
  gint ret;

  g_test_init (&argc, &argv, NULL);

  /* $LANGUAGE would override the locale for gettext. */
  g_unsetenv ("LANGUAGE");

  g_assert_nonnull (localedir);
  catalogue = g_build_filename (localedir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_test (catalogue, G_FILE_TEST_IS_REGULAR));
  bindtextdomain (GETTEXT_PACKAGE, localedir);

  scratch = g_dir_make_tmp ("gtempfile-test-i18n-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/i18n/german/missing-dir", test_missing_dir);
  g_test_add_func ("/i18n/german/bad-affix", test_bad_affix);
  g_test_add_func ("/i18n/c-locale", test_c_locale);

  ret = g_test_run ();

  g_assert_no_errno (g_rmdir (scratch));
  g_free (scratch);
  return ret;
}
