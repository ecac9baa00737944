"""The open-data export, read back the way a user would: line by line with ``json``,
each record validated against the published record schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from generator.model import MACHINE_KEYS, Paper
from generator.site import export
from generator.site.related import related_papers
from generator.sources.items import parse_item

DATA = Path(__file__).parent / "data"
SITE = "https://example.github.io/paper-archive/"
SCHEMA = json.loads(export.SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
HOSTILE = (
    '<script>alert(1)</script> {{ x }} {% raw %} $x_1$ \x00\x1f \x85 \u2028 \u2029 "q" \\ 日本語'
)


def seed_papers() -> list[Paper]:
    items = json.loads((DATA / "seed_papers.json").read_text(encoding="utf-8"))
    return [
        parse_item(item, fallback_listed=dt.date(2026, 1, 1), fetched=dt.date(2026, 1, 2))
        for item in items
    ]


def archive() -> tuple[list[Paper], dict[str, list[str]]]:
    """Seed papers filed under their arXiv dates (several years), a few annotated."""
    papers = [p.replace(listed=p.published or p.listed) for p in seed_papers()]
    papers[0] = papers[0].replace(
        annotation={
            "tldr": "Human summary.",
            "tags": ["data-selection"],
            "reviewed": dt.date(2026, 3, 1),
            "links": [{"title": "Notes", "url": "https://example.org/n"}],
        },
        notes="Line one.\n\nLine two with a\ttab.\n",
    )
    papers[1] = papers[1].replace(
        title=HOSTILE,
        abstract=HOSTILE,
        authors=[HOSTILE, "José García-López"],
        notes=HOSTILE,
        annotation={"tldr": HOSTILE},
        categories=["cs.CL", "cs.LG"],
        primary_category="cs.CL",
        doi="10.1000/xyz",
        version=3,
        updated=dt.date(2026, 4, 2),
        enriched=dt.date(2026, 4, 3),
    )
    papers[2] = papers[2].replace(arxiv_unknown=dt.date(2026, 4, 3))  # arXiv did not know it
    topics = {p.id: ["reasoning", "efficient-inference"] for p in papers[::2]}
    return papers, topics


def read_jsonl(content: str) -> list[dict]:
    assert content.endswith("\n")
    return [json.loads(line) for line in content.splitlines()]


def related_of(papers: list[Paper], topics: dict[str, list[str]]) -> dict:
    names = {"reasoning": "Reasoning", "efficient-inference": "Efficient inference"}
    return related_papers(papers, topics, names)


def test_every_record_validates_and_files_split_by_listing_year():
    papers, topics = archive()
    files = export.export_records(papers, topics, SITE, related_of(papers, topics))
    years = sorted({p.listed.year for p in papers})
    assert len(years) > 1
    expected_files = {f"data/papers-{y}.jsonl.gz" for y in years}
    assert set(files) == expected_files | {"data/index.json", "data/record.schema.json"}

    seen = []
    for year in years:
        records = read_jsonl(files[f"data/papers-{year}.jsonl.gz"])
        for rec in records:
            VALIDATOR.validate(rec)
            assert rec["listed"].startswith(f"{year}-")
        keys = [(r["listed"], r["id"]) for r in records]
        assert keys == sorted(keys)
        seen += [r["id"] for r in records]
    assert sorted(seen) == sorted(p.id for p in papers)


def test_records_carry_machine_fields_annotation_notes_topics_related_and_url():
    papers, topics = archive()
    related = related_of(papers, topics)
    files = export.export_records(papers, topics, SITE, related)
    records = {
        r["id"]: r
        for path, content in files.items()
        if path.endswith(".jsonl.gz")
        for r in read_jsonl(content)
    }
    for paper in papers:
        rec = records[paper.id]
        assert list(rec) == [*MACHINE_KEYS, "annotation", "notes", "topics", "related", "url"]
        assert rec["title"] == paper.title
        assert rec["authors"] == paper.authors
        assert rec["abstract"] == paper.abstract
        assert rec["listed"] == paper.listed.isoformat()
        assert rec["published"] == (paper.published.isoformat() if paper.published else None)
        assert rec["upvotes"] == paper.upvotes
        assert rec["notes"] == paper.notes
        assert rec["topics"] == topics.get(paper.id, [])
        assert rec["url"] == f"{SITE}papers/{paper.id}/"
        assert rec["related"] == [{"id": r.id, "terms": list(r.terms)} for r in related[paper.id]]
        assert all(r["id"] in records and r["id"] != paper.id for r in rec["related"])
    assert sum(len(r["related"]) for r in records.values()) > len(papers) * 4
    first, hostile = records[papers[0].id], records[papers[1].id]
    assert first["annotation"] == {
        "tldr": "Human summary.",
        "tags": ["data-selection"],
        "reviewed": "2026-03-01",
        "links": [{"title": "Notes", "url": "https://example.org/n"}],
    }
    assert first["notes"] == "Line one.\n\nLine two with a\ttab.\n"
    assert records[papers[2].id]["annotation"] is None
    assert records[papers[2].id]["ai_keywords"] == []
    assert records[papers[2].id]["github"] is None
    assert (records[papers[2].id]["arxiv_unknown"], first["arxiv_unknown"]) == ("2026-04-03", None)
    # Hostile text is data, byte for byte.
    assert hostile["title"] == hostile["abstract"] == hostile["notes"] == HOSTILE
    assert hostile["authors"] == [HOSTILE, "José García-López"]
    assert hostile["annotation"] == {"tldr": HOSTILE}
    assert (hostile["primary_category"], hostile["categories"]) == ("cs.CL", ["cs.CL", "cs.LG"])
    assert (hostile["version"], hostile["updated"]) == (3, "2026-04-02")


def test_one_record_per_line_even_with_newlines_in_text():
    papers, topics = archive()
    files = export.export_records(papers, topics, SITE)
    total = sum(c.count("\n") for p, c in files.items() if p.endswith(".jsonl.gz"))
    assert total == len(papers)
    # UTF-8 text stays readable; only JSON's mandatory escapes are used.
    assert "José García-López" in "".join(files.values())


def test_index_lists_files_counts_and_checksums_without_timestamps():
    papers, topics = archive()
    files = export.export_records(papers, topics, SITE)
    index = json.loads(files["data/index.json"])
    assert index["schema"] == SITE + "data/record.schema.json"
    assert index["records"] == len(papers)
    listed = {f["path"]: f for f in index["files"]}
    assert set(listed) == {p for p in files if p.endswith(".jsonl.gz")}
    for path, entry in listed.items():
        content = files[path]
        assert entry["url"] == SITE + path
        assert entry["records"] == len(read_jsonl(content))
        data = content.encode("utf-8")
        assert entry["uncompressed_sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["uncompressed_bytes"] == len(data)
        assert index["years"][str(entry["year"])] == entry["records"]
    assert [f["year"] for f in index["files"]] == sorted(f["year"] for f in index["files"])
    assert index["generated_from"]["last_listed"] == max(p.listed for p in papers).isoformat()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert today not in files["data/index.json"]


def test_export_is_deterministic_whatever_the_input_order():
    papers, topics = archive()
    first = export.export_records(papers, topics, SITE)
    again = export.export_records(list(reversed(papers)), dict(reversed(topics.items())), SITE)
    assert first == again


def test_published_schema_is_the_record_schema_and_matches_the_model():
    files = export.export_records([], {}, SITE)
    assert json.loads(files["data/record.schema.json"]) == SCHEMA
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    # A new machine field in the model must be documented here too.
    expected = [*MACHINE_KEYS, *export.HUMAN_KEYS]
    assert list(SCHEMA["properties"]) == expected
    assert SCHEMA["required"] == expected


def test_schema_rejects_malformed_records():
    papers, topics = archive()
    good = export.record(papers[0], ["reasoning"], SITE)
    VALIDATOR.validate(good)
    broken = [
        {k: v for k, v in good.items() if k != "listed"},
        {**good, "extra": 1},
        {**good, "id": "2602.23229/../x"},
        {**good, "listed": "2026-13-45"},
        {**good, "authors": "A and B"},
        {**good, "topics": ["Not A Slug"]},
        {**good, "upvotes": "10"},
        {**good, "annotation": "tldr"},
        {**good, "url": "javascript:alert(1)"},
    ]
    for rec in broken:
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(rec)


def test_empty_archive_exports_an_index_and_the_schema_only():
    files = export.export_records([], {}, SITE)
    assert set(files) == {"data/index.json", "data/record.schema.json"}
    index = json.loads(files["data/index.json"])
    assert (index["records"], index["files"], index["years"]) == (0, [], {})


def test_unrepresentable_annotation_names_the_paper_and_file():
    paper = Paper(
        id="2603.00001",
        title="T",
        listed=dt.date(2026, 3, 6),
        annotation={"score": float("nan")},
        path=Path("papers/2026/03/06/2603.00001.md"),
    )
    where = r"2603\.00001 \(papers/2026/03/06/2603\.00001\.md\)"
    with pytest.raises(export.ExportError, match=where):
        export.export_records([paper], {}, SITE)
    with pytest.raises(export.ExportError, match="set"):
        export.export_records([paper.replace(annotation={"tags": {"a"}})], {}, SITE)


def test_site_url_must_end_with_a_slash():
    with pytest.raises(ValueError, match="end with '/'"):
        export.export_records([], {}, "https://example.org")
