# _spooled.py — gtempfile's SpooledTemporaryFile
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""SpooledTemporaryFile on a ``GSpooledTmpFile``.

The GObject keeps the data in memory and rolls over to an anonymous file on
its own when a write leaves the position past ``max_size``, which is when
CPython's rolls over. Binary modes use the GObject's Python file methods;
text modes put an ``io.TextIOWrapper`` on top, as CPython does (with
``write_through``, so each write reaches the GObject and rolls over at the
same point as CPython's).

A binary one creates its ``GSpooledTmpFile`` at its first use (a read, a
write, ``.gobject``, ``fileno()``...), not in the constructor: like
CPython's, whose ``BytesIO`` costs next to nothing, a spooled file that is
made and closed unused costs no GObject. Its file methods are then the
GObject's own, bound in the instance, so a call costs no extra Python frame.
"""

import io as _io
import sys as _sys
import threading as _threading
import types as _types
import warnings as _warnings

from gi.repository import GTempfile as _GTempfile

from ._files import _Mode

_pkg = _sys.modules[__package__]

_MAX_SIZE = _sys.maxsize * 2 + 1

# Held while a binary file makes its GObject at its first use: threads using
# it for the first time at once then all get the one GObject (making it
# calls into C, which lets other threads run).
_make_lock = _threading.Lock()


class SpooledTemporaryFile(_io.IOBase):
    """A file kept in memory until it grows past ``max_size``.

    ``SpooledTemporaryFile(max_size=0, mode='w+b', buffering=-1,
    encoding=None, newline=None, suffix=None, prefix=None, dir=None, *,
    errors=None)``; ``max_size`` 0 never rolls over on size. ``fileno()``
    and ``rollover()`` move the data to disk. ``.gobject`` is the
    ``GSpooledTmpFile``; a binary file makes it at its first use, so one
    made and closed unused costs no GObject.
    """

    def __init__(self, max_size=0, mode='w+b', buffering=-1,
                 encoding=None, newline=None,
                 suffix=None, prefix=None, dir=None, *, errors=None):
        # What CPython keeps for its rollover: the names are checked (and
        # the default directory looked up) when the GObject is made.
        self._args = (prefix, suffix, dir)
        self._max_size = max_size
        self._mode = mode
        self._text = 'b' not in mode
        if self._text:
            encoding = _io.text_encoding(encoding)
            self._make(_io.TextIOWrapper, encoding, errors, newline)

    # Whether close() was called: a binary file closed before its first use
    # has no GObject to ask.
    _close_called = False

    # The GObject's methods that a binary file's are, bound in the instance
    # once the GObject exists (write is not: it checks max_size < 0).
    _DELEGATED = ('read', 'read1', 'readinto', 'readinto1', 'readline',
                  'readlines', 'seek', 'tell', 'flush', 'readable',
                  'writable', 'seekable')

    def _make(self, text_wrapper=None, encoding=None, errors=None,
              newline=None):
        """Create the GObject (and for text modes the TextIOWrapper)."""
        prefix, suffix, dir = self._args
        prefix, suffix, dir, _ = _pkg._sanitize_params(prefix, suffix, dir)
        c_dir, c_prefix, c_suffix = _pkg._c_names(prefix, suffix, dir)
        # 0 (and, for the GObject, a negative size) never rolls over on size;
        # sizes past what a gsize holds cannot be reached anyway.
        gobject = _GTempfile.SpooledTmpFile.new(
            min(max(self._max_size, 0), _MAX_SIZE), c_dir, c_prefix, c_suffix)
        self.gobject = gobject
        if text_wrapper is not None:
            self._file = text_wrapper(gobject, encoding=encoding,
                                      errors=errors, newline=newline,
                                      write_through=True)
            return
        self._file = gobject
        if self._close_called:
            # .gobject asked for after close(): a closed one.
            gobject.close()
            return
        state = self.__dict__
        for name in self._DELEGATED:
            state[name] = getattr(gobject, name)

    def __getattr__(self, name):
        # Only called for what the instance does not hold yet.
        if (name == '_file' or name == 'gobject') and \
                '_args' in self.__dict__:
            with _make_lock:
                if name not in self.__dict__:
                    self._make()
            return self.__dict__[name]
        raise AttributeError("%r object has no attribute %r"
                             % (type(self).__name__, name))

    __class_getitem__ = classmethod(_types.GenericAlias)

    @property
    def _rolled(self):
        gobject = self.__dict__.get('gobject')
        return gobject is not None and gobject.is_rolled_over()

    def _check(self):
        # A negative max_size rolls over at the first write, as in CPython.
        if self._max_size < 0:
            self.rollover()

    def rollover(self):
        """Move the data to disk now (once; later calls do nothing)."""
        if self._text:
            self._file.flush()
        self.gobject.rollover(None)

    # Context management protocol
    def __enter__(self):
        if self.closed:
            raise ValueError("Cannot enter context with closed file")
        return self

    def __exit__(self, exc, value, tb):
        self.close()

    # file protocol
    def __iter__(self):
        return self._file.__iter__()

    def __del__(self, _is_finalizing=_sys.is_finalizing):
        # Every object runs this: closed ones leave at the first test.
        if not self._close_called and '_args' in self.__dict__ and \
                not self.closed:
            _warnings.warn(
                "Unclosed file {!r}".format(self),
                ResourceWarning,
                stacklevel=2,
                source=self
            )
            try:
                self.close()
            except Exception:
                # At interpreter exit, once the modules are torn down,
                # PyGObject may no longer call into C; the data is anonymous
                # (in memory, or a file without a name) and goes with the
                # process.
                if not _is_finalizing():
                    raise

    def close(self):
        self._close_called = True
        file = self.__dict__.get('_file')
        if file is not None:
            file.close()

    @property
    def closed(self):
        file = self.__dict__.get('_file')
        if file is None:
            return self._close_called
        return file.closed

    @property
    def encoding(self):
        if not self._text:
            raise AttributeError('encoding')
        return self._file.encoding

    @property
    def errors(self):
        if not self._text:
            raise AttributeError('errors')
        return self._file.errors

    @property
    def newlines(self):
        if not self._text:
            raise AttributeError('newlines')
        return self._file.newlines

    def fileno(self):
        self.rollover()
        return self.gobject.fileno()

    def flush(self):
        self._file.flush()

    def isatty(self):
        return False

    @property
    def mode(self):
        if self._text or not self._rolled:
            return self._mode
        # After the rollover CPython's is a real file's ('w+b' → 'rb+').
        raw_mode = _Mode(self._mode).raw_mode
        if raw_mode.endswith('+') and raw_mode[0] == 'w':
            raw_mode = 'r+'
        return raw_mode[0] + 'b' + raw_mode[1:]

    @property
    def name(self):
        """None in memory; the descriptor once on disk (as CPython's)."""
        if not self._rolled or self.closed:
            return None
        return self.gobject.get_fd()

    def readable(self):
        return self._file.readable()

    def read(self, *args):
        return self._file.read(*args)

    def read1(self, *args):
        return self._file.read1(*args)

    def readinto(self, b):
        return self._file.readinto(b)

    def readinto1(self, b):
        return self._file.readinto1(b)

    def readline(self, *args):
        return self._file.readline(*args)

    def readlines(self, *args):
        return self._file.readlines(*args)

    def seekable(self):
        return self._file.seekable()

    def seek(self, *args):
        return self._file.seek(*args)

    def tell(self):
        return self._file.tell()

    def truncate(self, size=None):
        if size is None:
            return self._file.truncate()
        if size > self._max_size:
            # CPython's condition, max_size 0 included.
            self.rollover()
        return self._file.truncate(size)

    def writable(self):
        return self._file.writable()

    def write(self, s):
        if not s and self._file.closed:
            # GIO accepts an empty write on a closed stream; Python does not.
            raise ValueError('I/O operation on closed file.')
        rv = self._file.write(s)
        self._check()
        return rv

    def writelines(self, iterable):
        rv = self._file.writelines(iterable)
        self._check()
        return rv

    def detach(self):
        if not self._text:
            raise _io.UnsupportedOperation('detach')
        return self._file.detach()
