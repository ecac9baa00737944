"""Helpers for tests that build a real site from a temporary archive."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from generator.config import Paths
from generator.model import Paper
from generator.site import urls
from generator.store.paperfile import render

REPO = Path(__file__).resolve().parent.parent
# Papers on list pages (generator/templates/_card.j2 and _rows.j2): a card is an item of a
# .pa-cards list, its title link in its first paragraph; a row is an item of a .pa-rows list,
# its title the item's own link.
CARDS = ".pa-cards > li"
TITLES = ".pa-cards > li > p:first-of-type > a, .pa-rows > li > a"


def make_root(tmp: Path) -> Paths:
    """A throwaway repository root: the real config, theme and hand-written docs, no papers."""
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, tmp / name)
    (tmp / "docs").mkdir()
    for path in (REPO / "docs").iterdir():
        if path.suffix == ".md" and path.name != "index.md":
            shutil.copy(path, tmp / "docs" / path.name)
    (tmp / "generator").symlink_to(REPO / "generator")  # the theme and MkDocs hooks
    (tmp / "papers").mkdir()
    return Paths(tmp)


def write_paper(paths: Paths, paper: Paper, human: str = "", body: str = "") -> Path:
    target = paths.papers / f"{paper.listed:%Y/%m/%d}" / f"{paper.id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(paper, human, body), encoding="utf-8")
    return target


def paper_content(paths: Paths, arxiv_id: str) -> str:
    """The generated content of a paper's page (``docs/``), from the parts the build wrote."""
    return json.loads((paths.docs / urls.paper(arxiv_id).source).read_text("utf-8"))["content"]


def paper(pid: str, day: str, **fields) -> Paper:
    listed = dt.date.fromisoformat(day)
    fields.setdefault("title", f"Paper {pid}")
    fields.setdefault("authors", ["Ada Lovelace", "Alan Turing"])
    fields.setdefault("abstract", "We study reasoning in large language models.")
    fields.setdefault("upvotes", 1)
    return Paper(id=pid, listed=listed, fetched=listed, **fields)


def card_parts(card) -> dict:
    """A card's paragraphs by position, as archive.css styles them: the title, the meta line
    (upvotes first), the text when there is one (else None), the links."""
    lines = card.find_all("p", recursive=False)
    return {
        "title": lines[0],
        "meta": lines[1],
        "text": lines[2] if len(lines) == 4 else None,
        "links": lines[-1],
    }


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page(site: Path, url: str) -> BeautifulSoup:
    return soup(site / url / "index.html")


def resolve(site: Path, page_url: str, href: str) -> Path | None:
    """The file a relative link on ``page_url`` points to, or None for external links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("#", "mailto:")):
        return None
    target = (site / page_url / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target
