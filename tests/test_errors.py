"""User-facing errors share ArchiveError; the CLI turns one into its message and exit 1."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import make_root, paper, write_paper

import generator
from generator.cli import cli
from generator.config import Paths
from generator.errors import ArchiveError


def test_update_builds_what_it_has_when_a_day_fails_then_exits_1(tmp_path, api, monkeypatch):
    paths = make_root(tmp_path)
    write_paper(paths, paper("2603.00101", "2026-03-06"))
    today = dt.datetime.now(dt.UTC).date()
    server = api(broken={today.isoformat(): "404"})
    monkeypatch.setenv("PAPER_ARCHIVE_ARXIV_API", server.url)

    result = CliRunner().invoke(
        cli, ["--root", str(tmp_path), "update", "--days", "1", "--api", server.url]
    )

    assert result.exit_code == 1, result.output
    assert f"Error: failed days: {today}" in result.output
    assert "1 papers (" in result.output  # the build's summary: it ran after the failure
    assert (paths.site / "papers/2603.00101/index.html").is_file()
    assert result.exception is None or isinstance(result.exception, SystemExit)


# Exceptions of the generator that never reach a user: each is caught where it is raised.
INTERNAL = {
    "generator.sources.daily_papers._Transient": "a failure worth retrying, inside the client",
    "generator.sources.daily_papers._Cancelled": "a retry's sleep cut short by close()",
    "generator.sources.deadline.DeadlineExceeded": "an httpx timeout, retried like one",
    "generator.sources.ratelimit.BudgetClosed": "wakes the workers of a run that is stopping",
}
# What a bug raises: never caught as a user's error, so never an ArchiveError. (ValueError
# is a second base of some on purpose: see generator/errors.py.)
PROGRAMMING_ERRORS = (
    AssertionError,
    AttributeError,
    LookupError,
    NameError,
    NotImplementedError,
    RuntimeError,
    TypeError,
)


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of the generator package, by full name."""
    found = {}
    for module in pkgutil.walk_packages(generator.__path__, "generator."):
        if module.name == "generator.__main__":  # runs the CLI
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.name
            ):
                found[f"{module.name}.{name}"] = value
    return found


def test_every_user_facing_error_is_an_archive_error():
    classes = _exception_classes()
    assert classes["generator.build.BuildError"] and len(classes) > 10  # the scan finds them
    assert set(INTERNAL) <= set(classes), "an internal exception listed here is gone"
    for name, kind in classes.items():
        if name in INTERNAL:
            assert not issubclass(kind, ArchiveError), f"{name} is listed as internal"
        else:
            assert issubclass(kind, ArchiveError), f"{name}: user-facing, so an ArchiveError"
            assert not issubclass(kind, PROGRAMMING_ERRORS), f"{name}: a bug's base class"
    from generator.store.paperfile import PaperFileError

    error = PaperFileError("papers/2026/03/06/x.md", 4, "broken YAML")
    assert (str(error), error.path, error.line, error.message) == (
        "papers/2026/03/06/x.md:4: broken YAML",
        Path("papers/2026/03/06/x.md"),
        4,
        "broken YAML",
    )
    assert isinstance(error, ArchiveError) and isinstance(error, ValueError)


def test_a_status_file_error_carries_its_file_and_line(tmp_path):
    from generator.store.status import StatusError, load_status

    paths = Paths(tmp_path)
    paths.papers.mkdir()
    (paths.papers / "status.json").write_text('{\n  "days": {\n    "2026-03-06": 7\n', "utf-8")
    with pytest.raises(StatusError) as info:
        load_status(paths)
    assert (info.value.path, info.value.line) == (paths.papers / "status.json", 4)


def test_a_bug_still_surfaces_with_its_traceback(tmp_path, monkeypatch):
    """Only ArchiveError becomes a one-line message; anything else is a bug to see whole."""
    import generator.build

    def broken(*_args, **_kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(generator.build, "build_site", broken)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "build"])
    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError)
