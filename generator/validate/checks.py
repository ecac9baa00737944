"""Check paper files against the published contract, one line per problem.

The contract is ``generator/schema/paper.schema.json`` (a JSON Schema that editors can use
too) plus what a schema cannot say: the folder matches ``listed``, the file name matches
``id``, no id has two files, and every ``annotation.topics`` slug exists in ``topics.yml``.

The files, the topics and each file's reading are the build's own: ``iter_paper_paths``,
:meth:`Taxonomy.load` and the store's paper reader, so every input ``build`` refuses is
refused here with the same message, and every file that passes here is one the build reads.
The contract is stricter than the build on purpose: the site leaves out what it cannot show
safely (a tag that is no slug), so a file pushed directly still builds, while a pull request
is told.

Speed matters because CI validates the whole archive on every pull request: the fast path
is one C-accelerated YAML load and one compiled schema check per file, spread over the
CPU cores. Only a file that fails gets the slow path: every schema error (via
``jsonschema``) and the YAML composed with line marks, so each message names its line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from generator import ids, workers
from generator.errors import ArchiveError
from generator.store.archive import iter_paper_paths
from generator.store.paperfile import (
    PaperFileError,
    decode,
    load_front,
    paper_from_front,
    split,
)
from generator.topics import Taxonomy
from generator.validate.messages import (
    LineFinder,
    Location,
    Problem,
    Report,
    display,
    dotted,
    schema_problems,
    suggest,
)

SCHEMA_PATH = Path(__file__).parent.parent / "schema" / "paper.schema.json"


class ValidateError(ArchiveError):
    """Validation could not run at all (git is missing, or the revision is unknown)."""


@dataclass
class _FileResult:
    """What the parent needs back from a worker: kept small, since it crosses processes."""

    id: str | None = None
    problems: list[Problem] = field(default_factory=list)


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _fast_validator():
    return fastjsonschema.compile(schema())


@cache
def _full_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema())


def topic_slugs(path: Path) -> frozenset[str]:
    """The slugs a human may choose in ``annotation.topics``: those the build assigns.

    A taxonomy the build refuses raises its :class:`~generator.topics.TopicsError` here too.
    """
    return frozenset(Taxonomy.load(path).by_slug)


def validate(
    targets: Sequence[Path],
    papers_dir: Path,
    topics_file: Path,
    *,
    jobs: int | None = None,
) -> Report:
    """Check every paper file under ``targets`` (files or folders).

    Duplicate ids are looked for across the whole of ``papers_dir``, not only the
    targets, so validating one new file still finds the paper's existing file.
    """
    files = list(dict.fromkeys(_expand(targets)))
    topics = topic_slugs(topics_file)
    processes = workers.count(len(files), cap=jobs)
    if processes > 1:
        parts = workers.chunks(files, processes)
        with workers.pool(processes) as pool:
            done = pool.map(_check_chunk, parts, [topics] * len(parts))
            results = [result for chunk in done for result in chunk]
    else:
        results = _check_chunk(files, topics)

    report = Report(files=len(files))
    for result in results:
        report.problems.extend(result.problems)
    whole = [t.absolute() for t in targets] == [papers_dir.absolute()]
    report.problems.extend(_duplicates(files, results, None if whole else papers_dir))
    report.problems.sort()
    return report


def _expand(targets: Iterable[Path]) -> Iterable[str]:
    """Absolute file names as text: the build's walk for folders, a file as it is."""
    for target in targets:
        if target.is_dir():
            yield from map(str, iter_paper_paths(target.absolute()))
        else:
            yield str(target.absolute())


def _check_chunk(paths: Sequence[str], topics: frozenset[str]) -> list[_FileResult]:
    return [check_file(path, topics) for path in paths]


def check_file(path: str, topics: frozenset[str]) -> _FileResult:
    """All problems of one file: the fast path returns as soon as everything is fine."""
    result = _FileResult()
    try:
        parts = split(decode(path), path)
        data = load_front(parts.front, path)
    except PaperFileError as exc:
        result.problems.append(Problem(Path(path), exc.line or 0, exc.message))
        return result
    try:
        paper_from_front(parts, data, path)
        unreadable = None
    except PaperFileError as exc:
        unreadable = exc
    front = parts.front
    _dates_to_text(data)
    found: list[tuple[Location, str]] = []
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        found = list(schema_problems(_full_validator(), data)) or [((), exc.message)]
    found.extend(_contract_problems(data, path, topics))
    if _has_repeats(_MAYBE_KEY.findall(front)):
        result.problems.extend(_duplicate_keys(front, path))
    if found:
        lines = LineFinder(front)
        result.problems.extend(
            Problem(Path(path), lines.line(at), f"{dotted(at)}: {message}" if at else message)
            for at, message in found
        )
    elif unreadable is not None:
        # The schema's sentences say more, but where it has none the build's reason stands.
        result.problems.append(Problem(Path(path), unreadable.line or 0, unreadable.message))
    raw_id = data.get("id")
    result.id = ids.normalize(raw_id) if ids.is_valid(raw_id) else None
    return result


# A top-level key or a key of a block-style annotation: cheap to find, may over-match.
_MAYBE_KEY = re.compile(r"^( {0,2})([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|\r?$)", re.MULTILINE)


def _has_repeats(items: list) -> bool:
    return len(items) != len(set(items))


def _duplicate_keys(front: str, path: str) -> Iterable[Problem]:
    """YAML keeps the last of two equal keys; a second ``annotation:`` would hide the first."""
    root = LineFinder(front).root
    if not isinstance(root, yaml.MappingNode):
        return
    mappings: list[tuple[Location, yaml.MappingNode]] = [((), root)]
    for key, value in root.value:
        if key.value == "annotation" and isinstance(value, yaml.MappingNode):
            mappings.append((("annotation",), value))
    for where, node in mappings:
        seen: set[str] = set()
        for key, _ in node.value:
            if key.value in seen:
                yield Problem(
                    Path(path),
                    key.start_mark.line + 2,
                    f"{dotted((*where, key.value))}: this key appears twice; YAML keeps only "
                    "the last one",
                )
            seen.add(key.value)


def _dates_to_text(data: dict[str, Any]) -> None:
    """JSON Schema knows no dates: YAML dates become ISO text where the contract has dates.

    A date anywhere else stays a date object, so the schema reports it as the wrong type.
    """
    for key, value in data.items():
        if type(value) is dt.date:
            data[key] = value.isoformat()
    annotation = data.get("annotation")
    if isinstance(annotation, dict) and type(annotation.get("updated")) is dt.date:
        annotation["updated"] = annotation["updated"].isoformat()


def _contract_problems(
    data: dict[str, Any], path: str, topics: frozenset[str]
) -> Iterable[tuple[Location, str]]:
    raw_id = data.get("id")
    if isinstance(raw_id, str):
        try:
            paper_id = ids.normalize(raw_id)
        except ids.InvalidArxivId as exc:
            yield ("id",), str(exc)
        else:
            if f"{paper_id}.md" != os.path.basename(path):
                yield (
                    ("id",),
                    f"'{raw_id}' does not match the file name; rename it to {paper_id}.md",
                )
    listed = data.get("listed")
    if isinstance(listed, str):
        try:
            day = dt.date.fromisoformat(listed)
        except ValueError:
            day = None  # the schema already says why
        folder = "/".join(os.path.dirname(path).split(os.sep)[-3:])
        if day is not None and folder != f"{day:%Y/%m/%d}":
            yield (
                ("listed",),
                (
                    f"{listed} but the file is in {folder}/; a paper lives in the folder of its "
                    f"listing day, papers/{day:%Y/%m/%d}/"
                ),
            )
    annotation = data.get("annotation")
    chosen = annotation.get("topics") if isinstance(annotation, dict) else None
    if isinstance(chosen, list):
        for i, slug in enumerate(chosen):
            if isinstance(slug, str) and slug not in topics:
                yield (
                    ("annotation", "topics", i),
                    (f"'{slug}' is not a topic in topics.yml{suggest(slug, topics)}"),
                )


def _duplicates(
    files: list[str], results: list[_FileResult], papers_dir: Path | None
) -> Iterable[Problem]:
    """An id in two files, among the checked files or the file names in ``papers_dir``."""
    owners: dict[str, set[str]] = {}
    for path, result in zip(files, results, strict=True):
        if result.id:
            owners.setdefault(result.id, set()).add(path)
    for other in _expand([papers_dir]) if owners and papers_dir and papers_dir.is_dir() else ():
        stem = os.path.basename(other)[:-3]
        if stem in owners:
            owners[stem].add(other)
    for path, result in zip(files, results, strict=True):
        others = sorted(owners.get(result.id, set()) - {path}) if result.id else []
        if others:
            front = split(decode(path), path).front
            where = ", ".join(display(Path(p)) for p in others)
            yield Problem(
                Path(path),
                LineFinder(front).line(("id",)),
                f"id: '{result.id}' also has the file {where}; a paper has one file, "
                "in the folder of its first listing day",
            )
