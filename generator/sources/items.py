"""Turn one Daily Papers API item into a :class:`~generator.model.Paper`.

Every source (the live API, ``--from-file`` dumps, test fixtures) goes through
:func:`parse_item`, so all of them obey the same rules for missing and hostile data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator import ids
from generator.errors import ArchiveError
from generator.model import Paper


class ItemError(ArchiveError, ValueError):
    """An item that cannot become a paper (no id, no title, an id that is not arXiv's)."""


def listed_on(item: Any) -> dt.date | None:
    """The Daily Papers day the item itself says it was listed on, if it says so."""
    paper = item.get("paper") if isinstance(item, dict) else None
    return _date(paper.get("submittedOnDailyAt")) if isinstance(paper, dict) else None


def parse_item(item: Any, *, fallback_listed: dt.date, fetched: dt.date) -> Paper:
    """Parse an API item; fields beyond ``paper.id`` and ``paper.title`` are optional.

    ``fallback_listed`` files an item that lacks ``submittedOnDailyAt`` (older items, or
    dumps from the papers index): the requested day for a fetch, the arXiv date for an import.
    """
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise ItemError("item has no 'paper' object")
    paper = item["paper"]
    raw_id = paper.get("id")
    if raw_id in (None, ""):
        raise ItemError("item has no paper.id")
    try:
        arxiv_id = ids.normalize(raw_id)
    except ids.InvalidArxivId as exc:
        raise ItemError(str(exc)) from None
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        raise ItemError(f"{arxiv_id}: item has no paper.title")

    listed = listed_on(item) or fallback_listed
    org = paper.get("organization") or item.get("organization")
    organization = None
    if isinstance(org, dict) and _text(org.get("name")):
        organization = {"name": _text(org["name"])}
        if _text(org.get("fullname")):
            organization["fullname"] = _text(org["fullname"])
    submitter = paper.get("submittedOnDailyBy") or item.get("submittedBy") or {}
    return Paper(
        id=arxiv_id,
        title=title,
        listed=listed,
        authors=[
            name
            for a in paper.get("authors") or []
            if isinstance(a, dict) and not a.get("hidden") and (name := _text(a.get("name")))
        ],
        abstract=_text(paper.get("summary")) or _text(item.get("summary")),
        published=_date(paper.get("publishedAt")) or _date(item.get("publishedAt")),
        upvotes=_int(paper.get("upvotes")),
        comments=_int(item.get("numComments")),
        organization=organization,
        github=_url(paper.get("githubRepo")),
        github_stars=_int(paper.get("githubStars")),
        project_page=_url(paper.get("projectPage")),
        ai_summary=_text(paper.get("ai_summary")),
        ai_keywords=[k for k in (_text(k) for k in paper.get("ai_keywords") or []) if k],
        thumbnail=_url(item.get("thumbnail")),
        submitted_by=_text(submitter.get("user") or submitter.get("name"))
        if isinstance(submitter, dict)
        else None,
        fetched=fetched,
    )


def _text(value: Any) -> str | None:
    """Collapse whitespace runs: API text carries stray newlines that would churn diffs."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _url(value: Any) -> str | None:
    """Kept only if the site would link it and ``validate`` accept it."""
    return ids.safe_url(_text(value))


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
