"""`naboskap volunteer`: the municipality's figures on voluntary work. `report --month` gives,
per network, the month's volunteer calls, shifts, signups, people who came (as their hosts
confirmed) and hours; `list` the calls with a shift still to come or ended lately. Aggregates
only: no resident is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from bot.cli.command import Failure, run, settings, with_session
from bot.cli.listing import format_of, output_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# `volunteer report --json/--csv` and `volunteer list --json/--csv`: stable, in docs/cli.md.
REPORT_FIELDS = ("month", "network", "calls", "shifts", "signups", "came", "hours")
LIST_FIELDS = ("id", "network", "title", "status", "first_shift", "shifts", "slots", "signups")
TABLE_TITLE = 50


@click.group()
def volunteer() -> None:
    """Volunteer calls ("dugnad") and volunteer hours."""


@volunteer.command("report")
@click.option("--month", required=True, metavar="YYYY-MM", help="The calendar month, local time.")
@output_options
def volunteer_report(month: str, as_json: bool, as_csv: bool) -> None:
    """Per network, the month's volunteering: calls, shifts, signups, people who came and
    their hours (a shift counts in the month it started). Aggregates only, no names."""
    from bot.cli.listing import emit_batches
    from bot.services import volunteering
    from bot.services.actors import Actor
    from bot.services.errors import InvalidInput

    form = format_of(as_json, as_csv)
    config = settings()
    try:
        year, number = volunteering.parse_month(month)
    except InvalidInput:
        raise Failure("--month must look like 2026-06") from None

    async def work(session: AsyncSession) -> int:
        rows = await volunteering.month_report(session, Actor.operator(), year, number, config.zone)

        async def batches() -> Any:
            yield [
                {
                    "month": f"{year:04d}-{number:02d}",
                    "network": row.network,
                    "calls": row.calls,
                    "shifts": row.shifts,
                    "signups": row.signups,
                    "came": row.came,
                    "hours": row.hours,
                }
                for row in rows
            ]

        empty = f"no volunteer shifts in {year:04d}-{number:02d}"
        return await emit_batches(batches(), REPORT_FIELDS, form, empty=empty)

    run(with_session(config, work))


@volunteer.command("list")
@click.option(
    "--days", type=click.IntRange(0, 3650), default=30, show_default=True,
    help="Also calls whose last shift ended up to this many days ago.",
)  # fmt: skip
@output_options
def volunteer_list(days: int, as_json: bool, as_csv: bool) -> None:
    """List volunteer calls, soonest first, with their shifts, slots and signups (counts)."""
    from bot.cli.listing import emit_batches
    from bot.services import volunteering
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)
    config = settings()
    since = datetime.now(UTC) - timedelta(days=days)

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        if form == "table":
            title = " ".join(str(row["title"]).split())
            row = {**row, "title": title[:TABLE_TITLE]}
            row["first_shift"] = (
                row["first_shift"].astimezone(config.zone).strftime("%Y-%m-%d %H:%M")
            )
        return row

    async def work(session: AsyncSession) -> int:
        rows = await volunteering.operator_list(session, Actor.operator(), since)

        async def batches() -> Any:
            yield [shape(row) for row in rows]

        return await emit_batches(batches(), LIST_FIELDS, form, empty="no volunteer calls")

    run(with_session(config, work))
