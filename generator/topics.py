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


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str
    pattern: re.Pattern[str] | None
    categories: frozenset[str] = frozenset()


class Taxonomy:
    """The ordered topics plus the catch-all "Other" topic."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self.other = Topic(OTHER_SLUG, "Other", "Papers no topic rule matched.", None)
        self.by_slug = {t.slug: t for t in [*topics, self.other]}

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
        scored = []
        for order, topic in enumerate(self.topics):
            score = sum(
                _WEIGHTS[name] * _hits(topic.pattern.findall(text))
                for name, text in fields.items()
                if text
            )
            score += 2 * len(cats & topic.categories)
            if score:
                scored.append((-score, order, topic.slug))
        scored.sort()
        if not scored:
            return [OTHER_SLUG]
        best = -scored[0][0]
        # Secondary topics must carry real weight, not one passing word in the abstract.
        floor = max(SECONDARY_MIN, best * SECONDARY_SHARE)
        return [scored[0][2]] + [slug for neg, _, slug in scored[1:MAX_TOPICS] if -neg >= floor]


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
    alternatives = sorted(
        {re.escape(k.strip().lower()) for k in keywords}, key=lambda k: (-len(k), k)
    )
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")
    return Topic(
        slug, name.strip(), str(entry.get("description") or ""), pattern, frozenset(categories)
    )
