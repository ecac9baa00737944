"""A polite client for the arXiv API's ``query?id_list=`` lookup (Atom).

arXiv asks for at most one request every three seconds over a single connection, so the
client sends batches strictly one after another through one pooled connection and waits
``interval`` seconds after each response before the next request. A batch that fails
(timeout, a response still arriving at its ``deadline``, HTTP error, unreadable feed) is
reported in the result, never raised: its papers simply stay unenriched until the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import httpx

from generator import ids
from generator.config import ARXIV_DEADLINE, ARXIV_MIN_INTERVAL, ARXIV_TIMEOUT, DEFAULT_ARXIV_API
from generator.errors import ArchiveError
from generator.sources.deadline import DeadlineExceeded, get_within

log = logging.getLogger(__name__)

MAX_BATCH = 100  # ids per request

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
}
# The entry id is the abstract URL of the latest version: http://arxiv.org/abs/2602.23229v3
_ENTRY_ID = re.compile(r"https?://arxiv\.org/abs/(?P<id>.+)v(?P<version>[1-9]\d*)")
# arXiv categories (cs.CV, hep-th, q-bio.NC, physics.comp-ph). The feed's category list
# also carries MSC ("68T07") and ACM ("I.2.7") classes, which are not arXiv categories.
_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?")


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says about the latest version of one paper."""

    id: str  # without version
    version: int
    updated: dt.date | None  # date of the latest version
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None


@dataclass(frozen=True)
class BatchFailure:
    ids: tuple[str, ...]
    reason: str


@dataclass
class LookupResult:
    records: dict[str, ArxivRecord] = field(default_factory=dict)
    failures: list[BatchFailure] = field(default_factory=list)
    # Asked for, in a batch that succeeded, but absent from the answer (unknown to arXiv).
    missing: list[str] = field(default_factory=list)


class FeedError(ArchiveError, ValueError):
    """A response that is not a readable arXiv Atom feed."""


class ArxivClient:
    """Look up papers by id in batches, one request at a time, ``interval`` seconds apart."""

    def __init__(
        self,
        api_base: str = DEFAULT_ARXIV_API,
        *,
        interval: float = ARXIV_MIN_INTERVAL,
        timeout: float = ARXIV_TIMEOUT,
        deadline: float = ARXIV_DEADLINE,
        batch_size: int = MAX_BATCH,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
        self._url = api_base.rstrip("/") + "/query"
        self._interval = interval
        self._deadline = deadline
        self._batch_size = batch_size
        self._last_done: float | None = None
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={"User-Agent": "paper-archive (arXiv metadata enrichment)"},
            follow_redirects=True,
        )

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def lookup(self, paper_ids: Iterable[str]) -> LookupResult:
        """Fetch the latest metadata of every id; ids are sent without their version."""
        wanted = list(dict.fromkeys(ids.normalize(i) for i in paper_ids))
        result = LookupResult()
        for start in range(0, len(wanted), self._batch_size):
            batch = tuple(wanted[start : start + self._batch_size])
            try:
                records = self._fetch_batch(batch)
            except (httpx.HTTPError, FeedError) as exc:
                reason = _describe(exc)
                log.warning(
                    "arXiv batch of %d ids (%s ... %s) failed: %s",
                    len(batch),
                    batch[0],
                    batch[-1],
                    reason,
                )
                result.failures.append(BatchFailure(batch, reason))
                continue
            for paper_id in batch:
                if paper_id in records:
                    result.records[paper_id] = records[paper_id]
                else:
                    result.missing.append(paper_id)
        return result

    def _fetch_batch(self, batch: Sequence[str]) -> dict[str, ArxivRecord]:
        self._wait_turn()
        try:
            response, body = get_within(
                self._http,
                self._url,
                self._deadline,
                params={"id_list": ",".join(batch), "start": 0, "max_results": len(batch)},
            )
            response.raise_for_status()
        finally:
            self._last_done = time.monotonic()
        return {r.id: r for r in parse_feed(body)}

    def _wait_turn(self) -> None:
        if self._last_done is None:
            return
        remaining = self._last_done + self._interval - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)


def _describe(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} from {exc.request.url.copy_with(query=None)}"
    if isinstance(exc, DeadlineExceeded):
        return f"timed out: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def parse_feed(body: bytes) -> list[ArxivRecord]:
    """Records of an arXiv Atom feed; error entries and unreadable entries are skipped."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FeedError(f"response is not XML: {exc}") from None
    if root.tag != f"{{{_NS['atom']}}}feed":
        raise FeedError(f"response is not an Atom feed (root element {root.tag!r})")
    entries = root.findall("atom:entry", _NS)
    if not entries:
        # A lookup by id always answers with an entry per id, or an error entry; an empty
        # feed is arXiv under load, so the batch counts as failed and is retried.
        raise FeedError("arXiv answered with an empty feed")
    records = []
    for entry in entries:
        record = _parse_entry(entry)
        if record is not None:
            records.append(record)
    return records


def _parse_entry(entry: ET.Element) -> ArxivRecord | None:
    raw_id = _text(entry, "atom:id") or ""
    match = _ENTRY_ID.fullmatch(raw_id)
    if match is None:
        # Errors come back as an entry whose id is http://arxiv.org/api/errors#...
        log.warning("arXiv: skipping entry %r: %s", raw_id, _text(entry, "atom:summary"))
        return None
    try:
        paper_id = ids.normalize(match.group("id"))
    except ids.InvalidArxivId as exc:
        log.warning("arXiv: skipping entry %r: %s", raw_id, exc)
        return None
    primary = entry.find("arxiv:primary_category", _NS)
    primary_term = primary.get("term") if primary is not None else None
    terms = [c.get("term") or "" for c in entry.findall("atom:category", _NS)]
    categories = [t for t in dict.fromkeys(terms) if _CATEGORY.fullmatch(t)]
    if primary_term and primary_term not in categories and _CATEGORY.fullmatch(primary_term):
        categories.insert(0, primary_term)
    return ArxivRecord(
        id=paper_id,
        version=int(match.group("version")),
        updated=_date(_text(entry, "atom:updated")),
        categories=tuple(categories),
        primary_category=primary_term if primary_term in categories else None,
        comment=_text(entry, "arxiv:comment"),
        journal_ref=_text(entry, "arxiv:journal_ref"),
        doi=_text(entry, "arxiv:doi"),
    )


def _text(entry: ET.Element, path: str) -> str | None:
    """Element text with arXiv's hard line wrapping folded back into single spaces."""
    node = entry.find(path, _NS)
    if node is None or node.text is None:
        return None
    text = " ".join(node.text.split())
    return text or None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return stamp.date()
