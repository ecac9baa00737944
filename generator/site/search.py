"""The site's search index: Pagefind, run over the built site after ``mkdocs build``.

Material's built-in search ships its whole index to every visitor (16 MB at 10,000 papers);
Pagefind splits it into chunks so a query downloads only what it needs. Only paper pages
are indexed (the glob), and only their ``data-pagefind-body`` article, which carries the
filters (topic, year, organization, has code, annotated) and sorts (date, upvotes) that
``paper.md.j2`` writes. Indexing whole pages cost 3.7 GB of memory at 30,000 papers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

BUNDLE = "pagefind"
PAPER_GLOB = "papers/**/*.html"


class SearchIndexError(RuntimeError):
    """Pagefind failed or did not index every paper page; the message says which."""


def index_site(site: Path, expected_pages: int) -> int:
    """Write ``site/pagefind/`` for the paper pages in ``site``; returns the pages indexed."""
    bundle = site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)  # a --dirty MkDocs build keeps the old chunks otherwise
    if expected_pages == 0:
        return 0  # Pagefind refuses an empty site; a new archive still builds and deploys
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(site),
            "--glob",
            PAPER_GLOB,
            "--force-language",
            "en",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise SearchIndexError(f"pagefind failed (exit {result.returncode}):\n{output}")
    found = re.search(r"Indexed (\d+) pages?", result.stdout)
    indexed = int(found.group(1)) if found else 0
    if indexed != expected_pages:
        raise SearchIndexError(
            f"pagefind indexed {indexed} pages but the site has {expected_pages} paper pages "
            f"(is data-pagefind-body still on the paper template?)\n{result.stdout.strip()}"
        )
    return indexed
