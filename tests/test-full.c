/* test-full.c — what the classes' constructors share
 *
 * For the _full() constructors: the mode asked for, through the umask; the
 * length of the random part; lengths out of 8..128 refused. For all: a
 * directory they may not write to. Each class's suite adds these cases for
 * its class (g_test_add_data_func(), the #TestFileClass as data).
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"

/* The _full() constructor of @klass; a spooled file holds 64 bytes in
 * memory. */
static GObject *
new_full (TestFileClass   klass,
          const gchar    *dir,
          const gchar    *prefix,
          const gchar    *suffix,
          guint           mode,
          guint           random_length,
          GError        **error)
{
  switch (klass)
    {
    case TEST_CLASS_TMP_FILE:
      return G_OBJECT (g_tmp_file_new_full (dir, prefix, suffix, mode, random_length, error));
    case TEST_CLASS_NAMED:
      return G_OBJECT (g_named_tmp_file_new_full (dir, prefix, suffix, mode, random_length, error));
    case TEST_CLASS_SPOOLED:
      return G_OBJECT (g_spooled_tmp_file_new_full (64, dir, prefix, suffix, mode, random_length));
    case TEST_CLASS_TMP_DIR:
      return G_OBJECT (g_tmp_dir_new_full (dir, prefix, suffix, mode, random_length, error));
    default:
      g_assert_not_reached ();
    }
}

static const gchar *
path_of (GObject *tmp)
{
  if (G_IS_NAMED_TMP_FILE (tmp))
    return g_named_tmp_file_get_path (G_NAMED_TMP_FILE (tmp));
  if (G_IS_TMP_DIR (tmp))
    return g_tmp_dir_get_path (G_TMP_DIR (tmp));
  return NULL;
}

/* The mode on disk: the path's (for a named file, the file itself's, not
 * only its descriptor's), or, for an anonymous file, its descriptor's; a
 * spooled file first rolls over, and holds what was written. */
static guint
mode_on_disk (GObject *tmp)
{
  static const gchar data[100] = "rolled over";
  gchar back[sizeof data];
  struct stat st;
  gint fd;

  if (path_of (tmp) != NULL)
    return test_mode_of (path_of (tmp));

  if (G_IS_SPOOLED_TMP_FILE (tmp))
    {
      test_write (tmp, data, sizeof data);
      g_assert_true (g_spooled_tmp_file_is_rolled_over (G_SPOOLED_TMP_FILE (tmp)));
    }
  fd = test_get_fd (tmp);
  if (G_IS_SPOOLED_TMP_FILE (tmp))
    {
      g_assert_cmpint (pread (fd, back, sizeof back, 0), ==, sizeof back);
      g_assert_true (memcmp (back, data, sizeof data) == 0);
    }
  g_assert_no_errno (fstat (fd, &st));
  return st.st_mode & 07777;
}

/* test_check_full_modes: @data, the #TestFileClass
 *
 * new_full(): the mode asked for, through the umask; 0 is 0600 (0700 for
 * a directory) whatever the umask. The "mode" and "random-length"
 * properties say what was asked (0: 0600 or 0700, and 8), also when the
 * object is made with g_object_new(). A directory is still removed,
 * whatever its mode. */
void
test_check_full_modes (gconstpointer data)
{
  TestFileClass klass = GPOINTER_TO_INT (data);
  typedef struct {
    guint umask_;
    guint mode;
    guint expected;
    guint random_length;
  } ModeCase;
  static const ModeCase file_cases[] = {
    { 022, 0640, 0640, 0 },
    { 022, 0666, 0644, 16 },
    { 077, 0640, 0600, 0 },
    { 022, 0, 0600, 16 },
    { 0, 0, 0600, 0 },
  };
  static const ModeCase dir_cases[] = {
    { 022, 0750, 0750, 0 },
    { 022, 0777, 0755, 16 },
    { 077, 0750, 0700, 0 },
    { 022, 0, 0700, 16 },
    { 0, 0, 0700, 0 },
    { 022, 0500, 0500, 16 },
  };
  gboolean is_dir = klass == TEST_CLASS_TMP_DIR;
  const ModeCase *cases = is_dir ? dir_cases : file_cases;
  gsize n_cases = is_dir ? G_N_ELEMENTS (dir_cases) : G_N_ELEMENTS (file_cases);
  gchar *dir = test_scratch_new ();
  mode_t old_umask = umask (022);

  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) tmp = NULL;
      guint mode = 0;
      guint random_length = 0;

      umask (cases[i].umask_);
      tmp = new_full (klass, dir, "m-", NULL, cases[i].mode, cases[i].random_length, &error);
      g_assert_no_error (error);
      g_object_get (tmp, "mode", &mode, "random-length", &random_length, NULL);
      g_assert_cmpuint (mode, ==, cases[i].mode != 0 ? cases[i].mode : is_dir ? 0700 : 0600);
      g_assert_cmpuint (random_length, ==, cases[i].random_length != 0 ? cases[i].random_length : 8);
      g_assert_cmpuint (mode_on_disk (tmp), ==, cases[i].expected);

      if (is_dir)
        {
          if (cases[i].expected & 0200)
            {
              g_autofree gchar *inside = g_build_filename (path_of (tmp), "f", NULL);

              test_write_file (inside, "x");
            }
          g_assert_true (g_tmp_dir_cleanup (G_TMP_DIR (tmp), NULL, &error));
          g_assert_no_error (error);
        }
    }

  /* Made with g_object_new(), 0 reads back as the mode used too. */
  {
    GType type = is_dir ? G_TYPE_TMP_DIR
               : klass == TEST_CLASS_NAMED ? G_TYPE_NAMED_TMP_FILE
               : klass == TEST_CLASS_SPOOLED ? G_TYPE_SPOOLED_TMP_FILE
               : G_TYPE_TMP_FILE;
    g_autoptr(GError) error = NULL;
    g_autoptr(GObject) tmp = g_initable_new (type, NULL, &error, "dir", dir,
                                             "mode", 0, NULL);
    guint mode = 0;

    g_assert_no_error (error);
    g_object_get (tmp, "mode", &mode, NULL);
    g_assert_cmpuint (mode, ==, is_dir ? 0700 : 0600);
    if (klass != TEST_CLASS_SPOOLED)
      g_assert_cmpuint (mode_on_disk (tmp), ==, is_dir ? 0700 : 0600);
  }

  umask (old_umask);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* test_check_full_random_length: @data, the #TestFileClass (named or a directory)
 *
 * The name has the length asked for (0: 8) of the name alphabet, also when
 * asked through the property (with the default prefix, "tmp", or another),
 * and "random-length" reads it back. For the classes with a name. */
void
test_check_full_random_length (gconstpointer data)
{
  TestFileClass klass = GPOINTER_TO_INT (data);
  static const guint lengths[] = { 0, 8, 16, 128 };
  static const struct {
    const gchar *prefix;
    guint        random_length;
  } by_property[] = {
    { "tmp", 40 },
    { "p-", 32 },
  };
  GType type = klass == TEST_CLASS_TMP_DIR ? G_TYPE_TMP_DIR : G_TYPE_NAMED_TMP_FILE;
  guint default_mode = klass == TEST_CLASS_TMP_DIR ? 0700 : 0600;
  gchar *dir = test_scratch_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      guint expected = lengths[i] != 0 ? lengths[i] : 8;
      g_autofree gchar *pattern = test_name_pattern ("long-", expected, ".x");
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) tmp = NULL;
      guint random_length = 0;

      tmp = new_full (klass, dir, "long-", ".x", 0, lengths[i], &error);
      g_assert_no_error (error);
      g_assert_true (test_name_matches (path_of (tmp), dir, pattern));
      g_assert_cmpuint (test_mode_of (path_of (tmp)), ==, default_mode);
      g_object_get (tmp, "random-length", &random_length, NULL);
      g_assert_cmpuint (random_length, ==, expected);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (by_property); i++)
    {
      g_autofree gchar *pattern = test_name_pattern (by_property[i].prefix,
                                                     by_property[i].random_length, "");
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) tmp = NULL;

      /* "tmp" is the default: no "prefix" then. */
      tmp = g_initable_new (type, NULL, &error,
                            "dir", dir,
                            "random-length", by_property[i].random_length,
                            i == 0 ? NULL : "prefix", by_property[i].prefix,
                            NULL);
      g_assert_no_error (error);
      g_assert_true (test_name_matches (path_of (tmp), dir, pattern));
    }

  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/* test_check_full_random_length_invalid: @data, the #TestFileClass (not spooled)
 *
 * Out of 8..128: INVALID_ARGUMENT naming the directory, and nothing made
 * (the property's range refuses them as programmer errors). The longest
 * is made, through the property too. */
void
test_check_full_random_length_invalid (gconstpointer data)
{
  TestFileClass klass = GPOINTER_TO_INT (data);
  static const guint bad[] = { 7, 129 };
  GType type = klass == TEST_CLASS_TMP_DIR ? G_TYPE_TMP_DIR
             : klass == TEST_CLASS_NAMED ? G_TYPE_NAMED_TMP_FILE
             : G_TYPE_TMP_FILE;
  gchar *dir = test_scratch_new ();
  g_autoptr(GObject) by_property = NULL;
  g_autoptr(GError) error = NULL;
  guint random_length = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GObject *tmp = new_full (klass, dir, NULL, NULL, 0640, bad[i], &error);

      g_assert_null (tmp);
      test_assert_error_names (error, G_IO_ERROR_INVALID_ARGUMENT, dir);
      g_clear_error (&error);
    }
  g_assert_cmpuint (test_count_entries (dir), ==, 0);

  /* The longest is made, and read back. */
  by_property = g_initable_new (type, NULL, &error, "dir", dir, "random-length", 128, NULL);
  g_assert_no_error (error);
  g_object_get (by_property, "random-length", &random_length, NULL);
  g_assert_cmpuint (random_length, ==, 128);

  g_clear_object (&by_property);
  test_scratch_free (dir);
}


typedef struct {
  TestFileClass  klass;
  const gchar   *dir;
} Denied;

static void
denied_child (gpointer data)
{
  const Denied *denied = data;
  g_autoptr(GError) error = NULL;

  g_assert_null (new_full (denied->klass, denied->dir, NULL, NULL, 0, 0, &error));
  test_assert_error_names (error, G_IO_ERROR_PERMISSION_DENIED, denied->dir);
}

/* test_check_unwritable_dir: @data, the #TestFileClass (not spooled)
 *
 * The scratch directory is 0755 and root's: uid 65534 can enter it but not
 * create in it. PERMISSION_DENIED naming it, and nothing in it. */
void
test_check_unwritable_dir (gconstpointer data)
{
  Denied denied = { GPOINTER_TO_INT (data), NULL };
  gchar *dir;

  if (!test_need_root ("to drop to uid 65534, whom file modes bind"))
    return;

  dir = test_scratch_new ();
  denied.dir = dir;
  test_run_as_nobody (denied_child, &denied);
  g_assert_cmpuint (test_count_entries (dir), ==, 0);
  test_scratch_free (dir);
}

/**
 * test_add_full_cases:
 * @prefix: the suite's test paths' start, "/named" say
 * @klass: a class with a name (named files, directories)
 *
 * Adds @prefix/full/modes, @prefix/full/random-length and
 * @prefix/full/random-length-invalid for @klass.
 */
void
test_add_full_cases (const gchar   *prefix,
                     TestFileClass  klass)
{
  static const struct {
    const gchar   *name;
    GTestDataFunc  func;
  } cases[] = {
    { "/full/modes", test_check_full_modes },
    { "/full/random-length", test_check_full_random_length },
    { "/full/random-length-invalid", test_check_full_random_length_invalid },
  };

  g_assert_true (klass == TEST_CLASS_NAMED || klass == TEST_CLASS_TMP_DIR);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *path = g_strconcat (prefix, cases[i].name, NULL);

      g_test_add_data_func (path, GINT_TO_POINTER (klass), cases[i].func);
    }
}
