"""What the trends page shows: papers per month, as SVG charts, and the rising keywords.

Charts are drawn at build time by matplotlib's SVG backend, configured for identical bytes
from identical data (a fixed hash salt for clip-path ids, no date or creator in the
metadata, text kept as text rather than glyph outlines), so an unchanged archive rewrites
no chart. Each chart has its own opaque light background: it keeps its contrast whether
the page around it is in the light or the dark scheme, and needs no JavaScript.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from html import escape

import matplotlib
from matplotlib.figure import Figure

from generator.site import urls
from generator.site.structure import Archive

RISING_WINDOW = 3  # "this month" is compared with this many calendar months before it
RISING_MIN_COUNT = 3  # a keyword must be on at least this many papers this month
RISING_LIMIT = 20

INK = "#1f1f1f"  # text and axes: 16:1 on the chart's background
BAR = "#3049a8"  # bars: 7.6:1 on the chart's background
GRID = "#c8c8c8"
BACKGROUND = "#ffffff"
_RC = {
    "svg.hashsalt": "paper-archive",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 10,
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}

Month = tuple[int, int]


@dataclass(frozen=True)
class Series:
    name: str
    slug: str | None  # None for the whole archive
    counts: list[int]  # one per month of :func:`monthly_counts`' range
    peak: Month  # the month with the most papers (the latest of equals)


@dataclass(frozen=True)
class Rising:
    month: Month
    before: list[Month]  # oldest first
    papers_now: int
    papers_before: int
    rows: list[tuple[str, int, int, float]]  # keyword, papers now, papers before, score


def month_range(first: Month, last: Month) -> list[Month]:
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_counts(archive: Archive) -> tuple[list[Month], list[Series]]:
    """Every month from the first listing to the last (empty months too), and the papers per
    month of the whole archive and of each topic that has papers."""
    if not archive.months:
        return [], []
    months = month_range(min(archive.months), max(archive.months))

    def series(name: str, slug: str | None, papers) -> Series:
        per = Counter((p.listed.year, p.listed.month) for p in papers)
        counts = [per[m] for m in months]
        peak = max(months, key=lambda m: (per[m], m))
        return Series(name=name, slug=slug, counts=counts, peak=peak)

    out = [series("The whole archive", None, archive.papers)]
    for topic in [*archive.taxonomy.topics, archive.taxonomy.other]:
        papers = archive.by_topic[topic.slug]
        if papers:
            out.append(series(topic.name, topic.slug, papers))
    return months, out


def charts(archive: Archive) -> list[tuple[str, str]]:
    """(path, SVG) of the whole archive's chart and each topic's."""
    months, every = monthly_counts(archive)
    return [
        (
            urls.topic_chart(s.slug) if s.slug else urls.archive_chart(),
            chart_svg(f"{s.name}: papers per month", months, s.counts),
        )
        for s in every
    ]


def chart_svg(title: str, months: list[Month], counts: list[int]) -> str:
    """A bar chart of papers per month as an SVG document."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(8, 2.2), facecolor=BACKGROUND)
        ax = fig.add_subplot()
        ax.set_facecolor(BACKGROUND)
        ax.bar(range(len(months)), counts, width=0.8, color=BAR)
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel("papers")
        ax.set_xlim(-0.6, len(months) - 0.4)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ticks, labels = _month_ticks(months)
        ax.set_xticks(ticks, labels)
        out = io.StringIO()
        fig.savefig(
            out,
            format="svg",
            bbox_inches="tight",
            facecolor=BACKGROUND,
            metadata={"Title": title, "Date": None, "Creator": None},
        )
    # A <title> names the image for whoever opens the file itself (the page's <img> has alt).
    return out.getvalue().replace("<metadata>", f"<title>{escape(title)}</title>\n <metadata>", 1)


def _month_ticks(months: list[Month]) -> tuple[list[int], list[str]]:
    """Every month named when the range is short; otherwise each January, as its year."""
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    if len(months) <= 18:
        step = 1 if len(months) <= 12 else 2
        picked = list(range(0, len(months), step))
        return picked, [
            f"{names[months[i][1] - 1]}\n{months[i][0]}"
            if i == 0 or months[i][1] == 1
            else names[months[i][1] - 1]
            for i in picked
        ]
    # The first month is labelled too unless the first January follows too closely to fit.
    picked = [i for i, m in enumerate(months) if m[1] == 1 or (i == 0 and m[1] <= 9)]
    return picked, [str(months[i][0]) for i in picked]


_SPACE = re.compile(r"\s+")


def _keyword(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def rising_keywords(archive: Archive) -> Rising | None:
    """Keywords (``ai_keywords``) more common this month than in the months before.

    "This month" is the archive's latest month. A keyword's score is its share of this
    month's papers divided by its share of the papers of the :data:`RISING_WINDOW` months
    before, counting one more paper before than there was (so a keyword new this month has
    a finite score, and one seen once before is not ranked as if it were new). Only
    keywords on at least :data:`RISING_MIN_COUNT` papers this month and with a score above
    1 are listed; case and spacing do not tell keywords apart. None when the months before
    hold no papers: there is nothing to compare with.
    """
    if not archive.months:
        return None
    latest = max(archive.months)
    before = month_range(_shift(latest, -RISING_WINDOW), _shift(latest, -1))
    now_papers = archive.month_papers(latest)
    before_papers = [p for m in before if m in archive.months for p in archive.month_papers(m)]
    if not before_papers:
        return None
    now, spelling = _keyword_counts(now_papers)
    then, _ = _keyword_counts(before_papers)
    rows = []
    for key, count in now.items():
        if count < RISING_MIN_COUNT:
            continue
        score = (count / len(now_papers)) / ((then[key] + 1) / len(before_papers))
        if score > 1:
            rows.append((spelling[key], count, then[key], round(score, 2)))
    rows.sort(key=lambda r: (-r[3], -r[1], _keyword(r[0]), r[0]))
    return Rising(
        month=latest,
        before=before,
        papers_now=len(now_papers),
        papers_before=len(before_papers),
        rows=rows[:RISING_LIMIT],
    )


def _keyword_counts(papers) -> tuple[Counter[str], dict[str, str]]:
    """Papers per keyword (each paper counted once per keyword), and for each keyword the
    spelling to show: its most frequent one, ties broken alphabetically."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for paper in papers:
        seen = set()
        for raw in paper.ai_keywords:
            key = _keyword(raw)
            if not key or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            spellings.setdefault(key, Counter())[_SPACE.sub(" ", raw).strip()] += 1
    shown = {k: min(c, key=lambda s: (-c[s], s)) for k, c in spellings.items()}
    return counts, shown


def _shift(month: Month, by: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + by
    return (index // 12, index % 12 + 1)
