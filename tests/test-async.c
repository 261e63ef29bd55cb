/* test-async.c — signals, async results, and races against async operations
 *
 * Counting notifications, waiting for an async result or a finalization in
 * the global default main context, and dropping, disposing or closing a
 * file while its write runs in GIO's worker thread.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

/**
 * test_count_notify:
 * @object: the object that notified
 * @pspec: the property
 * @user_data: a `guint *` counter
 *
 * A #GObject::notify handler that counts the notifications in @user_data.
 */
void
test_count_notify (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/**
 * test_check_bool_property:
 * @object: an object
 * @property: one of its boolean properties
 * @initial: its value now
 * @set: (scope call): its C setter
 * @get: (scope call): its C getter
 *
 * Asserts that @get reads @initial, that @property notifies when, and only
 * when, its value changes, whether by @set or by g_object_set(), and that
 * @get and g_object_get() then read the new value. Sets it to the other
 * value and back.
 */
void
test_check_bool_property (gpointer         object,
                          const gchar     *property,
                          gboolean         initial,
                          TestSetBoolFunc  set,
                          TestGetBoolFunc  get)
{
  g_autofree gchar *signal = g_strconcat ("notify::", property, NULL);
  gboolean value = initial;
  guint notifies = 0;
  gulong handler;

  g_assert_cmpint (get (object), ==, initial);
  handler = g_signal_connect (object, signal, G_CALLBACK (test_count_notify), &notifies);

  set (object, initial);
  g_assert_cmpuint (notifies, ==, 0);
  set (object, !initial);
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpint (get (object), ==, !initial);
  g_object_get (object, property, &value, NULL);
  g_assert_cmpint (value, ==, !initial);
  g_object_set (object, property, initial, NULL);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_cmpint (get (object), ==, initial);

  g_signal_handler_disconnect (object, handler);
}

/**
 * test_mark_finalized:
 * @user_data: a gint, set to 1 (atomically)
 * @where_the_object_was: the object
 *
 * A #GWeakNotify that tells, from any thread, that an object is finalized.
 */
void
test_mark_finalized (gpointer  user_data,
                     GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) user_data, 1);
}

typedef struct
{
  guint n_done;
  guint n_ok;
} InitCount;

static void
count_init_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  InitCount *count = user_data;

  if (g_async_initable_init_finish (G_ASYNC_INITABLE (source), result, NULL))
    count->n_ok++;
  count->n_done++;
}

/**
 * test_init_async_twice:
 * @initable: (type GAsyncInitable): an object not initialized yet
 *
 * Starts g_async_initable_init_async() twice at once on @initable, as
 * GAsyncInitable allows, and asserts that both succeed.
 */
void
test_init_async_twice (gpointer initable)
{
  InitCount count = { 0, 0 };

  for (guint i = 0; i < 2; i++)
    g_async_initable_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT, NULL,
                                 count_init_cb, &count);
  while (count.n_done < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count.n_ok, ==, 2);
}

/**
 * test_store_result:
 * @source: the source object
 * @result: the result
 * @user_data: a `GAsyncResult **`, %NULL until the operation finishes
 *
 * A #GAsyncReadyCallback that keeps a reference to @result in @user_data,
 * for test_wait_result().
 */
void
test_store_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/**
 * test_wait_result:
 * @slot: where test_store_result() puts the result
 *
 * Iterates the global default main context until the operation whose
 * callback is test_store_result() has finished.
 *
 * Returns: (transfer none): the result, still owned by @slot
 */
GAsyncResult *
test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/**
 * test_assert_foreign_result:
 * @finish: (scope call): a class's `_new_finish()`
 * @finish_name: its name, which the critical names
 * @result: a result another operation made
 *
 * @finish refuses @result as not its own, with a critical naming it
 * (expected here) and no error: a programmer error.
 */
void
test_assert_foreign_result (TestFinishFunc  finish,
                            const gchar    *finish_name,
                            GAsyncResult   *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pattern = g_strdup_printf ("%s: assertion *_async call* failed",
                                               finish_name);

  g_test_expect_message ("GTempfile", G_LOG_LEVEL_CRITICAL, pattern);
  g_assert_null (finish (result, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
}

/* Object data's destroy notify for test_unref_and_wait(). */
static void
set_finalized (gpointer data)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

/**
 * test_unref_and_wait:
 * @object: (transfer full): the last reference this test holds
 *
 * Drops @object and waits until it is finalized.  After an async operation
 * the GIO worker thread may still hold the task, and through it the source
 * object, for a moment after the callback has run: a test that checks what
 * finalization does must wait for that reference to go too.
 */
void
test_unref_and_wait (gpointer object)
{
  static GQuark quark;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint finalized = FALSE;

  /* Not a GWeakRef: GLib clears those before dispose runs, in whichever
   * thread drops the last reference, so what dispose does could still be
   * under way. Object data is freed by finalize, after dispose. */
  if (quark == 0)
    quark = g_quark_from_static_string ("test-unref-and-wait");
  g_object_set_qdata_full (object, quark, &finalized, set_finalized);
  g_object_unref (object);
  while (!g_atomic_int_get (&finalized))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/**
 * test_wait_until_empty:
 * @dir: (type filename): a directory
 *
 * Asserts that @dir holds nothing, at once or within 10 s. An async
 * operation's callback runs before GIO's worker thread drops its task, and
 * with it perhaps the last reference to an object (the one a cancelled
 * new_async made, say), whose finalization removes what it has on disk: a
 * test that checks that async operations left nothing waits for that.
 * Names what is left when it fails.
 */
void
test_wait_until_empty (const gchar *dir)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autoptr(GDir) d = NULL;
  const gchar *name;
  guint left = 0;

  while (test_count_entries (dir) != 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);

  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_printerr ("# left in %s: %s\n", dir, name);
      left++;
    }
  g_assert_cmpuint (left, ==, 0);
}

/**
 * test_race_async_write:
 * @file: (transfer full): an open #GTmpFile (or subclass)
 * @race: what to do to @file while the write runs
 * @len: how many bytes to write
 * @delay_us: how long to spin between starting the write and @race, to
 *   spread the race over the write's start, middle and end
 *
 * Starts g_output_stream_write_async() of @len bytes, then drops the last
 * reference to @file, disposes it or closes it, as a program may do while
 * its write runs in GIO's worker thread. Whatever the timing, the write
 * must report all @len bytes or G_IO_ERROR_CLOSED, the stream must report
 * G_IO_ERROR_CLOSED afterwards, and the file must be finalized.
 *
 * Returns: %TRUE if the write got in before the file went away
 */
gboolean
test_race_async_write (gpointer  file,
                       TestRace  race,
                       gsize     len,
                       gint64    delay_us)
{
  g_autoptr(GOutputStream) out = g_object_ref (g_io_stream_get_output_stream (file));
  g_autofree guint8 *data = g_malloc (len);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) closed_error = NULL;
  gint64 until;
  GWeakRef weak;
  GObject *alive;
  gssize n;

  memset (data, 0x5a, len);
  g_weak_ref_init (&weak, file);

  g_output_stream_write_async (out, data, len, G_PRIORITY_DEFAULT, NULL,
                               test_store_result, &result);

  until = g_get_monotonic_time () + delay_us;
  while (g_get_monotonic_time () < until)
    ;

  switch (race)
    {
    case TEST_RACE_UNREF:
      break;
    case TEST_RACE_DISPOSE:
      g_object_run_dispose (file);
      break;
    case TEST_RACE_CLOSE:
      g_assert_true (g_io_stream_close (file, NULL, &error));
      g_assert_no_error (error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_unref (file);

  n = g_output_stream_write_finish (out, test_wait_result (&result), &error);
  if (n < 0)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  else
    g_assert_cmpint (n, ==, len);

  g_assert_cmpint (g_output_stream_write (out, "x", 1, NULL, &closed_error), ==, -1);
  g_assert_error (closed_error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  /* Nothing keeps the file: GIO's worker may hold the task a moment. */
  while ((alive = g_weak_ref_get (&weak)) != NULL)
    {
      g_object_unref (alive);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
  g_weak_ref_clear (&weak);

  return n >= 0;
}

/**
 * test_add_race_write:
 * @prefix: the test paths' start
 * @suffix: their end, after the race's name
 * @flags: or-ed into each test's data (a #TestRace)
 * @func: the test
 *
 * Adds @func three times, @prefix/unref@suffix, /dispose@suffix and
 * /close@suffix, with TEST_RACE_UNREF, _DISPOSE and _CLOSE as its data.
 */
void
test_add_race_write (const gchar   *prefix,
                     const gchar   *suffix,
                     gint           flags,
                     GTestDataFunc  func)
{
  static const struct { TestRace race; const gchar *name; } races[] = {
    { TEST_RACE_UNREF, "unref" },
    { TEST_RACE_DISPOSE, "dispose" },
    { TEST_RACE_CLOSE, "close" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (races); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("%s/%s%s", prefix, races[i].name, suffix);

      g_test_add_data_func (path, GINT_TO_POINTER (races[i].race | flags), func);
    }
}

/**
 * test_race_iterations:
 * @fallback: the default
 *
 * Returns: how many times a race test runs: `$GTMP_TEST_RACE_ITERATIONS`
 *   (fewer under Valgrind, more for a long soak) or @fallback
 */
guint
test_race_iterations (guint fallback)
{
  const gchar *env = g_getenv ("GTMP_TEST_RACE_ITERATIONS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : fallback;
}
