"""No writer changes a human byte: property-based proof over generated annotations and notes.

Each example writes a paper file whose front matter holds a generated human part (an
``annotation:`` block with comments, unicode, block scalars, anchors and aliases, tabs,
trailing blanks and CRLF, plus other human keys) and a generated Markdown body, then runs
a generated sequence of every writer of paper files: fetch's upsert with changing machine
data, enrich's update of arXiv fields, a fetch of an earlier listing day (which moves the
file) and ``annotate``. The human part and the body must come out byte for byte, the file
must still parse to the same annotation, and the machine fields must carry the new data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.annotate import add_annotation_block
from generator.importer import import_file
from generator.model import BOOKKEEPING_KEYS, Paper
from generator.store.archive import Outcome, index_ids, paper_path, update_machine_fields, upsert
from generator.store.paperfile import (
    PaperFileError,
    dump_machine,
    human_regions,
    load_front,
    read_paper,
    render,
    split,
)

LINE_BREAKS = "\n\r\x85\u2028\u2029"
# Any printable text on one line, including characters YAML treats specially.
one_line = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters=LINE_BREAKS + "\ufeff",
    )
    | st.sampled_from("\t#:-[]{}&*!|>'\"%@`,?"),
    max_size=40,
)
words = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=12)
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double_quoted(text: str, ascii_only: bool) -> str:
    """YAML's own escapes: \\x, \\u and \\U (JSON's surrogate pairs are not YAML)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20:
            out.append(f"\\x{code:02x}")
        elif ascii_only and code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        elif ascii_only and code > 0x7E:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@st.composite
def scalar(draw: st.DrawFn, indent: int) -> str:
    """A YAML value in one of the styles people write: the text after ``key:``."""
    style = draw(st.sampled_from(["plain", "single", "double", "block"]))
    if style == "plain":
        return " " + " ".join(draw(st.lists(words, min_size=1, max_size=6)))
    if style == "single":
        return " " + _single_quoted(draw(one_line))
    if style == "double":
        return " " + _double_quoted(draw(one_line), draw(st.booleans()))
    header = draw(st.sampled_from(["|", "|-", "|+", ">", ">-", ">+"]))
    pad = " " * (indent + 2)
    lines = draw(
        st.lists(
            st.one_of(one_line, st.sampled_from(["---", "...", "--- x", "key: value", ""])),
            min_size=1,
            max_size=5,
        )
    )
    # The explicit indentation indicator lets content lines start with spaces.
    return f" {header[0]}2{header[1:]}\n" + "\n".join(pad + line for line in lines)


@st.composite
def annotation_part(draw: st.DrawFn) -> str:
    """The human part of the front matter: comments, the block, other human keys.

    The block is sometimes under another name, so that ``annotate`` has one to add.
    """
    entries = []
    entries.append("  tldr:" + draw(scalar(2)))
    tags = draw(st.lists(slug, max_size=4))
    anchored = draw(st.booleans())
    anchor = " &tags" if anchored else ""
    if draw(st.booleans()):
        entries.append(f"  tags:{anchor} [{', '.join(tags)}]")
    else:
        entries.append(f"  tags:{anchor}" + "".join(f"\n    - {t}" for t in tags or ["x"]))
    if anchored:
        entries.append("  again: *tags")
    entries.append("  contributors: [" + ", ".join(draw(st.lists(slug, max_size=3))) + "]")
    entries.append(
        "  links:\n    - title:"
        + draw(scalar(6))
        + "\n      url: https://example.org/"
        + draw(slug)
    )
    entries.append("  nested:\n    - [a, [b, c]]\n    - - x\n      - y")
    entries.append("  status: read")
    for _ in range(draw(st.integers(0, 3))):
        entries.insert(draw(st.integers(0, len(entries))), "  # " + draw(one_line))
    entries = draw(st.permutations(entries))
    if anchored:  # an alias must come after its anchor
        entries.remove("  again: *tags")
        entries.append("  again: *tags")
    key = draw(st.sampled_from(["annotation", "annotation", "review"]))
    head = key + ":" + draw(st.sampled_from(["", "  # human-owned", " "]))
    lead = draw(st.sampled_from(["", "# notes by humans below\n", "\n", "#\tdraft \n"]))
    tail = draw(st.sampled_from(["", "# trailing comment ✓\n", "x-review: 'pending'\n"]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    lines = (lead + head + "\n" + "\n".join(entries) + "\n" + tail).split("\n")
    # Editors leave blanks at line ends; inside a block scalar they are part of the value.
    blanks = draw(
        st.lists(
            st.sampled_from(["", "", " ", "\t", " \t "]), min_size=len(lines), max_size=len(lines)
        )
    )
    return nl.join(
        line + blank if line else line for line, blank in zip(lines, blanks, strict=True)
    )


body = st.lists(
    st.one_of(
        st.sampled_from(
            ["---", "...", "--- ", "---\r", "title: fake", "# Notes", "", "<b>x</b>"]
            + ["<!-- a comment -->", "\tindented\t", "trailing  ", "```yaml", "```"]
            + ["annotation:", "  tldr: a fake block in the notes", "id: '9999.99999'"]
        ),
        st.text(max_size=30),
    ),
    max_size=8,
).flatmap(
    lambda lines: st.tuples(st.sampled_from(["\n", "\r\n"]), st.booleans()).map(
        lambda opts: opts[0].join(lines) + (opts[0] if opts[1] and lines else "")
    )
)


def _clean(text: str) -> str:
    """Machine text as the API parser leaves it: whitespace runs collapsed."""
    return " ".join(text.split()) or "Untitled"


fetch_data = st.tuples(
    st.integers(0, 10**6),
    st.lists(st.text(max_size=20).map(_clean), min_size=1, max_size=6),
    st.text(max_size=60).map(_clean),
)
enrich_data = st.fixed_dictionaries(
    {
        "categories": st.lists(st.sampled_from(["cs.CV", "cs.AI", "cs.CL"]), unique=True),
        "doi": st.none() | st.just("10.48550/arXiv.2602.23229"),
        "version": st.integers(1, 9),
        "arxiv_comment": st.none() | st.text(max_size=40).map(_clean),
    }
)
# Every writer of paper files, each with its data.
writer = st.one_of(
    st.tuples(st.just("fetch"), fetch_data),
    st.tuples(st.just("enrich"), enrich_data),
    st.tuples(st.just("move"), st.integers(1, 40)),  # the paper was also listed n days earlier
    st.tuples(st.just("annotate"), st.none()),
)

BASE = Paper(
    id="2602.23229",
    title="Large Multimodal Models as General In-Context Classifiers",
    listed=dt.date(2026, 3, 6),
    authors=["Marco Garosi", "Elisa Ricci"],
    abstract="Which multimodal model should we use for classification?",
    upvotes=10,
    ai_keywords=["in-context learning"],
    fetched=dt.date(2026, 3, 7),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    human=annotation_part(),
    notes=body,
    inside=st.integers(0, 3),
    block_lists=st.booleans(),
    delimiters=st.sampled_from([("---\n", "---\n"), ("---\r\n", "---\r\n"), ("--- \n", "...\t\n")]),
    writes=st.lists(writer, min_size=1, max_size=5),
)
def test_every_writer_keeps_annotation_and_notes_byte_for_byte(
    human, notes, inside, block_lists, delimiters, writes
):
    machine = dump_machine(BASE)
    if block_lists:  # as people write them by hand; comments after them are the human's
        machine = yaml.safe_dump(BASE.machine_dict(), sort_keys=False, allow_unicode=True)
    # Contributors sometimes put the block between machine keys rather than at the end.
    keys = re.split(r"(?m)^(?=\w)", machine)
    cut = len(keys) - inside
    front = "".join(keys[:cut]) + human + "".join(keys[cut:])
    opening, closing = delimiters
    if not notes and not human.endswith("\n"):
        closing = closing.rstrip("\r\n")  # no final newline at all
    text = f"{opening}{front}{closing}{notes}"
    try:
        before = load_front(front, "generated")
    except ValueError:
        assume(False)
    key = "annotation" if "annotation" in before else "review"
    assume(isinstance(before.get(key), dict))
    human_before = {k: v for k, v in before.items() if k not in BASE.machine_dict()}

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = paper_path(root, BASE.id, BASE.listed)
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8"))
        kept = split(text, path)
        expected_human = human_regions(kept.front, path)
        assert human in expected_human  # the human part, with comments around it
        current = BASE
        for n, (kind, data) in enumerate(writes):
            today = dt.date(2026, 3, 8) + dt.timedelta(days=n)
            if kind == "fetch":
                upvotes, keywords, title = data
                current = current.replace(
                    upvotes=upvotes, ai_keywords=keywords, title=title, fetched=today
                )
                outcome, written = upsert(root, current, index_ids(root).get(BASE.id))
                assert (outcome, written) in ((Outcome.UPDATED, path), (Outcome.UNCHANGED, path))
            elif kind == "enrich":
                current = current.replace(**data, enriched=today)
                update_machine_fields(path, {**data, "enriched": today})
            elif kind == "move":
                earlier = current.listed - dt.timedelta(days=data)
                current = current.replace(listed=earlier)
                outcome, written = upsert(root, current, index_ids(root).get(BASE.id))
                assert outcome is Outcome.MOVED and not path.exists()
                path = written
            else:
                had_block = read_paper(path).annotation is not None
                assert add_annotation_block(path, today) is not had_block

            after = path.read_bytes().decode("utf-8")
            parts = split(after, path)
            assert parts.body == notes
            regions = human_regions(parts.front, path)
            assert regions.startswith(expected_human)
            assert after.startswith(opening) and after.endswith(closing + notes)
            if kind != "annotate":  # which inserts its block where the front matter ends
                assert after.endswith(regions + closing + notes)
            data = load_front(parts.front, path)
            for name, value in human_before.items():
                assert data[name] == value
            if regions != expected_human:  # annotate added its template, and only it
                template = load_front(regions[len(expected_human) :], path)
                assert list(template) == ["annotation"]
                assert template["annotation"]["updated"] == today
                expected_human = regions
            assert _news(read_paper(path)) == _news(current)
            assert [p.name for p in root.rglob("*.md")] == [path.name]

        upsert(root, current, path)  # the first puts the human part after the machine one
        again, _ = upsert(root, current, path)
        assert again is Outcome.UNCHANGED


def _news(paper: Paper) -> dict:
    """The machine fields, less the dates that say when they were last seen."""
    return {k: v for k, v in paper.machine_dict().items() if k not in BOOKKEEPING_KEYS}


def _item(paper_id: str, title: str, upvotes: int) -> dict:
    return {
        "paper": {
            "id": paper_id,
            "title": title,
            "upvotes": upvotes,
            "submittedOnDailyAt": "2026-03-06T10:00:00.000Z",
        }
    }


def test_paper_gone_from_the_api_keeps_its_file_and_annotation(tmp_path):
    """Nothing in the store deletes: a day re-fetched without a paper leaves its file alone."""
    today = dt.date(2026, 3, 7)
    first = tmp_path / "day1.json"
    first.write_text(
        json.dumps([_item("2602.23229", "Kept", 3), _item("2602.23230", "Other", 1)]),
        encoding="utf-8",
    )
    papers = tmp_path / "papers"
    import_file(first, papers, today=today)
    kept = papers / "2026" / "03" / "06" / "2602.23229.md"
    text = kept.read_text(encoding="utf-8")
    block = "annotation:\n  tldr: Still here.\n---\n# Notes\n"
    annotated = "---\n" + split(text, kept).front + block
    kept.write_text(annotated, encoding="utf-8")

    second = tmp_path / "day2.json"
    second.write_text(json.dumps([_item("2602.23230", "Other, renamed", 9)]), encoding="utf-8")
    report = import_file(second, papers, today=today + dt.timedelta(days=1))

    assert report.counts[Outcome.UPDATED] == 1
    assert kept.read_text(encoding="utf-8") == annotated
    paper = read_paper(kept)
    assert paper.tldr == "Still here." and paper.notes == "# Notes\n"
    assert sorted(index_ids(papers)) == ["2602.23229", "2602.23230"]


def test_paper_with_only_scalar_fields_gets_block_front_matter(tmp_path):
    """A flow mapping `{id: ..., title: ...}` would leave no place for an annotation block."""
    bare = Paper(id="2602.23231", title="Bare", listed=dt.date(2026, 3, 6), upvotes=1)
    _, path = upsert(tmp_path, bare)
    front = split(path.read_text(encoding="utf-8"), path).front
    assert front.startswith("id: '2602.23231'\ntitle: Bare\n")

    path.write_text(f"---\n{front}annotation:\n  tldr: Short.\n---\nnotes\n", encoding="utf-8")
    upsert(tmp_path, bare.replace(upvotes=2), path)
    paper = read_paper(path)
    assert (paper.upvotes, paper.tldr, paper.notes) == (2, "Short.", "notes\n")


def test_old_flow_style_file_is_rewritten_as_block(tmp_path):
    path = tmp_path / "2026" / "03" / "06" / "2602.23231.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\n{id: '2602.23231', title: Bare, listed: 2026-03-06}\n---\n", "utf-8")
    outcome, _ = upsert(tmp_path, Paper(id="2602.23231", title="Bare", listed=dt.date(2026, 3, 6)))
    assert outcome is Outcome.UPDATED
    assert path.read_text(encoding="utf-8").startswith("---\nid: '2602.23231'\ntitle: Bare\n")


def test_alias_to_a_machine_anchor_refuses_the_rewrite(tmp_path):
    """Re-emitting machine fields drops their anchors; the file must not be left broken."""
    path = tmp_path / "2026" / "03" / "06" / "2602.23229.md"
    path.parent.mkdir(parents=True)
    machine = render(BASE).replace("title: ", "title: &t ", 1).removesuffix("---\n")
    text = machine + "annotation:\n  tldr: *t\n---\n"
    path.write_text(text, encoding="utf-8")
    assert read_paper(path).tldr == BASE.title
    with pytest.raises(PaperFileError, match="not rewriting"):
        upsert(tmp_path, BASE.replace(title="A new title"), path)
    assert path.read_text(encoding="utf-8") == text


def test_odd_but_valid_yaml_values_do_not_block_a_fetch(tmp_path):
    path = tmp_path / "2026" / "03" / "06" / "2602.23229.md"
    path.parent.mkdir(parents=True)
    human = "annotation:\n  score: .nan\n  when: 2026-03-09 10:00:00\n  raw: !!binary aGk=\n"
    path.write_text(render(BASE, human, "n\n"), encoding="utf-8")
    outcome, _ = upsert(tmp_path, BASE.replace(upvotes=99), path)
    assert outcome is Outcome.UPDATED
    assert path.read_text(encoding="utf-8").endswith(human + "---\nn\n")


def test_every_writer_refuses_a_file_whose_human_part_it_cannot_keep(tmp_path):
    """An indented front matter is valid YAML; with the machine keys re-emitted at the
    margin the human block would no longer parse, so each writer leaves the file alone."""
    path = paper_path(tmp_path, BASE.id, BASE.listed)
    path.parent.mkdir(parents=True)
    front = dump_machine(BASE) + "review:\r\n  tldr: Indented.\r\n"
    text = "---\n" + "".join(" " + line for line in front.splitlines(keepends=True)) + "---\n"
    path.write_bytes(text.encode("utf-8"))
    assert load_front(split(text, path).front, path)["review"] == {"tldr": "Indented."}
    writers = {
        "fetch": lambda: upsert(tmp_path, BASE.replace(upvotes=11), path),
        "move": lambda: upsert(tmp_path, BASE.replace(listed=dt.date(2026, 3, 5)), path),
        "enrich": lambda: update_machine_fields(path, {"doi": "10.1/x"}),
    }
    for name, write in writers.items():
        with pytest.raises(PaperFileError, match="not rewriting") as caught:
            write()
        assert caught.value.path == path, name
        assert path.read_bytes() == text.encode("utf-8"), name
    with pytest.raises(ValueError, match="add it by hand"):
        add_annotation_block(path, dt.date(2026, 3, 9))
    assert path.read_bytes() == text.encode("utf-8")
    assert [p.name for p in tmp_path.rglob("*.md")] == [path.name]


def test_comments_around_a_hand_written_block_list_stay(tmp_path):
    """A block sequence's end mark is the next key, past the comments between: those
    comments are the contributor's, as are those before the first key and at the end."""
    path = paper_path(tmp_path, BASE.id, BASE.listed)
    path.parent.mkdir(parents=True)
    machine = dump_machine(BASE).replace("ai_keywords: [in-context learning]\n", "")
    human = "# why this paper\nannotation:\n  tldr: Kept.\n"
    text = (
        f"---\n# top of file\n{machine}ai_keywords:\n- in-context learning\n\n"
        f"{human}fetched: 2026-03-07\n# the end\n---\nNotes\n"
    )
    path.write_text(text, encoding="utf-8")

    outcome, _ = upsert(tmp_path, BASE.replace(upvotes=11), path)

    assert outcome is Outcome.UPDATED
    after = path.read_text(encoding="utf-8")
    assert after.endswith(f"# top of file\n\n{human}# the end\n---\nNotes\n")
    assert read_paper(path).upvotes == 11
