"""Shared fixtures: a real Daily Papers API server on 127.0.0.1, a scratch archive, and
Debian's chromium for the browser tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_server import ApiServer
from playwright.sync_api import Browser, sync_playwright

from bench.browser import CHROMIUM, CHROMIUM_ARGS
from generator.config import Paths


@pytest.fixture(autouse=True)
def no_internet_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any API call a test forgets to point at its local server hits a closed local port."""
    monkeypatch.setenv("PAPER_ARCHIVE_API", "http://127.0.0.1:9/api")
    monkeypatch.setenv("PAPER_ARCHIVE_ARXIV_API", "http://127.0.0.1:9/api")


@pytest.fixture
def api() -> Iterator[Callable[..., ApiServer]]:
    """``api(days=..., broken=..., ...)`` starts a server; every one stops at the end."""
    started: list[ApiServer] = []

    def start(**options: Any) -> ApiServer:
        server = ApiServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def archive(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "repo")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One per test module: the browser tests' files may run in parallel workers."""
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a module's screenshots go (printed, to look at after a run)."""
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder
