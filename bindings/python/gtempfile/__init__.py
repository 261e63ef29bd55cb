# gtempfile — Python's tempfile API on libgtempfile
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""CPython's ``tempfile`` module, built on libgtempfile's GObject classes.

Switch a program over by changing one import::

    import gtempfile as tempfile

    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as f:
        f.write("hello")

The names, signatures, argument order, defaults, return types (``str``,
``bytes`` and ``os.PathLike`` as CPython takes them), text modes and
exceptions are CPython 3.11's, plus 3.12's ``delete_on_close`` for
``NamedTemporaryFile`` and ``delete`` for ``TemporaryDirectory``. The files
are created and removed by the C library (``GTmpFile``, ``GNamedTmpFile``,
``GSpooledTmpFile``, ``GTmpDir``); every object keeps its GObject as
``.gobject`` for what only the GObject API offers (``persist()``, the GIO
streams, async calls). See doc/bindings.md for the differences.
"""

import errno as _errno
import os as _os
import sys as _sys
import threading as _threading
import types as _types
import warnings as _warnings
import weakref as _weakref

import gi as _gi

_gi.require_version('GTempfile', '1.0')

# PyGObject 3.42's importer warns (ImportWarning) at the first import of each
# gi.repository module: with warnings made errors (python -W error), as
# CPython's tempfile is imported, importing gtempfile would fail.
with _warnings.catch_warnings():
    _warnings.simplefilter('ignore', ImportWarning)
    from gi.module import get_introspection_module as _module  # noqa: E402
    from gi.repository import GLib as _GLib  # noqa: E402
    from gi.repository import GObject as _GObject  # noqa: E402,F401
    from gi.repository import Gio as _Gio  # noqa: E402,F401
    from gi.repository import GTempfile as _GTempfile  # noqa: E402

# The module functions straight from the typelib: gtempfile does the
# argument handling of the override's versions itself.
_functions = _module('GTempfile')

__all__ = [
    "NamedTemporaryFile", "TemporaryFile",  # high level safe interfaces
    "SpooledTemporaryFile", "TemporaryDirectory",
    "mkstemp", "mkdtemp",                  # low level safe interfaces
    "mktemp",                              # deprecated unsafe interface
    "TMP_MAX", "gettempprefix",            # constants
    "tempdir", "gettempdir",
    "gettempprefixb", "gettempdirb",
]

# The most names a call may try (CPython's constant; the C library tries its
# own number of random names).
TMP_MAX = getattr(_os, 'TMP_MAX', 10000)

# The default prefix: gettempprefix() returns it, and calls given no prefix
# use it, as in CPython.
template = _functions.get_tempprefix()
# What the C functions use for a NULL prefix (the same, as bytes).
_C_DEFAULT_PREFIX = _os.fsencode(template)

# The default directory: None until gettempdir() searches for one. Setting it
# (str or bytes) changes where every call without dir= creates its files.
tempdir = None

# On POSIX the text and binary flags are the same, as in CPython; the C
# library opens its files itself.
_bin_openflags = _os.O_RDWR | _os.O_CREAT | _os.O_EXCL | \
    getattr(_os, 'O_NOFOLLOW', 0) | getattr(_os, 'O_CLOEXEC', 0)
_text_openflags = _bin_openflags

_once_lock = _threading.Lock()

# This process's ID, kept by a fork handler (os.getpid() is a system call).
# Implicit cleanup (an object dropped, or alive at exit) happens only in the
# process that made the object, as the C library's: a forked child that
# drops its copy of a NamedTemporaryFile or TemporaryDirectory, or exits
# holding it, leaves its parent's file alone (CPython's child removes it).
# An explicit close(), cleanup() or end of a with block removes it, there
# as in CPython.
_pid = _os.getpid()


def _after_fork_in_child():
    global _pid
    _pid = _os.getpid()


_os.register_at_fork(after_in_child=_after_fork_in_child)

# PyGObject warns at every call of a function the C API deprecates;
# CPython's mktemp() does not warn, so neither does ours.
_warnings.filterwarnings('ignore', category=DeprecationWarning,
                         message=r'GTempfile\.mktemp is deprecated')


# --- errors ----------------------------------------------------------------

_IO_ERROR_DOMAIN = 'g-io-error-quark'


def _os_error(error, filename=None):
    """The Python exception for the GLib.Error @error, raised `from` it.

    An OSError subclass with errno, strerror (as CPython words it) and
    @filename; ValueError for a closed file. The GLib.Error stays reachable
    as the exception's __cause__.
    """
    from gi.overrides import GTempfile as override

    if isinstance(error, (OSError, ValueError)) and \
            not isinstance(error, _GLib.Error):
        return error
    if override._is_closed_error(error):
        return ValueError('I/O operation on closed file.')
    code = override._errno_of(error)
    if code is None:
        return OSError(error.message)
    if filename is not None and not isinstance(filename, (str, bytes)):
        filename = _os.fspath(filename)
    return OSError(code, _os.strerror(code), filename)


class _python_errors:
    """``with _python_errors(path):`` turns GLib.Errors into _os_error()s."""

    __slots__ = ('filename',)

    def __init__(self, filename=None):
        self.filename = filename

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, _GLib.Error):
            raise _os_error(exc, self.filename) from exc
        return False


# --- names -----------------------------------------------------------------

def _infer_return_type(*args):
    """str or bytes, from the arguments given (None ones do not count)."""
    return_type = None
    for arg in args:
        if arg is None:
            continue
        if type(arg) is not str and isinstance(arg, _os.PathLike):
            arg = _os.fspath(arg)
        if isinstance(arg, bytes):
            if return_type is str:
                raise TypeError("Can't mix bytes and non-bytes in "
                                "path components.")
            return_type = bytes
        else:
            if return_type is bytes:
                raise TypeError("Can't mix bytes and non-bytes in "
                                "path components.")
            return_type = str
    if return_type is None:
        if tempdir is None or isinstance(tempdir, str):
            return str
        return bytes
    return return_type


def _sanitize_params(prefix, suffix, dir):
    """The defaults filled in, and the type the result is returned as."""
    output_type = _infer_return_type(prefix, suffix, dir)
    if suffix is None:
        suffix = output_type()
    if prefix is None:
        prefix = template if output_type is str else _os.fsencode(template)
    if dir is None:
        dir = gettempdir() if output_type is str else gettempdirb()
    return prefix, suffix, dir, output_type


_FS_ENCODING = _sys.getfilesystemencoding()
_FS_ERRORS = _sys.getfilesystemencodeerrors()


def _c_name(name):
    """@name as the C functions take it: bytes (os.fsencode), no NUL."""
    if type(name) is str:
        name = name.encode(_FS_ENCODING, _FS_ERRORS)
    elif type(name) is not bytes:
        name = _os.fsencode(name)
    if b'\0' in name:
        raise ValueError('embedded null byte')
    return name


def _c_names(prefix, suffix, dir):
    """The three names as the C functions take them: (dir, prefix, suffix).

    The C library's default prefix and an empty suffix are passed as None,
    which means the same to the C functions and costs less to pass.
    """
    prefix = _c_name(prefix)
    suffix = _c_name(suffix)
    return (_c_name(dir), None if prefix == _C_DEFAULT_PREFIX else prefix,
            suffix or None)


# _c_args() results by (prefix, suffix, dir, tempdir, template): a program
# makes its files with the same few names, and the conversion costs more
# than the C library's own work on them.
_c_args_cache = {}
_CACHEABLE = frozenset((str, bytes, type(None)))


def _c_args(prefix, suffix, dir):
    """_sanitize_params() and _c_names() at once:
    ``(c_dir, c_prefix, c_suffix, dir, output_type)``."""
    # Looked up first: only str, bytes and None are stored, so a hit is
    # such a name (an object equal to one has the same file name).
    key = (prefix, suffix, dir, tempdir, template)
    try:
        args = _c_args_cache.get(key)
    except TypeError:  # unhashable: taken apart below, as CPython would
        args = None
    if args is not None:
        return args
    cacheable = (type(prefix) in _CACHEABLE and type(suffix) in _CACHEABLE
                 and type(dir) in _CACHEABLE
                 and (dir is not None or tempdir is not None))
    prefix, suffix, dir, output_type = _sanitize_params(prefix, suffix, dir)
    _check_name_types(prefix, suffix, output_type)
    args = _c_names(prefix, suffix, dir) + (dir, output_type)
    if cacheable:
        if len(_c_args_cache) >= 256:
            _c_args_cache.clear()
        _c_args_cache[key] = args
    return args


def _check_name_types(prefix, suffix, output_type):
    """Raises CPython's TypeError for a prefix or suffix it cannot make a
    name of (an os.PathLike one: CPython concatenates them)."""
    if type(prefix) is not output_type or type(suffix) is not output_type:
        prefix + output_type() + suffix


def _anonymous_names(prefix, suffix, dir):
    """As _c_args(), for a file that has no name (TemporaryFile, the
    rollover of a SpooledTemporaryFile): CPython's opens it with O_TMPFILE
    in dir and names nothing, so it takes any prefix and suffix that do
    not mix str and bytes, an os.PathLike one or one with a NUL included.
    They name only the file of the C library's fallback (no O_TMPFILE),
    so a NUL is dropped from them; a "/" is still refused."""
    prefix, suffix, dir, output_type = _sanitize_params(prefix, suffix, dir)
    c_prefix = _os.fsencode(prefix).replace(b'\0', b'')
    c_suffix = _os.fsencode(suffix).replace(b'\0', b'')
    return (_c_name(dir), None if c_prefix == _C_DEFAULT_PREFIX else c_prefix,
            c_suffix or None, dir, output_type)


def _abspath(path):
    """os.path.abspath(@path), without its cost when @path is one already."""
    if path[:1] == '/' and '//' not in path and '/.' not in path:
        return path
    return _os.path.abspath(path)


def _as_type(path, output_type):
    return _os.fsencode(path) if output_type is bytes else path


def gettempprefix():
    """The default prefix of temporary names, as str."""
    return _os.fsdecode(template)


def gettempprefixb():
    """The default prefix of temporary names, as bytes."""
    return _os.fsencode(template)


# Whether tempdir was filled in by a search (so None now means "again").
_searched = False


def _gettempdir():
    global tempdir, _searched
    if tempdir is None:
        with _once_lock:
            if tempdir is None:
                # The first time, the C library's default (searched once per
                # process, or set by g_tempfile_set_tempdir()); after the
                # program set tempdir back to None, a new search, as CPython.
                if _searched:
                    _functions.set_tempdir(None)
                with _python_errors():
                    tempdir = _functions.get_tempdir()
                _searched = True
    return tempdir


def gettempdir():
    """The default directory for temporary files, as str."""
    return _os.fsdecode(_gettempdir())


def gettempdirb():
    """The default directory for temporary files, as bytes."""
    return _os.fsencode(_gettempdir())


# --- low level -------------------------------------------------------------

def mkstemp(suffix=None, prefix=None, dir=None, text=False):
    """Create and open a new file (0600); return ``(fd, absolute path)``.

    The caller owns the descriptor and the file. ``text`` makes no
    difference on POSIX.
    """
    c_dir, c_prefix, c_suffix, dir, output_type = _c_args(prefix, suffix, dir)
    # try/except rather than `with _python_errors()`: half a microsecond
    # of a call that is a few system calls.
    try:
        fd, path = _functions.mkstemp(c_dir, c_prefix, c_suffix)
    except _GLib.Error as error:
        raise _os_error(error, dir) from error
    return fd, _as_type(_abspath(path), output_type)


def mkdtemp(suffix=None, prefix=None, dir=None):
    """Create a new directory (0700) and return its absolute path."""
    c_dir, c_prefix, c_suffix, dir, output_type = _c_args(prefix, suffix, dir)
    try:
        path = _functions.mkdtemp(c_dir, c_prefix, c_suffix)
    except _GLib.Error as error:
        raise _os_error(error, dir) from error
    return _as_type(_abspath(path), output_type)


def mktemp(suffix="", prefix=template, dir=None):
    """A path that did not exist when asked (unsafe: use mkstemp)."""
    if dir is None:
        dir = gettempdir()
    output_type = _infer_return_type(prefix, suffix, dir)
    _check_name_types(prefix, suffix, output_type)
    c_dir, c_prefix, c_suffix = _c_names(prefix, suffix, dir)
    # PyGObject warns at every call of a function the C API deprecates, and
    # a filter put before ours (warnings.simplefilter('error'), pytest's)
    # would show it or make the call fail; CPython's mktemp() never warns.
    with _warnings.catch_warnings():
        _warnings.simplefilter('ignore', DeprecationWarning)
        try:
            path = _functions.mktemp(c_dir, c_prefix, c_suffix)
        except _GLib.Error as error:
            from gi.overrides import GTempfile as override
            if override._errno_of(error) != _errno.ENOTDIR:
                raise _os_error(error, dir) from error
            # dir is not a directory: nothing can exist in it, and CPython's
            # mktemp() returns a name there (it only asks lstat() whether
            # one exists), where the C function fails.
            path = _os.fsdecode(_os.path.join(
                c_dir, (c_prefix if c_prefix is not None
                        else _C_DEFAULT_PREFIX)
                + bytes(_NAME_CHARACTERS[b % len(_NAME_CHARACTERS)]
                        for b in _os.urandom(8))
                + (c_suffix or b'')))
    return _as_type(path, output_type)


# The characters of random names (the C library's and CPython's).
_NAME_CHARACTERS = b'abcdefghijklmnopqrstuvwxyz0123456789_'


def _mkstemp_inner(dir, pre, suf, flags, output_type):
    """CPython's private helper, for code that calls it: mkstemp()."""
    c_dir, c_prefix, c_suffix = _c_names(pre, suf, dir)
    with _python_errors(dir):
        fd, path = _functions.mkstemp(c_dir, c_prefix, c_suffix)
    return fd, _as_type(_os.path.abspath(path), output_type)


# --- the classes -----------------------------------------------------------

# _TemporaryFileWrapper is where CPython has it, for code that names it.
from ._files import (  # noqa: E402,F401
    TemporaryFile, NamedTemporaryFile, _TemporaryFileWrapper)
from ._spooled import SpooledTemporaryFile  # noqa: E402


class TemporaryDirectory:
    """A directory removed with everything in it; ``with`` gives its name.

    ``TemporaryDirectory(suffix=None, prefix=None, dir=None,
    ignore_cleanup_errors=False, *, delete=True)``. Leaving the block
    removes it unless ``delete`` is false; ``cleanup()`` removes it anyway;
    an object dropped (or alive at exit) with ``delete`` true is removed
    with a ResourceWarning. ``.gobject`` is the ``GTmpDir``.
    """

    def __init__(self, suffix=None, prefix=None, dir=None,
                 ignore_cleanup_errors=False, *, delete=True):
        prefix, suffix, dir, output_type = _sanitize_params(prefix, suffix,
                                                            dir)
        _check_name_types(prefix, suffix, output_type)
        c_dir, c_prefix, c_suffix = _c_names(prefix, suffix, dir)
        with _python_errors(dir):
            gobject = _GTempfile.TmpDir.new(c_dir, c_prefix, c_suffix)
        if ignore_cleanup_errors:
            gobject.set_ignore_cleanup_errors(True)
        if not delete:
            gobject.set_delete(False)
        self.gobject = gobject
        self.name = _as_type(_os.path.abspath(gobject.get_path()),
                             output_type)
        self._ignore_cleanup_errors = ignore_cleanup_errors
        self._delete = delete
        # Also run at interpreter exit, as CPython's; only in this process
        # (see _pid).
        self._finalizer = _weakref.finalize(
            self, self._cleanup, gobject,
            warn_message="Implicitly cleaning up {!r}".format(self),
            delete=delete, pid=_pid)

    @classmethod
    def _cleanup(cls, gobject, warn_message, delete=True, pid=None):
        if delete and pid in (None, _pid):
            try:
                gobject.cleanup(None)
            except _GLib.Error:
                pass
            _warnings.warn(warn_message, ResourceWarning)

    def __repr__(self):
        return "<{} {!r}>".format(self.__class__.__name__, self.name)

    def __enter__(self):
        return self.name

    def __exit__(self, exc, value, tb):
        if self._delete:
            self.cleanup()

    def cleanup(self):
        """Remove the directory and everything in it; harmless when done."""
        if self._finalizer.detach() or _os.path.lexists(self.name):
            with _python_errors(self.name):
                self.gobject.cleanup(None)

    __class_getitem__ = classmethod(_types.GenericAlias)

