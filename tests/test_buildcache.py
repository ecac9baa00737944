"""The build's caches (``generator/buildcache.py``): what a build keeps for the next one.

Whatever changed since the last build, a build that starts from its ``.cache/`` and
``docs/papers/`` must write exactly the files a build from nothing writes; and when little
changed, it must read and render little. Each change below is made to a copy of the sample
archive after a first build, and the second build's ``docs/`` is compared byte for byte with
a clean build of the same files in a new folder.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import buildcache
from generator.build import generate
from generator.config import Paths
from generator.site import incremental_hook

REPO = Path(__file__).resolve().parents[1]
HAND_WRITTEN = ("about.md", "annotate.md")  # the pages of docs/ that are in git
NEW_TITLE = "A title the cache test gave this paper"


def _checkout(root: Path) -> Paths:
    shutil.copytree(REPO / "papers", root / "papers")
    (root / "docs").mkdir()
    for name in HAND_WRITTEN:
        shutil.copy(REPO / "docs" / name, root / "docs" / name)
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, root / name)
    return Paths(root)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = _checkout(tmp_path_factory.mktemp("first") / "kept")
    first = generate(paths)
    assert first.parsed == first.rendered == first.papers > 0
    return paths


@pytest.fixture
def paths(first_build: Paths, tmp_path: Path) -> Paths:
    """A copy of the sample archive, its ``docs/`` and ``.cache/`` as its first build left them."""
    shutil.copytree(first_build.root, tmp_path / "kept")
    return Paths(tmp_path / "kept")


def _docs(paths: Paths) -> dict[str, bytes]:
    return {
        p.relative_to(paths.docs).as_posix(): p.read_bytes()
        for p in sorted(paths.docs.rglob("*"))
        if p.is_file()
    }


def _clean_build(paths: Paths, where: Path) -> dict[str, bytes]:
    """``docs/`` as a build from nothing makes it of the files ``paths`` holds now."""
    clean = Paths(where)
    shutil.copytree(paths.papers, clean.papers)
    clean.docs.mkdir()
    for name in HAND_WRITTEN:
        shutil.copy(paths.docs / name, clean.docs / name)
    shutil.copy(paths.mkdocs_yml, clean.mkdocs_yml)
    shutil.copy(paths.topics, clean.topics)
    generate(clean)
    return _docs(clean)


def _paper_files(paths: Paths) -> dict[str, Path]:
    return {p.stem: p for p in paths.papers.glob("*/*/*/*.md")}


def _most_linked(paths: Paths) -> str:
    """The paper other paper pages link to most (as a related paper or the day's next)."""
    links: Counter[str] = Counter()
    for page in (paths.docs / "papers").glob("*.page.json"):
        content = json.loads(page.read_text(encoding="utf-8"))["content"]
        links.update(set(re.findall(r'href="\.\./(\d{4}\.\d{4,5})/"', content)) - {page.stem})
    assert links, "no paper page links another: the sample has no related papers?"
    return links.most_common(1)[0][0]


def _retitle(paths: Paths) -> None:
    path = _paper_files(paths)[_most_linked(paths)]
    text = path.read_text(encoding="utf-8")
    text, done = re.subn(r"^title: .*$", f"title: '{NEW_TITLE}'", text, count=1, flags=re.M)
    assert done
    path.write_text(text, encoding="utf-8")


def _rewrite_abstract(paths: Paths) -> None:
    """The paper other pages link to most gets the abstract of the paper most unlike it (the
    last one it would list): its related papers, found by the terms the load cache keeps,
    change."""
    files = _paper_files(paths)
    linked = _most_linked(paths)
    page = json.loads((paths.docs / "papers" / f"{linked}.page.json").read_text(encoding="utf-8"))
    shown = set(re.findall(r'href="\.\./(\d{4}\.\d{4,5})/"', page["content"]))
    other = next(p for p in sorted(files) if p != linked and p not in shown)
    abstract = re.compile(r"^abstract: .*$", re.M)  # one line in every sample file
    donor = abstract.search(files[other].read_text(encoding="utf-8"))
    assert donor is not None
    text = files[linked].read_text(encoding="utf-8")
    text, done = abstract.subn(lambda _: donor.group(0), text, count=1)
    assert done
    files[linked].write_text(text, encoding="utf-8")


def _rename_org(paths: Paths) -> None:
    """The organization's full name every one of its papers' pages shows."""
    for path in sorted(_paper_files(paths).values(), reverse=True):  # newest first
        text = path.read_text(encoding="utf-8")
        if "fullname: " in text:
            path.write_text(re.sub(r"fullname: [^}]*", "fullname: Renamed Lab", text, count=1))
            return
    raise AssertionError("no sample paper names an organization")


def _rename_topic(paths: Paths) -> None:
    text = paths.topics.read_text(encoding="utf-8")
    paths.topics.write_text(text.replace("name: Reasoning\n", "name: Reasoning renamed\n", 1))


def _rename_site(paths: Paths) -> None:
    text = paths.mkdocs_yml.read_text(encoding="utf-8")
    paths.mkdocs_yml.write_text(text.replace("site_name: ", "site_name: Renamed ", 1))


def _remove_paper(paths: Paths) -> None:
    _paper_files(paths)[_most_linked(paths)].unlink()


def _add_paper(paths: Paths) -> None:
    """A new paper on the newest day, copied from one there under a new id."""
    newest = max(_paper_files(paths).values())
    text = newest.read_text(encoding="utf-8").replace(newest.stem, "2603.99999")
    (newest.parent / "2603.99999.md").write_text(text, encoding="utf-8")


def _edit_page_by_hand(paths: Paths) -> None:
    page = next((paths.docs / "papers").glob("*.page.json"))
    page.write_text(page.read_text(encoding="utf-8").replace("Abstract", "Abstrakt"))


def _delete_page(paths: Paths) -> None:
    next((paths.docs / "papers").glob("*.page.json")).unlink()


def _spoil_caches(paths: Paths) -> None:
    paths.load_cache.write_bytes(b"not a pickle")
    paths.page_cache.write_bytes(paths.page_cache.read_bytes()[:100])  # cut short


# Each change, and how many paper files the next build reads and paper pages it renders
# anew: "all", "some" (at least one, not all) or a number. On the sample's 34 papers a new or
# removed paper changes the related papers of most pages (the terms' weights move).
CHANGES: dict[str, tuple[Callable[[Paths], None], object, object]] = {
    "a paper retitled that other pages show": (_retitle, 1, "some"),
    "a paper's abstract rewritten": (_rewrite_abstract, 1, "some"),
    "an organization renamed": (_rename_org, 1, "some"),
    "a paper added to the newest day": (_add_paper, 1, "some"),
    "a paper removed that other pages show": (_remove_paper, 0, "some"),
    "a generated page edited by hand": (_edit_page_by_hand, 0, 1),
    "a generated page deleted": (_delete_page, 0, 1),
    "a topic renamed": (_rename_topic, "all", "some"),
    "the site renamed": (_rename_site, 0, "all"),
    "both caches unreadable": (_spoil_caches, "all", "all"),
}


def _how_many(count: int, total: int, expected: object) -> object:
    """``count`` said as ``expected`` is: "all", "some" or the number itself."""
    if expected == "all" or count == total:
        return "all" if count == total else count
    if expected == "some":
        return "some" if 0 < count < total else count
    return count


def test_a_build_after_an_unchanged_one_reads_and_renders_nothing(paths: Paths) -> None:
    before = _docs(paths)
    again = generate(paths)
    assert (again.parsed, again.rendered, again.written) == (0, 0, 0)
    assert _docs(paths) == before


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_build_after_a_change_writes_what_a_clean_build_writes(
    paths: Paths, tmp_path: Path, change: str
) -> None:
    make, parsed, rendered = CHANGES[change]
    make(paths)
    report = generate(paths)
    assert _docs(paths) == _clean_build(paths, tmp_path / "clean")
    assert _how_many(report.parsed, report.papers, parsed) == parsed
    assert _how_many(report.rendered, report.papers, rendered) == rendered


def test_a_retitled_paper_is_shown_anew_on_the_pages_that_link_it(paths: Paths) -> None:
    """The case a cache keyed on the page's own paper alone would get wrong."""
    linked = _most_linked(paths)
    _retitle(paths)
    report = generate(paths)
    showing = [
        page.stem
        for page in (paths.docs / "papers").glob("*.page.json")
        if NEW_TITLE in page.read_text(encoding="utf-8") and page.stem != linked
    ]
    assert showing, f"no other page shows {linked}'s title"
    assert report.rendered >= 1 + len(showing)


def test_the_fingerprint_does_not_depend_on_where_an_installation_is_found_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m generator`` run in the repository finds the project's metadata a second
    time (its ``*.egg-info``); that must not make every cache entry miss."""
    before = buildcache.packages()
    hook_before = incremental_hook.fingerprint(REPO, "https://example.org/")
    yaml = importlib.metadata.distribution("PyYAML")
    copy = tmp_path / f"PyYAML-{yaml.version}.dist-info"
    copy.mkdir()
    (copy / "METADATA").write_text(yaml.read_text("METADATA") or "", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    found = [d for d in importlib.metadata.distributions() if d.metadata["Name"] == "PyYAML"]
    assert len(found) == 2  # the same distribution, found twice
    assert buildcache.packages() == before
    assert incremental_hook.fingerprint(REPO, "https://example.org/") == hook_before
