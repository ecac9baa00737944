"""Lighthouse 12 over every page type of the sample site, desktop and mobile: prints the
accessibility, best-practices and performance scores as a table (README, Benchmarks).

The site is bench/sample_site.py's, served on 127.0.0.1; Lighthouse drives Debian's
Chromium (CHROME_PATH). The 404 page is audited at /404.html, since Lighthouse will not
score a page answered with status 404. Performance on 127.0.0.1 has no real network
latency (mobile is still throttled by Lighthouse's simulation) and varies with the load of
the machine; accessibility and best practices do not. Needs `make bench-deps`.

    python bench/lighthouse_bench.py [--runs N] [PAGE TYPE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.browser import CHROMIUM, LIGHTHOUSE  # noqa: E402
from bench.sample_site import build_every_page_type, sample_root, serve  # noqa: E402

CATEGORIES = ("accessibility", "best-practices", "performance")
FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def audit(url: str, form: str) -> dict[str, int]:
    """One Lighthouse run: {category: score 0-100}."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        "--output-path=stdout",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={FLAGS}",
    ]
    if form == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(f"{url} ({form}): {report['runtimeError']['message']}")
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    failed = [
        a["id"]
        for c in CATEGORIES[:2]
        for ref in report["categories"][c]["auditRefs"]
        if ref["weight"] and (a := report["audits"][ref["id"]])["score"] not in (None, 1)
    ]
    if failed:
        print(f"  {url} ({form}) failed audits: {', '.join(failed)}", file=sys.stderr)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kinds", nargs="*", help="page types (default: all)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; medians printed")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `make bench-deps`")
    with tempfile.TemporaryDirectory() as tmp:
        paths = sample_root(Path(tmp))
        urls = build_every_page_type(paths)
        urls["404"] = "404.html"
        kinds = args.kinds or list(urls)
        print(
            "| page type | desktop a11y | desktop best practices | desktop perf "
            "| mobile a11y | mobile best practices | mobile perf |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        with serve(paths.site) as base:
            for kind in kinds:
                cells = []
                for form in ("desktop", "mobile"):
                    runs = [audit(base + urls[kind], form) for _ in range(args.runs)]
                    cells += [statistics.median(r[c] for r in runs) for c in CATEGORIES]
                print(f"| {kind} | " + " | ".join(f"{c:g}" for c in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
