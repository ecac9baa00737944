"""Files the project writes get the mode a plain ``open()`` gives; rewritten ones keep theirs.

A temp file from ``mkstemp`` is 0600, and renaming it over the target made every paper
file, the status file and every generated page private to whoever ran the command. The
tests set a umask of 002 (not the usual 022, so that a hard-coded 0644 would fail too)
and go through the real fetch (against the local API server) and the real build.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_server import make_item
from fetch_helpers import FAST

from generator.build import generate
from generator.config import Paths
from generator.fetch import fetch_range
from generator.site import urls
from generator.store.archive import iter_paper_paths, update_machine_fields
from generator.store.paperfile import read_paper
from generator.store.status import status_path

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 20)
D1, D2 = dt.date(2026, 3, 4), dt.date(2026, 3, 5)
UMASK = 0o002
NEW = 0o666 & ~UMASK  # what open(path, "w") gives under that umask


@pytest.fixture(autouse=True)
def umask() -> Iterator[None]:
    old = os.umask(UMASK)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fetch_creates_files_with_the_umask_mode_and_rewrites_keep_theirs(
    archive: Paths, api
) -> None:
    server = api(
        days={
            D1.isoformat(): [make_item("2603.20001", D1, 1)],
            D2.isoformat(): [make_item("2603.20002", D2, 2)],
        }
    )
    fetch_range(archive, D2, D2, api_base=server.url, settings=FAST, today=TODAY)
    (moving,) = iter_paper_paths(archive.papers)
    status = status_path(archive)
    assert (mode(moving), mode(status)) == (NEW, NEW)

    # A listing on the day before moves the file; the new day brings a new one.
    moving.chmod(0o640)
    status.chmod(0o600)
    server.days[D1.isoformat()].append(make_item("2603.20002", D1, 2))
    fetch_range(archive, D1, D1, api_base=server.url, settings=FAST, today=TODAY)
    moved = archive.papers / "2026/03/04/2603.20002.md"
    new = archive.papers / "2026/03/04/2603.20001.md"
    assert not moving.exists() and read_paper(moved).listed == D1
    assert (mode(moved), mode(new), mode(status)) == (0o640, NEW, 0o600)

    # A changed item rewrites the file in place.
    new.chmod(0o604)
    server.days[D1.isoformat()][0]["paper"]["upvotes"] = 999
    later = TODAY + dt.timedelta(days=1)
    fetch_range(archive, D1, D1, api_base=server.url, settings=FAST, today=later, refresh=True)
    assert read_paper(new).upvotes == 999
    assert mode(new) == 0o604


def test_build_writes_pages_with_the_umask_mode_and_rewrites_keep_theirs(
    tmp_path: Path,
) -> None:
    for name in ("papers", "topics.yml", "mkdocs.yml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    paths = Paths(tmp_path)
    (paths.docs / "assets").mkdir(parents=True)  # hand-written files are not ours to set

    generate(paths)
    generated = [p for p in paths.docs.rglob("*") if p.is_file()]
    assert any(p.suffix == ".gz" for p in generated) and len(generated) > 50
    assert {mode(p) for p in generated} == {NEW}

    paper = next(iter_paper_paths(paths.papers))
    page = paths.docs / urls.paper(paper.stem).source
    export = paths.docs / "data" / f"papers-{read_paper(paper).listed.year}.jsonl.gz"
    before = page.read_bytes(), export.read_bytes()
    page.chmod(0o600)
    export.chmod(0o640)
    update_machine_fields(paper, {"upvotes": 12345})
    generate(paths)
    assert (page.read_bytes(), export.read_bytes()) != before
    assert b"12345" in page.read_bytes()
    assert (mode(page), mode(export)) == (0o600, 0o640)
