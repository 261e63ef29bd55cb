# _files.py — gtempfile's TemporaryFile and NamedTemporaryFile
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""TemporaryFile and NamedTemporaryFile: Python's io objects on the GObject's
descriptor.

The GObject (a ``GTmpFile`` or ``GNamedTmpFile``) creates the file, owns the
descriptor and removes the file; the Python file object is the stack
``io.open()`` builds (``FileIO``, a buffered layer such as
``BufferedRandom``, ``TextIOWrapper``) on that descriptor with
``closefd=False``, so reads and writes run at the speed of Python's own
files. Closing the Python file closes the GObject.
"""

import io as _io
import os as _os
import sys as _sys
import warnings as _warnings

from gi.module import get_introspection_module as _module
from gi.repository import Gio as _Gio
from gi.repository import GLib as _GLib
from gi.repository import GTempfile as _GTempfile

_pkg = _sys.modules[__package__]

# What every file calls, looked up once: Gio's proxy module finds IOStream
# through a failed lookup and an AttributeError each time.
_io_stream_close = _Gio.IOStream.close
_tmp_file_new = _GTempfile.TmpFile.new
_named_tmp_file_new = _GTempfile.NamedTmpFile.new
# The C get_fd, not the override's (which would give back a read-ahead the
# new object cannot have); the GObject is told its descriptor is out.
_raw_get_fd = _module('GTempfile').TmpFile.get_fd
_c_args = _pkg._c_args
_abspath = _pkg._abspath

_MODE_CHARACTERS = frozenset('axrwb+t')


class _Mode:
    """A mode string taken apart, as io.open() does."""

    __slots__ = ('raw_mode', 'binary', 'updating', 'reading')

    def __init__(self, mode):
        if not isinstance(mode, str):
            raise TypeError("open() argument 'mode' must be str, not %s"
                            % type(mode).__name__)
        characters = set(mode)
        if characters - _MODE_CHARACTERS or len(characters) != len(mode):
            raise ValueError("invalid mode: '%s'" % mode)
        kinds = [c for c in 'xrwa' if c in characters]
        if 't' in characters and 'b' in characters:
            raise ValueError("can't have text and binary mode at once")
        if len(kinds) != 1:
            raise ValueError('must have exactly one of create/read/write/'
                             'append mode')
        self.updating = '+' in characters
        self.binary = 'b' in characters
        self.reading = kinds[0] == 'r'
        self.raw_mode = kinds[0] + ('+' if self.updating else '')


_modes = {}
_DEFAULT_MODE = _modes['w+b'] = _Mode('w+b')


def _parse_mode(mode, buffering, encoding, errors, newline):
    """Check the arguments as io.open() does, before anything is created."""
    try:
        parsed = _modes[mode]
    except (KeyError, TypeError):
        parsed = _Mode(mode)
        _modes[mode] = parsed
    if not isinstance(buffering, int):
        raise TypeError("'%s' object cannot be interpreted as an integer"
                        % type(buffering).__name__)
    if encoding is None and errors is None and newline is None:
        if parsed.binary:
            if buffering == 1:
                _warn_line_buffering()
        elif buffering == 0:
            raise ValueError("can't have unbuffered text I/O")
        return parsed
    for name, value in (('encoding', encoding), ('errors', errors),
                        ('newline', newline)):
        if value is not None and not isinstance(value, str):
            raise TypeError("open() argument '%s' must be str or None, not %s"
                            % (name, type(value).__name__))
    if parsed.binary:
        if encoding is not None:
            raise ValueError("binary mode doesn't take an encoding argument")
        if errors is not None:
            raise ValueError("binary mode doesn't take an errors argument")
        if newline is not None:
            raise ValueError("binary mode doesn't take a newline argument")
        if buffering == 1:
            _warn_line_buffering()
    elif buffering == 0:
        raise ValueError("can't have unbuffered text I/O")
    return parsed


def _warn_line_buffering():
    # As io.open(), attributed to the caller of TemporaryFile() and friends.
    _warnings.warn("line buffering (buffering=1) isn't supported in "
                   "binary mode, the default buffer size will be "
                   "used", RuntimeWarning, 4)


class _FileIO(_io.FileIO):
    """The GObject's descriptor as a raw Python file: ``_FileIO(fd, mode,
    closefd=False)``, then ``gobject`` set.

    Closing it closes the GObject (which closes the descriptor and, for a
    named file with delete and delete_on_close, unlinks it).
    """

    # Whether dropping it unclosed warns (not for named files, as CPython).
    _warn = True

    def _dealloc_warn(self, source):
        # Called by the buffered and text layers when they are finalized
        # unclosed; closefd=False would silence FileIO's own warning.
        if self._warn:
            _warnings.warn('unclosed file %r' % (source,), ResourceWarning,
                           stacklevel=2, source=source)

    def close(self):
        if self.closed:
            return
        if self._finalizing:
            self._dealloc_warn(self)
        try:
            _io.FileIO.close(self)
        finally:
            try:
                _io_stream_close(self.gobject, None)
            except _GLib.Error as error:
                raise _pkg._os_error(error) from error


def _descriptor(gobject):
    """@gobject's descriptor, which its Python file methods then know is out
    (they keep nothing read ahead: see the override's _BinaryFileMixin)."""
    fd = _raw_get_fd(gobject)
    gobject._exposed = True
    return fd


def _open(gobject, parsed, mode, buffering, encoding, errors, newline, warn):
    """The io.open() stack on @gobject's descriptor."""
    raw = _FileIO(_descriptor(gobject), parsed.raw_mode, closefd=False)
    raw.gobject = gobject
    if not warn:
        raw._warn = False
    try:
        return _layers(raw, parsed, mode, buffering, encoding, errors,
                       newline)
    except BaseException:
        # As io.open(): what was built is closed, without a warning.
        raw._warn = False
        raw.close()
        raise


def _layers(raw, parsed, mode, buffering, encoding, errors, newline):
    """The buffered and text layers io.open() puts on @raw."""
    # io.open() also asks isatty(); a temporary file never is one.
    line_buffering = buffering == 1
    if buffering < 0 or buffering == 1:
        buffering = raw._blksize
        if buffering <= 1:
            buffering = _io.DEFAULT_BUFFER_SIZE
    if buffering == 0:
        return raw
    if parsed.updating:
        buffer = _io.BufferedRandom(raw, buffering)
    elif parsed.reading:
        buffer = _io.BufferedReader(raw, buffering)
    else:
        buffer = _io.BufferedWriter(raw, buffering)
    if parsed.binary:
        return buffer
    text = _io.TextIOWrapper(buffer, encoding, errors, newline,
                             line_buffering)
    text.mode = mode
    return text


def TemporaryFile(mode='w+b', buffering=-1, encoding=None, newline=None,
                  suffix=None, prefix=None, dir=None, *, errors=None):
    """An anonymous temporary file (no name in the file system).

    Returns what ``open()`` would (``BufferedRandom`` for ``'w+b'``,
    ``TextIOWrapper`` for text modes); its ``name`` is the descriptor, and
    ``f.gobject`` (also ``f.raw.gobject``) is the ``GTmpFile``.
    """
    if mode == 'w+b' and buffering == -1 and encoding is None and \
            newline is None and errors is None:
        # The default: nothing to check.
        parsed = _DEFAULT_MODE
    else:
        if 'b' not in mode:
            encoding = _io.text_encoding(encoding)
        parsed = _parse_mode(mode, buffering, encoding, errors, newline)
    c_dir, c_prefix, c_suffix, dir, _ = _c_args(prefix, suffix, dir)
    try:
        gobject = _tmp_file_new(c_dir, c_prefix, c_suffix)
    except _GLib.Error as error:
        raise _pkg._os_error(error, dir) from error
    try:
        if parsed is _DEFAULT_MODE and buffering == -1:
            # What _open() does for 'w+b', without its general cases.
            raw = _FileIO(_raw_get_fd(gobject), 'r+', closefd=False)
            gobject._exposed = True
            raw.gobject = gobject
            blksize = raw._blksize
            file = _io.BufferedRandom(
                raw, blksize if blksize > 1 else _io.DEFAULT_BUFFER_SIZE)
        else:
            file = _open(gobject, parsed, mode, buffering, encoding, errors,
                         newline, True)
    except BaseException as error:
        _io_stream_close(gobject, None)
        if isinstance(error, _GLib.Error):
            raise _pkg._os_error(error) from error
        raise
    file.gobject = gobject
    return file


class _TemporaryFileWrapper:
    """A file object with a name that is removed as CPython's is.

    Attributes not found here are the file's (``self.file``), as in CPython;
    ``name`` is the path, ``gobject`` the ``GNamedTmpFile``.
    """

    def __init__(self, file, name, delete=True, delete_on_close=True):
        self.file = file
        self.name = name
        self.delete = delete
        self._delete_on_close = delete_on_close
        self.gobject = file.gobject

    def __getattr__(self, name):
        # A bound method keeps the file (and so the GObject) alive; caching
        # it makes the next call as fast as on the file itself.
        file = self.__dict__['file']
        a = getattr(file, name)
        if callable(a):
            setattr(self, name, a)
        return a

    def __enter__(self):
        self.file.__enter__()
        return self

    def __exit__(self, exc, value, tb):
        result = self.file.__exit__(exc, value, tb)
        self._cleanup()
        return result

    def _cleanup(self):
        # Closed already; unlinks now unless delete is false.
        try:
            with _pkg._python_errors(self.name):
                self.gobject.cleanup(None)
        except FileNotFoundError:
            pass

    def close(self):
        """Close the file (which unlinks it if delete and delete_on_close)."""
        self.file.close()

    def __iter__(self):
        # A generator, so the wrapper (and the file) lives while iterated.
        for line in self.file:
            yield line


_io.IOBase.register(_TemporaryFileWrapper)


def NamedTemporaryFile(mode='w+b', buffering=-1, encoding=None, newline=None,
                       suffix=None, prefix=None, dir=None, delete=True, *,
                       errors=None, delete_on_close=True):
    """A temporary file with a visible name (``.name``).

    With ``delete`` (the default) it is unlinked when closed, or, if
    ``delete_on_close`` is false, when the ``with`` block ends or the object
    is dropped (CPython 3.12). ``.file`` is what ``open()`` would return,
    ``.gobject`` the ``GNamedTmpFile``.
    """
    if mode == 'w+b' and buffering == -1 and encoding is None and \
            newline is None and errors is None:
        parsed = _DEFAULT_MODE
    else:
        if 'b' not in mode:
            encoding = _io.text_encoding(encoding)
        parsed = _parse_mode(mode, buffering, encoding, errors, newline)
    c_dir, c_prefix, c_suffix, dir, output_type = _c_args(prefix, suffix, dir)
    try:
        gobject = _named_tmp_file_new(c_dir, c_prefix, c_suffix)
    except _GLib.Error as error:
        raise _pkg._os_error(error, dir) from error
    try:
        if not delete:
            gobject.set_delete(False)
        if not delete_on_close:
            gobject.set_delete_on_close(False)
        if parsed is _DEFAULT_MODE and buffering == -1:
            # What _open() does for 'w+b', without its general cases.
            raw = _FileIO(_raw_get_fd(gobject), 'r+', closefd=False)
            gobject._exposed = True
            raw.gobject = gobject
            raw._warn = False
            blksize = raw._blksize
            file = _io.BufferedRandom(
                raw, blksize if blksize > 1 else _io.DEFAULT_BUFFER_SIZE)
        else:
            file = _open(gobject, parsed, mode, buffering, encoding, errors,
                         newline, False)
        file.gobject = gobject
        name = _abspath(gobject.get_path())
        if output_type is bytes:
            name = _os.fsencode(name)
        return _TemporaryFileWrapper(file, name, delete, delete_on_close)
    except BaseException as error:
        # As CPython: a file that could not be opened is removed.
        gobject.set_delete(True)
        try:
            _GTempfile.NamedTmpFile.cleanup(gobject, None)
        except _GLib.Error:
            pass
        if isinstance(error, _GLib.Error):
            raise _pkg._os_error(error) from error
        raise
