"""Related papers: for every paper, the papers of the whole archive most like it.

Similarity is TF-IDF (scikit-learn) over what says what a paper is about: its title and AI
keywords (words and two-word phrases, weighted 3 and 2), its abstract (words: phrases there
cost three times the time) and its topics. Term frequencies are sublinear, so a word
repeated in one abstract does not outweigh a shared phrase. As in Lucene's "more like this",
a paper is searched for by its strongest terms only, and each term leads only to the papers
it weighs most in; the score is the dot product of the one paper's normalised query with
the others' index entries (the cosine when nothing was cut, as in a small archive). That
keeps the all-pairs product sparse: it runs in row blocks, in bounded memory, on all cores.
Each related paper comes with the shared terms that contributed most, so a reader sees why.

Determinism: scores are rounded to integers before any comparison, ties go to the smaller
arXiv id, and every row of the product is computed on its own, so the lists do not depend
on how many workers computed them, nor on the order papers were read in. Pages show no
score, so a paper's page changes only when its list (ids or shown terms) does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from generator import workers
from generator.model import Paper

RELATED = 6  # papers listed per paper
SHOWN_TERMS = 3  # shared terms shown per related paper
KEPT_TERMS = 64  # a paper is searched for by its strongest terms only
POSTINGS = 50  # and a term finds only the papers it weighs most in
MIN_SCORE = 0.05  # a score below this (a cosine, uncut) does not make two papers related
BLOCK_ROWS = 1024  # rows of the similarity product computed at once
SCALE = 2**20  # scores are compared as integers: round(score * SCALE)
TITLE_WEIGHT, KEYWORD_WEIGHT, ABSTRACT_WEIGHT, TOPIC_WEIGHT = 3, 2, 1, 2
TOPIC = "topic:"  # prefix of topic features (no word token contains a colon)

# Words of at least two characters with at least one letter: numbers alone ("2024",
# "100") would link papers that share nothing but a figure. (A letter first, or digits and
# underscores then a letter: the same words as a look-ahead for a letter, found faster.)
_TOKENS = r"(?u)\b(?:[^\W\d_]\w+|[\d_]+[^\W\d_]\w*)\b"
_phrases = CountVectorizer(
    ngram_range=(1, 2), stop_words="english", token_pattern=_TOKENS
).build_analyzer()
_words = CountVectorizer(stop_words="english", token_pattern=_TOKENS).build_analyzer()


T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Related:
    """One related paper and the shared terms that made it so, strongest first."""

    id: str
    terms: tuple[str, ...]


Doc = tuple[Paper, str | None, tuple[str, ...]]  # the paper, its terms if known, topics


def terms(paper: Paper) -> str:
    """The terms of a paper's title, AI keywords and abstract, one per line, each repeated
    as often as its field weighs (counting adds them up).

    What analysing the text costs is most of this step's Python time, and it depends on the
    paper alone: the build keeps it with the paper in its load cache (``buildcache.py``), so
    a daily build analyses only the new papers. Keywords are analysed one by one, so no
    phrase spans two of them. No term holds a line break of any kind (terms are words, or
    two words joined by a space).
    """
    found = _phrases(paper.title) * TITLE_WEIGHT
    for keyword in paper.ai_keywords:
        found += _phrases(keyword) * KEYWORD_WEIGHT
    found += _words(paper.abstract or "") * ABSTRACT_WEIGHT
    return "\n".join(found)


def related_papers(
    papers: Sequence[Paper],
    topics_of: Mapping[str, Sequence[str]],
    topic_names: Mapping[str, str],
    *,
    terms_of: Mapping[str, str] | None = None,
    processes: int | None = None,
) -> dict[str, list[Related]]:
    """Paper id -> its related papers, most similar first (at most :data:`RELATED`).

    ``topic_names`` maps the topic slugs that count (not the catch-all) to the names shown
    as shared terms. ``terms_of`` gives, by paper id, what :func:`terms` gave for a paper
    as it is now; the papers it does not name are analysed here. ``processes`` defaults to
    what :func:`generator.workers.count` gives.
    """
    global _state
    ordered = sorted(papers, key=lambda p: p.id)
    if len(ordered) < 2:
        return {p.id: [] for p in ordered}
    if processes is None:
        processes = workers.count(len(ordered))
    known = terms_of or {}
    docs: list[Doc] = [
        (p, known.get(p.id), tuple(s for s in topics_of.get(p.id, ()) if s in topic_names))
        for p in ordered
    ]
    _state = _State(docs=docs)
    try:
        counts, names = _count(len(docs), processes)
        queries, index = _vectors(counts)
        del counts  # the workers of the next step need not inherit it
        labels = [topic_names[n[len(TOPIC) :]] if n.startswith(TOPIC) else n for n in names]
        words = [frozenset(name.split()) for name in names]
        _state = _State([], queries, index, index.T.tocsr(), words, labels)
        blocks = _map(_similar_block, range(0, len(ordered), BLOCK_ROWS), processes)
    finally:
        _state = _State(docs=[])
    found: dict[str, list[Related]] = {p.id: [] for p in ordered}
    for block in blocks:
        for row, column, terms in block:
            found[ordered[row].id].append(Related(ordered[column].id, terms))
    return found


@dataclass
class _State:
    """What forked workers read (inherited, not pickled)."""

    docs: list[Doc]
    queries: sp.csr_matrix | None = None
    index: sp.csr_matrix | None = None
    index_t: sp.csr_matrix | None = None
    words: list[frozenset[str]] | None = None  # the words of each term, columns' order
    labels: list[str] | None = None  # the terms as shown (topic names for topics)


_state = _State(docs=[])


def _map(function: Callable[[T], R], items: Iterable[T], processes: int) -> list[R]:
    """``function`` over ``items`` in forked workers (which inherit ``_state`` as it is
    now), in order; in this process for one."""
    if processes <= 1:
        return [function(item) for item in items]
    with workers.pool(processes) as pool:
        return list(pool.map(function, items))


def _features(doc: Doc) -> list[str]:
    """A paper's weighted terms (:func:`terms`), then its topics'."""
    paper, text, topics = doc
    found = (terms(paper) if text is None else text).splitlines()  # none for ""
    return found + [TOPIC + slug for slug in topics] * TOPIC_WEIGHT


def _count_slice(bounds: tuple[int, int]) -> tuple[list[str], sp.csr_matrix]:
    """Weighted term counts of the papers in ``bounds``, columns in first-seen order."""
    column: defaultdict[str, int] = defaultdict()
    column.default_factory = column.__len__  # a new term gets the next column
    indices: list[int] = []
    indptr = [0]
    for doc in _state.docs[bounds[0] : bounds[1]]:
        indices.extend(map(column.__getitem__, _features(doc)))
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (np.ones(len(indices), np.float32), np.asarray(indices, np.int32), indptr),
        shape=(len(indptr) - 1, len(column)),
    )
    counts.sum_duplicates()  # a term repeated (by its field's weight, or in the text) adds up
    return list(column), counts


def _count(n: int, processes: int) -> tuple[sp.csr_matrix, list[str]]:
    """Weighted term counts of every paper, over the terms at least two papers share (no
    other term can make two papers alike), columns in alphabetical order.

    Slices are counted in parallel, each with its own vocabulary, then merged; the final
    column order depends on the terms only, not on how the papers were sliced.
    """
    size = -(-n // processes)
    bounds = [(start, min(n, start + size)) for start in range(0, n, size)]
    parts = _map(_count_slice, bounds, processes)
    column: dict[str, int] = {}
    remapped = []
    for names, counts in parts:
        remap = np.fromiter(
            (column.setdefault(name, len(column)) for name in names), np.int64, len(names)
        )
        remapped.append((counts.data, remap[counts.indices], counts.indptr, counts.shape[0]))
    width = len(column)
    counts = sp.vstack(
        [sp.csr_matrix((d, i, p), shape=(rows, width)) for d, i, p, rows in remapped]
    ).tocsr()
    shared = np.flatnonzero(np.bincount(counts.indices, minlength=width) >= 2)
    names = np.array(list(column), dtype=object)[shared]
    order = np.argsort(names, kind="stable")
    counts = counts[:, shared[order]]
    counts.sort_indices()
    return counts, names[order].tolist()


def _vectors(counts: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The papers as queries and as the index searched, both from TF-IDF rows.

    A query is a paper's :data:`KEPT_TERMS` strongest terms, L2-normalised. The index keeps
    of each term only the :data:`POSTINGS` papers it weighs most in: a common term still
    leads to the papers most about it, but no longer pairs every paper that uses it with
    every other, which is what bounds the cost of the product.
    """
    weights = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    queries = normalize(_strongest(weights, KEPT_TERMS))
    index = _strongest(queries.T.tocsr(), POSTINGS).T.tocsr()
    return queries, index


def _strongest(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Each row's ``keep`` largest entries (entries are at most 1)."""
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    kept = np.sort(_best(rows, matrix.data, matrix.indices, matrix.shape[1], keep))
    return sp.csr_matrix(
        (matrix.data[kept], matrix.indices[kept], _indptr(rows[kept], matrix.shape[0])),
        shape=matrix.shape,
    )


def _best(
    rows: np.ndarray, values: np.ndarray, columns: np.ndarray, width: int, keep: int
) -> np.ndarray:
    """Positions of each row's ``keep`` best entries, by row, best first.

    Values (in [0, 1]) are compared as integers, round(value * SCALE), ties going to the
    lowest column: one integer key per entry, so one sort does it and nothing depends on
    the floating-point noise below that.
    """
    if not len(rows):
        return np.zeros(0, np.int64)
    points = np.clip(np.rint(values * SCALE), 0, SCALE).astype(np.int64)
    column_bits = max(int(width).bit_length(), 1)
    score_bits = SCALE.bit_length()
    assert int(rows.max()).bit_length() + score_bits + column_bits < 64
    key = (rows << (score_bits + column_bits)) | ((SCALE - points) << column_bits) | columns
    order = np.argsort(key)
    grouped = rows[order]
    return order[np.arange(len(order)) - np.searchsorted(grouped, grouped) < keep]


def _indptr(rows: np.ndarray, n: int) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])


def _similar_block(start: int) -> list[tuple[int, int, tuple[str, ...]]]:
    """(row, related row, shared terms) for the papers in rows ``start`` to
    ``start + BLOCK_ROWS``, each row's related papers best first."""
    queries, index, index_t = _state.queries, _state.index, _state.index_t
    assert queries is not None and index is not None and index_t is not None
    stop = min(start + BLOCK_ROWS, queries.shape[0])
    scores = (queries[start:stop] @ index_t).tocsr()
    rows = np.repeat(np.arange(start, stop, dtype=np.int64), np.diff(scores.indptr))
    columns = scores.indices.astype(np.int64)
    useful = (columns != rows) & (scores.data >= MIN_SCORE)
    rows, columns = rows[useful], columns[useful]
    best = _best(rows, scores.data[useful], columns, queries.shape[0], RELATED)
    rows, columns = rows[best], columns[best]
    if not len(rows):
        return []
    # The terms each pair shares, by weight in the pair's score: a few candidates each.
    shared = queries[rows].multiply(index[columns]).tocsr()
    pairs = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(shared.indptr))
    terms = shared.indices.astype(np.int64)
    top = _best(pairs, shared.data, terms, queries.shape[1], SHOWN_TERMS * 2)
    ends = np.searchsorted(pairs[top], np.arange(1, len(rows) + 1)).tolist()
    candidates = terms[top].tolist()
    return [
        (row, column, _shown_terms(candidates[ends[i - 1] if i else 0 : ends[i]]))
        for i, (row, column) in enumerate(zip(rows.tolist(), columns.tolist(), strict=True))
    ]


def _shown_terms(candidates: list[int]) -> tuple[str, ...]:
    """The shown terms among a pair's strongest shared terms (``candidates``, best first):
    a word already inside a shown phrase is left out, and a phrase replaces its own word
    shown before it."""
    words_of, labels = _state.words, _state.labels
    assert words_of is not None and labels is not None
    chosen: list[int] = []
    for column in candidates:
        words = words_of[column]
        if any(words <= words_of[c] for c in chosen):
            continue
        inside = [n for n, c in enumerate(chosen) if words_of[c] < words]
        if inside:
            chosen[inside[0]] = column
            chosen = [c for n, c in enumerate(chosen) if n not in inside[1:]]
        elif len(chosen) < SHOWN_TERMS:
            chosen.append(column)
    return tuple(labels[c] for c in chosen)
