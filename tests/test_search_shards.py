"""How a large archive's paper pages are split into Pagefind runs (generator/site/search.py).

The browser test builds real shards and checks the merged search; this checks the plan:
every page in exactly one run, runs within the limit, an archive under it in one run.
"""

from __future__ import annotations

import re

from generator.site.search import bundles_js, shard_globs


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
