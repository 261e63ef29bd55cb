#!/usr/bin/python3
# test_dropin_differential.py — gtempfile against CPython's tempfile, by
# random sequences of operations run on both side by side
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Differential random tests of the gtempfile drop-in.

Every seed gives a file configuration (class, mode, buffering, encoding,
newline, errors, max_size, delete flags) and a sequence of operations,
generated before anything runs, so that a failure can be replayed from the
seed alone. The sequence runs on a CPython ``tempfile`` object and on the
matching ``gtempfile`` object; after every step the return values (or the
exception type; the errno of an OSError) and ``tell()`` must be the same,
and at the end the content (read back, and through the path of a named
file), ``closed`` and what is left on disk. The module functions get the
same treatment with random names and directories.

Replay or widen a run with ``GTMP_DIFF_SEEDS``: ``12``, ``0-5000`` or
``3,17,40`` (the file sequences and the module sequences take the same
seeds); ``GTMP_DIFF_VERBOSE=1`` prints every sequence;
``GTMP_DIFF_KEEP_GOING=1`` runs every seed and reports all that fail.

The differences doc/from-python.md lists (the deliberate ones, and the
CPython bugs gtempfile does not copy) are left out of the comparison where
they would show, each with its reason below (cpython_defect(),
cpython_broken(), FunctionTestCase.run_function()); nothing else is.
"""

import errno
import io
import os
import pathlib
import random
import re
import shutil
import stat
import sys
import tempfile
import unittest
import warnings

import gtempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taptestrunner  # noqa: E402

FILE_SEEDS = 4000
FUNCTION_SEEDS = 1000
STEPS = 28


def _seeds(default):
    spec = os.environ.get('GTMP_DIFF_SEEDS')
    if not spec:
        return range(default)
    seeds = []
    for part in spec.split(','):
        first, _, last = part.partition('-')
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


VERBOSE = bool(os.environ.get('GTMP_DIFF_VERBOSE'))
# GTMP_DIFF_KEEP_GOING=1: run every seed, then report all that failed.
KEEP_GOING = bool(os.environ.get('GTMP_DIFF_KEEP_GOING'))


# --- outcomes --------------------------------------------------------------

def _exception_class(exc):
    """The built-in or io class of @exc: the override's exceptions are
    subclasses that are also GLib.Errors."""
    for cls in type(exc).__mro__:
        if cls.__module__ in ('builtins', 'io', '_io'):
            return cls
    return type(exc)


class Raised:
    """An exception as compared: its class, and the errno of an OSError.
    Messages are not compared (ours are CPython's for OSError, but
    ValueError and TypeError messages are the io module's or ours)."""

    def __init__(self, exc):
        self.cls = _exception_class(exc)
        self.errno = getattr(exc, 'errno', None) \
            if isinstance(exc, OSError) else None
        self.text = '%s: %s' % (type(exc).__name__, exc)

    def __eq__(self, other):
        return (isinstance(other, Raised) and self.cls is other.cls
                and self.errno == other.errno)

    def __repr__(self):
        return '<raised %s>' % self.text


def outcome(call, *args):
    try:
        return call(*args)
    except Exception as exc:  # noqa: BLE001 -- compared, not hidden
        return Raised(exc)


class Mismatch(AssertionError):
    pass


# --- configurations --------------------------------------------------------

BINARY_MODES = ('w+b', 'wb+', 'r+b', 'rb+', 'wb', 'rb', 'ab', 'a+b', 'xb',
                'x+b')
TEXT_MODES = ('w+', 'w+t', 'r+', 'wt', 'r', 'a+', 'x+')
ENCODINGS = ('utf-8', 'latin-1', 'utf-16', None)
NEWLINES = (None, '', '\n', '\r\n', '\r')
ERRORS = (None, 'strict', 'replace')


def random_config(rng):
    kind = rng.choice(('TemporaryFile', 'NamedTemporaryFile',
                       'SpooledTemporaryFile'))
    text = rng.random() < 0.5
    if text:
        mode = rng.choice(TEXT_MODES[:3]) if rng.random() < 0.7 \
            else rng.choice(TEXT_MODES)
        # (0: ValueError on both.)
        buffering = rng.choice((-1, -1, 1, 0, rng.randint(2, 64)))
        kwargs = {'encoding': rng.choice(ENCODINGS),
                  'newline': rng.choice(NEWLINES),
                  'errors': rng.choice(ERRORS)}
    else:
        mode = rng.choice(BINARY_MODES[:4]) if rng.random() < 0.7 \
            else rng.choice(BINARY_MODES)
        # (1: a RuntimeWarning on both, compared.)
        buffering = rng.choice((-1, -1, 0, 1, rng.randint(2, 64)))
        kwargs = {}
    config = {'kind': kind, 'mode': mode, 'buffering': buffering}
    config.update(kwargs)
    if kind == 'SpooledTemporaryFile':
        config['max_size'] = rng.choice((0, -1, rng.randint(1, 40),
                                         rng.randint(1, 300)))
    if kind == 'NamedTemporaryFile':
        config['delete'] = rng.random() < 0.7
        config['delete_on_close'] = rng.random() < 0.7
        if rng.random() < 0.3:
            config['prefix'] = rng.choice(('p_', 'été-', ''))
            config['suffix'] = rng.choice(('.s', '', '-x'))
    return config


# --- data ------------------------------------------------------------------

BYTE_PIECES = (b'a', b'bc', b'\n', b'\r', b'\r\n', b'\0', b'\xff',
               'é'.encode(), b'line\n', b'xyz')
TEXT_PIECES = ('a', 'bc', '\n', '\r', '\r\n', '\0', 'é', '€', '\U0001d11e',
               'ÿ', 'line\n', 'xyz', '\r\r\n\n')
# Rarely: a lone surrogate, which no encoding takes (errors='strict':
# UnicodeEncodeError; 'replace': '?').
SURROGATE = '\udcff'



def random_data(rng, text):
    pieces = TEXT_PIECES if text else BYTE_PIECES
    if rng.random() < 0.05:
        # Past the small buffers and max_sizes, and past 4 KiB.
        count = rng.randint(300, 2000)
    else:
        count = rng.choice((0, 1, 2, rng.randint(1, 30)))
    data = (str if text else bytes)().join(rng.choice(pieces)
                                           for _ in range(count))
    if text and rng.random() < 0.02:
        data += SURROGATE
    if not text:
        kind = rng.random()
        if kind < 0.1:
            return ('bytearray', data)
        if kind < 0.15:
            return ('memoryview', data)
    return data


def materialize(data):
    if isinstance(data, tuple):
        kind, value = data
        return bytearray(value) if kind == 'bytearray' \
            else memoryview(value)
    return data


def random_size(rng):
    return rng.choice((-1, 0, 1, 2, 3, rng.randint(1, 20),
                       rng.randint(1, 500), 10000))


def random_op(rng, config, text):
    spooled = config['kind'] == 'SpooledTemporaryFile'
    r = rng.random()
    if r < 0.22:
        if rng.random() < 0.03:
            # The wrong type: TypeError on both.
            return ('write', b'x' if text else 'x')
        return ('write', random_data(rng, text))
    if r < 0.27:
        return ('writelines', [random_data(rng, text)
                               for _ in range(rng.randint(0, 4))])
    if r < 0.37:
        choice = rng.random()
        if choice < 0.2:
            return ('read',)
        if choice < 0.3:
            return ('read', None)
        return ('read', random_size(rng))
    if r < 0.40:
        return (rng.choice(('read1', 'readinto', 'readinto1')),
                random_size(rng))
    if r < 0.48:
        if rng.random() < 0.5:
            return ('readline',)
        return ('readline', random_size(rng))
    if r < 0.51:
        if rng.random() < 0.5:
            return ('readlines',)
        return ('readlines', random_size(rng))
    if r < 0.56:
        return ('next',)
    if r < 0.59:
        return ('iter_next', rng.randint(1, 4))
    if r < 0.60:
        return ('iter',)
    if r < 0.73:
        if text:
            choice = rng.random()
            if choice < 0.3:
                return ('seek', 0)
            if choice < 0.5:
                return ('seek', 0, 2)
            if choice < 0.75:
                return ('seek_cookie', rng.randint(0, 1000))
            if choice < 0.85:
                return ('seek', 0, 1)
            if choice < 0.9:
                return ('seek', rng.randint(1, 5), rng.choice((1, 2)))
            if choice < 0.95:
                return ('seek', -1)
            return ('seek', rng.randint(0, 40))
        whence = rng.choice((0, 0, 1, 2))
        low = -6 if whence else -1
        return ('seek', rng.randint(low, 60), whence)
    if r < 0.76:
        return ('tell',)
    if r < 0.81:
        if rng.random() < 0.4:
            return ('truncate',)
        return ('truncate', rng.choice((0, rng.randint(0, 60),
                                        rng.randint(0, 400), -1)))
    if r < 0.84:
        return ('flush',)
    if r < 0.86:
        return ('fileno',)
    if r < 0.89:
        return (rng.choice(('readable', 'writable', 'seekable', 'isatty')),)
    if r < 0.92:
        return ('attributes',)
    if r < 0.94 and spooled:
        return ('rollover',)
    if r < 0.96:
        return ('enter',)
    if r < 0.975:
        return ('exit',)
    if r < 0.99:
        return ('close',)
    # Arguments io refuses (TypeError or ValueError on both), and detach().
    return rng.choice((('seek', 0, 3), ('seek', 1.5), ('read', 1.5),
                       ('readline', '1'), ('truncate', 'x'), ('detach',)))


def random_sequence(seed):
    rng = random.Random(seed)
    config = random_config(rng)
    text = 'b' not in config['mode']
    steps = rng.randint(1, STEPS)
    ops = [random_op(rng, config, text) for _ in range(steps)]
    # tell() after a step, or not (a tell flushes a text file's pending
    # writes, which would hide what happens without it).
    tells = [rng.random() < 0.7 for _ in range(steps)]
    return config, ops, tells


# --- running ---------------------------------------------------------------

class Side:
    """One implementation's file, and what the sequence keeps about it."""

    def __init__(self, module, scratch, config):
        self.module = module
        self.scratch = scratch
        self.config = config
        self.iterator = None
        self.path = None
        self.exited = False
        self.closed_by_close = False
        self.file = None
        self.created = None
        self.pending_write = False

    def make(self):
        config = dict(self.config)
        kind = config.pop('kind')
        cls = getattr(self.module, kind)
        if self.module is tempfile and kind == 'NamedTemporaryFile':
            # CPython 3.11 has no delete_on_close (3.12): its file is made
            # with delete=False and removed as 3.12 would (see
            # expected_on_disk()).
            config.pop('delete_on_close')
            config['delete'] = False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            self.file = outcome(lambda: cls(dir=self.scratch, **config))
        # (A ResourceWarning here is about an earlier sequence's file,
        # which the collector finalized meanwhile.)
        self.created = [w.category for w in caught
                        if w.category is not ResourceWarning]
        if kind == 'NamedTemporaryFile' and not isinstance(self.file,
                                                           Raised):
            self.path = self.file.name
        return self.file


def result_of(value):
    """What is compared of a return value: a file object by its class (the
    io class it is, or the class's name: the two modules' own classes)."""
    if isinstance(value, (memoryview, bytearray)):
        return (type(value).__name__, bytes(value))
    if isinstance(value, (Raised, int, str, bytes, list, dict, tuple,
                          type(None), type)):
        return value
    for cls in type(value).__mro__:
        if cls.__module__ in ('io', '_io'):
            return cls
    return type(value).__name__


def apply(side, op):
    """Runs @op on @side's file; returns what is compared."""
    f = side.file
    name, args = op[0], op[1:]
    if name == 'write':
        return outcome(f.write, materialize(args[0]))
    if name == 'writelines':
        return outcome(f.writelines, [materialize(d) for d in args[0]])
    if name in ('read', 'readline', 'readlines', 'read1'):
        return outcome(lambda: getattr(f, name)(*args))
    if name in ('readinto', 'readinto1'):
        buffer = bytearray(max(args[0], 0))

        def into():
            n = getattr(f, name)(buffer)
            return n, bytes(buffer[:n or 0])
        return outcome(into)
    if name == 'next':
        return outcome(next, f)
    if name == 'iter':
        def make_iterator():
            side.iterator = iter(f)
            return None
        return outcome(make_iterator)
    if name == 'iter_next':
        def take():
            if side.iterator is None:
                side.iterator = iter(f)
            lines = []
            for _ in range(args[0]):
                try:
                    lines.append(next(side.iterator))
                except StopIteration:
                    lines.append('StopIteration')
                    break
            return lines
        return outcome(take)
    if name == 'seek':
        return outcome(f.seek, *args)
    if name == 'seek_cookie':
        cookies = side.cookies
        if not cookies:
            return outcome(f.seek, 0)
        return outcome(f.seek, cookies[args[0] % len(cookies)])
    if name == 'tell':
        return outcome(f.tell)
    if name == 'truncate':
        return outcome(f.truncate, *args)
    if name == 'flush':
        return outcome(f.flush)
    if name == 'detach':
        # What it returns is a binary file on both (not the same class:
        # see cpython_defect()); what is left is compared by the steps
        # after it.
        def detach():
            binary = f.detach()
            return isinstance(binary, io.IOBase) and \
                not isinstance(binary, io.TextIOBase)
        return outcome(detach)
    if name == 'fileno':
        # Descriptor numbers differ: whether it raises is compared.
        result = outcome(f.fileno)
        return result if isinstance(result, Raised) else type(result)
    if name in ('readable', 'writable', 'seekable', 'isatty'):
        return outcome(lambda: getattr(f, name)())
    if name == 'attributes':
        return attributes(side)
    if name == 'rollover':
        def roll():
            f.rollover()
            return f._rolled
        return outcome(roll)
    if name == 'enter':
        return outcome(lambda: f.__enter__() is f)
    if name == 'exit':
        def leave():
            result = f.__exit__(None, None, None)
            # (CPython 3.12 removes the file after the file's __exit__,
            # if that does not raise.)
            side.exited = True
            return result
        return outcome(leave)
    if name == 'close':
        def close():
            side.closed_by_close = True
            return f.close()
        return outcome(close)
    raise AssertionError('unknown operation %r' % (op,))


def attributes(side):
    f = side.file
    kind = side.config['kind']
    found = {}
    for attr in ('mode', 'name', 'closed', 'encoding', 'errors', 'newlines',
                 'line_buffering'):
        if kind == 'NamedTemporaryFile' and attr == 'newlines':
            # CPython's _TemporaryFileWrapper.__getattr__ keeps every
            # attribute that is not an int or a method: its newlines stays
            # what it was when first asked for (a CPython bug); the file's
            # own is compared.
            value = outcome(getattr, f.file, attr)
        else:
            value = outcome(getattr, f, attr)
        if attr == 'name' and not isinstance(value, Raised):
            if kind == 'NamedTemporaryFile':
                value = name_shape(value, side.config.get('prefix'),
                                   side.config.get('suffix'), side.scratch)
            else:
                # A descriptor, or None for a spooled file in memory.
                value = type(value)
        found[attr] = value
    if kind == 'SpooledTemporaryFile':
        found['_rolled'] = f._rolled
    return found


def name_shape(path, prefix, suffix, directory):
    """What is compared of a generated path: its type, directory and
    whether its base name is prefix + 8 characters + suffix."""
    if isinstance(path, bytes):
        path_type = bytes
        path = os.fsdecode(path)
    else:
        path_type = type(path)
    if prefix is None:
        prefix = 'tmp'
    if suffix is None:
        suffix = ''
    prefix, suffix = os.fsdecode(prefix), os.fsdecode(suffix)
    base = os.path.basename(path)
    shaped = re.fullmatch(re.escape(prefix) + '[a-z0-9_]{8}'
                          + re.escape(suffix), base) is not None
    return (path_type, os.path.dirname(path) == os.fsdecode(directory),
            shaped)


# CPython bugs that gtempfile does not have, and the documented differences
# that show in file sequences (both listed in doc/from-python.md). A
# sequence stops being compared at the step where one would show: CPython's
# file and gtempfile's then differ by design.

# Text operations that read (or that end a pending write: a seek, a tell,
# a flush, a truncate or closing the file).
TEXT_READS = ('read', 'readline', 'readlines', 'next', 'iter_next')
TEXT_FLUSHES = ('seek', 'seek_cookie', 'tell', 'flush', 'truncate', 'close',
                'exit')


def cpython_defect(ref, op):
    """Why CPython's result of @op on @ref, about to run, is not what
    gtempfile copies, or None."""
    f = ref.file
    name = op[0]
    kind = ref.config['kind']
    if kind == 'NamedTemporaryFile' and name == 'detach':
        # Documented (doc/from-python.md): gtempfile's named file is its
        # GNamedTmpFile's descriptor, and closing its io layers (here the
        # ones detach() gives, when they are dropped) closes it, which
        # removes the file with delete and delete_on_close; CPython's
        # removes it only when its wrapper is closed.
        return 'detach() of a NamedTemporaryFile'
    spooled = kind == 'SpooledTemporaryFile'
    rolled = spooled and f._rolled
    text = 'b' not in ref.config['mode']
    read_all = name == 'read' and (len(op) == 1 or op[1] is None or
                                   op[1] < 0)
    if text and ref.pending_write and name in TEXT_READS and \
            not read_all and \
            (rolled or (not spooled and ref.config['buffering'] == -1)):
        # In CPython's text files on disk (a TextIOWrapper over a
        # BufferedRandom) a read after a write, with no seek or flush
        # between them, reads what was there before the write, and the
        # write lands later, where the buffer then is (CPython issue
        # gh-115059; read() of everything flushes first and is right);
        # what is read depends on the buffer's size.
        # gtempfile's TemporaryFile and NamedTemporaryFile are the same
        # stack, with the same bug, and are compared, except with
        # buffering=-1: their buffer is larger (documented in
        # doc/from-python.md). gtempfile's text SpooledTemporaryFile
        # writes through to its binary one, so the read sees the write,
        # as CPython's does in memory.
        return 'read after a write in CPython\'s buffered text file'
    if not rolled:
        return None
    if name == 'detach' and not text:
        # Documented (doc/from-python.md): gtempfile's spooled file takes
        # no buffering. Rolled over, it has no buffer to detach from its
        # raw file (io.UnsupportedOperation, as BytesIO's in memory), where
        # CPython's BufferedRandom gives its FileIO and is left detached.
        return 'detach() of a rolled-over binary spooled file'
    if name in ('read1', 'readinto1'):
        # The same: rolled over, its read1() reads what is asked for,
        # where CPython's BufferedRandom's returns what its buffer holds
        # (and its FileIO, with buffering=0, has no read1()).
        return 'read1() of a rolled-over spooled file'
    if ref.config['buffering'] == 0 and \
            (outcome(getattr, f, 'closed') is True or
             ('+' not in ref.config['mode'] and
              name in TEXT_READS + ('iter',))):
        # The same: a FileIO (buffering=0) checks that it is closed before
        # its arguments, or reads nothing (readline(0)), and one opened
        # for writing only checks read()'s argument before it refuses to
        # read, where gtempfile's, as CPython's buffered files, answers as
        # a BufferedRandom or BufferedWriter.
        return 'a closed or one-way spooled file with buffering=0'
    return None


def cpython_broken(ref):
    """Whether CPython's spooled file was left broken by the last step, a
    rollover that failed half-way, or None."""
    f = ref.file
    if ref.config['kind'] != 'SpooledTemporaryFile' or f._rolled or \
            '_TemporaryFileArgs' in f.__dict__:
        return None
    # CPython's rollover() makes its TemporaryFile the file before it
    # copies the data, and fails after that in two cases: the file was
    # closed (the BytesIO's tell() raises ValueError), or the mode reads
    # only ('r', 'rb': the copy's write() raises UnsupportedOperation).
    # Its data is then lost: the file is open again, empty, and never
    # rolls over. gtempfile's stays closed, or rolls over with its data.
    return 'failed rollover left CPython\'s file empty'


def track(ref, op, result, was_rolled):
    """Keeps what cpython_defect() needs to know after @op ran."""
    name = op[0]
    if name == 'writelines' or (name == 'write' and
                                not isinstance(result, Raised)):
        # (The lines before the one that failed were written.)
        ref.pending_write = True
    elif name in TEXT_FLUSHES:
        ref.pending_write = False
    elif name in ('rollover', 'fileno') and not was_rolled and \
            getattr(ref.file, '_rolled', False):
        # A spooled file's rollover asks the position first (a flush).
        ref.pending_write = False


def expected_on_disk(side):
    """Whether CPython 3.12 keeps the named file now (3.11 lacks
    delete_on_close; the reference file is made with delete=False)."""
    config = side.config
    if not config['delete']:
        return True
    if side.exited:
        return False
    return not (side.closed_by_close and config['delete_on_close'])


class DifferentialRun:
    def __init__(self, test, seed, config, ops, tells):
        self.test = test
        self.seed = seed
        self.config = config
        self.ops = ops
        self.tells = tells
        self.done = []
        self.diverged = False
        self.compared = 0

    def fail(self, what, theirs, ours):
        lines = ['seed %d: %s differs' % (self.seed, what),
                 '  CPython:   %r' % (theirs,),
                 '  gtempfile: %r' % (ours,),
                 '  config: %r' % (self.config,),
                 '  steps (the last one failed or was checked after):']
        lines += ['    %r' % (step,) for step in self.done]
        lines.append('  replay: GTMP_DIFF_SEEDS=%d %s %s'
                     % (self.seed, sys.executable, os.path.abspath(__file__)))
        raise Mismatch('\n'.join(lines))

    def compare(self, what, theirs, ours):
        if theirs != ours:
            self.fail(what, theirs, ours)

    def run(self, scratch):
        ref_dir = os.path.join(scratch, 'cpython')
        our_dir = os.path.join(scratch, 'gtempfile')
        os.mkdir(ref_dir)
        os.mkdir(our_dir)
        ref = Side(tempfile, ref_dir, self.config)
        ours = Side(gtempfile, our_dir, self.config)
        ref.cookies = ours.cookies = []
        self.compare('construction', result_of(ref.make()),
                     result_of(ours.make()))
        if isinstance(ref.file, Raised):
            return
        try:
            self.compare('construction warnings', ref.created, ours.created)
            self.steps(ref, ours)
            self.finish(ref, ours)
        finally:
            for side in (ref, ours):
                side.iterator = None
                outcome(side.file.close)
            if ref.path is not None and os.path.lexists(ref.path):
                os.unlink(ref.path)
            if ours.path is not None and os.path.lexists(ours.path):
                os.unlink(ours.path)

    def steps(self, ref, ours):
        text = 'b' not in self.config['mode']
        for op, tell in zip(self.ops, self.tells):
            self.done.append(op)
            reason = cpython_defect(ref, op)
            if reason:
                # What CPython does next is a CPython bug or a documented
                # difference (see cpython_defect()): the rest of the
                # sequence is not compared.
                self.done.append(('not compared from here: %s' % reason,))
                self.diverged = True
                return
            was_rolled = getattr(ref.file, '_rolled', False)
            theirs = result_of(apply(ref, op))
            mine = result_of(apply(ours, op))
            reason = cpython_broken(ref)
            if reason:
                self.done.append(('not compared from here: %s' % reason,))
                self.diverged = True
                return
            self.compare('result of %r' % (op,), theirs, mine)
            self.compared += 1
            track(ref, op, theirs, was_rolled)
            if tell:
                theirs = outcome(ref.file.tell)
                self.compare('tell() after %r' % (op,), theirs,
                             outcome(ours.file.tell))
                if text and isinstance(theirs, int):
                    ref.cookies.append(theirs)
                ref.pending_write = False
            if self.config['kind'] == 'NamedTemporaryFile':
                self.compare('file on disk after %r' % (op,),
                             expected_on_disk(ref),
                             os.path.lexists(ours.path))

    def finish(self, ref, ours):
        if self.diverged:
            return
        self.done.append(('end: closed',))
        closed = outcome(getattr, ref.file, 'closed')
        self.compare('closed', closed, outcome(getattr, ours.file, 'closed'))
        if closed is False:
            self.done.append(('end: flush, seek(0), read()',))
            for call in (lambda f: f.flush(), lambda f: f.seek(0),
                         lambda f: f.read()):
                self.compare('content', outcome(call, ref.file),
                             outcome(call, ours.file))
        if self.config['kind'] == 'NamedTemporaryFile' and \
                os.path.lexists(ref.path) and expected_on_disk(ref):
            self.done.append(('end: content on disk',))
            with open(ref.path, 'rb') as f:
                theirs = f.read()
            with open(ours.path, 'rb') as f:
                mine = f.read()
            self.compare('content on disk', theirs, mine)
            self.compare('mode on disk',
                         stat.S_IMODE(os.stat(ref.path).st_mode),
                         stat.S_IMODE(os.stat(ours.path).st_mode))
        self.done.append(('end: close()',))
        self.compare('close()', outcome(ref.file.close),
                     outcome(ours.file.close))
        ref.closed_by_close = ours.closed_by_close = True
        self.compare('closed after close()',
                     outcome(getattr, ref.file, 'closed'),
                     outcome(getattr, ours.file, 'closed'))
        self.compare('tell() after close()', outcome(ref.file.tell),
                     outcome(ours.file.tell))
        if self.config['kind'] == 'NamedTemporaryFile':
            self.compare('file on disk after close()',
                         expected_on_disk(ref), os.path.lexists(ours.path))


class FileSequenceTestCase(unittest.TestCase):
    """Random sequences of file operations on both implementations."""

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix='gtempfile-diff-')
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)
        # A detached spooled file, CPython's as gtempfile's, fails in its
        # __del__ (closed: ValueError): not worth printing each time.
        hook = sys.unraisablehook

        def quiet(unraisable):
            if not (isinstance(unraisable.exc_value, ValueError) and
                    'detached' in str(unraisable.exc_value)):
                hook(unraisable)
        sys.unraisablehook = quiet
        self.addCleanup(setattr, sys, 'unraisablehook', hook)

    def test_file_sequences(self):
        steps = 0
        stopped = 0
        failures = []
        for seed in _seeds(FILE_SEEDS):
            config, ops, tells = random_sequence(seed)
            if VERBOSE:
                print('# seed %d: %r %r' % (seed, config, ops))
            run = DifferentialRun(self, seed, config, ops, tells)
            scratch = os.path.join(self.scratch, str(seed))
            os.mkdir(scratch)
            with warnings.catch_warnings():
                # Both sides warn alike about what a sequence leaves
                # (a file closed by the collector): not what is compared.
                warnings.simplefilter('ignore', ResourceWarning)
                # Documented (doc/from-python.md): a SpooledTemporaryFile
                # does not use buffering, so its rollover does not warn
                # about buffering=1 in a binary mode as CPython's (its
                # TemporaryFile) does. Warnings at construction are
                # compared (see Side.make()).
                warnings.simplefilter('ignore', RuntimeWarning)
                if not KEEP_GOING:
                    run.run(scratch)
                else:
                    try:
                        run.run(scratch)
                    except Mismatch as mismatch:
                        failures.append(str(mismatch))
            shutil.rmtree(scratch)
            steps += run.compared
            stopped += run.diverged
        print('# %d file sequences, %d steps compared; %d stopped early at '
              'a CPython bug or documented difference'
              % (len(_seeds(FILE_SEEDS)), steps, stopped))
        if failures:
            self.fail('%d sequences failed:\n%s'
                      % (len(failures), '\n'.join(failures)))


# --- module functions ------------------------------------------------------

# Names as given to prefix= and suffix=: str, bytes, os.PathLike, None;
# with a NUL (ValueError on both), a "/" (see run_function()), bytes that
# are not UTF-8.
NAMES = (None, None, 'p_', '', 'été', '.s', 'a/b', 'x\0y', b'p_', b'',
         b'\xff-', b'a/b', b'x\0y', pathlib.PurePath('pp'))
# Directories, by what they are in each side's scratch directory and the
# type they are given as.
DIRS = (None, 'dir', 'dir', 'missing', 'file', 'dir/')
DIR_TYPES = (str, bytes, pathlib.Path)
TEMPDIRS = (None, None, 'dir', b'dir', 'missing')
FUNCTIONS = ('mkstemp', 'mkdtemp', 'mktemp', 'TemporaryDirectory',
             'NamedTemporaryFile', 'TemporaryFile', 'SpooledTemporaryFile',
             'gettempdir', 'gettempdirb')


def random_call(rng):
    function = rng.choice(FUNCTIONS)
    kwargs = {}
    for name in ('prefix', 'suffix'):
        if rng.random() < 0.6:
            kwargs[name] = rng.choice(NAMES)
    if rng.random() < 0.8:
        kwargs['dir'] = (rng.choice(DIRS), rng.choice(DIR_TYPES))
    positional = rng.random() < 0.3
    tempdir = rng.choice(TEMPDIRS)
    return function, kwargs, positional, tempdir


def side_dir(root, spec):
    """@spec (what, type) as a path under @root."""
    what, kind = spec
    if what is None:
        return None
    path = os.path.join(root, what.rstrip('/'))
    if what.endswith('/'):
        path += '/'
    if kind is bytes:
        return os.fsencode(path)
    if kind is pathlib.Path:
        return pathlib.Path(path)
    return path


def function_shape(module, root, function, kwargs, result):
    """What is compared of a module function's result: types, the shape
    of the name, the directory it is in (relative to @root), the mode on
    disk; what was made is removed."""
    if function in ('gettempdir', 'gettempdirb'):
        return (type(result), os.fsdecode(result).replace(root, '<root>'))
    prefix = kwargs.get('prefix')
    suffix = kwargs.get('suffix')
    if prefix is not None:
        prefix = os.fspath(prefix)
    if suffix is not None:
        suffix = os.fspath(suffix)
    if function == 'mkstemp':
        fd, path = result
        os.close(fd)
        shape = (tuple, type(fd), 'file')
    elif function == 'TemporaryDirectory':
        path = result.name
        with result as entered:
            shape = (entered == path, 'directory')
    elif function in ('NamedTemporaryFile', 'TemporaryFile',
                      'SpooledTemporaryFile'):
        with result as f:
            if function == 'SpooledTemporaryFile':
                f.write(b'x')
                f.rollover()
            path = getattr(f, 'name', None)
            shape = (type(path),)
            if function != 'NamedTemporaryFile':
                return shape
    else:
        path = result
        shape = (type(path),)
    if isinstance(path, (str, bytes)):
        directory = os.fsdecode(os.path.dirname(path))
        shape += (os.path.basename(path).__class__,
                  directory.replace(root, '<root>'),
                  name_shape(path, prefix, suffix, directory)[2])
    if function == 'mktemp':
        return shape + (os.path.lexists(path),)
    if os.path.lexists(path):
        shape += (stat.filemode(os.lstat(path).st_mode),)
        if os.path.isdir(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    else:
        shape += ('removed',)
    return shape


class FunctionTestCase(unittest.TestCase):
    """Random calls of the module functions on both implementations."""

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix='gtempfile-diff-')
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)
        saved = (tempfile.tempdir, gtempfile.tempdir)

        def restore():
            tempfile.tempdir, gtempfile.tempdir = saved
        self.addCleanup(restore)

    def run_function(self, seed):
        function, kwargs, positional, tempdir = random_call(
            random.Random(seed))
        outcomes = []
        for module in (tempfile, gtempfile):
            root = os.path.join(self.scratch, '%d-%s' % (seed,
                                                         module.__name__))
            os.mkdir(root)
            os.mkdir(os.path.join(root, 'dir'))
            open(os.path.join(root, 'file'), 'w').close()
            args = dict(kwargs)
            if 'dir' in args:
                args['dir'] = side_dir(root, args['dir'])
            if tempdir is not None:
                module.tempdir = (os.fsencode if isinstance(tempdir, bytes)
                                  else str)(os.path.join(root,
                                                         os.fsdecode(tempdir)))
            else:
                module.tempdir = None
            call = getattr(module, function)
            if function.startswith('gettempdir'):
                args = {}
            elif positional and function in ('mkstemp', 'mkdtemp', 'mktemp',
                                             'TemporaryDirectory'):
                # CPython's order: suffix, prefix, dir.
                args = [args.get('suffix'), args.get('prefix'),
                        args.get('dir')]
                if function == 'mktemp':
                    args = [a if a is not None else d for a, d in
                            zip(args, ('', 'tmp', None))]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore', RuntimeWarning)
                    if isinstance(args, list):
                        result = call(*args)
                    else:
                        result = call(**args)
                shape = function_shape(module, root, function, kwargs,
                                       result)
            except Exception as exc:  # noqa: BLE001 -- compared
                shape = Raised(exc)
            left = sorted(os.listdir(os.path.join(root, 'dir')))
            outcomes.append((shape, left))
        theirs, ours = outcomes
        slash = any(isinstance(kwargs.get(n), (str, bytes)) and
                    b'/' in os.fsencode(kwargs[n])
                    for n in ('prefix', 'suffix'))
        refused = isinstance(theirs[0], Raised) and \
            theirs[0].cls in (TypeError, ValueError)
        unnamed = function in ('TemporaryFile', 'SpooledTemporaryFile')
        directory = kwargs.get('dir', (None,))[0]
        if directory is None:
            directory = 'default' if tempdir is None else os.fsdecode(tempdir)
        if unnamed and directory in ('missing', 'file') and refused and \
                isinstance(ours[0], Raised) and \
                issubclass(ours[0].cls, OSError):
            # CPython's TemporaryFile, when O_TMPFILE fails in dir (missing,
            # not a directory), tries again with a named file, whose name
            # it cannot build (an os.PathLike prefix: TypeError; a NUL:
            # ValueError). gtempfile's makes no name (the C library's
            # fallback is for file systems without O_TMPFILE only): it
            # raises what the directory gives, as CPython's first try.
            return
        names_bytes = any(isinstance(kwargs.get(n), bytes)
                          for n in ('prefix', 'suffix')) or \
            kwargs.get('dir', (None, str))[1] is bytes
        if function == 'mktemp' and refused and names_bytes and \
                theirs[0].cls is TypeError and \
                (not isinstance(ours[0], Raised) and ours[0][0] is bytes or
                 ours[0] == theirs[0] or ours[0].cls is ValueError or
                 slash and ours[0].errno == errno.EINVAL):
            # Documented (doc/from-python.md): gtempfile's mktemp() takes
            # bytes and returns bytes, as mkstemp() does (or refuses a NUL
            # in them); CPython's concatenates a str name with them
            # (TypeError).
            return
        if slash and not function.startswith('gettempdir') and not refused:
            # Documented (doc/from-python.md): a "/" in a prefix or suffix
            # is refused (OSError, EINVAL), where CPython joins it into the
            # path. Checked, not compared: gtempfile refuses it and makes
            # nothing.
            if not (isinstance(ours[0], Raised) and
                    issubclass(ours[0].cls, OSError) and
                    ours[0].errno == errno.EINVAL and ours[1] == []):
                self.fail('seed %d: a "/" in a name was not refused: %r '
                          '(%r %r)' % (seed, ours, function, kwargs))
            return
        if theirs != ours:
            self.fail('seed %d: %s(%r, positional=%r, tempdir=%r) differs\n'
                      '  CPython:   %r\n  gtempfile: %r\n'
                      '  replay: GTMP_DIFF_SEEDS=%d %s %s'
                      % (seed, function, kwargs, positional, tempdir,
                         theirs, ours, seed, sys.executable,
                         os.path.abspath(__file__)))

    def test_function_calls(self):
        failures = []
        for seed in _seeds(FUNCTION_SEEDS):
            try:
                self.run_function(seed)
            except AssertionError as error:
                if not KEEP_GOING:
                    raise
                failures.append(str(error))
        print('# %d function calls' % len(_seeds(FUNCTION_SEEDS)))
        if failures:
            self.fail('%d calls failed:\n%s'
                      % (len(failures), '\n'.join(failures)))


if __name__ == '__main__':
    taptestrunner.main()
