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
from generator.model import BOOKKEEPING_KEYS, MACHINE_KEYS, Paper
from generator.store.paperfile import PaperFile, PaperFileError, create, read_paper

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
    """Map each id to its file from file names alone (no parsing): cheap at any size."""
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
    MOVED = "moved"  # to the folder of an earlier listing day than the file had
    UNCHANGED = "unchanged"


def upsert(
    root: Path, paper: Paper, existing: Path | None = None, *, listing_known: bool = True
) -> tuple[Outcome, Path]:
    """Create or refresh a paper's file, keeping every human byte as it is.

    ``existing`` is the file the id already has (from :func:`index_ids`): a paper listed on
    two days lives in the folder of its first listing, with that listing date. Days are
    not always fetched in order (an earlier day may fail and be fetched on a later run),
    so a listing earlier than the file's ``listed`` moves the file there
    (:func:`_move`); the returned path is where the paper lives now. A ``paper.listed``
    that is only a guess (``listing_known=False``: an imported item without its listing
    day, filed under its arXiv date) files a new paper but never moves or redates one.
    """
    path = existing or paper_path(root, paper.id, paper.listed)
    if not path.exists():
        create(path, paper)
        return Outcome.CREATED, path

    stored_file = PaperFile.read(path)
    stored = stored_file.data.get("listed")
    if not listing_known and isinstance(stored, dt.date):
        paper = paper.replace(listed=stored)
    merged = _merge(paper, stored_file.data)
    target = paper_path(root, paper.id, merged.listed)
    if isinstance(stored, dt.date) and merged.listed < stored and target != path:
        _move(root, stored_file, target, merged)
        return Outcome.MOVED, target
    if stored_file.rewrite(merged):
        return Outcome.UPDATED, path
    return Outcome.UNCHANGED, path


def _move(root: Path, stored: PaperFile, target: Path, paper: Paper) -> None:
    """Replace ``stored`` by ``target`` holding ``paper``, such that a crash at any moment
    leaves the paper in at least one whole file, and the next run leaves it in exactly one.

    The new file is written first, durably (its data, and its name in every folder up to
    ``root``), and only then is the old one removed. A crash before the new file's rename
    leaves the old file alone (plus a temp file the next fetch deletes) and the move is
    simply made again when the earlier day is fetched again; a crash between the two steps
    leaves two files with one id, the earlier one a copy of the later with the same human
    bytes, which :func:`finish_interrupted_moves` recognises and completes.
    """
    if target.exists():
        raise PaperFileError(
            stored.path,
            None,
            f"not moving this file to its earlier listing day: {target} already exists "
            "with the same id; keep one of the two by hand",
        )
    stored.rewrite(paper, target)
    for folder in (target.parent, *target.parent.parents):
        _fsync_dir(folder)
        if folder == root:
            break
    _remove_moved(root, stored.path)


def _remove_moved(root: Path, path: Path) -> None:
    """The second step of a move: drop the old file, and its folders if they are empty."""
    path.unlink()
    folder = path.parent
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty
            break
        folder = folder.parent


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def finish_interrupted_moves(root: Path) -> list[Path]:
    """Complete moves a crash cut between their two steps; return the files removed.

    Ids are grouped by file name (one cheap walk, no parsing unless an id has two files).
    For each id with several files, the one in the earliest day folder is kept, and a
    later one is removed only if it is exactly what an interrupted move leaves behind: its
    human regions and body are byte for byte those of the kept file, and its ``listed``
    is later than the kept file's, which matches the kept file's folder. Any other
    duplicate (human bytes that differ, a file that does not parse) may hold something a
    person wrote, so both files stay and a warning names them; ``paper-archive validate``
    reports the pair until someone keeps one. Only the later copy's machine fields are
    lost, and they are older than the kept file's. Safe only while holding the lock.
    """
    files: dict[str, list[Path]] = {}
    for path in iter_paper_paths(root):
        if _folder_day(root, path) is not None:
            files.setdefault(path.stem, []).append(path)
    removed = []
    for group in files.values():
        keep, *others = sorted(group, key=lambda p: _folder_day(root, p))
        for other in others:
            if _is_left_by_a_move(root, other, keep):
                log.info("%s: removing the copy left by an interrupted move to %s", other, keep)
                _remove_moved(root, other)
                removed.append(other)
            else:
                log.warning("%s and %s hold the same id; keep one of them by hand", keep, other)
    return removed


def _is_left_by_a_move(root: Path, old: Path, new: Path) -> bool:
    try:
        old_file, new_file = PaperFile.read(old), PaperFile.read(new)
    except (OSError, PaperFileError):
        return False
    old_listed = old_file.data.get("listed")
    new_listed = new_file.data.get("listed")
    return (
        old_file.human == new_file.human
        and old_file.parts.body == new_file.parts.body
        and isinstance(old_listed, dt.date)
        and new_listed == _folder_day(root, new)
        and isinstance(new_listed, dt.date)
        and new_listed < old_listed
    )


def _folder_day(root: Path, path: Path) -> dt.date | None:
    """The day of a ``YYYY/MM/DD/<id>.md`` path, or None for any other layout."""
    parts = path.relative_to(root).parts
    if len(parts) != 4:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _merge(paper: Paper, old: dict) -> Paper:
    """Fresh machine data, but the earliest listing date, and ``fetched`` moves on change.

    Fields the new data lacks (arXiv enrichment, or a field the API stopped sending) keep
    their stored value, so a thinner response never erases what is known.
    """
    try:
        previous = Paper.from_mapping(old)
    except ValueError:
        previous = None
    if previous is None:
        return paper
    merged = paper.replace(listed=min(previous.listed, paper.listed))
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
    stored = PaperFile.read(path)
    return stored.rewrite(stored.paper().replace(**changes))
