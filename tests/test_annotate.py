"""``paper-archive annotate``: one template added, every other byte kept, the file still valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.annotate import add_annotation_block
from generator.cli import cli
from generator.model import Paper
from generator.store.archive import upsert
from generator.store.paperfile import read_paper, split

REL = Path("papers/2026/03/06/2602.23229.md")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    taxonomy = "topics:\n- {slug: multimodal, name: M, keywords: [vision-language]}\n"
    (tmp_path / "topics.yml").write_text(taxonomy, encoding="utf-8")
    paper = Paper(
        id="2602.23229",
        title="Large Multimodal Models as General In-Context Classifiers",
        listed=dt.date(2026, 3, 6),
        authors=["Marco Garosi"],
        upvotes=10,
    )
    upsert(tmp_path / "papers", paper)
    return tmp_path


def annotate(root: Path, arxiv_id: str):
    return CliRunner().invoke(cli, ["--root", str(root), "annotate", arxiv_id])


def test_adds_a_template_and_prints_the_path(repo):
    path = repo / REL
    before = path.read_text(encoding="utf-8")

    result = annotate(repo, "2602.23229")

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{REL}\n"
    after = path.read_text(encoding="utf-8")
    block = "annotation:\n" + after.partition("annotation:\n")[2].partition("---\n")[0]
    assert after.replace(block, "", 1) == before  # only the block was inserted
    assert f"updated: {dt.datetime.now(dt.UTC).date()}" in block
    paper = read_paper(path)
    assert paper.annotation["tldr"] == "" and not paper.is_annotated
    valid = CliRunner().invoke(cli, ["--root", str(repo), "validate"])
    assert valid.exit_code == 0, valid.output


def test_existing_block_is_left_alone(repo):
    path = repo / REL
    text = path.read_text(encoding="utf-8").removesuffix("---\n")
    text += "annotation:\n  tldr: Mine.  # keep\n---\nNotes\n"
    path.write_text(text, encoding="utf-8")

    result = annotate(repo, "2602.23229v3")

    assert result.exit_code == 0
    assert "already has an annotation block" in result.output
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "spelling",
    [
        "arXiv:2602.23229",
        "https://arxiv.org/abs/2602.23229v2",
        "https://arxiv.org/pdf/2602.23229.pdf",
        "https://huggingface.co/papers/2602.23229",
    ],
)
def test_pasted_links_and_prefixes_find_the_paper(repo, spelling):
    result = annotate(repo, spelling)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{REL}\n"


@pytest.mark.parametrize(
    ("arxiv_id", "message"),
    [
        ("2602.99999", "no paper 2602.99999 in "),
        ("../../etc/passwd", "is not an arXiv id"),
        ("hep-th/9901001", "old-style arXiv id"),
    ],
)
def test_unknown_or_invalid_ids_are_clear_errors(repo, arxiv_id, message):
    result = annotate(repo, arxiv_id)
    assert result.exit_code == 1
    assert message in result.output


def test_crlf_file_gets_crlf_template_and_keeps_its_body(tmp_path):
    path = tmp_path / "2602.23229.md"
    text = "---\r\nid: '2602.23229'\r\ntitle: T\r\nlisted: 2026-03-06\r\n---\r\nNotes\r\n"
    path.write_bytes(text.encode())
    path.chmod(0o640)

    assert add_annotation_block(path, dt.date(2026, 3, 9))

    after = path.read_bytes().decode()
    assert "\n" not in after.replace("\r\n", "")
    assert split(after, path).body == "Notes\r\n"
    assert read_paper(path).annotation["updated"] == dt.date(2026, 3, 9)
    assert path.stat().st_mode & 0o777 == 0o640


def test_flow_style_front_matter_is_refused_untouched(tmp_path):
    path = tmp_path / "2602.23229.md"
    text = "---\n{id: '2602.23229', title: T, listed: 2026-03-06}\n---\n"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ValueError, match="add it by hand"):
        add_annotation_block(path, dt.date(2026, 3, 9))
    assert path.read_text(encoding="utf-8") == text
