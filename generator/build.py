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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator import buildcache, workers
from generator.config import Paths, site_config
from generator.errors import ArchiveError
from generator.fsutil import write_gzip_if_changed, write_if_changed
from generator.model import Paper
from generator.site import bibtex, incremental_hook, related, search, urls
from generator.site.outputs import Files, OutputError, site_files
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
    parsed: int = 0  # paper files read anew (the rest came from .cache/)
    rendered: int = 0  # paper pages rendered anew (the rest were kept)
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    incremental: bool = False  # MkDocs rebuilt only what changed since the last build

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        how = "; incremental" if self.incremental else ""
        return (
            f"{self.papers} papers ({self.parsed} files read and {self.rendered} paper pages "
            f"rendered anew): {self.written} generated files written, "
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
    read = _load(paths, taxonomy)
    loaded, report.parsed = read.result, read.parsed
    if loaded.errors:
        listing = "\n".join(f"  {e}" for e in loaded.errors[:50])
        more = f"\n  … and {len(loaded.errors) - 50} more" if len(loaded.errors) > 50 else ""
        raise BuildError(
            f"{len(loaded.errors)} paper file(s) cannot be read; nothing was generated:\n"
            f"{listing}{more}"
        )
    _refuse_duplicate_ids(loaded.papers)
    config = site_config(paths)
    archive = Archive.group(loaded.papers, taxonomy, read.topics_of)
    report.papers = len(archive.papers)
    report.listed = {p.id: p.listed for p in archive.papers}
    report.timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    names = {topic.slug: topic.name for topic in taxonomy.topics}  # not the catch-all
    archive.related = related.related_papers(
        archive.papers, archive.topics_of, names, terms_of=read.terms_of
    )
    del read  # the terms are not needed again
    report.timings["related"] = time.perf_counter() - started

    started = time.perf_counter()
    renderer = PageRenderer(archive, config, bibtex.citation_keys(archive.papers))
    try:
        # Everything that can refuse the archive runs before the first page is written.
        others = site_files(archive, config, load_status(paths), renderer)
    except (OutputError, StatusError) as exc:
        raise BuildError.of(exc) from None
    done = _write_site(paths, renderer, others)
    report.written, report.unchanged, report.rendered = done.written, done.unchanged, done.rendered
    wanted = {urls.paper(p.id).source for p in archive.papers}
    wanted.update(done.files)
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


class _Loaded(NamedTuple):
    result: LoadResult
    topics_of: dict[str, list[str]]  # paper id -> its topics
    terms_of: dict[str, str]  # paper id -> its text's terms (related.terms)
    parsed: int  # paper files read anew (the rest came from .cache/)


def _load(paths: Paths, taxonomy: Taxonomy) -> _Loaded:
    """Read every paper, apply the topic rules and find the terms its related papers are
    found by, on all cores for a large archive.

    A file whose bytes are those it had at the last build is not parsed again: its paper,
    topics and terms come from ``.cache/`` (:mod:`generator.buildcache`; the taxonomy, and
    the code that finds terms, are part of its fingerprint). YAML parsing, topic matching
    and text analysis are most of the Python time of a large build and each paper is
    independent, so the other files go to forked workers in contiguous slices; results
    keep file order, so error listings stay in order.
    """
    files = [
        (path, path.relative_to(paths.papers).as_posix()) for path in iter_paper_paths(paths.papers)
    ]
    current = buildcache.fingerprint(paths.topics.read_bytes())
    known = buildcache.load(paths.load_cache, current)
    entries: dict[str, tuple[bytes | None, Paper, list[str], str]] = {}  # by file, in papers/
    todo: dict[Path, tuple[str, bytes | None]] = {}
    for path, rel in files:
        digest = _digest_of(path)  # None when unreadable: read_paper names the problem
        entry = known.get(rel)
        if digest is not None and entry is not None and entry[0] == digest:
            entry[1].path = path
            entries[rel] = entry
        else:
            todo[path] = (rel, digest)
    processes = workers.count(len(todo))
    if processes <= 1:
        parts = [_load_slice(list(todo), taxonomy)]
    else:
        slices = workers.chunks(list(todo), processes)
        with workers.pool(processes) as pool:
            parts = list(pool.map(_load_slice, slices, [taxonomy] * len(slices)))
    result = LoadResult()
    for found, errors in parts:
        result.errors.extend(PaperFileError(*e) for e in errors)
        for paper, topics, terms in found:
            rel, digest = todo[paper.path]
            entries[rel] = (digest, paper, topics, terms)
    topics_of: dict[str, list[str]] = {}
    terms_of: dict[str, str] = {}
    for _, rel in files:
        if rel in entries:  # else an error, listed above
            _, paper, topics_of[paper.id], terms_of[paper.id] = entries[rel]
            result.papers.append(paper)
    kept = {rel: entry for rel, entry in entries.items() if entry[0] is not None}
    if todo or len(kept) != len(known):
        buildcache.save(paths.load_cache, current, kept)
    return _Loaded(result, topics_of, terms_of, len(todo))


def _load_slice(
    files: list[Path], taxonomy: Taxonomy
) -> tuple[list[tuple[Paper, list[str], str]], list[tuple[Path, int | None, str]]]:
    """Each readable file's paper with its topics and terms, and the errors (picklable)."""
    loaded = load_archive(files[0].parent if files else Path("."), files)
    errors = [(e.path, e.line, e.message) for e in loaded.errors]
    return [(p, taxonomy.assign(p), related.terms(p)) for p in loaded.papers], errors


@dataclass
class _Work:
    """What the forked workers write (they inherit it, see ``workers.py``)."""

    docs: Path
    renderer: PageRenderer
    parts: list[Callable[[], Files]]  # every generated file but the paper pages
    kept: dict[str, tuple[bytes, bytes]]  # the last build's paper pages: source: digests


class _Written(NamedTuple):
    written: int
    unchanged: int
    rendered: int  # paper pages
    files: list[str]  # the other files (a paper page's path is known from its paper)
    pages: dict[str, tuple[bytes, bytes]]  # paper page source: digests of inputs and text


_work: _Work | None = None


def _write_site(paths: Paths, renderer: PageRenderer, parts: list[Callable[[], Files]]) -> _Written:
    """Write every generated file, on all cores for a large archive: each part of the
    other files, and each slice of the paper pages, is a job for the next free worker.

    A paper page whose inputs and file are what they were at the last build is neither
    rendered nor written (``.cache/paper-pages.pickle``, see :mod:`generator.buildcache`):
    on a daily build the other parts are then most of the work, and they run side by side.
    """
    global _work
    papers = renderer.archive.papers
    current = buildcache.fingerprint(repr(renderer.config).encode())
    known = buildcache.load(paths.page_cache, current)
    processes = workers.count(len(papers))
    slices = workers.chunks(range(len(papers)), processes) if papers else []
    _work = _Work(paths.docs, renderer, parts, known)
    try:
        if processes <= 1:
            results = [_write_part(i) for i in range(len(parts))]
            results += [_write_papers(part.start, part.stop) for part in slices]
        else:
            with workers.pool(processes) as pool:
                jobs = [pool.submit(_write_part, i) for i in range(len(parts))]
                jobs += [pool.submit(_write_papers, part.start, part.stop) for part in slices]
                results = [job.result() for job in jobs]
    finally:
        _work = None
    pages = {source: digests for result in results for source, digests in result.pages.items()}
    if pages != known:
        buildcache.save(paths.page_cache, current, pages)
    return _Written(
        sum(r.written for r in results),
        sum(r.unchanged for r in results),
        sum(r.rendered for r in results),
        [rel for r in results for rel in r.files],
        pages,
    )


def _write_part(index: int) -> _Written:
    assert _work is not None
    written, files = 0, []
    for rel, text in _work.parts[index]():
        target = _work.docs / rel
        write = write_gzip_if_changed if target.suffix == ".gz" else write_if_changed
        written += write(target, text)
        files.append(rel)
    return _Written(written, len(files) - written, 0, files, {})


def _write_papers(start: int, stop: int) -> _Written:
    assert _work is not None
    renderer, docs = _work.renderer, _work.docs
    written, rendered, pages = 0, 0, {}
    for paper in renderer.archive.papers[start:stop]:
        inputs = renderer.paper_inputs(paper)
        key = inputs.key()
        source = urls.paper(paper.id).source
        before = _work.kept.get(source)
        if before is not None and before[0] == key and _digest_of(docs / source) == before[1]:
            pages[source] = before
            continue
        source, text = renderer.render_paper(inputs)
        rendered += 1
        written += write_if_changed(docs / source, text)
        pages[source] = (key, buildcache.digest(text.encode("utf-8")))
    return _Written(written, stop - start - written, rendered, [], pages)


def _digest_of(path: Path) -> bytes | None:
    try:
        return buildcache.digest(path.read_bytes())
    except OSError:
        return None


def _prune(docs: Path, wanted: set[str]) -> int:
    """Remove the generated files of ``docs/`` that no longer are (``wanted``: the paths,
    relative to it, of those that are), and the folders that leaves empty."""
    removed = 0
    for name in urls.GENERATED_FILES:
        if name not in wanted and (docs / name).is_file():
            (docs / name).unlink()
            removed += 1
    for folder in urls.GENERATED_DIRS:
        # bottom-up, so a folder is looked at after its files and folders are gone
        for dirpath, _dirs, files in os.walk(docs / folder, topdown=False):
            rel = Path(dirpath).relative_to(docs).as_posix()
            for name in files:
                if f"{rel}/{name}" not in wanted:
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
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
        made = incremental_hook.outputs(paths.site_manifest)
        built = search.Built(*made) if made else None
        search.index_site(paths.site, report.listed, cache=paths.search_cache, built=built)
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
