"""Debian's Chromium as Playwright drives it here (the browser test and the benchmark).

Playwright never downloads a browser in this project: it launches Chromium with flags that
keep it from calling out to a network it does not have.
"""

import os
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

# npm packages the browser tests and the Lighthouse benchmark inject or run; `make
# browser-deps` (and `make bench-deps`) install them here with npm.
NODE_MODULES = REPO / ".node" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
