/* gtmp-gate.c — GTmpFile's persist gate: a persist in flight refuses the
 * other operations and waits for those in progress
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gtmp-file-private.h"

/* A persist in flight (from the call to the end of persist() or to the
 * callback of persist_async()) refuses every other operation on the file
 * with G_IO_ERROR_PENDING, and waits for those already in progress before
 * it touches the file: every byte a write acknowledged is in the persisted
 * file, and nothing can roll a spooled file over behind its back.
 *
 * The state is one atomic word, so that a read or a write pays two atomic
 * additions and no lock; the lock and the condition are for the waiters. */
#define OPS_PERSISTING (1 << 30)   /* refuse operations */
#define OPS_MOVING     (1 << 29)   /* persist's disk phase is yet to end */
#define OPS_COUNT_MASK (OPS_MOVING - 1)

static void
set_pending_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                       _("The temporary file is being persisted"));
}

/* A forked child inherits @lock, @cond and the gate as the parent's other
 * threads left them: an operation or a persist under way that will never
 * end there, @lock maybe held. On the first use in the child they start
 * afresh, as the link's lock does (link_lock() in gtmp-filestore.c); the
 * file's bytes and name stay what they are. One compare in this process. */
static void
adopt (GTmpFile        *self,
       GTmpFilePrivate *priv)
{
  if (G_LIKELY (!_g_tmp_core_adopt_begin (&priv->lock_pid)))
    return;

  g_mutex_init (&priv->lock);
  g_cond_init (&priv->cond);
  /* The persist's GIO pending flag, which only it would clear. */
  if (g_atomic_int_get (&priv->ops) & OPS_PERSISTING)
    g_io_stream_clear_pending (G_IO_STREAM (self));
  g_atomic_int_set (&priv->ops, 0);
  priv->unsettled = NULL;
  _g_tmp_core_adopt_end (&priv->lock_pid);
}

static void
ops_wake (GTmpFilePrivate *priv)
{
  g_mutex_lock (&priv->lock);
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

void
_g_tmp_file_op_end (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gint old = g_atomic_int_add (&priv->ops, -1);

  /* The last operation a persist waits for. */
  if (G_UNLIKELY ((old & OPS_PERSISTING) && ((old - 1) & OPS_COUNT_MASK) == 0))
    ops_wake (priv);
}

gboolean
_g_tmp_file_op_begin (GTmpFile  *self,
                      GError   **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  adopt (self, priv);
  if (G_LIKELY (!(g_atomic_int_add (&priv->ops, 1) & OPS_PERSISTING)))
    return TRUE;

  _g_tmp_file_op_end (self);
  set_pending_error (error);
  return FALSE;
}

gboolean
_g_tmp_file_gate_close (GTmpFile  *self,
                        GError   **error)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gint old;

  adopt (self, priv);
  /* The disk phase counts as begun already: a dispose that comes before
   * the worker has started waits for it too. A refused persist changes
   * nothing: had it set OPS_MOVING after the first one's disk phase, the
   * first one's callback and dispose would wait for it forever. */
  do
    {
      old = g_atomic_int_get (&priv->ops);
      if (old & OPS_PERSISTING)
        {
          set_pending_error (error);
          return FALSE;
        }
    }
  while (!g_atomic_int_compare_and_exchange (&priv->ops, old,
                                             old | OPS_PERSISTING | OPS_MOVING));

  return TRUE;
}

void
_g_tmp_file_gate_open (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  g_atomic_int_and ((guint *) &priv->ops, ~(guint) OPS_PERSISTING);
}

/* Starts persist's disk phase once the operations in progress are over.
 * (So a persist from inside one of them, such as a notify::rolled-over
 * handler run by a write, would wait for itself: the reference forbids it.) */
void
_g_tmp_file_moving_start (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  g_mutex_lock (&priv->lock);
  while (g_atomic_int_get (&priv->ops) & OPS_COUNT_MASK)
    g_cond_wait (&priv->cond, &priv->lock);
  g_mutex_unlock (&priv->lock);
}

void
_g_tmp_file_moving_end (GTmpFile *self,
                        gpointer  unsettled)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  g_mutex_lock (&priv->lock);
  priv->unsettled = unsettled;
  g_atomic_int_and ((guint *) &priv->ops, ~(guint) OPS_MOVING);
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

/* Waits for a persist's disk phase in another thread to end and returns
 * the persist_async it leaves to record, if any (taking it: it is recorded
 * once, by whoever takes it). */
gpointer
_g_tmp_file_wait_unsettled (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);
  gpointer op;

  adopt (self, priv);
  g_mutex_lock (&priv->lock);
  while (g_atomic_int_get (&priv->ops) & OPS_MOVING)
    g_cond_wait (&priv->cond, &priv->lock);
  op = g_steal_pointer (&priv->unsettled);
  g_mutex_unlock (&priv->lock);

  return op;
}

gboolean
_g_tmp_file_is_persisting (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  adopt (self, priv);
  return G_UNLIKELY (g_atomic_int_get (&priv->ops) & OPS_PERSISTING);
}

gboolean
_g_tmp_file_init_locked (GTmpFile           *self,
                         GTmpFileCreateFunc  create_locked,
                         GCancellable       *cancellable,
                         GError            **error)
{
  GMutex *lock = _g_tmp_file_get_lock (self);
  gboolean ret;

  g_mutex_lock (lock);
  ret = create_locked (self, cancellable, error);
  g_mutex_unlock (lock);

  return ret;
}

GMutex *
_g_tmp_file_get_lock (GTmpFile *self)
{
  GTmpFilePrivate *priv = _g_tmp_file_get_private (self);

  adopt (self, priv);
  return &priv->lock;
}
