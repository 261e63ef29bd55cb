#!/usr/bin/env python3
# The flatpak-builder module of doc/flatpak.md: valid JSON, the keys
# flatpak-builder needs, only options that meson_options.txt defines, and
# the same module as doc/examples/flatpak-module.json.
#
#   check-flatpak-module.py PAGE JSON MESON_OPTIONS
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import re
import sys


def problems_of(module, options):
    problems = []
    if not isinstance(module, dict):
        return ["the module is not a JSON object"]
    if not isinstance(module.get("name"), str) or not module["name"]:
        problems.append("no \"name\"")
    if module.get("buildsystem") != "meson":
        problems.append(f"\"buildsystem\" is {module.get('buildsystem')!r}, not \"meson\"")
    for opt in module.get("config-opts", []):
        m = re.fullmatch(r"-D([A-Za-z0-9_-]+)=(.+)", opt)
        if not m:
            problems.append(f"config-opts: {opt!r} is not -Dname=value")
        elif m.group(1) not in options:
            problems.append(f"config-opts: {opt!r}: meson_options.txt has no option {m.group(1)!r}")
        elif m.group(2) not in options[m.group(1)]:
            problems.append(f"config-opts: {opt!r}: {m.group(2)!r} is not one of "
                            f"{sorted(options[m.group(1)])}")
    sources = module.get("sources")
    if not isinstance(sources, list) or not sources:
        problems.append("no \"sources\"")
    else:
        for source in sources:
            if source.get("type") not in ("git", "archive", "dir"):
                problems.append(f"source of unexpected type {source.get('type')!r}")
            if source.get("type") == "git" and not (source.get("url") and
                                                   (source.get("tag") or source.get("commit"))):
                problems.append("a git source needs \"url\" and \"tag\" or \"commit\"")
    return problems


def meson_options(path):
    """Option name -> the values it accepts."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    options = {}
    for m in re.finditer(r"option\(\s*'([^']+)'\s*,\s*type:\s*'([^']+)'", text):
        name, kind = m.groups()
        values = {"feature": {"enabled", "disabled", "auto"},
                  "boolean": {"true", "false"}}.get(kind)
        options[name] = values if values is not None else _Anything()
    return options


class _Anything:
    def __contains__(self, item):
        return True

    def __iter__(self):
        return iter(["anything"])


def main(page_path, json_path, options_path):
    with open(page_path, encoding="utf-8") as f:
        blocks = re.findall(r"^```json\n(.*?)^```", f.read(), re.S | re.M)
    if len(blocks) != 1:
        print(f"{page_path}: expected one JSON block, found {len(blocks)}", file=sys.stderr)
        return 1

    problems = []
    try:
        in_page = json.loads(blocks[0])
    except json.JSONDecodeError as e:
        print(f"{page_path}: the JSON block does not parse: {e}", file=sys.stderr)
        return 1
    with open(json_path, encoding="utf-8") as f:
        try:
            in_file = json.load(f)
        except json.JSONDecodeError as e:
            print(f"{json_path}: does not parse: {e}", file=sys.stderr)
            return 1

    if in_page != in_file:
        problems.append(f"{page_path} and {json_path} show different modules")
    problems += problems_of(in_page, meson_options(options_path))

    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"module {in_page['name']!r}: {len(in_page.get('config-opts', []))} options OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
