"""``validate`` and ``build`` read the same inputs with the same readers: what the build
refuses, validate refuses (naming the same file), and what validate passes, the build reads.
Validate is stricter only on contract rules the site survives (the last test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import BuildError, generate
from generator.cli import cli
from generator.config import Paths

HERE = "papers/2026/03/06/2602.23229.md"
TOPICS = """\
topics:
- slug: multimodal
  name: Multimodal
  keywords: [vision-language]
"""
HEAD = "---\nid: '2602.23229'\ntitle: A paper\nlisted: 2026-03-06\n"
GOOD = HEAD + "upvotes: 3\nannotation:\n  tldr: Short.\n  topics: [multimodal]\n---\nNotes.\n"
MKDOCS = "site_name: t\nsite_url: https://example.org/archive/\n"


def _repo(root: Path, files: dict[str, bytes], topics: str | None) -> Paths:
    (root / "papers").mkdir()
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    if topics is not None:
        (root / "topics.yml").write_text(topics, encoding="utf-8")
    for rel, raw in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(raw)
    return Paths(root)


def _verdicts(root: Path, files: dict[str, bytes], topics: str | None) -> tuple[str, str]:
    """(build's error or "", validate's output if it failed or "")."""
    paths = _repo(root, files, topics)
    try:
        generate(paths)
        built = ""
    except BuildError as exc:
        built = str(exc) or "refused"
    result = CliRunner().invoke(cli, ["--root", str(root), "validate"])
    assert result.exit_code in (0, 1), result.output
    return built, result.output if result.exit_code else ""


VALID = {
    "annotated": ({HERE: GOOD.encode()}, TOPICS),
    "CRLF line ends": ({HERE: GOOD.replace("\n", "\r\n").encode()}, TOPICS),
    "the catch-all topic": ({HERE: GOOD.replace("[multimodal]", "[other]").encode()}, TOPICS),
    "no annotation": ({HERE: (HEAD + "---\n").encode()}, TOPICS),
}
BROKEN_FILES = {
    "not UTF-8": HEAD.encode() + b"abstract: caf\xe9\n---\n",
    "no front matter": b"id: '2602.23229'\n",
    "front matter not closed": HEAD.encode(),
    "broken YAML": (HEAD + "authors: [unclosed\n---\n").encode(),
    "a date the calendar lacks": HEAD.replace("03-06", "02-30").encode() + b"---\n",
    "front matter a list": b"---\n- a\n- b\n---\n",
    "annotation a list": (HEAD + "annotation: [x]\n---\n").encode(),
    "title missing": HEAD.replace("title: A paper\n", "").encode() + b"---\n",
    "id a number": HEAD.replace("'2602.23229'", "2602.23229").encode() + b"---\n",
    "id not an arXiv id": HEAD.replace("'2602.23229'", "'2602.2322x'").encode() + b"---\n",
    "upvotes text": (HEAD + "upvotes: many\n---\n").encode(),
    "authors not a list": (HEAD + "authors: Ada\n---\n").encode(),
    "organization without a name": (HEAD + "organization: {fullname: X}\n---\n").encode(),
    "listed not a date": HEAD.replace("2026-03-06", "March 6").encode() + b"---\n",
}
BROKEN_TOPICS = {
    "topics.yml a bare list": "- slug: multimodal\n  name: Multimodal\n  keywords: [x]\n",
    "topics.yml missing": None,
    "topics.yml without keywords": "topics:\n- slug: multimodal\n  name: Multimodal\n",
    "topics.yml with a bad slug": "topics:\n- {slug: Multi Modal, name: M, keywords: [x]}\n",
    "topics.yml not YAML": "topics: [unclosed\n",
}


@pytest.mark.parametrize("case", VALID)
def test_both_accept(tmp_path, case):
    files, topics = VALID[case]
    assert _verdicts(tmp_path, files, topics) == ("", "")


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_both_refuse_a_broken_file_and_name_it(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    built, validated = _verdicts(tmp_path, {HERE: BROKEN_FILES[case]}, TOPICS)
    assert built and validated
    assert HERE in built and validated.startswith(HERE)


@pytest.mark.parametrize("case", BROKEN_TOPICS)
def test_both_refuse_a_broken_taxonomy_with_the_same_message(tmp_path, case):
    built, validated = _verdicts(tmp_path, {HERE: GOOD.encode()}, BROKEN_TOPICS[case])
    assert built and validated
    assert built in validated


def test_both_refuse_one_id_in_two_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    later = "papers/2026/03/09/2602.23229.md"
    files = {HERE: GOOD.encode(), later: GOOD.replace("03-06", "03-09").encode()}
    built, validated = _verdicts(tmp_path, files, TOPICS)
    assert HERE in built and later in built
    assert f"{later}:2: id: '2602.23229' also has the file {HERE}" in validated


CONTRACT_ONLY = {
    "a TL;DR over 300 characters": GOOD.replace("Short.", "x" * 301),
    "a tag that is no slug": GOOD.replace("  tldr: Short.\n", "  tags: [Bad Tag]\n"),
    "an unknown annotation key": GOOD.replace("  tldr:", "  tdlr:"),
    "an unknown topic": GOOD.replace("[multimodal]", "[multimodel]"),
}


@pytest.mark.parametrize("case", CONTRACT_ONLY)
def test_validate_alone_refuses_what_the_site_leaves_out(tmp_path, case):
    built, validated = _verdicts(tmp_path, {HERE: CONTRACT_ONLY[case].encode()}, TOPICS)
    assert built == "" and validated
