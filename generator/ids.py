"""Untrusted identifiers that become file names, URLs or links: arXiv ids and slugs (the only
ones that become paths), http(s) URLs and GitHub handles.

Each is checked by one pattern, here. The paper schema (``generator/schema/paper.schema.json``,
what ``validate`` enforces) writes the same patterns anchored, and a test keeps them equal,
so a value ``validate`` accepts is one the site shows, and fetch keeps only what both accept.
"""

from __future__ import annotations

import re
import unicodedata

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


# A slug (tags, topics, organizations): runs of a-z and 0-9 joined by single hyphens, safe in
# a URL and as a file name.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Lower-case letters that NFKD leaves whole (no base letter plus accent), written in ASCII.
_UNSPLIT = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
    }
)
# A link: http or https, a non-empty host, and none of whitespace, control characters or
# < > " (a real URL has them percent-encoded; a link that holds them is a mistake or bait).
HTTP_URL = r'https?://[^\s/?#<>"\x00-\x1f\x7f]+[^\s<>"\x00-\x1f\x7f]*'
# A GitHub user name: letters, digits and single hyphens, not at either end; at most 39.
GITHUB_HANDLE = r"[A-Za-z0-9](?:-?[A-Za-z0-9])*"
GITHUB_HANDLE_MAX = 39
_HTTP_URL = re.compile(HTTP_URL)
_GITHUB_HANDLE = re.compile(GITHUB_HANDLE)


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


def slugify(text: str) -> str:
    """:data:`SLUG` made from free text (an organization's name, an annotation's status for
    a CSS class): letters folded to ASCII (Ünï to uni, Łø to lo, ß to ss), every other run of
    characters outside a-z0-9 one hyphen. Empty for text with no Latin letter or digit."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_UNSPLIT))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def safe_url(url: object) -> str | None:
    """``url`` if it may become a link (see ``HTTP_URL``), else None: shown as nothing."""
    return url if isinstance(url, str) and _HTTP_URL.fullmatch(url) else None


def is_github_handle(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= GITHUB_HANDLE_MAX
        and _GITHUB_HANDLE.fullmatch(value) is not None
    )
