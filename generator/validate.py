"""Check paper files against the published contract, one line per problem.

The contract is ``generator/schema/paper.schema.json`` (a JSON Schema that editors can use
too) plus what a schema cannot say: the folder matches ``listed``, the file name matches
``id``, no id has two files, and every ``annotation.topics`` slug exists in ``topics.yml``.

Speed matters because CI validates the whole archive on every pull request: the fast path
is one C-accelerated YAML load and one compiled schema check per file, spread over the
CPU cores. Only a file that fails gets the slow path: every schema error (via
``jsonschema``) and the YAML composed with line marks, so each message names its line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from generator import ids
from generator.config import PARALLEL_MIN
from generator.model import MACHINE_KEYS
from generator.store.paperfile import PaperFileError, load_front, split

SCHEMA_PATH = Path(__file__).parent / "schema" / "paper.schema.json"
# Below this many files (or per worker) a process pool costs more than it saves.
_PER_WORKER = 500

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

Location = tuple[str | int, ...]


class ValidateError(Exception):
    """Validation could not run at all (unreadable taxonomy, bad git revision)."""


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str
    warning: bool = False

    def format(self, base: Path | None = None) -> str:
        where = _display(self.path, base)
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"

    def format_github(self, base: Path | None = None) -> str:
        """A GitHub Actions workflow command, shown inline on the pull request's diff."""
        where = f"file={_display(self.path, base)}" + (f",line={self.line}" if self.line else "")
        text = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{'warning' if self.warning else 'error'} {where}::{text}"


@dataclass
class Report:
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def summary(self) -> str:
        errors, warnings = self.errors, self.warnings
        text = f"checked {self.files} paper file{'' if self.files == 1 else 's'}: "
        if errors:
            bad = len({p.path for p in errors})
            text += f"{_plural(len(errors), 'error')} in {_plural(bad, 'file')}"
        else:
            text += "no errors"
        if warnings:
            text += f", {_plural(len(warnings), 'warning')}"
        return text


@dataclass
class _FileResult:
    """What the parent needs back from a worker: kept small, since it crosses processes."""

    id: str | None = None
    uses_topics: bool = False
    problems: list[Problem] = field(default_factory=list)


# -- the taxonomy ---------------------------------------------------------------------


def load_topic_slugs(path: Path) -> frozenset[str] | None:
    """Slugs defined in ``topics.yml``, or None when the file does not exist.

    Accepts the taxonomy as a list of ``{slug: ..., name: ..., keywords: [...]}`` entries,
    or that list under a top-level ``topics:`` key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidateError(f"{path}: cannot read the topic taxonomy: {exc}") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ValidateError(f"{path}: broken YAML in the topic taxonomy: {exc}") from None
    if isinstance(data, dict) and "topics" in data:
        data = data["topics"]
    if not isinstance(data, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("slug"), str) for entry in data
    ):
        raise ValidateError(f"{path}: expected a list of topics, each with a 'slug'")
    return frozenset(entry["slug"] for entry in data)


# -- the schema -----------------------------------------------------------------------


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _fast_validator():
    return fastjsonschema.compile(schema())


@cache
def _full_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema())


# -- checking files -------------------------------------------------------------------


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
    topics = load_topic_slugs(topics_file)
    workers = min(jobs or os.cpu_count() or 1, max(1, len(files) // _PER_WORKER))
    if workers > 1 and len(files) >= PARALLEL_MIN:
        size = -(-len(files) // (workers * 4))
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = pool.map(_check_chunk, chunks, [topics] * len(chunks))
            results = [result for chunk in done for result in chunk]
    else:
        results = _check_chunk(files, topics)

    report = Report(files=len(files))
    for result in results:
        report.problems.extend(result.problems)
    whole = [t.absolute() for t in targets] == [papers_dir.absolute()]
    report.problems.extend(_duplicates(files, results, None if whole else papers_dir))
    if topics is None and any(r.uses_topics for r in results):
        report.problems.append(
            Problem(topics_file, 0, "not found, so annotation.topics were not checked", True)
        )
    report.problems.sort()
    return report


def _expand(targets: Iterable[Path]) -> Iterable[str]:
    """Absolute file names as text: at 30,000 files, Path objects are a measurable cost."""
    for target in targets:
        if target.is_dir():
            for dirpath, dirnames, filenames in os.walk(target.absolute()):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.endswith(".md") and not name.startswith("."):
                        yield os.path.join(dirpath, name)
        else:
            yield str(target.absolute())


def _check_chunk(paths: list[str], topics: frozenset[str] | None) -> list[_FileResult]:
    return [check_file(path, topics) for path in paths]


def check_file(path: str, topics: frozenset[str] | None) -> _FileResult:
    """All problems of one file: the fast path returns as soon as everything is fine."""
    result = _FileResult()
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        front = split(text, path).front
        data = load_front(front, path)
    except UnicodeDecodeError as exc:
        result.problems.append(Problem(Path(path), 0, f"not UTF-8 text ({exc.reason})"))
        return result
    except PaperFileError as exc:
        result.problems.append(Problem(Path(path), exc.line or 0, exc.message))
        return result
    annotation = data.get("annotation")
    result.uses_topics = isinstance(annotation, dict) and "topics" in annotation
    _dates_to_text(data)
    found: list[tuple[Location, str]] = []
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        found = list(_schema_problems(data)) or [((), exc.message)]
    found.extend(_contract_problems(data, path, topics))
    if _has_repeats(_MAYBE_KEY.findall(front)):
        result.problems.extend(_duplicate_keys(front, path))
    if found:
        lines = _LineFinder(front)
        result.problems.extend(
            Problem(Path(path), lines.line(at), f"{_dotted(at)}: {message}" if at else message)
            for at, message in found
        )
    raw_id = data.get("id")
    result.id = ids.normalize(raw_id) if ids.is_valid(raw_id) else None
    return result


# A top-level key or a key of a block-style annotation: cheap to find, may over-match.
_MAYBE_KEY = re.compile(r"^( {0,2})([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|\r?$)", re.MULTILINE)


def _has_repeats(items: list) -> bool:
    return len(items) != len(set(items))


def _duplicate_keys(front: str, path: str) -> Iterable[Problem]:
    """YAML keeps the last of two equal keys; a second ``annotation:`` would hide the first."""
    root = _LineFinder(front).root
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
                    f"{_dotted((*where, key.value))}: this key appears twice; YAML keeps only "
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
    data: dict[str, Any], path: str, topics: frozenset[str] | None
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
    if topics is not None and isinstance(chosen, list):
        for i, slug in enumerate(chosen):
            if isinstance(slug, str) and slug not in topics:
                yield (
                    ("annotation", "topics", i),
                    (f"'{slug}' is not a topic in topics.yml{_suggest(slug, topics)}"),
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
            with open(path, encoding="utf-8") as handle:
                front = split(handle.read(), path).front
            where = ", ".join(_display(Path(p)) for p in others)
            yield Problem(
                Path(path),
                _LineFinder(front).line(("id",)),
                f"id: '{result.id}' also has the file {where}; a paper has one file, "
                "in the folder of its first listing day",
            )


# -- turning schema errors into one readable line each -----------------------------------

_KINDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "integer": "a whole number",
    "null": "nothing",
}


def _schema_problems(data: dict[str, Any]) -> Iterable[tuple[Location, str]]:
    errors = sorted(_full_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
    for error in errors:
        where = tuple(error.absolute_path)
        kind, expected, value = error.validator, error.validator_value, error.instance
        hint = error.schema.get("x-message")
        if kind == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(value) - set(allowed), key=str):
                yield (*where, str(key)), f"unknown key{_suggest(str(key), allowed, fallback=True)}"
        elif kind == "required":
            for key in expected:
                if key not in value:
                    yield where, f"'{key}' is required"
        elif kind == "maxLength":
            yield where, f"{len(value)} characters, the limit is {expected}"
        elif kind == "minLength":
            yield where, "must not be empty"
        elif kind == "type":
            wanted = expected if isinstance(expected, list) else [expected]
            words = " or ".join(_KINDS.get(w, w) for w in wanted if w != "null")
            if error.schema.get("format") == "date":
                words = "a date YYYY-MM-DD"
            yield where, f"expected {words}, got {_describe(data, where)}"
        elif kind == "pattern":
            yield where, f"{value!r} {hint}" if hint else error.message
        elif kind == "enum":
            choices = [str(c) for c in expected]
            yield (
                where,
                (f"{value!r} is not one of {', '.join(choices)}{_suggest(str(value), choices)}"),
            )
        elif kind == "uniqueItems":
            yield where, "has the same item twice"
        elif kind == "minimum":
            yield where, f"{value} is below the minimum, {expected}"
        else:
            yield where, error.message


def _describe(data: dict[str, Any], where: Location) -> str:
    value: Any = data
    for step in where:
        value = value[step]
    if isinstance(value, dt.datetime):
        return f"a date and time ({value.isoformat()})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()}); quote it to make it text"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no/true/false are booleans in YAML; quote it)"
    if isinstance(value, (int, float)):
        return f"a number ({value}); quote it to make it text"
    if isinstance(value, str):
        return f"text ({value!r})"
    return _KINDS.get({list: "array", dict: "object"}.get(type(value), ""), type(value).__name__)


def _suggest(word: str, choices: Iterable[str], *, fallback: bool = False) -> str:
    choices = sorted(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if fallback:
        return f"; expected one of: {', '.join(choices)}"
    return ""


def _dotted(where: Location) -> str:
    text = ""
    for step in where:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


class _LineFinder:
    """File line of a key or list item, from the YAML composed with marks (errors only)."""

    def __init__(self, front: str) -> None:
        try:
            self.root = yaml.compose(front, Loader=_Loader)
        except yaml.YAMLError:
            self.root = None

    def line(self, where: Location) -> int:
        node, mark = self.root, None
        for step in where:
            if isinstance(node, yaml.MappingNode):
                # The last of equal keys, as that is the value YAML keeps.
                pair = next((p for p in reversed(node.value) if p[0].value == str(step)), None)
                if pair is None:
                    break
                mark, node = pair[0].start_mark, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    break
                node = node.value[step]
                mark = node.start_mark
            else:
                break
        if mark is None and node is not None and where == ():
            mark = node.start_mark
        # +1 for 1-based lines, +1 for the opening '---' line.
        return mark.line + 2 if mark is not None else 0


# -- pull requests that edit machine fields ------------------------------------------


def machine_edits(repo: Path, base: str, papers_dir: Path) -> list[Problem]:
    """Warnings for paper files whose machine fields differ from revision ``base``.

    ``fetch`` owns those fields and rewrites them from the API on its next run, so a
    hand edit there is lost; the warning says so without failing the check.
    """
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
        old_text = _git(repo, "show", f"{base}:{name}")
        new_text = path.read_text(encoding="utf-8")
        old = load_front(split(old_text, name).front, name)
        new_front = split(new_text, path).front
        new = load_front(new_front, path)
    except (PaperFileError, UnicodeDecodeError, ValueError):
        return  # the file check reports what is broken
    lines = None
    for key in MACHINE_KEYS:
        if old.get(key) != new.get(key):
            lines = lines or _LineFinder(new_front)
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


# -- small helpers --------------------------------------------------------------------


def _display(path: Path, base: Path | None = None) -> str:
    try:
        return str(path.relative_to(base or Path.cwd()))
    except ValueError:
        return str(path)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
