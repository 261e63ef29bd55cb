#!/usr/bin/env python3
# The generated documentation, checked as a reader sees it.
#
#   check-site.py links SITE --page NAME...
#       every page NAME exists; every internal link of every page of SITE
#       leads to a file that exists and, with a #fragment, to an element
#       with that id; no code block (<pre>) is empty; the index links to
#       every --page.
#   check-site.py render SITE --chromium PATH --out DIR PAGE...
#       renders each PAGE in headless Chromium to DIR/PAGE.png and checks
#       that the picture exists and is not blank.
#
# Copyright 2026 The libgtempfile authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import zlib

SKIP = 77
EXTERNAL_SCHEMES = ("http", "https", "mailto", "data", "javascript", "ftp")


class Page(html.parser.HTMLParser):
    """The ids, links and code blocks of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []          # (line, url)
        self.pre_texts = []      # text of every <pre>, in order
        self._pre_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None and tag in ("a", "link", "script", "img"):
                self.links.append((self.getpos()[0], attrs[key]))
        if tag == "pre":
            if self._pre_depth == 0:
                self.pre_texts.append("")
            self._pre_depth += 1

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre_depth > 0:
            self._pre_depth -= 1

    def handle_data(self, data):
        if self._pre_depth > 0:
            self.pre_texts[-1] += data


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    page.close()
    return page


def check_links(site, required):
    problems = []
    pages = {}

    def get(rel):
        if rel not in pages:
            pages[rel] = parse(os.path.join(site, rel))
        return pages[rel]

    for name in required:
        if not os.path.isfile(os.path.join(site, name)):
            problems.append(f"missing page: {name}")

    html_files = sorted(
        os.path.relpath(os.path.join(root, f), site)
        for root, _, files in os.walk(site) for f in files if f.endswith(".html"))
    if not html_files:
        problems.append(f"no HTML pages in {site}")

    n_links = 0
    for rel in html_files:
        page = get(rel)
        for i, text in enumerate(page.pre_texts):
            if not text.strip():
                problems.append(f"{rel}: code block {i + 1} is empty")
        for line, url in page.links:
            if not url.strip():
                problems.append(f"{rel}:{line}: empty link")
                continue
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in EXTERNAL_SCHEMES or parts.netloc:
                continue
            if parts.scheme:
                problems.append(f"{rel}:{line}: unexpected link {url}")
                continue
            n_links += 1
            target = rel
            if parts.path:
                target = os.path.normpath(os.path.join(os.path.dirname(rel),
                                                       urllib.parse.unquote(parts.path)))
                if target.startswith(".."):
                    problems.append(f"{rel}:{line}: link leaves the site: {url}")
                    continue
                if not os.path.exists(os.path.join(site, target)):
                    problems.append(f"{rel}:{line}: broken link {url}")
                    continue
            if parts.fragment and target.endswith(".html"):
                if urllib.parse.unquote(parts.fragment) not in get(target).ids:
                    problems.append(f"{rel}:{line}: no anchor #{parts.fragment} in {target}")

    if os.path.isfile(os.path.join(site, "index.html")):
        index_targets = {urllib.parse.urlsplit(u).path for _, u in get("index.html").links}
        for name in required:
            if name != "index.html" and name not in index_targets:
                problems.append(f"index.html does not link to {name}")

    print(f"{len(html_files)} pages, {n_links} internal links checked")
    return problems


def png_is_blank(path):
    """Whether the PNG at path is missing, empty or of one colour only."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return True
    pos, idat = 8, b""
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    # A blank page decodes (filters and all) to a handful of byte values;
    # text, antialiased, to many.
    pixels = zlib.decompress(idat)
    return len(set(pixels[::7])) <= 8


def render(site, chromium, out, names):
    problems = []
    os.makedirs(out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="check-site-chromium-")
    try:
        for name in names:
            page = os.path.join(os.path.abspath(site), name)
            png = os.path.join(out, name.replace(".html", ".png"))
            if os.path.exists(png):
                os.unlink(png)
            if not os.path.isfile(page):
                problems.append(f"missing page: {name}")
                continue
            cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                   "--hide-scrollbars", "--no-first-run",
                   f"--user-data-dir={profile}",
                   f"--screenshot={png}", "--window-size=1280,2000",
                   "file://" + urllib.parse.quote(page)]
            try:
                run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     timeout=120)
            except subprocess.TimeoutExpired:
                problems.append(f"{name}: Chromium did not finish in 120 s")
                continue
            if not os.path.isfile(png) or os.path.getsize(png) == 0:
                problems.append(f"{name}: no picture (Chromium exit status {run.returncode}):\n"
                                + run.stdout.decode(errors="replace")[-2000:])
            elif png_is_blank(png):
                problems.append(f"{name}: the picture {png} is blank")
            else:
                print(f"{name} -> {png} ({os.path.getsize(png)} bytes)")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return problems


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    links = sub.add_parser("links")
    links.add_argument("site")
    links.add_argument("--page", action="append", default=[])
    rend = sub.add_parser("render")
    rend.add_argument("site")
    rend.add_argument("--chromium", default="")
    rend.add_argument("--out", required=True)
    rend.add_argument("pages", nargs="+")
    args = parser.parse_args()

    if args.command == "links":
        problems = check_links(args.site, args.page)
    else:
        if not args.chromium:
            print("SKIP: no chromium to render the pages with")
            return SKIP
        problems = render(args.site, args.chromium, args.out, args.pages)

    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
