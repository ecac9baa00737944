"""Where things live. Every path is relative to the repository root (the working folder)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API = "https://huggingface.co/api"
API_ENV = "PAPER_ARCHIVE_API"
# Below this many papers per extra worker, forking costs more than it saves (build, MkDocs
# hook and validate all split work across cores past it).
PARALLEL_MIN = 2_000


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
    def topics(self) -> Path:
        return self.root / "topics.yml"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"


def api_base(option: str | None = None) -> str:
    return (option or os.environ.get(API_ENV) or DEFAULT_API).rstrip("/")
