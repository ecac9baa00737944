"""Incremental generation: a rebuild rewrites exactly the generated files whose content changed.

The archive is a copy of the repository's sample papers. The expected set of rewritten files
is derived from what the added papers touch (their day, its neighbours, month, year, topic,
tag, ...), read off the archive and the first build's listing, never from counts.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from generator.build import generate
from generator.config import Paths
from generator.site import pages, urls
from generator.site.related import related_papers
from generator.store.archive import load_archive
from generator.topics import Taxonomy

REPO = Path(__file__).resolve().parents[1]
FEED_SUFFIXES = (".xml", ".atom", ".json", ".opml")
NEW_TAG = "incremental-check"


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    for name in ("papers", "docs"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=_generated_docs)
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    # Small enough that the sample's bigger topics are split into month pages.
    monkeypatch.setattr(pages, "TOPIC_PAGE_LIMIT", 4)
    return Paths(tmp_path)


def _generated_docs(folder: str, names: list[str]) -> list[str]:
    if Path(folder) == REPO / "docs":
        return [n for n in names if n not in ("about.md", "annotate.md")]
    return []


def _snapshot(docs: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        p.relative_to(docs).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in docs.rglob("*")
        if p.is_file()
    }


def _rewritten(before: dict, after: dict) -> set[str]:
    return {rel for rel, state in after.items() if before.get(rel, (None, None))[:2] != state[:2]}


def _days(papers: Path) -> list[dt.date]:
    return sorted(
        {dt.date(int(d.parts[-3]), int(d.parts[-2]), int(d.parts[-1])) for d in _day_dirs(papers)}
    )


def _day_dirs(papers: Path) -> list[Path]:
    return [p.parent for p in papers.glob("*/*/*/*.md")]


def _split_topic(docs: Path) -> str:
    """A topic the first build split into month pages (so it has an index and month pages)."""
    for folder in sorted((docs / "topics").iterdir()):
        if folder.is_dir() and any(folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].md")):
            return folder.name
    raise AssertionError("no topic was split into month pages; lower TOPIC_PAGE_LIMIT")


def _add_day(papers: Path, day: dt.date, topic: str, count: int = 3) -> list[str]:
    ids = []
    for n in range(1, count + 1):
        paper_id = f"{day:%y%m}.{90000 + n}"
        folder = papers / f"{day:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{paper_id}.md").write_text(
            f"---\nid: '{paper_id}'\ntitle: Incremental paper {n}\nauthors: [Ada Lovelace]\n"
            f"abstract: A paper added to check incremental builds.\npublished: {day}\n"
            f"listed: {day}\nupvotes: {n}\nfetched: {day}\nannotation:\n"
            f"  tldr: Added by the incremental test.\n  tags: [{NEW_TAG}]\n"
            f"  topics: [{topic}]\n---\n",
            encoding="utf-8",
        )
        ids.append(paper_id)
    return ids


def _related(paths: Paths) -> dict[str, tuple]:
    """Each paper's related list and listing year, as the build computes them."""
    taxonomy = Taxonomy.load(paths.topics)
    papers = load_archive(paths.papers).papers
    topics = {p.id: taxonomy.assign(p) for p in papers}
    names = {t.slug: t.name for t in taxonomy.topics}
    found = related_papers(papers, topics, names)
    return {p.id: (found[p.id], p.listed.year) for p in papers}


def _expected(day: dt.date, days_before: list[dt.date], ids: list[str], topic: str) -> set[str]:
    earlier = [d for d in days_before if d < day]
    later = [d for d in days_before if d > day]
    neighbours = ([earlier[-1]] if earlier else []) + ([later[0]] if later else [])
    weeks = sorted({urls.week(d).source for d in days_before})
    week = urls.week(day).source
    if week not in weeks:  # a new week: its neighbours' prev/next links change
        weeks = sorted([*weeks, week])
        at = weeks.index(week)
        week_pages = set(weeks[max(at - 1, 0) : at + 2])
    else:
        week_pages = {week}
    return {
        *week_pages,
        "weeks/index.md",
        # the new papers are counted in the charts of the archive and their topic
        "trends/index.md",
        urls.archive_chart(),
        urls.topic_chart(topic),
        *(urls.paper(i).source for i in ids),
        *(f"days/{d:%Y/%m/%d}.md" for d in [day, *neighbours]),
        f"days/{day:%Y/%m}/index.md",
        f"days/{day:%Y}/index.md",
        "days/index.md",
        "index.md",
        "topics/index.md",
        f"topics/{topic}/index.md",
        f"topics/{topic}/{day:%Y-%m}.md",
        "tags/index.md",
        f"tags/{NEW_TAG}/index.md",
        "annotated/index.md",
        # citations and open data of what is new
        *(f"papers/{i}.bib" for i in ids),
        f"days/{day:%Y/%m/%d}.bib",
        f"data/papers-{day.year}.jsonl.gz",
        # the new tag brings a new feed, which the feed list names
        "feeds/index.md",
    }


def _feed_files(topic: str) -> set[str]:
    """Feeds that may change: the archive's, the topic's and the new tag's."""
    stems = ("feed", f"topics/{topic}/feed", f"tags/{NEW_TAG}/feed", "weekly")
    return {f"{stem}{ext}" for stem in stems for ext in FEED_SUFFIXES} | {
        "feeds.opml",  # lists the new tag's feed
        "data/index.json",  # counts and checksums of the data files
    }


def test_second_build_without_changes_rewrites_nothing(paths: Paths) -> None:
    first = generate(paths)
    assert first.written > 0
    before = _snapshot(paths.docs)
    report = generate(paths)
    after = _snapshot(paths.docs)
    assert _rewritten(before, after) == set()
    assert after == before
    assert (report.written, report.removed) == (0, 0)
    assert report.unchanged == first.written + first.unchanged


@pytest.mark.parametrize("where", ["after the latest day", "between two days"])
def test_new_day_rewrites_only_what_shows_it(paths: Paths, where: str) -> None:
    generate(paths)
    days = _days(paths.papers)
    if where == "after the latest day":
        day = days[-1] + dt.timedelta(days=1)
    else:
        gaps = [(a, b) for a, b in zip(days, days[1:], strict=False) if (b - a).days > 1]
        day = gaps[len(gaps) // 2][0] + dt.timedelta(days=1)
    topic = _split_topic(paths.docs)
    before = _snapshot(paths.docs)
    related_before = _related(paths)

    ids = _add_day(paths.papers, day, topic)
    report = generate(paths)
    after = _snapshot(paths.docs)
    related_after = _related(paths)

    # Old papers whose related list changed (the new papers joined it, or the shared terms
    # shifted) are rewritten with their year's data file; the others are not.
    changed = {i for i, value in related_before.items() if related_after[i] != value}
    assert changed, "the new papers are related to none of the old ones: a weak test"
    assert len(changed) < len(related_before)
    relisted = {urls.paper(i).source for i in changed}
    relisted |= {f"data/papers-{related_before[i][1]}.jsonl.gz" for i in changed}
    rewritten = _rewritten(before, after)
    feeds = {
        rel
        for rel in rewritten
        if rel.endswith(FEED_SUFFIXES) and urls.paper_of_source(rel) is None
    }
    assert rewritten - feeds == _expected(day, days, ids, topic) | relisted
    assert feeds <= _feed_files(topic)
    assert report.written == len(rewritten)
    assert report.removed == 0
    # Every page that was not rewritten is byte-identical to before.
    assert all(after[rel] == before[rel] for rel in after.keys() - rewritten)
    # The rewritten year file holds the old records and the new day's, in listing order.
    year_file = f"data/papers-{day.year}.jsonl.gz"
    old_ids = [r["id"] for r in _records(before[year_file][2])]
    new_ids = [r["id"] for r in _records(after[year_file][2])]
    assert sorted(new_ids) == sorted(old_ids + ids)
    assert [i for i in new_ids if i in ids] == ids


def test_fresh_build_compresses_the_export_to_the_same_bytes(paths: Paths) -> None:
    generate(paths)
    data = paths.docs / "data"
    first = {p.name: p.read_bytes() for p in data.glob("*.gz")}
    assert len(first) > 1
    shutil.rmtree(data)
    report = generate(paths)
    assert report.written == len(first) + 2  # the year files, index.json, record.schema.json
    assert {p.name: p.read_bytes() for p in data.glob("*.gz")} == first
    for name, content in first.items():
        records = _records(content)
        year = name.removeprefix("papers-").split(".")[0]
        assert records and all(r["listed"].startswith(f"{year}-") for r in records)


def test_export_files_of_an_older_build_are_removed(paths: Paths) -> None:
    """Builds before the export was gzipped published data/papers-YYYY.jsonl."""
    generate(paths)
    stale = paths.docs / "data/papers-2024.jsonl"
    stale.write_text('{"id":"2401.00001"}\n', encoding="utf-8")
    report = generate(paths)
    assert not stale.exists()
    assert (report.written, report.removed) == (0, 1)
    assert (paths.docs / "data/papers-2024.jsonl.gz").is_file()


def _records(gzipped: bytes) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(gzipped).decode("utf-8").splitlines()]
