"""The benchmark archive is deterministic, realistic in shape, and valid by the contract."""

from __future__ import annotations

import sys
from pathlib import Path

from generator.store.archive import load_archive
from generator.store.paperfile import PaperFile
from generator.validate import validate

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from synthetic import cached_archive, make_archive  # noqa: E402


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_same_seed_same_bytes_and_a_valid_archive(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    paths = make_archive(first, 300, seed=7, topics=("reasoning",))
    make_archive(second, 300, seed=7, topics=("reasoning",))
    make_archive(other, 300, seed=8)

    assert len(paths) == 300 and all(p.is_file() for p in paths)
    assert _snapshot(first) == _snapshot(second)
    assert _snapshot(first) != _snapshot(other)

    taxonomy = "topics:\n- slug: reasoning\n  name: R\n  keywords: [reasoning]\n"
    (first / "topics.yml").write_text(taxonomy, encoding="utf-8")
    report = validate([first / "papers"], first / "papers", first / "topics.yml")
    assert report.problems == [] and report.files == 300

    papers = load_archive(first / "papers").papers
    annotated = [p for p in papers if p.is_annotated]
    assert 0.08 < len(annotated) / len(papers) < 0.25
    assert len({p.listed for p in papers}) == 6  # 50 a day
    assert all(5 <= len(p.ai_keywords) <= 10 for p in papers)
    assert 900 < sum(len(p.abstract) for p in papers) / len(papers) < 1600


def test_files_are_what_the_paper_file_writer_writes(tmp_path):
    # The generator renders with libyaml for speed; the archive's own writer (pure-Python
    # emitter) must come to the same bytes, or benchmarks would read another format.
    paths = make_archive(tmp_path, 300, seed=3, topics=("reasoning",))
    for path in paths:
        stored = PaperFile.read(path)
        assert stored.render(stored.paper()) == stored.text, path


def test_cached_archive_is_written_once_and_is_the_same_archive(tmp_path):
    root = cached_archive(tmp_path / "cache", 120, seed=5)
    make_archive(tmp_path / "fresh", 120, seed=5)
    assert _snapshot(root) == _snapshot(tmp_path / "fresh")

    marker = root / "papers" / "untouched"
    marker.write_text("", encoding="utf-8")
    assert cached_archive(tmp_path / "cache", 120, seed=5) == root and marker.exists()
    assert cached_archive(tmp_path / "cache", 120, seed=6) != root
    assert cached_archive(tmp_path / "cache", 150, seed=5) != root
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]


def test_skip_writes_only_the_papers_after_it(tmp_path):
    whole, base = tmp_path / "whole", tmp_path / "base"
    make_archive(whole, 150, seed=2)
    make_archive(base, 100, seed=2)
    make_archive(base, 150, seed=2, skip=100)
    assert _snapshot(base) == _snapshot(whole)

    only = tmp_path / "only"
    paths = make_archive(only, 150, seed=2, skip=100)
    assert len(paths) == 150 and sum(p.is_file() for p in paths) == 50
