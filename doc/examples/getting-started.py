#!/usr/bin/env python3
# getting-started.py — the three tasks of the "Getting started" guide
# (doc/getting-started.md, whose Python blocks are copied from this file;
# doc/check-snippets.py checks that they stay the same), run and checked.
#
# Usage: python3 getting-started.py    prints what it did, exits 1 on a surprise
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import stat
import subprocess
import sys

import gi
gi.require_version("GTempfile", "1.0")
from gi.repository import GTempfile  # noqa: E402


def scratch_file():
    """Writes to an anonymous file and reads it back."""
    with GTempfile.TmpFile(prefix="scratch-") as scratch:
        scratch.write(b"intermediate data\n")
        scratch.seek(0)
        return scratch.read()

def save_document(path, text):
    """Replaces the document at path with text, or creates it, atomically."""
    directory = os.path.dirname(os.path.abspath(path))
    with GTempfile.TmpFile(dir=directory) as tmp:
        tmp.write(text.encode())
        tmp.flush()
        tmp.persist(path, GTempfile.TmpPersistFlags.SYNC
                    | GTempfile.TmpPersistFlags.DOCUMENT_MODE, None)

def count_lines_in_scratch_dir():
    """Runs a tool in a private directory that is removed afterwards."""
    with GTempfile.TmpDir(prefix="build-") as path:
        with open(os.path.join(path, "input.txt"), "w") as f:
            f.write("one\ntwo\n")
        result = subprocess.run(["wc", "-l", "input.txt"], cwd=path,
                                check=True, capture_output=True, text=True)
        return result.stdout.split()[0]

def check(what, got, expected):
    print(f"{what}: {got!r}")
    if got != expected:
        sys.exit(f"{what}: expected {expected!r}")


def main():
    check("scratch file", scratch_file(), b"intermediate data\n")

    os.umask(0o022)
    with GTempfile.TmpDir(prefix="documents-") as documents:
        path = os.path.join(documents, "notes.txt")

        save_document(path, "first\n")
        check("new document's mode", oct(stat.S_IMODE(os.stat(path).st_mode)), "0o644")

        os.chmod(path, 0o640)
        save_document(path, "second\n")
        check("replaced document's mode", oct(stat.S_IMODE(os.stat(path).st_mode)), "0o640")
        with open(path) as f:
            check("document", f.read(), "second\n")
        check("directory", os.listdir(documents), ["notes.txt"])

    check("lines counted in a scratch directory", count_lines_in_scratch_dir(), "2")


if __name__ == "__main__":
    main()
