#!/usr/bin/env python3
# check-layers.py — no lower layer of libgtempfile/ includes or calls a higher one
#
# Usage: check-layers.py SOURCE_DIR
#
# Reads SOURCE_DIR/*.c and *.h and draws the graph of includes and calls
# between modules (a module is a .c with its .h). An edge from a lower layer
# to a higher one is a back-edge and fails the check, unless it is the
# allowed stream pair or a known back-edge still to be removed. Calls are
# owned by where the called function is defined (any non-static definition
# in SOURCE_DIR/*.c), and type macros (G_IS_NAMED_TMP_FILE, G_TYPE_TMP_DIR…)
# by the class whose stem they carry. Prints TAP, and every circle of the
# graph as a diagnostic.
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys

# The layers, lowest first. A module may include and call its own layer's
# and lower layers' modules. Module: (layer, files, class macro stem or None).
#
#   0  the secure-create core: names, creation, refusal memory, fsync,
#      the default directory
#   1  descriptor-level helpers built on the core: tree removal, persist's
#      link/rename/copy/sync, the spooled file's bytes in memory
#   2  helpers shared by the classes, and GTmpFile's streams
#   3  the base class, and persist's object logic
#   4  the subclasses
#   5  the module functions (g_tempfile_*)
MODULES = {
    # The core in five files: creation, the random part of names,
    # directories by descriptor, the default directory, the O_TMPFILE
    # refusal memory (with its test hooks).
    'gtmp-core':         (0, ['gtmp-core.c', 'gtmp-core.h', 'gtmp-names.c', 'gtmp-dirfd.c',
                              'gtmp-tempdir.c', 'gtmp-tempdir.h', 'gtmp-refusals.c',
                              'gtmp-refusals.h', 'gtmp-testing.h'], None),
    'gtmp-rmtree':       (1, ['gtmp-rmtree.c', 'gtmp-rmtree.h', 'gtmp-rmtree-open.c',
                              'gtmp-rmtree-open.h'], None),
    'gtmp-fdio':         (1, ['gtmp-fdio.c', 'gtmp-fdio.h'], None),
    'gtmp-chunks':       (1, ['gtmp-chunks.c', 'gtmp-chunks.h'], None),
    # The sweep of a directory's stale entries (removes trees as above).
    'gtmp-sweep':        (1, ['gtmp-sweep.c', 'gtmp-sweep.h'], None),
    'gtempfile-private': (2, ['gtempfile-private.h'], None),
    'gtmp-template':     (2, ['gtmp-template.c', 'gtmp-template.h'], None),
    'gtmp-stream':       (2, ['gtmp-stream.c', 'gtmp-stream.h'], None),
    # GTmpFile is one module in several files: the class, its fd store,
    # its persist gate, persist's object logic and its private instance data.
    'gtmpfile':          (3, ['gtmpfile.c', 'gtmpfile.h', 'gtmp-filestore.c', 'gtmp-fileio.c',
                              'gtmp-gate.c', 'gtmp-persist.c', 'gtmp-file-at.c',
                              'gtmp-file-fd.c',
                              'gtmp-file-private.h'], 'TMP_FILE'),
    'gnamedtmpfile':     (4, ['gnamedtmpfile.c', 'gnamedtmpfile.h'], 'NAMED_TMP_FILE'),
    'gspooledtmpfile':   (4, ['gspooledtmpfile.c', 'gspooledtmpfile.h'], 'SPOOLED_TMP_FILE'),
    # GTmpDir: the class, its cleanup and its persist (publishing the
    # directory), which reach the object's state through gtmp-dir-private.h.
    'gtmpdir':           (4, ['gtmpdir.c', 'gtmpdir.h', 'gtmp-dir-cleanup.c', 'gtmp-dir-persist.c',
                              'gtmp-dir-private.h'], 'TMP_DIR'),
    'gtempfile':         (5, ['gtempfile.c', 'gtempfile.h'], None),
}

# The public headers declare the API and are reachable only through
# gtempfile.h; every layer from the classes' helpers up may include it.
# Below that (the core and the descriptor-level helpers) no GObject class
# is known.
PUBLIC_HEADERS = {'gtempfile.h', 'gtmpfile.h', 'gnamedtmpfile.h',
                  'gspooledtmpfile.h', 'gtmpdir.h'}
PUBLIC_FLOOR = 2

# Test hooks: included by their implementation and the tests only, never by
# a class, so that no class comes to depend on a hook.
TESTING_HEADERS = {'gtmp-testing.h'}
TESTING_USERS = {'gtmp-core.c', 'gtmp-names.c', 'gtmp-refusals.c', 'gtmp-rmtree.c'}

# The one allowed circle: GTmpFile and its own stream pair (the streams call
# the file's store, the file makes its streams).
ALLOWED_EDGES = {('gtmp-stream', 'gtmpfile')}

# Back-edges that exist and are being removed: the check fails if one of
# these is gone (delete it here) as well as when a new one appears.
KNOWN_BACK_EDGES = set()

COMMENT_OR_STRING = re.compile(
    r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
COMMENT = re.compile(r'/\*.*?\*/', re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
CALL = re.compile(r'\b([A-Za-z_]\w*)\s*\(')
IDENT = re.compile(r'\b([A-Z_][A-Z0-9_]*)\b')
# A non-static function definition: a name at the start of a line, after a
# line holding its return type.
DEFINITION = re.compile(r'^(?!static\b)[A-Za-z_][^\n;(]*\n([A-Za-z_]\w*)\s*\(', re.M)


def strip(text):
    return COMMENT_OR_STRING.sub(lambda m: '""' if m.group(0)[0] == '"' else ' ', text)


def module_of_file(name):
    for module, (_, files, _) in MODULES.items():
        if name in files:
            return module
    return None


def class_macros():
    owner = {}
    for module, (_, _, stem) in MODULES.items():
        if stem is not None:
            for fmt in ('G_%s', 'G_IS_%s', 'G_TYPE_%s', 'G_%s_CLASS',
                        'G_IS_%s_CLASS', 'G_%s_GET_CLASS'):
                owner[fmt % stem] = module
    return owner


def main(srcdir):
    names = sorted(n for n in os.listdir(srcdir) if n.endswith(('.c', '.h')))
    raw = {n: open(os.path.join(srcdir, n), encoding='utf-8').read() for n in names}
    texts = {n: strip(raw[n]) for n in names}

    functions = {}
    for n in names:
        if n.endswith('.c'):
            for m in DEFINITION.finditer(texts[n]):
                functions.setdefault(m.group(1), module_of_file(n))
    macros = class_macros()

    tests = []          # (ok, description, diagnostics)
    edges = {}          # (from module, to module) -> [what]
    seen_known = set()

    for n in names:
        module = module_of_file(n)
        if module is None:
            tests.append((False, '%s: in no layer (add it to MODULES)' % n, []))
            continue
        layer = MODULES[module][0]
        bad = []
        found = []      # (kind, what, to module)

        for header in INCLUDE.findall(COMMENT.sub(' ', raw[n])):
            if header in TESTING_HEADERS and n not in TESTING_USERS:
                bad.append('includes the test hooks %s' % header)
            if header in PUBLIC_HEADERS:
                if layer < PUBLIC_FLOOR:
                    found.append(('include', header, 'gtempfile'))
                continue
            target = module_of_file(header)
            if target is not None:
                found.append(('include', header, target))

        if n.endswith('.c'):
            for name in set(CALL.findall(texts[n])):
                if name in functions:
                    found.append(('call', name, functions[name]))
            for name in set(IDENT.findall(texts[n])):
                if name in macros:
                    found.append(('call', name, macros[name]))

        for kind, what, target in sorted(found):
            if target == module:
                continue
            edges.setdefault((module, target), []).append('%s %s' % (kind, what))
            key = (n, kind, what)
            if key in KNOWN_BACK_EDGES:
                seen_known.add(key)
                continue
            back = (MODULES[target][0] > layer or
                    (kind == 'include' and what in PUBLIC_HEADERS))
            if back and (module, target) not in ALLOWED_EDGES:
                bad.append('%s %s (layer %d) from layer %d'
                           % (kind, what, MODULES[target][0], layer))

        tests.append((not bad, '%s (%s, layer %d) includes and calls no higher layer'
                      % (n, module, layer), bad))

    gone = sorted(KNOWN_BACK_EDGES - seen_known)
    tests.append((not gone, 'every known back-edge still exists (remove the gone ones)',
                  ['gone: %s %s %s' % g for g in gone]))

    # Circles, known and allowed edges included (printed), and those left
    # once they are taken out (failures: a circle of siblings).
    known_modules = {(module_of_file(f), functions.get(w) or macros.get(w) or
                      module_of_file(w) or 'gtempfile')
                     for f, _, w in KNOWN_BACK_EDGES}
    diag = []
    for scc in strongly_connected(edges):
        diag.append('circle: %s' % ' ↔ '.join(sorted(scc)))
        for (a, b), what in sorted(edges.items()):
            if a in scc and b in scc:
                diag.append('  %s → %s: %s' % (a, b, ', '.join(what)))
    remaining = {e: w for e, w in edges.items()
                 if e not in ALLOWED_EDGES and e not in known_modules}
    unexplained = strongly_connected(remaining)
    tests.append((not unexplained,
                  'no circle but the stream pair and known back-edges',
                  ['circle: %s' % ' ↔ '.join(sorted(s)) for s in unexplained]))

    print('1..%d' % len(tests))
    for d in diag:
        print('# %s' % d)
    failed = 0
    for i, (ok, desc, notes) in enumerate(tests, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, desc))
        for note in notes:
            print('#   %s' % note)
        failed += not ok
    return 1 if failed else 0


def strongly_connected(edges):
    """Tarjan's algorithm; returns the components of more than one module."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(scc)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
