"""Lighthouse 12 over every page type of the sample site, desktop and mobile: prints the
accessibility, best-practices and performance scores as a table (README, Benchmarks).

The site is bench/sample_site.py's, served on 127.0.0.1; Lighthouse drives Debian's
Chromium (CHROME_PATH). Hugging Face's CDN is out of reach here, so the two thumbnails come
from the same server (1200x630 PNGs, the size of a social preview), as they would load in
production rather than fail. The 404 page is audited at /404.html, since Lighthouse will not
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
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.browser import CHROMIUM, LIGHTHOUSE  # noqa: E402
from bench.sample_site import (  # noqa: E402
    SUB_PATH,
    build_every_page_type,
    sample_root,
    serve,
    served_folder,
)

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


def png(width: int, height: int) -> bytes:
    """A plain grey PNG (a stand-in thumbnail)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = (b"\x00" + b"\x9e\x9e\xa8" * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kinds", nargs="*", help="page types (default: all)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; medians printed")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `make bench-deps`")
    with tempfile.TemporaryDirectory() as tmp:
        paths = sample_root(Path(tmp))
        thumbs = served_folder(paths.site) / "thumbnails"
        thumbs.mkdir(parents=True)
        with serve(paths.site) as base:
            local = base.replace(SUB_PATH, "/thumbnails/")
            urls = build_every_page_type(paths, thumbnails=local)
            for p in paths.papers.rglob("*.md"):
                if local in p.read_text():
                    (thumbs / f"{p.stem}.png").write_bytes(png(1200, 630))
            urls["404"] = "404.html"
            table(base, args.kinds or list(urls), urls, args.runs)


def table(base: str, kinds: list[str], urls: dict[str, str], runs: int) -> None:
    """Prints one row per page type, each score the median of ``runs`` runs."""
    print(
        "| page type | desktop a11y | desktop best practices | desktop perf "
        "| mobile a11y | mobile best practices | mobile perf |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in kinds:
        cells = []
        for form in ("desktop", "mobile"):
            scores = [audit(base + urls[kind], form) for _ in range(runs)]
            cells += [statistics.median(r[c] for r in scores) for c in CATEGORIES]
        print(f"| {kind} | " + " | ".join(f"{c:g}" for c in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
