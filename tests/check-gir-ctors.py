#!/usr/bin/env python3
# check-gir-ctors.py — no class of the GIR inherits a constructor
#
# Usage: check-gir-ctors.py GIR
#
# Python and GJS make a class's static functions reachable through its
# subclasses: with no constructor of its own by that name,
# `NamedTmpFile.new_async()` is TmpFile's and builds a TmpFile. So every
# constructor and static function of a class of ours must be declared again
# by each subclass of ours, with the same name. Prints TAP.
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'


def statics(cls):
    """The names of @cls's constructors and static functions."""
    return {e.get('name') for e in cls
            if e.tag in (CORE + 'constructor', CORE + 'function')
            and e.get('introspectable') != '0'}


def main(path):
    namespace = ET.parse(path).getroot().find(CORE + 'namespace')
    classes = {c.get('name'): c for c in namespace.findall(CORE + 'class')}
    results = []

    for name, cls in sorted(classes.items()):
        own = statics(cls)
        parent = cls.get('parent')
        while parent in classes:
            missing = sorted(statics(classes[parent]) - own)
            results.append((not missing, f'{name} declares its own {", ".join(sorted(statics(classes[parent])))} '
                                         f'(inherited from {parent}: {", ".join(missing) or "none"})'))
            parent = classes[parent].get('parent')

    print(f'1..{max(len(results), 1)}')
    if not results:
        print('ok 1 - no class of ours has a parent of ours # SKIP')
        return 0
    for i, (ok, what) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {what}')
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
