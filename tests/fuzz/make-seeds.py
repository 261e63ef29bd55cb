#!/usr/bin/python3
# make-seeds.py — writes hand-made seed inputs for the fuzz targets
#
# Usage: tests/fuzz/make-seeds.py OUTDIR
#
# Writes OUTDIR/fuzz-names/* and OUTDIR/fuzz-ops/*: each seed exercises one
# entry point or operation in a way the decoders of fuzz-names.c and
# fuzz-ops.c understand (see there). The committed corpus in
# tests/fuzz/corpus/ is these seeds merged (-merge=1) with what a run
# found, see tests/fuzz/README.md.
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import struct
import sys

# fuzz-names.c's tables (indices matter).
DIR_TOKENS = ["d", "sub", "f", "l", "dangling", "loop", "\xff\xfe", "é",
              "tmp", "ro", ".", "..", "", "missing", "exists"]
AFFIX_TOKENS = ["", "tmp", ".", "..", "a/b", "/", "é", "\xff", "%s%n", " ",
                "\n", "XXXXXX", ".hidden", "-", "~"]
DEST_NAMES = ["new", "exists", "d", "l", "dangling", "loop", "", ".", "..",
              "sub", "\xff", "é.txt"]

ENTRIES = ["mkstemp", "mkdtemp", "mktemp", "tmp_file", "named", "spooled", "tmpdir"]
OPS = ["write", "write_async", "writev", "read", "read_some", "read_async", "skip",
       "seek", "seek_far", "truncate", "get_fd", "pwrite", "pread", "fd_write",
       "rollover", "query_info", "flush", "persist", "make_dest", "close"]


def dir_spec(kind, *components, trailing=False):
    """kind: 0 default, 1 absolute in the scratch tree, 2 relative,
    3 on the other file system. A component is a token or raw bytes."""
    out = bytes([kind | (0x80 if trailing else 0), len(components)])
    for c in components:
        if isinstance(c, bytes):
            out += bytes([200, len(c)]) + c
        else:
            out += bytes([DIR_TOKENS.index(c)])
    return out


def affix(value):
    if value is None:
        return bytes([0])
    if isinstance(value, str):
        return bytes([32 + AFFIX_TOKENS.index(value)])
    if isinstance(value, int):            # that many 'x'
        return bytes([255, value - 1])
    return bytes([100, len(value)]) + value


def names_seed(entry, dspec, prefix=None, suffix=None, mode=0, how=0,
               max_size=0, persist=None):
    out = bytes([ENTRIES.index(entry)]) + dspec + affix(prefix) + affix(suffix)
    out += struct.pack(">H", mode)
    if entry in ("tmp_file", "named", "spooled", "tmpdir"):
        out += bytes([how, max_size])
        if entry != "tmpdir":
            if persist is None:
                out += bytes([0])
            else:
                pdir, name, flags = persist
                out += bytes([1]) + pdir + bytes([DEST_NAMES.index(name), flags])
    return out


def names_seeds():
    here = dir_spec(1, "d")
    dirs = [dir_spec(0), here, dir_spec(2, "d", "sub"), dir_spec(3, "d"),
            dir_spec(1, "f"), dir_spec(1, "missing"), dir_spec(1, "l"),
            dir_spec(1, "\xff\xfe"), dir_spec(1, "loop"), dir_spec(2),
            dir_spec(1, "d", trailing=True), dir_spec(1, b"raw\x01name")]
    for entry in ENTRIES:
        for d in dirs:
            yield names_seed(entry, d)
        for p, s in [("a/b", None), (None, "/"), ("é", "\xff"), ("..", "."),
                     (200, None), (b"pre-", b".txt"), ("XXXXXX", "%s%n")]:
            yield names_seed(entry, here, p, s)
    for entry in ("tmp_file", "named", "spooled", "tmpdir"):
        for how in (0, 1, 2):
            for mode in (0, 0o644, 0o4755, 0o1700, 0o200):
                yield names_seed(entry, here, b"m", None, mode, how, 8)
    for entry in ("tmp_file", "named", "spooled"):
        for pdir, name, flags in [
                (dir_spec(1, "d"), "new", 0), (dir_spec(1, "d"), "exists", 0),
                (dir_spec(1), "exists", 1), (dir_spec(1, "l"), "new", 2),
                (dir_spec(3, "d"), "new", 0), (dir_spec(3, "d"), "new", 4),
                (dir_spec(1), "d", 0), (dir_spec(1), "dangling", 0),
                (dir_spec(1, "f"), "new", 4), (dir_spec(1, "missing"), "new", 0),
                (dir_spec(1), "", 6), (dir_spec(2, "d"), "é.txt", 0x87)]:
            yield names_seed(entry, here, None, None, 0o640, 1, 4,
                             (pdir, name, flags))


def op(name, *args):
    return bytes([OPS.index(name)]) + bytes(args)


def ops_seeds():
    write = op("write", 4) + b"abcdefghijklmnop"
    sequences = {
        "write-read": write + op("seek", 0, 0, 0, 0) + op("read", 4),
        "write-async": op("write_async", 8) + b"x" * 32 + op("seek", 0, 0, 0, 0)
                       + op("read_async", 8),
        "writev-skip": op("writev", 5) + b"y" * 20 + op("seek", 1, 0, 0, 0)
                       + op("skip", 0, 7) + op("read_some", 2),
        "seek-gap": op("seek", 2, 0, 0, 100) + write + op("pread", 0, 0, 20),
        "seek-negative": write + op("seek", 0, 1, 0xff, 0x00),
        "seek-far": write + op("seek_far", 0, 0, 0) + op("seek_far", 1, 1, 1)
                    + op("seek_far", 2, 2, 4),
        "truncate": write + op("truncate", 0, 0, 4) + op("truncate", 2, 1, 0)
                    + op("truncate", 1, 0, 0) + op("truncate", 0x80, 0, 1),
        "fd": write + op("get_fd") + op("pwrite", 0, 2, 3) + b"PWR" * 4
              + op("fd_write", 0, 0, 2) + b"FDWR" * 2 + op("pread", 0, 0, 4),
        "rollover": write + op("rollover") + write + op("query_info"),
        "persist": write + op("persist", 0, 0) + write + op("persist", 1, 0x80)
                   + op("close", 0),
        "persist-other-fs": write + op("persist", 0x10, 4) + write
                            + op("persist", 0x11, 0) + op("persist", 1, 4),
        "persist-no-replace": op("make_dest", 2) + write + op("persist", 2, 1)
                              + op("persist", 2, 2),
        "close": write + op("close", 1) + write + op("read", 1) + op("get_fd")
                 + op("flush") + op("persist", 0, 0) + op("rollover"),
        "flush-info": write + op("flush") + op("query_info"),
    }
    for klass, max_size in [(0, 0), (1, 0), (1, 16), (1, 200), (2, 0)]:
        for name, body in sequences.items():
            yield f"{name}-{klass}-{max_size}", bytes([klass, max_size]) + body


def write(directory, data):
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for seed in names_seeds():
        write(os.path.join(out, "fuzz-names"), seed)
    for _, seed in ops_seeds():
        write(os.path.join(out, "fuzz-ops"), seed)


if __name__ == "__main__":
    main()
