"""Fetch end to end against a real HTTP server: pages, empty days, bad answers, bad items,
hostile text, re-runs that must change nothing, human edits that must survive, resume."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from api_server import make_item
from click.testing import CliRunner
from fetch_helpers import FAST, snapshot, tree

from generator.cli import cli
from generator.config import Paths
from generator.fetch import fetch_range
from generator.store.archive import iter_paper_paths
from generator.store.lock import LOCK_NAME, LockedError
from generator.store.paperfile import read_paper, split
from generator.store.status import DayState, StatusError, load_status, status_path

TODAY = dt.date(2026, 3, 20)
D1, D2, D3 = dt.date(2026, 3, 4), dt.date(2026, 3, 5), dt.date(2026, 3, 6)


def run(archive: Paths, server, first=D1, last=D3, **options):
    options.setdefault("settings", FAST)
    options.setdefault("today", TODAY)
    return fetch_range(archive, first, last, api_base=server.url, **options)


def items_for(day: dt.date, count: int, start: int = 1) -> list[dict]:
    return [make_item(f"{day:%y%m}.{20000 + n}", day, n) for n in range(start, start + count)]


def front(path: Path) -> dict:
    return yaml.safe_load(split(path.read_text(encoding="utf-8"), path).front)


def day_files(archive: Paths, day: dt.date) -> list[str]:
    folder = archive.papers / f"{day:%Y/%m/%d}"
    return sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []


def test_a_day_of_230_items_is_read_in_three_pages(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 230)})
    report = run(archive, server, D1, D1)
    pages = sorted(h.page for h in server.hits)
    assert pages == [0, 1, 2]
    assert len(day_files(archive, D1)) == 230
    assert report.requests == 3
    assert load_status(archive)[D1].papers == 230


def test_a_day_of_exactly_one_full_page_asks_for_the_next_one(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 100)})
    run(archive, server, D1, D1)
    assert sorted(h.page for h in server.hits) == [0, 1]
    assert len(day_files(archive, D1)) == 100


def test_an_empty_day_is_recorded_empty_and_creates_no_folder(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 2), D2.isoformat(): []})
    report = run(archive, server, D1, D2)
    assert report.empty == [D2]
    assert not (archive.papers / f"{D2:%Y/%m/%d}").exists()
    status = load_status(archive)
    assert status[D2].state is DayState.EMPTY and status[D2].papers == 0
    assert status[D1].state is DayState.COMPLETE and status[D1].papers == 2


def test_a_500_fails_that_day_only_and_the_cli_exits_non_zero(archive, api):
    days = {d.isoformat(): items_for(d, 2, start=d.day * 10) for d in (D1, D2, D3)}
    server = api(days=days, broken={D2.isoformat(): "500"})
    result = CliRunner().invoke(
        cli,
        ["--root", str(archive.root), "fetch", "--since", f"{D1}", "--until", f"{D3}"]
        + ["--api", server.url, "--retries", "1", "--timeout", "1", "--no-progress", "--no-enrich"],
    )
    assert result.exit_code != 0
    assert f"failed days: {D2}" in result.output
    assert "HTTP 500" in result.output
    assert len(day_files(archive, D1)) == 2 and len(day_files(archive, D3)) == 2
    assert day_files(archive, D2) == []
    assert [h.status for h in server.hits if h.date == D2.isoformat()] == [500, 500]
    status = load_status(archive)
    assert status[D2].state is DayState.FAILED
    assert "HTTP 500" in status[D2].error and "127.0.0.1" not in status[D2].error

    # Next run: only the failed day is asked for again, and now it completes.
    server.broken.clear()
    server.hits.clear()
    result = CliRunner().invoke(
        cli,
        ["--root", str(archive.root), "fetch", "--since", f"{D1}", "--until", f"{D3}"]
        + ["--api", server.url, "--no-progress", "--no-enrich"],
    )
    assert result.exit_code == 0, result.output
    assert {h.date for h in server.hits} == {D2.isoformat()}
    assert len(day_files(archive, D2)) == 2
    assert load_status(archive)[D2].state is DayState.COMPLETE


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("badjson", "not valid JSON"),
        ("cut", "RemoteProtocolError"),
        ("object", "expected a JSON array"),
        ("404", "HTTP 404"),
    ],
)
def test_a_broken_answer_fails_the_day_with_a_message_naming_it(archive, api, caplog, answer, says):
    days = {d.isoformat(): items_for(d, 3, start=d.day * 10) for d in (D1, D2, D3)}
    server = api(days=days, broken={D2.isoformat(): answer})
    with caplog.at_level(logging.ERROR):
        report = run(archive, server)
    assert list(report.failed) == [D2]
    assert says in report.failed[D2]
    assert any(f"{D2}" in r.message and says in r.message for r in caplog.records)
    assert day_files(archive, D2) == []
    assert len(day_files(archive, D1)) == 3 and len(day_files(archive, D3)) == 3
    attempts = len([h for h in server.hits if h.date == D2.isoformat()])
    # Cut-off bodies may be a proxy's hiccup: retried. A well-formed wrong answer is not.
    assert attempts == (1 if answer in ("object", "404") else FAST.retries + 1)


def test_an_item_with_only_id_and_title_gives_a_file_with_just_those(archive, api):
    item = {"paper": {"id": "2603.01234", "title": "Only a title"}}
    server = api(days={D1.isoformat(): [item]})
    run(archive, server, D1, D1)
    path = archive.papers / f"{D1:%Y/%m/%d}" / "2603.01234.md"
    assert front(path) == {
        "id": "2603.01234",
        "title": "Only a title",
        "listed": D1,
        "fetched": TODAY,
    }


def test_items_without_id_or_title_are_skipped_with_a_warning_naming_the_day(archive, api, caplog):
    items = [
        {"paper": {"title": "No id"}},
        {"paper": {"id": "2603.01235"}},
        {"no paper": True},
        {"paper": {"id": "2603.01236", "title": "Fine"}},
    ]
    server = api(days={D1.isoformat(): items})
    with caplog.at_level(logging.WARNING):
        report = run(archive, server, D1, D1)
    warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all(w.startswith(f"{D1}: item ") for w in warnings)
    assert day_files(archive, D1) == ["2603.01236.md"]
    assert not report.failed
    status = load_status(archive)[D1]
    assert (status.state, status.papers, status.skipped) == (DayState.COMPLETE, 1, 3)


HOSTILE = [
    "<script>alert('x')</script> <img src=x onerror=alert(1)>",
    "{{ config.items() }} {% for x in y %}{% endfor %} {# c #}",
    "$x_1$ and $$\\int_0^1 f(x)\\,dx$$ \\section{Hi}",
    "Ünïcödé — 中文 😀 \u202eRTL\u202c zero\u200bwidth",
    "- a list? no: a title",
    "key: value # not a comment",
    "null",
    "2026-03-06",
    "'single' \"double\" `back` & *alias !tag %directive @at |pipe >fold",
    "---",
    "...",
    "[link](javascript:alert(1)) **bold** # heading",
    "control\x07 \x1b[31mred\x1b[0m \x7f",
]


def test_hostile_text_stays_literal_and_round_trips(archive, api):
    items = [
        make_item(f"2603.{30000 + n}", D1, n, title=text, summary=f"Abstract: {text}\n\nmore")
        for n, text in enumerate(HOSTILE)
    ]
    server = api(days={D1.isoformat(): items})
    run(archive, server, D1, D1)
    for n, text in enumerate(HOSTILE):
        paper = read_paper(archive.papers / f"{D1:%Y/%m/%d}" / f"2603.{30000 + n}.md")
        assert paper.title == " ".join(text.split())
        assert paper.abstract == " ".join(f"Abstract: {text}\n\nmore".split())
        assert paper.notes == ""


BAD_IDS = [
    "../../etc/passwd",
    "2602.23229/x",
    " 2602.23229",
    "2602.23229 ",
    "..",
    "/etc/passwd",
    "2602.23229/../../x",
    "hep-th/9901001",
    "2602.2322",
    "2602.23229\n",
    "C:\\2602.23229",
    26022.3229,
]


def test_invalid_ids_never_become_paths(archive, api, caplog, tmp_path):
    items = [make_item(bad, D1, n) for n, bad in enumerate(BAD_IDS)]
    items.append(make_item("2602.23229v3", D1, 99))
    server = api(days={D1.isoformat(): items})
    with caplog.at_level(logging.WARNING):
        run(archive, server, D1, D1)
    every_file = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert every_file == [
        "repo",
        f"repo/{LOCK_NAME}",
        "repo/papers",
        "repo/papers/2026",
        "repo/papers/2026/03",
        "repo/papers/2026/03/04",
        "repo/papers/2026/03/04/2602.23229.md",
        "repo/papers/status.json",
    ]
    warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == len(BAD_IDS)
    assert all(w.startswith(f"{D1}: item ") for w in warnings)


def test_rerun_with_the_same_data_changes_no_byte(archive, api):
    days = {d.isoformat(): items_for(d, 4, start=d.day * 10) for d in (D1, D2, D3)}
    server = api(days=days)
    run(archive, server)
    before = snapshot(archive.papers)
    report = run(archive, server, refresh=True)  # fetch and rewrite every day again
    assert report.counts == {k: (12 if k.value == "unchanged" else 0) for k in report.counts}
    assert snapshot(archive.papers) == before
    # A later day's run that learns nothing new leaves every paper file alone too.
    run(archive, server, refresh=True, today=TODAY + dt.timedelta(days=5))
    after = snapshot(archive.papers)
    assert {k: v for k, v in after.items() if k.endswith(".md")} == {
        k: v for k, v in before.items() if k.endswith(".md")
    }


def test_new_upvotes_rewrite_machine_fields_but_never_the_human_parts(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 1, start=7)})
    run(archive, server, D1, D1)
    path = archive.papers / f"{D1:%Y/%m/%d}" / f"{D1:%y%m}.20007.md"
    human = textwrap.dedent(
        """\
        # reviewed by a human
        annotation:
          tldr: "Worth it: {{ not jinja }}"
          tags: [a, b]   # keep this comment
          topics:
            - agents
        reviewer_note: kept as is
        """
    )
    body = "\nMy notes with <b>markup</b>, $x$ and trailing spaces   \n\n- item\n"
    text = path.read_text(encoding="utf-8")
    parts = split(text, path)
    path.write_text(f"---\n{parts.front}{human}---\n{body}", encoding="utf-8")

    server.days[D1.isoformat()][0]["paper"]["upvotes"] = 999
    server.days[D1.isoformat()][0]["paper"]["githubStars"] = 1234
    report = run(archive, server, D1, D1, today=TODAY + dt.timedelta(days=1), refresh=True)

    assert report.counts[next(k for k in report.counts if k.value == "updated")] == 1
    new = path.read_text(encoding="utf-8")
    new_parts = split(new, path)
    assert new_parts.body == body
    assert new_parts.front.endswith(human)
    data = front(path)
    assert data["upvotes"] == 999 and data["github_stars"] == 1234
    assert data["fetched"] == TODAY + dt.timedelta(days=1)
    assert data["listed"] == D1
    changed = {"upvotes", "github_stars", "fetched"}
    assert _without(new_parts.front, changed) == _without(parts.front + human, changed)


def test_a_crlf_file_keeps_crlf_on_every_line_and_a_rerun_writes_nothing(archive, api):
    """As a Windows editor saves it: a rewrite must not leave LF machine lines among CRLF
    human ones, or the first fetch after an annotation shows every machine line in git."""
    server = api(days={D1.isoformat(): items_for(D1, 1, start=7)})
    run(archive, server, D1, D1)
    path = archive.papers / f"{D1:%Y/%m/%d}" / f"{D1:%y%m}.20007.md"
    parts = split(path.read_text(encoding="utf-8"), path)
    human = "annotation:\r\n  tldr: 'From Windows'  \r\n"
    notes = "Notes\r\n\r\n- item\r\nno final newline"
    crlf = parts.front.replace("\n", "\r\n")
    path.write_bytes(f"---\r\n{crlf}{human}---\r\n{notes}".encode())

    server.days[D1.isoformat()][0]["paper"]["upvotes"] = 999
    later = TODAY + dt.timedelta(days=1)
    run(archive, server, D1, D1, today=later, refresh=True)

    after = path.read_bytes().decode("utf-8")
    assert after.endswith(f"{human}---\r\n{notes}")
    assert "\n" not in after.replace("\r\n", "")  # no bare LF anywhere
    assert front(path)["upvotes"] == 999
    run(archive, server, D1, D1, today=later, refresh=True)
    assert path.read_bytes().decode("utf-8") == after


def _without(front_text: str, keys: set[str]) -> list[str]:
    return [line for line in front_text.splitlines() if line.split(":")[0] not in keys]


def test_a_paper_file_a_human_broke_is_left_alone_and_fails_its_day(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 3)})
    run(archive, server, D1, D1)
    broken = archive.papers / f"{D1:%Y/%m/%d}" / f"{D1:%y%m}.20002.md"
    text = (
        broken.read_text(encoding="utf-8")
        .replace("annotation", "x")
        .replace("title:", "title: [unclosed")
    )
    broken.write_text(text, encoding="utf-8")
    for item in server.days[D1.isoformat()]:
        item["paper"]["upvotes"] = 500
    report = run(archive, server, D1, D1, refresh=True)
    assert broken.read_text(encoding="utf-8") == text
    rel = broken.relative_to(archive.root).as_posix()
    assert report.failed[D1].startswith(f"not updating {rel}:")
    assert "broken YAML" in report.failed[D1]
    others = [p for p in (archive.papers / f"{D1:%Y/%m/%d}").glob("*.md") if p != broken]
    assert [read_paper(p).upvotes for p in others] == [500, 500]
    assert load_status(archive)[D1].state is DayState.FAILED


def test_a_paper_listed_on_two_days_stays_in_its_first_listing(archive, api):
    twice = make_item("2603.11111", D1, 1)
    del twice["paper"]["submittedOnDailyAt"]  # filed under whichever day lists it
    server = api(
        days={D1.isoformat(): [twice], D2.isoformat(): [twice, *items_for(D2, 1)]},
        day_delay={D1.isoformat(): 0.3},  # the later day answers first
    )
    run(archive, server, D1, D2, concurrency=2, settings=dataclasses.replace(FAST, timeout=2))
    assert day_files(archive, D1) == ["2603.11111.md"]
    assert "2603.11111.md" not in day_files(archive, D2)
    assert front(archive.papers / f"{D1:%Y/%m/%d}" / "2603.11111.md")["listed"] == D1


def test_resume_skips_complete_days_but_refetches_recent_and_failed_ones(archive, api):
    today = D1 + dt.timedelta(days=9)
    days = {(D1 + dt.timedelta(days=n)).isoformat(): items_for(D1, 1, start=n) for n in range(10)}
    server = api(days=days, broken={D2.isoformat(): "500"})
    no_retry = dataclasses.replace(FAST, retries=0, timeout=5)  # only the broken day fails
    first = run(archive, server, D1, today, today=today, settings=no_retry)
    assert list(first.failed) == [D2]
    server.broken.clear()
    server.hits.clear()
    second = run(archive, server, D1, today, today=today)
    recent = {(today - dt.timedelta(days=n)).isoformat() for n in range(3)}
    assert {h.date for h in server.hits} == recent | {D2.isoformat()}
    assert second.resumed == 10 - 4 and not second.failed
    server.hits.clear()
    run(archive, server, D1, today, today=today, refresh=True)
    assert len({h.date for h in server.hits}) == 10


def test_status_file_is_sorted_stable_and_readable(archive, api):
    days = {d.isoformat(): items_for(d, 1, start=d.day) for d in (D1, D3)}
    server = api(days={**days, D2.isoformat(): []}, broken={D3.isoformat(): "object"})
    run(archive, server, D3, D3)
    run(archive, server, D1, D2)
    text = status_path(archive).read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data["days"]) == sorted(data["days"]) == [f"{D1}", f"{D2}", f"{D3}"]
    assert data["days"][f"{D3}"]["state"] == "failed"
    assert len(text.splitlines()) == 3 + 5  # one line per day plus the frame
    status = load_status(archive)
    assert [s.state for s in status.values()] == [
        DayState.COMPLETE,
        DayState.EMPTY,
        DayState.FAILED,
    ]
    assert status[D3].error == "page 1: expected a JSON array of items, got dict"
    status_path(archive).write_text(text.replace('"state"', '"state', 1), encoding="utf-8")
    with pytest.raises(StatusError, match=r"status\.json:3"):
        load_status(archive)


def test_a_second_run_fails_fast_while_the_lock_is_held(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 1)})
    archive.root.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(archive.root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError, match=rf"pid {holder.pid}\b.*{LOCK_NAME}"):
            run(archive, server, D1, D1)
        assert server.hits == [] and not archive.papers.exists()
        result = CliRunner().invoke(
            cli,
            ["--root", str(archive.root), "fetch", "--date", f"{D1}", "--api", server.url]
            + ["--no-enrich"],
        )
        assert result.exit_code == 1
        assert "another paper-archive run" in result.output
        dump = archive.root / "items.json"
        dump.write_text(json.dumps(items_for(D1, 1)), encoding="utf-8")
        result = CliRunner().invoke(
            cli, ["--root", str(archive.root), "fetch", "--from-file", str(dump)]
        )
        assert result.exit_code == 1 and "another paper-archive run" in result.output
        assert not archive.papers.exists()
    finally:
        holder.kill()
        holder.wait()
    # The holder died without releasing: its lock is free, not stale.
    run(archive, server, D1, D1)
    assert day_files(archive, D1) == [f"{D1:%y%m}.20001.md"]


HOLD_LOCK = """
import sys, time
from pathlib import Path
from generator.store.lock import archive_lock
with archive_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_temp_files_left_by_a_killed_run_are_removed(archive, api):
    server = api(days={D1.isoformat(): items_for(D1, 1)})
    folder = archive.papers / f"{D1:%Y/%m/%d}"
    folder.mkdir(parents=True)
    stale = [folder / ".2603.20001.md.k2j3h4_x.tmp", archive.papers / ".status.json.abcd1234.tmp"]
    for path in stale:
        path.write_text("half a fi", encoding="utf-8")
    keep = folder / "notes.txt"
    keep.write_text("not ours", encoding="utf-8")
    run(archive, server, D1, D1)
    assert not any(p.exists() for p in stale)
    assert keep.exists()


def test_progress_bar_only_when_asked_or_on_a_terminal(archive, api, capsys):
    days = {d.isoformat(): items_for(d, 1, start=d.day) for d in (D1, D2, D3)}
    server = api(days=days)
    run(archive, server, progress=None)  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""
    run(archive, server, progress=True, refresh=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "papers=3" in err and "failed=0" in err


def test_cli_fetch_default_is_the_last_three_days(tmp_path, api):
    today = dt.datetime.now(dt.UTC).date()
    days = {(today - dt.timedelta(days=n)).isoformat(): [] for n in range(5)}
    server = api(days=days)
    env = {**os.environ, "PAPER_ARCHIVE_API": server.url}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(tmp_path), "fetch", "--no-enrich"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "fetched 3 of 3 days (3 empty" in result.stdout
    assert len({h.date for h in server.hits}) == 3
    assert list(tree(tmp_path)) == [LOCK_NAME, "papers/status.json"]
    assert not list(iter_paper_paths(tmp_path / "papers"))
