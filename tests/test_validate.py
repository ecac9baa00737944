"""``paper-archive validate``: every kind of problem, its exact line and wording, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import validate as validate_module
from generator import workers
from generator.cli import cli
from generator.model import MACHINE_FIELDS, Paper
from generator.store.archive import upsert
from generator.store.paperfile import render

TOPICS = """\
topics:
- slug: reasoning
  name: Reasoning
  keywords: [reasoning, chain-of-thought]
- slug: multimodal
  name: Multimodal
  keywords: [vision-language]
"""
HERE = "papers/2026/03/06/2602.23229.md"
SLUG = "is not a lower-case slug (a-z, 0-9 and single hyphens, e.g. in-context-learning)"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "papers").mkdir()
    (tmp_path / "topics.yml").write_text(TOPICS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), "validate", *args])


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def paper(paper_id: str = "2602.23229", listed: dt.date = dt.date(2026, 3, 6)) -> Paper:
    return Paper(
        id=paper_id,
        title="Large Multimodal Models as General In-Context Classifiers",
        listed=listed,
        authors=["Marco Garosi", "Elisa Ricci"],
        published=dt.date(2026, 2, 26),
        upvotes=10,
        organization={"name": "MHUGLab"},
        ai_keywords=["in-context learning"],
        fetched=dt.date(2026, 3, 7),
    )


GOOD_ANNOTATION = """\
annotation:
  tldr: Few-shot prompting makes LMMs competitive with CLIP for classification.
  tags: [in-context-learning, classification]
  topics: [multimodal]
  contributors: [octocat, mona-lisa]
  links: [{title: Reproduction notes, url: 'https://example.org/notes'}]
  status: reproduced
  updated: 2026-03-09
"""


def test_valid_archive_passes_with_a_summary(repo):
    upsert(repo / "papers", paper())
    (repo / HERE).write_text(render(paper(), GOOD_ANNOTATION, "\nNotes.\n"), encoding="utf-8")
    upsert(repo / "papers", paper("2603.00001", dt.date(2026, 3, 7)))

    result = run(repo)

    assert result.exit_code == 0, result.output
    assert result.stdout == "checked 2 paper files: no errors\n"


BAD = """\
---
id: '2602.23229'
title: A paper
listed: 2026-03-06
upvotes: many
annotation:
  tldr: {tldr}
  tdlr: typo
  tags: [ok, Bad Tag]
  topics: [reasoning, multimodel]
  contributors: ['@octocat']
  links:
    - title: Notes
      url: javascript:alert(1)
  status: redd
  updated: March 6
---
Body.
"""


def test_every_annotation_problem_on_its_own_line(repo):
    write(repo, HERE, BAD.format(tldr="x" * 412))

    result = run(repo)

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{HERE}:5: upvotes: expected a whole number, got text ('many')",
        f"{HERE}:7: annotation.tldr: 412 characters, the limit is 300",
        f"{HERE}:8: annotation.tdlr: unknown key; did you mean 'tldr'?",
        f"{HERE}:9: annotation.tags[1]: 'Bad Tag' {SLUG}",
        f"{HERE}:10: annotation.topics[1]: 'multimodel' is not a topic in topics.yml; "
        "did you mean 'multimodal'?",
        f"{HERE}:11: annotation.contributors[0]: '@octocat' is not a GitHub handle "
        "(letters, digits and single hyphens, no '@')",
        f"{HERE}:14: annotation.links[0].url: 'javascript:alert(1)' is not an http:// or "
        "https:// URL",
        f"{HERE}:15: annotation.status: 'redd' is not one of read, reproduced, "
        "partially-reproduced, not-reproduced, disputed, retracted; did you mean 'read'?",
        f"{HERE}:16: annotation.updated: 'March 6' is not a date YYYY-MM-DD",
        "checked 1 paper file: 9 errors in 1 file",
    ]


def test_github_annotations(repo):
    write(repo, HERE, BAD.format(tldr="x" * 412))
    result = run(repo, "--github")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == (
        f"::error file={HERE},line=7::annotation.tldr: 412 characters, the limit is 300"
    )


def test_exactly_300_characters_is_fine(repo):
    write(repo, HERE, render(paper(), f"annotation:\n  tldr: {'y' * 300}\n"))
    assert run(repo).exit_code == 0


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("anotation:\n  tldr: x\n", "6: anotation: unknown key; did you mean 'annotation'?"),
        ("annotation: [x]\n", "6: annotation: expected a mapping, got a list"),
        (
            "annotation:\n  tldr: 42\n",
            "7: annotation.tldr: expected text, got a number (42); quote it to make it text",
        ),
        ("annotation:\n  links: [{title: x}]\n", "7: annotation.links[0]: 'url' is required"),
        ("annotation:\n  tags: [a, a]\n", "7: annotation.tags: has the same item twice"),
        (
            "annotation:\n  zzz: 1\n",
            "7: annotation.zzz: unknown key; expected one of: "
            "contributors, links, status, tags, tldr, topics, updated",
        ),
    ],
)
def test_annotation_shapes(repo, front, expected):
    head = "---\nid: '2602.23229'\ntitle: A paper\nlisted: 2026-03-06\nupvotes: 3\n"
    write(repo, HERE, head + front + "---\n")
    result = run(repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"{HERE}:{expected}"


def test_repeated_keys_are_errors_at_the_repeat(repo):
    head = "---\nid: '2602.23229'\ntitle: A paper\nlisted: 2026-03-06\n"
    text = head + "annotation:\n  tldr: a\n  tldr: b\nannotation:\n  tags: [x]\n---\n"
    write(repo, HERE, text)
    assert run(repo).stdout.splitlines() == [
        f"{HERE}:7: annotation.tldr: this key appears twice; YAML keeps only the last one",
        f"{HERE}:8: annotation: this key appears twice; YAML keeps only the last one",
        "checked 1 paper file: 2 errors in 1 file",
    ]


def test_folder_must_match_listed_date(repo):
    write(repo, "papers/2026/03/07/2602.23229.md", render(paper()))
    result = run(repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "papers/2026/03/07/2602.23229.md:6: listed: 2026-03-06 but the file is in 2026/03/07/; "
        "a paper lives in the folder of its listing day, papers/2026/03/06/"
    )


def test_file_name_must_match_id(repo):
    write(repo, "papers/2026/03/06/2602.23228.md", render(paper()))
    result = run(repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "papers/2026/03/06/2602.23228.md:2: id: '2602.23229' does not match the file name; "
        "rename it to 2602.23229.md"
    )


def test_machine_field_problems(repo):
    text = "---\nid: 2602.23229\nlisted: 2026-03-06\nupvotes: -1\ncomments: yes\n---\n"
    write(repo, HERE, text)
    assert run(repo).stdout.splitlines() == [
        f"{HERE}:2: 'title' is required",
        f"{HERE}:2: id: expected text, got a number (2602.23229); quote it to make it text",
        f"{HERE}:4: upvotes: -1 is below the minimum, 0",
        f"{HERE}:5: comments: expected a whole number, got true (yes/no/true/false are "
        "booleans in YAML; quote it)",
        "checked 1 paper file: 4 errors in 1 file",
    ]


def test_duplicate_id_is_found_even_when_checking_one_file(repo):
    upsert(repo / "papers", paper())
    write(repo, "papers/2026/03/09/2602.23229.md", render(paper(listed=dt.date(2026, 3, 9))))

    result = run(repo, "papers/2026/03/09")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "papers/2026/03/09/2602.23229.md:2: id: '2602.23229' also has the file "
        f"{HERE}; a paper has one file, in the folder of its first listing day",
        "checked 1 paper file: 1 error in 1 file",
    ]
    assert run(repo).stdout.count("also has the file") == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"---\nid: '2602.23229'\ntitle: [unclosed\n---\n", "4: broken YAML"),
        (b"---\nid: '2602.23229'\nlisted: 2026-02-30\n---\n", "3: not a real date"),
        (b"id: '2602.23229'\n", "1: a paper file must start with a '---' front matter line"),
        (b"---\ntitle: caf\xe9\n---\n", " not UTF-8 text"),
    ],
)
def test_unreadable_files(repo, raw, expected):
    (repo / HERE).parent.mkdir(parents=True)
    (repo / HERE).write_bytes(raw)
    result = run(repo)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{HERE}:{expected}")


def test_missing_taxonomy_is_an_error_as_in_the_build(repo):
    (repo / "topics.yml").unlink()
    write(repo, HERE, render(paper(), GOOD_ANNOTATION))
    result = run(repo)
    assert result.exit_code == 1
    assert "topics.yml: topic rules file is missing" in result.output


def test_broken_taxonomy_is_a_clear_error(repo):
    (repo / "topics.yml").write_text("topics:\n- name: no slug\n", encoding="utf-8")
    write(repo, HERE, render(paper()))
    result = run(repo)
    assert result.exit_code == 1
    assert "topics.yml: topic 1: slug None must be lower-case words joined by '-'" in result.output


def test_parallel_and_serial_runs_agree(repo, monkeypatch):
    for n in range(12):
        day = dt.date(2026, 3, 6) + dt.timedelta(days=n % 3)
        text = render(paper(f"2603.{n:05d}", day), "annotation:\n  tdlr: x\n" if n % 4 else "")
        write(repo, f"papers/{day:%Y/%m/%d}/2603.{n:05d}.md", text)
    serial = validate_module.validate([repo / "papers"], repo / "papers", repo / "topics.yml")
    monkeypatch.setattr(workers, "PARALLEL_MIN", 4)
    parallel = validate_module.validate(
        [repo / "papers"], repo / "papers", repo / "topics.yml", jobs=2
    )
    assert len(serial.errors) == 9
    assert parallel.problems == serial.problems


# -- pull requests that touch machine fields -----------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_changed_machine_fields_warn_without_failing(repo):
    upsert(repo / "papers", paper())
    upsert(repo / "papers", paper("2603.00001", dt.date(2026, 3, 7)))
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    edited = render(paper().replace(title="Better title", upvotes=11), GOOD_ANNOTATION)
    (repo / HERE).write_text(edited, encoding="utf-8")
    (repo / "papers/2026/03/07/2603.00001.md").unlink()
    upsert(repo / "papers", paper("2603.00002", dt.date(2026, 3, 7)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")

    result = run(repo, "--changed-against", "HEAD~1")

    assert result.exit_code == 0, result.output
    overwrite = "machine field edited; fetch will overwrite it (put corrections in the annotation "
    assert result.stdout.splitlines() == [
        f"{HERE}:3: warning: title: {overwrite}block or the notes)",
        f"{HERE}:7: warning: upvotes: {overwrite}block or the notes)",
        "papers/2026/03/07/2603.00001.md: warning: paper file deleted; its annotation and "
        "notes go with it",
        "papers/2026/03/07/2603.00002.md: warning: new paper file; fetch owns paper files and "
        "will rewrite its machine fields",
        "checked 2 paper files: no errors, 4 warnings",
    ]


def test_annotation_only_change_gives_no_warning(repo):
    upsert(repo / "papers", paper())
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    (repo / HERE).write_text(render(paper(), GOOD_ANNOTATION, "\nNotes\n"), encoding="utf-8")

    result = run(repo, "--changed-against", "HEAD")

    assert result.exit_code == 0
    assert result.stdout == "checked 1 paper file: no errors\n"


def test_unknown_revision_is_a_clear_error(repo):
    git(repo, "init", "-q")
    result = run(repo, "--changed-against", "no-such-rev")
    assert result.exit_code == 1
    assert "git diff --name-status failed" in result.output


# -- the published schema is the contract ------------------------------------------------


def test_schema_covers_exactly_the_machine_fields_and_the_annotation():
    schema = json.loads(validate_module.SCHEMA_PATH.read_text(encoding="utf-8"))
    props = schema["properties"]
    assert list(props) == [name for name, _ in MACHINE_FIELDS] + ["annotation"]
    kinds = {str: "string", int: "integer", list: "array", dict: "object"}
    for name, kind in MACHINE_FIELDS:
        spec = props[name]
        if "$ref" in spec:
            spec = schema["definitions"][spec["$ref"].rsplit("/", 1)[1]]
        expected = "string" if kind is dt.date else kinds[kind]
        assert spec["type"] == expected, name
    assert set(schema["required"]) == {"id", "title", "listed"}


# -- the docs show the contract as it is ---------------------------------------------

DOCS = Path(__file__).parent.parent


def test_worked_example_in_the_docs_is_valid(repo):
    page = (DOCS / "docs" / "annotate.md").read_text(encoding="utf-8")
    after = page.split("After your pull request:", 1)[1]
    example = after.split("```markdown\n", 1)[1].split("```\n", 1)[0]
    write(repo, HERE, example)
    result = run(repo)
    assert result.stdout == "checked 1 paper file: no errors\n"


@pytest.mark.parametrize("doc", ["docs/annotate.md", "CONTRIBUTING.md"])
def test_docs_name_every_annotation_field_and_status(doc):
    text = (DOCS / doc).read_text(encoding="utf-8")
    annotation = validate_module.schema()["properties"]["annotation"]
    for name in annotation["properties"]:
        assert f"`{name}`" in text, name
    for status in annotation["properties"]["status"]["enum"]:
        assert f"`{status}`" in text, status
