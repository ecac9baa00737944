"""BibTeX output is read back with bibtexparser (v2) and its LaTeX decoded with pylatexenc,
so every check compares what a reference manager would see with the paper's own data."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import bibtexparser
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.names import NameParts
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from generator.model import Paper
from generator.site import bibtex
from generator.sources.items import parse_item

DATA = Path(__file__).parent / "data"
PARTS = ("first", "von", "last", "jr")

# pylatexenc's defaults lack the text-mode brace and circumflex macros (LaTeX has them).
_context = get_default_latex_context_db()
_context.add_context_category(
    "text-symbols",
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
    ],
    prepend=True,
)
DECODER = LatexNodes2Text(latex_context=_context, keep_braced_groups=False)


def bib_file(papers, keys) -> str:
    """A .bib file the way the build writes one (see generator/site/outputs.py)."""
    return bibtex.join_entries(bibtex.render_entry(p, keys[p.id]) for p in papers)


def seed_papers() -> list[Paper]:
    items = json.loads((DATA / "seed_papers.json").read_text(encoding="utf-8"))
    return [
        parse_item(item, fallback_listed=dt.date(2026, 1, 1), fetched=dt.date(2026, 1, 2))
        for item in items
    ]


def parse(text: str, *, names: bool = False):
    # Names are split before decoding, as BibTeX does: "{and}" must not split a name.
    middleware = [SeparateCoAuthors(), SplitNameParts()] if names else []
    middleware.append(LatexDecodingMiddleware(decoder=DECODER))
    library = bibtexparser.parse_string(text, append_middleware=middleware)
    assert library.failed_blocks == []
    return library


def authors_of(entry) -> list[str]:
    return [a.strip() for a in entry["author"].split(" and ")]


def paper(**overrides) -> Paper:
    fields = {
        "id": "2603.01234",
        "title": "A Paper",
        "listed": dt.date(2026, 3, 6),
        "authors": ["Ada Lovelace"],
        "published": dt.date(2026, 3, 2),
    }
    fields.update(overrides)
    return Paper(**fields)


def test_seed_archive_round_trips_through_bibtexparser():
    papers = seed_papers()
    keys = bibtex.citation_keys(papers)
    library = parse(bib_file(papers, keys))

    assert len(library.entries) == len(papers)
    assert len({e.key for e in library.entries}) == len(papers)
    for p, entry in zip(papers, library.entries, strict=True):
        assert entry.key == keys[p.id]
        assert re.fullmatch(r"[a-z0-9]+", entry.key)
        assert entry.entry_type == "misc"
        assert entry["title"] == p.title
        assert authors_of(entry) == p.authors
        assert entry["year"] == str(p.published.year)
        assert entry["eprint"] == p.id
        assert entry["archivePrefix"] == "arXiv"
        assert entry["url"] == f"https://arxiv.org/abs/{p.id}"
        assert "primaryClass" not in entry.fields_dict
        assert "doi" not in entry.fields_dict


def test_key_is_last_name_year_and_first_significant_title_word():
    papers = seed_papers()
    keys = bibtex.citation_keys(papers)
    lead = next(p for p in papers if p.id == "2505.07437")
    assert keys[lead.id] == "lin2025lead"
    p = paper(title="On the Dangers of Stochastic Parrots", authors=["Emily M. Bender"])
    assert bibtex.base_key(p) == "bender2026dangers"
    p = paper(published=None, listed=dt.date(2024, 12, 31))
    assert bibtex.base_key(p) == "lovelace2024paper"


def test_primary_class_and_doi_when_known():
    p = paper(primary_category="cs.CL", doi="10.18653/v1/2023.acl-long.1")
    entry = parse(bibtex.render_entry(p, "k")).entries[0]
    assert entry["primaryClass"] == "cs.CL"
    assert entry["doi"] == "10.18653/v1/2023.acl-long.1"
    # A DOI that could break out of its field is left out rather than mangled.
    hostile = paper(doi="10.1000/x}, note={pwned")
    entry = parse(bibtex.render_entry(hostile, "k")).entries[0]
    assert "doi" not in entry.fields_dict
    assert "note" not in entry.fields_dict


HOSTILE_TITLES = [
    "Braces {LLMs} and unbalanced { open",
    "Unbalanced close } here",
    r"Back\slash \textbf{bold} \\ end",
    "100% of $x_1$ costs $5 & #1 ~ ^ _",
    "<script>alert(1)</script> {{ x }} {% raw %}",
    "Ünïcödé — 日本語 — naïve café",
    "title = {x}, author = {y}",
    "@misc{inject, title={x}}",
]


def test_hostile_titles_decode_to_the_literal_text():
    papers = [paper(id=f"2603.{20000 + i}", title=t) for i, t in enumerate(HOSTILE_TITLES)]
    text = bib_file(papers, bibtex.citation_keys(papers))
    # BibTeX itself counts every brace, backslash or not (bibtexparser is more lenient).
    for line in text.splitlines():
        if line.startswith("  title = "):
            depth = 0
            for ch in line:
                depth += {"{": 1, "}": -1}.get(ch, 0)
                assert depth >= 0, line
            assert depth == 0, line
    library = parse(text)
    assert len(library.entries) == len(papers)
    assert [e["title"] for e in library.entries] == HOSTILE_TITLES
    for entry in library.entries:
        assert set(entry.fields_dict) == {
            "title", "author", "year", "eprint", "archivePrefix", "url"
        }  # fmt: skip


def test_capitals_are_brace_protected_word_by_word():
    p = paper(title="Scaling LLMs with GPT-4o and 3D Gaussian Splatting on iPhone")
    raw = bibtex.render_entry(p, "k")
    assert "title = {Scaling {LLMs} with {GPT-4o} and {3D} Gaussian Splatting on {iPhone}}" in raw
    # The undecoded value keeps the protecting braces.
    raw_entry = bibtexparser.parse_string(raw).entries[0]
    assert raw_entry["title"].count("{") == 4


def test_control_characters_in_titles_do_not_break_the_entry():
    p = paper(title="line\nbreak\ttab\x00null\x1b esc")
    entry = parse(bibtex.render_entry(p, "k")).entries[0]
    assert entry["title"] == "line break tab null esc"


def test_names_with_particles_accents_suffixes_and_single_words():
    authors = [
        "Ludwig van Beethoven",
        "José García-López",
        "Plato",
        "John Smith Jr.",
        "Martin Luther King III",
        "Tom and Jerry",
        "Anil Kumar V",
        "R&D Team_1 100%",
        "Søren Kierkegaard",
    ]
    p = paper(authors=authors, title="Names")
    library = parse(bibtex.render_entry(p, "k"), names=True)
    # The decoding middleware skips lists of names, so decode the parts here.
    parts = [
        NameParts(**{k: [DECODER.latex_to_text(w) for w in getattr(n, k)] for k in PARTS})
        for n in library.entries[0]["author"]
    ]
    assert len(parts) == len(authors)
    ludwig, jose, plato, smith, king, tom, anil, team, soren = parts
    assert (ludwig.first, ludwig.von, ludwig.last, ludwig.jr) == (
        ["Ludwig"], ["van"], ["Beethoven"], []
    )  # fmt: skip
    assert (jose.first, jose.last) == (["José"], ["García-López"])
    assert (plato.first, plato.last) == ([], ["Plato"])
    assert (smith.first, smith.last, smith.jr) == (["John"], ["Smith"], ["Jr."])
    assert (king.first, king.last, king.jr) == (["Martin", "Luther"], ["King"], ["III"])
    assert (tom.first, tom.last) == (["Tom", "and"], ["Jerry"])
    assert (anil.first, anil.last, anil.jr) == (["Anil", "Kumar"], ["V"], [])
    assert (team.first, team.last) == (["R&D", "Team_1"], ["100%"])
    assert (soren.first, soren.last) == (["Søren"], ["Kierkegaard"])


def test_author_order_is_the_papers_order():
    authors = ["Zoe Zeta", "Adam Alpha", "Mia Mu"]
    entry = parse(bibtex.render_entry(paper(authors=authors), "k")).entries[0]
    assert authors_of(entry) == authors


def test_keys_are_ascii_even_for_accented_and_non_latin_names():
    cases = {
        "Ångström Ørsted": "orsted",
        "José García-López": "garcialopez",
        "Ludwig van Beethoven": "beethoven",
        "John Smith Jr.": "smith",
        "张伟": "anon",
        "Łukasz Straße": "strasse",
    }
    for name, last in cases.items():
        key = bibtex.base_key(paper(authors=[name], title="Über große Modelle"))
        assert key == f"{last}2026uber", name
    assert bibtex.base_key(paper(authors=[], title="大模型")) == "anon2026"


def test_colliding_keys_get_letters_in_id_order_whatever_the_input_order():
    same = [
        paper(id=i, title="Deep Nets", authors=["Ann Smith"])
        for i in ("2601.00003", "2601.00001", "2601.00002", "2512.99999")
    ]
    # A paper whose own key looks like a suffixed one must not be taken over.
    lookalike = paper(id="2601.00009", title="Deepb Nets", authors=["Ann Smith"])
    papers = [*same, lookalike, *seed_papers()]
    expected = bibtex.citation_keys(papers)
    for seed in range(5):
        shuffled = papers[:]
        random.Random(seed).shuffle(shuffled)
        assert bibtex.citation_keys(shuffled) == expected
    assert expected["2512.99999"] == "smith2026deep"
    assert expected["2601.00001"] == "smith2026deepc"
    assert expected["2601.00002"] == "smith2026deepd"
    assert expected["2601.00003"] == "smith2026deepe"
    assert expected["2601.00009"] == "smith2026deepb"
    assert len(set(expected.values())) == len(papers)
    library = parse(bib_file(papers, expected))
    assert len({e.key for e in library.entries}) == len(papers)


def test_a_paper_given_twice_keeps_its_plain_key():
    p = paper(title="Twice")
    assert bibtex.citation_keys([p, p.replace()]) == {p.id: "lovelace2026twice"}


def test_many_collisions_stay_unique():
    papers = [paper(id=f"2601.{i:05d}", title="Same") for i in range(60)]
    keys = bibtex.citation_keys(papers)
    assert len(set(keys.values())) == 60
    assert keys["2601.00000"] == "lovelace2026same"
    assert keys["2601.00026"] == "lovelace2026sameba"


def test_rendering_is_deterministic():
    papers = seed_papers()
    first = bib_file(papers, bibtex.citation_keys(papers))
    again = bib_file([p.replace() for p in papers], bibtex.citation_keys(list(reversed(papers))))
    assert first == again
