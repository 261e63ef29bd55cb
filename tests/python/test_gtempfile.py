#!/usr/bin/python3
# test_gtempfile.py — libgtempfile from Python, through the typelib and the
# gi.overrides.GTempfile module of this tree
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import gc
import io
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

import gi
gi.require_version('GTempfile', '1.0')
from gi.repository import GLib, GObject, Gio, GTempfile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taptestrunner  # noqa: E402


def io_error(code):
    """A predicate for assertRaises' exception: a G_IO_ERROR with @code."""
    def matches(error):
        return error.matches(Gio.io_error_quark(), code)
    return matches


class ScratchTestCase(unittest.TestCase):
    """Every test gets its own empty directory (made by Python, not by us)."""

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix='gtempfile-py-')
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def listing(self):
        return sorted(os.listdir(self.scratch))

    def assertIOError(self, code, func, *args, **kwargs):
        with self.assertRaises(GLib.Error) as cm:
            func(*args, **kwargs)
        self.assertTrue(io_error(code)(cm.exception),
                        'expected G_IO_ERROR %s, got %s: %s'
                        % (code, cm.exception.code, cm.exception.message))
        return cm.exception

    def write_file(self, name, data):
        """Writes @data to a new file @name in the scratch directory."""
        path = os.path.join(self.scratch, name)
        with open(path, 'wb') as other:
            other.write(data)
        return path

    def assertFileContents(self, path, data):
        with open(path, 'rb') as kept:
            self.assertEqual(kept.read(), data)

    def assertStillWritesTo(self, f, dest, contents):
        """After a persist to dest: f is still open, writing to the now
        permanent file (mode 0600), which stays, alone, once f is closed."""
        f.write(b'!')
        f.flush()
        f.close()
        self.assertFileContents(dest, contents + b'!')
        self.assertEqual(stat.S_IMODE(os.stat(dest).st_mode), 0o600)
        self.assertEqual(self.listing(), [os.path.basename(dest)])

    def persist_async(self, f, dest, flags):
        """f.persist_async() to @dest run to its callback: (source, result)."""
        return self.run_async(lambda done: f.persist_async(
            dest, flags, GLib.PRIORITY_DEFAULT, None, done))

    def assertNewAsyncNotFound(self, cls):
        """cls.new_async() in a missing directory: NOT_FOUND naming it."""
        missing = os.path.join(self.scratch, 'missing')
        _, result = self.run_async(lambda done: cls.new_async(
            missing, None, None, GLib.PRIORITY_DEFAULT, None, done))
        error = self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                                   cls.new_finish, result)
        self.assertIn(missing, error.message)

    def run_async(self, start):
        """Call @start(callback) and run a main loop until the callback.

        Returns the (source object, GAsyncResult) the callback was given.
        """
        loop = GLib.MainLoop()
        outcome = []

        def done(source, result, *user_data):
            outcome.append((source, result))
            loop.quit()

        def give_up():
            loop.quit()
            return GLib.SOURCE_REMOVE

        timeout = GLib.timeout_add_seconds(60, give_up)
        start(done)
        loop.run()
        self.assertTrue(outcome, 'the callback never ran')
        GLib.source_remove(timeout)
        return outcome[0]


class OverrideTestCase(unittest.TestCase):
    def test_override_comes_from_this_tree(self):
        expected = os.environ.get('GTEMPFILE_OVERRIDES_DIR')
        if expected is None:
            self.skipTest('GTEMPFILE_OVERRIDES_DIR is not set '
                          '(not run by meson test)')
        module = sys.modules['gi.overrides.GTempfile']
        self.assertEqual(os.path.dirname(os.path.realpath(module.__file__)),
                         os.path.realpath(expected))

    def test_subclasses_inherit_file_methods(self):
        self.assertTrue(issubclass(GTempfile.NamedTmpFile, GTempfile.TmpFile))
        self.assertTrue(issubclass(GTempfile.SpooledTmpFile,
                                   GTempfile.TmpFile))
        for cls in (GTempfile.TmpFile, GTempfile.NamedTmpFile,
                    GTempfile.SpooledTmpFile):
            for method in ('read', 'readinto', 'readline', 'write', 'seek',
                           'tell', 'truncate', 'flush', 'close', 'fileno',
                           '__iter__', '__enter__', '__exit__'):
                self.assertTrue(callable(getattr(cls, method)),
                                '%s.%s' % (cls.__name__, method))

    def test_persist_flags_is_a_registered_flags_type(self):
        flags = GTempfile.TmpPersistFlags
        self.assertTrue(issubclass(flags, GObject.GFlags))
        self.assertEqual(int(flags.NONE), 0)
        combined = flags.NO_REPLACE | flags.SYNC
        self.assertTrue(combined & flags.SYNC)


class ModuleFunctionTestCase(ScratchTestCase):
    def test_mkstemp(self):
        fd, path = GTempfile.mkstemp(self.scratch, 'up_', '.bin')
        try:
            self.assertTrue(os.path.isabs(path))
            self.assertEqual(os.path.dirname(path), self.scratch)
            name = os.path.basename(path)
            self.assertTrue(name.startswith('up_') and name.endswith('.bin'))
            self.assertEqual(len(name), len('up_') + 8 + len('.bin'))
            self.assertEqual(stat.S_IMODE(os.fstat(fd).st_mode), 0o600)
            os.write(fd, b'hello')
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), b'hello')
        finally:
            os.close(fd)

    def test_mkdtemp(self):
        path = GTempfile.mkdtemp(self.scratch, None, None)
        self.assertTrue(os.path.isdir(path))
        self.assertTrue(os.path.basename(path).startswith(
            GTempfile.get_tempprefix()))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)

    def test_tempprefix_and_tempdir(self):
        self.assertEqual(GTempfile.get_tempprefix(), 'tmp')
        self.assertTrue(os.path.isdir(GTempfile.get_tempdir()))

    def test_missing_dir_is_not_found(self):
        missing = os.path.join(self.scratch, 'missing')
        error = self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                                   GTempfile.mkstemp, missing, None, None)
        self.assertIn(missing, error.message)
        self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                           GTempfile.mkdtemp, missing, None, None)
        self.assertEqual(self.listing(), [])

    def test_slash_in_suffix_is_invalid(self):
        self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                           GTempfile.mkstemp, self.scratch, None, '/../x')
        self.assertEqual(self.listing(), [])


class AnonymousTestCase(ScratchTestCase):
    """open_anonymous() and adopt_anonymous(), as Python calls them."""

    def test_open_anonymous(self):
        fd = GTempfile.open_anonymous(pathlib.Path(self.scratch), 0)
        try:
            st = os.fstat(fd)
            self.assertTrue(stat.S_ISREG(st.st_mode))
            self.assertEqual(st.st_nlink, 0)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
            self.assertFalse(os.get_inheritable(fd))
            self.assertEqual(os.write(fd, b'data'), 4)
            self.assertEqual(os.pread(fd, 4, 0), b'data')
            self.assertEqual(self.listing(), [])
        finally:
            os.close(fd)

    def test_open_anonymous_errors(self):
        missing = os.path.join(self.scratch, 'missing')
        with self.assertRaises(FileNotFoundError) as cm:
            GTempfile.open_anonymous(missing, 0)
        self.assertEqual(cm.exception.filename, missing)
        self.assertIsInstance(cm.exception, GLib.Error)

    def test_adopt_anonymous(self):
        fd = GTempfile.open_anonymous(self.scratch, 0)
        os.write(fd, b'abc')
        f = GTempfile.adopt_anonymous(fd)
        self.assertIsInstance(f, GTempfile.TmpFile)
        self.assertEqual(f.fileno(), fd)
        self.assertEqual(f.tell(), 3)
        f.write(b'def')
        f.seek(0)
        self.assertEqual(f.read(), b'abcdef')
        dest = os.path.join(self.scratch, 'kept')
        f.persist(pathlib.Path(dest))
        f.close()
        with self.assertRaises(OSError) as cm:
            os.fstat(fd)
        self.assertEqual(cm.exception.errno, errno.EBADF)
        with open(dest, 'rb') as kept:
            self.assertEqual(kept.read(), b'abcdef')

    def test_adopt_anonymous_refuses_named_file(self):
        path = os.path.join(self.scratch, 'named')
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with self.assertRaises(OSError) as cm:
                GTempfile.adopt_anonymous(fd)
            self.assertEqual(cm.exception.errno, errno.EINVAL)
            os.fstat(fd)  # still the caller's, open
        finally:
            os.close(fd)


class FullTestCase(ScratchTestCase):
    """The _full functions and the mode and random-length properties."""

    def setUp(self):
        super().setUp()
        self.addCleanup(os.umask, os.umask(0o022))

    def assertName(self, path, prefix, length, suffix=''):
        self.assertEqual(os.path.dirname(path), self.scratch)
        self.assertRegex(os.path.basename(path),
                         r'\A%s[a-z0-9_]{%d}%s\Z'
                         % (re.escape(prefix), length, re.escape(suffix)))

    def test_mkstemp_full(self):
        fd, path = GTempfile.mkstemp_full(self.scratch, 'full_', '.bin',
                                          0o640, 16)
        os.close(fd)
        self.assertName(path, 'full_', 16, '.bin')
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o640)

        os.umask(0o077)
        fd, path = GTempfile.mkstemp_full(self.scratch, None, None, 0o640, 0)
        os.close(fd)
        self.assertName(path, 'tmp', 8)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)

    def test_mkdtemp_full(self):
        path = GTempfile.mkdtemp_full(self.scratch, 'd_', None, 0o750, 128)
        self.assertName(path, 'd_', 128)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o750)
        path = GTempfile.mkdtemp_full(self.scratch, 'd_', None, 0, 0)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)

    def test_constructors_full(self):
        with GTempfile.NamedTmpFile.new_full(self.scratch, 'n_', '.txt',
                                             0o640, 24) as f:
            self.assertName(f.name, 'n_', 24, '.txt')
            self.assertEqual(stat.S_IMODE(os.stat(f.name).st_mode), 0o640)
            self.assertEqual(f.props.random_length, 24)
            self.assertEqual(f.props.mode, 0o640)

        with GTempfile.TmpFile.new_full(self.scratch, None, None,
                                        0o640, 0) as f:
            self.assertEqual(stat.S_IMODE(os.fstat(f.fileno()).st_mode),
                             0o640)
            self.assertEqual(f.props.random_length, 8)

        spooled = GTempfile.SpooledTmpFile.new_full(4, self.scratch, None,
                                                    None, 0o640, 16)
        with spooled as f:
            self.assertEqual(f.props.random_length, 16)
            f.write(b'past max_size')
            self.assertTrue(f.props.rolled_over)
            self.assertEqual(stat.S_IMODE(os.fstat(f.fileno()).st_mode),
                             0o640)

        d = GTempfile.TmpDir.new_full(self.scratch, 'd_', None, 0o750, 20)
        with d as path:
            self.assertName(path, 'd_', 20)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o750)
            self.assertEqual(d.props.random_length, 20)
        self.assertEqual(self.listing(), [])

    def test_keyword_construction(self):
        with GTempfile.NamedTmpFile(dir=self.scratch, prefix='k_',
                                    mode=0o640, random_length=40) as f:
            self.assertName(f.name, 'k_', 40)
            self.assertEqual(stat.S_IMODE(os.stat(f.name).st_mode), 0o640)
        with GTempfile.TmpDir(dir=self.scratch, random_length=12) as path:
            self.assertName(path, 'tmp', 12)

    def test_invalid_random_length(self):
        for length in (7, 129):
            error = self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                                       GTempfile.mkstemp_full, self.scratch,
                                       None, None, 0, length)
            self.assertIn(self.scratch, error.message)
            self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                               GTempfile.mkdtemp_full, self.scratch,
                               None, None, 0, length)
            self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                               GTempfile.NamedTmpFile.new_full, self.scratch,
                               None, None, 0, length)
            self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                               GTempfile.TmpDir.new_full, self.scratch,
                               None, None, 0, length)
        self.assertEqual(self.listing(), [])


class TmpFileTestCase(ScratchTestCase):
    def test_anonymous_read_write_seek(self):
        with GTempfile.TmpFile(dir=self.scratch, prefix='anon_') as f:
            self.assertIsInstance(f, GTempfile.TmpFile)
            self.assertIsInstance(f, Gio.FileIOStream)
            self.assertEqual(f.write(b'hello world'), 11)
            self.assertEqual(f.tell(), 11)
            # No name in the file system, but a real descriptor.
            self.assertEqual(self.listing(), [])
            st = os.fstat(f.fileno())
            self.assertEqual(st.st_nlink, 0)
            self.assertEqual(st.st_size, 11)
            self.assertEqual(f.seek(6), 6)
            self.assertEqual(f.read(), b'world')
            self.assertEqual(f.seek(-5, io.SEEK_END), 6)
            self.assertEqual(f.read(2), b'wo')
            self.assertEqual(f.seek(-2, io.SEEK_CUR), 6)
            # The GIO spelling still works.
            self.assertTrue(f.seek(0, GLib.SeekType.SET, None) == 0)
            self.assertEqual(f.read(5), b'hello')
        self.assertTrue(f.closed)
        self.assertEqual(self.listing(), [])

    def test_closed_file_raises_closed(self):
        f = GTempfile.TmpFile(dir=self.scratch)
        self.assertFalse(f.closed)
        f.close()
        f.close()  # twice is harmless, as with Python files
        self.assertTrue(f.closed)
        self.assertIOError(Gio.IOErrorEnum.CLOSED, f.fileno)
        with self.assertRaises(GLib.Error):
            f.write(b'x')

    def test_gir_constructor(self):
        f = GTempfile.TmpFile.new(self.scratch, None, None)
        f.write(b'abc')
        f.seek(0)
        self.assertEqual(f.read(), b'abc')
        f.close()

    def test_persist(self):
        dest = os.path.join(self.scratch, 'kept.txt')
        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'persistent')
            f.persist(dest, GTempfile.TmpPersistFlags.NONE, None)
            self.assertStillWritesTo(f, dest, b'persistent')

    def test_persist_no_replace(self):
        dest = self.write_file('taken', b'theirs')
        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'mine')
            self.assertIOError(Gio.IOErrorEnum.EXISTS, f.persist, dest,
                               GTempfile.TmpPersistFlags.NO_REPLACE, None)
        self.assertFileContents(dest, b'theirs')
        self.assertEqual(self.listing(), ['taken'])

    def test_async_constructor(self):
        loop = GLib.MainLoop()
        results = []

        def done(source, result, data):
            results.append(GTempfile.TmpFile.new_finish(result))
            loop.quit()

        GTempfile.TmpFile.new_async(self.scratch, None, None,
                                    GLib.PRIORITY_DEFAULT, None, done, None)
        loop.run()
        self.assertIsInstance(results[0], GTempfile.TmpFile)
        results[0].write(b'async')
        results[0].seek(0)
        self.assertEqual(results[0].read(), b'async')
        results[0].close()

    def test_async_constructor_errors(self):
        self.assertNewAsyncNotFound(GTempfile.TmpFile)

        cancellable = Gio.Cancellable()
        cancellable.cancel()
        _, result = self.run_async(lambda done: GTempfile.TmpFile.new_async(
            self.scratch, None, None, GLib.PRIORITY_DEFAULT, cancellable,
            done))
        self.assertIOError(Gio.IOErrorEnum.CANCELLED,
                           GTempfile.TmpFile.new_finish, result)

    def test_persist_async(self):
        dest = os.path.join(self.scratch, 'kept.bin')
        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'async persist')
            source, result = self.persist_async(
                f, dest, GTempfile.TmpPersistFlags.NO_REPLACE)
            self.assertIs(source, f)
            self.assertTrue(f.persist_finish(result))
            self.assertStillWritesTo(f, dest, b'async persist')

    def test_tell_during_persist_async(self):
        # The C object's tell() is not refused while a persist is in
        # flight (unlike reads, writes and seeks): neither is Python's.
        dest = os.path.join(self.scratch, 'kept.bin')
        for cls in (GTempfile.TmpFile, GTempfile.NamedTmpFile):
            with self.subTest(cls=cls.__name__):
                with cls(dir=self.scratch) as f:
                    f.write(b'hello')
                    f.seek(2)
                    told = []

                    def start(done):
                        f.persist_async(dest, GTempfile.TmpPersistFlags.NONE,
                                        GLib.PRIORITY_DEFAULT, None, done)
                        told.append(f.tell())

                    _, result = self.run_async(start)
                    self.assertTrue(f.persist_finish(result))
                    self.assertEqual(told, [2])
                    self.assertEqual(f.tell(), 2)
                os.unlink(dest)

    def test_persist_async_no_replace(self):
        dest = self.write_file('taken', b'theirs')
        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'mine')
            _, result = self.persist_async(
                f, dest, GTempfile.TmpPersistFlags.NO_REPLACE)
            error = self.assertIOError(Gio.IOErrorEnum.EXISTS,
                                       f.persist_finish, result)
            self.assertIn(dest, error.message)
        self.assertFileContents(dest, b'theirs')
        self.assertEqual(self.listing(), ['taken'])

    def test_missing_dir_is_not_found(self):
        missing = os.path.join(self.scratch, 'no', 'such')
        error = self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                                   GTempfile.TmpFile, dir=missing)
        self.assertIn(missing, error.message)
        self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                           GTempfile.TmpFile.new, missing, None, None)


class NamedTmpFileTestCase(ScratchTestCase):
    def test_name_and_cleanup_on_exit(self):
        with GTempfile.NamedTmpFile(dir=self.scratch, prefix='x',
                                    suffix='.txt') as f:
            self.assertTrue(os.path.isabs(f.name))
            self.assertEqual(f.name, f.get_path())
            self.assertEqual(f.name, f.props.path)
            base = os.path.basename(f.name)
            self.assertTrue(base.startswith('x') and base.endswith('.txt'))
            self.assertEqual(self.listing(), [base])
            self.assertEqual(stat.S_IMODE(os.stat(f.name).st_mode), 0o600)
            f.write(b'seen by others')
            f.flush()
            self.assertFileContents(f.name, b'seen by others')
        self.assertTrue(f.closed)
        self.assertEqual(self.listing(), [])

    def test_delete_false_keeps_file(self):
        with GTempfile.NamedTmpFile(dir=self.scratch, prefix='x',
                                    suffix='.txt', delete=False) as f:
            f.write(b'kept')
            path = f.name
        self.assertTrue(f.closed)
        self.assertFileContents(path, b'kept')
        self.assertFalse(f.get_delete())

    def test_delete_on_close_false(self):
        f = GTempfile.NamedTmpFile(dir=self.scratch, delete_on_close=False)
        self.assertFalse(f.props.delete_on_close)
        f.write(b'reopen me')
        f.close()
        # Closed but still there, to be reopened by name ...
        self.assertFileContents(f.name, b'reopen me')
        # ... until cleanup.
        f.cleanup(None)
        self.assertEqual(self.listing(), [])
        f.cleanup(None)  # idempotent

    def test_delete_on_close_false_removed_at_exit(self):
        # CPython 3.12's pattern: close, let another program open the file
        # by name, and have it removed when the block ends.
        with GTempfile.NamedTmpFile(dir=self.scratch,
                                    delete_on_close=False) as f:
            f.write(b'for the other program')
            f.close()
            self.assertFileContents(f.name, b'for the other program')
        self.assertEqual(self.listing(), [])

    def test_exception_in_block_still_cleans_up(self):
        with self.assertRaises(KeyError):
            with GTempfile.NamedTmpFile(dir=self.scratch) as f:
                f.write(b'x')
                raise KeyError('boom')
        self.assertEqual(self.listing(), [])

    def test_text_wrapper(self):
        with GTempfile.NamedTmpFile(dir=self.scratch, suffix='.csv') as f:
            text = io.TextIOWrapper(f, encoding='utf-8', newline='')
            text.write('naïve,ünïcode\r\nsecond,line\r\n')
            text.flush()
            with open(f.name, 'rb') as other:
                self.assertEqual(other.read().decode(),
                                 'naïve,ünïcode\r\nsecond,line\r\n')
            text.seek(0)
            self.assertEqual(text.readline(), 'naïve,ünïcode\r\n')
            self.assertEqual(text.read(), 'second,line\r\n')
            text.detach()
        self.assertEqual(self.listing(), [])

    def test_lines(self):
        with GTempfile.NamedTmpFile(dir=self.scratch) as f:
            f.writelines([b'one\n', b'two\n', b'three'])
            f.seek(0)
            self.assertEqual(f.readline(), b'one\n')
            # readline leaves the position right after the line
            self.assertEqual(f.tell(), 4)
            self.assertEqual(f.readline(2), b'tw')
            self.assertEqual(f.readline(), b'o\n')
            self.assertEqual(f.readline(), b'three')
            self.assertEqual(f.readline(), b'')
            f.seek(0)
            self.assertEqual(list(f), [b'one\n', b'two\n', b'three'])
            f.seek(0)
            self.assertEqual(f.readlines(), [b'one\n', b'two\n', b'three'])

    def test_long_line_crosses_chunks(self):
        line = b'a' * (200 * 1024) + b'\n'
        with GTempfile.NamedTmpFile(dir=self.scratch) as f:
            f.write(line + b'tail')
            f.seek(0)
            self.assertEqual(f.readline(), line)
            self.assertEqual(f.read(), b'tail')

    def test_readinto_truncate(self):
        with GTempfile.NamedTmpFile(dir=self.scratch) as f:
            f.write(b'0123456789')
            f.seek(2)
            buf = bytearray(4)
            self.assertEqual(f.readinto(buf), 4)
            self.assertEqual(buf, b'2345')
            # truncate() with no size cuts at the position, which stays.
            self.assertEqual(f.truncate(), 6)
            self.assertEqual(f.tell(), 6)
            self.assertEqual(os.path.getsize(f.name), 6)
            self.assertEqual(f.truncate(3), 3)
            self.assertEqual(os.path.getsize(f.name), 3)
            f.seek(0)
            self.assertEqual(f.readinto(bytearray(10)), 3)

    def test_copyfileobj_and_fileno(self):
        payload = os.urandom(300 * 1024)
        with GTempfile.NamedTmpFile(dir=self.scratch) as f:
            shutil.copyfileobj(io.BytesIO(payload), f)
            f.flush()
            self.assertEqual(os.fstat(f.fileno()).st_size, len(payload))
            out = subprocess.run(['cmp', '-', f.name], input=payload)
            self.assertEqual(out.returncode, 0)

    def test_pathlike_dir_and_mode(self):
        with GTempfile.NamedTmpFile(dir=pathlib.Path(self.scratch),
                                    mode=0o640) as f:
            self.assertEqual(os.path.dirname(f.name), self.scratch)
            self.assertEqual(stat.S_IMODE(os.stat(f.name).st_mode), 0o640)

    def test_persist(self):
        dest = os.path.join(self.scratch, 'final.txt')
        with GTempfile.NamedTmpFile(dir=self.scratch) as f:
            f.write(b'final')
            f.persist(dest, GTempfile.TmpPersistFlags.NO_REPLACE, None)
            self.assertEqual(f.name, dest)
            self.assertFalse(f.get_delete())
        self.assertEqual(self.listing(), ['final.txt'])
        self.assertFileContents(dest, b'final')

    def test_persist_async(self):
        dest = os.path.join(self.scratch, 'final.txt')
        with GTempfile.NamedTmpFile(dir=self.scratch, suffix='.part') as f:
            f.write(b'final')
            source, result = self.persist_async(
                f, dest, GTempfile.TmpPersistFlags.NONE)
            self.assertIs(source, f)
            self.assertTrue(f.persist_finish(result))
            self.assertEqual(f.name, dest)
            self.assertFalse(f.get_delete())
            f.write(b' answer')
        # Leaving the block closed it and removed nothing.
        self.assertEqual(self.listing(), ['final.txt'])
        self.assertFileContents(dest, b'final answer')

    def test_persist_async_no_replace(self):
        dest = self.write_file('taken', b'theirs')
        with GTempfile.NamedTmpFile(dir=self.scratch, prefix='x') as f:
            f.write(b'mine')
            temp = f.name
            _, result = self.persist_async(
                f, dest, GTempfile.TmpPersistFlags.NO_REPLACE)
            error = self.assertIOError(Gio.IOErrorEnum.EXISTS,
                                       f.persist_finish, result)
            self.assertIn(dest, error.message)
            # Nothing changed: same name, still deleted automatically.
            self.assertEqual(f.name, temp)
            self.assertTrue(f.get_delete())
            self.assertEqual(self.listing(),
                             sorted(['taken', os.path.basename(temp)]))
        self.assertFileContents(dest, b'theirs')
        self.assertEqual(self.listing(), ['taken'])

    def test_missing_dir_is_not_found(self):
        missing = os.path.join(self.scratch, 'missing')
        error = self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                                   GTempfile.NamedTmpFile, dir=missing,
                                   prefix='x', suffix='.txt')
        self.assertIn(missing, error.message)
        self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                           GTempfile.NamedTmpFile.new, missing, None, None)

    def test_slash_in_prefix_is_invalid(self):
        self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                           GTempfile.NamedTmpFile, dir=self.scratch,
                           prefix='../evil')
        self.assertEqual(self.listing(), [])


class SpooledTmpFileTestCase(ScratchTestCase):
    def test_stays_in_memory_then_rolls_over(self):
        with GTempfile.SpooledTmpFile(16, dir=self.scratch) as f:
            self.assertEqual(f.get_max_size(), 16)
            f.write(b'0123456789')
            self.assertFalse(f.is_rolled_over())
            self.assertFalse(f.props.rolled_over)
            f.seek(0)
            self.assertEqual(f.read(), b'0123456789')
            notified = []
            f.connect('notify::rolled-over', lambda *args: notified.append(1))
            f.write(b'abcdefghij')
            self.assertTrue(f.is_rolled_over())
            self.assertEqual(notified, [1])
            # On disk now, still anonymous, position kept.
            self.assertEqual(f.tell(), 20)
            self.assertEqual(os.fstat(f.fileno()).st_size, 20)
            self.assertEqual(self.listing(), [])
            f.seek(0)
            self.assertEqual(f.read(), b'0123456789abcdefghij')
        self.assertTrue(f.closed)

    def test_fileno_rolls_over(self):
        f = GTempfile.SpooledTmpFile(max_size=1024, dir=self.scratch)
        f.write(b'small')
        self.assertFalse(f.is_rolled_over())
        fd = f.fileno()
        self.assertTrue(f.is_rolled_over())
        self.assertEqual(os.pread(fd, 5, 0), b'small')
        f.close()

    def test_text_wrapper_in_memory(self):
        with GTempfile.SpooledTmpFile(max_size=4096) as f:
            text = io.TextIOWrapper(f, encoding='utf-8')
            text.write('line 1\nline 2\n')
            text.seek(0)
            self.assertEqual(text.readlines(), ['line 1\n', 'line 2\n'])
            text.detach()
            self.assertFalse(f.is_rolled_over())

    def test_persist(self):
        dest = os.path.join(self.scratch, 'response.bin')
        with GTempfile.SpooledTmpFile(max_size=1024, dir=self.scratch) as f:
            f.write(b'response body')
            f.persist(dest, GTempfile.TmpPersistFlags.NONE, None)
            self.assertTrue(f.is_rolled_over())
        self.assertFileContents(dest, b'response body')

    def test_missing_dir_reported_by_rollover(self):
        missing = os.path.join(self.scratch, 'missing')
        # The constructor cannot fail ...
        f = GTempfile.SpooledTmpFile(max_size=8, dir=missing)
        f.write(b'1234')
        # ... the rollover reports it, naming the directory, and leaves the
        # data in memory.
        self.assertIOError(Gio.IOErrorEnum.NOT_FOUND, f.rollover, None)
        self.assertFalse(f.is_rolled_over())
        for roll in (lambda: f.write(b'123456789'), f.rollover, f.fileno,
                     lambda: f.truncate(9)):
            with self.assertRaises(FileNotFoundError) as cm:
                roll()
            self.assertIsInstance(cm.exception, GLib.Error)
            self.assertEqual(cm.exception.filename, missing)
            self.assertIn(missing, cm.exception.message)
        f.seek(0)
        self.assertEqual(f.read(), b'1234')
        f.close()

    def test_file_goes_away_during_async_write(self):
        # Issue 17: dropping the file, leaving its with block or disposing
        # it while a write runs in GIO's worker crashed the interpreter.
        data = GLib.Bytes.new(b'x' * (8 << 20))
        for how in ('del', 'with', 'dispose'):
            for i in range(10):
                f = GTempfile.SpooledTmpFile(max_size=(4 << 20) * (i % 2),
                                             dir=self.scratch)
                out = f.get_output_stream()
                loop = GLib.MainLoop()
                written = []

                def done(stream, result):
                    try:
                        written.append(stream.write_bytes_finish(result))
                    except GLib.Error as error:
                        self.assertTrue(io_error(Gio.IOErrorEnum.CLOSED)(error),
                                        error.message)
                        written.append(None)
                    loop.quit()

                out.write_bytes_async(data, GLib.PRIORITY_DEFAULT, None, done)
                if how == 'with':
                    with f:
                        pass
                elif how == 'dispose':
                    f.run_dispose()
                del f
                gc.collect()
                loop.run()
                self.assertIn(written[0], (None, data.get_size()))
        self.assertEqual(self.listing(), [])


class TmpDirTestCase(ScratchTestCase):
    def test_context_manager_returns_path_and_removes_tree(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch, prefix='build_')
        with tmpdir as path:
            self.assertIsInstance(path, str)
            self.assertEqual(path, tmpdir.name)
            self.assertEqual(path, tmpdir.path)
            self.assertEqual(os.fspath(tmpdir), path)
            self.assertTrue(os.path.basename(path).startswith('build_'))
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)
            os.makedirs(os.path.join(path, 'a', 'b'))
            with open(os.path.join(path, 'a', 'b', 'f'), 'w') as f:
                f.write('x')
            os.symlink(self.scratch, os.path.join(path, 'link'))
            self.assertEqual(self.listing(), [os.path.basename(path)])
        # Gone, and the symlink was not followed.
        self.assertEqual(self.listing(), [])
        self.assertTrue(os.path.isdir(self.scratch))
        tmpdir.cleanup(None)  # idempotent

    def test_delete_false_kept_by_exit_and_dispose(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch, delete=False)
        self.assertFalse(tmpdir.props.delete)
        with tmpdir as path:
            open(os.path.join(path, 'result'), 'w').close()
        # CPython 3.12: the block's end does not clean up with delete=False;
        # the object is still usable ...
        self.assertTrue(os.path.isfile(os.path.join(path, 'result')))
        self.assertTrue(stat.S_ISDIR(os.fstat(tmpdir.get_fd()).st_mode))
        # ... and dropping it (dispose runs) leaves the directory too.
        finalized = []
        keep = tmpdir.weak_ref(lambda: finalized.append(True))
        del tmpdir
        self.assertEqual(finalized, [True])
        del keep
        self.assertTrue(os.path.isfile(os.path.join(path, 'result')))
        self.assertEqual(self.listing(), [os.path.basename(path)])

    def test_delete_false_explicit_cleanup_removes(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch, delete=False)
        with tmpdir as path:
            os.makedirs(os.path.join(path, 'a', 'b'))
            open(os.path.join(path, 'a', 'b', 'f'), 'w').close()
        self.assertEqual(self.listing(), [os.path.basename(path)])
        # As CPython's cleanup(): removes the tree whatever delete says.
        tmpdir.cleanup()
        self.assertEqual(self.listing(), [])
        self.assertEqual(tmpdir.get_fd(), -1)
        tmpdir.cleanup()  # idempotent

    def test_delete_set_false_later(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch)
        with tmpdir as path:
            open(os.path.join(path, 'f'), 'w').close()
            tmpdir.props.delete = False
        self.assertTrue(os.path.isfile(os.path.join(path, 'f')))
        source, result = self.run_async(lambda done: tmpdir.cleanup_async(
            GLib.PRIORITY_DEFAULT, None, done))
        self.assertTrue(source.cleanup_finish(result))
        self.assertEqual(self.listing(), [])

    def test_fd_and_file(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch)
        fd = tmpdir.get_fd()
        self.assertTrue(stat.S_ISDIR(os.fstat(fd).st_mode))
        gfile = tmpdir.get_file()
        self.assertEqual(gfile.get_path(), tmpdir.name)
        tmpdir.cleanup(None)
        self.assertEqual(tmpdir.get_fd(), -1)
        self.assertEqual(self.listing(), [])

    def test_async_cleanup(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch)
        open(os.path.join(tmpdir.name, 'f'), 'w').close()
        loop = GLib.MainLoop()
        results = []

        def done(source, result, data):
            results.append(source.cleanup_finish(result))
            loop.quit()

        tmpdir.cleanup_async(GLib.PRIORITY_DEFAULT, None, done, None)
        loop.run()
        self.assertEqual(results, [True])
        self.assertEqual(self.listing(), [])

    def test_async_constructor(self):
        source, result = self.run_async(lambda done: GTempfile.TmpDir.new_async(
            self.scratch, 'async_', None, GLib.PRIORITY_DEFAULT, None, done))
        tmpdir = GTempfile.TmpDir.new_finish(result)
        self.assertIsInstance(tmpdir, GTempfile.TmpDir)
        self.assertEqual(self.listing(), [os.path.basename(tmpdir.name)])
        self.assertTrue(os.path.basename(tmpdir.name).startswith('async_'))
        self.assertEqual(stat.S_IMODE(os.stat(tmpdir.name).st_mode), 0o700)
        # The Pythonic layer applies to it as well.
        with tmpdir as path:
            open(os.path.join(path, 'f'), 'w').close()
        self.assertEqual(self.listing(), [])

    def test_async_constructor_errors(self):
        self.assertNewAsyncNotFound(GTempfile.TmpDir)
        _, result = self.run_async(lambda done: GTempfile.TmpDir.new_async(
            self.scratch, 'a/b', None, GLib.PRIORITY_DEFAULT, None, done))
        self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
                           GTempfile.TmpDir.new_finish, result)
        self.assertEqual(self.listing(), [])

    def test_async_cleanup_cancelled(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch)
        open(os.path.join(tmpdir.name, 'f'), 'w').close()
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        source, result = self.run_async(lambda done: tmpdir.cleanup_async(
            GLib.PRIORITY_DEFAULT, cancellable, done))
        self.assertIOError(Gio.IOErrorEnum.CANCELLED, source.cleanup_finish,
                           result)
        self.assertTrue(os.path.isfile(os.path.join(tmpdir.name, 'f')))
        tmpdir.cleanup()
        self.assertEqual(self.listing(), [])

    # Run by an unprivileged child: make a TmpDir, let the parent (root) put
    # something in it that the child cannot remove, then leave a with block.
    CLEANUP_ERROR_CHILD = '''
import sys, gi
gi.require_version("GTempfile", "1.0")
from gi.repository import GLib, Gio, GTempfile
tmpdir = GTempfile.TmpDir(dir=sys.argv[1],
                          ignore_cleanup_errors=sys.argv[2] == "ignore")
print(tmpdir.name, flush=True)
sys.stdin.readline()
try:
    with tmpdir:
        pass
except GLib.Error as error:
    print(error.domain, error.code, error.message)
    # Dropping the object tries once more, without warning again (a warning
    # would be fatal here): the error has been reported.
    del tmpdir
    sys.exit(0 if error.matches(Gio.io_error_quark(),
                                Gio.IOErrorEnum.PERMISSION_DENIED) else 3)
print("no error")
sys.exit(0 if sys.argv[2] == "ignore" else 4)
'''

    def run_cleanup_error_child(self, mode):
        if os.getuid() != 0:
            self.skipTest('needs root to make a file its owner cannot remove')
        os.chmod(self.scratch, 0o777)
        child = subprocess.Popen(
            [sys.executable, '-c', self.CLEANUP_ERROR_CHILD, self.scratch,
             mode],
            user=65534, group=65534, extra_groups=[],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        path = child.stdout.readline().strip()
        # A root-owned directory with a file in it: the child can neither
        # unlink the file nor chmod the directory to be allowed to.
        locked = os.path.join(path, 'locked')
        os.mkdir(locked, 0o755)
        open(os.path.join(locked, 'file'), 'w').close()
        output, _ = child.communicate('go\n', timeout=60)
        return child.returncode, output, path

    def test_cleanup_error_propagates_from_with(self):
        status, output, path = self.run_cleanup_error_child('raise')
        self.assertEqual(status, 0, output)
        self.assertIn(os.path.join(path, 'locked'), output)

    def test_cleanup_error_ignored(self):
        status, output, path = self.run_cleanup_error_child('ignore')
        self.assertEqual(status, 0, output)
        self.assertEqual(output.strip(), 'no error')

    def test_missing_dir_is_not_found(self):
        missing = os.path.join(self.scratch, 'missing')
        error = self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                                   GTempfile.TmpDir, dir=missing,
                                   prefix='build_')
        self.assertIn(missing, error.message)
        self.assertIOError(Gio.IOErrorEnum.NOT_FOUND,
                           GTempfile.TmpDir.new, missing, None, None)



class DirectoryDescriptorTestCase(ScratchTestCase):
    """The _at variants, with a directory descriptor from os.open()."""

    def open_scratch(self):
        dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, dfd)
        return dfd

    def test_create_write_persist_at(self):
        dfd = self.open_scratch()
        f = GTempfile.TmpFile.new_at(dfd, None, None, None, 0)
        f.write(b'saved by descriptor')
        f.persist_at(dfd, 'doc.txt', GTempfile.TmpPersistFlags.SYNC, None)
        f.close()
        with open(os.path.join(self.scratch, 'doc.txt'), 'rb') as saved:
            self.assertEqual(saved.read(), b'saved by descriptor')
        self.assertEqual(self.listing(), ['doc.txt'])

    def test_persist_at_keeps_replaced_mode(self):
        dfd = self.open_scratch()
        dest = os.path.join(self.scratch, 'doc.txt')
        with open(dest, 'wb') as old:
            old.write(b'old')
        os.chmod(dest, 0o644)
        with GTempfile.TmpFile.new_at(dfd, None, None, None, 0) as f:
            f.write(b'new')
            f.persist_at(dfd, 'doc.txt', GTempfile.TmpPersistFlags.NONE, None)
        self.assertEqual(stat.S_IMODE(os.stat(dest).st_mode), 0o644)

    def test_persist_at_no_replace(self):
        dfd = self.open_scratch()
        with open(os.path.join(self.scratch, 'taken'), 'wb') as other:
            other.write(b'theirs')
        with GTempfile.TmpFile.new_at(dfd, None, None, None, 0) as f:
            error = self.assertIOError(Gio.IOErrorEnum.EXISTS, f.persist_at, dfd, 'taken',
                                       GTempfile.TmpPersistFlags.NO_REPLACE, None)
            self.assertIn(os.path.join(os.path.realpath(self.scratch), 'taken'),
                          error.message)

    def test_mkstemp_at_relative_path(self):
        dfd = self.open_scratch()
        fd, name = GTempfile.mkstemp_at(dfd, None, 'job-', None, 0o640)
        os.close(fd)
        self.assertTrue(name.startswith('job-'))
        self.assertNotIn('/', name)
        self.assertEqual(stat.S_IMODE(os.stat(name, dir_fd=dfd).st_mode), 0o640)

    def test_dir_fd_keyword(self):
        dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
        with GTempfile.NamedTmpFile(dir_fd=dfd, prefix='kw_') as f:
            os.close(dfd)  # the object keeps its own duplicate
            self.assertNotEqual(f.props.dir_fd, dfd)
            self.assertEqual(os.path.dirname(f.name), os.path.realpath(self.scratch))
            self.assertEqual(self.listing(), [os.path.basename(f.name)])
        self.assertEqual(self.listing(), [])
        # Every class takes it, and keeps its own duplicate.
        for make in (lambda dfd: GTempfile.TmpFile(dir_fd=dfd),
                     lambda dfd: GTempfile.SpooledTmpFile(max_size=1,
                                                          dir_fd=dfd)):
            dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
            f = make(dfd)
            os.close(dfd)
            f.write(b'on disk')
            link = os.readlink('/proc/self/fd/%d' % f.fileno())
            self.assertTrue(link.startswith(os.path.realpath(self.scratch)
                                            + '/'), link)
            f.close()
        dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
        d = GTempfile.TmpDir(dir_fd=dfd, prefix='kw_')
        os.close(dfd)
        self.assertEqual(self.listing(), [os.path.basename(d.get_path())])
        d.cleanup()
        self.assertEqual(self.listing(), [])

    def test_named_and_dir_at(self):
        dfd = self.open_scratch()
        named = GTempfile.NamedTmpFile.new_at(dfd, None, None, None, 0)
        self.assertEqual(os.path.dirname(named.get_path()), os.path.realpath(self.scratch))
        named.close()
        d = GTempfile.TmpDir.new_at(dfd, None, None, None, 0)
        self.assertTrue(os.path.isdir(d.get_path()))
        d.cleanup(None)
        self.assertEqual(self.listing(), [])

class GIConstructionTestCase(ScratchTestCase):
    """Each class's own async constructor; objects made without init()."""

    def test_named_async_constructor_is_its_own(self):
        source, result = self.run_async(
            lambda done: GTempfile.NamedTmpFile.new_async(
                self.scratch, 'n_', '.txt', GLib.PRIORITY_DEFAULT, None, done))
        f = GTempfile.NamedTmpFile.new_finish(result)
        self.assertIsInstance(f, GTempfile.NamedTmpFile)
        path = f.get_path()
        self.assertEqual(os.path.dirname(path), self.scratch)
        self.assertTrue(os.path.basename(path).startswith('n_'))
        self.assertEqual(self.listing(), [os.path.basename(path)])
        f.close()
        self.assertEqual(self.listing(), [])

    def test_spooled_async_constructor_is_its_own(self):
        _, result = self.run_async(
            lambda done: GTempfile.SpooledTmpFile.new_async(
                4, self.scratch, None, None, GLib.PRIORITY_DEFAULT, None,
                done))
        f = GTempfile.SpooledTmpFile.new_finish(result)
        self.assertIsInstance(f, GTempfile.SpooledTmpFile)
        self.assertEqual(f.get_max_size(), 4)
        self.assertEqual(f.props.max_size, f.get_max_size())
        self.assertFalse(f.is_rolled_over())
        f.close()

    def test_object_new_without_init_refuses_every_call(self):
        f = GObject.new(GTempfile.NamedTmpFile, dir=self.scratch)
        out = f.get_output_stream()
        for call in (lambda: f.get_fd(),
                     lambda: out.write_bytes(GLib.Bytes(b'x'), None),
                     lambda: f.get_input_stream().read_bytes(1, None),
                     lambda: f.query_info('standard::size', None),
                     lambda: f.cleanup(None)):
            error = self.assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, call)
            self.assertIn('init()', error.message)
        self.assertEqual(self.listing(), [])

        # init() makes it whole.
        f.init(None)
        out.write_bytes(GLib.Bytes(b'whole'), None)
        with open(f.get_path(), 'rb') as other:
            self.assertEqual(other.read(), b'whole')
        f.cleanup(None)
        self.assertEqual(self.listing(), [])

    def test_object_new_tmp_dir_without_init(self):
        d = GObject.new(GTempfile.TmpDir, dir=self.scratch)
        self.assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, d.cleanup, None)
        dest = os.path.join(self.scratch, 'published')
        self.assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, d.persist, dest,
                           GTempfile.TmpPersistFlags.NONE, None)
        self.assertEqual(self.listing(), [])
        d.init(None)
        self.assertEqual(len(self.listing()), 1)
        d.cleanup(None)
        self.assertEqual(self.listing(), [])

    def test_object_new_spooled_needs_no_init(self):
        f = GObject.new(GTempfile.SpooledTmpFile, max_size=8)
        self.assertEqual(f.props.max_size, 8)
        self.assertEqual(f.get_max_size(), f.props.max_size)
        f.get_output_stream().write_bytes(GLib.Bytes(b'in memory'), None)
        self.assertTrue(f.is_rolled_over())
        f.close()


class FileNameArgumentTestCase(ScratchTestCase):
    """dir, prefix and suffix are file names in every constructor."""

    CLASSES = ('TmpFile', 'NamedTmpFile', 'SpooledTmpFile', 'TmpDir')

    def construct(self, cls_name, **kwargs):
        obj = getattr(GTempfile, cls_name)(**kwargs)
        if cls_name == 'TmpDir':
            self.addCleanup(obj.cleanup, None)
        else:
            self.addCleanup(obj.close)
        return obj

    def test_nul_is_value_error(self):
        # A property is a C string: "x\0/../../etc" would silently become
        # "x". The module functions raise ValueError; so do constructors.
        escape = 'x\0/../../etc'
        for cls_name in self.CLASSES:
            for key in ('prefix', 'suffix'):
                with self.subTest(cls=cls_name, arg=key):
                    with self.assertRaises(ValueError):
                        self.construct(cls_name, dir=self.scratch,
                                       **{key: escape})
                    with self.assertRaises(ValueError):
                        self.construct(cls_name, dir=self.scratch,
                                       **{key: escape.encode()})
            with self.subTest(cls=cls_name, arg='dir'):
                with self.assertRaises(ValueError):
                    self.construct(cls_name, dir=self.scratch + '\0/..')
        self.assertEqual(self.listing(), [])
        with self.assertRaises(ValueError):
            GTempfile.mkstemp(self.scratch, escape, None)

    def test_bytes_are_file_names(self):
        for cls_name in self.CLASSES:
            with self.subTest(cls=cls_name):
                obj = self.construct(cls_name, dir=os.fsencode(self.scratch),
                                     prefix=b'pre_', suffix=b'.x')
                self.assertEqual(obj.props.dir, self.scratch)
                self.assertEqual(obj.props.prefix, 'pre_')
                self.assertEqual(obj.props.suffix, '.x')
                if cls_name in ('NamedTmpFile', 'TmpDir'):
                    self.assertEqual(os.path.dirname(obj.get_path()),
                                     self.scratch)
                    name = os.path.basename(obj.get_path())
                    self.assertTrue(name.startswith('pre_'), name)
                    self.assertTrue(name.endswith('.x'), name)
        # Nothing named after the repr of bytes ("b'...'") anywhere.
        self.assertEqual([name for name in self.listing()
                          if not name.startswith('pre_')], [])

    def test_pathlike_is_a_file_name(self):
        for cls_name in self.CLASSES:
            with self.subTest(cls=cls_name):
                obj = self.construct(cls_name, dir=pathlib.Path(self.scratch),
                                     prefix=pathlib.PurePath('p_'))
                self.assertEqual(obj.props.dir, self.scratch)
                self.assertEqual(obj.props.prefix, 'p_')

    def test_non_utf8_name_needs_new(self):
        # A string property holds UTF-8 only; new() takes any file name.
        latin1 = os.path.join(os.fsencode(self.scratch), b'caf\xe9')
        os.mkdir(latin1)
        with self.assertRaises(ValueError):
            self.construct('TmpDir', dir=latin1)
        tmp = GTempfile.TmpDir.new(latin1, None, None)
        self.assertEqual(os.path.dirname(os.fsencode(tmp.get_path())), latin1)
        tmp.cleanup(None)

    def test_non_utf8_path_error_is_glib_error(self):
        # The message names the path by its display name, valid UTF-8, so
        # PyGObject raises GLib.Error, not "Converting the GError failed".
        latin1 = os.path.join(os.fsencode(self.scratch), b'caf\xe9')
        missing = os.path.join(latin1, b'missing')
        calls = {
            'mkstemp': lambda: GTempfile.mkstemp(missing, None, None),
            'mkdtemp': lambda: GTempfile.mkdtemp(missing, None, None),
            'TmpFile': lambda: GTempfile.TmpFile.new(missing, None, None),
            'NamedTmpFile': lambda: GTempfile.NamedTmpFile.new(missing, None,
                                                               None),
            'TmpDir': lambda: GTempfile.TmpDir.new(missing, None, None),
        }
        display = GLib.filename_display_name(missing)
        self.assertIn('\ufffd', display)
        for name, call in calls.items():
            with self.subTest(call=name):
                error = self.assertIOError(Gio.IOErrorEnum.NOT_FOUND, call)
                self.assertIn(display, error.message)



class DirPersistTestCase(ScratchTestCase):
    """TmpDir.persist(): publishing a built tree by renaming it into place."""

    def build(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch, prefix='.build-')
        with open(os.path.join(tmpdir.name, 'index.html'), 'w') as f:
            f.write('new')
        return tmpdir

    def test_persist_new_name(self):
        tmpdir = self.build()
        dest = os.path.join(self.scratch, 'site')
        self.assertTrue(tmpdir.persist(dest, GTempfile.TmpPersistFlags.SYNC,
                                       None))
        self.assertEqual(tmpdir.name, dest)
        self.assertFalse(tmpdir.props.delete)
        # Leaving a block, cleanup() and dropping it keep the published tree.
        with tmpdir:
            pass
        tmpdir.cleanup(None)
        del tmpdir
        gc.collect()
        with open(os.path.join(dest, 'index.html')) as f:
            self.assertEqual(f.read(), 'new')
        self.assertEqual(self.listing(), ['site'])

    def test_persist_refuses_non_empty_and_exists(self):
        tmpdir = self.build()
        path = tmpdir.name
        live = os.path.join(self.scratch, 'live')
        os.mkdir(live)
        open(os.path.join(live, 'old'), 'w').close()
        error = self.assertIOError(Gio.IOErrorEnum.NOT_EMPTY, tmpdir.persist,
                                   live, GTempfile.TmpPersistFlags.NONE, None)
        self.assertIn(live, error.message)
        self.assertIOError(Gio.IOErrorEnum.EXISTS, tmpdir.persist, live,
                           GTempfile.TmpPersistFlags.NO_REPLACE, None)
        self.assertEqual(tmpdir.name, path)
        self.assertEqual(os.listdir(live), ['old'])

    def test_persist_exchange(self):
        tmpdir = self.build()
        path = tmpdir.name
        live = os.path.join(self.scratch, 'live')
        os.mkdir(live)
        with open(os.path.join(live, 'index.html'), 'w') as f:
            f.write('old')
        tmpdir.persist(live, GTempfile.TmpPersistFlags.EXCHANGE, None)
        with open(os.path.join(live, 'index.html')) as f:
            self.assertEqual(f.read(), 'new')
        with open(os.path.join(path, 'index.html')) as f:
            self.assertEqual(f.read(), 'old')
        self.assertEqual(tmpdir.name, path)
        tmpdir.cleanup(None)
        self.assertEqual(self.listing(), ['live'])

    def test_file_persist_refuses_exchange(self):
        f = GTempfile.TmpFile(dir=self.scratch)
        self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT, f.persist,
                           os.path.join(self.scratch, 'x'),
                           GTempfile.TmpPersistFlags.EXCHANGE, None)
        self.assertEqual(self.listing(), [])

    def test_persist_async(self):
        tmpdir = self.build()
        dest = os.path.join(self.scratch, 'site')
        source, result = self.run_async(lambda done: tmpdir.persist_async(
            dest, GTempfile.TmpPersistFlags.NONE, GLib.PRIORITY_DEFAULT, None,
            done))
        self.assertTrue(source.persist_finish(result))
        self.assertEqual(tmpdir.name, dest)

        missing = os.path.join(self.scratch, 'missing')
        other = self.build()
        source, result = self.run_async(lambda done: other.persist_async(
            missing, GTempfile.TmpPersistFlags.EXCHANGE, GLib.PRIORITY_DEFAULT,
            None, done))
        self.assertIOError(Gio.IOErrorEnum.NOT_FOUND, source.persist_finish,
                           result)


class SweepTestCase(ScratchTestCase):
    """GTempfile.sweep(): removing what a killed program left behind."""

    HOUR = 3600

    def old(self, path):
        when = os.stat(path, follow_symlinks=False).st_mtime - self.HOUR
        os.utime(path, (when, when), follow_symlinks=False)
        return path

    def test_sweep(self):
        fd, leftover = GTempfile.mkstemp(self.scratch, 'app-', '.part')
        os.close(fd)
        tree = GTempfile.mkdtemp(self.scratch, 'app-', '.part')
        open(os.path.join(tree, 'inside'), 'w').close()
        fresh_fd, fresh = GTempfile.mkstemp(self.scratch, 'app-', '.part')
        os.close(fresh_fd)
        other = os.path.join(self.scratch, 'app-notmine.part')
        open(other, 'w').close()
        link = os.path.join(self.scratch, 'app-abcdefgh.part')
        os.symlink(tree, link)
        for path in (leftover, tree, other, link):
            self.old(path)

        n = GTempfile.sweep(self.scratch, 'app-', '.part', 0,
                            10 * 60 * GLib.USEC_PER_SEC, None)
        self.assertEqual(n, 2)
        self.assertEqual(self.listing(), sorted(
            os.path.basename(p) for p in (fresh, other, link)))

    def test_sweep_errors_and_async(self):
        self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT, GTempfile.sweep,
                           self.scratch, 'a/b', None, 0, 0, None)
        self.assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT, GTempfile.sweep,
                           self.scratch, None, None, 7, 0, None)
        self.old(GTempfile.mkdtemp(self.scratch, None, None))
        _, result = self.run_async(lambda done: GTempfile.sweep_async(
            self.scratch, None, None, 0, 0, GLib.PRIORITY_DEFAULT, None, done))
        self.assertEqual(GTempfile.sweep_finish(result), 1)
        self.assertEqual(self.listing(), [])



class BatchFileNamesTestCase(ScratchTestCase):
    """The modes, descriptor, directory persist and sweep calls take file
    names as str, bytes and os.PathLike, and raise Python's exceptions."""

    def kinds(self, path):
        return (path, os.fsencode(path), pathlib.Path(path))

    def test_full_and_at_constructors(self):
        dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, dfd)
        for dir in self.kinds(self.scratch):
            with self.subTest(dir=type(dir).__name__):
                fd, path = GTempfile.mkstemp_full(dir, b'f_', pathlib.Path('.x'),
                                                  0o640, 12)
                os.close(fd)
                self.assertEqual(os.path.dirname(os.fsdecode(path)), self.scratch)
                self.assertTrue(os.fsdecode(path).endswith('.x'))
                os.unlink(path)
                os.rmdir(GTempfile.mkdtemp_full(dir, None, None, 0, 0))
                with GTempfile.NamedTmpFile.new_full(dir, 'n_', None, 0, 0) as f:
                    self.assertEqual(os.path.dirname(f.name), self.scratch)
                with GTempfile.TmpFile.new_full(dir, None, None, 0, 0) as f:
                    f.write(b'x')
                with GTempfile.SpooledTmpFile.new_full(1, dir, None, None, 0, 0) as f:
                    f.write(b'rolls over')
                    link = os.readlink('/proc/self/fd/%d' % f.fileno())
                    self.assertTrue(link.startswith(self.scratch + '/'), link)
                GTempfile.TmpDir.new_full(dir, None, None, 0, 0).cleanup()
                # _at: dir relative to the descriptor, or absolute.
                GTempfile.TmpDir.new_at(dfd, dir, None, None, 0).cleanup()
                GTempfile.NamedTmpFile.new_at(GTempfile.AT_FDCWD if hasattr(
                    GTempfile, 'AT_FDCWD') else -100, dir, None, None, 0).close()
                fd, name = GTempfile.mkstemp_at(dfd, None, pathlib.Path('j_'),
                                                None, 0)
                os.close(fd)
                os.unlink(name, dir_fd=dfd)
                os.rmdir(GTempfile.mkdtemp_at(dfd, dir, None, None, 0))
        self.assertEqual(self.listing(), [])

    def test_errors_are_python_exceptions(self):
        missing = pathlib.Path(self.scratch, 'missing')
        for call in (lambda: GTempfile.mkstemp_full(missing, None, None, 0, 0),
                     lambda: GTempfile.TmpDir.new_full(missing, None, None, 0, 0),
                     lambda: GTempfile.TmpFile.new_at(-100, missing, None, None, 0),
                     lambda: GTempfile.sweep(missing, None, None, 0, 0, None)):
            with self.assertRaises(FileNotFoundError) as cm:
                call()
            self.assertEqual(cm.exception.filename, str(missing))
            self.assertIsInstance(cm.exception, GLib.Error)
        with self.assertRaises(ValueError):
            GTempfile.mkdtemp_full(self.scratch + '\0x', None, None, 0, 0)

    def test_rollover_and_cleanup_after_reading_ahead(self):
        # Line reading reads ahead; rollover() and cleanup() give it back
        # first, so the position the caller knows is the one that moves on.
        with GTempfile.SpooledTmpFile(dir=self.scratch) as f:
            f.write(b'one\ntwo\nthree\n')
            f.seek(0)
            self.assertEqual(f.readline(), b'one\n')
            f.rollover()
            self.assertTrue(f.props.rolled_over)
            # The C object's own position, not asked through the override.
            self.assertEqual(Gio.Seekable.tell(f), 4)
            self.assertEqual(os.lseek(f.fileno(), 0, os.SEEK_CUR), 4)
            self.assertEqual(f.readline(), b'two\n')
        f = GTempfile.NamedTmpFile(dir=self.scratch)
        f.write(b'a\nb\n')
        f.seek(0)
        self.assertEqual(f.readline(), b'a\n')
        f.cleanup()
        self.assertTrue(f.is_closed())
        with self.assertRaises(ValueError):
            f.readline()
        self.assertEqual(self.listing(), [])

    def test_persist_and_sweep(self):
        tmpdir = GTempfile.TmpDir(dir=self.scratch)
        dest = pathlib.Path(self.scratch, 'site')
        self.assertTrue(tmpdir.persist(dest, GTempfile.TmpPersistFlags.NONE, None))
        self.assertEqual(tmpdir.name, str(dest))
        other = GTempfile.TmpDir(dir=self.scratch)
        with self.assertRaises(FileExistsError):
            other.persist(os.fsencode(dest), GTempfile.TmpPersistFlags.NO_REPLACE,
                          None)
        other.cleanup()

        dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, dfd)
        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'line 1\nline 2\n')
            f.seek(0)
            self.assertEqual(f.readline(), b'line 1\n')  # reads ahead
            f.persist_at(dfd, pathlib.Path('doc'), GTempfile.TmpPersistFlags.NONE,
                         None)
            self.assertEqual(f.tell(), 7)
            self.assertEqual(f.read(), b'line 2\n')

        fd, left = GTempfile.mkstemp(self.scratch, 'app-', None)
        os.close(fd)
        when = os.stat(left).st_mtime - 3600
        os.utime(left, (when, when))
        self.assertEqual(GTempfile.sweep(pathlib.Path(self.scratch), b'app-', None,
                                         0, 60 * GLib.USEC_PER_SEC, None), 1)
        self.assertEqual(self.listing(), ['doc', 'site'])


if __name__ == '__main__':
    taptestrunner.main()
