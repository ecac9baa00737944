"""Helpers for the fetch tests: fast network settings, and reading a folder back whole."""

from __future__ import annotations

import os
from pathlib import Path

from generator.config import ClientSettings

# Network settings small enough that retries and timeouts take milliseconds.
FAST = ClientSettings(
    timeout=0.2, retries=4, backoff=0.01, backoff_max=0.05, budget_calls=10_000, budget_window=1
)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root``: its bytes and its mtime, to prove nothing was touched."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            out[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes, by relative path (for byte-for-byte comparisons of two runs)."""
    return {name: data for name, (data, _mtime) in snapshot(root).items()}
