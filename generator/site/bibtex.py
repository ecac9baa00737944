"""BibTeX entries in arXiv's own shape, with keys that are unique across the archive.

Conventions (the README repeats them for users):

- ``@misc`` with ``title``, ``author``, ``year``, ``eprint``, ``archivePrefix = {arXiv}``,
  ``primaryClass`` and ``doi`` when known, and ``url`` — what arXiv's "Export BibTeX" gives.
- Key ``<first author's last name><year><first significant title word>``, lowercase ASCII,
  like Google Scholar's (``vaswani2017attention``). When two papers share a key, the one
  with the smallest arXiv id keeps it and the others get ``b``, ``c``, … in id order, so a
  key only changes when an older arXiv paper that collides with it is listed later.
- ``year`` is the arXiv publication year (the listing year when that is unknown).
- Title capitals: arXiv and Google Scholar protect nothing, so styles that sentence-case
  titles turn "LLMs" into "llms". We brace every word holding a capital after its first
  character (``{LLMs}``, ``{GPT-4o}``, ``{3D}``, ``{iPhone}``), as Better BibTeX does, and
  leave ordinary capitalised words to the style.
- LaTeX specials in titles and names are escaped (``\\& \\% \\$ \\# \\_``,
  ``\\textasciitilde{}``, ``\\textasciicircum{}``, ``\\textbackslash{}``, and
  ``\\textbraceleft{}``/``\\textbraceright{}`` because BibTeX counts every brace, escaped or
  not, so ``\\{`` would unbalance the field). Maths like ``$x_1$`` therefore prints as typed.
- Non-ASCII text stays UTF-8: biber/biblatex and LaTeX since 2018 read it natively; only
  keys are folded to ASCII.
- Names are kept in "First von Last" order as the source gives them; a trailing
  generational suffix becomes ``Last, Jr., First`` so BibTeX does not take "Jr." for the
  surname, and a standalone word "and" inside a name is braced.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from generator.model import Paper

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPES = str.maketrans(_LATEX_SPECIALS)
# Letters NFKD does not decompose into ASCII.
_FOLD = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "đ": "d",
     "Đ": "d", "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i"}
)  # fmt: skip
# No bare "v": "Anil Kumar V" ends with an initial, not "the fifth".
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_STOPWORDS = {
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "at", "by",
    "from", "is", "are", "do", "does", "can", "via", "into", "towards", "toward", "how",
    "what", "why", "when", "we", "its", "as", "be",
}  # fmt: skip
_DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s{}\\\"]+$")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f]")


def latex_escape(text: str) -> str:
    """Escape characters that mean something to TeX or BibTeX; control characters go."""
    return _spaced(text).translate(_ESCAPES)


def protect_title(title: str) -> str:
    """Escape a title and brace the words whose capitals a style must not lowercase."""
    escaped = ((word, word.translate(_ESCAPES)) for word in _spaced(title).split(" "))
    return " ".join("{" + e + "}" if _has_inner_capital(w) else e for w, e in escaped)


def bibtex_name(name: str) -> str:
    """One author as BibTeX reads names: escape, brace 'and', move a Jr./III suffix."""
    words = _spaced(name).split(" ")
    if "," not in name and len(words) > 2 and words[-1].lower() in _SUFFIXES:
        first, last, suffix = words[:-2], words[-2], words[-1]
        words = [f"{last.rstrip(',')},", f"{suffix},", *first]
    return " ".join("{and}" if w.lower() == "and" else w.translate(_ESCAPES) for w in words)


def _spaced(text: str) -> str:
    """Control characters as spaces, runs of white space as one, none at either end."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: what a citation key may hold everywhere."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def base_key(paper: Paper) -> str:
    last = _last_name(paper.authors[0]) if paper.authors else ""
    year = (paper.published or paper.listed).year
    return f"{ascii_fold(last) or 'anon'}{year}{_first_title_word(paper.title)}"


def citation_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Paper id -> key, unique over ``papers``; the same papers always get the same keys."""
    groups: dict[str, list[str]] = defaultdict(list)
    for paper in papers:
        groups[base_key(paper)].append(paper.id)
    keys: dict[str, str] = {}
    taken = set(groups)
    for key in sorted(groups):
        first, *others = sorted(set(groups[key]))
        keys[first] = key
        n = 1
        for paper_id in others:
            while (candidate := key + _letters(n)) in taken:
                n += 1
            keys[paper_id] = candidate
            taken.add(candidate)
    return keys


def render_entry(paper: Paper, key: str) -> str:
    fields = [
        ("title", protect_title(paper.title)),
        ("author", " and ".join(bibtex_name(a) for a in paper.authors if a.strip())),
        ("year", str((paper.published or paper.listed).year)),
        ("eprint", paper.id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", latex_escape(paper.primary_category or "")),
        ("doi", paper.doi if paper.doi and _DOI_RE.match(paper.doi) else ""),
        ("url", paper.arxiv_url),
    ]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields if value)
    return f"@misc{{{key},\n{body}}}\n"


def join_entries(entries: Iterable[str]) -> str:
    """One .bib file of entries already rendered, in the given order, separated by a blank
    line (a paper sits in several files, so each entry is rendered once)."""
    return "\n".join(entries)


def _has_inner_capital(word: str) -> bool:
    return any(ch.isupper() for ch in word[1:])


def _last_name(name: str) -> str:
    if "," in name:
        words = name.split(",", 1)[0].split()
    else:
        words = name.split()
        while len(words) > 1 and words[-1].lower() in _SUFFIXES:
            words.pop()
    return words[-1] if words else ""


def _first_title_word(title: str) -> str:
    for word in re.split(r"[^\w]+", title):
        folded = ascii_fold(word)
        if folded and folded not in _STOPWORDS:
            return folded
    return ""


def _letters(n: int) -> str:
    """1 -> 'b', 25 -> 'z', 26 -> 'ba' … (the bare key plays the part of 'a')."""
    digits = ""
    while n:
        n, rem = divmod(n, 26)
        digits = "abcdefghijklmnopqrstuvwxyz"[rem] + digits
    return digits
