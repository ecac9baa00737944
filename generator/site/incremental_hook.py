"""MkDocs hook: ``paper-archive build --incremental``, deciding what changed by content.

MkDocs' ``--dirty`` rebuilds a page when its source is newer than its output. On a daily
run the previous ``site/`` comes back from the workflow's cache but ``docs/`` is generated
afresh, so every source is newer and nothing would be saved; and under ``--strict`` MkDocs'
own warning about dirty builds fails the build. This hook keeps a manifest of the last
build (a digest of every ``docs/`` file and the output it became, and a fingerprint of what
else shapes the output: ``mkdocs.yml``, the theme, the hooks and ``urls.py``, which the
theme's templates call, every installed package's version, the site URL). An incremental
build (``build.py`` runs MkDocs with ``--dirty`` only when the manifest's fingerprint is the
current one) then rebuilds or copies exactly the files whose digest changed, and removes the
outputs of sources that are gone. The search step reads the manifest too (:func:`outputs`):
a paper page made from the same source under the same fingerprint is the same page, so its
search body need not be read again to know its search bundle is still good.

Dirty builds are safe for this site because nothing a page shows comes from another page
at MkDocs time: the navigation is fixed in ``mkdocs.yml`` (lists, prev/next, related
papers are all written into each page's own Markdown by the generator), so a page whose
source did not change renders to the same bytes. ``tests/test_incremental.py`` checks that
an incremental build gives the site a clean build gives.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from generator import buildcache
from generator.fsutil import write_atomic

MANIFEST = "PAPER_ARCHIVE_MANIFEST"  # where the manifest is kept (build.py sets it)
INCREMENTAL = "PAPER_ARCHIVE_INCREMENTAL"  # "1": this is an incremental build
FINGERPRINT = "PAPER_ARCHIVE_FINGERPRINT"  # the current fingerprint, from build.py

_DIRTY_WARNING = "A 'dirty' build is being performed"
_state: dict[str, Any] = {"files": {}}


def fingerprint(root: Path, site_url: str) -> str:
    """What besides ``docs/`` decides the output: a change to any of it means a clean build."""
    digest = hashlib.sha256()
    theme = root / "generator" / "theme"
    sources = [root / "mkdocs.yml", *sorted(p for p in theme.rglob("*") if p.is_file())]
    sources += sorted((root / "generator" / "site").glob("*_hook.py"))
    sources.append(root / "generator" / "site" / "urls.py")  # the theme's URLs (urls_hook)
    for path in sources:
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    digest.update("\n".join([site_url, *buildcache.packages()]).encode())
    return digest.hexdigest()


def resumable(manifest: Path, current: str) -> bool:
    """Whether an incremental build may start from the last one (same fingerprint)."""
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["fingerprint"] == current
    except (OSError, ValueError, KeyError, TypeError):
        return False


def outputs(manifest: Path) -> tuple[str, dict[str, str]] | None:
    """The last build's fingerprint and, for each file it wrote (relative to the site), the
    digest of the source it made the file from; ``None`` without a readable manifest."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return data["fingerprint"], {dest: digest for digest, dest in data["files"].values()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


class _NoDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_DIRTY_WARNING)


def on_config(config: Any, **_: Any) -> Any:
    if os.environ.get(INCREMENTAL) == "1":
        # Safe here (see the module's docstring); it would fail every --strict build.
        logging.getLogger("mkdocs.commands.build").addFilter(_NoDirtyWarning())
    return config


def on_files(files: Any, config: Any, **_: Any) -> Any:
    if not os.environ.get(MANIFEST):
        return files
    docs = os.path.join(config.docs_dir, "")
    current: dict[str, tuple[str, str]] = {}
    for file in files:
        if file.abs_src_path and file.abs_src_path.startswith(docs):
            with open(file.abs_src_path, "rb") as handle:
                digest = buildcache.digest(handle.read()).hex()
            current[file.src_uri] = (digest, file.dest_uri)
    _state["files"] = current
    if os.environ.get(INCREMENTAL) == "1":
        previous = _previous_files()
        site = Path(config.site_dir)
        for file in files:
            if file.src_uri in current:
                same = previous.get(file.src_uri) == current[file.src_uri]
                built = same and (site / file.dest_uri).is_file()
                file.is_modified = (lambda: False) if built else (lambda: True)
        for src, (_digest, dest) in previous.items():
            if src not in current:
                _remove(site, site / dest)
    return files


def _remove(site: Path, output: Path) -> None:
    """An output whose source is gone, and the folders it leaves empty (``papers/<id>/``)."""
    output.unlink(missing_ok=True)
    folder = output.parent
    while folder != site and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _previous_files() -> dict[str, tuple[str, str]]:
    text = Path(os.environ[MANIFEST]).read_text(encoding="utf-8")
    return {src: (digest, dest) for src, (digest, dest) in json.loads(text)["files"].items()}


def on_post_build(**_: Any) -> None:
    path = os.environ.get(MANIFEST)
    if not path:
        return
    manifest = {"fingerprint": os.environ.get(FINGERPRINT, ""), "files": _state["files"]}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(Path(path), json.dumps(manifest, sort_keys=True, separators=(",", ":")))
