"""MkDocs hook: paper pages, each written as one rendered shell with the paper's parts put in.

There are tens of thousands of paper pages, and ``paper.html`` renders them all alike but
for five places: the title, the description, the canonical URL, the head's citation tags
and the content. MkDocs would still read each page's front matter, make a Markdown
instance for it and render the whole template, which was most of a large build. So the
generator writes a paper page as those parts, in JSON (``papers/<id>.page.json``, made by
:func:`encode`), and this hook renders ``paper.html`` once, through MkDocs' own context,
with a mark in each of the five places (the shell). Each paper page is the shell with its
parts in place of the marks, then passed to every plugin's ``on_post_page`` (the minifier
among them) as MkDocs does with a page it renders: the same bytes MkDocs would write.

The parts are HTML already: the title and description escaped by the generator, as front
matter values always were (MkDocs prints ``page.meta`` unescaped), the head and content
from its autoescaping templates.

The pages are written when all are read (``on_env``) by forked workers, one per core for a
large archive, while this process builds every other page; ``on_post_build`` waits for
them and fails the build if one failed, or logged a warning under ``--strict`` (MkDocs
counts only its own process's). An incremental build (``incremental_hook.py``, which
digests the parts like any other source) writes only the pages whose parts changed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator import workers
from generator.config import PARALLEL_MIN
from generator.fsutil import write_if_changed
from generator.site import urls

TEMPLATE = "paper.html"
PARTS = ("title", "description", "canonical_url", "head", "content")
# The variable exists so a test can exercise the workers on the small sample archive.
MIN_PAGES = int(os.environ.get("PAPER_ARCHIVE_PARALLEL_MIN_PAGES") or PARALLEL_MIN)
FAILED, WARNED = 1, 3  # a worker's exit status

_state: dict[str, Any] = {"command": None, "nav": None, "pages": [], "workers": []}


def encode(title: str, description: str, head: str, content: str) -> str:
    """A paper page's parts as the generator writes them (HTML, escaped where it is text)."""
    parts = {"title": title, "description": description, "head": head, "content": content}
    return json.dumps(parts, ensure_ascii=False, sort_keys=True)


def _mark(name: str) -> str:
    return f"\x00pa-shell-{name}\x00"  # no template, part or minifier writes a NUL


def on_startup(command: str, **_: Any) -> None:
    _state["command"] = command  # `mkdocs serve` runs server threads: never fork there


def on_files(files: Files, config: Any, **_: Any) -> Files:
    """Paper parts become files MkDocs neither copies nor renders, with their page's URL."""
    kept, pages = [], []
    for file in files:
        arxiv_id = urls.paper_of_source(file.src_uri)
        if arxiv_id is None or file.abs_src_path is None:
            kept.append(file)
            continue
        pages.append(
            File(
                file.src_uri,
                file.src_dir,
                config.site_dir,
                config.use_directory_urls,
                dest_uri=f"{urls.paper(arxiv_id).url}index.html",
                inclusion=InclusionLevel.EXCLUDED,
            )
        )
    _state["pages"] = pages
    return Files(kept + pages)


def on_nav(nav: Any, **_: Any) -> Any:
    _state["nav"] = nav
    return nav


def on_env(env: Any, config: Any, files: Files, **_: Any) -> Any:
    pages = [f for f in _state["pages"] if f.is_modified()]
    if not pages:
        return env
    shell_page, shell = _shell(env, config, files)
    processes = workers.count(len(pages), per_process=MIN_PAGES)
    if processes < 2 or _state["command"] not in ("build", "gh-deploy"):
        _write(pages, shell, shell_page, config)
        return env
    sys.stdout.flush()
    sys.stderr.flush()
    for share in workers.shares(pages, processes):
        pid = os.fork()
        if pid == 0:  # worker: write this share, then leave without returning to MkDocs
            status = 0
            warnings = _Warnings()
            logging.getLogger("mkdocs").addHandler(warnings)
            try:
                _write(share, shell, shell_page, config)
                if warnings.count and config.strict:
                    status = WARNED
            except BaseException:
                logging.getLogger("mkdocs").exception("a paper-page worker failed")
                status = FAILED
            finally:
                logging.shutdown()
                os._exit(status)
        _state["workers"].append(pid)
    return env


def _shell(env: Any, config: Any, files: Files) -> tuple[Page, Shell]:
    """``paper.html`` rendered for a page at a paper's depth, split at the five marks."""
    from mkdocs.commands.build import get_context

    at_a_paper = f"{urls.paper('shell').url}index.html"  # only its depth matters
    source = File("shell.md", None, config.site_dir, config.use_directory_urls, dest_uri=at_a_paper)
    page = Page(None, source, config)
    page.meta = {"title": _mark("title"), "description": _mark("description")}
    page.meta["head"] = _mark("head")
    page.canonical_url = _mark("canonical_url")
    page.content = _mark("content")
    page.active = True
    context = get_context(_state["nav"], files.documentation_pages(), config, page)
    context = config.plugins.on_page_context(context, page=page, config=config, nav=_state["nav"])
    text = env.get_template(TEMPLATE).render(context)
    page.active = False
    for name in PARTS:
        if text.count(_mark(name)) != 1:
            raise PluginError(
                f"{TEMPLATE} must show a paper page's {name} once"
                " (see generator/site/paperpages_hook.py)"
            )
    order = sorted(PARTS, key=lambda name: text.index(_mark(name)))
    pieces, rest = [], text
    for name in order:
        before, _, rest = rest.partition(_mark(name))
        pieces.append(before)
    return page, Shell(tuple(order), (*pieces, rest))


class Shell(NamedTuple):
    """The rendered template around the parts: ``pieces[0]``, the part ``order[0]``,
    ``pieces[1]``, … the part ``order[-1]``, ``pieces[-1]``."""

    order: tuple[str, ...]
    pieces: tuple[str, ...]


def _write(pages: Sequence[File], shell: Shell, shell_page: Page, config: Any) -> None:
    site_url = config.site_url or ""
    if site_url and not site_url.endswith("/"):
        site_url += "/"  # as MkDocs makes a page's canonical URL
    for file in pages:
        assert file.abs_src_path is not None
        try:
            parts = json.loads(Path(file.abs_src_path).read_text(encoding="utf-8"))
            parts["canonical_url"] = urljoin(site_url, file.url) if site_url else ""
            values = [parts[name] for name in shell.order]
            after = shell.pieces[1:]
            text = shell.pieces[0] + "".join(v + p for v, p in zip(values, after, strict=True))
        except (ValueError, KeyError, TypeError) as exc:  # not JSON, a part missing or no text
            raise PluginError(f"{file.abs_src_path}: not a paper page's parts ({exc})") from None
        text = config.plugins.on_post_page(text, page=shell_page, config=config)
        write_if_changed(Path(file.abs_dest_path), text)


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _wait() -> set[int]:
    """The workers' exit statuses."""
    statuses = set()
    for pid in _state["workers"]:
        _, status = os.waitpid(pid, 0)
        statuses.add(os.waitstatus_to_exitcode(status))
    _state["workers"] = []
    return statuses


def on_post_build(**_: Any) -> None:
    statuses = _wait() - {0}
    if statuses == {WARNED}:
        raise PluginError("paper pages logged warnings (see the log above) in strict mode")
    if statuses:
        raise PluginError("a worker writing paper pages failed (see the log above)")


def on_build_error(**_: Any) -> None:
    _wait()
