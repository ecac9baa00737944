"""The benchmark archive is deterministic, realistic in shape, and valid by the contract."""

from __future__ import annotations

import sys
from pathlib import Path

from generator.store.archive import load_archive
from generator.validate import validate

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from synthetic import make_archive  # noqa: E402


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
