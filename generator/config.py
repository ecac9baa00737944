"""Every setting of the pipeline, in one place: paths, API addresses, client defaults, site.

Import-light on purpose: the command line reads its option defaults from here, so nothing
here may import an HTTP client, a template engine or MkDocs at module level. Every path is
relative to the repository root (the working folder).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ArchiveError

# Hugging Face Daily Papers: the base URL, and the variable that overrides it (tests and
# forks point it at another server; the --api option wins over both).
DEFAULT_API = "https://huggingface.co/api"
API_ENV = "PAPER_ARCHIVE_API"

# arXiv's query API, for `enrich`.
DEFAULT_ARXIV_API = "https://export.arxiv.org/api"
ARXIV_API_ENV = "PAPER_ARCHIVE_ARXIV_API"
ARXIV_MIN_INTERVAL = 3.0  # seconds between requests, from arXiv's API terms of use
ARXIV_TIMEOUT = 30.0  # seconds, for connect and each read
# Seconds for a whole response: arXiv can take tens of seconds to answer 100 ids, but a
# trickling answer must not hold the lock-holding enrich run for ever.
ARXIV_DEADLINE = 120.0
# Enriched papers listed in the last this many days are looked up again (new versions).
RECHECK_DAYS = 30

# Items (papers, files, pages) per extra worker process: below that, forking costs more
# than it saves. generator/workers.py applies it to every step that uses the cores.
PARALLEL_MIN = 2_000

PAGE_LIMIT = 100  # Daily Papers items asked for per page
# A default fetch also fetches the failed and never-fetched days of the last this many days.
HEAL_DAYS = 30


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def papers(self) -> Path:
        return self.root / "papers"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def search_cache(self) -> Path:
        """Search bundles of earlier builds, reused when their pages are unchanged (the
        daily workflow keeps it between runs)."""
        return self.root / ".cache" / "search"

    @property
    def load_cache(self) -> Path:
        """Each paper file's digest and what the last build read from it (buildcache.py)."""
        return self.root / ".cache" / "papers.pickle"

    @property
    def page_cache(self) -> Path:
        """Each paper page's inputs and output, as digests, at the last build (buildcache.py)."""
        return self.root / ".cache" / "paper-pages.pickle"

    @property
    def site_manifest(self) -> Path:
        """What the last build made of each docs/ file, for ``build --incremental``."""
        return self.root / ".cache" / "site-manifest.json"

    @property
    def topics(self) -> Path:
        return self.root / "topics.yml"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"


def api_base(option: str | None = None) -> str:
    return (option or os.environ.get(API_ENV) or DEFAULT_API).rstrip("/")


def arxiv_api_base(option: str | None = None) -> str:
    return (option or os.environ.get(ARXIV_API_ENV) or DEFAULT_ARXIV_API).rstrip("/")


@dataclass(frozen=True)
class ClientSettings:
    """How the Daily Papers client behaves on the network.

    The defaults suit huggingface.co; tests and benchmarks shrink them.
    """

    timeout: float = 20.0  # seconds, for connect, each read and each write
    deadline: float = 60.0  # seconds for a whole attempt, however slowly the body arrives
    retries: int = 5  # further attempts after the first, per page
    backoff: float = 1.0  # first retry delay in seconds, doubling each time, plus jitter
    backoff_max: float = 60.0
    budget_calls: int = 500  # Hugging Face: 500 anonymous calls ...
    budget_window: float = 300.0  # ... per 5-minute window
    page_limit: int = PAGE_LIMIT


@dataclass(frozen=True)
class SiteConfig:
    """What the pages need to know about where the site and its sources live."""

    site_name: str
    site_url: str  # absolute, ends with '/'
    repo_url: str | None = None
    branch: str = "main"

    def edit_url(self, source: str) -> str:
        if not self.repo_url:
            return "https://github.com/"
        return f"{self.repo_url.rstrip('/')}/edit/{self.branch}/{source}"


class ConfigError(ArchiveError):
    """``mkdocs.yml`` cannot be read or MkDocs rejects it; the message says which value."""


def site_config(paths: Paths) -> SiteConfig:
    """The site's values as MkDocs itself reads ``mkdocs.yml``.

    MkDocs' own loader resolves ``!ENV`` tags, ``INHERIT`` and its defaults, so the address
    in feeds, canonical links, OPML and the open data is the one MkDocs builds the site for.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    path = paths.mkdocs_yml
    paths.docs.mkdir(parents=True, exist_ok=True)  # MkDocs requires docs_dir to exist
    with _mkdocs_log() as problems:
        try:
            # Theme, hooks and plugins are read by `mkdocs build` alone: loading them here would
            # import Material and run the hook modules in this process for nothing.
            loaded = load_config(str(path), theme="mkdocs", hooks=[], plugins=[])
        except MkDocsException as exc:
            reasons = "".join(f"\n  {p}" for p in problems) or f"\n  {exc.format_message()}"
            raise ConfigError(f"{path}: MkDocs cannot load it:{reasons}", path=path) from None
    site_url = str(loaded["site_url"] or "http://127.0.0.1:8000/")
    archive = (loaded["extra"] or {}).get("archive") or {}
    return SiteConfig(
        site_name=str(loaded["site_name"] or "Daily Papers archive"),
        site_url=site_url if site_url.endswith("/") else site_url + "/",
        repo_url=loaded["repo_url"],
        branch=str(archive.get("branch") or "main"),
    )


@contextmanager
def _mkdocs_log() -> Iterator[list[str]]:
    """Collect MkDocs' configuration errors for our message instead of printing them.

    Its warnings are dropped here: ``mkdocs build --strict`` reports them itself.
    """
    logger = logging.getLogger("mkdocs")
    problems: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            problems.append(record.getMessage())

    handler = Collect(logging.ERROR)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield problems
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
