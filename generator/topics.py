"""Rule-based topics: a PR-editable taxonomy in ``topics.yml``, applied at build time.

Topics are computed, never stored in paper files, so editing a rule re-files the whole
archive on the next build. A human ``annotation.topics`` list wins over the rules.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.errors import ArchiveError
from generator.ids import SLUG
from generator.model import Paper

MAX_TOPICS = 3
OTHER_SLUG = "other"
_WEIGHTS = {"title": 3, "keywords": 2, "abstract": 1}
# A phrase counts once per occurrence up to this many times in a field: a word an abstract
# keeps coming back to is its subject, one it mentions once is in passing.
REPEAT_CAP = 3
# A second or third topic needs this score and this share of the best one: a title word, or
# several hits in the abstract, never one passing word (tests/data/sample_topics.yml).
SECONDARY_MIN = 3
SECONDARY_SHARE = 0.5


class TopicsError(ArchiveError, ValueError):
    """``topics.yml`` is malformed; the message names the file and entry."""


_TOKEN = re.compile(r"[\w-]+")  # what the patterns' boundaries (?<![\w-]) (?![\w-]) delimit
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")  # split() keeps the tokens


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str
    pattern: re.Pattern[str] | None  # the rule: its keywords as whole words, longest first
    categories: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()  # lower case, as the pattern has them


class Taxonomy:
    """The ordered topics plus the catch-all "Other" topic."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self.other = Topic(OTHER_SLUG, "Other", "Papers no topic rule matched.", None)
        self.by_slug = {t.slug: t for t in [*topics, self.other]}
        self._matcher = _Matcher(topics)

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TopicsError(f"{path}: topic rules file is missing", path=path) from None
        except yaml.YAMLError as exc:
            raise TopicsError(f"{path}: broken YAML: {exc}", path=path) from None
        entries = data.get("topics") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise TopicsError(f"{path}: expected a non-empty 'topics:' list", path=path)
        topics: list[Topic] = []
        for n, entry in enumerate(entries, start=1):
            topics.append(_parse_topic(entry, f"{path}: topic {n}"))
        slugs = [t.slug for t in topics]
        if len(set(slugs)) != len(slugs) or OTHER_SLUG in slugs:
            raise TopicsError(
                f"{path}: topic slugs must be unique and not '{OTHER_SLUG}'", path=path
            )
        return cls(topics)

    def assign(self, paper: Paper) -> list[str]:
        """Slugs for a paper, best first: the human override, else the best rule matches."""
        override = (paper.annotation or {}).get("topics")
        if isinstance(override, list):
            chosen = [s for s in override if isinstance(s, str) and s in self.by_slug]
            if chosen:
                return chosen[:MAX_TOPICS]
        # Matched in lower case: patterns are lower-case too (see _parse_topic), which is
        # faster than re.IGNORECASE, and matching is the bulk of loading a large archive.
        fields = {
            "title": paper.title.lower(),
            "keywords": " | ".join(paper.ai_keywords).lower(),
            "abstract": (paper.abstract or "").lower(),
        }
        cats = set(paper.categories)
        scores = [0] * len(self.topics)
        for name, text in fields.items():
            if text:
                for order, found in enumerate(self._matcher.findall(text)):
                    if found:
                        scores[order] += _WEIGHTS[name] * _hits(found)
        scored = []
        for order, topic in enumerate(self.topics):
            score = scores[order] + 2 * len(cats & topic.categories)
            if score:
                scored.append((-score, order, topic.slug))
        scored.sort()
        if not scored:
            return [OTHER_SLUG]
        best = -scored[0][0]
        # Secondary topics must carry real weight, not one passing word in the abstract.
        floor = max(SECONDARY_MIN, best * SECONDARY_SHARE)
        return [scored[0][2]] + [slug for neg, _, slug in scored[1:MAX_TOPICS] if -neg >= floor]


class _Matcher:
    """Every topic's ``pattern.findall`` over one text, in one pass over its words.

    A keyword that starts and ends with a word character or hyphen can only match from the
    start of a run of them (a token) to the end of one, so the text is cut into tokens once
    and the keywords are looked up as spans of up to a few tokens, instead of running each
    topic's alternation of dozens of phrases at every character (most of a large archive's
    loading time). Each topic takes, at each token it has not passed, its longest keyword
    there and resumes after it: what ``findall`` with the longest alternative first does.
    A topic with a keyword of another shape (``c++``) keeps its own regex.
    """

    def __init__(self, topics: list[Topic]) -> None:
        self.count = len(topics)
        self.phrases: dict[str, list[int]] = {}  # keyword -> topics that have it
        self.firsts: set[str] = set()  # the first token of every keyword
        self.span = 1  # the most tokens in a keyword
        self.regex: list[tuple[int, re.Pattern[str]]] = []
        for order, topic in enumerate(topics):
            if topic.pattern is None:
                continue
            if not all(_TOKEN.fullmatch(k[0]) and _TOKEN.fullmatch(k[-1]) for k in topic.keywords):
                self.regex.append((order, topic.pattern))
                continue
            for keyword in topic.keywords:
                self.phrases.setdefault(keyword, []).append(order)
                tokens = _TOKEN.findall(keyword)
                self.firsts.add(tokens[0])
                self.span = max(self.span, len(tokens))

    def findall(self, text: str) -> list[list[str]]:
        found: list[list[str]] = [[] for _ in range(self.count)]
        parts = _TOKEN_SPLIT.split(text)  # text, token, text, token, ..., text
        words = parts[1::2]
        free = [0] * self.count  # the first word each topic's scan may start a match at
        for i in [i for i, word in enumerate(words) if word in self.firsts]:
            taken: set[int] = set()
            phrases = [words[i]]
            for j in range(i + 1, min(len(words), i + self.span)):
                phrases.append(phrases[-1] + parts[2 * j] + words[j])
            for j in range(len(phrases) - 1, -1, -1):  # longest first
                for order in self.phrases.get(phrases[j], ()):
                    if order not in taken:
                        taken.add(order)
                        if i >= free[order]:
                            found[order].append(phrases[j])
                            free[order] = i + j + 1
        for order, pattern in self.regex:
            found[order] = pattern.findall(text)
        return found


def _hits(found: list[str]) -> int:
    return sum(min(n, REPEAT_CAP) for n in Counter(found).values())


def _parse_topic(entry: object, where: str) -> Topic:
    if not isinstance(entry, dict):
        raise TopicsError(f"{where}: expected a mapping with slug, name and keywords")
    slug, name = entry.get("slug"), entry.get("name")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise TopicsError(f"{where}: slug {slug!r} must be lower-case words joined by '-'")
    if not isinstance(name, str) or not name.strip():
        raise TopicsError(f"{where} ({slug}): 'name' is required")
    keywords = entry.get("keywords")
    if (
        not isinstance(keywords, list)
        or not keywords
        or not all(isinstance(k, str) and k.strip() for k in keywords)
    ):
        raise TopicsError(f"{where} ({slug}): 'keywords' must be a non-empty list of text")
    categories = entry.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise TopicsError(f"{where} ({slug}): 'categories' must be a list of arXiv categories")
    # Longest phrases first so "diffusion model" wins over "diffusion" in one alternation.
    lowered = {k.strip().lower() for k in keywords}
    alternatives = sorted((re.escape(k) for k in lowered), key=lambda k: (-len(k), k))
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")
    return Topic(
        slug,
        name.strip(),
        str(entry.get("description") or ""),
        pattern,
        frozenset(categories),
        frozenset(lowered),
    )
