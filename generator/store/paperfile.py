"""Read and write one paper file without ever touching its human-owned bytes.

A paper file is YAML front matter plus a Markdown body. ``fetch`` owns the machine keys
(:data:`generator.model.MACHINE_KEYS`); humans own the ``annotation:`` block, any other
top-level key and the body. Rewriting re-emits the machine keys from data and copies
every human region and the body verbatim, so nothing a contributor wrote can change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.model import MACHINE_KEYS, FieldError, Paper

try:  # the C loader is ~10x faster; it matters at 30,000 files
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$\n?", re.MULTILINE)


class PaperFileError(ValueError):
    """A paper file that cannot be read; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Split:
    """The three textual parts of a paper file."""

    front: str  # YAML text between the delimiters
    body: str  # everything after the closing delimiter, verbatim


def split(text: str, path: Path | str) -> Split:
    if not _OPEN.match(text):
        raise PaperFileError(path, 1, "a paper file must start with a '---' front matter line")
    start = _OPEN.match(text).end()
    close = _CLOSE.search(text, start)
    if close is None:
        raise PaperFileError(path, 1, "front matter is not closed by a '---' line")
    front = text[start : close.start()]
    return Split(front, text[close.end() :])


def load_front(front: str, path: Path | str) -> dict[str, Any]:
    try:
        data = yaml.load(front, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else None  # +1 for 1-based, +1 for the '---' line
        raise PaperFileError(path, line, f"broken YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise PaperFileError(path, None, f"broken YAML: {exc}") from None
    except ValueError as exc:  # PyYAML lets a date the calendar lacks (2026-02-30) escape
        line = _bad_date_line(front)
        raise PaperFileError(path, line, f"not a real date: {exc}") from None
    if not isinstance(data, dict):
        raise PaperFileError(path, 2, "front matter must be a mapping of keys to values")
    return data


def _bad_date_line(front: str) -> int | None:
    constructor = yaml.constructor.SafeConstructor()
    stack = [compose(front)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                constructor.construct_yaml_timestamp(node)
            except ValueError:
                return node.start_mark.line + 2
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
    return None


def key_line(front: str, key: str) -> int | None:
    """1-based file line of a top-level key, for error messages (slow path only)."""
    match = re.search(rf"^{re.escape(key)}\s*:", front, re.MULTILINE)
    return front.count("\n", 0, match.start()) + 2 if match else None


def compose(front: str) -> yaml.Node | None:
    """The front matter as YAML nodes with line marks (for messages: slower than loading)."""
    return yaml.compose(front, Loader=_Loader)


def read_text(path: Path | str, *, newline: str | None = None) -> str:
    """A paper file's text; ``newline=""`` keeps line ends as they are on disk, the default
    turns them into ``\\n`` as text mode would (reading bytes is the faster way to both)."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PaperFileError(path, None, f"not UTF-8 text ({exc.reason})") from None
    if newline is None and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_paper(path: Path) -> Paper:
    """Load one file into a :class:`Paper`, raising :class:`PaperFileError` on any problem."""
    text = read_text(path)
    parts = split(text, path)
    paper = paper_from_front(parts, load_front(parts.front, path), path)
    paper.path = path
    return paper


def paper_from_front(parts: Split, data: dict[str, Any], path: Path | str) -> Paper:
    """The build's verdict on loaded front matter: a :class:`Paper`, or why there is none.

    ``validate`` asks this too, so a file it passes is one the build can read.
    """
    annotation = data.get("annotation")
    if annotation is not None and not isinstance(annotation, dict):
        raise PaperFileError(
            path, key_line(parts.front, "annotation"), "annotation: must be a mapping"
        )
    try:
        return Paper.from_mapping(data, annotation=annotation, notes=parts.body)
    except FieldError as exc:
        raise PaperFileError(path, key_line(parts.front, exc.key), str(exc)) from None


def human_regions(front: str, path: Path | str) -> str:
    """The verbatim text of every top-level key that fetch does not own, in file order.

    Each region runs from just after the previous key's value to just before the next
    key, so comments and blank lines a contributor put around the block come along.
    """
    try:
        root = compose(front)
    except yaml.YAMLError as exc:
        raise PaperFileError(path, None, f"broken YAML, not rewriting: {exc}") from None
    if root is None:
        return ""
    if not isinstance(root, yaml.MappingNode):
        raise PaperFileError(path, 2, "front matter must be a mapping of keys to values")
    pairs = root.value
    if root.flow_style:
        # Written so by an older version when a paper had only scalar fields.
        if all(key.value in MACHINE_KEYS for key, _ in pairs):
            return ""
        raise PaperFileError(path, 2, "front matter must be a block mapping")
    bounds = [_line_start(front, key.start_mark.index) for key, _ in pairs] + [len(front)]
    regions = []
    for i, (key, _value) in enumerate(pairs):
        if key.value in MACHINE_KEYS:
            continue
        start = bounds[i]
        if i > 0 and pairs[i - 1][0].value in MACHINE_KEYS:
            # Comments between a machine value and this key belong to the human block.
            end = pairs[i - 1][1].end_mark
            start = end.index if end.column == 0 else _line_start(front, end.index, after=True)
            start = min(start, bounds[i])
        regions.append(front[start : bounds[i + 1]])
    text = "".join(regions)
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def _line_start(text: str, index: int, *, after: bool = False) -> int:
    if after:
        nl = text.find("\n", index)
        return len(text) if nl == -1 else nl + 1
    return text.rfind("\n", 0, index) + 1


class _Dumper(yaml.SafeDumper):
    """The pure-Python dumper always, so output bytes never depend on libyaml's presence."""

    def represent(self, data: Any) -> None:
        node = self.represent_data(data)
        # With only scalar fields the whole front matter would come out as one flow mapping
        # `{id: ..., title: ...}`, which leaves no place for a human to add a block.
        node.flow_style = False
        self.serialize(node)
        self.represented_objects = {}
        self.object_keeper = []
        self.alias_key = None


def dump_machine(paper: Paper) -> str:
    return yaml.dump(
        paper.machine_dict(),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=1 << 30,
    )


def render(paper: Paper, human: str = "", body: str = "") -> str:
    """The whole file text: machine keys from data, then human regions and body verbatim."""
    return f"---\n{dump_machine(paper)}{human}---\n{body}"
