"""One writer at a time: a lock file so two fetch runs never interleave their writes.

``filelock`` takes an OS lock (``flock`` on Unix) on the file, which the kernel drops when
the holding process dies, however it dies: a lock left by a killed run is simply free,
with no stale-PID guessing. The holder's PID is written into the file only to name it in
the error a second run gets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from generator.errors import ArchiveError

LOCK_NAME = ".paper-archive.lock"


class LockedError(ArchiveError):
    """Another run holds the lock."""


@contextmanager
def archive_lock(root: Path) -> Iterator[Path]:
    """Hold the archive's lock for the block, or fail at once if another run holds it."""
    path = root / LOCK_NAME
    root.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockedError(
            f"another paper-archive run{_holder(path)} is writing this archive "
            f"(lock file {path}); wait for it to finish",
            path=path,
        ) from None
    try:
        path.write_text(f"{os.getpid()}\n", encoding="ascii")
        yield path
    finally:
        lock.release()


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
