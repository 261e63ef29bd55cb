#!/usr/bin/env python3
# The C examples of a guide as one translation unit, so that the build
# compiles them: blocks with an #include or a definition at file scope (a
# line starting with "static ") are taken as they are, in order, after
# <gtempfile.h>; every other block is a fragment, compiled as the body of a
# function of its own that declares what fragments use without declaring it.
#
#   extract-snippets.py GUIDE.md OUTPUT.c
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import re
import sys

FRAGMENT_PRELUDE = """\
  G_GNUC_UNUSED GError *error = NULL;
  G_GNUC_UNUSED const gchar *chosen_path = "/run/user/1000/doc/0123abcd/report.odt";
"""


def main(guide, output):
    with open(guide, encoding="utf-8") as f:
        blocks = re.findall(r"^```c\n(.*?)^```", f.read(), re.S | re.M)
    if not blocks:
        print(f"{guide}: no C blocks", file=sys.stderr)
        return 1

    def is_unit(block):
        return "#include" in block or re.search(r"^static ", block, re.M)

    units = [b for b in blocks if is_unit(b)]
    fragments = [b for b in blocks if not is_unit(b)]
    out = [f"/* Generated from {guide} by extract-snippets.py */\n"]
    for block in units:
        if "#include" not in block:
            out.append("#include <gtempfile.h>\n\n")
            break
    for block in units:
        out.append(f"/* block {blocks.index(block) + 1} */\n{block}\n")
    out.append("#include <gtempfile.h>\n\n")
    for block in fragments:
        n = blocks.index(block) + 1
        body = "".join("  " + line + "\n" if line else "\n" for line in block.splitlines())
        out.append(f"G_GNUC_UNUSED static gboolean\nfragment_{n} (void)\n{{\n"
                   f"{FRAGMENT_PRELUDE}\n{body}\n  return TRUE;\n}}\n\n")
    with open(output, "w", encoding="utf-8") as f:
        f.write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
