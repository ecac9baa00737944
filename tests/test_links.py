"""One check for links and one for GitHub handles (``generator/ids.py``): ``validate``, the
site and fetch accept exactly the same values. Before, the site, the schema and fetch each
had their own URL check and the site and the schema their own handle pattern; the cases
below are where they disagreed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import REPO, paper

from generator import ids
from generator.cli import cli
from generator.sources.items import parse_item
from generator.store.archive import iter_paper_paths, load_archive
from generator.store.paperfile import render

SCHEMA = json.loads((REPO / "generator/schema/paper.schema.json").read_text(encoding="utf-8"))
ANNOTATION = SCHEMA["properties"]["annotation"]["properties"]

URLS = [
    ("https://example.org/notes", True),
    ("http://example.org", True),
    ("https://example.org/a?q=1&r=2#part", True),
    ("https://en.wikipedia.org/wiki/Bayes'_theorem", True),  # the site dropped it
    ("https:///no-host", False),  # the site linked it
    ("https://", False),  # fetch kept it
    ('https://example.org/"onmouseover=x', False),  # validate and fetch accepted it
    ("https://example.org/<b>", False),  # validate and fetch accepted it
    ("https://example.org/\x01", False),  # all three accepted it
    ("javascript:alert(1)", False),
    ("ftp://example.org/file", False),
]
HANDLES = [
    ("octocat", True),
    ("octo-cat", True),
    ("a1-b2-c3", True),
    ("a" * 39, True),
    ("a--b", False),  # the site accepted it
    ("trailing-", False),  # the site accepted it
    ("a" * 40, False),  # validate accepted up to 77 characters
    ("-leading", False),
    ("@octocat", False),
    ('evil"><script>', False),
]


def test_the_schema_writes_the_patterns_of_ids_py():
    url = ANNOTATION["links"]["items"]["properties"]["url"]
    handle = ANNOTATION["contributors"]["items"]
    assert url["pattern"] == f"^{ids.HTTP_URL}$"
    assert handle["pattern"] == f"^{ids.GITHUB_HANDLE}$"
    assert handle["maxLength"] == ids.GITHUB_HANDLE_MAX
    assert SCHEMA["definitions"]["slug"]["pattern"] == f"^{ids.SLUG.pattern}$"


def _archive(tmp_path: Path, annotations: list[str]) -> tuple[Path, list[Path]]:
    """One paper file per annotation, listed on consecutive ids of one day."""
    (tmp_path / "papers").mkdir()
    shutil.copy(REPO / "topics.yml", tmp_path / "topics.yml")
    files = []
    for n, human in enumerate(annotations, start=1):
        p = paper(f"2603.{n:05d}", "2026-03-06")
        target = tmp_path / "papers/2026/03/06" / f"{p.id}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(p, human), encoding="utf-8")
        files.append(target)
    return tmp_path, files


def _refused_by_validate(root: Path, files: list[Path]) -> list[bool]:
    result = CliRunner().invoke(cli, ["--root", str(root), "validate"])
    assert result.exit_code in (0, 1), result.output
    return [f"{file.name}:" in result.output for file in files]


def _shown_by_site(root: Path, files: list[Path]) -> dict[Path, object]:
    loaded = load_archive(root / "papers", list(iter_paper_paths(root / "papers")))
    assert not loaded.errors
    return {p.path: p for p in loaded.papers}


def test_validate_site_and_fetch_accept_the_same_links(tmp_path):
    annotations = [
        f"annotation:\n  links:\n    - {{title: Link, url: {json.dumps(url)}}}\n" for url, _ in URLS
    ]
    root, files = _archive(tmp_path, annotations)
    refused = _refused_by_validate(root, files)
    papers = _shown_by_site(root, files)
    for (url, accepted), file, was_refused in zip(URLS, files, refused, strict=True):
        assert was_refused is not accepted, f"validate: {url!r}"
        assert bool(papers[file].links) is accepted, f"site: {url!r}"
        item = {"paper": {"id": "2603.00001", "title": "T", "githubRepo": url}}
        fetched = parse_item(item, fallback_listed=dt.date(2026, 3, 6), fetched=dt.date.today())
        assert (fetched.github == url) is accepted, f"fetch: {url!r}"


def test_validate_and_site_accept_the_same_github_handles(tmp_path):
    annotations = [
        f"annotation:\n  tldr: Read.\n  contributors: [{json.dumps(handle)}]\n"
        for handle, _ in HANDLES
    ]
    root, files = _archive(tmp_path, annotations)
    refused = _refused_by_validate(root, files)
    papers = _shown_by_site(root, files)
    for (handle, accepted), file, was_refused in zip(HANDLES, files, refused, strict=True):
        assert was_refused is not accepted, f"validate: {handle!r}"
        assert (papers[file].contributors == [handle]) is accepted, f"site: {handle!r}"


@pytest.mark.parametrize(("url", "accepted"), URLS)
def test_safe_url(url, accepted):
    assert (ids.safe_url(url) == url) is accepted
