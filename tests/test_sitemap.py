"""The sitemap: an index of parts that list every built page once, each part within the
protocol's 50,000 URLs, with bytes that depend on the pages alone (not the build date)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitekit import make_root, paper, write_paper

from generator.build import build_site
from generator.config import Paths, site_config
from generator.site import sitemap_hook, urls

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_root(tmp_path_factory.mktemp("sitemap"))
    write_paper(root, paper("2412.00001", "2025-01-02", title="Listed in 2025, from 2024"))
    write_paper(root, paper("2601.00002", "2026-01-05", title="A 2026 paper"))
    build_site(root)
    return root.root


def _locs(path: Path, tag: str) -> list[str]:
    tree = ET.parse(path)
    assert tree.getroot().tag == f"{{{NS['s']}}}{tag}"
    return [loc.text or "" for loc in tree.getroot().iterfind(".//s:loc", NS)]


def _built_pages(site: Path, base: str) -> set[str]:
    pages = set()
    for html in site.rglob("index.html"):
        rel = html.parent.relative_to(site).as_posix()
        if not rel.startswith(("assets", "pagefind")):
            pages.add(base if rel == "." else f"{base}{rel}/")
    return pages


def test_the_index_lists_parts_that_together_list_every_page_once(built):
    site = built / "site"
    base = site_config(Paths(built)).site_url
    parts = _locs(site / urls.sitemap(), "sitemapindex")
    assert parts == sorted(parts) and parts
    assert {p.removeprefix(base) for p in parts} == {
        urls.sitemap_part(n) for n in ("pages", "papers-2024", "papers-2026")
    }
    listed = [loc for part in parts for loc in _locs(site / part.removeprefix(base), "urlset")]
    assert len(listed) == len(set(listed))
    assert set(listed) == _built_pages(site, base)
    assert base in listed  # the home page, as its absolute URL
    papers_2024 = _locs(site / urls.sitemap_part("papers-2024"), "urlset")
    assert papers_2024 == [base + urls.paper("2412.00001").url]


def test_no_page_gets_the_build_date_and_mkdocs_writes_no_sitemap_of_its_own(built):
    site = built / "site"
    for path in [site / urls.sitemap(), *site.glob("sitemaps/*.xml")]:
        assert "lastmod" not in path.read_text(encoding="utf-8")
    assert not (site / "sitemap.xml.gz").exists()


def test_a_rewrite_keeps_unchanged_parts_and_drops_parts_no_page_is_in(tmp_path):
    base = "https://example.org/archive/"
    both = [urls.paper("2401.00001").url, urls.paper("2501.00001").url, urls.days().url]
    sitemap_hook.write(tmp_path, base, both)
    part_2025 = tmp_path / urls.sitemap_part("papers-2025")
    kept = tmp_path / urls.sitemap_part("pages")
    mtime = kept.stat().st_mtime_ns
    sitemap_hook.write(tmp_path, base, both[:1] + both[2:])  # the 2025 paper is gone
    assert not part_2025.exists()
    assert kept.stat().st_mtime_ns == mtime  # same bytes: not written again
    assert "papers-2025" not in (tmp_path / urls.sitemap()).read_text(encoding="utf-8")


def test_a_group_past_the_limit_is_split_in_order():
    page_urls = [urls.paper(f"2401.{n:05d}").url for n in range(5)] + [urls.days().url]
    named = sitemap_hook.parts(page_urls, limit=2)
    assert list(named) == ["pages", "papers-2024", "papers-2024-2", "papers-2024-3"]
    assert [u for n in list(named)[1:] for u in named[n]] == sorted(page_urls[:5])
    assert all(len(members) <= 2 for members in named.values())


def test_hostile_looking_urls_are_escaped_as_xml(tmp_path):
    sitemap_hook.write(tmp_path, "https://example.org/a&b/", ["days/"])
    text = (tmp_path / urls.sitemap()).read_text(encoding="utf-8")
    assert "https://example.org/a&amp;b/sitemaps/pages.xml" in text
    ET.parse(tmp_path / urls.sitemap_part("pages"))
