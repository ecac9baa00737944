"""Related-papers benchmark: the build's related step alone, on synthetic archives.

    python bench/related_bench.py [N ...] [--runs R] [--archives DIR]

For each N (default 30,000 and 100,000) it writes a synthetic archive
(``bench/synthetic.py``; with ``--archives DIR`` it takes the one cached there, writing it
the first time), loads it the way the build does (papers, their topics and the terms of
their text: analysing the text is part of the build's load step, whose cache keeps it),
then runs the related step in a fresh child process R times and prints one Markdown
table row: median wall time, CPU time (the process and its workers), peak RSS and peak
PSS of the process tree (sampled from /proc every 20 ms; RSS counts the pages forked
workers share with the process once per process, PSS splits them, so its sum is the
memory really held), and how many pages a new day rewrites: the related lists that differ
between the archive without its last day and the whole archive.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.build_bench import _tree_rss, tree_pss  # noqa: E402
from bench.synthetic import cached_archive, make_archive  # noqa: E402
from generator.build import _load  # noqa: E402
from generator.config import Paths  # noqa: E402
from generator.site.related import related_papers  # noqa: E402
from generator.topics import Taxonomy  # noqa: E402

HEADER = (
    "| papers | related s (median) | CPU s | peak RSS MB | peak PSS MB "
    "| lists a new day changes |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: |"
)


def _inputs(root: Path, work: Path) -> Path:
    """The loaded archive, pickled once into ``work``, so every timed run starts from the
    same bytes."""
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    read = _load(Paths(root), taxonomy)
    names = {t.slug: t.name for t in taxonomy.topics}
    path = work / "inputs.pickle"
    path.write_bytes(pickle.dumps((read.result.papers, read.topics_of, read.terms_of, names)))
    return path


def child(inputs: Path, skip_last_day: bool) -> None:
    """One related step, as the build runs it; prints its wall and CPU seconds as JSON."""
    papers, topics_of, terms_of, names = pickle.loads(inputs.read_bytes())
    if skip_last_day:
        last = max(p.listed for p in papers)
        papers = [p for p in papers if p.listed < last]
    started, cpu = time.perf_counter(), _cpu()
    found = related_papers(papers, topics_of, names, terms_of=terms_of)
    wall = time.perf_counter() - started
    print(json.dumps({"wall": wall, "cpu": _cpu() - cpu}))
    out = inputs.with_suffix(".old" if skip_last_day else ".new")
    out.write_bytes(pickle.dumps(found))


def _cpu() -> float:
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run(inputs: Path, skip_last_day: bool = False) -> tuple[dict, list[int]]:
    command = [sys.executable, __file__, "--child", str(inputs)]
    if skip_last_day:
        command.append("--skip-last-day")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            peak[1] = max(peak[1], tree_pss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"related step failed (exit {process.returncode})")
    return json.loads(output), peak


def bench(n: int, runs: int, archives: Path | None) -> str:
    work = Path(tempfile.mkdtemp(prefix=f"related-bench-{n}-"))
    try:
        if archives is None:
            root = work
            make_archive(root, n)
        else:
            root = cached_archive(archives, n)
        inputs = _inputs(root, work)
        results = [_run(inputs) for _ in range(runs)]
        _run(inputs, skip_last_day=True)
        old = pickle.loads(inputs.with_suffix(".old").read_bytes())
        new = pickle.loads(inputs.with_suffix(".new").read_bytes())
        changed = sum(1 for pid, items in old.items() if new[pid] != items)
        wall = statistics.median(r["wall"] for r, _ in results)
        cpu = statistics.median(r["cpu"] for r, _ in results)
        rss, pss = (max(p[i] for _, p in results) / 2**20 for i in (0, 1))
        share = f"{changed:,} ({changed / len(old):.1%})"
        return f"| {n:,} | {wall:.1f} | {cpu:.1f} | {rss:,.0f} | {pss:,.0f} | {share} |"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[30_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--archives", type=Path, help="take synthetic archives from DIR, writing them once"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip-last-day", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.skip_last_day)
        return
    print(HEADER, flush=True)
    for n in args.sizes:
        print(bench(n, args.runs, args.archives), flush=True)


if __name__ == "__main__":
    main()
