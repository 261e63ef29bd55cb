/* gtmp-bench.h — shared pieces of the benchmark program
 *
 * One C program measures the raw system-call floors, GLib/GIO and
 * libgtempfile, so that they share the same compiler, the same timer and the
 * same workloads. Every measurement prints seconds (one or two numbers) on
 * stdout; benchmarks/run turns them into rates and ratios.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Operations run before the clock starts. A fixed number, independent of N,
 * so that `strace -c` of two runs with different N cancels it out. */
#define BENCH_WARMUP_OPS 200

/* A lifecycle: create one temporary object in @dir and make it gone again. */
typedef void (*BenchLifecycleFunc) (const gchar *dir);

/* A stream workload: write @total bytes in @chunk pieces, rewind, read them
 * back. Fills @write_s and @read_s with the seconds each half took. */
typedef void (*BenchStreamFunc) (const gchar *dir,
                                 gsize        chunk,
                                 gsize        total,
                                 gsize        max_size,
                                 gdouble     *write_s,
                                 gdouble     *read_s);

/* Tree removal that builds its own tree (under @parent, shaped as @shape,
 * and with it the trees at @others, see bench_make_paired_trees()) and
 * returns the seconds the removal took. */
typedef gdouble (*BenchTreeFunc) (const gchar         *parent,
                                  const gchar         *shape,
                                  const gchar * const *others);

typedef struct
{
  const gchar        *name;
  BenchLifecycleFunc  func;
} BenchLifecycle;

typedef struct
{
  const gchar     *name;
  BenchStreamFunc  func;
} BenchStream;

typedef struct
{
  const gchar   *name;
  BenchTreeFunc  func;
} BenchTree;

/* A page-aligned buffer of bytes (see bench_buffer_new()). */
typedef guint8 BenchBuffer;

/* gtmp-bench.c */
BenchBuffer *bench_buffer_new       (gsize         size);
void         bench_buffer_free      (BenchBuffer  *buffer);
gdouble      bench_now              (void);
guint        bench_reads            (void);
void         bench_die              (const gchar  *what,
                                     const gchar  *path) G_GNUC_NORETURN;
void         bench_die_error        (const gchar  *what,
                                     GError       *error) G_GNUC_NORETURN;
void         bench_fill_pattern     (guint8       *buffer,
                                     gsize         size);
void         bench_make_trees       (const gchar         *shape,
                                     const gchar * const *roots);
void         bench_make_paired_trees (const gchar         *own_root,
                                      const gchar         *shape,
                                      const gchar * const *others);
void         bench_io_stream_rw     (GIOStream    *stream,
                                     gsize         chunk,
                                     gsize         total,
                                     gdouble      *write_s,
                                     gdouble      *read_s);
void         bench_fd_rw            (gint          fd,
                                     gsize         chunk,
                                     gsize         total,
                                     gdouble      *write_s,
                                     gdouble      *read_s);

/* gtmp-bench-ours.c: libgtempfile's columns */
extern const BenchLifecycle bench_ours_lifecycles[];
extern const BenchStream    bench_ours_streams[];
extern const BenchTree      bench_ours_trees[];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchBuffer, bench_buffer_free)

G_END_DECLS
