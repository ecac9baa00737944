"""The archive grouped the ways the site shows it: by day, month, year, topic and tag.

Built in one pass over the papers; every list is sorted with a total order (ties broken
by id) so the generated pages are byte-identical from run to run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from generator.model import Paper
from generator.site.related import Related
from generator.topics import Taxonomy


def by_votes(paper: Paper) -> tuple:
    return (-(paper.upvotes or 0), paper.id)


def newest_first(paper: Paper) -> tuple:
    return (-paper.listed.toordinal(), -(paper.upvotes or 0), paper.id)


def annotated_on(paper: Paper) -> dt.date:
    """When a paper was last annotated: ``annotation.updated`` if given, else its listing."""
    value = (paper.annotation or {}).get("updated")
    return value if isinstance(value, dt.date) else paper.listed


@dataclass
class Archive:
    taxonomy: Taxonomy
    papers: list[Paper]  # newest first
    topics_of: dict[str, list[str]]
    by_day: dict[dt.date, list[Paper]]  # by upvotes
    days: list[dt.date]  # oldest first
    by_topic: dict[str, list[Paper]]  # newest first
    by_tag: dict[str, list[Paper]]  # newest first
    annotated: list[Paper]  # most recently annotated first
    months: dict[tuple[int, int], list[dt.date]] = field(default_factory=dict)
    years: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # Filled by the build's related step (generator.site.related); empty until then.
    related: dict[str, list[Related]] = field(default_factory=dict)

    @classmethod
    def group(
        cls,
        papers: list[Paper],
        taxonomy: Taxonomy,
        topics_of: dict[str, list[str]] | None = None,
    ) -> Archive:
        """``topics_of`` may come precomputed (the build assigns topics while loading)."""
        ordered = sorted(papers, key=newest_first)
        if topics_of is None:
            topics_of = {p.id: taxonomy.assign(p) for p in ordered}
        else:
            topics_of = {p.id: topics_of[p.id] for p in ordered}
        by_day: dict[dt.date, list[Paper]] = defaultdict(list)
        by_topic: dict[str, list[Paper]] = {slug: [] for slug in taxonomy.by_slug}
        by_tag: dict[str, list[Paper]] = defaultdict(list)
        for paper in ordered:
            by_day[paper.listed].append(paper)
            for slug in topics_of[paper.id]:
                by_topic[slug].append(paper)
            for tag in paper.tags:
                by_tag[tag].append(paper)
        for day_papers in by_day.values():
            day_papers.sort(key=by_votes)
        days = sorted(by_day)
        months: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
        for day in days:
            months[(day.year, day.month)].append(day)
        years: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for ym in sorted(months):
            years[ym[0]].append(ym)
        annotated = sorted(
            (p for p in ordered if p.is_annotated),
            key=lambda p: (-annotated_on(p).toordinal(), *newest_first(p)),
        )
        return cls(
            taxonomy=taxonomy,
            papers=ordered,
            topics_of=topics_of,
            by_day=dict(by_day),
            days=days,
            by_topic=by_topic,
            by_tag=dict(sorted(by_tag.items())),
            annotated=annotated,
            months=dict(months),
            years=dict(years),
        )

    def month_count(self, ym: tuple[int, int]) -> int:
        return sum(len(self.by_day[d]) for d in self.months[ym])

    def year_count(self, year: int) -> int:
        return sum(self.month_count(ym) for ym in self.years[year])
