"""Pull requests that edit what ``fetch`` owns: a comparison with a git revision.

``fetch`` rewrites machine fields from the API on its next run, so a hand edit there is
lost; the warnings say so without failing the check.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from generator.model import MACHINE_KEYS
from generator.store.paperfile import decode, load_front, split
from generator.validate.checks import ValidateError
from generator.validate.messages import LineFinder, Problem


def machine_edits(repo: Path, base: str, papers_dir: Path) -> list[Problem]:
    """Warnings for paper files whose machine fields differ from revision ``base``,
    and for paper files deleted or added since then."""
    top = Path(_git(repo, "rev-parse", "--show-toplevel").strip())
    listing = _git(repo, "diff", "--name-status", "--no-renames", "-z", base, "--", str(papers_dir))
    fields = listing.split("\0")
    problems = []
    for status, name in zip(fields[0::2], fields[1::2], strict=False):
        path = top / name
        if not name.endswith(".md"):
            continue
        if status.startswith("D"):
            problems.append(
                Problem(path, 0, "paper file deleted; its annotation and notes go with it", True)
            )
        elif status.startswith("A"):
            problems.append(
                Problem(
                    path,
                    0,
                    "new paper file; fetch owns paper files and will rewrite its machine fields",
                    True,
                )
            )
        elif status.startswith("M"):
            problems.extend(_edited_fields(repo, base, name, path))
    return sorted(problems)


def _edited_fields(repo: Path, base: str, name: str, path: Path) -> Iterable[Problem]:
    try:
        old = load_front(split(_git(repo, "show", f"{base}:{name}"), name).front, name)
        new_front = split(decode(path), path).front
        new = load_front(new_front, path)
    except ValueError:  # PaperFileError, or a base version that is not UTF-8
        return  # the file check reports what is broken
    lines = None
    for key in MACHINE_KEYS:
        if old.get(key) != new.get(key):
            lines = lines or LineFinder(new_front)
            yield Problem(
                path,
                lines.line((key,)),
                f"{key}: machine field edited; fetch will overwrite it (put corrections in "
                "the annotation block or the notes)",
                True,
            )


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
        )
    except FileNotFoundError:
        raise ValidateError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise ValidateError(f"git {' '.join(args[:2])} failed: {exc.stderr.strip()}") from None
    return done.stdout
