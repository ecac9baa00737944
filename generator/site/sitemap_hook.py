"""MkDocs hook: the sitemap as an index of parts, each within the protocol's 50,000 URLs.

MkDocs writes one ``sitemap.xml`` of every page, each with the build's date as its
``lastmod``. Past 50,000 pages (the archive passes that in its third year) search engines
refuse the whole file, and its bytes change on every build although no page did. The
theme's ``sitemap.xml`` template is empty, so MkDocs writes nothing there; this hook writes
``sitemap.xml`` as a sitemap index and one part per group of
:func:`generator.site.urls.sitemap_group` (paper pages by year, every other page in one),
split further if a group ever passes the limit. No ``lastmod``: a build cannot tell when
a page last changed, and a date that changes daily is worse than none. Same pages, same
bytes.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from generator.fsutil import write_if_changed
from generator.site import urls

_state: dict[str, list[str]] = {"urls": []}

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def on_files(files: Any, **_: Any) -> Any:
    # MkDocs names the home page "./"; the site's own URLs name it "" (urls.home()).
    pages = [f.url for f in files.documentation_pages()]
    pages += [f.url for f in files if urls.paper_of_source(f.src_uri)]  # see paperpages_hook
    _state["urls"] = sorted(urls.home().url if u == "./" else u for u in pages)
    return files


def on_post_build(config: Any, **_: Any) -> None:
    site_url = config.site_url
    if not site_url:  # the protocol wants absolute URLs; nothing to point them at
        return
    write(Path(config.site_dir), site_url, _state["urls"])


def parts(page_urls: list[str], limit: int = urls.SITEMAP_LIMIT) -> dict[str, list[str]]:
    """Part name → its page URLs (site-relative, sorted), none holding more than ``limit``."""
    groups: dict[str, list[str]] = defaultdict(list)
    for url in sorted(page_urls):
        groups[urls.sitemap_group(url)].append(url)
    named: dict[str, list[str]] = {}
    for group, members in sorted(groups.items()):
        for i in range(0, len(members), limit):
            named[group if i == 0 else f"{group}-{i // limit + 1}"] = members[i : i + limit]
    return named


def write(site: Path, site_url: str, page_urls: list[str]) -> None:
    """Write the index and its parts into ``site``, removing parts no longer listed."""
    base = site_url if site_url.endswith("/") else f"{site_url}/"
    named = parts(page_urls)
    index = [_HEAD, f"<sitemapindex {_NS}>\n"]
    for name, members in named.items():
        rel = urls.sitemap_part(name)
        index.append(f"<sitemap><loc>{escape(base + rel)}</loc></sitemap>\n")
        lines = [_HEAD, f"<urlset {_NS}>\n"]
        lines += [f"<url><loc>{escape(base + url)}</loc></url>\n" for url in members]
        lines.append("</urlset>\n")
        write_if_changed(site / rel, "".join(lines))
    index.append("</sitemapindex>\n")
    write_if_changed(site / urls.sitemap(), "".join(index))
    wanted = {site / urls.sitemap_part(name) for name in named}
    folder = (site / urls.sitemap_part("x")).parent
    for stale in folder.glob("*.xml") if folder.is_dir() else ():
        if stale not in wanted:
            stale.unlink()
