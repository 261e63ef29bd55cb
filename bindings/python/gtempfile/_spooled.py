# _spooled.py — gtempfile's SpooledTemporaryFile
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""SpooledTemporaryFile: an ``io.BytesIO`` until it rolls over, as CPython's.

A binary one keeps its bytes in an ``io.BytesIO`` until it rolls over
(a write leaving the position past ``max_size``, a ``truncate()`` past it,
``fileno()``, ``rollover()``: CPython's conditions) or until its
``.gobject`` is asked for. Then its data and position move to a
``GSpooledTmpFile`` (rolled over in the first case, still in memory in the
second), the ``BytesIO`` is dropped, and from then on the file's methods are
the GObject's own, bound in the instance. In memory each method is a thin one
calling the ``BytesIO``'s C method, as CPython's are.

A text one is an ``io.TextIOWrapper`` over such a binary file (``_buffer``),
as CPython's is one over a ``BytesIO``, with ``write_through`` so that each
write reaches the binary file at once. It rolls over where CPython's does:
after a write or writelines() that leaves the text position past
``max_size`` (the binary file never rolls over by itself), and, as CPython's,
it then goes on with a new TextIOWrapper at the same position (the old one is
detached).

Moving to the GObject happens under ``_make_lock``, so threads rolling one
file over or asking for its ``.gobject`` at once make one GObject. Writes
from other threads meanwhile are not lost: the ``BytesIO`` is frozen (an
exported buffer makes its writes fail) before its data is copied, and a
write or read that fails on it is made again on the GObject once the move
is done.
"""

import io as _io
from operator import index as _index
import sys as _sys
import threading as _threading
import types as _types
import warnings as _warnings

from gi.repository import GLib as _GLib
from gi.repository import GTempfile as _GTempfile

from ._files import _Mode, _parse_mode

_pkg = _sys.modules[__package__]

_MAX_SIZE = _sys.maxsize * 2 + 1

_BytesIO = _io.BytesIO
_getrefcount = _sys.getrefcount


# Held while a binary file moves its data to its GObject: threads doing so at
# once then make one GObject (making it and copying into it call into C, which
# lets other threads run), and calls that failed on the BytesIO meanwhile wait
# here before trying again. Reentrant: a __del__ the collector runs while it
# is held may close another file.
_make_lock = _threading.RLock()

# What _file is while the data moves: every call on it fails (ValueError) and
# is made again once the move is done.
_MOVING = _BytesIO()
_MOVING.close()

# References to the BytesIO in _move() when no other thread holds it: the
# local variable, the exported buffer and getrefcount()'s argument.
_UNSHARED_REFS = 3


def _rollover_error(error):
    """CPython's exception for the GLib.Error @error of a rollover, with
    the directory (the GObject's exception names it) as its filename."""
    return _pkg._os_error(error, getattr(error, 'filename', None))


class _MadeWhenAsked:
    """A binary file's ``gobject`` until it is made: the instance's own
    attribute then hides this (a class without ``__getattr__`` keeps
    CPython's fast attribute lookups)."""

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if '_file' not in instance.__dict__:
            raise AttributeError('gobject')  # __init__ failed
        if instance._text:
            return instance._buffer.gobject
        with _make_lock:
            gobject = instance.__dict__.get('gobject')
            if gobject is None:
                gobject = instance._move(False)
        return gobject


class SpooledTemporaryFile(_io.IOBase):
    """A file kept in memory until it grows past ``max_size``.

    ``SpooledTemporaryFile(max_size=0, mode='w+b', buffering=-1,
    encoding=None, newline=None, suffix=None, prefix=None, dir=None, *,
    errors=None)``; ``max_size`` 0 never rolls over on size. ``fileno()``
    and ``rollover()`` move the data to disk. It keeps its bytes in an
    ``io.BytesIO`` (``_file``; in text modes ``_file`` is a
    ``TextIOWrapper`` over a binary SpooledTemporaryFile) until it rolls
    over, as CPython's does; ``.gobject`` is the ``GSpooledTmpFile`` the data
    is in from then on, made (with the data and position) when it is first
    asked for.
    """

    def __init__(self, max_size=0, mode='w+b', buffering=-1,
                 encoding=None, newline=None,
                 suffix=None, prefix=None, dir=None, *, errors=None):
        # What CPython keeps for its rollover: the names are checked (and
        # the default directory looked up) when the GObject is made.
        # (With the rest of what open() is given then, checked then in the
        # default mode: see _refusal().)
        self._args = (prefix, suffix, dir, buffering, encoding, errors,
                      newline)
        self._max_size = max_size
        if mode == 'w+b':
            # The default: the class's _mode and _text.
            self._file = _BytesIO()
            return
        self._mode = mode
        self._text = 'b' not in mode
        if self._text:
            encoding = _io.text_encoding(encoding)
        one_way = None
        try:
            # What CPython's rollover gives open() (which warns about
            # buffering=1 in binary modes: buffering is not used here).
            with _warnings.catch_warnings():
                _warnings.simplefilter('ignore', RuntimeWarning)
                _parse_mode(mode, buffering, encoding, errors, newline)
            one_way = _one_way(mode)
        except (TypeError, ValueError) as error:
            # As CPython's, refused when the file rolls over (open() then
            # refuses the arguments: an unbuffered text file, a bad mode).
            self._refused = error
        if self._text:
            # As CPython's: a TextIOWrapper over the binary file (with
            # write_through, so that each write reaches it at once).
            # The text file decides when to roll over (CPython checks the
            # text position, after a whole writelines()): the binary one
            # never does on size (None: not even for a truncate()).
            self._buffer = SpooledTemporaryFile(None, 'w+b',
                                                suffix=suffix, prefix=prefix,
                                                dir=dir)
            self._wrapper_args = (encoding, errors, newline)
            self._file = _io.TextIOWrapper(self._buffer, encoding=encoding,
                                           errors=errors, newline=newline,
                                           write_through=True)
            if one_way is not None:
                self._buffer.__class__ = one_way
        else:
            self._file = _BytesIO()
            if one_way is not None:
                self.__class__ = one_way

    # Whether close() was called (checked by __del__).
    _close_called = False
    # Set by __init__ unless the mode is the default.
    _mode = 'w+b'
    _text = False

    # The GObject's methods that a binary file's are, bound in the instance
    # once its data is in the GObject (write is not: it checks max_size < 0).
    _DELEGATED = ('read', 'read1', 'readinto', 'readinto1', 'readline',
                  'readlines', 'seek', 'tell', 'flush', 'readable',
                  'writable', 'seekable')

    def _new_gobject(self):
        prefix, suffix, dir = self._args[:3]
        # Its rollover is CPython's TemporaryFile: names as it takes them.
        c_dir, c_prefix, c_suffix, _, _ = _pkg._anonymous_names(prefix,
                                                                suffix, dir)
        # 0 (and, for the GObject, a negative size) never rolls over on size;
        # sizes past what a gsize holds cannot be reached anyway.
        return _GTempfile.SpooledTmpFile.new(
            min(max(self._max_size or 0, 0), _MAX_SIZE), c_dir, c_prefix,
            c_suffix)

    def _move(self, roll):
        """Move the data and position from the BytesIO to a new GObject,
        rolled over if @roll; called with _make_lock held."""
        bio = self._file
        if bio.closed:
            if roll:
                raise ValueError('I/O operation on closed file.')
            # .gobject asked for after close(): a closed one.
            gobject = self.gobject = self._new_gobject()
            gobject.close()
            self._file = gobject
            return gobject
        # A failure here (a bad name, a missing directory, a full disk)
        # leaves the data in the BytesIO, as CPython's keeps it.
        gobject = self._new_gobject()
        # From here writes and truncations of other threads fail on the
        # BytesIO (BufferError) and are made again on the GObject.
        view = bio.getbuffer()
        try:
            if roll:
                gobject.rollover(None)
            if view.nbytes:
                gobject.write(view)
        except BaseException:
            view.release()
            gobject.close()
            raise
        # New calls fail on _MOVING and are made again on the GObject.
        self._file = _MOVING
        pos = bio.tell()
        if _getrefcount(bio) == _UNSHARED_REFS:
            view.release()
            bio.close()
        else:
            # Another thread is in a call on it (or holds _file): it stays
            # frozen until close().
            self._frozen = view
        del bio, view
        try:
            gobject.seek(pos)
        finally:
            # The data is in the GObject only now: it is the file whatever
            # happens.
            state = self.__dict__
            for name in self._DELEGATED:
                state[name] = getattr(gobject, name)
            self.gobject = gobject
            self._file = gobject
        return gobject

    def _moved(self, file):
        """The file to call again after a call on @file failed: the GObject
        if the data moved there meanwhile; otherwise the error being handled
        is raised again."""
        if file.__class__ is _BytesIO:
            with _make_lock:
                moved = self._file
            if moved is not file:
                return moved
        raise  # noqa: PLE0704 -- the caller's error

    gobject = _MadeWhenAsked()

    __class_getitem__ = classmethod(_types.GenericAlias)

    @property
    def _rolled(self):
        if self._text:
            return self._buffer._rolled
        gobject = self.__dict__.get('gobject')
        return gobject is not None and gobject.is_rolled_over()

    def rollover(self):
        """Move the data to disk now (once; later calls do nothing)."""
        try:
            self._rollover()
        except _GLib.Error as error:
            raise _rollover_error(error) from error

    def _rollover(self):
        if self._rolled:
            # Done once, closed or not, as CPython's.
            return
        refused = self.__dict__.get('_refused')
        if refused is None and self._mode == 'w+b':
            refused = self._refusal()
        if refused is not None:
            raise type(refused)(*refused.args)
        if self._text:
            return self._rollover_text()
        gobject = self.__dict__.get('gobject')
        if gobject is None:
            with _make_lock:
                gobject = self.__dict__.get('gobject')
                if gobject is None:
                    self._move(True)
                    return
        gobject.rollover(None)

    def _refusal(self):
        """What open() refuses of the arguments of a file in the default
        mode (its __init__ does not look at them), or None."""
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter('ignore', RuntimeWarning)
                _parse_mode('w+b', *self._args[3:])
        except (TypeError, ValueError) as error:
            return error
        return None

    def _rollover_text(self):
        """Rolls the binary file over and, as CPython's, goes on with a new
        TextIOWrapper at the text position of the old one, which is
        detached (a new decoder and encoder: no read-ahead, no newlines
        seen, no BOM written unless at 0)."""
        file = self._file
        # First, as CPython's: fails (ValueError, or OSError while a for
        # loop reads the file) before anything changed.
        pos = file.tell()
        buffer = file.detach()
        try:
            buffer.rollover()
        finally:
            encoding, errors, newline = self._wrapper_args
            file = self._file = _io.TextIOWrapper(
                buffer, encoding=encoding, errors=errors, newline=newline,
                write_through=True)
            file.seek(pos)
        self._text_rolled = True

    # Whether a text file has rolled over (only _rollover_text() does it).
    _text_rolled = False

    def _check(self):
        """CPython's rollover on size, after a write or writelines() of a
        text file."""
        max_size = self._max_size
        if max_size and not self._text_rolled and \
                self._file.tell() > max_size:
            self._rollover()

    # Context management protocol
    def __enter__(self):
        if self.closed:
            raise ValueError("Cannot enter context with closed file")
        return self

    def __exit__(self, exc, value, tb):
        self.close()

    # file protocol
    def __iter__(self):
        file = self._file
        if file.__class__ is _BytesIO or self._text:
            # The BytesIO or the TextIOWrapper: itself, as CPython's.
            try:
                return file.__iter__()
            except ValueError:
                if self._text:
                    raise
                file = self._moved(file)
        if file.closed:
            raise ValueError('I/O operation on closed file.')
        # Rolled over: the file itself, as CPython's rolled-over file (a
        # BufferedRandom) is its own iterator, and next() reads the next
        # line (IOBase.__next__: self.readline(), the GObject's). The
        # GObject's own iterator is a generator, which once exhausted
        # stays so, though more lines are written.
        return self

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
        state = self.__dict__
        file = state.get('_file')
        if file is None:
            return
        frozen = state.pop('_frozen', None)
        if frozen is not None:
            frozen.release()
        try:
            if file.__class__ is _BytesIO:
                return file.close()
            if file is not _MOVING:
                if not self._text and not file.closed and \
                        file.is_rolled_over():
                    # Its name (the descriptor) stays what it was, as
                    # CPython's.
                    self._closed_name = file.get_fd()
                return file.close()
        except BufferError:
            # Frozen by a move in progress, or its buffer exported by the
            # caller (then the error comes again).
            if file.__class__ is not _BytesIO:
                raise
        # A move in progress ends first: the GObject is what to close.
        with _make_lock:
            file = self._file
        file.close()

    @property
    def closed(self):
        file = self.__dict__.get('_file')
        if file is None:
            return self._close_called
        return file.closed and file is not _MOVING

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
        if self._text:
            # The TextIOWrapper's, as CPython's (ValueError once detached).
            return self._file.fileno()
        return self.gobject.fileno()

    def isatty(self):
        if self.closed:
            raise ValueError('I/O operation on closed file.')
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
        """None in memory; the descriptor once on disk (as CPython's, also
        after close())."""
        if self._text:
            # The TextIOWrapper's, as CPython's (ValueError once detached).
            return self._file.name
        if not self._rolled:
            return None
        if self.closed:
            return self._closed_name
        return self.gobject.get_fd()

    # The descriptor a rolled-over file had when closed.
    _closed_name = None

    # In memory the methods call the BytesIO's; a call that fails on it
    # because the data moved to the GObject meanwhile is made again there.
    # Once the data is in the GObject, the instance holds the GObject's own
    # methods (_DELEGATED). Written out one by one: generated from a name
    # (getattr per call) they cost 15-30% more, tell() 0.09 -> 0.12 us,
    # against CPython's 0.09.

    def flush(self):
        file = self._file
        try:
            return file.flush()
        except ValueError:
            return self._moved(file).flush()

    def readable(self):
        file = self._file
        try:
            return file.readable()
        except ValueError:
            return self._moved(file).readable()

    def read(self, *args):
        file = self._file
        try:
            return file.read(*args)
        except ValueError:
            return self._moved(file).read(*args)

    def read1(self, *args):
        file = self._file
        try:
            return file.read1(*args)
        except ValueError:
            return self._moved(file).read1(*args)

    def readinto(self, b):
        file = self._file
        try:
            return file.readinto(b)
        except ValueError:
            return self._moved(file).readinto(b)

    def readinto1(self, b):
        file = self._file
        try:
            return file.readinto1(b)
        except ValueError:
            return self._moved(file).readinto1(b)

    def readline(self, *args):
        file = self._file
        try:
            return file.readline(*args)
        except ValueError:
            return self._moved(file).readline(*args)

    def readlines(self, *args):
        file = self._file
        try:
            return file.readlines(*args)
        except ValueError:
            return self._moved(file).readlines(*args)

    def seekable(self):
        file = self._file
        try:
            return file.seekable()
        except ValueError:
            return self._moved(file).seekable()

    def seek(self, *args):
        file = self._file
        try:
            return file.seek(*args)
        except ValueError:
            return self._moved(file).seek(*args)

    def tell(self):
        file = self._file
        try:
            return file.tell()
        except ValueError:
            return self._moved(file).tell()

    def truncate(self, size=None):
        if size is not None and self._max_size is not None and \
                size > self._max_size:
            # CPython's condition, max_size 0 included (a text file's
            # binary one leaves it to the text file: None).
            self.rollover()
        file = self._file
        try:
            return file.truncate() if size is None else file.truncate(size)
        except (ValueError, BufferError):
            file = self._moved(file)
            return file.truncate() if size is None else file.truncate(size)

    def writable(self):
        file = self._file
        try:
            return file.writable()
        except ValueError:
            return self._moved(file).writable()

    def write(self, s):
        file = self._file
        if file.__class__ is not _BytesIO:
            return self._write_delegated(s)
        try:
            rv = file.write(s)
        except (ValueError, BufferError):
            self._moved(file)
            return self._write_delegated(s)
        # CPython's rollover condition: a negative max_size at once.
        max_size = self._max_size
        if max_size and file.tell() > max_size:
            # Not held while moving, so the BytesIO can be closed at once.
            file = None
            self.rollover()
        return rv

    def _write_delegated(self, s):
        file = self._file
        if self._text:
            rv = file.write(s)
            self._check()
            return rv
        if not s and file.closed:
            # GIO accepts an empty write on a closed stream; Python does not
            # (and checks the argument first).
            memoryview(s)
            raise ValueError('I/O operation on closed file.')
        try:
            rv = file.write(s)
        except _GLib.Error as error:
            # The GObject rolls over on size itself.
            raise _rollover_error(error) from error
        # The GObject rolls over on size itself, but takes no negative size.
        if self._max_size is not None and self._max_size < 0:
            self.rollover()
        return rv

    def writelines(self, iterable):
        if self._text:
            # As CPython's: all the lines, then the check.
            self._file.writelines(iterable)
            self._check()
            return
        if self.closed:
            raise ValueError('I/O operation on closed file.')
        # As CPython's: all the lines, then the check (one that fails
        # half-way has not rolled the file over).
        max_size = self._max_size
        self._max_size = None
        try:
            for line in iterable:
                self.write(line)
        finally:
            self._max_size = max_size
        if max_size and not self._rolled and self.tell() > max_size:
            self.rollover()

    def detach(self):
        if not self._text:
            raise _io.UnsupportedOperation('detach')
        return self._file.detach()


def _refuse_when_rolled(name, refused, answer=None):
    """The method @name of SpooledTemporaryFile, refused once the file has
    rolled over: by io.UnsupportedOperation(@refused), or, for readable()
    and writable(), by returning @answer."""
    method = getattr(SpooledTemporaryFile, name)

    def one_way(self, *args):
        # Closed or not, as CPython's buffered files (BufferedWriter.read,
        # BufferedReader.write, their readable() and writable()), except
        # where IOBase checks first (iter(), readlines()) or reads nothing
        # (readline(0)).
        if self._rolled:
            if answer is not None:
                return answer
            if name in ('readline', 'readlines') and args and \
                    args[0] is not None:
                # IOBase's: the argument first.
                _index(args[0])
            if name in ('__iter__', 'readlines') and self.closed:
                raise ValueError('I/O operation on closed file.')
            if name == '__iter__':
                # IOBase's: next() then reads, and is refused.
                return self
            if name == 'readline' and args and args[0] == 0:
                return b''
            raise _io.UnsupportedOperation(refused)
        return method(self, *args)
    one_way.__name__ = name
    one_way.__qualname__ = 'SpooledTemporaryFile.' + name
    one_way.__doc__ = method.__doc__
    return one_way


def _one_way_class(reading):
    """The class of a spooled file opened only for writing (``'w'``,
    ``'a'``, ``'x'``: @reading false) or only for reading (``'r'``).

    In memory it reads and writes, as CPython's BytesIO; once rolled over
    it is what CPython's rolled-over file is, a file opened with that mode:
    reads (or writes) raise io.UnsupportedOperation, and readable() (or
    writable()) is false. The usual modes (``'w+b'``, ``'w+'``, ...) keep
    the class without these checks.
    """
    if reading:
        names = {'write': 'write', 'writelines': 'write',
                 'truncate': 'truncate', 'writable': False}
    else:
        names = {'read': 'read', 'read1': 'read', 'readinto': 'read',
                 'readinto1': 'read', 'readline': 'read',
                 'readlines': 'read', '__iter__': 'read',
                 'readable': False}
    namespace = {'__slots__': (), '__module__': __name__,
                 '__qualname__': 'SpooledTemporaryFile',
                 '__doc__': SpooledTemporaryFile.__doc__,
                 # The rolled-over GObject's methods bound in the
                 # instance would bypass these.
                 '_DELEGATED': tuple(name for name in
                                     SpooledTemporaryFile._DELEGATED
                                     if name not in names)}
    for name, refused in names.items():
        if refused is False:
            namespace[name] = _refuse_when_rolled(name, None, False)
        else:
            namespace[name] = _refuse_when_rolled(name, refused)
    return type('SpooledTemporaryFile', (SpooledTemporaryFile,), namespace)


# By whether the mode reads: only for writing, only for reading.
_ONE_WAY = (_one_way_class(False), _one_way_class(True))


def _one_way(mode):
    """The class of a spooled file opened with @mode, if it is not
    SpooledTemporaryFile itself ('+' modes)."""
    parsed = _Mode(mode)
    if parsed.updating:
        return None
    return _ONE_WAY[parsed.reading]
