"""Import API-shaped items from a JSON file through the same parser and writer as a fetch."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ArchiveError
from generator.sources.items import ItemError, listed_on, parse_item
from generator.store.archive import Outcome, finish_interrupted_moves, index_ids, upsert
from generator.store.paperfile import PaperFileError

log = logging.getLogger(__name__)


class ImportFileError(ArchiveError, ValueError):
    """The file is not a JSON array of items."""


@dataclass
class ImportReport:
    counts: dict[Outcome, int] = field(default_factory=lambda: {o: 0 for o in Outcome})
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def import_file(source: Path, root: Path, *, today: dt.date) -> ImportReport:
    """Items without ``submittedOnDailyAt`` are filed under their arXiv date (DESIGN.md)."""
    try:
        items = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"{source}: cannot read items: {exc}") from None
    if not isinstance(items, list):
        raise ImportFileError(f"{source}: expected a JSON array of Daily Papers items")
    report = ImportReport()
    finish_interrupted_moves(root)
    known = index_ids(root)
    for n, item in enumerate(items, start=1):
        paper_obj = item.get("paper") if isinstance(item, dict) else None
        published = paper_obj.get("publishedAt") if isinstance(paper_obj, dict) else None
        try:
            fallback = dt.date.fromisoformat(str(published)[:10])
        except ValueError:
            fallback = today
        try:
            paper = parse_item(item, fallback_listed=fallback, fetched=today)
        except ItemError as exc:
            message = f"{source}: item {n}: skipped: {exc}"
            log.warning(message)
            report.skipped.append(message)
            continue
        try:
            outcome, path = upsert(
                root, paper, known.get(paper.id), listing_known=listed_on(item) is not None
            )
        except PaperFileError as exc:
            # A file a human broke is left alone; the rest of the import goes on.
            message = f"{source}: item {n}: not written: {exc}"
            log.error(message)
            report.failed.append(message)
            continue
        known[paper.id] = path  # a move to an earlier day changes it
        report.counts[outcome] += 1
    return report
