"""The ``papers/`` tree as a whole: finding, loading and updating paper files."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from generator import ids
from generator.fsutil import write_atomic, write_if_changed
from generator.model import BOOKKEEPING_KEYS, MACHINE_KEYS, FieldError, Paper
from generator.store.paperfile import (
    PaperFileError,
    human_regions,
    key_line,
    load_front,
    read_paper,
    render,
    split,
)

log = logging.getLogger(__name__)


def paper_path(root: Path, paper_id: str, listed: dt.date) -> Path:
    """Where a paper lives: the folder is its listing day, the name its id (validated)."""
    safe = ids.normalize(paper_id)
    return root / f"{listed:%Y}" / f"{listed:%m}" / f"{listed:%d}" / f"{safe}.md"


def iter_paper_paths(root: Path) -> Iterator[Path]:
    """Every ``YYYY/MM/DD/*.md`` file, in sorted order so every run sees the same sequence."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                yield Path(dirpath) / name


def index_ids(root: Path) -> dict[str, Path]:
    """Map each id to its file from file names alone (no parsing): cheap at 30,000 files."""
    found: dict[str, Path] = {}
    for path in iter_paper_paths(root):
        found.setdefault(path.stem, path)
    return found


@dataclass
class LoadResult:
    papers: list[Paper] = field(default_factory=list)
    errors: list[PaperFileError] = field(default_factory=list)


def load_archive(root: Path, paths: Iterable[Path] | None = None) -> LoadResult:
    """Read every paper file once, collecting all errors instead of stopping at the first."""
    result = LoadResult()
    for path in paths if paths is not None else iter_paper_paths(root):
        try:
            result.papers.append(read_paper(path))
        except PaperFileError as exc:
            result.errors.append(exc)
    return result


class Outcome(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def upsert(root: Path, paper: Paper, existing: Path | None = None) -> tuple[Outcome, Path]:
    """Create or refresh a paper's file, keeping every human byte as it is.

    ``existing`` is the file the id already has (from :func:`index_ids`): a paper listed on
    two days stays in the folder of its first listing, with that listing date.
    """
    path = existing or paper_path(root, paper.id, paper.listed)
    if not path.exists():
        write_if_changed(path, render(paper), durable=True)
        return Outcome.CREATED, path

    # Not read_text(): universal newlines would turn a contributor's CRLF notes into LF.
    text = path.read_bytes().decode("utf-8")
    parts = split(text, path)
    old = load_front(parts.front, path)
    human = human_regions(parts.front, path)
    new_text = render(_merge(paper, old), human, parts.body)
    if new_text == text:
        return Outcome.UNCHANGED, path
    _check_rewrite(path, old, new_text)
    write_atomic(path, new_text, durable=True)
    return Outcome.UPDATED, path


def _check_rewrite(path: Path, old: dict, new_text: str) -> None:
    """Refuse a rewrite that would change what the human part means.

    It can only happen with YAML that ties human keys to machine ones (an alias in the
    annotation to an anchor on a machine value); the file is then left as it is.
    """
    try:
        new = load_front(split(new_text, path).front, path)
    except PaperFileError as exc:
        new = {"": exc}
    if any(new.get(k) != v for k, v in old.items() if k not in MACHINE_KEYS) or any(
        k not in old for k in new if k not in MACHINE_KEYS
    ):
        raise PaperFileError(
            path,
            None,
            "not rewriting: the annotation would change (does it use a YAML alias to a "
            "machine field?); fix the file by hand",
        )


def _merge(paper: Paper, old: dict) -> Paper:
    """Fresh machine data, but the first listing date, and ``fetched`` only moves on change.

    Fields the new data lacks (arXiv enrichment, or a field the API stopped sending) keep
    their stored value, so a thinner response never erases what is known.
    """
    try:
        previous = Paper.from_mapping(old)
    except ValueError:
        previous = None
    if previous is None:
        return paper
    merged = paper.replace(listed=previous.listed)
    for name, value in previous.machine_dict().items():
        if getattr(merged, name) in (None, [], {}):
            setattr(merged, name, value)
    same = {k: v for k, v in merged.machine_dict().items() if k not in BOOKKEEPING_KEYS} == {
        k: v for k, v in previous.machine_dict().items() if k not in BOOKKEEPING_KEYS
    }
    if same:
        merged.fetched = previous.fetched
        merged.enriched = previous.enriched
    return merged


def update_machine_fields(path: Path, changes: dict[str, Any]) -> bool:
    """Set some machine fields of an existing paper file; return whether the file changed.

    For sources that add to a paper rather than describe it anew (arXiv enrichment): the
    other machine fields, ``fetched`` included, and every human byte stay as they are.
    """
    unknown = set(changes) - set(MACHINE_KEYS)
    if unknown:
        raise ValueError(f"not machine fields: {', '.join(sorted(unknown))}")
    text = path.read_text(encoding="utf-8")
    parts = split(text, path)
    front = load_front(parts.front, path)
    human = human_regions(parts.front, path)
    try:
        paper = Paper.from_mapping(front)
    except FieldError as exc:
        raise PaperFileError(path, key_line(parts.front, exc.key), str(exc)) from None
    return write_if_changed(path, render(paper.replace(**changes), human, parts.body), durable=True)
