"""The one place where untrusted text meets HTML.

Titles and abstracts are always escaped; on paper pages the LaTeX arXiv authors write in
them is then rendered (:func:`render_latex`): math as MathML, which browsers lay out
natively (no script), ``\\url{...}`` as a link. Human notes are Markdown, rendered and then
sanitised with nh3 (ammonia), so no script, event handler or ``javascript:`` URL survives,
and no image either (an image would let a note load a tracking pixel from anywhere).
"""

from __future__ import annotations

import html
import json
import re

import latex2mathml.converter
import markdown
import nh3

from generator.ids import safe_url

# C0 controls (but tab, newline, CR), DEL, lone surrogates, U+FFFE/U+FFFF: characters that
# HTML forbids and XML 1.0 cannot carry even as character references.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "sub",
    "summary",
    "sup",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}


def clean_text(text: str) -> str:
    """Drop characters no page or feed can carry; every untrusted string passes here."""
    return _CONTROL.sub("", text)


def escape(text: str) -> str:
    return html.escape(clean_text(text), quote=True)


def front_matter_value(text: str) -> str:
    """A YAML scalar for page front matter whose *value* is already-escaped HTML.

    MkDocs and Material print ``page.meta`` values into the page without escaping, so the
    escaping happens here. JSON strings are valid YAML double-quoted scalars.
    """
    return json.dumps(escape(text), ensure_ascii=False)


# One converter for every paper's notes: making one costs more than converting a short
# note, and reset() clears what a conversion leaves behind (footnotes, abbreviations).
_NOTES = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


def render_notes(notes: str) -> str:
    """Contributor Markdown → sanitised HTML (links get rel=nofollow noopener)."""
    if not notes.strip():
        return ""
    rendered = _NOTES.reset().convert(clean_text(notes))
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )


# What latex2mathml writes, and nothing that links, styles or scripts: it copies \href,
# \style and \text{...} through unescaped, so its output is sanitised like a note.
_MATH_TAGS = {
    "math",
    "menclose",
    "merror",
    "mfrac",
    "mi",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mroot",
    "mrow",
    "ms",
    "mspace",
    "msqrt",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
}
_MATH_ATTRIBUTES = {
    tag: {
        "accent",
        "columnalign",
        "columnspacing",
        "depth",
        "display",
        "displaystyle",
        "fence",
        "height",
        "linethickness",
        "lspace",
        "mathvariant",
        "maxsize",
        "minsize",
        "movablelimits",
        "notation",
        "rowspacing",
        "rspace",
        "scriptlevel",
        "separator",
        "stretchy",
        "symmetric",
        "width",
    }
    for tag in _MATH_TAGS
}
# Matched on the escaped text, where $, \, { and } are as the author wrote them. Dollar math
# as Pandoc reads it: no space inside the delimiters, no digit right after the closing one,
# so "costs $5 and $10" stays text. \$ is a literal dollar, never a delimiter. Outside math,
# "22--25" is a range (an en dash) and "{word}" only groups, as LaTeX sets them.
_LATEX = re.compile(
    r"\\url\{(?P<url>[^{}\s]+)\}"
    r"|(?P<cmd>\\(?:emph|textit|textbf)\{(?P<arg>[^{}$\\]*)\})"
    r"|\\(?P<char>[%_#$]|&amp;)"
    r"|(?<![\\$])\$\$(?P<display>[^$]{1,500}?)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$]{0,300}?[^\s$\\])?)\$(?![0-9$])"
    r"|\\\((?P<paren>.{1,300}?)\\\)"
    r"|(?<=[0-9])(?P<range>--)(?=[0-9])"
    r"|(?<![\\\w])\{(?P<group>[^\W_][\w-]*)\}"
)
_LINE_BREAK = re.compile(r"\r\n?|\n")
_TEXT_COMMANDS = {"emph": "em", "textit": "em", "textbf": "strong"}


def render_latex(text: str) -> str:
    """Title or abstract as HTML: escaped, then the LaTeX in it made markup.

    Everything is escaped first. Recognised LaTeX (``$...$``, ``$$...$$``, ``\\(...\\)``,
    ``\\url{...}``, ``\\emph``/``\\textit``/``\\textbf``, escaped specials such as ``\\%``,
    number ranges ``1--2``, a braced word) then becomes MathML (sanitised), a link (http(s)
    only), a tag or plain text; anything else, and math latex2mathml cannot read, stays the
    literal escaped text.
    """
    return _LATEX.sub(_latex_markup, escape(text))


def render_abstract(text: str) -> str:
    """An abstract as HTML: :func:`render_latex`, its line breaks written as ``<br>``, which
    the HTML minifier keeps (it collapses whitespace, and so newlines, everywhere else)."""
    return _LINE_BREAK.sub("<br>\n", render_latex(text))


def _latex_markup(match: re.Match[str]) -> str:
    if match["url"] is not None:
        url = safe_url(html.unescape(match["url"]))
        if url is None:
            return match[0]
        return f'<a href="{html.escape(url, quote=True)}">{match["url"]}</a>'
    if match["cmd"] is not None:
        tag = _TEXT_COMMANDS[match["cmd"][1:].split("{", 1)[0]]
        return f"<{tag}>{match['arg']}</{tag}>"
    if match["char"] is not None:
        return match["char"]
    if match["range"] is not None:
        return "–"
    if match["group"] is not None:
        return match["group"]
    source = match["display"] or match["inline"] or match["paren"]
    display = "block" if match["display"] else "inline"
    try:
        mathml = latex2mathml.converter.convert(html.unescape(source), display=display)
    except Exception:  # latex2mathml raises many kinds on malformed math; show it as text
        return match[0]
    return nh3.clean(mathml, tags=_MATH_TAGS, attributes=_MATH_ATTRIBUTES)
