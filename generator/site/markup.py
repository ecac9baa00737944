"""The one place where untrusted text meets HTML.

Titles and abstracts are always escaped. Human notes are Markdown, rendered and then
sanitised with nh3 (ammonia), so no script, event handler or ``javascript:`` URL survives,
and no image either (an image would let a note load a tracking pixel from anywhere).
"""

from __future__ import annotations

import html
import json
import re

import markdown
import nh3

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


def render_notes(notes: str) -> str:
    """Contributor Markdown → sanitised HTML (links get rel=nofollow noopener)."""
    if not notes.strip():
        return ""
    rendered = markdown.markdown(
        clean_text(notes), extensions=["extra", "sane_lists"], output_format="html"
    )
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
