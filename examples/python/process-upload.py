#!/usr/bin/python3
# process-upload.py — hand an upload to a program that wants a file name
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A web handler receives an upload as a stream of bytes, but the tool that
# must look at it (a virus scanner, an image optimiser, `file`, here
# `sha256sum` and `wc`) wants a path. The upload goes into a NamedTmpFile that
# nobody else can open (0600, unguessable name), the tool runs on its name,
# and the file is gone when the `with` block ends, whatever happens inside.
#
# The client's file name only contributes its extension, and the library
# refuses a suffix with a '/' in it, so a hostile name cannot place the file
# anywhere else.
#
# Usage: process-upload.py [FILE]   (reads the upload from stdin without FILE)

import os
import shutil
import subprocess
import sys

import gi
gi.require_version('GTempfile', '1.0')
from gi.repository import GLib, GTempfile  # noqa: E402


def process_upload(upload, client_name):
    suffix = os.path.splitext(client_name)[1] or '.upload'
    with GTempfile.NamedTmpFile(prefix='upload_', suffix=suffix) as f:
        shutil.copyfileobj(upload, f)
        # The tool reads the file through its own descriptor: push our bytes
        # out to the file first.
        f.flush()
        checksum = subprocess.run(['sha256sum', f.name], check=True,
                                  capture_output=True, text=True)
        size = subprocess.run(['wc', '-c', f.name], check=True,
                              capture_output=True, text=True)
        print('received %s as %s' % (client_name, f.name))
        print('  sha256 %s' % checksum.stdout.split()[0])
        print('  %s bytes' % size.stdout.split()[0])
        path = f.name
    print('  %s removed: %s' % (path, not os.path.exists(path)))


def main(argv):
    try:
        if len(argv) > 1:
            with open(argv[1], 'rb') as upload:
                process_upload(upload, os.path.basename(argv[1]))
        else:
            process_upload(sys.stdin.buffer, 'stdin.upload')
    except GLib.Error as error:
        print('process-upload: %s' % error.message, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
