# taptestrunner.py — run a unittest suite and report it as TAP for meson test
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import traceback
import unittest


class TapTestResult(unittest.TestResult):
    """Prints one TAP line per test as it finishes, diagnostics as comments."""

    def __init__(self, stream):
        super().__init__()
        self._stream = stream
        self._number = 0

    def _line(self, text):
        self._stream.write(text + '\n')
        self._stream.flush()

    def _diagnose(self, err):
        for line in ''.join(traceback.format_exception(*err)).splitlines():
            self._line('# ' + line)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._number += 1
        self._line('ok %d - %s' % (self._number, test.id()))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._number += 1
        self._line('not ok %d - %s' % (self._number, test.id()))
        self._diagnose(err)

    def addError(self, test, err):
        super().addError(test, err)
        self._number += 1
        self._line('not ok %d - %s' % (self._number, test.id()))
        self._diagnose(err)

    def addSubTest(self, test, subtest, err):
        # A failed subtest fails its test: say which one, as unittest does.
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._number += 1
            self._line('not ok %d - %s' % (self._number, subtest.id()))
            self._diagnose(err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._number += 1
        self._line('ok %d - %s # SKIP %s' % (self._number, test.id(), reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._number += 1
        self._line('not ok %d - %s # TODO expected failure'
                   % (self._number, test.id()))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._number += 1
        self._line('ok %d - %s # TODO unexpected success'
                   % (self._number, test.id()))


def main(module='__main__'):
    """Run every test in @module; exit status 0 only if all of them passed."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[module])
    result = TapTestResult(sys.stdout)
    suite.run(result)
    # The plan comes last: a test with failed subtests has a line for each.
    sys.stdout.write('1..%d\n' % result._number)
    sys.exit(0 if result.wasSuccessful() else 1)
