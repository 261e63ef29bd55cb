#!/usr/bin/python3
# test_dropin.py — gtempfile as a drop-in for tempfile, and the override's
# Python conventions (file names, properties, exceptions)
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import gc
import inspect
import io
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import warnings
import weakref
from unittest import mock

import gi
gi.require_version('GTempfile', '1.0')
from gi.repository import GLib, GObject, Gio, GTempfile  # noqa: E402

import gtempfile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taptestrunner  # noqa: E402

BINDINGS = os.path.dirname(os.path.dirname(os.path.abspath(
    gtempfile.__file__)))


class ScratchTestCase(unittest.TestCase):
    """Every test gets its own empty directory (made by Python's tempfile)."""

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix='gtempfile-dropin-')
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def listing(self):
        return sorted(os.listdir(self.scratch))

    def run_python(self, code, user=None):
        """Run @code in a new interpreter that finds this tree."""
        command = [sys.executable, '-c',
                   'import sys; sys.path[:0] = [%r]\n' % BINDINGS + code]
        if user is not None:
            command = ['setpriv', '--reuid=%d' % user, '--regid=%d' % user,
                       '--clear-groups'] + command
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=60)


class SignatureTestCase(unittest.TestCase):
    """Same names, argument order and defaults as CPython's tempfile."""

    EXTRA = {
        # CPython 3.12's additions, keyword-only as there.
        'NamedTemporaryFile': ['delete_on_close'],
        'TemporaryDirectory': ['delete'],
    }

    def test_signatures_match_cpython(self):
        for name in ('TemporaryFile', 'NamedTemporaryFile',
                     'SpooledTemporaryFile', 'TemporaryDirectory',
                     'mkstemp', 'mkdtemp', 'mktemp', 'gettempdir',
                     'gettempdirb', 'gettempprefix', 'gettempprefixb'):
            with self.subTest(name=name):
                ours = inspect.signature(getattr(gtempfile, name))
                theirs = inspect.signature(getattr(tempfile, name))
                extra = self.EXTRA.get(name, [])
                ours_params = [p for p in ours.parameters.values()
                               if p.name not in extra]
                self.assertEqual(
                    [(p.name, p.kind, p.default) for p in ours_params],
                    [(p.name, p.kind, p.default)
                     for p in theirs.parameters.values()])
                for param in extra:
                    self.assertEqual(ours.parameters[param].kind,
                                     inspect.Parameter.KEYWORD_ONLY)
                    self.assertIs(ours.parameters[param].default, True)

    def test_public_names(self):
        self.assertEqual(sorted(gtempfile.__all__), sorted(tempfile.__all__))
        self.assertEqual(gtempfile.gettempprefix(), tempfile.gettempprefix())
        self.assertEqual(gtempfile.template, tempfile.template)
        self.assertEqual(gtempfile.gettempprefixb(), b'tmp')
        # The C library's number of tries, which is Linux's TMP_MAX.
        self.assertEqual(gtempfile.TMP_MAX, os.TMP_MAX)
        self.assertEqual(gtempfile.TMP_MAX, 238328)
        self.assertTrue(callable(gtempfile._TemporaryFileWrapper))
        self.assertTrue(callable(gtempfile._mkstemp_inner))
        # The C library names and searches: CPython's helpers for that are
        # absent, so patching them cannot seem to work.
        for name in ('_RandomNameSequence', '_get_candidate_names',
                     '_candidate_tempdir_list', '_get_default_tempdir'):
            self.assertFalse(hasattr(gtempfile, name), name)

    def test_tempdir_is_none_until_searched(self):
        code = '''
import gtempfile
print(gtempfile.tempdir)
gtempfile.gettempdir()
print(gtempfile.tempdir)
'''
        result = ScratchTestCase.run_python(self, code)
        self.assertEqual(result.stdout.split(),
                         ['None', gtempfile.gettempdir()], result.stderr)


class NamesTestCase(ScratchTestCase):
    def test_works_with_warnings_as_errors(self):
        # A drop-in for a module that never warns: importing it and calling
        # mktemp() (deprecated in the C API) under python -W error, or with
        # filters put before the package's own, warns about nothing.
        code = '''
import warnings
import gtempfile
print(gtempfile.mktemp(dir=%r) != '')
warnings.simplefilter('error')
print(gtempfile.mktemp(dir=%r) != '')
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    gtempfile.mktemp(dir=%r)
    with gtempfile.NamedTemporaryFile(dir=%r) as f:
        pass
print(caught)
''' % ((self.scratch,) * 4)
        command = [sys.executable, '-W', 'error', '-c',
                   'import sys; sys.path[:0] = [%r]\n' % BINDINGS + code]
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(result.stdout.split(), ['True', 'True', '[]'],
                         result.stderr)
        self.assertEqual(self.listing(), [])

    def test_positional_order_is_suffix_prefix_dir(self):
        fd, path = gtempfile.mkstemp('.dat', 'data_', self.scratch)
        os.close(fd)
        self.assertEqual(os.path.dirname(path), self.scratch)
        base = os.path.basename(path)
        self.assertTrue(base.startswith('data_') and base.endswith('.dat'))
        path = gtempfile.mkdtemp('.d', 'dir_', self.scratch)
        self.assertTrue(os.path.basename(path).startswith('dir_'))
        self.assertTrue(path.endswith('.d') and os.path.isdir(path))

    def test_names_have_cpythons_shape_and_do_not_use_random(self):
        # prefix, 8 characters of CPython's alphabet, suffix; random's
        # state is neither used nor able to predict a name.
        shape = r'\Ap_[a-z0-9_]{8}\.s\Z'
        makers = {
            'mkstemp': lambda: gtempfile.mkstemp('.s', 'p_', self.scratch),
            'mkdtemp': lambda: gtempfile.mkdtemp('.s', 'p_', self.scratch),
            'mktemp': lambda: gtempfile.mktemp('.s', 'p_', self.scratch),
            'NamedTemporaryFile': lambda: gtempfile.NamedTemporaryFile(
                suffix='.s', prefix='p_', dir=self.scratch),
            'TemporaryDirectory': lambda: gtempfile.TemporaryDirectory(
                '.s', 'p_', self.scratch),
        }
        for name, make in makers.items():
            with self.subTest(call=name):
                names = []
                for _ in range(2):
                    random.seed(0)
                    state = random.getstate()
                    made = make()
                    self.assertEqual(random.getstate(), state)
                    if isinstance(made, tuple):
                        os.close(made[0])
                        made = made[1]
                    path = made if isinstance(made, str) else made.name
                    names.append(os.path.basename(path))
                    self.assertRegex(names[-1], shape)
                    if hasattr(made, 'close'):
                        made.close()
                    elif hasattr(made, 'cleanup'):
                        made.cleanup()
                self.assertNotEqual(names[0], names[1])

    def test_slash_in_prefix_or_suffix_is_refused(self):
        # CPython joins it into the path; here nothing is created, not in
        # dir and not where the "/" would lead.
        sub = os.path.join(self.scratch, 'sub')
        os.mkdir(sub)
        for call in (gtempfile.mkstemp, gtempfile.mkdtemp, gtempfile.mktemp,
                     gtempfile.TemporaryFile, gtempfile.NamedTemporaryFile,
                     gtempfile.TemporaryDirectory):
            for names in ({'prefix': '../p'}, {'suffix': '/../x'},
                          {'prefix': b'../p', 'suffix': b''}):
                with self.subTest(call=call.__name__, **names):
                    dir = sub
                    if isinstance(names.get('prefix'), bytes):
                        dir = os.fsencode(sub)
                    with self.assertRaises(OSError) as cm:
                        call(dir=dir, **names)
                    self.assertEqual(cm.exception.errno, errno.EINVAL)
                    self.assertEqual(cm.exception.filename, dir)
                    self.assertTrue(cm.exception.__cause__.matches(
                        Gio.io_error_quark(),
                        Gio.IOErrorEnum.INVALID_ARGUMENT))
                    self.assertEqual(self.listing(), ['sub'])
                    self.assertEqual(os.listdir(sub), [])
        # A spooled file checks its names when it rolls over, as CPython's,
        # and keeps its data in memory.
        f = gtempfile.SpooledTemporaryFile(max_size=4, suffix='/../x',
                                           dir=sub)
        f.write(b'abc')
        with self.assertRaises(OSError) as cm:
            f.write(b'de')
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertFalse(f._rolled)
        f.seek(0)
        self.assertEqual(f.read(), b'abcde')
        f.close()
        self.assertEqual(self.listing(), ['sub'])
        self.assertEqual(os.listdir(sub), [])

    def test_relative_dir_gives_absolute_paths(self):
        # mkdtemp() as in CPython 3.12 (3.11 returns the path as joined).
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.scratch)
        os.mkdir('rel')
        rel = os.path.join(self.scratch, 'rel')
        path = gtempfile.mkdtemp(dir='rel')
        self.assertEqual(os.path.dirname(path), rel)
        self.assertTrue(os.path.isdir(path))
        self.assertEqual(os.path.dirname(gtempfile.mkdtemp(dir=b'rel')),
                         os.fsencode(rel))
        fd, path = gtempfile.mkstemp(dir='rel')
        os.close(fd)
        self.assertEqual(os.path.dirname(path), rel)
        with gtempfile.TemporaryDirectory(dir='rel') as d:
            self.assertEqual(os.path.dirname(d), rel)

    def test_bytes_in_bytes_out(self):
        scratch = os.fsencode(self.scratch)
        fd, path = gtempfile.mkstemp(prefix=b'p_', dir=scratch)
        os.close(fd)
        self.assertIsInstance(path, bytes)
        self.assertTrue(os.path.basename(path).startswith(b'p_'))
        self.assertIsInstance(gtempfile.mkdtemp(dir=scratch), bytes)
        self.assertIsInstance(gtempfile.mktemp(b'', b'tmp', scratch), bytes)
        with self.assertRaises(TypeError):  # as CPython's: prefix is str
            gtempfile.mktemp(dir=scratch)
        with gtempfile.NamedTemporaryFile(prefix=b'n_', dir=scratch) as f:
            self.assertIsInstance(f.name, bytes)
            self.assertTrue(os.path.exists(f.name))
        with gtempfile.TemporaryDirectory(dir=scratch) as d:
            self.assertIsInstance(d, bytes)
            self.assertEqual(os.path.dirname(d), scratch)

    def test_names_cpython_cannot_make_side_by_side(self):
        # Found by test_dropin_differential.py; failed before the fix.
        # CPython concatenates prefix, name and suffix: an os.PathLike
        # prefix or suffix is a TypeError wherever a name is made; a file
        # that has none (TemporaryFile, a spooled file's rollover: O_TMPFILE)
        # takes one, and a NUL in it.
        path = pathlib.PurePath('pp')
        for module in (tempfile, gtempfile):
            with self.subTest(module=module.__name__):
                for call in (module.mkstemp, module.mkdtemp, module.mktemp,
                             module.NamedTemporaryFile,
                             module.TemporaryDirectory):
                    for names in ({'prefix': path}, {'suffix': path}):
                        self.assertRaises(TypeError, call, dir=self.scratch,
                                          **names)
                for names in ({'prefix': path}, {'suffix': 'x\0y'},
                              {'prefix': b'x\0',
                               'dir': os.fsencode(self.scratch)}):
                    names = dict({'dir': self.scratch}, **names)
                    with module.TemporaryFile(**names):
                        pass
                    with module.SpooledTemporaryFile(**names) as f:
                        f.rollover()
                self.assertEqual(self.listing(), [])

    def test_mktemp_in_a_file(self):
        # Found by test_dropin_differential.py; failed before the fix.
        # Nothing exists in what is not a directory: CPython's returns a
        # name there.
        file = os.path.join(self.scratch, 'file')
        open(file, 'w').close()
        for module in (tempfile, gtempfile):
            path = module.mktemp('.s', 'p_', file)
            self.assertEqual(os.path.dirname(path), file)
            self.assertRegex(os.path.basename(path), r'\Ap_[a-z0-9_]{8}\.s\Z')

    def test_non_utf8_bytes_survive(self):
        scratch = os.fsencode(self.scratch)
        fd, path = gtempfile.mkstemp(prefix=b'caf\xe9_', dir=scratch)
        os.close(fd)
        self.assertTrue(os.path.basename(path).startswith(b'caf\xe9_'))
        self.assertTrue(os.path.exists(path))

    def test_pathlike_gives_str(self):
        scratch = pathlib.Path(self.scratch)
        fd, path = gtempfile.mkstemp(dir=scratch)
        os.close(fd)
        self.assertIsInstance(path, str)
        self.assertEqual(os.path.dirname(path), self.scratch)
        d = gtempfile.TemporaryDirectory(dir=scratch)
        self.assertEqual(os.path.dirname(d.name), self.scratch)
        d.cleanup()

    def test_mixing_str_and_bytes_is_a_type_error(self):
        for call in (gtempfile.mkstemp, gtempfile.mkdtemp,
                     gtempfile.NamedTemporaryFile,
                     gtempfile.TemporaryDirectory):
            with self.subTest(call=call.__name__):
                with self.assertRaises(TypeError):
                    call(prefix=b'x', dir=self.scratch)
        self.assertEqual(self.listing(), [])

    def test_nul_is_a_value_error(self):
        with self.assertRaises(ValueError):
            gtempfile.mkstemp(suffix='x\0/../y', dir=self.scratch)
        self.assertEqual(self.listing(), [])

    def test_setting_tempdir_moves_the_default(self):
        saved = gtempfile.tempdir
        self.addCleanup(setattr, gtempfile, 'tempdir', saved)
        gtempfile.tempdir = self.scratch
        self.assertEqual(gtempfile.gettempdir(), self.scratch)
        self.assertEqual(gtempfile.gettempdirb(), os.fsencode(self.scratch))
        fd, path = gtempfile.mkstemp()
        os.close(fd)
        self.assertEqual(os.path.dirname(path), self.scratch)
        with gtempfile.NamedTemporaryFile() as f:
            self.assertEqual(os.path.dirname(f.name), self.scratch)
        with gtempfile.TemporaryDirectory() as d:
            self.assertEqual(os.path.dirname(d), self.scratch)
        # A bytes tempdir makes bytes the default type, as in CPython.
        gtempfile.tempdir = os.fsencode(self.scratch)
        self.assertIsInstance(gtempfile.mkdtemp(), bytes)
        self.assertIsInstance(gtempfile.mkdtemp(suffix='x'), str)
        # None searches again ($TMPDIR first).
        gtempfile.tempdir = None
        with mock.patch.dict(os.environ, {'TMPDIR': self.scratch}):
            self.assertEqual(gtempfile.gettempdir(), self.scratch)

    def test_names_follow_tempdir_and_template_changes(self):
        # The converted names are remembered; a new tempdir or template
        # must still take effect at the next call.
        saved = gtempfile.tempdir, gtempfile.template
        self.addCleanup(setattr, gtempfile, 'template', saved[1])
        self.addCleanup(setattr, gtempfile, 'tempdir', saved[0])
        other = os.path.join(self.scratch, 'other')
        os.mkdir(other)
        for where in (self.scratch, other, self.scratch):
            gtempfile.tempdir = where
            with gtempfile.TemporaryFile() as f:
                link = os.readlink('/proc/self/fd/%d' % f.fileno())
                self.assertTrue(link.startswith(where + '/'), link)
            with gtempfile.NamedTemporaryFile(suffix='.x') as f:
                self.assertEqual(os.path.dirname(f.name), where)
                self.assertTrue(f.name.endswith('.x'))
        gtempfile.template = 'pre_'
        with gtempfile.NamedTemporaryFile() as f:
            self.assertTrue(os.path.basename(f.name).startswith('pre_'))
        gtempfile.tempdir = os.fsencode(other)
        with gtempfile.NamedTemporaryFile() as f:
            self.assertEqual(f.name, os.path.join(os.fsencode(other),
                                                  os.path.basename(f.name)))

    def test_named_file_names_are_absolute_and_normal(self):
        os.mkdir(os.path.join(self.scratch, 'sub'))
        for dir in (self.scratch + '//sub/../sub/.',
                    os.path.relpath(os.path.join(self.scratch, 'sub'))):
            with self.subTest(dir=dir):
                with gtempfile.NamedTemporaryFile(dir=dir) as f:
                    self.assertEqual(os.path.dirname(f.name),
                                     os.path.join(self.scratch, 'sub'))
                    self.assertTrue(os.path.exists(f.name))

    def test_first_default_is_the_c_librarys(self):
        # A default set through the GObject API before gtempfile's first
        # gettempdir() is not thrown away by a search.
        code = '''
import gi
gi.require_version("GTempfile", "1.0")
from gi.repository import GTempfile
GTempfile.set_tempdir(%r)
import gtempfile
print(gtempfile.gettempdir())
''' % self.scratch
        result = self.run_python(code)
        self.assertEqual(result.stdout.strip(), self.scratch, result.stderr)


class FileObjectTestCase(ScratchTestCase):
    """The objects are the ones CPython returns, with the same modes."""

    MODES = [('w+b', {}), ('wb', {}), ('rb', {}), ('ab+', {}),
             ('w+', {'encoding': 'utf-8'}), ('r+', {'encoding': 'utf-8'}),
             ('w', {'encoding': 'utf-8'}), ('w+b', {'buffering': 0}),
             ('w+', {'encoding': 'utf-8', 'buffering': 1})]

    def test_temporaryfile_types_and_attributes(self):
        for mode, kwargs in self.MODES:
            with self.subTest(mode=mode, **kwargs):
                with tempfile.TemporaryFile(mode, dir=self.scratch,
                                            **kwargs) as theirs, \
                        gtempfile.TemporaryFile(mode, dir=self.scratch,
                                                **kwargs) as ours:
                    self.assertIsInstance(ours, type(theirs).__mro__[0])
                    self.assertEqual(repr(ours).split(' ')[0],
                                     repr(theirs).split(' ')[0])
                    self.assertEqual(ours.mode, theirs.mode)
                    self.assertIsInstance(ours.name, int)
                    self.assertEqual(ours.readable(), theirs.readable())
                    self.assertEqual(ours.writable(), theirs.writable())
                    if isinstance(theirs, io.TextIOWrapper):
                        self.assertEqual(ours.line_buffering,
                                         theirs.line_buffering)
                        self.assertEqual(ours.encoding, theirs.encoding)
                    self.assertIsInstance(ours.gobject, GTempfile.TmpFile)
                self.assertTrue(ours.closed)
                self.assertTrue(ours.gobject.is_closed())
        self.assertEqual(self.listing(), [])

    def test_text_mode_encoding_newline_errors(self):
        with gtempfile.TemporaryFile('w+', encoding='utf-16',
                                     dir=self.scratch) as f:
            f.write('\u039b\n')
            f.seek(0)
            self.assertEqual(f.read(), '\u039b\n')
            os.lseek(f.fileno(), 0, os.SEEK_SET)
            self.assertEqual(os.read(f.fileno(), 100),
                             '\u039b\n'.encode('utf-16'))
        with gtempfile.NamedTemporaryFile('w+', newline='', encoding='ascii',
                                          errors='replace',
                                          dir=self.scratch) as f:
            f.write('a\r\nb\u00e9')
            f.flush()
            with open(f.name, 'rb') as raw:
                self.assertEqual(raw.read(), b'a\r\nb?')
            f.seek(0)
            self.assertEqual(f.readlines(), ['a\r\n', 'b?'])

    def test_bad_mode_and_encoding_leave_nothing(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            for call in (gtempfile.TemporaryFile,
                         gtempfile.NamedTemporaryFile):
                with self.subTest(call=call.__name__):
                    with self.assertRaises(ValueError):
                        call('wr', dir=self.scratch)
                    with self.assertRaises(ValueError):
                        call('w+b', encoding='utf-8', dir=self.scratch)
                    with self.assertRaises(ValueError):
                        call('w+', buffering=0, dir=self.scratch)
                    with self.assertRaises(TypeError):
                        call(2, dir=self.scratch)
                    with self.assertRaises(LookupError):
                        call('w', encoding='no-such-codec', dir=self.scratch)
            gc.collect()
        self.assertEqual(self.listing(), [])
        # What was built before the failure is closed, not left to warn.
        self.assertEqual([str(w.message) for w in caught
                          if issubclass(w.category, ResourceWarning)], [])

    def test_failure_after_creation_removes_named_file(self):
        with mock.patch('gtempfile._files._TemporaryFileWrapper',
                        side_effect=KeyboardInterrupt):
            with self.assertRaises(KeyboardInterrupt):
                gtempfile.NamedTemporaryFile(dir=self.scratch, delete=False)
        gc.collect()
        self.assertEqual(self.listing(), [])

    def test_is_iobase(self):
        objects = [gtempfile.TemporaryFile(dir=self.scratch),
                   gtempfile.TemporaryFile('w+', dir=self.scratch),
                   gtempfile.NamedTemporaryFile(dir=self.scratch),
                   gtempfile.SpooledTemporaryFile(dir=self.scratch),
                   gtempfile.SpooledTemporaryFile(mode='w+',
                                                  dir=self.scratch)]
        for f in objects:
            with self.subTest(type=type(f).__name__):
                self.assertIsInstance(f, io.IOBase)
                f.close()

    def test_closed_files_raise_value_error(self):
        objects = {
            'TemporaryFile': gtempfile.TemporaryFile(dir=self.scratch),
            'Named': gtempfile.NamedTemporaryFile(dir=self.scratch),
            'Spooled': gtempfile.SpooledTemporaryFile(dir=self.scratch),
            'Spooled rolled': gtempfile.SpooledTemporaryFile(
                max_size=1, dir=self.scratch),
            'Spooled text': gtempfile.SpooledTemporaryFile(
                mode='w+', dir=self.scratch),
        }
        objects['Spooled rolled'].write(b'xx')
        for name, f in objects.items():
            data = '' if 'text' in name else b''
            f.close()
            for call in (lambda: f.write(data), f.read, f.tell,
                         lambda: f.seek(0), f.readline):
                with self.subTest(file=name, call=call):
                    with self.assertRaises(ValueError):
                        call()
            with self.subTest(file=name, call='with'):
                with self.assertRaises(ValueError):
                    with f:
                        pass


    def test_default_buffer_is_1_mib(self):
        # Writes reach the file when 1 MiB is buffered (io.open() would
        # flush at the block size); buffering=N is N, as in io.open().
        kib = 1024
        for make in (gtempfile.TemporaryFile, gtempfile.NamedTemporaryFile):
            for buffering, size in ((-1, 1024 * kib), (4 * kib, 4 * kib)):
                with self.subTest(make=make.__name__, buffering=buffering):
                    with make(buffering=buffering, dir=self.scratch) as f:
                        f.write(b'a' * (size - 1))
                        self.assertEqual(os.fstat(f.fileno()).st_size, 0)
                        f.write(b'b' * 2)
                        # The full buffer went out, the 2 bytes wait.
                        self.assertEqual(os.fstat(f.fileno()).st_size,
                                         size - 1)
                        f.seek(0)
                        self.assertEqual(f.read(), b'a' * (size - 1) + b'bb')
            with make('w+', dir=self.scratch) as f:
                f.write('x' * (1000 * kib))
                self.assertEqual(os.fstat(f.fileno()).st_size, 0)
                f.flush()
                self.assertEqual(os.fstat(f.fileno()).st_size, 1000 * kib)


class NamedTemporaryFileTestCase(ScratchTestCase):
    def test_delete_on_close_false(self):
        with gtempfile.NamedTemporaryFile(dir=self.scratch,
                                          delete_on_close=False) as f:
            f.write(b'kept')
            f.close()
            # Closed but still there, to be reopened by name.
            with open(f.name, 'rb') as again:
                self.assertEqual(again.read(), b'kept')
        self.assertEqual(self.listing(), [])

    def test_delete_false_keeps_file(self):
        with gtempfile.NamedTemporaryFile(dir=self.scratch,
                                          delete=False) as f:
            f.write(b'x')
        self.assertTrue(os.path.exists(f.name))
        self.assertFalse(f.gobject.get_delete())

    def test_dropped_object_removes_file(self):
        f = gtempfile.NamedTemporaryFile(dir=self.scratch,
                                         delete_on_close=False)
        name = f.name
        self.assertTrue(os.path.exists(name))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            del f
            gc.collect()
        self.assertFalse(os.path.exists(name))
        # As CPython's: no ResourceWarning for a named file.
        self.assertEqual([w for w in caught
                          if issubclass(w.category, ResourceWarning)], [])

    def test_gobject_persist(self):
        dest = os.path.join(self.scratch, 'kept.txt')
        with gtempfile.NamedTemporaryFile('w', encoding='utf-8',
                                          dir=self.scratch) as f:
            self.assertIsInstance(f.gobject, GTempfile.NamedTmpFile)
            self.assertEqual(f.gobject.get_path(), f.name)
            f.write('saved')
            f.flush()
            f.gobject.persist(pathlib.Path(dest))
        with open(dest) as kept:
            self.assertEqual(kept.read(), 'saved')
        self.assertEqual(self.listing(), ['kept.txt'])

    def test_bound_method_keeps_file_open(self):
        f = gtempfile.NamedTemporaryFile(dir=self.scratch)
        name = f.name
        write = f.write
        del f
        gc.collect()
        write(b'still open')
        self.assertTrue(os.path.exists(name))
        del write
        gc.collect()
        self.assertFalse(os.path.exists(name))


def open_fds():
    """The descriptors this process has open."""
    return len(os.listdir('/proc/self/fd'))


class GObjectOfFileTestCase(ScratchTestCase):
    """``.gobject`` of TemporaryFile (made on first use for a binary file,
    on a duplicate of the descriptor) and of NamedTemporaryFile."""

    def test_made_at_first_use(self):
        before = open_fds()
        f = gtempfile.TemporaryFile(dir=self.scratch)
        self.assertIs(type(f.raw), gtempfile._files._AnonymousFileIO)
        self.assertEqual(open_fds(), before + 1)
        gobject = f.gobject
        self.assertIsInstance(gobject, GTempfile.TmpFile)
        self.assertEqual(open_fds(), before + 2)
        self.assertIs(f.gobject, gobject)
        self.assertIs(f.raw.gobject, gobject)
        self.assertNotEqual(gobject.get_fd(), f.fileno())
        f.close()
        self.assertTrue(gobject.is_closed())
        self.assertEqual(open_fds(), before)
        self.assertEqual(self.listing(), [])

    def test_text_file_is_io_open_own(self):
        # CPython iterates the lines of its own TextIOWrapper faster than a
        # subclass's: the text file is one, with its GObject at once.
        with gtempfile.TemporaryFile('w+', encoding='utf-8',
                                     dir=self.scratch) as f:
            self.assertIs(type(f), io.TextIOWrapper)
            self.assertIsInstance(f.gobject, GTempfile.TmpFile)
            self.assertIs(f.buffer.raw.gobject, f.gobject)
            f.write('a\nb\n')
            f.seek(0)
            self.assertEqual(list(f), ['a\n', 'b\n'])
        self.assertTrue(f.gobject.is_closed())
        with gtempfile.NamedTemporaryFile(dir=self.scratch) as n:
            self.assertIs(type(n.file), io.BufferedRandom)

    def test_interleaved_with_streams(self):
        # One file, one position: every step seen the same through the
        # Python file, the GObject's Python methods and its GIO streams.
        for call in (gtempfile.TemporaryFile, gtempfile.NamedTemporaryFile):
            with self.subTest(call=call.__name__), \
                    call(dir=self.scratch) as f:
                model = bytearray()
                f.write(b'python ')
                model += b'python '
                f.flush()
                gobject = f.gobject
                self.assertEqual(gobject.tell(), len(model))
                out = gobject.get_output_stream()
                out.write_all(b'gio ', None)
                model += b'gio '
                self.assertEqual(f.tell(), len(model))
                f.write(b'again')
                model += b'again'
                f.flush()
                gobject.seek(0)
                self.assertEqual(f.read(), bytes(model))
                gobject.seek(7)
                data = gobject.get_input_stream().read_bytes(3, None)
                self.assertEqual(data.get_data(), b'gio')
                self.assertEqual(f.tell(), 10)
                self.assertEqual(f.read(2), b' a')
                f.seek(0)
                self.assertEqual(gobject.read(6), b'python')
                self.assertEqual(f.read(), bytes(model[6:]))

    def test_handed_out_gobject_reads_no_further(self):
        # Its Python methods keep nothing read ahead once handed out, so the
        # Python file goes on from the line the GObject returned.
        for call in (gtempfile.TemporaryFile, gtempfile.NamedTemporaryFile):
            with self.subTest(call=call.__name__), \
                    call(dir=self.scratch) as f:
                f.write(b'one\ntwo\nthree\n')
                f.seek(0)
                self.assertEqual(f.gobject.readline(), b'one\n')
                self.assertEqual(f.read(), b'two\nthree\n')

    def test_gobject_closed_first(self):
        # The GObject has a descriptor of its own: closing it leaves the
        # Python file working on the file; closing that frees it.
        before = open_fds()
        f = gtempfile.TemporaryFile(dir=self.scratch)
        f.write(b'kept')
        f.flush()
        f.gobject.close()
        self.assertEqual(open_fds(), before + 1)
        f.seek(0)
        self.assertEqual(f.read(), b'kept')
        f.close()
        self.assertEqual(open_fds(), before)

    def test_gobject_of_closed_file(self):
        f = gtempfile.TemporaryFile(dir=self.scratch)
        f.close()
        self.assertIsInstance(f.gobject, GTempfile.TmpFile)
        self.assertTrue(f.gobject.is_closed())
        with self.assertRaises(ValueError):
            f.gobject.fileno()

    def test_persist_anonymous(self):
        dest = os.path.join(self.scratch, 'kept.bin')
        with gtempfile.TemporaryFile(dir=self.scratch) as f:
            f.write(b'saved')
            f.flush()
            f.gobject.persist(dest)
            # Linked: the Python file writes to the file now named dest.
            f.write(b' and more')
        with open(dest, 'rb') as kept:
            self.assertEqual(kept.read(), b'saved and more')
        self.assertEqual(self.listing(), ['kept.bin'])

    def test_persist_copy_takes_the_python_file_along(self):
        # Persisting to another file system copies the file; the Python
        # file, on a descriptor of its own, goes on with the saved copy.
        source_dir = '/dev/shm'
        if not os.path.isdir(source_dir) or \
                os.stat(source_dir).st_dev == os.stat(self.scratch).st_dev:
            self.skipTest('needs /dev/shm on another file system than %s'
                          % self.scratch)
        copy = GTempfile.TmpPersistFlags.ALLOW_COPY
        dfd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, dfd)

        def sync(f, dest):
            f.gobject.persist(dest, copy)

        def at(f, dest):
            f.gobject.persist_at(dfd, os.path.basename(dest), copy, None)

        def asynchronous(f, dest):
            loop = GLib.MainLoop()
            done = []

            def finished(source, result):
                done.append(source.persist_finish(result))
                loop.quit()
            f.gobject.persist_async(dest, copy, GLib.PRIORITY_DEFAULT, None,
                                    finished)
            loop.run()
            self.assertEqual(done, [True])

        for mode, data in (('w+b', b'saved'), ('w+', 'saved')):
            for how in (sync, at, asynchronous):
                with self.subTest(mode=mode, how=how.__name__):
                    dest = os.path.join(self.scratch, 'kept-%s-%s' % (
                        how.__name__, 'b' if 'b' in mode else 't'))
                    with gtempfile.TemporaryFile(mode, dir=source_dir) as f:
                        f.write(data)
                        f.flush()
                        how(f, dest)
                        self.assertTrue(os.path.sameopenfile(
                            f.fileno(), f.gobject.get_fd()))
                        self.assertEqual(os.fstat(f.fileno()).st_ino,
                                         os.stat(dest).st_ino)
                        self.assertEqual(f.tell(), 5)
                        f.write(data[:0] + (b' and more' if 'b' in mode
                                            else ' and more'))
                        f.flush()
                        self.assertFalse(os.get_inheritable(f.fileno()))
                    with open(dest, 'rb') as kept:
                        self.assertEqual(kept.read(), b'saved and more')
                    os.unlink(dest)

    def test_unclosed_warns_once(self):
        for touch in (False, True):
            with self.subTest(gobject=touch):
                f = gtempfile.TemporaryFile(dir=self.scratch)
                gobject = f.gobject if touch else None
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter('always')
                    del f
                    gc.collect()
                messages = [str(w.message) for w in caught
                            if issubclass(w.category, ResourceWarning)]
                self.assertEqual(len(messages), 1)
                self.assertRegex(messages[0],
                                 r'^unclosed file <_io\.BufferedRandom '
                                 r'name=\d+>$')
                if touch:
                    self.assertTrue(gobject.is_closed())

    def test_named_file_name_fixed_when_gobject_handed_out(self):
        # The name is looked up when first asked for; the GObject, which
        # can move the file, takes it along when handed out: .name stays
        # where the file was made, as CPython's.
        dest = os.path.join(self.scratch, 'kept.txt')
        f = gtempfile.NamedTemporaryFile(dir=self.scratch, delete=False)
        gobject = f.gobject
        path = gobject.get_path()
        gobject.persist(dest)
        self.assertEqual(f.name, path)
        self.assertNotEqual(f.name, dest)
        f.close()
        self.assertEqual(self.listing(), ['kept.txt'])
        before = open_fds()
        with gtempfile.NamedTemporaryFile(dir=self.scratch) as f:
            self.assertEqual(f.name, f.gobject.get_path())
            # One descriptor, the GObject's.
            self.assertEqual(f.fileno(), f.gobject.get_fd())
            self.assertEqual(open_fds(), before + 1)
        self.assertFalse(os.path.exists(f.name))
        self.assertEqual(open_fds(), before)


class SpooledTestCase(ScratchTestCase):
    def test_first_use_from_several_threads(self):
        # Threads writing to the BytesIO and asking for .gobject at once
        # (which moves the data to it) must all get the one GObject, and no
        # write may go to a BytesIO or a GObject that is then dropped.
        threads = 4
        for _ in range(100):
            f = gtempfile.SpooledTemporaryFile(dir=self.scratch)
            start = threading.Barrier(threads)
            seen = []

            def first_use(i):
                start.wait()
                f.write(b'%d' % i)
                seen.append(f.gobject)
            workers = [threading.Thread(target=first_use, args=(i,))
                       for i in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            self.assertEqual(len(set(map(id, seen))), 1)
            f.seek(0)
            self.assertEqual(sorted(f.read().decode()), ['0', '1', '2', '3'])
            f.close()

    @staticmethod
    def outcome(step, f):
        """What @step does on @f: its result, or the class of its error."""
        try:
            return step(f)
        except Exception as error:
            # The builtin one (the override raises subclasses of them).
            return next(c for c in type(error).__mro__
                        if c.__module__ == 'builtins')

    @staticmethod
    def contents(f):
        """(position, all the data) of a file, position kept."""
        if f.closed:
            return None
        pos = f.tell()
        f.seek(0)
        try:
            data = f.read()
        except io.UnsupportedOperation:  # rolled over, opened for writing
            data = io.UnsupportedOperation
        f.seek(pos)
        return pos, data

    def side_by_side(self, mode, max_size, steps):
        """Run @steps on CPython's and ours; compare results, rollover, the
        position and contents after every step."""
        kwargs = {} if 'b' in mode else {'encoding': 'utf-8'}
        theirs = tempfile.SpooledTemporaryFile(max_size, mode,
                                               dir=self.scratch, **kwargs)
        ours = gtempfile.SpooledTemporaryFile(max_size, mode,
                                              dir=self.scratch, **kwargs)
        for number, step in enumerate(steps):
            with self.subTest(mode=mode, max_size=max_size, step=number):
                self.assertEqual(self.outcome(step, ours),
                                 self.outcome(step, theirs))
                self.assertEqual(ours._rolled, theirs._rolled)
                self.assertEqual(ours.closed, theirs.closed)
                self.assertEqual(ours.mode, theirs.mode)
                self.assertEqual(type(ours.name), type(theirs.name))
                # In memory ours is a BytesIO too (under a TextIOWrapper
                # in text modes), until it rolls over.
                binary = ours if 'b' in mode else ours._file.buffer
                if not ours.closed:
                    self.assertEqual(type(binary._file) is io.BytesIO,
                                     not ours._rolled)
                self.assertEqual(self.contents(ours), self.contents(theirs))
        theirs.close()
        ours.close()

    def test_rolls_over_where_cpython_does(self):
        steps = [lambda f: f.write(b'x' * 20), lambda f: f.write(b'x' * 10),
                 lambda f: f.tell(), lambda f: f.seek(0),
                 lambda f: f.read(5), lambda f: f.write(b'y' * 5),
                 lambda f: f.truncate(12), lambda f: f.seek(0, 2),
                 lambda f: f.write(b'z' * 19), lambda f: f.seek(0),
                 lambda f: f.read()]
        self.side_by_side('w+b', 30, steps)
        self.side_by_side('w+b', 0, steps)
        self.side_by_side('w+b', -1, steps)   # rolls over at once
        self.side_by_side('w+b', 2 ** 70, steps)

    def test_sparse_and_truncate(self):
        self.side_by_side('w+b', 30, [lambda f: f.seek(100),
                                      lambda f: f.tell()])
        self.side_by_side('w+b', 30, [lambda f: f.seek(100),
                                      lambda f: f.write(b'!'),
                                      lambda f: f.seek(0),
                                      lambda f: f.read()])
        self.side_by_side('w+b', 10, [lambda f: f.write(b'abcdefg\n'),
                                      lambda f: f.truncate(4),
                                      lambda f: f.seek(0),
                                      lambda f: f.read(),
                                      lambda f: f.truncate(20),
                                      lambda f: f.seek(0),
                                      lambda f: f.read()])

    def test_text_mode_side_by_side(self):
        steps = [lambda f: f.write('abc\n'), lambda f: f.seek(0),
                 lambda f: f.read(), lambda f: f.write('\u039b' * 4 + '\n'),
                 lambda f: f.seek(0), lambda f: f.readlines(),
                 lambda f: f.encoding, lambda f: f.errors,
                 lambda f: f.newlines, lambda f: f.write('x' * 30),
                 lambda f: f.seek(0), lambda f: f.read()]
        self.side_by_side('w+', 20, steps)
        for max_size in (0, 5, 20, -1):
            for roll in (lambda f: isinstance(f.fileno(), int),
                         lambda f: f.rollover(), lambda f: f.truncate(3)):
                self.side_by_side('w+', max_size, [
                    lambda f: f.write('ab\r\ncd\n'), lambda f: f.seek(0),
                    lambda f: f.readline(), roll, lambda f: f.read(),
                    lambda f: f.write('\u039b' * 3), lambda f: f.seek(0),
                    lambda f: list(f), lambda f: f.newlines,
                    lambda f: f.close(), lambda f: f.write('x')])
        self.side_by_side('w+', -1, [lambda f: f.write('')])

    def test_text_mode_gobject(self):
        # The binary file under the TextIOWrapper is ours: its .gobject is
        # the text file's.
        f = gtempfile.SpooledTemporaryFile(10, 'w+', dir=self.scratch,
                                           encoding='utf-8')
        f.write('\u039b\n')
        self.assertIs(type(f._file.buffer._file), io.BytesIO)
        gobject = f.gobject
        self.assertIs(f._file.buffer.gobject, gobject)
        self.assertFalse(f._rolled)
        gobject.get_output_stream().write_all(b'x', None)
        f.seek(0)
        self.assertEqual(f.read(), '\u039b\nx')
        f.write('y' * 10)
        self.assertTrue(f._rolled)
        self.assertTrue(gobject.is_rolled_over())
        self.assertEqual(f.name, gobject.get_fd())
        self.assertEqual(os.pread(f.fileno(), 100, 0),
                         '\u039b\nx'.encode() + b'y' * 10)
        f.close()
        self.assertTrue(gobject.is_closed())

    def test_binary_has_no_text_attributes(self):
        with gtempfile.SpooledTemporaryFile(dir=self.scratch) as f:
            for name in ('encoding', 'errors', 'newlines'):
                with self.assertRaises(AttributeError):
                    getattr(f, name)

    def test_fileno_rolls_over_into_dir(self):
        with gtempfile.SpooledTemporaryFile(dir=self.scratch) as f:
            f.write(b'data')
            self.assertFalse(f._rolled)
            fd = f.fileno()
            self.assertTrue(f._rolled)
            with self.assertRaises(AttributeError):  # read-only
                f._rolled = False
            self.assertIsInstance(f.gobject, GTempfile.SpooledTmpFile)
            self.assertEqual(f.name, fd)
            link = os.readlink('/proc/self/fd/%d' % fd)
            self.assertTrue(link.startswith(self.scratch + '/'), link)
            self.assertEqual(os.pread(fd, 10, 0), b'data')

    def test_gobject_made_when_asked(self):
        # Made and closed unused: no GObject, as CPython's BytesIO costs
        # next to nothing.
        f = gtempfile.SpooledTemporaryFile(dir=self.scratch)
        self.assertNotIn('gobject', f.__dict__)
        self.assertFalse(f.closed)
        self.assertFalse(f._rolled)
        self.assertIsNone(f.name)
        self.assertEqual(f.mode, 'w+b')
        f.close()
        self.assertTrue(f.closed)
        self.assertNotIn('gobject', f.__dict__)
        for call in (lambda: f.write(b'x'), lambda: f.read(), f.tell,
                     lambda: f.seek(0), f.fileno, f.flush):
            with self.assertRaises(ValueError):
                call()
        # Asked for after close(): a closed GObject.
        self.assertIsInstance(f.gobject, GTempfile.SpooledTmpFile)
        self.assertTrue(f.gobject.is_closed())
        self.assertTrue(f.closed)
        with self.assertRaisesRegex(ValueError, 'closed file'):
            with f:
                pass
        # In memory: a BytesIO, as CPython's, and no GObject.
        f = gtempfile.SpooledTemporaryFile(dir=self.scratch)
        self.assertEqual(f.write(b'abc\ndef'), 7)
        self.assertIs(type(f._file), io.BytesIO)
        self.assertEqual(f._file.getvalue(), b'abc\ndef')
        self.assertNotIn('gobject', f.__dict__)
        self.assertEqual(f.seek(2), 2)
        memory = weakref.ref(f._file)
        # Asked for: the GObject, with the data and position, whose methods
        # the file's then are; the BytesIO is gone.
        gobject = f.gobject
        self.assertIsInstance(gobject, GTempfile.SpooledTmpFile)
        self.assertIsNone(memory())
        self.assertIs(f._file, gobject)
        self.assertFalse(f._rolled)
        self.assertFalse(gobject.is_rolled_over())
        self.assertEqual(gobject.get_max_size(), 0)
        self.assertEqual(f.tell(), 2)
        self.assertEqual(f.seek(0), 0)
        self.assertEqual(f.readline(), b'abc\n')
        self.assertEqual(f.tell(), 4)
        self.assertEqual(f.read(), b'def')
        self.assertIs(f.gobject, gobject)
        self.assertEqual(f.seek.__self__, gobject)
        f.close()
        self.assertTrue(gobject.is_closed())
        # Bad names surface where the GObject is made, as CPython's do at
        # rollover; the data stays in memory.
        f = gtempfile.SpooledTemporaryFile(prefix=b'p', suffix='s')
        self.assertEqual(f.write(b'x'), 1)
        for call in (f.rollover, f.fileno):
            with self.assertRaises(TypeError):
                call()
        self.assertFalse(f._rolled)
        self.assertEqual(self.contents(f), (1, b'x'))
        f.close()
        # Dropped unused and unclosed: warned about, as CPython's.
        f = gtempfile.SpooledTemporaryFile(dir=self.scratch)
        with self.assertWarnsRegex(ResourceWarning, 'Unclosed file'):
            del f
            gc.collect()

    def test_rollover_side_by_side(self):
        write = [lambda f: f.write(b'0123456789'), lambda f: f.seek(3),
                 lambda f: f.read(2)]
        after = [lambda f: f.write(b'ab'), lambda f: f.seek(0, 2),
                 lambda f: f.write(b'cd'), lambda f: f.seek(1),
                 lambda f: f.readline(), lambda f: f.readlines()]
        fileno = [lambda f: isinstance(f.fileno(), int)]
        rollover = [lambda f: f.rollover(), lambda f: f.rollover()]
        for max_size in (0, 5, 11, 30, -1):
            self.side_by_side('w+b', max_size, write + fileno + after)
            self.side_by_side('w+b', max_size, write + rollover + after)
            # truncate() past max_size rolls over (max_size 0 included),
            # not up to it.
            self.side_by_side('w+b', max_size, write + [
                lambda f: f.truncate(5), lambda f: f.truncate(),
                lambda f: f.truncate(20)] + after)
        # A negative max_size rolls over at the first write, an empty one
        # too.
        self.side_by_side('w+b', -1, [lambda f: f.tell(),
                                      lambda f: f.write(b'')])
        # readinto and iteration, in memory and rolled over.
        self.side_by_side('w+b', 20, [
            lambda f: f.write(b'a\nbb\nccc\n'), lambda f: f.seek(0),
            lambda f: list(f), lambda f: f.seek(2),
            lambda f: (f.readinto(bytearray(3)), f.tell()),
            lambda f: f.writelines([b'x' * 8, b'y\n']), lambda f: f.seek(0),
            lambda f: list(f)])

    def test_closed_side_by_side(self):
        closed = [lambda f: f.close(), lambda f: f.write(b'x'),
                  lambda f: f.write(b''), lambda f: f.writelines([]),
                  lambda f: f.read(), lambda f: f.readline(),
                  lambda f: f.readinto(bytearray(1)), lambda f: f.seek(0),
                  lambda f: f.tell(), lambda f: f.flush(),
                  lambda f: iter(f) is f._file, lambda f: list(f),
                  lambda f: f.truncate(0),
                  lambda f: f.__enter__(), lambda f: f.close()]
        self.side_by_side('w+b', 10, [lambda f: f.write(b'abc')] + closed)
        self.side_by_side('w+b', 2, [lambda f: f.write(b'abc')] + closed)

    # The tests down to test_text_rollover_keeps_writing_where_it_is were
    # found by test_dropin_differential.py; each failed before its fix.

    def test_closed_rolled_over_side_by_side(self):
        closed = [lambda f: f.close(), lambda f: f.readable(),
                  lambda f: f.writable(), lambda f: f.seekable(),
                  lambda f: f.isatty(), lambda f: f.write('x'),
                  lambda f: f.write(''), lambda f: f.rollover(),
                  lambda f: f.fileno() > 2, lambda f: type(f.name)]
        self.side_by_side('w+b', 2, [lambda f: f.write(b'abc')] + closed)
        self.side_by_side('w+', 2, [lambda f: f.write('abc'),
                                    lambda f: f.close(),
                                    lambda f: f.write(b''),
                                    lambda f: f.isatty(),
                                    lambda f: f.rollover(),
                                    lambda f: type(f.name)])

    def test_one_way_modes_after_rollover(self):
        # In memory every mode reads and writes (a BytesIO); rolled over,
        # the file is one opened with the mode, as CPython's.
        steps = [lambda f: f.readable(), lambda f: f.writable(),
                 lambda f: f.seek(0), lambda f: f.read(1),
                 lambda f: f.read(), lambda f: f.readline(0),
                 lambda f: f.readline(), lambda f: f.readlines(),
                 lambda f: f.readinto(bytearray(2)),
                 lambda f: next(iter(f)), lambda f: next(f),
                 lambda f: f.seek(0, 2), lambda f: f.truncate(1)]
        closed = [lambda f: f.close(), lambda f: f.readable(),
                  lambda f: f.read(), lambda f: f.readline(0),
                  lambda f: next(f), lambda f: list(f)]
        for mode in ('wb', 'ab', 'xb'):
            self.side_by_side(mode, 2, steps[:5] + [lambda f: f.write(b'abc')]
                              + steps + [lambda f: f.write(b'de')] + closed)
        for mode in ('w', 'a', 'x'):
            self.side_by_side(mode, 2, [lambda f: f.write('abc'),
                                        lambda f: f.readable(),
                                        lambda f: f.read(),
                                        lambda f: f.readline(),
                                        lambda f: f.write('de'),
                                        lambda f: f.close()])

    def test_named_close_removes_even_when_the_file_fails_to_close(self):
        # Found by test_dropin_differential.py; failed before the fix.
        # As CPython's (3.11 and 3.12): close() closes the file, and removes
        # it with delete (and delete_on_close) even when that fails; a
        # second close() does nothing.
        class Failing:
            def __init__(self, file):
                self.inner = file

            def close(self):
                self.inner.close()
                raise OSError(errno.EIO, 'failed')

        f = gtempfile.NamedTemporaryFile(dir=self.scratch)
        f.file = Failing(f.file)
        self.assertRaises(OSError, f.close)
        self.assertEqual(self.listing(), [])
        f.close()

    def test_detached_text_file_side_by_side(self):
        # The name and descriptor of a text file are its TextIOWrapper's,
        # as CPython's, also across the new wrapper of a rollover.
        for module in (tempfile, gtempfile):
            with self.subTest(module=module.__name__):
                f = module.SpooledTemporaryFile(3, 'w+', encoding='utf-8',
                                                dir=self.scratch)
                f.write('abcd')
                f.detach().close()
                self.assertRaises(ValueError, getattr, f, 'name')
                self.assertRaises(ValueError, f.fileno)
                # (Its __del__ fails as CPython's: closed raises.)
                with mock.patch.object(sys, 'unraisablehook',
                                       lambda unraisable: None):
                    del f
                    gc.collect()

    def test_one_way_modes_check_arguments_first(self):
        # Found by test_dropin_differential.py; failed before the fix.
        for module in (tempfile, gtempfile):
            with self.subTest(module=module.__name__), \
                    module.SpooledTemporaryFile(1, 'wb',
                                                dir=self.scratch) as f:
                f.write(b'ab')
                self.assertTrue(f._rolled)
                self.assertRaises(TypeError, f.readline, '1')
                self.assertRaises(TypeError, f.readlines, '1')
                self.assertRaises(io.UnsupportedOperation, f.readline, 1)

    def test_arguments_refused_when_it_rolls_over(self):
        # CPython's gives its arguments to TemporaryFile() when it rolls
        # over: open()'s refusals (an unbuffered text file, a bad mode)
        # come then, every time, and the data stays in memory.
        for module in (tempfile, gtempfile):
            with self.subTest(module=module.__name__):
                with module.SpooledTemporaryFile(2, 'w+', 0,
                                                 encoding='utf-8') as f:
                    self.assertEqual(f.write('a'), 1)
                    self.assertRaises(ValueError, f.write, 'bcd')
                    self.assertRaises(ValueError, f.fileno)
                    self.assertFalse(f._rolled)
                    f.seek(0)
                    self.assertEqual(f.read(), 'abcd')
                for kwargs in ({'mode': 'zzb'}, {'encoding': 'utf-8'},
                               {'buffering': 'x'}):
                    with module.SpooledTemporaryFile(**kwargs) as f:
                        f.write(b'x')
                        self.assertRaises((ValueError, TypeError),
                                          f.rollover)
                        self.assertFalse(f._rolled)
                        f.seek(0)
                        self.assertEqual(f.read(), b'x')

    def test_rolled_over_file_is_its_own_iterator(self):
        # As CPython's rolled-over file (a BufferedRandom): next() reads
        # what was written after the end was reached.
        for f in (tempfile.SpooledTemporaryFile(2, dir=self.scratch),
                  gtempfile.SpooledTemporaryFile(2, dir=self.scratch)):
            with self.subTest(module=type(f).__module__), f:
                f.write(b'a\nb\n')
                f.seek(0)
                lines = iter(f)
                self.assertEqual(list(lines), [b'a\n', b'b\n'])
                f.write(b'c\n')
                f.seek(-2, 2)
                self.assertEqual(next(lines), b'c\n')
                f.close()
                self.assertRaises(ValueError, next, lines)
                self.assertRaises(ValueError, iter, f)

    def test_writelines_rolls_over_after_the_last_line(self):
        # CPython checks the size once all the lines are written: one
        # that fails half-way (a str in a binary file; a character the
        # encoding has not) leaves the file in memory; one of no lines
        # rolls it over if it is past max_size already.
        self.side_by_side('w+b', 3, [
            lambda f: f.writelines([b'abcd', 'x']), lambda f: f.seek(10),
            lambda f: f.writelines([]), lambda f: f.truncate()])
        self.side_by_side('w+', 3, [
            lambda f: f.writelines(['abcd', '\u20ac']),
            lambda f: f.writelines(['e'])])
        for f in (tempfile.SpooledTemporaryFile(3, 'w+', encoding='latin-1'),
                  gtempfile.SpooledTemporaryFile(3, 'w+', encoding='latin-1')):
            with self.subTest(module=type(f).__module__), f:
                self.assertRaises(UnicodeEncodeError, f.writelines,
                                  ['abcd', '\u20ac'])
                self.assertFalse(f._rolled)

    def test_text_rollover_goes_on_with_a_new_wrapper(self):
        # CPython's text file rolls over to a new TextIOWrapper at the text
        # position of the old one: what the old one read ahead is dropped
        # (a write after a readline() goes where the line ended), its
        # decoder and encoder start again (UTF-16: no BOM in the middle,
        # tell() a plain position), an iterator of the old one is detached.
        def after_readline(f):
            f.write('ab\ncd\nef\n')
            f.seek(0)
            f.readline()
            f.rollover()
            f.write('X')
            f.seek(0)
            return f.read()

        def utf16(f):
            f.write('ab\ncd\n')
            f.seek(0)
            f.read(1)
            f.rollover()
            return f.tell(), f.read(), f.tell()

        def old_iterator(f):
            f.write('a\nb\n')
            f.seek(0)
            lines = iter(f)
            f.rollover()
            try:
                next(lines)
            except ValueError:
                return ValueError

        for check, encoding in ((after_readline, 'utf-8'),
                                (utf16, 'utf-16'),
                                (old_iterator, 'utf-8')):
            with self.subTest(check=check.__name__):
                theirs = tempfile.SpooledTemporaryFile(0, 'w+',
                                                       encoding=encoding)
                ours = gtempfile.SpooledTemporaryFile(0, 'w+',
                                                      encoding=encoding,
                                                      dir=self.scratch)
                with theirs, ours:
                    self.assertEqual(check(ours), check(theirs))

    def test_gobject_asked_in_memory_then_both_sides(self):
        f = gtempfile.SpooledTemporaryFile(40, dir=self.scratch)
        f.write(b'0123456789')
        f.seek(4)
        gobject = f.gobject
        self.assertEqual(gobject.get_max_size(), 40)
        istream = gobject.get_input_stream()
        ostream = gobject.get_output_stream()
        expected = bytearray(b'0123456789')
        pos = 4

        def check():
            self.assertEqual(f.tell(), pos)
            self.assertEqual(gobject.tell(), pos)
            f.seek(0)
            self.assertEqual(f.read(), bytes(expected))
            gobject.seek(0, GLib.SeekType.SET, None)
            self.assertEqual(istream.read_bytes(100, None).get_data(),
                             bytes(expected))
            f.seek(pos)

        check()
        self.assertEqual(istream.read_bytes(3, None).get_data(), b'456')
        pos = 7
        check()
        self.assertEqual(f.read(2), b'78')
        pos = 9
        check()
        ostream.write_all(b'AB', None)
        expected[9:] = b'AB'
        pos = 11
        check()
        f.write(b'CD')
        expected += b'CD'
        pos = 13
        check()
        self.assertFalse(f._rolled)
        # Past max_size through the Python methods: the GObject rolls over,
        # as CPython's would.
        f.write(b'E' * 30)
        expected += b'E' * 30
        pos = 43
        self.assertTrue(f._rolled)
        self.assertTrue(gobject.is_rolled_over())
        check()
        ostream.write_all(b'F', None)
        expected += b'F'
        pos = 44
        check()
        self.assertEqual(os.pread(f.fileno(), 100, 0), bytes(expected))
        f.close()
        self.assertTrue(gobject.is_closed())

    def test_failed_rollover_keeps_data_in_memory(self):
        missing = os.path.join(self.scratch, 'missing')
        f = gtempfile.SpooledTemporaryFile(5, dir=missing)
        with self.assertRaises(FileNotFoundError):
            f.write(b'0123456789')
        self.assertFalse(f._rolled)
        self.assertIs(type(f._file), io.BytesIO)
        self.assertEqual(self.contents(f), (10, b'0123456789'))
        os.mkdir(missing)
        f.rollover()
        self.assertTrue(f._rolled)
        self.assertEqual(self.contents(f), (10, b'0123456789'))
        f.close()

    def test_held_memory_is_frozen_by_the_move(self):
        # A BytesIO still held when the data moves (as by a thread in a call
        # on it) takes no more writes: they would be lost.
        f = gtempfile.SpooledTemporaryFile(dir=self.scratch)
        f.write(b'abc')
        held = f._file
        f.gobject
        with self.assertRaises(BufferError):
            held.write(b'lost')
        f.write(b'd')
        self.assertEqual(self.contents(f), (4, b'abcd'))
        f.close()
        held.close()
        self.assertTrue(held.closed)

    def test_rollover_from_several_threads(self):
        # Threads writing past max_size, or rolling over, at once: one
        # GObject, one file, and every write in it.
        threads = 4
        for round_ in range(30):
            f = gtempfile.SpooledTemporaryFile(64, dir=self.scratch)
            start = threading.Barrier(threads)
            seen = []

            def writer(i):
                start.wait()
                for n in range(20):
                    f.write(b'%d%03d' % (i, n))
                    if n == 10 and i % 2:
                        (f.rollover if round_ % 2 else f.fileno)()
                seen.append((f.gobject, f.fileno()))
            workers = [threading.Thread(target=writer, args=(i,))
                       for i in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            self.assertEqual(len(set((id(g), fd) for g, fd in seen)), 1)
            self.assertTrue(f._rolled)
            f.seek(0)
            data = f.read()
            self.assertEqual(sorted(data[i:i + 4]
                                    for i in range(0, len(data), 4)),
                             sorted(b'%d%03d' % (i, n)
                                    for i in range(threads)
                                    for n in range(20)))
            f.close()

    def test_rollover_errors_are_cpythons(self):
        # However it rolls over, a failure is CPython's exception naming the
        # directory, with the library's GLib.Error as its __cause__.
        missing = os.path.join(self.scratch, 'missing')
        rollovers = {
            'write': lambda f, data: f.write(data * 4),
            'rollover': lambda f, data: f.rollover(),
            'fileno': lambda f, data: f.fileno(),
            'truncate': lambda f, data: f.truncate(10),
            'gobject, then write': lambda f, data: (f.gobject,
                                                    f.write(data * 4)),
        }
        for mode, data in (('w+b', b'ab'), ('w+', 'ab')):
            for how, roll in rollovers.items():
                with self.subTest(mode=mode, how=how):
                    f = gtempfile.SpooledTemporaryFile(max_size=4, mode=mode,
                                                       dir=missing)
                    f.write(data)
                    with self.assertRaises(FileNotFoundError) as cm:
                        roll(f, data)
                    error = cm.exception
                    self.assertIs(type(error), FileNotFoundError)
                    self.assertEqual(error.errno, errno.ENOENT)
                    self.assertEqual(error.strerror,
                                     os.strerror(errno.ENOENT))
                    self.assertEqual(error.filename, missing)
                    self.assertTrue(error.__cause__.matches(
                        Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
                    self.assertIn(missing, error.__cause__.message)
                    self.assertFalse(f._rolled)
                    f.close()

    def test_tempdir_read_when_it_rolls_over(self):
        # As CPython's: the default directory is the one of the rollover
        # (or of the .gobject), not of the creation.
        saved = gtempfile.tempdir
        self.addCleanup(setattr, gtempfile, 'tempdir', saved)
        first = os.path.join(self.scratch, 'first')
        then = os.path.join(self.scratch, 'then')
        os.mkdir(first)
        os.mkdir(then)
        for how in ('rollover', 'gobject'):
            with self.subTest(how=how):
                gtempfile.tempdir = first
                f = gtempfile.SpooledTemporaryFile(max_size=10)
                f.write(b'abc')
                gtempfile.tempdir = then
                if how == 'gobject':
                    f.gobject
                f.rollover()
                link = os.readlink('/proc/self/fd/%d' % f.fileno())
                self.assertTrue(link.startswith(then + '/'), link)
                f.close()

    def test_unclosed_warns(self):
        f = gtempfile.SpooledTemporaryFile(dir=self.scratch)
        f.write(b'x')
        with self.assertWarnsRegex(ResourceWarning, 'Unclosed file'):
            f.__del__()
        self.assertTrue(f.closed)


class WarningsAndExitTestCase(ScratchTestCase):
    def test_unclosed_temporaryfile_warns(self):
        for mode in ('w+b', 'w+', 'rb'):
            with self.subTest(mode=mode):
                f = gtempfile.TemporaryFile(mode, dir=self.scratch)
                gobject = f.gobject
                with self.assertWarnsRegex(ResourceWarning, 'unclosed file'):
                    del f
                    gc.collect()
                self.assertTrue(gobject.is_closed())
        f = gtempfile.TemporaryFile(buffering=0, dir=self.scratch)
        with self.assertWarnsRegex(ResourceWarning, 'unclosed file'):
            del f
            gc.collect()

    def test_temporarydirectory_implicit_cleanup(self):
        d = gtempfile.TemporaryDirectory(dir=self.scratch)
        name = d.name
        os.mkdir(os.path.join(name, 'sub'))
        with self.assertWarnsRegex(ResourceWarning, 'Implicitly cleaning up'):
            del d
            gc.collect()
        self.assertFalse(os.path.exists(name))

    def test_temporarydirectory_delete_false(self):
        with gtempfile.TemporaryDirectory(dir=self.scratch,
                                          delete=False) as name:
            pass
        self.assertTrue(os.path.isdir(name))
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            d = gtempfile.TemporaryDirectory(dir=self.scratch, delete=False)
            kept = d.name
            del d
            gc.collect()
        self.assertTrue(os.path.isdir(kept))
        d = gtempfile.TemporaryDirectory(dir=self.scratch, delete=False)
        d.cleanup()
        self.assertFalse(os.path.exists(d.name))
        self.assertIsInstance(d.gobject, GTempfile.TmpDir)

    def test_cleanup_at_exit(self):
        code = '''
import gtempfile, os, sys, warnings
warnings.simplefilter('always', ResourceWarning)
d = gtempfile.TemporaryDirectory(dir=%r)
os.mkdir(os.path.join(d.name, 'sub'))
n = gtempfile.NamedTemporaryFile(dir=%r, delete_on_close=False)
s = gtempfile.SpooledTemporaryFile(max_size=1, dir=%r)
s.write(b'xx')
print(d.name)
print(n.name)
''' % (self.scratch, self.scratch, self.scratch)
        result = self.run_python(code)
        self.assertEqual(result.returncode, 0, result.stderr)
        dir_name, file_name = result.stdout.split()
        self.assertFalse(os.path.exists(dir_name))
        self.assertFalse(os.path.exists(file_name))
        self.assertIn('ResourceWarning: Implicitly cleaning up', result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual(self.listing(), [])

    def test_forked_child_leaves_the_parents_files(self):
        # A child that drops its copies, or exits holding them, removes
        # nothing (the C library's rule for implicit cleanup); one that
        # closes or cleans up explicitly removes them, as in CPython.
        code = '''
import gc, os, sys, warnings
import gtempfile
warnings.simplefilter('ignore', ResourceWarning)

def make():
    return [gtempfile.NamedTemporaryFile(dir=%r),
            gtempfile.NamedTemporaryFile('w', dir=%r),
            gtempfile.NamedTemporaryFile(buffering=0, dir=%r),
            gtempfile.NamedTemporaryFile(dir=%r, delete_on_close=False),
            gtempfile.TemporaryDirectory(dir=%r)]

def exist(objs):
    return [os.path.exists(o.name) for o in objs]

def in_child(then):
    # then() may raise SystemExit: the child then exits as the interpreter
    # does, with its finalizers and atexit handlers.
    pid = os.fork()
    if pid == 0:
        then()
        os._exit(0)
    os.waitpid(pid, 0)

objs = make()
in_child(lambda: (objs.clear(), gc.collect()))
print('dropped', exist(objs))
in_child(lambda: sys.exit(0))
print('exit', exist(objs))
in_child(lambda: [o.close() if hasattr(o, 'close') else o.cleanup()
                  for o in objs])
print('closed', exist(objs))
objs[3]._cleanup()
print('left', os.listdir(%r))
''' % ((self.scratch,) * 6)
        result = self.run_python(code)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), [
            'dropped [True, True, True, True, True]',
            'exit [True, True, True, True, True]',
            'closed [False, False, False, True, False]',
            'left []',
        ])
        self.assertNotIn('Traceback', result.stderr)

    def test_forked_child_with_block_cleans_up(self):
        # The end of a with block is explicit: in a forked child too.
        n = gtempfile.NamedTemporaryFile(dir=self.scratch)
        d = gtempfile.TemporaryDirectory(dir=self.scratch)
        pid = os.fork()
        if pid == 0:
            try:
                with n, d:
                    pass
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        self.assertFalse(os.path.exists(n.name))
        self.assertFalse(os.path.exists(d.name))
        n.close()
        d.cleanup()
        self.assertEqual(self.listing(), [])

    def test_cleanup_stops_at_mount_points(self):
        # A bind mount inside the tree is an error (EBUSY, the GLib.Error
        # behind it naming the mount point), or skipped with
        # ignore_cleanup_errors=True; what is mounted there is never emptied.
        if os.geteuid() != 0 or shutil.which('unshare') is None:
            self.skipTest('needs root and unshare to mount')
        code = '''
import errno, os, subprocess, sys
import gtempfile
scratch = %r
kept = os.path.join(scratch, 'kept')
os.mkdir(kept)
open(os.path.join(kept, 'file'), 'w').close()
subprocess.run(['mount', '--make-rprivate', '/'], check=True)

def tree(**kwargs):
    d = gtempfile.TemporaryDirectory(dir=scratch, **kwargs)
    mnt = os.path.join(d.name, 'mnt')
    os.mkdir(mnt)
    open(os.path.join(d.name, 'other'), 'w').close()
    subprocess.run(['mount', '--bind', kept, mnt], check=True)
    return d, mnt

d, mnt = tree()
try:
    with d:
        pass
except OSError as error:
    assert error.errno == errno.EBUSY, error
    assert mnt in error.__cause__.message, error.__cause__.message
    print('error')
print(os.listdir(kept), os.listdir(mnt))
d, mnt = tree(ignore_cleanup_errors=True)
with d:
    pass
print(os.listdir(kept), os.listdir(d.name))
'''
        result = subprocess.run(
            ['unshare', '-m', sys.executable, '-c',
             'import sys; sys.path[:0] = [%r]\n' % BINDINGS
             + code % self.scratch],
            capture_output=True, text=True, timeout=60)
        if 'unshare failed' in result.stderr:
            self.skipTest('cannot make a mount namespace')
        self.assertEqual(result.stdout.splitlines(), [
            'error', "['file'] ['file']", "['file'] ['mnt']"],
            result.stderr)


class ErrorTestCase(ScratchTestCase):
    def check_not_found(self, call, missing):
        with self.assertRaises(FileNotFoundError) as cm:
            call()
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertEqual(cm.exception.filename, missing)
        self.assertEqual(cm.exception.strerror, os.strerror(errno.ENOENT))
        self.assertIsInstance(cm.exception.__cause__, GLib.Error)
        self.assertTrue(cm.exception.__cause__.matches(
            Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
        # The library's message, naming the path, is the cause's.
        self.assertIn(missing, cm.exception.__cause__.message)

    def test_missing_dir(self):
        missing = os.path.join(self.scratch, 'missing')
        for call in (gtempfile.mkstemp, gtempfile.mkdtemp,
                     gtempfile.TemporaryFile, gtempfile.NamedTemporaryFile,
                     gtempfile.TemporaryDirectory):
            with self.subTest(call=call.__name__):
                self.check_not_found(lambda: call(dir=missing), missing)
        f = gtempfile.SpooledTemporaryFile(max_size=1, dir=missing)
        with self.assertRaises(FileNotFoundError):
            f.write(b'rolls over')
        f.close()

    def test_file_as_dir(self):
        path = os.path.join(self.scratch, 'file')
        open(path, 'wb').close()
        with self.assertRaises((NotADirectoryError, FileNotFoundError)):
            gtempfile.mkstemp(dir=path)

    def test_permission_denied(self):
        if os.geteuid() != 0 or shutil.which('setpriv') is None:
            self.skipTest('needs root and setpriv to run as nobody')
        os.chmod(self.scratch, 0o755)
        code = '''
import gtempfile
for call in (gtempfile.mkstemp, gtempfile.mkdtemp, gtempfile.TemporaryFile,
             gtempfile.NamedTemporaryFile, gtempfile.TemporaryDirectory):
    try:
        call(dir=%r)
    except PermissionError as error:
        assert error.errno == 13 and error.filename == %r, error
    else:
        raise SystemExit(call.__name__ + ' did not fail')
print('ok')
''' % (self.scratch, self.scratch)
        result = self.run_python(code, user=65534)
        if 'ModuleNotFoundError' in result.stderr:
            self.skipTest('the tree is not readable by nobody')
        self.assertEqual(result.stdout.strip(), 'ok', result.stderr)
        self.assertEqual(self.listing(), [])


class OverrideTestCase(ScratchTestCase):
    """The GObject API's Python conventions (gi.repository.GTempfile)."""

    def test_bytes_names_are_not_stringified(self):
        with GTempfile.NamedTmpFile(dir=os.fsencode(self.scratch),
                                    prefix=b'p_') as f:
            self.assertEqual(os.path.dirname(f.name), self.scratch)
            self.assertTrue(os.path.basename(f.name).startswith('p_'))
        d = GTempfile.TmpDir(dir=os.fsencode(self.scratch))
        self.assertEqual(os.path.dirname(d.get_path()), self.scratch)
        d.cleanup()

    def test_cleanup_and_rollover_raise_python_errors(self):
        # Each class's cleanup()/rollover() (one definition each) translates
        # a failure: here an object never initialised.
        named = GObject.new(GTempfile.NamedTmpFile)
        with self.assertRaises(OSError) as raised:
            named.cleanup()
        self.assertIsInstance(raised.exception, GLib.Error)
        self.assertTrue(raised.exception.matches(
            Gio.io_error_quark(), Gio.IOErrorEnum.NOT_INITIALIZED))
        spooled = GTempfile.SpooledTmpFile(max_size=0, dir=os.path.join(
            self.scratch, 'missing'))
        spooled.write(b'kept')
        with self.assertRaises(FileNotFoundError):
            spooled.rollover()
        spooled.seek(0)
        self.assertEqual(spooled.read(), b'kept')
        spooled.close()

    def test_pathlike_everywhere(self):
        scratch = pathlib.Path(self.scratch)
        fd, path = GTempfile.mkstemp(scratch, None, None)
        os.close(fd)
        self.assertEqual(os.path.dirname(path), self.scratch)
        self.assertEqual(os.path.dirname(GTempfile.mkdtemp(scratch, None,
                                                           None)),
                         self.scratch)
        self.assertEqual(os.path.dirname(GTempfile.mktemp(scratch, None,
                                                          None)),
                         self.scratch)
        self.addCleanup(GTempfile.set_tempdir, None)
        GTempfile.set_tempdir(scratch)
        self.assertEqual(GTempfile.get_tempdir(), self.scratch)
        dest = scratch / 'kept'
        with GTempfile.TmpFile(dir=scratch) as f:
            f.write(b'x')
            self.assertTrue(f.persist(dest))
        self.assertTrue(dest.exists())

    def test_persist_async_takes_pathlike(self):
        dest = pathlib.Path(self.scratch) / 'async-kept'
        loop = GLib.MainLoop()
        outcome = []

        def done(source, result, *user_data):
            try:
                outcome.append(source.persist_finish(result))
            except Exception as error:  # noqa: BLE001 (reported below)
                outcome.append(error)
            loop.quit()

        with GTempfile.TmpFile(dir=self.scratch) as f:
            f.write(b'async')
            f.persist_async(dest, GTempfile.TmpPersistFlags.NONE,
                            GLib.PRIORITY_DEFAULT, None, done)
            GLib.timeout_add_seconds(30, loop.quit)
            loop.run()
        self.assertEqual(outcome, [True])
        self.assertEqual(dest.read_bytes(), b'async')

    def test_delete_attributes_reach_the_properties(self):
        n = GTempfile.NamedTmpFile(dir=self.scratch)
        n.delete = False
        self.assertFalse(n.props.delete)
        n.delete_on_close = False
        self.assertFalse(n.get_delete_on_close())
        n.cleanup()
        self.assertTrue(os.path.exists(n.name))
        self.assertFalse(n.delete)
        d = GTempfile.TmpDir(dir=self.scratch)
        d.delete = False
        d.ignore_cleanup_errors = True
        self.assertFalse(d.props.delete)
        self.assertTrue(d.props.ignore_cleanup_errors)
        path = d.get_path()
        del d
        gc.collect()
        self.assertTrue(os.path.isdir(path))

    def test_errors_are_oserror_and_glib_error(self):
        missing = os.path.join(self.scratch, 'missing')
        for call in (lambda: GTempfile.mkstemp(missing, None, None),
                     lambda: GTempfile.mkdtemp(missing, None, None),
                     lambda: GTempfile.TmpFile(dir=missing),
                     lambda: GTempfile.NamedTmpFile(dir=missing),
                     lambda: GTempfile.TmpDir(dir=missing)):
            with self.subTest(call=call):
                with self.assertRaises(FileNotFoundError) as cm:
                    call()
                error = cm.exception
                self.assertIsInstance(error, GLib.Error)
                self.assertTrue(error.matches(Gio.io_error_quark(),
                                              Gio.IOErrorEnum.NOT_FOUND))
                self.assertEqual(error.errno, errno.ENOENT)
                self.assertEqual(error.filename, missing)
                self.assertIn(missing, error.message)
        with GTempfile.TmpFile(dir=self.scratch) as f:
            existing = os.path.join(self.scratch, 'existing')
            open(existing, 'wb').close()
            with self.assertRaises(FileExistsError) as cm:
                f.persist(existing, GTempfile.TmpPersistFlags.NO_REPLACE)
            self.assertEqual(cm.exception.filename, existing)

    def test_c_api_calls_raise_plain_glib_error(self):
        # As both guides say: new() and the _finish() functions are the C
        # API's, so their failures are GLib.Error only.
        missing = os.path.join(self.scratch, 'missing')
        for cls in (GTempfile.TmpFile, GTempfile.NamedTmpFile,
                    GTempfile.TmpDir):
            with self.subTest(cls=cls.__name__):
                with self.assertRaises(GLib.Error) as cm:
                    cls.new(missing, None, None)
                self.assertNotIsInstance(cm.exception, OSError)
                self.assertTrue(cm.exception.matches(
                    Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
                loop = GLib.MainLoop()
                results = []

                def done(source, result, cls=cls):
                    results.append(result)
                    loop.quit()
                cls.new_async(missing, None, None, GLib.PRIORITY_DEFAULT,
                              None, done)
                loop.run()
                with self.assertRaises(GLib.Error) as cm:
                    cls.new_finish(results[0])
                self.assertNotIsInstance(cm.exception, OSError)
        self.assertEqual(self.listing(), [])

    def test_closed_file_is_value_error(self):
        for cls in (GTempfile.TmpFile, GTempfile.NamedTmpFile,
                    GTempfile.SpooledTmpFile):
            f = cls(dir=self.scratch)
            f.write(b'abc')
            f.close()
            for call in (f.tell, f.read, lambda: f.write(b'x'),
                         lambda: f.seek(0), f.fileno, f.readline,
                         f.truncate):
                with self.subTest(cls=cls.__name__, call=call):
                    with self.assertRaises(ValueError) as cm:
                        call()
                    self.assertIsInstance(cm.exception, GLib.Error)
                    self.assertTrue(cm.exception.matches(
                        Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED))

    def test_open_mode_string_says_where_to_go(self):
        with self.assertRaisesRegex(TypeError, 'permission bits.*gtempfile'):
            GTempfile.NamedTmpFile(mode='w+b', dir=self.scratch)
        self.assertEqual(self.listing(), [])

    def test_nested_translation_keeps_one_exception(self):
        f = GTempfile.TmpFile(dir=self.scratch)
        f.close()
        with self.assertRaises(ValueError) as cm:
            f.readlines()  # raised by __next__, passed through readlines
        self.assertIsNot(cm.exception.__cause__, cm.exception)
        self.assertNotIsInstance(cm.exception.__cause__, ValueError)

    def test_arguments_checked_as_files(self):
        # Found by test_dropin_differential.py; failed before the fix.
        # io's files take integers only (even once closed), and on Linux
        # SEEK_DATA and SEEK_HOLE.
        ours = GTempfile.TmpFile(dir=self.scratch)
        theirs = tempfile.TemporaryFile(dir=self.scratch)
        for f in (ours, theirs):
            f.write(b'abc')
        for whence in (os.SEEK_DATA, os.SEEK_HOLE):
            self.assertEqual(ours.seek(1, whence), theirs.seek(1, whence))
        with self.assertRaises(OSError) as cm:
            ours.seek(10, os.SEEK_DATA)
        self.assertEqual(cm.exception.errno, errno.ENXIO)
        for f in (ours, theirs):
            f.write(b'\nd\ne\n')
            f.seek(0)
            self.assertEqual(next(f), b'abc\n')
            # Nothing moves (ours reads lines ahead).
            self.assertRaises(TypeError, f.seek, 1.5)
            self.assertEqual(f.tell(), 4)
            f.close()
            self.assertRaises(TypeError, f.read, 1.5)
            self.assertRaises(TypeError, f.seek, 0, 1.5)
            self.assertRaises(ValueError, f.seek, 1.5)
        with GTempfile.SpooledTmpFile(dir=self.scratch) as f:
            f.write(b'abc')
            self.assertRaises(ValueError, f.seek, 0, os.SEEK_DATA)

    def test_readlines_hint_as_files(self):
        # Found by test_dropin_differential.py; failed before the fix.
        # io's files read lines until they are past the hint.
        with GTempfile.TmpFile(dir=self.scratch) as f, \
                tempfile.TemporaryFile() as theirs:
            for file in (f, theirs):
                file.write(b'a\nbc\nd\n')
            for hint in range(7):
                f.seek(0)
                theirs.seek(0)
                self.assertEqual(f.readlines(hint), theirs.readlines(hint))

    def test_tell_at_zero_of_open_file(self):
        with GTempfile.TmpFile(dir=self.scratch) as f:
            self.assertEqual(f.tell(), 0)

    def test_is_iobase(self):
        for cls in (GTempfile.TmpFile, GTempfile.NamedTmpFile,
                    GTempfile.SpooledTmpFile):
            with cls(dir=self.scratch) as f:
                self.assertIsInstance(f, io.IOBase)


if __name__ == '__main__':
    taptestrunner.main()
