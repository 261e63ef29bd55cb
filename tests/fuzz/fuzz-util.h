/* fuzz-util.h — what the libFuzzer targets share (tests/fuzz/README.md)
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtempfile.h>

G_BEGIN_DECLS

/* Reports a broken invariant with the context and aborts, which libFuzzer
 * records as a crash with the input that caused it. */
#define fuzz_fail(...) fuzz_fail_at (__FILE__, __LINE__, __VA_ARGS__)
#define fuzz_check(cond, ...) \
  G_STMT_START { if (G_UNLIKELY (!(cond))) fuzz_fail (__VA_ARGS__); } G_STMT_END

G_NORETURN void fuzz_fail_at (const gchar *file,
                              gint         line,
                              const gchar *format,
                              ...) G_GNUC_PRINTF (3, 4);

/* The input, consumed from the front; reads past its end give zeros, so
 * every input is a valid program. */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} FuzzInput;

guint8   fuzz_u8     (FuzzInput *in);
guint16  fuzz_u16    (FuzzInput *in);
guint32  fuzz_u32    (FuzzInput *in);
gboolean fuzz_done   (FuzzInput *in);
/* A length byte (capped at @max), then that many bytes; NUL bytes are
 * dropped (C strings cannot hold them). Newly allocated, nul-terminated. */
gchar   *fuzz_string (FuzzInput *in,
                      gsize      max);

/* Process set-up for a target: criticals and warnings abort (a valid call
 * must never log one), GLib's debug output stays off, and the default
 * directory cannot be searched outside the scratch tree. */
void     fuzz_setup_logging (void);

/* Where the scratch trees go: $TMPDIR, or /tmp. */
const gchar *fuzz_base_dir  (void);

/* The other file system for cross-file-system persists: "/dev/shm" if it is
 * a writable directory on another device than @here, else NULL. */
const gchar *fuzz_other_fs  (const gchar *here);

/* Creates a private directory "<base>/gtmp-fuzz-XXXXXX/r" and returns the
 * inner one; the outer one holds only it, so an entry escaping by one level
 * shows up there. Everything is removed at exit. */
gchar   *fuzz_scratch_new   (const gchar *base);

/* Removes @path and everything below it (no symlink followed). */
void     fuzz_remove_tree   (const gchar *path);

/* A listing of everything below @path: one line per entry, sorted, with
 * type, mode, size and the target or contents of small entries. */
gchar   *fuzz_snapshot      (const gchar *path);

/* Makes @dir the current directory until fuzz_leave_dir(), which (like
 * fuzz_fail) goes back to where libFuzzer started, so that its corpus and
 * crash files stay where they were asked for. */
void     fuzz_enter_dir     (const gchar *dir);
void     fuzz_leave_dir     (void);

/* Known defects of issue 17 that the targets steer around, from
 * $GTMP_FUZZ_KNOWN_DEFECTS ("2,9,11"): so a run can look past one that is
 * not fixed yet. Unset: nothing is steered around. */
gboolean fuzz_known_defect  (guint number);

/* Drops the caller's reference to @object and waits (main context
 * iterations, at most a few seconds) until it has been disposed: a worker
 * thread of an asynchronous call may hold the last reference for a moment
 * after the callback ran. Fails if it never goes. */
void     fuzz_unref_and_wait (gpointer object);

/* Whether $GTMP_FUZZ_VERBOSE is set: the targets then say what they do
 * (for reading a crash's input). */
gboolean fuzz_verbose       (void);

/* Checks that @error is a G_IO_ERROR with a valid UTF-8 message. */
void     fuzz_check_error   (const GError *error,
                             const gchar  *what);

G_END_DECLS
