#!/usr/bin/env python3
# check-exports.py — the shared library exports the public API and nothing else
#
# Usage: check-exports.py NM LIBRARY HEADER...
#
# The expected symbol list is read from the public headers: every declaration
# after a GTEMPFILE_AVAILABLE_IN_* or GTEMPFILE_DEPRECATED_* macro, and the
# _get_type function of every G_DECLARE_*_TYPE. The test fails when the
# library exports a symbol outside our prefixes, exports a symbol that no
# header declares (a private helper that lost its G_GNUC_INTERNAL), or lacks
# a declared one (a public function that is hidden or was never written).
# Prints TAP.
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import re
import subprocess
import sys

PREFIXES = ('g_tempfile_', 'g_tmp_', 'g_named_tmp_', 'g_spooled_tmp_')

MARKED_DECL = re.compile(
    r'GTEMPFILE_(?:AVAILABLE_IN_\w+|DEPRECATED_IN_\w+?(?:_FOR\s*\([^)]*\))?)\s+'
    # G_DECLARE_*_TYPE has no ';': a declaration also ends at the next macro.
    r'(?P<decl>(?:(?!GTEMPFILE_)[^;])*)', re.S)
DECLARE_TYPE = re.compile(
    r'G_DECLARE_(?:FINAL|DERIVABLE|INTERFACE)_TYPE\s*\(\s*\w+\s*,\s*(\w+)\s*,')
FUNC_NAME = re.compile(r'(\w+)\s*\(')


def expected_symbols(headers):
    expected = set()
    for header in headers:
        with open(header, encoding='utf-8') as f:
            text = f.read()
        # Doc comments mention the macros too; only code counts.
        text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        for m in MARKED_DECL.finditer(text):
            decl = m.group('decl')
            if decl.lstrip().startswith('G_DECLARE_'):
                continue
            name = FUNC_NAME.search(decl)
            if name:
                expected.add(name.group(1))
        for m in DECLARE_TYPE.finditer(text):
            expected.add(m.group(1) + '_get_type')
    return expected


def exported_symbols(nm, library):
    out = subprocess.run([nm, '-D', '--defined-only', library],
                         check=True, capture_output=True, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            symbols.add(fields[2].split('@')[0])
    return symbols


def main():
    if len(sys.argv) < 4:
        print('usage: check-exports.py NM LIBRARY HEADER...', file=sys.stderr)
        return 2
    nm, library, headers = sys.argv[1], sys.argv[2], sys.argv[3:]

    expected = expected_symbols(headers)
    exported = exported_symbols(nm, library)

    checks = [
        ('headers declare public API', [] if expected else ['(none)'],
         'no GTEMPFILE_AVAILABLE_IN_* declaration found'),
        ('every exported symbol has a public prefix',
         sorted(s for s in exported if not s.startswith(PREFIXES)),
         'exported without a public prefix'),
        ('every exported symbol is declared in a public header',
         sorted(exported - expected), 'exported but not public API'),
        ('every public symbol is exported',
         sorted(expected - exported), 'declared public but not exported'),
    ]

    print('1..%d' % len(checks))
    failed = 0
    for i, (what, bad, why) in enumerate(checks, 1):
        if bad:
            failed += 1
            print('not ok %d - %s' % (i, what))
            for sym in bad:
                print('# %s: %s' % (why, sym))
        else:
            print('ok %d - %s' % (i, what))
    print('# %d symbols exported, %d declared' % (len(exported), len(expected)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
