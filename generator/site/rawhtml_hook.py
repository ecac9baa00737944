"""MkDocs hook: generated pages skip Markdown, whose HTML parsing was most of the build.

Every generated list page is front matter plus one raw HTML block (see ``pages.py``), marked
``raw_html: true``. Python-Markdown passes such a block through unchanged but parses it
with ``html.parser`` twice on the way (its block preprocessor and MkDocs' anchor scan):
most of ``mkdocs build`` for a large archive. This hook hands Markdown an empty
document and puts the block back afterwards. It only saves time: without it (another
MkDocs-compatible builder, or ``hooks:`` removed) the same pages come out.
"""

from __future__ import annotations

from typing import Any

_held: dict[str, str] = {}


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.meta.get("raw_html") is True:
        _held[page.file.src_uri] = markdown.strip()
        return ""
    return markdown


def on_page_content(html: str, page: Any, **_: Any) -> str:
    return _held.pop(page.file.src_uri, html)
