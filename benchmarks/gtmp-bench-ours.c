/* gtmp-bench-ours.c — libgtempfile's columns, through the public API only
 *
 * Each one does what an application would: the constructor, then close (or
 * cleanup) and unref, with the directory passed explicitly like the peers.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <unistd.h>

#include <gtempfile.h>

#include "gtmp-bench.h"

static void
close_and_unref (GIOStream *stream)
{
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_close (stream, NULL, &error))
    bench_die_error ("g_io_stream_close", error);
  g_object_unref (stream);
}

static void
ours_tmpfile (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  GTmpFile *file = g_tmp_file_new (dir, NULL, NULL, &error);

  if (file == NULL)
    bench_die_error ("g_tmp_file_new", error);
  close_and_unref (G_IO_STREAM (file));
}

static void
ours_named (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  GNamedTmpFile *file = g_named_tmp_file_new (dir, NULL, NULL, &error);

  if (file == NULL)
    bench_die_error ("g_named_tmp_file_new", error);
  close_and_unref (G_IO_STREAM (file));
}

static void
ours_mkstemp (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  gint fd = g_tempfile_mkstemp (dir, NULL, NULL, &path, &error);

  if (fd < 0)
    bench_die_error ("g_tempfile_mkstemp", error);
  if (unlink (path) < 0)
    bench_die ("unlink", path);
  close (fd);
}

static void
ours_dir (const gchar *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = g_tmp_dir_new (dir, NULL, NULL, &error);

  if (tmp == NULL)
    bench_die_error ("g_tmp_dir_new", error);
  if (!g_tmp_dir_cleanup (tmp, NULL, &error))
    bench_die_error ("g_tmp_dir_cleanup", error);
}

const BenchLifecycle bench_ours_lifecycles[] = {
  { "ours-tmpfile", ours_tmpfile },
  { "ours-named",   ours_named },
  { "ours-mkstemp", ours_mkstemp },
  { "ours-dir",     ours_dir },
  { NULL, NULL }
};

/* Through g_io_stream_get_input_stream()/…_output_stream(). */
static void
stream_ours (const gchar *dir,
             gsize        chunk,
             gsize        total,
             gsize        max_size,
             gdouble     *write_s,
             gdouble     *read_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) file = g_tmp_file_new (dir, NULL, NULL, &error);

  if (file == NULL)
    bench_die_error ("g_tmp_file_new", error);
  bench_io_stream_rw (G_IO_STREAM (file), chunk, total, write_s, read_s);
}

/* The same kind of file, but write()/read() on g_tmp_file_get_fd(). */
static void
stream_ours_fd (const gchar *dir,
                gsize        chunk,
                gsize        total,
                gsize        max_size,
                gdouble     *write_s,
                gdouble     *read_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpFile) file = g_tmp_file_new (dir, NULL, NULL, &error);
  gint fd;

  if (file == NULL)
    bench_die_error ("g_tmp_file_new", error);
  fd = g_tmp_file_get_fd (file, &error);
  if (fd < 0)
    bench_die_error ("g_tmp_file_get_fd", error);
  bench_fd_rw (fd, chunk, total, write_s, read_s);
}

/* @max_size 0 stays in memory; otherwise rolls over into @dir. */
static void
stream_ours_spooled (const gchar *dir,
                     gsize        chunk,
                     gsize        total,
                     gsize        max_size,
                     gdouble     *write_s,
                     gdouble     *read_s)
{
  g_autoptr(GSpooledTmpFile) file = g_spooled_tmp_file_new (max_size, dir, NULL, NULL);

  bench_io_stream_rw (G_IO_STREAM (file), chunk, total, write_s, read_s);
  if (max_size > 0 && max_size < total && !g_spooled_tmp_file_is_rolled_over (file))
    {
      g_printerr ("gtmp-bench: spooled file did not roll over\n");
      exit (EXIT_FAILURE);
    }
}

const BenchStream bench_ours_streams[] = {
  { "ours",         stream_ours },
  { "ours-fd",      stream_ours_fd },
  { "ours-spooled", stream_ours_spooled },
  { NULL, NULL }
};

/* A GTmpDir in @parent with the tree built inside; times the cleanup. */
static gdouble
tree_ours (const gchar         *parent,
           const gchar         *shape,
           const gchar * const *others)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTmpDir) tmp = g_tmp_dir_new (parent, NULL, NULL, &error);
  gdouble t0;

  if (tmp == NULL)
    bench_die_error ("g_tmp_dir_new", error);
  bench_make_paired_trees (g_tmp_dir_get_path (tmp), shape, others);

  t0 = bench_now ();
  if (!g_tmp_dir_cleanup (tmp, NULL, &error))
    bench_die_error ("g_tmp_dir_cleanup", error);
  return bench_now () - t0;
}

const BenchTree bench_ours_trees[] = {
  { "ours", tree_ours },
  { NULL, NULL }
};

