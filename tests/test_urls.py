"""The permanent URLs: DESIGN.md's and the README's site map, walked over a built site
through ``generator.site.urls``, the one module that knows their shapes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from sitekit import REPO, make_root, paper, write_paper

from generator.build import build_site
from generator.site import pages, urls

DAY = dt.date(2026, 3, 6)
ARXIV_ID = "2603.00001"
SLUG = "video"  # a topic of topics.yml the papers below fall into
TAG = "in-context-learning"
ORG = {"name": "MHUGLab", "fullname": "Multimedia and Human Understanding Group"}
ORG_SLUG = "mhuglab"
# What the docs write in a URL pattern, and the value the built site below has for it.
PLACEHOLDERS = {
    "YYYY-Www": "2026-W10",
    "<org>": ORG_SLUG,
    "<arxiv-id>": ARXIV_ID,
    "<id>": ARXIV_ID,
    "<slug>": SLUG,
    "<tag>": TAG,
    "YYYY": f"{DAY:%Y}",
    "MM": f"{DAY:%m}",
    "DD": f"{DAY:%d}",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A real site with one URL of every kind: a split topic and organization, a tag, every
    feed and file."""
    root = make_root(tmp_path_factory.mktemp("urls"))
    tagged = "annotation:\n  tags: [in-context-learning]\n"
    first = paper(ARXIV_ID, DAY.isoformat(), title="Video diffusion", organization=ORG)
    write_paper(root, first, tagged)
    write_paper(root, paper("2603.00002", "2026-04-01", title="Video in April", organization=ORG))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "TOPIC_PAGE_LIMIT", 1)  # so the topic has month pages
        build_site(root)
    return root.root


def _kinds() -> dict[str, urls.Page | str]:
    return urls.every_kind(ARXIV_ID, DAY, SLUG, TAG, ORG_SLUG)


def _published(kind: urls.Page | str) -> str:
    return kind.url if isinstance(kind, urls.Page) else kind


def test_every_url_kind_is_in_the_built_site_where_urls_says(built):
    for name, kind in _kinds().items():
        if isinstance(kind, urls.Page):
            assert (built / "docs" / kind.source).is_file(), (name, kind.source)
            assert (built / "site" / kind.url / "index.html").is_file(), (name, kind.url)
        else:
            assert (built / "docs" / kind).is_file(), (name, kind)
            assert (built / "site" / kind).is_file(), (name, kind)


def _documented(text: str, heading: str) -> set[str]:
    """The URL patterns (backticked, starting with '/') of one ``## heading`` section."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = set()
    for pattern in re.findall(r"`(/[^`\s]*)`", section):
        expanded = [pattern[:-1] + ext for ext in ("xml", "atom", "json")]
        found.update(expanded if pattern.endswith("feed.*") else [pattern])
    return found


def _concrete(pattern: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        pattern = pattern.replace(placeholder, value)
    return pattern.removeprefix("/")


@pytest.mark.parametrize(
    ("document", "heading"),
    [
        ("DESIGN.md", "Site map (URLs are permanent once published)"),
        ("README.md", "Site map"),
        ("README.md", "Feeds, citations and open data"),
    ],
)
def test_documented_site_map_is_what_urls_builds(built, document, heading):
    documented = _documented((REPO / document).read_text(encoding="utf-8"), heading)
    assert documented, f"no URL found under '## {heading}' in {document}"
    known = {_published(kind) for kind in _kinds().values()}
    # Written into site/ by the sitemap hook, not generated into docs/.
    known |= {urls.sitemap(), urls.sitemap_part("pages"), urls.sitemap_part(f"papers-{DAY:%Y}")}
    for pattern in sorted(documented):
        url = _concrete(pattern)
        assert url in known, f"{document}: {pattern} is not a URL of generator/site/urls.py"
        target = built / "site" / url
        assert (target / "index.html" if url.endswith("/") or not url else target).is_file()


def test_readme_site_map_lists_every_page_kind():
    documented = {
        _concrete(p) for p in _documented((REPO / "README.md").read_text("utf-8"), "Site map")
    }
    for name, kind in _kinds().items():
        if isinstance(kind, urls.Page):
            assert kind.url in documented, f"README.md's site map lacks the {name} page"


def test_gitignore_lists_exactly_the_generated_docs():
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    ignored = {line.strip() for line in lines if line.startswith("/docs/")}
    assert ignored == {f"/docs/{name}/" for name in urls.GENERATED_DIRS} | {
        f"/docs/{name}" for name in urls.GENERATED_FILES
    }


def test_mkdocs_renders_each_page_source_to_its_url():
    """Markdown sources by MkDocs' own rule; paper pages' parts by paperpages_hook's."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files

    from generator.site import paperpages_hook

    config = load_config(str(REPO / "mkdocs.yml"))
    for name, kind in _kinds().items():
        if isinstance(kind, urls.Page):
            file = File(kind.source, "docs", "site", use_directory_urls=True)
            [file] = paperpages_hook.on_files(Files([file]), config)
            assert file.url == (kind.url or "./"), name  # MkDocs writes the home page "./"
            assert (urls.paper_of_source(kind.source) is None) == (name != "paper"), name


def test_only_a_paper_page_source_names_a_paper():
    assert urls.paper_of_source(urls.paper("2401.00001").source) == "2401.00001"
    for source in ("papers/2401.00001.md", "papers/x/2401.00001.page.json", "papers/.page.json"):
        assert urls.paper_of_source(source) is None, source


# Matches of the scan below that are no URL of the site, each with why.
NOT_URLS = {
    ("templates/topic.md.j2", "}}.bib"): "the name a BibTeX download is saved under",
}


def _shapes() -> re.Pattern[str]:
    """What a URL of urls.py looks like written out: its first folder (``papers/``,
    ``days/`` ...) or its file's extension (``.xml``, ``.bib`` ...), from every kind."""
    folders, extensions = set(), set()
    for kind in _kinds().values():
        path = _published(kind)
        if "/" in path:
            folders.add(path.split("/", 1)[0])
        if not isinstance(kind, urls.Page):
            extensions.add(path.rsplit("/", 1)[-1].split(".", 1)[1].rsplit(".", 1)[-1])
    folder = "|".join(sorted(folders))
    extension = "|".join(sorted(extensions))
    # Not a method call (response.json()), not inside a longer path (tests/data/).
    return re.compile(rf"(?<![\w./-])(?:{folder})/|[\w}}-]{{2}}\.(?:{extension})\b(?!\()")


def test_no_template_or_script_writes_a_url_shape_of_its_own():
    """Templates (generated pages', the theme's) and the theme's scripts take every URL from
    urls.py: the ``urls`` Jinja global, or for scripts what the build writes into
    bundles.js. A URL written out anywhere else is a second place to change it."""
    shapes = _shapes()
    assert shapes.search("'feed.xml'") and shapes.search('"papers/" + id')  # it can fail
    generator = REPO / "generator"
    files = [
        path
        for folder in (generator / "templates", generator / "theme")
        for path in sorted(folder.rglob("*"))
        if path.suffix in {".j2", ".html", ".js", ".css"}
    ]
    assert any(p.name == "main.html" for p in files) and any(p.name == "day.md.j2" for p in files)
    found = []
    for path in files:
        name = path.relative_to(generator).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in shapes.finditer(line):
                if (name, match.group()) not in NOT_URLS:
                    found.append(f"{name}:{number}: {match.group()!r} in {line.strip()}")
    assert found == []


@pytest.mark.parametrize(
    "target, start, link",
    [
        ("papers/2401.09419/", "papers/2401.14501/", "../2401.09419/"),
        ("papers/2401.14501.bib", "papers/2401.14501/", "../2401.14501.bib"),
        ("days/2024/01/18/", "papers/2401.14501/", "../../days/2024/01/18/"),
        ("", "papers/2401.14501/", "../../"),
        ("papers/2401.14501/", "papers/2401.14501/", "./"),
        ("topics/video/", "", "topics/video/"),
        ("feed.xml", "topics/video/", "../../feed.xml"),
    ],
)
def test_relative_links_resolve_to_the_target(target, start, link):
    assert urls.relative(target, start) == link
    base = "https://example.org/site/"
    assert urljoin(base + start, link) == base + target


def test_relative_links_between_every_kind_of_page_resolve():
    """``relative`` computes the path itself (posixpath.relpath costs an abspath and a
    getcwd per link, on every one of a large archive's links): from every kind of page to
    every other, the link must lead to the target."""
    kinds = urls.every_kind("2401.14501", dt.date(2024, 1, 18), "video", "LLM", "meta-ai")
    found = [u.url if isinstance(u, urls.Page) else u for u in kinds.values()]
    base = "https://example.org/site/"
    for target in found:
        for start in (u for u in found if u == "" or u.endswith("/")):
            link = urls.relative(target, start)
            assert urljoin(base + start, link) == base + target, (target, start, link)


def test_a_month_of_one_paper_says_paper(built):
    """One paper is "1 paper", on a month page and on an organization's or topic's page."""
    month = (built / "site" / urls.month(2026, 4).url / "index.html").read_text("utf-8")
    assert "1 paper on 1 day" in month and "1 papers" not in month
    for page in (built / "site").glob("*/*/index.html"):
        assert "1 papers" not in page.read_text("utf-8"), page
