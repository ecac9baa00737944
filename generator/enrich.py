"""Add arXiv metadata (categories, comment, journal ref, DOI, latest version) to papers/.

Which papers are looked up on a run:

1. every paper without an ``enriched`` date, newest listing first: new papers, and papers
   whose earlier lookup failed (a failure writes nothing, so the next run simply retries);
2. then every paper listed in the last ``recheck_days`` days (30 by default), because
   authors post new versions, comments ("Accepted at ICLR 2026") and DOIs mostly in the
   weeks after a paper is announced. Older papers are not re-checked.

A file is written only when arXiv's answer differs from what it holds (or it had never
been enriched); ``enriched`` is then set to the run's date, so it means "arXiv data last
changed or first obtained", and an unchanged re-check leaves git with nothing to commit.
``fetched`` and every human byte stay as they are.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from generator.config import Paths
from generator.model import Paper
from generator.sources.arxiv import MIN_INTERVAL, ArxivClient, ArxivRecord, BatchFailure
from generator.store.archive import load_archive, update_machine_fields
from generator.store.lock import archive_lock

log = logging.getLogger(__name__)

RECHECK_DAYS = 30


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
    fresh = sorted(
        (p for p in papers if p.enriched is None), key=lambda p: (p.listed, p.id), reverse=True
    )
    horizon = today - dt.timedelta(days=recheck_days)
    recheck = sorted(
        (p for p in papers if p.enriched is not None and recheck_days > 0 and p.listed > horizon),
        key=lambda p: (p.listed, p.id),
        reverse=True,
    )
    return fresh + recheck


def enrich_archive(
    paths: Paths,
    *,
    api_base: str,
    today: dt.date,
    limit: int | None = None,
    recheck_days: int = RECHECK_DAYS,
    interval: float = MIN_INTERVAL,
    timeout: float = 30.0,
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
    for paper in chosen:
        record = result.records.get(paper.id)
        if record is not None:
            _store(paper, record, today, report)
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
    fields = record_fields(record)
    if paper.enriched is not None and all(
        getattr(paper, key) == value for key, value in fields.items()
    ):
        report.unchanged += 1
        return
    assert paper.path is not None  # papers come from load_archive
    try:
        update_machine_fields(paper.path, {**fields, "enriched": today})
    except (OSError, ValueError) as exc:  # PaperFileError is a ValueError
        log.error("%s: not enriched: %s", paper.path, exc)
        report.errors.append(f"{paper.path}: {exc}")
        return
    (report.enriched if paper.enriched is None else report.refreshed).append(paper.id)
