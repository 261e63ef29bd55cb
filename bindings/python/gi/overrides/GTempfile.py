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

* ``persist()``, ``mkstemp()``, ``mkdtemp()``, ``mktemp()`` and
  ``set_tempdir()`` take file names as ``str``, ``bytes`` or
  ``os.PathLike``, in the GObject order ``(dir, prefix, suffix)``.
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

Everything is a thin call into the GIO streams of the C object; the C
library keeps the bytes. ``seek``, ``tell`` and ``truncate`` follow Python's
conventions (they return positions and sizes); they also accept the GIO
arguments (a ``GLib.SeekType``, a trailing cancellable), and the original
GIO methods stay reachable as ``Gio.Seekable.seek(f, ...)`` and so on.
"""

import errno
import io
import os

from gi.repository import GLib, GObject, Gio

from ..module import get_introspection_module
from ..overrides import override

GTempfile = get_introspection_module('GTempfile')

__all__ = []

# Read in pieces of this size when the caller asks for "everything" or for
# a line; large enough that a syscall per piece does not matter.
_CHUNK_SIZE = 64 * 1024

_WHENCE_TO_SEEK_TYPE = {
    io.SEEK_SET: GLib.SeekType.SET,
    io.SEEK_CUR: GLib.SeekType.CUR,
    io.SEEK_END: GLib.SeekType.END,
}


def _next_request(remaining):
    """How much to read next: a chunk, or what is left of @remaining (>= 0)."""
    return _CHUNK_SIZE if remaining < 0 else min(remaining, _CHUNK_SIZE)


# The construct properties that hold file names.
_FILENAME_PROPERTIES = ('dir', 'prefix', 'suffix')


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


def _python_errors(method):
    """@method with its GLib.Error failures raised as _python_error()s."""
    def translated(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except GLib.Error as error:
            exc = _python_error(error)
            if exc is error:  # translated by a method this one called
                raise
            raise exc from error
    translated.__name__ = method.__name__
    translated.__qualname__ = method.__qualname__
    translated.__doc__ = method.__doc__
    translated.__wrapped__ = method
    return translated


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


def _construct(self, props):
    """Set the construct properties that were given, then run GInitable.init.

    Properties left out keep their C defaults (NULL dir means the default
    temporary directory, and so on), exactly as with the C constructors.
    """
    props = {key: value for key, value in props.items() if value is not None}
    if isinstance(props.get('mode'), str):
        # CPython's mode= is an open() mode; here it is the permission bits.
        raise TypeError("mode is the file's permission bits (an int such as "
                        "0o600) here; for open() modes such as %r use the "
                        "gtempfile module (import gtempfile as tempfile)"
                        % props['mode'])
    for name in _FILENAME_PROPERTIES:
        if name in props:
            props[name] = _filename_property(name, props[name])
    # GObject.Object.__init__ directly: the parent classes' __init__ would be
    # our TmpFile override again and run init twice.
    GObject.Object.__init__(self, **props)
    try:
        self.init(None)
    except GLib.Error as error:
        raise _python_error(error, props.get('dir')) from error


class _BinaryFileMixin:
    """Python binary file methods on top of a GTmpFile's GIO streams."""

    # --- state -------------------------------------------------------------

    @property
    def closed(self):
        return self.is_closed()

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return Gio.Seekable.can_seek(self)

    def isatty(self):
        return False

    @_python_errors
    def fileno(self):
        """The descriptor, owned by the object (do not close it).

        A ``SpooledTmpFile`` rolls over to disk first, like CPython's.
        """
        return self.get_fd()

    @_python_errors
    def close(self, cancellable=None):
        """Close the stream; closing twice is harmless, in GIO and Python."""
        Gio.IOStream.close(self, cancellable)

    @_python_errors
    def flush(self):
        self.get_output_stream().flush(None)

    # --- reading -----------------------------------------------------------

    def _read_some(self, count):
        """One read of at most @count bytes; b'' only at end of file."""
        return self.get_input_stream().read_bytes(count, None).get_data()

    def read(self, size=-1):
        """Read up to @size bytes (all that is left when @size is negative)."""
        if size is None:
            size = -1
        pieces = []
        remaining = size
        while remaining != 0:
            chunk = self._read_some(_next_request(remaining))
            if not chunk:
                break
            pieces.append(chunk)
            if remaining > 0:
                remaining -= len(chunk)
        return b''.join(pieces)

    def read1(self, size=-1):
        if size is None or size < 0:
            size = _CHUNK_SIZE
        return self._read_some(size)

    def readall(self):
        return self.read()

    def readinto(self, buffer):
        view = memoryview(buffer).cast('B')
        data = self.read(len(view))
        view[:len(data)] = data
        return len(data)

    def readinto1(self, buffer):
        view = memoryview(buffer).cast('B')
        data = self.read1(len(view))
        view[:len(data)] = data
        return len(data)

    def readline(self, size=-1):
        """Read one line, including its b'\\n'.

        Reads ahead in chunks and seeks back over what follows the newline,
        so the position ends right after the line as a buffered file's would.
        """
        if size is None:
            size = -1
        pieces = []
        remaining = size
        while remaining != 0:
            chunk = self._read_some(_next_request(remaining))
            if not chunk:
                break
            newline = chunk.find(b'\n')
            if newline >= 0:
                extra = len(chunk) - (newline + 1)
                if extra:
                    Gio.Seekable.seek(self, -extra, GLib.SeekType.CUR, None)
                pieces.append(chunk[:newline + 1])
                break
            pieces.append(chunk)
            if remaining > 0:
                remaining -= len(chunk)
        return b''.join(pieces)

    def readlines(self, hint=-1):
        if hint is None or hint <= 0:
            return list(self)
        lines = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if total >= hint:
                break
        return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    # --- writing -----------------------------------------------------------

    def write(self, data):
        """Write all of @data and return its length in bytes."""
        data = bytes(memoryview(data).cast('B'))
        self.get_output_stream().write_all(data, None)
        return len(data)

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
        if isinstance(whence, GLib.SeekType):
            seek_type = whence
        else:
            try:
                seek_type = _WHENCE_TO_SEEK_TYPE[whence]
            except KeyError:
                raise ValueError('invalid whence (%r)' % (whence,)) from None
        Gio.Seekable.seek(self, offset, seek_type, cancellable)
        return Gio.Seekable.tell(self)

    def tell(self):
        return Gio.Seekable.tell(self)

    @_python_errors
    def truncate(self, size=None, cancellable=None):
        """Resize to @size (the current position by default); return it.

        The position does not move, as with Python files.
        """
        if size is None:
            size = Gio.Seekable.tell(self)
        Gio.Seekable.truncate(self, size, cancellable)
        return size

    # --- context manager ---------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()


@override
class TmpFile(_BinaryFileMixin, GTempfile.TmpFile):
    """An anonymous temporary file that is also a Python binary file.

    ``TmpFile(dir=None, prefix=None, suffix=None, **properties)``
    """

    def __init__(self, *, dir=None, prefix=None, suffix=None, **properties):
        _construct(self, dict(properties, dir=dir, prefix=prefix,
                              suffix=suffix))

    def persist(self, path, flags=GTempfile.TmpPersistFlags.NONE,
                cancellable=None):
        """Give the file the permanent name @path (str, bytes, PathLike)."""
        try:
            return GTempfile.TmpFile.persist(self, _filename_arg(path), flags,
                                             cancellable)
        except GLib.Error as error:
            raise _python_error(error, path) from error

    def persist_async(self, path, flags, io_priority, cancellable, callback,
                      *user_data):
        GTempfile.TmpFile.persist_async(self, _filename_arg(path), flags,
                                        io_priority, cancellable, callback,
                                        *user_data)

    @_python_errors
    def persist_finish(self, result):
        return GTempfile.TmpFile.persist_finish(self, result)


# The I/O methods raise Python's exceptions too; tell() on a closed file
# raises ValueError like Python files (GIO's answers 0).
for _method in ('read', 'read1', 'readall', 'readinto', 'readinto1',
                'readline', 'readlines', '__next__', 'write', 'writelines',
                'seek'):
    setattr(_BinaryFileMixin, _method,
            _python_errors(getattr(_BinaryFileMixin, _method)))
del _method


def _tell(self):
    position = _untranslated_tell(self)
    if position == 0 and self.is_closed():
        raise _python_error(GLib.Error('Stream is already closed',
                                       _IO_ERROR_DOMAIN,
                                       int(Gio.IOErrorEnum.CLOSED)))
    return position


_untranslated_tell = _BinaryFileMixin.tell
_tell.__doc__ = _untranslated_tell.__doc__
_BinaryFileMixin.tell = _tell

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
        _construct(self, dict(properties, dir=dir, prefix=prefix,
                              suffix=suffix, delete=delete,
                              delete_on_close=delete_on_close))

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
        _construct(self, dict(properties, max_size=max_size, dir=dir,
                              prefix=prefix, suffix=suffix))

    @_python_errors
    def rollover(self, cancellable=None):
        """Move the data to disk now (once; later calls do nothing)."""
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
        _construct(self, dict(properties, dir=dir, prefix=prefix,
                              suffix=suffix, delete=delete,
                              ignore_cleanup_errors=ignore_cleanup_errors))

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

def mkstemp(dir=None, prefix=None, suffix=None):
    """Create and open a new file: ``(fd, path)``; close ``fd`` yourself."""
    try:
        return GTempfile.mkstemp(_filename_arg(dir), _filename_arg(prefix),
                                 _filename_arg(suffix))
    except GLib.Error as error:
        raise _python_error(error, dir) from error


def mkdtemp(dir=None, prefix=None, suffix=None):
    """Create a new directory (0700) and return its path."""
    try:
        return GTempfile.mkdtemp(_filename_arg(dir), _filename_arg(prefix),
                                 _filename_arg(suffix))
    except GLib.Error as error:
        raise _python_error(error, dir) from error


def mktemp(dir=None, prefix=None, suffix=None):
    """A name that did not exist when asked (unsafe: prefer mkstemp)."""
    try:
        return GTempfile.mktemp(_filename_arg(dir), _filename_arg(prefix),
                                _filename_arg(suffix))
    except GLib.Error as error:
        raise _python_error(error, dir) from error


@_python_errors
def get_tempdir():
    """The default directory for temporary files."""
    return GTempfile.get_tempdir()


def set_tempdir(dir=None):
    """Use @dir as the default directory (None: search again next time)."""
    GTempfile.set_tempdir(_filename_arg(dir))


__all__ += ['mkstemp', 'mkdtemp', 'mktemp', 'get_tempdir', 'set_tempdir']
