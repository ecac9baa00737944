"""Paper pages (paperpages_hook.py): the bytes MkDocs itself renders from the same parts,
the same from forked workers as from one process, and a theme that hides a part is refused.

(On a one-core machine the hook forks nothing and both builds are single-process.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildError, build_site
from generator.config import Paths
from generator.site import urls

REPO = Path(__file__).resolve().parents[1]


def _pages(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml") and "pagefind" not in p.parts
    }


def _root(tmp_path: Path) -> Paths:
    shutil.copytree(REPO / "papers", tmp_path / "papers")
    (tmp_path / "docs").mkdir()
    for name in ("about.md", "annotate.md"):
        shutil.copy(REPO / "docs" / name, tmp_path / "docs" / name)
    for name in ("mkdocs.yml", "topics.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "generator").symlink_to(REPO / "generator")
    return Paths(tmp_path)


def test_paper_pages_from_workers_match_a_single_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _root(tmp_path)

    monkeypatch.setenv("PAPER_ARCHIVE_PARALLEL_MIN_PAGES", "1")  # fork even for 34 papers
    build_site(paths)
    parallel = _pages(paths.site)
    monkeypatch.setenv("PAPER_ARCHIVE_PARALLEL_MIN_PAGES", "1000000")
    build_site(paths)
    single = _pages(paths.site)

    papers = [rel for rel in single if rel.startswith("papers/")]
    assert len(papers) == len(list((tmp_path / "papers").rglob("*.md")))
    assert parallel == single


WORKER_WARNS = """\
import logging
import json
import os
import subprocess
import sys

MAIN = os.getpid()


def on_post_page(output, page, **_):
    if os.getpid() != MAIN:  # only pages a forked worker renders
        logging.getLogger("mkdocs.hooks.test").warning("warned in a worker: %s", page.url)
    return output
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the hook forks no worker")
def test_a_warning_in_a_worker_fails_the_strict_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MkDocs counts strict-mode warnings in its own process only; the hook must count the
    workers' too, or a broken paper page would deploy from a large archive."""
    paths = _root(tmp_path)
    (tmp_path / "warn_hook.py").write_text(WORKER_WARNS)
    config = paths.mkdocs_yml.read_text()
    paths.mkdocs_yml.write_text(config.replace("hooks:\n", "hooks:\n  - warn_hook.py\n", 1))
    monkeypatch.setenv("PAPER_ARCHIVE_PARALLEL_MIN_PAGES", "1")
    with pytest.raises(BuildError, match="warnings .* in strict mode"):
        build_site(paths)
    monkeypatch.setenv("PAPER_ARCHIVE_PARALLEL_MIN_PAGES", "1000000")  # no worker: no warning
    build_site(paths)


def test_a_paper_page_is_what_mkdocs_renders_from_its_parts(tmp_path: Path) -> None:
    """The same parts as an ordinary Markdown page of the paper template, beside the paper
    pages: MkDocs' own rendering (front matter, raw HTML, the minifier) must give the bytes
    the hook wrote, but for the page's own URL."""
    paths = _root(tmp_path)
    build_site(paths)
    arxiv_id = "2402.16363"
    parts = json.loads((paths.docs / urls.paper(arxiv_id).source).read_text("utf-8"))
    front = {"title": parts["title"], "description": parts["description"]}
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    lines += [f"head: {json.dumps(parts['head'], ensure_ascii=False)}", "template: paper.html"]
    lines.append("raw_html: true")
    twin = "twin/page"  # at a paper's depth, outside the generated folders
    (paths.docs / "twin").mkdir()
    (paths.docs / f"{twin}.md").write_text(
        "---\n" + "\n".join(lines) + "\n---\n" + parts["content"] + "\n", encoding="utf-8"
    )
    build_site(paths)
    page = (paths.site / urls.paper(arxiv_id).url / "index.html").read_text("utf-8")
    rendered = (paths.site / twin / "index.html").read_text("utf-8")
    assert "pa-paper" in page
    assert rendered.replace(f"{twin}/", f"papers/{arxiv_id}/") == page


def test_a_theme_that_leaves_out_a_part_fails_the_build(tmp_path: Path) -> None:
    paths = _root(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "generator" / "theme", theme)
    template = theme / "paper.html"
    template.write_text(template.read_text("utf-8").replace("{{ page.content }}", ""))
    config = paths.mkdocs_yml.read_text("utf-8")
    paths.mkdocs_yml.write_text(config.replace("custom_dir: generator/theme", "custom_dir: theme"))
    with pytest.raises(BuildError, match="paper.html must show a paper page's content once"):
        build_site(paths)


@pytest.mark.parametrize(
    "parts",
    ["not json", '{"title": "t"}', '{"title": 1, "description": "d", "head": "", "content": ""}'],
)
def test_a_broken_parts_file_fails_the_build_naming_it(tmp_path: Path, parts: str) -> None:
    """A hand-edited or truncated docs/ file is named, not a traceback."""
    paths = _root(tmp_path)
    build_site(paths)
    source = paths.docs / urls.paper("2402.16363").source
    source.write_text(parts, encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(paths.mkdocs_yml)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0
    assert f"{source}: not a paper page's parts" in result.stderr
