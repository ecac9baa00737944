"""User-facing errors share ArchiveError; the CLI turns one into its message and exit 1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import make_root, paper, write_paper

from generator.cli import cli
from generator.config import ConfigError, Paths
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
    assert "1 papers: " in result.output  # the build's summary: it ran after the failure
    assert (paths.site / "papers/2603.00101/index.html").is_file()
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_user_facing_error_is_an_archive_error():
    from generator.annotate import AnnotateError
    from generator.build import BuildError
    from generator.importer import ImportFileError
    from generator.site.export import ExportError
    from generator.site.outputs import OutputError
    from generator.site.search import SearchIndexError
    from generator.sources.daily_papers import FetchError
    from generator.store.lock import LockedError
    from generator.store.paperfile import PaperFileError
    from generator.store.status import StatusError
    from generator.topics import TopicsError

    for kind in (
        AnnotateError,
        BuildError,
        ConfigError,
        ExportError,
        FetchError,
        ImportFileError,
        LockedError,
        OutputError,
        SearchIndexError,
        StatusError,
        TopicsError,
    ):
        assert issubclass(kind, ArchiveError), kind
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
