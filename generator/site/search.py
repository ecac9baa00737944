"""The site's search index: Pagefind, run over the built site after ``mkdocs build``.

Material's built-in search ships its whole index to every visitor; Pagefind splits it into
chunks so a query downloads only what it needs. Only paper pages are indexed (the glob),
and only their ``data-pagefind-body`` article, which carries the filters (topic, year,
organization, has code, annotated) that ``paper.md.j2`` writes: indexing whole pages took
several times the memory.

Sorting is not Pagefind's: its sort orders live in the index metadata every search loads
whole, though few searches are sorted. The build instead writes one sort-keys file for all
bundles (every indexed page's Pagefind id newest first, with its upvotes), which the
browser fetches on the first sorted search.

Pagefind holds a whole run in memory (growing with pages and vocabulary; the README's
benchmarks give the figures), so a large archive is indexed in shards of at most
``SHARD_PAGES`` pages, split by arXiv id prefix, one run after another: ``site/pagefind/``
then ``site/pagefind-2/`` ... The browser merges them (``assets/pagefind-lazy/``), reading
the extra bundles from ``assets/pagefind-lazy/bundles.js``, which is rewritten here. A
small archive is one run, exactly as before sharding.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from generator.errors import ArchiveError
from generator.site import urls

BUNDLE = "pagefind"
PAPER_GLOB = urls.paper("**").url + "*.html"  # a paper URL with a wildcard for the id
SHARD_PAGES = 12_000
SHARD_PAGES_ENV = "PAPER_ARCHIVE_SEARCH_SHARD_PAGES"  # tests force sharding with it
BUNDLES_JS = Path("assets/pagefind-lazy/bundles.js")
SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the JSON of a decompressed fragment


class SearchIndexError(ArchiveError):
    """Pagefind failed or did not index every paper page; the message says which."""


def index_site(site: Path, expected_pages: int, shard_pages: int | None = None) -> int:
    """Write ``site/pagefind/`` (and ``pagefind-N/`` shards) for the paper pages in ``site``.

    Returns the pages indexed, counted over all runs.
    """
    for old in [site / BUNDLE, *site.glob(f"{BUNDLE}-*")]:
        if old.is_dir():
            shutil.rmtree(old)  # a --dirty MkDocs build keeps the old chunks otherwise
    if expected_pages == 0:  # Pagefind refuses an empty site; a new archive still deploys
        (site / BUNDLES_JS).write_text(bundles_js([], None), encoding="utf-8")
        return 0
    limit = shard_pages or int(os.environ.get(SHARD_PAGES_ENV) or SHARD_PAGES)
    ids = sorted(p.parent.name for p in site.glob(urls.paper("*").url + "index.html"))
    plan = shard_globs(ids, limit) if len(ids) > limit else [PAPER_GLOB]
    indexed, outputs = 0, []
    for number, glob in enumerate(plan, start=1):
        bundle = BUNDLE if number == 1 else f"{BUNDLE}-{number}"
        indexed += _run(site, glob, bundle)
        outputs.append(bundle)
    if indexed != expected_pages:
        raise SearchIndexError(
            f"pagefind indexed {indexed} pages but the site has {expected_pages} paper pages "
            f"(is data-pagefind-body still on the paper template?)"
        )
    keys = sort_keys(site, outputs)
    digest = hashlib.sha256(keys.encode()).hexdigest()[:10]
    keys_path = f"{BUNDLE}/sort-keys.{digest}.json"  # named by content: caches never go stale
    (site / keys_path).write_text(keys, encoding="utf-8")
    # Always written: a --dirty build would otherwise keep a stale list of shards.
    (site / BUNDLES_JS).write_text(bundles_js(outputs[1:], keys_path), encoding="utf-8")
    return indexed


def bundles_js(extra: list[str], keys_path: str | None) -> str:
    """The module the browser reads the extra bundles and the sort keys from (site-root-
    relative URLs); the theme ships it with neither, for ``serve``, which indexes nothing."""
    shards = json.dumps([f"{b}/" for b in extra])
    keys = json.dumps(keys_path)
    return (
        "// Written by paper-archive build: the search shards merged after pagefind/, and\n"
        "// the sort keys of every indexed page.\n"
        f"export const shards = {shards};\nexport const sortKeys = {keys};\n"
    )


def sort_keys(site: Path, bundles: list[str]) -> str:
    """Every indexed page's Pagefind id, newest first (then most upvoted), and its upvotes.

    Read back from the fragments Pagefind wrote, whose meta carries the page's date and
    upvotes, since a search result names its page by that id only. The position in the
    list is the date order; upvotes, ties broken by position, are the other. Pagefind makes
    ids unique within one run only (``en_`` and 7 hex digits), so an id found in two
    bundles is listed under ``clashes`` with each paper's position; the browser tells such
    results apart by their URL.
    """
    pages = []
    for bundle in bundles:
        for fragment in (site / bundle / "fragment").glob("*.pf_fragment"):
            text = gzip.decompress(fragment.read_bytes()).removeprefix(SIGNATURE)
            data = json.loads(text)
            try:
                date, upvotes = data["meta"]["date"], int(data["meta"]["upvotes"])
            except (KeyError, TypeError, ValueError):
                raise SearchIndexError(
                    f"{fragment}: page {data.get('url')} has no date or upvotes meta "
                    f"(is data-pagefind-meta still on the paper template?)"
                ) from None
            paper = data["url"].strip("/").split("/")[-1]
            pages.append((date, upvotes, fragment.stem, paper))
    pages.sort(reverse=True)
    seen = Counter(page[2] for page in pages)
    clashes: dict[str, dict[str, int]] = {}
    for position, (_, _, page_id, paper) in enumerate(pages):
        if seen[page_id] > 1:
            clashes.setdefault(page_id, {})[paper] = position
    keys = {
        "ids": [page[2] for page in pages],
        "upvotes": [page[1] for page in pages],
        "clashes": clashes,
    }
    return json.dumps(keys, separators=(",", ":"), sort_keys=True) + "\n"


def shard_globs(ids: list[str], limit: int) -> list[str]:
    """Globs over ``papers/<id>/`` that cover every id once, each at most ``limit`` pages
    where id prefixes allow: consecutive prefixes (in id, so date, order) packed into runs
    of about equal size, as few as the limit allows."""
    runs = -(-len(ids) // limit)
    target = len(ids) / runs
    groups: list[list[str]] = [[]]
    sizes = [0]
    for prefix, count in _prefixes(ids, "", max(1, int(target // 4))):  # fine enough to balance
        full = len(groups) < runs and sizes[-1] + count / 2 > target
        if sizes[-1] and (sizes[-1] + count > limit or full):
            groups.append([])
            sizes.append(0)
        groups[-1].append(prefix)
        sizes[-1] += count
    patterns = [",".join(p + "*" for p in group) for group in groups]
    return [
        urls.paper(ids if "," not in ids else f"{{{ids}}}").url + "**/*.html" for ids in patterns
    ]


def _prefixes(ids: list[str], prefix: str, limit: int) -> list[tuple[str, int]]:
    """(prefix, pages) pairs, in order, each prefix as short as fits within ``limit``."""
    if len(ids) <= limit or all(len(i) <= len(prefix) for i in ids):
        return [(prefix, len(ids))]
    children = Counter(i[len(prefix)] for i in ids if len(i) > len(prefix))
    found: list[tuple[str, int]] = []
    for char in sorted(children):
        child = prefix + char
        found += _prefixes([i for i in ids if i.startswith(child)], child, limit)
    return found


def _run(site: Path, glob: str, bundle: str) -> int:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(site),
            "--glob",
            glob,
            *(["--output-subdir", bundle] if bundle != BUNDLE else []),
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
    return int(found.group(1)) if found else 0
