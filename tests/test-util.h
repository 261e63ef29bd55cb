/* test-util.h — helpers shared by the C test suites
 *
 * Scratch directories, looking at what is on disk, open descriptors, and
 * running code as uid/gid 65534 (the tests run as root, which bypasses file
 * modes). Every helper asserts instead of returning an error: a failure here
 * is a failure of the test that called it.
 *
 * The one header every suite includes; the helpers are in one file a job,
 * each section below naming its file (all of them are built into one static
 * library that every C suite links: tests/meson.build).
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sys/types.h>

#include <gio/gio.h>

#include "gtempfile.h"

G_BEGIN_DECLS

/* The unprivileged uid and gid the permission tests drop to. */
#define TEST_NOBODY 65534

/**
 * TestNobodyFunc:
 * @data: the data given to test_run_as_nobody()
 *
 * Code run in a forked child as uid/gid 65534; it fails by aborting (a
 * g_assert) or by _exit() with a nonzero status.
 */
typedef void (*TestNobodyFunc) (gpointer data);

/* Scratch directories: one per run (test_scratch_root_init() in main()),
 * made for each test case in it; removal never enters a mount point
 * (test-scratch.c) */
void          test_init                 (gint           *argc,
                                         gchar        ***argv,
                                         const gchar    *tag);
gint          test_run                  (void);
void          test_scratch_root_init    (const gchar    *tag);
void          test_scratch_root_clear   (void);
const gchar  *test_scratch_root         (void);
gchar        *test_scratch_new          (void);
gchar        *test_scratch_new_in       (const gchar    *parent);
gchar        *test_scratch_dir          (void);
gchar        *test_scratch_path         (const gchar    *name);
void          test_scratch_free         (gchar          *path);
void          test_remove_tree          (const gchar    *path);

/* What is on disk (test-disk.c) */
void          test_write_file           (const gchar    *path,
                                         const gchar    *contents);
void          test_write_file_mode      (const gchar    *path,
                                         const gchar    *contents,
                                         guint           mode);
void          test_make_dir             (const gchar    *path,
                                         guint           mode);
void          test_chown_nobody         (const gchar    *path);
gboolean      test_need_two_file_systems (const gchar   *a,
                                         const gchar    *b);
guint         test_count_entries        (const gchar    *dir);
gboolean      test_path_exists          (const gchar    *path);
guint         test_mode_of              (const gchar    *path);
void          test_assert_file_contents (const gchar    *path,
                                         const gchar    *expected);
gboolean      test_name_matches         (const gchar    *path,
                                         const gchar    *dir,
                                         const gchar    *pattern);
gchar        *test_name_pattern         (const gchar    *prefix,
                                         guint           random_length,
                                         const gchar    *suffix);
gint          test_watch_creations      (const gchar    *dir);
GPtrArray    *test_read_creations       (gint            fd);
void          test_assert_error_names   (const GError   *error,
                                         gint            code,
                                         const gchar    *path);
void          test_assert_tempdir       (const gchar    *expected);

/* The classes' files and their streams (test-stream.c) */
void          test_write_all            (GOutputStream  *out,
                                         const void     *data,
                                         gsize           len);
void          test_write                (gpointer        io_stream,
                                         const void     *data,
                                         gssize          len);

/* The classes test_new_file() makes. */
typedef enum {
  TEST_CLASS_TMP_FILE,
  TEST_CLASS_NAMED,
  TEST_CLASS_SPOOLED,
  TEST_CLASS_TMP_DIR,  /* test_full_*() only */
} TestFileClass;

GTmpFile     *test_new_file             (TestFileClass   klass,
                                         const gchar    *dir,
                                         const gchar    *prefix,
                                         gsize           max_size);
void          test_persist              (gpointer        tmp,
                                         const gchar    *dest,
                                         GTmpPersistFlags flags);
gint          test_get_fd               (gpointer        tmp);
void          test_model_write          (GByteArray     *model,
                                         gsize           pos,
                                         const guint8   *data,
                                         gsize           len);
void          test_model_truncate       (GByteArray     *model,
                                         gsize           size);
void          test_truncate_with_model  (gpointer        seekable,
                                         GByteArray     *model,
                                         gsize           size);
void          test_seek                 (GSeekable      *seekable,
                                         goffset         offset,
                                         GSeekType       type);

/* Signals, async results, and races against async operations
 * (test-async.c) */
void          test_count_notify         (GObject        *object,
                                         GParamSpec     *pspec,
                                         gpointer        user_data);
void          test_mark_finalized       (gpointer        user_data,
                                         GObject        *where_the_object_was);

/* A boolean property's C setter and getter. */
typedef void     (*TestSetBoolFunc) (gpointer  object,
                                     gboolean  value);
typedef gboolean (*TestGetBoolFunc) (gpointer  object);

void          test_check_bool_property  (gpointer        object,
                                         const gchar    *property,
                                         gboolean        initial,
                                         TestSetBoolFunc set,
                                         TestGetBoolFunc get);

void          test_init_async_twice     (gpointer        initable);
void          test_store_result         (GObject        *source,
                                         GAsyncResult   *result,
                                         gpointer        user_data);
GAsyncResult *test_wait_result          (GAsyncResult  **slot);
void          test_unref_and_wait       (gpointer        object);
void          test_wait_until_empty     (const gchar    *dir);

/* A class's _new_finish(). */
typedef gpointer (*TestFinishFunc) (GAsyncResult  *result,
                                    GError       **error);

void          test_assert_foreign_result (TestFinishFunc finish,
                                         const gchar    *finish_name,
                                         GAsyncResult   *result);

/* What test_race_async_write() does to the file while the write runs. */
typedef enum {
  TEST_RACE_UNREF,
  TEST_RACE_DISPOSE,
  TEST_RACE_CLOSE,
} TestRace;

gboolean      test_race_async_write     (gpointer        file,
                                         TestRace        race,
                                         gsize           len,
                                         gint64          delay_us);
void          test_add_race_write       (const gchar    *prefix,
                                         const gchar    *suffix,
                                         gint            flags,
                                         GTestDataFunc   func);
guint         test_race_iterations      (guint           fallback);

/* Threads, descriptors and forked children (test-process.c) */

/**
 * TestCreateFunc:
 * @dir: (type filename): where
 * @path: (out): the new file's path
 * @error: a #GError
 *
 * Makes one file in @dir.
 *
 * Returns: its descriptor, or -1 with @error set
 */
typedef gint (*TestCreateFunc) (const gchar  *dir,
                                gchar       **path,
                                GError      **error);

void          test_create_in_threads    (const gchar    *dir,
                                         TestCreateFunc  create,
                                         guint           n_threads,
                                         guint           per_thread);

guint         test_count_open_fds       (void);
gboolean      test_has_cloexec          (gint            fd);
gint          test_lowest_free_fd       (void);
gboolean      test_wait_or_kill         (pid_t           pid,
                                         gint64          timeout_us,
                                         gint           *status);
G_NORETURN
void          test_child_succeed        (void);
/* Run in a forked child by test_fork_children(); it ends with _exit(). */
typedef void (*TestChildFunc) (gpointer data);

void          test_fork_children        (guint           n,
                                         gint64          timeout_us,
                                         TestChildFunc   child,
                                         gpointer        data,
                                         guint          *hung,
                                         guint          *failed);
/* Running as uid 65534, needing root, mounting (test-privilege.c) */
void          test_run_as_nobody        (TestNobodyFunc  func,
                                         gpointer        data);
gboolean      test_need_root            (const gchar    *what_for);
void          test_drop_privileges      (void);
gboolean      test_enter_mount_namespace (void);
gboolean      test_mount_tmpfs          (const gchar    *dir);

/* A thread held inside the library while the test forks (test-hold.c) */
typedef struct {
  pid_t parent;
  gint  entered;
  gint  released;
} TestHold;

void          test_hold_init            (TestHold       *hold);
void          test_hold_here            (TestHold       *hold);
void          test_fork_while_held      (TestHold       *hold,
                                         TestChildFunc   child,
                                         gpointer        data);

/* What the classes' constructors share (test-full.c): test cases
 * for g_test_add_data_func(), a #TestFileClass as data */
void          test_check_full_modes     (gconstpointer   klass);
void          test_check_full_random_length (gconstpointer klass);
void          test_check_full_random_length_invalid (gconstpointer klass);
void          test_check_unwritable_dir (gconstpointer   klass);
void          test_add_full_cases       (const gchar    *prefix,
                                         TestFileClass   klass);

/* Two scratch directories on two file systems (test-two-fs.c), for a
 * persist across them */
typedef enum {
  TEST_TWO_FS_FROM_SHM,  /* from /dev/shm to the run's directory */
  TEST_TWO_FS_TO_SHM,    /* from the run's directory to /dev/shm */
  TEST_TWO_FS_TO_TMPFS,  /* to a 1 MiB tmpfs mounted here (root) */
} TestTwoFsKind;

typedef struct {
  gchar    *src_dir;
  gchar    *dest_dir;
  gboolean  mounted;
} TestTwoFs;

#define TEST_TWO_FS_INIT { NULL, NULL, FALSE }

gboolean      test_two_fs_init          (TestTwoFs      *fs,
                                         TestTwoFsKind   kind);
void          test_two_fs_clear         (TestTwoFs      *fs);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestTwoFs, test_two_fs_clear)

/* Test cases that run again in a subprocess, and skips that the parent sees
 * (test-subprocess.c): every skip goes through test_skip(), every trap
 * through test_trap_subprocess() */
void          test_skip                 (const gchar    *reason);
void          test_skip_printf          (const gchar    *format,
                                         ...) G_GNUC_PRINTF (1, 2);
gboolean      test_trap_subprocess      (guint64         timeout_us,
                                         GTestSubprocessFlags flags);
gboolean      test_run_in_subprocess    (void);

G_END_DECLS
