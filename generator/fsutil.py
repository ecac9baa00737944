"""Writing files so that a crash never leaves one half-written, and unchanged ones untouched."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str, *, durable: bool = False) -> None:
    """Write via a temp file in the same folder and rename it over ``path``.

    ``durable`` adds an fsync, worth it for ``papers/`` (the source of truth) and not for
    generated pages, which a rebuild recreates anyway.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, text: str, *, durable: bool = False) -> bool:
    """Write ``text`` unless the file already holds exactly it; return whether it wrote.

    Keeping unchanged files untouched keeps git diffs empty and mtimes stable, which is
    what lets ``mkdocs build --dirty`` and incremental rebuilds skip work.
    """
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    write_atomic(path, text, durable=durable)
    return True
