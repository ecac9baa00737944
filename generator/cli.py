"""The ``paper-archive`` command line: one subcommand per pipeline step.

Each command imports its pipeline step when it runs, so ``--help`` and option parsing load
no HTTP client, template engine or MkDocs. An :class:`ArchiveError` from any step is caught
once, by the command group, and becomes its message and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from generator.config import (
    API_ENV,
    ARXIV_API_ENV,
    ARXIV_MIN_INTERVAL,
    DEFAULT_ARXIV_API,
    HEAL_DAYS,
    RECHECK_DAYS,
    ClientSettings,
    Paths,
    api_base,
    arxiv_api_base,
)
from generator.errors import ArchiveError


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class _Commands(click.Group):
    """Shows a user-facing error as its message; any other exception keeps its traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Commands)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Repository root holding papers/, docs/ and mkdocs.yml.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.pass_context
def cli(ctx: click.Context, root: Path, verbose: bool) -> None:
    """Fetch Hugging Face Daily Papers into papers/ and build the archive site."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ctx.obj = Paths(root.resolve())


@cli.command()
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Fetch this one day.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day of a range.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Fetch the last N days (when no date is given).",
)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Import API-shaped items from a JSON file instead.",
)
@click.option("--api", help=f"Daily Papers API base URL (env {API_ENV}).")
@click.option(
    "--refresh",
    is_flag=True,
    help="Fetch days the status file records as complete too (default: only the last 3).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Days downloaded at once.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=ClientSettings.budget_calls,
    show_default=True,
    help="At most this many API calls per --budget-window (retries included).",
)
@click.option(
    "--budget-window",
    type=click.FloatRange(min=0, min_open=True),
    default=ClientSettings.budget_window,
    show_default=True,
    help="Length of the request-budget window in seconds.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=ClientSettings.timeout,
    show_default=True,
    help="Seconds to wait to connect and for each read before an attempt fails.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    default=ClientSettings.deadline,
    show_default=True,
    help="Seconds a whole attempt (connect, headers and body) may take before it fails as a"
    " timeout, however slowly the server sends.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=ClientSettings.retries,
    show_default=True,
    help="Further attempts per page after a network error, timeout, 5xx or 429.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: only when stderr is a terminal).",
)
@click.option(
    "--enrich/--no-enrich",
    default=True,
    show_default=True,
    help="Then add arXiv metadata to new papers and re-check recent ones (as `enrich` does);"
    " a failed lookup never fails the fetch.",
)
@click.option("--arxiv-api", help=f"arXiv API base URL for --enrich (env {ARXIV_API_ENV}).")
@click.option(
    "--heal-days",
    type=click.IntRange(min=0),
    default=HEAL_DAYS,
    show_default=True,
    help="Without --date/--since/--until, also fetch every failed or never-fetched day of the"
    " last N days, from the first day papers/status.json records (0: off).",
)
@click.pass_obj
def fetch(
    paths: Paths,
    on,
    since,
    until,
    days,
    from_file,
    api,
    refresh,
    concurrency,
    budget,
    budget_window,
    timeout,
    deadline,
    retries,
    progress,
    enrich,
    arxiv_api,
    heal_days,
) -> None:
    """Fetch Daily Papers days (or import a JSON dump) into papers/.

    Days already recorded complete in papers/status.json are skipped, except the last 3
    (their upvotes still change); failed days are retried, and so are earlier failed or
    never-fetched days (see --heal-days). Exits non-zero naming the days that failed after
    all retries; every other day is still written.
    """
    from generator.store.lock import archive_lock

    given = _given_options(click.get_current_context())
    if from_file is not None:
        # An import reads no API and no dates; --no-enrich and --no-progress say what it does.
        unused = [opt for opt in given.values() if opt not in ("--no-enrich", "--no-progress")]
        unused.remove("--from-file")
        if unused:
            raise click.UsageError(
                f"--from-file cannot be combined with {', '.join(unused)}: an import reads"
                " only the file (drop them, or fetch from the API without --from-file)"
            )
        from generator.importer import import_file

        with archive_lock(paths.root):
            report = import_file(from_file, paths.papers, today=_today())
        counts = ", ".join(f"{n} {o.value}" for o, n in report.counts.items())
        click.echo(f"imported {from_file}: {counts}, {len(report.skipped)} skipped")
        if report.failed:
            raise ArchiveError(f"{len(report.failed)} paper file(s) could not be updated")
        return
    from generator.fetch import fetch_range

    first, last = _day_range(on, since, until, days, given)
    dated = [given[n] for n in ("on", "since", "until") if n in given]
    if dated and "heal_days" in given:
        raise click.UsageError(
            f"--heal-days cannot be combined with {', '.join(dated)}: it heals only the"
            " default fetch of the last days"
        )
    settings = ClientSettings(
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        budget_calls=budget,
        budget_window=budget_window,
    )
    report = fetch_range(
        paths,
        first,
        last,
        api_base=api_base(api),
        today=_today(),
        settings=settings,
        concurrency=concurrency,
        refresh=refresh,
        progress=progress,
        heal_days=0 if dated else heal_days,
    )
    click.echo(report.summary())
    if enrich:
        _enrich_after_fetch(paths, arxiv_api)
    if report.failed:
        failed = sorted(report.failed)
        reasons = "".join(f"\n  {d}: {report.failed[d]}" for d in failed)
        raise ArchiveError(
            "failed days: " + ", ".join(d.isoformat() for d in failed) + reasons, day=failed[0]
        )


def _enrich_after_fetch(paths: Paths, arxiv_api: str | None) -> None:
    """arXiv lookups follow every fetch, but their failures only warn: the next run retries."""
    from generator.enrich import enrich_archive
    from generator.store.lock import LockedError

    try:
        report = enrich_archive(paths, api_base=arxiv_api_base(arxiv_api), today=_today())
    except LockedError as exc:
        click.echo(f"arXiv enrichment skipped: {exc}", err=True)
        return
    click.echo(report.summary())
    if report.failed:
        click.echo("warning: some arXiv lookups failed; the next run retries them", err=True)


def _given_options(ctx: click.Context) -> dict[str, str]:
    """Parameter name -> the option as typed, for every option given on the command line."""
    given = {}
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if param.name is None or source in (None, ParameterSource.DEFAULT):
            continue
        negative = ctx.params[param.name] is False and getattr(param, "secondary_opts", None)
        given[param.name] = param.secondary_opts[0] if negative else param.opts[0]
    return given


def _day_range(on, since, until, days, given: dict[str, str]) -> tuple[dt.date, dt.date]:
    if on is not None:
        if since or until or "days" in given:
            raise click.UsageError("--date cannot be combined with --since, --until or --days")
        return on.date(), on.date()
    if since is not None and "days" in given:
        raise click.UsageError("--since cannot be combined with --days (give --until instead)")
    last = until.date() if until else _today()
    first = since.date() if since else last - dt.timedelta(days=days - 1)
    if first > last:
        raise click.UsageError(f"--since {first} is after --until {last}")
    return first, last


@cli.command()
@click.option(
    "--incremental",
    is_flag=True,
    help="Build on the last build's site/, rebuilding only pages and files whose generated "
    "source changed; a clean build when site/ or .cache/site-manifest.json is missing or "
    "the theme, mkdocs.yml or a package version changed since.",
)
@click.pass_obj
def build(paths: Paths, incremental: bool) -> None:
    """Generate pages and feeds from papers/ and build the site into site/ (no network)."""
    from generator.build import build_site

    report = build_site(paths, incremental=incremental)
    click.echo(report.summary())


@cli.command()
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@click.pass_obj
def serve(paths: Paths, dev_addr: str) -> None:
    """Generate pages, then run MkDocs' live-reloading preview server."""
    from generator.build import serve_site

    serve_site(paths, dev_addr)


@cli.command()
@click.option("--days", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--api", help=f"Daily Papers API base URL (env {API_ENV}).")
@click.pass_context
def update(ctx: click.Context, days: int, api: str | None) -> None:
    """Fetch the last N days, then build. Builds even if some days failed, then fails."""
    failure = None
    try:
        ctx.invoke(fetch, days=days, api=api)
    except ArchiveError as exc:
        failure = exc
    ctx.invoke(build)
    if failure is not None:
        raise failure


@cli.command()
@click.option(
    "--api", help=f"arXiv API base URL [default: {DEFAULT_ARXIV_API}] (env {ARXIV_API_ENV})."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Look up at most N papers (never looked up first, then unknown to arXiv).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=ARXIV_MIN_INTERVAL),
    default=ARXIV_MIN_INTERVAL,
    show_default=True,
    help="Seconds to wait after each arXiv response (arXiv asks for at least 3).",
)
@click.option(
    "--recheck-days",
    type=click.IntRange(min=0),
    default=RECHECK_DAYS,
    show_default=True,
    help="Also re-check papers listed in the last N days for new versions (0: never).",
)
@click.pass_obj
def enrich(paths: Paths, api, limit, interval, recheck_days) -> None:
    """Add arXiv categories, comment, journal ref, DOI and latest version to papers/.

    Papers whose lookup fails stay unenriched and are retried on the next run; the command
    then exits 1 after storing everything that did succeed. Ids arXiv does not know are
    retried with a growing wait (1, 2, 4 ... days, at most 30) until 90 days after listing.
    """
    from generator.enrich import enrich_archive

    report = enrich_archive(
        paths,
        api_base=arxiv_api_base(api),
        today=_today(),
        limit=limit,
        recheck_days=recheck_days,
        interval=interval,
    )
    click.echo(report.summary())
    if report.failed:
        raise ArchiveError("some papers were not enriched; the next run retries them")


@cli.command()
@click.argument("targets", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--changed-against",
    "base",
    metavar="REV",
    help="Also warn about machine fields edited since git revision REV (e.g. origin/main).",
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPU count).")
@click.option(
    "--github",
    "github",
    is_flag=True,
    help="Print problems as GitHub Actions annotations (inline on the pull request).",
)
@click.pass_obj
def validate(
    paths: Paths, targets: tuple[Path, ...], base: str | None, jobs: int | None, github: bool
) -> None:
    """Check paper files (default: all of papers/), one line per problem; exit 1 on errors."""
    from generator.validate import machine_edits, validate

    report = validate(targets or (paths.papers,), paths.papers, paths.topics, jobs=jobs)
    if base is not None:
        report.problems.extend(machine_edits(paths.root, base, paths.papers))
    for problem in report.problems:
        click.echo(problem.format_github() if github else problem.format())
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)


@cli.command()
@click.argument("arxiv_id")
@click.pass_obj
def annotate(paths: Paths, arxiv_id: str) -> None:
    """Add an empty annotation block to a paper's file (if it has none); print its path."""
    from generator.annotate import annotate_paper

    path, added = annotate_paper(paths.papers, arxiv_id, today=_today())
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    if added:
        click.echo(f"added an annotation block; then run: paper-archive validate {shown}", err=True)
    else:
        click.echo("this paper already has an annotation block", err=True)
    click.echo(shown)


def main() -> None:
    cli(prog_name="paper-archive")
