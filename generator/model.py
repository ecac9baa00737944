"""The paper record: one Daily Papers entry plus the human annotation kept beside it.

Machine fields are written by ``fetch`` only; ``annotation`` and ``notes`` by humans only.
The order of ``MACHINE_FIELDS`` is the order of keys in every paper file, so that
files are byte-identical for identical data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import ids
from generator.errors import ArchiveError

# A code repository named in an abstract: owner/name on a code host, path optional; the
# closing punctuation of the sentence (or of a LaTeX \url{...}) is not part of it.
_CODE_HOSTS = ("github.com", "gitlab.com", "huggingface.co")
_CODE_IN_TEXT = re.compile(
    r"https?://(?:www\.)?(?P<host>github\.com|gitlab\.com|huggingface\.co)"
    r"/(?!papers/)[\w.-]+/[\w.-]+(?:/[^\s<>\"'{}\\]*)?"
)


# (name, type) in file order. ``list`` means a list of strings.
MACHINE_FIELDS: tuple[tuple[str, type], ...] = (
    ("id", str),
    ("title", str),
    ("authors", list),
    ("abstract", str),
    ("published", dt.date),
    ("listed", dt.date),
    ("upvotes", int),
    ("comments", int),
    ("organization", dict),
    ("github", str),
    ("github_stars", int),
    ("project_page", str),
    ("ai_summary", str),
    ("ai_keywords", list),
    ("thumbnail", str),
    ("submitted_by", str),
    # arXiv enrichment
    ("categories", list),
    ("primary_category", str),
    ("arxiv_comment", str),
    ("journal_ref", str),
    ("doi", str),
    ("version", int),
    ("updated", dt.date),
    ("enriched", dt.date),
    ("arxiv_unknown", dt.date),
    ("fetched", dt.date),
)
MACHINE_KEYS = tuple(name for name, _ in MACHINE_FIELDS)
REQUIRED_KEYS = ("id", "title", "listed")
# Fields whose change is bookkeeping, not news: they never bump ``fetched``.
BOOKKEEPING_KEYS = ("fetched", "enriched", "arxiv_unknown")


class FieldError(ArchiveError, ValueError):
    """A machine field has the wrong type or a required one is missing."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass
class Paper:
    id: str
    title: str
    listed: dt.date
    authors: list[str] = field(default_factory=list)
    abstract: str | None = None
    published: dt.date | None = None
    upvotes: int | None = None
    comments: int | None = None
    organization: dict[str, str] | None = None
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] = field(default_factory=list)
    thumbnail: str | None = None
    submitted_by: str | None = None
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    version: int | None = None
    updated: dt.date | None = None
    enriched: dt.date | None = None
    arxiv_unknown: dt.date | None = None  # last lookup arXiv answered without this id
    fetched: dt.date | None = None
    # Human-owned, never written by fetch.
    annotation: dict[str, Any] | None = None
    notes: str = ""
    path: Path | None = None

    # -- derived, used by the site --------------------------------------------------
    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.id}"

    @property
    def code_in_abstract(self) -> str | None:
        """The abstract's link to the paper's code, for a paper the API gave none: the first
        GitHub link, else GitLab, else Hugging Face (not a paper page)."""
        if ids.safe_url(self.github):
            return None
        found = {}
        for match in _CODE_IN_TEXT.finditer(self.abstract or ""):
            found.setdefault(match["host"], match[0].rstrip(".,;:)]"))
        return next((ids.safe_url(found[host]) for host in _CODE_HOSTS if host in found), None)

    @property
    def tldr(self) -> str | None:
        value = (self.annotation or {}).get("tldr")
        return value if isinstance(value, str) and value.strip() else None

    # The annotation as the site shows it. A file with invalid values fails ``validate`` in
    # the pull request, but one pushed directly still builds: what cannot be shown safely is
    # left out, and does not count towards ``is_annotated``.

    @property
    def status(self) -> str | None:
        value = (self.annotation or {}).get("status")
        return value.strip() if isinstance(value, str) and value.strip() else None

    @property
    def tags(self) -> list[str]:
        """Tags that can safely become a URL, sorted."""
        tags = (self.annotation or {}).get("tags")
        if not isinstance(tags, list):
            return []
        return sorted({t for t in tags if isinstance(t, str) and ids.SLUG.fullmatch(t)})

    @property
    def links(self) -> list[dict[str, str]]:
        """``{title, url}`` for each link with an http(s) URL; the URL stands in for a title."""
        links = (self.annotation or {}).get("links")
        return [
            {"title": str(link.get("title") or link["url"]), "url": link["url"]}
            for link in (links if isinstance(links, list) else [])
            if isinstance(link, dict) and ids.safe_url(link.get("url"))
        ]

    @property
    def contributors(self) -> list[str]:
        handles = (self.annotation or {}).get("contributors")
        return [
            c for c in (handles if isinstance(handles, list) else []) if ids.is_github_handle(c)
        ]

    @property
    def is_annotated(self) -> bool:
        """A paper counts as annotated once a human wrote a TL;DR, tags, status, links or
        notes that the site can show."""
        return bool(self.tldr or self.status or self.tags or self.links or self.notes.strip())

    def machine_dict(self) -> dict[str, Any]:
        """Machine fields in file order, leaving out what is unknown."""
        out: dict[str, Any] = {}
        for name in MACHINE_KEYS:
            value = getattr(self, name)
            if value is None or value == [] or value == {}:
                continue
            out[name] = value
        return out

    @classmethod
    def from_mapping(
        cls, data: dict[str, Any], annotation: dict[str, Any] | None = None, notes: str = ""
    ) -> Paper:
        """Build a paper from parsed front matter, checking every machine field's type."""
        for key in REQUIRED_KEYS:
            if data.get(key) in (None, ""):
                raise FieldError(key, "required field is missing")
        kwargs: dict[str, Any] = {}
        for name, kind in MACHINE_FIELDS:
            if name not in data or data[name] is None:
                continue
            kwargs[name] = _check(name, data[name], kind)
        if "organization" in kwargs and "name" not in kwargs["organization"]:
            raise FieldError("organization", "needs a 'name'")
        try:
            kwargs["id"] = ids.normalize(kwargs["id"])
        except ids.InvalidArxivId as exc:
            raise FieldError("id", str(exc)) from None
        return cls(**kwargs, annotation=annotation, notes=notes)

    def replace(self, **changes: Any) -> Paper:
        return dataclasses.replace(self, **changes)


def _check(name: str, value: Any, kind: type) -> Any:
    if kind is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise FieldError(name, f"expected a date YYYY-MM-DD, got {value!r}")
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(name, f"expected a whole number, got {value!r}")
        return value
    if kind is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name == "id":
            raise FieldError(name, f"quote the id so YAML keeps it a string: '{value}'")
        if not isinstance(value, str):
            raise FieldError(name, f"expected text, got {type(value).__name__}")
        return value
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FieldError(name, "expected a list of text items")
        return list(value)
    if kind is dict:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise FieldError(name, "expected a mapping of text to text")
        return dict(value)
    raise AssertionError(kind)  # pragma: no cover
