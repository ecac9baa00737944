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


def is_valid(raw: object) -> bool:
    try:
        normalize(raw)
    except InvalidArxivId:
        return False
    return True
