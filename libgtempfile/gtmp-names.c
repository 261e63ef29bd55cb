/* gtmp-names.c — the random part of names: a pool of random bytes per
 * thread, the name alphabet, the test hook that scripts names
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
# include <sys/random.h>
#endif

#include <glib/gi18n-lib.h>

#include "gtmp-core.h"
#include "gtmp-testing.h"

static const gchar name_alphabet[] = G_TMP_CORE_NAME_ALPHABET;
#define NAME_ALPHABET_LEN (G_N_ELEMENTS (name_alphabet) - 1)
/* Bytes at or above this would make "byte % 37" biased: reject them. */
#define UNBIASED_LIMIT (256 - (256 % NAME_ALPHABET_LEN))

/* A random byte's name character: name_alphabet[byte % 37], or 0 for the
 * bytes that would bias it (filled at load time; one look-up per byte
 * instead of a division). */
static gchar byte_to_char[256];

static GTmpCoreHook name_hook;

__attribute__((constructor)) static void
gtmp_names_init (void)
{
  for (guint byte = 0; byte < UNBIASED_LIMIT; byte++)
    byte_to_char[byte] = name_alphabet[byte % NAME_ALPHABET_LEN];
}

/* 4 KiB: one getrandom() per ~450 names, so that a named lifecycle makes
 * open + unlink + close and, rounded, nothing else (512 bytes made it 3.02). */
typedef struct
{
  guint8 bytes[4096];
  guint  available;
  gint   generation;
} RandomPool;

/* The pool is owned by a GPrivate, which frees it when the thread exits. A
 * plain __thread pool would cost a call to __tls_get_addr() in a shared
 * library, and GCC recomputed it for every byte drawn
 * (benchmarks/README.md). Where the compiler allows, the pool's address is
 * also kept in an initial-exec thread-local pointer, one load away; going
 * through g_private_get() every time cost a tenth of a GTmpDir lifecycle's
 * user-space time in perf samples. Eight bytes of static TLS is well within
 * what glibc keeps for libraries loaded with dlopen(). */
static void random_pool_free (gpointer pool);

static GPrivate random_pool_key = G_PRIVATE_INIT (random_pool_free);
#ifdef HAVE_TLS_INITIAL_EXEC
static __thread RandomPool *random_pool_cached __attribute__((tls_model ("initial-exec")));
#endif
/* Set when the pool's destructor has run: a thread-exit destructor that runs
 * after it (another library's, or the application's) may still create files,
 * and must neither read the freed pool nor make a new one that nobody would
 * free. Read only when the cached pointer is NULL. */
static __thread gboolean random_pool_gone;

static void
random_pool_free (gpointer pool)
{
#ifdef HAVE_TLS_INITIAL_EXEC
  random_pool_cached = NULL;
#endif
  random_pool_gone = TRUE;
  g_free (pool);
}

/* This thread's pool, or NULL once it has been freed at thread exit. */
static RandomPool *
get_random_pool (void)
{
  RandomPool *pool;

#ifdef HAVE_TLS_INITIAL_EXEC
  pool = random_pool_cached;
  if G_LIKELY (pool != NULL)
    return pool;
#endif

  pool = g_private_get (&random_pool_key);
  if G_UNLIKELY (pool == NULL)
    {
      if (random_pool_gone)
        return NULL;

      /* available = 0: filled by the first draw. */
      pool = g_new0 (RandomPool, 1);
      g_private_set (&random_pool_key, pool);
    }

#ifdef HAVE_TLS_INITIAL_EXEC
  random_pool_cached = pool;
#endif
  return pool;
}

/* FALSE with errno set when the OS gives no random bytes (ENOSYS under a
 * seccomp filter, say): that fails the creating call, never the process.
 * EINTR is retried. */
static gboolean
fill_from_os (guint8 *buffer,
              gsize   length)
{
#if defined(HAVE_GETRANDOM)
  while (length > 0)
    {
      gssize n = getrandom (buffer, length, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      buffer += n;
      length -= n;
    }
#elif defined(HAVE_ARC4RANDOM_BUF)
  arc4random_buf (buffer, length);
#else
# error "No CSPRNG: need getrandom() or arc4random_buf()"
#endif
  return TRUE;
}

/* Characters straight from the OS, for a thread whose pool is gone: a
 * system call per name, but only in that thread's last moments. */
static gboolean
random_chars_unpooled (gchar *chars,
                       gsize  n)
{
  guint8 bytes[64];
  gsize i = 0;

  while (i < n)
    {
      gsize j;

      if (!fill_from_os (bytes, sizeof bytes))
        return FALSE;
      for (j = 0; j < sizeof bytes && i < n; j++)
        {
          gchar c = byte_to_char[bytes[j]];

          if (c != 0)
            chars[i++] = c;
        }
    }

  return TRUE;
}

/* Characters from this thread's pool, refilled in batches so that a name
 * costs no system call of its own. The count of bytes left is kept in a
 * local while drawing. A failed refill leaves the pool empty, so the next
 * draw asks the OS again. */
gboolean
_g_tmp_core_random_chars (gchar *chars,
                          gsize  n)
{
  RandomPool *pool = get_random_pool ();
  gint generation;
  guint available;
  gsize i = 0;

  if G_UNLIKELY (pool == NULL)
    return random_chars_unpooled (chars, n);

  generation = g_atomic_int_get (&_g_tmp_core_fork_generation);
  available = pool->generation == generation ? pool->available : 0;

  while (i < n)
    {
      gchar c;

      if G_UNLIKELY (available == 0)
        {
          if (!fill_from_os (pool->bytes, sizeof pool->bytes))
            {
              pool->available = 0;
              return FALSE;
            }
          available = sizeof pool->bytes;
          pool->generation = generation;
        }

      c = byte_to_char[pool->bytes[--available]];
      if (c != 0)
        chars[i++] = c;
    }

  pool->available = available;
  return TRUE;
}

void
_g_tmp_core_set_random_error (GError      **error,
                              gint          errsv,
                              const gchar  *dir)
{
  _g_tmp_core_set_error (error, errsv, _("Could not draw a random name in “%s”"), dir);
}

void
_g_tmp_core_set_name_hook (GTmpCoreNameHook hook,
                           gpointer         user_data)
{
  _g_tmp_core_hook_set (&name_hook, G_CALLBACK (hook), user_data);
}

/* Fills the @n characters of a name's random part. FALSE with errno set
 * when no random characters could be had. The hook draws the first
 * G_TMP_CORE_RANDOM_CHARS; a longer part repeats them, so that a scripted
 * name stays scripted (gtmp-testing.h). */
gboolean
_g_tmp_core_draw_name_chars (gchar *chars,
                             gsize  n)
{
  GTmpCoreNameHook hook = (GTmpCoreNameHook) g_atomic_pointer_get (&name_hook.func);

  if G_UNLIKELY (hook != NULL)
    {
      hook (chars, name_hook.data);
      for (gsize i = G_TMP_CORE_RANDOM_CHARS; i < n; i++)
        chars[i] = chars[i % G_TMP_CORE_RANDOM_CHARS];
      return TRUE;
    }

  return _g_tmp_core_random_chars (chars, n);
}
