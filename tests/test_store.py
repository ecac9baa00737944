"""Ids, the seed import, topics on the real sample data."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from generator import ids
from generator.importer import import_file
from generator.store.archive import Outcome, iter_paper_paths, load_archive
from generator.topics import Taxonomy, TopicsError

SAMPLES = Path(__file__).resolve().parent / "data"
REPO = SAMPLES.parent.parent
SEED = REPO / "tests" / "data" / "seed_papers.json"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2602.23229", "2602.23229"),
        ("2602.23229v3", "2602.23229"),
        ("1412.6980", "1412.6980"),
        ("0704.0001v1", "0704.0001"),
    ],
)
def test_valid_ids(raw, expected):
    assert ids.normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "../../etc/passwd",
        "2602.23229/x",
        " 2602.23229",
        "2602.23229 ",
        "2602.2322",
        "2613.00001",
        "hep-th/9901001",
        "2602.23229v0",
        "",
        "2602..23229",
        "2602.23229\n",
        2602.23229,
        None,
        "1612.1234",
    ],
)
def test_invalid_ids_are_rejected(raw):
    with pytest.raises(ids.InvalidArxivId):
        ids.normalize(raw)


def test_seed_import_matches_the_bundled_archive(tmp_path):
    """The committed papers/ is exactly what importing the sample gives."""
    report = import_file(SEED, tmp_path, today=dt.date(2026, 11, 26))
    assert report.counts[Outcome.CREATED] == 34 and not report.skipped
    made = {p.relative_to(tmp_path): p.read_bytes() for p in iter_paper_paths(tmp_path)}
    shipped = {
        p.relative_to(REPO / "papers"): p.read_bytes() for p in iter_paper_paths(REPO / "papers")
    }
    assert made == shipped


def test_reimport_changes_no_byte(tmp_path):
    import_file(SEED, tmp_path, today=dt.date(2026, 11, 26))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in iter_paper_paths(tmp_path)}
    report = import_file(SEED, tmp_path, today=dt.date(2026, 12, 1))
    assert report.counts[Outcome.UNCHANGED] == 34
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in iter_paper_paths(tmp_path)}


def test_import_files_items_without_listing_under_arxiv_date(tmp_path):
    items = json.loads(SEED.read_text())
    import_file(SEED, tmp_path, today=dt.date(2026, 11, 26))
    for item in items:
        day = item["paper"]["publishedAt"][:10].replace("-", "/")
        assert (tmp_path / day / f"{item['paper']['id']}.md").is_file()


def test_import_skips_bad_items_with_a_message(tmp_path):
    source = tmp_path / "items.json"
    good = json.loads((SAMPLES / "daily_papers_item.json").read_text())[0]
    source.write_text(
        json.dumps([{"paper": {"title": "no id"}}, {"paper": {"id": "../x", "title": "t"}}, good])
    )
    report = import_file(source, tmp_path / "papers", today=dt.date(2026, 11, 26))
    assert report.counts[Outcome.CREATED] == 1
    assert len(report.skipped) == 2
    assert "item 1" in report.skipped[0] and "item 2" in report.skipped[1]
    # The real item's submittedOnDailyAt wins over its arXiv date.
    assert (tmp_path / "papers/2026/03/06/2602.23229.md").is_file()


def test_sample_archive_other_topic_is_small():
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    papers = load_archive(REPO / "papers").papers
    other = [p.id for p in papers if taxonomy.assign(p) == ["other"]]
    assert len(papers) == 34
    assert len(other) / len(papers) < 0.15
    assert all(1 <= len(taxonomy.assign(p)) <= 3 for p in papers)


def test_annotation_topics_override_rules():
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    paper = load_archive(REPO / "papers").papers[0]
    paper.annotation = {"topics": ["robotics", "nope"]}
    assert taxonomy.assign(paper) == ["robotics"]


def test_keywords_match_whole_words_only(tmp_path):
    rules = tmp_path / "topics.yml"
    rules.write_text("topics:\n  - {slug: code, name: Code, keywords: [code, RL]}\n")
    taxonomy = Taxonomy.load(rules)
    paper = load_archive(REPO / "papers").papers[0]
    paper = paper.replace(title="Decoding curls", abstract="barcode world", ai_keywords=[])
    assert taxonomy.assign(paper) == ["other"]
    assert taxonomy.assign(paper.replace(title="Code and rl")) == ["code"]


def test_broken_topic_rules_name_the_file(tmp_path):
    rules = tmp_path / "topics.yml"
    rules.write_text("topics:\n  - {slug: Bad Slug, name: X, keywords: [a]}\n")
    with pytest.raises(TopicsError, match=r"topics.yml: topic 1: slug 'Bad Slug'"):
        Taxonomy.load(rules)
    shutil.copy(REPO / "topics.yml", rules)
    assert Taxonomy.load(rules).topics


def test_import_leaves_a_broken_file_alone_and_goes_on(tmp_path):
    import_file(SEED, tmp_path, today=dt.date(2026, 11, 26))
    broken = next(iter_paper_paths(tmp_path))
    broken.write_text(broken.read_text().replace("\n---\n", "\nannotation: [unclosed\n---\n", 1))
    before = broken.read_bytes()
    report = import_file(SEED, tmp_path, today=dt.date(2026, 12, 1))
    assert len(report.failed) == 1 and str(broken) in report.failed[0]
    assert report.counts[Outcome.UNCHANGED] == 33
    assert broken.read_bytes() == before


def test_arxiv_categories_count_as_a_topic_signal():
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    paper = (
        load_archive(REPO / "papers")
        .papers[0]
        .replace(title="A method", abstract="We propose a method.", ai_keywords=[], categories=[])
    )
    assert taxonomy.assign(paper) == ["other"]
    assert taxonomy.assign(paper.replace(categories=["cs.RO"])) == ["robotics"]


def test_ids_take_ascii_digits_only():
    with pytest.raises(ids.InvalidArxivId):
        ids.normalize("٢٦٠١.٢٣٢٢٩")  # Arabic-Indic digits


def test_an_organization_needs_a_name(tmp_path):
    from generator.model import FieldError, Paper

    with pytest.raises(FieldError, match="organization: needs a 'name'"):
        Paper.from_mapping(
            {
                "id": "2603.00001",
                "title": "t",
                "listed": dt.date(2026, 3, 6),
                "organization": {"fullname": "No short name"},
            }
        )


def test_a_byte_order_mark_is_named_as_such_and_the_file_left_alone(tmp_path):
    """Editors that save "UTF-8 with BOM" put U+FEFF before the '---' a reader looks for."""
    import_file(SEED, tmp_path, today=dt.date(2026, 11, 26))
    marked = next(iter_paper_paths(tmp_path))
    before = b"\xef\xbb\xbf" + marked.read_bytes()
    marked.write_bytes(before)

    (error,) = load_archive(tmp_path).errors
    assert str(error).startswith(f"{marked}:1: ")
    assert "byte-order mark" in str(error) and "save it as UTF-8 without" in str(error)
    report = import_file(SEED, tmp_path, today=dt.date(2026, 12, 1))
    assert len(report.failed) == 1 and "byte-order mark" in report.failed[0]
    assert marked.read_bytes() == before


def test_ids_in_what_people_paste():
    """The same cases the search box is tested against (tests/test_browser.py)."""
    cases = json.loads((REPO / "tests/data/arxiv_id_inputs.json").read_text())["cases"]
    assert len(cases) > 20
    for raw, expected in cases:
        if expected is None:
            with pytest.raises(ids.InvalidArxivId):
                ids.from_text(raw)
        else:
            assert ids.from_text(raw) == expected, raw
