"""The fetch command's options: combinations that cannot apply are refused, and the default
fetch heals the failed and never-fetched days of the last weeks (both through the CLI)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from api_server import make_item
from click.testing import CliRunner
from fetch_helpers import FAST

from generator.cli import cli
from generator.config import Paths
from generator.fetch import fetch_range
from generator.store.archive import iter_paper_paths
from generator.store.status import DayState, DayStatus, load_status, save_status

TODAY = dt.datetime.now(dt.UTC).date()


def ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def fetch(archive: Paths, *args: str):
    return CliRunner().invoke(cli, ["--root", str(archive.root), "fetch", *args])


# -- --from-file -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "option",
    [
        ["--date", "2026-03-04"],
        ["--since", "2026-03-04"],
        ["--until", "2026-03-04"],
        ["--days", "3"],  # even at its default value: given, so asked for
        ["--api", "http://127.0.0.1:9/api"],
        ["--refresh"],
        ["--concurrency", "2"],
        ["--budget", "10"],
        ["--budget-window", "5"],
        ["--timeout", "3"],
        ["--deadline", "9"],
        ["--retries", "1"],
        ["--progress"],
        ["--enrich"],
        ["--arxiv-api", "http://127.0.0.1:9/api"],
        ["--heal-days", "5"],
    ],
)
def test_from_file_refuses_every_option_it_cannot_apply(archive, tmp_path, option):
    dump = tmp_path / "items.json"
    dump.write_text(json.dumps([make_item("2603.20001", dt.date(2026, 3, 4), 1)]), "utf-8")
    result = fetch(archive, "--from-file", str(dump), *option)
    assert result.exit_code == 2, result.output
    assert f"--from-file cannot be combined with {option[0]}" in result.output
    assert not archive.papers.exists()  # refused before anything was written


def test_from_file_names_every_option_at_once_and_accepts_what_it_does(archive, tmp_path):
    dump = tmp_path / "items.json"
    dump.write_text(json.dumps([make_item("2603.20001", dt.date(2026, 3, 4), 1)]), "utf-8")
    result = fetch(archive, "--from-file", str(dump), "--date", "2026-03-04", "--api", "x")
    assert result.exit_code == 2 and "with --date, --api:" in result.output
    result = fetch(archive, "--from-file", str(dump), "--no-enrich", "--no-progress")
    assert result.exit_code == 0, result.output
    assert [p.name for p in iter_paper_paths(archive.papers)] == ["2603.20001.md"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--date", "2026-03-04", "--days", "5"], "--date cannot be combined with"),
        (["--since", "2026-03-04", "--days", "5"], "--since cannot be combined with --days"),
        (["--date", "2026-03-04", "--heal-days", "5"], "--heal-days cannot be combined with"),
        (["--since", "2026-03-04", "--heal-days", "5"], "--heal-days cannot be combined with"),
    ],
)
def test_date_options_that_would_be_ignored_are_refused(archive, args, says):
    result = fetch(archive, *args, "--no-enrich")
    assert result.exit_code == 2 and says in result.output


# -- healing ---------------------------------------------------------------------------
def test_the_default_fetch_heals_a_failed_day_and_a_gap_of_never_fetched_days(archive, api):
    failed, gap = ago(10), [ago(n) for n in range(15, 11, -1)]
    statuses = {}
    for n in range(20, 0, -1):  # 20 days recorded, weekends and all ...
        day = ago(n)
        if day not in gap:
            statuses[day] = DayStatus(day, DayState.COMPLETE, day, papers=1)
    statuses[failed] = DayStatus(failed, DayState.FAILED, failed, error="HTTP 500 (after 6)")
    archive.papers.mkdir(parents=True)
    save_status(archive, statuses)
    wanted = [*gap, failed, ago(2), ago(1), ago(0)]
    days = {d.isoformat(): [make_item(f"{d:%y%m}.{30000 + d.day}", d, d.day)] for d in wanted}
    days[ago(25).isoformat()] = [make_item(f"{ago(25):%y%m}.39999", ago(25), 1)]  # unrecorded
    server = api(days=days)

    result = fetch(archive, "--api", server.url, "--no-enrich", "--no-progress")
    assert result.exit_code == 0, result.output
    assert sorted({h.date for h in server.hits}) == sorted(d.isoformat() for d in wanted)
    assert f"healed 5 earlier failed or never-fetched days: {gap[0]}" in result.output
    assert "fetched 8 of 8 days" in result.output
    status = load_status(archive)
    assert all(status[d].state is DayState.COMPLETE for d in wanted)
    assert ago(25) not in status  # before the first recorded day: never part of the archive
    assert len(list(iter_paper_paths(archive.papers))) == len(wanted)

    server.hits.clear()  # healed: the next default run asks only for the recent days again
    assert fetch(archive, "--api", server.url, "--no-enrich").exit_code == 0
    assert sorted({h.date for h in server.hits}) == sorted(d.isoformat() for d in wanted[-3:])


def test_healing_is_bounded_and_can_be_turned_off(archive, api):
    statuses = {ago(n): DayStatus(ago(n), DayState.EMPTY, ago(n)) for n in range(3, 60)}
    for n in (45, 31, 30, 5):
        statuses[ago(n)] = DayStatus(ago(n), DayState.FAILED, ago(n), error="HTTP 500")
    archive.papers.mkdir(parents=True)
    save_status(archive, statuses)
    server = api(days={})

    report = fetch_range(
        archive, ago(2), ago(0), api_base=server.url, today=TODAY, settings=FAST, heal_days=30
    )
    assert report.healed == [ago(30), ago(5)]  # not 31 or 45 days back
    assert load_status(archive)[ago(31)].state is DayState.FAILED
    server.hits.clear()
    report = fetch_range(
        archive, ago(2), ago(0), api_base=server.url, today=TODAY, settings=FAST, heal_days=0
    )
    assert report.healed == [] and "healed" not in report.summary()
    assert {h.date for h in server.hits} == {ago(n).isoformat() for n in range(3)}


def test_a_day_that_fails_again_is_not_reported_healed(archive, api):
    """During an outage the retried days fail again: the summary must not call them healed."""
    statuses = {ago(n): DayStatus(ago(n), DayState.EMPTY, ago(n)) for n in range(3, 12)}
    for n in (9, 6):
        statuses[ago(n)] = DayStatus(ago(n), DayState.FAILED, ago(n), error="HTTP 500")
    archive.papers.mkdir(parents=True)
    save_status(archive, statuses)
    server = api(days={}, broken={ago(9).isoformat(): "404"})

    report = fetch_range(
        archive, ago(2), ago(0), api_base=server.url, today=TODAY, settings=FAST, heal_days=30
    )
    assert report.healed == [ago(9), ago(6)] and list(report.failed) == [ago(9)]
    summary = report.summary()
    assert f"healed 1 earlier failed or never-fetched days: {ago(6)};" in summary
    assert f"1 earlier failed or never-fetched days failed again: {ago(9)}" in summary
    assert load_status(archive)[ago(6)].state is DayState.EMPTY
