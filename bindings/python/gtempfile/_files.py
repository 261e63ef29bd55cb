# _files.py — gtempfile's TemporaryFile and NamedTemporaryFile
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""TemporaryFile and NamedTemporaryFile: Python's io objects on a descriptor
the C library made.

The Python file object is the stack ``io.open()`` builds (``FileIO``, a
buffered layer such as ``BufferedRandom``, ``TextIOWrapper``), so reads and
writes run at the speed of Python's own files; ``.gobject`` is the GObject.

* ``TemporaryFile()``: ``GTempfile.open_anonymous()`` creates the file (as
  ``GTmpFile`` does) and the ``FileIO`` owns its descriptor, so creating and
  closing a binary one costs no GObject: its ``GTmpFile`` is made when
  ``.gobject`` is first asked for (a property of small subclasses of the io
  classes), on a duplicate of the descriptor (``GTempfile.adopt_anonymous()``):
  both share the file and its position; from then on closing the Python
  file closes the GObject too. A text file is io.open()'s own
  ``TextIOWrapper`` (CPython iterates the lines of a subclass more slowly)
  and has its ``GTmpFile`` from the start.
* ``NamedTemporaryFile()``: the ``GNamedTmpFile`` creates the file, owns the
  descriptor (the ``FileIO`` has ``closefd=False``) and removes the file by
  its name; closing the Python file closes it.
"""

import io as _io
import os as _os
import sys as _sys
import threading as _threading
import warnings as _warnings

from gi.module import get_introspection_module as _module
from gi.repository import GObject as _GObject
from gi.repository import Gio as _Gio
from gi.repository import GLib as _GLib
from gi.repository import GTempfile as _GTempfile

_pkg = _sys.modules[__package__]

# What every file calls, looked up once: Gio's proxy module finds IOStream
# through a failed lookup and an AttributeError each time.
_io_stream_close = _Gio.IOStream.close
_named_tmp_file_new = _GTempfile.NamedTmpFile.new
_tmp_file_new = _GTempfile.TmpFile.new
_named_get_path = _GTempfile.NamedTmpFile.get_path
# The C functions, not the override's wrappers (raising GLib.Error, which
# the callers translate with CPython's messages).
_open_anonymous = _module('GTempfile').open_anonymous
_adopt_anonymous = _module('GTempfile').adopt_anonymous
# The C get_fd, not the override's (which would give back a read-ahead the
# new object cannot have); the GObject is told its descriptor is out when
# the Python file hands it out (_FileIO.gobject).
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


def _io_repr(self):
    """The io class's own repr (``<_io.BufferedRandom name=3>``), which
    ResourceWarning shows: it would name the subclass instead."""
    base = type(self).__mro__[1]
    while base.__module__ != '_io':
        base = base.__mro__[1]
    text = base.__repr__(self)
    end = text.find(' ')
    return '<_io.%s%s' % (base.__name__, text[end:] if end > 0 else '>')


class _FileIO(_io.FileIO):
    """A named file's descriptor as a raw Python file: ``_FileIO(fd, mode,
    closefd=False)``, then ``_gobject`` set (the ``GNamedTmpFile``, which
    owns the descriptor).

    Closing it closes the GObject (which closes the descriptor and, with
    delete and delete_on_close, unlinks the file). Dropped unclosed, it
    does not warn (closefd=False), as CPython's named files do not. Dropped
    in a forked child of the process that made it (``_pid``), it leaves
    the GObject to its own dispose, which does not unlink its parent's
    file (see the package's _pid).
    """

    __slots__ = ('_gobject', '_path', '_pid', '_dropped')
    __repr__ = _io_repr

    def _dealloc_warn(self, source):
        # The buffered or text layer above, being finalized, says so just
        # before it closes this file: that close is implicit.
        self._dropped = True
        _io.FileIO._dealloc_warn(self, source)

    def _closed_implicitly(self):
        """Whether this close is a drop (the file, or a layer above it,
        being finalized), not a close() the program called."""
        try:
            return self._dropped
        except AttributeError:
            # Finalized itself (no buffer): IOBase's finalizer says so.
            return self._finalizing

    def _name(self):
        """The absolute path of the file when first asked for, or when the
        GObject (which can move the file: persist()) was handed out."""
        try:
            return self._path
        except AttributeError:
            path = self._path = _abspath(_named_get_path(self._gobject))
            return path

    @property
    def gobject(self):
        """The ``GNamedTmpFile``."""
        gobject = self._gobject
        if not gobject._exposed:
            self._name()
            _expose(gobject)
        return gobject

    def close(self):
        if self.closed:
            return
        try:
            _io.FileIO.close(self)
        finally:
            if self._pid == _pkg._pid or not self._closed_implicitly():
                try:
                    _io_stream_close(self._gobject, None)
                except _GLib.Error as error:
                    raise _pkg._os_error(error) from error


def _expose(gobject):
    """Tells @gobject that its descriptor is shared with a Python file, as
    it is handed out: its Python file methods then keep nothing read ahead
    (see the override's _BinaryFileMixin). Not before: the flag costs a
    toggle reference on the wrapper."""
    gobject._exposed = True


class _AnonymousFileIO(_io.FileIO):
    """An anonymous file's descriptor as a raw Python file, which owns it
    (``closefd=True``, so closing it and the ResourceWarning of one dropped
    unclosed are FileIO's own).

    Its ``GTmpFile`` is made when ``gobject`` is first asked for; the
    object then becomes a _GObjectFileIO.
    """

    __slots__ = ()
    __repr__ = _io_repr

    @property
    def gobject(self):
        """The ``GTmpFile``, made now: see _adopt()."""
        return _adopt(self)


class _GObjectFileIO(_AnonymousFileIO):
    """An _AnonymousFileIO whose ``GTmpFile`` (``_gobject``) has been made:
    closing it closes the GObject too."""

    __slots__ = ()

    @property
    def gobject(self):
        """The ``GTmpFile``."""
        return self._gobject

    def close(self):
        if self.closed:
            return
        try:
            # Warns if finalized unclosed, as FileIO does.
            _io.FileIO.close(self)
        finally:
            try:
                _io_stream_close(self._gobject, None)
            except _GLib.Error as error:
                raise _pkg._os_error(error) from error


_adopt_lock = _threading.Lock()


def _adopt(raw):
    """The ``GTmpFile`` of the anonymous file of @raw (an _AnonymousFileIO),
    made on a duplicate of its descriptor.

    The GObject owns the duplicate, the Python file its own descriptor:
    both are the one open file, with one position, and neither closes the
    other's descriptor. Closing the Python file closes the GObject; the
    file is freed when both are closed. Asked for after the Python file was
    closed, a closed ``GTmpFile``.
    """
    with _adopt_lock:
        if type(raw) is _GObjectFileIO:
            return raw._gobject
        if raw.closed:
            # One never initialised, closed: it stays closed.
            gobject = _GObject.new(_GTempfile.TmpFile)
            try:
                _io_stream_close(gobject, None)
            except _GLib.Error:
                pass
        else:
            fd = _os.dup(raw.fileno())
            try:
                gobject = _adopt_anonymous(fd)
            except BaseException as error:
                _os.close(fd)
                if isinstance(error, _GLib.Error):
                    raise _pkg._os_error(error) from error
                raise
            _expose(gobject)
            # A persist that copies the file moves @raw's descriptor onto
            # the copy too (the override's _follow_copy()).
            gobject._follower_fd = raw.fileno()
        raw._gobject = gobject
        raw.__class__ = _GObjectFileIO
        return gobject


# The layers io.open() puts on a raw file, with ``gobject`` (the raw file's).

def _raw_gobject(self):
    """The GObject (``GTmpFile`` or ``GNamedTmpFile``)."""
    return self.raw.gobject


class _BufferedRandom(_io.BufferedRandom):
    __slots__ = ()
    __repr__ = _io_repr
    gobject = property(_raw_gobject)


class _BufferedReader(_io.BufferedReader):
    __slots__ = ()
    __repr__ = _io_repr
    gobject = property(_raw_gobject)


class _BufferedWriter(_io.BufferedWriter):
    __slots__ = ()
    __repr__ = _io_repr
    gobject = property(_raw_gobject)


# The layers of an anonymous file: binary ones have ``gobject``. A text
# file is io.open()'s very own TextIOWrapper (CPython iterates its lines
# faster than a subclass's), given ``gobject`` at once. The layers of a
# named file are all io.open()'s own (the wrapper has ``gobject``).
_ANONYMOUS_LAYERS = (_BufferedRandom, _BufferedReader, _BufferedWriter,
                     _io.TextIOWrapper)
_NAMED_LAYERS = (_io.BufferedRandom, _io.BufferedReader, _io.BufferedWriter,
                 _io.TextIOWrapper)


def _open_named(gobject, parsed, mode, buffering, encoding, errors, newline):
    """The io.open() stack on the descriptor of @gobject (a
    ``GNamedTmpFile``): ``(raw, file)``."""
    raw = _FileIO(_raw_get_fd(gobject), parsed.raw_mode, closefd=False)
    raw._gobject = gobject
    raw._pid = _pkg._pid
    try:
        return raw, _layers(raw, parsed, mode, buffering, encoding, errors,
                            newline, _NAMED_LAYERS)
    except BaseException:
        # As io.open(): what was built is closed.
        raw.close()
        raise


# The buffer of a file opened with buffering=-1 (io.open() takes the file
# system's block size, 4 KiB on most): a temporary file is written and read
# in bulk, and each system call costs microseconds of its own (4 to 5 in a
# VM), so 4 KiB calls then make 256 times fewer and 64 KiB calls 16 times
# fewer: 1.04-1.09x CPython's speed for 64 KiB writes (the copy into the
# buffer costs most of what the calls save), 1.3x for reads, 4x at 4 KiB,
# where a 32 KiB buffer gave 0.95-1.0x at 64 KiB. The memory is malloc()'s,
# touched only as far as the file is used. CPython 3.14's open() buffers
# max(min(block size, 8 MiB), 128 KiB) for the same reason. buffering=N
# gives N.
_BUFFER_SIZE = 1024 * 1024
_MAX_BLOCK_BUFFER = 8 * 1024 * 1024


def _buffer_size(raw):
    return max(min(raw._blksize, _MAX_BLOCK_BUFFER), _BUFFER_SIZE)


def _layers(raw, parsed, mode, buffering, encoding, errors, newline,
            layers):
    """The buffered and text layers io.open() puts on @raw, of the classes
    @layers (random, reader, writer, text)."""
    # io.open() also asks isatty(); a temporary file never is one.
    line_buffering = buffering == 1
    if buffering < 0 or buffering == 1:
        buffering = _buffer_size(raw)
    if buffering == 0:
        return raw
    if parsed.updating:
        buffer = layers[0](raw, buffering)
    elif parsed.reading:
        buffer = layers[1](raw, buffering)
    else:
        buffer = layers[2](raw, buffering)
    if parsed.binary:
        return buffer
    text = layers[3](buffer, encoding, errors, newline, line_buffering)
    text.mode = mode
    return text


def TemporaryFile(mode='w+b', buffering=-1, encoding=None, newline=None,
                  suffix=None, prefix=None, dir=None, *, errors=None):
    """An anonymous temporary file (no name in the file system).

    Returns what ``open()`` would (``BufferedRandom`` for ``'w+b'``,
    ``TextIOWrapper`` for text modes); its ``name`` is the descriptor, and
    ``f.gobject`` (also ``f.raw.gobject``) is the ``GTmpFile``, on a
    duplicate of the descriptor: the same file and position; closing ``f``
    closes it too. A binary file makes it when first asked for, a text file
    at once.
    """
    if mode == 'w+b' and buffering == -1 and encoding is None and \
            newline is None and errors is None:
        # The default: nothing to check.
        parsed = _DEFAULT_MODE
    else:
        if 'b' not in mode:
            encoding = _io.text_encoding(encoding)
        parsed = _parse_mode(mode, buffering, encoding, errors, newline)
    # Checked as CPython checks them; prefix and suffix would only name a
    # file where O_TMPFILE is refused, for an instant, but a "/" in them is
    # refused as everywhere else (None: the default, nothing to check).
    try:
        c_dir, c_prefix, c_suffix, dir, _ = _c_args(prefix, suffix, dir)
    except (TypeError, ValueError):
        # A prefix or suffix no file is named with: taken as CPython's
        # TemporaryFile takes it (a NUL in dir is still refused there).
        c_dir, c_prefix, c_suffix, dir, _ = _pkg._anonymous_names(
            prefix, suffix, dir)
    if (c_prefix is not None and b'/' in c_prefix) or \
            (c_suffix is not None and b'/' in c_suffix):
        _refuse_names(c_dir, c_prefix, c_suffix, dir)
    try:
        fd = _open_anonymous(c_dir, 0)
    except _GLib.Error as error:
        raise _pkg._os_error(error, dir) from error
    try:
        raw = _AnonymousFileIO(fd, parsed.raw_mode)
    except BaseException:
        _os.close(fd)
        raise
    if parsed is _DEFAULT_MODE and buffering == -1:
        # What _layers() does for 'w+b', without its general cases.
        try:
            return _BufferedRandom(raw, _buffer_size(raw))
        except BaseException:
            raw.close()
            raise
    try:
        file = _layers(raw, parsed, mode, buffering, encoding, errors,
                       newline, _ANONYMOUS_LAYERS)
        if not parsed.binary:
            file.gobject = _adopt(raw)
        return file
    except BaseException:
        # As io.open(): what was built is closed, without a warning.
        raw.close()
        raise


def _refuse_names(c_dir, c_prefix, c_suffix, dir):
    """Raises the error GTmpFile gives for a prefix or suffix with a "/"
    (G_IO_ERROR_INVALID_ARGUMENT, naming it), as CPython's exception."""
    try:
        gobject = _tmp_file_new(c_dir, c_prefix, c_suffix)
    except _GLib.Error as error:
        raise _pkg._os_error(error, dir) from error
    # Not reached: the names are checked before anything is created.
    _io_stream_close(gobject, None)
    raise ValueError('prefix and suffix must not contain "/"')


class _TemporaryFileWrapper:
    """A file object with a name that is removed as CPython's is.

    Attributes not found here are the file's (``self.file``), as in CPython;
    ``name`` is the path, ``gobject`` the ``GNamedTmpFile``.
    """

    def __init__(self, file, raw, output_type, delete=True,
                 delete_on_close=True):
        self.file = file
        # The _FileIO, with the GObject and the path.
        self._raw = raw
        self._output_type = output_type
        self.delete = delete
        self._delete_on_close = delete_on_close

    @property
    def gobject(self):
        """The ``GNamedTmpFile``."""
        return self._raw.gobject

    def __getattr__(self, name):
        if name == 'name':
            # Asked for the first time: the GObject's path, which costs a
            # call into C that most files need not make.
            path = self._raw._name()
            if self._output_type is bytes:
                path = _os.fsencode(path)
            self.name = path
            return path
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
            self._raw._gobject.cleanup(None)
        except FileNotFoundError:
            pass
        except _GLib.Error as error:
            raise _pkg._os_error(error, self.name) from error

    # Whether close() was called: as CPython's, only the first one does
    # something.
    _close_called = False

    def close(self):
        """Close the file (which unlinks it if delete and delete_on_close)."""
        if self._close_called:
            return
        self._close_called = True
        try:
            self.file.close()
        finally:
            # Closed even when the layers above it fail to close (one
            # detached, a flush that failed): its GObject unlinks the file
            # if delete and delete_on_close, as CPython 3.12's does then.
            self._raw.close()

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
            # What _open_named() does for 'w+b', without its general cases.
            raw = _FileIO(_raw_get_fd(gobject), 'r+', closefd=False)
            raw._gobject = gobject
            raw._pid = _pkg._pid
            file = _io.BufferedRandom(raw, _buffer_size(raw))
        else:
            raw, file = _open_named(gobject, parsed, mode, buffering,
                                    encoding, errors, newline)
        # The name is looked up when first asked for (_FileIO._name()).
        return _TemporaryFileWrapper(file, raw, output_type, delete,
                                     delete_on_close)
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
