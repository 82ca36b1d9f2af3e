"""`naboskap report`: the monthly insight report for the municipality's leadership — one
self-contained HTML page (charts, key figures, what each figure means), a PDF of it printed by
Chromium, or its numbers as CSV with stable columns (docs/insight.md). Aggregates only: no
resident is named, and groups smaller than MIN_GROUP_SIZE read "< 5"."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.command import Failure, run, settings, with_core

if TYPE_CHECKING:
    from datetime import date

    from bot.core import Core
    from bot.i18n import Translator
    from bot.services.insight.figures import Insight
    from bot.services.insight.report import Report


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A shipped language, as the bot knows them ("no" and "nn" are Bokmål, "fa-AF" Dari)."""
    if value is None:
        return None
    from bot.i18n import SHIPPED_LOCALES, negotiate_locale

    found = negotiate_locale(value)
    if found is None:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(SHIPPED_LOCALES)}")
    return found


@click.command()
@click.option("--month", required=True, metavar="YYYY-MM", help="The calendar month, local time.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write: report.html (with --pdf also report.pdf beside it), or "
    "report.pdf for the PDF alone. With --csv: the CSV file (else standard output).",
)
@click.option("--pdf", is_flag=True, help="Also print the page to PDF with Chromium.")
@click.option(
    "--language",
    callback=_language,
    metavar="LANG",
    help="The report's language (nb, en, uk, pl, lt, ar, so, ti, fa_AF); DEFAULT_LOCALE "
    "if not given.",
)
@click.option("--csv", "as_csv", is_flag=True, help="The report's numbers as CSV instead.")
@click.option("--network", metavar="SLUG", help="One network only (all networks if not given).")
def report(
    month: str,
    out: Path | None,
    pdf: bool,
    language: str | None,
    as_csv: bool,
    network: str | None,
) -> None:
    """The monthly report: members, reach by language and channel, notices, help, events,
    polls and volunteering over the 12 months ending with MONTH, and MONTH's key figures."""
    from bot.services.errors import InvalidInput
    from bot.services.insight.report import parse_month

    if as_csv and pdf:
        raise click.UsageError("choose one of --csv and --pdf")
    if out is None and not as_csv:
        raise click.UsageError("--out is needed (e.g. --out report.html), or --csv")
    try:
        first = parse_month(month)
    except InvalidInput:
        raise Failure("--month must look like 2026-11") from None
    config = settings()
    locale = language or config.default_locale

    async def work(core: Core) -> tuple[Report | None, Insight, Translator]:
        from bot.services import networks
        from bot.services.actors import Actor
        from bot.services.insight.report import build_report, month_insight
        from db.session import session_now

        t = core.catalogs.translator(locale)
        async with core.sessionmaker() as session:
            now = session_now(session)
            if first > now.astimezone(config.zone).date():
                raise Failure(f"{month} has not begun yet")
            network_id = None
            if network is not None:
                network_id = (await networks.find_by_slug(session, Actor.operator(), network)).id
            if as_csv:  # the numbers only: no charts to draw
                found = await month_insight(
                    session, t, first, min_group=config.min_group_size, network_id=network_id
                )
                return None, found, t
            made = await build_report(
                session,
                t,
                first,
                min_group=config.min_group_size,
                made=now,
                network_id=network_id,
                municipality=config.municipality,
            )
            return made, made.insight, t

    made, insight, t = run(with_core(config, work))
    if made is None:
        _write_csv(insight, t, first, out)
        return
    assert out is not None  # noqa: S101 - checked above
    _write_page(made, out, pdf)


def _write_csv(insight: Insight, t: Translator, month: date, out: Path | None) -> None:
    from bot.cli.listing import emit
    from bot.services.insight.exports import REPORT_FIELDS, report_rows

    rows = report_rows(insight, t, month)
    if out is None:
        emit(rows, REPORT_FIELDS, "csv")
        return
    with out.open("w", encoding="utf-8", newline="") as file:
        emit(rows, REPORT_FIELDS, "csv", out=file)
    click.echo(f"report for {month:%Y-%m} written to {out} (CSV)")


def _write_page(made: Report, out: Path, pdf: bool) -> None:
    from bot.services.insight.printing import PrintFailed, print_pdf

    if pdf and out.suffix.lower() == ".pdf":
        written = [out]
    else:
        out.write_text(made.html, encoding="utf-8")
        written = [out]
        if pdf:
            written.append(out.with_suffix(".pdf"))
    if pdf:
        try:
            print_pdf(made.html, written[-1])
        except PrintFailed as error:
            kept = f" ({out} is written)" if len(written) > 1 else ""
            raise Failure(f"{error}{kept}") from None
    charts = f"{made.charts} chart{'s' if made.charts != 1 else ''}"
    files = " and ".join(str(path) for path in written)
    click.echo(f"report for {made.month:%Y-%m} written to {files} ({charts})")
