"""Where things live. Every path is relative to the repository root (the working folder)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API = "https://huggingface.co/api"
API_ENV = "PAPER_ARCHIVE_API"
# Items (papers, files, pages) per extra worker process: below that, forking costs more
# than it saves. generator/workers.py applies it to every step that uses the cores.
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
    def topics(self) -> Path:
        return self.root / "topics.yml"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"


def api_base(option: str | None = None) -> str:
    return (option or os.environ.get(API_ENV) or DEFAULT_API).rstrip("/")
