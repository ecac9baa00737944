"""``build --incremental``: on top of the last build's site/, with docs/ generated afresh (as
the daily workflow restores site/ from its cache onto a new checkout), MkDocs rebuilds only
what changed, and the site comes out as a clean build of the same archive makes it."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from generator.build import BuildError, build_site
from generator.config import Paths
from generator.site import incremental_hook, search, urls

REPO = Path(__file__).resolve().parents[1]
STATIC_DOCS = ("about.md", "annotate.md")


def _root(tmp: Path) -> Paths:
    shutil.copytree(REPO / "papers", tmp / "papers")
    (tmp / "docs").mkdir()
    for name in STATIC_DOCS:
        shutil.copy(REPO / "docs" / name, tmp / "docs" / name)
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, tmp / name)
    (tmp / "generator").symlink_to(REPO / "generator")  # theme and hooks, as mkdocs.yml says
    return Paths(tmp)


def _fresh_docs(paths: Paths) -> None:
    """A new checkout: no generated docs/, every source written anew."""
    shutil.rmtree(paths.docs)
    paths.docs.mkdir()
    for name in STATIC_DOCS:
        shutil.copy(REPO / "docs" / name, paths.docs / name)


def _site(site: Path) -> dict[str, tuple[int, bytes]]:
    """Every file but Pagefind's (its filter files differ between runs upstream)."""
    return {
        p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in site.rglob("*")
        if p.is_file() and not p.relative_to(site).as_posix().startswith("pagefind/")
    }


def _change_the_archive(paths: Paths) -> tuple[str, str]:
    """New upvotes for one paper, another paper removed; their ids."""
    files = sorted(paths.papers.rglob("*.md"))
    changed, removed = files[3], files[-1]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(re.sub(r"(?m)^upvotes: \d+$", "upvotes: 4321", text), encoding="utf-8")
    removed.unlink()
    return changed.stem, removed.stem


def test_an_incremental_build_rebuilds_only_what_changed_and_equals_a_clean_one(tmp_path):
    paths = _root(tmp_path / "a")
    build_site(paths)
    first = _site(paths.site)
    changed, removed = _change_the_archive(paths)
    _fresh_docs(paths)

    report = build_site(paths, incremental=True)

    assert report.incremental
    after = _site(paths.site)
    clean = _root(tmp_path / "b")
    shutil.rmtree(clean.papers)
    shutil.copytree(paths.papers, clean.papers)
    build_site(clean)
    assert {rel: data for rel, (_, data) in after.items()} == {
        rel: data for rel, (_, data) in _site(clean.site).items()
    }
    page = urls.paper(changed).url + "index.html"
    assert "4321" in after[page][1].decode()
    assert urls.paper(removed).url + "index.html" not in after
    assert not (paths.site / urls.paper(removed).url).exists()  # no empty folder left
    # Papers neither changed nor next to a changed one were not written again.
    untouched = [
        rel
        for rel in first
        if rel.startswith(urls.paper("").url.rstrip("/"))
        and rel in after
        and after[rel][1] == first[rel][1]
    ]
    assert untouched and all(after[rel][0] == first[rel][0] for rel in untouched)


def test_a_changed_theme_or_configuration_means_a_clean_build(tmp_path):
    paths = _root(tmp_path)
    build_site(paths)
    stale = paths.site / "left-over.html"
    stale.write_text("from an older build", encoding="utf-8")
    with paths.mkdocs_yml.open("a", encoding="utf-8") as handle:
        handle.write("\n# a change to the configuration\n")

    report = build_site(paths, incremental=True)

    assert not report.incremental
    assert not stale.exists()  # MkDocs cleaned site/ first
    assert build_site(paths, incremental=True).incremental  # and the next one resumes


def test_the_urls_the_theme_asks_for_are_in_the_fingerprint(tmp_path):
    """The theme's templates call urls.py (urls_hook.py): an unchanged docs/ source renders
    to other bytes when urls.py changes, so a change there means a clean build."""
    shutil.copytree(REPO / "generator", tmp_path / "generator")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    before = incremental_hook.fingerprint(tmp_path, "https://example.org/")
    module = tmp_path / "generator/site/urls.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    assert incremental_hook.fingerprint(tmp_path, "https://example.org/") != before


def test_a_failed_build_leaves_no_manifest_so_the_next_one_is_clean(tmp_path):
    paths = _root(tmp_path)
    build_site(paths)
    assert paths.site_manifest.is_file()
    about = paths.docs / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[broken](missing.md)\n", "utf-8")

    with pytest.raises(BuildError, match="missing.md"):
        build_site(paths, incremental=True)

    assert not paths.site_manifest.exists()


def _fragment_texts(site: Path) -> dict[str, str]:
    """Each indexed page's URL and text, from every bundle's fragments."""
    found = {}
    for fragment in site.glob("pagefind*/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(search.SIGNATURE))
        found[data["url"]] = data["content"]
    return found


def test_an_incremental_build_indexes_an_older_paper_s_new_abstract(tmp_path, monkeypatch):
    """The search step reads again only the pages MkDocs made from a new source (the
    manifest says which): a changed abstract in an older period's bundle must be found."""
    monkeypatch.setenv(search.SHARD_PAGES_ENV, "10")  # the sample in several bundles
    paths = _root(tmp_path)
    build_site(paths)
    oldest = sorted(paths.papers.rglob("*.md"))[0]
    text = oldest.read_text(encoding="utf-8")
    oldest.write_text(text.replace("abstract: '", "abstract: 'Zanzibarian ", 1), encoding="utf-8")
    _fresh_docs(paths)

    assert build_site(paths, incremental=True).incremental

    texts = _fragment_texts(paths.site)
    assert len(texts) == len(list(paths.papers.rglob("*.md")))
    (url,) = [url for url, content in texts.items() if "Zanzibarian" in content]
    assert url.endswith(f"/{urls.paper(oldest.stem).url}")
    assert (paths.search_cache / search.INDEXED_FILE).is_file()
