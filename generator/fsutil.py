"""Writing files so that a crash never leaves one half-written, and unchanged ones untouched."""

from __future__ import annotations

import contextlib
import gzip
import os
import secrets
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# zlib level for published .gz files: past 4, each megabyte saved costs seconds of the
# build (the README's benchmarks compare the levels on the open-data export).
GZIP_LEVEL = 4


def write_atomic(
    path: Path, data: str | bytes, *, durable: bool = False, mode: int | None = None
) -> None:
    """Write via a temp file in the same folder and rename it over ``path``; text as UTF-8.

    The file gets ``mode`` if given, else the mode ``path`` has now, else the one a plain
    ``open()`` would give: the temp file is created with 0o666 and the kernel applies the
    umask (and any default ACL), unlike ``mkstemp``'s private 0600, which would make every
    file unreadable to a web server or a teammate sharing the checkout.

    ``durable`` adds an fsync, worth it for ``papers/`` (the source of truth) and not for
    generated pages, which a rebuild recreates anyway.
    """
    if mode is None:
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(path.stat().st_mode)
    _replace(path, data, durable, mode)


def _replace(path: Path, data: str | bytes, durable: bool, mode: int | None) -> None:
    encoded = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with atomic_stream(path, mode=mode, durable=durable) as handle:
            handle.write(encoded)
    except FileNotFoundError:  # its folder is new: made only then, not on every write
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_stream(path, mode=mode, durable=durable) as handle:
            handle.write(encoded)


@contextlib.contextmanager
def atomic_stream(
    path: Path, *, mode: int | None = None, durable: bool = False
) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through, renamed over it only once written whole
    (with ``mode`` if given, synced first if ``durable``); its folder must exist."""
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new ``.<name>.<random>.tmp`` beside ``path``, opened as ``open(..., "x")`` would."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary file name for {path.name}")


def write_if_changed(path: Path, text: str, *, durable: bool = False) -> bool:
    """Write ``text`` unless the file already holds exactly it; return whether it wrote.

    Keeping unchanged files untouched keeps git diffs empty and mtimes stable, which is
    what lets ``mkdocs build --dirty`` and incremental rebuilds skip work. The comparison
    is on bytes: read as text, a file with CRLF line ends would look like its LF twin.
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        _replace(path, data, durable, None)  # a new file: no mode to keep
        return True
    write_atomic(path, data, durable=durable)
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
