"""Debian's Chromium as Playwright drives it here (the browser test and the benchmark).

Playwright never downloads a browser in this project: it launches Chromium with flags that
keep it from calling out to a network it does not have.
"""

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Debian's package by default; elsewhere (GitHub's Ubuntu runners ship Google Chrome) set
# PAPER_ARCHIVE_CHROMIUM to the browser binary.
CHROMIUM = Path(os.environ.get("PAPER_ARCHIVE_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Every URL but the site served on 127.0.0.1: routes abort these, so no page load leaves the
# machine.
OFF_SITE = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")

# npm packages: `make browser-deps` installs axe-core, which the browser tests inject;
# `make bench-deps` installs Lighthouse for bench/lighthouse_bench.py.
AXE = REPO / ".node" / "test" / "node_modules" / "axe-core" / "axe.min.js"
LIGHTHOUSE = REPO / ".node" / "bench" / "node_modules" / ".bin" / "lighthouse"
