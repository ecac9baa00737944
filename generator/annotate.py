"""``paper-archive annotate``: give a contributor one obvious place to write.

The annotation template goes in just before the closing ``---`` of the front matter; every
other byte of the file stays as it was, and the result must parse before it is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator import ids
from generator.errors import ArchiveError
from generator.store.archive import index_ids
from generator.store.paperfile import PaperFile, PaperFileError

TEMPLATE = """\
annotation:
  tldr: ''          # one or two sentences, at most 300 characters
  tags: []          # lower-case slugs, e.g. [in-context-learning, classification]
  contributors: []  # GitHub handles, e.g. [octocat]
  links: []         # e.g. [{{title: Reproduction notes, url: 'https://example.org/notes'}}]
  # topics: []      # override the rule-based topics with slugs from topics.yml
  # status: read    # read, reproduced, partially-reproduced, not-reproduced, disputed, retracted
  updated: {today}  # the day you last changed this annotation
"""


class AnnotateError(ArchiveError, ValueError):
    """The id is not an arXiv id, has no file, or its file cannot take a template."""


def find_paper(papers_dir: Path, raw: str) -> Path:
    try:
        paper_id = ids.from_text(raw)  # pasted links and 'arXiv:' prefixes too
    except ids.InvalidArxivId as exc:
        raise AnnotateError(str(exc)) from None
    path = index_ids(papers_dir).get(paper_id)
    if path is None:
        raise AnnotateError(
            f"no paper {paper_id} in {papers_dir}; only papers listed on Daily Papers "
            "(and fetched) can be annotated"
        )
    return path


def add_annotation_block(path: Path, today: dt.date) -> bool:
    """Insert the template unless the front matter already has an ``annotation`` key.

    Returns whether the file changed.
    """
    try:
        stored = PaperFile.read(path)
    except PaperFileError as exc:
        raise AnnotateError(f"fix this first: {exc}", path=path) from None
    if "annotation" in stored.data:
        return False
    newline = "\r\n" if "\r\n" in stored.parts.front else "\n"
    try:
        stored.add_human(TEMPLATE.format(today=today.isoformat()).replace("\n", newline))
    except PaperFileError as exc:
        raise AnnotateError(
            f"{path}: the template would not fit this file; add it by hand", path=path
        ) from exc
    return True


def annotate_paper(papers_dir: Path, raw_id: str, *, today: dt.date) -> tuple[Path, bool]:
    path = find_paper(papers_dir, raw_id)
    return path, add_annotation_block(path, today)
