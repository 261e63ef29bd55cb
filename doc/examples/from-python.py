#!/usr/bin/env python3
# from-python.py — a script written for CPython's tempfile, run unchanged
# on the drop-in package (the "Coming from Python's tempfile" guide,
# doc/from-python.md). It prints what it sees; the docs test runs it once
# with each module and requires the same output.
#
# Usage: python3 from-python.py [tempfile|gtempfile]    (default gtempfile)
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import importlib
import os
import stat
import subprocess
import sys

# In a program of your own this is the one line that changes:
#     import gtempfile as tempfile
tempfile = importlib.import_module(sys.argv[1] if len(sys.argv) > 1 else "gtempfile")


def show(what, value):
    print(f"{what}: {value!r}")


def main():
    show("gettempprefix()", tempfile.gettempprefix())
    show("gettempdir() is a str", isinstance(tempfile.gettempdir(), str))
    show("gettempdirb() is bytes", isinstance(tempfile.gettempdirb(), bytes))

    # An anonymous binary file.
    with tempfile.TemporaryFile() as f:
        f.write(b"line 1\nline 2\n")
        f.seek(0)
        show("TemporaryFile lines", list(f))
    show("closed after the with block", f.closed)
    try:
        f.read()
    except ValueError:
        show("reading a closed file", "ValueError")

    # Text mode, with an encoding.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as f:
        f.write("grüße\n")
        f.seek(0)
        show("text read back", f.read())

    # A named file that another program reads by name.
    with tempfile.NamedTemporaryFile("w+", suffix=".txt", prefix="report_") as f:
        f.write("a,b\n1,2\n")
        f.flush()
        name = os.path.basename(f.name)
        show("name shape", (name.startswith("report_"), name.endswith(".txt"), len(name)))
        show("mode", oct(stat.S_IMODE(os.stat(f.name).st_mode)))
        lines = subprocess.run(["wc", "-l", f.name], check=True, capture_output=True,
                               text=True).stdout.split()[0]
        show("wc -l", lines)
    show("removed at the end of the block", os.path.exists(f.name))

    # delete=False: the file stays; removing it is the caller's job.
    f = tempfile.NamedTemporaryFile(delete=False)
    f.write(b"kept")
    f.close()
    with open(f.name, "rb") as g:
        show("kept file", g.read())
    os.unlink(f.name)

    # A spooled file rolls over to disk when it grows or needs a descriptor.
    with tempfile.SpooledTemporaryFile(max_size=16) as f:
        f.write(b"x" * 10)
        f.seek(0)
        show("spooled, in memory", f.read())
        os.fstat(f.fileno())
        f.seek(0, os.SEEK_END)
        show("spooled, after fileno()", f.tell())

    # A directory removed with everything in it.
    with tempfile.TemporaryDirectory(prefix="build_") as path:
        os.makedirs(os.path.join(path, "a", "b"))
        with open(os.path.join(path, "a", "b", "c.txt"), "w") as g:
            g.write("c")
        show("directory is a str", isinstance(path, str))
        show("directory mode", oct(stat.S_IMODE(os.stat(path).st_mode)))
    show("directory removed", os.path.exists(path))

    # The low-level functions, CPython's argument order (suffix, prefix, dir).
    fd, path = tempfile.mkstemp(".dat", "data_")
    try:
        name = os.path.basename(path)
        show("mkstemp", (name.startswith("data_"), name.endswith(".dat"),
                         os.path.isabs(path), len(name)))
        os.write(fd, b"123")
    finally:
        os.close(fd)
        os.unlink(path)

    path = tempfile.mkdtemp(prefix=b"bytes_")
    show("mkdtemp with a bytes prefix returns bytes", isinstance(path, bytes))
    os.rmdir(path)

    # Errors are OSError subclasses, with errno and filename.
    try:
        tempfile.TemporaryFile(dir="/nonexistent/dir")
    except FileNotFoundError as e:
        show("missing directory", (type(e).__name__, errno.errorcode[e.errno]))

    # The module-wide default directory.
    saved = tempfile.tempdir
    with tempfile.TemporaryDirectory() as path:
        tempfile.tempdir = path
        try:
            fd, name = tempfile.mkstemp()
            os.close(fd)
            show("tempdir honoured", os.path.dirname(name) == path)
        finally:
            tempfile.tempdir = saved


if __name__ == "__main__":
    main()
