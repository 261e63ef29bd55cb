#!/usr/bin/python3
# bench-gtempfile.py — libgtempfile from Python against CPython's tempfile,
# side by side in one process
#
#   bench-gtempfile.py [--rounds N] [--smoke] [--lifecycle-dir D] [--stream-dir D]
#                      [--mib M] [--lines N]
#
# Columns: CPython's tempfile, the GObject classes of the override
# (gi.overrides.GTempfile) and, when `import gtempfile` works, the drop-in
# package. Every round runs every measurement of every column back to back,
# each round starting with another column, so a ratio is taken between
# figures of the same round. Prints JSON (benchmarks/run --only python makes
# the table); needs the environment of the build tree (GI_TYPELIB_PATH,
# LD_LIBRARY_PATH, PYTHONPATH), which benchmarks/run sets.
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time

import gi
gi.require_version('GTempfile', '1.0')
from gi.repository import GTempfile  # noqa: E402

try:
    import gtempfile
except ImportError:
    gtempfile = None

# GTMP_BENCH_CLOCK=cpu: this process's CPU time, which the other processes
# of a busy machine do not inflate; otherwise wall-clock time.
clock = time.process_time if os.environ.get('GTMP_BENCH_CLOCK') == 'cpu' else time.perf_counter

MiB = 1 << 20
WARMUP = 200
FRESH_FILES = 5


def pattern(size):
    return bytes((i * 131 + 7) & 0xff for i in range(size))


class Column:
    """How one implementation makes each kind of object."""

    def __init__(self, name, label, tmpfile, named, spooled, tmpdir, mkstemp, mkdtemp):
        self.name = name
        self.label = label
        self.tmpfile = tmpfile      # (dir) → file
        self.named = named          # (dir) → file, removed on close
        self.spooled = spooled      # () → file in memory for good
        self.tmpdir = tmpdir        # (dir) → object with cleanup()
        self.mkstemp = mkstemp      # (dir) → (fd, path)
        self.mkdtemp = mkdtemp      # (dir) → path


def columns():
    cols = [
        Column('cpython', "CPython's tempfile",
               lambda d: tempfile.TemporaryFile(dir=d),
               lambda d: tempfile.NamedTemporaryFile(dir=d),
               lambda: tempfile.SpooledTemporaryFile(max_size=0),
               lambda d: tempfile.TemporaryDirectory(dir=d),
               lambda d: tempfile.mkstemp(dir=d),
               lambda d: tempfile.mkdtemp(dir=d)),
        Column('override', 'GTempfile override (GObject classes)',
               lambda d: GTempfile.TmpFile(dir=d),
               lambda d: GTempfile.NamedTmpFile(dir=d),
               lambda: GTempfile.SpooledTmpFile(),
               lambda d: GTempfile.TmpDir(dir=d),
               lambda d: GTempfile.mkstemp(dir=d),
               lambda d: GTempfile.mkdtemp(dir=d)),
    ]
    if gtempfile is not None:
        cols.append(Column('dropin', 'gtempfile drop-in',
                           lambda d: gtempfile.TemporaryFile(dir=d),
                           lambda d: gtempfile.NamedTemporaryFile(dir=d),
                           lambda: gtempfile.SpooledTemporaryFile(max_size=0),
                           lambda d: gtempfile.TemporaryDirectory(dir=d),
                           lambda d: gtempfile.mkstemp(dir=d),
                           lambda d: gtempfile.mkdtemp(dir=d)))
    return cols


def timed(func, n):
    """Seconds for n calls of func, after a warm-up, without the cyclic
    collector running in the middle."""
    for _ in range(min(WARMUP, n)):
        func()
    gc.collect()
    gc.disable()
    try:
        t0 = clock()
        for _ in range(n):
            func()
        return clock() - t0
    finally:
        gc.enable()


# --- measurements: each returns {metric: value} for one column ----------------

def lifecycles(col, args):
    d = args.lifecycle_dir
    n = args.n

    def mkstemp():
        fd, path = col.mkstemp(d)
        os.unlink(path)
        os.close(fd)

    ops = {
        'life-tmpfile': lambda: col.tmpfile(d).close(),
        'life-named': lambda: col.named(d).close(),
        'life-spooled': lambda: col.spooled().close(),
        'life-dir': lambda: col.tmpdir(d).cleanup(),
        'life-mkstemp': mkstemp,
        'life-mkdtemp': lambda: os.rmdir(col.mkdtemp(d)),
    }
    n //= lifecycles.repeat
    out = {name: timed(op, n) / n * 1e6 for name, op in ops.items()}
    if os.listdir(d):
        sys.exit(f'bench-gtempfile.py: {col.name} left {os.listdir(d)} in {d}')
    return out


# In 5 batches a round, the columns' batches in turn, each column's fastest
# batch counting: a lifecycle of one to twenty microseconds is at the mercy
# of what else the host does during one column's 5,000.
lifecycles.repeat = 5
lifecycles.best = min


def file_rw(f, chunk, total):
    src = pattern(chunk)
    count = total // chunk
    gc.disable()
    try:
        t0 = clock()
        for _ in range(count):
            f.write(src)
        f.flush()
        write_s = clock() - t0
        f.seek(0)
        t0 = clock()
        for _ in range(count):
            got = f.read(chunk)
        read_s = clock() - t0
    finally:
        gc.enable()
    if got != src or f.read(1) != b'':
        sys.exit('bench-gtempfile.py: read back different bytes')
    return total / MiB / write_s, total / MiB / read_s


def file_streams(col, args):
    """One fresh file, 4 KiB then 64 KiB calls. Run FRESH_FILES times a
    round, every column's file in turn, and the best of each column taken
    (as the C streams): the same reads run at one of two speeds from one
    file to the next, depending on where the kernel put its pages, whatever
    the column, and the columns' files alternate so that they meet the same
    moments of the host."""
    out = {}
    total = args.mib * MiB
    for chunk, name in ((4096, '4k'), (65536, '64k')):
        f = col.tmpfile(args.stream_dir)
        out[f'file-{name}-write'], out[f'file-{name}-read'] = file_rw(f, chunk, total)
        f.close()
    return out


file_streams.repeat = FRESH_FILES


def spooled_stream(col, args):
    f = col.spooled()
    out = {}
    out['spooled-4k-write'], out['spooled-4k-read'] = file_rw(f, 4096, args.mib * MiB)
    f.close()
    return out


def seek_tell(col, args):
    out = {}
    n = args.seeks
    for kind, f in (('file', col.tmpfile(args.stream_dir)), ('spooled', col.spooled())):
        f.write(pattern(4096) * 16)
        f.seek(100)
        out[f'{kind}-seek'] = timed(lambda: f.seek(0), n) / n * 1e6
        out[f'{kind}-tell'] = timed(f.tell, n) / n * 1e6
        f.close()
    return out


def lines(col, args):
    out = {}
    data = b''.join(b'line %d of the file, a few words long\n' % i for i in range(args.lines))
    for kind, f in (('file', col.tmpfile(args.stream_dir)), ('spooled', col.spooled())):
        f.write(data)
        best = float('inf')
        for _ in range(2):
            f.seek(0)
            gc.disable()
            t0 = clock()
            n = 0
            for _ in f:
                n += 1
            best = min(best, clock() - t0)
            gc.enable()
        if n != args.lines:
            sys.exit(f'bench-gtempfile.py: {col.name} iterated {n} lines, not {args.lines}')
        out[f'{kind}-lines'] = best
        f.close()
    return out


MEASUREMENTS = [lifecycles, file_streams, spooled_stream, seek_tell, lines]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--smoke', action='store_true', help='one round, tiny sizes')
    p.add_argument('--lifecycle-dir', default='/dev/shm')
    p.add_argument('--stream-dir', default='/tmp')
    p.add_argument('--n', type=int, default=5000, help='lifecycles per measurement')
    p.add_argument('--mib', type=int, default=64, help='MiB written then read per file')
    p.add_argument('--seeks', type=int, default=100000)
    p.add_argument('--lines', type=int, default=200000)
    args = p.parse_args(argv)
    if args.smoke:
        args.rounds, args.n, args.mib, args.seeks, args.lines = 1, 20, 1, 200, 2000

    # Lifecycles in an empty directory of their own.
    args.lifecycle_dir = tempfile.mkdtemp(prefix='gtmp-bench-py-', dir=args.lifecycle_dir)
    cols = columns()
    results = {}
    notes = []
    if gtempfile is None:
        notes.append('The drop-in (import gtempfile) is not importable here: its column is '
                     'left out.')
    failed = set()
    try:
        for r in range(args.rounds):
            k = r % len(cols)
            for measure in MEASUREMENTS:
                # A measurement with .repeat runs that many times a round,
                # the columns in turn each time; each column's best counts
                # (.best: max for speeds, the default, or min for times).
                best = {}
                for _ in range(getattr(measure, 'repeat', 1)):
                    for col in cols[k:] + cols[:k]:
                        if col.name in failed:
                            continue
                        try:
                            values = measure(col, args)
                        except Exception as e:
                            # The drop-in is another package, maybe half done:
                            # its column goes, the rest of the run stays.
                            if col.name != 'dropin':
                                raise
                            failed.add(col.name)
                            notes.append(f'{col.label}: {measure.__name__} failed '
                                         f'({type(e).__name__}: {e}); its column is '
                                         'left out.')
                            for metric in results:
                                results[metric].pop(col.name, None)
                            best.pop(col.name, None)
                            continue
                        kept = best.setdefault(col.name, {})
                        pick = getattr(measure, 'best', max)
                        for metric, value in values.items():
                            kept[metric] = pick(kept.get(metric, value), value)
                for name, values in best.items():
                    for metric, value in values.items():
                        results.setdefault(metric, {}).setdefault(name, []).append(value)
    finally:
        shutil.rmtree(args.lifecycle_dir, ignore_errors=True)
    json.dump(dict(columns=[(c.name, c.label) for c in cols if c.name not in failed],
                   rounds=args.rounds,
                   results=results, notes=notes,
                   python=sys.version.split()[0],
                   pygobject='.'.join(str(x) for x in gi.version_info),
                   sizes=dict(n=args.n, mib=args.mib, seeks=args.seeks, lines=args.lines)),
              sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main(sys.argv[1:])
