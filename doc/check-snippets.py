#!/usr/bin/env python3
# The code blocks of a guide are taken from examples that a test runs:
# every ```LANG block of GUIDE must appear, line for line, in FILE.
#
#   check-snippets.py GUIDE LANG FILE [LANG FILE]...
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import re
import sys


def main(guide, *pairs):
    with open(guide, encoding="utf-8") as f:
        text = f.read()
    problems = []
    for lang, path in zip(pairs[::2], pairs[1::2]):
        with open(path, encoding="utf-8") as f:
            example = f.read()
        blocks = re.findall(r"^```" + re.escape(lang) + r"\n(.*?)^```", text, re.S | re.M)
        if not blocks:
            problems.append(f"{guide}: no {lang} blocks")
        for i, block in enumerate(blocks, 1):
            if block not in example:
                first = block.strip().splitlines()[0]
                problems.append(f"{guide}: {lang} block {i} ({first!r}) is not in {path}")
        print(f"{guide}: {len(blocks)} {lang} blocks found in {path}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 4 or len(sys.argv) % 2:
        sys.exit("usage: check-snippets.py GUIDE LANG FILE [LANG FILE]...")
    sys.exit(main(*sys.argv[1:]))
