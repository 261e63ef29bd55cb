#!/usr/bin/python3
# run_cpython_tempfile.py — CPython's own test_tempfile.py against gtempfile
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Run CPython's Lib/test/test_tempfile.py with ``tempfile`` being gtempfile.

The suite comes from the interpreter (Debian's libpython3.11-testsuite) and
is not changed: ``sys.modules['tempfile']`` is gtempfile before it is
imported, exactly what ``import gtempfile as tempfile`` does for a program.
Its child interpreters (the at-exit tests) run isolated as the suite wants
them, with the same switch (and this tree's sys.path entry) at the top of
their ``-c`` code. The tests listed in
cpython-tempfile-skips.txt are skipped with the reason given there; a listed
test that does not exist is an error, so the list cannot go stale.
With --unprivileged it runs as nobody (when started as root), so that the
tests that need a directory it cannot write run too.
"""

import os
import shutil
import subprocess
import sys
import unittest

NOBODY = 65534


def as_nobody():
    """With --unprivileged: run again as nobody, as CPython's suite expects
    (as root, its read-only directory tests skip themselves)."""
    if os.geteuid() != 0 or shutil.which('setpriv') is None:
        print('1..0 # SKIP needs root and setpriv to run as nobody')
        sys.exit(0)
    command = ['setpriv', '--reuid=%d' % NOBODY, '--regid=%d' % NOBODY,
               '--clear-groups', sys.executable]
    probe = subprocess.run(command + ['-c', 'import gtempfile'],
                           capture_output=True, cwd='/')
    if probe.returncode != 0:
        print('1..0 # SKIP this tree is not readable by nobody')
        sys.exit(0)
    os.chdir('/')
    os.execvp(command[0], command + [os.path.abspath(__file__)])


if __name__ == '__main__' and sys.argv[1:] == ['--unprivileged']:
    as_nobody()

import gtempfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import taptestrunner  # noqa: E402

sys.modules['tempfile'] = gtempfile

try:
    from test.support import os_helper  # noqa: E402
    from test.support import script_helper  # noqa: E402
except ImportError as error:
    print('1..0 # SKIP CPython\'s test suite is not installed '
          '(libpython3.11-testsuite): %s' % error)
    sys.exit(0)

SWITCH = ('import sys; sys.path[:0] = %r; import gtempfile; '
          'sys.modules["tempfile"] = gtempfile\n'
          % [os.path.dirname(os.path.dirname(gtempfile.__file__))])


def _switched(function):
    def run(*args, **env_vars):
        args = list(args)
        if len(args) >= 2 and args[0] == '-c':
            args[1] = SWITCH + args[1]
        return function(*args, **env_vars)
    return run


# The test module calls script_helper.assert_python_ok(...) through the
# module it imported, so patching the attribute reaches it.
script_helper.assert_python_ok = _switched(script_helper.assert_python_ok)


def load_skips(path):
    """{'Class' or 'Class.test': reason} from the skip list."""
    skips = {}
    with open(path, encoding='utf-8') as listing:
        for line in listing:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            name, _, reason = line.partition(' ')
            skips[name] = reason.strip()
    return skips


def apply_skips(module, skips):
    for name, reason in skips.items():
        class_name, _, test_name = name.partition('.')
        cls = getattr(module, class_name, None)
        if cls is None or (test_name and not hasattr(cls, test_name)):
            sys.exit('Bail out! %s in the skip list is not in %s'
                     % (name, module.__file__))
        if test_name:
            setattr(cls, test_name,
                    unittest.skip(reason)(getattr(cls, test_name)))
        else:
            unittest.skip(reason)(cls)


if __name__ == '__main__':
    # In a scratch working directory, as CPython's regrtest runs it (the
    # suite writes its TESTFN files there, from import on).
    with os_helper.temp_cwd(name=None):
        from test import test_tempfile
        apply_skips(test_tempfile, load_skips(
            os.path.join(HERE, 'cpython-tempfile-skips.txt')))
        taptestrunner.main(test_tempfile.__name__)
