"""First listing wins even when days are fetched out of order: a paper whose earlier listing
day is fetched after a later one moves to the earlier day's folder, keeping every human
byte, and a run killed half-way through that move is repaired by the next run. Against the
real Daily Papers test server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from api_server import make_item
from click.testing import CliRunner
from fetch_helpers import FAST, tree

from generator.cli import cli
from generator.config import Paths
from generator.fetch import fetch_range
from generator.importer import import_file
from generator.sources.items import parse_item
from generator.store.archive import Outcome, finish_interrupted_moves, paper_path
from generator.store.paperfile import human_regions, read_paper, render, split
from generator.store.status import DayState, load_status

TODAY = dt.date(2026, 3, 10)
DAY_A = dt.date(2026, 3, 2)  # the first listing
DAY_B = dt.date(2026, 3, 4)  # listed again
PAPER = "2602.23229"
OTHER = "2603.00042"
# No retry, so the day the server breaks fails at once; but a read timeout long enough for a
# loaded machine (FAST's 0.2 s, with no retry, once failed a day the server did answer).
SETTINGS = dataclasses.replace(FAST, retries=0, timeout=5)

HUMAN = """\
# kept as written ✓
annotation:
  tldr: "Listed twice — annotated once"
  tags: [listing, order]   # a comment\r
"""
NOTES = "\nCRLF notes\r\nand a fake front matter line:\n---\nlisted: 2026-03-04\n---\n"


def _days() -> dict:
    return {
        f"{DAY_A}": [make_item(PAPER, DAY_A, 1)],
        f"{DAY_B}": [make_item(PAPER, DAY_B, 1, upvotes=99), make_item(OTHER, DAY_B, 2)],
    }


def _fetch(paths: Paths, server, first: dt.date, last: dt.date):
    return fetch_range(
        paths, first, last, api_base=server.url, today=TODAY, settings=SETTINGS, refresh=True
    )


def _annotate(path: Path) -> None:
    """What a contributor's pull request does to a paper file."""
    path.write_bytes(render(read_paper(path), HUMAN, NOTES).encode("utf-8"))


def _human(path: Path) -> tuple[str, str]:
    parts = split(path.read_bytes().decode("utf-8"), path)
    return human_regions(parts.front, path), parts.body


def _files_of(paths: Paths, paper_id: str) -> list[Path]:
    return sorted(paths.papers.rglob(f"{paper_id}.md"))


def _validate(paths: Paths):
    # validate, like build, needs the taxonomy: the project's own.
    if not paths.topics.exists():
        shutil.copyfile(Path(__file__).parent.parent / "topics.yml", paths.topics)
    return CliRunner().invoke(cli, ["--root", str(paths.root), "validate"])


def _later_day_first(paths: Paths, api) -> Path:
    """Day A fails, day B succeeds: the paper is filed under B, then annotated there."""
    server = api(days=_days(), broken={f"{DAY_A}": "500"})
    report = _fetch(paths, server, DAY_A, DAY_B)
    assert list(report.failed) == [DAY_A]
    [later] = _files_of(paths, PAPER)
    assert later == paper_path(paths.papers, PAPER, DAY_B)
    _annotate(later)
    return later


def test_an_earlier_listing_fetched_later_moves_the_file_and_keeps_human_bytes(tmp_path, api):
    paths = Paths(tmp_path)
    later = _later_day_first(paths, api)
    human = _human(later)
    assert HUMAN in human[0]  # the check below compares something that was really there

    server = api(days=_days())
    report = _fetch(paths, server, DAY_A, DAY_B)

    assert not report.failed and report.counts[Outcome.MOVED] == 1
    earlier = paper_path(paths.papers, PAPER, DAY_A)
    assert _files_of(paths, PAPER) == [earlier]
    assert not later.parent.joinpath(f"{PAPER}.md").exists()
    paper = read_paper(earlier)
    assert paper.listed == DAY_A
    assert paper.upvotes == 99  # day B's fresher data, written after the move
    assert _human(earlier) == human
    assert paper.annotation["tldr"] == "Listed twice — annotated once"
    assert read_paper(paper_path(paths.papers, OTHER, DAY_B)).listed == DAY_B
    assert all(s.done for s in load_status(paths).values())
    result = _validate(paths)
    assert result.exit_code == 0 and "no errors" in result.output, result.output

    again = tree(paths.papers)
    _fetch(paths, server, DAY_A, DAY_B)
    assert tree(paths.papers) == again  # settled: a re-run changes no byte


def test_the_usual_order_is_unchanged(tmp_path, api):
    paths = Paths(tmp_path)
    server = api(days=_days())
    _fetch(paths, server, DAY_A, DAY_A)
    earlier = paper_path(paths.papers, PAPER, DAY_A)
    _annotate(earlier)
    human = _human(earlier)

    report = _fetch(paths, server, DAY_B, DAY_B)

    assert report.counts[Outcome.MOVED] == 0
    assert _files_of(paths, PAPER) == [earlier]
    assert read_paper(earlier).listed == DAY_A and _human(earlier) == human
    assert not paper_path(paths.papers, PAPER, DAY_B).exists()


def test_an_import_moves_too(tmp_path, api):
    paths = Paths(tmp_path)
    later = _later_day_first(paths, api)
    human = _human(later)
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(_days()[f"{DAY_A}"]), encoding="utf-8")

    report = import_file(dump, paths.papers, today=TODAY)

    assert report.counts[Outcome.MOVED] == 1
    earlier = paper_path(paths.papers, PAPER, DAY_A)
    assert _files_of(paths, PAPER) == [earlier] and _human(earlier) == human


def test_an_import_that_only_guesses_the_day_neither_moves_nor_redates(tmp_path):
    """An item without ``submittedOnDailyAt`` is filed under its arXiv date, a guess that is
    always earlier than the real listing: it must not pull a filed paper back to it."""
    paths = Paths(tmp_path)
    listed = make_item(PAPER, DAY_B, 1)
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps([listed]), encoding="utf-8")
    import_file(dump, paths.papers, today=TODAY)
    filed = paper_path(paths.papers, PAPER, DAY_B)
    _annotate(filed)
    before = filed.read_bytes()

    guessed = make_item(PAPER, DAY_B, 1)
    del guessed["paper"]["submittedOnDailyAt"]  # publishedAt is three days before DAY_B
    dump.write_text(json.dumps([guessed]), encoding="utf-8")
    report = import_file(dump, paths.papers, today=TODAY)

    assert report.counts[Outcome.MOVED] == 0
    assert _files_of(paths, PAPER) == [filed] and filed.read_bytes() == before
    assert read_paper(filed).listed == DAY_B
    fresh = tmp_path / "fresh"
    import_file(dump, fresh, today=TODAY)  # a new paper is still filed under the guess
    assert sorted(fresh.rglob("*.md")) == [paper_path(fresh, PAPER, DAY_B - dt.timedelta(3))]


# -- a run killed between the two steps of a move -------------------------------------------

KILLED_RUN = """
    import datetime as dt, os, signal, sys
    from pathlib import Path
    from generator.config import Paths
    from generator.fetch import fetch_range
    from generator.config import ClientSettings
    from generator.store import archive

    def killed(root, path):  # the power goes out right after the new file is durable
        os.kill(os.getpid(), signal.SIGKILL)

    archive._remove_moved = killed
    root, url, first, last, today = sys.argv[1:]
    fetch_range(
        Paths(Path(root)),
        dt.date.fromisoformat(first),
        dt.date.fromisoformat(last),
        api_base=url,
        today=dt.date.fromisoformat(today),
        settings=ClientSettings(retries=0, timeout=5),
        refresh=True,
        progress=False,
    )
"""


def test_a_run_killed_between_the_steps_of_a_move_is_repaired_by_the_next(tmp_path, api):
    paths = Paths(tmp_path)
    later = _later_day_first(paths, api)
    human = _human(later)
    server = api(days=_days())

    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_RUN), str(tmp_path), server.url]
        + [f"{DAY_A}", f"{DAY_B}", f"{TODAY}"],
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    earlier = paper_path(paths.papers, PAPER, DAY_A)
    # Half done: the new file is whole, the old one still there; never no file.
    assert _files_of(paths, PAPER) == [earlier, later]
    assert read_paper(earlier).listed == DAY_A and _human(earlier) == human
    assert load_status(paths)[DAY_A].state is DayState.FAILED  # the killed run recorded nothing
    invalid = _validate(paths)
    assert invalid.exit_code == 1 and "also has the file" in invalid.output

    report = _fetch(paths, server, DAY_A, DAY_B)

    assert not report.failed
    assert _files_of(paths, PAPER) == [earlier]
    assert read_paper(earlier).listed == DAY_A and _human(earlier) == human
    result = _validate(paths)
    assert result.exit_code == 0 and "no errors" in result.output, result.output


def test_repair_keeps_both_files_when_the_later_one_holds_other_human_bytes(tmp_path, caplog):
    root = tmp_path / "papers"
    paper = parse_item(make_item(PAPER, DAY_A, 1), fallback_listed=DAY_A, fetched=TODAY)
    earlier = paper_path(root, PAPER, DAY_A)
    later = paper_path(root, PAPER, DAY_B)
    for path, listed, human in ((earlier, DAY_A, HUMAN), (later, DAY_B, HUMAN + "extra: 1\n")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(paper.replace(listed=listed), human, NOTES).encode())
    before = tree(root)
    caplog.set_level(logging.WARNING)

    assert finish_interrupted_moves(root) == []
    assert tree(root) == before
    assert "hold the same id" in caplog.text

    # The same pair with the later file's human part equal to the kept one's: a leftover.
    later.write_bytes(render(paper.replace(listed=DAY_B), HUMAN, NOTES).encode())
    assert finish_interrupted_moves(root) == [later]
    assert _files_of(Paths(tmp_path), PAPER) == [earlier]
    assert not later.parent.exists()  # its emptied day folder goes too
