"""arXiv identifiers: the only untrusted strings that ever become file names or URLs."""

from __future__ import annotations

import re

from generator.errors import ArchiveError

# New-style ids: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015 on), optional version.
_NEW_STYLE = re.compile(
    r"(?P<base>(?P<yymm>[0-9]{2}(?:0[1-9]|1[0-2]))\.(?P<num>[0-9]{4,5}))(?:v(?P<v>[1-9][0-9]*))?"
)
# Old-style ids (archive(.XX)/YYMMNNN) are recognised so that they get a precise error:
# Daily Papers only lists new-style ids, and an old-style id holds a '/' that must never
# reach a path.
_OLD_STYLE = re.compile(r"[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7}(?:v[1-9][0-9]*)?")
# What people paste around an id: an 'arXiv:' prefix or a link to its arXiv abstract or PDF
# or its Hugging Face page, with a query, fragment, '.pdf' or '/' after it. The search box
# strips the same (generator/theme/assets/pa-search.js; tests/data/arxiv_id_inputs.json
# holds the cases both are tested against).
_WRAPPING = re.compile(
    r"^(?:arxiv:\s*|(?:https?://)?(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/)",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)


class InvalidArxivId(ArchiveError, ValueError):
    """Raised for a string that is not a usable arXiv id."""


def normalize(raw: object) -> str:
    """Return the versionless new-style id for ``raw`` or raise :class:`InvalidArxivId`.

    Only a full match is accepted, so '2602.23229/../x' or ' 2602.23229' never pass.
    """
    if not isinstance(raw, str):
        raise InvalidArxivId(f"arXiv id must be a string, got {type(raw).__name__}")
    match = _NEW_STYLE.fullmatch(raw)
    if match is None:
        if _OLD_STYLE.fullmatch(raw):
            raise InvalidArxivId(f"old-style arXiv id {raw!r} is not supported")
        raise InvalidArxivId(f"{raw!r} is not an arXiv id (expected YYMM.NNNNN)")
    base = match.group("base")
    if len(match.group("num")) == 4 and int(match.group("yymm")[:2]) >= 15:
        raise InvalidArxivId(f"{raw!r}: ids from 2015 on have five digits after the dot")
    return base


def from_text(raw: str) -> str:
    """The versionless id in what someone pasted (see ``_WRAPPING``), or
    :class:`InvalidArxivId`."""
    text = raw.strip()
    wrapped = _WRAPPING.match(text)
    if wrapped:
        text = _TRAILING.sub("", text[wrapped.end() :], count=1)
    return normalize(text.removesuffix(".pdf"))


def is_valid(raw: object) -> bool:
    try:
        normalize(raw)
    except InvalidArxivId:
        return False
    return True
