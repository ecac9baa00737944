"""Paper pages rendered by forked MkDocs workers come out byte-identical to one-core ones.

(On a one-core machine the hook forks nothing and both builds are single-process.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import Paths

REPO = Path(__file__).resolve().parents[1]


def _pages(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml") and "pagefind" not in p.parts
    }


def test_parallel_paper_pages_match_a_single_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "papers", tmp_path / "papers")
    (tmp_path / "docs").mkdir()
    for name in ("about.md", "annotate.md", "assets"):
        source = REPO / "docs" / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / "docs" / name)
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "generator").symlink_to(REPO / "generator")
    paths = Paths(tmp_path)

    monkeypatch.setenv("PAPER_ARCHIVE_PARALLEL_MIN_PAGES", "1")  # fork even for 34 papers
    build_site(paths)
    parallel = _pages(paths.site)
    monkeypatch.setenv("PAPER_ARCHIVE_PARALLEL_MIN_PAGES", "1000000")
    build_site(paths)
    single = _pages(paths.site)

    papers = [rel for rel in single if rel.startswith("papers/")]
    assert len(papers) == len(list((tmp_path / "papers").rglob("*.md")))
    assert parallel == single
