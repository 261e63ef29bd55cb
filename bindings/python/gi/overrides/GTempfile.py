# GTempfile.py — the Pythonic layer over the GTempfile introspection module
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Pythonic additions to ``gi.repository.GTempfile``.

* Keyword construction runs ``GInitable.init``, so a failure raises
  ``GLib.Error`` at once, as ``g_initable_new()`` does in C::

      f = GTempfile.NamedTmpFile(prefix="upload_", suffix=".png", delete=False)
      d = GTempfile.TmpDir(prefix="build_")
      s = GTempfile.SpooledTmpFile(max_size=1024)

* ``dir``, ``prefix`` and ``suffix`` are file names, as in the module
  functions: ``str``, ``bytes`` or ``os.PathLike``; a NUL in one raises
  ``ValueError`` (it would cut a C string short). GObject string properties
  hold UTF-8 only, so a name that is not UTF-8 needs the C constructors
  (``TmpFile.new(dir, prefix, suffix)`` and so on).

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
  ``fileno``, ``name`` for named files), so ``io.TextIOWrapper(f)``,
  ``shutil.copyfileobj`` and friends accept them.

Everything is a thin call into the GIO streams of the C object; the C
library keeps the bytes. ``seek``, ``tell`` and ``truncate`` follow Python's
conventions (they return positions and sizes); they also accept the GIO
arguments (a ``GLib.SeekType``, a trailing cancellable), and the original
GIO methods stay reachable as ``Gio.Seekable.seek(f, ...)`` and so on.
"""

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


def _construct(self, props):
    """Set the construct properties that were given, then run GInitable.init.

    Properties left out keep their C defaults (NULL dir means the default
    temporary directory, and so on), exactly as with the C constructors.
    """
    props = {key: value for key, value in props.items() if value is not None}
    for name in _FILENAME_PROPERTIES:
        if name in props:
            props[name] = _filename_property(name, props[name])
    # GObject.Object.__init__ directly: the parent classes' __init__ would be
    # our TmpFile override again and run init twice.
    GObject.Object.__init__(self, **props)
    self.init(None)


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

    def fileno(self):
        """The descriptor, owned by the object (do not close it).

        A ``SpooledTmpFile`` rolls over to disk first, like CPython's.
        """
        return self.get_fd()

    def close(self, cancellable=None):
        """Close the stream; closing twice is harmless, in GIO and Python."""
        Gio.IOStream.close(self, cancellable)

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

    def __enter__(self):
        return self.get_path()

    def __exit__(self, exc_type, exc_value, traceback):
        # CPython 3.12: the block's end cleans up only when delete is true.
        if self.get_delete():
            self.cleanup(None)

    def __fspath__(self):
        return self.get_path()


__all__.append('TmpDir')
