# GTempfile.py — the Pythonic layer over the GTempfile introspection module
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Pythonic additions to ``gi.repository.GTempfile``.

For CPython's ``tempfile`` API (names, argument order, text modes) use the
``gtempfile`` package installed beside this module:
``import gtempfile as tempfile``.

* Keyword construction runs ``GInitable.init``, so a failure raises at
  once, as ``g_initable_new()`` does in C::

      f = GTempfile.NamedTmpFile(prefix="upload_", suffix=".png", delete=False)
      d = GTempfile.TmpDir(prefix="build_")
      s = GTempfile.SpooledTmpFile(max_size=1024)

* ``dir``, ``prefix`` and ``suffix`` are file names, as in the module
  functions: ``str``, ``bytes`` or ``os.PathLike``; a NUL in one raises
  ``ValueError`` (it would cut a C string short). GObject string properties
  hold UTF-8 only, so a name that is not UTF-8 needs the C constructors
  (``TmpFile.new(dir, prefix, suffix)`` and so on).

* Failures raise an exception that is both the ``GLib.Error`` GIO reported
  (``domain``, ``code``, ``message``, ``matches()``) and the Python
  exception for it: an ``OSError`` subclass with ``errno`` and ``filename``
  (``FileNotFoundError``, ``PermissionError``, ...), or ``ValueError`` on a
  closed file. Calls straight into the C API (``TmpFile.new()``, the async
  ``_finish`` functions not listed here) raise plain ``GLib.Error``.
  The file methods translate in their own ``except`` clauses, which cost
  nothing until something fails.

* ``persist()``, ``mkstemp()``, ``mkdtemp()``, ``mktemp()`` and
  ``set_tempdir()`` take file names as ``str``, ``bytes`` or
  ``os.PathLike``, in the GObject order ``(dir, prefix, suffix)``. So do,
  in their C argument order and raising Python's exceptions as above, the
  calls for modes, random lengths, directory descriptors, directory
  persist and sweeping::

      fd, path = GTempfile.mkstemp_full(pathlib.Path("out"), "job-", ".tmp",
                                        0o640, 16)
      f = GTempfile.NamedTmpFile.new_at(dfd, "sub", None, None, 0)
      f.persist_at(dfd, pathlib.Path("doc.txt"),
                   GTempfile.TmpPersistFlags.NONE, None)
      d = GTempfile.TmpDir.new_full(b"/srv", ".build-", None, 0o755, 0)
      d.persist(pathlib.Path("/srv/site"),
                GTempfile.TmpPersistFlags.EXCHANGE, None)
      removed = GTempfile.sweep(cache_dir, "job-", ".tmp", 0,
                                GLib.TIME_SPAN_HOUR, None)

  (``TmpFile``, ``NamedTmpFile`` and ``TmpDir``: ``new_full(dir, prefix,
  suffix, mode, random_length)`` and ``new_at(dfd, dir, prefix, suffix,
  mode)``; ``SpooledTmpFile.new_full(max_size, dir, prefix, suffix, mode,
  random_length)``; ``mkstemp_full``/``mkdtemp_full``,
  ``mkstemp_at``/``mkdtemp_at``, ``TmpFile.persist_at[_async]``,
  ``TmpDir.persist[_async]``, ``sweep[_async]``, ``open_anonymous(dir,
  mode)`` and ``adopt_anonymous(fd)``.)
  ``delete``, ``delete_on_close`` and ``ignore_cleanup_errors`` are
  attributes that set the GObject properties.

* Every class is a context manager. Leaving the block closes the file (and
  for ``NamedTmpFile`` calls ``cleanup()``, which unlinks it unless
  ``delete`` is false) or, for ``TmpDir``, removes the directory unless
  ``delete`` is false; an explicit ``TmpDir.cleanup()`` removes it anyway,
  as in CPython 3.12. Like CPython's ``TemporaryDirectory``,
  ``with GTempfile.TmpDir() as path:`` binds the *path string*; keep a
  reference to the object if you need more of it.

* The file classes also behave like Python binary files (``read``,
  ``readinto``, ``read1``, ``readline``, iteration by lines, ``write``,
  ``seek``, ``tell``, ``truncate``, ``flush``, ``close``, ``closed``,
  ``fileno``, ``name`` for named files; ``isinstance(f, io.IOBase)``), so
  ``io.TextIOWrapper(f)``, ``shutil.copyfileobj`` and friends accept them.

The C library keeps the bytes; these methods are as fast as CPython's
file objects (benchmarks/README.md): for a file on disk they use its
descriptor directly, as the GIO streams do (the C object keeps no position of
its own), for a ``SpooledTmpFile`` in memory one call into C
(``TmpFile.read_data``, ``write_data``, ``seek_to``), and line reading
reads ahead, given back before anything else can see the position (see
``_BinaryFileMixin``). ``seek``, ``tell`` and ``truncate`` follow Python's
conventions (they return positions and sizes); they also accept the GIO
arguments (a ``GLib.SeekType``, a trailing cancellable), and the original
GIO methods stay reachable as ``Gio.Seekable.seek(f, ...)`` and so on.
"""

import errno
import io
import itertools
import operator
import os

from gi.repository import GLib, GObject, Gio

from ..module import get_introspection_module
from ..overrides import override

GTempfile = get_introspection_module('GTempfile')

__all__ = []

# Read in pieces of this size when the caller asks for "everything" or for
# a line; large enough that a syscall per piece does not matter.
_CHUNK_SIZE = 64 * 1024

# Line reading reads ahead this much, as CPython's buffered files do, and
# a `for` loop more: its lines come at C speed from what it read ahead.
_LINE_CHUNK_SIZE = 8192
_ITER_CHUNK_SIZE = 65536
# Reads smaller than this from a spooled file in memory read this much.
_READ_AHEAD_SIZE = 32768

# _io_fd when the C entry points do the I/O, or when the object must be asked.
_IO_MEMORY = -2
_IO_UNKNOWN = -1

# A GIO-style seek(offset, GLib.SeekType, cancellable) still works.
_SEEK_TYPE_TO_WHENCE = {
    GLib.SeekType.SET: io.SEEK_SET,
    GLib.SeekType.CUR: io.SEEK_CUR,
    GLib.SeekType.END: io.SEEK_END,
}


# What the methods call, looked up once: an attribute that Gio's proxy
# module does not hold itself costs a failed lookup and an exception each
# time.
_IOStream = Gio.IOStream
_Seekable = Gio.Seekable
_SeekType = GLib.SeekType
_object_init = GObject.Object.__init__
_initable_init = Gio.Initable.init


def _filename_property(name, value):
    """@value (str, bytes or os.PathLike) as the string property @name holds.

    Taken as the module functions take file names: a property is a C string,
    which would silently end at a NUL (``suffix="x\\0/../etc"`` becoming
    ``"x"``) and would hold ``str(b'out')`` for bytes.
    """
    value = os.fsdecode(value)
    if '\0' in value:
        raise ValueError('embedded null character in %s' % name)
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        # GObject string properties are UTF-8; the C constructors
        # (TmpFile.new() and so on) take any file name.
        raise ValueError('%s %r is not valid UTF-8: use the new() constructor'
                         % (name, value)) from None
    return value


# --- errors ------------------------------------------------------------------
#
# A failure raises an exception that is both the Python exception a file API
# raises for it (an OSError subclass with errno and filename, ValueError on a
# closed file) and the GLib.Error GIO reported (domain, code, message,
# matches()), so "except OSError" and "except GLib.Error" both catch it.

_IO_ERROR_DOMAIN = 'g-io-error-quark'

_ERRNO_OF_IO_ERROR = {}
for _name, _errno in (
        ('NOT_FOUND', errno.ENOENT), ('EXISTS', errno.EEXIST),
        ('IS_DIRECTORY', errno.EISDIR), ('NOT_DIRECTORY', errno.ENOTDIR),
        ('NOT_EMPTY', errno.ENOTEMPTY),
        ('FILENAME_TOO_LONG', errno.ENAMETOOLONG),
        ('INVALID_FILENAME', errno.EINVAL), ('TOO_MANY_LINKS', errno.ELOOP),
        ('NO_SPACE', errno.ENOSPC), ('INVALID_ARGUMENT', errno.EINVAL),
        ('PERMISSION_DENIED', errno.EACCES),
        ('NOT_SUPPORTED', errno.EOPNOTSUPP), ('READ_ONLY', errno.EROFS),
        ('TIMED_OUT', errno.ETIMEDOUT), ('BUSY', errno.EBUSY),
        ('PENDING', errno.EBUSY), ('WOULD_BLOCK', errno.EAGAIN),
        ('TOO_MANY_OPEN_FILES', errno.EMFILE),
        ('CANCELLED', errno.ECANCELED), ('BROKEN_PIPE', errno.EPIPE),
        ('NO_SUCH_DEVICE', errno.ENODEV)):
    if hasattr(Gio.IOErrorEnum, _name):
        _ERRNO_OF_IO_ERROR[int(getattr(Gio.IOErrorEnum, _name))] = _errno
del _name, _errno


def _errno_of(error):
    """The errno matching the GLib.Error @error, or None."""
    if error.domain != _IO_ERROR_DOMAIN:
        return None
    return _ERRNO_OF_IO_ERROR.get(error.code)


def _is_closed_error(error):
    return (error.domain == _IO_ERROR_DOMAIN
            and error.code == Gio.IOErrorEnum.CLOSED)


_ERROR_CLASSES = {}


def _error_class(base):
    """@base (an OSError subclass or ValueError) that is also a GLib.Error."""
    cls = _ERROR_CLASSES.get(base)
    if cls is None:
        cls = type(base.__name__, (base, GLib.Error), {
            '__module__': __name__,
            '__doc__': '%s that is also the GLib.Error GIO reported.'
                       % base.__name__,
            '__str__': base.__str__,
            '__repr__': BaseException.__repr__,
        })
        _ERROR_CLASSES[base] = cls
    return cls


def _python_error(error, filename=None):
    """The exception to raise for the GLib.Error @error (see above).

    @filename (the path the call was about, if any) becomes its
    ``filename``; ``strerror`` is GLib's message, which names the path.
    An exception that is already a Python one is returned as it is.
    """
    if isinstance(error, (OSError, ValueError)):
        return error
    if _is_closed_error(error):
        exc = _error_class(ValueError)('I/O operation on closed file.')
    else:
        code = _errno_of(error)
        if filename is not None:
            filename = os.fsdecode(filename)
        if code is None:
            exc = _error_class(OSError)(error.message)
        else:
            base = type(OSError(code, ''))
            exc = _error_class(base)(code, error.message, filename)
    exc.message = error.message
    exc.domain = error.domain
    exc.code = error.code
    return exc


def _errors_filename(obj):
    """The path a failed call on @obj is about, for the exception's
    ``filename``: a spooled file's directory (what fails there is its
    rollover, as CPython names it); None for the others."""
    if not isinstance(obj, SpooledTmpFile):
        return None
    try:
        return obj.props.dir or GTempfile.get_tempdir()
    except GLib.Error:
        return None


def _python_errors(method):
    """@method with its GLib.Error failures raised as _python_error()s."""
    def translated(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except GLib.Error as error:
            exc = _python_error(error,
                                _errors_filename(args[0]) if args else None)
            if exc is error:  # translated by a method this one called
                raise
            raise exc from error
    translated.__name__ = method.__name__
    translated.__qualname__ = method.__qualname__
    translated.__doc__ = method.__doc__
    translated.__wrapped__ = method
    return translated


_GLibError = GLib.Error


def _reraise(error, obj=None):
    """Raises the _python_error() for the GLib.Error @error of a call on
    @obj."""
    exc = _python_error(error, _errors_filename(obj))
    if exc is error:  # translated by a method the failing one called
        raise error
    raise exc from error


def _filename_arg(value):
    """@value (None, str, bytes or os.PathLike) for a GI file name argument.

    Bytes go through as they are, so a name that is not UTF-8 survives.
    """
    if value is None:
        return None
    value = os.fsencode(value)
    if b'\0' in value:
        raise ValueError('embedded null byte')
    return value


def _construct(self, props, dir, prefix, suffix):
    """Set the construct properties that were given, then run GInitable.init.

    @props: the other properties, a dict of the caller's own. Properties
    left out or None keep their C defaults (NULL dir means the default
    temporary directory, and so on), exactly as with the C constructors.
    Every object pays for this, so it does no more than it must: module
    attributes looked up once, no dictionary built when there is nothing
    to pass.
    """
    if props:
        if None in props.values():
            for key in [key for key, value in props.items() if value is None]:
                del props[key]
        if isinstance(props.get('mode'), str):
            # CPython's mode= is an open() mode; here it is the permission bits.
            raise TypeError("mode is the file's permission bits (an int such "
                            "as 0o600) here; for open() modes such as %r use "
                            "the gtempfile module (import gtempfile as "
                            "tempfile)" % props['mode'])
    if dir is not None:
        props['dir'] = _filename_property('dir', dir)
    if prefix is not None:
        props['prefix'] = _filename_property('prefix', prefix)
    if suffix is not None:
        props['suffix'] = _filename_property('suffix', suffix)
    # GObject.Object.__init__ directly: the parent classes' __init__ would be
    # our TmpFile override again and run init twice.
    if props:
        _object_init(self, **props)
    else:
        _object_init(self)
    try:
        _initable_init(self, None)
    except GLib.Error as error:
        raise _python_error(error, props.get('dir')) from error


class _BinaryFileMixin:
    """Python binary file methods on a GTmpFile, as fast as CPython's.

    The C object keeps no position of its own for a file on disk: its
    streams read and write the descriptor, whose kernel file offset is the
    one position (gtmp-filestore.c). So for a ``TmpFile``, a
    ``NamedTmpFile`` and a ``SpooledTmpFile`` that has rolled over, these
    methods use the descriptor directly (``os.read``, ``os.write``,
    ``os.lseek``), exactly as the streams do, and stay coherent with them at
    every step. A ``SpooledTmpFile`` still in memory is read, written and
    sought with one call into C each (``TmpFile.read_data``,
    ``write_data``, ``seek_to``), through the same lock as its streams.

    Line reading (``readline``, ``readlines``, iteration) reads ahead, as
    CPython's buffered files do, while nobody else can see the position:
    the lines read ahead are given back (the position moves back over them)
    by every other method of the object and when a ``for`` loop over the
    file ends or is left. Once the object has handed its streams or its
    descriptor to Python code (``get_input_stream()``,
    ``get_output_stream()``, ``get_fd()``, ``fileno()``), line reading
    reads no further than the line it returns, so the streams and the
    descriptor see the same position as these methods at every step. Only
    C code that reaches the streams without asking the Python object (or
    ``Gio.Seekable.tell(f)`` called unbound) can see a position past the
    line a loop is at.

    Like CPython's file objects, these methods keep the descriptor number:
    close the file through them (``close()``, ``with``, ``cleanup()``),
    not with ``Gio.IOStream.close(f)`` or from C, just as a Python file's
    descriptor must not be closed with ``os.close(f.fileno())``.

    ``iter(f)`` returns a new iterator over the lines rather than the file
    itself (its lines then come at C speed); one that has reached the end
    of the file stays there, so iterate again with a new ``for`` loop.
    ``next(f)`` reads a line as ``readline()`` does. Like CPython's
    ``FileIO`` and unlike its buffered files, these methods take no lock:
    a file read by lines in two threads at once needs the caller's.
    """

    # The per-object state of the methods below. Class attributes, so a
    # file that is only created and closed pays nothing for them.
    #
    # _io_fd: the descriptor the fast paths use, or _IO_MEMORY (a spooled
    #   file in memory: the C entry points), or _IO_UNKNOWN (ask the C object
    #   first: not known yet, closed, persisting, or lines read ahead).
    _io_fd = _IO_UNKNOWN
    # The lines read ahead: complete lines (a BytesIO and the length of its
    # contents) and the partial line after them.
    _rbuf = None
    _rlen = 0
    _rtail = b''
    # How the read-ahead was read: the descriptor or _IO_MEMORY.
    _rmode = _IO_UNKNOWN
    # Whether the BytesIO ends at the end of a line (line reading made it),
    # or anywhere (small reads of a spooled file in memory made it).
    _rlines = True
    # Whether the streams or the descriptor have been handed out: then line
    # reading and small reads keep nothing read ahead.
    _exposed = False
    # Another descriptor of the same open file that must stay this file's
    # (gtempfile's TemporaryFile keeps its own beside the GObject's): see
    # _follow_copy().
    _follower_fd = None

    def _follow_copy(self):
        """After a persist that copied the file (ALLOW_COPY to another file
        system: the copy takes over the object's descriptor number), moves
        _follower_fd onto the copy too, so that a Python file on it goes on
        with the saved file rather than the one left behind."""
        follower = self._follower_fd
        if follower is None:
            return
        fd = _get_fd(self)
        if not os.path.sameopenfile(fd, follower):
            os.dup2(fd, follower, inheritable=False)

    # --- the descriptor or the C entry points ------------------------------

    def _io_mode(self):
        """Gives back what was read ahead, and returns (and caches) the
        descriptor to use, or _IO_MEMORY; raises what the C object raises
        (closed, persist in flight)."""
        if self._rbuf is not None:
            self._give_back()
        mode = self._find_io_mode()
        self._io_fd = mode
        return mode

    def _find_io_mode(self):
        return _get_fd(self)

    def _release(self):
        """Before a call that may replace the descriptor (persist, cleanup)
        or shows the position to C: give back, forget the descriptor."""
        if self._rbuf is not None:
            self._give_back()
        if self._io_fd != _IO_UNKNOWN:
            self._io_fd = _IO_UNKNOWN

    def _drop_ahead(self):
        """Forgets the read-ahead without seeking back; a ``for`` loop over
        the file that is still running stops using it."""
        rbuf = self._rbuf
        ahead = self._rlen - rbuf.tell() + len(self._rtail)
        rbuf.seek(0, io.SEEK_END)
        self._rbuf = None
        self._rtail = b''
        return ahead

    def _give_back(self):
        ahead = self._drop_ahead()
        self._io_fd = _IO_UNKNOWN
        if ahead:
            self._raw_seek(-ahead, io.SEEK_CUR)

    def _raw_seek(self, offset, whence):
        mode = self._find_io_mode()
        if mode >= 0:
            return os.lseek(mode, offset, whence)
        return _seek_to(self, offset, whence)

    def _raw_read(self, mode, size):
        if mode >= 0:
            return os.read(mode, size)
        return _read_data(self, size, None)

    # --- state -------------------------------------------------------------

    @property
    def closed(self):
        return self.is_closed()

    # As io's files: a closed file says so (ValueError), whatever it is asked.
    def readable(self):
        if self._io_fd < 0 and self.is_closed():
            raise _closed_file()
        return True

    def writable(self):
        if self._io_fd < 0 and self.is_closed():
            raise _closed_file()
        return True

    def seekable(self):
        if self._io_fd < 0 and self.is_closed():
            raise _closed_file()
        return _Seekable.can_seek(self)

    def isatty(self):
        if self._io_fd < 0 and self.is_closed():
            raise _closed_file()
        return False

    @_python_errors
    def fileno(self):
        """The descriptor, owned by the object (do not close it).

        A ``SpooledTmpFile`` rolls over to disk first, like CPython's.
        """
        return self.get_fd()

    def _expose(self):
        self._release()
        if not self._exposed:
            self._exposed = True

    def get_fd(self):
        self._expose()
        return _get_fd(self)

    def get_input_stream(self):
        self._expose()
        return _IOStream.get_input_stream(self)

    def get_output_stream(self):
        self._expose()
        return _IOStream.get_output_stream(self)

    @_python_errors
    def close(self, cancellable=None):
        """Close the stream; closing twice is harmless, in GIO and Python."""
        if self._rbuf is not None:
            self._drop_ahead()
        if self._io_fd != _IO_UNKNOWN:
            self._io_fd = _IO_UNKNOWN
        _IOStream.close(self, cancellable)

    def close_async(self, *args, **kwargs):
        if self._rbuf is not None:
            self._drop_ahead()
        if self._io_fd != _IO_UNKNOWN:
            self._io_fd = _IO_UNKNOWN
        return _IOStream.close_async(self, *args, **kwargs)

    @_python_errors
    def flush(self):
        # Unbuffered: only a closed file has something to say.
        if self._io_fd < 0:
            _IOStream.get_output_stream(self).flush(None)

    # --- reading -----------------------------------------------------------

    def read(self, size=-1):
        """Read up to @size bytes (all that is left when @size is negative)."""
        try:
            if size.__class__ is not int and size is not None:
                # As io's read(): an integer or None (1.5 is a TypeError,
                # even on a closed file).
                size = _index(size)
            if size is not None and size >= 0:
                rbuf = self._rbuf
                if rbuf is not None:
                    data = rbuf.read(size)
                    if len(data) == size:
                        return data
                    return self._read_buffered(size, data)
                fd = self._io_fd
                if fd >= 0:
                    data = os.read(fd, size)
                elif fd == _IO_MEMORY:
                    if size < _READ_AHEAD_SIZE and not self._exposed:
                        return self._read_buffered(size, b'')
                    data = _read_data(self, size, None)
                else:
                    fd = self._io_mode()
                    if fd == _IO_MEMORY and size < _READ_AHEAD_SIZE and not self._exposed:
                        return self._read_buffered(size, b'')
                    data = self._raw_read(fd, size)
                if len(data) == size or not data:
                    return data
                return self._read_more(fd, [data], size - len(data))
            fd = self._io_fd
            if fd == _IO_UNKNOWN:
                fd = self._io_mode()
            return self._read_all(fd)
        except _GLibError as error:
            _reraise(error)

    def _read_buffered(self, size, head):
        """Reads @size bytes through the read-ahead, @head being what the
        BytesIO gave; in memory, a small read fills it again.

        One call into C costs more than copying a few kilobytes, so a
        spooled file in memory is read _READ_AHEAD_SIZE at a time, as
        CPython's buffered files read their buffer's size.
        """
        pieces = [head] if head else []
        need = size - len(head)
        if self._rbuf is not None:
            # The BytesIO is used up: then the partial line after it.
            tail = self._rtail
            if tail:
                piece = tail[:need]
                self._rtail = tail[len(piece):]
                pieces.append(piece)
                need -= len(piece)
                if need == 0:
                    return b''.join(pieces)
            # Nothing left ahead; what filled it is still the way to read
            # (a close or a persist would have dropped it).
            self._rbuf = None
            mode = self._rmode
        else:
            mode = self._io_mode()
        if mode == _IO_MEMORY and need < _READ_AHEAD_SIZE and not self._exposed:
            data = _read_data(self, _READ_AHEAD_SIZE, None)
            if len(data) > need:
                rbuf = _ReadAhead(data)
                self._rbuf = rbuf
                self._rlen = len(data)
                self._rtail = b''
                self._rlines = False
                self._rmode = mode
                self._io_fd = _IO_UNKNOWN
                pieces.append(rbuf.read(need))
                return b''.join(pieces)
            pieces.append(data)
            return b''.join(pieces)
        data = self._raw_read(mode, need)
        pieces.append(data)
        if len(data) == need or not data:
            return b''.join(pieces)
        return self._read_more(mode, pieces, need - len(data))

    def _read_more(self, mode, pieces, remaining):
        """Reads until @remaining more bytes or the end of the file."""
        while remaining > 0:
            # A chunk at a time: "the rest" is 1 << 62 (read_data caps it
            # at what there is in memory).
            data = self._raw_read(mode, min(remaining, _CHUNK_SIZE) if mode >= 0 else remaining)
            if not data:
                break
            pieces.append(data)
            remaining -= len(data)
        return b''.join(pieces)

    def _read_all(self, mode):
        if mode >= 0:
            # One read of what is left, as FileIO.readall() does.
            left = os.fstat(mode).st_size - os.lseek(mode, 0, io.SEEK_CUR)
            data = os.read(mode, max(left, 0) + 1)
            if len(data) <= left:
                return self._read_more(mode, [data], 1 << 62)
            return data
        return self._read_more(mode, [], 1 << 62)

    def read1(self, size=-1):
        try:
            if size is None or size < 0:
                size = _CHUNK_SIZE
            fd = self._io_fd
            if fd == _IO_UNKNOWN:
                fd = self._io_mode()
            return self._raw_read(fd, size)
        except _GLibError as error:
            _reraise(error)

    def readall(self):
        return self.read()

    def readinto(self, buffer):
        try:
            fd = self._io_fd
            if fd >= 0:
                n = os.readv(fd, (buffer,))
                if n == 0 or n == len(buffer):
                    return n
                return self._readinto_more(fd, memoryview(buffer).cast('B'), n)
            if fd == _IO_UNKNOWN:
                fd = self._io_mode()
            return self._readinto_more(fd, memoryview(buffer).cast('B'), 0)
        except _GLibError as error:
            _reraise(error)

    def _readinto_more(self, mode, view, n):
        while n < len(view):
            if mode >= 0:
                got = os.readv(mode, (view[n:],))
            else:
                data = _read_data(self, len(view) - n, None)
                got = len(data)
                view[n:n + got] = data
            if got == 0:
                break
            n += got
        return n

    def readinto1(self, buffer):
        view = memoryview(buffer).cast('B')
        data = self.read1(len(view))
        view[:len(data)] = data
        return len(data)

    def readline(self, size=-1):
        """Read one line, including its b'\\n' (at most @size bytes)."""
        try:
            rbuf = self._rbuf
            if rbuf is not None and (size is None or size < 0) and self._rlines:
                line = rbuf.readline()
                if line:
                    return line
            return self._readline(-1 if size is None or size < 0 else size)
        except _GLibError as error:
            _reraise(error)

    def _readline(self, size):
        if size == 0:
            # Still a read: a closed file says so.
            if self._io_fd == _IO_UNKNOWN and self._rbuf is None:
                self._io_mode()
            return b''
        if self._exposed:
            return self._readline_exact(size)
        while True:
            rbuf = self._rbuf
            if rbuf is not None and not self._rlines:
                # Read ahead by read(): again, up to the ends of lines.
                self._give_back()
                rbuf = None
            if rbuf is not None:
                line = rbuf.readline(size)
                if line:
                    return line
                tail = self._rtail
                if 0 < size <= len(tail):
                    self._rtail = tail[size:]
                    return tail[:size]
            last = self._read_ahead(size)
            if last is not None:
                return last

    def _readline_exact(self, size):
        """Reads a line in chunks and seeks back over what follows it."""
        mode = self._io_fd
        if mode == _IO_UNKNOWN:
            mode = self._io_mode()
        pieces = []
        have = 0
        while size < 0 or have < size:
            want = _LINE_CHUNK_SIZE if size < 0 else min(_LINE_CHUNK_SIZE, size - have)
            data = self._raw_read(mode, want)
            if not data:
                break
            end = data.find(b'\n') + 1
            if end:
                if end < len(data):
                    if mode >= 0:
                        os.lseek(mode, end - len(data), io.SEEK_CUR)
                    else:
                        _seek_to(self, end - len(data), io.SEEK_CUR)
                    data = data[:end]
                pieces.append(data)
                break
            pieces.append(data)
            have += len(data)
        return b''.join(pieces)

    def _read_ahead(self, want=-1, chunk_size=_LINE_CHUNK_SIZE):
        """With no complete line read ahead, reads on until a newline, the
        end of the file or @want bytes (when >= 0) and keeps what it read
        as the read-ahead. Returns None, or at the end of the file the last
        line (b'' when there is none), which it does not keep."""
        mode = self._find_io_mode()
        tail = self._rtail
        if self._rbuf is not None:
            self._rbuf.seek(0, io.SEEK_END)
        self._rbuf = None
        self._rtail = b''
        self._io_fd = _IO_UNKNOWN
        pieces = [tail] if tail else []
        have = len(tail)
        while True:
            try:
                data = self._raw_read(mode, chunk_size)
            except BaseException:
                # Nothing lost: the position is where the line began.
                if have:
                    self._raw_seek(-have, io.SEEK_CUR)
                raise
            if not data:
                break
            pieces.append(data)
            have += len(data)
            if b'\n' in data or 0 <= want <= have:
                break
        data = b''.join(pieces) if len(pieces) != 1 else pieces[0]
        end = data.rfind(b'\n') + 1
        if end == 0 and not (0 <= want <= have):
            # The end of the file, and no newline before it.
            return data
        self._rbuf = _ReadAhead(data if end == len(data) else data[:end])
        self._rlen = end
        self._rtail = data[end:]
        self._rmode = mode
        if not self._rlines:
            self._rlines = True
        return None

    def readlines(self, hint=-1):
        if hint is None or hint <= 0:
            return list(self)
        lines = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            # Past the hint, as io's files (IOBase.readlines); BytesIO
            # stops when it is reached.
            if total > hint:
                break
        return lines

    def __iter__(self):
        # itertools.chain's __next__ and BytesIO's are C: a line costs no
        # Python code, only each read-ahead does (_line_batches).
        return _chain_lines(self._line_batches())

    def _line_batches(self):
        """The lines of a ``for`` loop, in batches: the read-ahead BytesIO
        (its lines, up to the ends of lines), or a one-line tuple."""
        try:
            try:
                while True:
                    rbuf = self._rbuf
                    if rbuf is not None and not self._rlines:
                        # Read ahead by read(): again, up to the ends of lines.
                        self._give_back()
                        rbuf = None
                    if rbuf is not None:
                        yield rbuf
                        if self._rbuf is not rbuf:
                            # Given back meanwhile: go on from the position.
                            continue
                    if self._exposed:
                        line = self._readline_exact(-1)
                        if not line:
                            return
                        yield (line,)
                        continue
                    last = self._read_ahead(-1, _ITER_CHUNK_SIZE)
                    if last is not None:
                        if last:
                            yield (last,)
                        return
            finally:
                if self._rbuf is not None:
                    try:
                        self._give_back()
                    except Exception:
                        # Closed under the loop: there is no position to keep.
                        self._rbuf = None
                        self._rtail = b''
        except _GLibError as error:
            _reraise(error)

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    # --- writing -----------------------------------------------------------

    def write(self, data):
        """Write all of @data and return its length in bytes."""
        try:
            fd = self._io_fd
            if fd >= 0:
                n = os.write(fd, data)
                if n == len(data):
                    return n
                return self._write_rest(fd, data, n)
            if fd == _IO_MEMORY and data.__class__ is bytes:
                _write_data(self, data, None)
                self._after_memory_write()
                return len(data)
            if fd == _IO_UNKNOWN:
                # As io's write(): the argument is checked first (a str
                # given to a closed file is a TypeError).
                memoryview(data)
                fd = self._io_mode()
            return self._write_rest(fd, data, 0)
        except _GLibError as error:
            # A spooled file's write may roll it over.
            _reraise(error, self)

    def _write_rest(self, mode, data, n):
        view = memoryview(data).cast('B')
        if mode >= 0:
            while n < len(view):
                n += os.write(mode, view[n:])
            return n
        _write_data(self, view.tobytes() if type(data) is not bytes else data, None)
        self._after_memory_write()
        return len(view)

    def _after_memory_write(self):
        pass

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    # --- position and size -------------------------------------------------

    def seek(self, offset, whence=io.SEEK_SET, cancellable=None):
        """Move to @offset relative to @whence and return the new position.

        @whence is ``os.SEEK_SET``/``SEEK_CUR``/``SEEK_END`` or a
        ``GLib.SeekType``; the GIO-style call ``f.seek(0, GLib.SeekType.SET,
        None)`` therefore still works.
        """
        try:
            fd = self._io_fd
            if whence.__class__ is int and 0 <= whence <= 2 and cancellable is None:
                if fd >= 0:
                    return os.lseek(fd, offset, whence)
                if fd == _IO_MEMORY:
                    if offset.__class__ is not int:
                        # As io's seek(): an integer (1.5: TypeError).
                        offset = _index(offset)
                    return _seek_to(self, offset, whence)
            if isinstance(whence, _SeekType):
                whence = _SEEK_TYPE_TO_WHENCE[whence]
            elif whence not in _SEEK_TYPE_TO_WHENCE.values():
                if whence.__class__ is not int:
                    _index(whence)
                if whence in _SEEK_DATA_HOLE:
                    # As io's files: the descriptor's (a file in memory
                    # has none, and refuses them as BytesIO does).
                    mode = self._io_mode()
                    if mode >= 0:
                        return os.lseek(mode, offset, whence)
                raise ValueError('invalid whence (%r)' % (whence,))
            if offset.__class__ is not int:
                # As io's seek(): an integer, checked once the file is
                # known to be open, before anything moves.
                if self.is_closed():
                    self._io_mode()
                offset = _index(offset)
            if self._rbuf is not None:
                if whence == io.SEEK_CUR:
                    # Relative to the position the caller knows.
                    offset -= self._drop_ahead()
                else:
                    self._drop_ahead()
            self._io_mode()
            if cancellable is not None and cancellable.is_cancelled():
                # As a GIO seek would say.
                cancellable.set_error_if_cancelled()
            return _seek_to(self, offset, whence)
        except _GLibError as error:
            _reraise(error)

    def tell(self):
        try:
            fd = self._io_fd
            if fd >= 0:
                return os.lseek(fd, 0, io.SEEK_CUR)
            if fd == _IO_MEMORY:
                return _file_io_tell(self)
            if self._rbuf is not None:
                # Without moving: the file's position less what is read ahead.
                rbuf = self._rbuf
                ahead = self._rlen - rbuf.tell() + len(self._rtail)
                return self._raw_seek(0, io.SEEK_CUR) - ahead
            try:
                mode = self._io_mode()
            except _GLibError as error:
                # A persist in flight holds the descriptor back, but the C
                # object's tell() is not refused (nor is it here).
                if not error.matches(Gio.io_error_quark(),
                                     Gio.IOErrorEnum.PENDING):
                    raise
                return _file_io_tell(self)
            if mode >= 0:
                return os.lseek(mode, 0, io.SEEK_CUR)
            return _seek_to(self, 0, io.SEEK_CUR)
        except _GLibError as error:
            _reraise(error)

    @_python_errors
    def truncate(self, size=None, cancellable=None):
        """Resize to @size (the current position by default); return it.

        The position does not move, as with Python files.
        """
        self._release()
        if size is None:
            size = _Seekable.tell(self)
        _Seekable.truncate(self, size, cancellable)
        return size

    # --- context manager ---------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()


def _closed_file():
    return ValueError('I/O operation on closed file.')


class _ReadAhead(io.BytesIO):
    """Lines read ahead, iterated at C speed by ``yield from``.

    Closing a generator closes the iterator it delegates to; this one stays
    open, so the generator's ``finally`` can still tell how much of it is
    left to give back.
    """

    __slots__ = ()

    def close(self):
        pass




# The one-call entry points, looked up once.
_read_data = GTempfile.TmpFile.read_data
_write_data = GTempfile.TmpFile.write_data
_seek_to = GTempfile.TmpFile.seek_to
_get_fd = GTempfile.TmpFile.get_fd
_file_io_tell = Gio.FileIOStream.tell
_chain_lines = itertools.chain.from_iterable
_index = operator.index
# SEEK_DATA and SEEK_HOLE, where the platform has them.
_SEEK_DATA_HOLE = tuple(getattr(os, name) for name in ('SEEK_DATA', 'SEEK_HOLE')
                        if hasattr(os, name))

def _file_names(function, positions, release=False, after=None):
    """@function with the file names at @positions of its arguments (or
    given by keyword) taken as str, bytes or os.PathLike, as the override's
    own methods take them, and its GLib.Error failures raised as
    _python_error()s naming the first of them. With @release, a method
    that may take the file's position elsewhere (persist_at) gives back what
    line reading read ahead first."""
    info = getattr(function, '__wrapped__', function)
    try:
        arg_names = [a.get_name() for a in info.get_arguments()]
    except AttributeError:
        arg_names = []
    if info.is_method():
        arg_names.insert(0, 'self')
    keywords = [arg_names[i] for i in positions if i < len(arg_names)]

    def wrapper(*args, **kwargs):
        if release:
            args[0]._release()
        args = list(args)
        named = None
        for i in positions:
            if i < len(args):
                if named is None:
                    named = args[i]
                args[i] = _filename_arg(args[i])
        for key in keywords:
            if key in kwargs:
                if named is None:
                    named = kwargs[key]
                kwargs[key] = _filename_arg(kwargs[key])
        try:
            result = function(*args, **kwargs)
        except GLib.Error as error:
            exc = _python_error(error, named)
            if exc is error:
                raise
            raise exc from error
        if after is not None:
            after(args[0])
        return result
    wrapper.__name__ = info.get_name()
    wrapper.__doc__ = getattr(function, '__doc__', None)
    return wrapper


# The batch of functions whose file name arguments are (type filename):
# PyGObject takes str and bytes there but not os.PathLike.
for _name in ('persist_at', 'persist_at_async'):
    if hasattr(GTempfile.TmpFile, _name):
        setattr(_BinaryFileMixin, _name,
                _file_names(getattr(GTempfile.TmpFile, _name), (2,),
                            release=True,
                            after=(_BinaryFileMixin._follow_copy
                                   if _name == 'persist_at' else None)))
del _name


def _constructors(cls, **positions):
    """The staticmethods for @cls's constructors named in @positions."""
    return {name: staticmethod(_file_names(getattr(cls, name), where))
            for name, where in positions.items() if hasattr(cls, name)}


@override
class TmpFile(_BinaryFileMixin, GTempfile.TmpFile):
    """An anonymous temporary file that is also a Python binary file.

    ``TmpFile(dir=None, prefix=None, suffix=None, **properties)``
    """

    def __init__(self, *, dir=None, prefix=None, suffix=None, **properties):
        _construct(self, properties, dir, prefix, suffix)

    locals().update(_constructors(GTempfile.TmpFile, new_full=(0, 1, 2),
                                  new_at=(1, 2, 3)))

    def persist(self, path, flags=GTempfile.TmpPersistFlags.NONE,
                cancellable=None):
        """Give the file the permanent name @path (str, bytes, PathLike)."""
        self._release()
        try:
            ok = GTempfile.TmpFile.persist(self, _filename_arg(path), flags,
                                           cancellable)
        except GLib.Error as error:
            raise _python_error(error, path) from error
        self._follow_copy()
        return ok

    def persist_async(self, path, flags, io_priority, cancellable, callback,
                      *user_data):
        # While it runs, the C object refuses every operation (pending).
        self._release()
        GTempfile.TmpFile.persist_async(self, _filename_arg(path), flags,
                                        io_priority, cancellable, callback,
                                        *user_data)

    @_python_errors
    def persist_finish(self, result):
        ok = GTempfile.TmpFile.persist_finish(self, result)
        self._follow_copy()
        return ok

    @_python_errors
    def persist_at_finish(self, result):
        ok = GTempfile.TmpFile.persist_at_finish(self, result)
        self._follow_copy()
        return ok


# The I/O methods raise Python's exceptions too (ValueError on a closed
# file, tell() included, as Python's files do): those that call into C
# translate in their own except clause (free until something fails, where a
# wrapper would cost a Python call each time); the others (readall,
# readinto1, readlines, __next__, writelines) call those.

# isinstance(f, io.IOBase) holds, as for Python's file objects (the
# subclasses below inherit it).
io.IOBase.register(TmpFile)

__all__.append('TmpFile')


# GTmpFile's override is registered above, so the introspection classes of
# the subclasses below are built on it and inherit the file methods.

@override
class NamedTmpFile(GTempfile.NamedTmpFile):
    """A temporary file with a path; leaving a ``with`` block calls cleanup().

    ``NamedTmpFile(dir=None, prefix=None, suffix=None, delete=True,
    delete_on_close=True, **properties)``
    """

    def __init__(self, *, dir=None, prefix=None, suffix=None, delete=None,
                 delete_on_close=None, **properties):
        if delete is not None:
            properties['delete'] = delete
        if delete_on_close is not None:
            properties['delete_on_close'] = delete_on_close
        _construct(self, properties, dir, prefix, suffix)

    locals().update(_constructors(GTempfile.NamedTmpFile,
                                  new_full=(0, 1, 2), new_at=(1, 2, 3)))

    @property
    def name(self):
        """The absolute path of the file, as ``get_path()``."""
        return self.get_path()

    @property
    def path(self):
        return self.get_path()

    # The GObject properties as attributes, so that "f.delete = False"
    # reaches the object rather than a Python attribute of the wrapper.
    delete = property(GTempfile.NamedTmpFile.get_delete,
                      GTempfile.NamedTmpFile.set_delete,
                      doc='Whether the file is unlinked (the "delete" '
                          'property).')
    delete_on_close = property(
        GTempfile.NamedTmpFile.get_delete_on_close,
        GTempfile.NamedTmpFile.set_delete_on_close,
        doc='Whether closing unlinks it (the "delete-on-close" property).')

    def cleanup(self, cancellable=None):
        """Close if open and unlink now unless delete is false."""
        # Closes the file: the file methods forget its descriptor first.
        if self._rbuf is not None:
            self._drop_ahead()
        if self._io_fd != _IO_UNKNOWN:
            self._io_fd = _IO_UNKNOWN
        try:
            return GTempfile.NamedTmpFile.cleanup(self, cancellable)
        except GLib.Error as error:
            raise _python_error(error, self.props.path) from error

    def __exit__(self, exc_type, exc_value, traceback):
        # Closes, then unlinks unless delete is false (CPython 3.12).
        self.cleanup(None)


__all__.append('NamedTmpFile')


@override
class SpooledTmpFile(GTempfile.SpooledTmpFile):
    """A file kept in memory until it grows past max_size.

    ``SpooledTmpFile(max_size=0, dir=None, prefix=None, suffix=None,
    **properties)``; ``max_size`` 0 means never roll over on size.
    """

    def __init__(self, max_size=0, *, dir=None, prefix=None, suffix=None,
                 **properties):
        if max_size:
            properties['max_size'] = max_size
        _construct(self, properties, dir, prefix, suffix)

    locals().update(_constructors(GTempfile.SpooledTmpFile,
                                  new_full=(1, 2, 3)))

    # In memory, the file methods call TmpFile.read_data and friends (one
    # call into C each); once rolled over, the descriptor, as TmpFile's do.
    _spool_limit = 0

    def _find_io_mode(self):
        if GTempfile.SpooledTmpFile.is_rolled_over(self):
            return _get_fd(self)
        if self.is_closed():
            # Not cached as in memory: raises the C object's CLOSED error.
            _seek_to(self, 0, io.SEEK_CUR)
        self._spool_limit = GTempfile.SpooledTmpFile.get_max_size(self)
        return _IO_MEMORY

    def _after_memory_write(self):
        # Only a write can take the file past max_size behind our back.
        if self._spool_limit and GTempfile.SpooledTmpFile.is_rolled_over(self):
            self._io_fd = _IO_UNKNOWN

    @_python_errors
    def rollover(self, cancellable=None):
        """Move the data to disk now (once; later calls do nothing)."""
        # What was read ahead in memory goes back; the descriptor comes next.
        self._release()
        return GTempfile.SpooledTmpFile.rollover(self, cancellable)


__all__.append('SpooledTmpFile')


@override
class TmpDir(GTempfile.TmpDir):
    """A temporary directory removed with everything in it.

    ``TmpDir(dir=None, prefix=None, suffix=None, delete=True,
    ignore_cleanup_errors=False, **properties)``

    As with CPython's ``TemporaryDirectory``, ``with TmpDir() as path:`` binds
    the path string, and leaving the block calls ``cleanup()`` unless
    ``delete`` is false. With ``delete=False`` neither the block's end nor
    dropping the object removes the directory, but an explicit
    ``cleanup()`` (or ``cleanup_async()``) does.
    """

    def __init__(self, *, dir=None, prefix=None, suffix=None, delete=None,
                 ignore_cleanup_errors=None, **properties):
        if delete is not None:
            properties['delete'] = delete
        if ignore_cleanup_errors is not None:
            properties['ignore_cleanup_errors'] = ignore_cleanup_errors
        _construct(self, properties, dir, prefix, suffix)

    locals().update(_constructors(GTempfile.TmpDir, new_full=(0, 1, 2),
                                  new_at=(1, 2, 3)))

    persist = _file_names(GTempfile.TmpDir.persist, (1,))
    persist.__doc__ = """Rename the directory to @path (str, bytes or
        os.PathLike); it is no longer removed (see the C documentation for
        the flags)."""
    persist_async = _file_names(GTempfile.TmpDir.persist_async, (1,))

    @_python_errors
    def persist_finish(self, result):
        return GTempfile.TmpDir.persist_finish(self, result)

    @property
    def name(self):
        """The absolute path of the directory, as ``get_path()``."""
        return self.get_path()

    @property
    def path(self):
        return self.get_path()

    delete = property(GTempfile.TmpDir.get_delete,
                      GTempfile.TmpDir.set_delete,
                      doc='Whether the directory is removed (the "delete" '
                          'property).')
    ignore_cleanup_errors = property(
        GTempfile.TmpDir.get_ignore_cleanup_errors,
        GTempfile.TmpDir.set_ignore_cleanup_errors,
        doc='The "ignore-cleanup-errors" property.')

    def cleanup(self, cancellable=None):
        """Remove the directory and everything in it now."""
        try:
            return GTempfile.TmpDir.cleanup(self, cancellable)
        except GLib.Error as error:
            raise _python_error(error, self.props.path) from error

    @_python_errors
    def cleanup_finish(self, result):
        return GTempfile.TmpDir.cleanup_finish(self, result)

    def __enter__(self):
        return self.get_path()

    def __exit__(self, exc_type, exc_value, traceback):
        # CPython 3.12: the block's end cleans up only when delete is true.
        if self.get_delete():
            self.cleanup(None)

    def __fspath__(self):
        return self.get_path()


__all__.append('TmpDir')


# --- module functions ------------------------------------------------------
#
# The GObject order (dir, prefix, suffix) stays; file names may be str,
# bytes or os.PathLike, and failures raise Python's exceptions as above.
# CPython's argument order is the gtempfile package's.

def _named_call(function, dir, prefix, suffix):
    """@function (dir, prefix, suffix) with the names as the C API takes
    them, its GLib.Error raised as the matching OSError naming @dir."""
    try:
        return function(_filename_arg(dir), _filename_arg(prefix),
                        _filename_arg(suffix))
    except GLib.Error as error:
        raise _python_error(error, dir) from error


def mkstemp(dir=None, prefix=None, suffix=None):
    """Create and open a new file: ``(fd, path)``; close ``fd`` yourself."""
    return _named_call(GTempfile.mkstemp, dir, prefix, suffix)


def mkdtemp(dir=None, prefix=None, suffix=None):
    """Create a new directory (0700) and return its path."""
    return _named_call(GTempfile.mkdtemp, dir, prefix, suffix)


def mktemp(dir=None, prefix=None, suffix=None):
    """A name that did not exist when asked (unsafe: prefer mkstemp)."""
    return _named_call(GTempfile.mktemp, dir, prefix, suffix)


@_python_errors
def get_tempdir():
    """The default directory for temporary files."""
    return GTempfile.get_tempdir()


def set_tempdir(dir=None):
    """Use @dir as the default directory (None: search again next time)."""
    GTempfile.set_tempdir(_filename_arg(dir))


__all__ += ['mkstemp', 'mkdtemp', 'mktemp', 'get_tempdir', 'set_tempdir']

# The module functions of the C API's modes, directory descriptors and
# sweeping, in their C argument order; file names as str, bytes or
# os.PathLike, failures as Python's exceptions.
for _name, _positions in (('open_anonymous', (0,)),
                          ('adopt_anonymous', ()),
                          ('mkstemp_full', (0, 1, 2)),
                          ('mkdtemp_full', (0, 1, 2)),
                          ('mkstemp_at', (1, 2, 3)),
                          ('mkdtemp_at', (1, 2, 3)),
                          ('sweep', (0, 1, 2)),
                          ('sweep_async', (0, 1, 2))):
    if hasattr(GTempfile, _name):
        globals()[_name] = _file_names(getattr(GTempfile, _name), _positions)
        __all__.append(_name)


@_python_errors
def sweep_finish(result):
    return GTempfile.sweep_finish(result)


__all__.append('sweep_finish')
del _name, _positions
