"""Writing files so that a crash never leaves one half-written, and unchanged ones untouched."""

from __future__ import annotations

import gzip
import os
import tempfile
import zlib
from pathlib import Path

# zlib level for published .gz files: past 4, each megabyte saved costs seconds of the
# build (the README's benchmarks compare the levels on the open-data export).
GZIP_LEVEL = 4


def write_atomic(path: Path, data: str | bytes, *, durable: bool = False) -> None:
    """Write via a temp file in the same folder and rename it over ``path``; text as UTF-8.

    ``durable`` adds an fsync, worth it for ``papers/`` (the source of truth) and not for
    generated pages, which a rebuild recreates anyway.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
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


def write_gzip_if_changed(path: Path, text: str) -> bool:
    """Store ``text`` gzip-compressed unless the file already decompresses to exactly it.

    Comparing the decompressed content (decompressing is far cheaper than compressing)
    rather than fresh compressed bytes means an unchanged file costs no compression. The
    header carries no file name and a zero mtime, so the same text always gives the same
    bytes.
    """
    data = text.encode("utf-8")
    try:
        if gzip.decompress(path.read_bytes()) == data:
            return False
    except (FileNotFoundError, gzip.BadGzipFile, EOFError, zlib.error):
        pass
    write_atomic(path, gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
    return True
