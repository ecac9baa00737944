"""Gzipped generated files: written only when their decompressed content changes."""

from __future__ import annotations

import gzip
from pathlib import Path

from generator.fsutil import write_gzip_if_changed

TEXT = '{"id":"2603.00001","title":"José 日本語"}\n' * 200


def _state(path: Path) -> tuple[int, int]:
    return path.stat().st_ino, path.stat().st_mtime_ns


def test_writes_gzip_that_decompresses_to_the_text(tmp_path: Path) -> None:
    path = tmp_path / "data" / "papers-2026.jsonl.gz"
    assert write_gzip_if_changed(path, TEXT)
    assert gzip.decompress(path.read_bytes()).decode("utf-8") == TEXT
    assert len(path.read_bytes()) < len(TEXT.encode("utf-8")) / 10
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_same_content_is_not_rewritten_however_it_was_compressed(tmp_path: Path) -> None:
    path = tmp_path / "papers-2026.jsonl.gz"
    # As another zlib or level would have compressed it: different bytes, same text.
    other = gzip.compress(TEXT.encode("utf-8"), compresslevel=9, mtime=12345)
    path.write_bytes(other)
    before = _state(path)
    assert not write_gzip_if_changed(path, TEXT)
    assert _state(path) == before and path.read_bytes() == other


def test_changed_or_unreadable_files_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "papers-2026.jsonl.gz"
    write_gzip_if_changed(path, TEXT)
    fresh = path.read_bytes()
    for stale in (
        gzip.compress(b"{}\n", mtime=0),  # other content
        fresh[: len(fresh) // 2],  # truncated
        fresh[:20] + bytes(len(fresh) - 20),  # corrupt deflate data
        b'{"id":"2603.00001"}\n',  # not gzip at all
    ):
        path.write_bytes(stale)
        assert write_gzip_if_changed(path, TEXT)
        assert path.read_bytes() == fresh
