"""Paper pages a reader can move on from, with the LaTeX of arXiv text rendered safely.

Built by the real ``mkdocs build --strict`` and parsed; :func:`render_latex`, the trust
boundary for titles and abstracts, is also fed hostile input directly.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from sitekit import make_root, page, paper, resolve, write_paper

from generator.build import build_site
from generator.config import Paths
from generator.site import urls
from generator.site.markup import render_latex

DAY = "2026-03-06"
ANNOTATION = "annotation:\n  tldr: A short human summary.\n"
LATEX_TITLE = r"Attention in $O(n \log n)$ for 99\% of tokens"
LATEX_ABSTRACT = (
    r"We bound the error by $\epsilon^2$ and $$\sum_i x_i$$ costs $5 or $10. "
    r"Code: \url{https://github.com/owner/repo}. Hostile: $<script>alert(1)</script>$ "
    r"\url{javascript:alert(2)} $\text{<img src=x onerror=alert(3)>}$ "
    r"$\href{javascript:alert(4)}{x}$ $\style{background:url(javascript:alert(5))}{y}$ "
    r"\emph{<b>bold?</b>}"
)
BROKEN_ABSTRACT = "First line,\nsecond line.\r\n\nA new paragraph with $x^2$\nand an  end."


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_root(tmp_path_factory.mktemp("site"))
    for p in (
        paper("2603.00001", DAY, title="Top of the day", upvotes=30),
        paper("2603.00002", DAY, title=LATEX_TITLE, abstract=LATEX_ABSTRACT, upvotes=20),
        paper(
            "2603.00003",
            DAY,
            title="Low of the day",
            upvotes=10,
            github="https://github.com/given/by-api",
            abstract="See https://github.com/other/repo for code.",
        ),
        paper(
            "2603.00005",
            "2026-03-09",
            title="Annotated on its day",
            organization={"name": "AlibabaTongyiLab", "fullname": "TongyiLab"},
        ),
        paper(
            "2603.00006",
            "2026-03-10",
            title="Alone on its day",
            abstract="Weights at https://huggingface.co/org/model and code at "
            "https://gitlab.com/group/project.",
        ),
        paper(
            "2603.00007",
            "2026-03-11",
            title="Line breaks",
            abstract=BROKEN_ABSTRACT,
            authors=["Íñigo Goiri", "Smith, Jr., John", 'O"Brien <b>'],
        ),
    ):
        write_paper(root, p, ANNOTATION if p.id == "2603.00005" else "")
    build_site(root)
    return root.site


def _hrefs(doc, selector: str) -> list[str]:
    return [a["href"] for a in doc.select(selector)]


def test_previous_and_next_paper_of_the_same_day_in_the_day_order(site):
    middle = page(site, "papers/2603.00002")
    pager = middle.select_one("nav.pa-pager")
    assert pager["aria-label"] == "Papers of the same day"
    prev, day, nxt = pager.find_all("a")
    assert (prev["rel"], prev.get_text()) == (["prev"], "← Top of the day")
    assert (nxt["rel"], nxt.get_text()) == (["next"], "Low of the day →")
    assert (
        resolve(site, "papers/2603.00002", prev["href"])
        == (site / "papers/2603.00001/index.html").resolve()
    )
    assert (
        resolve(site, "papers/2603.00002", day["href"])
        == (site / "days/2026/03/06/index.html").resolve()
    )
    assert "3 papers" in day.get_text()
    first = page(site, "papers/2603.00001").select_one("nav.pa-pager")
    assert [a.get("rel") for a in first.find_all("a")] == [None, ["next"]]
    assert page(site, "papers/2603.00006").select_one("nav.pa-pager") is None


def test_latex_in_titles_and_abstracts_is_math_and_links(site):
    doc = page(site, "papers/2603.00002")
    h1 = doc.find("h1")
    assert h1.find("math") and "99% of tokens" in h1.get_text()
    assert h1["data-pagefind-meta"] == f"title:{LATEX_TITLE}"  # search shows the plain title
    abstract = doc.find(class_="pa-abstract")
    assert [m["display"] for m in abstract.find_all("math")] == ["inline", "block"] + ["inline"] * 4
    assert "costs $5 or $10" in abstract.get_text()
    assert _hrefs(abstract, "a") == ["https://github.com/owner/repo"]
    assert "\\url{javascript:alert(2)}" in abstract.get_text()
    assert abstract.find("em").get_text() == "<b>bold?</b>"
    # Titles stay plain text wherever a page or a feed carries them as text.
    assert doc.title.get_text().startswith(LATEX_TITLE)


def test_nothing_in_latex_can_execute(site):
    doc = page(site, "papers/2603.00002")
    rendered = [doc.find("h1"), doc.find(class_="pa-abstract")]
    for part in rendered:
        assert part.find_all(["script", "img", "style", "iframe", "b"]) == []
        for tag in part.find_all(True):
            risky = [a for a in tag.attrs if a.startswith("on") or a in ("style", "href", "src")]
            assert not risky or (tag.name == "a" and tag["href"].startswith("https://")), tag
        for math in part.find_all("math"):
            assert {t.name for t in math.find_all(True)} <= {
                "mi",
                "mn",
                "mo",
                "mrow",
                "msub",
                "msup",
                "mtext",
                "munder",
            }


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("$<script>$", '<math display="inline"><mrow><mo>&lt;</mo><mi>s</mi>'),
        ("\\url{javascript:alert(1)}", "\\url{javascript:alert(1)}"),
        ('\\url{https://x.org/"onmouseover="alert(1)}', "\\url{https://x.org/&quot;onmouseover"),
        ("\\url{https://x.org/?a=1&b=2}", '<a href="https://x.org/?a=1&amp;b=2">'),
        ("$\\text{</math><script>alert(1)</script>}$", "<mtext></mtext>"),
        ('$x$" onclick="alert(1)', "&quot; onclick=&quot;alert(1)"),
        ("<b>$x$</b>", "&lt;b&gt;<math"),
        ("\\emph{$x$}", "\\emph{<math"),
        ("$\\frac{1}{$ and $", "$\\frac{1}{$ and $"),
        ("a \\$5 fee, \\& 50\\% off", "a $5 fee, &amp; 50% off"),
        ("22--25 tokens, {overthinking}", "22–25 tokens, overthinking"),
        ("a -- b, {a, b} and x{y}", "a -- b, {a, b} and x{y}"),
        ("{<b>}", "{&lt;b&gt;}"),
    ],
)
def test_render_latex_escapes_first(text, html):
    out = render_latex(text)
    assert out.startswith(html) or html in out, out
    assert "<script" not in out and 'onclick="' not in out and 'javascript:alert(1)"' not in out


def test_a_code_link_found_in_the_abstract_when_the_api_gave_none(site):
    found = page(site, "papers/2603.00002").select(".pa-paper__links a")
    assert [(a["href"], a.get_text()) for a in found][-1] == (
        "https://github.com/owner/repo",
        "Code (found in the abstract)",
    )
    api = page(site, "papers/2603.00003")
    assert "found in the abstract" not in api.select_one(".pa-paper__links").get_text()
    assert "https://github.com/given/by-api" in _hrefs(api, ".pa-paper__links a")
    # GitHub, then GitLab, then Hugging Face; the sentence's full stop is not in the URL.
    alone = page(site, "papers/2603.00006")
    assert _hrefs(alone, ".pa-paper__links a")[-1] == "https://gitlab.com/group/project"
    for url in ("papers/2603.00002", "papers/2603.00006"):
        assert page(site, url).select_one('[data-pagefind-filter="has code:yes"]')


def _fragment(site: Path, paper_id: str) -> dict:
    for path in (site / "pagefind/fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        if data["url"].endswith(f"/papers/{paper_id}/"):
            return data
    raise AssertionError(f"no fragment for {paper_id}")


def test_the_search_index_holds_the_organization_and_no_bare_labels(site):
    """Search results cut their excerpt from the abstract (its anchor), find a paper by its
    organization's full or short name, and never show a "TL;DR" label without its text."""
    data = _fragment(site, "2603.00005")
    words = data["content"].split()
    assert "TongyiLab." in words and "AlibabaTongyiLab." in words
    assert "A short human summary." in data["content"] and "TL;DR" not in data["content"]
    assert [(a["id"], a["text"]) for a in data["anchors"]] == [("abstract", "")]
    abstract = data["anchors"][0]["location"]
    assert " ".join(words[abstract:]).startswith("We study reasoning")


def test_the_abstract_keeps_its_line_breaks_through_the_minifier(site):
    """The minifier collapses whitespace, newlines included; the abstract's breaks are <br>."""
    html = (site / "papers/2603.00007/index.html").read_text(encoding="utf-8")
    before_bibtex = html.split("<pre", 1)[0]
    assert "\n" not in before_bibtex and "  " not in before_bibtex  # minified
    abstract = page(site, "papers/2603.00007").find(class_="pa-abstract")
    assert len(abstract.find_all("br")) == 4  # \n, \r\n, \n, \n
    assert abstract.find("math")
    # A blank line (two breaks) stays a blank line; runs of spaces collapse, as on screen.
    abstract.find(id="abstract").decompose()  # the anchor search cuts excerpts at
    lines = [" ".join(line.split()) for line in abstract.decode_contents().split("<br/>")]
    assert lines[:3] == ["First line,", "second line.", ""]
    assert lines[3].startswith("A new paragraph with <math") and lines[4] == "and an end."


def test_a_paper_page_carries_what_readers_and_citation_tools_rely_on(site):
    """Standalone (not Material's base.html), yet with every tag, link and part of the page
    it had: citation and Open Graph tags, the header, tabs, skip link, BibTeX and links."""
    url = "papers/2603.00002"
    doc = page(site, url)
    metas = doc.find_all("meta", content=True)
    names = {m.get("name") or m.get("property"): m["content"] for m in metas}
    for name in (
        "description", "citation_title", "citation_author", "citation_date",
        "citation_publication_date", "citation_arxiv_id", "citation_pdf_url",
        "citation_abstract_html_url", "og:type", "og:title", "og:description", "og:url",
        "og:site_name", "twitter:card",
    ):  # fmt: skip
        assert names.get(name), name
    assert len(names["description"]) <= 160 and names["og:description"] == names["description"]
    canonical = doc.find("link", rel="canonical")["href"]
    assert canonical == names["og:url"] == f"https://example.github.io/paper-archive/{url}/"
    assert doc.find("link", rel=["alternate", "feed"])
    # Every stylesheet and script is in the site (Material's names carry its hash).
    for tag in doc.find_all(["link", "script"]):
        ref = tag.get("href") if tag.name == "link" else tag.get("src")
        if tag.name == "link" and tag["rel"] not in (["stylesheet"], ["icon"]) or not ref:
            continue
        assert resolve(site, url, ref).is_file(), ref
    skip = doc.select_one("a.md-skip")
    assert skip["href"] == "#pa-content" and doc.find(id="pa-content")
    logo = doc.select_one("header a.md-logo")
    assert resolve(site, url, logo["href"]) == (site / "index.html").resolve()
    assert doc.select_one("header .md-header__title").get_text() == "Daily Papers archive"
    assert len(doc.select("header form[data-md-component=palette] input.md-option")) == 2
    assert doc.select_one("header .pa-search[role=search] #pa-search")
    assert len(doc.select("nav.md-tabs a")) == 5
    for component in ("header", "main", "content", "dialog", "tabs"):
        assert doc.select_one(f"[data-md-component={component}]"), component
    config = json.loads(doc.find(id="__config").get_text())
    assert config["features"] == ["content.code.copy"]
    assert "clipboard.copy" in config["translations"]
    assert "eprint = {2603.00002}" in doc.select_one(".pa-bibtex pre code").get_text()
    bib = doc.select_one(".pa-cite-links a[download]")
    assert resolve(site, url, bib["href"]) == (site / "papers/2603.00002.bib").resolve()
    assert doc.select_one(".pa-edit a[href$='/papers/2026/03/06/2603.00002.md']")
    assert doc.select_one("footer.md-footer")
    # Related papers, Cite and the edit line are outside what search indexes.
    body = doc.select_one("[data-pagefind-body]")
    for part in (".pa-bibtex", ".pa-cite-links", ".pa-edit", ".pa-related", ".pa-pager"):
        assert doc.select_one(part) is None or body.select_one(part) is None, part


def test_author_names_are_text_the_page_script_links_to_a_search(site):
    """The names are the citation_author tags joined by ", " (what pa-search.js checks
    before linking each), and the search prefix it links with is urls.search's."""
    doc = page(site, "papers/2603.00007")
    authors = doc.select_one(".pa-paper__authors")
    names = [m["content"] for m in doc.find_all("meta", attrs={"name": "citation_author"})]
    assert names == ["Íñigo Goiri", "Smith, Jr., John", 'O"Brien <b>']
    assert authors.get_text() == ", ".join(names) and authors.find_all(True) == []
    prefix = authors["data-pa-search"]
    assert resolve(site, "papers/2603.00007", prefix) == (site / "index.html").resolve()
    assert prefix.endswith(urls.search_prefix())
    assert urls.search('"Íñigo Goiri"') == urls.search_prefix() + "%22%C3%8D%C3%B1igo%20Goiri%22"
    script = (site / "assets/pa-search.js").read_text(encoding="utf-8")
    assert re.search(r"prefix \+ encodeURIComponent\('\"' \+ name \+ '\"'\)", script)


def test_paper_pages_link_each_other_relatively(site):
    doc = page(site, "papers/2603.00002")
    hrefs = [a["href"] for a in doc.select(".pa-pager a[rel], .pa-related a")]
    assert hrefs and all(re.fullmatch(r"\.\./2603\.\d{5}/", h) for h in hrefs), hrefs
    assert doc.select_one(".pa-cite-links a[download]")["href"] == "../2603.00002.bib"


def test_two_builds_give_byte_identical_paper_pages(site):
    before = {p: p.read_bytes() for p in (site / "papers").rglob("index.html")}
    build_site(Paths(site.parent))  # generate, MkDocs (minifier included) and search again
    after = {p: p.read_bytes() for p in (site / "papers").rglob("index.html")}
    assert before == after
