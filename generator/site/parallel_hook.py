"""MkDocs hook: paper pages are rendered by forked workers, one per core.

Rendering Material's template is most of what is left of ``mkdocs build`` once Markdown is
skipped (see ``rawhtml_hook.py``), and every paper page renders independently. When all
pages are read (``on_env``), this forks a worker per core; each renders and writes its
share of the paper pages with MkDocs' own page builder, while this process renders every
other page, copies the static files and writes the sitemap and the 404 page as usual, and
renders an empty template (nothing written) for the workers' pages. This process keeps no
share of its own: on a large archive its other work alone is about as much as a worker's.
``on_post_build`` waits for the workers and fails the build if one failed, or if one logged
a warning under ``--strict`` (MkDocs counts only its own process's). Without this hook the
same files come out, on one core.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from mkdocs.exceptions import PluginError

from generator import workers
from generator.config import PARALLEL_MIN

PAPER_TEMPLATE = "paper.html"
SKIP_TEMPLATE = "pa-skip.html"  # renders nothing, so MkDocs writes nothing
# The variable exists so a test can exercise the workers on the small sample archive.
MIN_PAGES = int(os.environ.get("PAPER_ARCHIVE_PARALLEL_MIN_PAGES") or PARALLEL_MIN)

_state: dict[str, Any] = {"command": None, "nav": None, "workers": [], "mine": set()}
FAILED, WARNED = 1, 3  # a worker's exit status


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class _QuietSkips(logging.Filter):
    """Drops MkDocs' "Page skipped" notice for the pages a worker writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith("Page skipped: '") and message.split("'")[1] in _state["mine"]
        )


def on_startup(command: str, **_: Any) -> None:
    _state["command"] = command  # `mkdocs serve` runs server threads: never fork there


def on_nav(nav: Any, **_: Any) -> Any:
    _state["nav"] = nav
    return nav


def on_env(env: Any, config: Any, files: Any, **_: Any) -> Any:
    if _state["command"] not in ("build", "gh-deploy"):
        return env
    try:
        from mkdocs.commands.build import _build_page
        from mkdocs.structure.files import InclusionLevel
    except ImportError:  # another MkDocs: build on one core
        return env
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    papers = [
        f.page
        for f in doc_files
        if f.page is not None
        and f.page.content is not None  # --dirty leaves unchanged pages unread
        and f.page.meta.get("template") == PAPER_TEMPLATE
    ]
    processes = workers.count(len(papers), per_process=MIN_PAGES)
    if processes < 2:
        return env
    shares = workers.shares(papers, processes)
    sys.stdout.flush()
    sys.stderr.flush()
    for share in shares:
        pid = os.fork()
        if pid == 0:  # worker: write this share, then leave without returning to MkDocs
            status = 0
            warnings = _Warnings()
            logging.getLogger("mkdocs").addHandler(warnings)
            try:
                for page in share:
                    _build_page(page, config, doc_files, _state["nav"], env)
                if warnings.count and config.strict:
                    status = WARNED
            except BaseException:
                logging.getLogger("mkdocs").exception("a page-rendering worker failed")
                status = FAILED
            finally:
                logging.shutdown()
                os._exit(status)
        _state["workers"].append(pid)
        for page in share:
            page.meta["template"] = SKIP_TEMPLATE
            _state["mine"].add(page.file.src_uri)
    logging.getLogger("mkdocs.commands.build").addFilter(_QuietSkips())
    return env


def _wait() -> set[int]:
    """The workers' exit statuses."""
    statuses = set()
    for pid in _state["workers"]:
        _, status = os.waitpid(pid, 0)
        statuses.add(os.waitstatus_to_exitcode(status))
    _state["workers"] = []
    return statuses


def on_post_build(**_: Any) -> None:
    statuses = _wait() - {0}
    if statuses == {WARNED}:
        raise PluginError("paper pages logged warnings (see the log above) in strict mode")
    if statuses:
        raise PluginError("a worker rendering paper pages failed (see the log above)")


def on_build_error(**_: Any) -> None:
    _wait()
