/* fault-shim.c — an LD_PRELOAD library that fails chosen system calls
 *
 * Wraps the libc functions through which libgtempfile (and the parts of
 * GLib it calls) reach the kernel. The driver (fault-driver.c) finds the
 * control functions below with dlsym() and brackets each operation with
 * fault_arm() and fault_disarm(). While armed, every wrapped call made by
 * the arming thread is counted (calls of other threads, such as GLib's
 * worker threads, are not, so only synchronous operations are walked);
 * the calls are recorded in order, and the nth one, if asked for, fails
 * with the given errno without reaching the kernel — except close() and
 * closedir(), which release the descriptor before failing, as Linux does.
 * Outside fault_arm() … fault_disarm() the wrappers only pass calls on.
 *
 * The library needs no hook for this: it is the real library, making its
 * real calls, whose results we replace.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
/* Both open() and open64() are wrapped: neither may be renamed to the other. */
#undef _FILE_OFFSET_BITS
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <unistd.h>

#define FAULT_EXPORT __attribute__((visibility ("default")))

/* One name per wrapped call; the driver refers to calls by these names
 * (open64 and open, etc. count as one: what matters is the system call). */
#define FAULT_CALLS(X) \
  X (open) X (openat) X (mkdir) X (mkdirat) X (rmdir) X (unlink) X (unlinkat) \
  X (link) X (linkat) X (rename) X (renameat) X (renameat2) \
  X (read) X (write) X (pread) X (pwrite) X (lseek) X (ftruncate) \
  X (fsync) X (fdatasync) X (fstat) X (stat) X (lstat) X (fstatat) X (statx) \
  X (fstatfs) X (statfs) X (access) X (faccessat) X (fchmod) X (fchmodat) \
  X (fchown) X (fchownat) X (close) X (fdopendir) X (opendir) X (readdir) \
  X (closedir) X (getrandom) X (copy_file_range) X (sendfile) X (dup) \
  X (fcntl) X (getcwd)

#define X(name) FAULT_##name,
enum { FAULT_CALLS (X) FAULT_N_CALLS };
#undef X

#define X(name) #name,
static const char *const call_names[] = { FAULT_CALLS (X) };
#undef X

#define MAX_TRACE 4096

FAULT_EXPORT void        fault_arm       (int nth, int errsv);
FAULT_EXPORT int         fault_disarm    (void);
FAULT_EXPORT int         fault_was_hit   (void);
FAULT_EXPORT const char *fault_failed_path (void);
FAULT_EXPORT const char *fault_failed_fd_path (void);
FAULT_EXPORT const char *fault_call_name (int i);

static __thread int armed;      /* counting on this thread */
static __thread int n_calls;    /* counted since fault_arm() */
static __thread int fail_at;    /* 1-based index of the call to fail; 0: none */
static __thread int fail_errno;
static __thread int hit;        /* the call to fail was made */
static __thread unsigned char trace[MAX_TRACE];
static __thread char failed_path[4096]; /* what a failed removal was to remove */
static __thread char failed_fd_path[4096]; /* what a failed fsync was to flush */

FAULT_EXPORT void
fault_arm (int nth,
           int errsv)
{
  n_calls = 0;
  fail_at = nth;
  fail_errno = errsv;
  hit = 0;
  failed_path[0] = '\0';
  failed_fd_path[0] = '\0';
  armed = 1;
}

/* Returns the number of calls counted. */
FAULT_EXPORT int
fault_disarm (void)
{
  armed = 0;
  return n_calls;
}

FAULT_EXPORT int
fault_was_hit (void)
{
  return hit;
}

/* The absolute path that the failed unlink(), unlinkat() or rmdir() was
 * to remove: that entry stays on disk through no fault of the caller. */
FAULT_EXPORT const char *
fault_failed_path (void)
{
  return failed_path;
}

/* The file or directory that the failed fsync() was to flush, as
 * /proc/self/fd shows it (absolute), or "". */
FAULT_EXPORT const char *
fault_failed_fd_path (void)
{
  return failed_fd_path;
}

/* The name of the @i-th (1-based) call counted by the last arming. */
FAULT_EXPORT const char *
fault_call_name (int i)
{
  if (i < 1 || i > n_calls || i > MAX_TRACE)
    return NULL;
  return call_names[trace[i - 1]];
}

/* Counts a call to @call; TRUE if it is the one to fail (errno is set). */
static int
should_fail (int call)
{
  if (!armed)
    return 0;

  n_calls++;
  if (n_calls <= MAX_TRACE)
    trace[n_calls - 1] = (unsigned char) call;

  if (n_calls != fail_at)
    return 0;

  hit = 1;
  errno = fail_errno;
  return 1;
}

static void *
next (const char *name)
{
  void *fn = dlsym (RTLD_NEXT, name);

  if (fn == NULL)
    {
      fprintf (stderr, "fault-shim: no next %s\n", name);
      abort ();
    }
  return fn;
}

/* Declares the real function @name of type @ret (*)(@args), looked up once. */
#define REAL(ret, name, args) \
  static ret (*real_##name) args; \
  if (real_##name == NULL) \
    real_##name = (ret (*) args) next (#name)

#define WRAP(ret, fail, call, name, params, args, types) \
  FAULT_EXPORT ret name params \
  { \
    REAL (ret, name, types); \
    if (should_fail (FAULT_##call)) \
      return fail; \
    return real_##name args; \
  }

/* open() and openat() take a mode only with O_CREAT or O_TMPFILE. */
static mode_t
open_mode (int flags, va_list ap)
{
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
    return va_arg (ap, mode_t);
  return 0;
}

#define WRAP_OPEN(name) \
  FAULT_EXPORT int name (const char *path, int flags, ...) \
  { \
    va_list ap; \
    mode_t mode; \
    REAL (int, name, (const char *, int, ...)); \
    va_start (ap, flags); \
    mode = open_mode (flags, ap); \
    va_end (ap); \
    if (should_fail (FAULT_open)) \
      return -1; \
    return real_##name (path, flags, mode); \
  }

#define WRAP_OPENAT(name) \
  FAULT_EXPORT int name (int dfd, const char *path, int flags, ...) \
  { \
    va_list ap; \
    mode_t mode; \
    REAL (int, name, (int, const char *, int, ...)); \
    va_start (ap, flags); \
    mode = open_mode (flags, ap); \
    va_end (ap); \
    if (should_fail (FAULT_openat)) \
      return -1; \
    return real_##name (dfd, path, flags, mode); \
  }

WRAP_OPEN (open)
WRAP_OPEN (open64)
WRAP_OPENAT (openat)
WRAP_OPENAT (openat64)

WRAP (int, -1, mkdir, mkdir, (const char *p, mode_t m), (p, m), (const char *, mode_t))
WRAP (int, -1, mkdirat, mkdirat, (int d, const char *p, mode_t m), (d, p, m), (int, const char *, mode_t))
static void
note_failed_path (int         dfd,
                  const char *path)
{
  char link[64];
  ssize_t n = 0;
  int errsv = errno;

  if (path[0] != '/')
    {
      if (dfd == AT_FDCWD)
        snprintf (link, sizeof link, "/proc/self/cwd");
      else
        snprintf (link, sizeof link, "/proc/self/fd/%d", dfd);
      n = readlink (link, failed_path, sizeof failed_path - 1);
      if (n < 0)
        n = 0;
      failed_path[n++] = '/';
    }
  snprintf (failed_path + n, sizeof failed_path - n, "%s", path);
  errno = errsv;
}

FAULT_EXPORT int
rmdir (const char *path)
{
  REAL (int, rmdir, (const char *));

  if (should_fail (FAULT_rmdir))
    {
      note_failed_path (AT_FDCWD, path);
      return -1;
    }
  return real_rmdir (path);
}

FAULT_EXPORT int
unlink (const char *path)
{
  REAL (int, unlink, (const char *));

  if (should_fail (FAULT_unlink))
    {
      note_failed_path (AT_FDCWD, path);
      return -1;
    }
  return real_unlink (path);
}

FAULT_EXPORT int
unlinkat (int dfd, const char *path, int flags)
{
  REAL (int, unlinkat, (int, const char *, int));

  if (should_fail (FAULT_unlinkat))
    {
      note_failed_path (dfd, path);
      return -1;
    }
  return real_unlinkat (dfd, path, flags);
}
WRAP (int, -1, link, link, (const char *a, const char *b), (a, b), (const char *, const char *))
WRAP (int, -1, linkat, linkat, (int da, const char *a, int db, const char *b, int f),
      (da, a, db, b, f), (int, const char *, int, const char *, int))
WRAP (int, -1, rename, rename, (const char *a, const char *b), (a, b), (const char *, const char *))
WRAP (int, -1, renameat, renameat, (int da, const char *a, int db, const char *b),
      (da, a, db, b), (int, const char *, int, const char *))
WRAP (int, -1, renameat2, renameat2, (int da, const char *a, int db, const char *b, unsigned f),
      (da, a, db, b, f), (int, const char *, int, const char *, unsigned))

WRAP (ssize_t, -1, read, read, (int fd, void *b, size_t n), (fd, b, n), (int, void *, size_t))
WRAP (ssize_t, -1, write, write, (int fd, const void *b, size_t n), (fd, b, n), (int, const void *, size_t))
WRAP (ssize_t, -1, pread, pread, (int fd, void *b, size_t n, off_t o), (fd, b, n, o), (int, void *, size_t, off_t))
WRAP (ssize_t, -1, pread, pread64, (int fd, void *b, size_t n, off64_t o), (fd, b, n, o), (int, void *, size_t, off64_t))
WRAP (ssize_t, -1, pwrite, pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o),
      (int, const void *, size_t, off_t))
WRAP (ssize_t, -1, pwrite, pwrite64, (int fd, const void *b, size_t n, off64_t o), (fd, b, n, o),
      (int, const void *, size_t, off64_t))
WRAP (off_t, -1, lseek, lseek, (int fd, off_t o, int w), (fd, o, w), (int, off_t, int))
WRAP (off64_t, -1, lseek, lseek64, (int fd, off64_t o, int w), (fd, o, w), (int, off64_t, int))
WRAP (int, -1, ftruncate, ftruncate, (int fd, off_t o), (fd, o), (int, off_t))
WRAP (int, -1, ftruncate, ftruncate64, (int fd, off64_t o), (fd, o), (int, off64_t))
/* What the failed fsync() was to flush, so that the driver can tell the
 * flush of a persist's destination directory from the file's. */
FAULT_EXPORT int
fsync (int fd)
{
  REAL (int, fsync, (int));

  if (should_fail (FAULT_fsync))
    {
      char link[64];
      ssize_t n;
      int errsv = errno;

      snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
      n = readlink (link, failed_fd_path, sizeof failed_fd_path - 1);
      failed_fd_path[n > 0 ? n : 0] = '\0';
      errno = errsv;
      return -1;
    }
  return real_fsync (fd);
}
WRAP (int, -1, fdatasync, fdatasync, (int fd), (fd), (int))

WRAP (int, -1, fstat, fstat, (int fd, struct stat *s), (fd, s), (int, struct stat *))
WRAP (int, -1, fstat, fstat64, (int fd, struct stat64 *s), (fd, s), (int, struct stat64 *))
WRAP (int, -1, stat, stat, (const char *p, struct stat *s), (p, s), (const char *, struct stat *))
WRAP (int, -1, stat, stat64, (const char *p, struct stat64 *s), (p, s), (const char *, struct stat64 *))
WRAP (int, -1, lstat, lstat, (const char *p, struct stat *s), (p, s), (const char *, struct stat *))
WRAP (int, -1, lstat, lstat64, (const char *p, struct stat64 *s), (p, s), (const char *, struct stat64 *))
WRAP (int, -1, fstatat, fstatat, (int d, const char *p, struct stat *s, int f), (d, p, s, f),
      (int, const char *, struct stat *, int))
WRAP (int, -1, fstatat, fstatat64, (int d, const char *p, struct stat64 *s, int f), (d, p, s, f),
      (int, const char *, struct stat64 *, int))
WRAP (int, -1, statx, statx, (int d, const char *p, int f, unsigned m, struct statx *s), (d, p, f, m, s),
      (int, const char *, int, unsigned, struct statx *))
WRAP (int, -1, fstatfs, fstatfs, (int fd, struct statfs *s), (fd, s), (int, struct statfs *))
WRAP (int, -1, fstatfs, fstatfs64, (int fd, struct statfs64 *s), (fd, s), (int, struct statfs64 *))
WRAP (int, -1, statfs, statfs, (const char *p, struct statfs *s), (p, s), (const char *, struct statfs *))
WRAP (int, -1, statfs, statfs64, (const char *p, struct statfs64 *s), (p, s), (const char *, struct statfs64 *))
WRAP (int, -1, access, access, (const char *p, int m), (p, m), (const char *, int))
WRAP (int, -1, faccessat, faccessat, (int d, const char *p, int m, int f), (d, p, m, f),
      (int, const char *, int, int))
WRAP (int, -1, fchmod, fchmod, (int fd, mode_t m), (fd, m), (int, mode_t))
WRAP (int, -1, fchmodat, fchmodat, (int d, const char *p, mode_t m, int f), (d, p, m, f),
      (int, const char *, mode_t, int))
WRAP (int, -1, fchown, fchown, (int fd, uid_t u, gid_t g), (fd, u, g), (int, uid_t, gid_t))
WRAP (int, -1, fchownat, fchownat, (int d, const char *p, uid_t u, gid_t g, int f), (d, p, u, g, f),
      (int, const char *, uid_t, gid_t, int))
WRAP (DIR *, NULL, fdopendir, fdopendir, (int fd), (fd), (int))
WRAP (DIR *, NULL, opendir, opendir, (const char *p), (p), (const char *))
WRAP (struct dirent *, NULL, readdir, readdir, (DIR *d), (d), (DIR *))
WRAP (struct dirent64 *, NULL, readdir, readdir64, (DIR *d), (d), (DIR *))
WRAP (ssize_t, -1, getrandom, getrandom, (void *b, size_t n, unsigned f), (b, n, f), (void *, size_t, unsigned))
WRAP (ssize_t, -1, copy_file_range, copy_file_range,
      (int a, off64_t *ao, int b, off64_t *bo, size_t n, unsigned f), (a, ao, b, bo, n, f),
      (int, off64_t *, int, off64_t *, size_t, unsigned))
WRAP (ssize_t, -1, sendfile, sendfile, (int a, int b, off_t *o, size_t n), (a, b, o, n),
      (int, int, off_t *, size_t))
WRAP (ssize_t, -1, sendfile, sendfile64, (int a, int b, off64_t *o, size_t n), (a, b, o, n),
      (int, int, off64_t *, size_t))
WRAP (int, -1, dup, dup, (int fd), (fd), (int))
WRAP (char *, NULL, getcwd, getcwd, (char *b, size_t n), (b, n), (char *, size_t))

/* fcntl() takes an int or a pointer; both fit in a long here. */
FAULT_EXPORT int
fcntl (int fd, int cmd, ...)
{
  va_list ap;
  void *arg;
  REAL (int, fcntl, (int, int, ...));

  va_start (ap, cmd);
  arg = va_arg (ap, void *);
  va_end (ap);
  if (should_fail (FAULT_fcntl))
    return -1;
  return real_fcntl (fd, cmd, arg);
}

/* Linux releases the descriptor even when close() reports an error. */
FAULT_EXPORT int
close (int fd)
{
  int res;
  REAL (int, close, (int));

  if (!should_fail (FAULT_close))
    return real_close (fd);

  res = fail_errno;
  real_close (fd);
  errno = res;
  return -1;
}

FAULT_EXPORT int
closedir (DIR *dir)
{
  int res;
  REAL (int, closedir, (DIR *));

  if (!should_fail (FAULT_closedir))
    return real_closedir (dir);

  res = fail_errno;
  real_closedir (dir);
  errno = res;
  return -1;
}
