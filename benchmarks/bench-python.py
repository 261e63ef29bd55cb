#!/usr/bin/python3
# bench-python.py — CPython's tempfile module, with gtmp-bench's command line
#
#   bench-python.py lifecycle COLUMN DIR N
#   bench-python.py stream COLUMN DIR CHUNK TOTAL [MAX_SIZE]
#   bench-python.py rmtree COLUMN PATH
#
# Prints seconds, like gtmp-bench, timing only the work (not start-up).
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import sys
import tempfile
import time

# GTMP_BENCH_CLOCK=cpu: this process's CPU time (user + system), which other
# processes on a busy machine do not inflate; otherwise wall-clock time.
perf_counter = time.process_time if os.environ.get('GTMP_BENCH_CLOCK') == 'cpu' \
    else time.perf_counter

# Same as BENCH_WARMUP_OPS in gtmp-bench.h: a fixed number, so that the
# strace difference of two N cancels it.
WARMUP_OPS = 200


def temporary_file(d):
    tempfile.TemporaryFile(dir=d).close()


def named_temporary_file(d):
    tempfile.NamedTemporaryFile(dir=d).close()


def temporary_directory(d):
    tempfile.TemporaryDirectory(dir=d).cleanup()


def mkstemp(d):
    fd, path = tempfile.mkstemp(dir=d)
    os.unlink(path)
    os.close(fd)


LIFECYCLES = {
    'py-tmpfile': temporary_file,
    'py-named': named_temporary_file,
    'py-dir': temporary_directory,
    'py-mkstemp': mkstemp,
}


def lifecycle(column, d, n):
    func = LIFECYCLES[column]
    for _ in range(WARMUP_OPS):
        func(d)
    t0 = perf_counter()
    for _ in range(n):
        func(d)
    return [perf_counter() - t0]


def pattern(size):
    return bytes((i * 131 + 7) & 0xff for i in range(size))


def file_rw(f, chunk, total):
    src = pattern(chunk)
    t0 = perf_counter()
    for _ in range(total // chunk):
        f.write(src)
    f.flush()
    write_s = perf_counter() - t0
    # The best of GTMP_BENCH_READS passes, as in gtmp-bench.
    read_s = float('inf')
    for _ in range(max(int(os.environ.get('GTMP_BENCH_READS', '1')), 1)):
        f.seek(0)
        t0 = perf_counter()
        for _ in range(total // chunk):
            got = f.read(chunk)
        read_s = min(read_s, perf_counter() - t0)
    if got != src:
        sys.exit('bench-python.py: read back different bytes')
    return [write_s, read_s]


def best_stream(column, d, chunk, total, max_size):
    # The best of GTMP_BENCH_REPS fresh files, as in gtmp-bench.
    runs = [stream(column, d, chunk, total, max_size)
            for _ in range(max(int(os.environ.get('GTMP_BENCH_REPS', '1')), 1))]
    return [min(r[0] for r in runs), min(r[1] for r in runs)]


def stream(column, d, chunk, total, max_size):
    if column == 'py':
        with tempfile.TemporaryFile(dir=d) as f:
            return file_rw(f, chunk, total)
    if column == 'py-spooled':
        # max_size 0 never rolls over, as in the C columns
        with tempfile.SpooledTemporaryFile(max_size=max_size, dir=d) as f:
            result = file_rw(f, chunk, total)
            if 0 < max_size < total and not f._rolled:
                sys.exit('bench-python.py: spooled file did not roll over')
            return result
    raise KeyError(column)


def rmtree(column, path):
    if column != 'py':
        raise KeyError(column)
    t0 = perf_counter()
    shutil.rmtree(path)
    return [perf_counter() - t0]


def main(argv):
    try:
        cmd, column = argv[1], argv[2]
        if cmd == 'lifecycle':
            result = lifecycle(column, argv[3], int(argv[4]))
        elif cmd == 'stream':
            max_size = int(argv[6]) if len(argv) > 6 else 0
            result = best_stream(column, argv[3], int(argv[4]), int(argv[5]), max_size)
        elif cmd == 'rmtree':
            result = rmtree(column, argv[3])
        else:
            raise KeyError(cmd)
    except (IndexError, KeyError) as e:
        sys.exit(f'usage: bench-python.py lifecycle|stream|rmtree COLUMN ... ({e})')
    print(' '.join(f'{x:.9f}' for x in result))


if __name__ == '__main__':
    main(sys.argv)
