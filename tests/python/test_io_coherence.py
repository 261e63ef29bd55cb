#!/usr/bin/python3
# test_io_coherence.py — the override's fast file methods (descriptor, one C
# call in memory, line read-ahead) against the GIO streams, step by step
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import io
import os
import random
import shutil
import sys
import tempfile
import unittest

import gi
gi.require_version('GTempfile', '1.0')
from gi.repository import GLib, Gio, GTempfile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taptestrunner  # noqa: E402

# The files under test: (name, factory(dir), whether it ends in memory).
KINDS = [
    ('TmpFile', lambda d: GTempfile.TmpFile(dir=d), False),
    ('NamedTmpFile', lambda d: GTempfile.NamedTmpFile(dir=d), False),
    ('SpooledTmpFile in memory', lambda d: GTempfile.SpooledTmpFile(dir=d), True),
    # Rolls over on the way (a write past 3000 bytes, by either side).
    ('SpooledTmpFile rolling over', lambda d: GTempfile.SpooledTmpFile(3000, dir=d), False),
]


class Model:
    """What the file holds and where its position is."""

    def __init__(self):
        self.data = bytearray()
        self.pos = 0

    def write(self, b):
        if self.pos > len(self.data):
            self.data.extend(bytes(self.pos - len(self.data)))
        self.data[self.pos:self.pos + len(b)] = b
        self.pos += len(b)

    def read(self, n):
        b = bytes(self.data[self.pos:self.pos + n]) if n >= 0 else bytes(self.data[self.pos:])
        self.pos += len(b)
        return b

    def readline(self):
        end = self.data.find(b'\n', self.pos)
        return self.read(-1 if end < 0 else end + 1 - self.pos)

    def truncate(self, size):
        del self.data[size:]
        self.data.extend(bytes(size - len(self.data)))


class CoherenceTestCase(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix='gtempfile-py-io-')
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def payload(self, rng):
        """Bytes with newlines now and then, so lines come in all lengths."""
        n = rng.choice([1, 5, 80, 700, 5000, 9000])
        return bytes(rng.choice(b'abcdefgh\n') for _ in range(n))

    # Each step is one call on one side, checked against the model; then
    # both sides must report the model's position.

    def python_step(self, f, m, rng, lines):
        op = rng.randrange(10)
        if op == 0:
            b = self.payload(rng)
            self.assertEqual(f.write(b), len(b))
            m.write(b)
        elif op == 1:
            n = rng.choice([0, 1, 100, 4096, 70000])
            self.assertEqual(f.read(n), m.read(n))
        elif op == 2:
            self.assertEqual(f.readline(), m.readline())
        elif op == 3:
            # A line from a `for` loop's iterator kept across steps; one
            # that has reached the end stays there (a generator), so a new
            # one then.
            line = next(lines[0], None)
            if line is None:
                lines[0] = iter(f)
                line = next(lines[0], b'')
            self.assertEqual(line, m.readline())
        elif op == 4:
            buf = bytearray(rng.choice([1, 333, 8192]))
            n = f.readinto(buf)
            self.assertEqual(bytes(buf[:n]), m.read(len(buf)))
        elif op == 5:
            to = rng.randrange(len(m.data) + 100)
            whence = rng.randrange(3)
            offset = to - (0, m.pos, len(m.data))[whence]
            self.assertEqual(f.seek(offset, whence), to)
            m.pos = to
        elif op == 6:
            self.assertEqual(f.tell(), m.pos)
        elif op == 7:
            size = rng.randrange(len(m.data) + 100)
            self.assertEqual(f.truncate(size), size)
            m.truncate(size)
        elif op == 8:
            # One read: at most n bytes, none only at the end.
            got = f.read1(rng.choice([10, 5000]))
            self.assertEqual(got, m.read(len(got)))
            self.assertTrue(got or m.pos >= len(m.data))
        else:
            f.flush()

    def gio_step(self, f, m, rng, streams):
        ins, outs = streams
        op = rng.randrange(6)
        if op == 0:
            b = self.payload(rng)
            ok, written = outs.write_all(b, None)
            self.assertTrue(ok)
            m.write(b)
        elif op == 1:
            n = rng.choice([1, 100, 4096, 70000])
            got = b''
            while len(got) < n:
                piece = ins.read_bytes(n - len(got), None).get_data()
                if not piece:
                    break
                got += piece
            self.assertEqual(got, m.read(n))
        elif op == 2:
            to = rng.randrange(len(m.data) + 100)
            Gio.Seekable.seek(rng.choice([ins, outs, f]), to, GLib.SeekType.SET, None)
            m.pos = to
        elif op == 3:
            self.assertEqual(Gio.Seekable.tell(rng.choice([ins, outs, f])), m.pos)
        elif op == 4:
            size = rng.randrange(len(m.data) + 100)
            Gio.Seekable.truncate(outs, size, None)
            m.truncate(size)
        else:
            fd = f.fileno() if not isinstance(f, GTempfile.SpooledTmpFile) else None
            if fd is not None:
                self.assertEqual(os.lseek(fd, 0, os.SEEK_CUR), m.pos)

    def check_positions(self, f, m, streams):
        self.assertEqual(f.tell(), m.pos)
        for side in (f,) + streams:
            self.assertEqual(Gio.Seekable.tell(side), m.pos)

    def for_each_kind_and_seed(self, run):
        """run(f, m, rng) for each kind of file, with four seeds: a fresh
        file, an empty model, a seeded generator. Then the whole file
        reads as the model says (a spooled one rolled over or not, as its
        kind says)."""
        for name, make, in_memory in KINDS:
            for seed in range(4):
                with self.subTest(kind=name, seed=seed):
                    f = make(self.scratch)
                    m = Model()
                    run(f, m, random.Random(seed))
                    f.seek(0)
                    self.assertEqual(f.read(), bytes(m.data))
                    if isinstance(f, GTempfile.SpooledTmpFile):
                        self.assertEqual(f.is_rolled_over(), not in_memory)
                    f.close()

    def test_interleaved(self):
        """With the streams handed out, every step of either side sees the
        other's bytes and position: line reading keeps nothing ahead."""
        def run(f, m, rng):
            streams = (f.get_input_stream(), f.get_output_stream())
            lines = [iter(f)]
            for step in range(300):
                if step % 2:
                    self.gio_step(f, m, rng, streams)
                else:
                    self.python_step(f, m, rng, lines)
                self.check_positions(f, m, streams)

        self.for_each_kind_and_seed(run)

    def test_python_methods_around_read_ahead(self):
        """Without the streams handed out, a loop reads ahead; every other
        method gives it back, so they see the position after the line the
        loop is at, and the loop goes on from wherever they leave it."""
        def run(f, m, rng):
            data = b''.join(self.payload(rng) for _ in range(20))
            f.write(data)
            f.seek(0)
            m.data = bytearray(data)
            lines = [iter(f)]
            for step in range(300):
                self.python_step(f, m, rng, lines)
                self.assertEqual(f.tell(), m.pos)

        self.for_each_kind_and_seed(run)

    def test_loop_gives_back_when_left(self):
        for name, make, _ in KINDS:
            with self.subTest(kind=name):
                f = make(self.scratch)
                f.write(b''.join(b'line %d\n' % i for i in range(5000)))
                f.seek(0)
                for i, line in enumerate(f):
                    self.assertEqual(line, b'line %d\n' % i)
                    if i == 10:
                        break
                expected = len(b''.join(b'line %d\n' % i for i in range(11)))
                # The streams (asked for only now) and the descriptor see it.
                self.assertEqual(Gio.Seekable.tell(f), expected)
                self.assertEqual(f.tell(), expected)
                self.assertEqual(f.readline(), b'line 11\n')
                # A loop run to the end leaves the position at the end.
                self.assertEqual(len(list(f)), 5000 - 12)
                self.assertEqual(Gio.Seekable.tell(f), f.seek(0, os.SEEK_END))
                f.close()

    def test_streams_inside_loop(self):
        """Streams asked for inside a loop get the exact position, and the
        loop reads exactly from then on."""
        f = GTempfile.TmpFile(dir=self.scratch)
        f.write(b'a\nbb\nccc\ndddd\n')
        f.seek(0)
        seen = []
        for line in f:
            seen.append(line)
            ins = f.get_input_stream()
            self.assertEqual(Gio.Seekable.tell(ins), f.tell())
            if line == b'bb\n':
                self.assertEqual(ins.read_bytes(4, None).get_data(), b'ccc\n')
        self.assertEqual(seen, [b'a\n', b'bb\n', b'dddd\n'])

    def test_small_reads_in_memory(self):
        """A spooled file in memory reads ahead for small reads; the
        streams, asked for afterwards, still see the exact position."""
        f = GTempfile.SpooledTmpFile(dir=self.scratch)
        data = bytes(range(256)) * 400
        f.write(data)
        f.seek(0)
        self.assertEqual(f.read(10), data[:10])
        self.assertEqual(f.read(5000), data[10:5010])
        self.assertEqual(f.tell(), 5010)
        ins = f.get_input_stream()
        self.assertEqual(Gio.Seekable.tell(ins), 5010)
        self.assertEqual(ins.read_bytes(6, None).get_data(), data[5010:5016])
        # Exposed: no read-ahead any more, each read is exact.
        self.assertEqual(f.read(4), data[5016:5020])
        self.assertEqual(Gio.Seekable.tell(ins), 5020)
        self.assertFalse(f.is_rolled_over())
        f.close()

    def test_lines_kinds(self):
        """Lines as CPython's binary files split them: only b'\\n' ends a
        line, the last one may lack it, long ones cross the read-ahead."""
        data = b'one\r\ntwo\rthree\x0bfour\n' + b'x' * 20000 + b'\n\nlast'
        for name, make, _ in KINDS:
            with self.subTest(kind=name):
                f = make(self.scratch)
                f.write(data)
                f.seek(0)
                self.assertEqual(list(f), io.BytesIO(data).readlines())
                f.seek(0)
                self.assertEqual(f.readlines(), io.BytesIO(data).readlines())
                f.seek(0)
                self.assertEqual(f.readline(3), b'one')
                self.assertEqual(f.readline(), b'\r\n')
                self.assertEqual(f.readline(30000), b'two\rthree\x0bfour\n')
                self.assertEqual(f.readline(5), b'xxxxx')
                self.assertEqual(f.tell(), len(b'one\r\ntwo\rthree\x0bfour\n') + 5)
                f.close()

    def test_closed_under_loop(self):
        f = GTempfile.TmpFile(dir=self.scratch)
        f.write(b'a\n' * 10000)
        f.seek(0)
        lines = iter(f)
        next(lines)
        f.close()
        with self.assertRaises(GLib.Error):
            next(lines)

    def test_descriptor_replaced_by_persist(self):
        """A persist that has to copy (here to another file system) gives
        the object a new descriptor: the methods follow it."""
        dest_dir = '/dev/shm' if os.path.isdir('/dev/shm') else self.scratch
        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'before\n')
            dest = os.path.join(tempfile.mkdtemp(dir=dest_dir), 'kept')
            self.addCleanup(shutil.rmtree, os.path.dirname(dest))
            f.persist(dest, GTempfile.TmpPersistFlags.ALLOW_COPY, None)
            f.write(b'after\n')
            f.seek(0)
            self.assertEqual(f.read(), b'before\nafter\n')
        with open(dest, 'rb') as kept:
            self.assertEqual(kept.read(), b'before\nafter\n')

    def test_spooled_switches_to_descriptor(self):
        f = GTempfile.SpooledTmpFile(10, dir=self.scratch)
        f.write(b'0123456789')
        self.assertFalse(f.is_rolled_over())
        f.write(b'ab')
        self.assertTrue(f.is_rolled_over())
        fd = f.fileno()
        self.assertEqual(os.lseek(fd, 0, os.SEEK_CUR), 12)
        self.assertEqual(f.seek(2), 2)
        self.assertEqual(os.read(fd, 3), b'234')
        self.assertEqual(f.read(), b'56789ab')
        f.close()
        with self.assertRaises(GLib.Error):
            f.read(1)


if __name__ == '__main__':
    taptestrunner.main()
