"""Time ``paper-archive validate`` over a synthetic archive (default 30,000 papers).

    python bench/validate_bench.py [--papers N] [--seed S] [--repeat R] [--keep DIR]

``--papers`` is ignored when ``--keep DIR`` already holds an archive.

Runs the real command in a subprocess (interpreter start-up included, as in CI) and prints
one Markdown table row: papers, median / min / max wall-clock seconds, the median CPU
seconds of all its processes, and the load average, since other work on the machine
shows up in wall-clock times but not in CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import make_archive  # noqa: E402

TOPICS = """\
topics:
- {slug: reasoning, name: Reasoning, keywords: [reasoning]}
- {slug: multimodal, name: Multimodal, keywords: [vision-language]}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, help="Build the archive here and keep it (reused if it exists)."
    )
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="validate-bench-"))
    try:
        if not (root / "papers").is_dir():
            started = time.perf_counter()
            make_archive(root, args.papers, seed=args.seed, topics=("reasoning", "multimodal"))
            (root / "topics.yml").write_text(TOPICS, encoding="utf-8")
            made = time.perf_counter() - started
            print(f"generated {args.papers} papers in {made:.1f} s", file=sys.stderr)
        command = [sys.executable, "-m", "generator", "--root", str(root), "validate"]
        times, cpu = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                sys.exit(f"validate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        # CPU seconds (all worker processes) say what an idle machine would take.
        print("| papers | median s | min s | max s | median CPU s | cores | load avg 1/5/15 |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        print(
            f"| {args.papers:,} | {statistics.median(times):.2f} | {min(times):.2f} "
            f"| {max(times):.2f} | {statistics.median(cpu):.2f} | {os.cpu_count()} | {load} |"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
