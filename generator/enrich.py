"""Add arXiv metadata (categories, comment, journal ref, DOI, latest version) to papers/.

Which papers are looked up on a run, in this order:

1. every paper never looked up (neither ``enriched`` nor ``arxiv_unknown``), newest listing
   first: new papers, and papers whose earlier lookup failed (a failure writes nothing, so
   the next run simply retries);
2. papers arXiv did not know at their last lookup (``arxiv_unknown``, newest listing
   first), once their back-off has passed. Daily Papers can list a paper before arXiv
   announces it (announcements skip weekends and holidays; moderation holds last days to
   weeks), so such ids are worth a few more tries, but a wrong or never-announced id must
   not be asked for on every run forever. After a lookup that found nothing, the next one
   waits as many days as the paper had then been listed (at least 1, at most 30), so the
   tries fall on about day 0, 1, 2, 4, 8, 16, 32 and 62 after listing: the common delay of
   one to three days is caught within a day, a long hold within a month of its
   announcement, and a dead id costs eight lookups. Papers listed more than 90 days ago
   are no longer retried: holds that long are rare, and nothing else makes an id appear;
3. then every paper listed in the last ``recheck_days`` days (30 by default) that arXiv
   knows, because authors post new versions, comments ("Accepted at ICLR 2026") and DOIs
   mostly in the weeks after a paper is announced. Older papers are not re-checked.

A file is written only when arXiv's answer differs from what it holds (or it had never
been enriched); ``enriched`` is then set to the run's date, so it means "arXiv data last
changed or first obtained", and an unchanged re-check leaves git with nothing to commit.
An unknown id gets the run's date in ``arxiv_unknown``, which goes away once arXiv knows
the paper; a paper arXiv knew is never marked unknown (a missing answer for it is a
glitch, and the re-check window bounds its retries). ``fetched`` and every human byte stay
as they are.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.config import ARXIV_MIN_INTERVAL, ARXIV_TIMEOUT, RECHECK_DAYS, Paths
from generator.model import Paper
from generator.sources.arxiv import ArxivClient, ArxivRecord, BatchFailure
from generator.store.archive import load_archive, update_machine_fields
from generator.store.lock import archive_lock
from generator.store.paperfile import PaperFileError

log = logging.getLogger(__name__)

UNKNOWN_MAX_WAIT_DAYS = 30  # longest wait between two lookups of an id arXiv did not know
UNKNOWN_GIVE_UP_DAYS = 90  # unknown ids listed longer ago than this are not retried


@dataclass
class EnrichReport:
    enriched: list[str] = field(default_factory=list)  # first arXiv data for these
    refreshed: list[str] = field(default_factory=list)  # re-checked, and arXiv had news
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)  # not in arXiv's answer
    failures: list[BatchFailure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files that could not be rewritten

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.errors)

    def summary(self) -> str:
        parts = [
            f"{len(self.enriched)} enriched",
            f"{len(self.refreshed)} refreshed",
            f"{self.unchanged} unchanged",
        ]
        if self.missing:
            shown = ", ".join(self.missing[:10]) + (", ..." if len(self.missing) > 10 else "")
            parts.append(f"{len(self.missing)} unknown to arXiv ({shown})")
        if self.failures:
            ids = sum(len(f.ids) for f in self.failures)
            reasons = "; ".join(sorted({f.reason for f in self.failures}))
            parts.append(
                f"{len(self.failures)} failed batches"
                f" ({ids} papers left for the next run: {reasons})"
            )
        if self.errors:
            parts.append(f"{len(self.errors)} files not written")
        return "arXiv: " + ", ".join(parts)


def select_papers(
    papers: list[Paper], *, today: dt.date, recheck_days: int = RECHECK_DAYS
) -> list[Paper]:
    """The papers to look up, in lookup order (see the module docstring)."""

    def newest_first(chosen: Iterable[Paper]) -> list[Paper]:
        return sorted(chosen, key=lambda p: (p.listed, p.id), reverse=True)

    unenriched = [p for p in papers if p.enriched is None]
    fresh = newest_first(p for p in unenriched if p.arxiv_unknown is None)
    retry = newest_first(p for p in unenriched if unknown_retry_due(p, today))
    horizon = today - dt.timedelta(days=recheck_days)
    recheck = newest_first(
        p for p in papers if p.enriched is not None and recheck_days > 0 and p.listed > horizon
    )
    return fresh + retry + recheck


def unknown_retry_due(paper: Paper, today: dt.date) -> bool:
    """Whether an id arXiv did not know at its last lookup is due for another one.

    The wait is measured from the listing day, not counted in runs, so a skipped daily run
    neither shortens nor stretches the schedule, and no retry counter has to be stored.
    """
    last = paper.arxiv_unknown
    if last is None or (today - paper.listed).days > UNKNOWN_GIVE_UP_DAYS:
        return False
    wait = min(max((last - paper.listed).days, 1), UNKNOWN_MAX_WAIT_DAYS)
    return today >= last + dt.timedelta(days=wait)


def enrich_archive(
    paths: Paths,
    *,
    api_base: str,
    today: dt.date,
    limit: int | None = None,
    recheck_days: int = RECHECK_DAYS,
    interval: float = ARXIV_MIN_INTERVAL,
    timeout: float = ARXIV_TIMEOUT,
) -> EnrichReport:
    """Look papers up on arXiv and store what it says; never raises for network trouble.

    Holds the archive lock throughout, so a fetch cannot interleave with its writes.
    """
    with archive_lock(paths.root):
        return _enrich(paths, api_base, today, limit, recheck_days, interval, timeout)


def _enrich(
    paths: Paths,
    api_base: str,
    today: dt.date,
    limit: int | None,
    recheck_days: int,
    interval: float,
    timeout: float,
) -> EnrichReport:
    loaded = load_archive(paths.papers)
    chosen = select_papers(loaded.papers, today=today, recheck_days=recheck_days)
    if limit is not None:
        chosen = chosen[:limit]
    report = EnrichReport()
    if not chosen:
        return report
    with ArxivClient(api_base, interval=interval, timeout=timeout) as client:
        result = client.lookup(p.id for p in chosen)
    report.failures = result.failures
    report.missing = result.missing
    missing = set(result.missing)
    for paper in chosen:
        record = result.records.get(paper.id)
        if record is not None:
            _store(paper, record, today, report)
        elif paper.id in missing and paper.enriched is None:
            _write(paper, {"arxiv_unknown": today}, report)
    return report


def record_fields(record: ArxivRecord) -> dict[str, Any]:
    """The machine fields an arXiv record sets; absent values clear the stored ones."""
    return {
        "categories": list(record.categories),
        "primary_category": record.primary_category,
        "arxiv_comment": record.comment,
        "journal_ref": record.journal_ref,
        "doi": record.doi,
        "version": record.version,
        "updated": record.updated,
    }


def _store(paper: Paper, record: ArxivRecord, today: dt.date, report: EnrichReport) -> None:
    fields = {**record_fields(record), "arxiv_unknown": None}
    if paper.enriched is not None and all(
        getattr(paper, key) == value for key, value in fields.items()
    ):
        report.unchanged += 1
        return
    if _write(paper, {**fields, "enriched": today}, report):
        (report.enriched if paper.enriched is None else report.refreshed).append(paper.id)


def _write(paper: Paper, changes: dict[str, Any], report: EnrichReport) -> bool:
    assert paper.path is not None  # papers come from load_archive
    try:
        update_machine_fields(paper.path, changes)
    except PaperFileError as exc:  # its message names the file and line
        problem = str(exc)
    except OSError as exc:
        problem = f"{paper.path}: {exc}"
    else:
        return True
    log.error("%s (not enriched)", problem)
    report.errors.append(problem)
    return False
