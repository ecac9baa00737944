"""How many processes a step of independent items gets, and how the items are split.

Every step that spreads work over the cores asks here: loading the archive and rendering
paper pages in ``build``, its related papers (``site/related.py``), ``validate``, and the
MkDocs hook that writes paper pages (``site/paperpages_hook.py``).
The rule is one process, plus one for every :data:`~generator.config.PARALLEL_MIN`
items, at most one per core: below that a fork, and sending results back, costs more than
it saves.

What a forked worker inherits, and what it does not:

- The parent's memory as it was at the fork: imported modules, compiled regexes and
  templates, module globals set just before (``build`` parks its page renderer in one so
  no worker has to receive it pickled). Whatever the parent changes afterwards, the worker
  never sees, and what a worker changes never comes back: only return values do, pickled,
  so keep them small (paths and numbers rather than objects where possible).
- Open file descriptors, the environment, the working folder and logging handlers. Flush
  stdout and stderr before a bare ``os.fork`` so buffered text is not printed twice.
- Only the forking thread. A lock another thread held at the fork stays held in the
  worker, so fork before starting threads (the hook forks before MkDocs writes pages).

``fork`` is chosen explicitly: it is what makes the inheritance above work, and the start
method that needs no re-import; the project runs on Linux (and macOS, where it also works).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from generator.config import PARALLEL_MIN

T = TypeVar("T")
CHUNKS_PER_PROCESS = 4  # smaller slices even out slow ones, fewer keep pickling cheap


def count(items: int, *, cap: int | None = None, per_process: int | None = None) -> int:
    """Processes for ``items`` independent items: 1, plus 1 per ``per_process`` items
    (default :data:`PARALLEL_MIN`), at most ``cap`` (default the CPU count)."""
    most = cap or os.cpu_count() or 1
    return max(1, min(most, 1 + items // (per_process or PARALLEL_MIN)))


def chunks(items: Sequence[T], processes: int) -> list[Sequence[T]]:
    """Contiguous slices in order, a few per process, so results come back in order."""
    if not items:
        return []
    size = -(-len(items) // (processes * CHUNKS_PER_PROCESS))
    return [items[i : i + size] for i in range(0, len(items), size)]


def shares(items: Sequence[T], processes: int) -> list[Sequence[T]]:
    """One share per process, every ``processes``-th item: even when costs drift with the
    order (for a bare ``os.fork``, which cannot hand out more work later)."""
    return [items[i::processes] for i in range(processes)]


def pool(processes: int) -> ProcessPoolExecutor:
    """A pool of forked workers (see the module docstring for what they inherit)."""
    return ProcessPoolExecutor(
        max_workers=processes, mp_context=multiprocessing.get_context("fork")
    )
