"""``paper-archive build``: papers/ → generated pages and feeds in docs/ → mkdocs build.

One pass over ``papers/``; every generated file is compared with what is on disk and only
written when its content changed, and generated files whose source is gone are removed.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator import workers
from generator.config import Paths, site_config
from generator.errors import ArchiveError
from generator.fsutil import write_gzip_if_changed, write_if_changed
from generator.model import Paper
from generator.site import bibtex, incremental_hook, related, search, urls
from generator.site.outputs import OutputError, site_files
from generator.site.pages import PageRenderer
from generator.site.structure import Archive
from generator.store.archive import LoadResult, iter_paper_paths, load_archive
from generator.store.paperfile import PaperFileError
from generator.store.status import StatusError, load_status
from generator.topics import Taxonomy, TopicsError


class BuildError(ArchiveError):
    """The archive or the site configuration cannot be built; the message says where."""

    @classmethod
    def of(cls, exc: ArchiveError) -> BuildError:
        """The build's error for one of a step's own, keeping the file, line and day it names."""
        return cls(str(exc), path=exc.path, line=exc.line, day=exc.day)


@dataclass
class BuildReport:
    papers: int = 0
    listed: dict[str, dt.date] = field(default_factory=dict, repr=False)  # id -> listing day
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    incremental: bool = False  # MkDocs rebuilt only what changed since the last build

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        how = "; incremental" if self.incremental else ""
        return (
            f"{self.papers} papers: {self.written} generated files written, "
            f"{self.unchanged} unchanged, {self.removed} removed{how} ({steps})"
        )


def generate(paths: Paths) -> BuildReport:
    """Write every generated page and feed into docs/; returns what changed."""
    report = BuildReport()
    started = time.perf_counter()
    try:
        taxonomy = Taxonomy.load(paths.topics)
    except TopicsError as exc:
        raise BuildError.of(exc) from None
    loaded, topics_of = _load(paths, taxonomy)
    if loaded.errors:
        listing = "\n".join(f"  {e}" for e in loaded.errors[:50])
        more = f"\n  … and {len(loaded.errors) - 50} more" if len(loaded.errors) > 50 else ""
        raise BuildError(
            f"{len(loaded.errors)} paper file(s) cannot be read; nothing was generated:\n"
            f"{listing}{more}"
        )
    _refuse_duplicate_ids(loaded.papers)
    config = site_config(paths)
    archive = Archive.group(loaded.papers, taxonomy, topics_of)
    report.papers = len(archive.papers)
    report.listed = {p.id: p.listed for p in archive.papers}
    report.timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    names = {topic.slug: topic.name for topic in taxonomy.topics}  # not the catch-all
    archive.related = related.related_papers(archive.papers, archive.topics_of, names)
    report.timings["related"] = time.perf_counter() - started

    started = time.perf_counter()
    renderer = PageRenderer(archive, config, bibtex.citation_keys(archive.papers))
    try:
        # Everything that can refuse the archive runs before the first page is written.
        others = site_files(archive, config, load_status(paths), renderer)
    except (OutputError, StatusError) as exc:
        raise BuildError.of(exc) from None
    wanted = {paths.docs / urls.paper(p.id).source for p in archive.papers}

    def write_others() -> None:
        for rel, text in others:
            target = paths.docs / rel
            wanted.add(target)
            write = write_gzip_if_changed if target.suffix == ".gz" else write_if_changed
            if write(target, text):
                report.written += 1
            else:
                report.unchanged += 1

    written, unchanged = _paper_pages(paths.docs, renderer, meanwhile=write_others)
    report.written += written
    report.unchanged += unchanged
    report.removed = _prune(paths.docs, wanted)
    report.timings["generate"] = time.perf_counter() - started
    return report


def _refuse_duplicate_ids(papers: list[Paper]) -> None:
    """Two files with one id would share a page; name both so a human can merge them."""
    first: dict[str, Path | None] = {}
    clashes = []
    for paper in papers:
        if paper.id in first:
            clashes.append(f"  {paper.id}: {first[paper.id]} and {paper.path}")
        else:
            first[paper.id] = paper.path
    if clashes:
        raise BuildError(
            "the same arXiv id is in two paper files; nothing was generated:\n" + "\n".join(clashes)
        )


def _load(paths: Paths, taxonomy: Taxonomy) -> tuple[LoadResult, dict[str, list[str]]]:
    """Read every paper and apply the topic rules, on all cores for a large archive.

    YAML parsing and topic matching are most of the Python time of a large build
    and each paper is independent, so contiguous slices go to forked workers (results keep
    file order, so error listings stay in order).
    """
    files = list(iter_paper_paths(paths.papers))
    processes = workers.count(len(files))
    if processes <= 1:
        parts = [_load_slice(files, taxonomy)]
    else:
        slices = workers.chunks(files, processes)
        with workers.pool(processes) as pool:
            parts = list(pool.map(_load_slice, slices, [taxonomy] * len(slices)))
    result = LoadResult()
    topics_of: dict[str, list[str]] = {}
    for papers, errors, topics in parts:
        result.papers.extend(papers)
        result.errors.extend(PaperFileError(*e) for e in errors)
        topics_of.update(topics)
    return result, topics_of


def _load_slice(
    files: list[Path], taxonomy: Taxonomy
) -> tuple[list[Paper], list[tuple[Path, int | None, str]], dict[str, list[str]]]:
    loaded = load_archive(files[0].parent if files else Path("."), files)
    errors = [(e.path, e.line, e.message) for e in loaded.errors]  # picklable
    return loaded.papers, errors, {p.id: taxonomy.assign(p) for p in loaded.papers}


_renderer: PageRenderer | None = None  # what forked paper-page workers render with


def _paper_pages(
    docs: Path, renderer: PageRenderer, meanwhile: Callable[[], None]
) -> tuple[int, int]:
    """Render and write the paper pages, on all cores for a large archive; (written, same).

    ``meanwhile`` (the other pages, feeds and files: one process's work) runs in this
    process while the workers render, so neither waits for the other.
    """
    global _renderer
    papers = renderer.archive.papers
    processes = workers.count(len(papers))
    _renderer = renderer  # forked workers inherit it
    try:
        if processes <= 1:
            meanwhile()
            return _write_papers(docs, 0, len(papers))
        with workers.pool(processes) as pool:
            jobs = [
                pool.submit(_write_papers, docs, part.start, part.stop)
                for part in workers.chunks(range(len(papers)), processes)
            ]
            meanwhile()
            counts = [job.result() for job in jobs]
        return sum(w for w, _ in counts), sum(u for _, u in counts)
    finally:
        _renderer = None


def _write_papers(docs: Path, start: int, stop: int) -> tuple[int, int]:
    assert _renderer is not None
    papers = _renderer.archive.papers[start:stop]
    written = 0
    for rel, text in _renderer.paper_pages(papers):
        written += write_if_changed(docs / rel, text)
    return written, len(papers) - written


def _prune(docs: Path, wanted: set[Path]) -> int:
    removed = 0
    candidates: Iterable[Path] = [docs / name for name in urls.GENERATED_FILES]
    for folder in urls.GENERATED_DIRS:
        if (docs / folder).is_dir():
            candidates = [*candidates, *(p for p in (docs / folder).rglob("*") if p.is_file())]
    for path in candidates:
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
    for folder in urls.GENERATED_DIRS:
        base = docs / folder
        if base.is_dir():
            for dirpath, _dirs, _files in sorted(os.walk(base), reverse=True):
                if not os.listdir(dirpath):
                    os.rmdir(dirpath)
    return removed


def build_site(paths: Paths, *, incremental: bool = False) -> BuildReport:
    """Generate docs/, build site/ with MkDocs, index it for search.

    ``incremental`` builds on the last build's site/ when that was made by the same theme,
    configuration and packages (see ``site/incremental_hook.py``), rebuilding only the
    pages and files whose generated source changed; otherwise the build is a clean one.
    """
    report = generate(paths)
    started = time.perf_counter()
    current = incremental_hook.fingerprint(paths.root, site_config(paths).site_url)
    dirty = (
        incremental
        and paths.site.is_dir()
        and incremental_hook.resumable(paths.site_manifest, current)
    )
    report.incremental = dirty
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "-f",
        str(paths.mkdocs_yml),
        "-d",
        str(paths.site),
    ]
    if dirty:
        command.append("--dirty")
    env = {
        **_mkdocs_env(),
        incremental_hook.MANIFEST: str(paths.site_manifest),
        incremental_hook.FINGERPRINT: current,
        incremental_hook.INCREMENTAL: "1" if dirty else "",
    }
    result = subprocess.run(command, cwd=paths.root, capture_output=True, text=True, env=env)
    report.timings["mkdocs"] = time.perf_counter() - started
    if result.returncode != 0:
        paths.site_manifest.unlink(missing_ok=True)  # site/ is not what it says: start clean
        raise BuildError(f"mkdocs build --strict failed:\n{result.stderr.strip()}")
    started = time.perf_counter()
    try:
        paths.search_cache.mkdir(parents=True, exist_ok=True)
        search.index_site(paths.site, report.listed, cache=paths.search_cache)
    except search.SearchIndexError as exc:
        raise BuildError.of(exc) from None
    report.timings["search"] = time.perf_counter() - started
    return report


def serve_site(paths: Paths, dev_addr: str) -> None:
    generate(paths)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(paths.mkdocs_yml), "-a", dev_addr],
        cwd=paths.root,
        check=False,
        env=_mkdocs_env(),
    )


def _mkdocs_env() -> dict[str, str]:
    # Material prints an end-of-life banner on every run unless told not to.
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
