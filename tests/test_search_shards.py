"""How a large archive's paper pages are split into Pagefind runs (generator/site/search.py).

The browser test builds real shards and checks the merged search; this checks the plan:
every page in exactly one run, runs within the limit, an archive under it in one run.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from generator.site.search import SearchIndexError, bundles_js, shard_globs, sort_keys


def _prefixes(glob: str) -> list[str]:
    inner = re.fullmatch(r"papers/(?:\{(.+)\}|(.+))/\*\*/\*\.html", glob)
    assert inner, glob
    return [p.removesuffix("*") for p in (inner.group(1) or inner.group(2)).split(",")]


def _ids(months: dict[str, int]) -> list[str]:
    return sorted(f"{m}.{n:05d}" for m, count in months.items() for n in range(1, count + 1))


def test_every_page_in_exactly_one_run_within_the_limit():
    ids = _ids({"2312": 40, "2401": 2_500, "2402": 9_000, "2403": 7_000, "2404": 30})
    globs = shard_globs(ids, 6_000)
    runs = [[i for i in ids if any(i.startswith(p) for p in _prefixes(g))] for g in globs]
    assert sorted(i for run in runs for i in run) == ids  # each once
    assert all(0 < len(run) <= 6_000 for run in runs)
    assert len(globs) <= 5  # packed, not one run per prefix


def _runs(ids: list[str], limit: int) -> list[int]:
    globs = shard_globs(ids, limit)
    return [sum(any(i.startswith(p) for p in _prefixes(g)) for i in ids) for g in globs]


def test_as_few_runs_as_the_limit_allows_of_about_equal_size():
    months = ("2401", "2402", "2403", "2404", "2405", "2406", "2407", "2408", "2409", "2410")
    ids = _ids({m: 3_000 for m in months})  # 30,000 pages, ~a real 30,000-paper archive
    runs = _runs(ids, 12_000)
    assert len(runs) == 3 and sum(runs) == 30_000 and max(runs) - min(runs) < 1_000
    halves = _ids({m: 1_500 for m in months[:6]})
    assert _runs(halves, 6_000) == [4_500, 4_500]


def test_the_bundles_module():
    assert bundles_js([], None).endswith(
        "export const shards = [];\nexport const sortKeys = null;\n"
    )
    assert bundles_js(["pagefind-2", "pagefind-3"], "pagefind/sort-keys.0a1b.json").endswith(
        'export const shards = ["pagefind-2/", "pagefind-3/"];\n'
        'export const sortKeys = "pagefind/sort-keys.0a1b.json";\n'
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
    keys = json.loads(sort_keys(tmp_path, ["pagefind", "pagefind-2"]))
    assert keys["ids"] == ["en_new", "en_same", "en_mid", "en_same"]
    assert keys["upvotes"] == [1, 5, 9, 2]
    assert keys["clashes"] == {"en_same": {"2603.00002": 1, "2401.00004": 3}}


def test_sort_keys_name_a_page_without_its_meta(tmp_path):
    _fragment(tmp_path, "pagefind", "en_bad", "2401.00001", {"title": "no date"})
    with pytest.raises(SearchIndexError, match=r"en_bad.*2401\.00001.*date or upvotes"):
        sort_keys(tmp_path, ["pagefind"])
