"""What a build keeps in ``.cache/`` for the next one, and what a kept entry is keyed on.

A daily build follows a build of nearly the same archive: all but one day's paper files
are byte for byte what they were, and so are most paper pages. Two steps keep their work
for the next build, each as one file mapping an item to a digest of everything its result
depends on, together with the result (or a digest of it):

- ``load`` (``build._load``): each paper file's parsed :class:`~generator.model.Paper`, its
  topics and the terms its related papers are found by (``related.terms``), under the
  digest of the file's bytes;
- ``generate`` (``build._write_papers``): each paper page's digest of its inputs (the page
  renderer's :meth:`~generator.site.pages.PageRenderer.paper_inputs`, everything the
  template is given) and of the file it became, so a page whose inputs did not change is
  neither rendered nor written again.

Both files are valid only under the :func:`fingerprint` they were written with: the
project's code and templates, every installed package's version, and what the caller adds
(the taxonomy, the site's configuration). A change to any of it, or a file that cannot be
read, is an empty cache: the build does the work again and gives the same bytes, which is
what ``tests/test_buildcache.py`` checks, item by item, for every kind of change.

The files are pickles, so they are read only from this project's own ``.cache/`` (the
daily workflow restores it from its own ``actions/cache`` entries, which runs for pull
requests from forks cannot write); never put a ``.cache/`` from elsewhere in place.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import pickle
import sys
from pathlib import Path
from typing import Any

from generator.fsutil import atomic_stream

_PACKAGE = Path(__file__).resolve().parent


def digest(data: bytes) -> bytes:
    """A short digest of some bytes (a file's, or a page's inputs)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def fingerprint(*extra: bytes) -> bytes:
    """What every kept result also depends on: the code and templates of the ``generator``
    package, the Python and package versions, and ``extra``."""
    state = hashlib.sha256(_code())
    for part in extra:
        state.update(b"\0" + digest(part))
    return state.digest()


@functools.cache
def _code() -> bytes:
    """Read once a process, so one build's caches all name the code it started with."""
    state = hashlib.sha256(sys.version.encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file()):
        if "__pycache__" not in path.parts:
            state.update(f"\0{path.relative_to(_PACKAGE).as_posix()}\0".encode())
            state.update(path.read_bytes())
    state.update("\n".join(packages()).encode())
    return state.digest()


def packages() -> list[str]:
    """Every installed distribution as ``name==version``, each once, sorted.

    ``importlib.metadata`` finds a distribution once per folder of ``sys.path`` that holds
    its metadata, so the project itself is found twice when the repository's root is on the
    path (``python -m generator`` run there finds its ``*.egg-info``): listed as found, the
    same installation would have two fingerprints and every cache entry would miss.
    """
    found = {f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()}
    return sorted(found)


def load(path: Path, expected: bytes) -> dict[str, Any]:
    """The entries kept at ``path`` under the fingerprint ``expected``, else none."""
    try:
        with path.open("rb") as handle:
            if pickle.load(handle) != expected:  # the fingerprint first: no entries read
                return {}
            entries = pickle.load(handle)
    except Exception:  # missing, cut short, or of classes this code no longer has
        return {}
    return entries if isinstance(entries, dict) else {}


def save(path: Path, current: bytes, entries: dict[str, Any]) -> None:
    """Keep ``entries`` at ``path`` under ``current``, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_stream(path) as handle:
        pickle.dump(current, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
