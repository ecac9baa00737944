"""The site's search index: Pagefind, run over the built site after ``mkdocs build``.

Material's built-in search ships its whole index to every visitor; Pagefind splits it into
chunks so a query downloads only what it needs. Only paper pages are indexed, and only
their ``data-pagefind-body`` article, which carries the filters (topic, year,
organization, has code, annotated) that ``paper.html.j2`` writes.

Every search loads each bundle's metadata whole and the word's chunk in each bundle, so a
query over one bundle of the whole archive costs more every year. A large archive is
therefore indexed in bundles per period of listing (a year, or a few months of a year
that outgrows ``SHARD_PAGES``, which also bounds Pagefind's memory: it holds a whole run),
newest first: ``site/pagefind/`` is the newest period, ``site/pagefind-<first day>/`` the
older ones. The browser (``assets/pagefind-lazy/``) searches the newest bundles holding at
least a quarter of ``SHARD_PAGES`` papers and merges older ones when the reader asks,
reading the list from ``assets/pagefind-lazy/bundles.js``, which is rewritten here. An
archive of at most ``SHARD_PAGES`` papers is one bundle.

A period whose pages are byte for byte those of an earlier build (every period but the
newest, on a daily update) is not indexed again: bundles are kept in a cache folder under
the digest of their pages (``.cache/search/``), and copied into the site from there. That
digest is over the part of each page Pagefind reads, which is read again only for the
pages MkDocs made from another source than at the last build (:class:`Built`): on a daily
build a few thousand pages, not every page of the archive.

Sorting is not Pagefind's: its sort orders live in the index metadata every search loads
whole, though few searches are sorted. Each bundle instead gets a sort-keys file (its
pages' Pagefind ids newest first, with their upvotes), fetched on the first sorted search
that covers the bundle. Periods do not overlap, so bundle order then position is date order.
The rows those files are made from are read from a bundle's fragments once, when it is
indexed, and kept with it in the cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

from generator import buildcache
from generator.errors import ArchiveError
from generator.fsutil import write_atomic
from generator.site import urls

BUNDLE = "pagefind"
SHARD_PAGES = 12_000
SHARD_PAGES_ENV = "PAPER_ARCHIVE_SEARCH_SHARD_PAGES"  # tests force bundles with it
INITIAL_PAGES_ENV = "PAPER_ARCHIVE_SEARCH_INITIAL_PAGES"
BUNDLES_JS = Path("assets/pagefind-lazy/bundles.js")
ID_PLACEHOLDER = "{id}"  # in bundles.js's paper page URL, where the browser puts an id
STAGE = ".pagefind-stage"  # one period's page folders, moved here while Pagefind runs
PAGES_FILE = "pages-indexed"  # in a cached bundle: how many pages it holds
ROWS_FILE = "sort-rows.json"  # in a cached bundle: its pages' sort rows (bundle_rows)
INDEXED_FILE = "indexed-parts.json"  # in the cache: each page's indexed part's digest
K = TypeVar("K")
Row = tuple[str, int, str, str]  # a page's listing date, upvotes, Pagefind id and paper id
SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the JSON of a decompressed fragment


class SearchIndexError(ArchiveError):
    """Pagefind failed or did not index every paper page; the message says which."""


@dataclass(frozen=True)
class Period:
    """The papers one bundle indexes: those listed from ``first`` to ``last``."""

    first: dt.date
    last: dt.date
    ids: tuple[str, ...]
    bundle: str = BUNDLE

    def entry(self, keys_path: str) -> dict[str, object]:
        return {
            "path": f"{self.bundle}/",
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "pages": len(self.ids),
            "keys": keys_path,
        }


@dataclass(frozen=True)
class Built:
    """What MkDocs made the site's files from, as its manifest says
    (``incremental_hook.outputs``): two builds under one ``fingerprint`` that made a file from
    a source with the same digest wrote the same bytes."""

    fingerprint: str
    sources: dict[str, str]  # a built file, relative to the site: its source's digest


def index_site(
    site: Path,
    listed: dict[str, dt.date],
    shard_pages: int | None = None,
    cache: Path | None = None,
    built: Built | None = None,
) -> int:
    """Write the bundles for the paper pages in ``site``; ``listed`` maps each paper id to
    its listing day. With ``cache``, a bundle whose pages are unchanged since a build that
    used the same cache is reused; with ``built`` too, a page is read only when MkDocs made
    it from another source than at that build. Returns the pages indexed, counted over all
    bundles."""
    for old in [site / BUNDLE, *site.glob(f"{BUNDLE}-*"), site / STAGE]:
        if old.is_dir():
            shutil.rmtree(old)  # a --dirty MkDocs build keeps the old chunks otherwise
    if not listed:  # Pagefind refuses an empty site; a new archive still deploys
        (site / BUNDLES_JS).write_text(bundles_js([], 0), encoding="utf-8")
        return 0
    limit = shard_pages or int(os.environ.get(SHARD_PAGES_ENV) or SHARD_PAGES)
    initial_pages = int(os.environ.get(INITIAL_PAGES_ENV) or max(1, limit // 4))
    plan = periods(listed, limit)
    indexed = 0
    rows: list[list[Row]] = []
    if cache is None:
        for period in plan:
            indexed += _run(site, period, site / period.bundle)
            rows.append(bundle_rows(site / period.bundle))
    else:
        parts = _indexed_parts(site, listed, cache, built)
        used = {INDEXED_FILE}
        for period in plan:
            digest = _digest(period, parts)
            used.add(digest)
            kept = cache / digest
            if not all((kept / name).is_file() for name in (PAGES_FILE, ROWS_FILE)):
                fresh = cache / f"{digest}.partial"
                shutil.rmtree(fresh, ignore_errors=True)
                count = _run(site, period, fresh)
                (fresh / PAGES_FILE).write_text(f"{count}\n", encoding="utf-8")
                (fresh / ROWS_FILE).write_text(json.dumps(bundle_rows(fresh)), encoding="utf-8")
                shutil.rmtree(kept, ignore_errors=True)
                fresh.rename(kept)  # whole or not at all: a killed build leaves only .partial
            indexed += int((kept / PAGES_FILE).read_text())
            rows.append([tuple(row) for row in json.loads((kept / ROWS_FILE).read_text())])
            shutil.copytree(
                kept,
                site / period.bundle,
                copy_function=_link_or_copy,
                ignore=lambda _folder, _names: (PAGES_FILE, ROWS_FILE),
            )
        for old in cache.iterdir():
            if old.name not in used:
                shutil.rmtree(old)  # the cache holds one build's bundles
    if indexed != len(listed):
        raise SearchIndexError(
            f"pagefind indexed {indexed} pages but the site has {len(listed)} paper pages "
            f"(is data-pagefind-body still on the paper template?)"
        )
    entries = []
    for period, keys in zip(plan, sort_keys(rows), strict=True):
        digest = hashlib.sha256(keys.encode()).hexdigest()[:10]
        keys_path = f"{period.bundle}/sort-keys.{digest}.json"  # named by content: never stale
        (site / keys_path).write_text(keys, encoding="utf-8")
        entries.append(period.entry(keys_path))
    shown, pages = 0, 0
    while shown < len(entries) and pages < initial_pages:
        pages += len(plan[shown].ids)
        shown += 1
    # Always written: a --dirty build would otherwise keep a stale list of bundles.
    (site / BUNDLES_JS).write_text(bundles_js(entries, shown), encoding="utf-8")
    return indexed


def periods(listed: dict[str, dt.date], limit: int) -> list[Period]:
    """The bundles, newest first: one for an archive within ``limit``, else one per listing
    year, a year over ``limit`` split into as few runs of whole months as keep each within
    it (a single larger month stays whole), of about equal size."""
    if len(listed) <= limit:
        days = sorted(listed.values())
        return [Period(days[0], days[-1], tuple(sorted(listed)))]
    by_month: dict[tuple[int, int], list[str]] = {}
    for paper, day in listed.items():
        by_month.setdefault((day.year, day.month), []).append(paper)
    found: list[list[tuple[int, int]]] = []
    for year in sorted({ym[0] for ym in by_month}):
        months = [(ym, len(by_month[ym])) for ym in sorted(by_month) if ym[0] == year]
        found += pack(months, limit)
    plan = []
    for number, group in enumerate(reversed(found)):
        ids = sorted(i for ym in group for i in by_month[ym])
        days = sorted(listed[i] for i in ids)
        bundle = BUNDLE if number == 0 else f"{BUNDLE}-{days[0].isoformat()}"
        plan.append(Period(days[0], days[-1], tuple(ids), bundle))
    return plan


def pack(units: list[tuple[K, int]], limit: int) -> list[list[K]]:
    """Consecutive units packed into as few groups as keep each within ``limit`` (a unit
    over it alone), of about equal size."""
    total = sum(count for _, count in units)
    runs = max(1, -(-total // limit))
    target = total / runs
    groups: list[list[K]] = [[]]
    size = 0
    for unit, count in units:
        full = len(groups) < runs and size + count / 2 > target
        if groups[-1] and (size + count > limit or full):
            groups.append([])
            size = 0
        groups[-1].append(unit)
        size += count
    return groups


def bundles_js(entries: list[dict[str, object]], initial: int) -> str:
    """The module the browser reads the bundles from (newest first, site-root-relative
    URLs) and how many the first search covers, and the paper page URL the search box opens
    for an arXiv id (``{id}`` stands for it): the box is a script that cannot ask
    :mod:`urls`. Written on every build; a site without it has no Pagefind either, and
    then no search box."""
    listing = json.dumps(entries, separators=(",", ":"), sort_keys=True)
    paper_page = json.dumps(urls.paper(ID_PLACEHOLDER).url)
    return (
        "// Written by paper-archive build: a paper's page (generator/site/urls.py), the\n"
        "// search bundles, newest period first, and how many of them the first search\n"
        "// covers (older ones are merged on request).\n"
        f"export const paperPage = {paper_page};\n"
        f"export const bundles = {listing};\nexport const initial = {initial};\n"
    )


def bundle_rows(bundle: Path) -> list[Row]:
    """A bundle's pages as their sort keys need them, newest first (then most upvoted).

    Read back from the fragments Pagefind wrote, whose meta carries the page's date and
    upvotes, since a search result names its page by its Pagefind id only.
    """
    found = []
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
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
        found.append((date, upvotes, fragment.stem, paper))
    found.sort(reverse=True)
    return found


def sort_keys(pages: list[list[Row]]) -> list[str]:
    """Per bundle (its :func:`bundle_rows`): its pages' Pagefind ids newest first, their
    upvotes. Pagefind makes ids unique within one run only (``en_`` and 7 hex digits), so
    an id found in two bundles is listed in each under ``clashes`` with its paper's
    position; the browser tells such results apart by their URL.
    """
    seen = Counter(page[2] for found in pages for page in found)
    files = []
    for found in pages:
        clashes: dict[str, dict[str, int]] = {}
        for position, (_, _, page_id, paper) in enumerate(found):
            if seen[page_id] > 1:
                clashes.setdefault(page_id, {})[paper] = position
        keys = {
            "ids": [page[2] for page in found],
            "upvotes": [page[1] for page in found],
            "clashes": clashes,
        }
        files.append(json.dumps(keys, separators=(",", ":"), sort_keys=True) + "\n")
    return files


def _digest(period: Period, parts: dict[str, str]) -> str:
    """What a bundle is made of: Pagefind's version and, of each of the period's pages, the
    digest of the part Pagefind reads (``parts``, from :func:`_indexed_parts`)."""
    digest = hashlib.sha256(f"pagefind {version('pagefind')}\n".encode())
    for paper in period.ids:
        digest.update(f"{paper} {parts[paper]}\n".encode())
    return digest.hexdigest()[:20]


def _indexed_parts(
    site: Path, listed: dict[str, dt.date], cache: Path, built: Built | None
) -> dict[str, str]:
    """Each paper page's digest of the part Pagefind reads (the page's ``<html>`` tag and its
    ``data-pagefind-body`` element), kept in ``cache`` with the digest of the source MkDocs
    made the page from.

    A new day changes the related papers and pagers of pages in every period, which sit
    outside the search body: were the whole page digested, every bundle would be indexed
    again on every daily build. A page is read again only when ``built`` does not show it
    made from the source it was made from when its digest was kept, under the same
    fingerprint; with no ``built``, every page is read.
    """
    kept: dict[str, list[str]] = {}
    sources = built.sources if built else {}
    if built is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            known = json.loads((cache / INDEXED_FILE).read_text(encoding="utf-8"))
            if known["fingerprint"] == built.fingerprint and isinstance(known["pages"], dict):
                kept = known["pages"]
    parts: dict[str, list[str]] = {}
    for paper in sorted(listed):
        page = _page(paper)
        source = sources.get(page)
        before = kept.get(paper)
        if source is not None and before is not None and before[0] == source:
            parts[paper] = before
        else:
            text = _indexed_part((site / page).read_bytes())
            parts[paper] = [source or "", buildcache.digest(text).hex()]
    if built is not None and parts != kept:
        write_atomic(
            cache / INDEXED_FILE,
            json.dumps({"fingerprint": built.fingerprint, "pages": parts}, separators=(",", ":")),
        )
    return {paper: digests[1] for paper, digests in parts.items()}


def _indexed_part(page: bytes) -> bytes:
    """The ``<html ...>`` tag and the search body of a paper page (all of it if it has no
    search body, or more than one: then no part can be left out safely)."""
    body = page.find(b"data-pagefind-body")
    start = page.rfind(b"<article", 0, body)
    end = page.find(b"</article>", body)
    if body < 0 or start < 0 or end < 0 or page.find(b"data-pagefind-body", body + 1) >= 0:
        return page
    html = page.find(b"<html")
    head = page[html : page.find(b">", html) + 1] if html >= 0 else b""
    return head + b"\n" + page[start : end + len(b"</article>")]


def _page(paper: str) -> str:
    """A paper page's built file, relative to the site."""
    return urls.paper(paper).url + "index.html"


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # the cache on another file system
        shutil.copy2(source, target)


def _run(site: Path, period: Period, output: Path) -> int:
    """Index one period's pages into ``output``: Pagefind reads a tree of just their folders
    (``papers/<id>/``), moved out of the site for the run and back after, so the URLs it
    records are the pages' own. A rename each way: hard links would need a new folder per
    page, which cost more than the rest of the step's own work on a large archive."""
    stage = site / STAGE
    moved: list[tuple[Path, Path]] = []
    try:
        for paper in period.ids:
            folder = (site / _page(paper)).parent
            staged = stage / folder.relative_to(site)
            try:
                os.rename(folder, staged)
            except FileNotFoundError:  # the first page of its kind: make the stage's folder
                staged.parent.mkdir(parents=True, exist_ok=True)
                os.rename(folder, staged)
            moved.append((staged, folder))
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pagefind",
                "--site",
                str(stage),
                "--output-path",
                str(output.resolve()),
                "--force-language",
                "en",
            ],
            capture_output=True,
            text=True,
        )
    finally:
        for staged, folder in moved:
            os.rename(staged, folder)
        shutil.rmtree(stage, ignore_errors=True)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise SearchIndexError(f"pagefind failed (exit {result.returncode}):\n{output}")
    found = re.search(r"Indexed (\d+) pages?", result.stdout)
    return int(found.group(1)) if found else 0
