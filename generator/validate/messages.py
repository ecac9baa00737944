"""Problems as a contributor reads them: ``file:line: key: problem`` and a way to fix it.

A JSON Schema error names a path inside the data (``annotation.tags[1]``) and the rule it
broke; this module turns that into one sentence and finds the file line the path is on,
from the YAML composed with line marks. Composing is several times slower than loading,
so only files that failed pay for it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from generator.store.paperfile import compose

Location = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str
    warning: bool = False

    def format(self, base: Path | None = None) -> str:
        where = display(self.path, base)
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"

    def format_github(self, base: Path | None = None) -> str:
        """A GitHub Actions workflow command, shown inline on the pull request's diff."""
        where = f"file={display(self.path, base)}" + (f",line={self.line}" if self.line else "")
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


_KINDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "integer": "a whole number",
    "null": "nothing",
}


def schema_problems(
    validator: jsonschema.Draft7Validator, data: dict[str, Any]
) -> Iterable[tuple[Location, str]]:
    """Every schema error of ``data``, each as (where, one readable sentence)."""
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    for error in errors:
        where = tuple(error.absolute_path)
        kind, expected, value = error.validator, error.validator_value, error.instance
        hint = error.schema.get("x-message")
        if kind == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(value) - set(allowed), key=str):
                yield (*where, str(key)), f"unknown key{suggest(str(key), allowed, fallback=True)}"
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
                (f"{value!r} is not one of {', '.join(choices)}{suggest(str(value), choices)}"),
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


def suggest(word: str, choices: Iterable[str], *, fallback: bool = False) -> str:
    """``; did you mean 'x'?`` for a near miss, else nothing (or the choices)."""
    choices = sorted(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if fallback:
        return f"; expected one of: {', '.join(choices)}"
    return ""


def dotted(where: Location) -> str:
    """``annotation.links[0].url`` for ``("annotation", "links", 0, "url")``."""
    text = ""
    for step in where:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


class LineFinder:
    """File line of a key or list item, from the YAML composed with marks (errors only)."""

    def __init__(self, front: str) -> None:
        try:
            self.root = compose(front)
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


def display(path: Path, base: Path | None = None) -> str:
    try:
        return str(path.relative_to(base or Path.cwd()))
    except ValueError:
        return str(path)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
