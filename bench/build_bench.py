"""Build benchmark: a synthetic archive of N papers through the real ``paper-archive build``.

    python bench/build_bench.py [N ...] [--query WORD ...] [--archives DIR] [--keep DIR]
                                [--bytes] [--daily]

For each N it writes a synthetic archive (``bench/synthetic.py``: ~1.2 KB abstracts, ~8
authors, 5-10 keywords, 15% annotated, 50 papers a day), runs the build as a child process
exactly as a user would, and prints one Markdown table row: the build's own step timings,
total wall time, CPU time, peak RSS of the whole process tree (sampled from /proc every
50 ms, summed over the build and its children: pages a forked worker shares with its parent
count once per process) and peak PSS (every 0.5 s: each shared page split among the
processes sharing it, so the sum is the memory the tree holds), site size, the sizes of
the tar and of the artifact the Pages workflow uploads (``actions/upload-pages-artifact``
tars ``site/``, dereferencing links, and recommends a tar under 1 GB;
``actions/upload-artifact`` zips that tar with deflate level 6; ``deploy-pages`` warns when
the artifact passes 1 GB): here a tar of ``site/`` streamed through zlib at level 6, never
held in memory), median paper page size, the
bytes each one-word search transfers (a rare word and the commonest), and what choosing
"Newest" then adds for the first word. Those are measured in Debian's chromium (Playwright):
the site is served on 127.0.0.1, the query typed into the header search, and the body of
every request finished between the first keystroke and a second after the results show is
summed as Chromium reports it (``request.sizes()["responseBodySize"]``: the encoded body
bytes on the wire). The local server compresses as GitHub Pages does: gzip for html, css,
js, json, xml and svg when the request accepts it; everything else, including wasm (not
documented either way for GitHub Pages), as is. Pagefind's index files are gzipped already.
``--bytes`` prints, after the table, where each site's bytes go (file groups); ``--daily``
then adds one listing day of 50 papers to each archive and times ``build --incremental``
as the daily workflow runs it: the first build's ``site/``, ``.cache/`` and ``docs/papers/``
in place (its cache restored), the rest of ``docs/`` generated afresh (a new checkout has
none), and prints whether that build was incremental. ``--archives DIR`` takes each
synthetic archive from DIR, writing it there the first time (``bench/synthetic.py``'s
``cached_archive``; the build gets hard links to its files, and the daily's new day is
written beside them).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.browser import CHROMIUM, CHROMIUM_ARGS, OFF_SITE  # noqa: E402
from bench.synthetic import PER_DAY, cached_archive, make_archive  # noqa: E402

STEPS = ("load", "related", "generate", "mkdocs", "search")  # the build's own timings
COLUMNS = (
    "papers",
    "load s",
    "related s",
    "generate s",
    "MkDocs s",
    "search index s",
    "total s",
    "CPU s",
    "peak RSS MB",
    "peak PSS MB",
    "site MB",
    "tar MB",
    "artifact MB",
    "median paper page KB",
)


def header(words: list[str]) -> str:
    names = [*COLUMNS, *(f"“{w}” KB (requests)" for w in words), "+ sorted KB"]
    return f"| {' | '.join(names)} |\n|{' ---: |' * len(names)}"


def prepare(root: Path, n: int, seed: int, archives: Path | None) -> None:
    """A repository root: synthetic papers/ plus the real config, docs and theme.

    With ``archives`` the papers are hard links into the cached archive (the build only
    reads them), so no 100,000 files are written again; copies on another file system.
    """
    if archives is None:
        make_archive(root, n, seed=seed)
    else:
        cached = cached_archive(archives, n, seed) / "papers"
        shutil.copytree(cached, root / "papers", copy_function=_link_or_copy)
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, root / name)
    copy_docs(root)
    (root / "generator").symlink_to(REPO / "generator")  # theme + hook paths in mkdocs.yml


def new_checkout(root: Path) -> None:
    """``docs/`` as the daily workflow finds it: the pages in git, and ``docs/papers/``
    from the workflow's cache (with ``site/`` and ``.cache/``); the rest is generated."""
    for path in (root / "docs").iterdir():
        if path.name != "papers":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    copy_docs(root)


def copy_docs(root: Path) -> None:
    """The pages of docs/ that are in git (the build generates the rest)."""
    (root / "docs").mkdir(exist_ok=True)
    for name in ("about.md", "annotate.md"):
        shutil.copy(REPO / "docs" / name, root / "docs" / name)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, from /proc (pages a forked
    worker shares with its parent count once per process)."""
    return _tree_sum(pid, _rss)


def tree_pss(pid: int) -> int:
    """Proportional set size of ``pid`` and all its descendants: each shared page split
    among the processes sharing it, so the sum is the memory the tree really holds."""
    return _tree_sum(pid, _pss)


def _rss(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _pss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _tree_sum(pid: int, measure: Callable[[int], int]) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError):  # the process ended meanwhile
            total += measure(current)
        stack.extend(children.get(current, []))
    return total


def run_build(root: Path, *options: str) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(root), "build", *options],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = peak_pss = 0
    samples = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        if samples % 10 == 0:  # smaps_rollup walks every mapping: sampled less often
            peak_pss = max(peak_pss, tree_pss(process.pid))
        samples += 1
        time.sleep(0.05)
    wall = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{output}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  build: {output.splitlines()[-1]}", file=sys.stderr, flush=True)  # kept if later fails
    steps = dict(re.findall(r"(\w+) ([\d.]+)s", output.splitlines()[-1]))
    return {
        **{k: float(v) for k, v in steps.items()},
        "total": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "rss_mb": peak / 2**20,
        "pss_mb": peak_pss / 2**20,
        "incremental": float("; incremental (" in output.splitlines()[-1]),
    }


# Where the bytes go: (group, test on the path relative to site/), first match wins.
_FEED = ("xml", "atom", "json")


def _feed(p: str, folder: str) -> bool:
    return (
        p.startswith(folder)
        and p.rsplit("/", 1)[-1].split(".")[0] == "feed"
        and (p.rsplit(".", 1)[-1] in _FEED)
    )


BYTE_GROUPS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("paper pages", lambda p: p.startswith("papers/") and p.endswith(".html")),
    ("BibTeX, per paper", lambda p: p.startswith("papers/") and p.endswith(".bib")),
    ("BibTeX, per day", lambda p: p.startswith("days/") and p.endswith(".bib")),
    ("BibTeX, per topic", lambda p: p.startswith("topics/") and p.endswith(".bib")),
    ("day pages", lambda p: re.match(r"days/\d{4}/\d\d/\d\d/", p) is not None),
    ("month, year pages", lambda p: p.startswith("days/")),
    ("topic pages", lambda p: p.startswith("topics/") and p.endswith(".html")),
    ("tag pages", lambda p: p.startswith("tags/") and p.endswith(".html")),
    ("organization pages", lambda p: p.startswith("orgs/") and p.endswith(".html")),
    ("week pages", lambda p: p.startswith("weeks/") and p.endswith(".html")),
    ("sitemap", lambda p: p.startswith("sitemap.xml")),
    ("feeds: site and weekly", lambda p: "/" not in p and p.rsplit(".", 1)[-1] in (
        *_FEED, "opml")),
    ("feeds: topics", lambda p: _feed(p, "topics/")),
    ("feeds: tags", lambda p: _feed(p, "tags/")),
    ("feeds: organizations", lambda p: _feed(p, "orgs/")),
    ("open data", lambda p: p.startswith("data/")),
    ("search: fragments", lambda p: p.startswith("pagefind") and "/fragment/" in p),
    ("search: index and filters", lambda p: p.startswith("pagefind") and ("/index/" in p
     or "/filter/" in p or p.endswith(".pf_meta"))),
    ("search: code and sort keys", lambda p: p.startswith("pagefind")),
    ("home page", lambda p: p == "index.html"),
    ("annotated page", lambda p: p.startswith("annotated/")),
    ("other pages (indexes, trends, status, about)", lambda p: p.endswith(".html")),
    ("everything else (theme, assets, charts)", lambda p: True),
)  # fmt: skip


def where_bytes(site: Path) -> dict[str, tuple[int, int]]:
    """Bytes and files per group of BYTE_GROUPS."""
    found = {name: (0, 0) for name, _ in BYTE_GROUPS}
    for path in site.rglob("*"):
        if path.is_file():
            rel = path.relative_to(site).as_posix()
            name = next(name for name, test in BYTE_GROUPS if test(rel))
            size, files = found[name]
            found[name] = (size + path.stat().st_size, files + 1)
    return found


def site_sizes(site: Path) -> tuple[float, float]:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    pages = [p.stat().st_size for p in (site / "papers").glob("*/index.html")]
    return total / 2**20, statistics.median(pages) / 1024


class _DeflateCount(io.RawIOBase):
    """A write-only stream that deflates what it is given and counts its input and output."""

    def __init__(self, level: int) -> None:
        self._deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.given = 0
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.given += len(data)
        self.size += len(self._deflate.compress(data))
        return len(data)

    def finish(self) -> tuple[int, int]:
        self.size += len(self._deflate.flush())
        return self.given, self.size


def artifact_size(site: Path) -> tuple[int, int]:
    """Bytes of a tar of ``site/`` and of deflate level 6 over it, as the Pages artifact
    stores it. ``upload-pages-artifact``'s README recommends a tar under 1 GB (larger ones
    are "not guaranteed to succeed", often by passing the 10-minute deployment timeout);
    ``deploy-pages`` warns when the compressed artifact passes 1 GB.

    Hard links are stored as whole files, as ``tar --hard-dereference`` in
    upload-pages-artifact does (the build links unchanged pages and search bundles).
    The zip around the one tar adds a few hundred bytes, left out.
    """
    sink = _DeflateCount(6)
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.GNU_FORMAT) as tar:
        for path in sorted(site.rglob("*")):
            info = tarfile.TarInfo(path.relative_to(site).as_posix())
            stat = path.stat()
            info.mtime, info.mode = int(stat.st_mtime), stat.st_mode & 0o7777
            if path.is_dir():
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = stat.st_size
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
    return sink.finish()


# What GitHub Pages gzips (text types). Whether it also gzips application/wasm is not
# documented, so wasm is served as is; Pagefind's own index files are gzipped already.
GZIP_TYPES = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/xml",
    "text/xml",
    "image/svg+xml",
)


class _GzipServer(http.server.SimpleHTTPRequestHandler):
    """Serves ``site`` as GitHub Pages does: text types gzipped when the client accepts it."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the slashed URL
            path = path / "index.html"
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and kind.split(";")[0] in GZIP_TYPES):
            return super().send_head()
        body = _gzipped(path)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@functools.cache
def _gzipped(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def query_transfer(site: Path, word: str) -> tuple[int, int, int]:
    """Bytes and requests from typing ``word`` until results show, in a real browser, then
    the bytes that choosing "Newest" adds (the sort keys, the new results' fragments)."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_GzipServer, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    sizes: list[int] = []
    recording = False
    sorted_bytes = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.route(OFF_SITE, lambda r: r.abort())

            def record(request) -> None:
                if recording:
                    sizes.append(request.sizes()["responseBodySize"])

            page.on("requestfinished", record)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            recording = True
            page.locator(".pagefind-ui__search-input").press_sequentially(word, delay=30)
            page.locator(".pagefind-ui__result-title").first.wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1_000)  # fragments of the results still on their way
            query_bytes, requests = sum(sizes), len(sizes)
            first = page.locator(".pagefind-ui__result-link").first.get_attribute("href")
            page.select_option(".pa-search__sort", "date")
            page.wait_for_function(
                "href => document.querySelector('.pagefind-ui__result-link')"
                "?.getAttribute('href') !== href",
                arg=first,
                timeout=60_000,
            )
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1_000)
            recording = False
            sorted_bytes = sum(sizes) - query_bytes
            browser.close()
    finally:
        server.shutdown()
    return query_bytes, requests, sorted_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000, 30_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--query",
        action="append",
        help="a word to search for, repeatable [default: diffusion, model]",
    )
    parser.add_argument(
        "--archives", type=Path, help="take synthetic archives from DIR, writing them once"
    )
    parser.add_argument("--keep", type=Path, help="build in DIR/N and keep it")
    parser.add_argument("--bytes", action="store_true", help="print where the bytes go")
    parser.add_argument("--daily", action="store_true", help="time a build of one more day")
    args = parser.parse_args()
    words = args.query or ["diffusion", "model"]
    print(header(words), flush=True)
    breakdowns: dict[int, dict[str, tuple[int, int]]] = {}
    daily: dict[int, dict[str, float]] = {}
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{n}-", dir=args.keep))
        try:
            prepare(work, n, args.seed, args.archives)
            t = run_build(work)
            site_mb, page_kb = site_sizes(work / "site")
            tar_mb, artifact_mb = (size / 2**20 for size in artifact_size(work / "site"))
            queries = [query_transfer(work / "site", word) for word in words]
            cells = [
                f"{n:,}",
                *(f"{t.get(step, 0):.1f}" for step in STEPS),
                f"{t['total']:.1f}",
                f"{t['cpu']:.1f}",
                f"{t['rss_mb']:,.0f}",
                f"{t['pss_mb']:,.0f}",
                f"{site_mb:,.0f}",
                f"{tar_mb:,.0f}",
                f"{artifact_mb:,.0f}",
                f"{page_kb:.1f}",
                *(f"{size / 1024:,.0f} ({requests})" for size, requests, _ in queries),
                f"+{queries[0][2] / 1024:,.0f}",
            ]
            print(f"| {' | '.join(cells)} |", flush=True)
            if args.bytes:
                breakdowns[n] = where_bytes(work / "site")
            if args.daily:
                make_archive(work, n + PER_DAY, seed=args.seed, skip=n)  # one more day
                new_checkout(work)
                daily[n] = run_build(work, "--incremental")
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)

    if breakdowns:
        sizes = list(breakdowns)
        print(f"\n| where the bytes go | {' | '.join(f'{n:,} papers MB (files)' for n in sizes)} |")
        print(f"| --- |{' ---: |' * len(sizes)}")
        for name, _ in BYTE_GROUPS:
            cells = [f"{breakdowns[n][name][0] / 2**20:,.1f} ({breakdowns[n][name][1]:,})"
                     for n in sizes]  # fmt: skip
            print(f"| {name} | {' | '.join(cells)} |")
    if daily:
        print(
            "\n| one more day of 50 papers on | load s | related s | generate s | MkDocs s "
            "| search s | total s | CPU s | peak RSS MB | peak PSS MB | incremental |\n"
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        )
        for n, t in daily.items():
            steps = " | ".join(f"{t.get(s, 0):.1f}" for s in STEPS)
            print(
                f"| {n:,} | {steps} | {t['total']:.1f} | {t['cpu']:.1f} | {t['rss_mb']:,.0f} "
                f"| {t['pss_mb']:,.0f} | {'yes' if t['incremental'] else 'no'} |"
            )


if __name__ == "__main__":
    main()
