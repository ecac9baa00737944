"""A synthetic but realistic archive, for benchmarks of ``validate`` and ``build``.

Standalone on purpose (only the generator package and the standard library), so any
benchmark can call :func:`make_archive`. The same seed always writes the same bytes.
Shape per paper, from the real API: ~1.2 KB abstract, ~8 authors, 5-10 AI keywords,
~50 papers a listing day; 15% carry a human annotation and most of those have notes.

Writing a large archive takes minutes, so :func:`cached_archive` keeps one per size and
seed in a folder that benchmarks share (``--archives DIR``), under a name that changes
whenever what the generator writes does.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from generator.model import Paper
from generator.store import paperfile
from generator.store.archive import paper_path

PER_DAY = 50
ANNOTATED_SHARE = 0.15
FIRST_DAY = dt.date(2024, 1, 2)

SEED_PAPERS = Path(__file__).resolve().parents[1] / "tests" / "data" / "seed_papers.json"
# Syllables for generated names: real archives rarely repeat an author, and every new name
# is a new word for the search index, so a handful of names would flatter Pagefind.
_FIRST_SYLLABLES = (
    "a",
    "ai",
    "al",
    "an",
    "bo",
    "chen",
    "da",
    "el",
    "fa",
    "gi",
    "ha",
    "hui",
    "i",
    "jia",
    "jun",
    "ka",
    "ki",
    "la",
    "li",
    "lu",
    "ma",
    "mi",
    "na",
    "ni",
    "o",
    "pe",
    "qi",
    "ra",
    "ri",
    "sa",
    "shu",
    "ta",
    "ti",
    "to",
    "ul",
    "va",
    "wen",
    "xi",
    "ya",
    "yu",
    "ze",
    "zhi",
)
_LAST_SYLLABLES = (
    "ba",
    "ber",
    "chi",
    "dal",
    "der",
    "do",
    "en",
    "fer",
    "gan",
    "gu",
    "han",
    "ho",
    "ka",
    "kov",
    "lan",
    "ler",
    "lin",
    "ma",
    "mann",
    "mor",
    "nen",
    "no",
    "o",
    "pa",
    "ri",
    "ro",
    "san",
    "sen",
    "ski",
    "son",
    "ta",
    "ton",
    "tz",
    "van",
    "vic",
    "wa",
    "wang",
    "yan",
    "yo",
    "zhou",
    "zi",
    "zu",
)
COMMON_NAME_SHARE = 0.4  # the rest are generated, mostly unique across the archive


@functools.cache
def vocabulary() -> tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...]]:
    """Words of the real seed abstracts and titles with cumulative weights by frequency,
    and the seed papers' author name parts (the common names)."""
    seeds = json.loads(SEED_PAPERS.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    names: set[str] = set()
    for item in seeds:
        paper = item["paper"]
        text = f"{paper['title']} {paper['summary']}"
        counts.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9'-]*", text))
        names.update(part for a in paper["authors"] for part in a["name"].split())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    words = tuple(w for w, _ in ranked)
    return words, tuple(itertools.accumulate(c for _, c in ranked)), tuple(sorted(names))


def _generated_name(rng: random.Random, syllables: Sequence[str]) -> str:
    return "".join(rng.choices(syllables, k=rng.choice((2, 2, 3)))).capitalize()


def _author(rng: random.Random) -> str:
    common = vocabulary()[2]
    if rng.random() < COMMON_NAME_SHARE:
        return f"{rng.choice(common)} {rng.choice(common)}"
    return f"{_generated_name(rng, _FIRST_SYLLABLES)} {_generated_name(rng, _LAST_SYLLABLES)}"


_HANDLES = ("octocat", "hubot", "mona", "ada-l", "kimchi", "ngoc", "rustacean", "zed")
_ORGS = ("Google", "Meta", "Microsoft", "Alibaba", "Tencent", "NVIDIA", "Qwen", "DeepSeek")
_TAGS = (
    "in-context-learning",
    "reproduction",
    "benchmark",
    "rlhf",
    "long-context",
    "efficiency",
    "open-weights",
    "dataset",
)
_STATUS = ("read", "reproduced", "disputed", "not-reproduced")


def make_archive(
    root: Path, n: int, seed: int = 0, topics: Sequence[str] = (), *, skip: int = 0
) -> list[Path]:
    """Write ``n`` paper files under ``root/papers/`` and return their paths in order.

    ``root`` is a repository root (the folder that holds ``papers/``). Annotated papers
    get an ``annotation.topics`` override only when ``topics`` (slugs) is given, so the
    archive stays valid against whatever taxonomy the caller has. The first ``skip``
    papers are drawn but not written: an archive of ``n - skip`` more papers on top of one
    of ``skip`` made with the same seed (papers are drawn in order, so those are the same).
    """
    jobs = _jobs(n, seed, topics)
    # Rendering is most of the time: spread it over cores.
    todo = jobs[skip:]
    chunks = [todo[i : i + 500] for i in range(0, len(todo), 500)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_write, chunks, itertools.repeat(root / "papers")))
    return [root / "papers" / path for path, *_ in jobs]


def cached_archive(folder: Path, n: int, seed: int = 0) -> Path:
    """The repository root of an archive of ``n`` papers from ``seed`` under ``folder``,
    written there first if it is not there yet; read it, never write into it.

    Its name holds a digest of the first papers' bytes, so a generator that writes
    something else makes a new archive rather than reusing a stale one. It is written
    beside its final name and renamed into place, so an interrupted run leaves no half.
    """
    sample = _jobs(min(n, 200), seed, ())
    digest = hashlib.sha256("".join(_render(*job[1:]) for job in sample).encode()).hexdigest()
    root = folder / f"{n}-seed{seed}-{digest[:12]}"
    if not (root / "papers").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=folder))
        make_archive(partial, n, seed)
        try:
            partial.rename(root)
        except OSError:  # another run finished the same archive first
            shutil.rmtree(partial)
    return root


def _jobs(n: int, seed: int, topics: Sequence[str]) -> list[tuple[Path, Paper, str, str]]:
    """(path under papers/, paper, annotation block, notes) of the first ``n`` papers."""
    rng = random.Random(seed)
    serial: dict[str, int] = {}
    jobs = []
    for i in range(n):
        listed = FIRST_DAY + dt.timedelta(days=i // PER_DAY)
        published = listed - dt.timedelta(days=rng.randint(0, 6))
        yymm = f"{published:%y%m}"
        serial[yymm] = serial.get(yymm, 0) + rng.randint(1, 40)
        paper = _paper(rng, f"{yymm}.{serial[yymm]:05d}", listed, published)
        human, body = ("", "")
        if rng.random() < ANNOTATED_SHARE:
            human, body = _annotation(rng, listed, topics)
        jobs.append((paper_path(Path(), paper.id, listed), paper, human, body))
    return jobs


def _write(chunk: list[tuple[Path, Paper, str, str]], papers: Path) -> None:
    for path, paper, human, body in chunk:
        target = papers / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_render(paper, human, body), encoding="utf-8", newline="")


if hasattr(yaml, "CSafeDumper"):

    class _FastDumper(yaml.CSafeDumper):
        """libyaml's emitter with the paper-file writer's settings: the same bytes for
        this generator's papers (tests/test_synthetic.py checks) at a tenth of the time."""

        represent = paperfile._Dumper.represent

    def _render(paper: Paper, human: str, body: str) -> str:
        machine = paperfile.dump_machine(paper, _FastDumper)
        return f"---\n{machine}{human}---\n{body}"

else:  # pragma: no cover - PyYAML built without libyaml
    _render = paperfile.render


def _words(rng: random.Random, k: int) -> list[str]:
    words, cumulative, _ = vocabulary()
    return rng.choices(words, cum_weights=cumulative, k=k)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(_words(rng, words))
    return text[0].upper() + text[1:] + "."


def _paper(rng: random.Random, arxiv_id: str, listed: dt.date, published: dt.date) -> Paper:
    abstract = " ".join(_sentence(rng, rng.randint(14, 24)) for _ in range(9))
    return Paper(
        id=arxiv_id,
        title=_sentence(rng, rng.randint(6, 14))[:-1],
        listed=listed,
        authors=[_author(rng) for _ in range(rng.randint(3, 13))],
        abstract=abstract,
        published=published,
        upvotes=int(rng.paretovariate(1.2)) - 1,
        comments=rng.randint(0, 4),
        organization={"name": rng.choice(_ORGS)} if rng.random() < 0.4 else None,
        github=f"https://github.com/example/{arxiv_id}" if rng.random() < 0.3 else None,
        github_stars=rng.randint(0, 3000) if rng.random() < 0.3 else None,
        ai_summary=_sentence(rng, rng.randint(20, 35)),
        ai_keywords=[" ".join(_words(rng, 2)) for _ in range(rng.randint(5, 10))],
        thumbnail=f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
        submitted_by=rng.choice(_HANDLES),
        fetched=listed + dt.timedelta(days=1),
    )


def _annotation(rng: random.Random, listed: dt.date, topics: Sequence[str]) -> tuple[str, str]:
    lines = [
        "annotation:",
        f"  tldr: {_sentence(rng, rng.randint(8, 24))[:280]}",
        f"  tags: [{', '.join(sorted(rng.sample(_TAGS, rng.randint(1, 3))))}]",
        f"  contributors: [{rng.choice(_HANDLES)}-{rng.randint(1, 99)}]",
    ]
    if topics:
        lines.append(f"  topics: [{rng.choice(list(topics))}]")
    if rng.random() < 0.5:
        lines.append(f"  status: {rng.choice(_STATUS)}")
    if rng.random() < 0.3:
        lines += [
            "  links:",
            "    - title: Reproduction notes",
            "      url: https://example.org/notes",
        ]
    lines.append(f"  updated: {listed + dt.timedelta(days=rng.randint(1, 60))}")
    body = ""
    if rng.random() < 0.8:
        body = "\n" + "\n\n".join(_sentence(rng, rng.randint(15, 40)) for _ in range(3)) + "\n"
    return "\n".join(lines) + "\n", body


if __name__ == "__main__":  # python bench/synthetic.py DIR [N]
    make_archive(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 30_000)
