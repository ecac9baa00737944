"""Debian's Chromium as Playwright drives it here (the browser test and the benchmark).

Playwright never downloads a browser in this project: it launches /usr/bin/chromium with
flags that keep it from calling out to a network it does not have.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
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
