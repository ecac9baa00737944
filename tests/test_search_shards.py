"""How a large archive's paper pages are split into Pagefind bundles (generator/site/search.py).

The browser test builds real bundles and checks the merged search; this checks the plan:
every page in exactly one bundle, periods of listing newest first that do not overlap,
within the limit, an archive under it in one bundle.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from generator.site.search import (
    BUNDLES_JS,
    Built,
    Period,
    SearchIndexError,
    bundle_rows,
    bundles_js,
    index_site,
    pack,
    periods,
    sort_keys,
)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _archive(months: dict[str, int]) -> dict[str, dt.date]:
    """``count`` papers per ``YYYY-MM``, on that month's first days, ids in listing order."""
    listed = {}
    for month, count in months.items():
        for n in range(count):
            listed[f"{month[2:4]}{month[5:]}.{n:05d}"] = _day(f"{month}-{1 + n % 28:02d}")
    return listed


def test_a_small_archive_is_one_bundle():
    listed = _archive({"2024-11": 300, "2025-02": 400})
    (only,) = periods(listed, 1_000)
    assert only.bundle == "pagefind" and len(only.ids) == 700
    assert (only.first, only.last) == (_day("2024-11-01"), _day("2025-02-28"))


def test_bundles_are_periods_of_listing_newest_first_within_the_limit():
    months = {f"2024-{m:02d}": 1_500 for m in range(1, 13)}  # 18,000 in 2024
    months |= {"2025-01": 1_500, "2025-02": 1_000, "2023-12": 200}
    listed = _archive(months)
    plan = periods(listed, 12_000)
    assert [p.bundle for p in plan] == [
        "pagefind",
        "pagefind-2024-07-01",
        "pagefind-2024-01-01",
        "pagefind-2023-12-01",
    ]
    assert [len(p.ids) for p in plan] == [2_500, 9_000, 9_000, 200]
    assert sorted(i for p in plan for i in p.ids) == sorted(listed)  # each page once
    for newer, older in zip(plan, plan[1:], strict=False):
        assert older.last < newer.first  # periods do not overlap: date order is bundle order
        assert {listed[i].year for i in newer.ids} == {newer.first.year}


def test_packing_keeps_units_whole_and_runs_about_equal():
    assert pack([("a", 5), ("b", 5), ("c", 5), ("d", 5)], 12) == [["a", "b"], ["c", "d"]]
    assert pack([("a", 30), ("b", 2)], 12) == [["a"], ["b"]]  # a unit over the limit alone
    assert pack([("a", 3)], 12) == [["a"]]


def test_the_bundles_module():
    assert bundles_js([], 0).endswith("export const bundles = [];\nexport const initial = 0;\n")
    period = Period(_day("2025-01-02"), _day("2025-06-30"), ("2501.00001",), "pagefind-2025-01-02")
    text = bundles_js([period.entry("pagefind-2025-01-02/sort-keys.0a1b.json")], 1)
    assert text.endswith(
        'export const bundles = [{"first":"2025-01-02","keys":'
        '"pagefind-2025-01-02/sort-keys.0a1b.json","last":"2025-06-30","pages":1,'
        '"path":"pagefind-2025-01-02/"}];\nexport const initial = 1;\n'
    )


def _fragment(site: Path, bundle: str, page_id: str, paper: str, meta: dict) -> None:
    """A fragment as Pagefind writes it: gzip of its signature and the page's JSON."""
    data = {"url": f"/papers/{paper}/", "content": "...", "meta": meta}
    path = site / bundle / "fragment" / f"{page_id}.pf_fragment"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(data).encode()))


def test_sort_keys_keep_an_id_two_shards_share_apart(tmp_path):
    pages = [  # (bundle, Pagefind id, paper, listed, upvotes)
        ("pagefind", "en_same", "2401.00004", "2024-01-03", 2),
        ("pagefind", "en_mid", "2602.00003", "2026-02-05", 9),
        ("pagefind-2", "en_same", "2603.00002", "2026-03-01", 5),
        ("pagefind-2", "en_new", "2604.00001", "2026-04-02", 1),
    ]
    for bundle, page_id, paper, date, votes in pages:
        _fragment(tmp_path, bundle, page_id, paper, {"date": date, "upvotes": str(votes)})
    rows = [bundle_rows(tmp_path / b) for b in ("pagefind-2", "pagefind")]
    newer, older = (json.loads(k) for k in sort_keys(rows))
    assert newer == {
        "ids": ["en_new", "en_same"],
        "upvotes": [1, 5],
        "clashes": {"en_same": {"2603.00002": 1}},
    }
    assert older == {
        "ids": ["en_mid", "en_same"],
        "upvotes": [9, 2],
        "clashes": {"en_same": {"2401.00004": 1}},
    }


def test_sort_keys_name_a_page_without_its_meta(tmp_path):
    _fragment(tmp_path, "pagefind", "en_bad", "2401.00001", {"title": "no date"})
    with pytest.raises(SearchIndexError, match=r"en_bad.*2401\.00001.*date or upvotes"):
        bundle_rows(tmp_path / "pagefind")


def _page(site: Path, paper: str, day: str, words: str) -> None:
    html = (
        f"<html><body><article data-pagefind-body><h1>{paper}</h1><p>{words}</p>"
        f'<span data-pagefind-meta="date:{day}"></span>'
        f'<span data-pagefind-meta="upvotes:1"></span></article></body></html>'
    )
    target = site / "papers" / paper / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def test_a_bundle_whose_pages_did_not_change_is_reused_from_the_cache(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    cache.mkdir()
    listed = {}
    for n, day in enumerate(["2024-03-01", "2024-03-02", "2025-01-02", "2025-01-03"]):
        paper = f"{day[2:4]}{day[5:7]}.{n:05d}"
        _page(site, paper, day, "diffusion models")
        listed[paper] = _day(day)
    (site / BUNDLES_JS).parent.mkdir(parents=True)
    pages = {p: p.read_bytes() for p in site.glob("papers/*/index.html")}
    assert index_site(site, listed, shard_pages=2, cache=cache) == 4
    # Each period's page folders are moved out for its Pagefind run: all are back after.
    assert {p: p.read_bytes() for p in site.glob("papers/*/index.html")} == pages
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == []
    older = site / "pagefind-2024-03-01" / "pagefind-entry.json"
    first = {p.name for p in cache.iterdir()}
    assert len(first) == 2 and older.is_file()

    _page(site, "2501.00003", "2025-01-03", "a changed abstract")  # the newest period only
    shutil.rmtree(site / "pagefind")
    shutil.rmtree(site / "pagefind-2024-03-01")  # as MkDocs cleans site/
    assert index_site(site, listed, shard_pages=2, cache=cache) == 4
    second = {p.name for p in cache.iterdir()}
    assert len(second) == 2 and len(first & second) == 1  # one bundle kept, one new
    kept = cache / (first & second).pop() / "pagefind-entry.json"
    assert older.stat().st_ino == kept.stat().st_ino  # the site's copy is the cached file
    assert _bundles_of(site) == ["pagefind/", "pagefind-2024-03-01/"]


def test_a_change_outside_the_search_body_keeps_the_bundle_and_one_inside_does_not(tmp_path):
    """A new day rewrites the related papers and pagers of older pages (outside the search
    body): their bundle must still be reused, or every daily build indexes every period."""
    site, cache, listed = _two_periods(tmp_path)
    index_site(site, listed, shard_pages=1, cache=cache)
    first = {p.name for p in cache.iterdir()}

    older = site / "papers" / "2403.00001" / "index.html"
    older.write_text(
        older.read_text().replace("</body>", "<section>Related: a new paper</section></body>")
    )
    index_site(site, listed, shard_pages=1, cache=cache)
    assert {p.name for p in cache.iterdir()} == first  # nothing indexed again

    _page(site, "2403.00001", "2024-03-01", "a changed abstract")
    index_site(site, listed, shard_pages=1, cache=cache)
    assert len({p.name for p in cache.iterdir()} - first) == 1


def _two_periods(tmp_path: Path) -> tuple[Path, Path, dict[str, dt.date]]:
    """A site of two paper pages listed in two years, and an empty search cache."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    cache.mkdir()
    listed = {"2403.00001": _day("2024-03-01"), "2501.00002": _day("2025-01-02")}
    for paper, day in listed.items():
        _page(site, paper, day.isoformat(), "diffusion models")
    (site / BUNDLES_JS).parent.mkdir(parents=True)
    return site, cache, listed


def _bundles_of(site: Path) -> list[str]:
    text = (site / BUNDLES_JS).read_text()
    return [b["path"] for b in json.loads(text.split("bundles = ")[1].split(";\n")[0])]


def test_a_page_made_from_the_same_source_is_not_read_again(tmp_path):
    """With MkDocs' manifest (``built``), a daily build reads again only the pages made
    from a new source: the same source under the same fingerprint is the same page."""
    site, cache, listed = _two_periods(tmp_path)
    old, new = (f"papers/{paper}/index.html" for paper in listed)
    index_site(site, listed, shard_pages=1, cache=cache, built=Built("fp", {old: "a", new: "b"}))
    first = {p.name for p in cache.iterdir()}

    _page(site, "2403.00001", "2024-03-01", "a changed abstract")  # source "a" still
    index_site(site, listed, shard_pages=1, cache=cache, built=Built("fp", {old: "a", new: "b"}))
    assert {p.name for p in cache.iterdir()} == first  # the page was not read

    index_site(site, listed, shard_pages=1, cache=cache, built=Built("fp2", {old: "a", new: "b"}))
    second = {p.name for p in cache.iterdir()}
    assert len(second - first) == 1  # another fingerprint: every page read, the change found

    _page(site, "2501.00002", "2025-01-02", "another abstract")
    index_site(site, listed, shard_pages=1, cache=cache, built=Built("fp2", {old: "a", new: "c"}))
    assert len({p.name for p in cache.iterdir()} - second) == 1  # a new source: read again


def test_a_kept_bundle_s_sort_keys_come_from_the_rows_read_when_it_was_indexed(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    cache.mkdir()
    listed = {}
    for n, day in enumerate(["2024-03-01", "2024-03-02", "2025-01-02"]):
        paper = f"{day[2:4]}{day[5:7]}.{n:05d}"
        _page(site, paper, day, "diffusion models")
        listed[paper] = _day(day)
    (site / BUNDLES_JS).parent.mkdir(parents=True)
    index_site(site, listed, shard_pages=2, cache=cache)
    keys = {p.name: p.read_bytes() for p in site.glob("pagefind*/sort-keys.*.json")}
    assert len(keys) == 2
    for fragment in cache.glob("*/fragment/*.pf_fragment"):
        fragment.unlink()  # only the rows kept with each bundle can give its keys now
    for bundle in site.glob("pagefind*"):
        shutil.rmtree(bundle)
    index_site(site, listed, shard_pages=2, cache=cache)
    assert {p.name: p.read_bytes() for p in site.glob("pagefind*/sort-keys.*.json")} == keys
    assert not list(site.glob("pagefind*/sort-rows.json"))  # the cache's own files stay there
    assert not list(site.glob("pagefind*/pages-indexed"))
