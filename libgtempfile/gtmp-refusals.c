/* gtmp-refusals.c — the memory of file systems that refused O_TMPFILE
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <glib.h>

#include "gtmp-core.h"
#include "gtmp-refusals.h"
#include "gtmp-testing.h"

#ifdef HAVE_O_TMPFILE
/* Devices whose file system refused O_TMPFILE lately.
 *
 * Refusing O_TMPFILE is a property of the file system, so the memory is
 * keyed by the device (st_dev) of the directory: a refusal learnt in one
 * directory holds for every directory on that device, and directories on
 * other devices still try O_TMPFILE. The key always comes from stat() of
 * the directory, both when remembering and when looking up, never from the
 * file created in it (on some overlayfs set-ups the two differ).
 *
 * Remembered for G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC, not forever: device
 * numbers are reused when one file system is unmounted and another mounted,
 * and a stale refusal makes anonymous files unlinkable (persist() then needs
 * G_TMP_PERSIST_ALLOW_COPY); relearning costs one refused open() per device
 * and lifetime.
 *
 * Cost: while no refusal is known (the usual case) a creation reads one
 * atomic integer, with no lock and no system call. While one is, every
 * anonymous creation pays one stat() of its directory and a short lock to
 * scan a handful of entries; expired entries are dropped at every look-up,
 * so that cost ends with the last refusal's lifetime.
 *
 * Fork: the lock is held across fork() (pthread_atfork), so a child never
 * inherits it taken or the list half-changed; the child keeps what its
 * parent learnt, which is as true for it. */
typedef struct
{
  dev_t  dev;
  gint64 since;  /* monotonic time of the latest refusal */
} TmpfileRefusal;

static GMutex refusals_lock;
static GArray *refusals;     /* TmpfileRefusal; under refusals_lock */
static gint n_refusals;      /* refusals->len, readable without the lock */
static gint64 clock_offset;  /* test hook; under refusals_lock */

__attribute__((constructor)) static void
refusals_init (void)
{
  _g_tmp_core_hold_across_fork (G_TMP_CORE_FORK_LOCK_REFUSALS, &refusals_lock);
}

/* Under refusals_lock. */
static gint64
refusals_now (void)
{
  return g_get_monotonic_time () + clock_offset;
}

/* The index of @dev's entry, or -1. Under refusals_lock. */
static gint
find_refusal (dev_t dev)
{
  guint i;

  for (i = 0; refusals != NULL && i < refusals->len; i++)
    {
      if (g_array_index (refusals, TmpfileRefusal, i).dev == dev)
        return i;
    }

  return -1;
}

/* Under refusals_lock. */
static void
forget_old_refusals (void)
{
  gint64 now = refusals_now ();
  guint i = 0;

  while (refusals != NULL && i < refusals->len)
    {
      gint64 age = now - g_array_index (refusals, TmpfileRefusal, i).since;

      if (age >= G_TMP_CORE_TMPFILE_REFUSAL_TTL_USEC)
        g_array_remove_index_fast (refusals, i);
      else
        i++;
    }

  g_atomic_int_set (&n_refusals, refusals != NULL ? refusals->len : 0);
}

static gboolean
dir_device_get (GTmpCoreDirDevice *device)
{
  struct stat st;

  if (device->known)
    return TRUE;

  if (stat (device->dir, &st) < 0)
    return FALSE;

  device->dev = st.st_dev;
  device->known = TRUE;
  return TRUE;
}

gboolean
_g_tmp_core_tmpfile_refused_lately (GTmpCoreDirDevice *device)
{
  g_autoptr(GMutexLocker) locker = NULL;

  if (g_atomic_int_get (&n_refusals) == 0)
    return FALSE;

  /* Cannot stat it: let open() report what is wrong. */
  if (!dir_device_get (device))
    return FALSE;

  locker = g_mutex_locker_new (&refusals_lock);
  forget_old_refusals ();
  return find_refusal (device->dev) >= 0;
}

void
_g_tmp_core_remember_tmpfile_refusal (GTmpCoreDirDevice *device)
{
  g_autoptr(GMutexLocker) locker = NULL;
  TmpfileRefusal refusal;
  gint i;

  /* Gone meanwhile: the fallback will report it. */
  if (!dir_device_get (device))
    return;

  locker = g_mutex_locker_new (&refusals_lock);
  if (refusals == NULL)
    refusals = g_array_new (FALSE, FALSE, sizeof (TmpfileRefusal));

  refusal.dev = device->dev;
  refusal.since = refusals_now ();

  i = find_refusal (device->dev);
  if (i >= 0)
    g_array_index (refusals, TmpfileRefusal, i) = refusal;
  else
    g_array_append_val (refusals, refusal);

  g_atomic_int_set (&n_refusals, refusals->len);
}

/* The errors with which a kernel or file system says "no O_TMPFILE here". */
static gboolean
is_tmpfile_refusal (gint errsv)
{
  return errsv == EOPNOTSUPP || errsv == EISDIR || errsv == EINVAL;
}

gint
_g_tmp_core_open_tmpfile (gint         dfd,
                          const gchar *dir,
                          guint        mode,
                          gboolean    *refused_now)
{
  gchar proc_path[64];
  GTmpCoreDirDevice device = { dir, 0, FALSE };
  gint fd;

  /* The device of a directory known by descriptor: the same stat() through
   * /proc, made only when a refusal is remembered. */
  if (dfd != AT_FDCWD)
    {
      g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", dfd);
      device.dir = proc_path;
    }

  if (_g_tmp_core_tmpfile_refused_lately (&device))
    {
      *refused_now = FALSE;
      errno = EOPNOTSUPP;
      return -1;
    }

  fd = openat (dfd, dfd == AT_FDCWD ? dir : ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
  if (fd >= 0 || !is_tmpfile_refusal (errno))
    return fd;

  _g_tmp_core_remember_tmpfile_refusal (&device);
  *refused_now = TRUE;
  errno = EOPNOTSUPP;
  return -1;
}
#endif

/* Test hooks (gtmp-testing.h). */

void
_g_tmp_core_refuse_tmpfile (const gchar *dir)
{
#ifdef HAVE_O_TMPFILE
  GTmpCoreDirDevice device = { dir, 0, FALSE };

  _g_tmp_core_remember_tmpfile_refusal (&device);
#endif
}

void
_g_tmp_core_hold_refusals (gboolean hold)
{
#ifdef HAVE_O_TMPFILE
  if (hold)
    g_mutex_lock (&refusals_lock);
  else
    g_mutex_unlock (&refusals_lock);
#endif
}

void
_g_tmp_core_set_clock_offset (gint64 usec)
{
#ifdef HAVE_O_TMPFILE
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&refusals_lock);

  clock_offset = usec;
#endif
}
