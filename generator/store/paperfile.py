"""Read and write one paper file without ever touching its human-owned bytes.

A paper file is YAML front matter plus a Markdown body. ``fetch`` owns the machine keys
(:data:`generator.model.MACHINE_KEYS`); humans own the ``annotation:`` block, any other
top-level key, the comments around them and the body. Every writer of an existing file
(fetch, enrich, the move to an earlier listing day, annotate) goes through
:class:`PaperFile`: it reads the bytes as they are (no newline translation), re-emits
only the machine keys, copies every human region and the body verbatim, checks that the
result holds them byte for byte and means the same, and only then replaces the file;
otherwise it raises :class:`PaperFileError` and leaves the file alone.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ArchiveError
from generator.fsutil import write_atomic
from generator.model import MACHINE_KEYS, FieldError, Paper

try:  # the C loader is many times faster, which a large archive needs
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$\n?", re.MULTILINE)


class PaperFileError(ArchiveError, ValueError):
    """A paper file that cannot be read; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}", path=path, line=line)
        self.path: Path = Path(path)
        self.message = message


@dataclass(frozen=True)
class Split:
    """The parts of a paper file: ``opening + front + closing + body`` is the file."""

    front: str  # YAML text between the delimiters
    body: str  # everything after the closing delimiter, verbatim
    opening: str = "---\n"  # the delimiter lines as written (CRLF, trailing blanks)
    closing: str = "---\n"


def split(text: str, path: Path | str) -> Split:
    opening = _OPEN.match(text)
    if not opening and text.startswith("\ufeff"):
        raise PaperFileError(
            path,
            1,
            "starts with a byte-order mark (U+FEFF) before its '---' line; save it as UTF-8"
            " without BOM",
        )
    if not opening:
        raise PaperFileError(path, 1, "a paper file must start with a '---' front matter line")
    close = _CLOSE.search(text, opening.end())
    if close is None:
        raise PaperFileError(path, 1, "front matter is not closed by a '---' line")
    front = text[opening.end() : close.start()]
    return Split(front, text[close.end() :], opening.group(), close.group())


def decode(path: Path | str) -> str:
    """The file's text exactly as stored: ``read_text`` would turn CRLF notes into LF."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PaperFileError(path, None, f"not UTF-8 text ({exc.reason})") from None


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


def read_paper(path: Path) -> Paper:
    """Load one file into a :class:`Paper`, raising :class:`PaperFileError` on any problem."""
    parts = split(decode(path), path)
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
    key, so comments and blank lines a contributor put around the block come along, as
    do comments before the first key and after the last machine value.
    """
    try:
        root = compose(front)
    except yaml.YAMLError as exc:
        raise PaperFileError(path, None, f"broken YAML, not rewriting: {exc}") from None
    if root is None:
        return front  # nothing but comments
    if not isinstance(root, yaml.MappingNode):
        raise PaperFileError(path, 2, "front matter must be a mapping of keys to values")
    pairs = root.value
    if root.flow_style:
        # Written so by an older version when a paper had only scalar fields.
        if all(key.value in MACHINE_KEYS for key, _ in pairs):
            return ""
        raise PaperFileError(path, 2, "front matter must be a block mapping")
    bounds = [_line_start(front, key.start_mark.index) for key, _ in pairs] + [len(front)]
    regions = [front[: bounds[0]]]
    for i, (key, value) in enumerate(pairs):
        if key.value not in MACHINE_KEYS:
            regions.append(front[bounds[i] : bounds[i + 1]])
        elif i + 1 == len(pairs) or pairs[i + 1][0].value not in MACHINE_KEYS:
            # Comments between a machine value and a human key (or the end) are human.
            after_key = _line_start(front, key.end_mark.index, after=True)
            start = max(_value_end(front, value), after_key)
            regions.append(front[min(start, bounds[i + 1]) : bounds[i + 1]])
    text = "".join(regions)
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def _value_end(front: str, node: yaml.Node) -> int:
    """Where the line after a value's last character starts.

    A block collection's own end mark is the next key, past any comments in between, so
    the end of its last item is taken instead.
    """
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark
    return end.index if end.column == 0 else _line_start(front, end.index, after=True)


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


def render(
    paper: Paper,
    human: str = "",
    body: str = "",
    *,
    opening: str = "---\n",
    closing: str = "---\n",
) -> str:
    """The whole file text: machine keys from data, then human regions and body verbatim.

    A file whose opening line ends in CRLF (as Windows editors save it) gets its machine
    lines in CRLF too, so a rewrite shows in a diff only the values that changed.
    """
    machine = dump_machine(paper)
    if opening.endswith("\r\n"):
        machine = machine.replace("\n", "\r\n")
    return f"{opening}{machine}{human}{closing}{body}"


def create(path: Path, paper: Paper) -> None:
    """Write a new paper file, which has no human part yet."""
    write_atomic(path, render(paper), durable=True)


@dataclass(frozen=True)
class PaperFile:
    """One existing paper file as stored, and the only way to rewrite it.

    ``human`` is every human region of the front matter, verbatim and in file order; with
    the notes (``parts.body``) and the closing line it is what a rewrite must keep.
    """

    path: Path
    text: str
    parts: Split
    data: dict[str, Any]
    human: str

    @classmethod
    def read(cls, path: Path) -> PaperFile:
        text = decode(path)
        parts = split(text, path)
        data = load_front(parts.front, path)
        return cls(path, text, parts, data, human_regions(parts.front, path))

    def paper(self) -> Paper:
        """The machine fields as a :class:`Paper` (no annotation, no notes)."""
        try:
            return Paper.from_mapping(self.data)
        except FieldError as exc:
            line = key_line(self.parts.front, exc.key)
            raise PaperFileError(self.path, line, str(exc)) from None

    def render(self, paper: Paper) -> str:
        """This file with ``paper``'s machine fields and its own human bytes."""
        p = self.parts
        return render(paper, self.human, p.body, opening=p.opening, closing=p.closing)

    def rewrite(self, paper: Paper, target: Path | None = None) -> bool:
        """Give the file ``paper``'s machine fields; return whether anything was written.

        With ``target`` the result goes to that new path instead, with this file's mode
        (a move: the caller removes this file once the new one is durable).
        """
        text = self.render(paper)
        if target is None and text == self.text:
            return False
        human = {k: v for k, v in self.data.items() if k not in MACHINE_KEYS}
        machine = load_front(dump_machine(paper), self.path)
        self._check(text, self.human, {**human, **machine})
        write_atomic(target or self.path, text, durable=True, mode=self._mode())
        return True

    def add_human(self, block: str) -> None:
        """Insert a block of new human keys just before the closing line; all else stays."""
        added = load_front(block, self.path)
        if taken := sorted(added.keys() & self.data.keys()):
            raise PaperFileError(self.path, None, f"already has {', '.join(taken)}")
        at = len(self.parts.opening) + len(self.parts.front)
        text = self.text[:at] + block + self.text[at:]
        self._check(text, self.human + block, {**self.data, **added})
        write_atomic(self.path, text, durable=True, mode=self._mode())

    def _mode(self) -> int:
        return stat.S_IMODE(self.path.stat().st_mode)

    def _check(self, text: str, human: str, expected: dict[str, Any]) -> None:
        """Refuse a new text that does not keep the human part, byte for byte and in meaning.

        Bytes: the human regions, the notes and the closing line come out as they were.
        Meaning: the front matter loads to exactly ``expected``, which it would not with
        YAML that ties human keys to machine ones (an alias in the annotation to an
        anchor on a machine value, an anchor that re-emitting machine fields drops).
        """
        try:
            parts = split(text, self.path)
            data = load_front(parts.front, self.path)
            regions = human_regions(parts.front, self.path)
        except PaperFileError as exc:
            raise PaperFileError(
                self.path,
                None,
                f"not rewriting: the result would not parse ({exc.message}); fix the file by hand",
            ) from None
        if (regions, parts.body, parts.closing) != (human, self.parts.body, self.parts.closing):
            raise PaperFileError(
                self.path,
                None,
                "not rewriting: the annotation block or the notes would not come out byte "
                "for byte (is the front matter indented?); fix the file by hand",
            )
        if data != expected:
            raise PaperFileError(
                self.path,
                None,
                "not rewriting: the annotation would change (does it use a YAML alias to a "
                "machine field?); fix the file by hand",
            )
